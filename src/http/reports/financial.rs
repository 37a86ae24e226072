//! `/api/reports/balance-sheet/`, `profit-and-loss/`, `cash-flow/` and `equity-changes/`: the
//! financial statements. The store sums the maintained daily balances per account
//! (`store::reports::financial`), the domain builds the statement
//! (`domain::reports::financial`); these handlers read the query and render one shape for all
//! four, which the web page and its CSV export read.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Response;
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::export::{self, Format, Line, LineKind, Look, Sheet};
use super::{ReportQuery, param};
use crate::app::AppState;
use crate::domain::accounts::AccountType;
use crate::domain::budgets::{Budget, period_balances};
use crate::domain::ledger::{Books, Ctx, LedgerStore};
use crate::domain::money;
use crate::domain::reports::Overflow;
use crate::domain::reports::financial::columns::{self, Compare, MAX_COLUMNS};
use crate::domain::reports::financial::{self as fin, Balances, CashPeriod, Column, EquityPeriod, Statement};
use crate::http::company::{InCompany, perm};
use crate::http::error::{ApiError, Reply};
use crate::store::Tx;
use crate::store::budgets as store_budgets;
use crate::store::reports::financial::{Accounts, before, chart, closes, net};

/// One column: a period (`date_from` … `date_to`) or a date (`date_from` null).
#[derive(Serialize, ToSchema)]
#[schema(as = FinancialStatementColumn)]
pub struct ColumnDto {
    /// What the column holds: `period`, `as_of`, or for the changes in equity `opening`,
    /// `result`, `year_end_close`, `other`, `closing`.
    pub key: &'static str,
    #[schema(format = Date)]
    pub date_from: Option<String>,
    #[schema(format = Date)]
    pub date_to: String,
}

/// One line of a statement.
#[derive(Serialize, ToSchema)]
#[schema(as = FinancialStatementRow)]
pub struct RowDto {
    /// `section` (a heading, no amounts), `account`, `subtotal` (an account with its
    /// sub-accounts) or `total`.
    pub kind: &'static str,
    /// The computed line's name (`total_assets`, `current_earnings`, `net_result`, …); empty
    /// for an account's rows.
    pub key: &'static str,
    /// The account of an `account` or `subtotal` row: its general ledger is the drill-down.
    pub account: Option<Uuid>,
    pub code: String,
    pub name: String,
    /// Indentation in the account tree.
    pub depth: usize,
    /// One amount per column: assets and expenses debit-positive; liabilities, equity and
    /// revenue credit-positive; the cash flow as cash in positive.
    pub amounts: Vec<String>,
    /// With `budget=`: the budget's amount per column, in the same sign.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<Vec<String>>,
    /// With `budget=`: actual − budget per column. Positive is favourable for revenue and the
    /// net result, unfavourable for expenses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variance: Option<Vec<String>>,
    /// With `budget=`: the variance in percent of the budget's size, one decimal (`"12.5"`);
    /// `null` where the budget is 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variance_percent: Option<Vec<Option<String>>>,
}

/// The budget a profit and loss is compared with.
#[derive(Serialize, ToSchema)]
#[schema(as = FinancialStatementBudget)]
pub struct BudgetRefDto {
    pub id: Uuid,
    pub name: String,
    pub fiscal_year: i16,
}

/// A financial statement: its columns and its rows, grouped by the account tree.
#[derive(Serialize, ToSchema)]
#[schema(as = FinancialStatement)]
pub struct StatementDto {
    /// `balance_sheet`, `profit_and_loss`, `cash_flow` or `equity_changes`.
    pub report: &'static str,
    pub currency: String,
    pub columns: Vec<ColumnDto>,
    pub rows: Vec<RowDto>,
    /// The budget compared with (`budget=` on the profit and loss), else absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetRefDto>,
    /// The currency's decimals, for the exports.
    #[serde(skip)]
    decimals: u32,
}

impl StatementDto {
    pub(super) fn new(report: &'static str, s: Statement, books: &Books) -> Result<StatementDto, Overflow> {
        Self::against(report, s, books, None)
    }

