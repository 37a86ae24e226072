//! A firm's users: invitations, changes of role, permissions and company access, activation, and
//! each user's own profile. Nobody grants what they may not do themselves, nobody manages someone
//! above them, and a company-limited administrator reaches only the users of their companies.

use jiff::Timestamp;
use uuid::Uuid;

use super::{
    Event, EventLog, NewUser, Refusal, TenantError, TenantResult, User, normalize_email, required_text,
    validate_profile,
};
use crate::domain::roles::{self, Action, Role};
use crate::domain::{Change, FieldErrors};

/// What the user operations need from storage (the platform database).
pub trait UserStore: EventLog {
    fn user(&mut self, id: Uuid) -> Result<Option<User>, Self::Error>;
    /// The user `id`, read after locking their row until commit: nothing a concurrent request
    /// changed meanwhile is written back from an older copy.
    fn locked_user(&mut self, id: Uuid) -> Result<Option<User>, Self::Error>;
    /// Saves names, role, permissions, activity, company access and profile (never the
    /// password, the token version or the last login).
    fn update_user(&mut self, user: &User) -> Result<(), Self::Error>;
    /// Ends every token the user holds, access and refresh.
    fn end_sessions(&mut self, id: Uuid, now: Timestamp) -> Result<(), Self::Error>;
}

/// What a request sets; `None` leaves a field as it is (or, for a new user, at its default).
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub email: Option<String>,
    pub password: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub role: Option<String>,
    pub permissions: Option<Vec<String>>,
    pub is_active: Option<bool>,
    pub all_companies: Option<bool>,
    pub companies: Option<Vec<Uuid>>,
    /// `Some(None)` clears it.
    pub default_company: Option<Option<Uuid>>,
}

/// What a user changes of their own record.
#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub timezone: Option<String>,
    pub language: Option<String>,
    pub web3_wallet_address: Option<String>,
    pub date_format: Option<String>,
    pub negative_style: Option<String>,
    pub default_company: Option<Uuid>,
}

/// A company-limited administrator manages only users who live entirely in their companies;
/// the firm's other users are out of reach (answered as absent).
pub fn within_reach(actor: &User, user: &User) -> bool {
    match actor.visible_companies() {
        None => true,
        Some(ids) => !user.all_companies && user.companies.iter().all(|c| ids.contains(c)),
    }
}

/// A user of the actor's firm. Anyone reads their own record; others need `users.view`.
pub fn find<S: UserStore>(store: &mut S, actor: &User, id: Uuid) -> TenantResult<User, S> {
    let user = store
        .user(id)
        .map_err(TenantError::Store)?
        .filter(|u| actor.tenant_id.is_some() && u.tenant_id == actor.tenant_id)
        .ok_or(TenantError::NotFound)?;
    if user.id != actor.id && !actor.can(Action::ViewUsers) {
        return Err(TenantError::Forbidden);
    }
    Ok(user)
}

/// The user to create for an invitation into the actor's firm, under the rules of role,
/// permissions and company access. `known` are the firm's companies; `temporary` is the
/// password used when the request sends none (then not held to the password policy).
pub fn invite(actor: &User, changes: UserChanges, known: &[Uuid], temporary: String) -> Result<NewUser, Refusal> {
    let mut errors = FieldErrors::default();
    let email = required_text(&mut errors, "email", changes.email.as_deref());
    let role = parse_role(&mut errors, changes.role.as_deref().unwrap_or("staff"));
    let permissions = changes.permissions.unwrap_or_default();
    check_permissions(&mut errors, actor, &permissions, &[])?;
    let companies = changes.companies.unwrap_or_default();
    check_companies(&mut errors, actor, &companies, known);
    errors.into_result()?;
    let role = role.ok_or_else(|| FieldErrors::single("role", "This field is required."))?;
    if !roles::can_assign(actor.role, role) {
        return Err(Refusal::Forbidden);
    }
    let given = changes.password.filter(|p| !p.is_empty());
    let enforce_policy = given.is_some();
    let all_companies = changes.all_companies.unwrap_or(companies.is_empty()) && actor.visible_companies().is_none();
    let default_company_id = changes.default_company.flatten().or_else(|| companies.first().copied());
    let mut errors = FieldErrors::default();
    check_default_company(&mut errors, known, default_company_id, |c| {
        all_companies || companies.contains(&c)
    });
    errors.into_result()?;
    Ok(NewUser {
        email,
        password: given.unwrap_or(temporary),
        first_name: changes.first_name.unwrap_or_default(),
        last_name: changes.last_name.unwrap_or_default(),
        role,
        permissions,
        all_companies,
        companies: if all_companies { Vec::new() } else { companies },
        default_company_id,
        enforce_policy,
    })
}

