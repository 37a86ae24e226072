// A customer's statement (`/api/sales/customers/{id}/statement/`): what they were charged and paid
// over a period with the running balance, what they owe at its end and how old it is; the same as
// a PDF to send them (`…/statement/pdf/`).
import { useState } from "preact/hooks";
import { Link, useSearch } from "wouter-preact";
import { fetchBlob, isMissing, qs } from "../api";
import { CONTACTS, type Contact } from "../documents";
import { formatDate } from "../format";
import { useQuery } from "../query";
import { Async, downloadBlob, Empty, Money, Page, toastError, today } from "../ui";

const BUCKETS: [string, string][] = [["current", "Current"], ["1_30", "1–30 days"], ["31_60", "31–60 days"], ["61_90", "61–90 days"], ["over_90", "Over 90 days"]];

interface Statement {
  customer: string;
  currency: string;
  date_from: string;
  date_to: string;
  opening_balance: string;
  rows: { date: string; document: string; description: string; debit: string; credit: string; balance: string; currency?: string; amount_currency?: string }[];
  closing_balance: string;
  ageing: Record<string, string>;
}

export function StatementPage({ id }: { id: string }) {
  const info = CONTACTS.sales;
  const url = new URLSearchParams(useSearch());
  const [from, setFrom] = useState(url.get("date_from") ?? `${today().slice(0, 4)}-01-01`);
  const [to, setTo] = useState(url.get("date_to") ?? today());
  const [busy, setBusy] = useState(false);
  const contact = useQuery<Contact>(`${info.api}${id}/`);
  const period = qs({ date_from: from, date_to: to });
  const q = useQuery<Statement>(from && to ? `${info.api}${id}/statement/${period}` : null);
  const name = contact.data?.name ?? q.data?.customer ?? "";
  const download = async () => {
    setBusy(true);
    try {
      const blob = await fetchBlob(`${info.api}${id}/statement/pdf/${period}`);
      downloadBlob(blob, `statement-${(name || "customer").replace(/[^\w.-]+/g, "-")}-${to}.pdf`);
    } catch (e) {
      toastError(e);
    } finally {
      setBusy(false);
    }
  };
  if (contact.error && isMissing(contact.error)) {
    return (
      <Page title="Statement" crumbs={[info.module, [info.title, info.route], ["Not found"]]}>
        <p class="empty" id="api-missing">This customer was not found.</p>
      </Page>
    );
  }
  return (
    <Page
      title={name ? `Statement: ${name}` : "Statement"}
      crumbs={[info.module, [info.title, info.route], [name || "…", `${info.route}/${id}`], ["Statement"]]}
      actions={
        <>
          <button class="primary" id="statement-pdf" onClick={download} disabled={busy || !q.data}>Download PDF</button>
          <button onClick={() => window.print()}>Print</button>
        </>
      }
    >
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>From <input type="date" name="date_from" value={from} max={to || undefined} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} /></label>
        <label>To <input type="date" name="date_to" value={to} min={from || undefined} onInput={(e) => setTo((e.target as HTMLInputElement).value)} /></label>
      </form>
      {!from || !to ? <Empty>Choose the first and the last day of the period.</Empty> : (
        <Async q={q}>
          {(s) => (
            <>
              <p class="muted report-heading" id="statement-period">
                Statement for {s.customer}, {formatDate(s.date_from)} – {formatDate(s.date_to)} ({s.currency})
              </p>
              <div class="table-wrap">
                <table class="table report statement" id="statement">
                  <thead>
                    <tr><th>Date</th><th>Document</th><th class="hide-sm">Description</th><th class="num">Charges</th><th class="num">Payments</th><th class="num">Balance</th></tr>
                  </thead>
                  <tbody>
                    <tr class="opening">
                      <td>{formatDate(s.date_from)}</td><td /><td class="hide-sm">Opening balance</td><td /><td />
                      <td class="num" data-total="opening"><Money value={s.opening_balance} currency={s.currency} /></td>
                    </tr>
                    {s.rows.map((r, i) => (
                      <tr key={i} data-document={r.document}>
                        <td>{formatDate(r.date)}</td>
                        <td>{r.document}</td>
                        <td class="hide-sm">{r.description}{r.currency && r.currency !== s.currency && r.amount_currency && (
                          <span class="muted"> ({r.currency} <Money value={r.amount_currency} currency={r.currency} />)</span>
                        )}</td>
                        <td class="num"><Money value={r.debit} currency={s.currency} blankZero /></td>
                        <td class="num"><Money value={r.credit} currency={s.currency} blankZero /></td>
                        <td class="num"><Money value={r.balance} currency={s.currency} /></td>
                      </tr>
                    ))}
                  </tbody>
                  <tfoot>
                    <tr>
                      <td colSpan={2}><strong>Closing balance</strong></td><td class="hide-sm" /><td /><td />
                      <td class="num" data-total="closing"><strong><Money value={s.closing_balance} currency={s.currency} /></strong></td>
                    </tr>
                  </tfoot>
                </table>
              </div>
              {s.rows.length === 0 && <Empty>No charges or payments in this period.</Empty>}
              <dl class="facts ageing" id="statement-ageing" aria-label={`Ageing as of ${formatDate(s.date_to)}`}>
                <div><dt>Owed as of {formatDate(s.date_to)}, by days past due</dt><dd class="muted">{s.currency}</dd></div>
                {BUCKETS.map(([k, label]) => (
                  <div key={k}><dt>{label}</dt><dd data-bucket={k}><Money value={s.ageing?.[k]} currency={s.currency} /></dd></div>
                ))}
              </dl>
              <p class="muted hint"><Link href={`/sales/invoices?contact=${id}`}>The customer's invoices</Link></p>
            </>
          )}
        </Async>
      )}
    </Page>
  );
}
