//! Firms (tenants), their companies and their users: the types, their validation, and what the
//! operations on them share: the platform's event log ([`EventLog`]) and [`TenantError`]. The
//! operations are by record: `firm.rs` (the firm itself), `companies.rs`, `users.rs`.

pub mod companies;
pub mod firm;
pub mod users;

use jiff::Timestamp;
use uuid::Uuid;

use super::FieldErrors;
use super::roles::{self, Action, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    Basic,
    Professional,
    Enterprise,
}

impl Plan {
    pub const ALL: [Plan; 3] = [Plan::Basic, Plan::Professional, Plan::Enterprise];

    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Basic => "basic",
            Plan::Professional => "professional",
            Plan::Enterprise => "enterprise",
        }
    }

    pub fn parse(s: &str) -> Option<Plan> {
        Plan::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// A firm: the unit of isolation. Its data never mixes with another firm's.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: Uuid,
    pub name: String,
    pub domain: Option<String>,
    pub plan: Plan,
    pub is_active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A set of books: every ledger belongs to one company of one firm.
#[derive(Debug, Clone)]
pub struct Company {
    pub id: Uuid,
    pub name: String,
    pub tax_id: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub currency: String,
    pub timezone: String,
    pub is_active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Company {
    /// The company's date at `now`, in its own time zone (UTC when the zone is unknown to the
    /// bundled database). Every "today" of the books comes from here, so a firm east or west of
    /// UTC issues, reports and runs schedules on one and the same date.
    pub fn today(&self, now: Timestamp) -> jiff::civil::Date {
        let zone = jiff::tz::TimeZone::get(&self.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
        now.to_zoned(zone).date()
    }
}

/// A person who signs in. `tenant_id` is `None` only for platform administrators.
#[derive(Debug, Clone)]
pub struct User {
    pub id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub permissions: Vec<String>,
    pub is_active: bool,
    pub default_company_id: Option<Uuid>,
    /// When false, the user sees only `companies`.
    pub all_companies: bool,
    pub companies: Vec<Uuid>,
    /// Raised by a password change or "log out everywhere": older tokens stop working.
    pub token_version: i64,
    pub last_login: Option<Timestamp>,
    pub profile: Profile,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl User {
    /// `None` when the user sees every company of their firm; else the companies they may see.
    pub fn visible_companies(&self) -> Option<&[Uuid]> {
        if self.all_companies || roles::sees_all_companies(self.role) {
            None
        } else {
            Some(&self.companies)
        }
    }

    pub fn may_see_company(&self, id: Uuid) -> bool {
        self.visible_companies().is_none_or(|ids| ids.contains(&id))
    }

    /// Whether the permission matrix (or the user's extra permissions) allow `action`.
    pub fn can(&self, action: Action) -> bool {
        roles::can(self.role, &self.permissions, action)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    pub phone: String,
    pub timezone: String,
    pub language: String,
    pub two_factor_enabled: bool,
    pub web3_wallet_address: String,
    /// How the web app writes dates: one of [`DATE_FORMATS`].
    pub date_format: String,
    /// How the web app writes negative amounts: `minus` (-12.00) or `parentheses` ((12.00)).
    pub negative_style: String,
}

/// The details of a company, as created or changed.
#[derive(Debug, Clone, Default)]
pub struct CompanyDetails {
    pub name: String,
    pub tax_id: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub currency: String,
    pub timezone: String,
}

impl CompanyDetails {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.name.trim().is_empty() {
            errors.add("name", "This field may not be blank.");
        }
        if self.name.chars().count() > 255 {
            errors.add("name", "Ensure this field has no more than 255 characters.");
        }
        if !is_currency_code(&self.currency) {
            errors.add("currency", "Enter a 3-letter ISO 4217 currency code, such as USD.");
        }
        if !is_timezone(&self.timezone) {
            errors.add("timezone", "Enter a valid IANA time zone, such as Europe/Paris.");
        }
        if !self.email.is_empty() && !is_email(&self.email) {
            errors.add("email", "Enter a valid email address.");
        }
        if self.phone.chars().count() > 20 {
            errors.add("phone", "Ensure this field has no more than 20 characters.");
        }
        errors.into_result()
    }
}

/// A person to create, with their password in clear (hashed by whoever stores them, never kept).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub permissions: Vec<String>,
    pub all_companies: bool,
    pub companies: Vec<Uuid>,
    pub default_company_id: Option<Uuid>,
    /// False for a temporary password made by the server, and for the demo account, whose
    /// password is the seed's well-known one.
    pub enforce_policy: bool,
}

impl NewUser {
    /// The first administrator of a new firm: every company, the password policy enforced.
    pub fn administrator(email: String, password: String, first_name: String, last_name: String) -> NewUser {
        NewUser {
            email,
            password,
            first_name,
            last_name,
            role: Role::TenantAdmin,
            permissions: Vec::new(),
            all_companies: true,
            companies: Vec::new(),
            default_company_id: None,
            enforce_policy: true,
        }
    }
}

/// One line of the platform's event log: who did what to which firm, company or user. (A
/// company's own audit trail, with field changes, is `domain::audit`.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub tenant_id: Option<Uuid>,
    pub actor: Option<Uuid>,
    pub action: &'static str,
    pub object_type: &'static str,
    pub object_id: Uuid,
    /// How the object reads in the log: a name or an e-mail.
    pub label: String,
}

/// Where the firm-level operations write their [`Event`]s, in the caller's transaction.
pub trait EventLog {
    type Error: std::error::Error + Send + Sync + 'static;

    fn record_event(&mut self, event: &Event) -> Result<(), Self::Error>;
}

/// Why a change of a firm, a company or a user was refused.
#[derive(Debug, thiserror::Error)]
pub enum TenantError<E: std::error::Error + 'static> {
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    /// Absent, or out of the actor's sight: the same answer either way.
    #[error("Not found.")]
    NotFound,
    /// The actor's role does not allow this change (beyond the permission the request needs).
    #[error("You do not have permission to perform this action.")]
    Forbidden,
    #[error(transparent)]
    Store(E),
}

impl<E: std::error::Error + 'static> From<FieldErrors> for TenantError<E> {
    fn from(e: FieldErrors) -> Self {
        TenantError::Invalid(e)
    }
}

