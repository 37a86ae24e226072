// Consolidation: the companies of the firm the user may see, as one — the trial balance, the
// balance sheet or the profit and loss in the parent's currency, with the rates that translated
// each company, the translation reserve and the intercompany accounts listed apart.
import { useState } from "preact/hooks";
import { fetchBlob, qs, type Company, type ConsolidatedStatement, type ConsolidatedTrialBalance, type Page as PageT, type Statement } from "../api";
import { formatDate } from "../format";
import { useQuery } from "../query";
import { Async, downloadBlob, Empty, Money, Page, toastError, today } from "../ui";
import { StatementTable } from "./financial";

type Kind = "trial-balance" | "balance-sheet" | "profit-and-loss";

const TITLES: Record<Kind, string> = {
  "trial-balance": "Consolidated trial balance",
  "balance-sheet": "Consolidated balance sheet",
  "profit-and-loss": "Consolidated profit and loss",
};

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

export function ConsolidationPage() {
  const companies = useQuery<PageT<Company>>("/api/tenants/companies/?page_size=200");
  return (
    <Page title="Consolidation" crumbs={[["Reports", "/reports"], ["Consolidation"]]}>
      <Async q={companies}>
        {(page) => {
          const active = page.results.filter((c) => c.is_active !== false);
          return active.length === 0 ? <Empty>No companies to consolidate.</Empty> : <Consolidation all={active} />;
        }}
      </Async>
    </Page>
  );
}

function Consolidation({ all }: { all: Company[] }) {
  const year = today().slice(0, 4);
  const [kind, setKind] = useState<Kind>("balance-sheet");
  const [chosen, setChosen] = useState<string[]>(all.map((c) => c.id));
  const [parent, setParent] = useState(all[0].id);
  const [asOf, setAsOf] = useState(today());
  const [from, setFrom] = useState(`${year}-01-01`);
  const [to, setTo] = useState(today());
  const [busy, setBusy] = useState(false);
  const ordered = chosen.includes(parent) ? [parent, ...chosen.filter((c) => c !== parent)] : chosen;
  const query = { companies: ordered.join(","), ...(kind === "profit-and-loss" ? { date_from: from, date_to: to } : { as_of: asOf }) };
  const path = `/api/reports/consolidated/${kind}/`;
  const q = useQuery<ConsolidatedStatement | ConsolidatedTrialBalance>(chosen.length ? `${path}${qs(query)}` : null);
  const toggle = (id: string) => setChosen(chosen.includes(id) ? chosen.filter((c) => c !== id) : [...chosen, id]);
  const input = (set: (v: string) => void) => (e: Event) => {
    const v = (e.target as HTMLInputElement).value;
    if (v) set(v);
  };
  const exportFile = async (format: "xlsx" | "csv" | "pdf") => {
    setBusy(true);
    try {
      const accept = format === "xlsx" ? XLSX : format === "csv" ? "text/csv" : "application/pdf";
      const blob = await fetchBlob(`${path}${qs({ ...query, format })}`, accept);
      downloadBlob(blob, `consolidated-${kind}-${kind === "profit-and-loss" ? `${from}-${to}` : asOf}.${format}`);
    } catch (e) {
      toastError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <form class="filters" id="consolidation-form" onSubmit={(e) => e.preventDefault()}>
        <label>Report
          <select name="report" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as Kind)}>
            {(Object.keys(TITLES) as Kind[]).map((k) => <option value={k}>{TITLES[k].replace("Consolidated ", "")}</option>)}
          </select>
        </label>
        {kind === "profit-and-loss" ? (
          <>
            <label>From <input type="date" name="date_from" value={from} onInput={input(setFrom)} /></label>
            <label>To <input type="date" name="date_to" value={to} onInput={input(setTo)} /></label>
          </>
        ) : (
          <label>As of <input type="date" name="as_of" value={asOf} onInput={input(setAsOf)} /></label>
        )}
        <label>Presented by
          <select name="parent" value={parent} onChange={(e) => setParent((e.target as HTMLSelectElement).value)}>
            {all.filter((c) => chosen.includes(c.id)).map((c) => <option value={c.id}>{c.name} ({c.currency})</option>)}
          </select>
        </label>
        <fieldset class="companies">
          <legend>Companies</legend>
          {all.map((c) => (
            <label class="inline" key={c.id}>
              <input type="checkbox" name="company" value={c.id} checked={chosen.includes(c.id)} onChange={() => toggle(c.id)} /> {c.name} ({c.currency})
            </label>
          ))}
        </fieldset>
        <div class="actions">
          <button type="button" id="export-xlsx" onClick={() => exportFile("xlsx")} disabled={!q.data || busy}>Export XLSX</button>
          <button type="button" onClick={() => exportFile("csv")} disabled={!q.data || busy}>Export CSV</button>
          <button type="button" id="export-pdf" onClick={() => exportFile("pdf")} disabled={!q.data || busy}>Export PDF</button>
          <button type="button" onClick={() => window.print()}>Print</button>
        </div>
      </form>
      {chosen.length === 0 ? (
        <Empty>Choose at least one company.</Empty>
      ) : (
        <Async q={q}>
          {(data) => (
            <>
              <Rates data={data} />
              {"statement" in data ? (
                <StatementTable s={data.statement as Statement} title={TITLES[kind]} drill={false} />
              ) : (
                <TrialTable tb={data} />
              )}
            </>
          )}
        </Async>
      )}
    </>
  );
}

