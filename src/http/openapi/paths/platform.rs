//! Operations of the platform: meta, first-run setup, sign-in, the firm, its companies and users.

use super::super::ops::Access::{Firm, Public, User};
use super::super::ops::Kind::{Bool, Text};
use super::super::ops::{Answer, Op, named, op, shape, tagged};
use super::super::schemas::object;
use crate::http::auth::{
    LoggedOut, LoginBody, LogoutBody, MeBody, PasswordBody, RefreshBody, RegisterBody, SignedIn, Tokens,
};
use crate::http::health::Health;
use crate::http::setup::{SetupBody, SetupStatus};
use crate::http::tenants::companies::{CompanyBody, CompanyDto};
use crate::http::tenants::firm::{TenantBody, TenantDto};
use crate::http::tenants::users::{UserBody, UserDto};

pub fn operations() -> Vec<Op> {
    [meta(), auth(), firm()].into_iter().flatten().collect()
}

#[rustfmt::skip]
fn meta() -> Vec<Op> {
    tagged("Meta", Public, [
        op("GET /api/schema/", "schema", "This OpenAPI document").ok(object(Vec::new())),
        op("GET /api/health/", "health", "Version, and whether the database answers").ok(shape::<Health>())
            .or(503, "The database does not answer"),
        op("GET /metrics", "metrics", "Prometheus metrics: requests by route and status, latencies, pools, firms, last backup")
            .about("Off unless `metrics.enabled`; answered only to loopback clients that are not behind a proxy, unless \
                `metrics.allow_remote`.")
            .answer(Answer::Metrics).or(403, "Not a loopback client, or a proxied request")
            .or(404, "Metrics are off (`metrics.enabled = false`)"),
        op("GET /api/setup/", "setupStatus", "Whether first-run setup is still open").ok(shape::<SetupStatus>()),
        op("POST /api/setup/", "setup", "First-run setup: the first firm and its administrator")
            .about("Needs the one-time token printed by `oasys serve` while no user exists.")
            .json(shape::<SetupBody>()).writes().created(shape::<SignedIn>()).or(403, "Wrong token, or setup is done"),
    ])
}

#[rustfmt::skip]
fn auth() -> Vec<Op> {
    let public = tagged("Auth", Public, [
        op("POST /api/auth/login/", "login", "Log in: the user and a token pair").json(shape::<LoginBody>()).ok(shape::<SignedIn>())
            .or(401, "Wrong e-mail or password, or an inactive user or firm")
            .or(429, "Too many failed attempts; see `Retry-After`"),
        op("POST /api/auth/register/", "register", "Register a new firm and its administrator").json(shape::<RegisterBody>())
            .writes().created(shape::<SignedIn>()).or(403, "Registration is turned off on this server")
            .or(429, "Too many refused registrations from this client; see `Retry-After`"),
        op("POST /api/auth/token/refresh/", "refreshToken", "A new token pair for a refresh token").json(shape::<RefreshBody>())
            .about("Refresh tokens are single use: presenting a used one ends its whole family.")
            .ok(shape::<Tokens>()).or(401, "Invalid, expired or reused refresh token"),
    ]);
    let user = tagged("Auth", User, [
        op("POST /api/auth/logout/", "logout", "Log out (optionally everywhere)").json(shape::<LogoutBody>()).ok(shape::<LoggedOut>()),
        op("GET /api/auth/me/", "me", "The calling user").ok(shape::<UserDto>()),
        op("PATCH /api/auth/me/", "updateMe", "Change the caller's name and profile").json(shape::<MeBody>()).writes().ok(shape::<UserDto>()),
        op("POST /api/auth/password/", "changePassword", "Change the caller's password").json(shape::<PasswordBody>())
            .about("Every token the user holds stops working; the answer carries new ones.").ok(shape::<SignedIn>())
            .or(429, "Too many wrong old passwords; see `Retry-After`"),
    ]);
    [public, user].into_iter().flatten().collect()
}

/// The firm, its companies and its users: a role in the firm allows each (403 otherwise).
#[rustfmt::skip]
fn firm() -> Vec<Op> {
    const NO_FIRM: &str = "The caller has no firm";
    tagged("Firm", Firm, [
        op("GET /api/tenants/", "listTenants", "The caller's firm (all firms for the platform admin)").list::<TenantDto>(&[]),
        op("GET /api/tenants/{id}/", "getTenant", "One firm").ok(shape::<TenantDto>()),
        op("PATCH /api/tenants/{id}/", "updateTenant", "Rename the firm (plan and activity: platform admin)")
            .json(shape::<TenantBody>()).writes().ok(shape::<TenantDto>()),
        op("GET /api/tenants/companies/", "listCompanies", "The companies the caller can see").or(403, NO_FIRM)
            .list::<CompanyDto>(&[("currency", Text), ("is_active", Bool)]),
        op("POST /api/tenants/companies/", "createCompany", "Add a company, with its chart of accounts")
            .json(named("CompanyCreate")).writes().created(shape::<CompanyDto>()),
        op("GET /api/tenants/companies/{id}/", "getCompany", "One company").ok(shape::<CompanyDto>()).or(403, NO_FIRM),
        op("PATCH /api/tenants/companies/{id}/", "updateCompany", "Change a company").json(shape::<CompanyBody>()).writes()
            .about("Only the fields sent change. A company with journal entries keeps its currency.").ok(shape::<CompanyDto>()),
        op("PUT /api/tenants/companies/{id}/", "replaceCompany", "Replace a company's details").json(named("CompanyCreate"))
            .about("`name` is required, as when creating. A company with journal entries keeps its currency.")
            .writes().ok(shape::<CompanyDto>()),
        op("GET /api/tenants/users/", "listUsers", "The firm's users").list::<UserDto>(&[("role", Text), ("is_active", Bool)]),
        op("POST /api/tenants/users/", "createUser", "Invite a user").json(named("UserCreate")).writes().created(shape::<UserDto>())
            .about("Without a `password`, a temporary one is made and returned once, in `temporary_password`."),
        op("GET /api/tenants/users/{id}/", "getUser", "One user of the firm").ok(shape::<UserDto>()),
        op("PATCH /api/tenants/users/{id}/", "updateUser", "Change a user's role, access or name").json(shape::<UserBody>())
            .about("Only the fields sent change. E-mail and password are the user's own (`/api/auth/me/`, \
                `/api/auth/password/`).")
            .writes().ok(shape::<UserDto>()),
        op("PUT /api/tenants/users/{id}/", "replaceUser", "Replace a user's role, access and name").json(named("UserCreate"))
            .about("`email` is required, as when inviting, and must be the user's own: only they change it.")
            .writes().ok(shape::<UserDto>()),
        op("POST /api/tenants/users/{id}/deactivate/", "deactivateUser", "Deactivate a user (ends their tokens)")
            .writes().ok(shape::<UserDto>()).or(400, "The caller cannot deactivate themselves"),
        op("POST /api/tenants/users/{id}/activate/", "activateUser", "Activate a user again")
            .writes().ok(shape::<UserDto>()).or(400, "Refused (by field)"),
    ])
}
