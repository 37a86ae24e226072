//! Tax returns: `/api/reports/tax-return/` (the return of a period in a layout, and its
//! exports), `/api/reports/tax-layouts/` (the layouts shipped), `/api/accounting/tax-settings/`
//! (the company's layout and settlement accounts, and how far returns are filed) and
//! `/api/accounting/tax-returns/` (file one; the filed ones). The domain
//! (`domain::tax_returns`) computes and files; these handlers read the request and render.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::company::{Id, InCompany, JsonBody, perm};
use super::conventions::{ListQuery, optional_date};
use super::error::{ApiError, Reply};
use super::reports::ReportQuery;
use super::reports::export::{self, Format, Line, LineKind, Look, Sheet};
use crate::app::AppState;
use crate::domain::books::Books;
use crate::domain::ledger::LedgerStore;
use crate::domain::money;
use crate::domain::tax_returns::{
    self, BoxFigure, FiledReturn, Layout, TaxReturn, TaxReturnStore, TaxSettings, TaxSettingsChanges, layout,
};
use crate::domain::taxes::format_percent;
use crate::store::list::Page;
use crate::store::tax_returns as stored;

/// One box of a return.
#[derive(Serialize, ToSchema)]
#[schema(as = TaxReturnBox)]
pub struct BoxDto {
    /// The box's name on the form (`1`, `2`, `8a`).
    #[serde(rename = "box")]
    pub id: String,
    pub label: String,
    pub amount: String,
    /// False for a box the layout leaves empty (always zero here; filled in by hand if needed).
    pub mapped: bool,
}

impl BoxDto {
    fn new(b: BoxFigure, d: u32) -> BoxDto {
        BoxDto {
            id: b.id,
            label: b.label,
            amount: money::format(b.amount, d),
            mapped: b.mapped,
        }
    }
}

/// One row of a return: a tax rate, or a tax account's postings outside documents.
#[derive(Serialize, ToSchema)]
#[schema(as = TaxReturnRow)]
pub struct RowDto {
    /// The rate (`null` for a row of other postings).
    #[schema(required = true)]
    pub tax_rate: Option<Uuid>,
    /// The tax account of a row of other postings (`null` for a rate).
    #[schema(required = true)]
    pub account: Option<Uuid>,
    pub name: String,
    /// `vat`, `gst`, `sales_tax` or `other`; `null` for other postings.
    #[schema(required = true)]
    pub kind: Option<&'static str>,
    /// The percentage (`"20"`); `null` for other postings.
    #[schema(required = true)]
    pub rate: Option<String>,
    #[schema(required = true)]
    pub is_inclusive: Option<bool>,
    pub sales_net: String,
    pub sales_tax: String,
    pub purchases_net: String,
    pub purchases_tax: String,
}

/// The tax return of a period.
#[derive(Serialize, ToSchema)]
#[schema(as = TaxReturnReport)]
pub struct ReportDto {
    #[schema(format = Date)]
    pub date_from: String,
    #[schema(format = Date)]
    pub date_to: String,
    pub layout: String,
    pub layout_title: String,
    pub currency: String,
    pub boxes: Vec<BoxDto>,
    pub rows: Vec<RowDto>,
    /// Sums of the rows: sales net and tax, purchases net and tax.
    pub totals: RowTotals,
    /// Tax on sales less tax on purchases: positive is payable, negative refundable.
    pub net_payable: String,
    #[serde(skip)]
    decimals: u32,
}

/// The rows' sums.
#[derive(Serialize, ToSchema)]
#[schema(as = TaxReturnTotals)]
pub struct RowTotals {
    pub sales_net: String,
    pub sales_tax: String,
    pub purchases_net: String,
    pub purchases_tax: String,
}

