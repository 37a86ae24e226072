//! `/api/accounting/periods/`: fiscal-year and approval settings, closing (soft or hard),
//! reopening, the year-end close; and `/api/accounting/audit-log/`. Writes accept an
//! `Idempotency-Key` header.

use axum::Json;
use axum::http::StatusCode;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::{RefOr, Schema};
use uuid::Uuid;

use super::company::{InCompany, JsonBody, perm};
use super::conventions::{ListQuery, optional_date};
use super::error::{ApiError, Reply};
use super::journal::EntryDto;
use super::openapi::choice;
use crate::domain::ledger::{self, Books, LedgerError, LedgerStore, Settings, SettingsChanges};
use crate::domain::money;
use crate::domain::taxes::Rounding;
use crate::store::StoreError;
use crate::store::list::Page;
use crate::store::reports::{self, AuditRow};

/// A company's ledger settings.
#[derive(Serialize, ToSchema)]
#[schema(as = PeriodSettings)]
pub struct SettingsDto {
    pub fiscal_year_start_month: i8,
    /// Soft lock: nothing is posted on or before it; an allowed role may move it back.
    #[schema(format = Date, required = true)]
    pub lock_date: Option<String>,
    /// Hard close: nothing is posted on or before it, ever.
    #[schema(format = Date, required = true)]
    pub hard_lock_date: Option<String>,
    pub approval_required: bool,
    /// Entries above this total need approval (`"0.00"`: every entry).
    #[schema(pattern = r"^-?[0-9]+(\.[0-9]+)?$")]
    pub approval_threshold: String,
    /// Where documents round tax: `line` or `document`.
    #[schema(schema_with = roundings)]
    pub tax_rounding: &'static str,
    /// Where exchange differences are posted; `null`: the account of subtype `fx`.
    #[schema(required = true)]
    pub exchange_account: Option<Uuid>,
}

/// The ways of rounding tax, by name.
fn roundings() -> RefOr<Schema> {
    choice(&[Rounding::Line.as_str(), Rounding::Document.as_str()])
}

impl SettingsDto {
    pub fn new(s: &Settings, books: &Books) -> SettingsDto {
        SettingsDto {
            fiscal_year_start_month: s.fiscal_year_start_month,
            lock_date: s.lock_date.map(|d| d.to_string()),
            hard_lock_date: s.hard_lock_date.map(|d| d.to_string()),
            approval_required: s.approval_required,
            approval_threshold: money::format(s.approval_threshold, books.decimals),
            tax_rounding: s.tax_rounding.as_str(),
            exchange_account: s.exchange_account_id,
        }
    }
}

/// What `PATCH` changes (the lock dates move only by close and reopen).
#[derive(Deserialize, ToSchema)]
#[schema(as = PeriodSettingsUpdate)]
pub struct SettingsBody {
    /// 1 to 12.
    fiscal_year_start_month: Option<i64>,
    approval_required: Option<bool>,
    /// A decimal string such as `"1000.00"`.
    #[schema(value_type = Option<String>)]
    approval_threshold: Option<Value>,
    /// `line` or `document`.
    tax_rounding: Option<String>,
    /// A revenue or expense account for exchange differences; `null`: the account of subtype `fx`.
    #[serde(default, deserialize_with = "crate::http::accounting::present")]
    exchange_account: Option<Option<Uuid>>,
}

impl SettingsBody {
    fn changes(self) -> Result<SettingsChanges, ApiError> {
        let approval_threshold = match self.approval_threshold {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(_) => return Err(ApiError::field("approval_threshold", "A valid number is required.")),
        };
        Ok(SettingsChanges {
            fiscal_year_start_month: self.fiscal_year_start_month,
            approval_required: self.approval_required,
            approval_threshold,
            tax_rounding: self.tax_rounding,
            exchange_account: self.exchange_account,
        })
    }
}

#[derive(Deserialize, ToSchema)]
#[schema(as = CloseRequest)]
pub struct CloseBody {
    /// Nothing is posted on or before this date afterwards.
    #[schema(value_type = String, format = Date)]
    date: Option<String>,
    /// Close for good: a hard close is never reopened.
    #[serde(default)]
    hard: bool,
}

