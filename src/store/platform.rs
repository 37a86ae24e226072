//! Platform tables: tenants, users and their company access, refresh-token families, settings.

use jiff::Timestamp;
use uuid::Uuid;

use super::list::{FilterKind, ListError, ListRequest, ListSpec, Page, list};
use super::{Row, StoreError, Tx};
use crate::domain::tenants::firm::FirmStore;
use crate::domain::tenants::users::UserStore;
use crate::domain::tenants::{Plan, Profile, Tenant, User};
use crate::params;

/// Timestamps are stored as fixed-width RFC 3339 UTC text, so they sort as text.
pub fn ts(t: Timestamp) -> String {
    format!("{t:.6}")
}

pub fn parse_ts(s: &str) -> Result<Timestamp, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("{s:?} is not a timestamp")))
}

// ---------------------------------------------------------------- tenants

const TENANT_COLUMNS: &str = "id, name, domain, plan, is_active, created_at, updated_at";

pub fn tenant_from_row(r: &Row) -> Result<Tenant, StoreError> {
    let plan = r.text(3)?;
    Ok(Tenant {
        id: r.uuid(0)?,
        name: r.text(1)?,
        domain: r.opt_text(2)?,
        plan: Plan::parse(&plan).ok_or_else(|| StoreError::Corrupt(format!("unknown plan {plan:?}")))?,
        is_active: r.bool(4)?,
        created_at: parse_ts(&r.text(5)?)?,
        updated_at: parse_ts(&r.text(6)?)?,
    })
}

pub fn tenant_ids(tx: &mut Tx) -> Result<Vec<Uuid>, StoreError> {
    tx.query("SELECT id FROM tenants ORDER BY created_at", &[])?
        .iter()
        .map(|r| r.uuid(0))
        .collect()
}

pub fn tenants(tx: &mut Tx) -> Result<Vec<Tenant>, StoreError> {
    tx.query(
        &format!("SELECT {TENANT_COLUMNS} FROM tenants ORDER BY created_at"),
        &[],
    )?
    .iter()
    .map(tenant_from_row)
    .collect()
}

const TENANTS: ListSpec = ListSpec {
    columns: TENANT_COLUMNS,
    from: "tenants",
    filters: &[],
    search: &[],
    ordering: &[("created_at", "created_at")],
    tie_breaker: "id",
    default_ordering: "created_at",
};

/// A page of the firms: every firm (`only` = `None`, for the platform administrator) or the
/// one firm `only`.
pub fn tenants_page(tx: &mut Tx, only: Option<Uuid>, req: &ListRequest) -> Result<Page<Tenant>, ListError> {
    match only {
        Some(id) => list(tx, &TENANTS, ("id = $1", vec![id.into()]), req, tenant_from_row),
        None => list(tx, &TENANTS, ("1 = 1", vec![]), req, tenant_from_row),
    }
}

pub fn tenant(tx: &mut Tx, id: Uuid) -> Result<Option<Tenant>, StoreError> {
    tx.query_opt(
        &format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE id = $1"),
        params![id],
    )?
    .as_ref()
    .map(tenant_from_row)
    .transpose()
}

/// False for an inactive or unknown firm.
pub fn tenant_is_active(tx: &mut Tx, id: Uuid) -> Result<bool, StoreError> {
    match tx.query_opt("SELECT is_active FROM tenants WHERE id = $1", params![id])? {
        Some(r) => r.bool(0),
        None => Ok(false),
    }
}

pub fn insert_tenant(tx: &mut Tx, t: &Tenant) -> Result<(), StoreError> {
    tx.execute(
        &format!("INSERT INTO tenants ({TENANT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"),
        params![
            t.id,
            &t.name,
            t.domain.clone(),
            t.plan.as_str(),
            t.is_active,
            ts(t.created_at),
            ts(t.updated_at)
        ],
    )?;
    Ok(())
}

pub fn update_tenant(tx: &mut Tx, t: &Tenant) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE tenants SET name = $2, domain = $3, plan = $4, is_active = $5, updated_at = $6 WHERE id = $1",
        params![
            t.id,
            &t.name,
            t.domain.clone(),
            t.plan.as_str(),
            t.is_active,
            ts(t.updated_at)
        ],
    )?;
    Ok(())
}

impl FirmStore for Tx<'_> {
    fn tenant(&mut self, id: Uuid) -> Result<Option<Tenant>, StoreError> {
        tenant(self, id)
    }

    fn update_tenant(&mut self, t: &Tenant) -> Result<(), StoreError> {
        update_tenant(self, t)
    }
}

// ---------------------------------------------------------------- users