function Rates({ data }: { data: ConsolidatedStatement | ConsolidatedTrialBalance }) {
  const currency = "statement" in data ? data.statement.currency : data.currency;
  return (
    <table class="table compact" id="consolidation-rates">
      <thead><tr><th>Company</th><th>Currency</th><th class="num">Closing rate</th><th class="num">Average rate</th></tr></thead>
      <tbody>
        {data.companies.map((c) => (
          <tr key={c.id} data-company={c.id}>
            <td>{c.name}{c.id === data.parent ? " (parent)" : ""}</td>
            <td>{c.currency}</td>
            <td class="num">{c.currency === currency ? "—" : c.closing_rate}</td>
            <td class="num">{c.currency === currency ? "—" : c.average_rate}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TrialTable({ tb }: { tb: ConsolidatedTrialBalance }) {
  return (
    <div class="table-wrap">
      <p class="muted report-heading">Consolidated trial balance as of {formatDate(tb.as_of)} ({tb.currency})</p>
      <table class="table report" id="consolidated-trial-balance">
        <thead>
          <tr><th>Code</th><th>Account</th>{tb.companies.map((c) => <th class="num">{c.name}</th>)}<th class="num">Total</th></tr>
        </thead>
        <tbody>
          {tb.rows.map((r) => (
            <tr key={r.code + r.name} data-code={r.code || undefined} class={r.intercompany ? "intercompany" : undefined}>
              <td>{r.code}</td>
              <td>{r.name}{r.intercompany ? <span class="muted"> · intercompany</span> : null}</td>
              {r.amounts.map((a, i) => <td class="num" key={i}><Money value={a} currency={tb.currency} blankZero /></td>)}
              <td class="num"><Money value={r.total} currency={tb.currency} /></td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr><td /><td><strong>Total debit</strong></td>{tb.companies.map((c) => <td key={c.id} />)}<td class="num" id="total-debit"><strong><Money value={tb.total_debit} currency={tb.currency} /></strong></td></tr>
          <tr><td /><td><strong>Total credit</strong></td>{tb.companies.map((c) => <td key={c.id} />)}<td class="num" id="total-credit"><strong><Money value={tb.total_credit} currency={tb.currency} /></strong></td></tr>
        </tfoot>
      </table>
    </div>
  );
}
