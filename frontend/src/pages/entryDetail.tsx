import { AttachmentsPanel } from "../attachments";
import { Link } from "wouter-preact";
import { navigate } from "wouter-preact/use-browser-location";
import { api, type Entry, type Page as PageT } from "../api";
import { can, useAuth } from "../auth";
import { invalidate, useQuery } from "../query";
import { Async, Empty, Money, Page, toast, toastError } from "../ui";
import { useAccounts } from "./accounts";
import { formatDate, formatDateTime } from "../format";

interface Audit {
  id: string;
  actor: string | null;
  action: string;
  object_type: string;
  changes: unknown;
  created_at: string;
}

export function EntryDetail({ id }: { id: string }) {
  const { user } = useAuth();
  const q = useQuery<Entry>(`/api/accounting/journal-entries/${id}/`);
  const accounts = useAccounts();
  const audit = useQuery<PageT<Audit>>(`/api/accounting/audit-log/?object_id=${id}&page_size=100`);
  const name = (aid: string) => {
    const a = accounts.data?.results.find((x) => x.id === aid);
    return a ? `${a.code} ${a.name}` : aid;
  };
  const act = async (verb: string, confirmText: string, body: unknown = {}) => {
    if (!window.confirm(confirmText)) return;
    try {
      const res = await api<Entry>("POST", `/api/accounting/journal-entries/${id}/${verb}/`, { body });
      invalidate("/api/accounting/journal-entries/", "/api/reports/", "/api/accounting/audit-log/");
      toast(verb === "reverse" ? `Reversed by entry ${res.number}` : `Entry ${verb === "post" ? "posted" : "approved"}`);
      if (verb === "reverse") navigate(`/accounting/journal/${res.id}`);
    } catch (e) {
      toastError(e);
    }
  };
  const remove = async () => {
    if (!window.confirm("Delete this draft?")) return;
    try {
      await api("DELETE", `/api/accounting/journal-entries/${id}/`);
      invalidate("/api/accounting/journal-entries/");
      toast("Draft deleted");
      navigate("/accounting/journal");
    } catch (e) {
      toastError(e);
    }
  };
  return (
    <Async q={q}>
      {(e) => (
        <Page
          title={e.number ? `Entry ${e.number}` : "Draft entry"}
          crumbs={[["Accounting", "/accounting/accounts"], ["Journal", "/accounting/journal"], [e.number ? `No. ${e.number}` : "Draft"]]}
          actions={
            <>
              {e.status === "draft" && can(user, "ledger.edit") && <Link class="button" href={`/accounting/journal/${id}/edit`}>Edit</Link>}
              {e.status === "draft" && can(user, "ledger.edit") && <button class="danger" onClick={remove}>Delete</button>}
              {e.status === "draft" && can(user, "entries.approve") && (
                <button onClick={() => act("approve", "Approve this entry for posting?")}>Approve</button>
              )}
              {(e.status === "draft" || e.status === "approved") && can(user, "entries.post") && (
                <button class="primary" onClick={() => act("post", "Post this entry? A posted entry can only be reversed.")}>Post</button>
              )}
              {e.status === "posted" && !e.reversed_by && can(user, "entries.post") && (
                <button class="danger" id="reverse" onClick={() => act("reverse", `Reverse entry ${e.number}? A mirror entry is posted on the same date.`, {})}>Reverse</button>
              )}
            </>
          }
        >
          <dl class="facts">
            <div><dt>Date</dt><dd>{formatDate(e.date)}</dd></div>
            <div><dt>Status</dt><dd><span class={`status ${e.status}`} id="entry-status">{e.status}</span></dd></div>
            <div><dt>Reference</dt><dd>{e.reference || "—"}</dd></div>
            <div><dt>Total</dt><dd><Money value={e.total} currency={e.currency} /></dd></div>
            {e.reverses && <div><dt>Reverses</dt><dd><Link href={`/accounting/journal/${e.reverses}`}>the original entry</Link></dd></div>}
            {e.reversed_by && <div><dt>Reversed by</dt><dd><Link href={`/accounting/journal/${e.reversed_by}`}>the reversing entry</Link></dd></div>}
          </dl>
          {e.description && <p>{e.description}</p>}
          <div class="table-wrap">
            <table class="table">
              <thead><tr><th>#</th><th>Account</th><th class="hide-sm">Description</th><th class="num">Debit</th><th class="num">Credit</th></tr></thead>
              <tbody>
                {e.lines.map((l) => (
                  <tr key={l.line_no}>
                    <td>{l.line_no}</td>
                    <td>{name(l.account)}</td>
                    <td class="hide-sm">{l.description}</td>
                    <td class="num"><Money value={l.base_debit} currency={e.currency} blankZero /></td>
                    <td class="num"><Money value={l.base_credit} currency={e.currency} blankZero /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <AttachmentsPanel kind="entry" id={id} />
          <h2>History</h2>
          <Async q={audit}>
            {(a) =>
              a.results.length === 0 ? <Empty>No recorded changes.</Empty> : (
                <ul class="history">
                  {a.results.map((r) => (
                    <li key={r.id}><time dateTime={r.created_at}>{formatDateTime(r.created_at)}</time> <strong>{r.action}</strong> {r.object_type}</li>
                  ))}
                </ul>
              )
            }
          </Async>
        </Page>
      )}
    </Async>
  );
}
