//! Consolidation: several companies of one firm reported as one, in one currency. Balance-sheet
//! accounts are translated at the closing rate, revenue and expenses at the period's average
//! rate, and the difference this leaves goes to a currency translation reserve in equity, so
//! the consolidated balance sheet balances. Accounts are combined by code (companies set up
//! from one chart share codes); accounts whose subtype is `intercompany` are also listed apart,
//! for the reader to eliminate.
//!
//! Rates are the presenting company's ("the parent's"): units of its currency per unit of the
//! member's currency, ×10¹², as its Exchange rates page keeps them. Each translated balance is
//! rounded once, half away from zero (`exchange_rates::convert::to_company`).

use std::collections::{HashMap, HashSet};

use jiff::civil::Date;
use uuid::Uuid;

use super::financial::{self as fin, Balances, ChartAccount, Column, Row, RowKind, Statement};
use super::{Overflow, add, sum};
use crate::domain::accounts::{AccountType, CashFlow};
use crate::domain::exchange_rates::convert::{self, ConversionError};

/// The subtype that marks an account held between companies of the group.
pub const INTERCOMPANY: &str = "intercompany";

/// The translation reserve's line: an account of no company.
pub const RESERVE_ID: Uuid = Uuid::from_u128(0x0c0d_5011_da7e_4000_8000_0000_0000_0001);

/// Why a consolidated report cannot be given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsolidationError {
    #[error("Choose at least one company to consolidate.")]
    NoCompanies,
    #[error(
        "Account {code} is {first} in {first_company} but {second} in {second_company}: accounts sharing a code must share a type to be consolidated."
    )]
    ChartMismatch {
        code: String,
        first: &'static str,
        first_company: String,
        second: &'static str,
        second_company: String,
    },
    #[error(
        "{parent} has no exchange rate for {currency} on or before {date}: add one on its Exchange rates page to translate {company}."
    )]
    NoRate {
        parent: String,
        company: String,
        currency: String,
        date: Date,
    },
    #[error("The consolidated figures do not fit the books' range of amounts: {0}")]
    Overflow(String),
}

impl From<Overflow> for ConsolidationError {
    fn from(e: Overflow) -> Self {
        ConsolidationError::Overflow(e.to_string())
    }
}

impl From<ConversionError> for ConsolidationError {
    fn from(e: ConversionError) -> Self {
        ConsolidationError::Overflow(e.to_string())
    }
}

/// A company of the group: its chart, in its own currency.
#[derive(Debug, Clone)]
pub struct Member {
    pub company: Uuid,
    pub name: String,
    pub currency: String,
    pub decimals: u32,
    pub chart: Vec<ChartAccount>,
    /// Its accounts whose subtype is [`INTERCOMPANY`].
    pub intercompany: HashSet<Uuid>,
}

/// The rates that translate a member: units of the group currency per unit of the member's,
/// ×10¹² (`convert::ONE` for a member in the group currency).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rates {
    pub closing: i64,
    pub average: i64,
}

/// The group's chart: one account per code, the first member's (the parent's) where several
/// have it, the tree by code, and the reserve.
#[derive(Debug, Clone)]
pub struct Group {
    pub chart: Vec<ChartAccount>,
    /// Each member account → the group account it adds to.
    map: HashMap<Uuid, Uuid>,
    /// Group accounts that are intercompany in some member.
    pub intercompany: HashSet<Uuid>,
}

fn type_name(t: AccountType) -> &'static str {
    t.as_str()
}

fn is_result(t: AccountType) -> bool {
    matches!(t, AccountType::Revenue | AccountType::Expense)
}

