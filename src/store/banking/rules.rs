//! A company's bank rules: the list, one rule, the active ones of a bank account (its own and the
//! company-wide ones) in the order they apply, and writing them.

use uuid::Uuid;

use crate::domain::banking::rules::BankRule;
use crate::params;
use crate::store::list::{FilterKind, ListError, ListRequest, ListSpec, Page, list};
use crate::store::platform::{parse_ts, ts};
use crate::store::{Row, StoreError, Tx};

const COLUMNS: &str = "id, company_id, bank_account_id, name, priority, text_contains, text_regex, amount_min, \
     amount_max, counterparty_account, account_id, contact_id, tax_rate_id, description, is_active, created_at, \
     updated_at";

pub const RULES: ListSpec = ListSpec {
    columns: COLUMNS,
    from: "bank_rules",
    filters: &[
        ("is_active", "is_active = ?", FilterKind::Bool),
        ("bank_account", "bank_account_id = ?", FilterKind::Uuid),
    ],
    search: &["name", "text_contains", "description"],
    ordering: &[("priority", "priority"), ("name", "name"), ("created_at", "created_at")],
    tie_breaker: "id",
    default_ordering: "priority",
};

pub fn from_row(r: &Row) -> Result<BankRule, StoreError> {
    Ok(BankRule {
        id: r.uuid(0)?,
        company_id: r.uuid(1)?,
        bank_account_id: r.opt_uuid(2)?,
        name: r.text(3)?,
        priority: i32::try_from(r.int(4)?).unwrap_or(i32::MAX),
        text_contains: r.text(5)?,
        text_regex: r.text(6)?,
        amount_min: r.opt_int(7)?,
        amount_max: r.opt_int(8)?,
        counterparty_account: r.text(9)?,
        account_id: r.opt_uuid(10)?,
        contact_id: r.opt_uuid(11)?,
        tax_rate_id: r.opt_uuid(12)?,
        description: r.text(13)?,
        is_active: r.bool(14)?,
        created_at: parse_ts(r.str(15)?)?,
        updated_at: parse_ts(r.str(16)?)?,
    })
}

pub fn page(tx: &mut Tx, company: Uuid, request: &ListRequest) -> Result<Page<BankRule>, ListError> {
    list(tx, &RULES, ("company_id = $1", vec![company.into()]), request, from_row)
}

pub fn get(tx: &mut Tx, company: Uuid, id: Uuid) -> Result<Option<BankRule>, StoreError> {
    tx.query_opt(
        &format!("SELECT {COLUMNS} FROM bank_rules WHERE company_id = $1 AND id = $2"),
        params![company, id],
    )?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// The active rules that apply to bank account `account`, in the order they are tried.
pub fn active_for(tx: &mut Tx, company: Uuid, account: Uuid) -> Result<Vec<BankRule>, StoreError> {
    tx.query(
        &format!(
            "SELECT {COLUMNS} FROM bank_rules WHERE company_id = $1 AND is_active = $2 \
             AND (bank_account_id IS NULL OR bank_account_id = $3) ORDER BY priority, id"
        ),
        params![company, true, account],
    )?
    .iter()
    .map(from_row)
    .collect()
}

pub fn insert(tx: &mut Tx, r: &BankRule) -> Result<(), StoreError> {
    tx.execute(
        &format!(
            "INSERT INTO bank_rules ({COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
        ),
        params![
            r.id,
            r.company_id,
            r.bank_account_id,
            &r.name,
            i64::from(r.priority),
            &r.text_contains,
            &r.text_regex,
            r.amount_min,
            r.amount_max,
            &r.counterparty_account,
            r.account_id,
            r.contact_id,
            r.tax_rate_id,
            &r.description,
            r.is_active,
            ts(r.created_at),
            ts(r.updated_at)
        ],
    )?;
    Ok(())
}

pub fn update(tx: &mut Tx, r: &BankRule) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE bank_rules SET bank_account_id = $3, name = $4, priority = $5, text_contains = $6, \
         text_regex = $7, amount_min = $8, amount_max = $9, counterparty_account = $10, account_id = $11, \
         contact_id = $12, tax_rate_id = $13, description = $14, is_active = $15, updated_at = $16 \
         WHERE company_id = $1 AND id = $2",
        params![
            r.company_id,
            r.id,
            r.bank_account_id,
            &r.name,
            i64::from(r.priority),
            &r.text_contains,
            &r.text_regex,
            r.amount_min,
            r.amount_max,
            &r.counterparty_account,
            r.account_id,
            r.contact_id,
            r.tax_rate_id,
            &r.description,
            r.is_active,
            ts(r.updated_at)
        ],
    )?;
    Ok(())
}

pub fn delete(tx: &mut Tx, company: Uuid, id: Uuid) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM bank_rules WHERE company_id = $1 AND id = $2",
        params![company, id],
    )?;
    Ok(())
}
