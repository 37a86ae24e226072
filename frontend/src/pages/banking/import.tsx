// The statement import wizard (`POST /api/banking/accounts/{id}/imports/`): choose a file, see
// what the server read from it (the format it detected, the period, the stated balances and
// whether the lines add up to them, the lines themselves), correct a CSV file's layout with the
// column mapper (every change previews again), then commit and see how many lines were new.
// Nothing is written before Commit: a preview is `preview=true`. The commit runs as a background
// job (`background=true`): the wizard polls `GET /api/banking/import-jobs/{id}/` and shows its
// stage and the lines written on a progress bar.
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { api, ApiError, isMissing } from "../../api";
import { useAuth } from "../../auth";
import { BANK_ACCOUNTS_API, BANKING, FORMAT_NAMES, IMPORT_JOBS_API, type BankAccount, type CsvLayout, type ImportJob, type StatementImport, type StatementPreview } from "../../banking";
import { formatDate } from "../../format";
import { invalidate, useQuery } from "../../query";
import { Empty, ErrorBox, fieldErrors, Loading, Money, Page, toast } from "../../ui";

/** The mapper's choices, as the upload's form fields take them ("" leaves the server's guess). */
interface Mapping {
  delimiter: string;
  decimal_separator: string;
  date_format: string;
  encoding: string;
  skip_rows: string;
  date_column: string;
  amount_column: string;
  debit_column: string;
  credit_column: string;
  text_columns: number[];
  counterparty_column: string;
  counterparty_account_column: string;
  reference_column: string;
  balance_column: string;
  invert_amount: boolean;
}

const NO_MAPPING: Mapping = {
  delimiter: "", decimal_separator: "", date_format: "", encoding: "", skip_rows: "", date_column: "", amount_column: "", debit_column: "",
  credit_column: "", text_columns: [], counterparty_column: "", counterparty_account_column: "", reference_column: "", balance_column: "", invert_amount: false,
};

const DATE_FORMATS: [string, string][] = [
  ["%Y-%m-%d", "2026-01-31"], ["%d.%m.%Y", "31.01.2026"], ["%d/%m/%Y", "31/01/2026"], ["%m/%d/%Y", "01/31/2026"],
  ["%d-%m-%Y", "31-01-2026"], ["%Y%m%d", "20260131"], ["%d.%m.%y", "31.01.26"],
];

/** The single-column roles of the mapper: [form field, the preview's `columns` key, label]. */
const ROLES: [keyof Mapping, keyof CsvLayout["columns"], string][] = [
  ["date_column", "date", "Date"],
  ["amount_column", "amount", "Amount (signed)"],
  ["debit_column", "debit", "Debit (money out)"],
  ["credit_column", "credit", "Credit (money in)"],
  ["counterparty_column", "counterparty", "Counterparty"],
  ["counterparty_account_column", "counterparty_account", "Counterparty IBAN"],
  ["reference_column", "reference", "Reference"],
  ["balance_column", "balance", "Running balance"],
];

const delimiterName = (d: string) => (d === "\t" || d === "tab" ? "tab" : d);

/** The mapper as the preview's layout shows it: what the server guessed, or what it was told. */
function fromLayout(csv: CsvLayout, invert: boolean): Mapping {
  const col = (i: number | null | undefined) => (i === null || i === undefined ? "" : String(i));
  return {
    delimiter: delimiterName(csv.delimiter),
    decimal_separator: csv.decimal_separator,
    date_format: csv.date_format,
    encoding: csv.encoding,
    skip_rows: String(csv.skip_rows ?? 0),
    date_column: col(csv.columns.date),
    amount_column: col(csv.columns.amount),
    debit_column: col(csv.columns.debit),
    credit_column: col(csv.columns.credit),
    text_columns: csv.columns.text ?? [],
    counterparty_column: col(csv.columns.counterparty),
    counterparty_account_column: col(csv.columns.counterparty_account),
    reference_column: col(csv.columns.reference),
    balance_column: col(csv.columns.balance),
    invert_amount: csv.columns.invert_amount ?? invert,
  };
}

/**
 * The upload's form. `full`: the server has the column mapper (its preview answered a `csv`
 * layout), so every field is sent; otherwise only the three fields every server takes, and only
 * when set (an older server refuses fields it does not know).
 */
