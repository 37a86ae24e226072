// The tax return: a period and a layout, the layout's boxes and the figures per tax rate (from
// the server's /api/reports/tax-return/), its exports, filing it (the settlement entry and the
// tax lock, after a confirmation), and the returns already filed.
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { api, fetchBlob, qs } from "../api";
import { can, useAuth } from "../auth";
import { formatDate } from "../format";
import { invalidate, useQuery } from "../query";
import { Async, downloadBlob, Empty, Money, Page, toast, toastError, today } from "../ui";

interface Box { box: string; label: string; amount: string; mapped: boolean }
interface Row {
  tax_rate: string | null;
  account: string | null;
  name: string;
  kind: string | null;
  rate: string | null;
  is_inclusive: boolean | null;
  sales_net: string;
  sales_tax: string;
  purchases_net: string;
  purchases_tax: string;
}
interface TaxReturn {
  date_from: string;
  date_to: string;
  layout: string;
  layout_title: string;
  currency: string;
  boxes: Box[];
  rows: Row[];
  totals: { sales_net: string; sales_tax: string; purchases_net: string; purchases_tax: string };
  net_payable: string;
}
interface Layout { name: string; title: string; notes: string }
interface TaxSettings { layout: string; tax_lock_date: string | null }
interface Filed { id: string; date_from: string; date_to: string; layout: string; net_amount: string; settlement_entry: string | null; filed_at: string }

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const MIME = { xlsx: XLSX, pdf: "application/pdf", csv: "text/csv" } as const;

/** The calendar quarter before the one `date` falls in: [first day, last day]. */
function lastQuarter(date: string): [string, string] {
  const y = Number(date.slice(0, 4));
  const q = Math.floor((Number(date.slice(5, 7)) - 1) / 3);
  const [year, quarter] = q === 0 ? [y - 1, 3] : [y, q - 1];
  const first = `${year}-${String(quarter * 3 + 1).padStart(2, "0")}-01`;
  const last = new Date(Date.UTC(year, quarter * 3 + 3, 0)).toISOString().slice(0, 10);
  return [first, last];
}

