// The bank rules editor (`/api/banking/rules/`): a line whose text contains a phrase (or matches a
// regular expression), whose amount falls in a range, or whose counterparty has a given IBAN is
// proposed an account, a contact, a tax rate and a description. Lower priority numbers are tried
// first. The reconciliation screen shows a rule's proposal on the lines it applies to.
import { useState } from "preact/hooks";
import { can, useAuth } from "../../auth";
import { BANKING, bankCall, RULES_API, useBankAccounts, type BankRule } from "../../banking";
import { useContacts, useTaxRates } from "../../documents";
import { invalidate, useQuery } from "../../query";
import { Async, Dialog, Empty, FieldError, fieldErrors, FormErrors, Page, StatusChip, toast, toastError } from "../../ui";
import { useAccounts } from "../accounts";
import type { Page as PageT } from "../../api";

const BLANK: Omit<BankRule, "id"> = {
  name: "", priority: 100, bank_account: null, text_contains: "", text_regex: "", amount_min: null, amount_max: null,
  counterparty_account: "", account: null, contact: null, tax_rate: null, description: "", is_active: true,
};

const SHOWN = ["name", "priority", "bank_account", "text_contains", "text_regex", "amount_min", "amount_max", "counterparty_account", "account", "contact", "tax_rate", "description", "is_active"];

