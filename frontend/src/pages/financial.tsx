// The financial statements: balance sheet, profit and loss, cash flow and changes in equity, each
// with its period picker and comparison columns, grouped by the account tree. Every account's
// figure links to its general ledger for that column's dates (and from there to the entry).
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { fetchBlob, qs, type Statement } from "../api";
import { formatDate } from "../format";
import { useQuery } from "../query";
import { Async, downloadBlob, downloadCsv, Empty, Money, Page, toastError, today } from "../ui";

export type StatementKind = "balance-sheet" | "profit-and-loss" | "cash-flow" | "equity-changes";

const TITLES: Record<StatementKind, string> = {
  "balance-sheet": "Balance sheet",
  "profit-and-loss": "Profit and loss",
  "cash-flow": "Cash flow",
  "equity-changes": "Changes in equity",
};

const EQUITY_COLUMNS: Record<string, string> = {
  opening: "Opening balance",
  result: "Result",
  year_end_close: "Year-end close",
  other: "Other movements",
  closing: "Closing balance",
};

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

type Column = Statement["columns"][number];

function label(c: Column): string {
  if (EQUITY_COLUMNS[c.key]) return EQUITY_COLUMNS[c.key];
  return c.date_from ? `${formatDate(c.date_from)} – ${formatDate(c.date_to)}` : formatDate(c.date_to);
}

/** The general ledger of `account` for the column's dates (a balance: its year up to the date, whose closing balance it is). */
function ledgerHref(account: string, c: Column): string {
  return `/reports/general-ledger?${new URLSearchParams({ account, date_from: c.date_from ?? `${c.date_to.slice(0, 4)}-01-01`, date_to: c.date_to })}`;
}

export function FinancialStatementPage({ kind }: { kind: StatementKind }) {
  const params = new URLSearchParams(location.search);
  const year = today().slice(0, 4);
  const [asOf, setAsOf] = useState(params.get("as_of") ?? today());
  const [from, setFrom] = useState(params.get("date_from") ?? `${year}-01-01`);
  const [to, setTo] = useState(params.get("date_to") ?? today());
  const [compare, setCompare] = useState(params.get("compare") ?? "none");
  const query = kind === "balance-sheet" ? { as_of: asOf, compare } : kind === "equity-changes" ? { date_from: from, date_to: to } : { date_from: from, date_to: to, compare };
  const q = useQuery<Statement>(`/api/reports/${kind}/${qs(query)}`);
  const title = TITLES[kind];
  const choices: [string, string][] =
    kind === "balance-sheet"
      ? [["none", "No comparison"], ["previous_year", "A year earlier"]]
      : [["none", "No comparison"], ["previous_period", "Previous period"], ["previous_year", "Same period last year"], ["months", "Month by month"]];
  const input = (set: (v: string) => void) => (e: Event) => {
    const v = (e.target as HTMLInputElement).value;
    if (v) set(v);
  };
  // CSV keeps plain machine values (ISO dates, API decimals with a minus sign), not the display format.
  const exportCsv = (s: Statement) =>
    downloadCsv(`${kind}-${kind === "balance-sheet" ? asOf : `${from}-${to}`}.csv`, [
      ["kind", "code", "name", ...s.columns.map((c) => (EQUITY_COLUMNS[c.key] ? c.key : c.date_from ? `${c.date_from}/${c.date_to}` : c.date_to))],
      ...s.rows.map((r) => [r.kind, r.code, `${"  ".repeat(r.depth)}${r.name}`, ...r.amounts]),
    ]);
  const [busy, setBusy] = useState(false);
  // The spreadsheet and the PDF come from the server: real numbers with the currency's decimals,
  // bold totals; the PDF in the firm's document template.
  const exportFile = async (format: "xlsx" | "pdf") => {
    setBusy(true);
    try {
      const blob = await fetchBlob(`/api/reports/${kind}/${qs({ ...query, format })}`, format === "xlsx" ? XLSX : "application/pdf");
      downloadBlob(blob, `${kind}-${kind === "balance-sheet" ? asOf : `${from}-${to}`}.${format}`);
    } catch (e) {
      toastError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page
      title={title}
      crumbs={[["Reports", "/reports"], [title]]}
      actions={
        <>
          <button onClick={() => q.data && exportCsv(q.data)} disabled={!q.data}>Export CSV</button>
          <button id="export-xlsx" onClick={() => exportFile("xlsx")} disabled={!q.data || busy}>Export XLSX</button>
          <button id="export-pdf" onClick={() => exportFile("pdf")} disabled={!q.data || busy}>Export PDF</button>
          <button onClick={() => window.print()}>Print</button>
        </>
      }
    >
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        {kind === "balance-sheet" ? (
          <label>As of <input type="date" name="as_of" value={asOf} onInput={input(setAsOf)} /></label>
        ) : (
          <>
            <label>From <input type="date" name="date_from" value={from} onInput={input(setFrom)} /></label>
            <label>To <input type="date" name="date_to" value={to} onInput={input(setTo)} /></label>
          </>
        )}
        {kind !== "equity-changes" && (
          <label>Compare
            <select name="compare" value={compare} onChange={(e) => setCompare((e.target as HTMLSelectElement).value)}>
              {choices.map(([v, l]) => <option value={v}>{l}</option>)}
            </select>
          </label>
        )}
      </form>
      <Async q={q}>
        {(s) =>
          s.rows.every((r) => r.kind !== "account" || r.amounts.every((a) => /^-?0(\.0+)?$/.test(a))) ? (
            <Empty>Nothing posted for these dates.</Empty>
          ) : (
            <StatementTable s={s} title={title} />
          )
        }
      </Async>
    </Page>
  );
}

/** A statement as a table; `drill` links each account's figure to its general ledger (not for a
 * consolidation, whose accounts stand for several companies'). */
export function StatementTable({ s, title, drill = true }: { s: Statement; title: string; drill?: boolean }) {
  const cols = s.columns;
  return (
    <div class="table-wrap">
      <p class="muted report-heading">{title} ({s.currency})</p>
      <table class="table report statement" id="statement" data-report={s.report}>
        <thead>
          <tr><th>Account</th>{cols.map((c) => <th class="num">{label(c)}</th>)}</tr>
        </thead>
        <tbody>
          {s.rows.map((r, i) => {
            if (r.kind === "section") return <tr key={i} class="section"><th colSpan={cols.length + 1}>{r.name}</th></tr>;
            const strong = r.kind !== "account";
            const name = r.code ? `${r.code} ${r.name}` : r.name;
            return (
              <tr key={i} class={r.kind} data-key={r.key || undefined} data-code={r.code || undefined}>
                <td style={{ paddingLeft: `${0.5 + r.depth * 1.25}rem` }}>{strong ? <strong>{name}</strong> : name}</td>
                {r.amounts.map((a, j) => {
                  const money = <Money value={a} currency={s.currency} />;
                  return (
                    <td class="num" key={j}>
                      {drill && r.account && r.kind === "account" ? <Link href={ledgerHref(r.account, cols[j])}>{money}</Link> : strong ? <strong>{money}</strong> : money}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
