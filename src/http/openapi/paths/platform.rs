//! Operations of the platform: meta, first-run setup, sign-in, the firm, its companies and users.

use utoipa::openapi::path::HttpMethod::{Get, Patch, Post, Put};

use super::super::ops::{Access, Answer, Body, Kind, Op, named, op, shape};
use super::super::schemas::page;
use crate::http::auth::{
    LoggedOut, LoginBody, LogoutBody, MeBody, PasswordBody, RefreshBody, RegisterBody, SignedIn, Tokens,
};
use crate::http::health::Health;
use crate::http::setup::{SetupBody, SetupStatus};
use crate::http::tenants::companies::{CompanyBody, CompanyDto};
use crate::http::tenants::firm::{TenantBody, TenantDto};
use crate::http::tenants::users::{UserBody, UserDto};

const PUBLIC: Access = Access::Public;
const USER: Access = Access::User;

pub fn operations() -> Vec<Op> {
    vec![
        op(Get, "/api/schema/", "schema", "Meta", "This OpenAPI document")
            .access(PUBLIC)
            .ok(super::super::schemas::object(Vec::new())),
        op(
            Get,
            "/api/health/",
            "health",
            "Meta",
            "Version, and whether the database answers",
        )
        .access(PUBLIC)
        .ok(shape::<Health>())
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
        .answer(Answer::Metrics)
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
        .ok(shape::<SetupStatus>()),
        op(
            Post,
            "/api/setup/",
            "setup",
            "Meta",
            "First-run setup: the first firm and its administrator",
        )
        .about("Needs the one-time token printed by `oasys serve` while no user exists.")
        .access(PUBLIC)
        .body(Body::Json(shape::<SetupBody>()))
        .created(shape::<SignedIn>())
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
        .body(Body::Json(shape::<LoginBody>()))
        .ok(shape::<SignedIn>())
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
        .body(Body::Json(shape::<RegisterBody>()))
        .created(shape::<SignedIn>())
        .or(403, "Registration is turned off on this server")
        .or(409, "Conflicts with stored data")
        .or(429, "Too many refused registrations from this client; see `Retry-After`"),
        op(
            Post,
            "/api/auth/token/refresh/",
            "refreshToken",
            "Auth",
            "A new token pair for a refresh token",
        )
        .about("Refresh tokens are single use: presenting a used one ends its whole family.")
        .access(PUBLIC)
        .body(Body::Json(shape::<RefreshBody>()))
        .ok(shape::<Tokens>())
        .or(401, "Invalid, expired or reused refresh token"),
        op(
            Post,
            "/api/auth/logout/",
            "logout",
            "Auth",
            "Log out (optionally everywhere)",
        )
        .access(USER)
        .body(Body::Json(shape::<LogoutBody>()))
        .ok(shape::<LoggedOut>()),
        op(Get, "/api/auth/me/", "me", "Auth", "The calling user")
            .access(USER)
            .ok(shape::<UserDto>()),
        op(
            Patch,
            "/api/auth/me/",
            "updateMe",
            "Auth",
            "Change the caller's name and profile",
        )
        .access(USER)
        .body(Body::Json(shape::<MeBody>()))
        .ok(shape::<UserDto>())
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
        .body(Body::Json(shape::<PasswordBody>()))
        .ok(shape::<SignedIn>())
        .or(429, "Too many wrong old passwords; see `Retry-After`"),
        op(
            Get,
            "/api/tenants/",
            "listTenants",
            "Firm",
            "The caller's firm (all firms for the platform admin)",
        )
        .access(USER)
        .list(&[])
        .ok(page(shape::<TenantDto>()))
        .or(403, "The caller's role does not allow this"),
        op(Get, "/api/tenants/{id}/", "getTenant", "Firm", "One firm")
            .access(USER)
            .ok(shape::<TenantDto>())
            .or(403, "The caller's role does not allow this"),
        op(
            Patch,
            "/api/tenants/{id}/",
            "updateTenant",
            "Firm",
            "Rename the firm (plan and activity: platform admin)",
        )
        .access(USER)
        .body(Body::Json(shape::<TenantBody>()))
        .ok(shape::<TenantDto>())
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
        .ok(page(shape::<CompanyDto>()))
        .or(403, "The caller has no firm"),
        op(
            Post,
            "/api/tenants/companies/",
            "createCompany",
            "Firm",
            "Add a company, with its chart of accounts",
        )
        .access(USER)
        .body(Body::Json(named("CompanyCreate")))
        .created(shape::<CompanyDto>())
        .or(403, "The caller's role does not allow this")
        .or(409, "Conflicts with stored data"),
        op(Get, "/api/tenants/companies/{id}/", "getCompany", "Firm", "One company")
            .access(USER)
            .ok(shape::<CompanyDto>())
            .or(403, "The caller has no firm"),
        op(
            Patch,
            "/api/tenants/companies/{id}/",
            "updateCompany",
            "Firm",
            "Change a company",
        )
        .access(USER)
        .about("Only the fields sent change. A company with journal entries keeps its currency.")
        .body(Body::Json(shape::<CompanyBody>()))
        .ok(shape::<CompanyDto>())
        .or(403, "The caller's role does not allow this")
        .or(409, "Conflicts with stored data"),
        op(
            Put,
            "/api/tenants/companies/{id}/",
            "replaceCompany",
            "Firm",
            "Replace a company's details",
        )
        .about("`name` is required, as when creating. A company with journal entries keeps its currency.")
        .access(USER)
        .body(Body::Json(named("CompanyCreate")))
        .ok(shape::<CompanyDto>())
        .or(403, "The caller's role does not allow this")
        .or(409, "Conflicts with stored data"),
        op(Get, "/api/tenants/users/", "listUsers", "Firm", "The firm's users")
            .access(USER)
            .list(&[("role", Kind::Text), ("is_active", Kind::Bool)])
            .ok(page(shape::<UserDto>()))
            .or(403, "The caller's role does not allow this"),
        op(Post, "/api/tenants/users/", "createUser", "Firm", "Invite a user")
            .about("Without a `password`, a temporary one is made and returned once, in `temporary_password`.")
            .access(USER)
            .body(Body::Json(named("UserCreate")))
            .created(shape::<UserDto>())
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
        .ok(shape::<UserDto>())
        .or(403, "The caller's role does not allow this"),
        op(
            Patch,
            "/api/tenants/users/{id}/",
            "updateUser",
            "Firm",
            "Change a user's role, access or name",
        )
        .access(USER)
        .about("Only the fields sent change. E-mail and password are the user's own (`/api/auth/me/`, `/api/auth/password/`).")
        .body(Body::Json(shape::<UserBody>()))
        .ok(shape::<UserDto>())
        .or(403, "The caller's role does not allow this")
        .or(409, "Conflicts with stored data"),
        op(
            Put,
            "/api/tenants/users/{id}/",
            "replaceUser",
            "Firm",
            "Replace a user's role, access and name",
        )
        .about("`email` is required, as when inviting, and must be the user's own: only they change it.")
        .access(USER)
        .body(Body::Json(named("UserCreate")))
        .ok(shape::<UserDto>())
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
        .ok(shape::<UserDto>())
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
        .ok(shape::<UserDto>())
        .or(400, "Refused (by field)")
        .or(403, "The caller's role does not allow this")
        .or(409, "Conflicts with stored data"),
    ]
}
