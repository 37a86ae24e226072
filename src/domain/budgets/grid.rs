//! A budget's amounts: the grid (every revenue and expense account × 12 months), replaced whole,
//! changed cell by cell, pasted as text (checked line by line, with a preview), or copied from
//! the previous fiscal year's actuals ± a percentage. Each change writes one audit row listing
//! the cells it changed.

use std::collections::{HashMap, HashSet};

use jiff::ToSpan;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::operations::{BudgetError, BudgetStore};
use super::scale::scale;
use super::{Budget, BudgetLine, MONTHS, Months, budgeted, sign};
use crate::domain::FieldErrors;
use crate::domain::accounts::{Account, AccountType};
use crate::domain::audit::AuditTrail;
use crate::domain::books::{AuditRecord, Ctx};
use crate::domain::money;

/// One account's row of the grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridLine {
    pub account: Uuid,
    pub code: String,
    pub name: String,
    pub account_type: AccountType,
    pub is_active: bool,
    pub amounts: Months,
}

impl GridLine {
    /// The twelve months' total (checked: each stored amount has at most 15 digits).
    pub fn total(&self) -> i64 {
        self.amounts.iter().fold(0i64, |a, v| a.saturating_add(*v))
    }
}

/// A budget with its grid: every active revenue and expense account, and any other with
/// amounts, revenue first, each by code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    pub budget: Budget,
    pub lines: Vec<GridLine>,
}

type Res<T, S> = Result<T, BudgetError<<S as AuditTrail>::Error>>;

fn grid_of(chart: &[Account], budget: &Budget, lines: &[BudgetLine]) -> Grid {
    let amounts: HashMap<Uuid, Months> = lines.iter().map(|l| (l.account, l.amounts)).collect();
    let mut out: Vec<GridLine> = chart
        .iter()
        .filter(|a| budgeted(a.account_type))
        .filter(|a| a.is_active || amounts.contains_key(&a.id))
        .map(|a| GridLine {
            account: a.id,
            code: a.code.clone(),
            name: a.name.clone(),
            account_type: a.account_type,
            is_active: a.is_active,
            amounts: amounts.get(&a.id).copied().unwrap_or([0; MONTHS]),
        })
        .collect();
    out.sort_by(|a, b| {
        (a.account_type != AccountType::Revenue, &a.code, a.account).cmp(&(
            b.account_type != AccountType::Revenue,
            &b.code,
            b.account,
        ))
    });
    Grid {
        budget: budget.clone(),
        lines: out,
    }
}

/// The budget's grid.
pub fn grid<S: BudgetStore>(store: &mut S, ctx: &Ctx<'_>, budget: &Budget) -> Res<Grid, S> {
    let chart = store.budget_chart(ctx.books.company_id).map_err(BudgetError::Store)?;
    let lines = store.budget_lines(budget.id).map_err(BudgetError::Store)?;
    Ok(grid_of(&chart, budget, &lines))
}

/// Why `account` may not have a budget, if it may not.
fn refusal(account: Option<&Account>, id: Uuid) -> Option<String> {
    match account {
        None => Some(format!("\"{id}\" is not an account of this company.")),
        Some(a) if !budgeted(a.account_type) => Some(format!(
            "{} {} is not a revenue or expense account ({}): a budget holds revenue and expense accounts only.",
            a.code,
            a.name,
            a.account_type.as_str()
        )),
        Some(_) => None,
    }
}

/// An amount as the API writes it → minor units of the company currency.
fn minor(text: &str, decimals: u32) -> Result<i64, String> {
    let v = money::parse(text).map_err(|e| e.to_string())?;
    money::to_minor(v, decimals).map_err(|e| e.to_string())
}

