//! `/api/accounting/revaluations/`: the period-end revaluation of foreign-currency receivables,
//! payables and bank balances: a preview (nothing written), a run (the entry on the date and its
//! reversal the next day) and the list of runs.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::company::{InCompany, JsonBody, perm};
use super::conventions::optional_date;
use super::error::{ApiError, Reply};
use crate::domain::FieldErrors;
use crate::domain::exchange_rates::{format_rate, parse_rate};
use crate::domain::ledger::Ctx;
use crate::domain::money;
use crate::domain::revaluation::{self, Plan, Run};
use crate::store::Tx;

/// What to revalue: the date, and closing rates that replace the company's stored ones.
#[derive(Deserialize, ToSchema, Default)]
#[schema(as = RevaluationRequest)]
pub struct RevaluationBody {
    /// `YYYY-MM-DD`; the company's today when left out.
    #[schema(format = Date)]
    date: Option<String>,
    /// Closing rates by currency (`{"USD": "1.05"}`), units of the company currency per unit;
    /// a currency left out takes the company's latest rate on or before the date.
    #[serde(default)]
    rates: BTreeMap<String, String>,
}

/// One account and currency revalued.
#[derive(Serialize, ToSchema)]
#[schema(as = RevaluationLine)]
pub struct LineDto {
    account: Uuid,
    account_code: String,
    account_name: String,
    /// `receivable`, `payable`, `bank` or `cash`.
    subtype: String,
    currency: String,
    /// The balance in `currency` (a debit balance positive).
    balance: String,
    /// The closing rate.
    rate: String,
    /// What the ledger carries for it in the company currency before the run.
    carried: String,
    /// `balance × rate`, rounded half away from zero.
    revalued: String,
    /// `revalued − carried`: a gain when positive (an asset grown or a debt shrunk).
    difference: String,
}

/// A revaluation as it would be (or was) posted.
#[derive(Serialize, ToSchema)]
#[schema(as = RevaluationPreview)]
pub struct PlanDto {
    #[schema(format = Date)]
    date: String,
    /// The company currency: `carried`, `revalued`, `difference` and `total` are in it.
    currency: String,
    lines: Vec<LineDto>,
    /// The net unrealised gain (positive) or loss.
    total: String,
}

/// A run: its entry on the date and the reversal dated the next day.
#[derive(Serialize, ToSchema)]
#[schema(as = RevaluationRun)]
pub struct RunDto {
    id: Uuid,
    #[schema(format = Date)]
    date: String,
    journal_entry: Uuid,
    reversal_entry: Uuid,
    /// The net unrealised gain (positive) or loss, in the company currency.
    total: String,
    #[schema(format = DateTime)]
    created_at: String,
}

/// A run as it was posted, with what it revalued.
#[derive(Serialize, ToSchema)]
#[schema(as = RevaluationRunPosted)]
pub struct RunPostedDto {
    run: RunDto,
    preview: PlanDto,
}

/// The company's runs, the latest date first.
#[derive(Serialize, ToSchema)]
#[schema(as = RevaluationRuns)]
pub struct RunsDto {
    count: usize,
    results: Vec<RunDto>,
}

fn plan_dto(plan: &Plan, ctx: &Ctx<'_>) -> PlanDto {
    let m = |v: i64| money::format(v, ctx.books.decimals);
    PlanDto {
        date: plan.date.to_string(),
        currency: ctx.books.currency.clone(),
        lines: plan
            .lines
            .iter()
            .map(|l| LineDto {
                account: l.position.account_id,
                account_code: l.position.account_code.clone(),
                account_name: l.position.account_name.clone(),
                subtype: l.position.subtype.clone(),
                currency: l.position.currency.clone(),
                balance: money::format(l.position.foreign, money::decimals(&l.position.currency)),
                rate: format_rate(l.rate),
                carried: m(l.position.carried),
                revalued: m(l.revalued),
                difference: m(l.difference),
            })
            .collect(),
        total: m(plan.total),
    }
}

fn run_dto(run: &Run, ctx: &Ctx<'_>) -> RunDto {
    RunDto {
        id: run.id,
        date: run.date.to_string(),
        journal_entry: run.journal_entry_id,
        reversal_entry: run.reversal_entry_id,
        total: money::format(run.total, ctx.books.decimals),
        created_at: run.created_at.to_string(),
    }
}

/// The date and the rates of a body, each bad one named (`rates.USD`).
fn parsed(body: RevaluationBody, ctx: &Ctx<'_>) -> Result<(jiff::civil::Date, BTreeMap<String, i64>), ApiError> {
    let date = optional_date("date", body.date.as_deref())?.unwrap_or(ctx.today);
    let mut errors = FieldErrors::default();
    let mut rates = BTreeMap::new();
    for (currency, text) in body.rates {
        let code = currency.trim().to_ascii_uppercase();
        match parse_rate(&text) {
            Ok(r) => {
                rates.insert(code, r);
            }
            Err(e) => errors.add(&format!("rates.{code}"), e.to_string()),
        }
    }
    errors.into_result()?;
    Ok((date, rates))
}

/// `POST …/preview/`: what a run as of the date would post; nothing is written.
pub async fn preview(c: InCompany<perm::ViewLedger>, body: JsonBody<RevaluationBody>) -> Reply<Json<PlanDto>> {
    c.read(move |tx: &mut Tx, ctx| {
        let (date, rates) = parsed(body.parse_or_default()?, ctx)?;
        let plan = revaluation::plan(tx, ctx, date, &rates)?;
        Ok(Json(plan_dto(&plan, ctx)))
    })
    .await
}

/// `POST …/`: runs the revaluation as of the date (201): the entry and its reversal.
pub async fn run(c: InCompany<perm::PostEntries>, mut body: JsonBody<RevaluationBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::CREATED, move |tx, ctx| {
        let (date, rates) = parsed(body.parse_or_default()?, ctx)?;
        let (run, plan) = revaluation::run(tx, ctx, date, &rates)?;
        Ok(RunPostedDto {
            run: run_dto(&run, ctx),
            preview: plan_dto(&plan, ctx),
        })
    })
    .await
}

/// `GET …/`: the company's runs.
pub async fn list(c: InCompany<perm::ViewLedger>) -> Reply<Json<RunsDto>> {
    c.read(move |tx: &mut Tx, ctx| {
        let runs = crate::store::revaluation::runs(tx, ctx.books.company_id)?;
        Ok(Json(RunsDto {
            count: runs.len(),
            results: runs.iter().map(|r| run_dto(r, ctx)).collect(),
        }))
    })
    .await
}
