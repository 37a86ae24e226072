// Browser test of document search against the real binary: a PDF with a rare word uploaded in the
// Documents inbox has its text extracted by the server; a typo of that word in the global search
// box finds the document, and the hit opens it.
// Run: cd e2e && npm ci && OASYS_BIN=path/to/oasys node --test docsearch.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser, startServer, stopAll, setupFirm } from "./harness.mjs";
import { textPdf } from "./pdf.mjs";

const ADMIN = { email: "owner@docsearch.test", password: "Word-Finder-2026!docs" };

let started, base, browser, page, access, files;

async function api(method, path) {
  const r = await fetch(`${base}${path}`, { method, headers: { Authorization: `Bearer ${access}` } });
  const text = await r.text();
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

before(async () => {
  files = mkdtempSync(join(tmpdir(), "oasys-docsearch-files-"));
  started = await startServer("oasys-docsearch-");
  base = started.base;
  access = await setupFirm(started, ADMIN, { firm: "Word Books", company: "Word Ltd", currency: "EUR" });
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
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

test("a word inside an uploaded PDF is found by a typo in the search box, and the hit opens", async () => {
  const path = join(files, "minutes.pdf");
  writeFileSync(path, textPdf(["Board minutes", "The quarterly xylophonist fee was approved.", "Signed"]));
  await page.locator("nav.sidenav").getByRole("link", { name: "Documents" }).click();
  await page.locator('input[aria-label="Choose files"]').setInputFiles(path);
  const row = page.locator('table.file-list tr[data-file="minutes.pdf"]');
  await row.waitFor();
  // The server extracts the text in the background; the list shows the state once reloaded.
  for (let i = 0; i < 120; i++) {
    const list = await api("GET", "/api/documents/?search=minutes");
    if (list.results[0]?.text_state === "done") break;
    await new Promise((ok) => setTimeout(ok, 500));
  }
  await page.reload();
  await row.getByText("done", { exact: true }).waitFor();

  const box = page.getByRole("combobox", { name: "Search" });
  await box.fill("xylophonst");
  const group = page.locator("#global-search-results .search-group[data-kind=document]");
  await group.waitFor();
  assert.match(await group.innerText(), /minutes\.pdf/);
  await box.press("ArrowDown");
  await box.press("Enter");
  const doc = (await api("GET", "/api/documents/?search=minutes")).results[0];
  await page.waitForURL(new RegExp(`/documents/${doc.id}$`));
  await page.locator(`section.document-page[data-id="${doc.id}"]`).waitFor();
  await page.getByRole("heading", { name: "minutes.pdf" }).waitFor();
});
