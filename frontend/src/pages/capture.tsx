// The capture review queue (`/api/capture/drafts/`): drafts read from inbox documents, pending
// first; a draft opens beside its document's preview with each field's value, confidence and the
// extracted text with the field's span marked; fields are editable before Accept as bill / expense.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { api, qs, type Account, type Page as PageT } from "../api";
import { can, useAuth } from "../auth";
import { invalidate, useQuery } from "../query";
import { Preview } from "./files";
import { Async, Empty, Page, Pager, StatusChip, toast, toastError } from "../ui";

export const DRAFTS_API = "/api/capture/drafts/";
const PAGE_SIZE = 50;
const FIELDS = ["vendor", "date", "due_date", "number", "currency", "net", "tax", "gross"] as const;
type FieldName = (typeof FIELDS)[number];
const LABELS: Record<FieldName, string> = {
  vendor: "Vendor", date: "Date", due_date: "Due date", number: "Number", currency: "Currency", net: "Net", tax: "Tax", gross: "Gross",
};

interface Span { start: number; end: number }
interface Field { value: string; confidence: number; span: Span | null }
interface Draft {
  id: string;
  status: "pending" | "accepted" | "rejected";
  file: string;
  file_name: string;
  version: number;
  vendor: string | null;
  fields: Record<FieldName, Field | null>;
  result: { kind: "bill" | "expense"; id: string } | null;
  created_at: string;
  text?: string | null;
}

/** A confidence as a coloured badge: high (≥ 80), medium (≥ 50), low. */
function Confidence({ c }: { c: number }) {
  const level = c >= 80 ? "high" : c >= 50 ? "medium" : "low";
  return <span class={`confidence ${level}`} title={`Confidence ${c} of 100`}>{c}</span>;
}

export function resultHref(r: { kind: string; id: string }): string {
  return r.kind === "bill" ? `/purchases/bills/${r.id}` : `/accounting/journal/${r.id}`;
}

