// The lines of a document being edited: the grid of the invoice editor (item picker, description,
// quantity, price, discount, tax, account, the line's amount) with its live, exact totals. The
// document editor and the recurring invoice form both use it; each keeps its rows in its own state.
import { useLayoutEffect, useMemo, useRef } from "preact/hooks";
import { ApiError, type Account } from "../api";
import { choiceLabel, Combobox } from "../combobox";
import { computeTotals, type DocLine, type DocTotals, type Item, type Side, type TaxRate } from "../documents";
import { formatMinor, fromMinor, toMinor } from "../money";
import { LineError } from "../ui";

export interface Row {
  key: number;
  item: string;
  itemText: string;
  description: string;
  quantity: string;
  unit_price: string;
  discount_percent: string;
  tax_rate: string;
  account: string;
}

let rowSeq = 0;
export const blank = (): Row => ({ key: ++rowSeq, item: "", itemText: "", description: "", quantity: "1", unit_price: "", discount_percent: "", tax_rate: "", account: "" });
export const isBlank = (r: Row) => !r.item && !r.description.trim() && !r.unit_price.trim();
const CELLS = ["item", "description", "quantity", "unit_price", "discount_percent", "tax_rate", "account"] as const;

/** A saved line (a document's or a schedule's) as a row of the grid. */
export function fromLine(l: DocLine, items: Item[]): Row {
  const it = l.item ? items.find((x) => x.id === l.item) : undefined;
  const zero = (s: string) => (/^-?0*(\.0*)?$/.test(s ?? "") ? "" : s);
  return {
    ...blank(),
    item: l.item ?? "",
    itemText: it ? choiceLabel(it) : "",
    description: l.description,
    quantity: l.quantity,
    unit_price: l.unit_price,
    discount_percent: zero(l.discount_percent),
    tax_rate: l.tax_rate ?? "",
    account: l.account ?? "",
  };
}

/**
 * The rows that are not blank as the API's `lines`, and which row each line came from (`sent[n]`
 * is the row of `lines[n]`, for placing the API's line errors).
 */
export function linesPayload(rows: Row[]): { lines: Record<string, string | null>[]; sent: number[] } {
  const sent: number[] = [];
  const lines = rows
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => !isBlank(r))
    .map(({ r, i }) => {
      sent.push(i);
      const line: Record<string, string | null> = {
        item: r.item || null,
        description: r.description,
        quantity: r.quantity.replace(/[,\s]/g, "") || "1",
        unit_price: r.unit_price.replace(/[,\s]/g, "") || "0",
        discount_percent: r.discount_percent.replace(/[\s%]/g, "") || "0",
        tax_rate: r.tax_rate || null,
      };
      // No account: the server takes the item's, then the contact's default account.
      if (r.account) line.account = r.account;
      return line;
    });
  return { lines, sent };
}

/** The API's errors with `lines[n].field` renamed `row<i>.field` (the grid's row of line n). */
export function rowErrors(err: ApiError, sent: number[]): Record<string, string[]> {
  const mapped: Record<string, string[]> = {};
  for (const [key, v] of Object.entries(err.fields)) {
    const m = /^lines\[(\d+)\]\.(.+)$/.exec(key);
    mapped[m ? `row${sent[Number(m[1])] ?? m[1]}.${m[2]}` : key] = v;
  }
  return mapped;
}

/** The live totals of the rows (blank rows count as nothing), rounded as the company rounds tax. */
export function useLineTotals(rows: Row[], rates: TaxRate[], dp: number, mode: string): DocTotals {
  const calcRates = useMemo(() => rates.map((r) => ({ id: r.id, name: r.name, rate: r.rate, is_inclusive: r.is_inclusive })), [rates]);
  return useMemo(
    () => computeTotals(rows.map((r) => (isBlank(r) ? { quantity: "0", unit_price: "0", discount_percent: "0", tax_rate: null } : { ...r, tax_rate: r.tax_rate || null })), calcRates, dp, mode),
    [rows, calcRates, dp, mode],
  );
}

/**
 * The lines table. Enter moves to the next cell, and on the last cell of the last line adds a line;
 * picking an item fills the line (description, price, account and tax rate of the side). Errors
 * are keyed `row<i>.<field>` (see rowErrors).
 */
