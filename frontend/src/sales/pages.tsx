// The sales flow (docs/sales.md): quotes and sales orders (list, new, detail with the conversion
// buttons and what is left to deliver and invoice per line) and deliveries (list, detail,
// invoice, delivery note PDF).
import { useState } from "preact/hooks";
import { Link, useLocation } from "wouter-preact";
import { api, fetchBlob, qs, type Page as PageT } from "../api";
import { can, useAuth } from "../auth";
import { KINDS, useContacts, useItems, useTaxRates } from "../documents";
import { formatDate } from "../format";
import { invalidate, useQuery } from "../query";
import { Async, Dialog, Empty, FieldError, fieldErrors, FormErrors, Money, Page, Pager, StatusChip, toast, toastError, today } from "../ui";
import { useAccounts } from "../pages/accounts";
import "./sales.css";

const PAGE_SIZE = 25;
export const QUOTES_API = "/api/sales/quotes/";
export const ORDERS_API = "/api/sales/orders/";
export const DELIVERIES_API = "/api/sales/deliveries/";

export type SalesKind = "quote" | "order";
const KIND = {
  quote: { api: QUOTES_API, route: "/sales/quotes", title: "Quotes", one: "quote" },
  order: { api: ORDERS_API, route: "/sales/orders", title: "Sales orders", one: "sales order" },
} as const;

interface Link_ { kind: "quote" | "order" | "delivery" | "invoice"; id: string; number: string }
interface SalesLine {
  line: number; item: string | null; description: string; quantity: string; unit_price: string; discount_percent: string;
  tax_rate: string | null; net_amount: string; tax_amount: string; is_stock: boolean; delivered: string; invoiced: string;
  to_deliver: string; to_invoice: string;
}
interface SalesDoc {
  id: string; kind: SalesKind; status: string; expired: boolean; number: string; contact: string; contact_name: string;
  date: string; valid_until: string | null; currency: string; reference: string; notes: string; subtotal: string;
  tax_total: string; total: string; quote: string | null; lines: SalesLine[]; links: Link_[];
}
interface DeliveryLine { line: number; order_line: number | null; item: string; description: string; quantity: string; invoiced: string; to_invoice: string }
interface Delivery {
  id: string; number: string; contact: string; contact_name: string; date: string; order: string | null; invoice: string | null;
  notes: string; lines: DeliveryLine[]; links: Link_[];
}

function refresh() {
  invalidate(QUOTES_API, ORDERS_API, DELIVERIES_API, KINDS.invoice.api, "/api/inventory/", "/api/reports/");
}

const isZero = (v: string) => /^-?0*(\.0*)?$/.test(v);

function linkHref(l: Link_): string {
  switch (l.kind) {
    case "quote": return `/sales/quotes/${l.id}`;
    case "order": return `/sales/orders/${l.id}`;
    case "delivery": return `/sales/deliveries/${l.id}`;
    default: return `/sales/invoices/${l.id}`;
  }
}

function Links({ links }: { links: Link_[] }) {
  if (!links.length) return null;
  return (
    <p class="sales-links" id="sales-links">
      Linked: {links.map((l, i) => <>{i > 0 && ", "}<Link href={linkHref(l)} data-kind={l.kind}>{l.kind} {l.number}</Link></>)}
    </p>
  );
}

async function openPdf(path: string) {
  try {
    const blob = await fetchBlob(path);
    window.open(URL.createObjectURL(blob), "_blank");
  } catch (e) {
    toastError(e);
  }
}

