// Receivables and payables (docs/receivables-api.md): the shapes the API returns, the four kinds
// of document and where each lives, and the live totals of a document being edited.
//
// Totals are exact: every quantity, price and percentage is read as a BigInt over a power of ten
// and each rounding is one integer division, half away from zero, to the currency's decimals —
// the contract's rule, per line by default or per document (`tax_rounding`). No floats touch
// money. The figures the server returns after a save are the authoritative ones.
import type { Page } from "./api";
import { useQuery } from "./query";
import "./receivables.css";

// ---- shapes -----------------------------------------------------------------------------------
export interface Contact {
  id: string;
  name: string;
  is_customer: boolean;
  is_vendor: boolean;
  tax_id: string;
  emails: string[];
  phone: string;
  billing_address: string;
  shipping_address: string;
  country: string;
  payment_terms_days: number;
  currency: string;
  revenue_account: string | null;
  expense_account: string | null;
  notes: string;
  is_active: boolean;
  balance: string;
  created_at: string;
  updated_at: string;
}

export interface Item {
  id: string;
  code: string;
  name: string;
  description: string;
  kind: "service" | "product";
  unit: string;
  sale_price: string;
  purchase_price: string;
  income_account: string | null;
  expense_account: string | null;
  sales_tax_rate: string | null;
  purchase_tax_rate: string | null;
  is_active: boolean;
}

export interface TaxRate {
  id: string;
  name: string;
  kind: "vat" | "gst" | "sales_tax" | "other";
  rate: string;
  is_inclusive: boolean;
  sales_account: string | null;
  purchase_account: string | null;
  is_active: boolean;
}

export interface DocLine {
  item: string | null;
  description: string;
  quantity: string;
  unit_price: string;
  discount_percent: string;
  tax_rate: string | null;
  account: string | null;
  net_amount?: string;
  tax_amount?: string;
}

export type DocKind = "invoice" | "credit_note" | "bill" | "vendor_credit";
export type DocStatus = "draft" | "issued" | "partially_paid" | "paid" | "void";

