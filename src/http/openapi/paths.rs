//! Every operation of the API, in the order of the router in `http/mod.rs`. The router and this
//! list are compared by `tests/api/openapi.rs` (paths as registered, methods as answered).

use utoipa::openapi::path::HttpMethod::{Delete, Get, Patch, Post, Put};

use super::ops::{Access, Body, Kind, Op, op};
use super::schemas::{page, reference as r};

const PUBLIC: Access = Access::Public;
const USER: Access = Access::User;

fn platform() -> Vec<Op> {
    vec![
        op(Get, "/api/schema/", "schema", "Meta", "This OpenAPI document")
            .access(PUBLIC)
            .ok(super::schemas::object(Vec::new())),
        op(
            Get,
            "/api/health/",
            "health",
            "Meta",
            "Version, and whether the database answers",
        )
        .access(PUBLIC)
        .ok(r("Health"))
        .or(503, "The database does not answer"),
        op(
            Get,
            "/metrics",
            "metrics",
            "Meta",
            "Prometheus metrics: requests by route and status, latencies, pools, firms, last backup",
        )
        .about("Off unless `metrics.enabled`; answered only to loopback clients that are not behind a proxy, unless `metrics.allow_remote`.")
        .access(PUBLIC)
        .answer(super::ops::Answer::Metrics)
        .or(403, "Not a loopback client, or a proxied request")
        .or(404, "Metrics are off (`metrics.enabled = false`)"),
        op(
            Get,
            "/api/setup/",
            "setupStatus",
            "Meta",
            "Whether first-run setup is still open",
        )
        .access(PUBLIC)
        .ok(r("SetupStatus")),
        op(
            Post,
            "/api/setup/",
            "setup",
            "Meta",
            "First-run setup: the first firm and its administrator",
        )
        .about("Needs the one-time token printed by `oasys serve` while no user exists.")
        .access(PUBLIC)
        .body(Body::Json("SetupRequest"))
        .created(r("SignedIn"))
        .or(403, "Wrong token, or setup is done")
        .or(409, "Conflicts with stored data"),
        op(
            Post,
            "/api/auth/login/",
            "login",
            "Auth",
            "Log in: the user and a token pair",
        )
        .access(PUBLIC)
        .body(Body::Json("LoginRequest"))
        .ok(r("SignedIn"))
        .or(401, "Wrong e-mail or password, or an inactive user or firm")
        .or(429, "Too many failed attempts; see `Retry-After`"),
        op(
            Post,
            "/api/auth/register/",
            "register",
            "Auth",
            "Register a new firm and its administrator",
        )
        .access(PUBLIC)
        .body(Body::Json("RegisterRequest"))
        .created(r("SignedIn"))
        .or(403, "Registration is turned off on this server")
        .or(409, "Conflicts with stored data"),
        op(
            Post,
            "/api/auth/token/refresh/",
            "refreshToken",
            "Auth",
            "A new token pair for a refresh token",
        )
        .about("Refresh tokens are single use: presenting a used one ends its whole family.")
        .access(PUBLIC)
        .body(Body::Json("RefreshRequest"))
        .ok(r("Tokens"))
        .or(401, "Invalid, expired or reused refresh token"),
        op(
            Post,
            "/api/auth/logout/",
            "logout",
            "Auth",
            "Log out (optionally everywhere)",
        )
        .access(USER)
        .body(Body::Json("LogoutRequest"))
        .ok(r("LoggedOut")),
        op(Get, "/api/auth/me/", "me", "Auth", "The calling user")
            .access(USER)
            .ok(r("User")),
        op(
            Patch,
            "/api/auth/me/",
            "updateMe",
            "Auth",
            "Change the caller's name and profile",
        )
        .access(USER)
        .body(Body::Json("MeUpdate"))
        .ok(r("User"))
        .or(409, "Conflicts with stored data"),
        op(
            Post,
            "/api/auth/password/",
            "changePassword",
            "Auth",
            "Change the caller's password",
        )
        .about("Every token the user holds stops working; the answer carries new ones.")
        .access(USER)
        .body(Body::Json("PasswordChange"))
        .ok(r("SignedIn")),
        op(
            Get,
            "/api/tenants/",
            "listTenants",
            "Firm",
            "The caller's firm (all firms for the platform admin)",
        )
        .access(USER)
        .list(&[])
        .ok(page("Tenant"))
        .or(403, "The caller's role does not allow this"),
        op(Get, "/api/tenants/{id}/", "getTenant", "Firm", "One firm")
            .access(USER)
            .ok(r("Tenant"))
            .or(403, "The caller's role does not allow this"),
        op(
            Patch,
            "/api/tenants/{id}/",
            "updateTenant",
            "Firm",
            "Rename the firm (plan and activity: platform admin)",
        )
        .access(USER)
        .body(Body::Json("TenantUpdate"))
        .ok(r("Tenant"))
        .or(403, "The caller's role does not allow this")
        .or(409, "Conflicts with stored data"),
        op(
            Get,
            "/api/tenants/companies/",
            "listCompanies",
            "Firm",
            "The companies the caller can see",
        )
        .access(USER)
        .list(&[("currency", Kind::Text), ("is_active", Kind::Bool)])
        .ok(page("Company"))
        .or(403, "The caller has no firm"),
        op(
            Post,
            "/api/tenants/companies/",
            "createCompany",
            "Firm",
            "Add a company, with its chart of accounts",
        )
        .access(USER)
        .body(Body::Json("CompanyCreate"))
        .created(r("Company"))
        .or(403, "The caller's role does not allow this")
        .or(409, "Conflicts with stored data"),
        op(Get, "/api/tenants/companies/{id}/", "getCompany", "Firm", "One company")
            .access(USER)
            .ok(r("Company"))
            .or(403, "The caller has no firm"),
        op(
            Patch,
            "/api/tenants/companies/{id}/",
            "updateCompany",
            "Firm",
            "Change a company",
        )
        .access(USER)
        .body(Body::Json("CompanyInput"))
        .ok(r("Company"))
        .or(403, "The caller's role does not allow this")
        .or(409, "Conflicts with stored data"),
        op(Get, "/api/tenants/users/", "listUsers", "Firm", "The firm's users")
            .access(USER)
            .list(&[("role", Kind::Text), ("is_active", Kind::Bool)])
            .ok(page("User"))
            .or(403, "The caller's role does not allow this"),
        op(Post, "/api/tenants/users/", "createUser", "Firm", "Invite a user")
            .about("Without a `password`, a temporary one is made and returned once, in `temporary_password`.")
            .access(USER)
            .body(Body::Json("UserCreate"))
            .created(r("User"))
            .or(403, "The caller's role does not allow this")
            .or(409, "Conflicts with stored data"),
        op(
            Get,
            "/api/tenants/users/{id}/",
            "getUser",
            "Firm",
            "One user of the firm",
        )
        .access(USER)
        .ok(r("User"))
        .or(403, "The caller's role does not allow this"),
        op(
            Patch,
            "/api/tenants/users/{id}/",
            "updateUser",
            "Firm",
            "Change a user's role, access or name",
        )
        .access(USER)
        .body(Body::Json("UserInput"))
        .ok(r("User"))
        .or(403, "The caller's role does not allow this")
        .or(409, "Conflicts with stored data"),
        op(
            Post,
            "/api/tenants/users/{id}/deactivate/",
            "deactivateUser",
            "Firm",
            "Deactivate a user (ends their tokens)",
        )
        .access(USER)
        .ok(r("User"))
        .or(400, "The caller cannot deactivate themselves")
        .or(403, "The caller's role does not allow this")
        .or(409, "Conflicts with stored data"),
        op(
            Post,
            "/api/tenants/users/{id}/activate/",
            "activateUser",
            "Firm",
            "Activate a user again",
        )
        .access(USER)
        .ok(r("User"))
        .or(400, "Refused (by field)")
        .or(403, "The caller's role does not allow this")
        .or(409, "Conflicts with stored data"),
    ]
}