    /// The statement; with a budget, each row's amounts are the n actual columns then the
    /// budget's n (`fin::budget::profit_and_loss_against`).
    fn against(
        report: &'static str,
        s: Statement,
        books: &Books,
        budget: Option<&Budget>,
    ) -> Result<StatementDto, Overflow> {
        let d = books.decimals;
        let n = s.columns.len();
        let columns = if s.headings.is_empty() {
            s.columns
                .iter()
                .map(|c| ColumnDto {
                    key: if c.from.is_some() { "period" } else { "as_of" },
                    date_from: c.from.map(|f| f.to_string()),
                    date_to: c.to.to_string(),
                })
                .collect()
        } else {
            let c = s.columns.first().copied().unwrap_or(Column {
                from: None,
                to: Date::default(),
            });
            let from = c.from.unwrap_or(c.to);
            let day_before = from.yesterday().unwrap_or(from);
            s.headings
                .iter()
                .map(|h| match *h {
                    "opening" => ColumnDto {
                        key: h,
                        date_from: None,
                        date_to: day_before.to_string(),
                    },
                    "closing" => ColumnDto {
                        key: h,
                        date_from: None,
                        date_to: c.to.to_string(),
                    },
                    _ => ColumnDto {
                        key: h,
                        date_from: Some(from.to_string()),
                        date_to: c.to.to_string(),
                    },
                })
                .collect()
        };
        Ok(StatementDto {
            report,
            decimals: d,
            currency: books.currency.clone(),
            columns,
            budget: budget.map(|b| BudgetRefDto {
                id: b.id,
                name: b.name.clone(),
                fiscal_year: b.fiscal_year,
            }),
            rows: s
                .rows
                .into_iter()
                .map(|r| {
                    let fmt = |v: &[i64]| v.iter().map(|x| money::format(*x, d)).collect::<Vec<_>>();
                    let mut row = RowDto {
                        kind: r.kind.as_str(),
                        key: r.key,
                        account: r.account,
                        code: r.code,
                        name: r.name,
                        depth: r.depth,
                        // Against a budget the rows carry the actual columns, then the budget's.
                        amounts: fmt(if budget.is_some() {
                            r.amounts.get(..n).unwrap_or(&r.amounts)
                        } else {
                            &r.amounts
                        }),
                        budget: None,
                        variance: None,
                        variance_percent: None,
                    };
                    if budget.is_some() && r.kind != fin::RowKind::Section {
                        let actual = r.amounts.get(..n).unwrap_or_default();
                        let planned = r.amounts.get(n..).unwrap_or_default();
                        // Each is a difference of two amounts of at most 18 digits: checked all the same.
                        let var: Vec<i64> = actual
                            .iter()
                            .zip(planned)
                            .map(|(a, b)| fin::budget::variance(*a, *b))
                            .collect::<Result<_, _>>()?;
                        row.variance_percent = Some(
                            var.iter()
                                .zip(planned)
                                .map(|(v, b)| fin::budget::variance_percent(*v, *b).map(fin::budget::percent_text))
                                .collect(),
                        );
                        row.budget = Some(fmt(planned));
                        row.variance = Some(fmt(&var));
                    }
                    Ok(row)
                })
                .collect::<Result<_, Overflow>>()?,
        })
    }
}

