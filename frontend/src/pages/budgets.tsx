// Budgets: the company's budgets per fiscal year, and the budget editor — a grid of the revenue
// and expense accounts × 12 months with row totals and the net result per month. Paste a block
// copied from a spreadsheet into any cell (tab-separated; a row starting with an account code goes
// to that account), move with the arrow keys and Enter, save the whole grid at once. "Copy from
// last year" fills the grid from the previous fiscal year's actuals ± a percentage; "Paste CSV"
// checks text line by line on the server before it is written.
import { useEffect, useState } from "preact/hooks";
import { api, post, qs, type Page as PageT } from "../api";
import { can, useAuth } from "../auth";
import { decimals, formatMinor, fromMinor, toMinor } from "../money";
import { invalidate, useQuery } from "../query";
import { Async, Dialog, Empty, FieldError, fieldErrors, FormErrors, Page, toast, toastError } from "../ui";

export const BUDGETS_API = "/api/accounting/budgets/";

export interface Budget {
  id: string;
  name: string;
  fiscal_year: number;
  date_from: string;
  date_to: string;
  notes: string;
}

interface GridLine {
  account: string;
  code: string;
  name: string;
  type: "revenue" | "expense";
  is_active: boolean;
  amounts: string[];
  total: string;
}

interface Grid {
  budget: Budget;
  currency: string;
  months: string[];
  lines: GridLine[];
}

interface PasteAnswer {
  committed: boolean;
  lines: (GridLine & { line: number })[];
  problems: { line: number; field: string; message: string }[];
}

const MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function monthLabel(ym: string): string {
  const [y, m] = ym.split("-");
  return `${MONTH_NAMES[Number(m) - 1] ?? m} ${y.slice(2)}`;
}

/** The budgets list and, for the one chosen (`?id=`), its editor. */
export function Budgets() {
  const { user } = useAuth();
  const editable = can(user, "ledger.edit");
  const list = useQuery<PageT<Budget>>(`${BUDGETS_API}${qs({ page_size: 200, ordering: "-fiscal_year" })}`);
  const [chosen, setChosen] = useState<string | null>(new URLSearchParams(location.search).get("id"));
  const [creating, setCreating] = useState(false);
  useEffect(() => {
    if (!chosen && list.data?.results.length) setChosen(list.data.results[0].id);
  }, [list.data]);
  const choose = (id: string) => {
    setChosen(id);
    history.replaceState(null, "", `/accounting/budgets?id=${id}`);
  };
  const remove = async (b: Budget) => {
    if (!confirm(`Delete the budget "${b.name}" ${b.fiscal_year} and all its amounts?`)) return;
    try {
      await api("DELETE", `${BUDGETS_API}${b.id}/`);
      invalidate(BUDGETS_API);
      setChosen(null);
      toast(`Budget ${b.name} deleted`);
    } catch (e) {
      toastError(e);
    }
  };
  return (
    <Page
      title="Budgets"
      crumbs={[["Accounting", "/accounting/accounts"], ["Budgets"]]}
      actions={editable && <button class="primary" id="new-budget" onClick={() => setCreating(true)}>New budget</button>}
    >
      {creating && <NewBudget onClose={() => setCreating(false)} onMade={(b) => { setCreating(false); choose(b.id); }} />}
      <Async q={list}>
        {(page) =>
          page.results.length === 0 ? (
            <Empty>No budgets yet. Make one per fiscal year, then fill it by hand, by pasting from a spreadsheet, or from last year's actuals.</Empty>
          ) : (
            <>
              <form class="filters" onSubmit={(e) => e.preventDefault()}>
                <label>Budget
                  <select id="budget-pick" value={chosen ?? ""} onChange={(e) => choose((e.target as HTMLSelectElement).value)}>
                    {page.results.map((b) => <option value={b.id}>{b.fiscal_year} · {b.name}</option>)}
                  </select>
                </label>
                {editable && chosen && (
                  <button type="button" class="link danger" onClick={() => { const b = page.results.find((x) => x.id === chosen); if (b) remove(b); }}>Delete budget</button>
                )}
              </form>
              {chosen && <Editor key={chosen} id={chosen} editable={editable} />}
            </>
          )
        }
      </Async>
    </Page>
  );
}