fn ledger() -> Vec<Op> {
    let entry_filters = [
        ("status", Kind::Text),
        ("date", Kind::Date),
        ("date_from", Kind::Date),
        ("date_to", Kind::Date),
        ("number", Kind::Int),
        ("reference", Kind::Text),
        ("account", Kind::Id),
        ("amount_min", Kind::Text),
        ("amount_max", Kind::Text),
        ("created_by", Kind::Id),
    ];
    let verb = |path, id, summary| {
        op(Post, path, id, "Journal", summary)
            .idempotent()
            .writes()
            .ok(r("JournalEntry"))
    };
    vec![
        op(
            Get,
            "/api/accounting/chart-of-accounts/",
            "listAccounts",
            "Accounts",
            "The chart of accounts",
        )
        .list(&[
            ("type", Kind::Text),
            ("subtype", Kind::Text),
            ("is_active", Kind::Bool),
            ("parent", Kind::Id),
        ])
        .ok(page("Account")),
        op(
            Post,
            "/api/accounting/chart-of-accounts/",
            "createAccount",
            "Accounts",
            "Add an account",
        )
        .body(Body::Json("AccountCreate"))
        .writes()
        .created(r("Account")),
        op(
            Get,
            "/api/accounting/chart-of-accounts/{id}/",
            "getAccount",
            "Accounts",
            "One account",
        )
        .ok(r("Account")),
        op(
            Patch,
            "/api/accounting/chart-of-accounts/{id}/",
            "updateAccount",
            "Accounts",
            "Change an account",
        )
        .about("An account with postings never changes type: deactivate it instead.")
        .body(Body::Json("AccountInput"))
        .writes()
        .ok(r("Account")),
        op(
            Delete,
            "/api/accounting/chart-of-accounts/{id}/",
            "deleteAccount",
            "Accounts",
            "Delete an unused account",
        )
        .writes(),
        op(
            Get,
            "/api/accounting/journal-entries/",
            "listEntries",
            "Journal",
            "Journal entries",
        )
        .about("`amount_min`/`amount_max` are decimal amounts in the company currency.")
        .list(&entry_filters)
        .ok(page("JournalEntry")),
        op(
            Post,
            "/api/accounting/journal-entries/",
            "createEntry",
            "Journal",
            "Create a draft entry",
        )
        .body(Body::Json("JournalEntryInput"))
        .idempotent()
        .writes()
        .created(r("JournalEntry")),
        op(
            Post,
            "/api/accounting/journal-entries/bulk/",
            "bulkPost",
            "Journal",
            "Post up to 10,000 entries at once",
        )
        .about("All of them, or none and the errors by index (`entries[3].lines[0].account`).")
        .body(Body::Json("BulkRequest"))
        .idempotent()
        .writes()
        .created(r("BulkResult")),
        op(
            Get,
            "/api/accounting/journal-entries/{id}/",
            "getEntry",
            "Journal",
            "One entry",
        )
        .ok(r("JournalEntry")),
        op(
            Patch,
            "/api/accounting/journal-entries/{id}/",
            "updateEntry",
            "Journal",
            "Change a draft",
        )
        .body(Body::Json("JournalEntryInput"))
        .writes()
        .ok(r("JournalEntry")),
        op(
            Put,
            "/api/accounting/journal-entries/{id}/",
            "replaceEntry",
            "Journal",
            "Replace a draft",
        )
        .body(Body::Json("JournalEntryInput"))
        .writes()
        .ok(r("JournalEntry")),
        op(
            Delete,
            "/api/accounting/journal-entries/{id}/",
            "deleteEntry",
            "Journal",
            "Delete a draft",
        )
        .writes(),
        verb(
            "/api/accounting/journal-entries/{id}/post/",
            "postEntry",
            "Post a draft: numbered, chained, final",
        ),
        verb(
            "/api/accounting/journal-entries/{id}/approve/",
            "approveEntry",
            "Approve a draft",
        ),
        verb(
            "/api/accounting/journal-entries/{id}/cancel/",
            "cancelEntry",
            "Cancel a draft",
        ),
        op(
            Post,
            "/api/accounting/journal-entries/{id}/reverse/",
            "reverseEntry",
            "Journal",
            "Reverse a posted entry",
        )
        .about("Without a body (or a `date`), the reversal is dated like the original.")
        .body(Body::Optional("DateRequest"))
        .idempotent()
        .writes()
        .created(r("JournalEntry")),
        op(
            Get,
            "/api/accounting/periods/",
            "getPeriods",
            "Periods",
            "Fiscal year, lock dates, approval rules",
        )
        .ok(r("PeriodSettings")),
        op(
            Patch,
            "/api/accounting/periods/",
            "updatePeriods",
            "Periods",
            "Change the fiscal year and approval rules",
        )
        .body(Body::Json("PeriodSettingsUpdate"))
        .writes()
        .ok(r("PeriodSettings")),
        op(
            Post,
            "/api/accounting/periods/close/",
            "closePeriod",
            "Periods",
            "Close the books up to a date",
        )
        .about("`hard: true` closes for good: a hard close is never reopened.")
        .body(Body::Json("CloseRequest"))
        .writes()
        .ok(r("PeriodSettings")),
        op(
            Post,
            "/api/accounting/periods/reopen/",
            "reopenPeriod",
            "Periods",
            "Move the soft lock date back",
        )
        .body(Body::Json("DateRequest"))
        .writes()
        .ok(r("PeriodSettings")),
        op(
            Post,
            "/api/accounting/periods/year-end/",
            "yearEnd",
            "Periods",
            "Close a fiscal year into retained earnings",
        )
        .body(Body::Json("RequiredDateRequest"))
        .writes()
        .ok(r("YearEndResult")),
        op(
            Get,
            "/api/accounting/audit-log/",
            "auditLog",
            "Periods",
            "The company's audit trail",
        )
        .list(&[
            ("action", Kind::Text),
            ("object_type", Kind::Text),
            ("object_id", Kind::Id),
            ("actor", Kind::Id),
        ])
        .ok(page("AuditRecord")),
    ]
}