/// Combines the members' charts by account code.
pub fn group(members: &[Member]) -> Result<Group, ConsolidationError> {
    if members.is_empty() {
        return Err(ConsolidationError::NoCompanies);
    }
    let mut by_code: HashMap<&str, (usize, &ChartAccount)> = HashMap::new();
    let mut chart: Vec<ChartAccount> = Vec::new();
    let mut map = HashMap::new();
    let mut intercompany = HashSet::new();
    for (m, member) in members.iter().enumerate() {
        for account in &member.chart {
            let group_id = match by_code.get(account.code.as_str()) {
                Some((first, kept)) => {
                    if kept.account_type != account.account_type {
                        return Err(ConsolidationError::ChartMismatch {
                            code: account.code.clone(),
                            first: type_name(kept.account_type),
                            first_company: members[*first].name.clone(),
                            second: type_name(account.account_type),
                            second_company: member.name.clone(),
                        });
                    }
                    kept.id
                }
                None => {
                    by_code.insert(&account.code, (m, account));
                    chart.push(account.clone());
                    account.id
                }
            };
            map.insert(account.id, group_id);
            if member.intercompany.contains(&account.id) {
                intercompany.insert(group_id);
            }
        }
    }
    // Parents by code: a member's sub-account hangs under the group's account of its parent's code.
    let code_of: HashMap<Uuid, &str> = members
        .iter()
        .flat_map(|m| m.chart.iter().map(|a| (a.id, a.code.as_str())))
        .collect();
    let parents: HashMap<Uuid, Option<Uuid>> = members
        .iter()
        .flat_map(|m| m.chart.iter())
        .filter(|a| map.get(&a.id) == Some(&a.id))
        .map(|a| {
            let parent = a
                .parent_id
                .and_then(|p| code_of.get(&p))
                .and_then(|code| by_code.get(code))
                .map(|(_, kept)| kept.id);
            (a.id, parent)
        })
        .collect();
    for account in &mut chart {
        account.parent_id = parents.get(&account.id).copied().flatten();
    }
    chart.push(ChartAccount {
        id: RESERVE_ID,
        code: String::new(),
        name: "Currency translation reserve".into(),
        account_type: AccountType::Equity,
        parent_id: None,
        cash_flow: CashFlow::Financing,
    });
    Ok(Group {
        chart,
        map,
        intercompany,
    })
}

impl Group {
    /// A member's net balances (its currency) → the group's accounts in the group currency:
    /// balance-sheet accounts at `rates.closing`, revenue and expenses at `rates.average`.
    pub fn translate(
        &self,
        member: &Member,
        balances: &Balances,
        rates: Rates,
        group_decimals: u32,
    ) -> Result<Balances, ConsolidationError> {
        let types: HashMap<Uuid, AccountType> = member.chart.iter().map(|a| (a.id, a.account_type)).collect();
        let mut out = Balances::new();
        for (id, amount) in balances {
            let (Some(group_id), Some(t)) = (self.map.get(id), types.get(id)) else {
                continue;
            };
            let rate = if is_result(*t) { rates.average } else { rates.closing };
            let translated = convert::to_company(*amount, member.decimals, rate, group_decimals)?;
            let e = out.entry(*group_id).or_insert(0);
            *e = add(*e, translated, "translated balances")?;
        }
        Ok(out)
    }
}

/// What a member's translation leaves unbalanced, as the reserve's net balance (debit minus
/// credit): minus the sum of every translated balance.
pub fn reserve(translated: &Balances) -> Result<i64, ConsolidationError> {
    let total = sum(translated.values().copied(), "translated balances")?;
    total
        .checked_neg()
        .ok_or_else(|| ConsolidationError::Overflow("the translation reserve".into()))
}

/// The sum of the members' translated balances, with the reserve.
pub fn combine(members: &[Balances]) -> Result<Balances, ConsolidationError> {
    let mut out = Balances::new();
    for b in members {
        for (id, v) in b {
            let e = out.entry(*id).or_insert(0);
            *e = add(*e, *v, "consolidated balances")?;
        }
    }
    let r = reserve(&out)?;
    out.insert(RESERVE_ID, r);
    Ok(out)
}

/// The mean of `rates` (×10¹²), rounded half up; `None` without any.
pub fn average(rates: &[i64]) -> Option<i64> {
    let n = i128::try_from(rates.len()).ok().filter(|n| *n > 0)?;
    let total: i128 = rates.iter().map(|r| i128::from(*r)).sum();
    i64::try_from((2 * total + n) / (2 * n)).ok()
}

