// Settings → Documents: how the company's PDFs look and how its invoices round tax
// (docs/receivables-api.md "Delivery"): the document template (TOML), the logo, and `tax_rounding`
// of `/api/accounting/periods/`.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, api, fetchBlob, isMissing } from "../api";
import { can, useAuth } from "../auth";
import { PERIODS_API } from "../documents";
import { invalidate, useQuery } from "../query";
import { Async, ErrorBox, FieldError, fieldErrors, FormErrors, Loading, Page, toast, toastError } from "../ui";

const TEMPLATE_API = "/api/invoicing/template/";
const LOGO_API = "/api/invoicing/logo/";
const MAX_LOGO = 1024 * 1024;

interface TemplateBody {
  template: string;
  is_default: boolean;
  /** The embedded default, should the server send it along with a company's own template. */
  default?: string;
}

/**
 * The embedded default template, as the server last showed it in this tab: GET answers it while
 * the company has no template of its own (or, should the server send it, as `default`). "Reset to
 * default" puts it back. Kept for the tab's life (sessionStorage), as the session is.
 */
const DEFAULT_KEY = "oasys.template-default";
function knownDefault(): string | null {
  try {
    return sessionStorage.getItem(DEFAULT_KEY);
  } catch {
    return null;
  }
}
function rememberDefault(text: string) {
  try {
    sessionStorage.setItem(DEFAULT_KEY, text);
  } catch {
    /* storage full or off: reset falls back to an empty template */
  }
}

export function DocumentSettings() {
  return (
    <Page title="Documents" crumbs={[["Settings", "/settings"], ["Documents"]]}>
      <p class="muted">How invoices, credit notes and statements look when they are downloaded, previewed or e-mailed, and how invoices round tax.</p>
      <TaxRounding />
      <Logo />
      <Template />
    </Page>
  );
}

// ---- tax rounding ---------------------------------------------------------------------------
function TaxRounding() {
  const { user } = useAuth();
  const q = useQuery<{ tax_rounding?: string }>(PERIODS_API);
  const allowed = can(user, "periods.close");
  return (
    <section class="panel" id="tax-rounding">
      <h2>Tax rounding</h2>
      <Async q={q}>
        {(s) => <RoundingForm current={s.tax_rounding ?? "line"} allowed={allowed} key={s.tax_rounding} />}
      </Async>
    </section>
  );
}

function RoundingForm({ current, allowed }: { current: string; allowed: boolean }) {
  const [value, setValue] = useState(current);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      await api("PATCH", PERIODS_API, { body: { tax_rounding: value } });
      setErrors({});
      invalidate(PERIODS_API);
      toast(value === "document" ? "Tax is now rounded per document" : "Tax is now rounded per line");
    } catch (err) {
      setErrors(fieldErrors(err));
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  const choices: [string, string, string][] = [
    ["line", "Per line", "Each line's tax is rounded to the currency's decimals; the document's tax is their sum (the default)."],
    ["document", "Per document", "The unrounded tax of each rate is summed over the document and rounded once."],
  ];
  return (
    <form class="form" id="rounding-form" onSubmit={submit}>
      <fieldset disabled={!allowed} class="plain">
        {choices.map(([v, label, what]) => (
          <label class="inline choice" key={v}>
            <input type="radio" name="tax_rounding" value={v} checked={value === v} onChange={() => setValue(v)} /> <strong>{label}</strong>
            <span class="muted"> — {what}</span>
          </label>
        ))}
      </fieldset>
      <FieldError errors={errors} name="tax_rounding" />
      <FormErrors errors={errors} shown={["tax_rounding"]} />
      {allowed ? (
        <div class="buttons">
          <button class="primary" type="submit" disabled={busy || value === current}>Save rounding</button>
          <span class="muted hint">Applies to documents saved from now on; issued documents keep their figures.</span>
        </div>
      ) : (
        <p class="muted hint">Only a CFO or an administrator changes how tax is rounded.</p>
      )}
    </form>
  );
}

