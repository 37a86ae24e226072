import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { api } from "../api";
import { can, useAuth } from "../auth";
import { invalidate, useQuery } from "../query";
import { Async, Money, Page, toast, toastError } from "../ui";
import { formatDate } from "../format";

interface Settings {
  fiscal_year_start_month: number;
  lock_date: string | null;
  hard_lock_date: string | null;
  approval_required: boolean;
  approval_threshold: string;
  tax_rounding?: string;
}

export function Periods() {
  const { user, company } = useAuth();
  const q = useQuery<Settings>("/api/accounting/periods/");
  const [date, setDate] = useState("");
  const [hard, setHard] = useState(false);
  const allowed = can(user, "periods.close");
  const run = async (verb: string, body: unknown, text: string) => {
    if (!window.confirm(text)) return;
    try {
      await api("POST", `/api/accounting/periods/${verb}/`, { body });
      invalidate("/api/accounting/periods/", "/api/accounting/journal-entries/", "/api/reports/");
      toast("Done");
    } catch (e) {
      toastError(e);
    }
  };
  return (
    <Page title="Periods" crumbs={[["Accounting", "/accounting/accounts"], ["Periods"]]}>
      <Async q={q}>
        {(s) => (
          <>
            <dl class="facts">
              <div><dt>Locked through</dt><dd id="lock-date">{s.lock_date ? formatDate(s.lock_date) : "nothing locked"}</dd></div>
              <div><dt>Closed for good through</dt><dd>{s.hard_lock_date ? formatDate(s.hard_lock_date) : "—"}</dd></div>
              <div><dt>Fiscal year starts</dt><dd>month {s.fiscal_year_start_month}</dd></div>
              <div><dt>Tax rounding</dt><dd id="tax-rounding">{s.tax_rounding === "document" ? "per document" : "per line"}{can(user, "documents.issue") && <> · <Link href="/settings/documents">change</Link></>}</dd></div>
              <div><dt>Approval</dt><dd>{s.approval_required ? <>required above <Money value={s.approval_threshold} currency={company?.currency ?? "USD"} /></> : "not required"}</dd></div>
            </dl>
            {allowed ? (
              <div class="panel form">
                <h2>Close or reopen</h2>
                <p class="muted">Closing locks every date up to and including the one given: nothing can be posted there. A soft close can be reopened; a hard close is final.</p>
                <div class="grid-form">
                  <label>Date <input type="date" value={date} onInput={(e) => setDate((e.target as HTMLInputElement).value)} /></label>
                  <label class="inline"><input type="checkbox" checked={hard} onChange={() => setHard(!hard)} /> Hard close (final)</label>
                </div>
                <div class="buttons">
                  <button class="primary" disabled={!date} onClick={() => run("close", { date, hard }, `Close the books through ${formatDate(date)}${hard ? " for good" : ""}?`)}>Close period</button>
                  <button disabled={!s.lock_date} onClick={() => run("reopen", { date: date || null }, date ? `Move the lock back to ${formatDate(date)}?` : "Remove the soft lock?")}>Reopen to date</button>
                  <button disabled={!date} onClick={() => run("year-end", { date }, `Post the year-end closing entry on ${formatDate(date)} and lock the year?`)}>Year-end close</button>
                </div>
              </div>
            ) : (
              <p class="muted">Your role cannot close periods.</p>
            )}
          </>
        )}
      </Async>
    </Page>
  );
}
