//! The columns whose values come from a closed list — a role, a status, a kind — with the test
//! of a value taken from the domain type that reads it, and a check that a firm's rows hold only
//! values this installation knows. `oasys import ARCHIVE` runs it before publishing a firm: an
//! archive is a file anyone may have edited, and a user row saying `role = platform_admin` must
//! not hand out the platform.

use uuid::Uuid;

use super::{StoreError, Tx};
use crate::domain::accounts::AccountType;
use crate::domain::banking::reconciliation::ReconciliationStatus;
use crate::domain::banking::statements::LineStatus;
use crate::domain::delivery::MessageStatus;
use crate::domain::documents::recurring::Frequency;
use crate::domain::documents::{Direction, DocumentKind, DocumentStatus};
use crate::domain::exchange_rates::RateSource;
use crate::domain::files::{FileKind, RecordKind, TextState};
use crate::domain::items::ItemKind;
use crate::domain::ledger::EntryStatus;
use crate::domain::ledger::chain::Kind as LinkKind;
use crate::domain::roles::{Action, Role};
use crate::domain::taxes::{Rounding, TaxKind};
use crate::domain::tenants::{DATE_FORMATS, NEGATIVE_STYLES, Plan};

/// One column of closed values. `NULL` is left to the schema (a nullable column may hold it).
pub struct Closed {
    pub table: &'static str,
    pub column: &'static str,
    pub known: fn(&str) -> bool,
}

const fn closed(table: &'static str, column: &'static str, known: fn(&str) -> bool) -> Closed {
    Closed { table, column, known }
}

/// A firm's own database.
pub const TENANT: &[Closed] = &[
    closed("accounts", "type", |v| AccountType::parse(v).is_some()),
    closed("journal_entries", "status", |v| EntryStatus::parse(v).is_some()),
    closed("ledger_chain", "kind", |v| LinkKind::parse(v).is_some()),
    closed("company_settings", "tax_rounding", |v| Rounding::parse(v).is_some()),
    closed("tax_rates", "kind", |v| TaxKind::parse(v).is_some()),
    closed("items", "kind", |v| ItemKind::parse(v).is_some()),
    closed("documents", "kind", |v| DocumentKind::parse(v).is_some()),
    closed("documents", "status", |v| DocumentStatus::parse(v).is_some()),
    closed("payments", "direction", |v| Direction::parse(v).is_some()),
    closed("recurring_invoices", "frequency", |v| Frequency::parse(v).is_some()),
    closed("document_templates", "logo_content_type", |v| {
        matches!(v, "image/png" | "image/jpeg")
    }),
    closed("email_log", "status", |v| MessageStatus::parse(v).is_some()),
    closed("statement_lines", "status", |v| LineStatus::parse(v).is_some()),
    closed("reconciliations", "status", |v| {
        ReconciliationStatus::parse(v).is_some()
    }),
    closed("exchange_rates", "source", |v| RateSource::parse(v).is_some()),
    closed("capture_drafts", "status", |v| {
        crate::domain::capture::DraftStatus::parse(v).is_some()
    }),
    closed("capture_draft_fields", "field", |v| {
        crate::domain::capture::FieldName::parse(v).is_some()
    }),
    closed("files", "kind", |v| FileKind::parse(v).is_some()),
    closed("sales_documents", "kind", |v| {
        crate::domain::sales::SalesKind::parse(v).is_some()
    }),
    closed("sales_documents", "status", |v| {
        crate::domain::sales::SalesStatus::parse(v).is_some()
    }),
    closed("file_links", "record_kind", |v| RecordKind::parse(v).is_some()),
    closed("file_texts", "state", |v| TextState::parse(v).is_some()),
    closed("purchase_orders", "status", |v| {
        crate::domain::purchases::OrderStatus::parse(v).is_some()
    }),
    closed("purchase_landed_costs", "basis", |v| matches!(v, "value" | "quantity")),
];

/// A firm's rows in the platform database (`$1` is the firm's id). A firm's user holds a firm
/// role: never the platform administrator's.
pub const PLATFORM: &[(Closed, &str)] = &[
    (closed("tenants", "plan", |v| Plan::parse(v).is_some()), "id = $1"),
    (closed("users", "role", firm_role), "tenant_id = $1"),
    (closed("users", "permissions", known_actions), "tenant_id = $1"),
    (
        closed("users", "date_format", |v| DATE_FORMATS.contains(&v)),
        "tenant_id = $1",
    ),
    (
        closed("users", "negative_style", |v| NEGATIVE_STYLES.contains(&v)),
        "tenant_id = $1",
    ),
];

fn firm_role(v: &str) -> bool {
    v.parse::<Role>().is_ok_and(|r| r != Role::PlatformAdmin)
}

/// A JSON list of action names (`["entries.post"]`).
fn known_actions(v: &str) -> bool {
    serde_json::from_str::<Vec<String>>(v).is_ok_and(|names| names.iter().all(|n| Action::parse(n).is_some()))
}

/// Every unknown value of the firm's own database, as `table.column = "value"`.
pub fn unknown_in_tenant(tx: &mut Tx) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for c in TENANT {
        unknown(tx, c, None, &mut out)?;
    }
    Ok(out)
}

/// Every unknown value in the platform rows of firm `tenant`, as `table.column = "value"`.
pub fn unknown_in_platform(tx: &mut Tx, tenant: Uuid) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for (c, filter) in PLATFORM {
        unknown(tx, c, Some((filter, tenant)), &mut out)?;
    }
    Ok(out)
}

fn unknown(tx: &mut Tx, c: &Closed, filter: Option<(&str, Uuid)>, out: &mut Vec<String>) -> Result<(), StoreError> {
    let (table, column) = (c.table, c.column);
    let rows = match filter {
        Some((filter, tenant)) => tx.query(
            &format!("SELECT DISTINCT {column} FROM {table} WHERE {filter}"),
            crate::params![tenant],
        )?,
        None => tx.query(&format!("SELECT DISTINCT {column} FROM {table}"), &[])?,
    };
    for row in rows {
        if let Some(value) = row.opt_text(0)?
            && !(c.known)(&value)
        {
            out.push(format!("{table}.{column} = {value:?}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_firm_user_may_not_hold_the_platform_role_or_unknown_actions() {
        assert!(firm_role("tenant_admin") && firm_role("staff"));
        assert!(!firm_role("platform_admin") && !firm_role("root"));
        assert!(known_actions("[]") && known_actions("[\"entries.post\"]"));
        assert!(!known_actions("[\"platform.everything\"]") && !known_actions("not json"));
    }
}
