// The one door to the JSON API: bearer tokens, silent rotating refresh, the company header and
// DRF error bodies turned into messages.
//
// Tokens live in sessionStorage, not localStorage or cookies: they are gone when the tab closes
// (a shared office PC does not stay signed in), each tab has its own session and company, and the
// API takes bearer tokens only (no cookies, so no CSRF surface). The CSP forbids inline and
// foreign scripts, which is what keeps an XSS from reading them.

export type FieldErrors = Record<string, string[]>;

export class ApiError extends Error {
  status: number;
  body: unknown;
  fields: FieldErrors;
  constructor(status: number, body: unknown) {
    super(errorText(body, status));
    this.status = status;
    this.body = body;
    this.fields = {};
    if (body && typeof body === "object" && !("detail" in body)) {
      for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
        if (Array.isArray(v)) this.fields[k] = v.map(String);
        else if (typeof v === "string" && k !== "error") this.fields[k] = [v];
      }
    }
  }
}

export function errorText(body: unknown, status = 0): string {
  if (!body || typeof body !== "object") return status ? `The server answered ${status}.` : "Something went wrong.";
  const b = body as Record<string, unknown>;
  if (typeof b.detail === "string") return b.detail;
  if (typeof b.error === "string") return b.error;
  const parts = Object.entries(b).map(([k, v]) => `${k === "non_field_errors" ? "" : k + ": "}${([] as unknown[]).concat(v).join(" ")}`);
  return parts.join("; ") || "Something went wrong.";
}

const ACCESS = "oasys.access";
const REFRESH = "oasys.refresh";
const COMPANY = "oasys.company";

export const session = {
  access: () => sessionStorage.getItem(ACCESS),
  refresh: () => sessionStorage.getItem(REFRESH),
  company: () => sessionStorage.getItem(COMPANY),
  setCompany(id: string | null) {
    if (id) sessionStorage.setItem(COMPANY, id);
    else sessionStorage.removeItem(COMPANY);
  },
  store(tokens: { access: string; refresh: string }) {
    sessionStorage.setItem(ACCESS, tokens.access);
    sessionStorage.setItem(REFRESH, tokens.refresh);
  },
  clear() {
    sessionStorage.removeItem(ACCESS);
    sessionStorage.removeItem(REFRESH);
    sessionStorage.removeItem(COMPANY);
  },
};

/** Called when the session is over (refresh refused): the app sends the user to sign in. */
let onExpired: () => void = () => {};
export function setExpiredHandler(f: () => void) {
  onExpired = f;
}

let refreshing: Promise<boolean> | null = null;

/** Rotating refresh: each refresh token works once, so store the new pair; one refresh at a time. */
function refreshTokens(): Promise<boolean> {
  if (refreshing) return refreshing;
  const token = session.refresh();
  if (!token) return Promise.resolve(false);
  refreshing = (async () => {
    try {
      const res = await fetch("/api/auth/token/refresh/", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh: token }),
      });
      if (!res.ok) return false;
      const data = await res.json();
      const access = data.access ?? data.tokens?.access;
      const refresh = data.refresh ?? data.tokens?.refresh;
      if (!access || !refresh) return false;
      session.store({ access, refresh });
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as it is (a file, or a multipart form), with its own Content-Type, instead of a JSON body. */
  raw?: Blob | FormData;
  auth?: boolean;
  headers?: Record<string, string>;
}

/** Sends one request with the bearer token and company header; on a 401, refreshes once and retries. */
async function send(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
  const auth = opts.auth !== false;
  const once = () => {
    const headers: Record<string, string> = { Accept: "application/json", ...opts.headers };
    if (opts.body !== undefined && !opts.raw) headers["Content-Type"] = "application/json";
    if (auth) {
      const token = session.access();
      if (token) headers.Authorization = `Bearer ${token}`;
      const company = session.company();
      if (company) headers["X-Company-Id"] = company;
    }
    return fetch(path, { method, headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
  };
  let res = await once();
  if (res.status === 401 && auth && session.refresh()) {
    if (await refreshTokens()) res = await once();
    else {
      session.clear();
      onExpired();
    }
  } else if (res.status === 401 && auth) {
    onExpired();
  }
  return res;
}

function parseBody(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text };
  }
}

