// Page render times on a 1M-line ledger: the release binary on a fresh data dir, 500,000 two-line
// entries (1,000,000 journal lines) over the last two years seeded through the bulk API, then every
// page of the web app loaded in Chromium and timed from navigation start to its data on screen.
// Prints the figures; asserts only that each page rendered its data (never a timing assertion).
// Run: cd e2e && OASYS_BIN=path/to/release/oasys node --test perf.test.mjs
// PERF_ENTRIES=n seeds n entries instead (2 lines each), for a quicker look.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startServer, stopAll } from "./harness.mjs";

const ADMIN = { email: "owner@perf.test", password: "Ledger-Keeper-2026!perf" };
const ENTRIES = Number(process.env.PERF_ENTRIES ?? 500_000); // 2 lines each: 1,000,000 lines
const BATCH = 10_000; // the bulk endpoint's limit per request

let started, base, setupLink, browser, access;

before(async () => {
  started = await startServer("oasys-perf-");
  ({ base, setupLink } = started);
  browser = await launchBrowser();
});

after(() => stopAll(browser, started));

async function api(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  if (access) headers.Authorization = `Bearer ${access}`;
  const r = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/** 1,234,567.89 from a count of cents. */
function money(cents) {
  const s = (cents / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${s}.${String(cents % 100n).padStart(2, "0")}`;
}
const isoDay = (d) => d.toISOString().slice(0, 10);

// What the seeded business does: [debit, credit, description, size], taken in turn. 12 accounts of
// the general chart; the bank (1020) is in 4 of the 10, so it is the busiest.
const KINDS = [
  ["1100", "4100", "Invoice", 4],
  ["1020", "1100", "Customer receipt", 4],
  ["6100", "1020", "Rent"],
  ["6200", "1020", "Wages"],
  ["6300", "1020", "Utilities"],
  ["1200", "2100", "Stock purchase"],
  ["2100", "1010", "Supplier payment in cash"],
  ["5000", "1200", "Cost of sales"],
  ["6400", "1010", "Office supplies"],
  ["1010", "4200", "Service sold for cash", 3],
];
const BUSIEST = "1020";

let ids, firstEntry, lineCount = 0;
const balances = new Map(); // code → debit minus credit, in cents

test(`seed ${ENTRIES * 2} journal lines through the bulk API`, { timeout: 600_000 }, async () => {
  const setup = await api("POST", "/api/setup/", {
    token: new URL(setupLink).searchParams.get("token"),
    firm_name: "Perf Books", company_name: "Perf Trading", currency: "USD", timezone: "UTC",
    first_name: "Pat", last_name: "Perf", email: ADMIN.email, password: ADMIN.password,
  });
  access = setup.tokens.access;
  const chart = await api("GET", "/api/accounting/chart-of-accounts/?page_size=200");
  ids = Object.fromEntries(chart.results.map((a) => [a.code, a.id]));
  for (const [d, c] of KINDS) assert.ok(ids[d] && ids[c], `accounts ${d} and ${c} are in the chart`);

  // Dates from 729 days ago up to today, in order, the same number of entries each day.
  const today = new Date();
  const day0 = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - 729 * 86_400_000;
  const t0 = Date.now();
  let posted = 0;
  for (let start = 0; start < ENTRIES; start += BATCH) {
    const entries = [];
    for (let i = start; i < Math.min(ENTRIES, start + BATCH); i++) {
      const [dr, cr, what, size = 1] = KINDS[i % KINDS.length];
      const cents = BigInt(size * (1_000 + ((i * 7_919) % 250_000))); // 10.00 … 2,509.99, times size
      const amount = money(cents).replace(/,/g, "");
      balances.set(dr, (balances.get(dr) ?? 0n) + cents);
      balances.set(cr, (balances.get(cr) ?? 0n) - cents);
      entries.push({
        date: isoDay(new Date(day0 + Math.floor((i * 730) / ENTRIES) * 86_400_000)),
        reference: `PERF-${i + 1}`,
        description: `${what} ${i + 1}`,
        lines: [{ account: ids[dr], debit_amount: amount }, { account: ids[cr], credit_amount: amount }],
      });
    }
    const r = await api("POST", "/api/accounting/journal-entries/bulk/", { entries });
    assert.equal(r.count, entries.length);
    firstEntry ??= r.entries[0].id;
    posted += r.count;
    lineCount += entries.length * 2;
  }
  const secs = (Date.now() - t0) / 1000;
  console.log(
    `seeding: ${posted.toLocaleString("en")} entries, ${lineCount.toLocaleString("en")} lines in ${Math.ceil(ENTRIES / BATCH)} requests: ` +
      `${secs.toFixed(1)} s (${Math.round(lineCount / secs).toLocaleString("en")} lines/s)`,
  );
  const list = await api("GET", "/api/accounting/journal-entries/?page_size=1");
  assert.equal(list.count, ENTRIES);
});

test("every page renders its data: time from navigation start", { timeout: 300_000 }, async () => {
  assert.ok(ids, "seeded");
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));

  // Sign in through the form, on a cold cache: this first load is the app's whole initial transfer.
  await page.goto(`${base}/login`);
  await page.locator("#login-form").waitFor();
  const initial = await page.evaluate(() => {
    const n = performance.getEntriesByType("navigation")[0];
    const res = performance.getEntriesByType("resource").filter((r) => r.initiatorType !== "fetch" && r.initiatorType !== "xmlhttprequest");
    return {
      transfer: n.transferSize + res.reduce((s, r) => s + r.transferSize, 0),
      decoded: n.decodedBodySize + res.reduce((s, r) => s + r.decodedBodySize, 0),
      files: res.length + 1,
    };
  });
  await page.locator("#login-form [name=email]").fill(ADMIN.email);
  await page.locator("#login-form [name=password]").fill(ADMIN.password);
  await page.locator("#login-form button[type=submit]").click();
  await page.locator("nav.sidenav").waitFor();

  const gl = `/reports/general-ledger?account=${ids[BUSIEST]}`;
  // [name, path, ready: performance.now() once the page shows its loaded data, else false]
  const pages = [
    ["Dashboard", "/", () =>
      !!document.querySelector("#cash-total") && !!document.querySelector("#chart .uplot") &&
      [...document.querySelectorAll(".panel h2")].some((h) => h.textContent === "Recent entries" && h.parentElement.querySelector("tbody tr")) && performance.now()],
    ["Chart of accounts", "/accounting/accounts", () => /\d/.test(document.querySelector("tr[data-code='1020'] td.num")?.textContent ?? "") && performance.now()],
    ["Journal", "/accounting/journal", () => !!document.querySelector(".journal-list tbody tr") && !!document.querySelector(".pager span") && performance.now()],
    ["Entry detail", `/accounting/journal/${firstEntry}`, () => !!document.querySelector("#entry-status") && !!document.querySelector(".history li, .page .empty") && performance.now()],
    ["New entry", "/accounting/journal/new", () => !!document.querySelector("#entry-form [data-row='0'][data-cell='account']") && performance.now()],
    ["Trial balance", "/reports/trial-balance", () => !!document.querySelector("#trial-balance tfoot tr") && performance.now()],
    [`General ledger (${BUSIEST})`, gl, () => !!document.querySelector(".report tbody tr:not(.opening)") && !!document.querySelector(".report tfoot") && performance.now()],
    ["Periods", "/accounting/periods", () => !!document.querySelector("#lock-date") && performance.now()],
    ["Settings: firm", "/settings/firm", () => !!document.querySelector(".page form [name=name]") && performance.now()],
    ["Settings: companies", "/settings/companies", () => !!document.querySelector(".page table tbody tr") && performance.now()],
    ["Settings: users", "/settings/users", () => !!document.querySelector(".page table tbody tr") && performance.now()],
    ["Profile", "/profile", () => !!document.querySelector(".page form [name=first_name]") && performance.now()],
  ];

  /** Full load of path; ms from navigation start to ready (by requestAnimationFrame), and the slowest API call. */
  async function measure(path, ready) {
    await page.goto(`${base}${path}`, { waitUntil: "commit" });
    const ms = await (await page.waitForFunction(ready, null, { polling: "raf", timeout: 60_000 })).jsonValue();
    const api = await page.evaluate(() => {
      const f = performance.getEntriesByType("resource").filter((r) => r.initiatorType === "fetch");
      const slow = f.reduce((a, r) => (!a || r.duration > a.duration ? r : a), null);
      return { calls: f.length, bytes: f.reduce((s, r) => s + r.transferSize, 0), slowest: slow ? [decodeURIComponent(slow.name.replace(location.origin, "")), Math.round(slow.duration)] : null };
    });
    return { ms: Math.round(ms), api };
  }

  const rows = [];
  for (const [name, path, ready] of pages) {
    const cold = await measure(path, ready); // the first visit after seeding
    const checks = await checkPage(page, name);
    const warm = await measure(path, ready); // again, with the server's caches warm
    rows.push({ name, cold, warm, checks });
  }

  const w = Math.max(...rows.map((r) => r.name.length));
  const lines = [
    `page render times on ${lineCount.toLocaleString("en")} journal lines (navigation start → data on screen, full page load):`,
    `  ${"page".padEnd(w)}  first ms  again ms  API calls  API KB  slowest API call`,
    ...rows.map((r) =>
      `  ${r.name.padEnd(w)}  ${String(r.cold.ms).padStart(8)}  ${String(r.warm.ms).padStart(8)}  ${String(r.cold.api.calls).padStart(9)}  ${(r.cold.api.bytes / 1024).toFixed(1).padStart(6)}  ` +
      (r.cold.api.slowest ? `${r.cold.api.slowest[0]} ${r.cold.api.slowest[1]} ms` : "—")),
    `  ${"max".padEnd(w)}  ${String(Math.max(...rows.map((r) => r.cold.ms))).padStart(8)}  ${String(Math.max(...rows.map((r) => r.warm.ms))).padStart(8)}`,
    `initial transfer (cold cache, sign-in page): ${(initial.transfer / 1024).toFixed(1)} KB over the wire, ${(initial.decoded / 1024).toFixed(1)} KB uncompressed, ${initial.files} files`,
    ...rows.filter((r) => r.checks).map((r) => `  ${r.name}: ${r.checks}`),
  ];
  console.log(lines.join("\n"));
  assert.deepEqual(errors, [], "no page errors");
  await context.close();
});

/** Asserts that the page on screen shows the seeded data; returns a short description of it. */
async function checkPage(page, name) {
  const text = (sel) => page.locator(sel).first().innerText();
  switch (name) {
    case "Dashboard": {
      assert.match(await text("#cash-total"), /\d/);
      const recent = page.locator(".panel", { has: page.getByRole("heading", { name: "Recent entries" }) }).locator("tbody tr");
      assert.equal(await recent.count(), 8);
      return `cash ${await text("#cash-total")}, ${await recent.count()} recent entries, chart drawn`;
    }
    case "Chart of accounts": {
      const bal = await text(`tr[data-code='${BUSIEST}'] td.num`);
      assert.match(bal, /[1-9]/);
      return `${await page.locator("table.accounts-tree tbody tr").count()} accounts, ${BUSIEST} balance ${bal}`;
    }
    case "Journal": {
      assert.equal(await page.locator(".journal-list tbody tr").count(), 25);
      const pager = await text(".pager span");
      assert.match(pager, new RegExp(`\\b${ENTRIES} entries`));
      return pager;
    }
    case "Entry detail": {
      assert.equal(await text("#entry-status"), "posted");
      assert.equal(await page.locator(".page table tbody tr").count(), 2);
      return `${await text(".page h1")}, 2 lines`;
    }
    case "New entry":
      assert.equal(await page.locator("#entry-form [data-row='0'][data-cell='account']").count(), 1);
      return null;
    case "Trial balance": {
      const total = await text("#trial-balance tfoot tr");
      // The trial balance shows each account's net balance: the total is the sum of the debit ones.
      const expected = money([...balances.values()].filter((b) => b > 0n).reduce((a, b) => a + b, 0n));
      assert.equal(total.split(expected).length - 1, 2, `both totals are ${expected}: ${total}`);
      const n = await page.locator("#trial-balance tbody tr").count();
      assert.equal(n, [...balances.values()].filter((b) => b !== 0n).length);
      return `${n} accounts, totals ${expected} Dr = Cr`;
    }
    case `General ledger (${BUSIEST})`: {
      const n = await page.locator(".report tbody tr:not(.opening)").count();
      assert.equal(n, 100);
      const pager = await text(".pager span");
      assert.match(pager, /\d+ lines/);
      return `${n} lines shown, ${pager}`;
    }
    case "Periods":
      assert.equal(await text("#lock-date"), "nothing locked");
      return null;
    case "Settings: firm":
      assert.equal(await page.locator(".page form [name=name]").inputValue(), "Perf Books");
      return null;
    case "Settings: companies":
      assert.match(await text(".page table tbody tr"), /Perf Trading/);
      return null;
    case "Settings: users":
      assert.match(await text(".page table tbody"), new RegExp(ADMIN.email.replace(".", "\\.")));
      return null;
    case "Profile":
      assert.equal(await page.locator(".page form [name=first_name]").inputValue(), "Pat");
      return null;
  }
  throw new Error(`no check for ${name}`);
}
