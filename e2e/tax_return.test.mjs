// Browser test of the tax return against the real binary: an invoice and a bill with a 20 % rate
// posted through the API in the last quarter, then the Tax return page (the generic boxes by
// default, the UK 9-box layout picked, the per-rate table), the CSV export, filing the return
// after the confirmation, and the filed return listed with the period locked.
// Run: cd e2e && npm ci && OASYS_BIN=path/to/oasys node --test tax_return.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startServer, stopAll, setupFirm } from "./harness.mjs";

const ADMIN = { email: "owner@tax.test", password: "Ledger-Keeper-2026!tax" };

/** The calendar quarter before today's, as the page picks it: [first day, last day]. */
function lastQuarter() {
  const now = new Date();
  const q = Math.floor(now.getMonth() / 3);
  const [year, quarter] = q === 0 ? [now.getFullYear() - 1, 3] : [now.getFullYear(), q - 1];
  const first = `${year}-${String(quarter * 3 + 1).padStart(2, "0")}-01`;
  const last = new Date(Date.UTC(year, quarter * 3 + 3, 0)).toISOString().slice(0, 10);
  return [first, last];
}
const [FROM, TO] = lastQuarter();

let started, base, browser, page, access;
const ids = {};

async function api(method, path, body) {
  const headers = { "Content-Type": "application/json", Authorization: `Bearer ${access}` };
  const r = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

async function issued(path, body) {
  const d = await api("POST", path, body);
  await api("POST", `${path}${d.id}/issue/`, {});
}

before(async () => {
  started = await startServer("oasys-tax-");
  base = started.base;
  access = await setupFirm(started, ADMIN, { firm: "Tax Books", company: "Tax Trading", currency: "GBP" });
  const chart = await api("GET", "/api/accounting/chart-of-accounts/?page_size=200");
  for (const a of chart.results) ids[a.code] = a.id;
  const rate = await api("POST", "/api/accounting/tax-rates/", {
    name: "Standard 20%", kind: "vat", rate: "20", is_inclusive: false, sales_account: ids["2200"], purchase_account: ids["1400"],
  });
  const customer = await api("POST", "/api/sales/customers/", { name: "Acme" });
  const vendor = await api("POST", "/api/purchase/vendors/", { name: "Supplies Ltd" });
  const line = (price, account) => ({ description: "Line", quantity: "1", unit_price: price, tax_rate: rate.id, account: ids[account] });
  await issued("/api/invoicing/invoices/", { contact: customer.id, issue_date: FROM, lines: [line("1000.00", "4100")] });
  await issued("/api/purchase/bills/", { contact: vendor.id, issue_date: TO, lines: [line("250.00", "6400")] });
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

const box = (n) => page.locator(`#tax-boxes tr[data-box='${n}'] td.num`).innerText();

test("the last quarter's return: boxes, the UK layout and the rows per rate", async () => {
  await page.goto(`${base}/reports`);
  await page.getByRole("link", { name: "Tax return" }).first().click();
  await page.locator("#tax-boxes").waitFor();
  assert.equal(await page.locator("input[name=date_from]").inputValue(), FROM);
  // Generic: sales 1,000.00 with 200.00 tax, purchases 250.00 with 50.00, 150.00 to pay.
  assert.equal(await box("2"), "200.00");
  assert.equal(await box("5"), "150.00");
  await page.locator("select[name=layout]").selectOption("uk-vat-9-box");
  await page.locator("#tax-boxes tr[data-box='9']").waitFor();
  assert.equal(await box("1"), "200.00");
  assert.equal(await box("4"), "50.00");
  assert.equal(await box("6"), "1,000.00");
  assert.equal(await box("7"), "250.00");
  assert.match(await page.locator("#tax-boxes tr[data-box='8']").innerText(), /left empty/);
  const row = page.locator("#tax-rows tr[data-rate='Standard 20%'] td.num");
  assert.deepEqual(await row.allInnerTexts(), ["1,000.00", "200.00", "250.00", "50.00"]);
  assert.match(await page.locator("#tax-net").innerText(), /payable: 150\.00/);
});

test("Export CSV downloads the server's return", async () => {
  const download = page.waitForEvent("download");
  await page.locator("#tax-export-csv").click();
  const d = await download;
  assert.equal(d.suggestedFilename(), `tax-return-${FROM}-${TO}.csv`);
  const chunks = [];
  for await (const c of await d.createReadStream()) chunks.push(c);
  const text = Buffer.concat(chunks).toString("utf8");
  assert.match(text, /Standard 20%,,1000\.00,200\.00,250\.00,50\.00/);
});

test("File return: confirmed, settled, listed, and the period locked", async () => {
  page.once("dialog", (d) => d.accept());
  await page.locator("#file-return").click();
  await page.locator("#filed-returns tbody tr").first().waitFor();
  assert.match(await page.locator("#filed-returns tbody tr").first().innerText(), /150\.00/);
  await page.locator("#tax-lock").waitFor();
  const filed = await api("GET", "/api/accounting/tax-returns/");
  assert.equal(filed.count, 1);
  assert.equal(filed.results[0].layout, "uk-vat-9-box");
  assert.equal(filed.results[0].date_to, TO);
  // Filing again is refused with the reason, and nothing more is filed.
  page.once("dialog", (d) => d.accept());
  await page.locator("#file-return").click();
  await page.getByText(/already filed/).first().waitFor();
  assert.equal((await api("GET", "/api/accounting/tax-returns/")).count, 1);
});
