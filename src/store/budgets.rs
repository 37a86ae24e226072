//! Budgets, in the tenant database: the budget (`budgets`) and its non-zero monthly amounts per
//! account (`budget_amounts`, integer minor units in the statement's sign).

use std::collections::HashMap;

use jiff::civil::Date;
use uuid::Uuid;

use super::ledger::parse_date;
use super::list::{FilterKind, ListError, ListRequest, ListSpec, Page, Paged, list};
use super::platform::{parse_ts, ts};
use super::reports::financial::{Accounts, closes, net};
use super::sql::Value;
use super::{Row, StoreError, Tx};
use crate::domain::accounts::Account;
use crate::domain::budgets::{Budget, BudgetLine, BudgetStore, MONTHS};
use crate::domain::ledger::LedgerStore;
use crate::domain::reports::financial::less;
use crate::params;

const COLUMNS: &str = "id, company_id, name, fiscal_year, start_date, notes, created_at, updated_at";

pub const LIST: ListSpec = ListSpec {
    columns: COLUMNS,
    from: "budgets",
    filters: &[
        ("fiscal_year", "fiscal_year = ?", FilterKind::Int),
        ("name", "name = ?", FilterKind::Text),
    ],
    search: &["name", "notes"],
    ordering: &[
        ("fiscal_year", "fiscal_year"),
        ("name", "name"),
        ("updated_at", "updated_at"),
    ],
    tie_breaker: "id",
    default_ordering: "-fiscal_year",
};

pub fn from_row(r: &Row) -> Result<Budget, StoreError> {
    Ok(Budget {
        id: r.uuid(0)?,
        company_id: r.uuid(1)?,
        name: r.text(2)?,
        fiscal_year: i16::try_from(r.int(3)?).map_err(|_| StoreError::Corrupt("budget year out of range".into()))?,
        start: parse_date(&r.text(4)?)?,
        notes: r.text(5)?,
        created_at: parse_ts(&r.text(6)?)?,
        updated_at: parse_ts(&r.text(7)?)?,
    })
}

impl Paged for Budget {
    fn page(tx: &mut Tx, company: Uuid, request: &ListRequest) -> Result<Page<Budget>, ListError> {
        list(tx, &LIST, ("company_id = $1", vec![company.into()]), request, from_row)
    }
}

/// The budget `id` of `company`, for the reports.
pub fn find(tx: &mut Tx, company: Uuid, id: Uuid) -> Result<Option<Budget>, StoreError> {
    tx.query_opt(
        &format!("SELECT {COLUMNS} FROM budgets WHERE company_id = $1 AND id = $2"),
        params![company, id],
    )?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// The budget's lines.
pub fn lines(tx: &mut Tx, budget: Uuid) -> Result<Vec<BudgetLine>, StoreError> {
    let mut by: HashMap<Uuid, [i64; MONTHS]> = HashMap::new();
    for r in tx.query(
        "SELECT account_id, month, amount FROM budget_amounts WHERE budget_id = $1",
        params![budget],
    )? {
        let month = usize::try_from(r.int(1)? - 1)
            .ok()
            .filter(|m| *m < MONTHS)
            .ok_or_else(|| StoreError::Corrupt("budget month out of range".into()))?;
        by.entry(r.uuid(0)?).or_insert([0; MONTHS])[month] = r.int(2)?;
    }
    Ok(by
        .into_iter()
        .map(|(account, amounts)| BudgetLine { account, amounts })
        .collect())
}

impl BudgetStore for Tx<'_> {
    fn find_budget(&mut self, company: Uuid, id: Uuid) -> Result<Option<Budget>, StoreError> {
        find(self, company, id)
    }

    fn budget_named(&mut self, company: Uuid, year: i16, name: &str, except: Option<Uuid>) -> Result<bool, StoreError> {
        Ok(self
            .query_opt(
                "SELECT id FROM budgets WHERE company_id = $1 AND fiscal_year = $2 AND name = $3 AND id <> $4",
                params![company, i64::from(year), name, except.unwrap_or_else(Uuid::nil)],
            )?
            .is_some())
    }

    fn fiscal_year_start_month(&mut self, company: Uuid) -> Result<i8, StoreError> {
        Ok(self.settings(company)?.fiscal_year_start_month)
    }

    fn insert_budget(&mut self, b: &Budget) -> Result<(), StoreError> {
        self.execute(
            &format!("INSERT INTO budgets ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"),
            params![
                b.id,
                b.company_id,
                b.name.as_str(),
                i64::from(b.fiscal_year),
                b.start.to_string(),
                b.notes.as_str(),
                ts(b.created_at),
                ts(b.updated_at)
            ],
        )?;
        Ok(())
    }

    fn update_budget(&mut self, b: &Budget) -> Result<(), StoreError> {
        self.execute(
            "UPDATE budgets SET name = $3, fiscal_year = $4, start_date = $5, notes = $6, updated_at = $7 \
             WHERE company_id = $1 AND id = $2",
            params![
                b.company_id,
                b.id,
                b.name.as_str(),
                i64::from(b.fiscal_year),
                b.start.to_string(),
                b.notes.as_str(),
                ts(b.updated_at)
            ],
        )?;
        Ok(())
    }

    fn delete_budget(&mut self, company: Uuid, id: Uuid) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM budget_amounts WHERE budget_id IN (SELECT id FROM budgets WHERE company_id = $1 AND id = $2)",
            params![company, id],
        )?;
        self.execute(
            "DELETE FROM budgets WHERE company_id = $1 AND id = $2",
            params![company, id],
        )?;
        Ok(())
    }

    fn budget_lines(&mut self, budget: Uuid) -> Result<Vec<BudgetLine>, StoreError> {
        lines(self, budget)
    }

    fn replace_budget_lines(
        &mut self,
        budget: Uuid,
        accounts: Option<&[Uuid]>,
        new: &[BudgetLine],
    ) -> Result<(), StoreError> {
        match accounts {
            None => {
                self.execute("DELETE FROM budget_amounts WHERE budget_id = $1", params![budget])?;
            }
            Some(list) => {
                for a in list {
                    self.execute(
                        "DELETE FROM budget_amounts WHERE budget_id = $1 AND account_id = $2",
                        params![budget, *a],
                    )?;
                }
            }
        }
        let mut values: Vec<Value> = Vec::new();
        for line in new {
            for (m, amount) in (1i64..).zip(line.amounts) {
                if amount != 0 {
                    values.extend([budget.into(), line.account.into(), m.into(), amount.into()]);
                }
            }
        }
        if values.is_empty() {
            return Ok(());
        }
        self.insert_many(
            "INSERT INTO budget_amounts (budget_id, account_id, month, amount)",
            4,
            &values,
        )
    }

    fn budget_chart(&mut self, company: Uuid) -> Result<Vec<Account>, StoreError> {
        super::accounts::all(self, company)
    }

    fn result_movements(&mut self, company: Uuid, from: Date, to: Date) -> Result<HashMap<Uuid, i64>, StoreError> {
        let moved = net(self, company, Accounts::Result, Some(from), to)?;
        let closing = closes(self, company, Some(from), to)?;
        less(&moved, &closing).map_err(|e| StoreError::Corrupt(format!("{e}")))
    }
}