impl ReportDto {
    pub fn new(r: TaxReturn, books: &Books) -> Result<ReportDto, ApiError> {
        let d = books.decimals;
        let f = |v: i64| money::format(v, d);
        let [sn, st, pn, pt] = r.figures.totals()?;
        Ok(ReportDto {
            date_from: r.from.to_string(),
            date_to: r.to.to_string(),
            layout: r.layout.name.to_owned(),
            layout_title: r.layout.title.clone(),
            currency: books.currency.clone(),
            boxes: r.boxes.into_iter().map(|b| BoxDto::new(b, d)).collect(),
            rows: r
                .figures
                .rows
                .into_iter()
                .map(|row| RowDto {
                    tax_rate: row.rate_id,
                    account: row.account_id,
                    name: row.name,
                    kind: row.kind.map(|k| k.as_str()),
                    rate: row.rate_ppm.map(format_percent),
                    is_inclusive: row.inclusive,
                    sales_net: f(row.sales_net),
                    sales_tax: f(row.sales_tax),
                    purchases_net: f(row.purchases_net),
                    purchases_tax: f(row.purchases_tax),
                })
                .collect(),
            totals: RowTotals {
                sales_net: f(sn),
                sales_tax: f(st),
                purchases_net: f(pn),
                purchases_tax: f(pt),
            },
            net_payable: f(r.net_payable),
            decimals: d,
        })
    }

    /// The return as a table: the boxes (their amount in the first column), then the rows per
    /// rate with the four figures, their totals and the net.
    pub fn sheet(&self) -> Sheet {
        let blank = || String::new();
        let mut lines = vec![Line {
            kind: LineKind::Section,
            depth: 0,
            texts: vec![blank(), self.layout_title.clone()],
            amounts: vec![blank(); 5],
        }];
        lines.extend(self.boxes.iter().map(|b| Line {
            kind: LineKind::Account,
            depth: 1,
            texts: vec![b.id.clone(), b.label.clone()],
            amounts: vec![b.amount.clone(), blank(), blank(), blank(), blank()],
        }));
        lines.push(Line {
            kind: LineKind::Section,
            depth: 0,
            texts: vec![blank(), "By tax rate".into()],
            amounts: vec![blank(); 5],
        });
        lines.extend(self.rows.iter().map(|r| Line {
            kind: LineKind::Account,
            depth: 1,
            texts: vec![
                r.rate.as_ref().map(|p| format!("{p}%")).unwrap_or_default(),
                r.name.clone(),
            ],
            amounts: vec![
                blank(),
                r.sales_net.clone(),
                r.sales_tax.clone(),
                r.purchases_net.clone(),
                r.purchases_tax.clone(),
            ],
        }));
        let t = &self.totals;
        lines.push(Line {
            kind: LineKind::Total,
            depth: 0,
            texts: vec![blank(), "Total".into()],
            amounts: vec![
                blank(),
                t.sales_net.clone(),
                t.sales_tax.clone(),
                t.purchases_net.clone(),
                t.purchases_tax.clone(),
            ],
        });
        lines.push(Line {
            kind: LineKind::Total,
            depth: 0,
            texts: vec![blank(), "Net tax payable (negative: refundable)".into()],
            amounts: vec![self.net_payable.clone(), blank(), blank(), blank(), blank()],
        });
        Sheet {
            file: format!("tax-return-{}-{}", self.date_from, self.date_to),
            title: "Tax return",
            text_headers: vec!["Box", "Description"],
            amount_headers: ["Amount", "Sales net", "Sales tax", "Purchases net", "Purchases tax"]
                .map(String::from)
                .to_vec(),
            decimals: self.decimals,
            currency: self.currency.clone(),
            period: format!("{} – {}", self.date_from, self.date_to),
            lines,
        }
    }
}

/// The period of a query or body: `date_from` and `date_to` (or `from` and `to`), both required.
fn period(from: Option<Date>, to: Option<Date>) -> Result<(Date, Date), ApiError> {
    let mut errors = crate::domain::FieldErrors::default();
    if from.is_none() {
        errors.add("date_from", "This field is required.");
    }
    if to.is_none() {
        errors.add("date_to", "This field is required.");
    }
    match (from, to) {
        (Some(f), Some(t)) if f > t => Err(ApiError::field("date_from", "date_from must not be after date_to.")),
        (Some(f), Some(t)) => Ok((f, t)),
        _ => Err(ApiError::Validation(errors)),
    }
}

