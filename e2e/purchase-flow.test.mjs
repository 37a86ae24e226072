// Browser test of the purchase flow (issue 19): a purchase order made and confirmed on its page,
// goods partly received through the Receive dialog, the receipt billed at the vendor's higher
// price through the Bill dialog, and the bill's three-way match showing the flagged price
// difference. Then the books agree: the profit and loss page shows the price difference, the
// inventory's on-hand and valuation reports (stockweb's API) show the received goods at the
// order's price, and the valuation ties to the inventory GL account. Billing more than was
// received is refused naming the line. Every endpoint used must exist (nothing is skipped).
// Run: cd e2e && npm ci && OASYS_BIN=path/to/oasys node --test purchase-flow.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startServer, stopAll, setupFirm } from "./harness.mjs";

const ADMIN = { email: "buyer@purchases.test", password: "Orders-Goods-2026!buyer" };
const YEAR = new Date().getUTCFullYear();
const TODAY = new Date().toISOString().slice(0, 10);

let started, base, browser, page, access;
let vendor, item, receiptId;

async function call(method, path, body) {
  const headers = { "Content-Type": "application/json", Authorization: `Bearer ${access}` };
  const r = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null, text };
}
async function api(method, path, body) {
  const r = await call(method, path, body);
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${r.text.slice(0, 500)}`);
  return r.body;
}

before(async () => {
  started = await startServer("oasys-purchases-");
  base = started.base;
  access = await setupFirm(started, ADMIN, { firm: "Purchase Books", company: "Harbour Supplies", currency: "USD" });
  vendor = await api("POST", "/api/purchase/vendors/", { name: "Widget Works", payment_terms_days: 30 });
  item = await api("POST", "/api/inventory/items/", { code: "W1", name: "Widget", kind: "stock", purchase_price: "10.00" });
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on("dialog", (d) => d.accept());
  await page.goto(`${base}/login`);
  await page.locator("#login-form [name=email]").fill(ADMIN.email);
  await page.locator("#login-form [name=password]").fill(ADMIN.password);
  await page.locator("#login-form button[type=submit]").click();
  await page.locator("nav.sidenav").getByRole("link", { name: "Purchases" }).waitFor();
});

after(async () => {
  await stopAll(browser, started);
});

test("PO → partial receipt → bill at a higher price: the match flags the difference", async () => {
  await page.locator("nav.sidenav").getByRole("link", { name: "Purchases" }).click();
  await page.locator("nav.sidenav").getByRole("link", { name: "Purchase orders" }).click();
  await page.getByRole("link", { name: "New purchase order" }).click();
  const form = page.locator("#po-form");
  await form.locator("[name=vendor]").selectOption(vendor.id);
  await form.locator("[name='lines[0].item']").selectOption(item.id);
  await form.locator("[name='lines[0].quantity']").fill("10");
  await page.locator("#po-save-confirm").click();
  await page.waitForURL(/\/purchases\/orders\/[0-9a-f-]{36}$/);
  await page.locator("#po-status", { hasText: "confirmed" }).waitFor();
  assert.equal(await page.locator("#po-lines tr[data-line='1'] td.remaining-receive").innerText(), "10");

  // Receive 4 of 10.
  await page.locator("#po-receive").click();
  const dialog = page.locator("#receive-dialog");
  await dialog.locator("[name=receive-1]").fill("4");
  await dialog.getByRole("button", { name: "Receive" }).click();
  await dialog.waitFor({ state: "detached" });
  await page.locator("#po-status", { hasText: "partially received" }).waitFor();
  assert.equal(await page.locator("#po-lines tr[data-line='1'] td.remaining-receive").innerText(), "6");
  assert.equal(await page.locator("#po-lines tr[data-line='1'] td.remaining-bill").innerText(), "4");

  // The receipt, billed at 11.00 instead of 10.00.
  await page.locator("#po-receipts a").first().click();
  await page.waitForURL(/\/purchases\/receipts\/[0-9a-f-]{36}$/);
  receiptId = page.url().split("/").pop();
  await page.locator("#receipt-bill").click();
  const bill = page.locator("#bill-dialog");
  await bill.locator("[name=reference]").fill("WW-1001");
  await bill.locator("[name=bill-price-1]").fill("11.00");
  await bill.getByRole("button", { name: "Issue bill" }).click();
  await page.waitForURL(/\/purchases\/bills\/[0-9a-f-]{36}\/match$/);
  const row = page.locator("#match-lines tbody tr").first();
  await row.waitFor();
  assert.equal(await row.getAttribute("data-flagged"), "true");
  assert.equal(await page.locator("#match-difference").innerText(), "4.00");
});

test("billing more than was received is refused naming the line, and nothing is written", async () => {
  const before = await api("GET", "/api/purchase/bills/");
  const r = await call("POST", `/api/purchase/receipts/${receiptId}/bill/`, { lines: [{ line: 1, quantity: "1" }] });
  assert.equal(r.status, 400, r.text);
  assert.match(r.body["lines[0].quantity"][0], /Line 1 \(Widget\)/);
  const after = await api("GET", "/api/purchase/bills/");
  assert.equal(after.count, before.count);
});

test("the P&L shows the price difference; on hand and valuation agree with the receipt and the ledger", async () => {
  const pl = await api("GET", `/api/reports/profit-and-loss/?date_from=${YEAR}-01-01&date_to=${TODAY}`);
  const pd = pl.rows.find((r) => r.kind === "account" && /price difference/i.test(r.name));
  assert.ok(pd, `no price-difference row: ${JSON.stringify(pl.rows.map((r) => r.name))}`);
  assert.equal(pd.amounts[0], "4.00");
  await page.goto(`${base}/reports/profit-and-loss?date_from=${YEAR}-01-01&date_to=${TODAY}`);
  await page.locator("#statement").waitFor();
  await page.locator(`#statement tr.account[data-code='${pd.code}']`, { hasText: "4.00" }).waitFor();

  const onHand = await api("GET", "/api/inventory/reports/on-hand/");
  const widget = onHand.results.find((r) => r.item === item.id);
  assert.ok(widget, JSON.stringify(onHand));
  assert.equal(Number(widget.quantity), 4);
  assert.equal(widget.value, "40.00");
  const valuation = await api("GET", "/api/inventory/reports/valuation/");
  assert.equal(valuation.total_value, "40.00");
  const check = await api("GET", "/api/inventory/reports/valuation/check/");
  assert.equal(check.ok, true, JSON.stringify(check));
  const tb = await api("GET", "/api/reports/trial-balance/");
  const inv = tb.rows.find((r) => r.code === "1200");
  assert.equal(inv.debit, "40.00");
  // The pages say the same: 4 on hand, valued 40.00, tied to the inventory account.
  await page.goto(`${base}/inventory/reports/on-hand`);
  await page.locator(`#stock-table tr[data-item='${item.code}'] td.qty`, { hasText: "4" }).waitFor();
  await page.goto(`${base}/inventory/reports/valuation`);
  await page.locator("#valuation-total", { hasText: "40.00" }).waitFor();
  const verdict = page.locator("#check-verdict");
  await verdict.waitFor();
  assert.equal(await verdict.getAttribute("data-ok"), "true");
});