pub const USER_COLUMNS: &str = "id, tenant_id, email, first_name, last_name, role, permissions, is_active, \
    default_company_id, all_companies, token_version, last_login, phone, timezone, language, \
    two_factor_enabled, web3_wallet_address, created_at, updated_at, date_format, negative_style";

/// Reads a user row selected with [`USER_COLUMNS`]; `companies` is filled by [`user_companies`].
pub fn user_from_row(r: &Row) -> Result<User, StoreError> {
    let role = r.text(5)?;
    let permissions: Vec<String> = serde_json::from_str(&r.text(6)?)
        .map_err(|_| StoreError::Corrupt("user permissions are not a JSON list".into()))?;
    Ok(User {
        id: r.uuid(0)?,
        tenant_id: r.opt_uuid(1)?,
        email: r.text(2)?,
        first_name: r.text(3)?,
        last_name: r.text(4)?,
        role: role.parse().map_err(StoreError::Corrupt)?,
        permissions,
        is_active: r.bool(7)?,
        default_company_id: r.opt_uuid(8)?,
        all_companies: r.bool(9)?,
        companies: Vec::new(),
        token_version: r.int(10)?,
        last_login: r.opt_text(11)?.as_deref().map(parse_ts).transpose()?,
        profile: Profile {
            phone: r.text(12)?,
            timezone: r.text(13)?,
            language: r.text(14)?,
            two_factor_enabled: r.bool(15)?,
            web3_wallet_address: r.text(16)?,
            date_format: r.text(19)?,
            negative_style: r.text(20)?,
        },
        created_at: parse_ts(&r.text(17)?)?,
        updated_at: parse_ts(&r.text(18)?)?,
    })
}

fn with_companies(tx: &mut Tx, mut user: User) -> Result<User, StoreError> {
    if !user.all_companies {
        user.companies = user_companies(tx, user.id)?;
    }
    Ok(user)
}

pub fn user_companies(tx: &mut Tx, user_id: Uuid) -> Result<Vec<Uuid>, StoreError> {
    tx.query(
        "SELECT company_id FROM user_companies WHERE user_id = $1 ORDER BY company_id",
        params![user_id],
    )?
    .iter()
    .map(|r| r.uuid(0))
    .collect()
}

pub fn user(tx: &mut Tx, id: Uuid) -> Result<Option<User>, StoreError> {
    let row = tx.query_opt(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"), params![id])?;
    match row {
        Some(r) => Ok(Some(with_companies(tx, user_from_row(&r)?)?)),
        None => Ok(None),
    }
}

/// The user with this (normalised) e-mail, with their password hash.
pub fn user_by_email(tx: &mut Tx, email: &str) -> Result<Option<(User, String)>, StoreError> {
    let row = tx.query_opt(
        &format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = $1"),
        params![email],
    )?;
    match row {
        Some(r) => {
            let hash = r.text(21)?;
            Ok(Some((with_companies(tx, user_from_row(&r)?)?, hash)))
        }
        None => Ok(None),
    }
}

const USERS: ListSpec = ListSpec {
    columns: USER_COLUMNS,
    from: "users",
    filters: &[
        ("role", "role = ?", FilterKind::Text),
        ("is_active", "is_active = ?", FilterKind::Bool),
    ],
    search: &["email", "first_name", "last_name"],
    ordering: &[
        ("email", "email"),
        ("last_name", "last_name"),
        ("first_name", "first_name"),
        ("role", "role"),
        ("created_at", "created_at"),
    ],
    tie_breaker: "id",
    default_ordering: "email",
};

/// A page of a firm's users, with their company access.
pub fn users_page(tx: &mut Tx, tenant: Uuid, req: &ListRequest) -> Result<Page<User>, ListError> {
    let mut page = list(tx, &USERS, ("tenant_id = $1", vec![tenant.into()]), req, user_from_row)?;
    for user in page.items.iter_mut().filter(|u| !u.all_companies) {
        user.companies = user_companies(tx, user.id)?;
    }
    Ok(page)
}

pub fn users(tx: &mut Tx, tenant: Option<Uuid>) -> Result<Vec<User>, StoreError> {
    let rows = match tenant {
        Some(t) => tx.query(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE tenant_id = $1 ORDER BY email"),
            params![t],
        )?,
        None => tx.query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY email"), &[])?,
    };
    rows.iter().map(user_from_row).collect()
}

pub fn count_users(tx: &mut Tx) -> Result<i64, StoreError> {
    tx.query_one("SELECT COUNT(*) FROM users", &[])?.int(0)
}

pub fn insert_user(tx: &mut Tx, u: &User, password_hash: &str) -> Result<(), StoreError> {
    let permissions = serde_json::to_string(&u.permissions).map_err(|e| StoreError::Database(e.to_string()))?;
    tx.execute(
        &format!("INSERT INTO users ({USER_COLUMNS}, password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)"),
        params![
            u.id, u.tenant_id, &u.email, &u.first_name, &u.last_name, u.role.as_str(), permissions, u.is_active,
            u.default_company_id, u.all_companies, u.token_version, u.last_login.map(ts), &u.profile.phone,
            &u.profile.timezone, &u.profile.language, u.profile.two_factor_enabled, &u.profile.web3_wallet_address,
            ts(u.created_at), ts(u.updated_at), &u.profile.date_format, &u.profile.negative_style, password_hash
        ],
    )?;
    set_user_companies(tx, u.id, &u.companies)
}

/// Locks the user's row until commit: read it after this, change it, write it, and no concurrent
/// change is lost in between.
pub fn lock_user(tx: &mut Tx, id: Uuid) -> Result<(), StoreError> {
    tx.execute("UPDATE users SET updated_at = updated_at WHERE id = $1", params![id])?;
    Ok(())
}

/// Records a successful sign-in. Written alone, so it never overwrites a concurrent change.
pub fn set_last_login(tx: &mut Tx, id: Uuid, at: Timestamp) -> Result<(), StoreError> {
    tx.execute("UPDATE users SET last_login = $2 WHERE id = $1", params![id, ts(at)])?;
    Ok(())
}

/// Ends every token issued to the user so far (logout everywhere, deactivation).
pub fn bump_token_version(tx: &mut Tx, id: Uuid) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE users SET token_version = token_version + 1 WHERE id = $1",
        params![id],
    )?;
    Ok(())
}

