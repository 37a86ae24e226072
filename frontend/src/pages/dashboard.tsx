import { useEffect, useRef } from "preact/hooks";
import { Link } from "wouter-preact";
import { get, qs, type Entry, type Page as PageT, type Statement, type TrialBalance } from "../api";
import { can, useAuth } from "../auth";
import { decimals, formatMinor, toMinor } from "../money";
import { useQuery } from "../query";
import { Async, Empty, Money, Page, today } from "../ui";
import { useAccounts } from "./accounts";
import { formatDate } from "../format";

interface Monthly {
  labels: string[];
  revenue: bigint[];
  expenses: bigint[];
}

/** Revenue and expenses per month of the last 12 (the current month up to today): one P&L request, a column per month. */
async function loadMonthly(dp: number): Promise<Monthly> {
  const now = new Date();
  const first = new Date(now.getFullYear(), now.getMonth() - 11, 1);
  const from = `${first.getFullYear()}-${String(first.getMonth() + 1).padStart(2, "0")}-01`;
  const pl = await get<Statement>(`/api/reports/profit-and-loss/${qs({ date_from: from, date_to: today(), compare: "months" })}`);
  const line = (key: string) => (pl.rows.find((r) => r.key === key)?.amounts ?? []).map((a) => toMinor(a, dp) ?? 0n);
  return { labels: pl.columns.map((c) => c.date_to.slice(0, 7)), revenue: line("total_revenue"), expenses: line("total_expenses") };
}

export function Dashboard() {
  const { user, company } = useAuth();
  const currency = company?.currency ?? "USD";
  const dp = decimals(currency);
  const reports = can(user, "reports.view");
  const tb = useQuery<TrialBalance>(reports ? `/api/reports/trial-balance/?as_of=${today()}` : null);
  const accounts = useAccounts();
  const recent = useQuery<PageT<Entry>>("/api/accounting/journal-entries/?page_size=8&ordering=-date,-number");
  const monthly = useQuery<Monthly>(reports ? `/api/reports/#monthly-${dp}` : null, () => loadMonthly(dp));

  const cash = (accounts.data?.results ?? []).filter((a) => a.subtype === "bank" || a.subtype === "cash");
  const balance = (id: string) => {
    const r = tb.data?.rows.find((x) => x.account === id);
    return r ? (toMinor(r.debit, dp) ?? 0n) - (toMinor(r.credit, dp) ?? 0n) : 0n;
  };
  const cashTotal = cash.reduce((s, a) => s + balance(a.id), 0n);

  return (
    <Page title={`Welcome${user?.first_name ? ", " + user.first_name : ""}`}>
      <div class="cards">
        {reports && (
          <section class="panel">
            <h2>Cash position</h2>
            {tb.data && accounts.data ? (
              cash.length === 0 ? <Empty>No bank or cash accounts.</Empty> : (
                <table class="table compact">
                  <tbody>
                    {cash.map((a) => (
                      <tr key={a.id}><td>{a.code} {a.name}</td><td class="num">{formatMinor(balance(a.id), dp)}</td></tr>
                    ))}
                  </tbody>
                  <tfoot><tr><td><strong>Total</strong></td><td class="num" id="cash-total"><strong>{formatMinor(cashTotal, dp)}</strong></td></tr></tfoot>
                </table>
              )
            ) : <p class="muted">Loading…</p>}
          </section>
        )}
        <section class="panel">
          <h2>Recent entries</h2>
          <Async q={recent}>
            {(p) => p.results.length === 0 ? <Empty>No entries yet. <Link href="/accounting/journal/new">Enter the first one</Link>.</Empty> : (
              <table class="table compact">
                <tbody>
                  {p.results.map((e) => (
                    <tr key={e.id}>
                      <td>{formatDate(e.date)}</td>
                      <td><Link href={`/accounting/journal/${e.id}`}>{e.number ? `No. ${e.number}` : "draft"} {e.reference}</Link></td>
                      <td class="num"><Money value={e.total} currency={e.currency} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Async>
        </section>
      </div>
      {reports && (
        <section class="panel">
          <h2>Revenue and expenses, last 12 months ({currency})</h2>
          <Async q={monthly}>{(m) => <Chart m={m} dp={dp} />}</Async>
        </section>
      )}
    </Page>
  );
}

function Chart({ m, dp }: { m: Monthly; dp: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let plot: { destroy(): void } | undefined;
    let gone = false;
    // uPlot is loaded only when the chart is shown: it stays out of the initial bundle.
    Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")]).then(([{ default: uPlot }]) => {
      if (gone || !box.current) return;
      const scale = 10 ** dp;
      // Display only: the chart library wants numbers; the amounts were summed exactly above.
      const toNum = (v: bigint) => Number(v) / scale;
      const xs = m.labels.map((_, i) => i);
      const width = Math.max(280, box.current.clientWidth);
      plot = new uPlot(
        {
          width,
          height: 240,
          scales: { x: { time: false } },
          axes: [{ values: (_u: unknown, ticks: number[]) => ticks.map((t) => m.labels[t]?.slice(2) ?? "") }, { size: 70 }],
          series: [
            {},
            { label: "Revenue", stroke: "#1f7a3d", fill: "rgba(31,122,61,.08)", width: 2 },
            { label: "Expenses", stroke: "#b3261e", fill: "rgba(179,38,30,.06)", width: 2 },
          ],
        },
        [xs, m.revenue.map(toNum), m.expenses.map(toNum)],
        box.current,
      );
    });
    return () => {
      gone = true;
      plot?.destroy();
    };
  }, [m]);
  return <div ref={box} class="chart" id="chart" />;
}