function formData(file: File, preview: boolean, m: Mapping, full: boolean): FormData {
  const f = new FormData();
  f.append("file", file, file.name);
  f.append("preview", preview ? "true" : "false");
  if (!preview) f.append("background", "true");
  const put = (k: string, v: string) => v !== "" && f.append(k, v);
  put("delimiter", m.delimiter);
  put("decimal_separator", m.decimal_separator);
  put("date_format", m.date_format);
  if (full) {
    put("encoding", m.encoding);
    put("skip_rows", m.skip_rows);
    for (const [k] of ROLES) put(k, m[k] as string);
    put("text_columns", m.text_columns.join(","));
    f.append("invert_amount", m.invert_amount ? "true" : "false");
  }
  return f;
}

export function ImportWizard({ id }: { id: string }) {
  const { company } = useAuth();
  const account = useQuery<BankAccount>(`${BANK_ACCOUNTS_API}${id}/`);
  const [file, setFile] = useState<File | null>(null);
  const [mapping, setMapping] = useState<Mapping>(NO_MAPPING);
  const [preview, setPreview] = useState<StatementPreview | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<StatementImport | null>(null);
  const [job, setJob] = useState<ImportJob | null>(null);
  // The last CSV layout the server showed: the mapper stays on screen when a change makes the file
  // unreadable, so the change can be undone.
  const [layout, setLayout] = useState<CsvLayout | null>(null);
  const upload = `${BANK_ACCOUNTS_API}${id}/imports/`;
  const full = !!layout;

  const runPreview = async (f: File, m: Mapping, mapper: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const p = await api<StatementPreview>("POST", upload, { raw: formData(f, true, m, mapper) });
      setPreview(p);
      if (p.csv) {
        setLayout(p.csv);
        setMapping(fromLayout(p.csv, m.invert_amount));
      }
    } catch (e) {
      setPreview(null);
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  const choose = (e: Event) => {
    const f = (e.target as HTMLInputElement).files?.[0] ?? null;
    setFile(f);
    setDone(null);
    setMapping(NO_MAPPING);
    setLayout(null);
    if (f) runPreview(f, NO_MAPPING, false);
  };
  const remap = (patch: Partial<Mapping>) => {
    const m = { ...mapping, ...patch };
    setMapping(m);
    if (file) runPreview(file, m, full);
  };
  const commit = async () => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      let j = await api<ImportJob>("POST", upload, { raw: formData(file, false, mapping, full) });
      setJob(j);
      while (j.stage !== "done" && j.stage !== "failed") {
        await new Promise((r) => setTimeout(r, 250));
        j = await api<ImportJob>("GET", `${IMPORT_JOBS_API}${j.id}/`);
        setJob(j);
      }
      if (j.stage === "failed" || !j.result) throw new ApiError(j.error_status ?? 500, j.error);
      const made = j.result;
      setDone(made);
      invalidate(BANKING);
      toast(`${made.lines_new} new lines imported`);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
      setJob(null);
    }
  };

  if (account.error) return isMissing(account.error) ? <Page title="Import"><p class="empty" id="api-missing">This bank account was not found.</p></Page> : <ErrorBox error={account.error} />;
  if (!account.data) return <Loading />;
  const a = account.data;
  const cur = a.currency || company?.currency || "USD";
  const fileError = error && (fieldErrors(error).file?.join(" ") ?? error.message);
  // A CSV file the server could not read with its guess: the layout fields are the way to fix it.
  const csvTrouble = !!error && !!file && (full || /\.(csv|txt)$/i.test(file.name));
  return (
    <Page title={`Import a statement: ${a.name}`} crumbs={[["Banking", "/banking"], [a.name, `/banking/accounts/${id}`], ["Import"]]}>
      {done ? (
        <section class="panel" id="import-done">
          <h2>Imported</h2>
          <p>
            <strong id="import-new">{done.lines_new}</strong> new lines, <strong id="import-duplicate">{done.lines_duplicate}</strong> already known
            {done.period_from && <> · {formatDate(done.period_from)} – {formatDate(done.period_to)}</>}
          </p>
          <div class="buttons">
            <Link href={`/banking/accounts/${id}/reconcile`} class="button primary" id="go-reconcile">Reconcile now</Link>
            <button onClick={() => { setDone(null); setFile(null); setPreview(null); }}>Import another file</button>
          </div>
        </section>
      ) : (
        <>
          <section class="panel">
            <h2>1. The file</h2>
            <label>Statement file (CSV, OFX/QFX, QIF, CAMT.053/.052, MT940: the format is read from the content)
              <input type="file" name="file" id="statement-file" onChange={choose} disabled={busy || !a.is_active} />
            </label>
            {!a.is_active && <p class="muted">This account is archived: it takes no more imports.</p>}
            {busy && <p class="muted loading">Reading the file…</p>}
            {fileError && <p class="error-box" role="alert" id="import-error">{fileError}</p>}
          </section>
          {!preview && csvTrouble && <Mapper header={layout?.header ?? []} m={mapping} full={full} busy={busy} remap={remap} />}
          {preview && (
            <>
              <Summary p={preview} currency={cur} />
              {preview.format === "csv" && <Mapper header={layout?.header ?? []} m={mapping} full={full} busy={busy} remap={remap} />}
              <PreviewLines p={preview} currency={cur} />
              {job && <JobProgress job={job} />}
              <div class="buttons sticky-actions">
                <button class="primary" id="commit-import" onClick={commit} disabled={busy || preview.balance_check === "differs" || preview.lines_new === 0}>
                  Commit {preview.lines_new} new line{preview.lines_new === 1 ? "" : "s"}
                </button>
                {preview.balance_check === "differs" && <span class="field-error">The lines do not add up to the closing balance: the file is incomplete or altered.</span>}
                {preview.lines_new === 0 && <span class="muted">Every line of this file is already imported.</span>}
              </div>
            </>
          )}
        </>
      )}
    </Page>
  );
}