// ---- logo -------------------------------------------------------------------------------------
function Logo() {
  const { user } = useAuth();
  const allowed = can(user, "documents.issue");
  const [src, setSrc] = useState<string | null>(null);
  const [state, setState] = useState<"loading" | "none" | "shown" | Error>("loading");
  const [stamp, setStamp] = useState(0);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const file = useRef<HTMLInputElement>(null);

  // The image is fetched with the token (the API takes no cookies) and shown from a blob: URL.
  useEffect(() => {
    let url: string | null = null;
    let gone = false;
    setState("loading");
    fetchBlob(LOGO_API, "image/png, image/jpeg")
      .then((b) => {
        if (gone) return;
        url = URL.createObjectURL(b);
        setSrc(url);
        setState("shown");
      })
      .catch((e) => !gone && (setSrc(null), setState(isMissing(e) ? "none" : e instanceof Error ? e : new Error(String(e)))));
    return () => {
      gone = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [stamp]);

  const upload = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const f = file.current?.files?.[0];
    if (!f) return setError("Choose a PNG or JPEG file.");
    setBusy(true);
    setError("");
    try {
      await api("PUT", LOGO_API, { raw: f, headers: { "Content-Type": f.type || "application/octet-stream" } });
      if (file.current) file.current.value = "";
      setStamp((n) => n + 1);
      toast("Logo saved");
    } catch (err) {
      setError(logoError(err, f));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!window.confirm("Remove the logo? Documents are then printed without one.")) return;
    try {
      await api("DELETE", LOGO_API);
      setStamp((n) => n + 1);
      setError("");
      toast("Logo removed");
    } catch (err) {
      toastError(err);
    }
  };
  return (
    <section class="panel" id="logo">
      <h2>Logo</h2>
      <div class="logo-box">
        {state === "loading" ? <Loading /> : state === "none" ? <p class="muted" id="logo-none">No logo: documents are printed without one.</p>
          : state instanceof Error ? <ErrorBox error={state} />
          : src && <img src={src} alt="The company's logo" id="logo-image" class="logo-image" />}
      </div>
      {allowed && (
        <form class="form logo-form" id="logo-form" onSubmit={upload}>
          <label>PNG or JPEG image, at most 1 MiB and 4096 × 4096 pixels (printed at most 150 × 56 pt)
            <input type="file" name="logo" ref={file} accept="image/png,image/jpeg" onChange={() => setError("")} />
            {error && <span class="field-error" id="logo-error" role="alert">{error}</span>}
          </label>
          <div class="buttons">
            <button class="primary" type="submit" disabled={busy}>Upload logo</button>
            {state === "shown" && <button type="button" class="danger" onClick={remove}>Remove logo</button>}
          </div>
        </form>
      )}
    </section>
  );
}

/** What the server said about a refused logo, in the words of this form. */
function logoError(err: unknown, f: File): string {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  if (err.status === 415) return `Only PNG and JPEG images can be the logo: ${f.name} is ${f.type ? `of type ${f.type}` : "of an unknown type"}.`;
  if (err.status === 413 || f.size > MAX_LOGO) return `The logo is at most 1 MiB: ${f.name} is ${(f.size / 1024 / 1024).toFixed(1)} MiB.`;
  return err.fields.logo?.join(" ") ?? err.message;
}

// ---- template ---------------------------------------------------------------------------------
function Template() {
  const q = useQuery<TemplateBody>(TEMPLATE_API);
  return (
    <section class="panel" id="template">
      <h2>Template</h2>
      <Async q={q}>
        {(t) => <TemplateForm t={t} key={`${t.is_default}:${t.template}`} />}
      </Async>
    </section>
  );
}

function TemplateForm({ t }: { t: TemplateBody }) {
  const { user } = useAuth();
  const allowed = can(user, "documents.issue");
  useEffect(() => {
    if (t.default) rememberDefault(t.default);
    else if (t.is_default) rememberDefault(t.template);
  }, [t]);
  const [text, setText] = useState(t.template);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const fallback = t.default ?? knownDefault();
  const sameAsDefault = fallback !== null ? t.template === fallback : t.template.trim() === "";
  const put = async (template: string, done: string) => {
    setBusy(true);
    try {
      const saved = await api<TemplateBody>("PUT", TEMPLATE_API, { body: { template } });
      setErrors({});
      invalidate(TEMPLATE_API);
      setText(saved.template);
      toast(done);
    } catch (err) {
      const f = fieldErrors(err);
      if (!Object.keys(f).length) f.template = [err instanceof Error ? err.message : String(err)];
      setErrors(f);
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: Event) => {
    e.preventDefault();
    if (!busy) put(text, "Template saved: documents are printed with it from now on");
  };
  const reset = () => {
    if (busy) return;
    // Without the default's text (the company had its own template before this tab saw the
    // default), an empty template prints the same: every key it leaves out is the default's.
    const text = fallback ?? "";
    if (!window.confirm(text ? "Replace the template with the default? Your changes are lost." : "Empty the template, so that every key takes the default? Your changes are lost.")) return;
    put(text, text ? "The default template is back" : "The template is empty: every key takes the default");
  };
  return (
    <form class="form" id="template-form" onSubmit={submit}>
      <p class="muted" id="template-status">
        {t.is_default
          ? "The default template (the company has none of its own). Change any key to make it the company's."
          : sameAsDefault
            ? "The company's template is the default's text."
            : t.template.trim() === ""
              ? "The company's template is empty: every key takes the default."
              : "The company's own template; the keys it leaves out take the default."}
      </p>
      <label for="template-text">TOML: paper, colour, font size, date and number formats, footer, and under <code>[labels]</code> every word the documents print (to translate them). Every key is optional; a misspelt key is refused.</label>
      <textarea id="template-text" name="template" class="mono template-text" rows={24} spellcheck={false} autocomplete="off" value={text}
        readOnly={!allowed} aria-invalid={!!errors.template} aria-describedby="template-error"
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      <span id="template-error"><FieldError errors={errors} name="template" /></span>
      <FormErrors errors={errors} shown={["template"]} />
      {allowed && (
        <div class="buttons">
          <button class="primary" type="submit" disabled={busy}>Save template</button>
          <button type="button" id="template-reset" onClick={reset} disabled={busy || t.is_default || sameAsDefault}>Reset to default</button>
          {text !== t.template && <span class="muted hint">Unsaved changes</span>}
        </div>
      )}
    </form>
  );
}