impl StatementDto {
    /// The statement as a table for the XLSX and CSV exports.
    pub fn sheet(&self) -> Sheet {
        let (title, slug) = match self.report {
            "balance_sheet" => ("Balance sheet", "balance-sheet"),
            "profit_and_loss" => ("Profit and loss", "profit-and-loss"),
            "cash_flow" => ("Cash flow", "cash-flow"),
            "consolidated_balance_sheet" => ("Consolidated balance sheet", "consolidated-balance-sheet"),
            "consolidated_profit_and_loss" => ("Consolidated profit and loss", "consolidated-profit-and-loss"),
            _ => ("Changes in equity", "equity-changes"),
        };
        let last = self.columns.first().map(|c| c.date_to.as_str()).unwrap_or_default();
        // The changes in equity's columns share one period: the `result` column's.
        // Month by month the columns run forward: the period spans them; comparisons come after
        // the period itself.
        let (first, final_column) = (self.columns.first(), self.columns.last());
        let period = match (first, final_column) {
            _ if self.report == "equity_changes" => self
                .columns
                .iter()
                .find(|c| c.key != "opening")
                .map(ColumnDto::dates)
                .unwrap_or_default(),
            (Some(a), Some(b)) if b.date_to > a.date_to => match &a.date_from {
                Some(from) => format!("{from} – {}", b.date_to),
                None => format!("{} – {}", a.date_to, b.date_to),
            },
            (Some(a), _) => a.dates(),
            _ => String::new(),
        };
        Sheet {
            file: format!("{slug}-{last}"),
            title,
            text_headers: vec!["Code", "Account"],
            amount_headers: if self.budget.is_some() {
                self.columns
                    .iter()
                    .flat_map(|c| {
                        let h = c.heading();
                        [
                            h.clone(),
                            format!("Budget {h}"),
                            format!("Variance {h}"),
                            format!("Variance % {h}"),
                        ]
                    })
                    .collect()
            } else {
                self.columns.iter().map(ColumnDto::heading).collect()
            },
            decimals: self.decimals,
            currency: self.currency.clone(),
            period,
            lines: self
                .rows
                .iter()
                .map(|r| Line {
                    kind: match r.kind {
                        "section" => LineKind::Section,
                        "total" | "subtotal" => LineKind::Total,
                        _ => LineKind::Account,
                    },
                    depth: r.depth,
                    texts: vec![r.code.clone(), r.name.clone()],
                    amounts: match (&r.budget, &r.variance, &r.variance_percent) {
                        (Some(b), Some(v), Some(p)) => r
                            .amounts
                            .iter()
                            .enumerate()
                            .flat_map(|(i, a)| {
                                [
                                    a.clone(),
                                    b.get(i).cloned().unwrap_or_default(),
                                    v.get(i).cloned().unwrap_or_default(),
                                    p.get(i).cloned().flatten().unwrap_or_default(),
                                ]
                            })
                            .collect(),
                        _ => r.amounts.clone(),
                    },
                })
                .collect(),
        }
    }
}

impl ColumnDto {
    /// `2026-01-01 – 2026-12-31`, or the date.
    fn dates(&self) -> String {
        match &self.date_from {
            Some(from) => format!("{from} – {}", self.date_to),
            None => self.date_to.clone(),
        }
    }

    /// The column's heading in an export: its label (changes in equity) and its dates.
    fn heading(&self) -> String {
        let dates = self.dates();
        let label = match self.key {
            "opening" => "Opening balance",
            "result" => "Result",
            "year_end_close" => "Year-end close",
            "other" => "Other movements",
            "closing" => "Closing balance",
            _ => return dates,
        };
        format!("{label} {dates}")
    }
}

/// The first day of the fiscal year that contains `date`.
pub(super) fn fiscal_start(date: Date, start_month: i8) -> Date {
    let month = start_month.clamp(1, 12);
    let this_year = Date::new(date.year(), month, 1).unwrap_or(date.first_of_year());
    if this_year <= date {
        this_year
    } else {
        this_year.checked_sub(1.year()).unwrap_or(date.first_of_year())
    }
}

/// The period asked for: `date_to` defaults to today, `date_from` to the start of `date_to`'s
/// fiscal year.
fn period(tx: &mut Tx, ctx: &Ctx<'_>, from: Option<Date>, to: Option<Date>) -> Result<(Date, Date), ApiError> {
    let to = to.unwrap_or(ctx.today);
    let from = match from {
        Some(f) => f,
        None => {
            let settings = tx.settings(ctx.books.company_id)?;
            fiscal_start(to, settings.fiscal_year_start_month)
        }
    };
    if from > to {
        return Err(ApiError::field("date_from", "date_from must not be after date_to."));
    }
    Ok((from, to))
}

/// What a period statement's query asks for: the period, the comparison, extra periods.
struct Periods {
    from: Option<Date>,
    to: Option<Date>,
    compare: Compare,
    extra: Vec<(Date, Date)>,
}

