// Stock items (issue 19): the items kept in stock, each with its quantity on hand (all
// warehouses, from the on-hand report), and an item's page panel: on hand and value per
// warehouse, and its stock settings — kind, base unit and other units, inventory, cost of goods
// sold and price-difference accounts, reorder point and quantity, lot or serial tracking.
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { api, qs, type Account, type Page as PageT } from "../api";
import { can, useAuth } from "../auth";
import { invalidate, useQuery } from "../query";
import { Async, Empty, FieldError, fieldErrors, FormErrors, Money, Page, Pager, toast, toastError } from "../ui";
import { useAccounts } from "../pages/accounts";
import { ITEMS, REPORTS, qty, validQty, type OnHand, type StockItem } from "./api";

const PAGE_SIZE = 50;

/** The sum of decimal quantities with three decimals, exactly. */
function total(quantities: string[]): string {
  let t = 0n;
  for (const q of quantities) {
    const m = /^(-?)(\d+)\.(\d{3})$/.exec(q);
    if (m) t += (m[1] ? -1n : 1n) * (BigInt(m[2]) * 1000n + BigInt(m[3]));
  }
  const neg = t < 0n;
  const a = neg ? -t : t;
  return `${neg ? "-" : ""}${a / 1000n}.${String(a % 1000n).padStart(3, "0")}`;
}

