// Browser test of capture against the real binary: a receipt PDF (written here) dropped in the
// Documents inbox is read into a draft; the review queue shows its vendor, date and totals;
// accepted as a bill, the draft bill opens with the same figures.
// Run: cd e2e && npm ci && OASYS_BIN=path/to/oasys node --test capture.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser, startServer, stopAll, setupFirm } from "./harness.mjs";
import { textPdf } from "./pdf.mjs";

const ADMIN = { email: "owner@capture.test", password: "Receipt-Reader-2026!cap" };
const RECEIPT = [
  "Bürobedarf Schmidt GmbH",
  "Hauptstraße 5, 10115 Berlin",
  "USt-IdNr. DE 811 907 980",
  "Rechnung Nr. R-2026-0117",
  "Datum: 03.11.2026",
  "Fällig am: 17.11.2026",
  "Druckerpapier A4, 5 Pakete 124,75",
  "Toner schwarz 1.089,00",
  "Summe netto 1.213,75",
  "MwSt 19% 230,61",
  "Gesamtbetrag 1.444,36 €",
  "Vielen Dank!",
];

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

before(async () => {
  files = mkdtempSync(join(tmpdir(), "oasys-capture-files-"));
  started = await startServer("oasys-capture-");
  base = started.base;
  access = await setupFirm(started, ADMIN, { firm: "Receipt Books", company: "Receipt GmbH", currency: "EUR" });
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  page = await context.newPage();
  page.on("dialog", (d) => d.accept());
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await page.goto(`${base}/login`);
  await page.locator("#login-form [name=email]").fill(ADMIN.email);
  await page.locator("#login-form [name=password]").fill(ADMIN.password);
  await page.locator("#login-form button[type=submit]").click();
  await page.locator("nav.sidenav").getByRole("link", { name: "Documents" }).waitFor();
});

after(async () => {
  await stopAll(browser, started);
  if (files) rmSync(files, { recursive: true, force: true });
});

test("a receipt dropped in the inbox is reviewed and accepted as a bill with the same figures", async () => {
  const accounts = (await api("GET", "/api/accounting/chart-of-accounts/?page_size=200")).results;
  const code = (c, type) => (accounts.find((a) => a.code === c) ?? accounts.find((a) => a.type === type)).id;
  const vendor = await api("POST", "/api/purchase/vendors/", { name: "Bürobedarf Schmidt GmbH", tax_id: "DE811907980", expense_account: code("6400", "expense") });
  await api("POST", "/api/accounting/tax-rates/", {
    name: "VAT 19", kind: "vat", rate: "19", is_inclusive: false, sales_account: code("2200", "liability"), purchase_account: code("1400", "asset"),
  });

  const path = join(files, "receipt.pdf");
  writeFileSync(path, textPdf(RECEIPT));
  await page.locator("nav.sidenav").getByRole("link", { name: "Documents" }).click();
  await page.locator('input[aria-label="Choose files"]').setInputFiles(path);
  await page.locator('table.file-list tr[data-file="receipt.pdf"]').waitFor();

  // The server's queue extracts the text and reads it; the review queue lists the draft.
  const row = page.locator('table.draft-list tr[data-draft="receipt.pdf"]');
  for (let i = 0; i < 120; i++) {
    await page.goto(`${base}/documents/review`);
    await page.locator("table.draft-list, p.empty").first().waitFor();
    if (await row.count()) break;
    await new Promise((ok) => setTimeout(ok, 500));
  }
  await row.getByRole("button", { name: "receipt.pdf" }).click();
  const review = page.locator("section.draft-review");
  await review.waitFor();
  assert.match(await review.locator("tr[data-field=vendor] .field-value").innerText(), /Bürobedarf Schmidt GmbH/);
  assert.equal(await review.getByLabel("Date", { exact: true }).inputValue(), "2026-11-03");
  assert.equal(await review.getByLabel("Net", { exact: true }).inputValue(), "1213.75");
  assert.equal(await review.getByLabel("Tax", { exact: true }).inputValue(), "230.61");
  assert.equal(await review.getByLabel("Gross", { exact: true }).inputValue(), "1444.36");
  // The gross is marked in the extracted text where it was read.
  assert.match(await review.locator(".capture-text mark[data-field=gross]").innerText(), /1\.444,36/);
  await review.locator("tr[data-field=gross] .confidence").waitFor();

  await review.getByRole("button", { name: "Accept as bill" }).click();
  const open = review.getByRole("link", { name: "open the draft bill" });
  await open.waitFor();
  await open.click();
  await page.waitForURL(/\/purchases\/bills\/[0-9a-f-]+$/);
  const bill = await api("GET", `/api/purchase/bills/${page.url().split("/").pop()}/`);
  assert.equal(bill.contact, vendor.id);
  assert.deepEqual([bill.issue_date, bill.subtotal, bill.tax_total, bill.total], ["2026-11-03", "1213.75", "230.61", "1444.36"]);
  await page.getByText(/1[.,]444[.,]36/).first().waitFor();
  await page.getByText(/230[.,]61/).first().waitFor();
});

test("Settings → Firm shows the AI switch (off), the monthly limit and this month's use, and saves them", async () => {
  await page.goto(`${base}/settings/firm`);
  // The document storage the firm uses of its quota (the receipt uploaded above), as the API says.
  const usage = await api("GET", "/api/documents/usage/");
  assert.ok(usage.used_bytes > 0, JSON.stringify(usage));
  await page.locator("#document-usage").getByText(/of 5\.0 GB used/).waitFor();
  assert.match(await page.locator("#document-usage").innerText(), /in the data directory/);
  const form = page.locator("form#ai-settings");
  await form.waitFor();
  assert.equal(await form.locator("[name=enabled]").isChecked(), false);
  assert.match(await page.locator("#ai-usage").innerText(), /0\.00 used in 0 call/);
  await form.locator("[name=monthly_limit]").fill("25.00");
  await form.locator("[name=enabled]").check();
  await form.getByRole("button", { name: "Save AI settings" }).click();
  await page.locator("#ai-usage").getByText(/of 25\.00/).waitFor();
  const ai = await api("GET", "/api/capture/ai-settings/");
  assert.deepEqual([ai.enabled, ai.monthly_limit], [true, "25.00"]);
});
