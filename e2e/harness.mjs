// What every browser-test file needs: the real `oasys` release binary on a free port with a fresh
// data dir (its one-time setup link read from stdout), Debian's Chromium, and a clean stop.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const BIN = process.env.OASYS_BIN ?? join(process.env.CARGO_TARGET_DIR ?? "/work/target", "release", "oasys");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

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

/**
 * Creates the first firm through the setup link `startServer` read, with `admin` as its owner
 * (Ada Owner); resolves to the owner's access token.
 */
export async function setupFirm(started, admin, { firm, company, currency }) {
  const setup = await fetch(`${started.base}/api/setup/`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      token: new URL(started.setupLink).searchParams.get("token"),
      firm_name: firm, company_name: company, currency, timezone: "UTC",
      first_name: "Ada", last_name: "Owner", email: admin.email, password: admin.password,
    }),
  });
  const text = await setup.text();
  if (!setup.ok) throw new Error(`setup: ${setup.status} ${text}`);
  return JSON.parse(text).tokens.access;
}

/** Starts the server; resolves once it prints its setup link and answers /api/health/. */
export async function startServer(prefix) {
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(BIN, ["--data-dir", join(tmp, "data"), "serve", "--listen", `127.0.0.1:${port}`], {
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
      try {
        const r = await fetch(`${base}/api/health/`);
        if (r.ok) return { server, base, setupLink: m[1], tmp };
      } catch {}
    }
    if (server.exitCode !== null) throw new Error(`server exited:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no setup link or health within 60 s:\n${out}`);
}

/** Headless Chromium with the flags this machine's closed network needs. Playwright gives every
 * launch a fresh, empty --user-data-dir of its own. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/** Closes the browser, stops the server with SIGTERM and removes its data dir. */
export async function stopAll(browser, started) {
  await browser?.close();
  const server = started?.server;
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
  }
  if (started?.tmp) rmSync(started.tmp, { recursive: true, force: true });
}