impl Periods {
    fn read(q: &ReportQuery) -> Result<Periods, ApiError> {
        let compare = match param(&q.0, "compare") {
            None | Some("") => Compare::None,
            Some(c) => Compare::parse(c).ok_or_else(|| {
                ApiError::field(
                    "compare",
                    format!("\"{c}\" is not a valid choice: none, previous_period, previous_year or months."),
                )
            })?,
        };
        let extra = match param(&q.0, "periods") {
            None | Some("") => Vec::new(),
            Some(list) => {
                let parts: Vec<&str> = list.split(',').collect();
                if parts.len() > MAX_COLUMNS {
                    return Err(ApiError::field(
                        "periods",
                        format!("At most {MAX_COLUMNS} columns can be shown side by side."),
                    ));
                }
                let bad = |p: &str| {
                    ApiError::field(
                        "periods",
                        format!("\"{p}\" is not a period: write YYYY-MM-DD/YYYY-MM-DD, the start not after the end."),
                    )
                };
                let mut out = Vec::new();
                for p in parts {
                    let (a, b) = p.split_once('/').ok_or_else(|| bad(p))?;
                    let a: Date = a.trim().parse().map_err(|_| bad(p))?;
                    let b: Date = b.trim().parse().map_err(|_| bad(p))?;
                    if a > b {
                        return Err(bad(p));
                    }
                    out.push((a, b));
                }
                out
            }
        };
        Ok(Periods {
            from: q.date("date_from")?,
            to: q.date("date_to")?,
            compare,
            extra,
        })
    }

    /// The columns: the period and its comparison, then the periods chosen.
    fn columns(&self, tx: &mut Tx, ctx: &Ctx<'_>) -> Result<Vec<(Date, Date)>, ApiError> {
        let (from, to) = period(tx, ctx, self.from, self.to)?;
        let mut all = columns::periods(from, to, self.compare)?;
        all.extend(self.extra.iter().copied());
        Ok(columns::chosen(all)?)
    }
}

/// The period's movements without the year-end closing entries.
pub(super) fn movements(
    tx: &mut Tx,
    company: Uuid,
    which: Accounts,
    from: Date,
    to: Date,
) -> Result<Balances, ApiError> {
    let moved = net(tx, company, which, Some(from), to)?;
    let closing = closes(tx, company, Some(from), to)?;
    Ok(fin::less(&moved, &closing)?)
}

/// `GET …/balance-sheet/?as_of=&compare=`: assets, liabilities and equity as of the date
/// (default today), with the current earnings not yet closed; `compare=previous_year` adds the
/// same date a year earlier.
pub async fn balance_sheet(
    State(app): State<AppState>,
    c: InCompany<perm::ViewReports>,
    q: ReportQuery,
) -> Reply<Response> {
    let format = Format::read(&q)?;
    let as_of = q.date("as_of")?;
    let compare = match param(&q.0, "compare") {
        None | Some("" | "none") => false,
        Some("previous_year") => true,
        Some(other) => {
            return Err(ApiError::field(
                "compare",
                format!("\"{other}\" is not a valid choice: none or previous_year."),
            ));
        }
    };
    let answer = c
        .read(move |tx, ctx| {
            let as_of = as_of.unwrap_or(ctx.today);
            let company = ctx.books.company_id;
            let mut dates = vec![as_of];
            if compare {
                let earlier = as_of
                    .checked_sub(1.year())
                    .map_err(|_| ApiError::field("as_of", "The comparison date falls outside the calendar."))?;
                dates.push(earlier);
            }
            let chart = chart(tx, company)?;
            let mut balances = Vec::new();
            for d in dates {
                balances.push((d, net(tx, company, Accounts::All, None, d)?));
            }
            Ok((
                StatementDto::new("balance_sheet", fin::balance_sheet(&chart, &balances)?, ctx.books)?,
                Look::read(format, tx, ctx)?,
            ))
        })
        .await?;
    export::answer(&app, format, answer, StatementDto::sheet).await
}

