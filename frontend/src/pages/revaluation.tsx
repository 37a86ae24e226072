// Revaluation run: the period-end revaluation of foreign-currency receivables, payables and bank
// balances as of a date. A preview first (each account and currency: the balance, the closing
// rate — the company's, or one typed here —, what is carried, what it is worth, the difference),
// then the run posts the unrealised gain or loss on the date and its reversal the next day.
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { api } from "../api";
import { can, useAuth } from "../auth";
import { formatDate, formatDateTime } from "../format";
import { invalidate, useQuery } from "../query";
import { Async, Empty, FieldError, fieldErrors, FormErrors, Money, Page, toast, today } from "../ui";
import { useAccounts } from "./accounts";

const API = "/api/accounting/revaluations/";
const PERIODS_API = "/api/accounting/periods/";

/** Where exchange differences go: a revenue or expense account, or the account of subtype `fx`. */
function ExchangeAccount({ editable }: { editable: boolean }) {
  const settings = useQuery<{ exchange_account?: string | null }>(PERIODS_API);
  const accounts = (useAccounts().data?.results ?? []).filter((a) => a.is_active && (a.type === "revenue" || a.type === "expense"));
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const fx = accounts.find((a) => a.subtype === "fx");
  const save = async (value: string) => {
    setErrors({});
    try {
      await api("PATCH", PERIODS_API, { body: { exchange_account: value || null } });
      invalidate(PERIODS_API);
      toast("Exchange differences account saved");
    } catch (err) {
      setErrors(fieldErrors(err));
    }
  };
  return (
    <label class="inline">Exchange differences go to
      <select name="exchange_account" value={settings.data?.exchange_account ?? ""} disabled={!editable || !settings.data}
        onChange={(e) => save((e.target as HTMLSelectElement).value)}>
        <option value="">{fx ? `${fx.code} ${fx.name} (subtype fx)` : "the account of subtype fx"}</option>
        {accounts.map((a) => <option value={a.id}>{a.code} {a.name}</option>)}
      </select>
      <FieldError errors={errors} name="exchange_account" />
    </label>
  );
}

interface Line {
  account: string;
  account_code: string;
  account_name: string;
  subtype: string;
  currency: string;
  balance: string;
  rate: string;
  carried: string;
  revalued: string;
  difference: string;
}

interface Preview {
  date: string;
  currency: string;
  lines: Line[];
  total: string;
}

interface Run {
  id: string;
  date: string;
  journal_entry: string;
  reversal_entry: string;
  total: string;
  created_at: string;
}

/** Last day of the previous month: the usual date of a period-end run. */
function lastMonthEnd(): string {
  const d = new Date(`${today()}T00:00:00Z`);
  d.setUTCDate(0);
  return d.toISOString().slice(0, 10);
}

export function Revaluation() {
  const { user, company } = useAuth();
  const poster = can(user, "entries.post");
  const [date, setDate] = useState(lastMonthEnd());
  const [rates, setRates] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<Preview | null>(null);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const runs = useQuery<{ count: number; results: Run[] }>(API);
  const body = () => ({
    date,
    rates: Object.fromEntries(Object.entries(rates).filter(([, v]) => v.trim()).map(([k, v]) => [k, v.trim()])),
  });
  const call = async (what: "preview" | "run") => {
    if (busy) return;
    setBusy(true);
    setErrors({});
    try {
      if (what === "preview") {
        setPreview(await api<Preview>("POST", `${API}preview/`, { body: body() }));
      } else {
        const posted = await api<{ run: Run; preview: Preview }>("POST", API, { body: body() });
        setPreview(posted.preview);
        invalidate(API);
        invalidate("/api/reports/");
        toast(`Revaluation as of ${formatDate(posted.run.date)} posted: ${posted.run.total} ${company?.currency ?? ""}, reversed the next day`);
      }
    } catch (err) {
      const f = fieldErrors(err);
      if (!Object.keys(f).length) f.non_field_errors = [err instanceof Error ? err.message : String(err)];
      setErrors(f);
    } finally {
      setBusy(false);
    }
  };
  const currencies = [...new Set((preview?.lines ?? []).map((l) => l.currency))];
  const cur = company?.currency ?? "";
  return (
    <Page title="Revaluation run" crumbs={[["Accounting", "/accounting/accounts"], ["Revaluation run"]]}
      actions={<ExchangeAccount editable={can(user, "periods.close")} />}>
      <form class="grid-form" id="revaluation-form" onSubmit={(e) => { e.preventDefault(); call("preview"); }}>
        <label>As of <input type="date" name="date" value={date} required onInput={(e) => { setDate((e.target as HTMLInputElement).value); setPreview(null); }} /></label>
        {currencies.map((c) => (
          <label key={c}>Closing rate {c} <input name={`rate-${c}`} inputMode="decimal" class="num" value={rates[c] ?? ""}
            placeholder={preview?.lines.find((l) => l.currency === c)?.rate ?? ""}
            onInput={(e) => setRates({ ...rates, [c]: (e.target as HTMLInputElement).value })} /></label>
        ))}
        <div class="buttons">
          <button type="submit" id="revaluation-preview" disabled={busy}>Preview</button>
          {poster && (
            <button type="button" class="primary" id="revaluation-run" disabled={busy || !preview}
              onClick={() => window.confirm(`Post the revaluation as of ${formatDate(date)} and its reversal the next day?`) && call("run")}>Run</button>
          )}
        </div>
      </form>
      <FormErrors errors={errors} shown={[]} />
      {preview && (
        preview.lines.length === 0 ? <Empty>Nothing is held in another currency as of {formatDate(preview.date)}.</Empty> : (
          <div class="table-wrap">
            <table class="table report" id="revaluation-preview-table">
              <thead>
                <tr><th>Account</th><th>Currency</th><th class="num">Balance</th><th class="num">Rate</th><th class="num">Carried ({cur})</th><th class="num">Revalued ({cur})</th><th class="num">Gain or loss</th></tr>
              </thead>
              <tbody>
                {preview.lines.map((l) => (
                  <tr key={`${l.account}-${l.currency}`}>
                    <td>{l.account_code} {l.account_name}</td>
                    <td>{l.currency}</td>
                    <td class="num"><Money value={l.balance} currency={l.currency} /></td>
                    <td class="num">{l.rate}</td>
                    <td class="num"><Money value={l.carried} currency={cur} /></td>
                    <td class="num"><Money value={l.revalued} currency={cur} /></td>
                    <td class="num"><Money value={l.difference} currency={cur} /></td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr><td colSpan={6}><strong>Unrealised gain (loss)</strong></td><td class="num" id="revaluation-total"><strong><Money value={preview.total} currency={cur} /></strong></td></tr>
              </tfoot>
            </table>
          </div>
        )
      )}
      <section>
        <h2>Runs</h2>
        <Async q={runs} missing="Revaluation runs">
          {(r) => !r.results.length ? <Empty>No revaluation has been run.</Empty> : (
            <table class="table" id="revaluation-runs">
              <thead><tr><th>As of</th><th class="num">Gain (loss)</th><th>Entry</th><th>Reversal</th><th>Run</th></tr></thead>
              <tbody>
                {r.results.map((x) => (
                  <tr key={x.id}>
                    <td>{formatDate(x.date)}</td>
                    <td class="num"><Money value={x.total} currency={cur} /></td>
                    <td><Link href={`/accounting/journal/${x.journal_entry}`}>entry</Link></td>
                    <td><Link href={`/accounting/journal/${x.reversal_entry}`}>reversal</Link></td>
                    <td>{formatDateTime(x.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Async>
      </section>
    </Page>
  );
}
