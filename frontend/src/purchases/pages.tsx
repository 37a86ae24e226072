// The purchase flow's pages: purchase orders (list, new, one order with its receive / bill /
// close / cancel buttons and each line's remaining quantities), receipts (list, one receipt with
// its Bill button) and a bill's three-way match with the landed-cost form.
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { navigate } from "wouter-preact/use-browser-location";
import { api, qs, type Page as PageT } from "../api";
import { can, useAuth } from "../auth";
import { useContacts, useItems } from "../documents";
import { formatDate } from "../format";
import { invalidate, useQuery } from "../query";
import { Async, Dialog, Empty, fieldErrors, FormErrors, Money, Page, Pager, StatusChip, toast, toastError, today } from "../ui";
import { useAccounts } from "../pages/accounts";
import { billMatchApi, landedApi, ORDERS_API, positive, RECEIPTS_API, type Match, type Order, type Receipt } from "./api";

const PAGE_SIZE = 25;
const STATUSES = ["draft", "confirmed", "partially_received", "received", "billed", "closed", "cancelled"];

function refresh() {
  invalidate(ORDERS_API, RECEIPTS_API, "/api/purchase/bills/", "/api/reports/", "/api/inventory/", "/api/accounting/journal-entries/");
}

function Errors({ errors }: { errors: Record<string, string[]> }) {
  return <FormErrors errors={errors} shown={[]} />;
}

