// The head of the document editor: the contact, the dates and terms, the reference, the currency
// and, for a credit note or vendor credit, the document it credits. The due date follows the
// terms (typed, else the contact's, else 30 days) until it is typed itself.
import { Link } from "wouter-preact";
import { qs, type Page as PageT } from "../../api";
import { addDays, CONTACTS, KINDS, type Contact, type Doc, type DocKind, type KindInfo } from "../../documents";
import { formatDate } from "../../format";
import { useQuery } from "../../query";
import { FieldError, today } from "../../ui";

export interface Head {
  contact: string;
  issue_date: string;
  due_date: string;
  payment_terms_days: string;
  currency: string;
  /** Optional: empty takes the company's rate of the issue date. */
  exchange_rate: string;
  reference: string;
  notes: string;
  credited_document: string;
}

/** Currencies offered by the picker (any ISO 4217 code may be typed). */
export const COMMON_CURRENCIES = ["EUR", "USD", "GBP", "CHF", "JPY", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN", "CZK", "CNY", "INR"];

/** A new document's head: dated today, in the company's currency, for the URL's contact if any. */
export const newHead = (contact: string, currency: string): Head => ({
  contact,
  issue_date: today(),
  due_date: "",
  payment_terms_days: "",
  currency,
  exchange_rate: "",
  reference: "",
  notes: "",
  credited_document: "",
});

/** The head of a draft being edited (`editing`), or of a new credit of the issued document `d`. */
export const headFrom = (d: Doc, editing: boolean): Head => ({
  contact: d.contact,
  issue_date: editing ? d.issue_date : today(),
  due_date: editing ? d.due_date : "",
  payment_terms_days: String(d.payment_terms_days ?? ""),
  currency: d.currency,
  exchange_rate: editing ? (d.exchange_rate ?? "") : "",
  reference: editing ? d.reference : d.number ? `Credit for ${d.number}` : "",
  notes: editing ? d.notes : "",
  credited_document: editing ? (d.credited_document ?? "") : d.id,
});

/** The due date shown and sent: the typed one, else the issue date plus the terms. */
export function dueDateOf(head: Head, contact: Contact | undefined, dueTouched: boolean): string {
  if (dueTouched && head.due_date) return head.due_date;
  const terms = head.payment_terms_days.trim() === "" ? contact?.payment_terms_days ?? 30 : Number(head.payment_terms_days);
  return addDays(head.issue_date, terms);
}

/** The head as the API's document fields (the lines are added by the editor). */
export function headBody(head: Head, dueDate: string, k: KindInfo, companyCurrency?: string): Record<string, unknown> {
  const currency = head.currency.trim().toUpperCase();
  const body: Record<string, unknown> = {
    contact: head.contact,
    issue_date: head.issue_date,
    due_date: dueDate || null,
    currency,
    exchange_rate: currency !== companyCurrency && head.exchange_rate.trim() ? head.exchange_rate.trim() : null,
    reference: head.reference,
    notes: head.notes,
  };
  if (head.payment_terms_days.trim() !== "") body.payment_terms_days = Number(head.payment_terms_days);
  if (k.credits) body.credited_document = head.credited_document || null;
  return body;
}

/** The head's fields. Choosing a contact (`pickContact`) also takes its terms and currency. */
export function HeadFields({ kind, head, setHead, contacts, contactsLoaded, dueDate, setDueTouched, pickContact, errors, companyCurrency }: {
  kind: DocKind;
  head: Head;
  setHead: (head: Head) => void;
  contacts: Contact[];
  contactsLoaded: boolean;
  dueDate: string;
  setDueTouched: (touched: boolean) => void;
  pickContact: (id: string) => void;
  errors: Record<string, string[]>;
  companyCurrency?: string;
}) {
  const k = KINDS[kind];
  const foreign = !!companyCurrency && head.currency.trim().toUpperCase() !== companyCurrency;
  const contact = contacts.find((c) => c.id === head.contact);
  const activeContacts = contacts.filter((c) => c.is_active || c.id === head.contact);
  const set = (key: keyof Head) => (e: Event) => setHead({ ...head, [key]: (e.target as HTMLInputElement).value });
  return (
    <div class="grid-form doc-head">
      <label>{k.side === "sales" ? "Customer" : "Vendor"}
        <select name="contact" value={head.contact} onChange={(e) => pickContact((e.target as HTMLSelectElement).value)} required autofocus={!head.contact}>
          <option value="">Choose…</option>
          {activeContacts.map((c) => <option value={c.id}>{c.name}</option>)}
        </select>
        <FieldError errors={errors} name="contact" />
        {contactsLoaded && contacts.length === 0 && (
          <span class="hint muted"><Link href={`${CONTACTS[k.side].route}/new`}>Add a {CONTACTS[k.side].one}</Link> first.</span>
        )}
      </label>
      <label>{kind === "bill" ? "Bill date" : kind === "invoice" ? "Issue date" : "Date"} <input type="date" name="issue_date" value={head.issue_date} required onInput={set("issue_date")} /><FieldError errors={errors} name="issue_date" /></label>
      <label>Terms (days) <input type="number" name="payment_terms_days" min={0} max={365} value={head.payment_terms_days} placeholder={String(contact?.payment_terms_days ?? 30)}
        onInput={(e) => { set("payment_terms_days")(e); setDueTouched(false); }} /><FieldError errors={errors} name="payment_terms_days" /></label>
      <label>Due date <input type="date" name="due_date" value={dueDate} onInput={(e) => { set("due_date")(e); setDueTouched(true); }} /><FieldError errors={errors} name="due_date" /></label>
      <label>{kind === "bill" ? "Vendor's invoice number" : kind === "vendor_credit" ? "Vendor's reference" : "Reference"} <input name="reference" value={head.reference} maxLength={100} onInput={set("reference")} /><FieldError errors={errors} name="reference" /></label>
      <label>Currency <input name="currency" list="currency-choices" value={head.currency} maxLength={3} class="upper" onInput={(e) => setHead({ ...head, currency: (e.target as HTMLInputElement).value.toUpperCase() })} />
        <datalist id="currency-choices">{[companyCurrency ?? "", ...COMMON_CURRENCIES.filter((c) => c !== companyCurrency)].filter(Boolean).map((c) => <option value={c} />)}</datalist>
        <FieldError errors={errors} name="currency" /></label>
      {foreign && (
        <label>Rate ({companyCurrency} per {head.currency || "unit"}) <input name="exchange_rate" inputMode="decimal" class="num" value={head.exchange_rate} placeholder="rate of the issue date"
          onInput={(e) => setHead({ ...head, exchange_rate: (e.target as HTMLInputElement).value })} /><FieldError errors={errors} name="exchange_rate" /></label>
      )}
      {k.credits && <CreditedPicker k={k} contact={head.contact} value={head.credited_document} onChange={(v) => setHead({ ...head, credited_document: v })} errors={errors} />}
    </div>
  );
}

/** Credit notes and vendor credits: the issued invoice or bill of the same contact they credit. */
function CreditedPicker({ k, contact, value, onChange, errors }: { k: KindInfo; contact: string; value: string; onChange: (v: string) => void; errors: Record<string, string[]> }) {
  const target = KINDS[k.credits!];
  const q = useQuery<PageT<Doc>>(contact ? `${target.api}${qs({ contact, page_size: 100, ordering: "-issue_date" })}` : null);
  const docs = (q.data?.results ?? []).filter((d) => (d.status !== "draft" && d.status !== "void") || d.id === value);
  return (
    <label>Credits {target.one}
      <select name="credited_document" value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)} disabled={!contact}>
        <option value="">(none: stays as credit)</option>
        {docs.map((d) => <option value={d.id}>{d.number ?? "draft"} · {formatDate(d.issue_date)} · {d.balance_due} {d.currency} due</option>)}
      </select>
      <FieldError errors={errors} name="credited_document" />
    </label>
  );
}
