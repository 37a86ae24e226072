// Who is signed in, in which company, and what their role allows (README "Roles").
import { useEffect, useState } from "preact/hooks";
import { get, session, type Company, type User } from "./api";
import { clearCache } from "./query";
import { applyPrefs } from "./format";

const ORDER = ["staff", "accountant", "cfo", "firm_admin", "tenant_admin", "platform_admin"];
const MIN_ROLE: Record<string, string> = {
  "firm.view": "staff",
  "firm.manage": "tenant_admin",
  "companies.manage": "firm_admin",
  "users.view": "cfo",
  "users.manage": "firm_admin",
  "ledger.view": "staff",
  "ledger.edit": "staff",
  "entries.post": "accountant",
  "entries.approve": "cfo",
  "periods.close": "cfo",
  "reports.view": "accountant",
  "documents.view": "staff",
  "documents.edit": "staff",
  "documents.issue": "accountant",
};

export function can(user: User | null | undefined, action: string): boolean {
  if (!user) return false;
  if (user.permissions?.includes(action)) return true;
  const min = MIN_ROLE[action];
  return !!min && ORDER.indexOf(user.role) >= ORDER.indexOf(min);
}

export interface AuthState {
  user: User | null;
  companies: Company[];
  company: Company | null;
}

let state: AuthState = { user: null, companies: [], company: null };
const listeners = new Set<() => void>();
function set(next: AuthState) {
  state = next;
  // The current user's display settings drive formatDate / formatMinor everywhere.
  applyPrefs(next.user?.profile);
  listeners.forEach((l) => l());
}

export function useAuth(): AuthState {
  const [, tick] = useState(0);
  useEffect(() => {
    const l = () => tick((n) => n + 1);
    listeners.add(l);
    return () => listeners.delete(l);
  }, []);
  return state;
}

export function authState() {
  return state;
}

/** Loads the user and their companies after sign-in (or on a reload with a stored session). */
export async function loadSession(): Promise<void> {
  const user = await get<User>("/api/auth/me/");
  const page = await get<{ results: Company[] }>("/api/tenants/companies/?page_size=200");
  const companies = page.results;
  const stored = session.company();
  const company =
    companies.find((c) => c.id === stored) ?? companies.find((c) => c.id === user.default_company) ?? companies[0] ?? null;
  session.setCompany(company?.id ?? null);
  set({ user, companies, company });
}

export function setUser(user: User) {
  set({ ...state, user });
}

export function switchCompany(id: string) {
  const company = state.companies.find((c) => c.id === id) ?? null;
  session.setCompany(company?.id ?? null);
  clearCache();
  set({ ...state, company });
}

export function signOutLocal() {
  session.clear();
  clearCache();
  set({ user: null, companies: [], company: null });
}
