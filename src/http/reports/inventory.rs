//! `/api/inventory/reports/`: stock on hand and its valuation as of a date, the valuation checked
//! against the inventory accounts of the ledger, an item's movement history, the items at or
//! below their reorder point, and the gross margin per item and customer (`margin.rs`). The
//! store reads the rows (`store::reports::inventory`), the domain adds them up
//! (`domain::reports::inventory`). Quantities are decimal text with three decimals in the
//! item's base unit; amounts decimal text in the company currency.

use axum::Json;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::super::company::{InCompany, perm};
use super::super::conventions::{ListQuery, optional_date};
use super::super::error::{ApiError, Reply};
use crate::domain::ledger::Ctx;
use crate::domain::money;
use crate::domain::reports::inventory::{self as report, Stock};
use crate::store::Tx;
use crate::store::list::ListRequest;
use crate::store::reports::inventory::{self as rows, MoveFilter, StockFilter, StockRow};

/// A quantity in thousandths of the base unit as decimal text: 1500 → "1.500".
pub fn quantity(milli: i64) -> String {
    money::format(milli, 3)
}

fn param<'a>(request: &'a ListRequest, name: &str) -> Option<&'a str> {
    request
        .filters
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

fn id_param(request: &ListRequest, name: &str) -> Result<Option<Uuid>, ApiError> {
    param(request, name)
        .map(|v| Uuid::parse_str(v).map_err(|_| ApiError::field(name, "Must be a valid UUID.")))
        .transpose()
}

fn date_param(request: &ListRequest, name: &str) -> Result<Option<Date>, ApiError> {
    optional_date(name, param(request, name))
}

/// The offset of the request's page; `None` past any count.
fn offset(request: &ListRequest) -> Result<u64, ApiError> {
    (request.page.max(1) - 1)
        .checked_mul(request.page_size)
        .filter(|o| i64::try_from(*o).is_ok())
        .ok_or(ApiError::NotFound)
}

/// 404 past the last page (page 1 always exists), as the lists answer.
fn check_page(request: &ListRequest, count: u64) -> Result<u64, ApiError> {
    let last = count.div_ceil(request.page_size.max(1)).max(1);
    if request.page == 0 || request.page > last {
        return Err(ApiError::NotFound);
    }
    Ok(last)
}

/// A warehouse or an item named in the query must be the company's: another company's or
/// another firm's id is a 404, as everywhere.
fn must_exist(tx: &mut Tx, company: Uuid, table: &'static str, id: Option<Uuid>) -> Result<(), ApiError> {
    if let Some(id) = id {
        let found = tx.query_opt(
            &format!("SELECT id FROM {table} WHERE company_id = $1 AND id = $2"),
            crate::params![company, id],
        )?;
        if found.is_none() {
            return Err(ApiError::NotFound);
        }
    }
    Ok(())
}

/// The on-hand and valuation pages' parameters.
struct StockQuery {
    as_of: Option<Date>,
    filter: StockFilter,
}

impl StockQuery {
    fn read(request: &ListRequest) -> Result<StockQuery, ApiError> {
        Ok(StockQuery {
            as_of: date_param(request, "as_of")?,
            filter: StockFilter {
                warehouse: id_param(request, "warehouse")?,
                item: id_param(request, "item")?,
                search: request.search.clone(),
            },
        })
    }
}

/// One item in one warehouse.
#[derive(Serialize, ToSchema)]
pub struct StockRowDto {
    pub item: Uuid,
    pub item_code: String,
    pub item_name: String,
    /// The item's base unit.
    pub unit: String,
    pub warehouse: Uuid,
    pub warehouse_code: String,
    pub warehouse_name: String,
    /// Decimal text, three decimals, in the base unit.
    pub quantity: String,
    pub value: String,
    /// Value per base unit (rounded half away from zero to the currency's decimals); null with no quantity.
    pub unit_cost: Option<String>,
    /// The inventory account the stock is valued on.
    pub account: Option<Uuid>,
}

impl StockRowDto {
    fn new(r: StockRow, decimals: u32) -> StockRowDto {
        StockRowDto {
            item: r.item_id,
            item_code: r.item_code,
            item_name: r.item_name,
            unit: r.unit,
            warehouse: r.warehouse_id,
            warehouse_code: r.warehouse_code,
            warehouse_name: r.warehouse_name,
            quantity: quantity(r.stock.quantity),
            value: money::format(r.stock.value, decimals),
            unit_cost: unit_cost(r.stock).map(|c| money::format(c, decimals)),
            account: r.account_id,
        }
    }
}

