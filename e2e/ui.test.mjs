// Browser tests of the web app against the real release binary: first-run setup, accounts,
// keyboard journal entry, trial balance, reversal, an unbalanced entry, a staff user's menu and
// session refresh/expiry. Screenshots go to docs/ (or $E2E_SCREENSHOTS).
// Run: cd e2e && npm ci && OASYS_BIN=path/to/release/oasys npm test
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchBrowser, startServer, stopAll } from "./harness.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DOCS = process.env.E2E_SCREENSHOTS ?? join(ROOT, "docs");
// E2E_SHOTS=dir saves more screenshots there (for looking at pages; not committed).
const shot = (p, name) => (process.env.E2E_SHOTS ? p.screenshot({ path: join(process.env.E2E_SHOTS, `${name}.png`), fullPage: true }) : null);
const ADMIN = { email: "owner@e2e.test", password: "Ledger-Keeper-2026!e2e" };
const STAFF = { email: "clerk@e2e.test", password: "Clerk-Typing-2026!e2e" };

let started, base, setupLink, browser, page, context;

before(async () => {
  started = await startServer("oasys-e2e-");
  ({ base, setupLink } = started);
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  page = await context.newPage();
  page.on("dialog", (d) => d.accept());
  page.on("pageerror", (e) => console.error("page error:", e.message));
  mkdirSync(DOCS, { recursive: true });
});

after(() => stopAll(browser, started));

const nav = (p) => p.locator("nav.sidenav");
async function token(p = page) {
  return p.evaluate(() => sessionStorage.getItem("oasys.access"));
}

