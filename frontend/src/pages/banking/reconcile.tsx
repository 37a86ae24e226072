// The reconciliation screen, built for the keyboard: the account's unmatched statement lines on the
// left (oldest first), the selected line's candidates on the right with why each scores as it does
// (`GET …/accounts/{id}/suggestions/`), and the session bar on top with the statement date, the
// live totals (the book balance of the matched lines, the statement balance, the difference) and
// the session's Submit / Approve / Reopen.
//
// Keys (the legend on the page lists them; none fires while typing in a field or with a dialog
// open): ↑/↓ or k/j move between lines, ←/→ or h/l between candidates, Enter confirms the
// highlighted candidate (the best, unless another was chosen), x rejects it, p creates a payment,
// e an expense (or income), t a transfer, f a bank fee, i ignores the line.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { AttachmentsPanel } from "../../attachments";
import { api, get, isMissing, qs, type Page as PageT } from "../../api";
import { can, useAuth } from "../../auth";
import {
  BANK_ACCOUNTS_API, BANKING_TOUCHES, bankCall, LINES_API, missingText, useBankAccounts,
  type BankAccount, type LineSuggestions, type StatementLine, type Suggestion,
} from "../../banking";
import { formatDate } from "../../format";
import { invalidate, useQuery } from "../../query";
import { Empty, ErrorBox, Loading, Money, Page, Pager, toast, toastError } from "../../ui";
import { ExpenseDialog, FeeDialog, PaymentDialog, TransferDialog, type Creating } from "./dialogs";
import { SessionBar } from "./session";

const PAGE_SIZE = 50;

export const KEYS: [string, string][] = [
  ["↑ ↓ / k j", "previous / next line"],
  ["← → / h l", "previous / next candidate"],
  ["Enter", "confirm the candidate"],
  ["x", "reject the candidate"],
  ["p", "create a payment"],
  ["e", "create an expense / income"],
  ["t", "transfer"],
  ["f", "bank fee"],
  ["i", "ignore the line"],
];

/** A key that is someone typing, or meant for something else: the screen leaves it alone. */
function notForUs(e: KeyboardEvent): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return true;
  const t = e.target as HTMLElement | null;
  if (t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName))) return true;
  // A button or link has its own Enter.
  if (e.key === "Enter" && t && (t.tagName === "BUTTON" || t.tagName === "A")) return true;
  return !!document.querySelector("dialog[open]");
}

interface Lines {
  items: LineSuggestions[];
  count: number;
  next: string | null;
  previous: string | null;
  /** The server has no suggestions endpoint: the lines come from `…/lines/?status=unmatched`. */
  plain: boolean;
}

/** The unmatched lines with their candidates; without the suggestions endpoint, the bare lines. */
async function fetchLines(id: string, page: number): Promise<Lines> {
  try {
    const p = await get<PageT<LineSuggestions> | LineSuggestions[]>(`${BANK_ACCOUNTS_API}${id}/suggestions/${qs({ page, page_size: PAGE_SIZE })}`);
    // The contract pages it as every list is; a bare array is read too.
    if (Array.isArray(p)) return { items: p, count: p.length, next: null, previous: null, plain: false };
    return { items: p.results, count: p.count, next: p.next, previous: p.previous, plain: false };
  } catch (e) {
    if (!isMissing(e)) throw e;
    const p = await get<PageT<StatementLine>>(`${BANK_ACCOUNTS_API}${id}/lines/${qs({ status: "unmatched", ordering: "date", page, page_size: PAGE_SIZE })}`);
    return { items: p.results.map((line) => ({ line, suggestions: [], rule: null, auto: false })), count: p.count, next: p.next, previous: p.previous, plain: true };
  }
}

