// The global search box (top bar: a live dropdown of grouped hits, ↑/↓/Enter/Esc) and the search
// page (/search: filters and snippets), over GET /api/search/ (docs/search.md).
import { useEffect, useRef, useState } from "preact/hooks";
import { navigate } from "wouter-preact/use-browser-location";
import { get, qs } from "./api";
import { switchCompany, useAuth } from "./auth";

interface Highlight { start: number; end: number }
export interface Hit {
  kind: string; id: string; company_id: string; contact_id: string | null; date: string | null;
  amount: number | null; currency: string | null; title: string; title_highlights: Highlight[];
  subtitle: string; snippet: string; snippet_highlights: Highlight[]; url: string;
}
interface Group { kind: string; count: number; hits: Hit[] }
interface Results { query: string; total: number; page: number; page_size: number; groups: Group[] }

export const KIND_LABELS: Record<string, string> = {
  contact: "Contacts", invoice: "Invoices", credit_note: "Credit notes", bill: "Bills",
  vendor_credit: "Vendor credits", entry: "Journal entries", bank_line: "Bank lines", item: "Items",
  document: "Documents",
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `text` with the byte ranges the API marks wrapped in <mark> (as text nodes: no HTML injected). */
function Marked({ text, ranges }: { text: string; ranges: Highlight[] }) {
  if (!ranges.length) return <>{text}</>;
  const bytes = encoder.encode(text);
  const parts = [];
  let at = 0;
  for (const r of ranges) {
    if (r.start < at || r.end > bytes.length) continue;
    parts.push(decoder.decode(bytes.slice(at, r.start)));
    parts.push(<mark>{decoder.decode(bytes.slice(r.start, r.end))}</mark>);
    at = r.end;
  }
  parts.push(decoder.decode(bytes.slice(at)));
  return <>{parts}</>;
}

function amountText(h: Hit): string {
  if (h.amount === null) return "";
  const n = h.amount / 100;
  return `${n.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${h.currency ?? ""}`.trim();
}

/** Opens a hit's page, in its own company. */
export function openHit(h: Hit, current: string | undefined) {
  if (h.company_id !== current) switchCompany(h.company_id);
  navigate(h.url);
}

function useResults(params: Record<string, string>, delay: number): [Results | null, boolean] {
  const [results, setResults] = useState<Results | null>(null);
  const [busy, setBusy] = useState(false);
  const key = JSON.stringify(params);
  useEffect(() => {
    if (!params.q?.trim()) {
      setResults(null);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      setBusy(true);
      get<Results>(`/api/search/${qs(params)}`)
        .then((r) => live && setResults(r))
        .catch(() => live && setResults(null))
        .finally(() => live && setBusy(false));
    }, delay);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [key]);
  return [results, busy];
}

export function GlobalSearch() {
  const { company } = useAuth();
  const [text, setText] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const box = useRef<HTMLFormElement>(null);
  const [results] = useResults({ q: text, page_size: "12" }, 150);
  const hits = results ? results.groups.flatMap((g) => g.hits) : [];
  useEffect(() => setActive(0), [results]);
  useEffect(() => {
    const away = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", away);
    return () => document.removeEventListener("mousedown", away);
  }, []);
  const choose = (h: Hit) => {
    setOpen(false);
    setText("");
    openHit(h, company?.id);
  };
  const submit = (e: Event) => {
    e.preventDefault();
    const h = hits[active];
    if (open && h) return choose(h);
    const q = text.trim();
    if (q) {
      setOpen(false);
      navigate(`/search?q=${encodeURIComponent(q)}`);
    }
  };
  const keys = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(a + 1, Math.max(hits.length - 1, 0)));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === "Escape") {
      setOpen(false);
    }
  };
  let n = -1;
  return (
    <form class="global-search" role="search" onSubmit={submit} ref={box}>
      <input
        type="search"
        name="q"
        aria-label="Search"
        placeholder="Search…"
        autocomplete="off"
        role="combobox"
        aria-expanded={open && hits.length > 0}
        aria-controls="global-search-results"
        value={text}
        onInput={(e) => {
          setText((e.target as HTMLInputElement).value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onKeyDown={keys}
      />
      {open && results && (
        <div class="search-dropdown" id="global-search-results" role="listbox">
          {results.groups.length === 0 && <div class="search-empty">Nothing found</div>}
          {results.groups.map((g) => (
            <div class="search-group" data-kind={g.kind}>
              <div class="search-group-head">
                {KIND_LABELS[g.kind] ?? g.kind} <span class="muted">{g.count}</span>
              </div>
              {g.hits.map((h) => {
                n += 1;
                const i = n;
                return (
                  <div
                    class={`search-hit ${i === active ? "active" : ""}`}
                    role="option"
                    aria-selected={i === active}
                    onMouseEnter={() => setActive(i)}
                    onMouseDown={(e) => {
                      e.preventDefault();
                      choose(h);
                    }}
                  >
                    <div class="search-title"><Marked text={h.title} ranges={h.title_highlights} /></div>
                    <div class="search-meta muted">{[h.subtitle, h.date, amountText(h)].filter(Boolean).join(" · ")}</div>
                  </div>
                );
              })}
            </div>
          ))}
          <a class="search-all" href={`/search?q=${encodeURIComponent(text.trim())}`} onMouseDown={(e) => { e.preventDefault(); setOpen(false); navigate(`/search?q=${encodeURIComponent(text.trim())}`); }}>
            All results ({results.total})
          </a>
        </div>
      )}
    </form>
  );
}

/** /search: the same search with filters, pages and snippets. */
export function SearchPage() {
  const { company } = useAuth();
  const initial = new URLSearchParams(location.search);
  const [q, setQ] = useState(initial.get("q") ?? "");
  const [kind, setKind] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [page, setPage] = useState(1);
  const params: Record<string, string> = { q, page: String(page) };
  if (kind) params.kind = kind;
  if (from) params.date_from = from;
  if (to) params.date_to = to;
  const [results, busy] = useResults(params, 200);
  useEffect(() => setPage(1), [q, kind, from, to]);
  return (
    <div class="search-page">
      <h1>Search</h1>
      <div class="filters">
        <input type="search" aria-label="Search for" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        <select aria-label="Kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
          <option value="">All kinds</option>
          {Object.entries(KIND_LABELS).map(([k, label]) => <option value={k}>{label}</option>)}
        </select>
        <label>From <input type="date" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} /></label>
        <label>To <input type="date" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} /></label>
      </div>
      {busy && !results && <p class="muted">Searching…</p>}
      {results && <p class="muted">{results.total} found</p>}
      {results?.groups.map((g) => (
        <section class="search-section" data-kind={g.kind}>
          <h2>{KIND_LABELS[g.kind] ?? g.kind} <span class="muted">{g.count}</span></h2>
          {g.hits.map((h) => (
            <a class="search-result" href={h.url} onClick={(e) => { e.preventDefault(); openHit(h, company?.id); }}>
              <div class="search-title"><Marked text={h.title} ranges={h.title_highlights} /></div>
              <div class="search-meta muted">{[h.subtitle, h.date, amountText(h)].filter(Boolean).join(" · ")}</div>
              {h.snippet && <div class="search-snippet"><Marked text={h.snippet} ranges={h.snippet_highlights} /></div>}
            </a>
          ))}
        </section>
      ))}
      {results && results.total > results.page * results.page_size && (
        <div class="pager">
          {page > 1 && <button onClick={() => setPage(page - 1)}>Previous</button>}
          <button onClick={() => setPage(page + 1)}>Next</button>
        </div>
      )}
    </div>
  );
}
