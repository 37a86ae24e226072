// Invoices, credit notes, bills and vendor credits: one list, one editor and one page, each
// parameterised by the kind (docs/receivables-api.md "Documents"). The editor's totals are live
// and exact (documents.ts computeTotals); the server's figures replace them after a save.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Link, useSearch } from "wouter-preact";
import { navigate } from "wouter-preact/use-browser-location";
import { ApiError, api, fetchBlob, get, isMissing, qs, type Page as PageT } from "../api";
import { can, useAuth } from "../auth";
import {
  addDays, CONTACTS, isOverdue, KINDS, PAYMENTS_API, STATUS_LABEL, useContacts, useItems, useTaxRates, useTaxRounding,
  type Contact, type Doc, type DocKind, type KindInfo, type Payment,
} from "../documents";
import { formatDate, formatDateTime } from "../format";
import { useFormKeys } from "../formKeys";
import { decimals, formatMinor, fromMinor, toMinor } from "../money";
import { invalidate, useQuery } from "../query";
import {
  Async, Dialog, downloadBlob, Empty, ErrorBox, FieldError, fieldErrors, FormErrors, Loading, Money, NotYet, Page, Pager, StatusChip, toast, toastError, today,
} from "../ui";
import { useAccounts } from "./accounts";
import { blank, fromLine, LineGrid, linesPayload, rowErrors, useLineTotals, type Row } from "./lines";

const PAGE_SIZE = 25;
const STATUSES = ["draft", "issued", "partially_paid", "paid", "void"];

/** After any document write: lists, contacts' balances, payments, reports and the journal. */
function invalidateDocs() {
  invalidate(...Object.values(KINDS).map((k) => k.api), CONTACTS.sales.api, CONTACTS.purchase.api, PAYMENTS_API, "/api/reports/", "/api/accounting/journal-entries/");
}

function DocStatus({ d, id }: { d: Doc; id?: string }) {
  return (
    <>
      <StatusChip status={d.status} label={STATUS_LABEL[d.status]} id={id} />
      {isOverdue(d, today()) && <StatusChip status="overdue" />}
    </>
  );
}

