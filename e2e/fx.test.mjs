// Browser test of foreign currency (issue 17, item 4) against the real binary: an invoice in USD
// for a EUR company, issued at the rate of its date (1.10) → paid at another rate (1.08) in the
// payment dialog → the realised difference (a loss of 20.00) shown on the invoice → the profit
// and loss and the balance sheet agree → the P&L exported as XLSX; then the Revaluation run
// page previews an open USD invoice as of a date.
// Run: cd e2e && npm ci && OASYS_BIN=path/to/oasys node --test fx.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startServer, stopAll, setupFirm } from "./harness.mjs";

const ADMIN = { email: "owner@fx.test", password: "Ledger-Keeper-2026!fx" };
const YEAR = new Date().getFullYear();

let started, base, browser, page, access;
const ids = {};

async function api(method, path, body) {
  const headers = { "Content-Type": "application/json", Authorization: `Bearer ${access}` };
  const r = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

/** `debit − credit` of an account in the trial balance as of the end of the year, in cents. */
async function tbNet(code) {
  const tb = await api("GET", `/api/reports/trial-balance/?as_of=${YEAR}-12-31`);
  const row = tb.rows.find((r) => r.code === code);
  const cents = (s) => Math.round(Number(s) * 100);
  return row ? cents(row.debit) - cents(row.credit) : 0;
}

before(async () => {
  started = await startServer("oasys-fx-");
  base = started.base;
  access = await setupFirm(started, ADMIN, { firm: "FX Books", company: "Euro Trading", currency: "EUR" });
  const chart = await api("GET", "/api/accounting/chart-of-accounts/?page_size=200");
  for (const a of chart.results) ids[a.code] = a.id;
  await api("POST", "/api/accounting/exchange-rates/", { currency: "USD", date: `${YEAR}-01-10`, rate: "1.10" });
  const customer = await api("POST", "/api/sales/customers/", { name: "Acme Inc", revenue_account: ids["4100"], currency: "USD" });
  ids.customer = customer.id;
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
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

const text = (sel) => page.locator(sel).first().innerText();

test("an invoice in USD is paid at another rate: the realised loss, the P&L and the balance sheet agree, XLSX", async () => {
  // 1. The invoice, in USD, at the rate of its date (1.10).
  await page.goto(`${base}/sales/invoices/new?contact=${ids.customer}`);
  const f = page.locator("#doc-form");
  await page.waitForFunction(() => document.querySelector("#doc-form [name=contact] option:checked")?.textContent === "Acme Inc");
  await f.locator("[name=issue_date]").fill(`${YEAR}-01-10`);
  await f.locator("[name=currency]").fill("USD");
  await f.locator("[name=exchange_rate]").waitFor();
  await page.locator("[data-row='0'][data-cell='description']").fill("Consulting");
  await page.locator("[data-row='0'][data-cell='quantity']").fill("1");
  await page.locator("[data-row='0'][data-cell='unit_price']").fill("1000.00");
  await page.getByRole("button", { name: "Save and issue" }).click();
  await page.waitForURL((u) => /^\/sales\/invoices\/[0-9a-f-]{36}$/.test(u.pathname));
  await page.waitForFunction(() => document.querySelector("#doc-status")?.textContent === "issued");
  assert.equal(await text("#doc-rate"), "1.1");
  assert.match(await text("#total-company"), /1100\.00/);
  assert.equal(await tbNet("1100"), 110000);

  // 2. Paid in full on 10 February at 1.08, into the EUR bank account.
  await page.locator("#record-payment").click();
  const d = page.locator("#payment-dialog");
  await d.locator("[name=amount]").waitFor();
  assert.equal(await d.locator("[name=amount]").inputValue(), "1000.00");
  await d.locator("[name=date]").fill(`${YEAR}-02-10`);
  await d.locator("[name=bank_account]").selectOption(ids["1020"]);
  await d.locator("[name=exchange_rate]").fill("1.08");
  await d.getByRole("button", { name: "Record payment" }).click();
  await d.waitFor({ state: "detached" });
  await page.waitForFunction(() => document.querySelector("#doc-status")?.textContent === "paid");

  // 3. The realised difference: linked from the invoice's payments, 20.00 on the exchange account.
  const realised = page.locator(".exchange-entry").first();
  await realised.waitFor();
  assert.match(await realised.innerText(), /1\.08/);
  assert.equal(await tbNet("6900"), 2000);
  assert.equal(await tbNet("1100"), 0);
  assert.equal(await tbNet("1020"), 108000);
  await realised.click();
  await page.waitForURL(/\/accounting\/journal\//);
  await page.getByText("Realised exchange difference").first().waitFor();

  // 4. The profit and loss: 1,100.00 revenue less the 20.00 loss; the balance sheet agrees.
  await page.goto(`${base}/reports/profit-and-loss?date_from=${YEAR}-01-01&date_to=${YEAR}-12-31`);
  await page.locator("#statement").waitFor();
  const net = await page.locator("#statement tr[data-key=net_result] td.num").first().innerText();
  assert.equal(net, "1,080.00");
  assert.equal(await page.locator("#statement tr.account[data-code='6900'] td.num").first().innerText(), "20.00");
  await page.goto(`${base}/reports/balance-sheet?as_of=${YEAR}-12-31`);
  await page.locator("#statement").waitFor();
  const row = (key) => page.locator(`#statement tr[data-key=${key}] td.num`).first().innerText();
  assert.equal(await row("total_assets"), "1,080.00");
  assert.equal(await row("current_earnings"), net);
  assert.equal(await row("total_liabilities_and_equity"), "1,080.00");

  // 5. The P&L as XLSX.
  await page.goto(`${base}/reports/profit-and-loss?date_from=${YEAR}-01-01&date_to=${YEAR}-12-31`);
  await page.locator("#statement").waitFor();
  const download = page.waitForEvent("download");
  await page.locator("#export-xlsx").click();
  const file = await download;
  const chunks = [];
  for await (const c of await file.createReadStream()) chunks.push(c);
  assert.equal(Buffer.concat(chunks).subarray(0, 2).toString(), "PK", "not a zip (XLSX) file");
});

test("the Revaluation run page previews an open USD invoice and posts the run", async () => {
  await api("POST", "/api/accounting/exchange-rates/", { currency: "USD", date: `${YEAR}-03-31`, rate: "1.05" });
  const draft = await api("POST", "/api/invoicing/invoices/", {
    contact: ids.customer, issue_date: `${YEAR}-03-01`, currency: "USD",
    lines: [{ description: "Support", unit_price: "500.00", account: ids["4100"] }],
  });
  await api("POST", `/api/invoicing/invoices/${draft.id}/issue/`, {});
  await page.goto(`${base}/accounting/revaluation`);
  const f = page.locator("#revaluation-form");
  await f.locator("[name=date]").fill(`${YEAR}-03-31`);
  await page.locator("#revaluation-preview").click();
  await page.locator("#revaluation-preview-table").waitFor();
  // USD 500.00 booked at 1.10 (the rate of 1 March) = 550.00, worth 525.00 at 1.05.
  assert.equal(await text("#revaluation-total"), "-25.00");
  await page.locator("#revaluation-run").click();
  await page.locator("#revaluation-runs tbody tr").first().waitFor();
  assert.equal(await tbNet("6900"), 2000, "reversed on 1 April: the year-end figure is the realised loss alone");
  const runs = await api("GET", "/api/accounting/revaluations/");
  assert.equal(runs.count, 1);
  assert.equal(runs.results[0].total, "-25.00");
});
