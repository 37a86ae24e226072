// Customers and vendors: one contact table behind two lists (docs/receivables-api.md "Contacts").
// Contacts are never deleted, only archived (is_active: false).
import { AttachmentsPanel } from "../attachments";
import { useEffect, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { navigate } from "wouter-preact/use-browser-location";
import { api, get, isMissing, qs, type Account, type Page as PageT } from "../api";
import { can, useAuth } from "../auth";
import { CONTACTS, KINDS, type Contact, type Doc, type Side } from "../documents";
import { formatDate } from "../format";
import { invalidate, useQuery } from "../query";
import {
  Async, Empty, ErrorBox, FieldError, fieldErrors, FormErrors, Loading, Money, NotYet, Page, Pager, StatusChip, toast, toastError,
} from "../ui";
import { useAccounts } from "./accounts";

const PAGE_SIZE = 25;

export function ContactList({ side }: { side: Side }) {
  const info = CONTACTS[side];
  const { user, company } = useAuth();
  const currency = company?.currency ?? "USD";
  const [filters, setFilters] = useState({ search: "", is_active: "true", ordering: "name" });
  const [page, setPage] = useState(1);
  const q = useQuery<PageT<Contact>>(`${info.api}${qs({ ...filters, page, page_size: PAGE_SIZE })}`);
  const set = (k: string) => (e: Event) => {
    setFilters({ ...filters, [k]: (e.target as HTMLInputElement).value });
    setPage(1);
  };
  const editable = can(user, "documents.edit");
  return (
    <Page
      title={info.title}
      crumbs={[info.module, [info.title]]}
      actions={editable && <Link href={`${info.route}/new`} class="button primary">New {info.one}</Link>}
    >
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Search <input type="search" name="search" value={filters.search} onInput={set("search")} placeholder="name, tax id, e-mail" /></label>
        <label>Show
          <select name="is_active" value={filters.is_active} onChange={set("is_active")}>
            <option value="true">Active</option>
            <option value="false">Archived</option>
            <option value="">All</option>
          </select>
        </label>
        <label>Order by
          <select name="ordering" value={filters.ordering} onChange={set("ordering")}>
            <option value="name">Name</option>
            <option value="-balance">Balance, highest first</option>
            <option value="-created_at">Newest first</option>
          </select>
        </label>
      </form>
      <Async q={q} missing={info.title}>
        {(data) =>
          data.results.length === 0 ? (
            <Empty>
              {filters.search || filters.is_active !== "true" ? `No ${info.title.toLowerCase()} match.` : `No ${info.title.toLowerCase()} yet.`}{" "}
              {editable && <Link href={`${info.route}/new`}>Add one</Link>}
            </Empty>
          ) : (
            <>
              <div class="table-wrap">
                <table class="table contact-list">
                  <thead>
                    <tr>
                      <th>Name</th><th class="hide-sm">Tax id</th><th class="hide-sm">E-mail</th><th class="hide-sm">Country</th>
                      <th class="hide-sm">Terms</th><th>Status</th><th class="num">Balance ({currency})</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.results.map((c) => (
                      <tr key={c.id} class={c.is_active ? "" : "inactive"} data-name={c.name}>
                        <td><Link href={`${info.route}/${c.id}`}>{c.name}</Link></td>
                        <td class="hide-sm">{c.tax_id}</td>
                        <td class="hide-sm">{c.emails?.[0] ?? ""}</td>
                        <td class="hide-sm">{c.country}</td>
                        <td class="hide-sm">{c.payment_terms_days} days</td>
                        <td>
                          <StatusChip status={c.is_active ? "active" : "archived"} />
                          {c.is_customer && c.is_vendor && <span class="badge">{side === "sales" ? "also vendor" : "also customer"}</span>}
                        </td>
                        <td class="num"><Money value={c.balance} currency={currency} /></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager page={page} count={data.count} size={PAGE_SIZE} next={data.next} previous={data.previous} onPage={setPage} noun={info.title.toLowerCase()} />
            </>
          )
        }
      </Async>
    </Page>
  );
}

interface Form {
  name: string;
  is_customer: boolean;
  is_vendor: boolean;
  tax_id: string;
  emails: string;
  phone: string;
  billing_address: string;
  shipping_address: string;
  country: string;
  payment_terms_days: string;
  currency: string;
  revenue_account: string;
  expense_account: string;
  notes: string;
  is_active: boolean;
}

function toForm(c: Contact | null, side: Side, currency: string): Form {
  return {
    name: c?.name ?? "",
    is_customer: c ? c.is_customer : side === "sales",
    is_vendor: c ? c.is_vendor : side === "purchase",
    tax_id: c?.tax_id ?? "",
    emails: (c?.emails ?? []).join(", "),
    phone: c?.phone ?? "",
    billing_address: c?.billing_address ?? "",
    shipping_address: c?.shipping_address ?? "",
    country: c?.country ?? "",
    payment_terms_days: String(c?.payment_terms_days ?? 30),
    currency: c?.currency ?? currency,
    revenue_account: c?.revenue_account ?? "",
    expense_account: c?.expense_account ?? "",
    notes: c?.notes ?? "",
    is_active: c?.is_active ?? true,
  };
}

/** A new contact (id undefined) or one contact: the form, its balance and its latest documents. */
export function ContactPage({ side, id }: { side: Side; id?: string }) {
  const info = CONTACTS[side];
  const q = useQuery<Contact>(id ? `${info.api}${id}/` : null);
  if (!id) return <ContactForm side={side} contact={null} />;
  if (q.error && isMissing(q.error)) {
    return <Page title={info.title} crumbs={[info.module, [info.title, info.route], ["Not found"]]}><NotYet what={`This ${info.one}`} /></Page>;
  }
  if (q.error) return <ErrorBox error={q.error} />;
  if (!q.data) return <Loading />;
  return <ContactForm side={side} contact={q.data} key={q.data.id + q.data.updated_at} />;
}

function ContactForm({ side, contact }: { side: Side; contact: Contact | null }) {
  const info = CONTACTS[side];
  const { user, company } = useAuth();
  const currency = company?.currency ?? "USD";
  const accounts = (useAccounts().data?.results ?? []).filter((a) => a.is_active);
  const [f, setF] = useState<Form>(() => toForm(contact, side, currency));
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const editable = can(user, "documents.edit");
  const set = (k: keyof Form) => (e: Event) => {
    const t = e.target as HTMLInputElement;
    setF({ ...f, [k]: t.type === "checkbox" ? t.checked : t.value });
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const body = {
      name: f.name.trim(),
      is_customer: f.is_customer,
      is_vendor: f.is_vendor,
      tax_id: f.tax_id.trim(),
      emails: f.emails.split(/[,;\s]+/).map((x) => x.trim()).filter(Boolean),
      phone: f.phone.trim(),
      billing_address: f.billing_address,
      shipping_address: f.shipping_address,
      country: f.country.trim().toUpperCase(),
      payment_terms_days: f.payment_terms_days.trim() === "" ? 30 : Number(f.payment_terms_days),
      currency: f.currency.trim().toUpperCase(),
      revenue_account: f.revenue_account || null,
      expense_account: f.expense_account || null,
      notes: f.notes,
      is_active: f.is_active,
    };
    setBusy(true);
    try {
      const saved = contact
        ? await api<Contact>("PATCH", `${info.api}${contact.id}/`, { body })
        : await api<Contact>("POST", info.api, { body });
      invalidate(CONTACTS.sales.api, CONTACTS.purchase.api);
      setErrors({});
      toast(contact ? `${saved.name} saved` : `${info.one[0].toUpperCase()}${info.one.slice(1)} ${saved.name} created`);
      if (!contact) navigate(`${info.route}/${saved.id}`);
    } catch (err) {
      setErrors(fieldErrors(err));
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  const byType = (t: string) => accounts.filter((a: Account) => a.type === t || a.id === (t === "revenue" ? f.revenue_account : f.expense_account));
  const title = contact ? contact.name : `New ${info.one}`;
  return (
    <Page title={title} crumbs={[info.module, [info.title, info.route], [contact ? contact.name : "New"]]}
      actions={contact && <ContactActions side={side} contact={contact} />}>
      {contact && (
        <dl class="facts">
          <div><dt>Balance ({currency})</dt><dd id="contact-balance"><Money value={contact.balance} currency={currency} /></dd></div>
          <div><dt>Status</dt><dd><StatusChip status={contact.is_active ? "active" : "archived"} id="contact-status" /></dd></div>
          <div><dt>Since</dt><dd>{formatDate(contact.created_at)}</dd></div>
        </dl>
      )}
      <form class="panel form" id="contact-form" onSubmit={submit}>
        <fieldset disabled={!editable} class="plain">
          <div class="grid-form">
            <label class="wide">Name <input name="name" value={f.name} onInput={set("name")} required maxLength={200} autofocus={!contact} /><FieldError errors={errors} name="name" /></label>
            <label>Tax id <input name="tax_id" value={f.tax_id} onInput={set("tax_id")} /><FieldError errors={errors} name="tax_id" /></label>
            <label>E-mails <input name="emails" value={f.emails} onInput={set("emails")} placeholder="billing@example.com, …" /><FieldError errors={errors} name="emails" /></label>
            <label>Phone <input name="phone" type="tel" value={f.phone} onInput={set("phone")} /><FieldError errors={errors} name="phone" /></label>
            <label>Country <input name="country" value={f.country} onInput={set("country")} maxLength={2} placeholder="GB" class="upper" /><FieldError errors={errors} name="country" /></label>
            <label>Billing address <textarea name="billing_address" rows={3} value={f.billing_address} onInput={set("billing_address")} /><FieldError errors={errors} name="billing_address" /></label>
            <label>Shipping address <textarea name="shipping_address" rows={3} value={f.shipping_address} onInput={set("shipping_address")} /><FieldError errors={errors} name="shipping_address" /></label>
            <label>Payment terms (days) <input name="payment_terms_days" type="number" min={0} max={365} step={1} value={f.payment_terms_days} onInput={set("payment_terms_days")} /><FieldError errors={errors} name="payment_terms_days" /></label>
            <label>Currency <input name="currency" value={f.currency} onInput={set("currency")} maxLength={3} placeholder={currency} class="upper" /><FieldError errors={errors} name="currency" /></label>
            <label>Default revenue account
              <select name="revenue_account" value={f.revenue_account} onChange={set("revenue_account")}>
                <option value="">(none)</option>
                {byType("revenue").map((a) => <option value={a.id}>{a.code} {a.name}</option>)}
              </select>
              <FieldError errors={errors} name="revenue_account" />
            </label>
            <label>Default expense account
              <select name="expense_account" value={f.expense_account} onChange={set("expense_account")}>
                <option value="">(none)</option>
                {byType("expense").map((a) => <option value={a.id}>{a.code} {a.name}</option>)}
              </select>
              <FieldError errors={errors} name="expense_account" />
            </label>
            <label class="wide">Notes <textarea name="notes" rows={2} value={f.notes} onInput={set("notes")} /><FieldError errors={errors} name="notes" /></label>
          </div>
          <div class="checks">
            <label class="inline"><input type="checkbox" name="is_customer" checked={f.is_customer} onChange={set("is_customer")} /> Customer</label>
            <label class="inline"><input type="checkbox" name="is_vendor" checked={f.is_vendor} onChange={set("is_vendor")} /> Vendor</label>
            <label class="inline"><input type="checkbox" name="is_active" checked={f.is_active} onChange={set("is_active")} /> Active (untick to archive: documents and history stay)</label>
          </div>
        </fieldset>
        <FormErrors errors={errors} shown={Object.keys(f)} />
        {editable && (
          <div class="buttons">
            <button class="primary" type="submit" disabled={busy}>{contact ? "Save" : `Create ${info.one}`}</button>
            <Link href={info.route} class="button">{contact ? "Back to the list" : "Cancel"}</Link>
          </div>
        )}
      </form>
      {contact && <ContactDocuments side={side} contact={contact} />}
      {contact && <AttachmentsPanel kind="contact" id={contact.id} />}
    </Page>
  );
}

function ContactActions({ side, contact }: { side: Side; contact: Contact }) {
  const { user } = useAuth();
  const kind = side === "sales" ? KINDS.invoice : KINDS.bill;
  return (
    <>
      {side === "sales" && <Link href={`${CONTACTS.sales.route}/${contact.id}/statement`} class="button" id="statement-link">Statement</Link>}
      {can(user, "documents.edit") && contact.is_active && (
        <Link href={`${kind.route}/new?contact=${contact.id}`} class="button primary">New {kind.one}</Link>
      )}
    </>
  );
}

/** The contact's latest documents of both kinds of its side. */
function ContactDocuments({ side, contact }: { side: Side; contact: Contact }) {
  const kinds = side === "sales" ? [KINDS.invoice, KINDS.credit_note] : [KINDS.bill, KINDS.vendor_credit];
  const [docs, setDocs] = useState<(Doc & { route: string })[] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    Promise.all(kinds.map((k) => get<PageT<Doc>>(`${k.api}${qs({ contact: contact.id, page_size: 10, ordering: "-issue_date" })}`)
      .then((p) => p.results.map((d) => ({ ...d, route: k.route })))
      .catch((e) => (isMissing(e) ? [] : Promise.reject(e)))))
      .then((lists) => setDocs(lists.flat().sort((a, b) => (b.issue_date ?? "").localeCompare(a.issue_date ?? ""))))
      .catch(setError);
  }, [contact.id]);
  return (
    <section>
      <h2>Latest documents</h2>
      {error ? <ErrorBox error={error} /> : !docs ? <Loading /> : docs.length === 0 ? <Empty>No documents for {contact.name} yet.</Empty> : (
        <div class="table-wrap">
          <table class="table">
            <thead><tr><th>Number</th><th>Kind</th><th>Date</th><th>Status</th><th class="num">Total</th><th class="num">Balance due</th></tr></thead>
            <tbody>
              {docs.map((d) => (
                <tr key={d.id}>
                  <td><Link href={`${d.route}/${d.id}`}>{d.number ?? "Draft"}</Link></td>
                  <td>{KINDS[d.kind]?.one ?? d.kind}</td>
                  <td>{formatDate(d.issue_date)}</td>
                  <td><StatusChip status={d.status} /></td>
                  <td class="num"><Money value={d.total} currency={d.currency} /></td>
                  <td class="num"><Money value={d.balance_due} currency={d.currency} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
