// The editor of a new document or of a draft, of any kind: its head (head.tsx), its lines with
// live, exact totals (../lines.tsx; the server's figures replace them after a save), Ctrl+S to save
// the draft and Ctrl+Enter to save and issue it. `?contact=` starts a document for that contact,
// `?credit=<id>` a credit of that issued invoice or bill, with its lines.
import { useEffect, useState } from "preact/hooks";
import { Link, useSearch } from "wouter-preact";
import { navigate } from "wouter-preact/use-browser-location";
import { ApiError, api, get, isMissing } from "../../api";
import { can, useAuth } from "../../auth";
import { CONTACTS, KINDS, STATUS_LABEL, useContacts, useItems, useTaxRates, useTaxRounding, type Doc, type DocKind } from "../../documents";
import { useFormKeys } from "../../formKeys";
import { decimals, formatMinor } from "../../money";
import { ErrorBox, FormErrors, Loading, NotYet, Page, toast, toastError } from "../../ui";
import { useAccounts } from "../accounts";
import { blank, fromLine, LineGrid, linesPayload, rowErrors, useLineTotals, type Row } from "../lines";
import { dueDateOf, headBody, HeadFields, headFrom, newHead, type Head } from "./head";
import { invalidateDocs } from "./shared";

const SHOWN_ERRORS = ["contact", "issue_date", "due_date", "currency", "exchange_rate", "reference", "notes", "payment_terms_days", "credited_document", "lines"];

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
  const [head, setHead] = useState<Head>(() => newHead(url.get("contact") ?? "", company?.currency ?? "USD"));
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
        setHead(headFrom(d, !!id));
        setDueTouched(!!id);
        setRows(d.lines.length ? d.lines.map((l) => fromLine(l, items)) : [blank()]);
        if (id && d.status !== "draft") setLoaded(new Error(`This ${k.one} is ${STATUS_LABEL[d.status]}: only drafts can be edited.`));
        else setLoaded(true);
      })
      .catch((e) => setLoaded(e instanceof Error ? e : new Error(String(e))));
  }, [id, itemsReady]);

  const contact = contacts.find((c) => c.id === head.contact);
  const dueDate = dueDateOf(head, contact, dueTouched);

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
    const { lines, sent } = linesPayload(rows);
    const body = { ...headBody(head, dueDate, k, company?.currency), lines };
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

  const issuer = can(user, "documents.issue");
  const onFormKey = useFormKeys({ save: saveDraft, post: issuer ? issue : undefined });

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

  return (
    <Page title={draftId ? `Edit draft ${k.one}` : `New ${k.one}`} crumbs={crumbs}>
      <form class="entry-form doc-form" id="doc-form" onSubmit={(e) => e.preventDefault()} onKeyDown={onFormKey}>
        <HeadFields companyCurrency={company?.currency} kind={kind} head={head} setHead={setHead} contacts={contacts} contactsLoaded={!!contactsQ.data} dueDate={dueDate}
          setDueTouched={setDueTouched} pickContact={pickContact} errors={errors} />
        <LineGrid rows={rows} setRows={setRows} items={items} rates={rates} accounts={accounts} side={k.side} dp={dp} mode={mode}
          currency={head.currency} totals={totals} errors={errors} />
        <label class="notes">Notes (printed on the {k.one}) <textarea name="notes" rows={2} value={head.notes} onInput={(e) => setHead({ ...head, notes: (e.target as HTMLTextAreaElement).value })} /></label>
        {(errors.lines || Object.keys(errors).some((key) => !key.startsWith("row") && !SHOWN_ERRORS.includes(key))) && (
          <div id="doc-error">
            {errors.lines && <p class="error-box" role="alert">{errors.lines.join(" ")}</p>}
            <FormErrors errors={Object.fromEntries(Object.entries(errors).filter(([key]) => !key.startsWith("row")))} shown={SHOWN_ERRORS} />
          </div>
        )}
        <div class="buttons">
          <button type="button" onClick={saveDraft} disabled={busy} title="Ctrl+S">Save draft</button>
          {issuer && <button type="button" class="primary" onClick={issue} disabled={busy} title="Ctrl+Enter">Save and issue</button>}
          <Link href={draftId ? `${k.route}/${draftId}` : k.route} class="button">Cancel</Link>
          <span class="muted hint">Enter: next cell · Enter on the last cell: new line · Ctrl+S: save draft · Ctrl+Enter: issue · totals are exact; the saved figures are the server's</span>
        </div>
      </form>
    </Page>
  );
}