/// `GET /api/reports/tax-return/?date_from=&date_to=&layout=`: the return of the period in the
/// layout (default: the company's), as JSON or `?format=` csv, xlsx or pdf.
pub async fn report(
    State(app): State<AppState>,
    c: InCompany<perm::ViewReports>,
    q: ReportQuery,
) -> Result<Response, ApiError> {
    let format = Format::read(&q)?;
    let from = match q.date("date_from")? {
        Some(d) => Some(d),
        None => q.date("from")?,
    };
    let to = match q.date("date_to")? {
        Some(d) => Some(d),
        None => q.date("to")?,
    };
    let (from, to) = period(from, to)?;
    let layout = q.text("layout").map(str::to_owned);
    let answer = c
        .read(move |tx, ctx| {
            let r = tax_returns::report(tx, ctx, from, to, layout.as_deref())?;
            Ok((ReportDto::new(r, ctx.books)?, Look::read(format, tx, ctx)?))
        })
        .await?;
    export::answer(&app, format, answer, ReportDto::sheet).await
}

/// A layout shipped with the server.
#[derive(Serialize, ToSchema)]
#[schema(as = TaxLayout)]
pub struct LayoutDto {
    pub name: &'static str,
    pub title: String,
    pub notes: String,
    pub boxes: Vec<LayoutBoxDto>,
}

/// A box of a layout and what it holds.
#[derive(Serialize, ToSchema)]
#[schema(as = TaxLayoutBox)]
pub struct LayoutBoxDto {
    #[serde(rename = "box")]
    pub id: String,
    pub label: String,
    /// What the box adds up (`sales.tax`, `box:3-box:4`); empty: left empty.
    pub value: String,
}

impl From<Layout> for LayoutDto {
    fn from(l: Layout) -> LayoutDto {
        LayoutDto {
            name: l.name,
            title: l.title,
            notes: l.notes,
            boxes: l
                .boxes
                .into_iter()
                .map(|b| LayoutBoxDto {
                    id: b.id,
                    label: b.label,
                    value: b.value,
                })
                .collect(),
        }
    }
}

/// `GET /api/reports/tax-layouts/`: every layout a company may pick.
pub async fn layouts(_c: InCompany<perm::ViewReports>) -> Json<Vec<LayoutDto>> {
    Json(layout::all().into_iter().map(LayoutDto::from).collect())
}

/// A company's tax-return settings.
#[derive(Serialize, ToSchema)]
#[schema(as = TaxSettings)]
pub struct SettingsDto {
    pub layout: String,
    /// Where a return that owes tax settles (`null`: the liability account of subtype `tax`).
    #[schema(required = true)]
    pub payable_account: Option<Uuid>,
    /// Where a return with a refund settles (`null`: the asset account of subtype `tax`).
    #[schema(required = true)]
    pub receivable_account: Option<Uuid>,
    /// The end of the latest filed return: nothing on a tax account is posted or reversed on
    /// or before it.
    #[schema(format = Date, required = true)]
    pub tax_lock_date: Option<String>,
}

fn settings_dto(s: TaxSettings, lock: Option<Date>) -> SettingsDto {
    SettingsDto {
        layout: s.layout,
        payable_account: s.payable_account,
        receivable_account: s.receivable_account,
        tax_lock_date: lock.map(|d| d.to_string()),
    }
}

/// What `PATCH` changes; `null` for an account goes back to the default.
#[derive(Deserialize, ToSchema)]
#[schema(as = TaxSettingsUpdate)]
pub struct SettingsBody {
    /// A layout's `name` from `/api/reports/tax-layouts/`.
    layout: Option<String>,
    #[schema(value_type = Option<Uuid>)]
    #[serde(default)]
    payable_account: Option<Value>,
    #[schema(value_type = Option<Uuid>)]
    #[serde(default)]
    receivable_account: Option<Value>,
}

/// `Some(None)` for `null`, `Some(Some(id))` for an id; anything else is a 400 on `field`.
fn account_change(field: &str, v: Option<Value>) -> Result<Option<Option<Uuid>>, ApiError> {
    match v {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => Uuid::parse_str(&s)
            .map(|id| Some(Some(id)))
            .map_err(|_| ApiError::field(field, "Must be a valid UUID.")),
        Some(_) => Err(ApiError::field(field, "Must be a valid UUID.")),
    }
}

pub async fn get_settings(c: InCompany<perm::ViewLedger>) -> Reply<Json<SettingsDto>> {
    c.read(|tx, ctx| {
        let company = ctx.books.company_id;
        let lock = tx.settings(company)?.tax_lock.map(|l| l.through);
        Ok(settings_dto(tx.tax_settings(company)?, lock))
    })
    .await
    .map(Json)
}

