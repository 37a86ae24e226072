import { render, type FunctionComponent } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Link, Route, Switch, useLocation } from "wouter-preact";
import { navigate } from "wouter-preact/use-browser-location";
import { get, post, session, setExpiredHandler } from "./api";
import { can, loadSession, signOutLocal, switchCompany, useAuth } from "./auth";
import { ErrorBox, Loading, Toasts, toastError } from "./ui";
import { Login, Profile, Setup, SetupMissing } from "./pages/session";
import { Dashboard } from "./pages/dashboard";
import { Accounts } from "./pages/accounts";
import { JournalList } from "./pages/journal";
import { EntryForm } from "./pages/entry";
import { EntryDetail } from "./pages/entryDetail";
import { Periods } from "./pages/periods";
import { GeneralLedger, ReportsIndex, TrialBalancePage } from "./pages/reports";
import { FinancialStatementPage } from "./pages/financial";
import { ConsolidationPage } from "./pages/consolidation";
import { Companies, Firm, Users } from "./pages/settings";
import { GlobalSearch, SearchPage } from "./search";
import "./styles.css";

/**
 * A page loaded on first use: its code is a chunk of its own, out of the first-load bundle (as
 * the dashboard's chart library is). Shows the loading state meanwhile; a chunk that fails to
 * load (a new release replaced it) asks for a reload.
 */
function lazy<P extends object>(load: () => Promise<FunctionComponent<P>>): FunctionComponent<P> {
  let C: FunctionComponent<P> | undefined;
  let failed: Error | undefined;
  let pending: Promise<void> | undefined;
  return function Lazy(props: P) {
    const [, tick] = useState(0);
    useEffect(() => {
      if (C || failed) return;
      let on = true;
      pending ??= load().then(
        (c) => void (C = c),
        (e) => void ((failed = new Error(`This page could not be loaded (${e?.message ?? e}). Reload the page.`)), (pending = undefined)),
      );
      pending.then(() => on && tick((n) => n + 1));
      return () => void (on = false);
    }, []);
    if (C) return <C {...props} />;
    if (failed) return <ErrorBox error={failed} />;
    return <Loading />;
  };
}

