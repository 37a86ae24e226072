// Browser test of documents against the real binary: a PDF uploaded in the Documents inbox is
// listed with its kind and size, attached to a bill from the bill's Attachments panel, and
// downloaded from there with the bytes it was uploaded with.
// Run: cd e2e && npm ci && OASYS_BIN=path/to/oasys node --test files.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser, startServer, stopAll, setupFirm } from "./harness.mjs";

const ADMIN = { email: "owner@docs.test", password: "Paper-Keeper-2026!docs" };
const PDF =
  "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
  "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

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
  files = mkdtempSync(join(tmpdir(), "oasys-docs-files-"));
  started = await startServer("oasys-docs-");
  base = started.base;
  access = await setupFirm(started, ADMIN, { firm: "Paper Books", company: "Paper Trading", currency: "USD" });
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
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

test("a PDF dropped in the inbox is listed, attached to a bill and downloaded from it", async () => {
  const path = join(files, "paper-invoice.pdf");
  writeFileSync(path, PDF);
  await page.locator("nav.sidenav").getByRole("link", { name: "Documents" }).click();
  await page.locator('input[aria-label="Choose files"]').setInputFiles(path);
  const row = page.locator('table.file-list tr[data-file="paper-invoice.pdf"]');
  await row.waitFor();
  await row.getByText("PDF", { exact: true }).waitFor();
  await row.getByText("inbox", { exact: true }).waitFor();
  const listed = await api("GET", "/api/documents/?inbox=true");
  assert.equal(listed.count, 1);
  // The extraction queue takes the file at once: any state but "failed" (no timing assumed).
  assert.ok(["pending", "running", "done"].includes(listed.results[0].text_state), listed.results[0].text_state);

  // A draft bill to attach it to.
  const accounts = await api("GET", "/api/accounting/chart-of-accounts/?page_size=200");
  const expense = accounts.results.find((a) => a.code === "6400") ?? accounts.results.find((a) => a.type === "expense");
  const vendor = await api("POST", "/api/purchase/vendors/", { name: "Paper Supplies" });
  const bill = await api("POST", "/api/purchase/bills/", {
    contact: vendor.id, issue_date: "2026-03-02", reference: "PS-1",
    lines: [{ description: "Paper", quantity: "1", unit_price: "10.00", account: expense.id }],
  });
  await page.goto(`${base}/purchases/bills/${bill.id}`);
  const panel = page.locator('section.attachments[data-record-kind="bill"]');
  await panel.getByText("No documents attached.").waitFor();
  await panel.getByRole("button", { name: "Attach existing" }).click();
  await panel.locator('input[aria-label="Find a document"]').fill("paper");
  await panel.getByRole("button", { name: "paper-invoice.pdf" }).click();
  const attached = panel.locator('li[data-file="paper-invoice.pdf"]');
  await attached.waitFor();
  const linked = await api("GET", `/api/documents/?record_kind=bill&record_id=${bill.id}`);
  assert.equal(linked.count, 1);

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    attached.getByRole("button", { name: "Download" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), "paper-invoice.pdf");
  const saved = join(files, "downloaded.pdf");
  await download.saveAs(saved);
  assert.equal(readFileSync(saved, "utf8"), PDF);

  // Back in the inbox the document shows its link.
  await page.locator("nav.sidenav").getByRole("link", { name: "Documents" }).click();
  await page.locator('table.file-list tr[data-file="paper-invoice.pdf"]').getByText("Bill", { exact: true }).waitFor();
});