/// Customers and vendors are one table seen from two sides: the same operations on two paths.
fn contact_ops(list: &'static str, item: &'static str, tag: &'static str, ids: [&'static str; 4]) -> Vec<Op> {
    let filters = [
        ("is_active", Kind::Bool),
        ("is_customer", Kind::Bool),
        ("is_vendor", Kind::Bool),
        ("country", Kind::Text),
    ];
    vec![
        op(Get, list, ids[0], tag, "Contacts on this side, with their balances")
            .list(&filters)
            .ok(page("Contact")),
        op(Post, list, ids[1], tag, "Add a contact on this side")
            .body(Body::Json("ContactCreate"))
            .writes()
            .created(r("Contact")),
        op(Get, item, ids[2], tag, "One contact, with its balance").ok(r("Contact")),
        op(
            Patch,
            item,
            ids[3],
            tag,
            "Change a contact (archive: `is_active: false`)",
        )
        .body(Body::Json("ContactInput"))
        .writes()
        .ok(r("Contact")),
    ]
}

fn contacts() -> Vec<Op> {
    let mut ops = contact_ops(
        "/api/sales/customers/",
        "/api/sales/customers/{id}/",
        "Customers",
        ["listCustomers", "createCustomer", "getCustomer", "updateCustomer"],
    );
    ops.extend(contact_ops(
        "/api/purchase/vendors/",
        "/api/purchase/vendors/{id}/",
        "Vendors",
        ["listVendors", "createVendor", "getVendor", "updateVendor"],
    ));
    ops.extend([
        op(
            Get,
            "/api/inventory/items/",
            "listItems",
            "Items",
            "Products and services",
        )
        .list(&[("is_active", Kind::Bool), ("kind", Kind::Text)])
        .ok(page("Item")),
        op(Post, "/api/inventory/items/", "createItem", "Items", "Add an item")
            .body(Body::Json("ItemCreate"))
            .writes()
            .created(r("Item")),
        op(Get, "/api/inventory/items/{id}/", "getItem", "Items", "One item").ok(r("Item")),
        op(
            Patch,
            "/api/inventory/items/{id}/",
            "updateItem",
            "Items",
            "Change an item",
        )
        .body(Body::Json("ItemInput"))
        .writes()
        .ok(r("Item")),
        op(
            Get,
            "/api/accounting/tax-rates/",
            "listTaxRates",
            "Tax rates",
            "Tax rates",
        )
        .list(&[
            ("is_active", Kind::Bool),
            ("kind", Kind::Text),
            ("is_inclusive", Kind::Bool),
        ])
        .ok(page("TaxRate")),
        op(
            Post,
            "/api/accounting/tax-rates/",
            "createTaxRate",
            "Tax rates",
            "Add a tax rate",
        )
        .body(Body::Json("TaxRateCreate"))
        .writes()
        .created(r("TaxRate")),
        op(
            Get,
            "/api/accounting/tax-rates/{id}/",
            "getTaxRate",
            "Tax rates",
            "One tax rate",
        )
        .ok(r("TaxRate")),
        op(
            Patch,
            "/api/accounting/tax-rates/{id}/",
            "updateTaxRate",
            "Tax rates",
            "Change a tax rate",
        )
        .body(Body::Json("TaxRateInput"))
        .writes()
        .ok(r("TaxRate")),
    ]);
    ops
}

pub fn operations() -> Vec<Op> {
    platform()
        .into_iter()
        .chain(ledger())
        .chain(contacts())
        .chain(super::paths_documents::operations())
        .collect()
}