export function Reconcile({ id }: { id: string }) {
  const { user } = useAuth();
  const editable = can(user, "ledger.edit");
  const account = useQuery<BankAccount>(`${BANK_ACCOUNTS_API}${id}/`);
  const all = useBankAccounts().data?.results ?? [];
  const [page, setPage] = useState(1);
  const [data, setData] = useState<Lines | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [sel, setSel] = useState(0);
  const [cand, setCand] = useState(0);
  const [busy, setBusy] = useState(false);
  const [creating, setCreating] = useState<Creating | null>(null);
  const listRef = useRef<HTMLTableSectionElement>(null);

  const load = useCallback(async () => {
    try {
      const d = await fetchLines(id, page);
      setData(d);
      setError(null);
      setSel((s) => Math.max(0, Math.min(s, d.items.length - 1)));
    } catch (e) {
      setError(e as Error);
    }
  }, [id, page]);
  useEffect(() => void load(), [load]);
  useEffect(() => setCand(0), [sel, data]);
  // The selected line stays in view as the keys move it.
  useEffect(() => listRef.current?.querySelector(".selected")?.scrollIntoView?.({ block: "nearest" }), [sel, data]);

  const item = data?.items[sel];
  const candidate: Suggestion | undefined = item?.suggestions[cand];

  /** One action on the selected line, then the lines and every balance are fetched again. */
  const act = async (path: string, body: unknown, what: string, done: string) => {
    if (!item || busy) return;
    setBusy(true);
    try {
      await bankCall("POST", `${LINES_API}${item.line.id}/${path}/`, body, what);
      toast(done);
      invalidate(...BANKING_TOUCHES);
      await load();
    } catch (e) {
      toastError(e);
    } finally {
      setBusy(false);
    }
  };
  const confirm = () => candidate && act("confirm", { kind: candidate.kind, id: candidate.id }, "Confirming a suggestion", `Matched to ${candidate.reference || candidate.kind}`);
  const reject = () => candidate && act("reject", { kind: candidate.kind, id: candidate.id }, "Rejecting a suggestion", `${candidate.reference || candidate.kind} will not be suggested for this line again`);
  const ignore = async () => {
    if (!item || busy) return;
    setBusy(true);
    try {
      await api("POST", `${LINES_API}${item.line.id}/ignore/`, { body: {} });
      toast("Line ignored");
      invalidate(...BANKING_TOUCHES);
      await load();
    } catch (e) {
      toastError(e);
    } finally {
      setBusy(false);
    }
  };

  /** Confirms the best candidate of every line on this page the server is sure of (`auto`). */
  const confirmSure = async () => {
    const sure = (data?.items ?? []).filter((it) => it.auto && it.suggestions.length);
    if (!sure.length || busy || !window.confirm(`Confirm the best candidate of ${sure.length} line${sure.length === 1 ? "" : "s"} the matching is sure of?`)) return;
    setBusy(true);
    let done = 0;
    try {
      for (const it of sure) {
        const best = it.suggestions[0];
        await bankCall("POST", `${LINES_API}${it.line.id}/confirm/`, { kind: best.kind, id: best.id }, "Confirming a suggestion");
        done++;
      }
    } catch (e) {
      toastError(e);
    } finally {
      if (done) toast(`${done} line${done === 1 ? "" : "s"} matched`);
      invalidate(...BANKING_TOUCHES);
      await load();
      setBusy(false);
    }
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (notForUs(e) || !data) return;
      const n = data.items.length;
      const k = e.key;
      const handled = () => e.preventDefault();
      if (k === "ArrowDown" || k === "j") { handled(); setSel((s) => Math.min(s + 1, n - 1)); }
      else if (k === "ArrowUp" || k === "k") { handled(); setSel((s) => Math.max(s - 1, 0)); }
      else if (k === "ArrowRight" || k === "l") { handled(); setCand((c) => Math.min(c + 1, Math.max(0, (item?.suggestions.length ?? 1) - 1))); }
      else if (k === "ArrowLeft" || k === "h") { handled(); setCand((c) => Math.max(c - 1, 0)); }
      else if (!editable || !item || busy) return;
      else if (k === "Enter") { handled(); if (candidate) confirm(); else toast("This line has no candidate: p, e, t or f creates one.", "error"); }
      else if (k === "x") { handled(); reject(); }
      else if (k === "i") { handled(); ignore(); }
      else if (k === "p") { handled(); setCreating("payment"); }
      else if (k === "e") { handled(); setCreating("expense"); }
      else if (k === "t") { handled(); setCreating("transfer"); }
      else if (k === "f") { handled(); setCreating("fee"); }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  if (account.error) return isMissing(account.error) ? <Page title="Reconcile"><p class="empty" id="api-missing">This bank account was not found.</p></Page> : <ErrorBox error={account.error} />;
  if (!account.data) return <Loading />;
  const a = account.data;
  const created = (what: string) => {
    setCreating(null);
    toast(what);
    invalidate(...BANKING_TOUCHES);
    load();
  };
  return (
    <Page title={`Reconcile: ${a.name}`} crumbs={[["Banking", "/banking"], [a.name, `/banking/accounts/${id}`], ["Reconcile"]]}
      actions={editable && a.is_active && <Link href={`/banking/accounts/${id}/import`} class="button">Import a statement</Link>}>
      <SessionBar account={a} />
      {error && <ErrorBox error={error} />}
      {data?.plain && <p class="empty not-yet" id="suggestions-missing">{missingText("Suggestions, and creating payments, expenses, transfers and fees from a line")}</p>}
      <div class="reconcile">
        <section class="rec-lines" aria-label="Statement lines">
          <h2>
            Unmatched lines {data && <span class="muted">({data.count})</span>}
            {editable && data && data.items.some((it) => it.auto) && (
              <button class="link" id="confirm-sure" disabled={busy} onClick={confirmSure}>{sureLabel(data.items.filter((it) => it.auto).length)}</button>
            )}
          </h2>
          {!data ? <Loading /> : data.items.length === 0 ? (
            <Empty>Every line is matched. <Link href={`/banking/accounts/${id}/import`}>Import the next statement</Link></Empty>
          ) : (
            <div class="table-wrap">
              <table class="table compact rec-line-table" id="rec-lines">
                <tbody ref={listRef}>
                  {data.items.map((it, i) => (
                    <tr key={it.line.id} class={i === sel ? "selected" : ""} aria-selected={i === sel} data-line={it.line.id} data-text={it.line.text} onClick={() => setSel(i)}>
                      <td class="nowrap">{formatDate(it.line.date)}</td>
                      <td class="wrap">
                        <strong>{it.line.counterparty}</strong> {it.line.text}
                        {it.auto && <span class="badge ok" title="The best candidate is above the auto-match threshold">sure</span>}
                        {it.rule && <span class="badge" title={`Rule: ${it.rule.name}`}>rule</span>}
                      </td>
                      <td class={`num ${it.line.amount.startsWith("-") ? "out" : "in"}`}><Money value={it.line.amount} currency={it.line.currency} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {data && <Pager page={page} count={data.count} size={PAGE_SIZE} next={data.next} previous={data.previous} onPage={setPage} noun="lines" />}
        </section>
        <section class="rec-candidates" aria-label="Candidates" aria-live="polite">
          {item ? <Candidates it={item} cand={cand} setCand={setCand} plain={!!data?.plain} editable={editable} busy={busy} confirm={confirm} reject={reject} /> : <Empty>No line selected.</Empty>}
          {item && <AttachmentsPanel kind="bank_line" id={item.line.id} key={item.line.id} />}
        </section>
      </div>
      <Legend />
      {item && creating === "payment" && <PaymentDialog line={item.line} onClose={() => setCreating(null)} onDone={created} />}
      {item && creating === "expense" && <ExpenseDialog line={item.line} rule={item.rule} onClose={() => setCreating(null)} onDone={created} />}
      {item && creating === "transfer" && <TransferDialog line={item.line} accounts={all} onClose={() => setCreating(null)} onDone={created} />}
      {item && creating === "fee" && <FeeDialog line={item.line} onClose={() => setCreating(null)} onDone={created} />}
    </Page>
  );
}

function Candidates({ it, cand, setCand, plain, editable, busy, confirm, reject }: {
  it: LineSuggestions; cand: number; setCand: (n: number) => void; plain: boolean; editable: boolean; busy: boolean;
  confirm: () => void; reject: () => void;
}) {
  const l = it.line;
  const chart = useQuery<PageT<{ id: string; code: string; name: string }>>("/api/accounting/chart-of-accounts/?page_size=200&ordering=code").data?.results ?? [];
  const acct = (id: string | null) => {
    const a = chart.find((x) => x.id === id);
    return a ? `${a.code} ${a.name}` : id ?? "";
  };
  return (
    <>
      <div class="rec-line-head" id="selected-line">
        <div class="rec-amount"><Money value={l.amount} currency={l.currency} /></div>
        <div>{formatDate(l.date)}{l.value_date && l.value_date !== l.date && <span class="muted"> (value {formatDate(l.value_date)})</span>}</div>
        <div><strong>{l.counterparty}</strong> <span class="muted mono">{l.counterparty_account}</span></div>
        <div class="wrap">{l.text}</div>
        {l.reference && <div class="muted">Ref. {l.reference}</div>}
      </div>
      {it.rule && (
        <div class="rule-proposal panel" id="rule-proposal">
          <strong>Rule “{it.rule.name}”</strong> proposes{it.rule.account && <> the account <span>{acct(it.rule.account)}</span></>}
          {it.rule.description && <> · “{it.rule.description}”</>}. Press <kbd>e</kbd> to post it.
        </div>
      )}
      <h2>Candidates</h2>
      {plain ? <p class="muted">No suggestions from this server: create what the line is with p, e, t or f.</p> : it.suggestions.length === 0 ? (
        <Empty>No candidate: create what the line is with <kbd>p</kbd>, <kbd>e</kbd>, <kbd>t</kbd> or <kbd>f</kbd>.</Empty>
      ) : (
        <ol class="suggestions" id="suggestions">
          {it.suggestions.map((s, i) => (
            <li key={`${s.kind}:${s.id}`} class={`suggestion ${i === cand ? "hi" : ""}`} data-kind={s.kind} data-reference={s.reference} aria-current={i === cand} onClick={() => setCand(i)}>
              <div class="s-head">
                <span class={`status kind-${s.kind}`}>{s.kind.replace("_", " ")}</span>
                <strong class="s-ref">{s.reference || "—"}</strong>
                {s.contact && <span>{s.contact}</span>}
                <span class="muted">{formatDate(s.date)}</span>
                <span class="spacer" />
                <Money value={s.amount} currency={l.currency} />
                {s.open_amount !== s.amount.replace(/^-/, "") && <span class="muted">open <Money value={s.open_amount} currency={l.currency} /></span>}
              </div>
              <div class="s-why">
                <meter min={0} max={100} value={s.score} aria-label={`score ${s.score}`} /> <span class="score">{s.score}</span>
                <span class="explanation">{s.explanation}</span>
              </div>
              {i === cand && editable && (
                <div class="buttons s-actions">
                  <button class="primary" onClick={confirm} disabled={busy}>Confirm <kbd>Enter</kbd></button>
                  <button onClick={reject} disabled={busy}>Not this <kbd>x</kbd></button>
                </div>
              )}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

const sureLabel = (n: number) => (n === 1 ? "Confirm the 1 sure match" : `Confirm the ${n} sure matches`);

function Legend() {
  return (
    <aside class="key-legend" id="key-legend" aria-label="Keyboard shortcuts">
      <strong>Keys</strong>
      {KEYS.map(([k, what]) => (
        <span key={k}><kbd>{k}</kbd> {what}</span>
      ))}
      <span class="muted">(not while typing in a field)</span>
    </aside>
  );
}