pub async fn update_settings(c: InCompany<perm::ClosePeriods>, mut body: JsonBody<SettingsBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        let body = body.parse()?;
        let changes = TaxSettingsChanges {
            layout: body.layout,
            payable_account: account_change("payable_account", body.payable_account)?,
            receivable_account: account_change("receivable_account", body.receivable_account)?,
        };
        let saved = tax_returns::save_settings(tx, ctx, changes)?;
        let lock = tx.settings(ctx.books.company_id)?.tax_lock.map(|l| l.through);
        Ok(settings_dto(saved, lock))
    })
    .await
}

/// A filed return.
#[derive(Serialize, ToSchema)]
#[schema(as = FiledTaxReturn)]
pub struct FiledDto {
    pub id: Uuid,
    #[schema(format = Date)]
    pub date_from: String,
    #[schema(format = Date)]
    pub date_to: String,
    pub layout: String,
    /// Positive: paid to the tax authority; negative: a refund due.
    pub net_amount: String,
    /// The settlement journal entry (`null` when the tax accounts had nothing to move).
    #[schema(required = true)]
    pub settlement_entry: Option<Uuid>,
    pub filed_by: Uuid,
    pub filed_at: String,
    /// The boxes as filed.
    pub boxes: Vec<BoxDto>,
}

impl FiledDto {
    fn new(f: FiledReturn, d: u32) -> FiledDto {
        FiledDto {
            id: f.id,
            date_from: f.from.to_string(),
            date_to: f.to.to_string(),
            layout: f.layout,
            net_amount: money::format(f.net_amount, d),
            settlement_entry: f.settlement_entry_id,
            filed_by: f.filed_by,
            filed_at: crate::domain::ledger::chain::timestamp(f.filed_at),
            boxes: f.boxes.into_iter().map(|b| BoxDto::new(b, d)).collect(),
        }
    }
}

/// What filing a return takes.
#[derive(Deserialize, ToSchema)]
#[schema(as = FileTaxReturn)]
pub struct FileBody {
    #[schema(value_type = String, format = Date)]
    date_from: Option<String>,
    #[schema(value_type = String, format = Date)]
    date_to: Option<String>,
    /// Default: the company's layout.
    layout: Option<String>,
}

/// `POST /api/accounting/tax-returns/`: files the return of the period (see `tax_returns::file`).
pub async fn file(c: InCompany<perm::ClosePeriods>, mut body: JsonBody<FileBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::CREATED, move |tx, ctx| {
        let body = body.parse()?;
        let (from, to) = period(
            optional_date("date_from", body.date_from.as_deref())?,
            optional_date("date_to", body.date_to.as_deref())?,
        )?;
        let filed = tax_returns::file(tx, ctx, from, to, body.layout.as_deref())?;
        Ok(FiledDto::new(filed, ctx.books.decimals))
    })
    .await
}

/// `GET /api/accounting/tax-returns/`: the filed returns, latest period first.
pub async fn list(c: InCompany<perm::ViewReports>, q: ListQuery) -> Reply {
    let (page, size) = (q.request.page.max(1), q.request.page_size.max(1));
    let (count, items) = c
        .read(move |tx, ctx| {
            let all = stored::list(tx, ctx.books.company_id)?;
            let count = all.len() as u64;
            let skip = usize::try_from((page - 1).saturating_mul(size)).unwrap_or(usize::MAX);
            let take = usize::try_from(size).unwrap_or(usize::MAX);
            let d = ctx.books.decimals;
            let items: Vec<FiledDto> = all
                .into_iter()
                .skip(skip)
                .take(take)
                .map(|f| FiledDto::new(f, d))
                .collect();
            Ok((count, items))
        })
        .await?;
    if page > 1 && items.is_empty() {
        return Err(ApiError::NotFound);
    }
    Ok(q.render(Page { count, items }, |dto| dto))
}

/// `GET /api/accounting/tax-returns/{id}/`: one filed return (another company's is a 404).
pub async fn get(c: InCompany<perm::ViewReports>, Id(id): Id) -> Reply<Json<FiledDto>> {
    c.read(move |tx, ctx| {
        let filed = stored::get(tx, ctx.books.company_id, id)?.ok_or(ApiError::NotFound)?;
        Ok(FiledDto::new(filed, ctx.books.decimals))
    })
    .await
    .map(Json)
}
