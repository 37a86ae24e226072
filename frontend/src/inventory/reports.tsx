// The inventory reports (issue 19): stock on hand and its valuation as of a date (with the
// check against the inventory accounts of the ledger), an item's movement history, the items at
// or below their reorder point (and a draft purchase order from them), and the gross margin per
// item and customer. Each reads one `/api/inventory/reports/…` endpoint.
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { navigate } from "wouter-preact/use-browser-location";
import { useContacts } from "../documents";
import { api, qs, type Page as PageT } from "../api";
import { formatDate } from "../format";
import { useQuery } from "../query";
import { Async, Empty, Money, Page, Pager, toast, toastError, today } from "../ui";
import { ITEMS, FROM_REORDER, REPORTS, WAREHOUSES, qty, missingText, type Check, type Margin, type Movements, type OnHand, type ReorderRow, type StockItem, type Valuation, type Warehouse } from "./api";

const PAGE_SIZE = 50;

export function useWarehouses() {
  return useQuery<PageT<Warehouse>>(`${WAREHOUSES}?page_size=200`);
}

const crumbs = (name: string): [string, string?][] => [["Inventory", "/inventory"], [name]];

function dateInput(value: string, set: (v: string) => void, name: string, label: string) {
  return (
    <label class="inline">{label} <input type="date" name={name} value={value} onInput={(e) => (e.target as HTMLInputElement).value && set((e.target as HTMLInputElement).value)} /></label>
  );
}

function WarehousePick({ value, set }: { value: string; set: (v: string) => void }) {
  const ws = useWarehouses().data?.results ?? [];
  return (
    <label class="inline">Warehouse
      <select name="warehouse" value={value} onChange={(e) => set((e.target as HTMLSelectElement).value)}>
        <option value="">All</option>
        {ws.map((w) => <option value={w.id}>{w.code} {w.name}</option>)}
      </select>
    </label>
  );
}

