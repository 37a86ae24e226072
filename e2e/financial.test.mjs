// Browser test of the financial statements against the real binary: entries posted through the
// API, then the balance sheet (balanced, current earnings, drill-down from an account's figure to
// its general ledger and on to the entry), the profit and loss with a comparison column, the cash
// flow and the changes in equity, the dashboard's P&L chart drawn from one request, and the XLSX and PDF exports.
// Run: cd e2e && npm ci && OASYS_BIN=path/to/oasys node --test financial.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startServer, stopAll, setupFirm } from "./harness.mjs";

const ADMIN = { email: "owner@fs.test", password: "Ledger-Keeper-2026!fs" };
const YEAR = new Date().getFullYear();
const LAST = YEAR - 1;

let started, base, browser, page, access;
const ids = {};
const requests = [];

async function api(method, path, body) {
  const headers = { "Content-Type": "application/json", Authorization: `Bearer ${access}` };
  const r = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

async function post(date, debit, credit, amount, reference) {
  const e = await api("POST", "/api/accounting/journal-entries/", {
    date, reference, description: reference,
    lines: [{ account: ids[debit], debit_amount: amount }, { account: ids[credit], credit_amount: amount }],
  });
  await api("POST", `/api/accounting/journal-entries/${e.id}/post/`);
}

before(async () => {
  started = await startServer("oasys-fs-");
  base = started.base;
  access = await setupFirm(started, ADMIN, { firm: "FS Books", company: "FS Trading", currency: "USD" });
  const chart = await api("GET", "/api/accounting/chart-of-accounts/?page_size=200");
  for (const a of chart.results) ids[a.code] = a.id;
  await post(`${LAST}-01-02`, "1020", "3100", "10000.00", "CAPITAL");
  await post(`${LAST}-03-01`, "1020", "4100", "3000.00", "SALE-LAST");
  await post(`${YEAR}-01-02`, "1020", "4100", "1000.00", "SALE-NOW");
  await post(`${YEAR}-01-03`, "6100", "1020", "250.00", "RENT-NOW");
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(`${base}/login`);
  await page.locator("#login-form [name=email]").fill(ADMIN.email);
  await page.locator("#login-form [name=password]").fill(ADMIN.password);
  await page.locator("#login-form button[type=submit]").click();
  await page.locator("nav.sidenav").waitFor();
});

after(() => stopAll(browser, started));

const amount = (key) => page.locator(`#statement tr[data-key=${key}] td.num`).first().innerText();

test("the dashboard's P&L chart is one profit-and-loss request, month by month", async () => {
  await page.goto(`${base}/`);
  await page.locator("#chart canvas").first().waitFor();
  assert.ok(requests.some((u) => u.includes("/api/reports/profit-and-loss/") && u.includes("compare=months")), "no P&L request");
  assert.ok(!requests.some((u) => u.includes("/api/reports/trial-balance/?as_of=") && u.includes(`${LAST}-`)), "month-end trial balances still requested");
});

test("balance sheet: balanced, current earnings, drill-down to the ledger and the entry", async () => {
  await page.goto(`${base}/reports/balance-sheet`);
  await page.locator("#statement").waitFor();
  assert.equal(await amount("total_assets"), "13,750.00");
  assert.equal(await amount("total_liabilities_and_equity"), "13,750.00");
  assert.equal(await amount("current_earnings"), "3,750.00");
  await page.locator("select[name=compare]").selectOption("previous_year");
  await page.locator("#statement thead th.num").nth(1).waitFor();
  assert.equal(await page.locator("#statement tr[data-key=total_assets] td.num").nth(1).innerText(), "13,000.00");
  // Drill down: the bank's figure opens its general ledger, whose closing balance it is.
  await page.locator("#statement tr.account[data-code='1020'] td.num a").first().click();
  await page.waitForURL(/\/reports\/general-ledger\?account=/);
  await page.locator("table.report tfoot").getByText("13,750.00").waitFor();
  await page.locator("table.report tbody a").last().click();
  await page.waitForURL(/\/accounting\/journal\//);
  await page.getByText("RENT-NOW").first().waitFor();
});

test("profit and loss with the same period last year, cash flow and equity changes", async () => {
  await page.goto(`${base}/reports/profit-and-loss?date_from=${YEAR}-01-01&date_to=${YEAR}-12-31&compare=previous_year`);
  await page.locator("#statement").waitFor();
  const net = page.locator("#statement tr[data-key=net_result] td.num");
  assert.equal(await net.nth(0).innerText(), "750.00");
  assert.equal(await net.nth(1).innerText(), "3,000.00");
  await page.locator("#statement tr.account[data-code='6100'] td.num a").first().click();
  await page.waitForURL(/\/reports\/general-ledger\?account=/);
  await page.getByText("RENT-NOW").first().waitFor();

  await page.goto(`${base}/reports/cash-flow?date_from=${YEAR}-01-01&date_to=${YEAR}-12-31`);
  await page.locator("#statement").waitFor();
  assert.equal(await amount("net_change"), "750.00");
  assert.equal(await amount("cash_closing"), "13,750.00");

  await page.goto(`${base}/reports/equity-changes?date_from=${YEAR}-01-01&date_to=${YEAR}-12-31`);
  await page.locator("#statement").waitFor();
  const total = page.locator("#statement tr[data-key=total_equity] td.num");
  assert.equal(await total.nth(0).innerText(), "13,000.00");
  assert.equal(await total.nth(4).innerText(), "13,750.00");
});

test("an account's cash flow class is chosen in its form and moves its line in the cash flow", async () => {
  await post(`${YEAR}-01-04`, "1300", "1020", "100.00", "PREPAID");
  await page.goto(`${base}/accounting/accounts`);
  await page.locator("tr[data-code='1300'] button", { hasText: "Edit" }).click();
  const f = page.locator("#account-form");
  assert.match(await f.locator("[name=cash_flow] option").first().innerText(), /operating/);
  await f.locator("[name=cash_flow]").selectOption("investing");
  await f.getByRole("button", { name: "Save" }).click();
  await f.waitFor({ state: "detached" });
  const account = await api("GET", `/api/accounting/chart-of-accounts/${ids["1300"]}/`);
  assert.equal(account.cash_flow, "investing");
  await page.goto(`${base}/reports/cash-flow?date_from=${YEAR}-01-01&date_to=${YEAR}-12-31`);
  await page.locator("#statement").waitFor();
  assert.equal(await amount("net_investing"), "-100.00");
  assert.equal(await amount("net_change"), "650.00");
});

test("Export XLSX downloads the server's spreadsheet of the statement shown", async () => {
  await page.goto(`${base}/reports/profit-and-loss?date_from=${YEAR}-01-01&date_to=${YEAR}-12-31&compare=previous_year`);
  await page.locator("#statement").waitFor();
  const download = page.waitForEvent("download");
  await page.locator("#export-xlsx").click();
  const d = await download;
  assert.equal(d.suggestedFilename(), `profit-and-loss-${YEAR}-01-01-${YEAR}-12-31.xlsx`);
  const chunks = [];
  for await (const c of await d.createReadStream()) chunks.push(c);
  const bytes = Buffer.concat(chunks);
  assert.equal(bytes.subarray(0, 2).toString(), "PK", "not a zip (XLSX) file");
  assert.ok(requests.some((u) => u.includes("/api/reports/profit-and-loss/") && u.includes("format=xlsx")), "no XLSX request");
});

test("Export PDF downloads the statement as a PDF", async () => {
  await page.goto(`${base}/reports/balance-sheet?as_of=${YEAR}-12-31`);
  await page.locator("#statement").waitFor();
  const download = page.waitForEvent("download");
  await page.locator("#export-pdf").click();
  const d = await download;
  assert.equal(d.suggestedFilename(), `balance-sheet-${YEAR}-12-31.pdf`);
  const chunks = [];
  for await (const c of await d.createReadStream()) chunks.push(c);
  assert.equal(Buffer.concat(chunks).subarray(0, 5).toString(), "%PDF-");
});

test("the general ledger and the trial balance download the server's XLSX and PDF", async () => {
  await page.goto(`${base}/reports/general-ledger?account=${ids["1020"]}&date_from=${YEAR}-01-01&date_to=${YEAR}-12-31`);
  await page.locator("table.report tfoot").waitFor();
  let download = page.waitForEvent("download");
  await page.locator("#export-xlsx").click();
  let d = await download;
  assert.equal(d.suggestedFilename(), `general-ledger-1020-${YEAR}-12-31.xlsx`);
  const chunks = [];
  for await (const c of await d.createReadStream()) chunks.push(c);
  assert.equal(Buffer.concat(chunks).subarray(0, 2).toString(), "PK", "not a zip (XLSX) file");
  assert.ok(requests.some((u) => u.includes("/api/reports/general-ledger/") && u.includes("format=xlsx")), "no XLSX request");
  await page.goto(`${base}/reports/trial-balance`);
  await page.locator("#trial-balance").waitFor();
  download = page.waitForEvent("download");
  await page.locator("#export-pdf").click();
  d = await download;
  assert.match(d.suggestedFilename(), /^trial-balance-\d{4}-\d{2}-\d{2}\.pdf$/);
});