/// The audit row of a change of the grid: one `(cell, before, after)` per changed cell, the
/// cell named `<code> month <n>`.
fn audit(
    ctx: &Ctx<'_>,
    action: &'static str,
    chart: &[Account],
    budget: &Budget,
    before: &[BudgetLine],
    after: &[BudgetLine],
) -> AuditRecord {
    let d = ctx.books.decimals;
    let code: HashMap<Uuid, &str> = chart.iter().map(|a| (a.id, a.code.as_str())).collect();
    let old: HashMap<Uuid, Months> = before.iter().map(|l| (l.account, l.amounts)).collect();
    let new: HashMap<Uuid, Months> = after.iter().map(|l| (l.account, l.amounts)).collect();
    let mut accounts: Vec<Uuid> = old
        .keys()
        .chain(new.keys())
        .copied()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    accounts.sort_by_key(|a| (code.get(a).copied().unwrap_or_default(), *a));
    let mut changes = Vec::new();
    for a in accounts {
        let (o, n) = (
            old.get(&a).copied().unwrap_or([0; MONTHS]),
            new.get(&a).copied().unwrap_or([0; MONTHS]),
        );
        for m in 0..MONTHS {
            if o[m] != n[m] {
                let name = format!("{} month {}", code.get(&a).copied().unwrap_or("?"), m + 1);
                changes.push((name, money::format(o[m], d), money::format(n[m], d)));
            }
        }
    }
    AuditRecord {
        company_id: ctx.books.company_id,
        actor: ctx.actor,
        action,
        object_type: "budget",
        object_id: budget.id,
        changes,
    }
}

/// Writes `lines` over the amounts of `accounts` (all when `None`), with the audit row, and
/// answers the new grid.
fn write<S: BudgetStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    action: &'static str,
    budget: &Budget,
    chart: &[Account],
    accounts: Option<&[Uuid]>,
    lines: &[BudgetLine],
) -> Res<Grid, S> {
    let before = store.budget_lines(budget.id).map_err(BudgetError::Store)?;
    store
        .replace_budget_lines(budget.id, accounts, lines)
        .map_err(BudgetError::Store)?;
    let after = store.budget_lines(budget.id).map_err(BudgetError::Store)?;
    store
        .append_audit(&audit(ctx, action, chart, budget, &before, &after))
        .map_err(BudgetError::Store)?;
    Ok(grid_of(chart, budget, &after))
}

/// One line of a grid as a request sends it: the account and twelve amounts (decimal strings).
#[derive(Debug, Clone, Default)]
pub struct LineInput {
    pub account: Option<Uuid>,
    pub amounts: Vec<String>,
}

/// Replaces the whole grid by `lines` (accounts left out have no budget). Each account once,
/// a revenue or expense account of the company, twelve amounts with at most the currency's
/// decimals; errors under `lines[i].account` and `lines[i].amounts`, nothing written.
pub fn replace<S: BudgetStore>(store: &mut S, ctx: &Ctx<'_>, budget: &Budget, input: Vec<LineInput>) -> Res<Grid, S> {
    let chart = store.budget_chart(ctx.books.company_id).map_err(BudgetError::Store)?;
    let by_id: HashMap<Uuid, &Account> = chart.iter().map(|a| (a.id, a)).collect();
    let mut errors = FieldErrors::default();
    let mut seen = HashSet::new();
    let mut lines = Vec::new();
    for (i, line) in input.into_iter().enumerate() {
        let field = |f: &str| format!("lines[{i}].{f}");
        match line.account {
            None => errors.add(&field("account"), "This field is required."),
            Some(id) => {
                if let Some(why) = refusal(by_id.get(&id).copied(), id) {
                    errors.add(&field("account"), why);
                } else if !seen.insert(id) {
                    errors.add(&field("account"), "This account is on another line too.");
                }
            }
        }
        if line.amounts.len() != MONTHS {
            errors.add(
                &field("amounts"),
                format!("Send {MONTHS} monthly amounts, not {}.", line.amounts.len()),
            );
            continue;
        }
        let mut amounts = [0; MONTHS];
        for (m, text) in line.amounts.iter().enumerate() {
            match minor(text, ctx.books.decimals) {
                Ok(v) => amounts[m] = v,
                Err(e) => errors.add(&field("amounts"), format!("month {}: {e}", m + 1)),
            }
        }
        if let Some(account) = line.account {
            lines.push(BudgetLine { account, amounts });
        }
    }
    if !errors.is_empty() {
        return Err(BudgetError::Invalid(errors));
    }
    write(store, ctx, "budget_grid", budget, &chart, None, &lines)
}

/// One cell as a `PATCH` sends it.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub account: Option<Uuid>,
    /// 1 … 12.
    pub month: Option<i64>,
    pub amount: Option<String>,
}

