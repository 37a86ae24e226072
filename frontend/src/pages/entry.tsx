// The journal entry form, built for the keyboard: Tab or Enter moves on, Enter on the last
// cell of the last line adds a line, ↑/↓ pick an account, Ctrl+S saves the draft, Ctrl+Enter posts.
// Totals are summed as BigInt minor units, never floats.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { navigate } from "wouter-preact/use-browser-location";
import { ApiError, api, get, type Entry } from "../api";
import { can, useAuth } from "../auth";
import { choiceLabel, Combobox } from "../combobox";
import { useFormKeys } from "../formKeys";
import { decimals, formatMinor, fromMinor, toMinor } from "../money";
import { invalidate } from "../query";
import { LineError, Loading, Page, toast, toastError, today } from "../ui";
import { useAccounts } from "./accounts";

interface Row {
  key: number;
  account: string; // account id
  text: string; // what the account cell shows
  description: string;
  debit: string;
  credit: string;
}

let rowSeq = 0;
const blank = (): Row => ({ key: ++rowSeq, account: "", text: "", description: "", debit: "", credit: "" });
const CELLS = ["account", "description", "debit", "credit"] as const;

export function EntryForm({ id }: { id?: string }) {
  const { user, company } = useAuth();
  const currency = company?.currency ?? "USD";
  const dp = decimals(currency);
  const accountsQ = useAccounts();
  const accounts = accountsQ.data?.results ?? [];
  const [date, setDate] = useState(today());
  const [reference, setReference] = useState("");
  const [description, setDescription] = useState("");
  const [rows, setRows] = useState<Row[]>([blank(), blank()]);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const [loaded, setLoaded] = useState(!id);
  const [draftId, setDraftId] = useState<string | undefined>(id);
  const idemKey = useRef(crypto.randomUUID());
  const grid = useRef<HTMLTableSectionElement>(null);
  const focusNext = useRef<[number, string] | null>(null);

  // Editing a draft: load it once the chart is known.
  useEffect(() => {
    if (!id || !accountsQ.data) return;
    get<Entry>(`/api/accounting/journal-entries/${id}/`)
      .then((e) => {
        setDate(e.date);
        setReference(e.reference);
        setDescription(e.description);
        setRows(
          e.lines.map((l) => {
            const a = accounts.find((x) => x.id === l.account);
            const zero = (s: string) => (toMinor(s, dp) === 0n ? "" : s);
            return { ...blank(), account: l.account, text: a ? choiceLabel(a) : l.account, description: l.description, debit: zero(l.debit_amount), credit: zero(l.credit_amount) };
          }),
        );
        setLoaded(true);
      })
      .catch(toastError);
  }, [id, accountsQ.data]);

  // Move the focus right after the render that added a row (before the next keystroke).
  useLayoutEffect(() => {
    if (!focusNext.current || !grid.current) return;
    const [i, cell] = focusNext.current;
    focusNext.current = null;
    grid.current.querySelector<HTMLInputElement>(`[data-row="${i}"][data-cell="${cell}"]`)?.focus();
  });

  const totals = useMemo(() => {
    let debit = 0n;
    let credit = 0n;
    let bad = false;
    for (const r of rows) {
      const d = toMinor(r.debit, dp);
      const c = toMinor(r.credit, dp);
      if (d === null || c === null) bad = true;
      debit += d ?? 0n;
      credit += c ?? 0n;
    }
    return { debit, credit, diff: debit - credit, bad };
  }, [rows, dp]);

  /** Leaving an amount cell writes it out plainly with the currency's decimals ("1000" → "1000.00"). */
  const tidy = (i: number, cell: "debit" | "credit") =>
    setRows((rs) => rs.map((r, j) => {
      if (j !== i) return r;
      const v = toMinor(r[cell], dp);
      return v === null || r[cell].trim() === "" ? r : { ...r, [cell]: fromMinor(v, dp) };
    }));

  const update = (i: number, patch: Partial<Row>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  // The account a line's words suggest (the firm's records first, its AI endpoint if it switched
  // one on): a credit line is money in, a debit line money out.
  const suggestFor = async (i: number) => {
    const r = rows[i];
    const text = (r.description.trim() || description.trim());
    try {
      const s = await api<{ suggestions: { account: string; reason: string }[]; ai: string }>("POST", "/api/capture/suggest-account/", {
        body: { text, amount: r.credit.trim() ? "1" : "-1" },
      });
      const best = s.suggestions[0];
      const a = best && accounts.find((x) => x.id === best.account);
      if (!a) {
        toast("No account suggested for these words");
        return;
      }
      update(i, { account: a.id, text: choiceLabel(a) });
      toast(`${choiceLabel(a)}: ${best.reason}`);
    } catch (err) {
      toastError(err);
    }
  };

  const addRow = (focusRow: number) => {
    setRows((rs) => {
      const r = blank();
      // Offer the amount that balances the entry on the new line.
      const diff = rs.reduce((s, x) => s + (toMinor(x.debit, dp) ?? 0n) - (toMinor(x.credit, dp) ?? 0n), 0n);
      if (diff > 0n) r.credit = fromMinor(diff, dp);
      else if (diff < 0n) r.debit = fromMinor(-diff, dp);
      return [...rs, r];
    });
    focusNext.current = [focusRow, "account"];
  };

  const onCellKey = (e: KeyboardEvent, i: number, cell: string) => {
    if (e.key !== "Enter" || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    const ci = CELLS.indexOf(cell as (typeof CELLS)[number]);
    if (ci < CELLS.length - 1) {
      // Skip the credit cell when the line already has a debit.
      const nextCell = cell === "debit" && rows[i].debit.trim() !== "" ? null : CELLS[ci + 1];
      if (nextCell) {
        grid.current?.querySelector<HTMLInputElement>(`[data-row="${i}"][data-cell="${nextCell}"]`)?.focus();
        return;
      }
    }
    if (i === rows.length - 1) addRow(i + 1);
    else grid.current?.querySelector<HTMLInputElement>(`[data-row="${i + 1}"][data-cell="account"]`)?.focus();
  };

  const body = () => {
    const sent: number[] = [];
    const lines = rows
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => r.account || r.debit.trim() || r.credit.trim() || r.description.trim())
      .map(({ r, i }) => {
        sent.push(i);
        const line: Record<string, string> = { account: r.account || r.text.trim(), description: r.description };
        if (r.debit.trim()) line.debit_amount = r.debit.replace(/[,\s]/g, "");
        if (r.credit.trim()) line.credit_amount = r.credit.replace(/[,\s]/g, "");
        return line;
      });
    return { payload: { date, reference, description, lines }, sent };
  };

  /** Maps `lines[k].field` of the request back to the on-screen row. */
  const showErrors = (err: unknown, sent: number[]) => {
    if (!(err instanceof ApiError)) return toastError(err);
    const mapped: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(err.fields)) {
      const m = /^lines\[(\d+)\]\.(.+)$/.exec(k);
      mapped[m ? `row${sent[Number(m[1])] ?? m[1]}.${m[2]}` : k] = v;
    }
    setErrors(mapped);
    toastError(err);
  };

  const save = async (): Promise<string | null> => {
    const { payload, sent } = body();
    try {
      const saved = draftId
        ? await api<Entry>("PATCH", `/api/accounting/journal-entries/${draftId}/`, { body: payload })
        : await api<Entry>("POST", "/api/accounting/journal-entries/", { body: payload, headers: { "Idempotency-Key": idemKey.current } });
      setDraftId(saved.id);
      setErrors({});
      invalidate("/api/accounting/journal-entries/");
      return saved.id;
    } catch (err) {
      showErrors(err, sent);
      return null;
    }
  };

  const saveDraft = async () => {
    if (busy) return;
    setBusy(true);
    const saved = await save();
    setBusy(false);
    if (saved) {
      toast("Draft saved");
      navigate(`/accounting/journal/${saved}`);
    }
  };

  const postEntry = async () => {
    if (busy) return;
    if (totals.diff !== 0n) {
      setErrors({ lines: [`Debits (${formatMinor(totals.debit, dp)}) must equal credits (${formatMinor(totals.credit, dp)}).`] });
      toast("The entry does not balance; it was not posted.", "error");
      return;
    }
    if (!window.confirm(`Post this entry of ${formatMinor(totals.debit, dp)} ${currency}? A posted entry can only be reversed, not edited.`)) return;
    setBusy(true);
    const saved = await save();
    if (saved) {
      try {
        const posted = await api<Entry>("POST", `/api/accounting/journal-entries/${saved}/post/`, { body: {}, headers: { "Idempotency-Key": `${idemKey.current}-post` } });
        invalidate("/api/accounting/journal-entries/", "/api/reports/", "/api/accounting/audit-log/");
        toast(`Entry ${posted.number} posted`);
        navigate(`/accounting/journal/${saved}`);
      } catch (err) {
        showErrors(err, []);
      }
    }
    setBusy(false);
  };

  const onFormKey = useFormKeys({ save: saveDraft, post: can(user, "entries.post") ? postEntry : undefined });

  if (!loaded) return <Loading />;
  const rowErr = (i: number, f: string) => errors[`row${i}.${f}`];
  const diffClass = totals.diff === 0n ? "balanced" : "unbalanced";

  return (
    <Page title={draftId ? "Edit draft entry" : "New journal entry"} crumbs={[["Accounting", "/accounting/accounts"], ["Journal", "/accounting/journal"], [draftId ? "Edit" : "New entry"]]}>
      <form class="entry-form" onSubmit={(e) => e.preventDefault()} onKeyDown={onFormKey} id="entry-form">
        <div class="entry-head">
          <label>Date <input type="date" name="date" value={date} onInput={(e) => setDate((e.target as HTMLInputElement).value)} required /></label>
          <label>Reference <input name="reference" value={reference} maxLength={100} onInput={(e) => setReference((e.target as HTMLInputElement).value)} /></label>
          <label class="grow">Description <input name="description" value={description} onInput={(e) => setDescription((e.target as HTMLInputElement).value)} /></label>
        </div>
        {errors.date && <p class="field-error">{errors.date.join(" ")}</p>}
        <div class="table-wrap">
          <table class="table entry-grid">
            <thead>
              <tr><th class="c-no">#</th><th class="c-account">Account</th><th class="c-desc">Description</th><th class="num c-amt">Debit</th><th class="num c-amt">Credit</th><th class="c-x" /></tr>
            </thead>
            <tbody ref={grid}>
              {rows.map((r, i) => (
                <tr key={r.key} class={Object.keys(errors).some((k) => k.startsWith(`row${i}.`)) ? "has-error" : ""}>
                  <td class="c-no">{i + 1}</td>
                  <td class="c-account">
                    <Combobox choices={accounts} value={r.account} text={r.text} label={`Line ${i + 1} account`} listId={`acc-list-${i}`} attrs={{ "data-row": i, "data-cell": "account" }}
                      onPick={(a) => update(i, { account: a.id, text: choiceLabel(a) })} onText={(t) => update(i, { text: t, account: "" })} onEnter={(e) => onCellKey(e, i, "account")} />
                    <LineError e={rowErr(i, "account")} />
                    {!r.account && r.description.trim() && (
                      <button type="button" class="link suggest" tabIndex={-1} aria-label={`Suggest line ${i + 1} account`} onClick={() => suggestFor(i)}>Suggest</button>
                    )}
                  </td>
                  <td class="c-desc">
                    <input data-row={i} data-cell="description" aria-label={`Line ${i + 1} description`} value={r.description} onInput={(e) => update(i, { description: (e.target as HTMLInputElement).value })} onKeyDown={(e) => onCellKey(e, i, "description")} />
                  </td>
                  <td class="num c-amt">
                    <input data-row={i} data-cell="debit" aria-label={`Line ${i + 1} debit`} inputMode="decimal" class="num" value={r.debit}
                      onFocus={(e) => (e.target as HTMLInputElement).select()}
                      onInput={(e) => { const v = (e.target as HTMLInputElement).value; update(i, v.trim() ? { debit: v, credit: "" } : { debit: v }); }}
                      onBlur={() => tidy(i, "debit")}
                      onKeyDown={(e) => onCellKey(e, i, "debit")} />
                    <LineError e={rowErr(i, "debit_amount")} />
                  </td>
                  <td class="num c-amt">
                    <input data-row={i} data-cell="credit" aria-label={`Line ${i + 1} credit`} inputMode="decimal" class="num" value={r.credit}
                      onFocus={(e) => (e.target as HTMLInputElement).select()}
                      onInput={(e) => { const v = (e.target as HTMLInputElement).value; update(i, v.trim() ? { credit: v, debit: "" } : { credit: v }); }}
                      onBlur={() => tidy(i, "credit")}
                      onKeyDown={(e) => onCellKey(e, i, "credit")} />
                    <LineError e={rowErr(i, "credit_amount")} />
                    <LineError e={rowErr(i, "non_field_errors")} />
                  </td>
                  <td class="c-x">
                    {rows.length > 2 && <button type="button" class="link" tabIndex={-1} aria-label={`Remove line ${i + 1}`} onClick={() => setRows(rows.filter((_, j) => j !== i))}>×</button>}
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <td />
                <td colSpan={2}>
                  <button type="button" class="link" onClick={() => addRow(rows.length)}>+ Add line</button>
                </td>
                <td class="num total" data-total="debit">{formatMinor(totals.debit, dp)}</td>
                <td class="num total" data-total="credit">{formatMinor(totals.credit, dp)}</td>
                <td />
              </tr>
              <tr class={diffClass}>
                <td />
                <td colSpan={2} class="right">{totals.bad ? "An amount is not a valid number" : totals.diff === 0n ? "Balanced" : "Difference"}</td>
                <td colSpan={2} class="num" data-total="difference">{formatMinor(totals.diff < 0n ? -totals.diff : totals.diff, dp)} {totals.diff > 0n ? "Dr" : totals.diff < 0n ? "Cr" : ""}</td>
                <td />
              </tr>
            </tfoot>
          </table>
        </div>
        {(errors.lines || errors.non_field_errors || errors.detail) && (
          <p class="error-box" role="alert" id="entry-error">{[...(errors.lines ?? []), ...(errors.non_field_errors ?? [])].join(" ")}</p>
        )}
        <div class="buttons">
          <button type="button" onClick={saveDraft} disabled={busy} title="Ctrl+S">Save draft</button>
          {can(user, "entries.post") && (
            <button type="button" class="primary" onClick={postEntry} disabled={busy} title="Ctrl+Enter">Post</button>
          )}
          <span class="muted hint">Enter: next cell · Enter on the last line: new line · Ctrl+S: save draft · Ctrl+Enter: post</span>
        </div>
      </form>
    </Page>
  );
}
