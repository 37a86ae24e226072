// Inventory (issue 19): the shapes and paths of the stock API (`/api/inventory/…`, the stock
// engine's) and of the inventory reports (`/api/inventory/reports/…`), and how quantities show.
// Quantities arrive as decimal text with three decimals in the item's base unit ("12.500").
import { isMissing } from "../api";
import "./inventory.css";

export const ITEMS = "/api/inventory/items/";
export const WAREHOUSES = "/api/inventory/warehouses/";
export const MOVES = "/api/inventory/moves/";
export const COUNTS = "/api/inventory/counts/";
export const SETTINGS = "/api/inventory/settings/";
export const REPORTS = "/api/inventory/reports/";
export const FROM_REORDER = "/api/purchase/orders/from-reorder/";

export interface Warehouse {
  id: string;
  code: string;
  name: string;
  is_active: boolean;
}

export interface Location {
  id: string;
  warehouse: string;
  code: string;
  name: string;
}

export interface StockItem {
  id: string;
  code: string;
  name: string;
  kind: string;
  unit: string;
  purchase_price: string;
  sale_price: string;
  is_active: boolean;
  inventory_account?: string | null;
  cogs_account?: string | null;
  price_difference_account?: string | null;
  reorder_point?: string | null;
  reorder_quantity?: string | null;
  tracking?: "none" | "lot" | "serial";
}

export interface Move {
  id: string;
  kind: string;
  date: string;
  item: string;
  item_code?: string;
  warehouse: string;
  warehouse_code?: string;
  quantity: string;
  value: string;
  source_kind?: string | null;
  memo?: string;
}

export interface StockRow {
  item: string;
  item_code: string;
  item_name: string;
  unit: string;
  warehouse: string;
  warehouse_code: string;
  warehouse_name: string;
  quantity: string;
  value: string;
  unit_cost: string | null;
  account: string | null;
}

export interface OnHand {
  as_of: string;
  currency: string;
  count: number;
  next: string | null;
  previous: string | null;
  results: StockRow[];
}

export interface Valuation extends OnHand {
  total_value: string;
  accounts: { account: string | null; code: string; name: string; value: string }[];
}

export interface Check {
  as_of: string;
  currency: string;
  ok: boolean;
  accounts: { account: string; code: string; name: string; valuation: string; ledger: string; difference: string }[];
}

export interface Movements {
  item: { id: string; code: string; name: string; unit: string };
  warehouse: string | null;
  date_from: string | null;
  date_to: string;
  currency: string;
  opening_quantity: string;
  opening_value: string;
  count: number;
  next: string | null;
  previous: string | null;
  results: {
    id: string;
    date: string;
    kind: string;
    warehouse: string;
    warehouse_code: string;
    lot: string | null;
    quantity: string;
    value: string;
    quantity_on_hand: string;
    value_on_hand: string;
    source_kind: string | null;
    source_id: string | null;
    journal_entry: string | null;
  }[];
}

export interface ReorderRow {
  item: string;
  code: string;
  name: string;
  unit: string;
  on_hand: string;
  reorder_point: string;
  reorder_quantity: string | null;
  suggested_quantity: string;
  purchase_price: string;
}

export interface MarginRow {
  id?: string;
  code?: string;
  name?: string;
  revenue: string;
  cogs: string;
  margin: string;
  margin_percent: string | null;
}

export interface Margin {
  date_from: string;
  date_to: string;
  currency: string;
  items: MarginRow[];
  customers: MarginRow[];
  total: MarginRow;
}

/** A quantity as people read it: "12.500" → "12.5", "3.000" → "3", grouped thousands. */
export function qty(text: string | null | undefined): string {
  if (text == null || text === "") return "";
  const neg = text.startsWith("-");
  const [whole, frac = ""] = (neg ? text.slice(1) : text).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const f = frac.replace(/0+$/, "");
  return `${neg ? "-" : ""}${grouped}${f ? "." + f : ""}`;
}

/** Whether a typed quantity is a number with at most three decimals (the stock's precision). */
export function validQty(text: string, allowNegative = false): boolean {
  return (allowNegative ? /^-?\d+(\.\d{1,3})?$/ : /^\d+(\.\d{1,3})?$/).test(text.trim());
}

/** A 404 from an endpoint this server does not have yet, as a sentence. */
export function missingText(e: unknown, what: string): string | null {
  return isMissing(e) ? `${what} is not available on this server yet (the API answered 404).` : null;
}

export const MOVE_KINDS: [string, string][] = [
  ["receipt", "Receipt"],
  ["transfer", "Transfer"],
  ["adjustment", "Adjustment"],
  ["return_in", "Return from customer"],
  ["return_out", "Return to vendor"],
];
