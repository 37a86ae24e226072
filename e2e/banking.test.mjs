// Browser tests of the banking pages against the real binary, and issue 16's acceptance path:
// a CAMT.053 statement (made here, with an opening and a closing balance, a line paying an issued
// invoice by its number, an expense and a transfer to a second bank account) is imported through
// the wizard, reconciled by keyboard (Enter on the invoice's suggestion, `e` for the expense, `t`
// for the transfer), submitted, approved by a second user, and then the bank's GL balance in the
// trial balance equals the statement's closing balance and reversing a matched entry is refused.
// The import's commit goes through the background job path (202, polled to done).
// Also: the bank account form and list, the CSV column mapper, the rules editor, the keyboard
// legend and keys that do not fire while typing. The README's reconciliation picture goes to
// docs/reconciliation.png (or $E2E_SCREENSHOTS).
// Every endpoint these pages use must exist: a missing one fails its test (nothing is skipped).
// Run: cd e2e && npm ci && OASYS_BIN=path/to/oasys node --test banking.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchBrowser, startServer, stopAll, setupFirm } from "./harness.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// The README's picture of the reconciliation screen goes to docs/ (or $E2E_SCREENSHOTS).
const DOCS = process.env.E2E_SCREENSHOTS ?? join(ROOT, "docs");
// E2E_SHOTS=dir saves more screenshots there (for looking at pages; not committed).
const shot = (p, name) => (process.env.E2E_SHOTS ? p.screenshot({ path: join(process.env.E2E_SHOTS, `${name}.png`), fullPage: true }) : null);
const ADMIN = { email: "owner@bank.test", password: "Ledger-Keeper-2026!bank" };
const APPROVER = { email: "cfo@bank.test", password: "Signs-Off-Banks-2026!cfo" };
const IBAN = "DE89370400440532013000";
const SAVINGS_IBAN = "GB82WEST12345698765432";

let started, base, browser, page, access, files;
const ids = {}; // account code → id
let checking, savings, invoice; // the bank accounts (API answers) and the issued invoice

/** `YYYY-MM-DD`, `n` days from today (UTC, the company's time zone). */
const day = (n) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
const OPENING = { date: day(-14), amount: "1000.00" };
const LINES = () => [
  { date: day(-10), amount: "1276.50", party: "Northwind Traders", iban: "FR7630006000011234567890189", text: `Payment ${invoice.number} thank you`, ref: "BANK-0001" },
  { date: day(-8), amount: "-45.00", party: "Staples", iban: "", text: "CARD 4411 STAPLES OFFICE SUPPLIES", ref: "BANK-0002" },
  { date: day(-6), amount: "-500.00", party: "Own account", iban: SAVINGS_IBAN, text: "Transfer to savings", ref: "BANK-0003" },
];
const CLOSING = { date: day(-2), amount: "1731.50" }; // 1000.00 + 1276.50 − 45.00 − 500.00

