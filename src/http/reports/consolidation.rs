//! `/api/reports/consolidated/trial-balance/`, `balance-sheet/` and `profit-and-loss/`: the
//! companies of the firm a user may see, reported as one in the parent company's currency
//! (`domain::reports::consolidation`). Above one company's books, so the handlers take the
//! firm (`InFirm`) and check each company named against what the caller may see: a company
//! they may not see, or of another firm, is a 404 like any id they cannot reach.

use axum::extract::State;
use axum::response::Response;
use jiff::civil::Date;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::export::{self, Format, Line, LineKind, Look, Sheet};
use super::financial::{StatementDto, fiscal_start, movements};
use super::{ReportQuery, param};
use crate::app::AppState;
use crate::auth::scope::Caller;
use crate::domain::books::Books;
use crate::domain::exchange_rates::format_rate;
use crate::domain::ledger::LedgerStore;
use crate::domain::money;
use crate::domain::reports::Overflow;
use crate::domain::reports::consolidation::{self as cons, ConsolidationError, Group, Member, Rates};
use crate::domain::reports::financial::{Balances, Statement};
use crate::domain::tenants::Company;
use crate::http::error::{ApiError, Reply};
use crate::http::firm::InFirm;
use crate::http::permission::perm;
use crate::store::reports::consolidation::{member, rates};
use crate::store::reports::financial::{Accounts, net};
use crate::store::{Tx, companies};

/// Companies one consolidation may take: the work is bounded before it starts.
pub const MAX_COMPANIES: usize = 50;

/// A company of the consolidation and the rates that translated it.
#[derive(Serialize, ToSchema)]
#[schema(as = ConsolidatedCompany)]
pub struct MemberDto {
    pub id: Uuid,
    pub name: String,
    pub currency: String,
    /// Units of the presentation currency per unit of the company's, for balance-sheet
    /// accounts (the parent's latest rate on or before the date).
    pub closing_rate: String,
    /// The same for revenue and expenses: the mean of the parent's rates in the period.
    pub average_rate: String,
}

/// A consolidated balance sheet or profit and loss.
#[derive(Serialize, ToSchema)]
#[schema(as = ConsolidatedStatement)]
pub struct ConsolidatedDto {
    /// The parent: its currency presents the figures and its exchange rates translate.
    pub parent: Uuid,
    pub companies: Vec<MemberDto>,
    pub statement: StatementDto,
}

/// One account of the consolidated trial balance.
#[derive(Serialize, ToSchema)]
#[schema(as = ConsolidatedTrialBalanceRow)]
pub struct TrialRowDto {
    /// The parent's account of this code (null for the translation reserve).
    pub account: Option<Uuid>,
    pub code: String,
    pub name: String,
    #[serde(rename = "type")]
    pub account_type: &'static str,
    /// The account's subtype is `intercompany` in one of the companies.
    pub intercompany: bool,
    /// Each company's net balance (debit positive), translated, in the order of `companies`.
    pub amounts: Vec<String>,
    pub total: String,
}

/// The consolidated trial balance.
#[derive(Serialize, ToSchema)]
#[schema(as = ConsolidatedTrialBalance)]
pub struct TrialBalanceDto {
    pub parent: Uuid,
    pub currency: String,
    #[schema(format = Date)]
    pub as_of: String,
    pub companies: Vec<MemberDto>,
    pub rows: Vec<TrialRowDto>,
    pub total_debit: String,
    pub total_credit: String,
    #[serde(skip)]
    decimals: u32,
}

/// What a consolidation's query names: the companies (default: every one the caller may see)
/// and the parent (default: the first named).
struct Scope {
    companies: Option<Vec<Uuid>>,
    parent: Option<Uuid>,
}

fn id(field: &'static str, raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw.trim()).map_err(|_| ApiError::field(field, format!("\"{raw}\" is not a company id.")))
}

impl Scope {
    fn read(q: &ReportQuery) -> Result<Scope, ApiError> {
        let companies = match param(&q.0, "companies") {
            None | Some("") => None,
            Some(list) => {
                let parts: Vec<&str> = list.split(',').collect();
                if parts.len() > MAX_COMPANIES {
                    return Err(ApiError::field(
                        "companies",
                        format!("At most {MAX_COMPANIES} companies can be consolidated at once."),
                    ));
                }
                let mut ids = Vec::new();
                for p in parts {
                    let i = id("companies", p)?;
                    if !ids.contains(&i) {
                        ids.push(i);
                    }
                }
                Some(ids)
            }
        };
        let parent = match param(&q.0, "parent") {
            None | Some("") => None,
            Some(p) => Some(id("parent", p)?),
        };
        Ok(Scope { companies, parent })
    }

