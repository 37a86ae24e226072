// Exchange rates: the company's rates (units of the company currency per unit of the currency),
// filtered by currency and dates; add and edit in a panel above the list; a file import (the
// ECB's euro reference rates or date,currency,rate) previewed before it is written.
import { useState } from "preact/hooks";
import { api, qs, type Page as PageT } from "../api";
import { can, useAuth } from "../auth";
import { formatDate } from "../format";
import { invalidate, useQuery } from "../query";
import { Async, Empty, FieldError, fieldErrors, FormErrors, Page, Pager, toast, toastError } from "../ui";

export const EXCHANGE_RATES_API = "/api/accounting/exchange-rates/";
const PAGE_SIZE = 50;

export interface ExchangeRate {
  id: string;
  currency: string;
  date: string;
  rate: string;
  source: string;
  created_at: string;
  updated_at: string;
}

interface PlannedRate {
  row: number;
  date: string;
  currency: string;
  rate: string;
  effect: "new" | "changed" | "unchanged";
  previous_rate: string | null;
}

interface RatesImport {
  format: string;
  committed: boolean;
  rates_total: number;
  rates_new: number;
  rates_changed: number;
  rates_unchanged: number;
  skipped_dates: string[];
  rates: PlannedRate[];
}

export function ExchangeRates() {
  const { user, company } = useAuth();
  const currency = company?.currency ?? "";
  const [filters, setFilters] = useState({ currency: "", date_from: "", date_to: "" });
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<ExchangeRate | "new" | null>(null);
  const [importing, setImporting] = useState(false);
  const editable = can(user, "ledger.edit");
  const q = useQuery<PageT<ExchangeRate>>(`${EXCHANGE_RATES_API}${qs({ ...filters, currency: filters.currency.toUpperCase(), page, page_size: PAGE_SIZE })}`);
  const set = (k: string) => (e: Event) => {
    setFilters({ ...filters, [k]: (e.target as HTMLInputElement).value });
    setPage(1);
  };
  const remove = async (r: ExchangeRate) => {
    if (!confirm(`Delete the ${r.currency} rate of ${formatDate(r.date)}?`)) return;
    try {
      await api("DELETE", `${EXCHANGE_RATES_API}${r.id}/`);
      invalidate(EXCHANGE_RATES_API);
      toast(`${r.currency} rate of ${r.date} deleted`);
    } catch (err) {
      toastError(err);
    }
  };
  return (
    <Page
      title="Exchange rates"
      crumbs={[["Accounting", "/accounting/accounts"], ["Exchange rates"]]}
      actions={
        editable && (
          <>
            <button onClick={() => setImporting(true)}>Import file</button>
            <button class="primary" onClick={() => setEditing("new")}>New rate</button>
          </>
        )
      }
    >
      <p class="muted">Units of {currency || "the company currency"} for one unit of each currency, on each date. A conversion uses the latest rate on or before its date.</p>
      {importing && <ImportPanel onClose={() => setImporting(false)} />}
      {editing && <RateForm rate={editing === "new" ? null : editing} onClose={() => setEditing(null)} key={editing === "new" ? "new" : editing.id} />}
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Currency <input name="currency" value={filters.currency} onInput={set("currency")} maxLength={3} placeholder="USD" /></label>
        <label>From <input name="date_from" type="date" value={filters.date_from} onInput={set("date_from")} /></label>
        <label>To <input name="date_to" type="date" value={filters.date_to} onInput={set("date_to")} /></label>
      </form>
      <Async q={q} missing="Exchange rates">
        {(data) => {
          if (!data.results.length) return <Empty>No exchange rates{filters.currency || filters.date_from || filters.date_to ? " match" : " yet"}. {editable && <button class="link" onClick={() => setEditing("new")}>Add one</button>}</Empty>;
          return (
            <>
              <div class="table-wrap">
                <table class="table exchange-rate-list">
                  <thead><tr><th>Date</th><th>Currency</th><th class="num">Rate ({currency})</th><th>Source</th><th /></tr></thead>
                  <tbody>
                    {data.results.map((r) => (
                      <tr key={r.id} data-currency={r.currency} data-date={r.date}>
                        <td>{formatDate(r.date)}</td>
                        <td>{r.currency}</td>
                        <td class="num">{r.rate}</td>
                        <td>{r.source}</td>
                        <td class="row-actions">
                          {editable && <button class="link" onClick={() => setEditing(r)}>Edit</button>}
                          {editable && <button class="link" onClick={() => remove(r)}>Delete</button>}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager page={page} count={data.count} size={PAGE_SIZE} next={data.next} previous={data.previous} onPage={setPage} noun="rates" />
            </>
          );
        }}
      </Async>
    </Page>
  );
}

function RateForm({ rate, onClose }: { rate: ExchangeRate | null; onClose: () => void }) {
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const text = (k: string) => String(f.get(k) ?? "").trim();
    const body = { currency: text("currency").toUpperCase(), date: text("date"), rate: text("rate") };
    setBusy(true);
    try {
      if (rate) await api("PATCH", `${EXCHANGE_RATES_API}${rate.id}/`, { body });
      else await api("POST", EXCHANGE_RATES_API, { body });
      invalidate(EXCHANGE_RATES_API);
      toast(`${body.currency} rate of ${body.date} saved`);
      onClose();
    } catch (err) {
      setErrors(fieldErrors(err));
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel form" id="exchange-rate-form" onSubmit={submit}>
      <h2>{rate ? `Edit the ${rate.currency} rate of ${rate.date}` : "New exchange rate"}</h2>
      <div class="grid-form">
        <label>Currency <input name="currency" value={rate?.currency} required autofocus maxLength={3} placeholder="USD" /><FieldError errors={errors} name="currency" /></label>
        <label>Date <input name="date" type="date" value={rate?.date} required /><FieldError errors={errors} name="date" /></label>
        <label>Rate <input name="rate" inputMode="decimal" class="num" value={rate?.rate} required placeholder="0.92" /><FieldError errors={errors} name="rate" /></label>
      </div>
      <FormErrors errors={errors} shown={["currency", "date", "rate"]} />
      <div class="buttons">
        <button class="primary" type="submit" disabled={busy}>Save</button>
        <button type="button" onClick={onClose}>Cancel</button>
      </div>
    </form>
  );
}

function ImportPanel({ onClose }: { onClose: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState("");
  const [preview, setPreview] = useState<RatesImport | null>(null);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const send = async (f: File, dry: boolean) => {
    const form = new FormData();
    form.append("file", f);
    if (format) form.append("format", format);
    form.append("preview", dry ? "true" : "false");
    return api<RatesImport>("POST", `${EXCHANGE_RATES_API}import/`, { raw: form });
  };
  const run = async (dry: boolean) => {
    if (!file) return;
    setBusy(true);
    setErrors({});
    try {
      const answer = await send(file, dry);
      if (dry) {
        setPreview(answer);
      } else {
        invalidate(EXCHANGE_RATES_API);
        toast(`Imported: ${answer.rates_new} new, ${answer.rates_changed} changed, ${answer.rates_unchanged} unchanged`);
        onClose();
      }
    } catch (err) {
      setPreview(null);
      setErrors(fieldErrors(err));
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel form" id="exchange-rate-import">
      <h2>Import exchange rates</h2>
      <p class="muted">The ECB's euro reference rates (<code>eurofxref-hist.csv</code>: <code>Date,USD,JPY,…</code>) or a CSV of <code>date,currency,rate</code>. Rates already kept with the same value are left alone.</p>
      <div class="grid-form">
        <label>File <input name="file" type="file" accept=".csv,text/csv" onChange={(e) => { setFile((e.target as HTMLInputElement).files?.[0] ?? null); setPreview(null); }} /><FieldError errors={errors} name="file" /></label>
        <label>Format
          <select name="format" value={format} onChange={(e) => { setFormat((e.target as HTMLSelectElement).value); setPreview(null); }}>
            <option value="">Detect from the header</option>
            <option value="ecb">ECB reference rates</option>
            <option value="csv">date,currency,rate</option>
          </select>
        </label>
      </div>
      <FormErrors errors={errors} shown={["file"]} />
      {preview && (
        <div class="import-preview">
          <p><strong>{preview.rates_total}</strong> rates ({preview.format}): {preview.rates_new} new, {preview.rates_changed} changed, {preview.rates_unchanged} unchanged{preview.skipped_dates.length ? `; ${preview.skipped_dates.length} dates without a quotation of the company currency skipped` : ""}.</p>
          <div class="table-wrap">
            <table class="table">
              <thead><tr><th>Row</th><th>Date</th><th>Currency</th><th class="num">Rate</th><th>Effect</th></tr></thead>
              <tbody>
                {preview.rates.slice(0, 200).map((p) => (
                  <tr key={`${p.currency}-${p.date}`}>
                    <td>{p.row}</td><td>{formatDate(p.date)}</td><td>{p.currency}</td><td class="num">{p.rate}</td>
                    <td>{p.effect}{p.previous_rate ? ` (was ${p.previous_rate})` : ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
      <div class="buttons">
        <button type="button" disabled={!file || busy} onClick={() => run(true)}>Preview</button>
        <button class="primary" type="button" disabled={!preview || busy} onClick={() => run(false)}>Import {preview ? preview.rates_new + preview.rates_changed : ""} rates</button>
        <button type="button" onClick={onClose}>Cancel</button>
      </div>
    </section>
  );
}
