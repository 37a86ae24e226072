import { useState } from "preact/hooks";
import { api, type Company, type Page as PageT, type User } from "../api";
import { can, loadSession, useAuth } from "../auth";
import { invalidate, useQuery } from "../query";
import { Async, Empty, FieldError, fieldErrors, Page, toast, toastError } from "../ui";
import { formatDate } from "../format";

const ROLES = ["staff", "accountant", "cfo", "firm_admin", "tenant_admin"];
const crumbs = (last: string): [string, string?][] => [["Settings", "/settings/firm"], [last]];

function values(form: HTMLFormElement): Record<string, string> {
  return Object.fromEntries(Array.from(new FormData(form).entries()).map(([k, v]) => [k, String(v)]));
}

interface Tenant {
  id: string;
  name: string;
  domain: string | null;
  plan: string;
  created_at: string;
}

export function Firm() {
  const { user } = useAuth();
  const q = useQuery<PageT<Tenant>>("/api/tenants/");
  const submit = (t: Tenant) => async (e: Event) => {
    e.preventDefault();
    try {
      await api("PATCH", `/api/tenants/${t.id}/`, { body: values(e.target as HTMLFormElement) });
      invalidate("/api/tenants/");
      toast("Firm saved");
    } catch (err) {
      toastError(err);
    }
  };
  return (
    <Page title="Firm" crumbs={crumbs("Firm")}>
      <Async q={q}>
        {(p) => {
          const t = p.results[0];
          if (!t) return <Empty>No firm.</Empty>;
          const edit = can(user, "firm.manage");
          return (
            <form class="form narrow" onSubmit={submit(t)}>
              <label>Name <input name="name" value={t.name} disabled={!edit} required /></label>
              <p class="muted">Plan {t.plan} · created {formatDate(t.created_at)}</p>
              {edit && <button class="primary" type="submit">Save</button>}
            </form>
          );
        }}
      </Async>
      <DocumentStorage />
      <AiSettings edit={can(user, "firm.manage")} />
    </Page>
  );
}

interface Ai {
  enabled: boolean;
  monthly_limit: string;
  used_this_month: string;
  calls_this_month: number;
}

interface Usage {
  used_bytes: number;
  quota_bytes: number;
  max_file_bytes: number;
  storage: "local" | "s3";
}