test("first visit: without the token, the page says to open the console link", async () => {
  // A cold cache: this is the initial load of the app (the same bundle every page starts with).
  const t0 = Date.now();
  await page.goto(`${base}/`);
  await page.locator("#setup-missing").waitFor();
  const rendered = Date.now() - t0;
  assert.match(await page.locator("#setup-missing").innerText(), /setup link printed in the server's console/);
  const timing = await page.evaluate(() => {
    const n = performance.getEntriesByType("navigation")[0];
    const res = performance.getEntriesByType("resource").filter((r) => r.initiatorType !== "fetch");
    return {
      ttfb: Math.round(n.responseStart - n.startTime),
      domContentLoaded: Math.round(n.domContentLoadedEventEnd - n.startTime),
      load: Math.round(n.loadEventEnd - n.startTime),
      transfer: n.transferSize + res.reduce((s, r) => s + r.transferSize, 0),
      decoded: n.decodedBodySize + res.reduce((s, r) => s + r.decodedBodySize, 0),
      files: ["/", ...res.map((r) => r.name.replace(location.origin, ""))],
    };
  });
  console.log(
    `timing: first page rendered ${rendered} ms after navigation (TTFB ${timing.ttfb} ms, DOMContentLoaded ${timing.domContentLoaded} ms, load ${timing.load} ms)`,
  );
  console.log(
    `initial transfer: ${(timing.transfer / 1024).toFixed(1)} KB over the wire (${(timing.decoded / 1024).toFixed(1)} KB uncompressed): ${timing.files.join(", ")}`,
  );
  assert.ok(timing.transfer > 0 && timing.transfer < 300 * 1024, `initial load ${timing.transfer} B, budget 300 KB`);
});

test("first-run setup signs the administrator in", async () => {
  const t0 = Date.now();
  await page.goto(setupLink);
  await page.locator("#setup-form").waitFor();
  const rendered = Date.now() - t0;
  const f = page.locator("#setup-form");
  await f.locator("[name=firm_name]").fill("E2E Books");
  await f.locator("[name=company_name]").fill("E2E Trading");
  await f.locator("[name=currency]").fill("USD");
  await f.locator("[name=timezone]").fill("UTC");
  await f.locator("[name=first_name]").fill("Olivia");
  await f.locator("[name=last_name]").fill("Owner");
  await f.locator("[name=email]").fill(ADMIN.email);
  await f.locator("[name=password]").fill(ADMIN.password);
  await f.locator("button[type=submit]").click();
  await nav(page).getByRole("link", { name: "Accounting" }).waitFor();
  assert.equal(new URL(page.url()).pathname, "/");
  console.log(`timing: setup form rendered ${rendered} ms after navigation`);
  await page.locator("#cash-total").waitFor();
  await page.locator("#chart .uplot").waitFor();
  await shot(page, "dashboard-empty");
});

test("create an account in the chart", async () => {
  const t0 = Date.now();
  await page.goto(`${base}/accounting/accounts`);
  await page.locator("tr[data-code='1010']").waitFor();
  console.log(`timing: chart of accounts rendered ${Date.now() - t0} ms after navigation`);
  await page.getByRole("button", { name: "New account" }).click();
  const f = page.locator("#account-form");
  await f.locator("[name=code]").fill("1030");
  await f.locator("[name=name]").fill("Petty Cash");
  await f.locator("[name=type]").selectOption("asset");
  await f.locator("[name=subtype]").fill("cash");
  await f.locator("[name=parent]").selectOption({ label: "1000 Current Assets" });
  await f.getByRole("button", { name: "Save" }).click();
  await page.locator("tr[data-code='1030']").waitFor();
  assert.match(await page.locator("tr[data-code='1030']").innerText(), /Petty Cash/);
  await shot(page, "accounts");
});

let postedUrl;
test("a balanced entry typed with the keyboard is posted", async () => {
  await page.goto(`${base}/accounting/journal/new`);
  await page.locator("#entry-form").waitFor();
  await page.locator("[name=reference]").fill("FLOAT-1");
  await page.locator("[name=description]").fill("Petty cash float");
  const k = page.keyboard;
  await page.locator("[data-row='0'][data-cell='account']").focus();
  await k.type("1030");
  await k.press("Enter"); // picks 1030, moves to the description
  await k.type("Float from the bank");
  await k.press("Enter"); // debit
  await k.type("1,250.50");
  await k.press("Enter"); // has a debit: next line's account
  await k.type("bank");
  await page.locator(".combo-list li.hi").waitFor();
  await k.press("Enter"); // picks 1020 Bank Account
  await k.press("Enter"); // debit
  await k.press("Enter"); // credit
  await k.type("1000");
  assert.match(await page.locator("[data-total='difference']").innerText(), /250\.50\s*Dr/);
  await k.press("Enter"); // last line: a new line, offered the balancing credit
  await k.type("1020");
  await k.press("Enter");
  await k.press("Enter");
  await k.press("Enter");
  if (process.env.E2E_DEBUG) console.log(await page.$$eval("[data-row]", (els) => els.map((e) => `${e.dataset.row}.${e.dataset.cell}=${e.value}`).join(" ")));
  const credit3 = await page.locator("[data-row='2'][data-cell='credit']").inputValue();
  assert.equal(credit3, "250.50");
  assert.equal(await page.locator("[data-total='debit']").innerText(), "1,250.50");
  assert.equal(await page.locator("[data-total='credit']").innerText(), "1,250.50");
  assert.match(await page.locator("[data-total='difference']").innerText(), /0\.00/);
  await page.screenshot({ path: join(DOCS, "journal-entry.png"), fullPage: true });
  await k.press("Control+Enter"); // post (the confirmation is accepted)
  await page.locator("#entry-status").waitFor();
  assert.equal(await page.locator("#entry-status").innerText(), "posted");
  postedUrl = page.url();
  await page.getByRole("heading", { name: "History" }).waitFor();
  await page.locator(".history li").first().waitFor();
});

/** Posts an entry through the API; lines name accounts by code. */
let ids;
async function postEntry(lines, date, reference) {
  const headers = { "Content-Type": "application/json", Authorization: `Bearer ${await token()}` };
  if (!ids) {
    const chart = await (await fetch(`${base}/api/accounting/chart-of-accounts/?page_size=200`, { headers })).json();
    ids = Object.fromEntries(chart.results.map((a) => [a.code, a.id]));
  }
  lines = lines.map((l) => ({ ...l, account: ids[l.account] }));
  const body = JSON.stringify({ entries: [{ date, reference, description: reference, lines }] });
  const r = await fetch(`${base}/api/accounting/journal-entries/bulk/`, { method: "POST", headers, body });
  assert.ok(r.ok, await r.text());
}

test("the posted entry is in the trial balance", async () => {
  // A little more business, so the report (and its screenshot) has something to show.
  const d = new Date();
  const month = (k) => {
    const x = new Date(d.getFullYear(), d.getMonth() - k, 1);
    return `${x.getFullYear()}-${String(x.getMonth() + 1).padStart(2, "0")}-01`;
  };
  const monthsThisYear = Math.min(5, d.getMonth());
  await postEntry([{ account: "1020", debit_amount: "40000.00" }, { account: "3100", credit_amount: "40000.00" }], month(monthsThisYear), "CAPITAL");
  for (let k = monthsThisYear; k >= 0; k--) {
    await postEntry([{ account: "1100", debit_amount: `${4200 + 350 * k}.00` }, { account: "4100", credit_amount: `${4200 + 350 * k}.00` }], month(k), `INV-${k}`);
    await postEntry([{ account: "6100", debit_amount: "1500.00" }, { account: "6200", debit_amount: `${1800 + 90 * k}.40` }, { account: "1020", credit_amount: `${3300 + 90 * k}.40` }], month(k), `EXP-${k}`);
  }
  const t0 = Date.now();
  await page.goto(`${base}/reports/trial-balance`);
  await page.locator("tr[data-code='1030']").waitFor();
  console.log(`timing: trial balance rendered ${Date.now() - t0} ms after navigation`);
  const row = await page.locator("tr[data-code='1030']").innerText();
  assert.match(row, /Petty Cash/);
  assert.match(row, /1,250\.50/);
  await page.screenshot({ path: join(DOCS, "trial-balance.png"), fullPage: true });
});

test("the general ledger shows the account's running balance", async () => {
  await page.goto(`${base}/reports/trial-balance`);
  await page.locator("tr[data-code='1030'] a").click();
  await page.locator(".report tbody tr:not(.opening)").first().waitFor();
  assert.match(page.url(), /\/reports\/general-ledger\?account=/);
  const rows = await page.locator(".report tbody tr:not(.opening)").allInnerTexts();
  assert.equal(rows.length, 1, rows.join("\n"));
  assert.match(rows[0], /FLOAT-1[\s\S]*1,250\.50[\s\S]*1,250\.50/);
});

test("reversing the entry takes it out of the trial balance", async () => {
  await page.goto(postedUrl);
  await page.locator("#reverse").waitFor();
  await shot(page, "entry-detail");
  await page.goto(`${base}/`);
  await page.locator("#chart .uplot").waitFor();
  await shot(page, "dashboard");
  await page.goto(postedUrl);
  await page.locator("#reverse").click();
  await page.waitForURL((u) => u.href !== postedUrl && /\/accounting\/journal\/[0-9a-f-]+$/.test(u.pathname));
  await page.locator("#entry-status").waitFor();
  assert.equal(await page.locator("#entry-status").innerText(), "posted");
  await page.goto(`${base}/reports/trial-balance`);
  await page.locator("#trial-balance, .empty").first().waitFor();
  const row = page.locator("tr[data-code='1030']");
  if (await row.count()) assert.doesNotMatch(await row.innerText(), /1,250\.50/);
});

test("an unbalanced entry shows the error and is not posted", async () => {
  const before = await (await fetch(`${base}/api/accounting/journal-entries/?page_size=1`, { headers: { Authorization: `Bearer ${await token()}` } })).json();
  await page.goto(`${base}/accounting/journal/new`);
  await page.locator("#entry-form").waitFor();
  await page.locator("[name=reference]").fill("BAD-1");
  const k = page.keyboard;
  await page.locator("[data-row='0'][data-cell='account']").focus();
  await k.type("1010");
  await k.press("Enter");
  await k.press("Enter");
  await k.type("100");
  await k.press("Enter");
  await k.type("4100");
  await k.press("Enter");
  await k.press("Enter");
  await k.press("Enter");
  await k.type("90");
  assert.match(await page.locator("[data-total='difference']").innerText(), /10\.00\s*Dr/);
  await page.getByRole("button", { name: "Post" }).click();
  await page.locator("#entry-error").waitFor();
  assert.match(await page.locator("#entry-error").innerText(), /must equal credits/);
  // The server says the same when asked to keep it as a draft.
  await page.getByRole("button", { name: "Save draft" }).click();
  await page.locator(".toast.error").last().waitFor();
  assert.match(await page.locator("#entry-error").innerText(), /Debits \(100\.00\) must equal credits \(90\.00\)/);
  assert.equal(new URL(page.url()).pathname, "/accounting/journal/new");
  const afterList = await (await fetch(`${base}/api/accounting/journal-entries/?page_size=1`, { headers: { Authorization: `Bearer ${await token()}` } })).json();
  assert.equal(afterList.count, before.count, "no entry was created");
});

test("a line's account is suggested from its words: a vendor they name books to its usual account", async () => {
  const auth = { Authorization: `Bearer ${await token()}`, "Content-Type": "application/json" };
  const chart = await (await fetch(`${base}/api/accounting/chart-of-accounts/?page_size=500`, { headers: auth })).json();
  const expense = chart.results.find((a) => a.type === "expense" && a.is_active);
  const v = await fetch(`${base}/api/purchase/vendors/`, { method: "POST", headers: auth, body: JSON.stringify({ name: "Quillwright Paper", expense_account: expense.id }) });
  assert.equal(v.status, 201);
  await page.goto(`${base}/accounting/journal/new`);
  await page.locator("#entry-form").waitFor();
  await page.locator("[data-row='0'][data-cell='description']").fill("Quillwright Paper, printer paper");
  await page.getByRole("button", { name: "Suggest line 1 account" }).click();
  const cell = page.locator("[data-row='0'][data-cell='account']");
  await page.waitForFunction(() => document.querySelector("[data-row='0'][data-cell='account']")?.value.length > 0);
  assert.match(await cell.inputValue(), new RegExp(expense.code));
  await page.getByText(/usual account of Quillwright Paper/).first().waitFor();
});

test("a line error from the API is shown on its line", async () => {
  await page.goto(`${base}/accounting/journal/new`);
  await page.locator("#entry-form").waitFor();
  const k = page.keyboard;
  await page.locator("[data-row='0'][data-cell='account']").focus();
  await k.type("1010");
  await k.press("Enter");
  await k.press("Enter");
  await k.type("10.005"); // too many decimals for USD
  await k.press("Enter");
  await k.type("4100");
  await k.press("Enter");
  await k.press("Enter");
  await k.press("Enter");
  await k.type("10.005");
  await page.getByRole("button", { name: "Save draft" }).click();
  const err = page.locator(".entry-grid tbody tr").nth(0).locator(".field-error");
  await err.first().waitFor();
  assert.ok((await err.first().innerText()).length > 0);
});

test("a draft is saved, edited, then posted from its page", async () => {
  await page.goto(`${base}/accounting/journal/new`);
  await page.locator("#entry-form").waitFor();
  await page.locator("[name=reference]").fill("DRAFT-1");
  const k = page.keyboard;
  await page.locator("[data-row='0'][data-cell='account']").focus();
  await k.type("6300");
  await k.press("Enter");
  await k.press("Enter");
  await k.type("80");
  await k.press("Enter");
  await k.type("1010");
  await k.press("Enter");
  await k.press("Enter");
  await k.press("Enter");
  await k.type("80");
  await k.press("Control+s");
  await page.locator("#entry-status").waitFor();
  assert.equal(await page.locator("#entry-status").innerText(), "draft");
  await page.getByRole("link", { name: "Edit" }).click();
  await page.locator("[data-row='0'][data-cell='debit']").waitFor();
  assert.equal(await page.locator("[data-row='0'][data-cell='account']").inputValue(), "6300 Utilities");
  await page.locator("[data-row='0'][data-cell='debit']").fill("95.25");
  await page.locator("[data-row='1'][data-cell='credit']").fill("95.25");
  await page.getByRole("button", { name: "Save draft" }).click();
  await page.locator("#entry-status").waitFor();
  await page.getByRole("button", { name: "Post" }).click();
  await page.waitForFunction(() => document.querySelector("#entry-status")?.textContent === "posted");
  assert.match(await page.locator("table").first().innerText(), /95\.25/);
});

test("closing a period shows the lock date", async () => {
  await page.goto(`${base}/accounting/periods`);
  await page.locator("#lock-date").waitFor();
  const lastYear = `${new Date().getFullYear() - 1}-12-31`;
  await page.locator(".panel input[type=date]").fill(lastYear);
  await page.getByRole("button", { name: "Close period" }).click();
  await page.waitForFunction((d) => document.querySelector("#lock-date")?.textContent === d, lastYear);
});

test("the profile page saves the user's name", async () => {
  await page.goto(`${base}/profile`);
  await page.locator("form [name=first_name]").waitFor();
  await page.locator("form [name=first_name]").fill("Liv");
  await page.getByRole("button", { name: "Save" }).click();
  await page.locator(".topbar .user-link", { hasText: "Liv" }).waitFor();
});

test("the profile's date format and negative style apply across the app at once", async () => {
  const year = new Date().getFullYear();
  await postEntry([{ account: "1010", debit_amount: "321.00" }, { account: "4100", credit_amount: "321.00" }], `${year}-01-15`, "FMT-0115");
  await page.goto(`${base}/profile`);
  await page.locator("form [name=date_format]").waitFor();
  await page.locator("form [name=date_format]").selectOption("DD/MM/YYYY");
  await page.locator("form [name=negative_style]").selectOption("parentheses");
  await page.getByRole("button", { name: "Save" }).click();
  await page.locator(".toast", { hasText: "Profile saved" }).waitFor();
  // Stored on the server, not only in the page.
  const me = await (await fetch(`${base}/api/auth/me/`, { headers: { Authorization: `Bearer ${await token()}` } })).json();
  assert.equal(me.profile.date_format, "DD/MM/YYYY");
  assert.equal(me.profile.negative_style, "parentheses");
  // No reload: the app goes on with the saved settings.
  await page.locator(".sidenav a", { hasText: "Accounting" }).click();
  await page.locator(".nav-items a", { hasText: "Journal" }).click();
  const row = page.locator(".journal-list tbody tr", { hasText: "FMT-0115" });
  await row.waitFor();
  assert.match(await row.innerText(), new RegExp(`15/01/${year}`));
  // Sales has a credit balance: its running balance is negative, shown in parentheses.
  await page.goto(`${base}/reports/general-ledger?account=${ids["4100"]}`);
  await page.locator(".report tbody tr:not(.opening)").first().waitFor();
  const fmtRow = await page.locator(".report tbody tr:not(.opening)", { hasText: "FMT-0115" }).innerText();
  assert.match(fmtRow, new RegExp(`15/01/${year}`));
  const balances = await page.locator(".report tbody tr:not(.opening) td:last-child").allInnerTexts();
  assert.ok(balances.length > 0 && balances.every((b) => /^\(\d[\d,]*\.\d{2}\)$/.test(b.trim())), balances.join(" | "));
  assert.doesNotMatch(balances.join(" "), /-/);
  await shot(page, "general-ledger-parentheses");
});

test("the global search box finds an entry by its reference", async () => {
  await page.goto(`${base}/`);
  const box = page.locator(".topbar .global-search input");
  await box.waitFor();
  await box.fill("FMT-0115");
  // The live dropdown lists the entry among its grouped hits; Enter opens the first hit's page.
  await page.locator('.search-dropdown .search-group[data-kind="entry"] .search-hit', { hasText: "FMT-0115" }).first().waitFor();
  await box.press("Enter");
  await page.waitForURL((u) => u.pathname.startsWith("/accounting/journal/"));
  await page.waitForFunction(() => document.body.innerText.includes("FMT-0115") && document.body.innerText.includes("321.00"));
  // Back to the defaults for the tests that follow.
  const headers = { "Content-Type": "application/json", Authorization: `Bearer ${await token()}` };
  const r = await fetch(`${base}/api/auth/me/`, { method: "PATCH", headers, body: JSON.stringify({ date_format: "YYYY-MM-DD", negative_style: "minus" }) });
  assert.ok(r.ok, await r.text());
});

test("an expired access token is refreshed silently; an ended session returns to the same page", async () => {
  await page.goto(`${base}/accounting/journal`);
  await page.locator(".journal-list, .empty").first().waitFor();
  const oldRefresh = await page.evaluate(() => sessionStorage.getItem("oasys.refresh"));
  await page.evaluate(() => sessionStorage.setItem("oasys.access", "expired.token.value"));
  await page.goto(`${base}/accounting/periods`);
  await page.locator("#lock-date").waitFor();
  const newRefresh = await page.evaluate(() => sessionStorage.getItem("oasys.refresh"));
  assert.notEqual(newRefresh, oldRefresh, "the rotated refresh token is stored");
  // Both tokens gone bad: back to sign-in, then to the page the user was on.
  await page.evaluate(() => {
    sessionStorage.setItem("oasys.access", "bad");
    sessionStorage.setItem("oasys.refresh", "bad");
  });
  await page.goto(`${base}/accounting/periods`);
  await page.locator("#login-form").waitFor();
  assert.match(page.url(), /\/login\?next=%2Faccounting%2Fperiods/);
  await page.locator("#login-form [name=email]").fill(ADMIN.email);
  await page.locator("#login-form [name=password]").fill(ADMIN.password);
  await page.locator("#login-form button[type=submit]").click();
  await page.locator("#lock-date").waitFor();
  assert.equal(new URL(page.url()).pathname, "/accounting/periods");
});

test("a staff user sees neither Reports nor Settings", async () => {
  const res = await fetch(`${base}/api/tenants/users/`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${await token()}` },
    body: JSON.stringify({ email: STAFF.email, password: STAFF.password, first_name: "Sam", last_name: "Clerk", role: "staff" }),
  });
  assert.equal(res.status, 201, await res.text());
  // Admin sees them.
  assert.ok(await nav(page).getByRole("link", { name: "Reports" }).isVisible());
  assert.ok(await nav(page).getByRole("link", { name: "Settings" }).isVisible());
  const ctx = await browser.newContext({ viewport: { width: 390, height: 800 } }); // phone width
  const p = await ctx.newPage();
  await p.goto(`${base}/`);
  await p.locator("#login-form").waitFor();
  await p.locator("#login-form [name=email]").fill(STAFF.email);
  await p.locator("#login-form [name=password]").fill(STAFF.password);
  await p.locator("#login-form button[type=submit]").click();
  await p.locator(".page h1").waitFor();
  await shot(p, "phone-dashboard");
  await p.getByRole("button", { name: "Menu" }).click();
  await shot(p, "phone-menu");
  await nav(p).getByRole("link", { name: "Accounting" }).waitFor();
  const modules = await nav(p).locator(".nav-module").allInnerTexts();
  assert.ok(modules.includes("Accounting") && modules.includes("Sales"), modules.join(","));
  assert.ok(!modules.includes("Reports"), `staff sees Reports: ${modules}`);
  assert.ok(!modules.includes("Settings"), `staff sees Settings: ${modules}`);
  await p.goto(`${base}/reports/trial-balance`);
  await p.getByRole("heading", { name: "Not available" }).waitFor();
  await ctx.close();
  // The administrator sees them in Settings → Users.
  await page.goto(`${base}/settings/users`);
  await page.getByRole("cell", { name: STAFF.email }).waitFor();
});

test("with a second company, the switcher changes the books", async () => {
  const headers = { "Content-Type": "application/json", Authorization: `Bearer ${await token()}` };
  const r = await fetch(`${base}/api/tenants/companies/`, { method: "POST", headers, body: JSON.stringify({ name: "E2E Holdings", currency: "EUR", timezone: "UTC" }) });
  const text = await r.text();
  assert.equal(r.status, 201, text);
  const second = JSON.parse(text);
  await page.goto(`${base}/accounting/accounts`);
  await page.locator("tr[data-code='1030']").waitFor(); // the first company has the account made above
  const sw = page.getByRole("combobox", { name: "Company" });
  await sw.waitFor();
  await sw.selectOption(second.id);
  await page.locator("tr[data-code='1010']").waitFor();
  assert.equal(await page.locator("tr[data-code='1030']").count(), 0, "the second company has its own chart");
  assert.equal(await page.evaluate(() => sessionStorage.getItem("oasys.company")), second.id);
});