/// value × 1000 / quantity, rounded half away from zero.
fn unit_cost(s: Stock) -> Option<i64> {
    if s.quantity == 0 {
        return None;
    }
    let (n, d) = (i128::from(s.value) * 1000, i128::from(s.quantity));
    let q = (n.abs() * 2 + d.abs()) / (d.abs() * 2);
    let q = if (n < 0) != (d < 0) { -q } else { q };
    i64::try_from(q).ok()
}

/// Stock per item and warehouse as of a date, a page of it.
#[derive(Serialize, ToSchema)]
#[schema(as = InventoryOnHand)]
pub struct OnHandDto {
    #[schema(format = Date)]
    pub as_of: String,
    pub currency: String,
    pub count: u64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<StockRowDto>,
}

/// The value of stock on one inventory account.
#[derive(Serialize, ToSchema)]
pub struct AccountValueDto {
    /// Null when an item has no inventory account and the company none by default.
    pub account: Option<Uuid>,
    pub code: String,
    pub name: String,
    pub value: String,
}

/// Stock valuation as of a date: a page of the items and warehouses, the total, and the total
/// per inventory account (over every row, not only the page).
#[derive(Serialize, ToSchema)]
#[schema(as = InventoryValuation)]
pub struct ValuationDto {
    #[schema(format = Date)]
    pub as_of: String,
    pub currency: String,
    pub total_value: String,
    pub accounts: Vec<AccountValueDto>,
    pub count: u64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<StockRowDto>,
}

/// `GET /api/inventory/reports/on-hand/?as_of=&warehouse=&item=&search=&page=&page_size=`.
pub async fn on_hand(c: InCompany<perm::ViewReports>, q: ListQuery) -> Reply<Response> {
    let query = StockQuery::read(&q.request)?;
    let request = q.request.clone();
    let (mut dto, last) = c
        .read(move |tx, ctx| {
            let company = ctx.books.company_id;
            must_exist(tx, company, "warehouses", query.filter.warehouse)?;
            must_exist(tx, company, "items", query.filter.item)?;
            let as_of = query.as_of.unwrap_or(ctx.today);
            let start = offset(&request)?;
            let default = rows::default_inventory_account(tx, company)?;
            let (count, page) = rows::stock_page(
                tx,
                company,
                as_of,
                default,
                &query.filter,
                start,
                request.page_size,
                None,
            )?;
            let last = check_page(&request, count)?;
            let d = ctx.books.decimals;
            Ok((
                OnHandDto {
                    as_of: as_of.to_string(),
                    currency: ctx.books.currency.clone(),
                    count,
                    next: None,
                    previous: None,
                    results: page.into_iter().map(|r| StockRowDto::new(r, d)).collect(),
                },
                last,
            ))
        })
        .await?;
    let page = q.request.page;
    dto.next = (page < last).then(|| q.link(page + 1));
    dto.previous = (page > 1).then(|| q.link(page - 1));
    Ok(Json(dto).into_response())
}

/// `GET /api/inventory/reports/valuation/?as_of=&warehouse=&item=&search=&page=&page_size=`.
pub async fn valuation(c: InCompany<perm::ViewReports>, q: ListQuery) -> Reply<Response> {
    let query = StockQuery::read(&q.request)?;
    let request = q.request.clone();
    let (mut dto, last) = c
        .read(move |tx, ctx| {
            let company = ctx.books.company_id;
            must_exist(tx, company, "warehouses", query.filter.warehouse)?;
            must_exist(tx, company, "items", query.filter.item)?;
            let as_of = query.as_of.unwrap_or(ctx.today);
            let start = offset(&request)?;
            let default = rows::default_inventory_account(tx, company)?;
            let stock = rows::StockAsOf::read(tx, company, as_of, default, &query.filter)?;
            let accounts = stock.per_account(tx)?;
            let known = accounts.iter().map(|a| a.rows).sum();
            let (count, page) = stock.page(tx, start, request.page_size, Some(known))?;
            let last = check_page(&request, count)?;
            let total = crate::domain::reports::sum(accounts.iter().map(|a| a.value), "stock values")?;
            let d = ctx.books.decimals;
            Ok((
                ValuationDto {
                    as_of: as_of.to_string(),
                    currency: ctx.books.currency.clone(),
                    total_value: money::format(total, d),
                    accounts: accounts
                        .into_iter()
                        .map(|a| AccountValueDto {
                            account: a.account_id,
                            code: a.code,
                            name: a.name,
                            value: money::format(a.value, d),
                        })
                        .collect(),
                    count,
                    next: None,
                    previous: None,
                    results: page.into_iter().map(|r| StockRowDto::new(r, d)).collect(),
                },
                last,
            ))
        })
        .await?;
    let page = q.request.page;
    dto.next = (page < last).then(|| q.link(page + 1));
    dto.previous = (page > 1).then(|| q.link(page - 1));
    Ok(Json(dto).into_response())
}

