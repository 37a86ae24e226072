// Browser test of the exchange rates page against the real binary: a rate added and edited
// through the form, the list filtered by currency and date, and the ECB's reference rates imported
// through the preview (the euro company's rates are their inverses), then imported again adding
// nothing.
// Run: cd e2e && npm ci && OASYS_BIN=path/to/oasys node --test exchange_rates.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser, startServer, stopAll } from "./harness.mjs";

const ADMIN = { email: "owner@rates.test", password: "Rates-Keeper-2026!euro" };
const ECB = "Date,USD,JPY,CYP,GBP,\r\n2024-01-05,1.0921,158.83,N/A,0.8603,\r\n2024-01-04,1.0953,159.16,N/A,0.86408,\r\n";

let started, base, browser, page, access, files;

async function api(method, path, body) {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${access}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

const rows = () => page.locator("table.exchange-rate-list tbody tr");

before(async () => {
  files = mkdtempSync(join(tmpdir(), "oasys-rates-files-"));
  started = await startServer("oasys-rates-");
  base = started.base;
  const setup = await fetch(`${base}/api/setup/`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      token: new URL(started.setupLink).searchParams.get("token"),
      firm_name: "Euro Books", company_name: "Euro Trading", currency: "EUR", timezone: "UTC",
      first_name: "Ada", last_name: "Owner", email: ADMIN.email, password: ADMIN.password,
    }),
  });
  const text = await setup.text();
  assert.ok(setup.ok, text);
  access = JSON.parse(text).tokens.access;
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on("dialog", (d) => d.accept());
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await page.goto(`${base}/login`);
  await page.locator("#login-form [name=email]").fill(ADMIN.email);
  await page.locator("#login-form [name=password]").fill(ADMIN.password);
  await page.locator("#login-form button[type=submit]").click();
  await page.locator("nav.sidenav").getByRole("link", { name: "Accounting" }).waitFor();
});

after(async () => {
  await stopAll(browser, started);
  if (files) rmSync(files, { recursive: true, force: true });
});

test("a rate is added and edited through the form; a bad rate is refused under its field", async () => {
  await page.goto(`${base}/accounting/exchange-rates`);
  await page.getByRole("button", { name: "New rate" }).click();
  const form = page.locator("#exchange-rate-form");
  await form.locator("[name=currency]").fill("usd");
  await form.locator("[name=date]").fill("2026-01-05");
  await form.locator("[name=rate]").fill("0");
  await form.getByRole("button", { name: "Save" }).click();
  await form.getByText("Ensure this value is greater than 0.").waitFor();
  await form.locator("[name=rate]").fill("0.9200");
  await form.getByRole("button", { name: "Save" }).click();
  await page.locator('tr[data-currency="USD"][data-date="2026-01-05"]').getByText("0.92").waitFor();
  await page.locator('tr[data-currency="USD"]').getByRole("button", { name: "Edit" }).click();
  await page.locator("#exchange-rate-form [name=rate]").fill("0.915");
  await page.locator("#exchange-rate-form").getByRole("button", { name: "Save" }).click();
  await page.locator('tr[data-currency="USD"][data-date="2026-01-05"]').getByText("0.915").waitFor();
  const list = await api("GET", "/api/accounting/exchange-rates/");
  assert.equal(list.count, 1);
  assert.equal(list.results[0].rate, "0.915");
});

test("the ECB's reference rates are previewed, imported, filtered, and importing again adds nothing", async () => {
  const path = join(files, "eurofxref-hist.csv");
  writeFileSync(path, ECB);
  await page.goto(`${base}/accounting/exchange-rates`);
  await page.getByRole("button", { name: "Import file" }).click();
  const panel = page.locator("#exchange-rate-import");
  await panel.locator("[name=file]").setInputFiles(path);
  await panel.getByRole("button", { name: "Preview" }).click();
  await panel.getByText("6 new, 0 changed, 0 unchanged").waitFor();
  assert.equal((await api("GET", "/api/accounting/exchange-rates/")).count, 1, "a preview writes nothing");
  await panel.getByRole("button", { name: "Import 6 rates" }).click();
  await page.locator('tr[data-currency="USD"][data-date="2024-01-05"]').getByText("0.915667063456").waitFor();
  assert.equal((await api("GET", "/api/accounting/exchange-rates/")).count, 7);

  // Filters: by currency, then by dates.
  await page.locator("form.filters [name=currency]").fill("GBP");
  await page.waitForFunction(() => document.querySelectorAll("table.exchange-rate-list tbody tr").length === 2);
  await page.locator("form.filters [name=date_from]").fill("2024-01-05");
  await page.waitForFunction(() => document.querySelectorAll("table.exchange-rate-list tbody tr").length === 1);
  assert.equal(await rows().first().getAttribute("data-date"), "2024-01-05");

  // The same file again: nothing new.
  await page.getByRole("button", { name: "Import file" }).click();
  await panel.locator("[name=file]").setInputFiles(path);
  await panel.getByRole("button", { name: "Preview" }).click();
  await panel.getByText("0 new, 0 changed, 6 unchanged").waitFor();
  await panel.getByRole("button", { name: "Cancel" }).click();
  assert.equal((await api("GET", "/api/accounting/exchange-rates/")).count, 7);
});
