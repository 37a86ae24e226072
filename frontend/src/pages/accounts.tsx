import { useMemo, useState } from "preact/hooks";
import { api, type Account, type Page as PageT, type TrialBalance } from "../api";
import { can, useAuth } from "../auth";
import { decimals, formatMinor, toMinor } from "../money";
import { invalidate, useQuery } from "../query";
import { Async, Empty, FieldError, fieldErrors, Page, toast, toastError, today } from "../ui";
import { Link } from "wouter-preact";

export const TYPES = ["asset", "liability", "equity", "revenue", "expense"];

/** All accounts of the company (the chart is small: a few hundred rows at most). */
export function useAccounts() {
  return useQuery<PageT<Account>>("/api/accounting/chart-of-accounts/?page_size=200&ordering=code");
}

interface Node {
  account: Account;
  children: Node[];
  own: bigint;
  total: bigint;
}

function buildTree(accounts: Account[], balances: Map<string, bigint>): Node[] {
  const nodes = new Map<string, Node>();
  for (const a of accounts) nodes.set(a.id, { account: a, children: [], own: balances.get(a.id) ?? 0n, total: 0n });
  const roots: Node[] = [];
  for (const n of nodes.values()) {
    const p = n.account.parent && nodes.get(n.account.parent);
    if (p) p.children.push(n);
    else roots.push(n);
  }
  const sum = (n: Node): bigint => (n.total = n.children.reduce((s, c) => s + sum(c), n.own));
  const sort = (list: Node[]) => {
    list.sort((a, b) => a.account.code.localeCompare(b.account.code));
    list.forEach((n) => sort(n.children));
  };
  roots.forEach(sum);
  sort(roots);
  return roots;
}

