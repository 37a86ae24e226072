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
use crate::domain::reports::consolidation::{self as cons, ConsolidationError, Group, Member, Rates};
use crate::domain::reports::financial::Balances;
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

/// The group of `companies` (parent first) and each one's rates for `from` … `to`.
fn group_of(
    tx: &mut Tx,
    companies: &[Company],
    from: Date,
    to: Date,
) -> Result<(Group, Vec<Member>, Vec<Rates>), ApiError> {
    let parent = companies.first().ok_or(ConsolidationError::NoCompanies)?;
    let mut members = Vec::new();
    let mut all_rates = Vec::new();
    for c in companies {
        members.push(member(tx, c)?);
        let r = rates(tx, parent, c, from, to)?.ok_or_else(|| ConsolidationError::NoRate {
            parent: parent.name.clone(),
            company: c.name.clone(),
            currency: c.currency.clone(),
            date: to,
        })?;
        all_rates.push(r);
    }
    Ok((cons::group(&members)?, members, all_rates))
}

fn members_dto(members: &[Member], rates: &[Rates]) -> Vec<MemberDto> {
    members
        .iter()
        .zip(rates)
        .map(|(m, r)| MemberDto {
            id: m.company,
            name: m.name.clone(),
            currency: m.currency.clone(),
            closing_rate: format_rate(r.closing),
            average_rate: format_rate(r.average),
        })
        .collect()
}

/// The parent's today and the start of that date's fiscal year.
fn dates(tx: &mut Tx, parent: &Company, as_of: Option<Date>) -> Result<(Date, Date), ApiError> {
    let to = as_of.unwrap_or_else(|| parent.today(jiff::Timestamp::now()));
    let month = tx.settings(parent.id)?.fiscal_year_start_month;
    Ok((fiscal_start(to, month), to))
}

/// Each member's balances as of `as_of`, translated: balance-sheet accounts at the closing rate,
/// revenue and expenses (the year's, not yet closed) at the year's average.
fn translated_as_of(
    tx: &mut Tx,
    group: &Group,
    members: &[Member],
    rates: &[Rates],
    as_of: Date,
    decimals: u32,
) -> Result<Vec<Balances>, ApiError> {
    let mut out = Vec::new();
    for (m, r) in members.iter().zip(rates) {
        let b = net(tx, m.company, Accounts::All, None, as_of)?;
        out.push(group.translate(m, &b, *r, decimals)?);
    }
    Ok(out)
}

/// `GET …/consolidated/balance-sheet/?companies=&parent=&as_of=`.
pub async fn balance_sheet(
    State(app): State<AppState>,
    c: InFirm<perm::ViewReports>,
    q: ReportQuery,
) -> Reply<Response> {
    let format = Format::read(&q)?;
    let scope = Scope::read(&q)?;
    let as_of = q.date("as_of")?;
    let answer = c
        .tenant_read(move |tx, caller| {
            let list = scope.resolve(tx, caller)?;
            let parent = list.first().ok_or(ConsolidationError::NoCompanies)?.clone();
            let books = Books::of(&parent);
            let (year_start, as_of) = dates(tx, &parent, as_of)?;
            let (group, members, rates) = group_of(tx, &list, year_start, as_of)?;
            let translated = translated_as_of(tx, &group, &members, &rates, as_of, books.decimals)?;
            let combined = cons::combine(&translated)?;
            let statement = cons::balance_sheet(&group, as_of, &combined)?;
            Ok((
                ConsolidatedDto {
                    parent: parent.id,
                    companies: members_dto(&members, &rates),
                    statement: StatementDto::new("consolidated_balance_sheet", statement, &books),
                },
                Look::of(format, tx, &parent)?,
            ))
        })
        .await?;
    export::answer(&app, format, answer, |d| d.statement.sheet()).await
}

/// `GET …/consolidated/profit-and-loss/?companies=&parent=&date_from=&date_to=`.
pub async fn profit_and_loss(
    State(app): State<AppState>,
    c: InFirm<perm::ViewReports>,
    q: ReportQuery,
) -> Reply<Response> {
    let format = Format::read(&q)?;
    let scope = Scope::read(&q)?;
    let (from, to) = (q.date("date_from")?, q.date("date_to")?);
    let answer = c
        .tenant_read(move |tx, caller| {
            let list = scope.resolve(tx, caller)?;
            let parent = list.first().ok_or(ConsolidationError::NoCompanies)?.clone();
            let books = Books::of(&parent);
            let (year_start, to) = dates(tx, &parent, to)?;
            let from = from.unwrap_or(year_start);
            if from > to {
                return Err(ApiError::field("date_from", "date_from must not be after date_to."));
            }
            let (group, members, rates) = group_of(tx, &list, from, to)?;
            let mut translated = Vec::new();
            for (m, r) in members.iter().zip(&rates) {
                let moved = movements(tx, m.company, Accounts::Result, from, to)?;
                translated.push(group.translate(m, &moved, *r, books.decimals)?);
            }
            let combined = cons::combine(&translated)?;
            let statement = cons::profit_and_loss(&group, from, to, &combined)?;
            Ok((
                ConsolidatedDto {
                    parent: parent.id,
                    companies: members_dto(&members, &rates),
                    statement: StatementDto::new("consolidated_profit_and_loss", statement, &books),
                },
                Look::of(format, tx, &parent)?,
            ))
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
    let as_of = q.date("as_of")?;
    let answer = c
        .tenant_read(move |tx, caller| {
            let list = scope.resolve(tx, caller)?;
            let parent = list.first().ok_or(ConsolidationError::NoCompanies)?.clone();
            let books = Books::of(&parent);
            let d = books.decimals;
            let (year_start, as_of) = dates(tx, &parent, as_of)?;
            let (group, members, rates) = group_of(tx, &list, year_start, as_of)?;
            let translated = translated_as_of(tx, &group, &members, &rates, as_of, d)?;
            let tb = cons::trial_balance(&group, &translated)?;
            Ok((
                TrialBalanceDto {
                    parent: parent.id,
                    currency: books.currency.clone(),
                    as_of: as_of.to_string(),
                    companies: members_dto(&members, &rates),
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
                Look::of(format, tx, &parent)?,
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
