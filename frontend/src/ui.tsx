import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { ApiError, fetchBlob, isMissing } from "./api";
import { formatAmount } from "./money";

// ---- toasts -------------------------------------------------------------------------------
type Toast = { id: number; text: string; kind: "error" | "ok" };
let toasts: Toast[] = [];
let seq = 0;
const toastListeners = new Set<() => void>();
function emit() {
  toastListeners.forEach((l) => l());
}
export function toast(text: string, kind: "error" | "ok" = "ok") {
  const id = ++seq;
  toasts = [...toasts, { id, text, kind }];
  emit();
  setTimeout(() => {
    toasts = toasts.filter((t) => t.id !== id);
    emit();
  }, kind === "error" ? 8000 : 4000);
}
export function toastError(e: unknown) {
  toast(e instanceof Error ? e.message : String(e), "error");
}
export function Toasts() {
  const [, set] = useState(0);
  useEffect(() => {
    const l = () => set((n) => n + 1);
    toastListeners.add(l);
    return () => toastListeners.delete(l);
  }, []);
  return (
    <div class="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} class={`toast ${t.kind}`} role={t.kind === "error" ? "alert" : "status"}>
          {t.text}
        </div>
      ))}
    </div>
  );
}

// ---- states ---------------------------------------------------------------------------------
export function Loading() {
  return <p class="muted loading">Loading…</p>;
}
export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}
export function ErrorBox({ error }: { error: Error }) {
  return <p class="error-box" role="alert">{error.message}</p>;
}
/** What a page says when the server has no such endpoint yet (a 404 on a collection). */
export function NotYet({ what }: { what: string }) {
  return (
    <p class="empty not-yet" id="api-missing">
      {what} {/s$/.test(what) ? "are" : "is"} not available on this server yet: the API answered 404. This page works once the server has it.
    </p>
  );
}

/**
 * Renders the loading / error state of a query, or its children once there is data. With
 * `missing`, a 404 (an endpoint this server does not have yet) says so instead of an error.
 */
export function Async<T>({ q, children, missing }: { q: { data?: T; error?: Error; loading: boolean }; children: (d: T) => ComponentChildren; missing?: string }) {
  if (q.error && q.data === undefined && missing && isMissing(q.error)) return <NotYet what={missing} />;
  if (q.error && q.data === undefined) return <ErrorBox error={q.error} />;
  if (q.data === undefined) return <Loading />;
  return <>{children(q.data)}</>;
}

export function Money({ value, currency, blankZero }: { value: string | null | undefined; currency: string; blankZero?: boolean }) {
  if (blankZero && (!value || /^-?0*(\.0*)?$/.test(value))) return <span class="num" />;
  return <span class="num">{formatAmount(value ?? "0", currency)}</span>;
}

/** A document's or a contact's status as a coloured chip. */
export function StatusChip({ status, label, id }: { status: string; label?: string; id?: string }) {
  return <span class={`status ${status}`} id={id}>{label ?? status.replace(/_/g, " ")}</span>;
}

/** DRF paging for a list: previous / next with the count. */
export function Pager({ page, count, size, next, previous, onPage, noun }: {
  page: number; count: number; size: number; next: string | null; previous: string | null; onPage: (p: number) => void; noun: string;
}) {
  if (!next && !previous) return null;
  return (
    <div class="pager">
      <button disabled={!previous} onClick={() => onPage(page - 1)}>‹ Previous</button>
      <span>Page {page} of {Math.max(1, Math.ceil(count / size))} · {count} {noun}</span>
      <button disabled={!next} onClick={() => onPage(page + 1)}>Next ›</button>
    </div>
  );
}

/**
 * A modal dialog on the native <dialog>: focus stays inside, Escape closes it (onClose), and the
 * focus returns to where it was when it closes.
 */
