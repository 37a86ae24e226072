// A minimal first-run page: set up the firm, sign in, sign out. The full web app replaces it.
"use strict";

const $ = (id) => document.getElementById(id);

function say(text, ok) {
  $("message").textContent = text;
  $("message").className = ok ? "ok" : "";
}

function errorText(body) {
  if (!body || typeof body !== "object") return "Something went wrong.";
  if (body.detail) return body.detail;
  if (body.error) return body.error;
  return Object.entries(body).map(([k, v]) => `${k}: ${[].concat(v).join(" ")}`).join("; ");
}

async function api(method, path, body, token) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error(errorText(data));
  return data;
}

function formData(form) {
  return Object.fromEntries(new FormData(form).entries());
}

function show(id) {
  for (const s of ["setup", "login", "home"]) $(s).hidden = s !== id;
}

async function home() {
  const token = sessionStorage.getItem("access");
  if (!token) return show("login");
  try {
    const me = await api("GET", "/api/auth/me/", null, token);
    const companies = await api("GET", "/api/tenants/companies/", null, token);
    $("welcome").textContent = `Welcome, ${me.first_name || me.email}`;
    $("companies").replaceChildren(...companies.results.map((c) => {
      const li = document.createElement("li");
      li.textContent = `${c.name} (${c.currency})`;
      return li;
    }));
    show("home");
  } catch (e) {
    sessionStorage.removeItem("access");
    show("login");
  }
}

function signedIn(data) {
  sessionStorage.setItem("access", data.tokens.access);
  sessionStorage.setItem("refresh", data.tokens.refresh);
  history.replaceState(null, "", "/");
  say("", true);
  home();
}

async function start() {
  $("setup").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const token = new URLSearchParams(location.search).get("token") || "";
    try {
      signedIn(await api("POST", "/api/setup/", { ...formData(ev.target), token }));
    } catch (e) { say(e.message); }
  });
  $("login").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try { signedIn(await api("POST", "/api/auth/login/", formData(ev.target))); } catch (e) { say(e.message); }
  });
  $("logout").addEventListener("click", async () => {
    const token = sessionStorage.getItem("access");
    const refresh = sessionStorage.getItem("refresh");
    sessionStorage.clear();
    try { await api("POST", "/api/auth/logout/", { refresh }, token); } catch (e) { /* already signed out */ }
    show("login");
  });
  const status = await api("GET", "/api/setup/").catch(() => ({ setup_required: false }));
  if (status.setup_required) {
    if (!new URLSearchParams(location.search).get("token")) {
      say("Open the one-time setup link printed in the server's console to create your firm.");
      return;
    }
    show("setup");
    return;
  }
  home();
}

start();