function NewBudget({ onClose, onMade }: { onClose: () => void; onMade: (b: Budget) => void }) {
  const [name, setName] = useState("Original");
  const [year, setYear] = useState(String(new Date().getFullYear() + 1));
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      const b = await post<Budget>(BUDGETS_API, { name, fiscal_year: Number(year) });
      invalidate(BUDGETS_API);
      toast(`Budget ${b.name} ${b.fiscal_year} made`);
      onMade(b);
    } catch (err) {
      setErrors(fieldErrors(err));
    }
  };
  return (
    <Dialog title="New budget" onClose={onClose} id="new-budget-dialog">
      <form class="form" onSubmit={save}>
        <label>Name <input name="name" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} required /></label>
        <FieldError errors={errors} name="name" />
        <label>Fiscal year <input name="fiscal_year" type="number" value={year} onInput={(e) => setYear((e.target as HTMLInputElement).value)} required /></label>
        <FieldError errors={errors} name="fiscal_year" />
        <FormErrors errors={errors} shown={["name", "fiscal_year"]} />
        <div class="actions"><button type="button" onClick={onClose}>Cancel</button><button class="primary" type="submit">Create</button></div>
      </form>
    </Dialog>
  );
}

/** A cell's text → minor units, or null when it is not an amount. */
function cellMinor(text: string, dp: number): bigint | null {
  let t = text.trim();
  const neg = /^\(.*\)$/.test(t);
  if (neg) t = t.slice(1, -1);
  const v = toMinor(t, dp);
  return v === null ? null : neg ? -v : v;
}

