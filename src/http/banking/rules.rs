//! `/api/banking/rules/`: a company's bank rules, a `Resource` (list, create, show, `PUT`,
//! `PATCH`, delete). A rule is checked as the matching engine will apply it: a pattern that is
//! not a regular expression, or too large, is a 400 under `text_regex`, and nothing is saved.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::account;
use crate::domain::audit::{self, AuditFields, AuditTrail};
use crate::domain::banking::rules::BankRule;
use crate::domain::ledger::{Ctx, LedgerStore};
use crate::domain::{Change, FieldErrors, money};
use crate::http::company::perm;
use crate::http::error::ApiError;
use crate::http::fields::fields_body;
use crate::http::resource::{Deletable, Edit, Form, Resource};
use crate::params;
use crate::store::Tx;
use crate::store::banking::rules as store;
use crate::store::list::{ListRequest, Page};

/// What a rule request sets; `None` leaves a field as it is.
#[derive(Default)]
pub struct BankRuleChanges {
    pub name: Option<String>,
    pub priority: Option<i64>,
    pub text_contains: Option<String>,
    pub text_regex: Option<String>,
    pub counterparty_account: Option<String>,
    pub description: Option<String>,
    pub is_active: Option<bool>,
    pub bank_account: Option<Option<Uuid>>,
    pub amount_min: Option<Option<String>>,
    pub amount_max: Option<Option<String>>,
    pub account: Option<Option<Uuid>>,
    pub contact: Option<Option<Uuid>>,
    pub tax_rate: Option<Option<Uuid>>,
}

fields_body! {
    /// A bank rule as a create, `PUT` or `PATCH` sends it. Every condition given must hold; a
    /// rule needs at least one, and an account or a contact to assign the line to.
    #[schema(as = BankRuleInput)]
    pub struct BankRuleBody into BankRuleChanges {
        name: String = text,
        /// Smaller is tried first (default 100).
        priority: i64 = int,
        /// Words the line's text or counterparty contains, ignoring case.
        text_contains: String = text,
        /// A regular expression the text or counterparty matches, ignoring case.
        text_regex: String = text,
        /// The counterparty's IBAN or account number.
        counterparty_account: String = text,
        description: String = text,
        is_active: bool = boolean,
    }
    nullable {
        /// The bank account the rule applies to; `null`: all of the company's.
        bank_account: Uuid = id,
        /// Signed decimal (money out is negative).
        amount_min: String = opt_text,
        amount_max: String = opt_text,
        account: Uuid = id,
        contact: Uuid = id,
        tax_rate: Uuid = id,
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = BankRule)]
pub struct BankRuleDto {
    pub id: Uuid,
    pub name: String,
    pub priority: i32,
    #[schema(required = true)]
    pub bank_account: Option<Uuid>,
    pub text_contains: String,
    pub text_regex: String,
    #[schema(required = true)]
    pub amount_min: Option<String>,
    #[schema(required = true)]
    pub amount_max: Option<String>,
    pub counterparty_account: String,
    #[schema(required = true)]
    pub account: Option<Uuid>,
    #[schema(required = true)]
    pub contact: Option<Uuid>,
    #[schema(required = true)]
    pub tax_rate: Option<Uuid>,
    pub description: String,
    pub is_active: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

fn dto(r: BankRule, decimals: u32) -> BankRuleDto {
    BankRuleDto {
        id: r.id,
        name: r.name,
        priority: r.priority,
        bank_account: r.bank_account_id,
        text_contains: r.text_contains,
        text_regex: r.text_regex,
        amount_min: r.amount_min.map(|a| money::format(a, decimals)),
        amount_max: r.amount_max.map(|a| money::format(a, decimals)),
        counterparty_account: r.counterparty_account,
        account: r.account_id,
        contact: r.contact_id,
        tax_rate: r.tax_rate_id,
        description: r.description,
        is_active: r.is_active,
        created_at: r.created_at.to_string(),
        updated_at: r.updated_at.to_string(),
    }
}

fn fields(r: &BankRule) -> AuditFields {
    let id = |v: Option<Uuid>| audit::id_text(v);
    let amount = |v: Option<i64>| v.map(|a| a.to_string()).unwrap_or_default();
    vec![
        ("name", r.name.clone()),
        ("priority", r.priority.to_string()),
        ("bank_account", id(r.bank_account_id)),
        ("text_contains", r.text_contains.clone()),
        ("text_regex", r.text_regex.clone()),
        ("amount_min", amount(r.amount_min)),
        ("amount_max", amount(r.amount_max)),
        ("counterparty_account", r.counterparty_account.clone()),
        ("account", id(r.account_id)),
        ("contact", id(r.contact_id)),
        ("tax_rate", id(r.tax_rate_id)),
        ("description", r.description.clone()),
        ("is_active", r.is_active.to_string()),
    ]
}

/// Whether `id` names a row of `table` of the company.
fn exists(tx: &mut Tx, table: &str, company: Uuid, id: Uuid) -> Result<bool, ApiError> {
    Ok(tx
        .query_opt(
            &format!("SELECT id FROM {table} WHERE company_id = $1 AND id = $2"),
            params![company, id],
        )?
        .is_some())
}

/// The rule `current` with `c` applied, checked.
fn apply(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    current: Option<BankRule>,
    how: Change,
    c: BankRuleChanges,
    mut errors: FieldErrors,
) -> Result<BankRule, ApiError> {
    let company = ctx.books.company_id;
    let d = ctx.books.decimals;
    if how.requires_all() && c.name.is_none() {
        errors.add("name", "This field is required.");
    }
    let mut amount = |field: &str, v: Option<Option<String>>, keep: Option<i64>| match v {
        None => keep,
        Some(None) => None,
        Some(Some(t)) if t.trim().is_empty() => None,
        Some(Some(t)) => match money::parse(&t).and_then(|a| money::to_minor(a, d)) {
            Ok(a) => Some(a),
            Err(e) => {
                errors.add(field, e.to_string());
                None
            }
        },
    };
    let base = current.clone();
    let amount_min = amount("amount_min", c.amount_min, base.as_ref().and_then(|r| r.amount_min));
    let amount_max = amount("amount_max", c.amount_max, base.as_ref().and_then(|r| r.amount_max));
    let pick = |v: Option<Option<Uuid>>, keep: Option<Uuid>| v.unwrap_or(keep);
    let rule = BankRule {
        id: base.as_ref().map_or_else(Uuid::now_v7, |r| r.id),
        company_id: company,
        bank_account_id: pick(c.bank_account, base.as_ref().and_then(|r| r.bank_account_id)),
        name: c
            .name
            .or_else(|| base.as_ref().map(|r| r.name.clone()))
            .unwrap_or_default()
            .trim()
            .to_owned(),
        priority: match c.priority.map(i32::try_from) {
            Some(Ok(p)) => p,
            Some(Err(_)) => {
                errors.add("priority", "Ensure this value is a 32-bit integer.");
                0
            }
            None => base.as_ref().map_or(100, |r| r.priority),
        },
        text_contains: c
            .text_contains
            .or_else(|| base.as_ref().map(|r| r.text_contains.clone()))
            .unwrap_or_default(),
        text_regex: c
            .text_regex
            .or_else(|| base.as_ref().map(|r| r.text_regex.clone()))
            .unwrap_or_default(),
        amount_min,
        amount_max,
        counterparty_account: c
            .counterparty_account
            .or_else(|| base.as_ref().map(|r| r.counterparty_account.clone()))
            .unwrap_or_default(),
        account_id: pick(c.account, base.as_ref().and_then(|r| r.account_id)),
        contact_id: pick(c.contact, base.as_ref().and_then(|r| r.contact_id)),
        tax_rate_id: pick(c.tax_rate, base.as_ref().and_then(|r| r.tax_rate_id)),
        description: c
            .description
            .or_else(|| base.as_ref().map(|r| r.description.clone()))
            .unwrap_or_default(),
        is_active: c
            .is_active
            .or_else(|| base.as_ref().map(|r| r.is_active))
            .unwrap_or(true),
        created_at: base.as_ref().map_or(ctx.now, |r| r.created_at),
        updated_at: ctx.now,
    };
    if rule.name.is_empty() && !errors.0.contains_key("name") {
        errors.add("name", "This field may not be blank.");
    }
    if let Some(b) = rule.bank_account_id
        && account(tx, ctx, b).is_err()
    {
        errors.add("bank_account", "Unknown bank account for this company.");
    }
    if let Some(a) = rule.account_id
        && tx.account(company, a)?.is_none_or(|a| !a.is_active)
    {
        errors.add("account", "Choose an active account of this company.");
    }
    if let Some(id) = rule.contact_id
        && !exists(tx, "contacts", company, id)?
    {
        errors.add("contact", "Unknown contact for this company.");
    }
    if let Some(id) = rule.tax_rate_id
        && !exists(tx, "tax_rates", company, id)?
    {
        errors.add("tax_rate", "Unknown tax rate for this company.");
    }
    if errors.is_empty()
        && let Err(checked) = rule.check()
    {
        errors = checked;
    }
    errors.into_result()?;
    Ok(rule)
}

/// The company's bank rules.
pub struct BankRules;

impl Resource for BankRules {
    type View = perm::ViewLedger;
    type Edit = perm::EditLedger;
    type Record = BankRule;
    type Dto = BankRuleDto;
    type Body = serde_json::Value;