/// Sets the cells sent (the rest stay); errors under `cells[i].account`, `.month`, `.amount`.
pub fn patch<S: BudgetStore>(store: &mut S, ctx: &Ctx<'_>, budget: &Budget, cells: Vec<Cell>) -> Res<Grid, S> {
    let chart = store.budget_chart(ctx.books.company_id).map_err(BudgetError::Store)?;
    let by_id: HashMap<Uuid, &Account> = chart.iter().map(|a| (a.id, a)).collect();
    let current: HashMap<Uuid, Months> = store
        .budget_lines(budget.id)
        .map_err(BudgetError::Store)?
        .into_iter()
        .map(|l| (l.account, l.amounts))
        .collect();
    let mut changed: HashMap<Uuid, Months> = HashMap::new();
    let mut errors = FieldErrors::default();
    if cells.is_empty() {
        errors.add("cells", "Send at least one cell.");
    }
    for (i, cell) in cells.into_iter().enumerate() {
        let field = |f: &str| format!("cells[{i}].{f}");
        let account = match cell.account {
            None => {
                errors.add(&field("account"), "This field is required.");
                None
            }
            Some(id) => match refusal(by_id.get(&id).copied(), id) {
                Some(why) => {
                    errors.add(&field("account"), why);
                    None
                }
                None => Some(id),
            },
        };
        let month = match cell.month {
            Some(m) if (1..=12).contains(&m) => usize::try_from(m - 1).ok(),
            Some(_) => {
                errors.add(&field("month"), "Ensure the month is between 1 and 12.");
                None
            }
            None => {
                errors.add(&field("month"), "This field is required.");
                None
            }
        };
        let amount = match cell.amount.as_deref().map(|t| minor(t, ctx.books.decimals)) {
            Some(Ok(v)) => Some(v),
            Some(Err(e)) => {
                errors.add(&field("amount"), e);
                None
            }
            None => {
                errors.add(&field("amount"), "This field is required.");
                None
            }
        };
        if let (Some(a), Some(m), Some(v)) = (account, month, amount) {
            let row = changed
                .entry(a)
                .or_insert_with(|| current.get(&a).copied().unwrap_or([0; MONTHS]));
            if let Some(slot) = row.get_mut(m) {
                *slot = v;
            }
        }
    }
    if !errors.is_empty() {
        return Err(BudgetError::Invalid(errors));
    }
    let accounts: Vec<Uuid> = changed.keys().copied().collect();
    let lines: Vec<BudgetLine> = changed
        .into_iter()
        .map(|(account, amounts)| BudgetLine { account, amounts })
        .collect();
    write(store, ctx, "budget_cells", budget, &chart, Some(&accounts), &lines)
}

/// A line of pasted text as the format read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastedLine {
    pub row: usize,
    pub code: String,
    pub amounts: [Decimal; MONTHS],
}

/// A problem of one pasted line: its row, the field (`code`, `month_1` … `month_12`, `total`,
/// `line`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub row: usize,
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}: {}", self.row, self.field, self.message)
    }
}

/// What the text held: its lines and the problems the format found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pasted {
    pub lines: Vec<PastedLine>,
    pub problems: Vec<Problem>,
}

/// What a paste does: the lines it sets (row and grid line) and every problem, by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastePlan {
    pub lines: Vec<(usize, GridLine)>,
    pub problems: Vec<Problem>,
    pub committed: bool,
}

