// The firm's bank accounts (`/api/banking/accounts/`): the list with the three balances a
// bookkeeper checks (the books, the last statement, the lines still to reconcile), the form that
// ties an account to its GL bank account, and archiving (accounts are never deleted).
import { useEffect, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { navigate } from "wouter-preact/use-browser-location";
import { api, isMissing } from "../../api";
import { can, useAuth } from "../../auth";
import { BANK_ACCOUNTS_API, BANKING, useBankAccounts, type BankAccount } from "../../banking";
import { formatDate } from "../../format";
import { invalidate, useQuery } from "../../query";
import { Async, Empty, ErrorBox, FieldError, fieldErrors, FormErrors, Loading, Money, Page, StatusChip, toast, toastError } from "../../ui";
import { useAccounts } from "../accounts";

/** Archives after asking; true when it was archived. */
async function archive(a: BankAccount): Promise<boolean> {
  if (!window.confirm(`Archive ${a.name}? It keeps its lines and sessions and takes no more imports.`)) return false;
  try {
    await api("POST", `${BANK_ACCOUNTS_API}${a.id}/archive/`, { body: {} });
    invalidate(BANKING);
    toast(`${a.name} archived`);
    return true;
  } catch (e) {
    toastError(e);
    return false;
  }
}

export function BankAccountList() {
  const { user, company } = useAuth();
  const [show, setShow] = useState("active");
  const q = useBankAccounts();
  const editable = can(user, "ledger.edit");
  const currency = company?.currency ?? "USD";
  return (
    <Page
      title="Bank accounts"
      crumbs={[["Banking"]]}
      actions={
        <>
          <Link href="/banking/rules" class="button">Rules</Link>
          {editable && <Link href="/banking/accounts/new" class="button primary">New bank account</Link>}
        </>
      }
    >
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Show
          <select name="show" value={show} onChange={(e) => setShow((e.target as HTMLSelectElement).value)}>
            <option value="active">Active</option>
            <option value="archived">Archived</option>
            <option value="">All</option>
          </select>
        </label>
      </form>
      <Async q={q} missing="Bank accounts">
        {(data) => {
          const rows = data.results.filter((a) => (show === "active" ? a.is_active : show === "archived" ? !a.is_active : true));
          if (!rows.length) {
            return (
              <Empty>
                {show === "active" ? "No bank accounts yet." : "None."}{" "}
                {editable && show === "active" && <Link href="/banking/accounts/new">Add the first one</Link>}
              </Empty>
            );
          }
          return (
            <div class="table-wrap">
              <table class="table bank-accounts" id="bank-accounts">
                <thead>
                  <tr>
                    <th>Account</th><th class="hide-sm">Bank</th><th class="hide-sm">IBAN / number</th>
                    <th class="num">Books ({currency})</th><th class="num">Last statement</th><th class="num">To reconcile</th><th />
                  </tr>
                </thead>
                <tbody>
                  {rows.map((a) => (
                    <tr key={a.id} class={a.is_active ? "" : "inactive"} data-name={a.name}>
                      <td>
                        <Link href={`/banking/accounts/${a.id}`}>{a.name}</Link> <span class="badge">{a.currency}</span>
                        {!a.is_active && <StatusChip status="archived" />}
                      </td>
                      <td class="hide-sm">{a.bank_name}</td>
                      <td class="hide-sm mono">{a.iban || a.account_number}</td>
                      <td class="num" data-balance="book"><Money value={a.book_balance} currency={currency} /></td>
                      <td class="num" data-balance="statement">
                        {a.statement_balance === null ? <span class="muted">none yet</span> : (
                          <>
                            <Money value={a.statement_balance} currency={a.currency} />
                            <span class="muted sub">{formatDate(a.statement_date)}</span>
                          </>
                        )}
                      </td>
                      <td class="num" data-balance="unreconciled">
                        {a.unreconciled_count > 0 ? <Link href={`/banking/accounts/${a.id}/reconcile`}>{a.unreconciled_count} lines</Link> : <span class="muted">0</span>}
                      </td>
                      <td class="row-actions">
                        {editable && a.is_active && <Link href={`/banking/accounts/${a.id}/import`}>Import</Link>}
                        <Link href={`/banking/accounts/${a.id}/reconcile`}>Reconcile</Link>
                        {editable && a.is_active && <button class="link danger-link" onClick={() => archive(a)}>Archive</button>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </Async>
    </Page>
  );
}

const FIELDS = ["name", "account", "currency", "iban", "account_number", "bic", "bank_name", "opening_balance", "opening_date"];

/** Create (no `id`) or edit one bank account. */
export function BankAccountForm({ id }: { id?: string }) {
  const { user, company } = useAuth();
  const editable = can(user, "ledger.edit");
  const q = useQuery<BankAccount>(id ? `${BANK_ACCOUNTS_API}${id}/` : null);
  const chart = useAccounts();
  const banks = (chart.data?.results ?? []).filter((a) => a.subtype === "bank" && (a.is_active || a.id === q.data?.account));
  const [form, setForm] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const a = q.data;
    if (a) {
      setForm({
        name: a.name, account: a.account, currency: a.currency, iban: a.iban, account_number: a.account_number, bic: a.bic,
        bank_name: a.bank_name, opening_balance: a.opening_balance, opening_date: a.opening_date ?? "",
      });
    } else if (!id) {
      setForm({ currency: company?.currency ?? "", opening_balance: "0.00" });
    }
  }, [q.data, id]);
  // A new account takes the only GL bank account without asking.
  useEffect(() => {
    if (!id && !form.account && banks.length === 1) setForm((f) => ({ ...f, account: banks[0].id }));
  }, [banks.length]);
  if (id && q.error) return isMissing(q.error) ? <Page title="Bank account"><p class="empty" id="api-missing">This bank account was not found.</p></Page> : <ErrorBox error={q.error} />;
  if (id && !q.data) return <Loading />;
  const set = (k: string) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const body: Record<string, string | null> = {};
    for (const k of FIELDS) body[k] = (form[k] ?? "").trim();
    body.opening_date = body.opening_date || null;
    body.account = body.account || null;
    try {
      const saved = await api<BankAccount>(id ? "PATCH" : "POST", id ? `${BANK_ACCOUNTS_API}${id}/` : BANK_ACCOUNTS_API, { body });
      invalidate(BANKING);
      toast(id ? "Bank account saved" : `${saved.name} created`);
      setErrors({});
      navigate("/banking");
    } catch (err) {
      setErrors(fieldErrors(err));
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  const title = id ? q.data?.name ?? "Bank account" : "New bank account";
  return (
    <Page title={title} crumbs={[["Banking", "/banking"], [title]]}
      actions={id && q.data && (
        <>
          {editable && q.data.is_active && <Link href={`/banking/accounts/${id}/import`} class="button">Import a statement</Link>}
          <Link href={`/banking/accounts/${id}/reconcile`} class="button">Reconcile</Link>
        </>
      )}
    >
      {id && q.data && (
        <dl class="facts" id="bank-balances">
          <div><dt>Books</dt><dd><Money value={q.data.book_balance} currency={company?.currency ?? "USD"} /></dd></div>
          <div><dt>Last statement</dt><dd>{q.data.statement_balance === null ? "none yet" : <><Money value={q.data.statement_balance} currency={q.data.currency} /> on {formatDate(q.data.statement_date)}</>}</dd></div>
          <div><dt>Lines to reconcile</dt><dd>{q.data.unreconciled_count}</dd></div>
        </dl>
      )}
      <form class="form bank-form" id="bank-account-form" onSubmit={submit}>
        <fieldset class="plain" disabled={!editable || (q.data && !q.data.is_active)}>
          <div class="grid-form">
            <label>Name <input name="name" required value={form.name ?? ""} onInput={set("name")} placeholder="Business checking" /><FieldError errors={errors} name="name" /></label>
            <label>GL bank account
              <select name="account" value={form.account ?? ""} onChange={set("account")} required>
                <option value="">Choose…</option>
                {banks.map((a) => <option value={a.id}>{a.code} {a.name}</option>)}
              </select>
              <FieldError errors={errors} name="account" />
              {chart.data && !banks.length && <span class="field-error">The chart has no account of subtype bank: add one under Accounting → Chart of accounts.</span>}
            </label>
            <label>Currency <input name="currency" class="upper" maxLength={3} value={form.currency ?? ""} onInput={set("currency")} /><FieldError errors={errors} name="currency" /></label>
            <label>IBAN <input name="iban" class="upper mono" value={form.iban ?? ""} onInput={set("iban")} placeholder="DE89 3704 0044 0532 0130 00" /><FieldError errors={errors} name="iban" /></label>
            <label>Account number <input name="account_number" value={form.account_number ?? ""} onInput={set("account_number")} /><FieldError errors={errors} name="account_number" /></label>
            <label>BIC <input name="bic" class="upper" value={form.bic ?? ""} onInput={set("bic")} /><FieldError errors={errors} name="bic" /></label>
            <label>Bank name <input name="bank_name" value={form.bank_name ?? ""} onInput={set("bank_name")} /><FieldError errors={errors} name="bank_name" /></label>
            <label>Opening balance <input name="opening_balance" class="num" inputMode="decimal" value={form.opening_balance ?? ""} onInput={set("opening_balance")} /><FieldError errors={errors} name="opening_balance" /></label>
            <label>Opening date <input name="opening_date" type="date" value={form.opening_date ?? ""} onInput={set("opening_date")} /><FieldError errors={errors} name="opening_date" /></label>
          </div>
        </fieldset>
        <div>
          <FormErrors errors={errors} shown={FIELDS} />
          <div class="buttons">
            {editable && (!q.data || q.data.is_active) && <button class="primary" type="submit" disabled={busy}>{id ? "Save" : "Create bank account"}</button>}
            {editable && q.data?.is_active && <button type="button" class="danger" onClick={() => archive(q.data!).then((done) => done && navigate("/banking"))}>Archive</button>}
            <Link href="/banking">Back to the list</Link>
          </div>
        </div>
      </form>
    </Page>
  );
}