    fn list(tx: &mut Tx, ctx: &Ctx<'_>, request: &ListRequest) -> Result<Page<BankRuleDto>, ApiError> {
        let d = ctx.books.decimals;
        Ok(store::page(tx, ctx.books.company_id, request)?.map(|r| dto(r, d)))
    }

    fn find(tx: &mut Tx, ctx: &Ctx<'_>, id: Uuid) -> Result<BankRule, ApiError> {
        store::get(tx, ctx.books.company_id, id)?.ok_or(ApiError::NotFound)
    }

    fn show(_tx: &mut Tx, ctx: &Ctx<'_>, record: BankRule) -> Result<BankRuleDto, ApiError> {
        Ok(dto(record, ctx.books.decimals))
    }

    fn save(tx: &mut Tx, ctx: &Ctx<'_>, edit: Edit<BankRule>, body: serde_json::Value) -> Result<BankRule, ApiError> {
        let (changes, errors) = BankRuleBody::changes(body)?;
        let before = edit.current.clone();
        let rule = apply(tx, ctx, edit.current, edit.how, changes, errors)?;
        let (verb, old) = match &before {
            Some(b) => {
                store::update(tx, &rule)?;
                ("update", Some(fields(b)))
            }
            None => {
                store::insert(tx, &rule)?;
                ("create", None)
            }
        };
        let record = audit::changes(ctx, verb, ("bank_rule", rule.id), old.as_ref(), Some(&fields(&rule)));
        tx.append_audit(&record)?;
        Ok(rule)
    }
}

impl Deletable for BankRules {
    fn delete(tx: &mut Tx, ctx: &Ctx<'_>, rule: BankRule) -> Result<(), ApiError> {
        store::delete(tx, ctx.books.company_id, rule.id)?;
        let record = audit::changes(ctx, "delete", ("bank_rule", rule.id), Some(&fields(&rule)), None);
        tx.append_audit(&record)?;
        Ok(())
    }
}
