// On an invoice's page: the sales orders and deliveries it is linked to (docs/sales.md).
import { Link } from "wouter-preact";
import { useQuery } from "../query";

interface SalesLink { kind: string; id: string; number: string }

export function InvoiceSalesLinks({ id }: { id: string }) {
  const q = useQuery<SalesLink[]>(`/api/sales/invoices/${id}/links/`);
  const links = q.data ?? [];
  if (!links.length) return null;
  const href = (l: SalesLink) => (l.kind === "order" ? `/sales/orders/${l.id}` : `/sales/deliveries/${l.id}`);
  return (
    <div id="invoice-sales-links">
      <dt>From</dt>
      <dd>{links.map((l, i) => <>{i > 0 && ", "}<Link href={href(l)} data-kind={l.kind}>{l.kind} {l.number}</Link></>)}</dd>
    </div>
  );
}