const STAGE_NAMES: Record<ImportJob["stage"], string> = {
  queued: "Waiting to start…",
  parsing: "Reading the file…",
  checking: "Checking the lines against the account…",
  writing: "Writing the new lines…",
  done: "Done.",
  failed: "Failed: nothing was written.",
};

/** The background import's stage and the lines written, as a progress bar. */
function JobProgress({ job }: { job: ImportJob }) {
  const total = job.lines_total ?? 0;
  return (
    <section class="panel" id="import-progress" data-stage={job.stage}>
      <label>{STAGE_NAMES[job.stage]}
        {total > 0 ? <progress max={total} value={job.lines_done} /> : <progress />}
      </label>
      {total > 0 && <p class="muted" id="import-progress-lines">{job.lines_done} of {total} lines</p>}
    </section>
  );
}

function Summary({ p, currency }: { p: StatementPreview; currency: string }) {
  const check = {
    agrees: ["ok", "✓ The lines add up to the closing balance."],
    differs: ["bad", `✗ Opening balance + lines = ${p.computed_closing_balance}, the statement says ${p.closing_balance?.amount}.`],
    not_stated: ["muted", "The file states no balances to check against."],
  }[p.balance_check];
  return (
    <section class="panel" id="import-summary">
      <h2>2. What the file says</h2>
      <dl class="facts">
        <div><dt>Format</dt><dd id="detected-format" data-format={p.format}>{FORMAT_NAMES[p.format] ?? p.format}</dd></div>
        <div><dt>Period</dt><dd id="import-period">{p.period_from ? `${formatDate(p.period_from)} – ${formatDate(p.period_to)}` : "—"}</dd></div>
        <div><dt>Opening balance</dt><dd id="import-opening">{p.opening_balance ? <><Money value={p.opening_balance.amount} currency={currency} /> <span class="muted">{formatDate(p.opening_balance.date)}</span></> : "not stated"}</dd></div>
        <div><dt>Closing balance</dt><dd id="import-closing">{p.closing_balance ? <><Money value={p.closing_balance.amount} currency={currency} /> <span class="muted">{formatDate(p.closing_balance.date)}</span></> : "not stated"}</dd></div>
        <div><dt>Lines</dt><dd id="import-counts">{p.lines_total} · {p.lines_new} new · {p.lines_duplicate} already imported</dd></div>
      </dl>
      <p class={`balance-check ${check[0]}`} id="balance-check" data-check={p.balance_check}>{check[1]}</p>
    </section>
  );
}

