// Payments received and made (docs/receivables-api.md "Payments"): the list, voiding, and
// allocating what is left of a payment to the contact's open documents.
import { AttachmentsPanel } from "../attachments";
import { useState } from "preact/hooks";
import { Link, useSearch } from "wouter-preact";
import { api, qs, type Page as PageT } from "../api";
import { can, useAuth } from "../auth";
import { CONTACTS, KINDS, PAYMENTS_API, useContacts, type Doc, type Payment } from "../documents";
import { formatDate } from "../format";
import { decimals, formatMinor, fromMinor, toMinor } from "../money";
import { invalidate, useQuery } from "../query";
import { Async, Dialog, Empty, fieldErrors, FormErrors, Money, Page, Pager, StatusChip, toast, toastError, today } from "../ui";
import { useAccounts } from "./accounts";

const PAGE_SIZE = 25;

function invalidatePayments() {
  invalidate(PAYMENTS_API, ...Object.values(KINDS).map((k) => k.api), CONTACTS.sales.api, CONTACTS.purchase.api, "/api/reports/", "/api/accounting/journal-entries/");
}

export function Payments() {
  const { user, company } = useAuth();
  const currency = company?.currency ?? "USD";
  const url = new URLSearchParams(useSearch());
  const customers = useContacts("sales");
  const vendors = useContacts("purchase");
  const accounts = useAccounts().data?.results ?? [];
  const [filters, setFilters] = useState({ direction: url.get("direction") ?? "", contact: url.get("contact") ?? "", date_from: "", date_to: "", search: "" });
  const [page, setPage] = useState(1);
  const [allocating, setAllocating] = useState<Payment | null>(null);
  const q = useQuery<PageT<Payment>>(`${PAYMENTS_API}${qs({ ...filters, page, page_size: PAGE_SIZE, ordering: "-date" })}`);
  const set = (k: string) => (e: Event) => {
    setFilters({ ...filters, [k]: (e.target as HTMLInputElement).value });
    setPage(1);
  };
  const contacts = [...(customers.data?.results ?? []), ...(vendors.data?.results ?? [])];
  const contactName = (p: Payment) => p.contact_name ?? contacts.find((c) => c.id === p.contact)?.name ?? "";
  const accountName = (id: string) => {
    const a = accounts.find((x) => x.id === id);
    return a ? `${a.code} ${a.name}` : "";
  };
  const issuer = can(user, "documents.issue");
  const voidPayment = async (p: Payment) => {
    if (!window.confirm(`Void this payment of ${p.amount}? Its entry is reversed on the payment's date and its allocations end then.`)) return;
    try {
      await api("POST", `${PAYMENTS_API}${p.id}/void/`, { body: {} });
      invalidatePayments();
      toast("Payment voided");
    } catch (e) {
      toastError(e);
    }
  };
  const contactOptions = filters.direction === "received" ? customers.data?.results ?? [] : filters.direction === "made" ? vendors.data?.results ?? [] : contacts;
  return (
    <Page title="Payments" crumbs={[["Payments"]]}>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Direction
          <select name="direction" value={filters.direction} onChange={set("direction")}>
            <option value="">Both</option>
            <option value="received">Received (customers)</option>
            <option value="made">Made (vendors)</option>
          </select>
        </label>
        <label>Contact
          <select name="contact" value={filters.contact} onChange={set("contact")}>
            <option value="">Any</option>
            {contactOptions.filter((c, i, all) => all.findIndex((x) => x.id === c.id) === i).map((c) => <option value={c.id}>{c.name}</option>)}
          </select>
        </label>
        <label>From <input type="date" name="date_from" value={filters.date_from} onChange={set("date_from")} /></label>
        <label>To <input type="date" name="date_to" value={filters.date_to} onChange={set("date_to")} /></label>
        <label>Search <input type="search" name="search" value={filters.search} onInput={set("search")} placeholder="reference, contact" /></label>
      </form>
      {allocating && <AllocateDialog payment={allocating} name={contactName(allocating)} onClose={() => setAllocating(null)} />}
      <Async q={q} missing="Payments">
        {(data) =>
          data.results.length === 0 ? (
            <Empty>No payments match. Payments are recorded from an issued invoice or bill (“Record payment”).</Empty>
          ) : (
            <>
              <div class="table-wrap">
                <table class="table payment-list">
                  <thead>
                    <tr><th>Date</th><th>Direction</th><th>Contact</th><th class="hide-sm">Reference</th><th class="hide-sm">Account</th><th>Status</th><th class="num">Amount</th><th class="num">Unallocated</th><th /></tr>
                  </thead>
                  <tbody>
                    {data.results.map((p) => {
                      const cur = p.currency ?? currency;
                      const left = toMinor(p.unallocated, decimals(cur)) ?? 0n;
                      const side = p.direction === "received" ? CONTACTS.sales : CONTACTS.purchase;
                      return (
                        <tr key={p.id} class={p.status === "void" ? "inactive" : ""} data-reference={p.reference}>
                          <td>{formatDate(p.date)}</td>
                          <td>{p.direction === "received" ? "received" : "made"}</td>
                          <td><Link href={`${side.route}/${p.contact}`}>{contactName(p)}</Link></td>
                          <td class="hide-sm">{p.reference}</td>
                          <td class="hide-sm">{accountName(p.bank_account)}</td>
                          <td><StatusChip status={p.status} /></td>
                          <td class="num"><Money value={p.amount} currency={cur} /></td>
                          <td class="num"><Money value={p.unallocated} currency={cur} blankZero /></td>
                          <td class="row-actions">
                            {p.journal_entry && <Link href={`/accounting/journal/${p.journal_entry}`}>Entry</Link>}
                            {issuer && p.status !== "void" && left > 0n && <button class="link" onClick={() => setAllocating(p)}>Allocate</button>}
                            {issuer && p.status !== "void" && <button class="link danger-link" onClick={() => voidPayment(p)}>Void</button>}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              <Pager page={page} count={data.count} size={PAGE_SIZE} next={data.next} previous={data.previous} onPage={setPage} noun="payments" />
            </>
          )
        }
      </Async>
    </Page>
  );
}

/** Spreads a payment's unallocated amount over the contact's open invoices (or bills). */
function AllocateDialog({ payment, name, onClose }: { payment: Payment; name: string; onClose: () => void }) {
  const { company } = useAuth();
  const currency = payment.currency ?? company?.currency ?? "USD";
  const dp = decimals(currency);
  const kind = payment.direction === "received" ? KINDS.invoice : KINDS.bill;
  const q = useQuery<PageT<Doc>>(`${kind.api}${qs({ contact: payment.contact, page_size: 100, ordering: "due_date" })}`);
  const [amounts, setAmounts] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const open = (q.data?.results ?? []).filter((d) => d.status === "issued" || d.status === "partially_paid");
  const left = toMinor(payment.unallocated, dp) ?? 0n;
  let sum = 0n;
  let bad = false;
  for (const v of Object.values(amounts)) {
    const m = toMinor(v, dp);
    if (m === null || m < 0n) bad = true;
    else sum += m;
  }
  /** Fills the oldest due first with what is left. */
  const autoFill = () => {
    let rest = left;
    const next: Record<string, string> = {};
    for (const d of open) {
      if (rest <= 0n) break;
      const due = toMinor(d.balance_due, dp) ?? 0n;
      const take = due < rest ? due : rest;
      if (take > 0n) next[d.id] = fromMinor(take, dp);
      rest -= take;
    }
    setAmounts(next);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (bad) return setErrors({ non_field_errors: [`Amounts must be numbers with at most ${dp} decimals.`] });
    if (sum > left) return setErrors({ non_field_errors: [`The allocations (${formatMinor(sum, dp)}) exceed what is left of the payment (${formatMinor(left, dp)}).`] });
    const allocations = Object.entries(amounts)
      .map(([document, v]) => ({ document, amount: fromMinor(toMinor(v, dp) ?? 0n, dp) }))
      .filter((a) => (toMinor(a.amount, dp) ?? 0n) > 0n);
    if (!allocations.length) return setErrors({ non_field_errors: ["Enter an amount for at least one document."] });
    setBusy(true);
    try {
      await api("POST", `${PAYMENTS_API}${payment.id}/allocate/`, { body: { allocations } });
      invalidatePayments();
      toast("Payment allocated");
      onClose();
    } catch (err) {
      // `allocations[j].…` names the j-th allocation sent: shown on its document's row.
      const f: Record<string, string[]> = {};
      for (const [key, v] of Object.entries(fieldErrors(err))) {
        const m = /^allocations\[(\d+)\]\.(.+)$/.exec(key);
        f[m && allocations[Number(m[1])] ? `doc:${allocations[Number(m[1])].document}` : key] = v;
      }
      if (!Object.keys(f).length) f.non_field_errors = [err instanceof Error ? err.message : String(err)];
      setErrors(f);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Allocate the payment from ${name || "the contact"}`} onClose={onClose} id="allocate-dialog">
      <form class="form" onSubmit={submit}>
        <p class="muted">{formatDate(payment.date)} · {payment.reference || "no reference"} · unallocated {formatMinor(left, dp)} {currency}</p>
        <Async q={q}>
          {() => open.length === 0 ? <Empty>No open {kind.title.toLowerCase()} for this contact.</Empty> : (
            <table class="table compact">
              <thead><tr><th>{kind.one}</th><th>Due</th><th class="num">Balance due</th><th class="num">Allocate</th></tr></thead>
              <tbody>
                {open.map((d) => (
                  <tr key={d.id}>
                    <td>{d.number}</td>
                    <td>{formatDate(d.due_date)}</td>
                    <td class="num"><Money value={d.balance_due} currency={d.currency} /></td>
                    <td class="num">
                      <input class="num alloc-input" inputMode="decimal" aria-label={`Allocate to ${d.number}`} value={amounts[d.id] ?? ""}
                        onInput={(e) => setAmounts({ ...amounts, [d.id]: (e.target as HTMLInputElement).value })} />
                      {errors[`doc:${d.id}`] && <span class="field-error">{errors[`doc:${d.id}`].join(" ")}</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
              <tfoot><tr><td colSpan={3} class="right">Allocated</td><td class="num">{formatMinor(sum, dp)}</td></tr></tfoot>
            </table>
          )}
        </Async>
        <FormErrors errors={Object.fromEntries(Object.entries(errors).filter(([k]) => !k.startsWith("doc:")))} shown={[]} />
        <div class="buttons">
          <button class="primary" type="submit" disabled={busy || !open.length}>Allocate</button>
          <button type="button" onClick={autoFill} disabled={!open.length}>Oldest first</button>
          <button type="button" onClick={onClose}>Cancel</button>
          <span class="muted hint">as of {formatDate(today())}</span>
        </div>
      </form>
      <AttachmentsPanel kind="payment" id={payment.id} />
    </Dialog>
  );
}