// ---- list -----------------------------------------------------------------------------------
export function DocumentList({ kind }: { kind: DocKind }) {
  const k = KINDS[kind];
  const { user } = useAuth();
  const url = new URLSearchParams(useSearch());
  const contacts = useContacts(k.side);
  const [filters, setFilters] = useState({
    status: url.get("status") ?? "",
    contact: url.get("contact") ?? "",
    date_from: url.get("date_from") ?? "",
    date_to: url.get("date_to") ?? "",
    overdue: url.get("overdue") === "true",
    search: url.get("search") ?? "",
  });
  const [page, setPage] = useState(1);
  const path = `${k.api}${qs({ ...filters, overdue: filters.overdue ? "true" : "", page, page_size: PAGE_SIZE, ordering: "-issue_date,-number" })}`;
  const q = useQuery<PageT<Doc>>(path);
  const set = (key: string) => (e: Event) => {
    const t = e.target as HTMLInputElement;
    setFilters({ ...filters, [key]: t.type === "checkbox" ? t.checked : t.value });
    setPage(1);
  };
  const editable = can(user, "documents.edit");
  const bills = k.side === "purchase";
  return (
    <Page
      title={k.title}
      crumbs={[k.module, [k.title]]}
      actions={editable && <Link href={`${k.route}/new`} class="button primary">New {k.one}</Link>}
    >
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Status
          <select name="status" value={filters.status} onChange={set("status")}>
            <option value="">All</option>
            {STATUSES.map((s) => <option value={s}>{STATUS_LABEL[s]}</option>)}
          </select>
        </label>
        <label>{CONTACTS[k.side].one[0].toUpperCase() + CONTACTS[k.side].one.slice(1)}
          <select name="contact" value={filters.contact} onChange={set("contact")}>
            <option value="">Any</option>
            {(contacts.data?.results ?? []).map((c) => <option value={c.id}>{c.name}</option>)}
          </select>
        </label>
        <label>From <input type="date" name="date_from" value={filters.date_from} onChange={set("date_from")} /></label>
        <label>To <input type="date" name="date_to" value={filters.date_to} onChange={set("date_to")} /></label>
        <label class="inline check-filter"><input type="checkbox" name="overdue" checked={filters.overdue} onChange={set("overdue")} /> Overdue only</label>
        <label>Search <input type="search" name="search" value={filters.search} onInput={set("search")} placeholder={bills ? "number, vendor ref, vendor" : "number, reference, customer"} /></label>
      </form>
      <Async q={q} missing={k.title}>
        {(data) =>
          data.results.length === 0 ? (
            <Empty>No {k.title.toLowerCase()} match. {editable && <Link href={`${k.route}/new`}>Create one</Link>}</Empty>
          ) : (
            <>
              <div class="table-wrap">
                <table class="table doc-list">
                  <thead>
                    <tr>
                      <th>Number</th><th>{bills ? "Vendor" : "Customer"}</th>{bills && <th class="hide-sm">Vendor ref</th>}
                      <th>Date</th><th class="hide-sm">Due</th><th>Status</th><th class="num">Total</th><th class="num">Balance due</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.results.map((d) => (
                      <tr key={d.id} data-number={d.number ?? ""} data-id={d.id}>
                        <td><Link href={`${k.route}/${d.id}`}>{d.number ?? "Draft"}</Link></td>
                        <td>{d.contact_name}</td>
                        {bills && <td class="hide-sm">{d.reference}{d.duplicate_reference && <span class="badge warn" title="Another bill of this vendor has the same reference">duplicate?</span>}</td>}
                        <td>{formatDate(d.issue_date)}</td>
                        <td class="hide-sm">{formatDate(d.due_date)}</td>
                        <td><DocStatus d={d} /></td>
                        <td class="num"><Money value={d.total} currency={d.currency} /></td>
                        <td class="num"><Money value={d.balance_due} currency={d.currency} /></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager page={page} count={data.count} size={PAGE_SIZE} next={data.next} previous={data.previous} onPage={setPage} noun={k.title.toLowerCase()} />
            </>
          )
        }
      </Async>
    </Page>
  );
}

// ---- editor ---------------------------------------------------------------------------------
interface Head {
  contact: string;
  issue_date: string;
  due_date: string;
  payment_terms_days: string;
  currency: string;
  reference: string;
  notes: string;
  credited_document: string;
}

/** The editor of a new document (id undefined) or of a draft. */
export function DocumentEditor({ kind, id }: { kind: DocKind; id?: string }) {
  const k = KINDS[kind];
  const { user, company } = useAuth();
  const url = new URLSearchParams(useSearch());
  const contactsQ = useContacts(k.side);
  const itemsQ = useItems();
  const ratesQ = useTaxRates();
  const accountsQ = useAccounts();
  const contacts = contactsQ.data?.results ?? [];
  const items = itemsQ.data?.results ?? [];
  const rates = ratesQ.data?.results ?? [];
  const accounts = accountsQ.data?.results ?? [];
  const [head, setHead] = useState<Head>({
    contact: url.get("contact") ?? "",
    issue_date: today(),
    due_date: "",
    payment_terms_days: "",
    currency: company?.currency ?? "USD",
    reference: "",
    notes: "",
    credited_document: "",
  });
  const [dueTouched, setDueTouched] = useState(false);
  const [rows, setRows] = useState<Row[]>([blank()]);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const [loaded, setLoaded] = useState<boolean | Error>(!id && !url.get("credit"));
  const [draftId, setDraftId] = useState<string | undefined>(id);
  const dp = decimals(head.currency || company?.currency || "USD");
  const mode = useTaxRounding();

  // Editing a draft, or crediting an issued document: load it once the items are known (or missing).
  const itemsReady = !!itemsQ.data || !!itemsQ.error;
  useEffect(() => {
    if (!itemsReady) return;
    const credit = url.get("credit");
    const source = id ? `${k.api}${id}/` : credit && k.credits ? `${KINDS[k.credits].api}${credit}/` : null;
    if (!source) return;
    get<Doc>(source)
      .then((d) => {
        setHead({
          contact: d.contact,
          issue_date: id ? d.issue_date : today(),
          due_date: id ? d.due_date : "",
          payment_terms_days: String(d.payment_terms_days ?? ""),
          currency: d.currency,
          reference: id ? d.reference : d.number ? `Credit for ${d.number}` : "",
          notes: id ? d.notes : "",
          credited_document: id ? (d.credited_document ?? "") : d.id,
        });
        setDueTouched(!!id);
        setRows(d.lines.length ? d.lines.map((l) => fromLine(l, items)) : [blank()]);
        if (id && d.status !== "draft") setLoaded(new Error(`This ${k.one} is ${STATUS_LABEL[d.status]}: only drafts can be edited.`));
        else setLoaded(true);
      })
      .catch((e) => setLoaded(e instanceof Error ? e : new Error(String(e))));
  }, [id, itemsReady]);

  const contact = contacts.find((c) => c.id === head.contact);
  const terms = head.payment_terms_days.trim() === "" ? contact?.payment_terms_days ?? 30 : Number(head.payment_terms_days);
  const autoDue = addDays(head.issue_date, terms);
  const dueDate = dueTouched && head.due_date ? head.due_date : autoDue;

  const pickContact = (cid: string) => {
    const c = contacts.find((x) => x.id === cid);
    setHead((h) => ({
      ...h,
      contact: cid,
      payment_terms_days: c ? String(c.payment_terms_days) : h.payment_terms_days,
      currency: c?.currency || company?.currency || h.currency,
      credited_document: "",
    }));
  };
  // A contact given in the URL (?contact=) takes its terms and currency once the list is here.
  useEffect(() => {
    if (!id && head.contact && contact && head.payment_terms_days === "") pickContact(head.contact);
  }, [contact?.id]);

  const totals = useLineTotals(rows, rates, dp, mode);

  const payload = () => {
    const { lines, sent } = linesPayload(rows);
    const body: Record<string, unknown> = {
      contact: head.contact,
      issue_date: head.issue_date,
      due_date: dueDate || null,
      currency: head.currency.trim().toUpperCase(),
      reference: head.reference,
      notes: head.notes,
      lines,
    };
    if (head.payment_terms_days.trim() !== "") body.payment_terms_days = Number(head.payment_terms_days);
    if (k.credits) body.credited_document = head.credited_document || null;
    return { body, sent };
  };

  const showErrors = (err: unknown, sent: number[]) => {
    if (!(err instanceof ApiError)) return toastError(err);
    setErrors(rowErrors(err, sent));
    toastError(err);
  };

  const save = async (): Promise<Doc | null> => {
    if (!head.contact) {
      setErrors({ contact: [`Choose a ${CONTACTS[k.side].one}.`] });
      return null;
    }
    if (totals.bad) {
      setErrors({ lines: ["A quantity, price or discount is not a number."] });
      return null;
    }
    const { body, sent } = payload();
    try {
      const saved = draftId
        ? await api<Doc>("PATCH", `${k.api}${draftId}/`, { body })
        : await api<Doc>("POST", k.api, { body });
      setDraftId(saved.id);
      setErrors({});
      invalidateDocs();
      return saved;
    } catch (err) {
      showErrors(err, sent);
      return null;
    }
  };

  const saveDraft = async () => {
    if (busy) return;
    setBusy(true);
    const saved = await save();
    setBusy(false);
    if (saved) {
      toast(`Draft ${k.one} saved`);
      navigate(`${k.route}/${saved.id}`);
    }
  };

  const issue = async () => {
    if (busy) return;
    if (!window.confirm(`Issue this ${k.one} for ${formatMinor(totals.total, dp)} ${head.currency}? It gets the next number and is posted; it can then only be voided or credited.`)) return;
    setBusy(true);
    const saved = await save();
    if (saved) {
      try {
        const issued = await api<Doc>("POST", `${k.api}${saved.id}/issue/`, { body: {} });
        invalidateDocs();
        toast(`${issued.number ?? k.one} issued`);
        navigate(`${k.route}/${saved.id}`);
      } catch (err) {
        showErrors(err, []);
      }
    }
    setBusy(false);
  };

  const onFormKey = useFormKeys({ save: saveDraft, post: can(user, "documents.issue") ? issue : undefined });

  const crumbs: [string, string?][] = [k.module, [k.title, k.route], [draftId ? "Edit draft" : `New ${k.one}`]];
  if (loaded instanceof Error) {
    return (
      <Page title={`Edit ${k.one}`} crumbs={crumbs}>
        {isMissing(loaded) ? <NotYet what={k.title} /> : <ErrorBox error={loaded} />}
        {id && <p><Link href={`${k.route}/${id}`}>Open the {k.one}</Link></p>}
      </Page>
    );
  }
  if (!loaded) return <Loading />;
  if (contactsQ.error && isMissing(contactsQ.error)) {
    return <Page title={`New ${k.one}`} crumbs={crumbs}><NotYet what={k.title} /></Page>;
  }

  const sales = k.side === "sales";
  const activeContacts = contacts.filter((c) => c.is_active || c.id === head.contact);
  const shownErrors = ["contact", "issue_date", "due_date", "currency", "reference", "notes", "payment_terms_days", "credited_document", "lines"];

  return (
    <Page title={draftId ? `Edit draft ${k.one}` : `New ${k.one}`} crumbs={crumbs}>
      <form class="entry-form doc-form" id="doc-form" onSubmit={(e) => e.preventDefault()} onKeyDown={onFormKey}>
        <div class="grid-form doc-head">
          <label>{sales ? "Customer" : "Vendor"}
            <select name="contact" value={head.contact} onChange={(e) => pickContact((e.target as HTMLSelectElement).value)} required autofocus={!head.contact}>
              <option value="">Choose…</option>
              {activeContacts.map((c: Contact) => <option value={c.id}>{c.name}</option>)}
            </select>
            <FieldError errors={errors} name="contact" />
            {contactsQ.data && contacts.length === 0 && (
              <span class="hint muted"><Link href={`${CONTACTS[k.side].route}/new`}>Add a {CONTACTS[k.side].one}</Link> first.</span>
            )}
          </label>
          <label>{kind === "bill" ? "Bill date" : kind === "invoice" ? "Issue date" : "Date"} <input type="date" name="issue_date" value={head.issue_date} required onInput={(e) => setHead({ ...head, issue_date: (e.target as HTMLInputElement).value })} /><FieldError errors={errors} name="issue_date" /></label>
          <label>Terms (days) <input type="number" name="payment_terms_days" min={0} max={365} value={head.payment_terms_days} placeholder={String(contact?.payment_terms_days ?? 30)}
            onInput={(e) => { setHead({ ...head, payment_terms_days: (e.target as HTMLInputElement).value }); setDueTouched(false); }} /><FieldError errors={errors} name="payment_terms_days" /></label>
          <label>Due date <input type="date" name="due_date" value={dueDate} onInput={(e) => { setHead({ ...head, due_date: (e.target as HTMLInputElement).value }); setDueTouched(true); }} /><FieldError errors={errors} name="due_date" /></label>
          <label>{kind === "bill" ? "Vendor's invoice number" : kind === "vendor_credit" ? "Vendor's reference" : "Reference"} <input name="reference" value={head.reference} maxLength={100} onInput={(e) => setHead({ ...head, reference: (e.target as HTMLInputElement).value })} /><FieldError errors={errors} name="reference" /></label>
          <label>Currency <input name="currency" value={head.currency} maxLength={3} class="upper" onInput={(e) => setHead({ ...head, currency: (e.target as HTMLInputElement).value.toUpperCase() })} /><FieldError errors={errors} name="currency" /></label>
          {k.credits && <CreditedPicker k={k} contact={head.contact} value={head.credited_document} onChange={(v) => setHead({ ...head, credited_document: v })} errors={errors} />}
        </div>
        <LineGrid rows={rows} setRows={setRows} items={items} rates={rates} accounts={accounts} side={k.side} dp={dp} mode={mode}
          currency={head.currency} totals={totals} errors={errors} />
        <label class="notes">Notes (printed on the {k.one}) <textarea name="notes" rows={2} value={head.notes} onInput={(e) => setHead({ ...head, notes: (e.target as HTMLTextAreaElement).value })} /></label>
        {(errors.lines || Object.keys(errors).some((key) => !key.startsWith("row") && !shownErrors.includes(key))) && (
          <div id="doc-error">
            {errors.lines && <p class="error-box" role="alert">{errors.lines.join(" ")}</p>}
            <FormErrors errors={Object.fromEntries(Object.entries(errors).filter(([key]) => !key.startsWith("row")))} shown={shownErrors} />
          </div>
        )}
        <div class="buttons">
          <button type="button" onClick={saveDraft} disabled={busy} title="Ctrl+S">Save draft</button>
          {can(user, "documents.issue") && <button type="button" class="primary" onClick={issue} disabled={busy} title="Ctrl+Enter">Save and issue</button>}
          <Link href={draftId ? `${k.route}/${draftId}` : k.route} class="button">Cancel</Link>
          <span class="muted hint">Enter: next cell · Enter on the last cell: new line · Ctrl+S: save draft · Ctrl+Enter: issue · totals are exact; the saved figures are the server's</span>
        </div>
      </form>
    </Page>
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

// ---- one document -----------------------------------------------------------------------------
export function DocumentView({ kind, id }: { kind: DocKind; id: string }) {
  const k = KINDS[kind];
  const { user } = useAuth();
  const q = useQuery<Doc>(`${k.api}${id}/`);
  const accounts = useAccounts().data?.results ?? [];
  const rates = useTaxRates().data?.results ?? [];
  const [paying, setPaying] = useState(false);
  const [sending, setSending] = useState(false);
  const [preview, setPreview] = useState(false);
  const accountName = (aid: string | null) => {
    const a = aid ? accounts.find((x) => x.id === aid) : undefined;
    return a ? `${a.code} ${a.name}` : "";
  };
  const act = async (verb: string, confirmText: string, body: unknown = {}) => {
    if (!window.confirm(confirmText)) return;
    try {
      const res = await api<Doc>("POST", `${k.api}${id}/${verb}/`, { body });
      invalidateDocs();
      toast(verb === "issue" ? `${res?.number ?? k.one} issued` : `${k.one[0].toUpperCase() + k.one.slice(1)} voided`);
    } catch (e) {
      toastError(e);
    }
  };
  const remove = async () => {
    if (!window.confirm(`Delete this draft ${k.one}?`)) return;
    try {
      await api("DELETE", `${k.api}${id}/`);
      invalidateDocs();
      toast("Draft deleted");
      navigate(k.route);
    } catch (e) {
      toastError(e);
    }
  };
  const download = async (d: Doc) => {
    try {
      const blob = await fetchBlob(`${k.api}${id}/pdf/?download=1`);
      downloadBlob(blob, `${d.number ?? `draft-${k.one.replace(/ /g, "-")}`}.pdf`);
    } catch (e) {
      toastError(isMissing(e) ? new Error("PDFs are not available on this server yet.") : e);
    }
  };
  if (q.error && isMissing(q.error)) {
    return (
      <Page title={k.title} crumbs={[k.module, [k.title, k.route], ["Not found"]]}>
        <p class="empty" id="api-missing">This {k.one} was not found (or {k.title.toLowerCase()} are not available on this server yet).</p>
      </Page>
    );
  }
  return (
    <Async q={q}>
      {(d) => {
        const issuer = can(user, "documents.issue");
        const editor = can(user, "documents.edit");
        const open = d.status === "issued" || d.status === "partially_paid";
        const balance = toMinor(d.balance_due, decimals(d.currency)) ?? 0n;
        const credit = k.creditKind ? KINDS[k.creditKind] : null;
        const credited = k.credits ? KINDS[k.credits] : null;
        const contactRoute = CONTACTS[k.side].route;
        return (
          <Page
            title={d.number ? `${k.one[0].toUpperCase() + k.one.slice(1)} ${d.number}` : `Draft ${k.one}`}
            crumbs={[k.module, [k.title, k.route], [d.number ?? "Draft"]]}
            actions={
              <>
                {d.status === "draft" && editor && <Link class="button" href={`${k.route}/${id}/edit`}>Edit</Link>}
                {d.status === "draft" && editor && <button class="danger" onClick={remove}>Delete</button>}
                {d.status === "draft" && issuer && (
                  <button class="primary" id="issue" onClick={() => act("issue", `Issue this ${k.one}? It gets the next number of the series and is posted to the ledger.`)}>Issue</button>
                )}
                {k.payable && open && balance > 0n && issuer && (
                  <button class="primary" id="record-payment" onClick={() => setPaying(true)}>Record payment</button>
                )}
                {credit && d.status !== "draft" && d.status !== "void" && editor && (
                  <Link class="button" id="create-credit" href={`${credit.route}/new?credit=${id}`}>Create {credit.one}</Link>
                )}
                <button onClick={() => setPreview(!preview)} aria-expanded={preview} aria-controls="pdf-preview">{preview ? "Hide PDF" : "Preview PDF"}</button>
                <button onClick={() => download(d)}>Download PDF</button>
                {d.status !== "draft" && d.status !== "void" && issuer && k.side === "sales" && (
                  <button id="send" onClick={() => setSending(true)}>Send by e-mail</button>
                )}
                {d.status === "issued" && issuer && (
                  <button class="danger" id="void" onClick={() => act("void", `Void ${d.number}? Its entry is reversed; the number stays used.`, { date: today() })}>Void</button>
                )}
              </>
            }
          >
            {d.duplicate_reference && (
              <p class="notice" role="status" id="duplicate-reference">Another bill of this vendor has the same reference ({d.reference}): check that it is not entered twice.</p>
            )}
            <dl class="facts">
              <div><dt>Status</dt><dd><DocStatus d={d} id="doc-status" /></dd></div>
              <div><dt>{k.side === "sales" ? "Customer" : "Vendor"}</dt><dd><Link href={`${contactRoute}/${d.contact}`}>{d.contact_name}</Link></dd></div>
              <div><dt>Date</dt><dd>{formatDate(d.issue_date)}</dd></div>
              <div><dt>Due</dt><dd>{formatDate(d.due_date)}</dd></div>
              {d.reference && <div><dt>{k.side === "sales" ? "Reference" : "Vendor ref"}</dt><dd>{d.reference}</dd></div>}
              <div><dt>Total</dt><dd><Money value={d.total} currency={d.currency} /> {d.currency}</dd></div>
              <div><dt>Balance due</dt><dd id="balance-due"><Money value={d.balance_due} currency={d.currency} /></dd></div>
              {credited && d.credited_document && <div><dt>Credits</dt><dd><Link href={`${credited.route}/${d.credited_document}`}>the {credited.one}</Link></dd></div>}
              {d.journal_entry && <div><dt>Posted as</dt><dd><Link href={`/accounting/journal/${d.journal_entry}`}>journal entry</Link></dd></div>}
              {d.void_entry && <div><dt>Voided by</dt><dd><Link href={`/accounting/journal/${d.void_entry}`}>reversing entry</Link></dd></div>}
            </dl>
            <div class="table-wrap">
              <table class="table doc-lines">
                <thead><tr><th>#</th><th>Description</th><th class="num">Qty</th><th class="num">Unit price</th><th class="num hide-sm">Disc. %</th><th class="hide-sm">Tax</th><th class="hide-sm">Account</th><th class="num">Amount</th></tr></thead>
                <tbody>
                  {d.lines.map((l, i) => (
                    <tr key={i}>
                      <td>{i + 1}</td>
                      <td>{l.description}</td>
                      <td class="num">{l.quantity}</td>
                      <td class="num"><Money value={l.unit_price} currency={d.currency} /></td>
                      <td class="num hide-sm">{/^0*(\.0*)?$/.test(l.discount_percent ?? "0") ? "" : `${l.discount_percent} %`}</td>
                      <td class="hide-sm">{l.tax_rate ? rates.find((r) => r.id === l.tax_rate)?.name ?? "" : ""}</td>
                      <td class="hide-sm">{accountName(l.account)}</td>
                      <td class="num"><Money value={l.net_amount} currency={d.currency} /></td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <FootRow label="Subtotal" total="subtotal"><Money value={d.subtotal} currency={d.currency} /></FootRow>
                  {(d.tax_summary ?? []).map((t) => (
                    <FootRow key={t.tax_rate} class="tax-row" label={<>{t.name} on <Money value={t.base} currency={d.currency} /></>}><Money value={t.tax} currency={d.currency} /></FootRow>
                  ))}
                  <FootRow class="grand" label={<strong>Total {d.currency}</strong>} total="total"><strong><Money value={d.total} currency={d.currency} /></strong></FootRow>
                  {d.status !== "draft" && (
                    <>
                      <FootRow label={k.payable ? "Paid" : "Applied"} total="paid"><Money value={d.amount_paid} currency={d.currency} /></FootRow>
                      <FootRow label={<strong>Balance due</strong>} total="balance"><strong><Money value={d.balance_due} currency={d.currency} /></strong></FootRow>
                    </>
                  )}
                </tfoot>
              </table>
            </div>
            {d.notes && <p class="doc-notes">{d.notes}</p>}
            {preview && <PdfPreview path={`${k.api}${id}/pdf/`} title={`${d.number ?? "Draft"} (PDF)`} stamp={d.updated_at} />}
            {k.payable && d.status !== "draft" && <DocPayments doc={d} />}
            {k.side === "sales" && d.status !== "draft" && <Deliveries path={`${k.api}${id}/deliveries/`} />}
            {paying && <RecordPayment doc={d} kind={kind} onClose={() => setPaying(false)} />}
            {sending && <SendDialog doc={d} k={k} onClose={() => setSending(false)} />}
          </Page>
        );
      }}
    </Async>
  );
}

/** A totals row of the lines table: the label spans the columns a phone still shows. */
function FootRow({ label, total, children, class: cls }: { label: ComponentChildren; total?: string; children: ComponentChildren; class?: string }) {
  return (
    <tr class={cls}>
      <td colSpan={4} class="right">{label}</td>
      <td colSpan={3} class="hide-sm" />
      <td class="num" data-total={total}>{children}</td>
    </tr>
  );
}

/**
 * The PDF in the page: fetched with the bearer token (the API takes no cookies) into a blob: URL
 * shown in an <iframe>, with a link that opens the same blob in a new tab. A page policy (CSP)
 * without `frame-src blob:` blocks the frame: then the page says so and offers the link.
 */
function PdfPreview({ path, title, stamp }: { path: string; title: string; stamp: string }) {
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [blocked, setBlocked] = useState(false);
  useEffect(() => {
    const onViolation = (e: SecurityPolicyViolationEvent) => {
      if (/^(frame|child|default)-src/.test(e.effectiveDirective || e.violatedDirective) && e.blockedURI.startsWith("blob")) setBlocked(true);
    };
    document.addEventListener("securitypolicyviolation", onViolation);
    return () => document.removeEventListener("securitypolicyviolation", onViolation);
  }, []);
  useEffect(() => {
    let url: string | null = null;
    let gone = false;
    setSrc(null);
    setError(null);
    fetchBlob(path)
      .then((b) => {
        if (gone) return;
        url = URL.createObjectURL(b.type === "application/pdf" ? b : new Blob([b], { type: "application/pdf" }));
        setSrc(url);
      })
      .catch((e) => !gone && setError(isMissing(e) ? new Error("PDFs are not available on this server yet.") : e));
    return () => {
      gone = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [path, stamp]);
  return (
    <section class="pdf-preview" id="pdf-preview" aria-label="PDF preview">
      {error ? <ErrorBox error={error} /> : !src ? <Loading /> : (
        <>
          {blocked
            ? <p class="notice" id="pdf-blocked">This server's page policy does not let the PDF show inside the page: open it in a new tab, or download it.</p>
            : <iframe src={src} title={title} class="pdf-frame" />}
          <p class="muted hint"><a href={src} target="_blank" rel="noopener" id="pdf-open">Open the PDF in a new tab</a></p>
        </>
      )}
    </section>
  );
}

/** The payments allocated to this document (the contact's payments, filtered here). */
function DocPayments({ doc }: { doc: Doc }) {
  const q = useQuery<PageT<Payment>>(`${PAYMENTS_API}${qs({ contact: doc.contact, page_size: 200 })}`);
  if (q.error && isMissing(q.error)) return null;
  return (
    <section>
      <h2>Payments</h2>
      <Async q={q}>
        {(p) => {
          const mine = p.results
            .map((pay) => ({ pay, alloc: pay.allocations.filter((a) => a.document === doc.id) }))
            .filter((x) => x.alloc.length);
          if (!mine.length) return <Empty>No payments recorded against this document.</Empty>;
          return (
            <div class="table-wrap">
              <table class="table doc-payments">
                <thead><tr><th>Date</th><th>Reference</th><th>Status</th><th class="num">Payment</th><th class="num">Applied here</th></tr></thead>
                <tbody>
                  {mine.map(({ pay, alloc }) => (
                    <tr key={pay.id}>
                      <td>{formatDate(pay.date)}</td>
                      <td><Link href={`/payments?contact=${pay.contact}`}>{pay.reference || "—"}</Link></td>
                      <td><StatusChip status={pay.status} /></td>
                      <td class="num"><Money value={pay.amount} currency={doc.currency} /></td>
                      <td class="num">{alloc.map((a) => <Money value={a.amount} currency={doc.currency} />)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </Async>
    </section>
  );
}

interface Delivery {
  id: string;
  to: string[];
  subject: string;
  status: "sent" | "failed";
  error: string;
  created_at: string;
}

/** The document's e-mail log, newest first (hidden on a server without it). */
function Deliveries({ path }: { path: string }) {
  const q = useQuery<PageT<Delivery>>(path);
  if ((q.error && isMissing(q.error)) || !q.data?.results.length) return null;
  return (
    <section>
      <h2>E-mails</h2>
      <ul class="history deliveries">
        {q.data.results.map((r) => (
          <li key={r.id}>
            <time dateTime={r.created_at}>{formatDateTime(r.created_at)}</time> <StatusChip status={r.status === "sent" ? "paid" : "overdue"} label={r.status} />{" "}
            to {r.to.join(", ")} · {r.subject}{r.error && <span class="field-error">{r.error}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** E-mails the PDF: recipients, subject and message are optional (the server fills them in). */
function SendDialog({ doc, k, onClose }: { doc: Doc; k: KindInfo; onClose: () => void }) {
  const [to, setTo] = useState("");
  const [subject, setSubject] = useState("");
  const [message, setMessage] = useState("");
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const body: Record<string, unknown> = {};
    const list = to.split(/[,;\s]+/).map((x) => x.trim()).filter(Boolean);
    if (list.length) body.to = list;
    if (subject.trim()) body.subject = subject.trim();
    if (message.trim()) body.message = message;
    setBusy(true);
    try {
      await api("POST", `${k.api}${doc.id}/send/`, { body });
      invalidate(`${k.api}${doc.id}/deliveries/`);
      toast(`${doc.number} sent`);
      onClose();
    } catch (err) {
      const f = fieldErrors(err);
      if (!Object.keys(f).length) f.non_field_errors = [err instanceof Error ? err.message : String(err)];
      invalidate(`${k.api}${doc.id}/deliveries/`);
      setErrors(f);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={`E-mail ${doc.number}`} onClose={onClose} id="send-dialog">
      <form class="form" onSubmit={submit}>
        <label>To <input name="to" value={to} autofocus placeholder={`the ${CONTACTS[k.side].one}'s e-mails`} onInput={(e) => setTo((e.target as HTMLInputElement).value)} /><FieldError errors={errors} name="to" /></label>
        <label>Subject <input name="subject" value={subject} maxLength={200} placeholder={`${k.one[0].toUpperCase() + k.one.slice(1)} ${doc.number}`} onInput={(e) => setSubject((e.target as HTMLInputElement).value)} /><FieldError errors={errors} name="subject" /></label>
        <label>Message <textarea name="message" rows={5} value={message} maxLength={10000} placeholder="(the default message names the document, its total and due date)" onInput={(e) => setMessage((e.target as HTMLTextAreaElement).value)} /><FieldError errors={errors} name="message" /></label>
        <FormErrors errors={errors} shown={["to", "subject", "message"]} />
        <div class="buttons">
          <button class="primary" type="submit" disabled={busy}>Send</button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}

/** Records a payment of the contact and allocates it to this document. Errors are shown in place. */
export function RecordPayment({ doc, kind, onClose }: { doc: Doc; kind: DocKind; onClose: () => void }) {
  const k = KINDS[kind];
  const dp = decimals(doc.currency);
  const accounts = (useAccounts().data?.results ?? []).filter((a) => a.is_active && (a.subtype === "bank" || a.subtype === "cash"));
  const [amount, setAmount] = useState(doc.balance_due);
  const [date, setDate] = useState(today());
  const [bank, setBank] = useState("");
  const [reference, setReference] = useState("");
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const bankAccount = bank || accounts[0]?.id || "";
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const v = toMinor(amount, dp);
    const due = toMinor(doc.balance_due, dp) ?? 0n;
    if (v === null || v <= 0n) return setErrors({ amount: [`Enter an amount above zero with at most ${dp} decimals.`] });
    if (!bankAccount) return setErrors({ bank_account: ["Choose a bank or cash account."] });
    const applied = v < due ? v : due;
    const body = {
      direction: k.side === "sales" ? "received" : "made",
      contact: doc.contact,
      date,
      amount: fromMinor(v, dp),
      bank_account: bankAccount,
      reference: reference.trim(),
      allocations: [{ document: doc.id, amount: fromMinor(applied, dp) }],
    };
    setBusy(true);
    try {
      await api<Payment>("POST", PAYMENTS_API, { body });
      invalidateDocs();
      toast(`Payment of ${formatMinor(v, dp)} ${doc.currency} recorded${v > due ? `; ${formatMinor(v - due, dp)} stays as the contact's credit` : ""}`);
      onClose();
    } catch (err) {
      // `allocations[0].amount` is the one allocation of this dialog: shown with the amount.
      const f = fieldErrors(err);
      if (!Object.keys(f).length) f.non_field_errors = [err instanceof Error ? err.message : String(err)];
      setErrors(f);
    } finally {
      setBusy(false);
    }
  };
  const allocErrors = Object.entries(errors).filter(([key]) => key.startsWith("allocations")).flatMap(([, v]) => v);
  return (
    <Dialog title={`Record payment for ${doc.number ?? "the draft"}`} onClose={onClose} id="payment-dialog">
      <form class="form" onSubmit={submit} id="payment-form">
        <p class="muted">{doc.contact_name} · balance due <Money value={doc.balance_due} currency={doc.currency} /> {doc.currency}</p>
        <label>Amount ({doc.currency}) <input name="amount" inputMode="decimal" class="num" value={amount} required autofocus
          onFocus={(e) => (e.target as HTMLInputElement).select()} onInput={(e) => setAmount((e.target as HTMLInputElement).value)} />
          <FieldError errors={errors} name="amount" />
          {allocErrors.length > 0 && <span class="field-error">{allocErrors.join(" ")}</span>}
        </label>
        <label>Date <input type="date" name="date" value={date} required onInput={(e) => setDate((e.target as HTMLInputElement).value)} /><FieldError errors={errors} name="date" /></label>
        <label>{k.side === "sales" ? "Paid into" : "Paid from"}
          <select name="bank_account" value={bankAccount} onChange={(e) => setBank((e.target as HTMLSelectElement).value)} required>
            {accounts.length === 0 && <option value="">No bank or cash accounts</option>}
            {accounts.map((a) => <option value={a.id}>{a.code} {a.name}</option>)}
          </select>
          <FieldError errors={errors} name="bank_account" />
        </label>
        <label>Reference <input name="reference" value={reference} maxLength={100} placeholder="BACS 123, cheque no." onInput={(e) => setReference((e.target as HTMLInputElement).value)} /><FieldError errors={errors} name="reference" /></label>
        <FormErrors errors={errors} shown={["amount", "date", "bank_account", "reference", "allocations"]} />
        <div class="buttons">
          <button class="primary" type="submit" disabled={busy}>Record payment</button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}