const contactsPage = () => import("./pages/contacts");
const itemsPage = () => import("./pages/items");
const ContactList = lazy(() => contactsPage().then((m) => m.ContactList));
const ContactPage = lazy(() => contactsPage().then((m) => m.ContactPage));
const DocumentList = lazy(() => import("./pages/documents/list").then((m) => m.DocumentList));
const DocumentEditor = lazy(() => import("./pages/documents/editor").then((m) => m.DocumentEditor));
const DocumentView = lazy(() => import("./pages/documents/view").then((m) => m.DocumentView));
const salesPages = () => import("./sales/pages");
const SalesList = lazy(() => salesPages().then((m) => m.SalesList));
const SalesEditor = lazy(() => salesPages().then((m) => m.SalesEditor));
const SalesView = lazy(() => salesPages().then((m) => m.SalesView));
const DeliveryList = lazy(() => salesPages().then((m) => m.DeliveryList));
const DeliveryView = lazy(() => salesPages().then((m) => m.DeliveryView));
const Items = lazy(() => itemsPage().then((m) => m.Items));
const TaxRates = lazy(() => itemsPage().then((m) => m.TaxRates));
const ExchangeRates = lazy(() => import("./pages/exchangeRates").then((m) => m.ExchangeRates));
const Revaluation = lazy(() => import("./pages/revaluation").then((m) => m.Revaluation));
const DocumentsInbox = lazy(() => import("./pages/files").then((m) => m.DocumentsInbox));
const DocumentPage = lazy(() => import("./pages/files").then((m) => m.DocumentPage));
const ReviewQueue = lazy(() => import("./pages/capture").then((m) => m.ReviewQueue));
const Budgets = lazy(() => import("./pages/budgets").then((m) => m.Budgets));
const purchasesPages = () => import("./purchases/pages");
const PurchaseOrders = lazy(() => purchasesPages().then((m) => m.PurchaseOrders));
const PurchaseOrderNew = lazy(() => purchasesPages().then((m) => m.PurchaseOrderNew));
const PurchaseOrderView = lazy(() => purchasesPages().then((m) => m.PurchaseOrderView));
const Receipts = lazy(() => purchasesPages().then((m) => m.Receipts));
const ReceiptView = lazy(() => purchasesPages().then((m) => m.ReceiptView));
const BillMatchView = lazy(() => purchasesPages().then((m) => m.BillMatchView));
const recurringPage = () => import("./pages/recurring");
const RecurringList = lazy(() => recurringPage().then((m) => m.RecurringList));
const RecurringPage = lazy(() => recurringPage().then((m) => m.RecurringPage));
const StatementPage = lazy(() => import("./pages/statement").then((m) => m.StatementPage));
const DocumentSettings = lazy(() => import("./pages/documentSettings").then((m) => m.DocumentSettings));
const Payments = lazy(() => import("./pages/payments").then((m) => m.Payments));
const AgedReport = lazy(() => import("./pages/aged").then((m) => m.AgedReport));
const TaxReturnPage = lazy(() => import("./pages/taxReturn").then((m) => m.TaxReturnPage));
const bankAccountsPage = () => import("./pages/banking/accounts");
const BankAccountList = lazy(() => bankAccountsPage().then((m) => m.BankAccountList));
const BankAccountForm = lazy(() => bankAccountsPage().then((m) => m.BankAccountForm));
const ImportWizard = lazy(() => import("./pages/banking/import").then((m) => m.ImportWizard));
const Reconcile = lazy(() => import("./pages/banking/reconcile").then((m) => m.Reconcile));
const BankRules = lazy(() => import("./pages/banking/rules").then((m) => m.Rules));
const inventoryReports = () => import("./inventory/reports");
const InventoryIndex = lazy(() => inventoryReports().then((m) => m.InventoryIndex));
const OnHandPage = lazy(() => inventoryReports().then((m) => m.OnHandPage));
const ValuationPage = lazy(() => inventoryReports().then((m) => m.ValuationPage));
const MovementsPage = lazy(() => inventoryReports().then((m) => m.MovementsPage));
const ReorderPage = lazy(() => inventoryReports().then((m) => m.ReorderPage));
const MarginPage = lazy(() => inventoryReports().then((m) => m.MarginPage));
const StockItems = lazy(() => import("./inventory/items").then((m) => m.StockItems));
const Warehouses = lazy(() => import("./inventory/warehouses").then((m) => m.Warehouses));
const StockMoves = lazy(() => import("./inventory/moves").then((m) => m.Moves));
const CountSheet = lazy(() => import("./inventory/count").then((m) => m.CountSheet));

type Kind = "invoice" | "credit_note" | "bill" | "vendor_credit";
const DOC_ROUTES: [string, Kind][] = [
  ["/sales/invoices", "invoice"],
  ["/sales/credit-notes", "credit_note"],
  ["/purchases/bills", "bill"],
  ["/purchases/vendor-credits", "vendor_credit"],
];
const CONTACT_ROUTES: [string, "sales" | "purchase"][] = [
  ["/sales/customers", "sales"],
  ["/purchases/vendors", "purchase"],
];

function currentPath() {
  return location.pathname + location.search;
}

/** Session over: remember where the user was and ask them to sign in again. */
setExpiredHandler(() => {
  if (location.pathname === "/login") return;
  signOutLocal();
  navigate(`/login?next=${encodeURIComponent(currentPath())}`, { replace: true });
});

interface NavItem {
  module: string;
  href: string;
  show: boolean;
  items?: [string, string, boolean][];
}