function Mapper({ header, m, full, busy, remap }: { header: string[]; m: Mapping; full: boolean; busy: boolean; remap: (x: Partial<Mapping>) => void }) {
  // One signed amount column, or debit and credit columns: choosing one way clears the other.
  const pick = (k: keyof Mapping) => (e: Event) => {
    const v = (e.target as HTMLSelectElement).value;
    const patch = { [k]: v } as Partial<Mapping>;
    if (v !== "" && k === "amount_column") Object.assign(patch, { debit_column: "", credit_column: "" });
    if (v !== "" && (k === "debit_column" || k === "credit_column")) patch.amount_column = "";
    remap(patch);
  };
  const columnName = (i: number) => `${i + 1}: ${header[i] || "(no name)"}`;
  return (
    <section class="panel" id="column-mapper">
      <h2>CSV layout</h2>
      {!full && <p class="muted" id="mapper-limited">This server guesses the columns itself and takes only the delimiter, decimal separator and date format; choosing columns needs a newer server.</p>}
      <fieldset class="plain" disabled={busy}>
        <div class="grid-form">
          <label>Delimiter
            <select name="delimiter" value={m.delimiter} onChange={pick("delimiter")}>
              {!full && <option value="">guess</option>}
              <option value=",">comma ,</option><option value=";">semicolon ;</option><option value="tab">tab</option>
            </select>
          </label>
          <label>Decimal separator
            <select name="decimal_separator" value={m.decimal_separator} onChange={pick("decimal_separator")}>
              {!full && <option value="">guess</option>}
              <option value=".">point 1234.56</option><option value=",">comma 1234,56</option>
            </select>
          </label>
          <label>Date format
            <select name="date_format" value={m.date_format} onChange={pick("date_format")}>
              {!full && <option value="">guess</option>}
              {DATE_FORMATS.map(([f, sample]) => <option value={f}>{sample} ({f})</option>)}
              {m.date_format && !DATE_FORMATS.some(([f]) => f === m.date_format) && <option value={m.date_format}>{m.date_format}</option>}
            </select>
          </label>
          {full && (
            <>
              <label>Encoding
                <select name="encoding" value={m.encoding} onChange={pick("encoding")}>
                  <option value="utf-8">UTF-8</option><option value="windows-1252">Windows-1252</option><option value="iso-8859-1">ISO-8859-1</option>
                </select>
              </label>
              <label>Rows to skip before the header
                <input name="skip_rows" type="number" min={0} value={m.skip_rows} onChange={pick("skip_rows")} />
              </label>
              {ROLES.map(([k, , label]) => (
                <label key={k}>{label}
                  <select name={k} value={m[k] as string} onChange={pick(k)}>
                    <option value="">{k === "date_column" ? "Choose…" : "none"}</option>
                    {header.map((_, i) => <option value={String(i)}>{columnName(i)}</option>)}
                  </select>
                </label>
              ))}
              {m.amount_column !== "" && (
                <label class="inline"><input type="checkbox" name="invert_amount" checked={m.invert_amount} onChange={(e) => remap({ invert_amount: (e.target as HTMLInputElement).checked })} /> Invert the amount column (the bank writes money out as positive)</label>
              )}
            </>
          )}
        </div>
        {full && (
          <div class="text-columns" role="group" aria-label="Text columns">
            <span class="muted">Text (joined in this order):</span>
            {header.map((_, i) => (
              <label class="inline" key={i}>
                <input type="checkbox" name={`text_${i}`} checked={m.text_columns.includes(i)}
                  onChange={(e) => remap({ text_columns: (e.target as HTMLInputElement).checked ? [...m.text_columns, i] : m.text_columns.filter((x) => x !== i) })} />
                {columnName(i)}
              </label>
            ))}
          </div>
        )}
      </fieldset>
    </section>
  );
}

function PreviewLines({ p, currency }: { p: StatementPreview; currency: string }) {
  if (!p.lines.length) return <Empty>The file has no lines.</Empty>;
  return (
    <section>
      <h2>3. The lines {p.lines_total > p.lines.length && <span class="muted">(the first {p.lines.length} of {p.lines_total})</span>}</h2>
      <div class="table-wrap">
        <table class="table compact" id="preview-lines">
          <thead><tr><th>Row</th><th>Date</th><th>Counterparty</th><th>Text</th><th class="hide-sm">Reference</th><th class="num">Amount</th><th /></tr></thead>
          <tbody>
            {p.lines.map((l) => (
              <tr key={l.row} class={l.duplicate ? "inactive" : ""} data-row={l.row}>
                <td class="muted">{l.row}</td>
                <td>{formatDate(l.date)}</td>
                <td>{l.counterparty}<span class="muted sub mono">{l.counterparty_account}</span></td>
                <td class="wrap">{l.text}</td>
                <td class="hide-sm">{l.reference}</td>
                <td class={`num ${l.amount.startsWith("-") ? "out" : "in"}`}><Money value={l.amount} currency={currency} /></td>
                <td>{l.duplicate && <span class="badge">already imported</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