export function Rules() {
  const { user } = useAuth();
  const editable = can(user, "ledger.edit");
  const q = useQuery<PageT<BankRule>>(`${RULES_API}?page_size=200&ordering=priority`);
  const chart = useAccounts().data?.results ?? [];
  const banks = useBankAccounts().data?.results ?? [];
  const [editing, setEditing] = useState<BankRule | Omit<BankRule, "id"> | null>(null);
  const acct = (id: string | null) => {
    const a = chart.find((x) => x.id === id);
    return a ? `${a.code} ${a.name}` : "";
  };
  const remove = async (r: BankRule) => {
    if (!window.confirm(`Delete the rule “${r.name}”?`)) return;
    try {
      await bankCall("DELETE", `${RULES_API}${r.id}/`, undefined, "Bank rules");
      invalidate(BANKING);
      toast("Rule deleted");
    } catch (e) {
      toastError(e);
    }
  };
  const when = (r: BankRule) =>
    [
      r.text_contains && `text contains “${r.text_contains}”`,
      r.text_regex && `text matches /${r.text_regex}/`,
      (r.amount_min || r.amount_max) && `amount ${r.amount_min ?? "…"} to ${r.amount_max ?? "…"}`,
      r.counterparty_account && `counterparty ${r.counterparty_account}`,
      r.bank_account && `on ${banks.find((b) => b.id === r.bank_account)?.name ?? "one account"}`,
    ].filter(Boolean).join(", ") || "every line";
  return (
    <Page title="Bank rules" crumbs={[["Banking", "/banking"], ["Rules"]]}
      actions={editable && <button class="primary" id="new-rule" onClick={() => setEditing({ ...BLANK })}>New rule</button>}>
      <p class="muted">A rule proposes how to book a statement line: the reconciliation screen shows its proposal, and <kbd>e</kbd> posts it. Lower priority numbers are tried first.</p>
      <Async q={q} missing="Bank rules">
        {(data) => data.results.length === 0 ? <Empty>No rules yet.</Empty> : (
          <div class="table-wrap">
            <table class="table" id="rules">
              <thead><tr><th class="num">Priority</th><th>Name</th><th>When</th><th>Then</th><th>Status</th><th /></tr></thead>
              <tbody>
                {data.results.map((r) => (
                  <tr key={r.id} class={r.is_active ? "" : "inactive"} data-name={r.name}>
                    <td class="num">{r.priority}</td>
                    <td>{r.name}</td>
                    <td class="wrap">{when(r)}</td>
                    <td class="wrap">{acct(r.account)}{r.description && ` · “${r.description}”`}</td>
                    <td><StatusChip status={r.is_active ? "active" : "archived"} label={r.is_active ? "active" : "off"} /></td>
                    <td class="row-actions">
                      {editable && <button class="link" onClick={() => setEditing(r)}>Edit</button>}
                      {editable && <button class="link danger-link" onClick={() => remove(r)}>Delete</button>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Async>
      {editing && <RuleDialog rule={editing} onClose={() => setEditing(null)} />}
    </Page>
  );
}

function RuleDialog({ rule, onClose }: { rule: BankRule | Omit<BankRule, "id">; onClose: () => void }) {
  const id = "id" in rule ? rule.id : null;
  const chart = useAccounts().data?.results ?? [];
  const banks = useBankAccounts().data?.results ?? [];
  const rates = useTaxRates().data?.results ?? [];
  const contacts = [...(useContacts("sales").data?.results ?? []), ...(useContacts("purchase").data?.results ?? [])].filter((c, i, all) => all.findIndex((x) => x.id === c.id) === i);
  const [form, setForm] = useState({ ...rule, priority: String(rule.priority), amount_min: rule.amount_min ?? "", amount_max: rule.amount_max ?? "" });
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const set = (k: string) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = {
      name: form.name.trim(),
      priority: Number(form.priority || 0),
      bank_account: form.bank_account || null,
      text_contains: form.text_contains,
      text_regex: form.text_regex,
      amount_min: String(form.amount_min).trim() || null,
      amount_max: String(form.amount_max).trim() || null,
      counterparty_account: form.counterparty_account.replace(/\s+/g, "").toUpperCase(),
      account: form.account || null,
      contact: form.contact || null,
      tax_rate: form.tax_rate || null,
      description: form.description,
      is_active: form.is_active,
    };
    setBusy(true);
    try {
      await bankCall(id ? "PATCH" : "POST", id ? `${RULES_API}${id}/` : RULES_API, body, "Bank rules");
      invalidate(BANKING);
      toast(id ? "Rule saved" : "Rule created");
      onClose();
    } catch (err) {
      const f = fieldErrors(err);
      setErrors(Object.keys(f).length ? f : { non_field_errors: [err instanceof Error ? err.message : String(err)] });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={id ? "Edit rule" : "New rule"} onClose={onClose} id="rule-dialog">
      <form class="form" onSubmit={submit}>
        <div class="grid-form">
          <label>Name <input name="name" required value={form.name} onInput={set("name")} /><FieldError errors={errors} name="name" /></label>
          <label>Priority <input name="priority" type="number" value={form.priority} onInput={set("priority")} /><FieldError errors={errors} name="priority" /></label>
          <label>Bank account
            <select name="bank_account" value={form.bank_account ?? ""} onChange={set("bank_account")}>
              <option value="">Every account</option>
              {banks.map((b) => <option value={b.id}>{b.name}</option>)}
            </select>
            <FieldError errors={errors} name="bank_account" />
          </label>
        </div>
        <fieldset>
          <legend>When the line…</legend>
          <div class="grid-form">
            <label>Text contains <input name="text_contains" value={form.text_contains} onInput={set("text_contains")} placeholder="STAPLES" /><FieldError errors={errors} name="text_contains" /></label>
            <label>Text matches (regex) <input name="text_regex" class="mono" value={form.text_regex} onInput={set("text_regex")} placeholder="^CARD \d+ STAPLES" /><FieldError errors={errors} name="text_regex" /></label>
            <label>Amount from <input name="amount_min" class="num" inputMode="decimal" value={form.amount_min} onInput={set("amount_min")} placeholder="-500.00" /><FieldError errors={errors} name="amount_min" /></label>
            <label>Amount to <input name="amount_max" class="num" inputMode="decimal" value={form.amount_max} onInput={set("amount_max")} placeholder="0.00" /><FieldError errors={errors} name="amount_max" /></label>
            <label>Counterparty IBAN <input name="counterparty_account" class="upper mono" value={form.counterparty_account} onInput={set("counterparty_account")} /><FieldError errors={errors} name="counterparty_account" /></label>
          </div>
        </fieldset>
        <fieldset>
          <legend>…propose</legend>
          <div class="grid-form">
            <label>Account
              <select name="account" value={form.account ?? ""} onChange={set("account")}>
                <option value="">None</option>
                {chart.filter((a) => a.is_active || a.id === form.account).map((a) => <option value={a.id}>{a.code} {a.name}</option>)}
              </select>
              <FieldError errors={errors} name="account" />
            </label>
            <label>Contact
              <select name="contact" value={form.contact ?? ""} onChange={set("contact")}>
                <option value="">None</option>
                {contacts.map((c) => <option value={c.id}>{c.name}</option>)}
              </select>
              <FieldError errors={errors} name="contact" />
            </label>
            <label>Tax rate
              <select name="tax_rate" value={form.tax_rate ?? ""} onChange={set("tax_rate")}>
                <option value="">No tax</option>
                {rates.map((t) => <option value={t.id}>{t.name}</option>)}
              </select>
              <FieldError errors={errors} name="tax_rate" />
            </label>
            <label>Description <input name="description" value={form.description} onInput={set("description")} /><FieldError errors={errors} name="description" /></label>
          </div>
        </fieldset>
        <label class="inline"><input type="checkbox" name="is_active" checked={form.is_active} onChange={(e) => setForm({ ...form, is_active: (e.target as HTMLInputElement).checked })} /> Active</label>
        <FormErrors errors={errors} shown={SHOWN} />
        <div class="buttons">
          <button class="primary" type="submit" disabled={busy}>{id ? "Save rule" : "Create rule"}</button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}

