// The list of one kind of document (invoices, credit notes, bills, vendor credits), newest first,
// a page of 25 at a time. Its filters start from the URL's query (?status=, ?contact=, ?overdue=true, …).
import { useState } from "preact/hooks";
import { Link, useSearch } from "wouter-preact";
import { qs, type Page as PageT } from "../../api";
import { can, useAuth } from "../../auth";
import { CONTACTS, KINDS, STATUS_LABEL, useContacts, type Doc, type DocKind } from "../../documents";
import { formatDate } from "../../format";
import { useQuery } from "../../query";
import { Async, Empty, Money, Page, Pager } from "../../ui";
import { DocStatus } from "./shared";

const PAGE_SIZE = 25;
const STATUSES = ["draft", "issued", "partially_paid", "paid", "void"];

/** The list of one kind, with filters by status, contact, dates, overdue and text. */
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