// ---- orders -----------------------------------------------------------------------------------
export function PurchaseOrders() {
  const { user, company } = useAuth();
  const [status, setStatus] = useState("");
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const q = useQuery<PageT<Order>>(`${ORDERS_API}${qs({ status, search, page, page_size: PAGE_SIZE })}`);
  const editor = can(user, "documents.edit");
  const reorder = async () => {
    try {
      const r = await api<{ orders: Order[]; skipped: { name: string }[] }>("POST", `${ORDERS_API}from-reorder/`, { body: {} });
      refresh();
      toast(`${r.orders.length} draft order(s) made${r.skipped.length ? `; no vendor for ${r.skipped.map((s) => s.name).join(", ")}` : ""}`);
      setErrors({});
    } catch (e) {
      setErrors(fieldErrors(e));
      toastError(e);
    }
  };
  return (
    <Page
      title="Purchase orders"
      crumbs={[["Purchases", "/purchases/orders"], ["Purchase orders"]]}
      actions={editor && (
        <>
          <button onClick={reorder} id="po-from-reorder">Draft from reorder list</button>
          <Link href="/purchases/orders/new" class="button primary">New purchase order</Link>
        </>
      )}
    >
      <Errors errors={errors} />
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Status
          <select name="status" value={status} onChange={(e) => (setStatus((e.target as HTMLSelectElement).value), setPage(1))}>
            <option value="">Any</option>
            {STATUSES.map((s) => <option value={s}>{s.replace(/_/g, " ")}</option>)}
          </select>
        </label>
        <label>Search <input type="search" name="search" value={search} onInput={(e) => (setSearch((e.target as HTMLInputElement).value), setPage(1))} placeholder="number, reference, vendor" /></label>
      </form>
      <Async q={q} missing="Purchase orders">
        {(data) => data.results.length === 0 ? <Empty>No purchase orders yet.</Empty> : (
          <>
            <div class="table-wrap">
              <table class="table po-list">
                <thead><tr><th>Number</th><th>Date</th><th>Vendor</th><th class="hide-sm">Reference</th><th>Status</th><th class="num">Total</th></tr></thead>
                <tbody>
                  {data.results.map((o) => (
                    <tr key={o.id} data-number={o.number}>
                      <td><Link href={`/purchases/orders/${o.id}`}>{o.number}</Link></td>
                      <td>{formatDate(o.order_date)}</td>
                      <td>{o.vendor_name}</td>
                      <td class="hide-sm">{o.reference}</td>
                      <td><StatusChip status={o.status} /></td>
                      <td class="num"><Money value={o.total} currency={company?.currency ?? o.currency} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager page={page} count={data.count} size={PAGE_SIZE} next={data.next} previous={data.previous} onPage={setPage} noun="orders" />
          </>
        )}
      </Async>
    </Page>
  );
}

interface DraftLine { item: string; description: string; quantity: string; unit_price: string }

export function PurchaseOrderNew() {
  const vendors = useContacts("purchase").data?.results ?? [];
  const items = useItems().data?.results ?? [];
  const [vendor, setVendor] = useState("");
  const [date, setDate] = useState(today());
  const [expected, setExpected] = useState("");
  const [reference, setReference] = useState("");
  const [lines, setLines] = useState<DraftLine[]>([{ item: "", description: "", quantity: "1", unit_price: "" }]);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const setLine = (i: number, k: keyof DraftLine, v: string) => setLines(lines.map((l, j) => (j === i ? { ...l, [k]: v } : l)));
  const save = async (confirm: boolean) => {
    try {
      const body = {
        vendor: vendor || null, order_date: date, expected_date: expected || null, reference, confirm,
        lines: lines.map((l) => ({ item: l.item || null, description: l.description, quantity: l.quantity, unit_price: l.unit_price || null })),
      };
      const o = await api<Order>("POST", ORDERS_API, { body });
      refresh();
      toast(`${o.number} saved`);
      navigate(`/purchases/orders/${o.id}`);
    } catch (e) {
      setErrors(fieldErrors(e));
      toastError(e);
    }
  };
  const err = (k: string) => errors[k]?.map((m) => <span class="field-error">{m}</span>);
  return (
    <Page title="New purchase order" crumbs={[["Purchases", "/purchases/orders"], ["Purchase orders", "/purchases/orders"], ["New"]]}>
      <form class="form" id="po-form" onSubmit={(e) => (e.preventDefault(), save(false))}>
        <label>Vendor
          <select name="vendor" value={vendor} onChange={(e) => setVendor((e.target as HTMLSelectElement).value)}>
            <option value="">Choose…</option>
            {vendors.map((v) => <option value={v.id}>{v.name}</option>)}
          </select>{err("vendor")}
        </label>
        <label>Order date <input type="date" name="order_date" value={date} onInput={(e) => setDate((e.target as HTMLInputElement).value)} />{err("order_date")}</label>
        <label>Expected <input type="date" name="expected_date" value={expected} onInput={(e) => setExpected((e.target as HTMLInputElement).value)} /></label>
        <label>Reference <input name="reference" value={reference} onInput={(e) => setReference((e.target as HTMLInputElement).value)} /></label>
        <table class="table po-lines">
          <thead><tr><th>Item</th><th>Description</th><th class="num">Quantity</th><th class="num">Unit price</th><th /></tr></thead>
          <tbody>
            {lines.map((l, i) => (
              <tr key={i}>
                <td>
                  <select name={`lines[${i}].item`} value={l.item} onChange={(e) => setLine(i, "item", (e.target as HTMLSelectElement).value)}>
                    <option value="">—</option>
                    {items.map((it) => <option value={it.id}>{it.code} {it.name}</option>)}
                  </select>{err(`lines[${i}].item`)}
                </td>
                <td><input name={`lines[${i}].description`} value={l.description} onInput={(e) => setLine(i, "description", (e.target as HTMLInputElement).value)} />{err(`lines[${i}].description`)}{err(`lines[${i}].account`)}</td>
                <td class="num"><input name={`lines[${i}].quantity`} inputMode="decimal" value={l.quantity} onInput={(e) => setLine(i, "quantity", (e.target as HTMLInputElement).value)} />{err(`lines[${i}].quantity`)}</td>
                <td class="num"><input name={`lines[${i}].unit_price`} inputMode="decimal" placeholder="item's price" value={l.unit_price} onInput={(e) => setLine(i, "unit_price", (e.target as HTMLInputElement).value)} />{err(`lines[${i}].unit_price`)}</td>
                <td><button type="button" class="link" onClick={() => setLines(lines.filter((_, j) => j !== i))} disabled={lines.length === 1}>Remove</button></td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" onClick={() => setLines([...lines, { item: "", description: "", quantity: "1", unit_price: "" }])}>Add line</button>
        <FormErrors errors={errors} shown={["vendor", "order_date", "lines"]} />
        <div class="form-actions">
          <button type="submit">Save draft</button>
          <button type="button" class="primary" id="po-save-confirm" onClick={() => save(true)}>Save and confirm</button>
        </div>
      </form>
    </Page>
  );
}

function ReceiveDialog({ order, onClose }: { order: Order; onClose: () => void }) {
  const [date, setDate] = useState(today());
  const [qty, setQty] = useState<Record<number, string>>(Object.fromEntries(order.lines.map((l) => [l.line, l.remaining_to_receive])));
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const open = order.lines.filter((l) => positive(l.remaining_to_receive));
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const lines = open.filter((l) => positive(qty[l.line] ?? "")).map((l) => ({ order_line: l.line, quantity: qty[l.line] }));
      const r = await api<Receipt>("POST", `${ORDERS_API}${order.id}/receive/`, { body: { date, lines } });
      refresh();
      toast(`${r.number} received`);
      onClose();
    } catch (err) {
      setErrors(fieldErrors(err));
    }
  };
  return (
    <Dialog title={`Receive goods on ${order.number}`} onClose={onClose} id="receive-dialog">
      <form class="form" onSubmit={submit}>
        <label>Date <input type="date" name="date" value={date} onInput={(e) => setDate((e.target as HTMLInputElement).value)} /></label>
        <table class="table">
          <thead><tr><th>Line</th><th class="num">Remaining</th><th class="num">Receive now</th></tr></thead>
          <tbody>
            {open.map((l, i) => (
              <tr key={l.line}>
                <td>{l.line}. {l.description}</td>
                <td class="num">{l.remaining_to_receive}</td>
                <td class="num">
                  <input name={`receive-${l.line}`} inputMode="decimal" value={qty[l.line]} onInput={(e) => setQty({ ...qty, [l.line]: (e.target as HTMLInputElement).value })} />
                  {errors[`lines[${i}].quantity`]?.map((m) => <span class="field-error">{m}</span>)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <FormErrors errors={errors} shown={["lines["]} />
        <div class="form-actions"><button type="submit" class="primary">Receive</button></div>
      </form>
    </Dialog>
  );
}

function BillDialog({ title, path, lines, onClose }: {
  title: string; path: string; lines: { line: number; description: string; left: string; price: string }[]; onClose: () => void;
}) {
  const [date, setDate] = useState(today());
  const [reference, setReference] = useState("");
  const [rows, setRows] = useState(lines.map((l) => ({ ...l, quantity: l.left, unit_price: l.price })));
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const body = {
        issue_date: date, reference: reference || null,
        lines: rows.filter((r) => positive(r.quantity)).map((r) => ({ line: r.line, quantity: r.quantity, unit_price: r.unit_price })),
      };
      const m = await api<Match>("POST", path, { body });
      refresh();
      toast(`Bill ${m.number ?? ""} issued`);
      navigate(`/purchases/bills/${m.bill}/match`);
    } catch (err) {
      setErrors(fieldErrors(err));
    }
  };
  return (
    <Dialog title={title} onClose={onClose} id="bill-dialog">
      <form class="form" onSubmit={submit}>
        <label>Bill date <input type="date" name="issue_date" value={date} onInput={(e) => setDate((e.target as HTMLInputElement).value)} /></label>
        <label>Vendor's bill number <input name="reference" value={reference} onInput={(e) => setReference((e.target as HTMLInputElement).value)} /></label>
        <table class="table">
          <thead><tr><th>Line</th><th class="num">To bill</th><th class="num">Quantity</th><th class="num">Vendor's unit price</th></tr></thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={r.line}>
                <td>{r.line}. {r.description}</td>
                <td class="num">{r.left}</td>
                <td class="num"><input name={`bill-qty-${r.line}`} inputMode="decimal" value={r.quantity} onInput={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, quantity: (e.target as HTMLInputElement).value } : x)))} /></td>
                <td class="num"><input name={`bill-price-${r.line}`} inputMode="decimal" value={r.unit_price} onInput={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, unit_price: (e.target as HTMLInputElement).value } : x)))} /></td>
              </tr>
            ))}
          </tbody>
        </table>
        <FormErrors errors={errors} shown={[]} />
        <div class="form-actions"><button type="submit" class="primary">Issue bill</button></div>
      </form>
    </Dialog>
  );
}