/// One inventory account: the stock valued on it and its ledger balance, on the same date.
#[derive(Serialize, ToSchema)]
pub struct AccountCheckDto {
    pub account: Uuid,
    pub code: String,
    pub name: String,
    pub valuation: String,
    pub ledger: String,
    /// Ledger minus valuation: "0.00" when they tie.
    pub difference: String,
}

/// Whether the stock valuation ties to the inventory accounts of the ledger, to the cent.
#[derive(Serialize, ToSchema)]
#[schema(as = InventoryValuationCheck)]
pub struct CheckDto {
    #[schema(format = Date)]
    pub as_of: String,
    pub currency: String,
    pub ok: bool,
    pub accounts: Vec<AccountCheckDto>,
}

/// The check's figures as of `as_of`.
pub fn valuation_check(tx: &mut Tx, ctx: &Ctx<'_>, as_of: Date) -> Result<report::Check, ApiError> {
    let (accounts, unassigned) = rows::check_rows(tx, ctx.books.company_id, as_of)?;
    let mut check = report::check(accounts)?;
    // Stock valued on no account at all cannot tie to anything.
    if unassigned != 0 {
        check.ok = false;
    }
    Ok(check)
}

/// `GET /api/inventory/reports/valuation/check/?as_of=`.
pub async fn check(c: InCompany<perm::ViewReports>, q: ListQuery) -> Reply<Response> {
    let as_of = date_param(&q.request, "as_of")?;
    let dto = c
        .read(move |tx, ctx| {
            let as_of = as_of.unwrap_or(ctx.today);
            let check = valuation_check(tx, ctx, as_of)?;
            let d = ctx.books.decimals;
            Ok(CheckDto {
                as_of: as_of.to_string(),
                currency: ctx.books.currency.clone(),
                ok: check.ok,
                accounts: check
                    .accounts
                    .into_iter()
                    .map(|a| AccountCheckDto {
                        account: a.account_id,
                        code: a.code,
                        name: a.name,
                        valuation: money::format(a.valuation, d),
                        ledger: money::format(a.ledger, d),
                        difference: money::format(a.difference, d),
                    })
                    .collect(),
            })
        })
        .await?;
    Ok(Json(dto).into_response())
}

/// The item a movement history is about.
#[derive(Serialize, ToSchema)]
pub struct MovementItemDto {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub unit: String,
}

/// One move with the quantity and value on hand after it.
#[derive(Serialize, ToSchema)]
pub struct MovementDto {
    pub id: Uuid,
    #[schema(format = Date)]
    pub date: String,
    /// `receipt`, `delivery`, `transfer_out`, `transfer_in`, `adjustment`, `return_in`, `return_out`,
    /// `landed_cost` or `revaluation`.
    pub kind: String,
    pub warehouse: Uuid,
    pub warehouse_code: String,
    pub lot: Option<String>,
    /// Signed: in > 0, out < 0.
    pub quantity: String,
    pub value: String,
    pub quantity_on_hand: String,
    pub value_on_hand: String,
    /// The document that caused the move (`delivery`, `receipt`, `invoice`, `bill`, `count`, `manual`…).
    pub source_kind: Option<String>,
    pub source_id: Option<Uuid>,
    pub journal_entry: Option<Uuid>,
}

/// One item's moves in a period, a page of them, each with the running quantity and value.
#[derive(Serialize, ToSchema)]
#[schema(as = InventoryMovements)]
pub struct MovementsDto {
    pub item: MovementItemDto,
    pub warehouse: Option<Uuid>,
    #[schema(format = Date)]
    pub date_from: Option<String>,
    #[schema(format = Date)]
    pub date_to: String,
    pub currency: String,
    /// The stock before the period (zero without `date_from`).
    pub opening_quantity: String,
    pub opening_value: String,
    pub count: u64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<MovementDto>,
}

