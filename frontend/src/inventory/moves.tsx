// Stock moves (issue 19): the list of moves with filters, and a manual move — a receipt, a
// transfer between warehouses, an adjustment or a return — posted by the stock engine
// (`POST /api/inventory/moves/`) with its journal entry.
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { api, qs, type Page as PageT } from "../api";
import { can, useAuth } from "../auth";
import { formatDate } from "../format";
import { invalidate, useQuery } from "../query";
import { Async, Empty, FieldError, fieldErrors, FormErrors, Money, Page, Pager, toast, toastError, today } from "../ui";
import { ITEMS, MOVES, MOVE_KINDS, REPORTS, qty, validQty, type Move, type StockItem } from "./api";
import { useWarehouses } from "./reports";

const PAGE_SIZE = 50;

export function useStockItems() {
  return useQuery<PageT<StockItem>>(`${ITEMS}?kind=stock&page_size=200&ordering=code`);
}

export function Moves() {
  const { user, company } = useAuth();
  const currency = company?.currency ?? "USD";
  const editable = can(user, "documents.edit");
  const [adding, setAdding] = useState(false);
  const [filters, setFilters] = useState({ item: "", warehouse: "", kind: "" });
  const [page, setPage] = useState(1);
  const items = useStockItems().data?.results ?? [];
  const warehouses = useWarehouses().data?.results ?? [];
  const q = useQuery<PageT<Move>>(`${MOVES}${qs({ ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)), page, page_size: PAGE_SIZE })}`);
  const set = (k: string) => (e: Event) => {
    setFilters({ ...filters, [k]: (e.target as HTMLSelectElement).value });
    setPage(1);
  };
  const itemCode = (m: Move) => m.item_code ?? items.find((i) => i.id === m.item)?.code ?? "";
  const whCode = (m: Move) => m.warehouse_code ?? warehouses.find((w) => w.id === m.warehouse)?.code ?? "";
  return (
    <Page
      title="Stock moves"
      crumbs={[["Inventory", "/inventory"], ["Moves"]]}
      actions={editable && <button class="primary" id="new-move" onClick={() => setAdding(true)}>New move</button>}
    >
      {adding && <MoveForm onClose={() => setAdding(false)} />}
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Item <select name="item" value={filters.item} onChange={set("item")}><option value="">All</option>{items.map((i) => <option value={i.id}>{i.code} {i.name}</option>)}</select></label>
        <label>Warehouse <select name="warehouse" value={filters.warehouse} onChange={set("warehouse")}><option value="">All</option>{warehouses.map((w) => <option value={w.id}>{w.code}</option>)}</select></label>
        <label>Kind <select name="kind" value={filters.kind} onChange={set("kind")}><option value="">All</option>{["receipt", "delivery", "transfer_out", "transfer_in", "adjustment", "return_in", "return_out", "landed_cost", "revaluation"].map((k) => <option value={k}>{k.replace(/_/g, " ")}</option>)}</select></label>
      </form>
      <Async q={q} missing="Stock moves">
        {(d) => d.results.length === 0 ? <Empty>No moves yet.</Empty> : (
          <>
            <div class="table-wrap">
              <table class="table" id="moves">
                <thead><tr><th>Date</th><th>Kind</th><th>Item</th><th>Warehouse</th><th class="num">Quantity</th><th class="num">Value</th><th class="hide-sm">Source</th></tr></thead>
                <tbody>
                  {d.results.map((m) => (
                    <tr key={m.id} data-kind={m.kind}>
                      <td>{formatDate(m.date)}</td>
                      <td>{m.kind.replace(/_/g, " ")}</td>
                      <td><Link href={`/inventory/reports/movements?item=${m.item}`}>{itemCode(m)}</Link></td>
                      <td>{whCode(m)}</td>
                      <td class="num">{qty(m.quantity)}</td>
                      <td class="num"><Money value={m.value} currency={currency} /></td>
                      <td class="hide-sm">{m.source_kind ?? ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager page={page} count={d.count} size={PAGE_SIZE} next={d.next} previous={d.previous} onPage={setPage} noun="moves" />
          </>
        )}
      </Async>
    </Page>
  );
}

/** A manual move: the kind decides which fields count (a transfer has a target warehouse; a receipt a unit cost). */
export function MoveForm({ onClose }: { onClose: () => void }) {
  const items = useStockItems().data?.results ?? [];
  const warehouses = useWarehouses().data?.results ?? [];
  const [kind, setKind] = useState("receipt");
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const text = (k: string) => String(f.get(k) ?? "").trim();
    const local: Record<string, string[]> = {};
    if (!validQty(text("quantity"), kind === "adjustment")) local.quantity = ["Enter a quantity with at most 3 decimals."];
    if (Object.keys(local).length) return setErrors(local);
    const body: Record<string, unknown> = {
      kind,
      date: text("date"),
      item: text("item"),
      warehouse: text("warehouse"),
      quantity: text("quantity"),
      memo: text("memo"),
    };
    if (kind === "transfer") body.to_warehouse = text("to_warehouse");
    if (text("unit_cost")) body.unit_cost = text("unit_cost");
    if (text("lot")) body.lot = text("lot");
    setBusy(true);
    try {
      await api("POST", MOVES, { body });
      invalidate(MOVES, REPORTS, ITEMS);
      toast("Move posted");
      onClose();
    } catch (err) {
      setErrors(fieldErrors(err));
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  const costly = ["receipt", "return_in", "adjustment"].includes(kind);
  return (
    <form class="panel form" id="move-form" onSubmit={submit}>
      <h2>New stock move</h2>
      <div class="grid-form">
        <label>Kind
          <select name="kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
            {MOVE_KINDS.map(([k, label]) => <option value={k}>{label}</option>)}
          </select>
          <FieldError errors={errors} name="kind" />
        </label>
        <label>Date <input type="date" name="date" value={today()} required /><FieldError errors={errors} name="date" /></label>
        <label>Item
          <select name="item" required>
            <option value="">Choose…</option>
            {items.map((i) => <option value={i.id}>{i.code} {i.name}</option>)}
          </select>
          <FieldError errors={errors} name="item" />
        </label>
        <label>{kind === "transfer" ? "From warehouse" : "Warehouse"}
          <select name="warehouse" required>
            <option value="">Choose…</option>
            {warehouses.filter((w) => w.is_active).map((w) => <option value={w.id}>{w.code} {w.name}</option>)}
          </select>
          <FieldError errors={errors} name="warehouse" />
        </label>
        {kind === "transfer" && (
          <label>To warehouse
            <select name="to_warehouse" required>
              <option value="">Choose…</option>
              {warehouses.filter((w) => w.is_active).map((w) => <option value={w.id}>{w.code} {w.name}</option>)}
            </select>
            <FieldError errors={errors} name="to_warehouse" />
          </label>
        )}
        <label>Quantity{kind === "adjustment" ? " (negative takes out)" : ""} <input name="quantity" inputMode="decimal" class="num" required /><FieldError errors={errors} name="quantity" /></label>
        {costly && <label>Unit cost <input name="unit_cost" inputMode="decimal" class="num" placeholder="current cost" /><FieldError errors={errors} name="unit_cost" /></label>}
        <label>Lot or serial <input name="lot" placeholder="tracked items" /><FieldError errors={errors} name="lot" /></label>
        <label class="wide">Memo <input name="memo" /><FieldError errors={errors} name="memo" /></label>
      </div>
      <FormErrors errors={errors} shown={["kind", "date", "item", "warehouse", "to_warehouse", "quantity", "unit_cost", "lot", "memo"]} />
      <div class="buttons">
        <button class="primary" type="submit" disabled={busy}>Post move</button>
        <button type="button" onClick={onClose}>Cancel</button>
      </div>
    </form>
  );
}
