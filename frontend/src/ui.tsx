import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { ApiError } from "./api";
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
/** Renders the loading / error state of a query, or its children once there is data. */
export function Async<T>({ q, children }: { q: { data?: T; error?: Error; loading: boolean }; children: (d: T) => ComponentChildren }) {
  if (q.error && q.data === undefined) return <ErrorBox error={q.error} />;
  if (q.data === undefined) return <Loading />;
  return <>{children(q.data)}</>;
}

export function Money({ value, currency, blankZero }: { value: string | null | undefined; currency: string; blankZero?: boolean }) {
  if (blankZero && (!value || /^-?0*(\.0*)?$/.test(value))) return <span class="num" />;
  return <span class="num">{formatAmount(value ?? "0", currency)}</span>;
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
  const e = errors[name];
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