async function call(method, path, body, token = access) {
  const headers = { "Content-Type": "application/json", Authorization: `Bearer ${token}` };
  const r = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null, text };
}
async function api(method, path, body) {
  const r = await call(method, path, body);
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${r.text.slice(0, 500)}`);
  return r.body;
}

/** A CAMT.053.001.08 statement of the checking account, as a bank sends it. */
function camt053() {
  const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const bal = (code, b) =>
    `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="USD">${b.amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>${b.date}</Dt></Dt></Bal>`;
  const entries = LINES().map((l) => {
    const credit = !l.amount.startsWith("-");
    const party = credit ? "Dbtr" : "Cdtr";
    const acct = l.iban ? `<${party}Acct><Id><IBAN>${l.iban}</IBAN></Id></${party}Acct>` : "";
    return `<Ntry><Amt Ccy="USD">${l.amount.replace(/^-/, "")}</Amt><CdtDbtInd>${credit ? "CRDT" : "DBIT"}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>` +
      `<BookgDt><Dt>${l.date}</Dt></BookgDt><ValDt><Dt>${l.date}</Dt></ValDt><AcctSvcrRef>${l.ref}</AcctSvcrRef>` +
      `<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><RltdPties><${party}><Pty><Nm>${esc(l.party)}</Nm></Pty></${party}>${acct}</RltdPties>` +
      `<RmtInf><Ustrd>${esc(l.text)}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
<BkToCstmrStmt><GrpHdr><MsgId>E2E-1</MsgId><CreDtTm>${CLOSING.date}T08:00:00</CreDtTm></GrpHdr>
<Stmt><Id>E2E-STMT-1</Id><Acct><Id><IBAN>${IBAN}</IBAN></Id><Ccy>USD</Ccy></Acct>
${bal("PRCD", OPENING)}
${bal("CLBD", CLOSING)}
${entries.join("\n")}
</Stmt></BkToCstmrStmt></Document>
`;
}

/** Writes a file for the browser's file chooser; returns its path. */
function file(name, text) {
  const p = join(files, name);
  writeFileSync(p, text);
  return p;
}

async function signIn(p, who) {
  await p.goto(`${base}/login`);
  await p.locator("#login-form [name=email]").fill(who.email);
  await p.locator("#login-form [name=password]").fill(who.password);
  await p.locator("#login-form button[type=submit]").click();
  await p.locator("nav.sidenav").getByRole("link", { name: "Banking" }).waitFor();
}

/** Debit minus credit of an account in the trial balance as of today (API), as a decimal string. */
async function tbNet(code) {
  const tb = await api("GET", "/api/reports/trial-balance/");
  const row = tb.rows.find((r) => r.code === code);
  const cents = (s) => {
    const [i, f = ""] = String(s).replace(/,/g, "").split(".");
    return BigInt(i) * 100n + (i.startsWith("-") ? -1n : 1n) * BigInt(f.padEnd(2, "0").slice(0, 2));
  };
  const net = row ? cents(row.debit) - cents(row.credit) : 0n;
  const abs = net < 0n ? -net : net;
  return `${net < 0n ? "-" : ""}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
}

before(async () => {
  files = mkdtempSync(join(tmpdir(), "oasys-bank-files-"));
  started = await startServer("oasys-bank-");
  base = started.base;
  access = await setupFirm(started, ADMIN, { firm: "Bank Books", company: "Harbour Trading", currency: "USD" });
  const chart = await api("GET", "/api/accounting/chart-of-accounts/?page_size=200");
  for (const a of chart.results) ids[a.code] = a.id;
  // A second GL bank account, for the savings account the transfer goes to.
  const sav = await api("POST", "/api/accounting/chart-of-accounts/", { code: "1030", name: "Savings Account", type: "asset", subtype: "bank", parent: ids["1000"] });
  ids["1030"] = sav.id;
  // The checking account's opening balance is in the books before the statement starts.
  await api("POST", "/api/accounting/journal-entries/bulk/", {
    entries: [{ date: day(-30), reference: "OPEN", description: "Opening balance", lines: [{ account: ids["1020"], debit_amount: OPENING.amount }, { account: ids["3100"], credit_amount: OPENING.amount }] }],
  });
  savings = await api("POST", "/api/banking/accounts/", { name: "Savings", account: ids["1030"], iban: SAVINGS_IBAN, currency: "USD", opening_balance: "0.00", opening_date: day(-30) });
  // An issued invoice of 1,276.50 the first line pays by its number.
  const customer = await api("POST", "/api/sales/customers/", { name: "Northwind Traders", payment_terms_days: 14, revenue_account: ids["4200"] });
  const draft = await api("POST", "/api/invoicing/invoices/", {
    contact: customer.id, issue_date: day(-20),
    lines: [{ description: "Consulting", quantity: "3", unit_price: "425.50", account: ids["4200"] }],
  });
  invoice = await api("POST", `/api/invoicing/invoices/${draft.id}/issue/`, {});
  if (!invoice?.number) invoice = await api("GET", `/api/invoicing/invoices/${draft.id}/`);
  assert.equal(invoice.total, "1276.50");
  // The second user, who may approve (the CFO role has entries.approve).
  await api("POST", "/api/tenants/users/", { ...APPROVER, first_name: "Cora", last_name: "Approver", role: "cfo" });

  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on("dialog", (d) => d.accept());
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await signIn(page, ADMIN);
});

after(async () => {
  await stopAll(browser, started);
  if (files) rmSync(files, { recursive: true, force: true });
});

test("Banking in the menu; a bank account is created through the form and listed with its balances", async () => {
  await page.locator("nav.sidenav").getByRole("link", { name: "Banking" }).click();
  await page.waitForURL((u) => u.pathname === "/banking");
  await page.locator("#bank-accounts tr[data-name='Savings']").waitFor();
  await page.getByRole("link", { name: "New bank account" }).click();
  const f = page.locator("#bank-account-form");
  await f.locator("[name=name]").fill("Checking");
  await f.locator("[name=account]").selectOption(ids["1020"]);
  await f.locator("[name=iban]").fill("DE89 3704 0044 0532 0130 00");
  await f.locator("[name=bic]").fill("COBADEFFXXX");
  await f.locator("[name=bank_name]").fill("Commerzbank");
  await f.locator("[name=opening_balance]").fill(OPENING.amount);
  await f.locator("[name=opening_date]").fill(OPENING.date);
  await f.getByRole("button", { name: "Create bank account" }).click();
  await page.waitForURL((u) => u.pathname === "/banking");
  const row = page.locator("#bank-accounts tr[data-name='Checking']");
  await row.waitFor();
  // The books hold the opening entry; no statement yet; nothing to reconcile.
  assert.equal((await row.locator("[data-balance=book]").innerText()).trim(), "1,000.00");
  assert.match(await row.locator("[data-balance=statement]").innerText(), /none yet/);
  await shot(page, "bank-accounts");
  assert.equal((await row.locator("[data-balance=unreconciled]").innerText()).trim(), "0");
  const list = await api("GET", "/api/banking/accounts/?page_size=200");
  checking = list.results.find((a) => a.name === "Checking");
  assert.equal(checking.iban, IBAN, "the IBAN is stored without spaces");
  assert.equal(checking.account, ids["1020"]);
  // A bad IBAN is refused under its field.
  await page.getByRole("link", { name: "Checking" }).click();
  await page.locator("#bank-account-form [name=iban]").fill("DE00 1234");
  await page.locator("#bank-account-form").getByRole("button", { name: "Save" }).click();
  await page.locator("#bank-account-form .field-error").first().waitFor();
  assert.equal((await api("GET", `/api/banking/accounts/${checking.id}/`)).iban, IBAN, "nothing changed");
});

test("import wizard: a CAMT.053 file shows its format, period, balances and lines; commit; the same file again adds nothing", async () => {
  await page.goto(`${base}/banking/accounts/${checking.id}/import`);
  const path = file("statement.xml", camt053());
  await page.locator("#statement-file").setInputFiles(path);
  await page.locator("#import-summary").waitFor();
  assert.equal(await page.locator("#detected-format").getAttribute("data-format"), "camt053");
  assert.equal(await page.locator("#balance-check").getAttribute("data-check"), "agrees");
  assert.match(await page.locator("#import-opening").innerText(), /1,000\.00/);
  assert.match(await page.locator("#import-closing").innerText(), /1,731\.50/);
  assert.match(await page.locator("#import-counts").innerText(), /^3 · 3 new · 0 already imported/);
  assert.equal(await page.locator("#preview-lines tbody tr").count(), 3);
  assert.match(await page.locator("#preview-lines").innerText(), new RegExp(invoice.number));
  assert.equal(await page.locator("#column-mapper").count(), 0, "no column mapper for CAMT");
  await shot(page, "bank-import-preview");
  // The commit runs as a background job: 202 with the job, polled (with a progress bar) to done.
  const accepted = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith(`/api/banking/accounts/${checking.id}/imports/`));
  const polled = page.waitForResponse((r) => r.request().method() === "GET" && r.url().includes("/api/banking/import-jobs/"));
  await page.locator("#commit-import").click();
  const started = await accepted;
  assert.equal(started.status(), 202);
  const job = await started.json();
  await page.locator("#import-progress").waitFor();
  assert.equal((await polled).status(), 200);
  await page.locator("#import-done").waitFor();
  const finished = await api("GET", `/api/banking/import-jobs/${job.id}/`);
  assert.equal(finished.stage, "done");
  assert.deepEqual([finished.lines_done, finished.lines_total, finished.result.lines_new], [3, 3, 3]);
  assert.equal(await page.locator("#import-new").innerText(), "3");
  assert.equal(await page.locator("#import-duplicate").innerText(), "0");
  // Again: every line is known, nothing to commit.
  await page.getByRole("button", { name: "Import another file" }).click();
  await page.locator("#statement-file").setInputFiles(path);
  await page.locator("#import-summary").waitFor();
  assert.match(await page.locator("#import-counts").innerText(), /3 · 0 new · 3 already imported/);
  assert.ok(await page.locator("#commit-import").isDisabled());
  // The list shows the statement balance and the lines to reconcile.
  await page.goto(`${base}/banking`);
  const row = page.locator("#bank-accounts tr[data-name='Checking']");
  await row.waitFor();
  assert.match(await row.locator("[data-balance=statement]").innerText(), /1,731\.50/);
  assert.match(await row.locator("[data-balance=unreconciled]").innerText(), /3 lines/);
});

