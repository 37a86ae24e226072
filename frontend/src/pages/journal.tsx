import { useEffect, useState } from "preact/hooks";
import { Link, useSearch } from "wouter-preact";
import { navigate } from "wouter-preact/use-browser-location";
import { qs, type Entry, type Page as PageT } from "../api";
import { can, useAuth } from "../auth";
import { useQuery } from "../query";
import { Async, Empty, Money, Page } from "../ui";
import { useAccounts } from "./accounts";
import { formatDate } from "../format";

const PAGE_SIZE = 25;

export function JournalList() {
  const { user } = useAuth();
  const accounts = useAccounts();
  // `search` comes from the URL too: the top bar's global search links here with ?search=<text>.
  const urlSearch = new URLSearchParams(useSearch()).get("search") ?? "";
  const [filters, setFilters] = useState({ status: "", date_from: "", date_to: "", account: "", search: urlSearch });
  const [page, setPage] = useState(1);
  useEffect(() => {
    setFilters((f) => (f.search === urlSearch ? f : { ...f, search: urlSearch }));
    setPage(1);
  }, [urlSearch]);
  const path = `/api/accounting/journal-entries/${qs({ ...filters, page, page_size: PAGE_SIZE, ordering: "-date,-number" })}`;
  const q = useQuery<PageT<Entry>>(path);
  const set = (k: string) => (e: Event) => {
    setFilters({ ...filters, [k]: (e.target as HTMLInputElement).value });
    setPage(1);
  };
  return (
    <Page
      title="Journal"
      crumbs={[["Accounting", "/accounting/accounts"], ["Journal"]]}
      actions={can(user, "ledger.edit") && <Link href="/accounting/journal/new" class="button primary">New entry</Link>}
    >
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Status
          <select value={filters.status} onChange={set("status")} name="status">
            <option value="">All</option>
            <option value="draft">Draft</option>
            <option value="approved">Approved</option>
            <option value="posted">Posted</option>
            <option value="cancelled">Cancelled</option>
          </select>
        </label>
        <label>From <input type="date" value={filters.date_from} onChange={set("date_from")} /></label>
        <label>To <input type="date" value={filters.date_to} onChange={set("date_to")} /></label>
        <label>Account
          <select value={filters.account} onChange={set("account")}>
            <option value="">Any</option>
            {(accounts.data?.results ?? []).map((a) => <option value={a.id}>{a.code} {a.name}</option>)}
          </select>
        </label>
        <label>Search <input type="search" name="search" value={filters.search} onInput={(e) => {
          const v = (e.target as HTMLInputElement).value;
          setFilters({ ...filters, search: v });
          setPage(1);
          navigate(`/accounting/journal${v ? `?search=${encodeURIComponent(v)}` : ""}`, { replace: true });
        }} placeholder="reference, description" /></label>
      </form>
      <Async q={q}>
        {(data) =>
          data.results.length === 0 ? (
            <Empty>No entries match. {can(user, "ledger.edit") && <Link href="/accounting/journal/new">Enter one</Link>}</Empty>
          ) : (
            <>
              <div class="table-wrap">
                <table class="table journal-list">
                  <thead>
                    <tr><th>No.</th><th>Date</th><th>Reference</th><th class="hide-sm">Description</th><th>Status</th><th class="num">Total</th></tr>
                  </thead>
                  <tbody>
                    {data.results.map((e) => (
                      <tr key={e.id}>
                        <td><Link href={`/accounting/journal/${e.id}`}>{e.number ?? "draft"}</Link></td>
                        <td>{formatDate(e.date)}</td>
                        <td><Link href={`/accounting/journal/${e.id}`}>{e.reference || "—"}</Link></td>
                        <td class="hide-sm">{e.description}</td>
                        <td><span class={`status ${e.status}`}>{e.status}</span>{e.reversed_by && <span class="badge">reversed</span>}</td>
                        <td class="num"><Money value={e.total} currency={e.currency} /></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <div class="pager">
                <button disabled={!data.previous} onClick={() => setPage(page - 1)}>‹ Previous</button>
                <span>Page {page} of {Math.max(1, Math.ceil(data.count / PAGE_SIZE))} · {data.count} entries</span>
                <button disabled={!data.next} onClick={() => setPage(page + 1)}>Next ›</button>
              </div>
            </>
          )
        }
      </Async>
    </Page>
  );
}