export function Accounts() {
  const { user, company } = useAuth();
  const currency = company?.currency ?? "USD";
  const dp = decimals(currency);
  const accounts = useAccounts();
  const tb = useQuery<TrialBalance>(can(user, "reports.view") ? `/api/reports/trial-balance/?as_of=${today()}` : null);
  const [editing, setEditing] = useState<Account | "new" | null>(null);
  const [showInactive, setShowInactive] = useState(false);
  const balances = useMemo(() => {
    const m = new Map<string, bigint>();
    for (const r of tb.data?.rows ?? []) m.set(r.account, (toMinor(r.debit, dp) ?? 0n) - (toMinor(r.credit, dp) ?? 0n));
    return m;
  }, [tb.data, dp]);
  const editable = can(user, "ledger.edit");

  return (
    <Page
      title="Chart of accounts"
      crumbs={[["Accounting", "/accounting/accounts"], ["Chart of accounts"]]}
      actions={
        <>
          <label class="inline"><input type="checkbox" checked={showInactive} onChange={() => setShowInactive(!showInactive)} /> Show inactive</label>
          {editable && <button class="primary" onClick={() => setEditing("new")}>New account</button>}
        </>
      }
    >
      {editing && <AccountForm account={editing === "new" ? null : editing} accounts={accounts.data?.results ?? []} onClose={() => setEditing(null)} />}
      <Async q={accounts}>
        {(page) => {
          const list = page.results.filter((a) => showInactive || a.is_active);
          if (!list.length) return <Empty>No accounts yet.</Empty>;
          const rows: { n: Node; depth: number }[] = [];
          const walk = (ns: Node[], depth: number) => ns.forEach((n) => (rows.push({ n, depth }), walk(n.children, depth + 1)));
          walk(buildTree(list, balances), 0);
          return (
            <div class="table-wrap">
              <table class="table accounts-tree">
                <thead>
                  <tr><th>Code</th><th>Name</th><th class="hide-sm">Type</th><th class="hide-sm">Subtype</th><th class="num">Balance (Dr − Cr)</th><th /></tr>
                </thead>
                <tbody>
                  {rows.map(({ n, depth }) => (
                    <tr key={n.account.id} class={n.account.is_active ? "" : "inactive"} data-code={n.account.code}>
                      <td>{n.account.code}</td>
                      <td style={{ paddingLeft: `${0.5 + depth * 1.25}rem` }}>
                        {n.children.length ? <strong>{n.account.name}</strong> : n.account.name}
                        {!n.account.is_active && <span class="badge">inactive</span>}
                      </td>
                      <td class="hide-sm">{n.account.type}</td>
                      <td class="hide-sm">{n.account.subtype}</td>
                      <td class="num">
                        {tb.data ? (n.children.length ? <strong>{formatMinor(n.total, dp)}</strong> : formatMinor(n.own, dp)) : ""}
                      </td>
                      <td class="row-actions">
                        {can(user, "reports.view") && <Link href={`/reports/general-ledger?account=${n.account.id}`}>Ledger</Link>}
                        {editable && <button class="link" onClick={() => setEditing(n.account)}>Edit</button>}
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

function AccountForm({ account, accounts, onClose }: { account: Account | null; accounts: Account[]; onClose: () => void }) {
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const body: Record<string, unknown> = {
      code: String(f.get("code")),
      name: String(f.get("name")),
      type: String(f.get("type")),
      subtype: String(f.get("subtype") ?? ""),
      parent: f.get("parent") ? String(f.get("parent")) : null,
      // "" = the default class of the subtype.
      cash_flow: f.get("cash_flow") ? String(f.get("cash_flow")) : null,
    };
    setBusy(true);
    try {
      if (account) await api("PATCH", `/api/accounting/chart-of-accounts/${account.id}/`, { body });
      else await api("POST", "/api/accounting/chart-of-accounts/", { body });
      invalidate("/api/accounting/chart-of-accounts/");
      toast(account ? "Account saved" : `Account ${body.code} created`);
      onClose();
    } catch (err) {
      setErrors(fieldErrors(err));
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  const toggleActive = async () => {
    if (!account) return;
    if (account.is_active && !window.confirm(`Deactivate ${account.code} ${account.name}? No new lines can be posted to it.`)) return;
    try {
      await api("PATCH", `/api/accounting/chart-of-accounts/${account.id}/`, { body: { is_active: !account.is_active } });
      invalidate("/api/accounting/chart-of-accounts/");
      toast(account.is_active ? "Account deactivated" : "Account reactivated");
      onClose();
    } catch (err) {
      toastError(err);
    }
  };
  return (
    <form class="panel form" onSubmit={submit} id="account-form">
      <h2>{account ? `Edit ${account.code}` : "New account"}</h2>
      <div class="grid-form">
        <label>Code <input name="code" value={account?.code} required autofocus /></label>
        <label>Name <input name="name" value={account?.name} required /></label>
        <label>
          Type
          <select name="type" value={account?.type ?? "asset"}>
            {TYPES.map((t) => <option value={t}>{t}</option>)}
          </select>
        </label>
        <label>Subtype <input name="subtype" value={account?.subtype} placeholder="bank, cash, sales…" /></label>
        <label>
          Cash flow
          <select name="cash_flow" value={account?.cash_flow_chosen ? account.cash_flow : ""}>
            <option value="">Default for the subtype{account && !account.cash_flow_chosen ? ` (${account.cash_flow})` : ""}</option>
            <option value="operating">Operating</option>
            <option value="investing">Investing</option>
            <option value="financing">Financing</option>
            <option value="cash">Cash and cash equivalents</option>
          </select>
        </label>
        <label>
          Parent
          <select name="parent" value={account?.parent ?? ""}>
            <option value="">(none)</option>
            {accounts.filter((a) => a.id !== account?.id).map((a) => <option value={a.id}>{a.code} {a.name}</option>)}
          </select>
        </label>
      </div>
      {Object.keys(errors).map((k) => <FieldError errors={errors} name={k} />)}
      <div class="buttons">
        <button class="primary" type="submit" disabled={busy}>Save</button>
        <button type="button" onClick={onClose}>Cancel</button>
        {account && <button type="button" class="danger" onClick={toggleActive}>{account.is_active ? "Deactivate" : "Reactivate"}</button>}
      </div>
    </form>
  );
}
