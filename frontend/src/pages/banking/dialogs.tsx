// What the reconciliation screen creates from one statement line, each a small dialog built for the
// keyboard (the first field has the focus, Enter in any field sends, Escape closes): a payment
// allocated to the contact's open documents (`p`), an expense or income entry with tax (`e`), a
// transfer to another of the firm's bank accounts (`t`), a bank fee (`f`).
// Each is one POST under `/api/banking/lines/{id}/`; a server without it answers 404, which the
// dialog shows in words (`bankCall`).
import { useEffect, useRef, useState } from "preact/hooks";
import { api, qs, type Page as PageT } from "../../api";
import { bankCall, LINES_API, type BankAccount, type RuleProposal, type StatementLine } from "../../banking";
import { CONTACTS, KINDS, useContacts, useTaxRates, type Doc } from "../../documents";
import { formatDate } from "../../format";
import { decimals, formatMinor, fromMinor, toMinor } from "../../money";
import { useQuery } from "../../query";
import { Dialog, Empty, FieldError, fieldErrors, FormErrors, Money, toastError } from "../../ui";
import { useAccounts } from "../accounts";

export type Creating = "payment" | "expense" | "transfer" | "fee";

/** Enter on a select sends the form too (a browser sends it only from text inputs). */
function enterSends(e: KeyboardEvent) {
  const t = e.target as HTMLElement;
  if (e.key === "Enter" && t.tagName === "SELECT") {
    e.preventDefault();
    (t as HTMLSelectElement).form?.requestSubmit();
  }
}

/** The first field takes the focus once the dialog is open (after <dialog> focused its close button). */
function useFirstFocus<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => ref.current?.focus(), []);
  return ref;
}

function LineFacts({ line }: { line: StatementLine }) {
  return (
    <p class="muted line-facts">
      {formatDate(line.date)} · {line.counterparty || "no counterparty"} · {line.text} ·{" "}
      <strong class={line.amount.startsWith("-") ? "out" : "in"}><Money value={line.amount} currency={line.currency} /></strong>
    </p>
  );
}

interface Props {
  line: StatementLine;
  onClose: () => void;
  /** Called with the answer after the line was matched. */
  onDone: (what: string) => void;
}

