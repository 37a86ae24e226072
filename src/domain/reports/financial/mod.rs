//! The financial statements: balance sheet, profit and loss, cash flow (indirect method) and
//! changes in equity, as pure functions over each account's net balance (debit minus credit)
//! per column, which the store sums from the maintained daily balances.
//!
//! Every statement is a list of [`Row`]s — sections, accounts grouped by the account tree with
//! subtotals, totals — over [`Column`]s, so the API, the CSV and any later exporter read one
//! shape. Account rows carry the account's id: every figure drills down to the general ledger.
//!
//! Year-end closing entries (which bring revenue and expenses to zero against retained
//! earnings) are left out of the movements the P&L and the cash flow read, so a closed year
//! still shows its result; on the balance sheet the result not yet closed is one line,
//! "Current earnings", which the close moves into retained earnings.

pub mod budget;
pub mod columns;
mod statements;
mod tree;

#[cfg(test)]
mod tests;

pub use statements::{
    CashPeriod, EQUITY_HEADINGS, EquityPeriod, balance_sheet, cash_flow, equity_changes, less, profit_and_loss,
};

use std::collections::HashMap;

use jiff::civil::Date;
use uuid::Uuid;

use crate::domain::accounts::{AccountType, CashFlow};

/// An account as the statements see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartAccount {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub account_type: AccountType,
    pub parent_id: Option<Uuid>,
    pub cash_flow: CashFlow,
}

/// Net balance (debit minus credit) per account; an account missing has 0.
pub type Balances = HashMap<Uuid, i64>;

/// One column of a statement: a period (`from` … `to`) or a date (`from` = `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub from: Option<Date>,
    pub to: Date,
}

/// What a row is, for the reader and the exporter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// A heading: no amounts.
    Section,
    /// An account's own amounts (or a computed line such as current earnings).
    Account,
    /// An account with its sub-accounts.
    Subtotal,
    /// A section's or the statement's total.
    Total,
}

impl RowKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RowKind::Section => "section",
            RowKind::Account => "account",
            RowKind::Subtotal => "subtotal",
            RowKind::Total => "total",
        }
    }
}

/// One line of a statement. `key` names the computed lines (`total_assets`, `net_result`,
/// `current_earnings`…); account rows have the account's id instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub kind: RowKind,
    pub key: &'static str,
    pub account: Option<Uuid>,
    pub code: String,
    pub name: String,
    pub depth: usize,
    /// One amount per column (empty for a section heading), in the statement's sign: assets and
    /// expenses debit-positive, liabilities, equity and revenue credit-positive.
    pub amounts: Vec<i64>,
}

/// A statement: its columns and its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub columns: Vec<Column>,
    /// The labels of the columns when they are not periods (equity changes); else empty.
    pub headings: Vec<&'static str>,
    pub rows: Vec<Row>,
}

impl Statement {
    /// The amounts of the row with this key, if the statement has it.
    pub fn line(&self, key: &str) -> Option<&[i64]> {
        self.rows.iter().find(|r| r.key == key).map(|r| r.amounts.as_slice())
    }
}
