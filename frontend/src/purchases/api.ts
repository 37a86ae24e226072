// The purchase flow's shapes and paths (docs/purchases.md): purchase orders, receipts, a bill's
// three-way match, landed costs.
export const ORDERS_API = "/api/purchase/orders/";
export const RECEIPTS_API = "/api/purchase/receipts/";
export const billMatchApi = (id: string) => `/api/purchase/bills/${id}/match/`;
export const landedApi = (id: string) => `/api/purchase/bills/${id}/landed-costs/`;

export interface OrderLine {
  line: number;
  item: string | null;
  description: string;
  quantity: string;
  unit_price: string;
  discount_percent: string;
  tax_rate: string | null;
  account: string;
  net_amount: string;
  tax_amount: string;
  received: string;
  billed: string;
  remaining_to_receive: string;
  remaining_to_bill: string;
}

export interface ReceiptLine {
  line: number;
  order_line: number;
  item: string | null;
  description: string;
  quantity: string;
  value: string;
  billed: string;
  remaining_to_bill: string;
  stock_move: string | null;
}

export interface Receipt {
  id: string;
  number: string;
  order: string;
  order_number: string;
  vendor_name: string;
  date: string;
  warehouse: string | null;
  reference: string;
  journal_entry: string | null;
  value: string;
  lines: ReceiptLine[];
}

export interface Order {
  id: string;
  number: string;
  status: string;
  vendor: string;
  vendor_name: string;
  order_date: string;
  expected_date: string | null;
  reference: string;
  notes: string;
  currency: string;
  subtotal: string;
  tax_total: string;
  total: string;
  lines: OrderLine[];
  receipts: Receipt[];
  bills: string[];
}

export interface MatchLine {
  bill_line: number;
  description: string;
  order: string;
  order_number: string;
  order_line: number;
  receipt: string | null;
  receipt_number: string | null;
  receipt_line: number | null;
  ordered: string;
  received: string;
  billed: string;
  quantity: string;
  order_unit_price: string;
  bill_unit_price: string;
  bill_net: string;
  receipt_value: string;
  price_difference: string;
  flagged: boolean;
}

export interface Match {
  bill: string;
  number: string | null;
  status: string;
  lines: MatchLine[];
  price_difference: string;
}

/** Whether a decimal quantity text is above zero. */
export function positive(q: string): boolean {
  return /[1-9]/.test(q) && !q.trim().startsWith("-");
}