export async function api<T = any>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(method, path, opts);
  const data = parseBody(await res.text());
  if (!res.ok) throw new ApiError(res.status, data);
  return data as T;
}

/** A binary answer (a PDF) fetched with the same token and company, for a blob: URL. */
export async function fetchBlob(path: string, accept = "application/pdf"): Promise<Blob> {
  const res = await send("GET", path, { headers: { Accept: `${accept}, application/json;q=0.5` } });
  if (!res.ok) throw new ApiError(res.status, parseBody(await res.text()));
  return res.blob();
}

export const get = <T = any>(path: string) => api<T>("GET", path);
export const post = <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
  api<T>("POST", path, { body: body ?? {}, headers });
export const patch = <T = any>(path: string, body: unknown) => api<T>("PATCH", path, { body });

/** True when the server has no such endpoint (or object): the API answers 404. */
export function isMissing(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404;
}

export function qs(params: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : "";
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface User {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  role: string;
  permissions: string[];
  is_active: boolean;
  tenant: string | null;
  default_company: string | null;
  all_companies: boolean;
  companies: string[];
  last_login: string | null;
  profile: { phone: string; timezone: string; language: string; date_format?: string; negative_style?: string };
}
export interface Company {
  id: string;
  name: string;
  currency: string;
  timezone: string;
  tax_id: string;
  address: string;
  phone: string;
  email: string;
  is_active: boolean;
}
export interface Account {
  id: string;
  code: string;
  name: string;
  type: string;
  subtype: string;
  parent: string | null;
  currency: string | null;
  /** Where the account goes in the cash flow statement; `cash_flow_chosen` false = its subtype's default. */
  cash_flow: "operating" | "investing" | "financing" | "cash";
  cash_flow_chosen: boolean;
  is_active: boolean;
}
export interface Line {
  line_no: number;
  account: string;
  description: string;
  debit_amount: string;
  credit_amount: string;
  base_debit: string;
  base_credit: string;
}
export interface Entry {
  id: string;
  number: number | null;
  date: string;
  reference: string;
  description: string;
  status: string;
  currency: string;
  total: string;
  reverses: string | null;
  reversed_by: string | null;
  posted_at: string | null;
  created_at: string;
  lines: Line[];
}
/** A financial statement (`/api/reports/balance-sheet/`, `profit-and-loss/`, `cash-flow/`, `equity-changes/`). */
export interface Statement {
  report: "balance_sheet" | "profit_and_loss" | "cash_flow" | "equity_changes";
  currency: string;
  columns: { key: string; date_from: string | null; date_to: string }[];
  rows: {
    kind: "section" | "account" | "subtotal" | "total"; key: string; account: string | null; code: string; name: string; depth: number; amounts: string[];
    /** With `budget=` on the profit and loss: per column. */
    budget?: string[]; variance?: string[]; variance_percent?: (string | null)[];
  }[];
  budget?: { id: string; name: string; fiscal_year: number };
}

/** A company of a consolidation and the rates that translated it. */
export interface ConsolidatedCompany {
  id: string;
  name: string;
  currency: string;
  closing_rate: string;
  average_rate: string;
}
/** `/api/reports/consolidated/balance-sheet/` and `profit-and-loss/`. */
export interface ConsolidatedStatement {
  parent: string;
  companies: ConsolidatedCompany[];
  statement: Omit<Statement, "report"> & { report: string };
}
/** `/api/reports/consolidated/trial-balance/`. */
export interface ConsolidatedTrialBalance {
  parent: string;
  currency: string;
  as_of: string;
  companies: ConsolidatedCompany[];
  rows: { account: string | null; code: string; name: string; type: string; intercompany: boolean; amounts: string[]; total: string }[];
  total_debit: string;
  total_credit: string;
}

export interface TrialBalance {
  as_of: string;
  currency: string;
  rows: { account: string; code: string; name: string; type: string; debit: string; credit: string }[];
  totals: { debit: string; credit: string };
}