export function Dialog({ title, onClose, children, id }: { title: string; onClose: () => void; children: ComponentChildren; id?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    const back = document.activeElement as HTMLElement | null;
    if (d && !d.open) d.showModal?.();
    return () => {
      if (d?.open) d.close();
      back?.focus?.();
    };
  }, []);
  return (
    <dialog ref={ref} class="dialog" id={id} aria-labelledby={id ? `${id}-title` : undefined} onCancel={(e) => (e.preventDefault(), onClose())}>
      <header class="dialog-head">
        <h2 id={id ? `${id}-title` : undefined}>{title}</h2>
        <button type="button" class="link" aria-label="Close" onClick={onClose}>×</button>
      </header>
      {children}
    </dialog>
  );
}

/** Errors of the form fields plus the ones that name no field shown (DRF's non_field_errors, detail…). */
export function FormErrors({ errors, shown }: { errors: Record<string, string[]>; shown: string[] }) {
  const rest = Object.entries(errors).filter(([k]) => !shown.some((s) => k === s || k.startsWith(`${s}[`) || k.startsWith(`${s}.`)));
  if (!rest.length) return null;
  return (
    <p class="error-box" role="alert">
      {rest.map(([k, v]) => `${k === "non_field_errors" || k === "detail" ? "" : `${k}: `}${v.join(" ")}`).join(" ")}
    </p>
  );
}

export function Crumbs({ items }: { items: [string, string?][] }) {
  return (
    <nav class="crumbs" aria-label="Breadcrumbs">
      {items.map(([label, href], i) => (
        <span key={i}>
          {i > 0 && <span class="sep"> / </span>}
          {href ? <Link href={href}>{label}</Link> : <span aria-current="page">{label}</span>}
        </span>
      ))}
    </nav>
  );
}

export function Page({ title, crumbs, actions, children }: { title: string; crumbs?: [string, string?][]; actions?: ComponentChildren; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} · OASYS`;
  }, [title]);
  return (
    <section class="page">
      {crumbs && <Crumbs items={crumbs} />}
      <header class="page-head">
        <h1>{title}</h1>
        {actions && <div class="actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

export function FieldError({ errors, name }: { errors: Record<string, string[]>; name: string }) {
  // `emails` also shows `emails[1]` (a DRF list field's item errors).
  const e = [...(errors[name] ?? []), ...Object.entries(errors).filter(([k]) => k.startsWith(`${name}[`)).flatMap(([, v]) => v)];
  return e.length ? <span class="field-error">{e.join(" ")}</span> : null;
}

/** The errors of one cell of a grid (`row<i>.<field>`), under it. */
export function LineError({ e }: { e?: string[] }) {
  return e ? <span class="field-error">{e.join(" ")}</span> : null;
}

export function fieldErrors(e: unknown): Record<string, string[]> {
  return e instanceof ApiError ? e.fields : {};
}

export function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

export function confirmAction(text: string): boolean {
  return window.confirm(text);
}

/** Saves a blob (a PDF) under a file name. */
export function downloadBlob(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function downloadCsv(name: string, rows: (string | number)[][]) {
  const csv = rows.map((r) => r.map((c) => {
    const s = String(c);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }).join(",")).join("\r\n");
  const url = URL.createObjectURL(new Blob(["\ufeff" + csv + "\r\n"], { type: "text/csv" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** "Export XLSX" and "Export PDF" of a report drawn by the server (`path` with its query and
 * `format`): real numbers with the currency's decimals, and the PDF in the firm's template. */
export function ServerExports({ path, query, name, disabled }: { path: string; query: Record<string, string | number | undefined>; name: string; disabled?: boolean }) {
  const [busy, setBusy] = useState(false);
  const get = async (format: "xlsx" | "pdf") => {
    setBusy(true);
    try {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries({ ...query, format }) as [string, string | number | undefined][]) if (v !== undefined && v !== "") p.set(k, String(v));
      const blob = await fetchBlob(`${path}?${p}`, format === "xlsx" ? XLSX_TYPE : "application/pdf");
      downloadBlob(blob, `${name}.${format}`);
    } catch (e) {
      toastError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button id="export-xlsx" onClick={() => get("xlsx")} disabled={disabled || busy}>Export XLSX</button>
      <button id="export-pdf" onClick={() => get("pdf")} disabled={disabled || busy}>Export PDF</button>
    </>
  );
}
