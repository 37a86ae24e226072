// Browser test of the global search box against the real binary: a customer and a posted entry
// made through the API; typing a prefix with a typo shows grouped hits, ↓ and Enter open the
// record's page; the search page shows the snippet with the word marked.
// Run: cd e2e && npm ci && OASYS_BIN=path/to/oasys node --test search.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startServer, stopAll, setupFirm } from "./harness.mjs";

const ADMIN = { email: "owner@search.test", password: "Ledger-Keeper-2026!search" };

let started, base, browser, page, access, customer;

async function api(method, path, body) {
  const headers = { "Content-Type": "application/json", Authorization: `Bearer ${access}` };
  const r = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

before(async () => {
  started = await startServer("oasys-search-");
  base = started.base;
  access = await setupFirm(started, ADMIN, { firm: "Search Books", company: "Search Ltd", currency: "EUR" });
  customer = await api("POST", "/api/sales/customers/", { name: "Zanzibar Spice Traders", notes: "Cloves and saffron by the crate" });
  const chart = await api("GET", "/api/accounting/chart-of-accounts/?page_size=200");
  const id = (code) => chart.results.find((a) => a.code === code).id;
  const e = await api("POST", "/api/accounting/journal-entries/", {
    date: "2026-03-05", reference: "RENT-03", description: "Quarterly rent Kensington office",
    lines: [{ account: id("1020"), debit_amount: "10.00" }, { account: id("3100"), credit_amount: "10.00" }],
  });
  await api("POST", `/api/accounting/journal-entries/${e.id}/post/`);
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await page.goto(`${base}/login`);
  await page.locator("#login-form [name=email]").fill(ADMIN.email);
  await page.locator("#login-form [name=password]").fill(ADMIN.password);
  await page.locator("#login-form button[type=submit]").click();
  await page.locator("nav.sidenav").waitFor();
});

after(() => stopAll(browser, started));

test("typing a prefix shows grouped hits; the keyboard opens one", async () => {
  const box = page.getByRole("combobox", { name: "Search" });
  await box.fill("zanzib");
  const group = page.locator("#global-search-results .search-group[data-kind=contact]");
  await group.waitFor();
  assert.match(await group.locator(".search-group-head").innerText(), /contacts\s*1/i);
  assert.equal(await group.locator(".search-title mark").first().innerText(), "Zanzibar");
  await box.press("ArrowDown");
  await box.press("Enter");
  await page.waitForURL(new RegExp(`/sales/customers/${customer.id}`));
});

test("a typo still finds the entry; the search page marks the snippet", async () => {
  const box = page.getByRole("combobox", { name: "Search" });
  await box.fill("kensingtn ");
  await page.locator("#global-search-results .search-group[data-kind=entry]").waitFor();
  await box.press("Escape");
  await page.goto(`${base}/search?q=saffron`);
  const hit = page.locator(".search-section[data-kind=contact] .search-result").first();
  await hit.waitFor();
  assert.equal(await hit.locator(".search-snippet mark").first().innerText(), "saffron");
});
