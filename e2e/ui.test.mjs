// Browser tests of the web app against the real release binary: first-run setup, accounts,
// keyboard journal entry, trial balance, reversal, an unbalanced entry, a staff user's menu and
// session refresh/expiry. Screenshots go to docs/. Run: OASYS_BIN=path/to/oasys npm test
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = process.env.OASYS_BIN ?? join(process.env.CARGO_TARGET_DIR ?? "/work/target", "release", "oasys");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const DOCS = join(ROOT, "docs");
const ADMIN = { email: "owner@e2e.test", password: "Ledger-Keeper-2026!e2e" };
const STAFF = { email: "clerk@e2e.test", password: "Clerk-Typing-2026!e2e" };

let server, base, setupLink, browser, tmp, page, context;

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on("error", fail);
  });
}

async function startServer() {
  tmp = mkdtempSync(join(tmpdir(), "oasys-e2e-"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(BIN, ["--data-dir", join(tmp, "data"), "serve", "--listen", `127.0.0.1:${port}`], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let out = "";
  const collect = (d) => (out += d.toString());
  server.stdout.on("data", collect);
  server.stderr.on("data", collect);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const m = /(http:\/\/\S+\/setup\?token=[0-9a-zA-Z]+)/.exec(out);
    if (m) {
      setupLink = m[1];
      try {
        const r = await fetch(`${base}/api/health/`);
        if (r.ok) return;
      } catch {}
    }
    if (server.exitCode !== null) throw new Error(`server exited:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no setup link or health within 60 s:\n${out}`);
}

before(async () => {
  await startServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ], // Playwright gives every launch a fresh, empty --user-data-dir of its own.
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  page = await context.newPage();
  page.on("dialog", (d) => d.accept());
  page.on("pageerror", (e) => console.error("page error:", e.message));
  mkdirSync(DOCS, { recursive: true });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

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

test("the posted entry is in the trial balance", async () => {
  const t0 = Date.now();
  await page.goto(`${base}/reports/trial-balance`);
  await page.locator("tr[data-code='1030']").waitFor();
  console.log(`timing: trial balance rendered ${Date.now() - t0} ms after navigation`);
  const row = await page.locator("tr[data-code='1030']").innerText();
  assert.match(row, /Petty Cash/);
  assert.match(row, /1,250\.50/);
  assert.match(await page.locator("tr[data-code='1020']").innerText(), /1,250\.50/);
  await page.screenshot({ path: join(DOCS, "trial-balance.png"), fullPage: true });
});

test("reversing the entry takes it out of the trial balance", async () => {
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
  await p.getByRole("button", { name: "Menu" }).click();
  await nav(p).getByRole("link", { name: "Accounting" }).waitFor();
  const modules = await nav(p).locator(".nav-module").allInnerTexts();
  assert.ok(modules.includes("Accounting") && modules.includes("Sales"), modules.join(","));
  assert.ok(!modules.includes("Reports"), `staff sees Reports: ${modules}`);
  assert.ok(!modules.includes("Settings"), `staff sees Settings: ${modules}`);
  await p.goto(`${base}/reports/trial-balance`);
  await p.getByRole("heading", { name: "Not available" }).waitFor();
  await ctx.close();
});