/// The statement sign of an account: assets and expenses debit-positive, the rest
/// credit-positive.
fn signed(t: AccountType, net: i64) -> i64 {
    match t {
        AccountType::Asset | AccountType::Expense => net,
        _ => net.saturating_neg(),
    }
}

/// The intercompany accounts of `chart` with their amounts, after the statement's rows.
fn intercompany_rows(group: &Group, columns: &[&Balances], keep: impl Fn(AccountType) -> bool) -> Vec<Row> {
    let accounts: Vec<&ChartAccount> = group
        .chart
        .iter()
        .filter(|a| group.intercompany.contains(&a.id) && keep(a.account_type))
        .collect();
    if accounts.is_empty() {
        return Vec::new();
    }
    let mut rows = vec![Row {
        kind: RowKind::Section,
        key: "intercompany",
        account: None,
        code: String::new(),
        name: "Intercompany accounts (included above)".into(),
        depth: 0,
        amounts: Vec::new(),
    }];
    for a in accounts {
        rows.push(Row {
            kind: RowKind::Account,
            key: "",
            account: Some(a.id),
            code: a.code.clone(),
            name: a.name.clone(),
            depth: 1,
            amounts: columns
                .iter()
                .map(|b| signed(a.account_type, b.get(&a.id).copied().unwrap_or(0)))
                .collect(),
        });
    }
    rows
}

/// The consolidated balance sheet as of `date`: `combined` from [`combine`] over the members'
/// balances as of the date, translated.
pub fn balance_sheet(group: &Group, date: Date, combined: &Balances) -> Result<Statement, ConsolidationError> {
    let mut s = fin::balance_sheet(&group.chart, &[(date, combined.clone())])?;
    s.rows.extend(intercompany_rows(group, &[combined], |t| !is_result(t)));
    Ok(s)
}

/// The consolidated profit and loss of `from` … `to`: `combined`, the members' movements
/// translated at the period's average rates.
pub fn profit_and_loss(
    group: &Group,
    from: Date,
    to: Date,
    combined: &Balances,
) -> Result<Statement, ConsolidationError> {
    let column = Column { from: Some(from), to };
    let mut s = fin::profit_and_loss(&group.chart, &[(column, combined.clone())])?;
    s.rows.extend(intercompany_rows(group, &[combined], is_result));
    Ok(s)
}

/// One account of the consolidated trial balance: each member's translated net balance
/// (debit minus credit), and their sum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrialRow {
    pub account: Uuid,
    pub code: String,
    pub name: String,
    pub account_type: AccountType,
    pub intercompany: bool,
    pub members: Vec<i64>,
    pub total: i64,
}

/// The consolidated trial balance: the rows with a balance, the reserve last; debits equal
/// credits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrialBalance {
    pub rows: Vec<TrialRow>,
    pub debit: i64,
    pub credit: i64,
}

/// The trial balance of `translated` (one per member, in the members' order, each without the
/// reserve: each member's own share of the reserve is computed here).
pub fn trial_balance(group: &Group, translated: &[Balances]) -> Result<TrialBalance, ConsolidationError> {
    let mut rows = Vec::new();
    for a in &group.chart {
        let members: Vec<i64> = if a.id == RESERVE_ID {
            translated.iter().map(reserve).collect::<Result<_, _>>()?
        } else {
            translated.iter().map(|b| b.get(&a.id).copied().unwrap_or(0)).collect()
        };
        let total = sum(members.iter().copied(), "consolidated balances")?;
        if members.iter().all(|v| *v == 0) {
            continue;
        }
        rows.push(TrialRow {
            account: a.id,
            code: a.code.clone(),
            name: a.name.clone(),
            account_type: a.account_type,
            intercompany: group.intercompany.contains(&a.id),
            members,
            total,
        });
    }
    rows.sort_by(|a, b| (a.account == RESERVE_ID, &a.code).cmp(&(b.account == RESERVE_ID, &b.code)));
    let debit = sum(rows.iter().map(|r| r.total.max(0)), "debits")?;
    let credit = sum(rows.iter().map(|r| r.total.min(0).saturating_neg()), "credits")?;
    Ok(TrialBalance { rows, debit, credit })
}

#[cfg(test)]
mod tests;