#[derive(Deserialize, ToSchema)]
#[schema(as = ReopenRequest)]
pub struct ReopenBody {
    /// The new soft lock date (earlier than the current one); absent: no soft lock.
    #[schema(format = Date)]
    date: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[schema(as = RequiredDateRequest)]
pub struct YearEndBody {
    /// The last day of the fiscal year to close.
    #[schema(value_type = String, format = Date)]
    date: Option<String>,
}

/// The answer to a year-end close.
#[derive(Serialize, ToSchema)]
#[schema(as = YearEndResult)]
pub struct YearEnd {
    /// The entry that brought revenue and expenses to zero (`null` when there was nothing to
    /// close).
    #[schema(required = true)]
    pub closing_entry: Option<EntryDto>,
    pub settings: SettingsDto,
}

/// A date the body must carry.
fn required_date(value: Option<&str>) -> Result<Date, ApiError> {
    optional_date("date", value)?.ok_or_else(|| ApiError::field("date", "This field is required."))
}

fn shown(settings: Result<Settings, LedgerError<StoreError>>, books: &Books) -> Result<SettingsDto, ApiError> {
    Ok(SettingsDto::new(&settings?, books))
}

pub async fn get(c: InCompany<perm::ViewLedger>) -> Reply<Json<SettingsDto>> {
    c.read(|tx, ctx| Ok(SettingsDto::new(&tx.settings(ctx.books.company_id)?, ctx.books)))
        .await
        .map(Json)
}

/// Changes the fiscal year start, the approval rules and how documents round tax.
pub async fn update(c: InCompany<perm::ClosePeriods>, mut body: JsonBody<SettingsBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        let changes = body.parse()?.changes()?;
        shown(ledger::update_settings(tx, ctx, changes), ctx.books)
    })
    .await
}

pub async fn close(c: InCompany<perm::ClosePeriods>, mut body: JsonBody<CloseBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        let body = body.parse()?;
        let date = required_date(body.date.as_deref())?;
        shown(ledger::close_period(tx, ctx, date, body.hard), ctx.books)
    })
    .await
}

pub async fn reopen(c: InCompany<perm::ClosePeriods>, mut body: JsonBody<ReopenBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        let date = optional_date("date", body.parse()?.date.as_deref())?;
        shown(ledger::reopen_period(tx, ctx, date), ctx.books)
    })
    .await
}

pub async fn year_end(c: InCompany<perm::ClosePeriods>, mut body: JsonBody<YearEndBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        let date = required_date(body.parse()?.date.as_deref())?;
        let entry = ledger::year_end_close(tx, ctx, date)?;
        Ok(YearEnd {
            closing_entry: entry.map(|e| EntryDto::new(&e, ctx.books)),
            settings: SettingsDto::new(&tx.settings(ctx.books.company_id)?, ctx.books),
        })
    })
    .await
}

/// One row of a company's audit trail.
#[derive(Serialize, ToSchema)]
#[schema(as = AuditRecord)]
pub struct AuditDto {
    pub id: Uuid,
    #[schema(required = true)]
    pub actor: Option<Uuid>,
    pub action: String,
    pub object_type: String,
    #[schema(required = true)]
    pub object_id: Option<Uuid>,
    /// What changed, by field: `{"field": {"before": …, "after": …}}`.
    #[schema(value_type = Value)]
    pub changes: Value,
    pub created_at: String,
}

impl AuditDto {
    fn new(r: AuditRow) -> Result<AuditDto, ApiError> {
        let changes = serde_json::from_str(&r.detail)
            .map_err(|e| ApiError::Internal(format!("audit row {} has a detail that is not JSON: {e}", r.id)))?;
        Ok(AuditDto {
            id: r.id,
            actor: r.actor_id,
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            changes,
            created_at: r.created_at,
        })
    }
}

pub async fn audit_log(c: InCompany<perm::ViewLedger>, q: ListQuery) -> Reply {
    let request = q.request.clone();
    let page = c
        .read(move |tx, ctx| {
            let rows = reports::audit_page(tx, ctx.books.company_id, &request)?;
            let items = rows
                .items
                .into_iter()
                .map(AuditDto::new)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page {
                count: rows.count,
                items,
            })
        })
        .await?;
    Ok(q.render(page, |dto| dto))
}