export interface Doc {
  id: string;
  kind: DocKind;
  number: string | null;
  status: DocStatus;
  contact: string;
  contact_name: string;
  issue_date: string;
  due_date: string;
  currency: string;
  /** Company currency per unit of `currency`; null in the company currency (or a draft taking the rate of its date). */
  exchange_rate?: string | null;
  /** `total` and `balance_due` in the company currency at the document's rate. */
  total_company?: string | null;
  balance_due_company?: string | null;
  reference: string;
  notes: string;
  payment_terms_days: number;
  credited_document: string | null;
  lines: DocLine[];
  subtotal: string;
  tax_total: string;
  total: string;
  amount_paid: string;
  balance_due: string;
  tax_summary: { tax_rate: string; name: string; rate: string; base: string; tax: string }[];
  journal_entry: string | null;
  void_entry: string | null;
  duplicate_reference: boolean;
  issued_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface Payment {
  id: string;
  direction: "received" | "made";
  contact: string;
  contact_name?: string;
  date: string;
  amount: string;
  currency?: string;
  bank_account: string;
  reference: string;
  status: string;
  exchange_rate?: string | null;
  allocations: { document: string; amount: string; date?: string; document_number?: string; exchange_entry?: string | null }[];
  unallocated: string;
  journal_entry: string | null;
  void_entry: string | null;
}

export type Frequency = "weekly" | "monthly" | "quarterly" | "yearly";

/** A recurring invoice: a template of lines and a schedule (`/api/invoicing/recurring-invoices/`). */
export interface Recurring {
  id: string;
  name: string;
  contact: string;
  frequency: Frequency;
  every: number;
  start_date: string;
  end_date: string | null;
  /** The next invoice's date; null once the schedule has ended. */
  next_date: string | null;
  payment_terms_days: number | null;
  reference: string;
  notes: string;
  auto_issue: boolean;
  is_active: boolean;
  generated: number;
  lines: DocLine[];
  created_at: string;
  updated_at: string;
}

// ---- kinds and places -----------------------------------------------------------------------
export type Side = "sales" | "purchase";

export interface KindInfo {
  kind: DocKind;
  side: Side;
  /** The API collection, with its trailing slash. */
  api: string;
  /** The web app's list path. */
  route: string;
  title: string;
  one: string;
  module: [string, string];
  /** For invoices and bills: the kind that credits them. */
  creditKind?: DocKind;
  /** For credit notes and vendor credits: the kind they credit. */
  credits?: DocKind;
  /** Payments can be recorded against it. */
  payable: boolean;
}

export const SALES: [string, string] = ["Sales", "/sales/invoices"];
export const PURCHASES: [string, string] = ["Purchases", "/purchases/bills"];

export const KINDS: Record<DocKind, KindInfo> = {
  invoice: { kind: "invoice", side: "sales", api: "/api/invoicing/invoices/", route: "/sales/invoices", title: "Invoices", one: "invoice", module: SALES, creditKind: "credit_note", payable: true },
  credit_note: { kind: "credit_note", side: "sales", api: "/api/invoicing/credit-notes/", route: "/sales/credit-notes", title: "Credit notes", one: "credit note", module: SALES, credits: "invoice", payable: false },
  bill: { kind: "bill", side: "purchase", api: "/api/purchase/bills/", route: "/purchases/bills", title: "Bills", one: "bill", module: PURCHASES, creditKind: "vendor_credit", payable: true },
  vendor_credit: { kind: "vendor_credit", side: "purchase", api: "/api/purchase/vendor-credits/", route: "/purchases/vendor-credits", title: "Vendor credits", one: "vendor credit", module: PURCHASES, credits: "bill", payable: false },
};

export interface ContactInfo {
  side: Side;
  api: string;
  route: string;
  title: string;
  one: string;
  module: [string, string];
}

export const CONTACTS: Record<Side, ContactInfo> = {
  sales: { side: "sales", api: "/api/sales/customers/", route: "/sales/customers", title: "Customers", one: "customer", module: SALES },
  purchase: { side: "purchase", api: "/api/purchase/vendors/", route: "/purchases/vendors", title: "Vendors", one: "vendor", module: PURCHASES },
};

export const ITEMS_API = "/api/inventory/items/";
export const RECURRING_API = "/api/invoicing/recurring-invoices/";
export const PERIODS_API = "/api/accounting/periods/";
export const TAX_RATES_API = "/api/accounting/tax-rates/";
export const PAYMENTS_API = "/api/invoicing/payments/";

export const STATUS_LABEL: Record<string, string> = {
  draft: "draft",
  issued: "issued",
  partially_paid: "partially paid",
  paid: "paid",
  void: "void",
  posted: "posted",
};

/** Open, due before today and not settled. */
export function isOverdue(d: Pick<Doc, "status" | "due_date" | "balance_due">, today: string): boolean {
  return (d.status === "issued" || d.status === "partially_paid") && !!d.due_date && d.due_date < today && !/^-?0*(\.0*)?$/.test(d.balance_due ?? "0");
}

/** `YYYY-MM-DD` plus n days (calendar arithmetic in UTC, no time zone drift). */
export function addDays(iso: string, n: number): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m || !Number.isFinite(n)) return "";
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + n));
  return d.toISOString().slice(0, 10);
}

// ---- shared lookups (small lists, cached) ---------------------------------------------------
export function useContacts(side: Side) {
  return useQuery<Page<Contact>>(`${CONTACTS[side].api}?page_size=200&ordering=name`);
}
export function useItems() {
  return useQuery<Page<Item>>(`${ITEMS_API}?page_size=200&ordering=code`);
}
export function useTaxRates() {
  return useQuery<Page<TaxRate>>(`${TAX_RATES_API}?page_size=200`);
}

/**
 * How the company rounds tax, `line` or `document` (the `tax_rounding` of
 * `/api/accounting/periods/`): the editors' live totals round as the server will. `line` until the
 * setting is known, and when it cannot be read.
 */
export function useTaxRounding(): string {
  const q = useQuery<{ tax_rounding?: string }>(PERIODS_API);
  return q.data?.tax_rounding === "document" ? "document" : "line";
}

// ---- exact decimal arithmetic -----------------------------------------------------------------
/** A decimal as n / 10^s. */
export interface Dec {
  n: bigint;
  s: number;
}

/** "1,234.5", "-0.25", "" (→ fallback) into an exact decimal; null when it is not a number. */
export function parseDec(text: string | null | undefined, fallback: string | null = null): Dec | null {
  let t = (text ?? "").trim().replace(/[,\s_]/g, "");
  if (t === "" && fallback !== null) t = fallback;
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return null;
  const frac = m[3] ?? "";
  if (frac.length > 12) return null;
  const v = BigInt((m[2] || "0") + frac);
  return { n: m[1] ? -v : v, s: frac.length };
}

const pow10 = (k: number) => 10n ** BigInt(k);

/** num / den rounded half away from zero (den > 0). */
export function divRound(num: bigint, den: bigint): bigint {
  if (den < 0n) return divRound(-num, -den);
  const neg = num < 0n;
  const a = neg ? -num : num;
  let q = a / den;
  if ((a % den) * 2n >= den) q += 1n;
  return neg ? -q : q;
}