function Editor({ id, editable }: { id: string; editable: boolean }) {
  const q = useQuery<Grid>(`${BUDGETS_API}${id}/grid/`);
  const [cells, setCells] = useState<string[][] | null>(null);
  const [dirty, setDirty] = useState(false);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [percent, setPercent] = useState("0");
  const [pasting, setPasting] = useState(false);
  const [busy, setBusy] = useState(false);
  const grid = q.data;
  useEffect(() => {
    if (grid) {
      setCells(grid.lines.map((l) => [...l.amounts]));
      setDirty(false);
    }
  }, [grid]);
  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => { if (dirty) e.preventDefault(); };
    addEventListener("beforeunload", warn);
    return () => removeEventListener("beforeunload", warn);
  }, [dirty]);
  if (!grid || !cells) return <Async q={q}>{() => null}</Async>;
  const dp = decimals(grid.currency);
  const set = (r: number, c: number, v: string) => {
    setCells((old) => old && old.map((row, i) => (i === r ? row.map((x, j) => (j === c ? v : x)) : row)));
    setDirty(true);
  };
  const focus = (r: number, c: number) => {
    const el = document.querySelector<HTMLInputElement>(`#budget-grid input[data-r="${r}"][data-c="${c}"]`);
    el?.focus();
    el?.select();
  };
  const onKey = (r: number, c: number) => (e: KeyboardEvent) => {
    const el = e.target as HTMLInputElement;
    const atStart = el.selectionStart === 0 && el.selectionEnd === 0;
    const atEnd = el.selectionStart === el.value.length;
    const all = el.selectionStart === 0 && el.selectionEnd === el.value.length;
    if (e.key === "ArrowDown" || (e.key === "Enter" && !e.shiftKey)) { e.preventDefault(); focus(Math.min(r + 1, cells.length - 1), c); }
    else if (e.key === "ArrowUp" || (e.key === "Enter" && e.shiftKey)) { e.preventDefault(); focus(Math.max(r - 1, 0), c); }
    else if (e.key === "ArrowRight" && (atEnd || all)) { e.preventDefault(); focus(r, Math.min(c + 1, 11)); }
    else if (e.key === "ArrowLeft" && (atStart || all)) { e.preventDefault(); focus(r, Math.max(c - 1, 0)); }
    else if ((e.ctrlKey || e.metaKey) && e.key === "s") { e.preventDefault(); save(); }
  };
  // A block copied from a spreadsheet: rows by line, cells by tab. A row of 13 or 14 cells whose
  // first is an account code goes to that account's row (months 1–12, a total ignored);
  // otherwise the block lands from the cell pasted into, right and down.
  const onPaste = (r: number, c: number) => (e: ClipboardEvent) => {
    const text = e.clipboardData?.getData("text/plain") ?? "";
    if (!/[\t\n]/.test(text.trim())) return;
    e.preventDefault();
    const rows = text.replace(/\r\n?/g, "\n").replace(/\n$/, "").split("\n").map((l) => l.split("\t"));
    const byCode = new Map(grid.lines.map((l, i) => [l.code, i]));
    let placed = 0;
    let skipped = 0;
    setCells((old) => {
      if (!old) return old;
      const next = old.map((row) => [...row]);
      rows.forEach((cellsIn, k) => {
        const code = cellsIn[0]?.trim() ?? "";
        if (cellsIn.length >= 13 && byCode.has(code)) {
          const target = byCode.get(code)!;
          cellsIn.slice(1, 13).forEach((v, m) => { next[target][m] = v.trim(); placed++; });
        } else if (cellsIn.length >= 13 && k === 0 && !byCode.has(code) && cellsIn.slice(1).some((v) => v.trim() && cellMinor(v, dp) === null)) {
          // A header row: skipped.
        } else {
          const target = r + k;
          if (target >= next.length) { skipped++; return; }
          cellsIn.forEach((v, m) => { if (c + m < 12) { next[target][c + m] = v.trim(); placed++; } });
        }
      });
      return next;
    });
    setDirty(true);
    toast(`${placed} cells pasted${skipped ? `; ${skipped} rows beyond the grid left out` : ""} — save to keep them`);
  };
  const save = async () => {
    setBusy(true);
    setErrors({});
    try {
      const lines = grid.lines
        .map((l, i) => ({ account: l.account, amounts: cells[i].map((v) => { const m = cellMinor(v, dp); return m === null ? v : fromMinor(m, dp); }) }))
        .filter((l) => l.amounts.some((a) => cellMinor(a, dp) !== 0n));
      await api("PUT", `${BUDGETS_API}${id}/grid/`, { body: { lines } });
      invalidate(`${BUDGETS_API}${id}/`);
      toast("Budget saved");
    } catch (e) {
      setErrors(fieldErrors(e));
      toastError(e);
    } finally {
      setBusy(false);
    }
  };
  const copy = async () => {
    if (dirty && !confirm("Copying replaces the grid and drops your unsaved changes. Go on?")) return;
    if (!dirty && !confirm(`Replace the whole grid by ${grid.budget.fiscal_year - 1}'s actuals ${Number(percent) >= 0 ? "+" : "−"} ${Math.abs(Number(percent))} %?`)) return;
    setBusy(true);
    try {
      await post(`${BUDGETS_API}${id}/copy-actuals/`, { percent: percent.trim() || "0" });
      invalidate(`${BUDGETS_API}${id}/`);
      toast("Copied from last year's actuals");
    } catch (e) {
      setErrors(fieldErrors(e));
      toastError(e);
    } finally {
      setBusy(false);
    }
  };
  // Row totals and the net result per month (revenue − expenses), in BigInt minor units.
  const minor = (v: string) => cellMinor(v, dp) ?? 0n;
  const rowTotal = (i: number) => cells[i].reduce((a, v) => a + minor(v), 0n);
  const net = Array.from({ length: 13 }, (_, m) =>
    grid.lines.reduce((a, l, i) => {
      const v = m === 12 ? rowTotal(i) : minor(cells[i][m]);
      return l.type === "revenue" ? a + v : a - v;
    }, 0n),
  );
  const lineError = (i: number) => [...(errors[`lines[${grid.lines.filter((_, k) => k < i && cells[k].some((a) => minor(a) !== 0n)).length}].amounts`] ?? [])];
  let section = "";
  return (
    <>
      <p class="muted">
        {grid.budget.name} · fiscal year {grid.budget.fiscal_year} ({grid.budget.date_from} – {grid.budget.date_to}), in {grid.currency}. Revenue as income, expenses as costs, both positive.
        {editable && " Paste a block from a spreadsheet into any cell; arrows and Enter move; Ctrl+S saves."}
      </p>
      {editable && (
        <div class="filters budget-tools">
          <button class="primary" id="save-budget" onClick={save} disabled={busy || !dirty}>Save</button>
          <label>Copy from last year ±%
            <input id="copy-percent" value={percent} size={6} onInput={(e) => setPercent((e.target as HTMLInputElement).value)} />
          </label>
          <button id="copy-actuals" onClick={copy} disabled={busy}>Copy from last year</button>
          <button id="paste-csv" onClick={() => setPasting(true)} disabled={busy}>Paste CSV…</button>
          {dirty && <span class="muted" id="unsaved">Unsaved changes</span>}
        </div>
      )}
      <FormErrors errors={errors} shown={["lines"]} />
      {pasting && <PasteCsv id={id} onClose={() => setPasting(false)} />}
      <div class="table-wrap">
        <table class="table report budget-grid" id="budget-grid">
          <thead>
            <tr><th>Account</th>{grid.months.map((m) => <th class="num">{monthLabel(m)}</th>)}<th class="num">Total</th></tr>
          </thead>
          <tbody>
            {grid.lines.map((l, i) => {
              const heading = l.type !== section ? ((section = l.type), <tr class="section"><th colSpan={14}>{l.type === "revenue" ? "Revenue" : "Expenses"}</th></tr>) : null;
              const bad = lineError(i);
              return (
                <>
                  {heading}
                  <tr key={l.account} data-code={l.code} class={bad.length ? "invalid" : undefined} title={bad.join(" ")}>
                    <td>{l.code} {l.name}{l.is_active ? "" : " (inactive)"}</td>
                    {cells[i].map((v, m) => (
                      <td class="num" key={m}>
                        <input
                          class={`num cell${cellMinor(v, dp) === null ? " invalid" : ""}`}
                          data-r={i}
                          data-c={m}
                          aria-label={`${l.code} ${monthLabel(grid.months[m])}`}
                          value={v}
                          readOnly={!editable}
                          size={9}
                          onInput={(e) => set(i, m, (e.target as HTMLInputElement).value)}
                          onKeyDown={onKey(i, m)}
                          onPaste={onPaste(i, m)}
                          onFocus={(e) => (e.target as HTMLInputElement).select()}
                        />
                      </td>
                    ))}
                    <td class="num row-total">{formatMinor(rowTotal(i), dp)}</td>
                  </tr>
                </>
              );
            })}
          </tbody>
          <tfoot>
            <tr class="total" id="budget-net"><th>Net result</th>{net.map((v) => <td class="num"><strong>{formatMinor(v, dp)}</strong></td>)}</tr>
          </tfoot>
        </table>
      </div>
    </>
  );
}

