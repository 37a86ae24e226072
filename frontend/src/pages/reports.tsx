import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { qs, type TrialBalance } from "../api";
import { can, useAuth } from "../auth";
import { formatAmount } from "../money";
import { useQuery } from "../query";
import { Async, downloadCsv, Empty, Money, Page, ServerExports, today } from "../ui";
import { useAccounts } from "./accounts";
import { formatDate } from "../format";

/** The Reports page: every report with a line on what it answers. */
export function ReportsIndex() {
  const { user } = useAuth();
  const docs = can(user, "documents.view");
  const reports: [string, string, string, boolean][] = [
    ["Balance sheet", "/reports/balance-sheet", "Assets, liabilities and equity as of a date, with the current earnings.", true],
    ["Profit and loss", "/reports/profit-and-loss", "Revenue, expenses and the result of a period, with comparison columns.", true],
    ["Cash flow", "/reports/cash-flow", "Where the cash came from and went, by operating, investing and financing activities.", true],
    ["Changes in equity", "/reports/equity-changes", "Each equity account from its opening to its closing balance.", true],
    ["Trial balance", "/reports/trial-balance", "Debit and credit balance of every account as of a date.", true],
    ["General ledger", "/reports/general-ledger", "One account's postings with the running balance.", true],
    ["Consolidation", "/reports/consolidation", "Several companies as one, in one currency: trial balance, balance sheet, profit and loss.", true],
    ["Aged receivables", "/reports/aged-receivables", "What customers owe, by days past the due date.", docs],
    ["Aged payables", "/reports/aged-payables", "What we owe vendors, by days past the due date.", docs],
    ["Tax return", "/reports/tax-return", "VAT, GST or sales tax of a period per rate and in the return's boxes; file it.", true],
  ];
  return (
    <Page title="Reports" crumbs={[["Reports"]]}>
      <ul class="report-index">
        {reports.filter((r) => r[3]).map(([name, href, what]) => (
          <li key={href}><Link href={href}>{name}</Link><span class="muted"> — {what}</span></li>
        ))}
      </ul>
    </Page>
  );
}