export function ReviewQueue() {
  const [status, setStatus] = useState("pending");
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<string | null>(null);
  const q = useQuery<PageT<Draft>>(`${DRAFTS_API}${qs({ status: status || undefined, page, page_size: PAGE_SIZE })}`);
  return (
    <Page title="Review queue" crumbs={[["Documents", "/documents"], ["Review queue"]]}>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Status <select name="status" value={status} onChange={(e) => { setStatus((e.target as HTMLSelectElement).value); setPage(1); }}>
          <option value="pending">Pending</option>
          <option value="accepted">Accepted</option>
          <option value="rejected">Rejected</option>
          <option value="">All</option>
        </select></label>
      </form>
      <div class="capture">
        <Async q={q} missing="Drafts">
          {(data) => data.results.length === 0 ? <Empty>No drafts{status ? ` ${status}` : ""}: documents dropped in the inbox appear here once read.</Empty> : (
            <div>
              <div class="table-wrap">
                <table class="table draft-list">
                  <thead><tr><th>Document</th><th>Vendor</th><th>Date</th><th class="num">Gross</th><th>Status</th></tr></thead>
                  <tbody>
                    {data.results.map((d) => (
                      <tr key={d.id} data-draft={d.file_name} class={open === d.id ? "selected" : ""}>
                        <td><button class="link" onClick={() => setOpen(d.id)}>{d.file_name}</button></td>
                        <td>{d.fields.vendor?.value ?? "—"}</td>
                        <td>{d.fields.date?.value ?? "—"}</td>
                        <td class="num">{d.fields.gross ? `${d.fields.gross.value} ${d.fields.currency?.value ?? ""}` : "—"}</td>
                        <td><StatusChip status={d.status === "pending" ? "draft" : d.status === "accepted" ? "posted" : "void"} label={d.status} /></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager page={page} count={data.count} size={PAGE_SIZE} next={data.next} previous={data.previous} onPage={setPage} noun="drafts" />
            </div>
          )}
        </Async>
        {open && <DraftReview id={open} key={open} />}
      </div>
    </Page>
  );
}

/** The text with each field's span marked; spans are UTF-8 byte offsets, turned into string indices. */
function MarkedText({ text, fields }: { text: string; fields: Record<FieldName, Field | null> }) {
  const bytes = new TextEncoder().encode(text);
  const dec = new TextDecoder();
  const at = (b: number) => dec.decode(bytes.slice(0, Math.max(0, Math.min(b, bytes.length)))).length;
  const spans = FIELDS.flatMap((n) => { const s = fields[n]?.span; return s ? [{ n, start: at(s.start), end: at(s.end) }] : []; })
    .sort((a, b) => a.start - b.start);
  const parts: ComponentChildren[] = [];
  let pos = 0;
  for (const s of spans) {
    if (s.start < pos || s.end <= s.start) continue;
    parts.push(text.slice(pos, s.start));
    parts.push(<mark data-field={s.n} title={LABELS[s.n]}>{text.slice(s.start, s.end)}</mark>);
    pos = s.end;
  }
  parts.push(text.slice(pos));
  return <pre class="capture-text">{parts}</pre>;
}

function DraftReview({ id }: { id: string }) {
  const { user } = useAuth();
  const editable = can(user, "documents.edit");
  const q = useQuery<Draft>(`${DRAFTS_API}${id}/`);
  const accounts = useQuery<PageT<Account>>("/api/accounting/chart-of-accounts/?page_size=200");
  const [edits, setEdits] = useState<Partial<Record<FieldName, string>>>({});
  const [paidFrom, setPaidFrom] = useState("");
  const [busy, setBusy] = useState(false);
  const done = () => { invalidate(DRAFTS_API); };
  const accept = async (as: "bill" | "expense") => {
    if (as === "expense" && !paidFrom) { toast("Choose the account it was paid from", "error"); return; }
    setBusy(true);
    try {
      const body: Record<string, string> = { as };
      for (const [k, v] of Object.entries(edits)) if (k !== "vendor" && v !== undefined) body[k] = v;
      if (as === "expense") body.paid_from = paidFrom;
      await api("POST", `${DRAFTS_API}${id}/accept/`, { body });
      toast(as === "bill" ? "Draft bill made" : "Draft expense entry made");
      done();
    } catch (err) {
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  const reject = async () => {
    setBusy(true);
    try {
      await api("POST", `${DRAFTS_API}${id}/reject/`, { body: {} });
      toast("Draft rejected");
      done();
    } catch (err) {
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  const cash = (accounts.data?.results ?? []).filter((a) => a.cash_flow === "cash" && a.is_active);
  return (
    <Async q={q} missing="Draft">
      {(d) => {
        const pending = d.status === "pending" && editable;
        return (
          <section class="draft-review" data-draft-id={d.id}>
            <div class="capture-side">
              <Preview file={d.file} />
            </div>
            <div class="capture-side">
              <h2>{d.file_name}</h2>
              <table class="table capture-fields">
                <tbody>
                  {FIELDS.map((n) => {
                    const f = d.fields[n];
                    const value = edits[n] ?? f?.value ?? "";
                    return (
                      <tr key={n} data-field={n}>
                        <th>{LABELS[n]}</th>
                        <td>
                          {pending && n !== "vendor"
                            ? <input name={n} aria-label={LABELS[n]} value={value} onInput={(e) => setEdits({ ...edits, [n]: (e.target as HTMLInputElement).value })} />
                            : <span class="field-value">{value || "—"}</span>}
                        </td>
                        <td>{f ? <Confidence c={f.confidence} /> : <span class="muted">not found</span>}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              {d.result && <p class="capture-result">Accepted: <Link href={resultHref(d.result)}>{d.result.kind === "bill" ? "open the draft bill" : "open the draft expense entry"}</Link></p>}
              {d.status === "rejected" && <p class="muted">Rejected.</p>}
              {pending && (
                <div class="capture-actions">
                  <button class="primary" disabled={busy} onClick={() => accept("bill")}>Accept as bill</button>
                  <label>Paid from <select name="paid_from" value={paidFrom} onChange={(e) => setPaidFrom((e.target as HTMLSelectElement).value)}>
                    <option value="">Choose a bank or cash account</option>
                    {cash.map((a) => <option key={a.id} value={a.id}>{a.code} {a.name}</option>)}
                  </select></label>
                  <button disabled={busy} onClick={() => accept("expense")}>Accept as expense</button>
                  <button class="danger" disabled={busy} onClick={reject}>Reject</button>
                </div>
              )}
              {d.text ? <MarkedText text={d.text} fields={d.fields} /> : <p class="muted">No extracted text.</p>}
            </div>
          </section>
        );
      }}
    </Async>
  );
}