export function StockItems() {
  const { user } = useAuth();
  const editable = can(user, "documents.edit");
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<StockItem | "new" | null>(null);
  const q = useQuery<PageT<StockItem>>(`${ITEMS}${qs({ kind: "stock", search: search || undefined, page, page_size: PAGE_SIZE, ordering: "code" })}`);
  // On hand for the page's items: the on-hand report narrowed by the same search (one request).
  const levels = useQuery<OnHand>(`${REPORTS}on-hand/${qs({ search: search || undefined, page_size: 200 })}`);
  const onHand = (id: string) => total((levels.data?.results ?? []).filter((r) => r.item === id).map((r) => r.quantity));
  return (
    <Page
      title="Stock items"
      crumbs={[["Inventory", "/inventory"], ["Stock items"]]}
      actions={editable && <button class="primary" id="new-stock-item" onClick={() => setOpen("new")}>New stock item</button>}
    >
      {open && <StockItemPanel item={open === "new" ? null : open} editable={editable} onClose={() => setOpen(null)} key={open === "new" ? "new" : open.id} />}
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Search <input type="search" name="search" value={search} placeholder="code, name" onInput={(e) => { setSearch((e.target as HTMLInputElement).value); setPage(1); }} /></label>
      </form>
      <Async q={q} missing="Stock items">
        {(d) => d.results.length === 0 ? <Empty>No stock items{search ? " match" : " yet"}. Items of kind “stock” are kept in warehouses.</Empty> : (
          <>
            <div class="table-wrap">
              <table class="table" id="stock-items">
                <thead><tr><th>Code</th><th>Name</th><th class="num">On hand</th><th class="hide-sm">Unit</th><th class="num hide-sm">Reorder point</th><th class="hide-sm">Tracking</th><th /></tr></thead>
                <tbody>
                  {d.results.map((it) => (
                    <tr key={it.id} data-code={it.code} class={it.is_active ? "" : "inactive"}>
                      <td>{it.code}</td>
                      <td>{it.name}</td>
                      <td class="num on-hand">{levels.data ? qty(onHand(it.id)) : "…"}</td>
                      <td class="hide-sm">{it.unit}</td>
                      <td class="num hide-sm">{qty(it.reorder_point ?? "")}</td>
                      <td class="hide-sm">{it.tracking ?? "none"}</td>
                      <td class="row-actions"><button class="link" onClick={() => setOpen(it)}>Open</button></td>
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

function accountOptions(accounts: Account[], types: string[], keep: string | null | undefined) {
  return accounts.filter((a) => (a.is_active && types.includes(a.type)) || a.id === keep).map((a) => <option value={a.id}>{a.code} {a.name}</option>);
}

/** One stock item: its levels per warehouse and its stock settings. */
function StockItemPanel({ item, editable, onClose }: { item: StockItem | null; editable: boolean; onClose: () => void }) {
  const { company } = useAuth();
  const currency = company?.currency ?? "USD";
  const accounts = useAccounts().data?.results ?? [];
  const levels = useQuery<OnHand>(item ? `${REPORTS}on-hand/${qs({ item: item.id, page_size: 200 })}` : null);
  const [units, setUnits] = useState<{ unit: string; factor: string }[] | null>(null);
  const stored = useQuery<{ units: { unit: string; factor: string }[] }>(item ? `${ITEMS}${item.id}/units/` : null);
  const shownUnits = units ?? stored.data?.units ?? [];
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const text = (k: string) => String(f.get(k) ?? "").trim();
    const local: Record<string, string[]> = {};
    for (const k of ["reorder_point", "reorder_quantity"]) if (text(k) && !validQty(text(k))) local[k] = ["Enter a quantity with at most 3 decimals."];
    shownUnits.forEach((u, i) => { if (u.unit.trim() && !validQty(u.factor)) local[`units[${i}].factor`] = ["Enter how many base units one holds, at most 3 decimals."]; });
    if (Object.keys(local).length) return setErrors(local);
    const body: Record<string, unknown> = {
      code: text("code"),
      name: text("name"),
      kind: "stock",
      unit: text("unit"),
      inventory_account: text("inventory_account") || null,
      cogs_account: text("cogs_account") || null,
      price_difference_account: text("price_difference_account") || null,
      reorder_point: text("reorder_point") || null,
      reorder_quantity: text("reorder_quantity") || null,
      tracking: text("tracking") || "none",
    };
    if (!item) {
      body.sale_price = text("sale_price") || "0";
      body.purchase_price = text("purchase_price") || "0";
    }
    setBusy(true);
    try {
      const saved = item ? await api<StockItem>("PATCH", `${ITEMS}${item.id}/`, { body }) : await api<StockItem>("POST", ITEMS, { body });
      // Other units live at their own path: replaced as a whole when they were changed.
      if (units !== null) await api("PUT", `${ITEMS}${saved.id}/units/`, { body: { units: units.filter((u) => u.unit.trim()).map((u) => ({ unit: u.unit.trim(), factor: u.factor.trim() })) } });
      invalidate(ITEMS, REPORTS);
      toast(`Stock item ${body.code} saved`);
      onClose();
    } catch (err) {
      setErrors(fieldErrors(err));
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel" id="stock-item-panel">
      <h2>{item ? `${item.code} ${item.name}` : "New stock item"}</h2>
      {item && (
        <Async q={levels} missing="Stock on hand">
          {(d) => d.results.length === 0 ? <p class="muted">Nothing on hand.</p> : (
            <table class="table report stock-levels" id="item-levels">
              <thead><tr><th>Warehouse</th><th class="num">On hand</th><th class="num">Value</th></tr></thead>
              <tbody>
                {d.results.map((r) => <tr key={r.warehouse} data-warehouse={r.warehouse_code}><td>{r.warehouse_code} {r.warehouse_name}</td><td class="num">{qty(r.quantity)} {r.unit}</td><td class="num"><Money value={r.value} currency={d.currency} /></td></tr>)}
              </tbody>
            </table>
          )}
        </Async>
      )}
      {item && <p><Link href={`/inventory/reports/movements?item=${item.id}`}>Movement history</Link></p>}
      <form class="form" id="stock-item-form" onSubmit={submit}>
        <fieldset disabled={!editable}>
          <div class="grid-form">
            <label>Code <input name="code" value={item?.code} required maxLength={50} /><FieldError errors={errors} name="code" /></label>
            <label>Name <input name="name" value={item?.name} required /><FieldError errors={errors} name="name" /></label>
            <label>Base unit <input name="unit" value={item?.unit} placeholder="pcs, kg…" /><FieldError errors={errors} name="unit" /></label>
            {!item && <label>Sale price ({currency}) <input name="sale_price" inputMode="decimal" class="num" placeholder="0.00" /><FieldError errors={errors} name="sale_price" /></label>}
            {!item && <label>Purchase price ({currency}) <input name="purchase_price" inputMode="decimal" class="num" placeholder="0.00" /><FieldError errors={errors} name="purchase_price" /></label>}
            <label>Inventory account
              <select name="inventory_account" value={item?.inventory_account ?? ""}><option value="">(the company's default)</option>{accountOptions(accounts, ["asset"], item?.inventory_account)}</select>
              <FieldError errors={errors} name="inventory_account" />
            </label>
            <label>Cost of goods sold account
              <select name="cogs_account" value={item?.cogs_account ?? ""}><option value="">(the company's default)</option>{accountOptions(accounts, ["expense"], item?.cogs_account)}</select>
              <FieldError errors={errors} name="cogs_account" />
            </label>
            <label>Price difference account
              <select name="price_difference_account" value={item?.price_difference_account ?? ""}><option value="">(the company's default)</option>{accountOptions(accounts, ["expense", "revenue"], item?.price_difference_account)}</select>
              <FieldError errors={errors} name="price_difference_account" />
            </label>
            <label>Reorder point <input name="reorder_point" inputMode="decimal" class="num" value={item?.reorder_point ?? ""} /><FieldError errors={errors} name="reorder_point" /></label>
            <label>Reorder quantity <input name="reorder_quantity" inputMode="decimal" class="num" value={item?.reorder_quantity ?? ""} /><FieldError errors={errors} name="reorder_quantity" /></label>
            <label>Tracking
              <select name="tracking" value={item?.tracking ?? "none"}><option value="none">None</option><option value="lot">Lot</option><option value="serial">Serial number</option></select>
              <FieldError errors={errors} name="tracking" />
            </label>
          </div>
          <h3>Other units</h3>
          <table class="table units">
            <thead><tr><th>Unit</th><th class="num">Base units in one</th><th /></tr></thead>
            <tbody>
              {shownUnits.map((u, i) => (
                <tr key={i}>
                  <td><input aria-label="Unit" value={u.unit} onInput={(e) => setUnits(shownUnits.map((x, j) => (j === i ? { ...x, unit: (e.target as HTMLInputElement).value } : x)))} /><FieldError errors={errors} name={`units[${i}].unit`} /></td>
                  <td class="num"><input aria-label="Base units" class="num" inputMode="decimal" value={u.factor} onInput={(e) => setUnits(shownUnits.map((x, j) => (j === i ? { ...x, factor: (e.target as HTMLInputElement).value } : x)))} /><FieldError errors={errors} name={`units[${i}].factor`} /></td>
                  <td><button type="button" class="link" onClick={() => setUnits(shownUnits.filter((_, j) => j !== i))}>Remove</button></td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" onClick={() => setUnits([...shownUnits, { unit: "", factor: "" }])}>Add unit</button>
          <FormErrors errors={errors} shown={["code", "name", "unit", "sale_price", "purchase_price", "inventory_account", "cogs_account", "price_difference_account", "reorder_point", "reorder_quantity", "tracking", ...shownUnits.flatMap((_, i) => [`units[${i}].unit`, `units[${i}].factor`])]} />
        </fieldset>
        <div class="buttons">
          {editable && <button class="primary" type="submit" disabled={busy}>Save</button>}
          <button type="button" onClick={onClose}>Close</button>
        </div>
      </form>
    </section>
  );
}