function Shell() {
  const { user, companies, company } = useAuth();
  const [location] = useLocation();
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [location]);
  if (!user) return <Loading />;
  const reports = can(user, "reports.view");
  const settings = can(user, "users.view") || can(user, "companies.manage") || can(user, "firm.manage");
  const docs = can(user, "documents.view");
  const ledger = can(user, "ledger.view");
  // The document template, logo and tax rounding: Settings → Documents, for those who issue documents.
  const docSettings = can(user, "documents.issue");
  const nav: NavItem[] = [
    { module: "Dashboard", href: "/", show: true },
    {
      module: "Accounting",
      href: "/accounting/accounts",
      show: can(user, "ledger.view"),
      items: [
        ["Chart of accounts", "/accounting/accounts", true],
        ["Journal", "/accounting/journal", true],
        ["New entry", "/accounting/journal/new", can(user, "ledger.edit")],
        ["Periods", "/accounting/periods", can(user, "ledger.view")],
        ["Tax rates", "/accounting/tax-rates", docs],
        ["Exchange rates", "/accounting/exchange-rates", true],
        ["Revaluation run", "/accounting/revaluation", true],
        ["Budgets", "/accounting/budgets", true],
      ],
    },
    {
      module: "Sales",
      href: "/sales/invoices",
      show: docs,
      items: [
        ["Customers", "/sales/customers", true],
        ["Quotes", "/sales/quotes", true],
        ["Sales orders", "/sales/orders", true],
        ["Deliveries", "/sales/deliveries", true],
        ["Invoices", "/sales/invoices", true],
        ["Credit notes", "/sales/credit-notes", true],
        ["Recurring invoices", "/sales/recurring", true],
      ],
    },
    {
      module: "Purchases",
      href: "/purchases/bills",
      show: docs,
      items: [
        ["Vendors", "/purchases/vendors", true],
        ["Purchase orders", "/purchases/orders", true],
        ["Receipts", "/purchases/receipts", true],
        ["Bills", "/purchases/bills", true],
        ["Vendor credits", "/purchases/vendor-credits", true],
      ],
    },
    { module: "Payments", href: "/payments", show: docs },
    { module: "Items", href: "/items", show: docs },
    {
      module: "Inventory",
      href: "/inventory",
      show: docs || reports,
      items: [
        ["Stock items", "/inventory/items", docs],
        ["Warehouses", "/inventory/warehouses", docs],
        ["Moves", "/inventory/moves", docs],
        ["Stock count", "/inventory/count", docs],
        ["On hand", "/inventory/reports/on-hand", reports],
        ["Valuation", "/inventory/reports/valuation", reports],
        ["Movements", "/inventory/reports/movements", reports],
        ["Reorder", "/inventory/reports/reorder", reports],
        ["Margin", "/inventory/reports/margin", reports],
      ],
    },
    {
      module: "Banking",
      href: "/banking",
      show: can(user, "ledger.view"),
      items: [
        ["Bank accounts", "/banking", true],
        ["Rules", "/banking/rules", true],
      ],
    },
    {
      module: "Reports",
      href: "/reports",
      show: reports,
      items: [
        ["Balance sheet", "/reports/balance-sheet", true],
        ["Profit and loss", "/reports/profit-and-loss", true],
        ["Cash flow", "/reports/cash-flow", true],
        ["Changes in equity", "/reports/equity-changes", true],
        ["Trial balance", "/reports/trial-balance", true],
        ["General ledger", "/reports/general-ledger", true],
        ["Consolidation", "/reports/consolidation", true],
        ["Aged receivables", "/reports/aged-receivables", docs],
        ["Aged payables", "/reports/aged-payables", docs],
        ["Tax return", "/reports/tax-return", true],
      ],
    },
    {
      module: "Documents",
      href: "/documents",
      show: docs,
      items: [
        ["Inbox", "/documents", docs],
        ["Review queue", "/documents/review", docs],
      ],
    },
    {
      module: "Settings",
      href: settings ? "/settings/firm" : "/settings/documents",
      show: settings || docSettings,
      items: [
        ["Firm", "/settings/firm", settings],
        ["Companies", "/settings/companies", settings],
        ["Users", "/settings/users", can(user, "users.view")],
        ["Documents", "/settings/documents", docSettings],
      ],
    },
  ];
  const active = (href: string) => (href === "/" ? location === "/" : location.startsWith("/" + href.split("/")[1]));
  return (
    <div class="shell">
      <header class="topbar">
        <button class="menu-btn" aria-label="Menu" aria-expanded={open} onClick={() => setOpen(!open)}>
          ☰
        </button>
        <Link href="/" class="brand">OASYS</Link>
        {companies.length > 1 ? (
          <select
            class="company-switch"
            aria-label="Company"
            value={company?.id}
            onChange={(e) => {
              switchCompany((e.target as HTMLSelectElement).value);
            }}
          >
            {companies.map((c) => (
              <option value={c.id}>{c.name}</option>
            ))}
          </select>
        ) : (
          <span class="company-name">{company?.name}</span>
        )}
        <span class="spacer" />
        {(can(user, "ledger.view") || can(user, "documents.view")) && <GlobalSearch />}
        <Link href="/profile" class="user-link">{user.first_name || user.email}</Link>
        <button class="link" onClick={logout}>Sign out</button>
      </header>
      <nav class={`sidenav ${open ? "open" : ""}`} aria-label="Modules">
        {nav.filter((n) => n.show).map((n) => (
          <div class="nav-group" key={n.module} data-module={n.module}>
            <Link href={n.href} class={`nav-module ${active(n.href) ? "active" : ""}`}>{n.module}</Link>
            {n.items && active(n.href) && (
              <div class="nav-items">
                {n.items.filter((i) => i[2]).map(([label, href], _, shown) => (
                  <Link href={href} class={itemActive(location, href, shown) ? "active" : ""} aria-current={itemActive(location, href, shown) ? "page" : undefined}>{label}</Link>
                ))}
              </div>
            )}
          </div>
        ))}
      </nav>
      <main class="content" key={company?.id}>
        <Switch>
          <Route path="/" component={Dashboard} />
          <Route path="/accounting/accounts" component={Accounts} />
          <Route path="/accounting/journal" component={JournalList} />
          <Route path="/accounting/journal/new">{() => <EntryForm />}</Route>
          <Route path="/accounting/journal/:id/edit">{(p: { id: string }) => <EntryForm id={p.id} />}</Route>
          <Route path="/accounting/journal/:id">{(p: { id: string }) => <EntryDetail id={p.id} />}</Route>
          <Route path="/accounting/periods" component={Periods} />
          <Route path="/accounting/tax-rates">{docs ? <TaxRates /> : <Forbidden />}</Route>
          <Route path="/accounting/exchange-rates">{ledger ? <ExchangeRates /> : <Forbidden />}</Route>
          <Route path="/accounting/revaluation">{ledger ? <Revaluation /> : <Forbidden />}</Route>
          <Route path="/accounting/budgets">{ledger ? <Budgets /> : <Forbidden />}</Route>
          <Route path="/accounting">{() => <Redirect to="/accounting/accounts" />}</Route>
          <Route path="/purchases/orders">{docs ? <PurchaseOrders /> : <Forbidden />}</Route>
          <Route path="/purchases/orders/new">{docs ? <PurchaseOrderNew /> : <Forbidden />}</Route>
          <Route path="/purchases/orders/:id">{(p: { id: string }) => (docs ? <PurchaseOrderView id={p.id} key={p.id} /> : <Forbidden />)}</Route>
          <Route path="/purchases/receipts">{docs ? <Receipts /> : <Forbidden />}</Route>
          <Route path="/purchases/receipts/:id">{(p: { id: string }) => (docs ? <ReceiptView id={p.id} key={p.id} /> : <Forbidden />)}</Route>
          <Route path="/purchases/bills/:id/match">{(p: { id: string }) => (docs ? <BillMatchView id={p.id} key={p.id} /> : <Forbidden />)}</Route>
          <Route path="/sales/customers/:id/statement">{(p: { id: string }) => (docs ? <StatementPage id={p.id} key={p.id} /> : <Forbidden />)}</Route>
          <Route path="/sales/quotes">{docs ? <SalesList kind="quote" key="quotes" /> : <Forbidden />}</Route>
          <Route path="/sales/quotes/new">{docs ? <SalesEditor kind="quote" key="quotes/new" /> : <Forbidden />}</Route>
          <Route path="/sales/quotes/:id">{(p: { id: string }) => (docs ? <SalesView kind="quote" id={p.id} key={p.id} /> : <Forbidden />)}</Route>
          <Route path="/sales/orders">{docs ? <SalesList kind="order" key="orders" /> : <Forbidden />}</Route>
          <Route path="/sales/orders/new">{docs ? <SalesEditor kind="order" key="orders/new" /> : <Forbidden />}</Route>
          <Route path="/sales/orders/:id">{(p: { id: string }) => (docs ? <SalesView kind="order" id={p.id} key={p.id} /> : <Forbidden />)}</Route>
          <Route path="/sales/deliveries">{docs ? <DeliveryList /> : <Forbidden />}</Route>
          <Route path="/sales/deliveries/:id">{(p: { id: string }) => (docs ? <DeliveryView id={p.id} key={p.id} /> : <Forbidden />)}</Route>
          <Route path="/sales/recurring">{docs ? <RecurringList /> : <Forbidden />}</Route>
          <Route path="/sales/recurring/new">{docs ? <RecurringPage key="new" /> : <Forbidden />}</Route>
          <Route path="/sales/recurring/:id">{(p: { id: string }) => (docs ? <RecurringPage id={p.id} key={p.id} /> : <Forbidden />)}</Route>
          {CONTACT_ROUTES.flatMap(([base, side]) => [
            <Route path={base}>{docs ? <ContactList side={side} key={base} /> : <Forbidden />}</Route>,
            <Route path={`${base}/new`}>{docs ? <ContactPage side={side} key={`${base}/new`} /> : <Forbidden />}</Route>,
            <Route path={`${base}/:id`}>{(p: { id: string }) => (docs ? <ContactPage side={side} id={p.id} key={p.id} /> : <Forbidden />)}</Route>,
          ])}
          {DOC_ROUTES.flatMap(([base, kind]) => [
            <Route path={base}>{docs ? <DocumentList kind={kind} key={base} /> : <Forbidden />}</Route>,
            <Route path={`${base}/new`}>{docs ? <DocumentEditor kind={kind} key={`${base}/new`} /> : <Forbidden />}</Route>,
            <Route path={`${base}/:id/edit`}>{(p: { id: string }) => (docs ? <DocumentEditor kind={kind} id={p.id} key={`${p.id}/edit`} /> : <Forbidden />)}</Route>,
            <Route path={`${base}/:id`}>{(p: { id: string }) => (docs ? <DocumentView kind={kind} id={p.id} key={p.id} /> : <Forbidden />)}</Route>,
          ])}
          <Route path="/sales">{() => <Redirect to="/sales/invoices" />}</Route>
          <Route path="/purchases">{() => <Redirect to="/purchases/bills" />}</Route>
          <Route path="/purchase">{() => <Redirect to="/purchases/bills" />}</Route>
          <Route path="/payments">{docs ? <Payments /> : <Forbidden />}</Route>
          <Route path="/items">{docs ? <Items /> : <Forbidden />}</Route>
          <Route path="/inventory">{docs || reports ? <InventoryIndex /> : <Forbidden />}</Route>
          <Route path="/inventory/items">{docs ? <StockItems /> : <Forbidden />}</Route>
          <Route path="/inventory/warehouses">{docs ? <Warehouses /> : <Forbidden />}</Route>
          <Route path="/inventory/moves">{docs ? <StockMoves /> : <Forbidden />}</Route>
          <Route path="/inventory/count">{docs ? <CountSheet /> : <Forbidden />}</Route>
          <Route path="/inventory/reports/on-hand">{reports ? <OnHandPage /> : <Forbidden />}</Route>
          <Route path="/inventory/reports/valuation">{reports ? <ValuationPage /> : <Forbidden />}</Route>
          <Route path="/inventory/reports/movements">{reports ? <MovementsPage key={location} /> : <Forbidden />}</Route>
          <Route path="/inventory/reports/reorder">{reports ? <ReorderPage /> : <Forbidden />}</Route>
          <Route path="/inventory/reports/margin">{reports ? <MarginPage /> : <Forbidden />}</Route>
          <Route path="/reports/balance-sheet">{reports ? <FinancialStatementPage kind="balance-sheet" key="bs" /> : <Forbidden />}</Route>
          <Route path="/reports/profit-and-loss">{reports ? <FinancialStatementPage kind="profit-and-loss" key="pl" /> : <Forbidden />}</Route>
          <Route path="/reports/cash-flow">{reports ? <FinancialStatementPage kind="cash-flow" key="cf" /> : <Forbidden />}</Route>
          <Route path="/reports/consolidation">{reports ? <ConsolidationPage /> : <Forbidden />}</Route>
          <Route path="/reports/equity-changes">{reports ? <FinancialStatementPage kind="equity-changes" key="eq" /> : <Forbidden />}</Route>
          <Route path="/reports/trial-balance">{reports ? <TrialBalancePage /> : <Forbidden />}</Route>
          <Route path="/reports/general-ledger">{reports ? <GeneralLedger /> : <Forbidden />}</Route>
          <Route path="/reports/aged-receivables">{reports && docs ? <AgedReport side="sales" key="ar" /> : <Forbidden />}</Route>
          <Route path="/reports/aged-payables">{reports && docs ? <AgedReport side="purchase" key="ap" /> : <Forbidden />}</Route>
          <Route path="/reports/tax-return">{reports ? <TaxReturnPage /> : <Forbidden />}</Route>
          <Route path="/reports">{reports ? <ReportsIndex /> : <Forbidden />}</Route>
          <Route path="/settings/firm">{settings ? <Firm /> : <Forbidden />}</Route>
          <Route path="/settings/companies">{settings ? <Companies /> : <Forbidden />}</Route>
          <Route path="/settings/users">{can(user, "users.view") ? <Users /> : <Forbidden />}</Route>
          <Route path="/settings/documents">{docs ? <DocumentSettings /> : <Forbidden />}</Route>
          <Route path="/settings">{() => <Redirect to={settings || !docSettings ? "/settings/firm" : "/settings/documents"} />}</Route>
          <Route path="/banking">{ledger ? <BankAccountList /> : <Forbidden />}</Route>
          <Route path="/banking/rules">{ledger ? <BankRules /> : <Forbidden />}</Route>
          <Route path="/banking/accounts/new">{ledger ? <BankAccountForm key="new" /> : <Forbidden />}</Route>
          <Route path="/banking/accounts/:id/import">{(p: { id: string }) => (ledger ? <ImportWizard id={p.id} key={p.id} /> : <Forbidden />)}</Route>
          <Route path="/banking/accounts/:id/reconcile">{(p: { id: string }) => (ledger ? <Reconcile id={p.id} key={p.id} /> : <Forbidden />)}</Route>
          <Route path="/banking/accounts/:id">{(p: { id: string }) => (ledger ? <BankAccountForm id={p.id} key={p.id} /> : <Forbidden />)}</Route>
          <Route path="/search" component={SearchPage} />
          <Route path="/documents/review">{docs ? <ReviewQueue /> : <Forbidden />}</Route>
          <Route path="/documents/:id">{(p: { id: string }) => (docs ? <DocumentPage id={p.id} key={p.id} /> : <Forbidden />)}</Route>
          <Route path="/documents">{docs ? <DocumentsInbox /> : <Forbidden />}</Route>
          <Route path="/profile" component={Profile} />
          <Route path="/:module">{(p: { module: string }) => <Later module={p.module} />}</Route>
          <Route>
            <NotFound />
          </Route>
        </Switch>
      </main>
      <Toasts />
    </div>
  );
}