/** Bytes as people read them: 1.5 MB, 5 GB (powers of 1024, as the quota is set). */
export function bytes(n: number): string {
  const units = ["bytes", "KB", "MB", "GB", "TB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${n} bytes` : `${v >= 10 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

/** What the firm's documents take of its quota (`/api/documents/usage/`). */
function DocumentStorage() {
  const q = useQuery<Usage>("/api/documents/usage/");
  return (
    <section class="document-storage">
      <h2>Document storage</h2>
      <Async q={q}>
        {(u) => {
          const share = u.quota_bytes > 0 ? Math.min(100, (u.used_bytes / u.quota_bytes) * 100) : 0;
          return (
            <div id="document-usage">
              <p>
                {bytes(u.used_bytes)} of {bytes(u.quota_bytes)} used ({share < 1 && u.used_bytes > 0 ? "under 1" : share.toFixed(0)}%), kept{" "}
                {u.storage === "s3" ? "in S3-compatible object storage" : "in the data directory"}.
              </p>
              <progress max={100} value={share} aria-label="Share of the quota used" />
              <p class="muted">Files up to {bytes(u.max_file_bytes)} each. Identical files are stored once.</p>
            </div>
          );
        }}
      </Async>
    </section>
  );
}

/** The firm's AI switch and monthly limit with this month's use (`/api/capture/ai-settings/`). */
function AiSettings({ edit }: { edit: boolean }) {
  const q = useQuery<Ai>("/api/capture/ai-settings/");
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    try {
      await api("PATCH", "/api/capture/ai-settings/", { body: { enabled: data.get("enabled") === "on", monthly_limit: String(data.get("monthly_limit") ?? "") } });
      invalidate("/api/capture/ai-settings/");
      toast("AI settings saved");
    } catch (err) {
      toastError(err);
    }
  };
  return (
    <section class="ai-settings">
      <h2>AI and documents</h2>
      <Async q={q}>
        {(a) => (
          <form class="form narrow" id="ai-settings" onSubmit={submit}>
            <label class="check"><input type="checkbox" name="enabled" checked={a.enabled} disabled={!edit} /> Read documents with AI when the built-in reader is unsure</label>
            <label>Monthly limit <input name="monthly_limit" value={a.monthly_limit} inputMode="decimal" disabled={!edit} required /></label>
            <p class="muted" id="ai-usage">This month: {a.used_this_month} used in {a.calls_this_month} call(s) of {a.monthly_limit}.</p>
            <p class="muted">Off by default: nothing is sent anywhere until it is switched on.</p>
            {edit && <button class="primary" type="submit">Save AI settings</button>}
          </form>
        )}
      </Async>
    </section>
  );
}

export function Companies() {
  const { user } = useAuth();
  const q = useQuery<PageT<Company>>("/api/tenants/companies/?page_size=200");
  const [editing, setEditing] = useState<Company | "new" | null>(null);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const manage = can(user, "companies.manage");
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = values(e.target as HTMLFormElement);
    try {
      if (editing === "new") await api("POST", "/api/tenants/companies/", { body });
      else if (editing) await api("PATCH", `/api/tenants/companies/${editing.id}/`, { body });
      invalidate("/api/tenants/companies/");
      await loadSession();
      toast("Company saved");
      setEditing(null);
      setErrors({});
    } catch (err) {
      setErrors(fieldErrors(err));
      toastError(err);
    }
  };
  const c = editing === "new" ? null : editing;
  return (
    <Page title="Companies" crumbs={crumbs("Companies")} actions={manage && <button class="primary" onClick={() => setEditing("new")}>New company</button>}>
      {editing && (
        <form class="panel form" onSubmit={submit}>
          <h2>{c ? `Edit ${c.name}` : "New company"}</h2>
          <div class="grid-form">
            <label>Name <input name="name" value={c?.name} required /></label>
            <label>Currency <input name="currency" value={c?.currency ?? "USD"} maxLength={3} disabled={!!c} /></label>
            <label>Time zone <input name="timezone" value={c?.timezone ?? "UTC"} /></label>
            <label>Tax id <input name="tax_id" value={c?.tax_id} /></label>
            <label>E-mail <input name="email" type="email" value={c?.email} /></label>
            <label>Phone <input name="phone" value={c?.phone} /></label>
            <label class="wide">Address <input name="address" value={c?.address} /></label>
          </div>
          {Object.keys(errors).map((k) => <FieldError errors={errors} name={k} />)}
          <div class="buttons">
            <button class="primary" type="submit">Save</button>
            <button type="button" onClick={() => setEditing(null)}>Cancel</button>
          </div>
        </form>
      )}
      <Async q={q}>
        {(p) => (
          <div class="table-wrap">
            <table class="table">
              <thead><tr><th>Name</th><th>Currency</th><th class="hide-sm">Time zone</th><th>Status</th><th /></tr></thead>
              <tbody>
                {p.results.map((co) => (
                  <tr key={co.id}>
                    <td>{co.name}</td><td>{co.currency}</td><td class="hide-sm">{co.timezone}</td>
                    <td>{co.is_active ? "active" : "inactive"}</td>
                    <td class="row-actions">{manage && <button class="link" onClick={() => setEditing(co)}>Edit</button>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Async>
    </Page>
  );
}

export function Users() {
  const { user: me, companies } = useAuth();
  const q = useQuery<PageT<User>>("/api/tenants/users/?page_size=200");
  const [inviting, setInviting] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [temp, setTemp] = useState<string | null>(null);
  const manage = can(me, "users.manage");
  const roles = ROLES.filter((r) => ROLES.indexOf(r) <= ROLES.indexOf(me?.role ?? "staff") || me?.role === "platform_admin");

  const invite = async (e: Event) => {
    e.preventDefault();
    const v = values(e.target as HTMLFormElement);
    const body: Record<string, unknown> = { ...v };
    if (!v.password) delete body.password;
    try {
      const created = await api("POST", "/api/tenants/users/", { body });
      invalidate("/api/tenants/users/");
      setTemp(created.temporary_password ? `${created.email}: temporary password ${created.temporary_password}` : null);
      toast(`Invited ${created.email}`);
      setInviting(false);
      setErrors({});
    } catch (err) {
      setErrors(fieldErrors(err));
      toastError(err);
    }
  };
  const save = async (e: Event) => {
    e.preventDefault();
    if (!editing) return;
    const f = new FormData(e.target as HTMLFormElement);
    const all = f.get("all_companies") === "on";
    const body = { role: String(f.get("role")), all_companies: all, companies: all ? [] : f.getAll("companies").map(String) };
    try {
      await api("PATCH", `/api/tenants/users/${editing.id}/`, { body });
      invalidate("/api/tenants/users/");
      toast("User saved");
      setEditing(null);
    } catch (err) {
      toastError(err);
    }
  };
  const toggle = async (u: User) => {
    if (u.is_active && !window.confirm(`Deactivate ${u.email}? They are signed out at once.`)) return;
    try {
      await api("POST", `/api/tenants/users/${u.id}/${u.is_active ? "deactivate" : "activate"}/`, { body: {} });
      invalidate("/api/tenants/users/");
      toast(u.is_active ? "User deactivated" : "User activated");
    } catch (err) {
      toastError(err);
    }
  };

  return (
    <Page title="Users and roles" crumbs={crumbs("Users")} actions={manage && <button class="primary" onClick={() => setInviting(true)}>Invite user</button>}>
      {temp && <p class="notice">{temp} — shown once; pass it on securely.</p>}
      {inviting && (
        <form class="panel form" onSubmit={invite}>
          <h2>Invite a user</h2>
          <div class="grid-form">
            <label>E-mail <input name="email" type="email" required /></label>
            <label>First name <input name="first_name" /></label>
            <label>Last name <input name="last_name" /></label>
            <label>Role <select name="role">{roles.map((r) => <option value={r}>{r.replace("_", " ")}</option>)}</select></label>
            <label>Password <input name="password" type="password" placeholder="leave empty for a temporary one" autocomplete="new-password" /></label>
          </div>
          {Object.keys(errors).map((k) => <FieldError errors={errors} name={k} />)}
          <div class="buttons">
            <button class="primary" type="submit">Invite</button>
            <button type="button" onClick={() => setInviting(false)}>Cancel</button>
          </div>
        </form>
      )}
      {editing && (
        <form class="panel form" onSubmit={save}>
          <h2>{editing.email}</h2>
          <label>Role <select name="role" value={editing.role}>{roles.map((r) => <option value={r}>{r.replace("_", " ")}</option>)}</select></label>
          <label class="inline"><input type="checkbox" name="all_companies" checked={editing.all_companies} /> Every company</label>
          <fieldset>
            <legend>Or only these companies</legend>
            {companies.map((c) => (
              <label class="inline"><input type="checkbox" name="companies" value={c.id} checked={editing.companies.includes(c.id)} /> {c.name}</label>
            ))}
          </fieldset>
          <div class="buttons">
            <button class="primary" type="submit">Save</button>
            <button type="button" onClick={() => setEditing(null)}>Cancel</button>
          </div>
        </form>
      )}
      <Async q={q}>
        {(p) => (
          <div class="table-wrap">
            <table class="table">
              <thead><tr><th>E-mail</th><th class="hide-sm">Name</th><th>Role</th><th class="hide-sm">Companies</th><th>Status</th><th /></tr></thead>
              <tbody>
                {p.results.map((u) => (
                  <tr key={u.id}>
                    <td>{u.email}</td>
                    <td class="hide-sm">{u.first_name} {u.last_name}</td>
                    <td>{u.role.replace("_", " ")}</td>
                    <td class="hide-sm">{u.all_companies ? "all" : u.companies.length}</td>
                    <td>{u.is_active ? "active" : "inactive"}</td>
                    <td class="row-actions">
                      {manage && u.id !== me?.id && (
                        <>
                          <button class="link" onClick={() => setEditing(u)}>Edit</button>
                          <button class="link" onClick={() => toggle(u)}>{u.is_active ? "Deactivate" : "Activate"}</button>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Async>
    </Page>
  );
}