test("import wizard: the CSV column mapper previews again on every change (debit and credit columns, an inverted amount column)", async () => {
  // Semicolons, decimal commas, day-first dates, debit and credit in separate columns: the layout
  // is set in the mapper, whose column choices are the file's header names.
  const dmy = day(-3).split("-").reverse().join(".");
  const csv = `Booking date;Description;Payee;Debit;Credit\n${dmy};Coffee beans;Roastery;12,50;\n${dmy};Refund;Roastery;;3,00\n`;
  await page.goto(`${base}/banking/accounts/${savings.id}/import`);
  await page.locator("#statement-file").setInputFiles(file("savings.csv", csv));
  await page.locator("#column-mapper").waitFor();
  const m = page.locator("#column-mapper");
  await m.locator("[name=delimiter]").selectOption(";");
  await m.locator("[name=decimal_separator]").selectOption(",");
  await m.locator("[name=date_format]").selectOption("%d.%m.%Y");
  await page.waitForFunction(() => [...document.querySelectorAll("#column-mapper [name=debit_column] option")].some((o) => o.textContent.includes("Debit")));
  assert.equal(await page.locator("#detected-format").getAttribute("data-format"), "csv");
  await m.locator("[name=date_column]").selectOption("0");
  await m.locator("[name=debit_column]").selectOption("3");
  await m.locator("[name=credit_column]").selectOption("4");
  await m.locator("[name=counterparty_column]").selectOption("2");
  await page.waitForFunction(() => document.querySelectorAll("#preview-lines tbody tr").length === 2);
  const amounts = await page.locator("#preview-lines tbody td.num").allInnerTexts();
  assert.deepEqual(amounts.map((s) => s.trim()), ["-12.50", "3.00"]);
  await shot(page, "bank-import-csv");
  // A card export writes purchases as positive amounts in one column: inverting that column's sign
  // previews again with the amounts turned round.
  const card = `Date,Merchant,Amount\n${day(-3)},Roastery,12.50\n${day(-3)},Roastery refund,-3.00\n`;
  await page.locator("#statement-file").setInputFiles(file("card.csv", card));
  await page.waitForFunction(() => document.querySelector("#column-mapper [name=amount_column]")?.value === "2");
  await page.waitForFunction(() => [...document.querySelectorAll("#preview-lines tbody td.num")].map((t) => t.textContent.trim()).join("|") === "12.50|-3.00");
  await m.locator("[name=invert_amount]").check();
  await page.waitForFunction(() => [...document.querySelectorAll("#preview-lines tbody td.num")].map((t) => t.textContent.trim()).join("|") === "-12.50|3.00");
  assert.ok(await m.locator("[name=invert_amount]").isChecked(), "the layout shows the inverted column");
  await m.locator("[name=invert_amount]").uncheck();
  await page.waitForFunction(() => [...document.querySelectorAll("#preview-lines tbody td.num")].map((t) => t.textContent.trim()).join("|") === "12.50|-3.00");
  // Not committed: the savings account keeps only what the transfer brings.
});

