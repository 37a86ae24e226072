// Banking (`/api/banking/`, README "Banking"): the shapes the API returns, where they live, and the
// one way the banking pages call the endpoints that a server may not have yet.
//
// The bank accounts, imports, lines and reconciliation sessions are older than the suggestions,
// the actions that create from a line (payment, expense, transfer, fee), the rules and the CSV
// column mapper. A server without those answers 404 on them: the pages then say so in words
// (`missingText`) and keep working with what the server has.
import { api, ApiError, isMissing, type Page } from "./api";
import { useQuery } from "./query";
import "./banking.css";

export const BANKING = "/api/banking/";
export const BANK_ACCOUNTS_API = "/api/banking/accounts/";
export const RULES_API = "/api/banking/rules/";
export const RECONCILIATIONS_API = "/api/banking/reconciliations/";
export const LINES_API = "/api/banking/lines/";

export interface BankAccount {
  id: string;
  account: string;
  name: string;
  currency: string;
  iban: string;
  account_number: string;
  bic: string;
  bank_name: string;
  opening_balance: string;
  opening_date: string | null;
  statement_balance: string | null;
  statement_date: string | null;
  book_balance: string;
  unreconciled_count: number;
  is_active: boolean;
  created_at: string;
  updated_at: string;
}

export type LineStatus = "unmatched" | "matched" | "reconciled" | "ignored";

export interface StatementLine {
  id: string;
  bank_account: string;
  import: string;
  date: string;
  value_date: string | null;
  /** Positive is money in. */
  amount: string;
  currency: string;
  text: string;
  counterparty: string;
  counterparty_account: string;
  reference: string;
  bank_id: string | null;
  status: LineStatus;
  matched_kind: string | null;
  matched_id: string | null;
  journal_entry: string | null;
  reconciliation: string | null;
}

export type CandidateKind = "invoice" | "bill" | "payment" | "journal_entry";

/** One candidate for a line, with why it scores as it does. */
export interface Suggestion {
  kind: CandidateKind;
  id: string;
  reference: string;
  contact: string | null;
  date: string;
  amount: string;
  open_amount: string;
  score: number;
  reasons: string[];
  explanation: string;
}

/** What a bank rule proposes for a line. */
export interface RuleProposal {
  id: string;
  name: string;
  account: string | null;
  contact: string | null;
  tax_rate: string | null;
  description: string;
}

export interface LineSuggestions {
  line: StatementLine;
  suggestions: Suggestion[];
  rule: RuleProposal | null;
  auto: boolean;
}

export interface BankRule {
  id: string;
  name: string;
  priority: number;
  bank_account: string | null;
  text_contains: string;
  text_regex: string;
  amount_min: string | null;
  amount_max: string | null;
  counterparty_account: string;
  account: string | null;
  contact: string | null;
  tax_rate: string | null;
  description: string;
  is_active: boolean;
}

export interface StatedBalance {
  date: string;
  amount: string;
}

export interface PreviewLine {
  row: number;
  date: string;
  value_date: string | null;
  amount: string;
  text: string;
  counterparty: string;
  counterparty_account: string;
  reference: string;
  bank_id: string | null;
  duplicate: boolean;
}

/** The CSV layout the server guessed (or was told): column indexes into `header`. */
export interface CsvLayout {
  delimiter: string;
  decimal_separator: string;
  date_format: string;
  skip_rows: number;
  encoding: string;
  header: string[];
  columns: {
    date: number | null;
    amount: number | null;
    debit: number | null;
    credit: number | null;
    text: number[];
    counterparty: number | null;
    counterparty_account: number | null;
    reference: number | null;
    balance: number | null;
    /** The signed amount column's sign is turned round (debit and credit columns need none). */
    invert_amount?: boolean;
  };
}

export interface StatementPreview {
  format: string;
  file_name: string;
  sha256: string;
  period_from: string | null;
  period_to: string | null;
  opening_balance: StatedBalance | null;
  closing_balance: StatedBalance | null;
  balance_check: "agrees" | "differs" | "not_stated";
  computed_closing_balance: string | null;
  lines_total: number;
  lines_new: number;
  lines_duplicate: number;
  lines: PreviewLine[];
  /** Only from servers with the column mapper; null for formats other than CSV. */
  csv?: CsvLayout | null;
}

export interface StatementImport {
  id: string;
  bank_account: string;
  format: string;
  file_name: string;
  period_from: string | null;
  period_to: string | null;
  opening_balance: string | null;
  closing_balance: string | null;
  lines_new: number;
  lines_duplicate: number;
  created_at: string;
}

/** A statement import running in the background (`background=true`), as polled. */
export interface ImportJob {
  id: string;
  bank_account: string;
  stage: "queued" | "parsing" | "checking" | "writing" | "done" | "failed";
  lines_done: number;
  lines_total: number | null;
  created_at: string;
  finished_at: string | null;
  result: StatementImport | null;
  error_status: number | null;
  error: Record<string, unknown> | null;
}

export const IMPORT_JOBS_API = "/api/banking/import-jobs/";

export type SessionStatus = "draft" | "submitted" | "approved";

export interface Reconciliation {
  id: string;
  bank_account: string;
  statement_date: string;
  closing_balance: string;
  status: SessionStatus;
  created_by: string;
  submitted_by: string | null;
  approved_by: string | null;
  created_at: string;
}

export interface ReconciliationReport {
  reconciliation: Reconciliation;
  currency: string;
  opening_balance: string;
  reconciled_total: string;
  book_balance: string;
  statement_balance: string;
  difference: string;
  gl_balance: string;
  outstanding_total: string;
}

export const FORMAT_NAMES: Record<string, string> = {
  csv: "CSV",
  ofx: "OFX / QFX",
  qif: "QIF",
  camt053: "CAMT.053 (ISO 20022 statement)",
  camt052: "CAMT.052 (ISO 20022 account report)",
  mt940: "MT940 (SWIFT)",
};

/** The company's bank accounts, archived ones too (the chart of bank accounts is short). */
export function useBankAccounts() {
  return useQuery<Page<BankAccount>>(`${BANK_ACCOUNTS_API}?page_size=200`);
}

/** What a page says when the server answers 404 on an endpoint newer than it. */
export function missingText(what: string): string {
  return `${what}: this server does not have it yet (the API answered 404). It works once the server is upgraded.`;
}

/**
 * A request to one of the newer banking endpoints: a 404 becomes an error that says the server
 * does not have it (instead of "Not found."), every other error is the API's own.
 */
export async function bankCall<T = any>(method: string, path: string, body: unknown, what: string): Promise<T> {
  try {
    return await api<T>(method, path, { body });
  } catch (e) {
    if (isMissing(e)) throw new ApiError(404, { detail: missingText(what) });
    throw e;
  }
}

/** Every cached banking answer, and what a write there changes elsewhere (the ledger, documents). */
export const BANKING_TOUCHES = [BANKING, "/api/reports/", "/api/accounting/journal-entries/", "/api/invoicing/", "/api/purchase/"];
