// The stock-count sheet (issue 19): pick a warehouse and a date, the stock items are listed with
// the quantity the books expect; type what was counted (Enter moves down), and submitting posts
// the count (`POST /api/inventory/counts/`), which adjusts the differences against the inventory
// adjustment account. Only the lines typed into are sent.
import { useState } from "preact/hooks";
import { api, qs } from "../api";
import { invalidate, useQuery } from "../query";
import { Async, Empty, Page, toast, toastError, today, fieldErrors, LineError } from "../ui";
import { COUNTS, ITEMS, MOVES, REPORTS, qty, validQty, type OnHand } from "./api";
import { useStockItems } from "./moves";
import { useWarehouses } from "./reports";

/** Thousandths from decimal text ("1.5" → 1500n), or null. */
function milli(text: string): bigint | null {
  const m = /^(-?)(\d+)(?:\.(\d{1,3}))?$/.exec(text.trim());
  if (!m) return null;
  const v = BigInt(m[2]) * 1000n + BigInt((m[3] ?? "").padEnd(3, "0") || "0");
  return m[1] ? -v : v;
}

/** Thousandths as decimal text: 1500n → "1.500". */
function fromMilli(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  return `${neg ? "-" : ""}${a / 1000n}.${String(a % 1000n).padStart(3, "0")}`;
}

export function CountSheet() {
  const warehouses = useWarehouses().data?.results ?? [];
  const [warehouse, setWarehouse] = useState("");
  const [date, setDate] = useState(today());
  const [counted, setCounted] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const items = useStockItems();
  const onHand = useQuery<OnHand>(warehouse ? `${REPORTS}on-hand/${qs({ warehouse, as_of: date, page_size: 200 })}` : null);
  const expected = (id: string) => onHand.data?.results.find((r) => r.item === id)?.quantity ?? "0.000";
  const submit = async (e: Event) => {
    e.preventDefault();
    const typed = Object.entries(counted).filter(([, v]) => v.trim() !== "");
    const bad = typed.filter(([, v]) => !validQty(v));
    if (bad.length) {
      setErrors(Object.fromEntries(bad.map(([id]) => [id, ["Enter a quantity with at most 3 decimals."]])));
      return;
    }
    if (!typed.length) return toast("Type at least one counted quantity.", "error");
    setBusy(true);
    try {
      const lines = typed.map(([item, v]) => ({ item, counted: v.trim() }));
      await api("POST", COUNTS, { body: { warehouse, date, lines } });
      invalidate(REPORTS, MOVES, ITEMS);
      setCounted({});
      setErrors({});
      toast(`Count posted: ${lines.length} line${lines.length === 1 ? "" : "s"}`);
    } catch (err) {
      // `lines[2].counted` → the row of the third line typed.
      const fe = fieldErrors(err);
      const byItem: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(fe)) {
        const m = /^lines\[(\d+)\]/.exec(k);
        if (m && typed[Number(m[1])]) byItem[typed[Number(m[1])][0]] = v;
        else byItem[k] = v;
      }
      setErrors(byItem);
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  const next = (e: KeyboardEvent) => {
    if (e.key !== "Enter") return;
    e.preventDefault();
    const inputs = Array.from(document.querySelectorAll<HTMLInputElement>(".count-sheet input.counted"));
    const i = inputs.indexOf(e.target as HTMLInputElement);
    inputs[i + 1]?.focus();
  };
  return (
    <Page title="Stock count" crumbs={[["Inventory", "/inventory"], ["Stock count"]]}>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Warehouse
          <select name="warehouse" value={warehouse} onChange={(e) => { setWarehouse((e.target as HTMLSelectElement).value); setCounted({}); }}>
            <option value="">Choose…</option>
            {warehouses.filter((w) => w.is_active).map((w) => <option value={w.id}>{w.code} {w.name}</option>)}
          </select>
        </label>
        <label>Count date <input type="date" name="date" value={date} onInput={(e) => (e.target as HTMLInputElement).value && setDate((e.target as HTMLInputElement).value)} /></label>
      </form>
      {!warehouse ? <Empty>Choose the warehouse you counted.</Empty> : (
        <Async q={items} missing="Stock items">
          {(d) => d.results.length === 0 ? <Empty>No stock items yet.</Empty> : (
            <form class="count-sheet" id="count-sheet" onSubmit={submit}>
              <div class="table-wrap">
                <table class="table">
                  <thead><tr><th>Item</th><th>Name</th><th class="hide-sm">Unit</th><th class="num">Expected</th><th class="num">Counted</th><th class="num">Difference</th></tr></thead>
                  <tbody>
                    {d.results.filter((i) => i.is_active).map((it) => {
                      const typed = counted[it.id] ?? "";
                      const c = milli(typed);
                      const exp = milli(expected(it.id)) ?? 0n;
                      const diff = c === null ? null : c - exp;
                      return (
                        <tr key={it.id} data-item={it.code} class={diff !== null && diff !== 0n ? "differs" : ""}>
                          <td>{it.code}</td>
                          <td>{it.name}</td>
                          <td class="hide-sm">{it.unit}</td>
                          <td class="num expected">{onHand.loading && !onHand.data ? "…" : qty(expected(it.id))}</td>
                          <td class="num">
                            <input class="counted num" name={`counted-${it.code}`} inputMode="decimal" aria-label={`Counted ${it.code}`} value={typed}
                              onInput={(e) => setCounted({ ...counted, [it.id]: (e.target as HTMLInputElement).value })} onKeyDown={next} />
                            <LineError e={errors[it.id]} />
                          </td>
                          <td class="num">{diff === null ? "" : qty(fromMilli(diff))}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              <div class="buttons">
                <button class="primary" type="submit" id="submit-count" disabled={busy}>Post count</button>
              </div>
            </form>
          )}
        </Async>
      )}
    </Page>
  );
}