test("the reconciliation screen shows its keys, and they do not fire while typing", async () => {
  await page.goto(`${base}/banking/accounts/${checking.id}/reconcile`);
  await page.locator("#rec-lines tr[aria-selected=true]").waitFor();
  const legend = await page.locator("#key-legend").innerText();
  for (const k of ["Enter", "x", "p", "e", "t", "f", "i"]) assert.ok(legend.includes(k), `legend lists ${k}: ${legend}`);
  // Typing the shortcut letters into a field (the new session's closing balance) types them.
  await page.locator("#session-new").click();
  const closing = page.locator("#session-start [name=closing_balance]");
  await closing.fill("");
  await closing.type("etpfix");
  assert.equal(await closing.inputValue(), "etpfix");
  await shot(page, "bank-reconcile-typing");
  assert.equal(await page.locator("dialog[open]").count(), 0, "no dialog opened while typing");
  assert.equal(await page.locator("#rec-lines tbody tr").count(), 3, "no line ignored while typing");
  await page.getByRole("button", { name: "Cancel" }).click();
  // Outside a field, j/k move the selection and `e` opens the expense dialog; Escape closes it.
  const first = await page.locator("#rec-lines tr[aria-selected=true]").getAttribute("data-line");
  await page.locator("body").press("j");
  assert.notEqual(await page.locator("#rec-lines tr[aria-selected=true]").getAttribute("data-line"), first);
  await page.locator("body").press("k");
  assert.equal(await page.locator("#rec-lines tr[aria-selected=true]").getAttribute("data-line"), first);
  await page.locator("body").press("e");
  await page.locator("#expense-dialog[open]").waitFor();
  await page.keyboard.press("Escape");
  await page.locator("#expense-dialog").waitFor({ state: "detached" });
});

