// A small data cache: one entry per key, shared by every component that asks for it, refetched
// when invalidated (after a write) or when the company changes (keys include it).
import { useEffect, useReducer } from "preact/hooks";
import { get } from "./api";

interface Slot {
  data?: unknown;
  error?: Error;
  promise?: Promise<void>;
  at: number;
  fetch?: () => Promise<unknown>;
  listeners: Set<() => void>;
}

const cache = new Map<string, Slot>();
const STALE_MS = 30_000;

function slot(key: string): Slot {
  let s = cache.get(key);
  if (!s) {
    s = { at: 0, listeners: new Set() };
    cache.set(key, s);
  }
  return s;
}

function load(key: string, fetcher: () => Promise<unknown>) {
  const s = slot(key);
  s.fetch = fetcher;
  if (s.promise) return;
  s.promise = fetcher()
    .then((d) => {
      s.data = d;
      s.error = undefined;
    })
    .catch((e) => {
      s.error = e;
    })
    .finally(() => {
      s.at = Date.now();
      s.promise = undefined;
      s.listeners.forEach((l) => l());
    });
}

export interface Query<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/** `path` is an API path (fetched with GET) or null to wait. */
export function useQuery<T = any>(path: string | null, fetcher?: () => Promise<T>): Query<T> {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  const tick = bump as unknown as () => void;
  const key = path ?? "";
  useEffect(() => {
    if (!path) return;
    const s = slot(key);
    s.listeners.add(tick);
    if (!s.promise && (s.at === 0 || Date.now() - s.at > STALE_MS)) load(key, fetcher ?? (() => get(path)));
    return () => s.listeners.delete(tick);
  }, [key]);
  const s = path ? cache.get(key) : undefined;
  return {
    data: s?.data as T | undefined,
    error: s?.error,
    loading: !!path && (!s || !!s.promise || s.at === 0),
    reload: () => path && load(key, fetcher ?? (() => get(path))),
  };
}

/** Marks every key starting with one of the prefixes stale and refetches the ones on screen. */
export function invalidate(...prefixes: string[]) {
  for (const [key, s] of cache) {
    if (prefixes.length === 0 || prefixes.some((p) => key.startsWith(p))) {
      s.at = 0;
      if (s.listeners.size) load(key, s.fetch ?? (() => get(key)));
    }
  }
}

export function clearCache() {
  cache.clear();
}