    /// The companies, the parent first. One the caller may not see is not found.
    fn resolve(&self, tx: &mut Tx, caller: &Caller) -> Result<Vec<Company>, ApiError> {
        let mut list = match &self.companies {
            Some(ids) => {
                let mut out = Vec::new();
                for i in ids {
                    if !caller.may_see_company(*i) {
                        return Err(ApiError::NotFound);
                    }
                    out.push(companies::get(tx, *i)?.ok_or(ApiError::NotFound)?);
                }
                out
            }
            None => companies::all(tx)?
                .into_iter()
                .filter(|c| c.is_active && caller.may_see_company(c.id))
                .take(MAX_COMPANIES)
                .collect(),
        };
        if list.is_empty() {
            return Err(ConsolidationError::NoCompanies.into());
        }
        if let Some(p) = self.parent {
            let at = list
                .iter()
                .position(|c| c.id == p)
                .ok_or_else(|| ApiError::field("parent", "The parent must be one of the companies consolidated."))?;
            let parent = list.remove(at);
            list.insert(0, parent);
        }
        Ok(list)
    }
}

/// The dates a consolidation covers: a balance as of a date (its revenue and expenses at the
/// average of the date's fiscal year), or a period's movements.
enum Span {
    AsOf(Option<Date>),
    Period(Option<Date>, Option<Date>),
}

/// One consolidation, ready to add up: the companies (parent first), their group chart and
/// rates, and the dates.
struct Consolidation {
    parent: Company,
    books: Books,
    group: Group,
    members: Vec<Member>,
    rates: Vec<Rates>,
    from: Date,
    to: Date,
}

impl Consolidation {
    /// Resolves the scope for the caller, reads each company's chart and its rates.
    fn open(tx: &mut Tx, caller: &Caller, scope: &Scope, span: Span) -> Result<Consolidation, ApiError> {
        let companies = scope.resolve(tx, caller)?;
        let parent = companies.first().ok_or(ConsolidationError::NoCompanies)?.clone();
        let (to, from) = match span {
            Span::AsOf(d) => (d, None),
            Span::Period(f, t) => (t, f),
        };
        let to = to.unwrap_or_else(|| parent.today(jiff::Timestamp::now()));
        let month = tx.settings(parent.id)?.fiscal_year_start_month;
        let from = from.unwrap_or_else(|| fiscal_start(to, month));
        if from > to {
            return Err(ApiError::field("date_from", "date_from must not be after date_to."));
        }
        let mut members = Vec::new();
        let mut rates_of = Vec::new();
        for c in &companies {
            members.push(member(tx, c)?);
            let r = rates(tx, &parent, c, from, to)?.ok_or_else(|| ConsolidationError::NoRate {
                parent: parent.name.clone(),
                company: c.name.clone(),
                currency: c.currency.clone(),
                date: to,
            })?;
            rates_of.push(r);
        }
        Ok(Consolidation {
            books: Books::of(&parent),
            parent,
            group: cons::group(&members)?,
            members,
            rates: rates_of,
            from,
            to,
        })
    }

    /// Each member's balances as `read` gives them, translated into the group's accounts.
    fn translated(
        &self,
        tx: &mut Tx,
        read: impl Fn(&mut Tx, Uuid) -> Result<Balances, ApiError>,
    ) -> Result<Vec<Balances>, ApiError> {
        let mut out = Vec::new();
        for (m, r) in self.members.iter().zip(&self.rates) {
            let b = read(tx, m.company)?;
            out.push(self.group.translate(m, &b, *r, self.books.decimals)?);
        }
        Ok(out)
    }

    /// Balances as of the date: balance-sheet accounts at the closing rate, the year's revenue
    /// and expenses not yet closed at its average.
    fn as_of(&self, tx: &mut Tx) -> Result<Vec<Balances>, ApiError> {
        let to = self.to;
        self.translated(tx, |tx, company| Ok(net(tx, company, Accounts::All, None, to)?))
    }

    fn companies(&self) -> Vec<MemberDto> {
        self.members
            .iter()
            .zip(&self.rates)
            .map(|(m, r)| MemberDto {
                id: m.company,
                name: m.name.clone(),
                currency: m.currency.clone(),
                closing_rate: format_rate(r.closing),
                average_rate: format_rate(r.average),
            })
            .collect()
    }

    fn answer(self, report: &'static str, statement: Statement) -> Result<ConsolidatedDto, Overflow> {
        Ok(ConsolidatedDto {
            parent: self.parent.id,
            companies: self.companies(),
            statement: StatementDto::new(report, statement, &self.books)?,
        })
    }
}

/// `GET …/consolidated/balance-sheet/?companies=&parent=&as_of=`.
pub async fn balance_sheet(app: State<AppState>, c: InFirm<perm::ViewReports>, q: ReportQuery) -> Reply<Response> {
    let span = Span::AsOf(q.date("as_of")?);
    statement(app, c, q, span, |tx, cons| {
        let combined = cons::combine(&cons.as_of(tx)?)?;
        Ok((
            "consolidated_balance_sheet",
            cons::balance_sheet(&cons.group, cons.to, &combined)?,
        ))
    })
    .await
}

