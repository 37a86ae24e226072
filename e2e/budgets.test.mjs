// Browser test of the budget editor against the real binary: a budget made from the page, a block
// pasted from a spreadsheet (tab-separated, rows by account code), keyboard navigation, a cell
// typed and the grid saved; "copy from last year ±%" against hand-computed figures; and the profit
// and loss compared with the budget (actual, budget, variance, variance %).
// Run: cd e2e && npm ci && OASYS_BIN=path/to/oasys node --test budgets.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startServer, stopAll, setupFirm } from "./harness.mjs";

const ADMIN = { email: "owner@budget.test", password: "Ledger-Keeper-2026!bu" };
const YEAR = new Date().getFullYear();
const LAST = YEAR - 1;

let started, base, browser, page, access, budget;
const ids = {};

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

const gridLine = (g, code) => g.lines.find((l) => l.code === code);

before(async () => {
  started = await startServer("oasys-budget-");
  base = started.base;
  access = await setupFirm(started, ADMIN, { firm: "Budget Books", company: "Budget Trading", currency: "USD" });
  const chart = await api("GET", "/api/accounting/chart-of-accounts/?page_size=200");
  for (const a of chart.results) ids[a.code] = a.id;
  await post(`${LAST}-03-10`, "1020", "4100", "1200.00", "SALE-LAST");
  await post(`${LAST}-07-01`, "6100", "1020", "333.33", "RENT-LAST");
  await post(`${YEAR}-01-05`, "1020", "4100", "1500.00", "SALE-NOW");
  await post(`${YEAR}-01-06`, "6100", "1020", "250.00", "RENT-NOW");
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

const cell = (code, month) => page.locator(`#budget-grid tr[data-code='${code}'] input[data-c='${month}']`);

test("a budget is made, pasted into from a spreadsheet, navigated by keyboard and saved", async () => {
  await page.goto(`${base}/accounting/budgets`);
  await page.locator("#new-budget").click();
  await page.locator("#new-budget-dialog [name=fiscal_year]").fill(String(YEAR));
  await page.locator("#new-budget-dialog button[type=submit]").click();
  await page.locator("#budget-grid").waitFor();
  const list = await api("GET", "/api/accounting/budgets/");
  budget = list.results[0].id;

  // A block as a spreadsheet copies it: rows by account code, a header, twelve months and a total.
  const months = (v) => Array(12).fill(v).join("\t");
  const tsv = `Code\t${"Jan\tFeb\tMar\tApr\tMay\tJun\tJul\tAug\tSep\tOct\tNov\tDec"}\tTotal\n4100\t${months("1,000.00")}\t12,000.00\n6100\t${months("300")}\t3600\n`;
  await cell("4100", 0).focus();
  await page.evaluate((text) => {
    const dt = new DataTransfer();
    dt.setData("text/plain", text);
    document.activeElement.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
  }, tsv);
  assert.equal(await cell("4100", 11).inputValue(), "1,000.00");
  assert.equal(await page.locator("#budget-grid tr[data-code='6100'] td.row-total").innerText(), "3,600.00");
  // Keyboard: right, then down (Enter) lands on the next account's cell.
  await cell("6100", 0).focus();
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.evaluate(() => document.activeElement.dataset.c), "1");
  await page.keyboard.press("Enter");
  const below = await page.evaluate(() => document.activeElement.closest("tr").dataset.code);
  assert.equal(below, "6200");
  await page.keyboard.type("75.50");
  assert.equal(await page.locator("#budget-net td").last().innerText(), "8,324.50");
  await page.locator("#save-budget").click();
  await page.locator("#unsaved").waitFor({ state: "detached" });
  const g = await api("GET", `/api/accounting/budgets/${budget}/grid/`);
  assert.equal(gridLine(g, "4100").total, "12000.00");
  assert.equal(gridLine(g, "6100").amounts[5], "300.00");
  assert.equal(gridLine(g, "6200").amounts[1], "75.50");
});

test("copy from last year ± %: hand-computed figures", async () => {
  await page.locator("#copy-percent").fill("10");
  await page.locator("#copy-actuals").click();
  // 1,200.00 × 1.10 = 1,320.00 in March; 333.33 × 1.10 = 366.663 → 366.66 in July.
  await page.waitForFunction(() => document.querySelector("#budget-grid tr[data-code='4100'] input[data-c='2']")?.value === "1320.00");
  assert.equal(await cell("6100", 6).inputValue(), "366.66");
  assert.equal(await cell("4100", 0).inputValue(), "0.00");
  const g = await api("GET", `/api/accounting/budgets/${budget}/grid/`);
  assert.equal(gridLine(g, "4100").total, "1320.00");
  assert.equal(gridLine(g, "6200").total, "0.00", "the whole grid is replaced");
});

test("the profit and loss compared with the budget", async () => {
  await api("PUT", `/api/accounting/budgets/${budget}/grid/`, {
    lines: [
      { account: ids["4100"], amounts: Array(12).fill("1000.00") },
      { account: ids["6100"], amounts: Array(12).fill("200.00") },
    ],
  });
  await page.goto(`${base}/reports/profit-and-loss`);
  await page.locator("#statement").waitFor();
  await page.locator("#budget-compare").selectOption(budget);
  await page.locator("#statement.budget-compare").waitFor();
  await page.locator("input[name=date_to]").fill(`${YEAR}-01-31`);
  await page.locator("#statement.budget-compare tr[data-code='4100'] td.budget").getByText("1,000.00").waitFor();
  const row = (code) => page.locator(`#statement tr[data-code='${code}']`).first();
  assert.equal(await row("4100").locator("td.actual").innerText(), "1,500.00");
  assert.equal(await row("4100").locator("td.variance").innerText(), "500.00");
  assert.equal(await row("4100").locator("td.variance-percent").innerText(), "50.0 %");
  assert.match(await row("4100").locator("td.variance").getAttribute("class"), /favourable/);
  assert.equal(await row("6100").locator("td.variance").innerText(), "50.00");
  assert.match(await row("6100").locator("td.variance").getAttribute("class"), /unfavourable/);
  const net = page.locator("#statement tr[data-key='net_result']");
  assert.equal(await net.locator("td.variance").innerText(), "450.00");
});
