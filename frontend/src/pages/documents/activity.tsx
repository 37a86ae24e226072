// What happened to a document after it was issued, under its page: the payments applied to it and
// the e-mails sent of it.
import { Link } from "wouter-preact";
import { isMissing, qs, type Page as PageT } from "../../api";
import { PAYMENTS_API, type Doc, type Payment } from "../../documents";
import { formatDate, formatDateTime } from "../../format";
import { useQuery } from "../../query";
import { Async, Empty, Money, StatusChip } from "../../ui";

/** The payments allocated to this document (the contact's payments, filtered here). */
export function DocPayments({ doc }: { doc: Doc }) {
  const q = useQuery<PageT<Payment>>(`${PAYMENTS_API}${qs({ contact: doc.contact, page_size: 200 })}`);
  if (q.error && isMissing(q.error)) return null;
  return (
    <section>
      <h2>Payments</h2>
      <Async q={q}>
        {(p) => {
          const mine = p.results
            .map((pay) => ({ pay, alloc: pay.allocations.filter((a) => a.document === doc.id) }))
            .filter((x) => x.alloc.length);
          if (!mine.length) return <Empty>No payments recorded against this document.</Empty>;
          return (
            <div class="table-wrap">
              <table class="table doc-payments">
                <thead><tr><th>Date</th><th>Reference</th><th>Status</th><th class="num">Payment</th><th class="num">Applied here</th><th>From</th><th>Exchange difference</th></tr></thead>
                <tbody>
                  {mine.map(({ pay, alloc }) => (
                    <tr key={pay.id}>
                      <td>{formatDate(pay.date)}</td>
                      <td><Link href={`/payments?contact=${pay.contact}`}>{pay.reference || "—"}</Link></td>
                      <td><StatusChip status={pay.status} /></td>
                      <td class="num"><Money value={pay.amount} currency={doc.currency} /></td>
                      <td class="num">{alloc.map((a) => <Money value={a.amount} currency={doc.currency} />)}</td>
                      <td title="Reports as of a date count the payment against this document from this date">
                        {alloc.map((a) => (a.date ? formatDate(a.date) : "—")).join(", ")}
                      </td>
                      <td>
                        {alloc.filter((a) => a.exchange_entry).map((a) => (
                          <Link class="exchange-entry" href={`/accounting/journal/${a.exchange_entry}`}>realised at {pay.exchange_rate}</Link>
                        ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </Async>
    </section>
  );
}

interface Delivery {
  id: string;
  to: string[];
  subject: string;
  reply_to: string;
  status: "sending" | "sent" | "failed";
  error: string;
  created_at: string;
  finished_at: string | null;
}

/** How each status of the log is shown: a chip colour, and words for one left `sending` (the server
 * stopped before the mail server answered). */
const DELIVERY_CHIP: Record<Delivery["status"], [string, string]> = {
  sent: ["paid", "sent"],
  failed: ["overdue", "failed"],
  sending: ["issued", "sending (outcome unknown if it stays so)"],
};

/** The document's message log, newest first: every e-mail of it, sent or not (hidden on a server
 * without it). */
export function Deliveries({ path }: { path: string }) {
  const q = useQuery<PageT<Delivery>>(path);
  if ((q.error && isMissing(q.error)) || !q.data?.results.length) return null;
  return (
    <section>
      <h2>E-mails</h2>
      <ul class="history deliveries">
        {q.data.results.map((r) => (
          <li key={r.id}>
            <time dateTime={r.created_at}>{formatDateTime(r.created_at)}</time> <StatusChip status={DELIVERY_CHIP[r.status]?.[0] ?? "draft"} label={DELIVERY_CHIP[r.status]?.[1] ?? r.status} />{" "}
            to {r.to.join(", ")} · {r.subject}{r.reply_to && <span class="muted"> · replies to {r.reply_to}</span>}{r.error && <span class="field-error">{r.error}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}