export interface CalcInput {
  quantity: string;
  unit_price: string;
  discount_percent: string;
  tax_rate: string | null;
}

export interface CalcRate {
  id: string;
  name: string;
  rate: string;
  is_inclusive: boolean;
}

export interface LineTotals {
  /** Net of tax, minor units. */
  net: bigint;
  tax: bigint;
  /** A field that is not a number: "quantity", "unit_price", "discount_percent" or "" when fine. */
  bad: string;
}

export interface DocTotals {
  lines: LineTotals[];
  subtotal: bigint;
  tax: bigint;
  total: bigint;
  summary: { id: string; name: string; rate: string; base: bigint; tax: bigint }[];
  bad: boolean;
}

/**
 * The contract's arithmetic. Per line: `amount = round(quantity × unit_price × (1 − discount/100))`;
 * an exclusive rate adds `round(amount × rate/100)`; an inclusive rate splits the amount as gross:
 * `tax = round(amount × rate/(100 + rate))`, `net = amount − tax`. With `mode = "document"` the
 * unrounded tax is summed per rate and rounded once; as the server does, the difference from the
 * sum of the line roundings goes to that rate's largest line (the first of equals), so the lines
 * still add up to the totals.
 */
export function computeTotals(inputs: CalcInput[], rates: CalcRate[], dp: number, mode: string = "line"): DocTotals {
  const byId = new Map(rates.map((r) => [r.id, r]));
  const scale = pow10(dp);
  const lines: (LineTotals & { amount: bigint; rate?: CalcRate })[] = [];
  // Per rate, in order of first use: the unrounded tax as num / den (one den per rate) and its lines.
  const perRate = new Map<string, { rate: CalcRate; num: bigint; den: bigint; members: number[] }>();
  let bad = false;
  for (const l of inputs) {
    const q = parseDec(l.quantity, "0");
    const p = parseDec(l.unit_price, "0");
    const d = parseDec(l.discount_percent, "0");
    if (!q || !p || !d) {
      bad = true;
      lines.push({ net: 0n, tax: 0n, amount: 0n, bad: !q ? "quantity" : !p ? "unit_price" : "discount_percent" });
      continue;
    }
    // quantity × price × (100·10^sd − D) / (100·10^sd), in minor units.
    const hundred = 100n * pow10(d.s);
    const amount = divRound(q.n * p.n * (hundred - d.n) * scale, pow10(q.s) * pow10(p.s) * hundred);
    const rate = l.tax_rate ? byId.get(l.tax_rate) : undefined;
    const r = rate ? parseDec(rate.rate, "0") : null;
    if (!rate || !r) {
      lines.push({ net: amount, tax: 0n, amount, bad: "" });
      continue;
    }
    const rHundred = 100n * pow10(r.s);
    const num = amount * r.n;
    const den = rate.is_inclusive ? rHundred + r.n : rHundred;
    const tax = den === 0n ? 0n : divRound(num, den);
    const slot = perRate.get(rate.id) ?? { rate, num: 0n, den, members: [] };
    slot.num += num;
    slot.members.push(lines.length);
    perRate.set(rate.id, slot);
    lines.push({ net: 0n, tax, amount, rate, bad: "" });
  }
  if (mode === "document") {
    for (const { num, den, members } of perRate.values()) {
      if (den === 0n || !members.length) continue;
      const diff = divRound(num, den) - members.reduce((s, i) => s + lines[i].tax, 0n);
      if (diff === 0n) continue;
      const abs = (v: bigint) => (v < 0n ? -v : v);
      let largest = members[0];
      for (const i of members) if (abs(lines[i].amount) > abs(lines[largest].amount)) largest = i;
      lines[largest].tax += diff;
    }
  }
  for (const l of lines) if (!l.bad) l.net = l.rate?.is_inclusive ? l.amount - l.tax : l.amount;
  const summary: DocTotals["summary"] = [];
  for (const { rate, members } of perRate.values()) {
    summary.push({
      id: rate.id, name: rate.name, rate: rate.rate,
      base: members.reduce((s, i) => s + lines[i].net, 0n),
      tax: members.reduce((s, i) => s + lines[i].tax, 0n),
    });
  }
  const subtotal = lines.reduce((s, l) => s + l.net, 0n);
  const tax = lines.reduce((s, l) => s + l.tax, 0n);
  return { lines: lines.map(({ net, tax, bad }) => ({ net, tax, bad })), subtotal, tax, total: subtotal + tax, summary, bad };
}