/// Changes one user of the actor's firm in one transaction, from their row as it is now
/// (locked), and records `action` in the event log. A user out of the actor's reach is absent;
/// one above the actor is refused. A deactivation ends every token the user holds.
pub fn change<S: UserStore, X: From<TenantError<S::Error>>>(
    store: &mut S,
    actor: &User,
    id: Uuid,
    action: &'static str,
    now: Timestamp,
    apply: impl FnOnce(&mut User) -> Result<(), X>,
) -> Result<User, X> {
    let mut user = store
        .locked_user(id)
        .map_err(TenantError::Store)?
        .filter(|u| actor.tenant_id.is_some() && u.tenant_id == actor.tenant_id && within_reach(actor, u))
        .ok_or(TenantError::<S::Error>::NotFound)?;
    if !roles::can_assign(actor.role, user.role) {
        return Err(TenantError::<S::Error>::Forbidden.into());
    }
    let was_active = user.is_active;
    apply(&mut user)?;
    user.updated_at = now;
    store.update_user(&user).map_err(TenantError::Store)?;
    if was_active && !user.is_active {
        store.end_sessions(user.id, now).map_err(TenantError::Store)?;
    }
    store
        .record_event(&Event {
            tenant_id: user.tenant_id,
            actor: Some(actor.id),
            action,
            object_type: "user",
            object_id: user.id,
            label: user.email.clone(),
        })
        .map_err(TenantError::Store)?;
    Ok(user)
}

/// The rules of a change made by an administrator (`PATCH`: what is sent; `PUT`: `email`
/// required, as on invite). E-mail and password belong to the user: an `email` other than the
/// user's own, or any `password`, is refused. Nobody changes their own role or permissions,
/// deactivates themselves, or grants what is above them.
pub fn apply_changes(
    actor: &User,
    user: &mut User,
    changes: UserChanges,
    known: &[Uuid],
    how: Change,
) -> Result<(), Refusal> {
    let own = user.id == actor.id;
    let mut errors = FieldErrors::default();
    if how.requires_all() && changes.email.is_none() {
        errors.add("email", "This field is required.");
    }
    let other_email = changes
        .email
        .as_deref()
        .is_some_and(|e| normalize_email(e) != user.email);
    if other_email || changes.password.is_some() {
        errors.add(
            "non_field_errors",
            "E-mail and password are changed by the user (PATCH /api/auth/me/, POST /api/auth/password/).",
        );
    }
    if let Some(raw) = changes.role.as_deref()
        && let Some(role) = parse_role(&mut errors, raw)
    {
        if role != user.role && (own || !roles::can_assign(actor.role, role)) {
            return Err(Refusal::Forbidden);
        }
        user.role = role;
    }
    if let Some(p) = changes.permissions {
        check_permissions(&mut errors, actor, &p, &user.permissions)?;
        if own && p != user.permissions {
            return Err(Refusal::Forbidden);
        }
        user.permissions = p;
    }
    if let Some(active) = changes.is_active {
        if own && !active {
            errors.add("is_active", "You cannot deactivate yourself.");
        }
        user.is_active = active;
    }
    if let Some(v) = changes.first_name {
        user.first_name = v.trim().to_owned();
    }
    if let Some(v) = changes.last_name {
        user.last_name = v.trim().to_owned();
    }
    if let Some(list) = changes.companies {
        check_companies(&mut errors, actor, &list, known);
        user.companies = list;
    }
    if let Some(all) = changes.all_companies {
        if all && actor.visible_companies().is_some() {
            return Err(Refusal::Forbidden);
        }
        user.all_companies = all;
    }
    if user.all_companies {
        user.companies.clear();
    }
    if let Some(d) = changes.default_company {
        user.default_company_id = d;
    }
    let (all, list) = (user.all_companies, user.companies.clone());
    check_default_company(&mut errors, known, user.default_company_id, |c| {
        all || list.contains(&c)
    });
    Ok(errors.into_result()?)
}