function StockTable({ rows, currency, showValue }: { rows: OnHand["results"]; currency: string; showValue: boolean }) {
  return (
    <div class="table-wrap">
      <table class="table report" id="stock-table">
        <thead>
          <tr><th>Item</th><th>Name</th><th>Warehouse</th><th class="num">Quantity</th><th class="hide-sm">Unit</th>{showValue && <><th class="num">Unit cost</th><th class="num">Value</th></>}</tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.item}/${r.warehouse}`} data-item={r.item_code} data-warehouse={r.warehouse_code}>
              <td><Link href={`/inventory/reports/movements?item=${r.item}`}>{r.item_code}</Link></td>
              <td>{r.item_name}</td>
              <td>{r.warehouse_code}</td>
              <td class="num qty">{qty(r.quantity)}</td>
              <td class="hide-sm">{r.unit}</td>
              {showValue && <><td class="num"><Money value={r.unit_cost} currency={currency} /></td><td class="num value"><Money value={r.value} currency={currency} /></td></>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Stock on hand per item and warehouse as of a date. */
export function OnHandPage() {
  const [asOf, setAsOf] = useState(today());
  const [warehouse, setWarehouse] = useState("");
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const q = useQuery<OnHand>(`${REPORTS}on-hand/${qs({ as_of: asOf, warehouse: warehouse || undefined, search: search || undefined, page, page_size: PAGE_SIZE })}`);
  return (
    <Page title="Stock on hand" crumbs={crumbs("On hand")} actions={dateInput(asOf, (v) => { setAsOf(v); setPage(1); }, "as_of", "As of")}>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Search <input type="search" name="search" value={search} placeholder="code, name" onInput={(e) => { setSearch((e.target as HTMLInputElement).value); setPage(1); }} /></label>
        <WarehousePick value={warehouse} set={(v) => { setWarehouse(v); setPage(1); }} />
      </form>
      <Async q={q} missing="Stock on hand">
        {(d) => d.results.length === 0 ? <Empty>No stock as of {formatDate(d.as_of)}.</Empty> : (
          <>
            <p class="muted report-heading">Stock as of {formatDate(d.as_of)}</p>
            <StockTable rows={d.results} currency={d.currency} showValue={false} />
            <Pager page={page} count={d.count} size={PAGE_SIZE} next={d.next} previous={d.previous} onPage={setPage} noun="rows" />
          </>
        )}
      </Async>
    </Page>
  );
}

/** Whether the valuation ties to the ledger, per inventory account. */
export function CheckPanel({ asOf }: { asOf: string }) {
  const q = useQuery<Check>(`${REPORTS}valuation/check/${qs({ as_of: asOf })}`);
  return (
    <Async q={q} missing="The valuation check">
      {(c) => (
        <section id="valuation-check">
          <p class={`check-verdict ${c.ok ? "ok" : "off"}`} id="check-verdict" data-ok={String(c.ok)}>
            {c.ok ? `Ties to the ledger: the stock valuation equals the inventory accounts' balances as of ${formatDate(c.as_of)}.` : `Does not tie to the ledger as of ${formatDate(c.as_of)}: see the differences below.`}
          </p>
          {c.accounts.length > 0 && (
            <div class="table-wrap">
              <table class="table report" id="check-table">
                <thead><tr><th>Account</th><th class="num">Valuation</th><th class="num">Ledger</th><th class="num">Difference</th></tr></thead>
                <tbody>
                  {c.accounts.map((a) => (
                    <tr key={a.account} data-code={a.code}>
                      <td><Link href={`/reports/general-ledger?account=${a.account}&date_to=${c.as_of}`}>{a.code} {a.name}</Link></td>
                      <td class="num"><Money value={a.valuation} currency={c.currency} /></td>
                      <td class="num"><Money value={a.ledger} currency={c.currency} /></td>
                      <td class="num"><Money value={a.difference} currency={c.currency} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </Async>
  );
}

/** Stock valuation as of a date, per account, with the check against the ledger. */
export function ValuationPage() {
  const [asOf, setAsOf] = useState(today());
  const [warehouse, setWarehouse] = useState("");
  const [page, setPage] = useState(1);
  const q = useQuery<Valuation>(`${REPORTS}valuation/${qs({ as_of: asOf, warehouse: warehouse || undefined, page, page_size: PAGE_SIZE })}`);
  return (
    <Page title="Stock valuation" crumbs={crumbs("Valuation")} actions={dateInput(asOf, (v) => { setAsOf(v); setPage(1); }, "as_of", "As of")}>
      <CheckPanel asOf={asOf} key={asOf} />
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <WarehousePick value={warehouse} set={(v) => { setWarehouse(v); setPage(1); }} />
      </form>
      <Async q={q} missing="Stock valuation">
        {(d) => (
          <>
            <p class="report-heading">Total value as of {formatDate(d.as_of)}: <strong id="valuation-total"><Money value={d.total_value} currency={d.currency} /></strong></p>
            {d.accounts.length > 0 && (
              <table class="table report" id="valuation-accounts">
                <thead><tr><th>Inventory account</th><th class="num">Value</th></tr></thead>
                <tbody>{d.accounts.map((a) => <tr key={a.account ?? "none"}><td>{a.account ? `${a.code} ${a.name}` : "No inventory account"}</td><td class="num"><Money value={a.value} currency={d.currency} /></td></tr>)}</tbody>
              </table>
            )}
            {d.results.length === 0 ? <Empty>No stock as of {formatDate(d.as_of)}.</Empty> : (
              <>
                <StockTable rows={d.results} currency={d.currency} showValue />
                <Pager page={page} count={d.count} size={PAGE_SIZE} next={d.next} previous={d.previous} onPage={setPage} noun="rows" />
              </>
            )}
          </>
        )}
      </Async>
    </Page>
  );
}

/** One item's moves with the running quantity and value. */
export function MovementsPage() {
  const params = new URLSearchParams(location.search);
  const [item, setItem] = useState(params.get("item") ?? "");
  const [from, setFrom] = useState(params.get("date_from") ?? "");
  const [to, setTo] = useState(params.get("date_to") ?? today());
  const [warehouse, setWarehouse] = useState("");
  const [page, setPage] = useState(1);
  const items = useQuery<PageT<StockItem>>(`${ITEMS}?kind=stock&page_size=200&ordering=code`);
  const q = useQuery<Movements>(item ? `${REPORTS}movements/${qs({ item, warehouse: warehouse || undefined, date_from: from || undefined, date_to: to, page, page_size: PAGE_SIZE })}` : null);
  return (
    <Page title="Movement history" crumbs={crumbs("Movements")}>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Item
          <select name="item" value={item} onChange={(e) => { setItem((e.target as HTMLSelectElement).value); setPage(1); }}>
            <option value="">Choose an item…</option>
            {(items.data?.results ?? []).map((i) => <option value={i.id}>{i.code} {i.name}</option>)}
          </select>
        </label>
        <WarehousePick value={warehouse} set={(v) => { setWarehouse(v); setPage(1); }} />
        <label>From <input type="date" name="date_from" value={from} onInput={(e) => { setFrom((e.target as HTMLInputElement).value); setPage(1); }} /></label>
        <label>To <input type="date" name="date_to" value={to} onInput={(e) => { const v = (e.target as HTMLInputElement).value; if (v) { setTo(v); setPage(1); } }} /></label>
      </form>
      {!item ? <Empty>Choose an item to see its moves.</Empty> : (
        <Async q={q} missing="Movement history">
          {(d) => (
            <>
              <p class="muted report-heading">{d.item.code} {d.item.name} ({d.item.unit}) · opening {qty(d.opening_quantity)} · <Money value={d.opening_value} currency={d.currency} /></p>
              {d.results.length === 0 ? <Empty>No moves in this period.</Empty> : (
                <div class="table-wrap">
                  <table class="table report" id="movements">
                    <thead><tr><th>Date</th><th>Kind</th><th>Warehouse</th><th class="hide-sm">Source</th><th class="num">Quantity</th><th class="num">Value</th><th class="num">On hand</th><th class="num">Stock value</th></tr></thead>
                    <tbody>
                      {d.results.map((m) => (
                        <tr key={m.id} data-kind={m.kind}>
                          <td>{m.journal_entry ? <Link href={`/accounting/journal/${m.journal_entry}`}>{formatDate(m.date)}</Link> : formatDate(m.date)}</td>
                          <td>{m.kind.replace(/_/g, " ")}</td>
                          <td>{m.warehouse_code}</td>
                          <td class="hide-sm">{m.source_kind ?? ""}</td>
                          <td class="num">{qty(m.quantity)}</td>
                          <td class="num"><Money value={m.value} currency={d.currency} /></td>
                          <td class="num">{qty(m.quantity_on_hand)}</td>
                          <td class="num"><Money value={m.value_on_hand} currency={d.currency} /></td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
              <Pager page={page} count={d.count} size={PAGE_SIZE} next={d.next} previous={d.previous} onPage={setPage} noun="moves" />
            </>
          )}
        </Async>
      )}
    </Page>
  );
}

/** Items at or below their reorder point, and a draft purchase order from them. */
export function ReorderPage() {
  const [page, setPage] = useState(1);
  const [busy, setBusy] = useState(false);
  const [vendor, setVendor] = useState("");
  const vendors = useContacts("purchase").data?.results ?? [];
  const q = useQuery<PageT<ReorderRow>>(`${REPORTS}reorder/${qs({ page, page_size: PAGE_SIZE })}`);
  // The purchases API drafts one order per vendor from the same list (its own reading of it);
  // items with no vendor to order from come back as `skipped`.
  const draft = async () => {
    setBusy(true);
    try {
      const made = await api<{ orders?: { id: string; number?: string }[]; skipped?: unknown[] }>("POST", FROM_REORDER, { body: vendor ? { vendor } : {} });
      const orders = made?.orders ?? [];
      const skipped = made?.skipped?.length ?? 0;
      toast(`${orders.length} draft purchase order${orders.length === 1 ? "" : "s"} made${skipped ? `; ${skipped} item${skipped === 1 ? "" : "s"} without a vendor skipped (choose one)` : ""}`);
      // One order: open it, to check and confirm it.
      if (orders.length === 1) navigate(`/purchases/orders/${orders[0].id}`);
    } catch (e) {
      const missing = missingText(e, "Drafting a purchase order from the reorder list");
      if (missing) toast(missing, "error");
      else toastError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page
      title="Reorder"
      crumbs={crumbs("Reorder")}
      actions={
        <>
          <label class="inline">Vendor for items never ordered{" "}
            <select id="reorder-vendor" value={vendor} onChange={(e) => setVendor((e.target as HTMLSelectElement).value)}>
              <option value="">Their last vendor only</option>
              {vendors.filter((v) => v.is_active).map((v) => <option value={v.id}>{v.name}</option>)}
            </select>
          </label>
          <button class="primary" id="draft-po" disabled={busy || !q.data?.results.length} onClick={draft}>Draft purchase order</button>
        </>
      }
    >
      <Async q={q} missing="The reorder list">
        {(d) => d.results.length === 0 ? <Empty>No stock item is at or below its reorder point.</Empty> : (
          <>
            <div class="table-wrap">
              <table class="table report" id="reorder">
                <thead><tr><th>Item</th><th>Name</th><th class="num">On hand</th><th class="num">Reorder point</th><th class="num">Suggested</th><th class="hide-sm">Unit</th></tr></thead>
                <tbody>
                  {d.results.map((r) => (
                    <tr key={r.item} data-item={r.code}>
                      <td><Link href={`/inventory/reports/movements?item=${r.item}`}>{r.code}</Link></td>
                      <td>{r.name}</td>
                      <td class="num">{qty(r.on_hand)}</td>
                      <td class="num">{qty(r.reorder_point)}</td>
                      <td class="num">{qty(r.suggested_quantity)}</td>
                      <td class="hide-sm">{r.unit}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager page={page} count={d.count} size={PAGE_SIZE} next={d.next} previous={d.previous} onPage={setPage} noun="items" />
          </>
        )}
      </Async>
    </Page>
  );
}

function MarginTable({ rows, first, currency, id, total }: { rows: Margin["items"]; first: string; currency: string; id: string; total: Margin["total"] }) {
  return (
    <div class="table-wrap">
      <table class="table report" id={id}>
        <thead><tr><th>{first}</th><th class="num">Revenue</th><th class="num">Cost of goods sold</th><th class="num">Margin</th><th class="num">Margin %</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-code={r.code ?? r.name}>
              <td>{r.code ? `${r.code} ${r.name ?? ""}` : r.name}</td>
              <td class="num"><Money value={r.revenue} currency={currency} /></td>
              <td class="num"><Money value={r.cogs} currency={currency} /></td>
              <td class="num"><Money value={r.margin} currency={currency} /></td>
              <td class="num">{r.margin_percent ?? "—"}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr><td><strong>Total</strong></td><td class="num"><Money value={total.revenue} currency={currency} /></td><td class="num"><Money value={total.cogs} currency={currency} /></td><td class="num"><strong><Money value={total.margin} currency={currency} /></strong></td><td class="num">{total.margin_percent ?? "—"}</td></tr>
        </tfoot>
      </table>
    </div>
  );
}

/** Gross margin per item and per customer over a period. */
export function MarginPage() {
  const [from, setFrom] = useState(`${today().slice(0, 7)}-01`);
  const [to, setTo] = useState(today());
  const q = useQuery<Margin>(`${REPORTS}margin/${qs({ date_from: from, date_to: to })}`);
  return (
    <Page title="Gross margin" crumbs={crumbs("Margin")} actions={<>{dateInput(from, setFrom, "date_from", "From")}{dateInput(to, setTo, "date_to", "To")}</>}>
      <Async q={q} missing="The margin report">
        {(d) => d.items.length === 0 ? <Empty>No stock items invoiced from {formatDate(d.date_from)} to {formatDate(d.date_to)}.</Empty> : (
          <>
            <h2>Per item</h2>
            <MarginTable rows={d.items} first="Item" currency={d.currency} id="margin-items" total={d.total} />
            <h2>Per customer</h2>
            <MarginTable rows={d.customers} first="Customer" currency={d.currency} id="margin-customers" total={d.total} />
          </>
        )}
      </Async>
    </Page>
  );
}

/** The Inventory landing page: what each page is for. */
export function InventoryIndex() {
  const pages: [string, string, string][] = [
    ["Stock items", "/inventory/items", "Items kept in stock: on hand per warehouse, accounts, units, reorder point, tracking."],
    ["Warehouses", "/inventory/warehouses", "Where stock is kept, and the locations within."],
    ["Moves", "/inventory/moves", "Every receipt, delivery, transfer and adjustment; record one by hand."],
    ["Stock count", "/inventory/count", "Type the counted quantities of a warehouse; the differences are adjusted."],
    ["On hand", "/inventory/reports/on-hand", "Stock per item and warehouse as of any date."],
    ["Valuation", "/inventory/reports/valuation", "The value of stock as of any date, checked against the ledger."],
    ["Movements", "/inventory/reports/movements", "One item's moves with the running quantity and value."],
    ["Reorder", "/inventory/reports/reorder", "Items at or below their reorder point; draft a purchase order."],
    ["Margin", "/inventory/reports/margin", "Gross margin per item and per customer."],
  ];
  return (
    <Page title="Inventory" crumbs={[["Inventory"]]}>
      <ul class="report-index">
        {pages.map(([name, href, what]) => <li key={href}><Link href={href}>{name}</Link><span class="muted"> — {what}</span></li>)}
      </ul>
    </Page>
  );
}