export function LineGrid({ rows, setRows, items, rates, accounts, side, dp, mode, currency, totals, errors }: {
  rows: Row[];
  setRows: (f: (rows: Row[]) => Row[]) => void;
  items: Item[];
  rates: TaxRate[];
  accounts: Account[];
  side: Side;
  dp: number;
  mode: string;
  currency: string;
  totals: DocTotals;
  errors: Record<string, string[]>;
}) {
  const grid = useRef<HTMLTableSectionElement>(null);
  const focusNext = useRef<[number, string] | null>(null);
  useLayoutEffect(() => {
    if (!focusNext.current || !grid.current) return;
    const [i, cell] = focusNext.current;
    focusNext.current = null;
    grid.current.querySelector<HTMLElement>(`[data-row="${i}"][data-cell="${cell}"]`)?.focus();
  });

  const sales = side === "sales";
  const used = rows.filter((r) => !isBlank(r));
  const update = (i: number, patch: Partial<Row>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  /** Picking an item fills the line: description, price, account and tax rate of the side. */
  const pickItem = (i: number, it: Item) =>
    update(i, {
      item: it.id,
      itemText: choiceLabel(it),
      description: it.description || it.name,
      unit_price: (sales ? it.sale_price : it.purchase_price) ?? "",
      account: (sales ? it.income_account : it.expense_account) ?? "",
      tax_rate: (sales ? it.sales_tax_rate : it.purchase_tax_rate) ?? "",
    });

  const addRow = (focusRow: number) => {
    setRows((rs) => [...rs, blank()]);
    focusNext.current = [focusRow, "item"];
  };

  const onCellKey = (e: KeyboardEvent, i: number, cell: string) => {
    if (e.key !== "Enter" || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    const ci = CELLS.indexOf(cell as (typeof CELLS)[number]);
    if (ci < CELLS.length - 1) {
      grid.current?.querySelector<HTMLElement>(`[data-row="${i}"][data-cell="${CELLS[ci + 1]}"]`)?.focus();
      return;
    }
    if (i === rows.length - 1) addRow(i + 1);
    else grid.current?.querySelector<HTMLElement>(`[data-row="${i + 1}"][data-cell="item"]`)?.focus();
  };

  const tidy = (i: number) =>
    setRows((rs) => rs.map((r, j) => {
      if (j !== i || !r.unit_price.trim()) return r;
      const v = toMinor(r.unit_price, dp);
      return v === null ? r : { ...r, unit_price: fromMinor(v, dp) };
    }));

  const rowErr = (i: number, f: string) => errors[`row${i}.${f}`];
  const lineAccounts = accounts.filter((a) => a.is_active && (sales ? a.type === "revenue" : a.type === "expense" || a.type === "asset"));

  return (
    <>
      <div class="table-wrap">
        <table class="table entry-grid doc-grid">
          <thead>
            <tr>
              <th class="c-no">#</th><th class="c-item">Item</th><th class="c-desc">Description</th><th class="num c-qty">Qty</th>
              <th class="num c-amt">Unit price</th><th class="num c-pct">Disc. %</th><th class="c-tax">Tax</th><th class="c-acct">Account</th>
              <th class="num c-amt">Amount</th><th class="c-x" />
            </tr>
          </thead>
          <tbody ref={grid}>
            {rows.map((r, i) => {
              const lt = totals.lines[i];
              const hasErr = Object.keys(errors).some((key) => key.startsWith(`row${i}.`));
              return (
                <tr key={r.key} class={hasErr ? "has-error" : ""}>
                  <td class="c-no">{i + 1}</td>
                  <td class="c-item">
                    <Combobox choices={items} value={r.item} text={r.itemText} label={`Line ${i + 1} item`} listId={`item-list-${i}`} attrs={{ "data-row": i, "data-cell": "item" }}
                      placeholder={items.length ? undefined : "(no items)"} optional
                      onPick={(it) => pickItem(i, it)} onText={(t) => update(i, { itemText: t, item: "" })} onEnter={(e) => onCellKey(e, i, "item")} />
                    <LineError e={rowErr(i, "item")} />
                  </td>
                  <td class="c-desc">
                    <input data-row={i} data-cell="description" aria-label={`Line ${i + 1} description`} value={r.description}
                      onInput={(e) => update(i, { description: (e.target as HTMLInputElement).value })} onKeyDown={(e) => onCellKey(e, i, "description")} />
                    <LineError e={rowErr(i, "description")} />
                  </td>
                  <td class="num c-qty">
                    <input data-row={i} data-cell="quantity" aria-label={`Line ${i + 1} quantity`} inputMode="decimal" class="num" value={r.quantity}
                      aria-invalid={lt?.bad === "quantity"} onFocus={(e) => (e.target as HTMLInputElement).select()}
                      onInput={(e) => update(i, { quantity: (e.target as HTMLInputElement).value })} onKeyDown={(e) => onCellKey(e, i, "quantity")} />
                    <LineError e={rowErr(i, "quantity")} />
                  </td>
                  <td class="num c-amt">
                    <input data-row={i} data-cell="unit_price" aria-label={`Line ${i + 1} unit price`} inputMode="decimal" class="num" value={r.unit_price}
                      aria-invalid={lt?.bad === "unit_price"} onFocus={(e) => (e.target as HTMLInputElement).select()} onBlur={() => tidy(i)}
                      onInput={(e) => update(i, { unit_price: (e.target as HTMLInputElement).value })} onKeyDown={(e) => onCellKey(e, i, "unit_price")} />
                    <LineError e={rowErr(i, "unit_price")} />
                  </td>
                  <td class="num c-pct">
                    <input data-row={i} data-cell="discount_percent" aria-label={`Line ${i + 1} discount percent`} inputMode="decimal" class="num" value={r.discount_percent} placeholder="0"
                      aria-invalid={lt?.bad === "discount_percent"} onFocus={(e) => (e.target as HTMLInputElement).select()}
                      onInput={(e) => update(i, { discount_percent: (e.target as HTMLInputElement).value })} onKeyDown={(e) => onCellKey(e, i, "discount_percent")} />
                    <LineError e={rowErr(i, "discount_percent")} />
                  </td>
                  <td class="c-tax">
                    <select data-row={i} data-cell="tax_rate" aria-label={`Line ${i + 1} tax rate`} value={r.tax_rate}
                      onChange={(e) => update(i, { tax_rate: (e.target as HTMLSelectElement).value })} onKeyDown={(e) => onCellKey(e, i, "tax_rate")}>
                      <option value="">No tax</option>
                      {rates.filter((t) => t.is_active || t.id === r.tax_rate).map((t) => <option value={t.id}>{t.name}</option>)}
                    </select>
                    <LineError e={rowErr(i, "tax_rate")} />
                  </td>
                  <td class="c-acct">
                    <select data-row={i} data-cell="account" aria-label={`Line ${i + 1} account`} value={r.account}
                      onChange={(e) => update(i, { account: (e.target as HTMLSelectElement).value })} onKeyDown={(e) => onCellKey(e, i, "account")}>
                      <option value="">(default)</option>
                      {lineAccounts.concat(accounts.filter((a) => a.id === r.account && !lineAccounts.includes(a))).map((a) => <option value={a.id}>{a.code} {a.name}</option>)}
                    </select>
                    <LineError e={rowErr(i, "account")} />
                  </td>
                  <td class="num c-amt line-amount" data-line-net={i}>
                    {isBlank(r) ? "" : formatMinor(lt?.net ?? 0n, dp)}
                    {!isBlank(r) && lt && lt.tax !== 0n && <span class="muted line-tax">+ {formatMinor(lt.tax, dp)} tax</span>}
                    <LineError e={rowErr(i, "non_field_errors")} />
                  </td>
                  <td class="c-x">
                    {rows.length > 1 && <button type="button" class="link" tabIndex={-1} aria-label={`Remove line ${i + 1}`} onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}>×</button>}
                  </td>
                </tr>
              );
            })}
          </tbody>
          <tfoot>
            <tr>
              <td />
              <td colSpan={2}><button type="button" class="link" onClick={() => addRow(rows.length)}>+ Add line</button></td>
              <td colSpan={5} class="right">Subtotal</td>
              <td class="num total" data-total="subtotal">{formatMinor(totals.subtotal, dp)}</td>
              <td />
            </tr>
            {totals.summary.map((t) => (
              <tr key={t.id} class="tax-row">
                <td /><td colSpan={2} />
                <td colSpan={5} class="right">{t.name} on {formatMinor(t.base, dp)}</td>
                <td class="num" data-tax-rate={t.id}>{formatMinor(t.tax, dp)}</td>
                <td />
              </tr>
            ))}
            <tr class="grand">
              <td /><td colSpan={2} class="muted" id="rounding-mode">{used.length} line{used.length === 1 ? "" : "s"}{mode === "document" ? " · tax rounded per document" : ""}</td>
              <td colSpan={5} class="right"><strong>Total {currency}</strong></td>
              <td class="num total" data-total="total"><strong>{formatMinor(totals.total, dp)}</strong></td>
              <td />
            </tr>
          </tfoot>
        </table>
      </div>
      <p class="doc-total-sm" aria-hidden="true">Total {currency} <strong>{formatMinor(totals.total, dp)}</strong></p>
    </>
  );
}