/// Activates or deactivates a user (never oneself).
pub fn set_active(actor: &User, user: &mut User, active: bool) -> Result<(), Refusal> {
    if user.id == actor.id {
        return Err(FieldErrors::single("is_active", "You cannot deactivate yourself.").into());
    }
    user.is_active = active;
    Ok(())
}

/// The user's own changes to their names and profile; a default company must be one of the
/// firm's (`known`) that they see.
pub fn update_profile<S: UserStore>(
    store: &mut S,
    me: &User,
    changes: ProfileChanges,
    known: &[Uuid],
    now: Timestamp,
) -> TenantResult<User, S> {
    let mut user = store
        .locked_user(me.id)
        .map_err(TenantError::Store)?
        .ok_or(TenantError::NotFound)?;
    let set = |field: &mut String, v: Option<String>| {
        if let Some(v) = v {
            *field = v;
        }
    };
    if let Some(v) = changes.first_name {
        user.first_name = v.trim().to_owned();
    }
    if let Some(v) = changes.last_name {
        user.last_name = v.trim().to_owned();
    }
    let p = &mut user.profile;
    set(&mut p.phone, changes.phone);
    set(&mut p.timezone, changes.timezone);
    set(&mut p.language, changes.language);
    set(&mut p.web3_wallet_address, changes.web3_wallet_address);
    set(&mut p.date_format, changes.date_format);
    set(&mut p.negative_style, changes.negative_style);
    if let Some(c) = changes.default_company {
        if !known.contains(&c) || !me.may_see_company(c) {
            return Err(FieldErrors::single("default_company", "You do not have access to this company.").into());
        }
        user.default_company_id = Some(c);
    }
    validate_profile(&user.profile)?;
    user.updated_at = now;
    store.update_user(&user).map_err(TenantError::Store)?;
    store
        .record_event(&Event {
            tenant_id: user.tenant_id,
            actor: Some(user.id),
            action: "update",
            object_type: "user",
            object_id: user.id,
            label: user.email.clone(),
        })
        .map_err(TenantError::Store)?;
    Ok(user)
}

fn parse_role(errors: &mut FieldErrors, raw: &str) -> Option<Role> {
    match raw.parse::<Role>() {
        Ok(r) => Some(r),
        Err(message) => {
            errors.add("role", message);
            None
        }
    }
}

/// Extra permissions must be known actions, and nobody grants an action they may not do
/// themselves. Permissions the user already holds (`kept`) may stay.
fn check_permissions(
    errors: &mut FieldErrors,
    actor: &User,
    permissions: &[String],
    kept: &[String],
) -> Result<(), Refusal> {
    for p in permissions {
        match Action::parse(p) {
            None => errors.add("permissions", format!("\"{p}\" is not a known permission.")),
            Some(action) if !kept.contains(p) && !actor.can(action) => return Err(Refusal::Forbidden),
            Some(_) => {}
        }
    }
    Ok(())
}

/// Companies given access to must be the firm's and within the actor's sight.
fn check_companies(errors: &mut FieldErrors, actor: &User, companies: &[Uuid], known: &[Uuid]) {
    if companies
        .iter()
        .any(|c| !known.contains(c) || !actor.may_see_company(*c))
    {
        errors.add("companies", "Unknown company.");
    }
}

/// A default company must be one of the firm's companies that the user will see.
fn check_default_company(errors: &mut FieldErrors, known: &[Uuid], default: Option<Uuid>, sees: impl Fn(Uuid) -> bool) {
    if let Some(d) = default
        && (!known.contains(&d) || !sees(d))
    {
        errors.add("default_company", "Unknown company.");
    }
}