export function PurchaseOrderView({ id }: { id: string }) {
  const { user } = useAuth();
  const q = useQuery<Order>(`${ORDERS_API}${id}/`);
  const [dialog, setDialog] = useState<"" | "receive" | "bill">("");
  const editor = can(user, "documents.edit");
  const issuer = can(user, "documents.issue");
  const act = async (verb: string, question?: string) => {
    if (question && !window.confirm(question)) return;
    try {
      if (verb === "delete") {
        await api("DELETE", `${ORDERS_API}${id}/`);
        refresh();
        navigate("/purchases/orders");
        return;
      }
      await api("POST", `${ORDERS_API}${id}/${verb}/`, { body: {} });
      refresh();
      toast(`Order ${verb === "confirm" ? "confirmed" : verb === "close" ? "closed" : "cancelled"}`);
    } catch (e) {
      toastError(e);
    }
  };
  return (
    <Async q={q} missing="Purchase orders">
      {(o) => {
        const receivable = ["confirmed", "partially_received"].includes(o.status) && o.lines.some((l) => positive(l.remaining_to_receive));
        const billable = o.lines.some((l) => positive(l.remaining_to_bill)) && !["draft", "cancelled"].includes(o.status);
        return (
          <Page
            title={`Purchase order ${o.number}`}
            crumbs={[["Purchases", "/purchases/orders"], ["Purchase orders", "/purchases/orders"], [o.number]]}
            actions={
              <>
                {editor && o.status === "draft" && <button class="primary" onClick={() => act("confirm")}>Confirm</button>}
                {editor && receivable && <button class="primary" id="po-receive" onClick={() => setDialog("receive")}>Receive</button>}
                {issuer && billable && <button id="po-bill" onClick={() => setDialog("bill")}>Bill received goods</button>}
                {editor && ["confirmed", "partially_received", "received", "billed"].includes(o.status) && <button onClick={() => act("close", "Close this order? Nothing more will be received on it.")}>Close</button>}
                {editor && ["draft", "confirmed"].includes(o.status) && <button class="danger" onClick={() => act("cancel", "Cancel this order?")}>Cancel order</button>}
                {editor && o.status === "draft" && <button class="danger" onClick={() => act("delete", "Delete this draft?")}>Delete</button>}
              </>
            }
          >
            {dialog === "receive" && <ReceiveDialog order={o} onClose={() => setDialog("")} />}
            {dialog === "bill" && (
              <BillDialog
                title={`Bill received goods of ${o.number}`}
                path={`${ORDERS_API}${o.id}/bill/`}
                lines={o.lines.filter((l) => positive(l.remaining_to_bill)).map((l) => ({ line: l.line, description: l.description, left: l.remaining_to_bill, price: l.unit_price }))}
                onClose={() => setDialog("")}
              />
            )}
            <dl class="facts">
              <dt>Status</dt><dd><StatusChip status={o.status} id="po-status" /></dd>
              <dt>Vendor</dt><dd><Link href={`/purchases/vendors/${o.vendor}`}>{o.vendor_name}</Link></dd>
              <dt>Order date</dt><dd>{formatDate(o.order_date)}</dd>
              {o.expected_date && <><dt>Expected</dt><dd>{formatDate(o.expected_date)}</dd></>}
              {o.reference && <><dt>Reference</dt><dd>{o.reference}</dd></>}
              <dt>Total</dt><dd><Money value={o.total} currency={o.currency} /></dd>
            </dl>
            <div class="table-wrap">
              <table class="table po-lines" id="po-lines">
                <thead><tr><th>#</th><th>Description</th><th class="num">Ordered</th><th class="num">Unit price</th><th class="num">Net</th><th class="num">Received</th><th class="num">Billed</th><th class="num">To receive</th><th class="num">To bill</th></tr></thead>
                <tbody>
                  {o.lines.map((l) => (
                    <tr key={l.line} data-line={l.line}>
                      <td>{l.line}</td><td>{l.description}</td><td class="num">{l.quantity}</td>
                      <td class="num"><Money value={l.unit_price} currency={o.currency} /></td>
                      <td class="num"><Money value={l.net_amount} currency={o.currency} /></td>
                      <td class="num">{l.received}</td><td class="num">{l.billed}</td>
                      <td class="num remaining-receive">{l.remaining_to_receive}</td><td class="num remaining-bill">{l.remaining_to_bill}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <h2>Receipts</h2>
            {o.receipts.length === 0 ? <Empty>Nothing received yet.</Empty> : (
              <ul class="plain" id="po-receipts">
                {o.receipts.map((r) => <li key={r.id}><Link href={`/purchases/receipts/${r.id}`}>{r.number}</Link> · {formatDate(r.date)} · <Money value={r.value} currency={o.currency} /></li>)}
              </ul>
            )}
            <h2>Bills</h2>
            {o.bills.length === 0 ? <Empty>Not billed yet.</Empty> : (
              <ul class="plain" id="po-bills">
                {o.bills.map((b) => <li key={b}><Link href={`/purchases/bills/${b}`}>Bill</Link> · <Link href={`/purchases/bills/${b}/match`}>three-way match</Link></li>)}
              </ul>
            )}
          </Page>
        );
      }}
    </Async>
  );
}

// ---- receipts ---------------------------------------------------------------------------------
export function Receipts() {
  const { company } = useAuth();
  const [page, setPage] = useState(1);
  const [search, setSearch] = useState("");
  const q = useQuery<PageT<Receipt>>(`${RECEIPTS_API}${qs({ search, page, page_size: PAGE_SIZE })}`);
  return (
    <Page title="Receipts" crumbs={[["Purchases", "/purchases/orders"], ["Receipts"]]}>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Search <input type="search" name="search" value={search} onInput={(e) => (setSearch((e.target as HTMLInputElement).value), setPage(1))} placeholder="number, order, vendor" /></label>
      </form>
      <Async q={q} missing="Receipts">
        {(data) => data.results.length === 0 ? <Empty>No goods received yet. Receive them from a confirmed purchase order.</Empty> : (
          <>
            <div class="table-wrap">
              <table class="table">
                <thead><tr><th>Number</th><th>Date</th><th>Order</th><th>Vendor</th><th class="num">Value</th></tr></thead>
                <tbody>
                  {data.results.map((r) => (
                    <tr key={r.id}>
                      <td><Link href={`/purchases/receipts/${r.id}`}>{r.number}</Link></td>
                      <td>{formatDate(r.date)}</td>
                      <td><Link href={`/purchases/orders/${r.order}`}>{r.order_number}</Link></td>
                      <td>{r.vendor_name}</td>
                      <td class="num"><Money value={r.value} currency={company?.currency ?? "USD"} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager page={page} count={data.count} size={PAGE_SIZE} next={data.next} previous={data.previous} onPage={setPage} noun="receipts" />
          </>
        )}
      </Async>
    </Page>
  );
}

export function ReceiptView({ id }: { id: string }) {
  const { user, company } = useAuth();
  const currency = company?.currency ?? "USD";
  const q = useQuery<Receipt>(`${RECEIPTS_API}${id}/`);
  const order = useQuery<Order>(q.data ? `${ORDERS_API}${q.data.order}/` : null);
  const [billing, setBilling] = useState(false);
  return (
    <Async q={q} missing="Receipts">
      {(r) => {
        const price = (line: number) => order.data?.lines.find((l) => l.line === line)?.unit_price ?? "";
        const open = r.lines.filter((l) => positive(l.remaining_to_bill));
        return (
          <Page
            title={`Receipt ${r.number}`}
            crumbs={[["Purchases", "/purchases/orders"], ["Receipts", "/purchases/receipts"], [r.number]]}
            actions={can(user, "documents.issue") && open.length > 0 && order.data && <button class="primary" id="receipt-bill" onClick={() => setBilling(true)}>Bill this receipt</button>}
          >
            {billing && (
              <BillDialog
                title={`Bill ${r.number}`}
                path={`${RECEIPTS_API}${r.id}/bill/`}
                lines={open.map((l) => ({ line: l.line, description: l.description, left: l.remaining_to_bill, price: price(l.order_line) }))}
                onClose={() => setBilling(false)}
              />
            )}
            <dl class="facts">
              <dt>Order</dt><dd><Link href={`/purchases/orders/${r.order}`}>{r.order_number}</Link></dd>
              <dt>Vendor</dt><dd>{r.vendor_name}</dd>
              <dt>Date</dt><dd>{formatDate(r.date)}</dd>
              <dt>Value</dt><dd><Money value={r.value} currency={currency} /></dd>
              {r.journal_entry && <><dt>Entry</dt><dd><Link href={`/accounting/journal/${r.journal_entry}`}>Dr Inventory / Cr GRNI</Link></dd></>}
            </dl>
            <table class="table" id="receipt-lines">
              <thead><tr><th>#</th><th>Description</th><th class="num">Received</th><th class="num">Value</th><th class="num">Billed</th><th class="num">To bill</th></tr></thead>
              <tbody>
                {r.lines.map((l) => (
                  <tr key={l.line}><td>{l.line}</td><td>{l.description}</td><td class="num">{l.quantity}</td><td class="num"><Money value={l.value} currency={currency} /></td><td class="num">{l.billed}</td><td class="num">{l.remaining_to_bill}</td></tr>
                ))}
              </tbody>
            </table>
          </Page>
        );
      }}
    </Async>
  );
}

// ---- a bill's three-way match and landed costs -------------------------------------------------
function LandedCostForm({ bill }: { bill: string }) {
  const { company } = useAuth();
  const receipts = useQuery<PageT<Receipt>>(`${RECEIPTS_API}?page_size=100`).data?.results ?? [];
  const accounts = useAccounts().data?.results ?? [];
  const [form, setForm] = useState({ receipt: "", amount: "", basis: "value", account: "" });
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const set = (k: string) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const c = await api<{ amount: string; lines: { receipt_line: number; amount: string }[] }>("POST", landedApi(bill), { body: { ...form, receipt: form.receipt || null, account: form.account || null } });
      refresh();
      setErrors({});
      toast(`${c.amount} landed on ${c.lines.length} line(s)`);
    } catch (err) {
      setErrors(fieldErrors(err));
    }
  };
  const err = (k: string) => errors[k]?.map((m) => <span class="field-error">{m}</span>);
  return (
    <form class="form" id="landed-cost-form" onSubmit={submit}>
      <h2>Land a cost on received goods</h2>
      <p class="hint">Freight or duty billed here is spread over a receipt's stock lines and added to their cost ({company?.currency}).</p>
      <label>Receipt
        <select name="receipt" value={form.receipt} onChange={set("receipt")}>
          <option value="">Choose…</option>
          {receipts.map((r) => <option value={r.id}>{r.number} · {r.order_number} · {r.vendor_name}</option>)}
        </select>{err("receipt")}
      </label>
      <label>Amount <input name="amount" inputMode="decimal" value={form.amount} onInput={set("amount")} />{err("amount")}</label>
      <label>Spread by
        <select name="basis" value={form.basis} onChange={set("basis")}>
          <option value="value">value</option>
          <option value="quantity">quantity</option>
        </select>{err("basis")}
      </label>
      <label>Cost account (optional)
        <select name="account" value={form.account} onChange={set("account")}>
          <option value="">The bill's first cost line</option>
          {accounts.map((a) => <option value={a.id}>{a.code} {a.name}</option>)}
        </select>{err("account")}
      </label>
      <FormErrors errors={errors} shown={["receipt", "amount", "basis", "account"]} />
      <div class="form-actions"><button type="submit">Land cost</button></div>
    </form>
  );
}

export function BillMatchView({ id }: { id: string }) {
  const { user, company } = useAuth();
  const currency = company?.currency ?? "USD";
  const q = useQuery<Match>(billMatchApi(id));
  return (
    <Async q={q} missing="Three-way match">
      {(m) => (
        <Page title={`Three-way match ${m.number ?? ""}`} crumbs={[["Purchases", "/purchases/orders"], ["Bills", "/purchases/bills"], [m.number ?? "Bill", `/purchases/bills/${m.bill}`], ["Match"]]}>
          {m.lines.length === 0 ? <Empty>This bill bills no purchase order.</Empty> : (
            <div class="table-wrap">
              <table class="table match" id="match-lines">
                <thead><tr><th>Bill line</th><th>Order</th><th>Receipt</th><th class="num">Ordered</th><th class="num">Received</th><th class="num">Billed</th><th class="num">This bill</th><th class="num">Order price</th><th class="num">Bill price</th><th class="num">Received value</th><th class="num">Billed net</th><th class="num">Price difference</th></tr></thead>
                <tbody>
                  {m.lines.map((l) => (
                    <tr key={l.bill_line} class={l.flagged ? "flagged" : ""} data-flagged={l.flagged ? "true" : "false"}>
                      <td>{l.bill_line}. {l.description}</td>
                      <td><Link href={`/purchases/orders/${l.order}`}>{l.order_number}</Link> #{l.order_line}</td>
                      <td>{l.receipt && <Link href={`/purchases/receipts/${l.receipt}`}>{l.receipt_number}</Link>}</td>
                      <td class="num">{l.ordered}</td><td class="num">{l.received}</td><td class="num">{l.billed}</td><td class="num">{l.quantity}</td>
                      <td class="num"><Money value={l.order_unit_price} currency={currency} /></td>
                      <td class="num"><Money value={l.bill_unit_price} currency={currency} /></td>
                      <td class="num"><Money value={l.receipt_value} currency={currency} /></td>
                      <td class="num"><Money value={l.bill_net} currency={currency} /></td>
                      <td class="num price-difference">{l.flagged && <span class="status void" title="The price differs from the order">⚑ </span>}<Money value={l.price_difference} currency={currency} /></td>
                    </tr>
                  ))}
                </tbody>
                <tfoot><tr><td colSpan={11}>Price difference posted</td><td class="num" id="match-difference"><Money value={m.price_difference} currency={currency} /></td></tr></tfoot>
              </table>
            </div>
          )}
          {can(user, "documents.edit") && m.status !== "void" && m.status !== "draft" && <LandedCostForm bill={m.bill} />}
        </Page>
      )}
    </Async>
  );
}
