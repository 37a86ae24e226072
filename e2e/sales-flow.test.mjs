// Browser test of the sales flow against the real binary: a quote made on its page, converted to
// a sales order (same prices and taxes), a partial delivery typed in the Deliver dialog, an
// invoice of that delivery, its payment in the invoice's dialog; the order shows what is left,
// and the inventory API shows the delivered quantity gone from stock (and its cost moved from
// inventory to cost of goods sold).
// Run: cd e2e && npm ci && OASYS_BIN=path/to/oasys node --test sales-flow.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startServer, stopAll, setupFirm } from "./harness.mjs";

const ADMIN = { email: "owner@sales.test", password: "Ledger-Keeper-2026!sa" };

let started, base, browser, page, access;
const ids = {};

async function api(method, path, body) {
  const headers = { "Content-Type": "application/json", Authorization: `Bearer ${access}` };
  const r = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

/** Quantity of the item on hand, as the inventory API's moves add up. */
async function onHand(item) {
  const moves = await api("GET", `/api/inventory/moves/?item=${item}&page_size=500`);
  return moves.results.reduce((sum, m) => sum + Number(m.quantity), 0);
}

/** The trial balance's net (debit − credit) of an account code, in minor units. */
async function net(code) {
  const tb = await api("GET", "/api/reports/trial-balance/");
  const row = tb.rows.find((r) => r.code === code);
  if (!row) return 0;
  const minor = (v) => Math.round(Number(String(v ?? "0").replace(/,/g, "")) * 100);
  return minor(row.debit) - minor(row.credit);
}

before(async () => {
  started = await startServer("oasys-sales-");
  base = started.base;
  access = await setupFirm(started, ADMIN, { firm: "Sales Books", company: "Sales Trading", currency: "USD" });
  const chart = await api("GET", "/api/accounting/chart-of-accounts/?page_size=200");
  for (const a of chart.results) ids[a.code] = a.id;
  ids.customer = (await api("POST", "/api/sales/customers/", { name: "Northwind Traders" })).id;
  ids.vat = (await api("POST", "/api/accounting/tax-rates/", { name: "VAT 20%", kind: "vat", rate: "20" })).id;
  ids.widget = (await api("POST", "/api/inventory/items/", {
    code: "WID", name: "Widget", kind: "stock", sale_price: "25.00", purchase_price: "10.00",
    income_account: ids["4100"], sales_tax_rate: ids.vat,
  })).id;
  const settings = await api("GET", "/api/inventory/settings/");
  ids.warehouse = settings.default_warehouse;
  await api("POST", "/api/inventory/moves/", {
    kind: "receipt", date: "2026-01-05", item: ids.widget, warehouse: ids.warehouse, quantity: "20", unit_cost: "10.00",
  });
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  page = await context.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  page.on("dialog", (d) => d.accept());
  await page.goto(`${base}/login`);
  await page.locator("#login-form [name=email]").fill(ADMIN.email);
  await page.locator("#login-form [name=password]").fill(ADMIN.password);
  await page.locator("#login-form button[type=submit]").click();
  await page.locator("nav.sidenav").waitFor();
});

after(() => stopAll(browser, started));

const text = (sel) => page.locator(sel).innerText();
const cell = (line, cls) => text(`#sales-lines tr[data-line='${line}'] td.${cls}`);

test("quote → order → partial delivery → invoice → payment, and the stock goes down", async () => {
  const stockBefore = await onHand(ids.widget);
  const inventoryBefore = await net("1200");

  // 1. The quote, from the Sales menu: 10 widgets less 10 %, priced and taxed from the item.
  await page.locator("nav.sidenav").getByRole("link", { name: "Sales", exact: true }).click();
  await page.locator("nav.sidenav .nav-items").getByRole("link", { name: "Quotes", exact: true }).click();
  await page.locator("#new-sales-doc").click();
  const f = page.locator("#sales-editor");
  await f.locator("[name=contact]").selectOption(ids.customer);
  await f.locator("[name=valid_until]").fill("2099-12-31");
  await f.locator("[name='lines[0].item']").selectOption(ids.widget);
  await f.locator("[name='lines[0].quantity']").fill("10");
  await f.locator("[name='lines[0].discount_percent']").fill("10");
  await page.locator("#save-sales-doc").click();
  await page.locator("#convert-quote").waitFor();
  assert.match(await text(".page h1"), /Quote QUO-\d{4}-\d{4}/);
  // 10 × 25.00 − 10 % = 225.00, + 20 % = 270.00.
  assert.equal(await text("#sales-total"), "270.00");

  // 2. Converted: the order has the same total and 10 to deliver.
  await page.locator("#convert-quote").click();
  await page.waitForFunction(() => /Sales order SO-/.test(document.querySelector(".page h1")?.textContent ?? ""));
  assert.equal(await text("#sales-total"), "270.00");
  assert.equal(await cell(1, "to-deliver"), "10");
  const orderUrl = page.url();

  // 3. A partial delivery of 4 in the dialog.
  await page.locator("#deliver-order").click();
  const d = page.locator("#pick-dialog");
  await d.locator("[name='qty-1']").fill("4");
  await page.locator("#pick-submit").click();
  await d.waitFor({ state: "detached" });
  await page.waitForFunction(() => document.querySelector("#sales-lines tr[data-line='1'] td.to-deliver")?.textContent === "6");
  assert.equal(await cell(1, "delivered"), "4");
  assert.equal(await text("#sales-status"), "partially delivered");
  assert.equal(await onHand(ids.widget), stockBefore - 4);
  // Its cost (4 × 10.00) left inventory.
  assert.equal(await net("1200"), inventoryBefore - 4000);

  // 4. The delivery invoiced, from its page (reached through the order's links).
  await page.locator("#sales-links a[data-kind='delivery']").first().click();
  await page.locator("#invoice-delivery").click();
  await page.waitForFunction(() => /INV-\d{4}-\d{4}/.test(document.querySelector(".page h1")?.textContent ?? ""));
  const invoiceUrl = page.url();
  assert.equal(await text("#doc-status"), "issued");
  assert.equal(await text("#balance-due"), "108.00"); // 4 × 22.50 = 90.00 + 18.00 tax

  // 5. Paid in the invoice's dialog.
  await page.locator("#record-payment").click();
  const p = page.locator("#payment-dialog");
  await p.locator("[name=amount]").waitFor();
  assert.equal(await p.locator("[name=amount]").inputValue(), "108.00");
  await p.locator("[name=bank_account]").selectOption(ids["1020"]);
  await p.getByRole("button", { name: "Record payment" }).click();
  await p.waitFor({ state: "detached" });
  await page.waitForFunction(() => document.querySelector("#doc-status")?.textContent === "paid");

  // 6. The order: 4 delivered and invoiced, 6 left of each; the stock has 4 fewer widgets.
  await page.goto(orderUrl);
  await page.locator("#sales-lines").waitFor();
  assert.equal(await cell(1, "invoiced"), "4");
  assert.equal(await cell(1, "to-invoice"), "6");
  assert.equal(await cell(1, "to-deliver"), "6");
  assert.equal(await onHand(ids.widget), stockBefore - 4);
  assert.ok(invoiceUrl.includes("/sales/invoices/"));

  // 7. The stock, valuation and P&L pages agree: 16 on hand at 10.00, tied to the ledger; the 4
  // delivered are 40.00 of cost of goods sold.
  await page.goto(`${base}/inventory/reports/on-hand`);
  await page.locator("#stock-table tr[data-item='WID'] td.qty", { hasText: "16" }).waitFor();
  await page.goto(`${base}/inventory/reports/valuation`);
  await page.locator("#valuation-total", { hasText: "160.00" }).waitFor();
  await page.locator("#check-verdict[data-ok='true']").waitFor();
  const { cogs_account } = await api("GET", "/api/inventory/settings/");
  const pl = await api("GET", "/api/reports/profit-and-loss/?date_from=2026-01-01&date_to=2026-12-31");
  const cogs = pl.rows.find((r) => r.kind === "account" && r.account === cogs_account);
  assert.ok(cogs, JSON.stringify(pl.rows.map((r) => r.name)));
  assert.equal(cogs.amounts[0], "40.00");
  await page.goto(`${base}/reports/profit-and-loss?date_from=2026-01-01&date_to=2026-12-31`);
  await page.locator(`#statement tr.account[data-code='${cogs.code}']`, { hasText: "40.00" }).waitFor();
});
