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

    /// Every value the domain writes into each closed column, taken from the domain types
    /// themselves (complete lists: a variant forgotten here would be refused by the cross check
    /// below only if another column writes the same text).
    fn written(table: &str, column: &str) -> Vec<String> {
        use crate::domain::banking::reconciliation::ReconciliationStatus as Rec;
        use crate::domain::capture::{DraftStatus, FieldName};
        use crate::domain::purchases::OrderStatus;
        use crate::domain::roles::{ALL_ACTIONS, ALL_ROLES};
        use crate::domain::sales::{SalesKind, SalesStatus};
        fn all<T: Copy>(values: &[T], name: fn(T) -> &'static str) -> Vec<String> {
            values.iter().map(|v| name(*v).to_owned()).collect()
        }
        match (table, column) {
            ("accounts", "type") => all(&AccountType::ALL, AccountType::as_str),
            ("journal_entries", "status") => all(
                &[EntryStatus::Draft, EntryStatus::Posted, EntryStatus::Cancelled],
                EntryStatus::as_str,
            ),
            ("ledger_chain", "kind") => all(
                &[LinkKind::Post, LinkKind::Reverse, LinkKind::Close, LinkKind::TaxLock],
                LinkKind::as_str,
            ),
            ("company_settings", "tax_rounding") => all(&[Rounding::Line, Rounding::Document], Rounding::as_str),
            ("tax_rates", "kind") => all(&TaxKind::ALL, TaxKind::as_str),
            ("items", "kind") => all(&ItemKind::ALL, ItemKind::as_str),
            ("documents", "kind") => all(&DocumentKind::ALL, DocumentKind::as_str),
            ("documents", "status") => all(&DocumentStatus::ALL, DocumentStatus::as_str),
            ("payments", "direction") => all(&[Direction::Received, Direction::Made], Direction::as_str),
            ("recurring_invoices", "frequency") => all(
                &[
                    Frequency::Weekly,
                    Frequency::Monthly,
                    Frequency::Quarterly,
                    Frequency::Yearly,
                ],
                Frequency::as_str,
            ),
            ("document_templates", "logo_content_type") => all(&[FileKind::Png, FileKind::Jpeg], FileKind::media_type),
            ("email_log", "status") => all(&MessageStatus::ALL, MessageStatus::as_str),
            ("statement_lines", "status") => all(&LineStatus::ALL, LineStatus::as_str),
            ("reconciliations", "status") => all(&Rec::ALL, Rec::as_str),
            ("exchange_rates", "source") => all(&RateSource::ALL, RateSource::as_str),
            ("capture_drafts", "status") => all(
                &[DraftStatus::Pending, DraftStatus::Accepted, DraftStatus::Rejected],
                DraftStatus::as_str,
            ),
            ("capture_draft_fields", "field") => all(&FieldName::ALL, FieldName::as_str),
            ("files", "kind") => all(&FileKind::ALL, FileKind::as_str),
            ("sales_documents", "kind") => all(&[SalesKind::Quote, SalesKind::Order], SalesKind::as_str),
            ("sales_documents", "status") => all(&SalesStatus::ALL, SalesStatus::as_str),
            ("file_links", "record_kind") => all(&RecordKind::ALL, RecordKind::as_str),
            ("file_texts", "state") => all(&TextState::ALL, TextState::as_str),
            ("purchase_orders", "status") => all(&OrderStatus::ALL, OrderStatus::as_str),
            // What `domain::purchases::landed` writes (it has no type of its own).
            ("purchase_landed_costs", "basis") => vec!["value".into(), "quantity".into()],
            ("tenants", "plan") => all(&Plan::ALL, Plan::as_str),
            ("users", "role") => ALL_ROLES
                .iter()
                .filter(|r| **r != Role::PlatformAdmin)
                .map(|r| r.as_str().to_owned())
                .collect(),
            ("users", "permissions") => {
                let names: Vec<&str> = ALL_ACTIONS.iter().map(|a| a.as_str()).collect();
                let every = serde_json::to_string(&names).unwrap_or_default();
                let one = serde_json::to_string(&names[..1]).unwrap_or_default();
                vec!["[]".into(), one, every]
            }
            ("users", "date_format") => DATE_FORMATS.iter().map(|f| (*f).to_owned()).collect(),
            ("users", "negative_style") => NEGATIVE_STYLES.iter().map(|s| (*s).to_owned()).collect(),
            _ => panic!("{table}.{column} is a closed column without a list of written values in this test"),
        }
    }

    /// Each closed column accepts every value the domain writes into it, and refuses a made-up
    /// value and every other column's values that are not also its own: a check wired to another
    /// column's parser fails here. A closed column added without values here fails too.
    #[test]
    fn every_closed_column_knows_what_the_domain_writes_and_nothing_else() {
        let columns: Vec<&Closed> = TENANT.iter().chain(PLATFORM.iter().map(|(c, _)| c)).collect();
        let lists: Vec<(&Closed, Vec<String>)> = columns.iter().map(|c| (*c, written(c.table, c.column))).collect();
        let mut seen = std::collections::HashSet::new();
        for (c, own) in &lists {
            let name = format!("{}.{}", c.table, c.column);
            assert!(seen.insert(name.clone()), "{name} is listed twice");
            assert!(!own.is_empty(), "{name}");
            for v in own {
                assert!((c.known)(v), "{name} refuses {v:?}, a value the domain writes");
            }
            for made_up in ["no-such-value", "", "[\"no-such-value\"]"] {
                assert!(!(c.known)(made_up), "{name} accepts the made-up {made_up:?}");
            }
            for (other, theirs) in &lists {
                for v in theirs.iter().filter(|v| !own.contains(v)) {
                    assert!(
                        !(c.known)(v),
                        "{name} accepts {v:?}, a value of {}.{}",
                        other.table,
                        other.column
                    );
                }
            }
        }
        assert_eq!(seen.len(), TENANT.len() + PLATFORM.len());
    }
}
