// The session bar of the reconciliation screen (`/api/banking/reconciliations/`): the account's
// latest session with its state, statement date and closing balance, the live totals from its
// report (the book balance of the matched lines, the statement balance, the difference; fetched
// again after every action on a line), and Submit / Approve / Reopen as the state and the user's
// role allow. Without an open session it offers to start one, dated and balanced as the last
// imported statement.
import { useEffect, useState } from "preact/hooks";
import { api, qs, type Page as PageT } from "../../api";
import { can, useAuth } from "../../auth";
import { BANKING_TOUCHES, RECONCILIATIONS_API, type BankAccount, type Reconciliation, type ReconciliationReport } from "../../banking";
import { formatDate } from "../../format";
import { decimals, toMinor } from "../../money";
import { invalidate, useQuery } from "../../query";
import { FieldError, fieldErrors, Money, StatusChip, toast, toastError } from "../../ui";

export function SessionBar({ account }: { account: BankAccount }) {
  const { user } = useAuth();
  const editable = can(user, "ledger.edit");
  const approver = can(user, "entries.approve");
  const latest = useQuery<PageT<Reconciliation>>(`${RECONCILIATIONS_API}${qs({ bank_account: account.id, page_size: 1, ordering: "-statement_date" })}`);
  const session = latest.data?.results[0];
  const report = useQuery<ReconciliationReport>(session ? `${RECONCILIATIONS_API}${session.id}/report/` : null);
  const [starting, setStarting] = useState(false);
  const [busy, setBusy] = useState(false);
  const step = async (verb: "submit" | "approve" | "reopen") => {
    if (!session) return;
    if (verb === "reopen" && session.status === "approved" && !window.confirm("Reopen this approved session? Its lines are unlocked, and the reopening is in the audit log.")) return;
    setBusy(true);
    try {
      await api("POST", `${RECONCILIATIONS_API}${session.id}/${verb}/`, { body: {} });
      invalidate(...BANKING_TOUCHES);
      toast({ submit: "Session submitted for approval", approve: "Session approved: its lines are locked", reopen: "Session reopened" }[verb]);
    } catch (e) {
      toastError(e);
    } finally {
      setBusy(false);
    }
  };
  const r = report.data;
  const zero = r ? toMinor(r.difference, decimals(account.currency)) === 0n : false;
  const open = session && session.status !== "approved";
  return (
    <section class="session-bar panel" id="session-bar" data-status={session?.status ?? "none"}>
      {session && (
        <div class="session-facts">
          <span>Session <StatusChip status={session.status} id="session-status" /></span>
          <span>to <strong id="session-date">{formatDate(session.statement_date)}</strong></span>
          <span>Statement <strong id="session-statement"><Money value={r?.statement_balance ?? session.closing_balance} currency={account.currency} /></strong></span>
          <span>Books (matched) <strong id="session-book">{r ? <Money value={r.book_balance} currency={account.currency} /> : "…"}</strong></span>
          <span>Difference <strong id="session-difference" class={r ? (zero ? "ok" : "bad") : ""}>{r ? <Money value={r.difference} currency={account.currency} /> : "…"}</strong></span>
          <span class="spacer" />
          {editable && session.status === "draft" && <button class="primary" id="session-submit" disabled={busy || !zero} title={zero ? "" : "The difference must be zero"} onClick={() => step("submit")}>Submit</button>}
          {approver && session.status === "submitted" && <button class="primary" id="session-approve" disabled={busy} onClick={() => step("approve")}>Approve</button>}
          {approver && session.status !== "draft" && <button id="session-reopen" disabled={busy} onClick={() => step("reopen")}>Reopen</button>}
          {editable && !open && !starting && <button id="session-new" onClick={() => setStarting(true)}>New session</button>}
        </div>
      )}
      {session?.status === "submitted" && !approver && <p class="muted">Submitted: someone with the right to approve entries signs it off.</p>}
      {session?.status === "approved" && <p class="muted">Approved: its lines are locked; reopen it to change them.</p>}
      {!session && !latest.loading && !starting && (
        <div class="session-facts">
          <span class="muted">No reconciliation session yet.</span>
          <span class="spacer" />
          {editable && <button class="primary" id="session-new" onClick={() => setStarting(true)}>Start a session</button>}
        </div>
      )}
      {starting && <StartSession account={account} onDone={() => setStarting(false)} />}
    </section>
  );
}

function StartSession({ account, onDone }: { account: BankAccount; onDone: () => void }) {
  const [date, setDate] = useState(account.statement_date ?? "");
  const [closing, setClosing] = useState(account.statement_balance ?? "");
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  useEffect(() => {
    setDate(account.statement_date ?? "");
    setClosing(account.statement_balance ?? "");
  }, [account.statement_date, account.statement_balance]);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await api("POST", RECONCILIATIONS_API, { body: { bank_account: account.id, statement_date: date, closing_balance: closing.trim() } });
      invalidate(...BANKING_TOUCHES);
      toast("Session started");
      onDone();
    } catch (err) {
      setErrors(fieldErrors(err));
      toastError(err);
    }
  };
  return (
    <form class="filters session-start" id="session-start" onSubmit={submit}>
      <label>Statement date <input type="date" name="statement_date" value={date} required onInput={(e) => setDate((e.target as HTMLInputElement).value)} /><FieldError errors={errors} name="statement_date" /></label>
      <label>Closing balance <input name="closing_balance" class="num" inputMode="decimal" value={closing} required onInput={(e) => setClosing((e.target as HTMLInputElement).value)} /><FieldError errors={errors} name="closing_balance" /></label>
      <button class="primary" type="submit">Start</button>
      <button type="button" onClick={onDone}>Cancel</button>
      <span class="muted">From the last statement imported, {account.statement_date ? formatDate(account.statement_date) : "none yet"}.</span>
    </form>
  );
}