/// Checks pasted lines against the chart (a known code, a revenue or expense account, once)
/// and the currency's decimals. With `commit`, writes them — each pasted account's twelve months
/// replaced, the other accounts kept — or, if any line has a problem, refuses the whole paste
/// with every problem under `text` (`line 3: month_2: "x" is not an amount.`), writing nothing.
pub fn paste<S: BudgetStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    budget: &Budget,
    pasted: Pasted,
    commit: bool,
) -> Res<PastePlan, S> {
    let chart = store.budget_chart(ctx.books.company_id).map_err(BudgetError::Store)?;
    let by_code: HashMap<&str, &Account> = chart.iter().map(|a| (a.code.as_str(), a)).collect();
    let mut problems = pasted.problems;
    let mut seen: HashMap<Uuid, usize> = HashMap::new();
    let mut planned = Vec::new();
    for line in pasted.lines {
        let mut problem = |field: &str, message: String| {
            problems.push(Problem {
                row: line.row,
                field: field.to_owned(),
                message,
            })
        };
        let Some(account) = by_code.get(line.code.as_str()).copied() else {
            problem("code", format!("No account has the code \"{}\".", line.code));
            continue;
        };
        if let Some(why) = refusal(Some(account), account.id) {
            problem("code", why);
            continue;
        }
        if let Some(first) = seen.insert(account.id, line.row) {
            problem("code", format!("Account {} is on line {first} too.", account.code));
            continue;
        }
        let mut amounts = [0; MONTHS];
        let mut ok = true;
        for (m, v) in line.amounts.iter().enumerate() {
            match money::to_minor(*v, ctx.books.decimals) {
                Ok(x) => amounts[m] = x,
                Err(e) => {
                    problem(&format!("month_{}", m + 1), e.to_string());
                    ok = false;
                }
            }
        }
        if ok {
            planned.push((
                line.row,
                GridLine {
                    account: account.id,
                    code: account.code.clone(),
                    name: account.name.clone(),
                    account_type: account.account_type,
                    is_active: account.is_active,
                    amounts,
                },
            ));
        }
    }
    problems.sort_by_key(|p| p.row);
    if commit {
        if !problems.is_empty() {
            let mut errors = FieldErrors::default();
            for p in &problems {
                errors.add("text", p.to_string());
            }
            return Err(BudgetError::Invalid(errors));
        }
        if planned.is_empty() {
            return Err(BudgetError::Invalid(FieldErrors::single(
                "text",
                "No budget lines in the text.",
            )));
        }
        let accounts: Vec<Uuid> = planned.iter().map(|(_, l)| l.account).collect();
        let lines: Vec<BudgetLine> = planned
            .iter()
            .map(|(_, l)| BudgetLine {
                account: l.account,
                amounts: l.amounts,
            })
            .collect();
        write(store, ctx, "budget_paste", budget, &chart, Some(&accounts), &lines)?;
    }
    Ok(PastePlan {
        lines: planned,
        problems,
        committed: commit,
    })
}

/// Replaces the grid by the previous fiscal year's actuals ± `bp` basis points: for each revenue
/// and expense account and month, the month's net movement without year-end closing entries (from
/// the maintained balances) in the statement's sign, scaled by [`scale`] — exact, rounded half
/// away from zero once per cell. Accounts without movements last year have no budget after.
pub fn copy_from_actuals<S: BudgetStore>(store: &mut S, ctx: &Ctx<'_>, budget: &Budget, bp: i64) -> Res<Grid, S> {
    let company = ctx.books.company_id;
    let chart = store.budget_chart(company).map_err(BudgetError::Store)?;
    let beyond = || BudgetError::Invalid(FieldErrors::single("percent", "The result is beyond the books' range."));
    let last_year = budget.start.checked_sub(1.year()).map_err(|_| beyond())?;
    let mut lines: HashMap<Uuid, Months> = HashMap::new();
    for m in 0..MONTHS {
        let month = i32::try_from(m).map_err(|_| beyond())?;
        let from = last_year.checked_add(month.months()).map_err(|_| beyond())?;
        let to = from
            .checked_add(1.month())
            .and_then(|d| d.yesterday())
            .map_err(|_| beyond())?;
        let moved = store.result_movements(company, from, to).map_err(BudgetError::Store)?;
        for a in chart.iter().filter(|a| budgeted(a.account_type)) {
            let net = moved.get(&a.id).copied().unwrap_or(0);
            if net == 0 {
                continue;
            }
            let actual = net.checked_mul(sign(a.account_type)).ok_or_else(beyond)?;
            let v = scale(actual, bp).ok_or_else(beyond)?;
            lines.entry(a.id).or_insert([0; MONTHS])[m] = v;
        }
    }
    let lines: Vec<BudgetLine> = lines
        .into_iter()
        .map(|(account, amounts)| BudgetLine { account, amounts })
        .collect();
    write(store, ctx, "budget_copy", budget, &chart, None, &lines)
}
