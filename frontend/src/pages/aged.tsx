// Aged receivables and aged payables: open amounts per contact in buckets of days past due, as of
// a date (docs/receivables-api.md "Reports").
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { qs } from "../api";
import { CONTACTS, KINDS } from "../documents";
import { formatDate } from "../format";
import { useQuery } from "../query";
import { Async, downloadCsv, Empty, Money, Page, ServerExports, today } from "../ui";

const BUCKETS: [string, string][] = [["current", "Current"], ["1_30", "1–30"], ["31_60", "31–60"], ["61_90", "61–90"], ["over_90", "Over 90"]];

type Amounts = Record<string, string>;
interface Aged {
  as_of: string;
  currency: string;
  rows: (Amounts & { contact: string; contact_name: string; total: string })[];
  totals: Amounts & { total: string };
  /** The totals in each currency the items are in (document currencies). */
  currencies?: (Amounts & { currency: string; total: string })[];
}

export function AgedReport({ side }: { side: "sales" | "purchase" }) {
  const receivables = side === "sales";
  const title = receivables ? "Aged receivables" : "Aged payables";
  const [asOf, setAsOf] = useState(today());
  const q = useQuery<Aged>(`/api/reports/${receivables ? "aged-receivables" : "aged-payables"}/${qs({ as_of: asOf })}`);
  const contacts = CONTACTS[side];
  const docs = receivables ? KINDS.invoice : KINDS.bill;
  const exportCsv = (r: Aged) =>
    downloadCsv(`${receivables ? "aged-receivables" : "aged-payables"}-${r.as_of}.csv`, [
      ["contact", ...BUCKETS.map(([k]) => k), "total"],
      ...r.rows.map((x) => [x.contact_name, ...BUCKETS.map(([k]) => x[k] ?? "0"), x.total]),
      ["Total", ...BUCKETS.map(([k]) => r.totals?.[k] ?? "0"), r.totals?.total ?? "0"],
    ]);
  return (
    <Page
      title={title}
      crumbs={[["Reports", "/reports"], [title]]}
      actions={
        <>
          <label class="inline">As of <input type="date" name="as_of" value={asOf} onInput={(e) => (e.target as HTMLInputElement).value && setAsOf((e.target as HTMLInputElement).value)} /></label>
          <button onClick={() => q.data && exportCsv(q.data)} disabled={!q.data}>Export CSV</button>
          <ServerExports path={`/api/reports/${receivables ? "aged-receivables" : "aged-payables"}/`} query={{ as_of: asOf }} name={`${receivables ? "aged-receivables" : "aged-payables"}-${asOf}`} disabled={!q.data} />
          <button onClick={() => window.print()}>Print</button>
        </>
      }
    >
      <Async q={q} missing={title}>
        {(r) =>
          !r.rows?.length ? <Empty>Nothing {receivables ? "owed to us" : "owed to vendors"} as of {formatDate(r.as_of)}.</Empty> : (
            <div class="table-wrap">
              <p class="muted report-heading" id="aged-as-of">{title} as of {formatDate(r.as_of)} ({r.currency}), by days past the due date</p>
              <table class="table report aged" id="aged-report">
                <thead>
                  <tr><th>{receivables ? "Customer" : "Vendor"}</th>{BUCKETS.map(([k, l]) => <th class="num" key={k}>{l}</th>)}<th class="num">Total</th></tr>
                </thead>
                <tbody>
                  {r.rows.map((x) => (
                    <tr key={x.contact} data-contact={x.contact_name}>
                      <td><Link href={`${contacts.route}/${x.contact}`}>{x.contact_name}</Link></td>
                      {BUCKETS.map(([k]) => (
                        <td class="num" key={k} data-bucket={k}>
                          {k !== "current" && !/^-?0*(\.0*)?$/.test(x[k] ?? "0")
                            ? <Link href={`${docs.route}?contact=${x.contact}&overdue=true`}><Money value={x[k]} currency={r.currency} /></Link>
                            : <Money value={x[k]} currency={r.currency} blankZero />}
                        </td>
                      ))}
                      <td class="num"><strong><Money value={x.total} currency={r.currency} /></strong></td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <td><strong>Total</strong></td>
                    {BUCKETS.map(([k]) => <td class="num" key={k} data-total={k}><strong><Money value={r.totals?.[k]} currency={r.currency} /></strong></td>)}
                    <td class="num" data-total="total"><strong><Money value={r.totals?.total} currency={r.currency} /></strong></td>
                  </tr>
                </tfoot>
              </table>
              {(r.currencies ?? []).some((c) => c.currency !== r.currency) && (
                <>
                  <p class="muted report-heading">In the documents' own currencies</p>
                  <table class="table report aged" id="aged-by-currency">
                    <thead><tr><th>Currency</th>{BUCKETS.map(([k, l]) => <th class="num" key={k}>{l}</th>)}<th class="num">Total</th></tr></thead>
                    <tbody>
                      {(r.currencies ?? []).map((c) => (
                        <tr key={c.currency} data-currency={c.currency}>
                          <td>{c.currency}</td>
                          {BUCKETS.map(([k]) => <td class="num" key={k}><Money value={c[k]} currency={c.currency} blankZero /></td>)}
                          <td class="num"><strong><Money value={c.total} currency={c.currency} /></strong></td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </>
              )}
            </div>
          )
        }
      </Async>
    </Page>
  );
}
