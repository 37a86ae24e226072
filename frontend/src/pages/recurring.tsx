// Recurring invoices (`/api/invoicing/recurring-invoices/`): a template of invoice lines and a
// schedule. The server makes each due invoice by itself every few minutes; "Run due invoices now"
// makes the company's due invoices at once (`…/run/`) and lists them.
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { navigate } from "wouter-preact/use-browser-location";
import { ApiError, api, isMissing, qs, type Page as PageT } from "../api";
import { can, useAuth } from "../auth";
import {
  CONTACTS, KINDS, RECURRING_API, SALES, STATUS_LABEL, useContacts, useItems, useTaxRates, useTaxRounding,
  type Frequency, type Recurring,
} from "../documents";
import { formatDate } from "../format";
import { decimals } from "../money";
import { invalidate, useQuery } from "../query";
import {
  Async, Empty, ErrorBox, FieldError, FormErrors, Loading, NotYet, Page, Pager, StatusChip, toast, toastError, today,
} from "../ui";
import { useAccounts } from "./accounts";
import { blank, fromLine, LineGrid, linesPayload, rowErrors, useLineTotals, type Row } from "./lines";

const PAGE_SIZE = 25;
const ROUTE = "/sales/recurring";
const TITLE = "Recurring invoices";
const FREQUENCIES: [Frequency, string, string][] = [
  ["weekly", "Weekly", "weeks"],
  ["monthly", "Monthly", "months"],
  ["quarterly", "Quarterly", "quarters"],
  ["yearly", "Yearly", "years"],
];

/** "monthly", "every 2 months". */
export function scheduleText(frequency: Frequency, every: number): string {
  const f = FREQUENCIES.find((x) => x[0] === frequency);
  if (!f) return frequency;
  return every === 1 ? f[1].toLowerCase() : `every ${every} ${f[2]}`;
}

/** After a schedule is saved or run: the schedules, and what the invoices made change. */
function invalidateRecurring() {
  invalidate(RECURRING_API, KINDS.invoice.api, CONTACTS.sales.api, "/api/reports/", "/api/accounting/journal-entries/");
}

interface RunResult {
  date: string;
  count: number;
  invoices: { id: string; number: string | null; issue_date: string; status: string }[];
}