/** Text pasted as CSV or tab-separated lines, checked on the server (preview) before it is written. */
function PasteCsv({ id, onClose }: { id: string; onClose: () => void }) {
  const [text, setText] = useState("");
  const [answer, setAnswer] = useState<PasteAnswer | null>(null);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const send = async (preview: boolean) => {
    setErrors({});
    try {
      const a = await post<PasteAnswer>(`${BUDGETS_API}${id}/paste/`, { text, preview });
      setAnswer(a);
      if (a.committed) {
        invalidate(`${BUDGETS_API}${id}/`);
        toast(`${a.lines.length} budget lines written`);
        onClose();
      }
    } catch (e) {
      setErrors(fieldErrors(e));
    }
  };
  return (
    <Dialog title="Paste budget lines" onClose={onClose} id="paste-dialog">
      <p class="muted">One line per account: its code, 12 monthly amounts, optionally their total; separated by commas, semicolons or tabs. A header line is skipped. The accounts pasted get these months; the others keep theirs.</p>
      <textarea id="paste-text" rows={10} cols={80} value={text} onInput={(e) => { setText((e.target as HTMLTextAreaElement).value); setAnswer(null); }} />
      <FieldError errors={errors} name="text" />
      {answer && (
        <div id="paste-preview">
          <p>{answer.lines.length} lines ready{answer.problems.length ? `, ${answer.problems.length} problems:` : "."}</p>
          {answer.problems.length > 0 && (
            <ul class="error-box">{answer.problems.map((p) => <li>Line {p.line}, {p.field.replace("_", " ")}: {p.message}</li>)}</ul>
          )}
        </div>
      )}
      <div class="actions">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="button" id="paste-check" onClick={() => send(true)} disabled={!text.trim()}>Check</button>
        <button type="button" class="primary" id="paste-commit" onClick={() => send(false)} disabled={!answer || answer.problems.length > 0 || answer.lines.length === 0}>Write</button>
      </div>
    </Dialog>
  );
}