export function TrialBalancePage() {
  const [asOf, setAsOf] = useState(today());
  const q = useQuery<TrialBalance>(`/api/reports/trial-balance/${qs({ as_of: asOf })}`);
  // CSV keeps plain machine values (ISO dates, API decimals with a minus sign), not the display format.
  const exportCsv = (tb: TrialBalance) =>
    downloadCsv(`trial-balance-${tb.as_of}.csv`, [
      ["code", "name", "type", "debit", "credit"],
      ...tb.rows.map((r) => [r.code, r.name, r.type, r.debit, r.credit]),
      ["", "Total", "", tb.totals.debit, tb.totals.credit],
    ]);
  return (
    <Page
      title="Trial balance"
      crumbs={[["Reports", "/reports"], ["Trial balance"]]}
      actions={
        <>
          <label class="inline">As of <input type="date" value={asOf} onInput={(e) => (e.target as HTMLInputElement).value && setAsOf((e.target as HTMLInputElement).value)} name="as_of" /></label>
          <button onClick={() => q.data && exportCsv(q.data)} disabled={!q.data}>Export CSV</button>
          <ServerExports path="/api/reports/trial-balance/" query={{ as_of: asOf }} name={`trial-balance-${asOf}`} disabled={!q.data} />
          <button onClick={() => window.print()}>Print</button>
        </>
      }
    >
      <Async q={q}>
        {(tb) =>
          tb.rows.length === 0 ? <Empty>Nothing posted up to {formatDate(tb.as_of)}.</Empty> : (
            <div class="table-wrap">
              <p class="muted report-heading" id="tb-as-of">Trial balance as of {formatDate(tb.as_of)} ({tb.currency})</p>
              <table class="table report" id="trial-balance">
                <thead><tr><th>Code</th><th>Account</th><th class="hide-sm">Type</th><th class="num">Debit</th><th class="num">Credit</th></tr></thead>
                <tbody>
                  {tb.rows.map((r) => (
                    <tr key={r.account} data-code={r.code}>
                      <td>{r.code}</td>
                      <td><Link href={`/reports/general-ledger?account=${r.account}&date_to=${tb.as_of}`}>{r.name}</Link></td>
                      <td class="hide-sm">{r.type}</td>
                      <td class="num"><Money value={r.debit} currency={tb.currency} blankZero /></td>
                      <td class="num"><Money value={r.credit} currency={tb.currency} blankZero /></td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr><td /><td><strong>Total</strong></td><td class="hide-sm" /><td class="num"><strong><Money value={tb.totals.debit} currency={tb.currency} /></strong></td><td class="num"><strong><Money value={tb.totals.credit} currency={tb.currency} /></strong></td></tr>
                </tfoot>
              </table>
            </div>
          )
        }
      </Async>
    </Page>
  );
}

interface Ledger {
  account: { id: string; code: string; name: string; type: string };
  currency: string;
  date_from: string;
  date_to: string;
  opening_balance: string;
  closing_balance: string;
  count: number;
  next: string | null;
  previous: string | null;
  results: { entry: string; number: number | null; date: string; reference: string; description: string; debit: string; credit: string; balance: string }[];
}

export function GeneralLedger() {
  const params = new URLSearchParams(location.search);
  const accounts = useAccounts();
  const { company } = useAuth();
  const [account, setAccount] = useState(params.get("account") ?? "");
  const [from, setFrom] = useState(params.get("date_from") ?? `${today().slice(0, 4)}-01-01`);
  const [to, setTo] = useState(params.get("date_to") ?? today());
  const [page, setPage] = useState(1);
  const q = useQuery<Ledger>(account ? `/api/reports/general-ledger/${qs({ account, date_from: from, date_to: to, page, page_size: 100 })}` : null);
  const exportCsv = (l: Ledger) =>
    downloadCsv(`general-ledger-${l.account.code}-${l.date_from}-${l.date_to}.csv`, [
      ["date", "number", "reference", "description", "debit", "credit", "balance"],
      ["", "", "", "Opening balance", "", "", l.opening_balance],
      ...l.results.map((r) => [r.date, r.number ?? "", r.reference, r.description, r.debit, r.credit, r.balance]),
    ]);
  return (
    <Page
      title="General ledger"
      crumbs={[["Reports", "/reports"], ["General ledger"]]}
      actions={
        <>
          <button onClick={() => q.data && exportCsv(q.data)} disabled={!q.data}>Export CSV</button>
          <ServerExports path="/api/reports/general-ledger/" query={{ account, date_from: from, date_to: to }} name={`general-ledger-${q.data?.account.code ?? "account"}-${to}`} disabled={!q.data} />
          <button onClick={() => window.print()}>Print</button>
        </>
      }
    >
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Account
          <select value={account} onChange={(e) => { setAccount((e.target as HTMLSelectElement).value); setPage(1); }} name="account">
            <option value="">Choose an account…</option>
            {(accounts.data?.results ?? []).map((a) => <option value={a.id}>{a.code} {a.name}</option>)}
          </select>
        </label>
        <label>From <input type="date" value={from} onInput={(e) => { setFrom((e.target as HTMLInputElement).value); setPage(1); }} /></label>
        <label>To <input type="date" value={to} onInput={(e) => { setTo((e.target as HTMLInputElement).value); setPage(1); }} /></label>
      </form>
      {!account ? <Empty>Choose an account to see its ledger.</Empty> : (
        <Async q={q}>
          {(l) => (
            <>
              <p class="print-only">{l.account.code} {l.account.name}, {formatDate(l.date_from)} – {formatDate(l.date_to)} ({l.currency})</p>
              <div class="table-wrap">
                <table class="table report">
                  <thead><tr><th>Date</th><th>No.</th><th class="hide-sm">Reference</th><th class="hide-sm">Description</th><th class="num">Debit</th><th class="num">Credit</th><th class="num">Balance</th></tr></thead>
                  <tbody>
                    <tr class="opening"><td>{formatDate(l.date_from)}</td><td /><td class="hide-sm" /><td class="hide-sm">Opening balance</td><td /><td /><td class="num">{formatAmount(l.opening_balance, l.currency)}</td></tr>
                    {l.results.map((r, i) => (
                      <tr key={i}>
                        <td>{formatDate(r.date)}</td>
                        <td><Link href={`/accounting/journal/${r.entry}`}>{r.number}</Link></td>
                        <td class="hide-sm">{r.reference}</td>
                        <td class="hide-sm">{r.description}</td>
                        <td class="num"><Money value={r.debit} currency={l.currency} blankZero /></td>
                        <td class="num"><Money value={r.credit} currency={l.currency} blankZero /></td>
                        <td class="num"><Money value={r.balance} currency={l.currency} /></td>
                      </tr>
                    ))}
                  </tbody>
                  <tfoot><tr><td colSpan={4} class="hide-sm-colspan"><strong>Closing balance</strong></td><td /><td /><td class="num"><strong><Money value={l.closing_balance} currency={l.currency} /></strong></td></tr></tfoot>
                </table>
              </div>
              {(l.next || l.previous) && (
                <div class="pager">
                  <button disabled={!l.previous} onClick={() => setPage(page - 1)}>‹ Previous</button>
                  <span>Page {page} · {l.count} lines</span>
                  <button disabled={!l.next} onClick={() => setPage(page + 1)}>Next ›</button>
                </div>
              )}
              {l.results.length === 0 && <Empty>No postings in this range.</Empty>}
            </>
          )}
        </Async>
      )}
      {company && null}
    </Page>
  );
}
