// One document's page: its facts, lines and totals, and what can be done with it by its status
// (edit, delete or issue a draft; record a payment, credit, e-mail or void an issued one; see or
// download its PDF).
import type { ComponentChildren } from "preact";
import { AttachmentsPanel } from "../../attachments";
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { navigate } from "wouter-preact/use-browser-location";
import { api, fetchBlob, isMissing } from "../../api";
import { can, useAuth } from "../../auth";
import { CONTACTS, KINDS, useTaxRates, type Doc, type DocKind } from "../../documents";
import { formatDate } from "../../format";
import { decimals, toMinor } from "../../money";
import { useQuery } from "../../query";
import { Async, downloadBlob, Money, Page, toast, toastError, today } from "../../ui";
import { useAccounts } from "../accounts";
import { Deliveries, DocPayments } from "./activity";
import { RecordPayment } from "./paymentDialog";
import { PdfPreview } from "./pdfPreview";
import { SendDialog } from "./sendDialog";
import { DocStatus, invalidateDocs } from "./shared";
import { InvoiceSalesLinks } from "../../sales/invoiceLinks";

/** The page of one document of the kind; the actions shown follow its status and the user's role. */
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
              {d.exchange_rate && (
                <>
                  <div><dt>Rate</dt><dd id="doc-rate">{d.exchange_rate}</dd></div>
                  <div><dt>In the company currency</dt><dd id="total-company">{d.total_company} · due {d.balance_due_company}</dd></div>
                </>
              )}
              {credited && d.credited_document && <div><dt>Credits</dt><dd><Link href={`${credited.route}/${d.credited_document}`}>the {credited.one}</Link></dd></div>}
              {d.kind === "invoice" && d.status !== "draft" && <InvoiceSalesLinks id={d.id} />}
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
            <AttachmentsPanel kind={kind} id={id} />
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