export function SalesList({ kind }: { kind: SalesKind }) {
  const { user } = useAuth();
  const k = KIND[kind];
  const [filters, setFilters] = useState({ status: "", search: "" });
  const [page, setPage] = useState(1);
  const q = useQuery<PageT<SalesDoc>>(`${k.api}${qs({ ...filters, page, page_size: PAGE_SIZE })}`);
  const set = (name: string) => (e: Event) => {
    setFilters({ ...filters, [name]: (e.target as HTMLInputElement).value });
    setPage(1);
  };
  const statuses = kind === "quote" ? ["open", "converted", "declined"] : ["open", "partially_delivered", "delivered", "invoiced", "cancelled"];
  return (
    <Page title={k.title} crumbs={[["Sales", "/sales/invoices"], [k.title]]}
      actions={can(user, "documents.edit") && <Link href={`${k.route}/new`} class="button primary" id="new-sales-doc">New {k.one}</Link>}>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Status
          <select name="status" value={filters.status} onChange={set("status")}>
            <option value="">Any</option>
            {statuses.map((s) => <option value={s}>{s.replace(/_/g, " ")}</option>)}
          </select>
        </label>
        <label>Search <input type="search" name="search" value={filters.search} onInput={set("search")} placeholder="number, reference, customer" /></label>
      </form>
      <Async q={q} missing={k.title}>
        {(data) => data.results.length === 0 ? <Empty>No {k.title.toLowerCase()} yet.</Empty> : (
          <>
            <div class="table-wrap">
              <table class="table sales-list">
                <thead><tr><th>Number</th><th>Date</th><th>Customer</th>{kind === "quote" && <th class="hide-sm">Valid until</th>}<th>Status</th><th class="num">Total</th></tr></thead>
                <tbody>
                  {data.results.map((d) => (
                    <tr key={d.id} data-number={d.number}>
                      <td><Link href={`${k.route}/${d.id}`}>{d.number}</Link></td>
                      <td>{formatDate(d.date)}</td>
                      <td>{d.contact_name}</td>
                      {kind === "quote" && <td class="hide-sm">{formatDate(d.valid_until)}</td>}
                      <td><StatusChip status={d.expired ? "expired" : d.status} /></td>
                      <td class="num"><Money value={d.total} currency={d.currency} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager page={page} count={data.count} size={PAGE_SIZE} next={data.next} previous={data.previous} onPage={setPage} noun={k.title.toLowerCase()} />
          </>
        )}
      </Async>
    </Page>
  );
}

interface LineRow { item: string; description: string; quantity: string; unit_price: string; discount_percent: string; tax_rate: string; account: string }
const emptyRow = (): LineRow => ({ item: "", description: "", quantity: "1", unit_price: "", discount_percent: "", tax_rate: "", account: "" });

export function SalesEditor({ kind }: { kind: SalesKind }) {
  const k = KIND[kind];
  const [, go] = useLocation();
  const customers = useContacts("sales").data?.results ?? [];
  const items = useItems().data?.results ?? [];
  const rates = useTaxRates().data?.results ?? [];
  const accounts = (useAccounts().data?.results ?? []).filter((a) => a.type === "revenue");
  const [head, setHead] = useState({ contact: "", date: today(), valid_until: "", reference: "", notes: "" });
  const [rows, setRows] = useState<LineRow[]>([emptyRow()]);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const setH = (name: string) => (e: Event) => setHead({ ...head, [name]: (e.target as HTMLInputElement).value });
  const setRow = (i: number, name: keyof LineRow) => (e: Event) => {
    const next = rows.slice();
    next[i] = { ...next[i], [name]: (e.target as HTMLInputElement).value };
    setRows(next);
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const opt = (v: string) => (v.trim() === "" ? undefined : v.trim());
    const body = {
      contact: opt(head.contact), date: opt(head.date), valid_until: kind === "quote" ? opt(head.valid_until) : undefined,
      reference: head.reference, notes: head.notes,
      lines: rows.map((r) => ({
        item: opt(r.item), description: r.description, quantity: opt(r.quantity), unit_price: opt(r.unit_price),
        discount_percent: opt(r.discount_percent), tax_rate: opt(r.tax_rate), account: opt(r.account),
      })),
    };
    try {
      const made = await api<SalesDoc>("POST", k.api, { body });
      refresh();
      toast(`${made.number} saved`);
      go(`${k.route}/${made.id}`);
    } catch (err) {
      setErrors(fieldErrors(err));
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page title={`New ${k.one}`} crumbs={[["Sales", "/sales/invoices"], [k.title, k.route], ["New"]]}>
      <form class="form sales-editor" onSubmit={save} id="sales-editor">
        <div class="grid-form doc-head">
          <label>Customer
            <select name="contact" value={head.contact} onChange={setH("contact")}>
              <option value="">Choose…</option>
              {customers.map((c) => <option value={c.id}>{c.name}</option>)}
            </select>
            <FieldError errors={errors} name="contact" />
          </label>
          <label>Date <input type="date" name="date" value={head.date} onInput={setH("date")} /><FieldError errors={errors} name="date" /></label>
          {kind === "quote" && <label>Valid until <input type="date" name="valid_until" value={head.valid_until} onInput={setH("valid_until")} /><FieldError errors={errors} name="valid_until" /></label>}
          <label>Reference <input name="reference" value={head.reference} onInput={setH("reference")} /></label>
        </div>
        <div class="table-wrap">
          <table class="table lines sales-editor-lines">
            <thead><tr><th>Item</th><th>Description</th><th class="num">Quantity</th><th class="num">Unit price</th><th class="num">Discount %</th><th>Tax</th><th>Account</th><th /></tr></thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={i}>
                  <td>
                    <select name={`lines[${i}].item`} value={r.item} onChange={setRow(i, "item")}>
                      <option value="">—</option>
                      {items.map((it) => <option value={it.id}>{it.code} {it.name}</option>)}
                    </select>
                    <FieldError errors={errors} name={`lines[${i}].item`} />
                  </td>
                  <td><input name={`lines[${i}].description`} value={r.description} onInput={setRow(i, "description")} placeholder="from the item" /><FieldError errors={errors} name={`lines[${i}].description`} /></td>
                  <td><input name={`lines[${i}].quantity`} class="num" value={r.quantity} onInput={setRow(i, "quantity")} /><FieldError errors={errors} name={`lines[${i}].quantity`} /></td>
                  <td><input name={`lines[${i}].unit_price`} class="num" value={r.unit_price} onInput={setRow(i, "unit_price")} placeholder="from the item" /><FieldError errors={errors} name={`lines[${i}].unit_price`} /></td>
                  <td><input name={`lines[${i}].discount_percent`} class="num" value={r.discount_percent} onInput={setRow(i, "discount_percent")} /><FieldError errors={errors} name={`lines[${i}].discount_percent`} /></td>
                  <td>
                    <select name={`lines[${i}].tax_rate`} value={r.tax_rate} onChange={setRow(i, "tax_rate")}>
                      <option value="">{r.item ? "from the item" : "none"}</option>
                      {rates.map((t) => <option value={t.id}>{t.name}</option>)}
                    </select>
                  </td>
                  <td>
                    <select name={`lines[${i}].account`} value={r.account} onChange={setRow(i, "account")}>
                      <option value="">{r.item ? "from the item" : "choose…"}</option>
                      {accounts.map((a) => <option value={a.id}>{a.code} {a.name}</option>)}
                    </select>
                    <FieldError errors={errors} name={`lines[${i}].account`} />
                  </td>
                  <td>{rows.length > 1 && <button type="button" class="link danger-link" onClick={() => setRows(rows.filter((_, j) => j !== i))}>Remove</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p><button type="button" class="link" id="add-line" onClick={() => setRows([...rows, emptyRow()])}>Add a line</button></p>
        <label>Notes <textarea name="notes" value={head.notes} onInput={setH("notes")} /></label>
        <FormErrors errors={errors} shown={["contact", "date", "valid_until", "lines"]} />
        <p class="actions"><button class="primary" type="submit" disabled={busy} id="save-sales-doc">Save {k.one}</button></p>
      </form>
    </Page>
  );
}

/** Quantities per order line, typed in a dialog (deliver, invoice). */
function PickDialog({ title, doc, field, extra, onClose, submit }: {
  title: string; doc: SalesDoc; field: "to_deliver" | "to_invoice"; extra?: (set: (v: string) => void) => preact.ComponentChildren;
  onClose: () => void; submit: (lines: { line: number; quantity: string }[], extra: string) => Promise<void>;
}) {
  const open = doc.lines.filter((l) => !isZero(l[field]));
  const [qty, setQty] = useState<Record<number, string>>(Object.fromEntries(open.map((l) => [l.line, l[field]])));
  const [more, setMore] = useState("");
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const picked = open.filter((l) => (qty[l.line] ?? "").trim() !== "" && !isZero(qty[l.line]));
  const go = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await submit(picked.map((l) => ({ line: l.line, quantity: qty[l.line].trim() })), more);
      onClose();
    } catch (err) {
      setErrors(fieldErrors(err));
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={title} onClose={onClose} id="pick-dialog">
      <form onSubmit={go} class="form">
        {extra?.(setMore)}
        <table class="table">
          <thead><tr><th>Line</th><th>Description</th><th class="num">Left</th><th class="num">Now</th></tr></thead>
          <tbody>
            {open.map((l) => {
              const i = picked.findIndex((p) => p.line === l.line);
              return (
                <tr key={l.line}>
                  <td>{l.line}</td><td>{l.description}</td><td class="num">{l[field]}</td>
                  <td>
                    <input class="num" name={`qty-${l.line}`} value={qty[l.line] ?? ""} onInput={(e) => setQty({ ...qty, [l.line]: (e.target as HTMLInputElement).value })} />
                    {i >= 0 && <FieldError errors={errors} name={`lines[${i}].quantity`} />}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <FormErrors errors={errors} shown={picked.map((_, i) => `lines[${i}].quantity`)} />
        <p class="actions"><button class="primary" type="submit" disabled={busy || picked.length === 0} id="pick-submit">{title}</button></p>
      </form>
    </Dialog>
  );
}

export function SalesView({ kind, id }: { kind: SalesKind; id: string }) {
  const { user } = useAuth();
  const k = KIND[kind];
  const [, go] = useLocation();
  const q = useQuery<SalesDoc>(`${k.api}${id}/`);
  const warehouses = useQuery<PageT<{ id: string; code: string; name: string }>>(kind === "order" ? "/api/inventory/warehouses/?page_size=100" : null);
  const [dialog, setDialog] = useState<"" | "deliver" | "invoice">("");
  const edit = can(user, "documents.edit");
  const issue = can(user, "documents.issue");
  const action = async (path: string, body: unknown, done: (r: any) => void) => {
    const r = await api("POST", `${k.api}${id}/${path}/`, { body });
    refresh();
    done(r);
  };
  const simple = (path: string, label: string, then?: (r: any) => void) => async () => {
    try {
      await action(path, {}, (r) => {
        toast(label);
        then?.(r);
      });
    } catch (e) {
      toastError(e);
    }
  };
  return (
    <Async q={q} missing={k.title}>
      {(d) => (
        <Page title={`${kind === "quote" ? "Quote" : "Sales order"} ${d.number}`} crumbs={[["Sales", "/sales/invoices"], [k.title, k.route], [d.number]]}
          actions={<>
            {kind === "quote" && <button class="link" id="quote-pdf" onClick={() => openPdf(`${k.api}${id}/pdf/`)}>PDF</button>}
            {kind === "quote" && edit && d.status === "open" && !d.expired &&
              <button class="primary" id="convert-quote" onClick={simple("convert", "Converted to an order", (o) => go(`/sales/orders/${o.id}`))}>Convert to order</button>}
            {kind === "quote" && edit && d.status === "open" && <button id="decline-quote" onClick={simple("decline", "Quote declined")}>Decline</button>}
            {kind === "order" && edit && d.status !== "cancelled" && d.lines.some((l) => l.is_stock && !isZero(l.to_deliver)) &&
              <button class="primary" id="deliver-order" onClick={() => setDialog("deliver")}>Deliver</button>}
            {kind === "order" && issue && d.status !== "cancelled" && d.lines.some((l) => !isZero(l.to_invoice)) &&
              <button id="invoice-order" onClick={() => setDialog("invoice")}>Invoice</button>}
            {kind === "order" && edit && d.status === "open" && d.lines.every((l) => isZero(l.delivered) && isZero(l.invoiced)) &&
              <button class="link danger-link" id="cancel-order" onClick={simple("cancel", "Order cancelled")}>Cancel order</button>}
          </>}>
          <dl class="facts">
            <div><dt>Status</dt><dd><StatusChip status={d.expired ? "expired" : d.status} id="sales-status" /></dd></div>
            <div><dt>Customer</dt><dd>{d.contact_name}</dd></div>
            <div><dt>Date</dt><dd>{formatDate(d.date)}</dd></div>
            {d.valid_until && <div><dt>Valid until</dt><dd>{formatDate(d.valid_until)}</dd></div>}
            {d.reference && <div><dt>Reference</dt><dd>{d.reference}</dd></div>}
            <div><dt>Total</dt><dd><Money value={d.total} currency={d.currency} /> {d.currency}</dd></div>
          </dl>
          {d.expired && <p class="notice" id="quote-expired">This quote expired on {formatDate(d.valid_until)}: it can no longer be converted.</p>}
          <Links links={d.links} />
          <div class="table-wrap">
            <table class="table sales-lines" id="sales-lines">
              <thead><tr><th>#</th><th>Description</th><th class="num">Quantity</th><th class="num">Unit price</th><th class="num">Discount</th><th class="num">Net</th><th class="num">Tax</th>
                {kind === "order" && <><th class="num">Delivered</th><th class="num">To deliver</th><th class="num">Invoiced</th><th class="num">To invoice</th></>}</tr></thead>
              <tbody>
                {d.lines.map((l) => (
                  <tr key={l.line} data-line={l.line}>
                    <td>{l.line}</td><td>{l.description}</td><td class="num">{l.quantity}</td>
                    <td class="num"><Money value={l.unit_price} currency={d.currency} /></td>
                    <td class="num">{isZero(l.discount_percent) ? "" : `${l.discount_percent}%`}</td>
                    <td class="num"><Money value={l.net_amount} currency={d.currency} /></td>
                    <td class="num"><Money value={l.tax_amount} currency={d.currency} /></td>
                    {kind === "order" && <>
                      <td class="num delivered">{l.is_stock ? l.delivered : "—"}</td>
                      <td class="num to-deliver">{l.is_stock ? l.to_deliver : "—"}</td>
                      <td class="num invoiced">{l.invoiced}</td>
                      <td class="num to-invoice">{l.to_invoice}</td>
                    </>}
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr><td colSpan={5}>Subtotal</td><td class="num"><Money value={d.subtotal} currency={d.currency} /></td><td class="num"><Money value={d.tax_total} currency={d.currency} /></td></tr>
                <tr><td colSpan={5}><strong>Total</strong></td><td class="num" colSpan={2} id="sales-total"><strong><Money value={d.total} currency={d.currency} /></strong></td></tr>
              </tfoot>
            </table>
          </div>
          {d.notes && <p class="notes">{d.notes}</p>}
          {dialog === "deliver" && (
            <PickDialog title="Deliver" doc={{ ...d, lines: d.lines.filter((l) => l.is_stock) }} field="to_deliver" onClose={() => setDialog("")}
              extra={(set) => (
                <label>Warehouse
                  <select name="warehouse" onChange={(e) => set((e.target as HTMLSelectElement).value)}>
                    <option value="">The company's default</option>
                    {(warehouses.data?.results ?? []).map((w) => <option value={w.id}>{w.code} {w.name}</option>)}
                  </select>
                </label>
              )}
              submit={(lines, warehouse) => action("deliver", { lines, warehouse: warehouse || undefined }, (r) => toast(`Delivery ${r.number} made`))} />
          )}
          {dialog === "invoice" && (
            <PickDialog title="Invoice" doc={d} field="to_invoice" onClose={() => setDialog("")}
              submit={(lines) => action("invoice", { lines }, (r) => {
                toast(`Invoice ${r.number} issued`);
                go(`/sales/invoices/${r.id}`);
              })} />
          )}
        </Page>
      )}
    </Async>
  );
}

export function DeliveryList() {
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const q = useQuery<PageT<Delivery>>(`${DELIVERIES_API}${qs({ search, page, page_size: PAGE_SIZE })}`);
  return (
    <Page title="Deliveries" crumbs={[["Sales", "/sales/invoices"], ["Deliveries"]]}>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Search <input type="search" name="search" value={search} onInput={(e) => (setSearch((e.target as HTMLInputElement).value), setPage(1))} placeholder="number, customer" /></label>
      </form>
      <Async q={q} missing="Deliveries">
        {(data) => data.results.length === 0 ? <Empty>No deliveries yet. Deliver from a sales order, or issue an invoice of a stock item.</Empty> : (
          <>
            <div class="table-wrap">
              <table class="table delivery-list">
                <thead><tr><th>Number</th><th>Date</th><th>Customer</th><th>From</th></tr></thead>
                <tbody>
                  {data.results.map((d) => (
                    <tr key={d.id} data-number={d.number}>
                      <td><Link href={`/sales/deliveries/${d.id}`}>{d.number}</Link></td>
                      <td>{formatDate(d.date)}</td>
                      <td>{d.contact_name}</td>
                      <td>{d.order ? "order" : d.invoice ? "invoice" : ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager page={page} count={data.count} size={PAGE_SIZE} next={data.next} previous={data.previous} onPage={setPage} noun="deliveries" />
          </>
        )}
      </Async>
    </Page>
  );
}

export function DeliveryView({ id }: { id: string }) {
  const { user } = useAuth();
  const [, go] = useLocation();
  const q = useQuery<Delivery>(`${DELIVERIES_API}${id}/`);
  const invoice = async () => {
    try {
      const r = await api<{ id: string; number: string }>("POST", `${DELIVERIES_API}${id}/invoice/`, { body: {} });
      refresh();
      toast(`Invoice ${r.number} issued`);
      go(`/sales/invoices/${r.id}`);
    } catch (e) {
      toastError(e);
    }
  };
  return (
    <Async q={q} missing="Deliveries">
      {(d) => (
        <Page title={`Delivery ${d.number}`} crumbs={[["Sales", "/sales/invoices"], ["Deliveries", "/sales/deliveries"], [d.number]]}
          actions={<>
            <button class="link" id="delivery-pdf" onClick={() => openPdf(`${DELIVERIES_API}${id}/pdf/`)}>Delivery note (PDF)</button>
            {can(user, "documents.issue") && d.order && !d.invoice && d.lines.some((l) => !isZero(l.to_invoice)) &&
              <button class="primary" id="invoice-delivery" onClick={invoice}>Invoice</button>}
          </>}>
          <dl class="facts">
            <div><dt>Customer</dt><dd>{d.contact_name}</dd></div>
            <div><dt>Date</dt><dd>{formatDate(d.date)}</dd></div>
          </dl>
          <Links links={d.links} />
          <div class="table-wrap">
            <table class="table" id="delivery-lines">
              <thead><tr><th>#</th><th>Order line</th><th>Description</th><th class="num">Quantity</th><th class="num">Invoiced</th><th class="num">To invoice</th></tr></thead>
              <tbody>
                {d.lines.map((l) => (
                  <tr key={l.line}>
                    <td>{l.line}</td><td>{l.order_line ?? ""}</td><td>{l.description}</td>
                    <td class="num">{l.quantity}</td><td class="num">{l.invoiced}</td><td class="num">{l.to_invoice}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {d.notes && <p class="notes">{d.notes}</p>}
        </Page>
      )}
    </Async>
  );
}