/** Waits until the selected line is the one whose text contains `text`. */
async function selectLine(text) {
  for (let i = 0; i < 5; i++) {
    const t = await page.locator("#rec-lines tr[aria-selected=true]").getAttribute("data-text");
    if (t?.includes(text)) return;
    await page.locator("body").press("ArrowDown");
  }
  assert.fail(`no line with "${text}"`);
}

test("acceptance: reconciled by keyboard (Enter on the invoice, e for the expense, t for the transfer), submitted, approved by a second user", async () => {
  await page.goto(`${base}/banking/accounts/${checking.id}/reconcile`);
  await page.locator("#rec-lines tr[aria-selected=true]").waitFor();
  // A session for the statement, from the last import's date and balance.
  await page.locator("#session-new").click();
  assert.equal(await page.locator("#session-start [name=statement_date]").inputValue(), CLOSING.date);
  assert.equal(await page.locator("#session-start [name=closing_balance]").inputValue(), CLOSING.amount);
  await page.locator("#session-start").getByRole("button", { name: "Start" }).click();
  await page.locator("#session-status").waitFor();
  assert.equal(await page.locator("#session-status").innerText(), "draft");
  await page.waitForFunction(() => /1,000\.00/.test(document.querySelector("#session-book")?.textContent ?? ""));
  assert.match(await page.locator("#session-difference").innerText(), /731\.50/);

  // 1. The payment of the invoice: its suggestion is the best, with its reasons; Enter confirms it.
  await selectLine(invoice.number);
  const best = page.locator("#suggestions li").first();
  await best.waitFor();
  assert.equal(await best.getAttribute("data-kind"), "invoice");
  assert.equal(await best.getAttribute("data-reference"), invoice.number);
  assert.match(await best.locator(".explanation").innerText(), new RegExp(`${invoice.number} in the text`));
  mkdirSync(DOCS, { recursive: true });
  await page.screenshot({ path: join(DOCS, "reconciliation.png") });
  await page.locator("body").press("Enter");
  await page.waitForFunction(() => document.querySelectorAll("#rec-lines tbody tr").length === 2);
  await page.waitForFunction(() => /2,276\.50/.test(document.querySelector("#session-book")?.textContent ?? ""));
  const paid = await api("GET", `/api/invoicing/invoices/${invoice.id}/`);
  assert.equal(paid.status, "paid");

  // 2. The card payment: `e`, the account (suggested: the vendor named in the line books to 6400), Enter.
  await api("POST", "/api/purchase/vendors/", { name: "Staples", expense_account: ids["6400"] });
  await selectLine("STAPLES");
  await page.locator("body").press("e");
  const e = page.locator("#expense-dialog[open]");
  await e.waitFor();
  await e.locator("#suggest-account").click();
  const hint = e.locator("#account-hints li").first();
  await hint.waitFor();
  assert.equal(await hint.getAttribute("data-source"), "contact");
  assert.match(await hint.innerText(), /6400[\s\S]*usual account of Staples/);
  assert.equal(await e.locator("[name=account]").inputValue(), ids["6400"]);
  await e.locator("[name=account]").selectOption(ids["6400"]);
  await e.locator("[name=description]").fill("Office supplies");
  await e.locator("[name=description]").press("Enter");
  await e.waitFor({ state: "detached" });
  await page.waitForFunction(() => document.querySelectorAll("#rec-lines tbody tr").length === 1);

  // 3. The transfer to savings: `t`, the only other account is chosen, Enter.
  await selectLine("Transfer to savings");
  await page.locator("body").press("t");
  const t = page.locator("#transfer-dialog[open]");
  await t.waitFor();
  assert.equal(await t.locator("[name=bank_account]").inputValue(), savings.id);
  await t.locator("[name=bank_account]").press("Enter");
  await t.waitFor({ state: "detached" });
  await page.locator("#rec-lines").waitFor({ state: "detached" });

  // The totals agree: nothing left, difference zero; submit.
  await page.waitForFunction(() => /1,731\.50/.test(document.querySelector("#session-book")?.textContent ?? ""));
  assert.equal((await page.locator("#session-difference").innerText()).trim(), "0.00");
  await page.locator("#session-submit").click();
  await page.waitForFunction(() => document.querySelector("#session-status")?.textContent === "submitted");

  // 4. The second user approves it.
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const p = await ctx.newPage();
  p.on("dialog", (d) => d.accept());
  await signIn(p, APPROVER);
  await p.goto(`${base}/banking/accounts/${checking.id}/reconcile`);
  await p.locator("#session-approve").click();
  await p.waitForFunction(() => document.querySelector("#session-status")?.textContent === "approved");
  await ctx.close();
  const sessions = await api("GET", `/api/banking/reconciliations/?bank_account=${checking.id}`);
  assert.equal(sessions.results[0].status, "approved");
  const users = await api("GET", "/api/tenants/users/?page_size=200");
  assert.equal(sessions.results[0].approved_by, users.results.find((u) => u.email === APPROVER.email).id);
});