/// Saves the user's names, role, permissions, activity, company access and profile. Never the
/// password, the token version or the last login: those have their own writes.
pub fn update_user(tx: &mut Tx, u: &User) -> Result<(), StoreError> {
    let permissions = serde_json::to_string(&u.permissions).map_err(|e| StoreError::Database(e.to_string()))?;
    tx.execute(
        "UPDATE users SET email = $2, first_name = $3, last_name = $4, role = $5, permissions = $6, is_active = $7, \
         default_company_id = $8, all_companies = $9, phone = $10, \
         timezone = $11, language = $12, two_factor_enabled = $13, web3_wallet_address = $14, updated_at = $15, \
         date_format = $16, negative_style = $17 WHERE id = $1",
        params![
            u.id,
            &u.email,
            &u.first_name,
            &u.last_name,
            u.role.as_str(),
            permissions,
            u.is_active,
            u.default_company_id,
            u.all_companies,
            &u.profile.phone,
            &u.profile.timezone,
            &u.profile.language,
            u.profile.two_factor_enabled,
            &u.profile.web3_wallet_address,
            ts(u.updated_at),
            &u.profile.date_format,
            &u.profile.negative_style
        ],
    )?;
    set_user_companies(tx, u.id, &u.companies)
}

fn set_user_companies(tx: &mut Tx, user_id: Uuid, companies: &[Uuid]) -> Result<(), StoreError> {
    tx.execute("DELETE FROM user_companies WHERE user_id = $1", params![user_id])?;
    for c in companies {
        tx.execute(
            "INSERT INTO user_companies (user_id, company_id) VALUES ($1, $2)",
            params![user_id, *c],
        )?;
    }
    Ok(())
}

/// Sets a new password hash and raises the token version, so every older token stops working.
pub fn set_password(tx: &mut Tx, user_id: Uuid, hash: &str, now: Timestamp) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE users SET password_hash = $2, token_version = token_version + 1, updated_at = $3 WHERE id = $1",
        params![user_id, hash, ts(now)],
    )?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

impl UserStore for Tx<'_> {
    fn user(&mut self, id: Uuid) -> Result<Option<User>, StoreError> {
        user(self, id)
    }

    fn locked_user(&mut self, id: Uuid) -> Result<Option<User>, StoreError> {
        lock_user(self, id)?;
        user(self, id)
    }

    fn update_user(&mut self, u: &User) -> Result<(), StoreError> {
        update_user(self, u)
    }

    fn end_sessions(&mut self, id: Uuid, now: Timestamp) -> Result<(), StoreError> {
        bump_token_version(self, id)?;
        revoke_user_refresh_families(self, id, now.as_second())
    }
}

// ---------------------------------------------------------------- refresh tokens

pub fn insert_refresh_family(tx: &mut Tx, family: Uuid, user_id: Uuid, now: i64) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO refresh_families (id, user_id, created_at) VALUES ($1, $2, $3)",
        params![family, user_id, now],
    )?;
    Ok(())
}