/// Why a rule refused a change, before anything was stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    #[error("You do not have permission to perform this action.")]
    Forbidden,
}

impl From<FieldErrors> for Refusal {
    fn from(e: FieldErrors) -> Self {
        Refusal::Invalid(e)
    }
}

impl<E: std::error::Error + 'static> From<Refusal> for TenantError<E> {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Invalid(e) => TenantError::Invalid(e),
            Refusal::Forbidden => TenantError::Forbidden,
        }
    }
}

/// The result of a firm-level operation over store `S`.
pub type TenantResult<T, S> = Result<T, TenantError<<S as EventLog>::Error>>;

/// Reads a text field a record cannot go without: missing or blank is a field error.
pub fn required_text(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> String {
    match value.map(str::trim) {
        Some(v) if !v.is_empty() => v.to_owned(),
        Some(_) => {
            errors.add(field, "This field may not be blank.");
            String::new()
        }
        None => {
            errors.add(field, "This field is required.");
            String::new()
        }
    }
}

pub fn is_currency_code(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())
}

pub fn is_timezone(s: &str) -> bool {
    !s.is_empty() && jiff::tz::TimeZone::get(s).is_ok()
}

/// A deliberately plain check: one `@`, something before it, a dotted domain after it.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && s.len() <= 254
        && !s.chars().any(char::is_whitespace)
}

/// E-mail addresses are compared case-insensitively: stored trimmed and lower-case.
pub fn normalize_email(s: &str) -> String {
    s.trim().to_lowercase()
}

pub const DATE_FORMATS: [&str; 4] = ["YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY"];
pub const NEGATIVE_STYLES: [&str; 2] = ["minus", "parentheses"];

pub fn validate_profile(p: &Profile) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    if p.phone.chars().count() > 20 {
        errors.add("phone", "Ensure this field has no more than 20 characters.");
    }
    if !is_timezone(&p.timezone) {
        errors.add("timezone", "Enter a valid IANA time zone, such as Europe/Paris.");
    }
    if p.language.is_empty() || p.language.len() > 10 {
        errors.add("language", "Enter a language code such as en or fr-CA.");
    }
    if !DATE_FORMATS.contains(&p.date_format.as_str()) {
        errors.add("date_format", format!("Choose one of: {}.", DATE_FORMATS.join(", ")));
    }
    if !NEGATIVE_STYLES.contains(&p.negative_style.as_str()) {
        errors.add(
            "negative_style",
            format!("Choose one of: {}.", NEGATIVE_STYLES.join(", ")),
        );
    }
    if p.web3_wallet_address.len() > 255 {
        errors.add(
            "web3_wallet_address",
            "Ensure this field has no more than 255 characters.",
        );
    }
    errors.into_result()
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod validation {
    use super::*;

    #[test]
    fn company_details_are_checked_field_by_field() {
        let ok = CompanyDetails {
            name: "Acme".into(),
            currency: "EUR".into(),
            timezone: "Europe/Paris".into(),
            ..Default::default()
        };
        assert!(ok.validate().is_ok());
        let bad = CompanyDetails {
            name: " ".into(),
            currency: "euro".into(),
            timezone: "Mars/Olympus".into(),
            email: "nope".into(),
            ..Default::default()
        };
        let errors = bad.validate().unwrap_err();
        for field in ["name", "currency", "timezone", "email"] {
            assert!(errors.0.contains_key(field), "{field} not reported");
        }
    }

    #[test]
    fn emails() {
        assert!(is_email("a@b.co"));
        assert!(!is_email("a@b"));
        assert!(!is_email("@b.co"));
        assert!(!is_email("a b@c.de"));
        assert_eq!(normalize_email("  Jane@Example.COM "), "jane@example.com");
    }
}