/** A sub-menu item is current on its own page, and on the pages under it when no item is exactly current. */
function itemActive(location: string, href: string, shown: [string, string, boolean][]): boolean {
  if (location === href) return true;
  return location.startsWith(href + "/") && !shown.some((i) => i[1] === location);
}

/**
 * The top bar's search box. For now it searches the journal: it opens the journal list with
 * `?search=<text>` (reference, description), which the journal page reads from the URL.
 * Documents join the search when the documents module lands (then this becomes a results page
 * over both, or a choice of where to look).
 */
function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

const LATER = ["documents"];
function Later({ module }: { module: string }) {
  if (!LATER.includes(module)) return <NotFound />;
  const name = module[0].toUpperCase() + module.slice(1);
  return (
    <section class="page">
      <h1>{name}</h1>
      <p class="empty">{name} is coming with a later release. The ledger, its reports and the settings work today.</p>
    </section>
  );
}
function NotFound() {
  return (
    <section class="page">
      <h1>Not found</h1>
      <p>
        There is no page here. <Link href="/">Go to the dashboard</Link>.
      </p>
    </section>
  );
}
function Forbidden() {
  return (
    <section class="page">
      <h1>Not available</h1>
      <p>Your role does not give access to this page.</p>
    </section>
  );
}

async function logout() {
  const refresh = session.refresh();
  try {
    await post("/api/auth/logout/", refresh ? { refresh } : {});
  } catch {
    /* already signed out */
  }
  signOutLocal();
  navigate("/login", { replace: true });
}

