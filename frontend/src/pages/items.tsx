// Items (products and services) and tax rates: small lists with the form in a panel above them,
// as the chart of accounts does.
import { AttachmentsPanel } from "../attachments";
import { useState } from "preact/hooks";
import { api, qs, type Account, type Page as PageT } from "../api";
import { can, useAuth } from "../auth";
import { ITEMS_API, TAX_RATES_API, useTaxRates, type Item, type TaxRate } from "../documents";
import { decimals, toMinor } from "../money";
import { invalidate, useQuery } from "../query";
import { Async, Empty, FieldError, fieldErrors, FormErrors, Money, Page, Pager, StatusChip, toast, toastError } from "../ui";
import { useAccounts } from "./accounts";

const PAGE_SIZE = 50;

function accountOptions(accounts: Account[], types: string[], keep: string | null | undefined) {
  return accounts
    .filter((a) => (a.is_active && types.includes(a.type)) || a.id === keep)
    .map((a) => <option value={a.id}>{a.code} {a.name}</option>);
}

export function Items() {
  const { user, company } = useAuth();
  const currency = company?.currency ?? "USD";
  const [filters, setFilters] = useState({ search: "", is_active: "true" });
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<Item | "new" | null>(null);
  const q = useQuery<PageT<Item>>(`${ITEMS_API}${qs({ ...filters, page, page_size: PAGE_SIZE, ordering: "code" })}`);
  const rates = useTaxRates().data?.results ?? [];
  const rateName = (id: string | null) => (id ? rates.find((r) => r.id === id)?.name ?? "" : "");
  const editable = can(user, "documents.edit");
  const set = (k: string) => (e: Event) => {
    setFilters({ ...filters, [k]: (e.target as HTMLInputElement).value });
    setPage(1);
  };
  return (
    <Page
      title="Items"
      crumbs={[["Items"]]}
      actions={editable && <button class="primary" onClick={() => setEditing("new")}>New item</button>}
    >
      {editing && <ItemForm item={editing === "new" ? null : editing} onClose={() => setEditing(null)} key={editing === "new" ? "new" : editing.id} />}
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Search <input type="search" name="search" value={filters.search} onInput={set("search")} placeholder="code, name" /></label>
        <label>Show
          <select name="is_active" value={filters.is_active} onChange={set("is_active")}>
            <option value="true">Active</option>
            <option value="false">Archived</option>
            <option value="">All</option>
          </select>
        </label>
      </form>
      <Async q={q} missing="Items">
        {(data) =>
          data.results.length === 0 ? <Empty>No items{filters.search ? " match" : " yet"}. {editable && <button class="link" onClick={() => setEditing("new")}>Add one</button>}</Empty> : (
            <>
              <div class="table-wrap">
                <table class="table item-list">
                  <thead>
                    <tr><th>Code</th><th>Name</th><th class="hide-sm">Kind</th><th class="hide-sm">Unit</th><th class="num">Sale price</th><th class="num hide-sm">Purchase price</th><th class="hide-sm">Sales tax</th><th>Status</th><th /></tr>
                  </thead>
                  <tbody>
                    {data.results.map((it) => (
                      <tr key={it.id} class={it.is_active ? "" : "inactive"} data-code={it.code}>
                        <td>{it.code}</td>
                        <td>{it.name}</td>
                        <td class="hide-sm">{it.kind}</td>
                        <td class="hide-sm">{it.unit}</td>
                        <td class="num"><Money value={it.sale_price} currency={currency} /></td>
                        <td class="num hide-sm"><Money value={it.purchase_price} currency={currency} /></td>
                        <td class="hide-sm">{rateName(it.sales_tax_rate)}</td>
                        <td><StatusChip status={it.is_active ? "active" : "archived"} /></td>
                        <td class="row-actions">{editable && <button class="link" onClick={() => setEditing(it)}>Edit</button>}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager page={page} count={data.count} size={PAGE_SIZE} next={data.next} previous={data.previous} onPage={setPage} noun="items" />
            </>
          )
        }
      </Async>
    </Page>
  );
}

function ItemForm({ item, onClose }: { item: Item | null; onClose: () => void }) {
  const { company } = useAuth();
  const currency = company?.currency ?? "USD";
  const dp = decimals(currency);
  const accounts = useAccounts().data?.results ?? [];
  const rates = useTaxRates().data?.results ?? [];
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const text = (k: string) => String(f.get(k) ?? "").trim();
    const price = (k: string) => text(k).replace(/[,\s]/g, "") || "0";
    const local: Record<string, string[]> = {};
    for (const k of ["sale_price", "purchase_price"]) {
      const v = toMinor(price(k), dp);
      if (v === null) local[k] = [`Enter an amount with at most ${dp} decimals.`];
      else if (v < 0n) local[k] = ["Prices cannot be negative."];
    }
    if (Object.keys(local).length) return setErrors(local);
    const body = {
      code: text("code"),
      name: text("name"),
      description: text("description"),
      kind: text("kind"),
      unit: text("unit"),
      sale_price: price("sale_price"),
      purchase_price: price("purchase_price"),
      income_account: text("income_account") || null,
      expense_account: text("expense_account") || null,
      sales_tax_rate: text("sales_tax_rate") || null,
      purchase_tax_rate: text("purchase_tax_rate") || null,
      is_active: f.get("is_active") === "on",
    };
    setBusy(true);
    try {
      if (item) await api("PATCH", `${ITEMS_API}${item.id}/`, { body });
      else await api("POST", ITEMS_API, { body });
      invalidate(ITEMS_API);
      toast(item ? `Item ${body.code} saved` : `Item ${body.code} created`);
      onClose();
    } catch (err) {
      setErrors(fieldErrors(err));
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  const rateOptions = (keep: string | null | undefined) =>
    rates.filter((r) => r.is_active || r.id === keep).map((r) => <option value={r.id}>{r.name}</option>);
  return (
    <>
    <form class="panel form" id="item-form" onSubmit={submit}>
      <h2>{item ? `Edit ${item.code}` : "New item"}</h2>
      <div class="grid-form">
        <label>Code <input name="code" value={item?.code} required autofocus maxLength={50} /><FieldError errors={errors} name="code" /></label>
        <label>Name <input name="name" value={item?.name} required /><FieldError errors={errors} name="name" /></label>
        <label>Kind
          <select name="kind" value={item?.kind ?? "service"}>
            <option value="service">Service</option>
            <option value="product">Product</option>
          </select>
          <FieldError errors={errors} name="kind" />
        </label>
        <label>Unit <input name="unit" value={item?.unit} placeholder="hour, piece, kg…" /><FieldError errors={errors} name="unit" /></label>
        <label>Sale price ({currency}) <input name="sale_price" inputMode="decimal" class="num" value={item?.sale_price ?? ""} placeholder="0.00" /><FieldError errors={errors} name="sale_price" /></label>
        <label>Purchase price ({currency}) <input name="purchase_price" inputMode="decimal" class="num" value={item?.purchase_price ?? ""} placeholder="0.00" /><FieldError errors={errors} name="purchase_price" /></label>
        <label>Income account
          <select name="income_account" value={item?.income_account ?? ""}>
            <option value="">(the customer's default)</option>
            {accountOptions(accounts, ["revenue"], item?.income_account)}
          </select>
          <FieldError errors={errors} name="income_account" />
        </label>
        <label>Expense account
          <select name="expense_account" value={item?.expense_account ?? ""}>
            <option value="">(the vendor's default)</option>
            {accountOptions(accounts, ["expense", "asset"], item?.expense_account)}
          </select>
          <FieldError errors={errors} name="expense_account" />
        </label>
        <label>Sales tax rate
          <select name="sales_tax_rate" value={item?.sales_tax_rate ?? ""}>
            <option value="">No tax</option>
            {rateOptions(item?.sales_tax_rate)}
          </select>
          <FieldError errors={errors} name="sales_tax_rate" />
        </label>
        <label>Purchase tax rate
          <select name="purchase_tax_rate" value={item?.purchase_tax_rate ?? ""}>
            <option value="">No tax</option>
            {rateOptions(item?.purchase_tax_rate)}
          </select>
          <FieldError errors={errors} name="purchase_tax_rate" />
        </label>
        <label class="wide">Description (the default line text) <input name="description" value={item?.description} /><FieldError errors={errors} name="description" /></label>
      </div>
      <label class="inline"><input type="checkbox" name="is_active" checked={item?.is_active ?? true} /> Active</label>
      <FormErrors errors={errors} shown={["code", "name", "kind", "unit", "sale_price", "purchase_price", "income_account", "expense_account", "sales_tax_rate", "purchase_tax_rate", "description"]} />
      <div class="buttons">
        <button class="primary" type="submit" disabled={busy}>Save</button>
        <button type="button" onClick={onClose}>Cancel</button>
      </div>
    </form>
      {item && <AttachmentsPanel kind="item" id={item.id} />}
    </>
  );
}

// ---- tax rates ----------------------------------------------------------------------------------
const TAX_KINDS: [TaxRate["kind"], string][] = [["vat", "VAT"], ["gst", "GST"], ["sales_tax", "Sales tax"], ["other", "Other"]];

export function TaxRates() {
  const { user } = useAuth();
  const q = useQuery<PageT<TaxRate>>(`${TAX_RATES_API}?page_size=200`);
  const accounts = useAccounts().data?.results ?? [];
  const [editing, setEditing] = useState<TaxRate | "new" | null>(null);
  const [showInactive, setShowInactive] = useState(false);
  const editable = can(user, "documents.issue");
  const name = (id: string | null) => {
    const a = id ? accounts.find((x) => x.id === id) : undefined;
    return a ? `${a.code} ${a.name}` : "";
  };
  return (
    <Page
      title="Tax rates"
      crumbs={[["Accounting", "/accounting/accounts"], ["Tax rates"]]}
      actions={
        <>
          <label class="inline"><input type="checkbox" checked={showInactive} onChange={() => setShowInactive(!showInactive)} /> Show inactive</label>
          {editable && <button class="primary" onClick={() => setEditing("new")}>New tax rate</button>}
        </>
      }
    >
      {editing && <TaxRateForm rate={editing === "new" ? null : editing} onClose={() => setEditing(null)} key={editing === "new" ? "new" : editing.id} />}
      <Async q={q} missing="Tax rates">
        {(data) => {
          const list = data.results.filter((r) => showInactive || r.is_active);
          if (!list.length) return <Empty>No tax rates yet. {editable && <button class="link" onClick={() => setEditing("new")}>Add one</button>}</Empty>;
          return (
            <div class="table-wrap">
              <table class="table tax-rate-list">
                <thead><tr><th>Name</th><th>Kind</th><th class="num">Rate</th><th>Prices</th><th class="hide-sm">Sales account</th><th class="hide-sm">Purchase account</th><th>Status</th><th /></tr></thead>
                <tbody>
                  {list.map((r) => (
                    <tr key={r.id} class={r.is_active ? "" : "inactive"} data-name={r.name}>
                      <td>{r.name}</td>
                      <td>{TAX_KINDS.find(([k]) => k === r.kind)?.[1] ?? r.kind}</td>
                      <td class="num">{r.rate} %</td>
                      <td>{r.is_inclusive ? "include tax" : "exclude tax"}</td>
                      <td class="hide-sm">{name(r.sales_account)}</td>
                      <td class="hide-sm">{name(r.purchase_account)}</td>
                      <td><StatusChip status={r.is_active ? "active" : "archived"} label={r.is_active ? "active" : "inactive"} /></td>
                      <td class="row-actions">{editable && <button class="link" onClick={() => setEditing(r)}>Edit</button>}</td>
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

function TaxRateForm({ rate, onClose }: { rate: TaxRate | null; onClose: () => void }) {
  const accounts = useAccounts().data?.results ?? [];
  // A new rate starts on the chart's tax accounts (subtype `tax`): a liability for sales, an asset for purchases.
  const taxAccount = (type: string) => accounts.find((a) => a.is_active && a.subtype === "tax" && a.type === type)?.id ?? "";
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const text = (k: string) => String(f.get(k) ?? "").trim();
    const r = text("rate").replace(/[\s%]/g, "");
    if (!/^\d{1,3}(\.\d{1,4})?$/.test(r) || Number(r) > 100) return setErrors({ rate: ["A percentage from 0 to 100 with at most 4 decimals."] });
    const body = {
      name: text("name"),
      kind: text("kind"),
      rate: r,
      is_inclusive: f.get("is_inclusive") === "on",
      sales_account: text("sales_account") || null,
      purchase_account: text("purchase_account") || null,
      is_active: f.get("is_active") === "on",
    };
    setBusy(true);
    try {
      if (rate) await api("PATCH", `${TAX_RATES_API}${rate.id}/`, { body });
      else await api("POST", TAX_RATES_API, { body });
      invalidate(TAX_RATES_API);
      toast(rate ? `${body.name} saved` : `Tax rate ${body.name} created`);
      onClose();
    } catch (err) {
      setErrors(fieldErrors(err));
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel form" id="tax-rate-form" onSubmit={submit}>
      <h2>{rate ? `Edit ${rate.name}` : "New tax rate"}</h2>
      <div class="grid-form">
        <label>Name <input name="name" value={rate?.name} required autofocus placeholder="VAT 20%" /><FieldError errors={errors} name="name" /></label>
        <label>Kind
          <select name="kind" value={rate?.kind ?? "vat"}>
            {TAX_KINDS.map(([k, l]) => <option value={k}>{l}</option>)}
          </select>
          <FieldError errors={errors} name="kind" />
        </label>
        <label>Rate (%) <input name="rate" inputMode="decimal" class="num" value={rate?.rate} required placeholder="20" /><FieldError errors={errors} name="rate" /></label>
        <label>Sales account (tax collected)
          <select name="sales_account" value={rate ? rate.sales_account ?? "" : taxAccount("liability")}>
            <option value="">Choose…</option>
            {accountOptions(accounts, ["liability"], rate?.sales_account)}
          </select>
          <FieldError errors={errors} name="sales_account" />
        </label>
        <label>Purchase account (tax recoverable)
          <select name="purchase_account" value={rate ? rate.purchase_account ?? "" : taxAccount("asset")}>
            <option value="">Choose…</option>
            {accountOptions(accounts, ["asset", "liability"], rate?.purchase_account)}
          </select>
          <FieldError errors={errors} name="purchase_account" />
        </label>
      </div>
      <div class="checks">
        <label class="inline"><input type="checkbox" name="is_inclusive" checked={rate?.is_inclusive ?? false} /> Prices include this tax</label>
        <label class="inline"><input type="checkbox" name="is_active" checked={rate?.is_active ?? true} /> Active</label>
      </div>
      <FormErrors errors={errors} shown={["name", "kind", "rate", "sales_account", "purchase_account"]} />
      <div class="buttons">
        <button class="primary" type="submit" disabled={busy}>Save</button>
        <button type="button" onClick={onClose}>Cancel</button>
      </div>
    </form>
  );
}