test("acceptance: the bank's GL balance equals the statement's closing balance, and a locked line refuses a reversal", async () => {
  assert.equal(await tbNet("1020"), CLOSING.amount);
  assert.equal(await tbNet("1030"), "500.00", "the transfer reached the savings account");
  const lines = await api("GET", `/api/banking/accounts/${checking.id}/lines/?status=reconciled`);
  assert.equal(lines.count, 3);
  const expense = lines.results.find((l) => l.text.includes("STAPLES"));
  assert.ok(expense.journal_entry, "the expense line is matched to its entry");
  const before = await tbNet("6400");
  assert.equal(before, "45.00");
  const r = await call("POST", `/api/accounting/journal-entries/${expense.journal_entry}/reverse/`, {});
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.detail, /reconciled in the session of/);
  assert.equal(await tbNet("6400"), before, "nothing changed");
  assert.equal(await tbNet("1020"), CLOSING.amount);
  // The list shows the books and the statement agreeing, nothing left to reconcile.
  await page.goto(`${base}/banking`);
  const row = page.locator("#bank-accounts tr[data-name='Checking']");
  await row.waitFor();
  assert.equal((await row.locator("[data-balance=book]").innerText()).trim(), "1,731.50");
  assert.equal((await row.locator("[data-balance=unreconciled]").innerText()).trim(), "0");
});

test("rules editor: a rule is created, edited and deleted; a bad regex is refused under its field", async () => {
  await page.goto(`${base}/banking/rules`);
  await page.locator("#new-rule").click();
  const d = page.locator("#rule-dialog");
  await d.locator("[name=name]").fill("Coffee");
  await d.locator("[name=text_regex]").fill("(unclosed");
  await d.locator("[name=account]").selectOption(ids["6400"]);
  await d.getByRole("button", { name: "Create rule" }).click();
  await d.locator(".field-error").first().waitFor();
  assert.match(await d.locator("label:has([name=text_regex]) .field-error").innerText(), /.+/);
  await d.locator("[name=text_regex]").fill("");
  await d.locator("[name=text_contains]").fill("ROASTERY");
  await d.locator("[name=description]").fill("Coffee for the office");
  await d.getByRole("button", { name: "Create rule" }).click();
  await d.waitFor({ state: "detached" });
  const row = page.locator("#rules tr[data-name='Coffee']");
  await row.waitFor();
  assert.match(await row.innerText(), /ROASTERY/);
  await row.getByRole("button", { name: "Edit" }).click();
  await d.locator("[name=priority]").fill("5");
  await d.getByRole("button", { name: "Save rule" }).click();
  await d.waitFor({ state: "detached" });
  await page.waitForFunction(() => document.querySelector("#rules tr[data-name='Coffee'] td")?.textContent === "5");
  const rules = await api("GET", "/api/banking/rules/");
  assert.equal(rules.results.find((r) => r.name === "Coffee").priority, 5);
  await row.getByRole("button", { name: "Delete" }).click();
  await row.waitFor({ state: "detached" });
  assert.equal((await api("GET", "/api/banking/rules/")).count, 0);
});