/// `GET …/consolidated/profit-and-loss/?companies=&parent=&date_from=&date_to=`: each
/// company's movements of the period at the period's average rate.
pub async fn profit_and_loss(app: State<AppState>, c: InFirm<perm::ViewReports>, q: ReportQuery) -> Reply<Response> {
    let span = Span::Period(q.date("date_from")?, q.date("date_to")?);
    statement(app, c, q, span, |tx, cons| {
        let (from, to) = (cons.from, cons.to);
        let moved = cons.translated(tx, |tx, company| movements(tx, company, Accounts::Result, from, to))?;
        let combined = cons::combine(&moved)?;
        Ok((
            "consolidated_profit_and_loss",
            cons::profit_and_loss(&cons.group, from, to, &combined)?,
        ))
    })
    .await
}

/// Adds up one consolidated statement: its report name and rows.
type Build = fn(&mut Tx, &Consolidation) -> Result<(&'static str, Statement), ApiError>;

/// A consolidated statement that `build` adds up, answered in the format asked for.
async fn statement(
    State(app): State<AppState>,
    c: InFirm<perm::ViewReports>,
    q: ReportQuery,
    span: Span,
    build: Build,
) -> Reply<Response> {
    let format = Format::read(&q)?;
    let scope = Scope::read(&q)?;
    let answer = c
        .tenant_read(move |tx, caller| {
            let cons = Consolidation::open(tx, caller, &scope, span)?;
            let (report, statement) = build(tx, &cons)?;
            let look = Look::of(format, tx, &cons.parent)?;
            Ok((cons.answer(report, statement)?, look))
        })
        .await?;
    export::answer(&app, format, answer, |d| d.statement.sheet()).await
}

/// `GET …/consolidated/trial-balance/?companies=&parent=&as_of=`.
pub async fn trial_balance(
    State(app): State<AppState>,
    c: InFirm<perm::ViewReports>,
    q: ReportQuery,
) -> Reply<Response> {
    let format = Format::read(&q)?;
    let scope = Scope::read(&q)?;
    let span = Span::AsOf(q.date("as_of")?);
    let answer = c
        .tenant_read(move |tx, caller| {
            let cons = Consolidation::open(tx, caller, &scope, span)?;
            let tb = cons::trial_balance(&cons.group, &cons.as_of(tx)?)?;
            let d = cons.books.decimals;
            let look = Look::of(format, tx, &cons.parent)?;
            Ok((
                TrialBalanceDto {
                    parent: cons.parent.id,
                    currency: cons.books.currency.clone(),
                    as_of: cons.to.to_string(),
                    companies: cons.companies(),
                    rows: tb
                        .rows
                        .into_iter()
                        .map(|r| TrialRowDto {
                            account: (r.account != cons::RESERVE_ID).then_some(r.account),
                            code: r.code,
                            name: r.name,
                            account_type: if r.account == cons::RESERVE_ID {
                                "equity"
                            } else {
                                r.account_type.as_str()
                            },
                            intercompany: r.intercompany,
                            amounts: r.members.iter().map(|v| money::format(*v, d)).collect(),
                            total: money::format(r.total, d),
                        })
                        .collect(),
                    total_debit: money::format(tb.debit, d),
                    total_credit: money::format(tb.credit, d),
                    decimals: d,
                },
                look,
            ))
        })
        .await?;
    export::answer(&app, format, answer, TrialBalanceDto::sheet).await
}

impl TrialBalanceDto {
    /// The trial balance as a table: one amount column per company, then the total.
    fn sheet(&self) -> Sheet {
        let mut amount_headers: Vec<String> = self.companies.iter().map(|c| c.name.clone()).collect();
        amount_headers.push("Total".into());
        let mut lines: Vec<Line> = self
            .rows
            .iter()
            .map(|r| {
                let mut amounts = r.amounts.clone();
                amounts.push(r.total.clone());
                Line {
                    kind: LineKind::Account,
                    depth: 0,
                    texts: vec![r.code.clone(), r.name.clone()],
                    amounts,
                }
            })
            .collect();
        let mut debit = vec![String::new(); self.companies.len()];
        debit.push(self.total_debit.clone());
        lines.push(Line {
            kind: LineKind::Total,
            depth: 0,
            texts: vec![String::new(), "Total debit".into()],
            amounts: debit,
        });
        let mut credit = vec![String::new(); self.companies.len()];
        credit.push(self.total_credit.clone());
        lines.push(Line {
            kind: LineKind::Total,
            depth: 0,
            texts: vec![String::new(), "Total credit".into()],
            amounts: credit,
        });
        Sheet {
            file: format!("consolidated-trial-balance-{}", self.as_of),
            title: "Consolidated trial balance",
            text_headers: vec!["Code", "Account"],
            amount_headers,
            decimals: self.decimals,
            currency: self.currency.clone(),
            period: self.as_of.clone(),
            lines,
        }
    }
}
