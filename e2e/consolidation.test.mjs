// Browser test of consolidation against the real binary: a EUR holding (the firm's first
// company) and a USD subsidiary, entries and the holding's USD rates posted through the API; the
// Consolidation page shows the balance sheet translated (closing rate, the year's mean rate for
// the result, the reserve), the trial balance with its debits equal to its credits, a company
// left out, and the XLSX export.
// Run: cd e2e && npm ci && OASYS_BIN=path/to/oasys node --test consolidation.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startServer, stopAll, setupFirm } from "./harness.mjs";

const ADMIN = { email: "owner@cons.test", password: "Ledger-Keeper-2026!cons" };
const YEAR = new Date().getFullYear();

let started, base, browser, page, access, sub;

async function api(method, path, body, company) {
  const headers = { "Content-Type": "application/json", Authorization: `Bearer ${access}` };
  if (company) headers["X-Company-Id"] = company;
  const r = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

async function post(company, date, debit, credit, amount) {
  const chart = await api("GET", "/api/accounting/chart-of-accounts/?page_size=200", undefined, company);
  const id = (code) => chart.results.find((a) => a.code === code).id;
  const e = await api("POST", "/api/accounting/journal-entries/", {
    date, reference: "", description: `${debit}/${credit}`,
    lines: [{ account: id(debit), debit_amount: amount }, { account: id(credit), credit_amount: amount }],
  }, company);
  await api("POST", `/api/accounting/journal-entries/${e.id}/post/`, undefined, company);
}

before(async () => {
  started = await startServer("oasys-cons-");
  base = started.base;
  access = await setupFirm(started, ADMIN, { firm: "Group Books", company: "Holding GmbH", currency: "EUR" });
  const holding = (await api("GET", "/api/tenants/companies/")).results[0].id;
  sub = (await api("POST", "/api/tenants/companies/", { name: "Sub Inc", currency: "USD", timezone: "UTC" })).id;
  await post(holding, `${YEAR}-01-05`, "1020", "3100", "500.00");
  await post(sub, `${YEAR}-01-05`, "1020", "3100", "400.00");
  await post(sub, `${YEAR}-03-01`, "1020", "4100", "600.00");
  for (const [date, rate] of [[`${YEAR}-01-31`, "0.94"], [`${YEAR}-06-30`, "0.96"], [`${YEAR}-12-31`, "0.90"]]) {
    await api("POST", "/api/accounting/exchange-rates/", { currency: "USD", date, rate }, holding);
  }
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await page.goto(`${base}/login`);
  await page.locator("#login-form [name=email]").fill(ADMIN.email);
  await page.locator("#login-form [name=password]").fill(ADMIN.password);
  await page.locator("#login-form button[type=submit]").click();
  await page.locator("nav.sidenav").waitFor();
});

after(() => stopAll(browser, started));

const amount = (key) => page.locator(`#statement tr[data-key=${key}] td.num`).first().innerText();

test("the balance sheet of the group: translated, with the reserve, balanced", async () => {
  await page.goto(`${base}/reports`);
  await page.getByRole("link", { name: "Consolidation" }).first().click();
  await page.waitForURL(/\/reports\/consolidation/);
  await page.locator("#consolidation-form [name=as_of]").fill(`${YEAR}-12-31`);
  await page.locator("#statement").waitFor();
  await page.locator("#statement tr[data-key=total_assets]").getByText("1,400.00").waitFor();
  assert.equal(await amount("total_liabilities_and_equity"), "1,400.00");
  assert.equal(await amount("current_earnings"), "560.00");
  const reserve = page.locator("#statement tr", { hasText: "Currency translation reserve" }).locator("td.num");
  assert.equal(await reserve.innerText(), "-20.00");
  const rates = page.locator(`#consolidation-rates tr[data-company='${sub}'] td.num`);
  assert.equal(await rates.nth(0).innerText(), "0.9");
  assert.equal(await rates.nth(1).innerText(), "0.933333333333");
});

test("the trial balance: one column per company, debits equal credits", async () => {
  await page.locator("#consolidation-form [name=report]").selectOption("trial-balance");
  await page.locator("#consolidated-trial-balance").waitFor();
  assert.equal(await page.locator("#total-debit").innerText(), "1,420.00");
  assert.equal(await page.locator("#total-credit").innerText(), "1,420.00");
  const bank = page.locator("#consolidated-trial-balance tr[data-code='1020'] td.num");
  assert.equal(await bank.nth(0).innerText(), "500.00");
  assert.equal(await bank.nth(1).innerText(), "900.00");
});

test("leaving the subsidiary out leaves the holding alone", async () => {
  await page.locator(`#consolidation-form input[name=company][value='${sub}']`).uncheck();
  await page.locator("#consolidated-trial-balance thead th", { hasText: "Sub Inc" }).waitFor({ state: "detached" });
  assert.equal(await page.locator("#total-debit").innerText(), "500.00");
  await page.locator(`#consolidation-form input[name=company][value='${sub}']`).check();
  await page.locator("#consolidated-trial-balance thead th", { hasText: "Sub Inc" }).waitFor();
});

test("Export XLSX downloads the consolidated statement", async () => {
  await page.locator("#consolidation-form [name=report]").selectOption("balance-sheet");
  await page.locator("#statement").waitFor();
  const download = page.waitForEvent("download");
  await page.locator("#export-xlsx").click();
  const d = await download;
  assert.equal(d.suggestedFilename(), `consolidated-balance-sheet-${YEAR}-12-31.xlsx`);
  const chunks = [];
  for await (const c of await d.createReadStream()) chunks.push(c);
  assert.equal(Buffer.concat(chunks).subarray(0, 2).toString(), "PK", "not a zip (XLSX) file");
});
