//! The books an operation works in, and who works in them: [`Books`] (a company's ledger:
//! id, currency, decimals), [`Ctx`] (the books, the company, the actor, the day) and
//! [`AuditRecord`] (one row of the audit trail). Every area's operations take a `Ctx`.

use jiff::Timestamp;
use jiff::civil::Date;
use uuid::Uuid;

use super::money;
use super::tenants::Company;

/// The company a ledger operation works in.
#[derive(Debug, Clone)]
pub struct Books {
    pub company_id: Uuid,
    pub currency: String,
    pub decimals: u32,
}

impl Books {
    /// The books of `company`: its id, its currency and that currency's decimals.
    pub fn of(company: &Company) -> Books {
        Books {
            company_id: company.id,
            currency: company.currency.clone(),
            decimals: money::decimals(&company.currency),
        }
    }
}

/// One row of the audit trail, written in the same transaction as the change.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub company_id: Uuid,
    pub actor: Uuid,
    pub action: &'static str,
    pub object_type: &'static str,
    pub object_id: Uuid,
    /// `(field, before, after)` triples.
    pub changes: Vec<(String, String, String)>,
}

/// Who acts, in which company's books, on which day, with which checkpoint key.
pub struct Ctx<'a> {
    pub books: &'a Books,
    /// The company the books belong to (its name, address and time zone, for documents).
    pub company: &'a Company,
    pub actor: Uuid,
    /// Signs chain checkpoints; kept outside the tenant database.
    pub checkpoint_key: &'a [u8],
    /// The company's date now, in its own time zone ([`Company::today`]): the one "today" every
    /// default date (issue date, payment date, report date, due runs) is taken from.
    pub today: Date,
    /// When the request's changes happen, to the microsecond the store keeps (so an answer shows
    /// the same `created_at`/`updated_at` as any later read).
    pub now: Timestamp,
}

/// The time of a change, to the microsecond the store keeps.
pub fn now() -> Timestamp {
    let t = Timestamp::now();
    Timestamp::from_microsecond(t.as_microsecond()).unwrap_or(t)
}
