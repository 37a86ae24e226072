// The one autocomplete of the app: the account cells of the journal entry form and the item cells
// of the document lines (and any list of choices with a name and, usually, a code). Type a code or
// part of a name, ↑/↓ to move in the list, Enter or Tab picks; leaving the cell with a single match
// (or an exact code) picks it. Enter then moves on (`onEnter`), as in every cell of a keyboard grid.
import { useState } from "preact/hooks";

/** What the combobox can offer: accounts, items and contacts all fit (a contact has no code). */
export interface Choice {
  id: string;
  code?: string;
  name: string;
  is_active?: boolean;
}

/** The text a picked choice shows in its cell: "4200 Service Revenue". */
export const choiceLabel = (c: Choice) => (c.code ? `${c.code} ${c.name}` : c.name);

/** Active choices whose code starts with the text, then those whose name contains it; 12 at most. */
export function matchChoices<T extends Choice>(choices: T[], text: string, max = 12): T[] {
  const t = text.trim().toLowerCase();
  const active = choices.filter((c) => c.is_active !== false);
  if (!t) return active.slice(0, max);
  const byCode = active.filter((c) => c.code?.toLowerCase().startsWith(t));
  const byName = active.filter((c) => !byCode.includes(c) && (c.name.toLowerCase().includes(t) || choiceLabel(c).toLowerCase() === t));
  return [...byCode, ...byName].slice(0, max);
}

/**
 * A text input with a list of matches (ARIA combobox + listbox). The caller keeps both the picked
 * id (`value`, "" while nothing is picked) and the text shown, so a half-typed cell survives a
 * re-render and can be sent as typed. `optional`: an empty cell is a valid answer, so clearing the
 * text closes the list instead of offering the first choices. `attrs` go on the input (the grids'
 * `data-row`/`data-cell`, which their Enter navigation and the browser tests use).
 */
export function Combobox<T extends Choice>({ choices, value, text, onText, onPick, onEnter, label, listId, placeholder, optional, attrs }: {
  choices: T[];
  value: string;
  text: string;
  onText: (text: string) => void;
  onPick: (choice: T) => void;
  onEnter?: (e: KeyboardEvent) => void;
  label: string;
  listId: string;
  placeholder?: string;
  optional?: boolean;
  attrs?: Record<string, string | number>;
}) {
  const [open, setOpen] = useState(false);
  const [hi, setHi] = useState(0);
  const list = open ? matchChoices(choices, value ? "" : text) : [];
  const pick = (c: T | undefined) => {
    if (c) onPick(c);
    setOpen(false);
  };
  return (
    <div class="combo">
      <input
        {...attrs}
        role="combobox"
        aria-label={label}
        aria-expanded={open && list.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        autocomplete="off"
        value={text}
        placeholder={placeholder ?? "code or name"}
        onFocus={(e) => (e.target as HTMLInputElement).select()}
        onInput={(e) => {
          const t = (e.target as HTMLInputElement).value;
          onText(t);
          setOpen(!optional || t.trim() !== "");
          setHi(0);
        }}
        onBlur={() => {
          // Leaving with a unique match (or an exact code, or an exact name of a choice without one) picks it.
          const t = text.trim().toLowerCase();
          if (!value && t) {
            const m = matchChoices(choices, text);
            const exact = m.find((c) => (c.code ?? c.name).toLowerCase() === t);
            if (exact || m.length === 1) onPick(exact ?? m[0]);
          }
          setOpen(false);
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") {
            e.preventDefault();
            if (!open) setOpen(true);
            else setHi(Math.min(hi + 1, list.length - 1));
          } else if (e.key === "ArrowUp") {
            e.preventDefault();
            setHi(Math.max(hi - 1, 0));
          } else if (e.key === "Escape") {
            setOpen(false);
          } else if ((e.key === "Enter" || e.key === "Tab") && open && list.length && !value) {
            pick(list[hi]);
            if (e.key === "Enter") onEnter?.(e);
          } else if (e.key === "Enter") {
            onEnter?.(e);
          }
        }}
      />
      {open && list.length > 0 && (
        <ul class="combo-list" id={listId} role="listbox">
          {list.map((c, j) => (
            <li key={c.id} role="option" aria-selected={j === hi} class={j === hi ? "hi" : ""} onMouseDown={(e) => (e.preventDefault(), pick(c))}>
              {c.code !== undefined && <span class="code">{c.code}</span>} {c.name}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
