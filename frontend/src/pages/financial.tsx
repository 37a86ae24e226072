// The financial statements: balance sheet, profit and loss, cash flow and changes in equity, each
// with its period picker and comparison columns, grouped by the account tree. Every account's
// figure links to its general ledger for that column's dates (and from there to the entry). The
// profit and loss can be compared with a budget: each column then shows actual, budget, variance
// (actual − budget) and variance %, the variance coloured favourable or unfavourable.
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { fetchBlob, qs, type Page as PageT, type Statement } from "../api";
import { can, useAuth } from "../auth";
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
  const [budget, setBudget] = useState(params.get("budget") ?? "");
  const { user } = useAuth();
  const budgets = useQuery<PageT<{ id: string; name: string; fiscal_year: number; date_from: string; date_to: string }>>(
    kind === "profit-and-loss" && can(user, "ledger.view") ? "/api/accounting/budgets/?page_size=200&ordering=-fiscal_year" : null,
  );
  // A budget compares whole months: choosing one sets the period to its fiscal year.
  const chooseBudget = (id: string) => {
    setBudget(id);
    const b = budgets.data?.results.find((x) => x.id === id);
    if (b) {
      setFrom(b.date_from);
      setTo(b.date_to);
    }
  };
  const query =
    kind === "balance-sheet"
      ? { as_of: asOf, compare }
      : kind === "equity-changes"
        ? { date_from: from, date_to: to }
        : { date_from: from, date_to: to, compare, budget: kind === "profit-and-loss" ? budget : undefined };
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
  const exportBudgetCsv = (s: Statement) =>
    downloadCsv(`${kind}-${from}-${to}-budget.csv`, [
      ["kind", "code", "name", ...s.columns.flatMap((c) => { const d = `${c.date_from}/${c.date_to}`; return [d, `budget ${d}`, `variance ${d}`, `variance % ${d}`]; })],
      ...s.rows.map((r) => [r.kind, r.code, `${"  ".repeat(r.depth)}${r.name}`, ...r.amounts.flatMap((a, j) => (r.budget ? [a, r.budget[j], r.variance?.[j] ?? "", r.variance_percent?.[j] ?? ""] : [a]))]),
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
          <button onClick={() => q.data && (q.data.budget ? exportBudgetCsv(q.data) : exportCsv(q.data))} disabled={!q.data}>Export CSV</button>
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
        {kind === "profit-and-loss" && (budgets.data?.results.length ?? 0) > 0 && (
          <label>Compare with budget
            <select name="budget" id="budget-compare" value={budget} onChange={(e) => chooseBudget((e.target as HTMLSelectElement).value)}>
              <option value="">No budget</option>
              {budgets.data?.results.map((b) => <option value={b.id}>{b.fiscal_year} · {b.name}</option>)}
            </select>
          </label>
        )}
      </form>
      <Async q={q}>
        {(s) =>
          !s.budget && s.rows.every((r) => r.kind !== "account" || r.amounts.every((a) => /^-?0(\.0+)?$/.test(a))) ? (
            <Empty>Nothing posted for these dates.</Empty>
          ) : (
            s.budget ? <BudgetTable s={s} title={title} /> : <StatementTable s={s} title={title} />
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

/**
 * The profit and loss against a budget: per column, actual, budget, variance and variance %.
 * A positive variance is favourable for revenue and the net result, unfavourable for expenses.
 */
function BudgetTable({ s, title }: { s: Statement; title: string }) {
  const cols = s.columns;
  let section = "";
  const tone = (v: string | undefined, key: string) => {
    if (!v || /^-?0(\.0+)?$/.test(v)) return "";
    const up = !v.startsWith("-");
    const expense = section === "expenses" && key !== "net_result";
    return up !== expense ? "favourable" : "unfavourable";
  };
  return (
    <div class="table-wrap">
      <p class="muted report-heading">{title} against budget “{s.budget?.name}” {s.budget?.fiscal_year} ({s.currency}). Variance = actual − budget.</p>
      <table class="table report statement budget-compare" id="statement" data-report={s.report}>
        <thead>
          <tr><th rowSpan={2}>Account</th>{cols.map((c) => <th class="num" colSpan={4}>{label(c)}</th>)}</tr>
          <tr>{cols.map(() => (<><th class="num">Actual</th><th class="num">Budget</th><th class="num">Variance</th><th class="num">%</th></>))}</tr>
        </thead>
        <tbody>
          {s.rows.map((r, i) => {
            if (r.kind === "section") {
              section = r.key;
              return <tr key={i} class="section"><th colSpan={cols.length * 4 + 1}>{r.name}</th></tr>;
            }
            const strong = r.kind !== "account";
            const name = r.code ? `${r.code} ${r.name}` : r.name;
            const wrap = (x: preact.ComponentChildren) => (strong ? <strong>{x}</strong> : x);
            return (
              <tr key={i} class={r.kind} data-key={r.key || undefined} data-code={r.code || undefined}>
                <td style={{ paddingLeft: `${0.5 + r.depth * 1.25}rem` }}>{wrap(name)}</td>
                {r.amounts.map((a, j) => (
                  <>
                    <td class="num actual">{r.account && r.kind === "account" ? <Link href={ledgerHref(r.account, cols[j])}><Money value={a} currency={s.currency} /></Link> : wrap(<Money value={a} currency={s.currency} />)}</td>
                    <td class="num budget">{wrap(<Money value={r.budget?.[j]} currency={s.currency} />)}</td>
                    <td class={`num variance ${tone(r.variance?.[j], r.key)}`}>{wrap(<Money value={r.variance?.[j]} currency={s.currency} />)}</td>
                    <td class={`num variance-percent ${tone(r.variance?.[j], r.key)}`}>{r.variance_percent?.[j] != null ? `${r.variance_percent[j]} %` : "–"}</td>
                  </>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