type Boot = "loading" | "setup" | "setup-missing" | "anon" | "in";

function App() {
  const [boot, setBoot] = useState<Boot>("loading");
  const [location] = useLocation();
  const { user } = useAuth();
  useEffect(() => {
    (async () => {
      const status = await get<{ setup_required: boolean }>("/api/setup/").catch(() => ({ setup_required: false }));
      if (status.setup_required) {
        const token = new URLSearchParams(window.location.search).get("token");
        setBoot(token ? "setup" : "setup-missing");
        return;
      }
      if (session.access()) {
        try {
          await loadSession();
          setBoot("in");
          return;
        } catch (e) {
          signOutLocal();
        }
      }
      setBoot("anon");
    })();
  }, []);
  useEffect(() => {
    if (boot === "anon" && !user && location !== "/login") {
      const here = currentPath();
      navigate(here === "/" || here.startsWith("/setup") ? "/login" : `/login?next=${encodeURIComponent(here)}`, { replace: true });
    }
  }, [boot, user, location]);
  if (boot === "loading") return <Loading />;
  if (boot === "setup") return <Setup onDone={() => setBoot("in")} />;
  if (boot === "setup-missing") return <SetupMissing />;
  if (!user || location === "/login") {
    return (
      <>
        <Login
          onDone={(next) => {
            setBoot("in");
            navigate(next && next.startsWith("/") && !next.startsWith("//") ? next : "/", { replace: true });
          }}
        />
        <Toasts />
      </>
    );
  }
  return <Shell />;
}

window.addEventListener("unhandledrejection", (e) => toastError(e.reason));
render(<App />, document.getElementById("app")!);