// ---- list -----------------------------------------------------------------------------------
export function RecurringList() {
  const { user } = useAuth();
  const customers = useContacts("sales");
  const [filters, setFilters] = useState({ search: "", is_active: "" });
  const [page, setPage] = useState(1);
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<RunResult | null>(null);
  const q = useQuery<PageT<Recurring>>(`${RECURRING_API}${qs({ ...filters, page, page_size: PAGE_SIZE, ordering: "name" })}`);
  const set = (k: string) => (e: Event) => {
    setFilters({ ...filters, [k]: (e.target as HTMLInputElement).value });
    setPage(1);
  };
  const issuer = can(user, "documents.issue");
  const customerName = (id: string) => customers.data?.results.find((c) => c.id === id)?.name ?? "";
  const run = async () => {
    if (running) return;
    setRunning(true);
    try {
      const r = await api<RunResult>("POST", `${RECURRING_API}run/`, { body: {} });
      setResult(r);
      invalidateRecurring();
      toast(r.count ? `${r.count} invoice${r.count === 1 ? "" : "s"} made` : "No invoices were due");
    } catch (e) {
      toastError(e);
    } finally {
      setRunning(false);
    }
  };
  return (
    <Page
      title={TITLE}
      crumbs={[SALES, [TITLE]]}
      actions={issuer && (
        <>
          <button id="run-recurring" onClick={run} disabled={running}>Run due invoices now</button>
          <Link href={`${ROUTE}/new`} class="button primary">New recurring invoice</Link>
        </>
      )}
    >
      {result && <RunResultPanel result={result} onClose={() => setResult(null)} />}
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Search <input type="search" name="search" value={filters.search} onInput={set("search")} placeholder="name, reference" /></label>
        <label>Show
          <select name="is_active" value={filters.is_active} onChange={set("is_active")}>
            <option value="">All</option>
            <option value="true">Active</option>
            <option value="false">Paused</option>
          </select>
        </label>
      </form>
      <Async q={q} missing={TITLE}>
        {(data) =>
          data.results.length === 0 ? (
            <Empty>
              {filters.search || filters.is_active ? "No recurring invoices match." : "No recurring invoices yet: a schedule makes an invoice every week, month, quarter or year."}{" "}
              {issuer && <Link href={`${ROUTE}/new`}>Set one up</Link>}
            </Empty>
          ) : (
            <>
              <div class="table-wrap">
                <table class="table recurring-list">
                  <thead>
                    <tr>
                      <th>Name</th><th>Customer</th><th>Frequency</th><th class="num hide-sm">Every</th>
                      <th>Next date</th><th class="num">Generated</th><th>Status</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.results.map((r) => (
                      <tr key={r.id} data-name={r.name} data-id={r.id} class={r.is_active ? "" : "inactive"}>
                        <td><Link href={`${ROUTE}/${r.id}`}>{r.name}</Link></td>
                        <td>{customerName(r.contact)}</td>
                        <td>{FREQUENCIES.find((f) => f[0] === r.frequency)?.[1] ?? r.frequency}</td>
                        <td class="num hide-sm">{r.every}</td>
                        <td data-cell="next_date">{r.next_date ? formatDate(r.next_date) : <span class="muted">ended</span>}</td>
                        <td class="num" data-cell="generated">{r.generated}</td>
                        <td>
                          <StatusChip status={r.is_active ? "active" : "archived"} label={r.is_active ? "active" : "paused"} />
                          {r.auto_issue && <span class="badge">auto-issue</span>}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager page={page} count={data.count} size={PAGE_SIZE} next={data.next} previous={data.previous} onPage={setPage} noun="schedules" />
            </>
          )
        }
      </Async>
    </Page>
  );
}

/** What a run made, each invoice a link. */
function RunResultPanel({ result, onClose }: { result: RunResult; onClose: () => void }) {
  return (
    <section class="panel run-result" id="run-result" role="status">
      <header class="run-result-head">
        <h2>
          {result.count
            ? `${result.count} invoice${result.count === 1 ? "" : "s"} made, as of ${formatDate(result.date)}`
            : `Nothing was due as of ${formatDate(result.date)}`}
        </h2>
        <button type="button" class="link" aria-label="Close" onClick={onClose}>×</button>
      </header>
      {result.invoices.length > 0 && (
        <ul class="run-invoices">
          {result.invoices.map((d) => (
            <li key={d.id}>
              <Link href={`${KINDS.invoice.route}/${d.id}`}>{d.number ?? "Draft invoice"}</Link>{" "}
              <span class="muted">{formatDate(d.issue_date)}</span>{" "}
              <StatusChip status={d.status} label={STATUS_LABEL[d.status]} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

// ---- one schedule -------------------------------------------------------------------------------
/** A new schedule (id undefined) or one schedule: its form, with the invoice editor's lines. */
export function RecurringPage({ id }: { id?: string }) {
  const q = useQuery<Recurring>(id ? `${RECURRING_API}${id}/` : null);
  const itemsQ = useItems();
  const itemsReady = !!itemsQ.data || !!itemsQ.error;
  if (!id) return itemsReady ? <RecurringForm schedule={null} /> : <Loading />;
  if (q.error && isMissing(q.error)) {
    return <Page title={TITLE} crumbs={[SALES, [TITLE, ROUTE], ["Not found"]]}><NotYet what="This recurring invoice" /></Page>;
  }
  if (q.error) return <ErrorBox error={q.error} />;
  if (!q.data || !itemsReady) return <Loading />;
  return <RecurringForm schedule={q.data} key={q.data.id + q.data.updated_at} />;
}

interface Head {
  name: string;
  contact: string;
  frequency: Frequency;
  every: string;
  start_date: string;
  end_date: string;
  payment_terms_days: string;
  reference: string;
  notes: string;
  auto_issue: boolean;
  is_active: boolean;
}

function RecurringForm({ schedule }: { schedule: Recurring | null }) {
  const { user, company } = useAuth();
  const contactsQ = useContacts("sales");
  const items = useItems().data?.results ?? [];
  const rates = useTaxRates().data?.results ?? [];
  const accounts = useAccounts().data?.results ?? [];
  const contacts = contactsQ.data?.results ?? [];
  const mode = useTaxRounding();
  const [head, setHead] = useState<Head>(() => ({
    name: schedule?.name ?? "",
    contact: schedule?.contact ?? "",
    frequency: schedule?.frequency ?? "monthly",
    every: String(schedule?.every ?? 1),
    start_date: schedule?.start_date ?? today(),
    end_date: schedule?.end_date ?? "",
    payment_terms_days: schedule?.payment_terms_days == null ? "" : String(schedule.payment_terms_days),
    reference: schedule?.reference ?? "",
    notes: schedule?.notes ?? "",
    auto_issue: schedule?.auto_issue ?? false,
    is_active: schedule?.is_active ?? true,
  }));
  const [rows, setRows] = useState<Row[]>(() => (schedule?.lines.length ? schedule.lines.map((l) => fromLine(l, items)) : [blank()]));
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const contact = contacts.find((c) => c.id === head.contact);
  const currency = contact?.currency || company?.currency || "USD";
  const dp = decimals(currency);
  const totals = useLineTotals(rows, rates, dp, mode);
  const editable = can(user, "documents.issue");
  const set = (k: keyof Head) => (e: Event) => {
    const t = e.target as HTMLInputElement;
    setHead({ ...head, [k]: t.type === "checkbox" ? t.checked : t.value });
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!head.contact) return setErrors({ contact: ["Choose a customer."] });
    if (totals.bad) return setErrors({ lines: ["A quantity, price or discount is not a number."] });
    const { lines, sent } = linesPayload(rows);
    if (!lines.length) return setErrors({ lines: ["Add at least one line."] });
    const body: Record<string, unknown> = {
      name: head.name.trim(),
      contact: head.contact,
      frequency: head.frequency,
      every: Number(head.every) || 1,
      start_date: head.start_date,
      end_date: head.end_date || null,
      reference: head.reference,
      notes: head.notes,
      auto_issue: head.auto_issue,
      is_active: head.is_active,
      lines,
    };
    if (head.payment_terms_days.trim() !== "") body.payment_terms_days = Number(head.payment_terms_days);
    setBusy(true);
    try {
      const saved = schedule
        ? await api<Recurring>("PATCH", `${RECURRING_API}${schedule.id}/`, { body })
        : await api<Recurring>("POST", RECURRING_API, { body });
      setErrors({});
      invalidate(RECURRING_API);
      toast(schedule ? `${saved.name} saved` : `Recurring invoice ${saved.name} created`);
      if (!schedule) navigate(`${ROUTE}/${saved.id}`);
    } catch (err) {
      if (err instanceof ApiError) setErrors(rowErrors(err, sent));
      toastError(err);
    } finally {
      setBusy(false);
    }
  };

  const title = schedule ? schedule.name : "New recurring invoice";
  const activeContacts = contacts.filter((c) => c.is_active || c.id === head.contact);
  const shown = ["name", "contact", "frequency", "every", "start_date", "end_date", "payment_terms_days", "reference", "notes", "auto_issue", "is_active", "lines"];
  return (
    <Page title={title} crumbs={[SALES, [TITLE, ROUTE], [schedule ? schedule.name : "New"]]}>
      {schedule && (
        <dl class="facts">
          <div><dt>Status</dt><dd><StatusChip status={schedule.is_active ? "active" : "archived"} label={schedule.is_active ? "active" : "paused"} id="recurring-status" /></dd></div>
          <div><dt>Schedule</dt><dd>{scheduleText(schedule.frequency, schedule.every)} from {formatDate(schedule.start_date)}{schedule.end_date ? ` to ${formatDate(schedule.end_date)}` : ""}</dd></div>
          <div><dt>Next invoice</dt><dd id="recurring-next">{schedule.next_date ? formatDate(schedule.next_date) : "none: the schedule has ended"}</dd></div>
          <div><dt>Invoices made</dt><dd id="recurring-generated">{schedule.generated}</dd></div>
          <div><dt>Customer</dt><dd><Link href={`${CONTACTS.sales.route}/${schedule.contact}`}>{contact?.name ?? "…"}</Link></dd></div>
        </dl>
      )}
      <form class="entry-form doc-form" id="recurring-form" onSubmit={submit}>
        <fieldset disabled={!editable} class="plain">
          <div class="grid-form doc-head">
            <label class="wide">Name <input name="name" value={head.name} onInput={set("name")} required maxLength={200} autofocus={!schedule} placeholder="Monthly retainer, Acme" /><FieldError errors={errors} name="name" /></label>
            <label>Customer
              <select name="contact" value={head.contact} onChange={set("contact")} required>
                <option value="">Choose…</option>
                {activeContacts.map((c) => <option value={c.id}>{c.name}</option>)}
              </select>
              <FieldError errors={errors} name="contact" />
              {contactsQ.data && contacts.length === 0 && (
                <span class="hint muted"><Link href={`${CONTACTS.sales.route}/new`}>Add a customer</Link> first.</span>
              )}
            </label>
            <label>Frequency
              <select name="frequency" value={head.frequency} onChange={set("frequency")}>
                {FREQUENCIES.map(([v, l]) => <option value={v}>{l}</option>)}
              </select>
              <FieldError errors={errors} name="frequency" />
            </label>
            <label>Every <input type="number" name="every" min={1} max={12} step={1} value={head.every} onInput={set("every")} required />
              <span class="hint muted">{scheduleText(head.frequency, Number(head.every) || 1)}</span>
              <FieldError errors={errors} name="every" />
            </label>
            <label>Start date <input type="date" name="start_date" value={head.start_date} onInput={set("start_date")} required /><FieldError errors={errors} name="start_date" /></label>
            <label>End date (optional) <input type="date" name="end_date" value={head.end_date} onInput={set("end_date")} /><FieldError errors={errors} name="end_date" /></label>
            <label>Payment terms (days) <input type="number" name="payment_terms_days" min={0} max={365} value={head.payment_terms_days} onInput={set("payment_terms_days")}
              placeholder={contact ? `${contact.payment_terms_days} (the customer's)` : "the customer's"} /><FieldError errors={errors} name="payment_terms_days" /></label>
            <label>Reference <input name="reference" value={head.reference} maxLength={100} onInput={set("reference")} /><FieldError errors={errors} name="reference" /></label>
          </div>
          <LineGrid rows={rows} setRows={setRows} items={items} rates={rates} accounts={accounts} side="sales" dp={dp} mode={mode}
            currency={currency} totals={totals} errors={errors} />
          <label class="notes">Notes (printed on each invoice) <textarea name="notes" rows={2} value={head.notes} onInput={set("notes")} /><FieldError errors={errors} name="notes" /></label>
          <div class="checks">
            <label class="inline"><input type="checkbox" name="auto_issue" checked={head.auto_issue} onChange={set("auto_issue")} /> Issue each invoice at once (otherwise it is made as a draft to check and issue)</label>
            <label class="inline"><input type="checkbox" name="is_active" checked={head.is_active} onChange={set("is_active")} /> Active (untick to pause the schedule)</label>
          </div>
        </fieldset>
        {errors.lines && <p class="error-box" role="alert">{errors.lines.join(" ")}</p>}
        <FormErrors errors={Object.fromEntries(Object.entries(errors).filter(([key]) => !key.startsWith("row")))} shown={shown} />
        <div class="buttons">
          {editable && <button class="primary" type="submit" disabled={busy}>{schedule ? "Save" : "Create recurring invoice"}</button>}
          <Link href={ROUTE} class="button">{schedule ? "Back to the list" : "Cancel"}</Link>
          {editable && <span class="muted hint">Invoices are dated on each date of the schedule; the server makes the due ones every few minutes, or at once with "Run due invoices now".</span>}
        </div>
      </form>
    </Page>
  );
}
