// Browser test of the inventory pages (issue 19) against the real binary: a stock item and a
// warehouse made from their pages, goods received by a manual move, a stock count typed into the
// count sheet that adjusts the difference, and the on-hand and valuation pages showing the
// figures, with the valuation check saying they tie to the ledger.
// Run: cd e2e && npm ci && OASYS_BIN=path/to/oasys node --test inventory.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startServer, stopAll, setupFirm } from "./harness.mjs";

const ADMIN = { email: "owner@stock.test", password: "Ledger-Keeper-2026!st" };

let started, base, browser, page, access;

async function api(method, path, body) {
  const headers = { "Content-Type": "application/json", Authorization: `Bearer ${access}` };
  const r = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

before(async () => {
  started = await startServer("oasys-inventory-");
  base = started.base;
  access = await setupFirm(started, ADMIN, { firm: "Stock Books", company: "Stock Trading", currency: "USD" });
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
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

test("a stock item is received, counted, and its stock and value tie to the ledger", async () => {
  // The Inventory menu leads to its pages.
  await page.locator("nav.sidenav [data-module=Inventory] a.nav-module").click();
  await page.locator("h1", { hasText: "Inventory" }).waitFor();

  // A warehouse.
  await page.goto(`${base}/inventory/warehouses`);
  await page.getByRole("button", { name: "New warehouse" }).click();
  await page.locator("#warehouse-form [name=code]").fill("STORE");
  await page.locator("#warehouse-form [name=name]").fill("Main store");
  await page.locator("#warehouse-form button[type=submit]").click();
  await page.locator("#warehouses tr[data-code=STORE]").waitFor();

  // A stock item with a reorder point.
  await page.goto(`${base}/inventory/items`);
  await page.locator("#new-stock-item").click();
  await page.locator("#stock-item-form [name=code]").fill("WIDGET");
  await page.locator("#stock-item-form [name=name]").fill("Blue widget");
  await page.locator("#stock-item-form [name=unit]").fill("pcs");
  await page.locator("#stock-item-form [name=reorder_point]").fill("10");
  await page.locator("#stock-item-form [name=reorder_quantity]").fill("25");
  await page.locator("#stock-item-form button[type=submit]").click();
  await page.locator("#stock-items tr[data-code=WIDGET]").waitFor();

  // 12 received at 2.50 by a manual move.
  await page.goto(`${base}/inventory/moves`);
  await page.locator("#new-move").click();
  const form = page.locator("#move-form");
  await form.locator("[name=kind]").selectOption("receipt");
  await form.locator("[name=item]").selectOption({ label: "WIDGET Blue widget" });
  await form.locator("[name=warehouse]").selectOption({ label: "STORE Main store" });
  await form.locator("[name=quantity]").fill("12");
  await form.locator("[name=unit_cost]").fill("2.50");
  await form.locator("button[type=submit]").click();
  await page.locator("#moves tr[data-kind=receipt]").waitFor();

  // The count sheet expects 12; 9 are counted: the 3 missing are adjusted out.
  await page.goto(`${base}/inventory/count`);
  await page.locator("select[name=warehouse]").selectOption({ label: "STORE Main store" });
  const row = page.locator("#count-sheet tr[data-item=WIDGET]");
  await row.locator("td.expected", { hasText: "12" }).waitFor();
  await row.locator("input.counted").fill("9");
  await page.locator("#submit-count").click();
  await page.locator(".toast", { hasText: "Count posted" }).waitFor();

  // On hand: 9.
  await page.goto(`${base}/inventory/reports/on-hand`);
  const onHand = page.locator("#stock-table tr[data-item=WIDGET][data-warehouse=STORE] td.qty");
  await onHand.waitFor();
  assert.equal(await onHand.innerText(), "9");

  // Valuation: 9 × 2.50 = 22.50, and the check says it ties to the inventory account.
  await page.goto(`${base}/inventory/reports/valuation`);
  await page.locator("#valuation-total", { hasText: "22.50" }).waitFor();
  assert.equal(await page.locator("#stock-table tr[data-item=WIDGET] td.value").innerText(), "22.50");
  const verdict = page.locator("#check-verdict");
  await verdict.waitFor();
  assert.equal(await verdict.getAttribute("data-ok"), "true");
  assert.match(await verdict.innerText(), /Ties to the ledger/);

  // 9 on hand is at or below the reorder point of 10: the reorder list suggests 25.
  await page.goto(`${base}/inventory/reports/reorder`);
  const reorder = page.locator("#reorder tr[data-item=WIDGET]");
  await reorder.waitFor();
  assert.match(await reorder.innerText(), /25/);
  // A draft purchase order from it: the item was never ordered, so the vendor is chosen here.
  const vendor = await api("POST", "/api/purchase/vendors/", { name: "Widget Works" });
  await page.reload();
  await page.locator("#reorder-vendor").selectOption(vendor.id);
  await page.locator("#draft-po").click();
  await page.waitForURL(/\/purchases\/orders\/[0-9a-f-]+$/);
  const po = await api("GET", `/api/purchase/orders/${page.url().split("/").pop()}/`);
  assert.equal(po.status, "draft");
  assert.equal(po.vendor, vendor.id);
  assert.equal(po.lines.length, 1);
  assert.equal(Number(po.lines[0].quantity), 25);

  // The API agrees with the pages.
  const check = await api("GET", "/api/inventory/reports/valuation/check/");
  assert.equal(check.ok, true);
  const value = await api("GET", "/api/inventory/reports/valuation/");
  assert.equal(value.total_value, "22.50");
});