export function TaxReturnPage() {
  const { user } = useAuth();
  const [defaultFrom, defaultTo] = lastQuarter(today());
  const [from, setFrom] = useState(defaultFrom);
  const [to, setTo] = useState(defaultTo);
  const settings = useQuery<TaxSettings>("/api/accounting/tax-settings/");
  const layouts = useQuery<Layout[]>("/api/reports/tax-layouts/");
  const [picked, setPicked] = useState<string | null>(null);
  const layout = picked ?? settings.data?.layout ?? null;
  const query = { date_from: from, date_to: to, layout: layout ?? undefined };
  const q = useQuery<TaxReturn>(layout ? `/api/reports/tax-return/${qs(query)}` : null);
  const filed = useQuery<{ results: Filed[] }>("/api/accounting/tax-returns/?page_size=50");
  const [busy, setBusy] = useState(false);
  const allowed = can(user, "periods.close");
  const input = (set: (v: string) => void) => (e: Event) => {
    const v = (e.target as HTMLInputElement).value;
    if (v) set(v);
  };
  const exportFile = async (format: "csv" | "xlsx" | "pdf") => {
    setBusy(true);
    try {
      const blob = await fetchBlob(`/api/reports/tax-return/${qs({ ...query, format })}`, MIME[format]);
      downloadBlob(blob, `tax-return-${from}-${to}.${format}`);
    } catch (e) {
      toastError(e);
    } finally {
      setBusy(false);
    }
  };
  const file = async (r: TaxReturn) => {
    const net = r.net_payable.startsWith("-") ? `a refund of ${r.net_payable.slice(1)}` : `${r.net_payable} to pay`;
    const text = `File the return of ${formatDate(from)} – ${formatDate(to)} (${net} ${r.currency})? ` +
      `This posts the settlement entry and locks the period for tax changes. A filed return cannot be withdrawn: a mistake is corrected on the next return.`;
    if (!window.confirm(text)) return;
    setBusy(true);
    try {
      await api("POST", "/api/accounting/tax-returns/", { body: { date_from: from, date_to: to, layout } });
      invalidate("/api/accounting/tax-returns/", "/api/accounting/tax-settings/", "/api/accounting/journal-entries/", "/api/reports/");
      toast("Return filed");
    } catch (e) {
      toastError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page
      title="Tax return"
      crumbs={[["Reports", "/reports"], ["Tax return"]]}
      actions={
        <>
          <button id="tax-export-csv" onClick={() => exportFile("csv")} disabled={!q.data || busy}>Export CSV</button>
          <button id="tax-export-xlsx" onClick={() => exportFile("xlsx")} disabled={!q.data || busy}>Export XLSX</button>
          <button id="tax-export-pdf" onClick={() => exportFile("pdf")} disabled={!q.data || busy}>Export PDF</button>
          {allowed && <button id="file-return" class="primary" onClick={() => q.data && file(q.data)} disabled={!q.data || busy}>File return</button>}
        </>
      }
    >
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>From <input type="date" name="date_from" value={from} onInput={input(setFrom)} /></label>
        <label>To <input type="date" name="date_to" value={to} onInput={input(setTo)} /></label>
        <label>Layout
          <select name="layout" value={layout ?? ""} onChange={(e) => setPicked((e.target as HTMLSelectElement).value)}>
            {(layouts.data ?? []).map((l) => <option value={l.name}>{l.title}</option>)}
          </select>
        </label>
      </form>
      {settings.data?.tax_lock_date && (
        <p class="muted" id="tax-lock">Returns are filed through {formatDate(settings.data.tax_lock_date)}: entries on tax accounts up to that date are locked.</p>
      )}
      <Async q={q}>
        {(r) => (
          <>
            <p class="muted report-heading">{r.layout_title} ({r.currency})</p>
            <table class="table report" id="tax-boxes">
              <thead><tr><th>Box</th><th>Description</th><th class="num">Amount</th></tr></thead>
              <tbody>
                {r.boxes.map((b) => (
                  <tr key={b.box} data-box={b.box} class={b.mapped ? "" : "muted"}>
                    <td>{b.box}</td>
                    <td>{b.label}{b.mapped ? "" : " (left empty by this layout)"}</td>
                    <td class="num"><Money value={b.amount} currency={r.currency} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p class="muted report-heading">By tax rate</p>
            {r.rows.length === 0 ? <Empty>No tax rates yet.</Empty> : (
              <table class="table report" id="tax-rows">
                <thead>
                  <tr><th>Rate</th><th class="num">Sales net</th><th class="num">Sales tax</th><th class="num">Purchases net</th><th class="num">Purchases tax</th></tr>
                </thead>
                <tbody>
                  {r.rows.map((row, i) => (
                    <tr key={i} data-rate={row.name}>
                      <td>{row.name}{row.rate !== null ? ` (${row.rate}%${row.is_inclusive ? ", inclusive" : ""})` : ""}</td>
                      <td class="num"><Money value={row.sales_net} currency={r.currency} /></td>
                      <td class="num"><Money value={row.sales_tax} currency={r.currency} /></td>
                      <td class="num"><Money value={row.purchases_net} currency={r.currency} /></td>
                      <td class="num"><Money value={row.purchases_tax} currency={r.currency} /></td>
                    </tr>
                  ))}
                  <tr class="total">
                    <td><strong>Total</strong></td>
                    <td class="num"><strong><Money value={r.totals.sales_net} currency={r.currency} /></strong></td>
                    <td class="num"><strong><Money value={r.totals.sales_tax} currency={r.currency} /></strong></td>
                    <td class="num"><strong><Money value={r.totals.purchases_net} currency={r.currency} /></strong></td>
                    <td class="num"><strong><Money value={r.totals.purchases_tax} currency={r.currency} /></strong></td>
                  </tr>
                </tbody>
              </table>
            )}
            <p id="tax-net"><strong>Net tax {r.net_payable.startsWith("-") ? "refundable" : "payable"}: <Money value={r.net_payable.replace(/^-/, "")} currency={r.currency} /></strong></p>
          </>
        )}
      </Async>
      <h2>Filed returns</h2>
      <Async q={filed}>
        {(f) =>
          f.results.length === 0 ? <Empty>No return filed yet.</Empty> : (
            <table class="table" id="filed-returns">
              <thead><tr><th>Period</th><th>Layout</th><th class="num">Net (negative: refund)</th><th>Settlement</th><th>Filed</th></tr></thead>
              <tbody>
                {f.results.map((x) => (
                  <tr key={x.id} data-id={x.id}>
                    <td>{formatDate(x.date_from)} – {formatDate(x.date_to)}</td>
                    <td>{x.layout}</td>
                    <td class="num"><Money value={x.net_amount} currency={q.data?.currency ?? ""} /></td>
                    <td>{x.settlement_entry ? <Link href={`/accounting/journal/${x.settlement_entry}`}>Entry</Link> : "—"}</td>
                    <td>{formatDate(x.filed_at.slice(0, 10))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
    </Page>
  );
}