/** Sends one action and places its field errors; true when it went through. */
function useSend() {
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const send = async (path: string, body: unknown, what: string) => {
    setBusy(true);
    try {
      await bankCall("POST", path, body, what);
      setErrors({});
      return true;
    } catch (e) {
      const f = fieldErrors(e);
      setErrors(Object.keys(f).length ? f : { non_field_errors: [e instanceof Error ? e.message : String(e)] });
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { errors, busy, send };
}

export function PaymentDialog({ line, onClose, onDone }: Props) {
  const dp = decimals(line.currency);
  const incoming = !line.amount.startsWith("-");
  const side = incoming ? "sales" : "purchase";
  const kind = incoming ? KINDS.invoice : KINDS.bill;
  const contacts = useContacts(side).data?.results ?? [];
  const [contact, setContact] = useState("");
  const [amounts, setAmounts] = useState<Record<string, string>>({});
  const docs = useQuery<PageT<Doc>>(contact ? `${kind.api}${qs({ contact, page_size: 100, ordering: "due_date" })}` : null);
  const open = (docs.data?.results ?? []).filter((d) => d.status === "issued" || d.status === "partially_paid");
  const total = toMinor(line.amount.replace(/^-/, ""), dp) ?? 0n;
  const { errors, busy, send } = useSend();
  const first = useFirstFocus<HTMLSelectElement>();
  // Once the contact's documents are in, the line's amount goes to the oldest first.
  useEffect(() => {
    let rest = total;
    const next: Record<string, string> = {};
    for (const d of open) {
      if (rest <= 0n) break;
      const due = toMinor(d.balance_due, dp) ?? 0n;
      const take = due < rest ? due : rest;
      if (take > 0n) next[d.id] = fromMinor(take, dp);
      rest -= take;
    }
    setAmounts(next);
  }, [docs.data]);
  let sum = 0n;
  for (const v of Object.values(amounts)) sum += toMinor(v, dp) ?? 0n;
  const submit = async (e: Event) => {
    e.preventDefault();
    const allocations = Object.entries(amounts)
      .filter(([, v]) => (toMinor(v, dp) ?? 0n) > 0n)
      .map(([document, v]) => ({ document, amount: fromMinor(toMinor(v, dp) ?? 0n, dp) }));
    if (await send(`${LINES_API}${line.id}/payment/`, { contact, allocations }, "Creating a payment from a line")) onDone(incoming ? "Payment received" : "Payment made");
  };
  return (
    <Dialog title={incoming ? "Payment received" : "Payment made"} onClose={onClose} id="payment-dialog">
      <form class="form" onSubmit={submit} onKeyDown={enterSends}>
        <LineFacts line={line} />
        <label>{incoming ? "Customer" : "Vendor"}
          <select ref={first} name="contact" value={contact} onChange={(e) => setContact((e.target as HTMLSelectElement).value)} required>
            <option value="">Choose…</option>
            {contacts.filter((c) => c.is_active).map((c) => <option value={c.id}>{c.name}</option>)}
          </select>
          <FieldError errors={errors} name="contact" />
        </label>
        {contact && docs.data && (open.length === 0 ? <Empty>No open {kind.title.toLowerCase()}: the payment is the contact's credit.</Empty> : (
          <table class="table compact">
            <thead><tr><th>{kind.one}</th><th>Due</th><th class="num">Balance due</th><th class="num">Allocate</th></tr></thead>
            <tbody>
              {open.map((d) => (
                <tr key={d.id}>
                  <td>{d.number}</td><td>{formatDate(d.due_date)}</td>
                  <td class="num"><Money value={d.balance_due} currency={d.currency} /></td>
                  <td class="num"><input class="num alloc-input" inputMode="decimal" aria-label={`Allocate to ${d.number}`} value={amounts[d.id] ?? ""}
                    onInput={(e) => setAmounts({ ...amounts, [d.id]: (e.target as HTMLInputElement).value })} /></td>
                </tr>
              ))}
            </tbody>
            <tfoot><tr><td colSpan={3} class="right">Allocated of {formatMinor(total, dp)}</td><td class="num">{formatMinor(sum, dp)}</td></tr></tfoot>
          </table>
        ))}
        <FieldError errors={errors} name="allocations" />
        <FormErrors errors={errors} shown={["contact", "allocations"]} />
        <div class="buttons">
          <button class="primary" type="submit" disabled={busy || !contact}>Create payment</button>
          <button type="button" onClick={onClose}>Cancel</button>
          <span class="muted hint">{CONTACTS[side].title} · Enter sends · Esc closes</span>
        </div>
      </form>
    </Dialog>
  );
}

/** One account `/api/capture/suggest-account/` proposes for a line, with its reason. */
interface AccountHint {
  account: string;
  code: string;
  name: string;
  source: "rule" | "history" | "contact" | "ai";
  reason: string;
  confidence: number;
}

const AI_WORDS: Record<string, string> = {
  off: " (AI help is off)",
  limit_reached: " (this month's AI limit is reached)",
  failed: " (the AI endpoint did not help)",
};

export function ExpenseDialog({ line, rule, onClose, onDone }: Props & { rule: RuleProposal | null }) {
  const incoming = !line.amount.startsWith("-");
  const chart = useAccounts().data?.results ?? [];
  const rates = useTaxRates().data?.results ?? [];
  const vendors = useContacts(incoming ? "sales" : "purchase").data?.results ?? [];
  const wanted = incoming ? "revenue" : "expense";
  // The side's own accounts first, then the rest of the chart (an asset bought, a loan repaid).
  const accounts = [...chart.filter((a) => a.is_active && a.type === wanted), ...chart.filter((a) => a.is_active && a.type !== wanted)];
  const [form, setForm] = useState({
    account: rule?.account ?? "",
    tax_rate: rule?.tax_rate ?? "",
    description: rule?.description || line.text,
    contact: rule?.contact ?? "",
  });
  const { errors, busy, send } = useSend();
  const first = useFirstFocus<HTMLSelectElement>();
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  // Asked for, not fetched on open: a suggestion may call the firm's paid AI endpoint.
  const [hints, setHints] = useState<{ list: AccountHint[]; ai: string } | null>(null);
  const suggest = async () => {
    try {
      const r = await api<{ suggestions: AccountHint[]; ai: string }>("POST", "/api/capture/suggest-account/", { body: { bank_line: line.id } });
      setHints({ list: r.suggestions, ai: r.ai });
      if (!form.account && r.suggestions[0]) setForm({ ...form, account: r.suggestions[0].account });
    } catch (err) {
      toastError(err);
    }
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = { account: form.account || null, tax_rate: form.tax_rate || null, description: form.description.trim() || null, contact: form.contact || null };
    if (await send(`${LINES_API}${line.id}/expense/`, body, "Creating an expense from a line")) onDone(incoming ? "Income entry posted" : "Expense entry posted");
  };
  return (
    <Dialog title={incoming ? "Income" : "Expense"} onClose={onClose} id="expense-dialog">
      <form class="form" onSubmit={submit} onKeyDown={enterSends}>
        <LineFacts line={line} />
        {rule && <p class="rule-note">From the rule “{rule.name}”.</p>}
        <label>Account
          <select ref={first} name="account" value={form.account} onChange={set("account")} required>
            <option value="">Choose…</option>
            {accounts.map((a) => <option value={a.id}>{a.code} {a.name}</option>)}
          </select>
          <FieldError errors={errors} name="account" />
        </label>
        {!rule && <button type="button" class="link" id="suggest-account" onClick={suggest}>Suggest an account</button>}
        {hints && (hints.list.length === 0
          ? <p class="muted" id="account-hints">No suggestion from the records{AI_WORDS[hints.ai] ?? ""}.</p>
          : <ul class="account-hints" id="account-hints">
              {hints.list.map((h) => (
                <li data-source={h.source}>
                  <button type="button" class="link" onClick={() => setForm({ ...form, account: h.account })}>{h.code} {h.name}</button>{" "}
                  <span class="muted">{h.reason} ({h.confidence}%)</span>
                </li>
              ))}
            </ul>)}
        <label>Tax rate
          <select name="tax_rate" value={form.tax_rate} onChange={set("tax_rate")}>
            <option value="">No tax</option>
            {rates.filter((t) => t.is_active || t.id === form.tax_rate).map((t) => <option value={t.id}>{t.name}</option>)}
          </select>
          <FieldError errors={errors} name="tax_rate" />
        </label>
        <label>Description <input name="description" value={form.description} onInput={set("description")} /><FieldError errors={errors} name="description" /></label>
        <label>Contact (optional)
          <select name="contact" value={form.contact} onChange={set("contact")}>
            <option value="">None</option>
            {vendors.filter((c) => c.is_active || c.id === form.contact).map((c) => <option value={c.id}>{c.name}</option>)}
          </select>
          <FieldError errors={errors} name="contact" />
        </label>
        <FormErrors errors={errors} shown={["account", "tax_rate", "description", "contact"]} />
        <div class="buttons">
          <button class="primary" type="submit" disabled={busy}>Post {incoming ? "income" : "expense"}</button>
          <button type="button" onClick={onClose}>Cancel</button>
          <span class="muted hint">Enter sends · Esc closes</span>
        </div>
      </form>
    </Dialog>
  );
}

export function TransferDialog({ line, accounts, onClose, onDone }: Props & { accounts: BankAccount[] }) {
  const others = accounts.filter((a) => a.is_active && a.id !== line.bank_account);
  const [target, setTarget] = useState(others.length === 1 ? others[0].id : "");
  const { errors, busy, send } = useSend();
  const first = useFirstFocus<HTMLSelectElement>();
  const submit = async (e: Event) => {
    e.preventDefault();
    if (await send(`${LINES_API}${line.id}/transfer/`, { bank_account: target }, "Transfers between bank accounts")) onDone("Transfer posted");
  };
  return (
    <Dialog title={line.amount.startsWith("-") ? "Transfer to another account" : "Transfer from another account"} onClose={onClose} id="transfer-dialog">
      <form class="form" onSubmit={submit} onKeyDown={enterSends}>
        <LineFacts line={line} />
        <label>{line.amount.startsWith("-") ? "To" : "From"}
          <select ref={first} name="bank_account" value={target} onChange={(e) => setTarget((e.target as HTMLSelectElement).value)} required>
            <option value="">Choose…</option>
            {others.map((a) => <option value={a.id}>{a.name} {a.iban && `(${a.iban})`}</option>)}
          </select>
          <FieldError errors={errors} name="bank_account" />
        </label>
        {!others.length && <p class="muted">The firm has no other active bank account.</p>}
        <p class="muted">The other account's line with the opposite amount within 7 days, if it has one, is matched to the same entry.</p>
        <FormErrors errors={errors} shown={["bank_account"]} />
        <div class="buttons">
          <button class="primary" type="submit" disabled={busy || !target}>Post transfer</button>
          <button type="button" onClick={onClose}>Cancel</button>
          <span class="muted hint">Enter sends · Esc closes</span>
        </div>
      </form>
    </Dialog>
  );
}

export function FeeDialog({ line, onClose, onDone }: Props) {
  const chart = useAccounts().data?.results ?? [];
  const [account, setAccount] = useState("");
  const { errors, busy, send } = useSend();
  const first = useFirstFocus<HTMLSelectElement>();
  const submit = async (e: Event) => {
    e.preventDefault();
    if (await send(`${LINES_API}${line.id}/fee/`, { account: account || null }, "Bank fees from a line")) onDone("Bank fee posted");
  };
  return (
    <Dialog title="Bank fee" onClose={onClose} id="fee-dialog">
      <form class="form" onSubmit={submit} onKeyDown={enterSends}>
        <LineFacts line={line} />
        <label>Expense account
          <select ref={first} name="account" value={account} onChange={(e) => setAccount((e.target as HTMLSelectElement).value)}>
            <option value="">The company's bank charges account</option>
            {chart.filter((a) => a.is_active && a.type === "expense").map((a) => <option value={a.id}>{a.code} {a.name}</option>)}
          </select>
          <FieldError errors={errors} name="account" />
        </label>
        <FormErrors errors={errors} shown={["account"]} />
        <div class="buttons">
          <button class="primary" type="submit" disabled={busy}>Post fee</button>
          <button type="button" onClick={onClose}>Cancel</button>
          <span class="muted hint">Enter sends · Esc closes</span>
        </div>
      </form>
    </Dialog>
  );
}