pub fn insert_refresh_token(tx: &mut Tx, jti: &str, family: Uuid, expires_at: i64) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO refresh_tokens (jti, family_id, expires_at) VALUES ($1, $2, $3)",
        params![jti, family, expires_at],
    )?;
    Ok(())
}

/// What presenting a refresh token finds.
#[derive(Debug, PartialEq, Eq)]
pub enum RefreshUse {
    /// Unused and its family live: now marked used.
    Fresh,
    /// Already used once: a replay. The caller revokes the family.
    Reused,
    /// Unknown, or its family was revoked.
    Invalid,
}

pub fn use_refresh_token(tx: &mut Tx, jti: &str, family: Uuid, now: i64) -> Result<RefreshUse, StoreError> {
    let row = tx.query_opt(
        "SELECT t.used_at, f.revoked_at FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id \
         WHERE t.jti = $1 AND t.family_id = $2",
        params![jti, family],
    )?;
    let Some(row) = row else {
        return Ok(RefreshUse::Invalid);
    };
    if row.opt_int(1)?.is_some() {
        return Ok(RefreshUse::Invalid);
    }
    if row.opt_int(0)?.is_some() {
        return Ok(RefreshUse::Reused);
    }
    let n = tx.execute(
        "UPDATE refresh_tokens SET used_at = $2 WHERE jti = $1 AND used_at IS NULL",
        params![jti, now],
    )?;
    Ok(if n == 1 { RefreshUse::Fresh } else { RefreshUse::Reused })
}

pub fn revoke_refresh_family(tx: &mut Tx, family: Uuid, now: i64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE refresh_families SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
        params![family, now],
    )?;
    Ok(())
}

pub fn revoke_user_refresh_families(tx: &mut Tx, user_id: Uuid, now: i64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE refresh_families SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
        params![user_id, now],
    )?;
    Ok(())
}

// ---------------------------------------------------------------- settings

pub fn setting(tx: &mut Tx, key: &str) -> Result<Option<String>, StoreError> {
    tx.query_opt("SELECT value FROM settings WHERE key = $1", params![key])?
        .map(|r| r.text(0))
        .transpose()
}

/// Removes `key` if it holds `expected`; true when it did. Atomic: two callers racing for the
/// same one-time value cannot both win.
pub fn take_setting(tx: &mut Tx, key: &str, expected: &str) -> Result<bool, StoreError> {
    Ok(tx.execute(
        "DELETE FROM settings WHERE key = $1 AND value = $2",
        params![key, expected],
    )? == 1)
}

/// Stores `value` under `key` unless something is stored there already; returns what is stored
/// afterwards (`value` for the first caller, whoever raced).
pub fn claim_setting(tx: &mut Tx, key: &str, value: &str) -> Result<String, StoreError> {
    tx.execute(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        params![key, value],
    )?;
    tx.query_one("SELECT value FROM settings WHERE key = $1", params![key])?
        .text(0)
}

pub fn set_setting(tx: &mut Tx, key: &str, value: Option<&str>) -> Result<(), StoreError> {
    tx.execute("DELETE FROM settings WHERE key = $1", params![key])?;
    if let Some(v) = value {
        tx.execute("INSERT INTO settings (key, value) VALUES ($1, $2)", params![key, v])?;
    }
    Ok(())
}

// ---------------------------------------------------------------- backups

/// A backup that was written and read back.
#[derive(Debug, Clone)]
pub struct BackupRun {
    pub finished_at: Timestamp,
    pub reason: String,
    pub path: String,
    pub archive_bytes: i64,
    pub tenants: i64,
    pub entries: i64,
    pub duration_ms: i64,
}

pub fn insert_backup_run(tx: &mut Tx, run: &BackupRun) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO backup_runs (id, finished_at, reason, path, archive_bytes, tenants, entries, duration_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        params![
            Uuid::now_v7(),
            ts(run.finished_at),
            run.reason.as_str(),
            run.path.as_str(),
            run.archive_bytes,
            run.tenants,
            run.entries,
            run.duration_ms
        ],
    )?;
    Ok(())
}

/// The newest backup recorded, if any.
pub fn last_backup(tx: &mut Tx) -> Result<Option<BackupRun>, StoreError> {
    tx.query_opt(
        "SELECT finished_at, reason, path, archive_bytes, tenants, entries, duration_ms FROM backup_runs \
         ORDER BY finished_at DESC LIMIT 1",
        &[],
    )?
    .map(|r| {
        Ok(BackupRun {
            finished_at: parse_ts(&r.text(0)?)?,
            reason: r.text(1)?,
            path: r.text(2)?,
            archive_bytes: r.int(3)?,
            tenants: r.int(4)?,
            entries: r.int(5)?,
            duration_ms: r.int(6)?,
        })
    })
    .transpose()
}