/// `GET …/profit-and-loss/?date_from=&date_to=&compare=&periods=&budget=`: revenue, expenses
/// and the net result for the period, with comparison columns; `budget=<id>` adds each column's
/// budget, variance (actual − budget) and variance % per row. With a budget the period defaults
/// to the budget's fiscal year, and every column must cover whole months.
pub async fn profit_and_loss(
    State(app): State<AppState>,
    c: InCompany<perm::ViewReports>,
    q: ReportQuery,
) -> Reply<Response> {
    let format = Format::read(&q)?;
    let mut periods = Periods::read(&q)?;
    let budget_id = match param(&q.0, "budget") {
        None | Some("") => None,
        // Not an id: no budget of the caller's can have it.
        Some(text) => Some(Uuid::parse_str(text.trim()).map_err(|_| ApiError::NotFound)?),
    };
    let answer = c
        .read(move |tx, ctx| {
            let company = ctx.books.company_id;
            let budget = match budget_id {
                Some(id) => Some(store_budgets::find(tx, company, id)?.ok_or(ApiError::NotFound)?),
                None => None,
            };
            if let Some(b) = &budget
                && periods.from.is_none()
                && periods.to.is_none()
            {
                periods.from = Some(b.start);
                periods.to = b.end();
            }
            let cols = periods.columns(tx, ctx)?;
            let chart = chart(tx, company)?;
            let mut moved = Vec::new();
            for (from, to) in &cols {
                let column = Column {
                    from: Some(*from),
                    to: *to,
                };
                moved.push((column, movements(tx, company, Accounts::Result, *from, *to)?));
            }
            let statement = match &budget {
                None => fin::profit_and_loss(&chart, &moved)?,
                Some(b) => {
                    let lines = store_budgets::lines(tx, b.id)?;
                    let types: HashMap<Uuid, AccountType> = chart.iter().map(|a| (a.id, a.account_type)).collect();
                    let planned = cols
                        .iter()
                        .map(|(from, to)| period_balances(b, &lines, &types, *from, *to))
                        .collect::<Result<Vec<_>, _>>()?;
                    fin::budget::profit_and_loss_against(&chart, &moved, &planned)?
                }
            };
            Ok((
                StatementDto::against("profit_and_loss", statement, ctx.books, budget.as_ref())?,
                Look::read(format, tx, ctx)?,
            ))
        })
        .await?;
    export::answer(&app, format, answer, StatementDto::sheet).await
}

/// `GET …/cash-flow/?date_from=&date_to=&compare=&periods=`: the cash flow statement, indirect
/// method, each balance-sheet account under its cash flow class.
pub async fn cash_flow(
    State(app): State<AppState>,
    c: InCompany<perm::ViewReports>,
    q: ReportQuery,
) -> Reply<Response> {
    let format = Format::read(&q)?;
    let periods = Periods::read(&q)?;
    let answer = c
        .read(move |tx, ctx| {
            let company = ctx.books.company_id;
            let cols = periods.columns(tx, ctx)?;
            let chart = chart(tx, company)?;
            let mut data = Vec::new();
            for (from, to) in cols {
                data.push(CashPeriod {
                    column: Column { from: Some(from), to },
                    movements: movements(tx, company, Accounts::All, from, to)?,
                    opening: before(tx, company, Accounts::All, from)?,
                });
            }
            Ok((
                StatementDto::new("cash_flow", fin::cash_flow(&chart, &data)?, ctx.books)?,
                Look::read(format, tx, ctx)?,
            ))
        })
        .await?;
    export::answer(&app, format, answer, StatementDto::sheet).await
}

/// `GET …/equity-changes/?date_from=&date_to=`: each equity account and the current earnings,
/// from the opening to the closing balance of the period.
pub async fn equity_changes(
    State(app): State<AppState>,
    c: InCompany<perm::ViewReports>,
    q: ReportQuery,
) -> Reply<Response> {
    let format = Format::read(&q)?;
    let (from, to) = (q.date("date_from")?, q.date("date_to")?);
    let answer = c
        .read(move |tx, ctx| {
            let company = ctx.books.company_id;
            let (from, to) = period(tx, ctx, from, to)?;
            let chart = chart(tx, company)?;
            let p = EquityPeriod {
                column: Column { from: Some(from), to },
                opening: before(tx, company, Accounts::All, from)?,
                closing: net(tx, company, Accounts::All, None, to)?,
                movements: net(tx, company, Accounts::All, Some(from), to)?,
                closes: closes(tx, company, Some(from), to)?,
            };
            Ok((
                StatementDto::new("equity_changes", fin::equity_changes(&chart, &p)?, ctx.books)?,
                Look::read(format, tx, ctx)?,
            ))
        })
        .await?;
    export::answer(&app, format, answer, StatementDto::sheet).await
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::fiscal_start;

    #[test]
    fn the_fiscal_year_starts_in_its_month() {
        assert_eq!(fiscal_start(date(2026, 5, 17), 1), date(2026, 1, 1));
        assert_eq!(fiscal_start(date(2026, 5, 17), 7), date(2025, 7, 1));
        assert_eq!(fiscal_start(date(2026, 7, 1), 7), date(2026, 7, 1));
    }
}
