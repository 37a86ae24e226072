import { useState } from "preact/hooks";
import { api, post, session, type User } from "../api";
import { loadSession, setUser, useAuth } from "../auth";
import { FieldError, fieldErrors, Page, toast, toastError } from "../ui";
import { DATE_FORMATS, NEGATIVE_STYLES } from "../format";

function formValues(form: HTMLFormElement): Record<string, string> {
  return Object.fromEntries(Array.from(new FormData(form).entries()).map(([k, v]) => [k, String(v)]));
}

const guessTz = () => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
};

export function Setup({ onDone }: { onDone: () => void }) {
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const token = new URLSearchParams(location.search).get("token") ?? "";
    setBusy(true);
    try {
      const data = await post("/api/setup/", { ...formValues(e.target as HTMLFormElement), token });
      session.store(data.tokens);
      history.replaceState(null, "", "/");
      await loadSession();
      onDone();
    } catch (err) {
      setErrors(fieldErrors(err));
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="card-page">
      <form class="card" onSubmit={submit} id="setup-form">
        <h1>Set up OASYS</h1>
        <p>Create your firm, its first company and your administrator account.</p>
        <label>Firm name <input name="firm_name" required autocomplete="organization" /></label>
        <FieldError errors={errors} name="firm_name" />
        <label>Company name <input name="company_name" placeholder="same as the firm" /></label>
        <div class="row2">
          <label>Currency <input name="currency" value="USD" maxLength={3} required /></label>
          <label>Time zone <input name="timezone" value={guessTz()} required /></label>
        </div>
        <FieldError errors={errors} name="currency" />
        <FieldError errors={errors} name="timezone" />
        <div class="row2">
          <label>First name <input name="first_name" required autocomplete="given-name" /></label>
          <label>Last name <input name="last_name" required autocomplete="family-name" /></label>
        </div>
        <label>E-mail <input name="email" type="email" required autocomplete="email" /></label>
        <FieldError errors={errors} name="email" />
        <label>Password <input name="password" type="password" required minLength={8} autocomplete="new-password" /></label>
        <FieldError errors={errors} name="password" />
        <button type="submit" class="primary" disabled={busy}>{busy ? "Creating…" : "Create firm"}</button>
      </form>
    </div>
  );
}

export function SetupMissing() {
  return (
    <div class="card-page">
      <div class="card">
        <h1>OASYS</h1>
        <p role="status" id="setup-missing">
          This server has no firm yet. Open the one-time setup link printed in the server's console
          (<code>http://…/setup?token=…</code>) to create your firm and its administrator.
        </p>
      </div>
    </div>
  );
}

export function Login({ onDone }: { onDone: (next: string | null) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const next = new URLSearchParams(location.search).get("next");
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const data = await api("POST", "/api/auth/login/", { body: formValues(e.target as HTMLFormElement), auth: false });
      session.store(data.tokens);
      await loadSession();
      onDone(next);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="card-page">
      <form class="card" onSubmit={submit} id="login-form">
        <h1>Sign in to OASYS</h1>
        {next && <p class="muted">Your session ended. Sign in to continue where you were.</p>}
        <label>E-mail <input name="email" type="email" required autocomplete="username" autofocus /></label>
        <label>Password <input name="password" type="password" required autocomplete="current-password" /></label>
        {error && <p class="error-box" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
      </form>
    </div>
  );
}

export function Profile() {
  const { user } = useAuth();
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  if (!user) return null;
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const updated = await api<User>("PATCH", "/api/auth/me/", { body: formValues(e.target as HTMLFormElement) });
      setUser(updated);
      setErrors({});
      toast("Profile saved");
    } catch (err) {
      setErrors(fieldErrors(err));
      toastError(err);
    }
  };
  return (
    <Page title="Profile" crumbs={[["Home", "/"], ["Profile"]]}>
      <form class="form narrow" onSubmit={submit}>
        <p class="muted">{user.email} · role <strong>{user.role.replace("_", " ")}</strong></p>
        <label>First name <input name="first_name" value={user.first_name} /></label>
        <FieldError errors={errors} name="first_name" />
        <label>Last name <input name="last_name" value={user.last_name} /></label>
        <label>Phone <input name="phone" value={user.profile?.phone ?? ""} /></label>
        <label>Time zone <input name="timezone" value={user.profile?.timezone ?? ""} /></label>
        <FieldError errors={errors} name="timezone" />
        <label>Language <input name="language" value={user.profile?.language ?? ""} /></label>
        <label>Date format
          <select name="date_format" value={user.profile?.date_format || "YYYY-MM-DD"}>
            {DATE_FORMATS.map((f) => <option value={f}>{f}</option>)}
          </select>
        </label>
        <FieldError errors={errors} name="date_format" />
        <label>Negative amounts
          <select name="negative_style" value={user.profile?.negative_style || "minus"}>
            {NEGATIVE_STYLES.map(([v, sample]) => <option value={v}>{sample}</option>)}
          </select>
        </label>
        <FieldError errors={errors} name="negative_style" />
        <button class="primary" type="submit">Save</button>
      </form>
    </Page>
  );
}