/// `GET /api/inventory/reports/movements/?item=&warehouse=&date_from=&date_to=&page=&page_size=`.
pub async fn movements(c: InCompany<perm::ViewReports>, q: ListQuery) -> Reply<Response> {
    let item = id_param(&q.request, "item")?.ok_or_else(|| ApiError::field("item", "This field is required."))?;
    let warehouse = id_param(&q.request, "warehouse")?;
    let from = date_param(&q.request, "date_from")?;
    let to = date_param(&q.request, "date_to")?;
    let request = q.request.clone();
    let (mut dto, last) = c
        .read(move |tx, ctx| {
            let company = ctx.books.company_id;
            let found = tx.query_opt(
                "SELECT id, code, name, unit FROM items WHERE company_id = $1 AND id = $2",
                crate::params![company, item],
            )?;
            let Some(found) = found else {
                return Err(ApiError::NotFound);
            };
            must_exist(tx, company, "warehouses", warehouse)?;
            let to = to.unwrap_or(ctx.today);
            if from.is_some_and(|f| f > to) {
                return Err(ApiError::field("date_from", "date_from must not be after date_to."));
            }
            let filter = MoveFilter {
                item,
                warehouse,
                from,
                to,
            };
            let start = offset(&request)?;
            let opening = match from {
                Some(_) => rows::moves_page(tx, company, &filter, 0, 0)?.1,
                None => Stock::default(),
            };
            let (count, before, lines) = rows::moves_page(tx, company, &filter, start, request.page_size)?;
            let last = check_page(&request, count)?;
            let d = ctx.books.decimals;
            let results = report::running(before, lines)?
                .into_iter()
                .map(|(m, after)| MovementDto {
                    id: m.id,
                    date: m.date.to_string(),
                    kind: m.kind,
                    warehouse: m.warehouse_id,
                    warehouse_code: m.warehouse_code,
                    lot: m.lot,
                    quantity: quantity(m.stock.quantity),
                    value: money::format(m.stock.value, d),
                    quantity_on_hand: quantity(after.quantity),
                    value_on_hand: money::format(after.value, d),
                    source_kind: m.source_kind,
                    source_id: m.source_id,
                    journal_entry: m.journal_entry_id,
                })
                .collect();
            Ok((
                MovementsDto {
                    item: MovementItemDto {
                        id: found.uuid(0)?,
                        code: found.text(1)?,
                        name: found.text(2)?,
                        unit: found.text(3)?,
                    },
                    warehouse,
                    date_from: from.map(|f| f.to_string()),
                    date_to: to.to_string(),
                    currency: ctx.books.currency.clone(),
                    opening_quantity: quantity(opening.quantity),
                    opening_value: money::format(opening.value, d),
                    count,
                    next: None,
                    previous: None,
                    results,
                },
                last,
            ))
        })
        .await?;
    let page = q.request.page;
    dto.next = (page < last).then(|| q.link(page + 1));
    dto.previous = (page > 1).then(|| q.link(page - 1));
    Ok(Json(dto).into_response())
}

/// A stock item at or below its reorder point, and what to order.
#[derive(Serialize, ToSchema)]
pub struct ReorderDto {
    pub item: Uuid,
    pub code: String,
    pub name: String,
    pub unit: String,
    /// Across every warehouse, now.
    pub on_hand: String,
    pub reorder_point: String,
    pub reorder_quantity: Option<String>,
    /// The reorder quantity, or without one what brings the item back to its reorder point.
    pub suggested_quantity: String,
    /// The item's purchase price per base unit.
    pub purchase_price: String,
}

/// `GET /api/inventory/reports/reorder/?page=&page_size=`.
pub async fn reorder(c: InCompany<perm::ViewReports>, q: ListQuery) -> Reply<Response> {
    let request = q.request.clone();
    let (page, decimals) = c
        .read(move |tx, ctx| {
            let start = offset(&request)?;
            let (count, rows) = rows::reorder_page(tx, ctx.books.company_id, start, request.page_size)?;
            check_page(&request, count)?;
            Ok((crate::store::list::Page { count, items: rows }, ctx.books.decimals))
        })
        .await?;
    Ok(q.render(page, |r| ReorderDto {
        item: r.item_id,
        code: r.code,
        name: r.name,
        unit: r.unit,
        on_hand: quantity(r.on_hand),
        reorder_point: quantity(r.reorder_point),
        reorder_quantity: r.reorder_quantity.map(quantity),
        suggested_quantity: quantity(report::suggested_quantity(
            r.on_hand,
            r.reorder_point,
            r.reorder_quantity,
        )),
        purchase_price: money::format(r.purchase_price, decimals),
    }))
}
