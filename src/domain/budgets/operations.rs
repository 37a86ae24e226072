//! What can be done to a budget itself: find it, create or change its name, year and notes (with
//! its row in the audit trail), delete it with its amounts; and what storage gives them.

use std::collections::HashMap;

use jiff::civil::Date;
use uuid::Uuid;

use super::{Budget, BudgetLine, MAX_NAME, MAX_NOTES, fiscal_start};
use crate::domain::accounts::Account;
use crate::domain::audit::{self, AuditFields, AuditTrail};
use crate::domain::books::Ctx;
use crate::domain::references;
use crate::domain::{Change, FieldErrors, Kept};

/// What the budgets' operations need from storage (the store implements it for a transaction).
pub trait BudgetStore: AuditTrail {
    fn find_budget(&mut self, company: Uuid, id: Uuid) -> Result<Option<Budget>, Self::Error>;
    /// Whether another budget of the company (not `except`) has this name in this year.
    fn budget_named(&mut self, company: Uuid, year: i16, name: &str, except: Option<Uuid>)
    -> Result<bool, Self::Error>;
    /// The month (1–12) the company's fiscal year starts in.
    fn fiscal_year_start_month(&mut self, company: Uuid) -> Result<i8, Self::Error>;
    fn insert_budget(&mut self, budget: &Budget) -> Result<(), Self::Error>;
    fn update_budget(&mut self, budget: &Budget) -> Result<(), Self::Error>;
    /// Deletes the budget and its amounts.
    fn delete_budget(&mut self, company: Uuid, id: Uuid) -> Result<(), Self::Error>;
    /// The budget's lines (accounts with any amount), in no particular order.
    fn budget_lines(&mut self, budget: Uuid) -> Result<Vec<BudgetLine>, Self::Error>;
    /// Replaces the amounts of `accounts` (every account when `None`) by `lines`; zero amounts
    /// are not stored.
    fn replace_budget_lines(
        &mut self,
        budget: Uuid,
        accounts: Option<&[Uuid]>,
        lines: &[BudgetLine],
    ) -> Result<(), Self::Error>;
    /// The company's chart.
    fn budget_chart(&mut self, company: Uuid) -> Result<Vec<Account>, Self::Error>;
    /// Net movements (debit minus credit) of the revenue and expense accounts on the days
    /// `from` … `to`, without the year-end closing entries, from the maintained balances.
    fn result_movements(&mut self, company: Uuid, from: Date, to: Date) -> Result<HashMap<Uuid, i64>, Self::Error>;
}

/// Why a budget could not be found or changed.
#[derive(Debug, thiserror::Error)]
pub enum BudgetError<E: std::error::Error + 'static> {
    #[error("invalid budget: {0}")]
    Invalid(FieldErrors),
    #[error("no such budget")]
    NotFound,
    #[error(transparent)]
    Store(E),
}

/// What a request sets; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct BudgetChanges {
    pub name: Option<String>,
    pub fiscal_year: Option<i64>,
    pub notes: Option<String>,
}

impl<S: BudgetStore> Kept<S> for Budget {
    type Changes = BudgetChanges;
    type Error = BudgetError<S::Error>;

    fn find(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<Budget, Self::Error> {
        store
            .find_budget(ctx.books.company_id, id)
            .map_err(BudgetError::Store)?
            .ok_or(BudgetError::NotFound)
    }

    /// Creates a budget or changes one: a name (at most 100 characters, once per company and
    /// year), a fiscal year 1900–9998, notes of at most 2,000 characters. The year's first day
    /// is taken from the company's fiscal year start when the budget is made or its year changes.
    fn save(
        store: &mut S,
        ctx: &Ctx<'_>,
        current: Option<Budget>,
        how: Change,
        changes: BudgetChanges,
        mut errors: FieldErrors,
    ) -> Result<Budget, Self::Error> {
        references::require(
            &mut errors,
            how,
            &[
                ("name", changes.name.is_some()),
                ("fiscal_year", changes.fiscal_year.is_some()),
            ],
        );
        let base = current.as_ref();
        let company = ctx.books.company_id;
        let name = changes
            .name
            .map(|n| n.trim().to_owned())
            .or_else(|| base.map(|b| b.name.clone()))
            .unwrap_or_default();
        if name.is_empty() && !errors.0.contains_key("name") {
            errors.add("name", "This field may not be blank.");
        } else if name.chars().count() > MAX_NAME {
            errors.add(
                "name",
                format!("Ensure this field has no more than {MAX_NAME} characters."),
            );
        }
        let notes = match changes.notes {
            Some(n) => n,
            None if how == Change::Replace => String::new(),
            None => base.map(|b| b.notes.clone()).unwrap_or_default(),
        };
        if notes.chars().count() > MAX_NOTES {
            errors.add(
                "notes",
                format!("Ensure this field has no more than {MAX_NOTES} characters."),
            );
        }
        let year = match changes.fiscal_year {
            Some(y) => match i16::try_from(y).ok().filter(|y| (1900..=9998).contains(y)) {
                Some(y) => Some(y),
                None => {
                    errors.add("fiscal_year", "Ensure the year is between 1900 and 9998.");
                    None
                }
            },
            None => base.map(|b| b.fiscal_year),
        };
        let start = match (year, base) {
            (Some(y), Some(b)) if y == b.fiscal_year => Some(b.start),
            (Some(y), _) => {
                let month = store.fiscal_year_start_month(company).map_err(BudgetError::Store)?;
                fiscal_start(y, month)
            }
            (None, _) => None,
        };
        if let Some(y) = year
            && !name.is_empty()
            && store
                .budget_named(company, y, &name, base.map(|b| b.id))
                .map_err(BudgetError::Store)?
        {
            errors.add("name", format!("The company already has a budget \"{name}\" for {y}."));
        }
        let (Some(year), Some(start)) = (year, start) else {
            if errors.is_empty() {
                errors.add("fiscal_year", "This field is required.");
            }
            return Err(BudgetError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(BudgetError::Invalid(errors));
        }
        let saved = Budget {
            id: base.map_or_else(Uuid::now_v7, |b| b.id),
            company_id: company,
            name,
            fiscal_year: year,
            start,
            notes,
            created_at: base.map_or(ctx.now, |b| b.created_at),
            updated_at: ctx.now,
        };
        match base {
            Some(_) => store.update_budget(&saved),
            None => store.insert_budget(&saved),
        }
        .map_err(BudgetError::Store)?;
        let before = base.map(audit_fields);
        let record = audit::changes(
            ctx,
            audit::saved(before.as_ref()),
            ("budget", saved.id),
            before.as_ref(),
            Some(&audit_fields(&saved)),
        );
        store.append_audit(&record).map_err(BudgetError::Store)?;
        Ok(saved)
    }
}

/// Deletes a budget and its amounts, with its row in the audit trail.
pub fn delete<S: BudgetStore>(store: &mut S, ctx: &Ctx<'_>, budget: Budget) -> Result<(), BudgetError<S::Error>> {
    store
        .delete_budget(ctx.books.company_id, budget.id)
        .map_err(BudgetError::Store)?;
    let record = audit::changes(ctx, "delete", ("budget", budget.id), Some(&audit_fields(&budget)), None);
    store.append_audit(&record).map_err(BudgetError::Store)
}

/// How the audit trail reads a budget.
fn audit_fields(b: &Budget) -> AuditFields {
    vec![
        ("name", b.name.clone()),
        ("fiscal_year", b.fiscal_year.to_string()),
        ("start", b.start.to_string()),
        ("notes", b.notes.clone()),
    ]
}
