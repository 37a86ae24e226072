//! `/api/purchase/`: purchase orders (list, create, show, `PUT` a draft, delete a draft,
//! confirm, cancel, close, receive, bill, drafts from the reorder list), receipts (list, show,
//! bill), a bill's three-way match and its landed costs. Reading needs `documents.view`,
//! writing `documents.edit`; billing (which issues a bill) `documents.issue`.

mod dto;

use axum::Json;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::company::{Id, Idempotency, InCompany, JsonBody, perm};
use super::conventions::{ListQuery, optional_date};
use super::documents::{LineBody, line_input};
use super::error::{ApiError, Reply};
use crate::domain::FieldErrors;
use crate::domain::books::Ctx;
use crate::domain::purchases::bills::{self, BillInput, BillLineInput};
use crate::domain::purchases::landed::{self, LandedInput};
use crate::domain::purchases::receipts::{self, ReceiveInput, ReceiveLine};
use crate::domain::purchases::{Order, OrderInput, orders, reorder};
use crate::store::Tx;
use crate::store::purchases as store;

pub use dto::{
    LandedDto, MatchDto, MatchLineDto, OrderDto, OrderLineDto, ReceiptLineDto, ReceiptRowDto, ReorderDto, SkippedDto,
};

/// A purchase order as a create or `PUT` sends it.
#[derive(Deserialize, ToSchema)]
#[schema(as = PurchaseOrderInput)]
pub struct OrderBody {
    /// A vendor of the company.
    vendor: Option<Uuid>,
    /// `YYYY-MM-DD`; by default the company's today.
    #[schema(format = Date)]
    order_date: Option<String>,
    #[schema(format = Date)]
    expected_date: Option<String>,
    /// Where the goods go by default (a warehouse of the inventory).
    warehouse: Option<Uuid>,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    notes: String,
    /// As a bill's lines; quantities with at most 3 decimals. Left out, price, tax rate and
    /// account come from the item (its purchase price, purchase tax, expense account).
    #[serde(default)]
    lines: Vec<LineBody>,
    /// `true`: confirmed at once (goods may be received); else a draft.
    #[serde(default)]
    confirm: bool,
}

fn order_input(b: OrderBody) -> Result<OrderInput, ApiError> {
    Ok(OrderInput {
        vendor: b.vendor,
        order_date: optional_date("order_date", b.order_date.as_deref())?,
        expected_date: optional_date("expected_date", b.expected_date.as_deref())?,
        warehouse: b.warehouse,
        reference: b.reference,
        notes: b.notes,
        lines: b.lines.iter().map(line_input).collect(),
        confirm: b.confirm,
    })
}

/// The order in full: lines, receipts, bills.
fn full_order(tx: &mut Tx, ctx: &Ctx<'_>, id: Uuid) -> Result<OrderDto, ApiError> {
    let company = ctx.books.company_id;
    let (order, vendor) = store::order_named(tx, company, id)?.ok_or(ApiError::NotFound)?;
    let mut receipts = Vec::new();
    for r in crate::domain::purchases::PurchaseStore::receipts_of(tx, company, id)? {
        receipts.push(dto::receipt_dto(&r, Some(&order), &order.number, &vendor, ctx.books));
    }
    let bills = store::bills_of_order(tx, company, id)?;
    Ok(dto::order_dto(&order, &vendor, ctx.books, receipts, bills))
}

fn shown(tx: &mut Tx, ctx: &Ctx<'_>, order: &Order) -> Result<OrderDto, ApiError> {
    full_order(tx, ctx, order.id)
}

fn full_receipt(tx: &mut Tx, ctx: &Ctx<'_>, id: Uuid) -> Result<ReceiptRowDto, ApiError> {
    let company = ctx.books.company_id;
    let (r, number, vendor) = store::receipt_named(tx, company, id)?.ok_or(ApiError::NotFound)?;
    let order = store::order_named(tx, company, r.order_id)?.map(|(o, _)| o);
    Ok(dto::receipt_dto(&r, order.as_ref(), &number, &vendor, ctx.books))
}

/// `GET /api/purchase/orders/`.
pub async fn list_orders(c: InCompany<perm::ViewDocuments>, q: ListQuery) -> Reply {
    let request = q.request.clone();
    let page = c
        .read(move |tx, ctx| {
            let page = store::order_page(tx, ctx.books.company_id, &request)?;
            Ok(page.map(|(o, v)| dto::order_dto(&o, &v, ctx.books, Vec::new(), Vec::new())))
        })
        .await?;
    Ok(q.render(page, |d| d))
}

/// `POST /api/purchase/orders/`.
pub async fn create_order(c: InCompany<perm::EditDocuments>, mut body: JsonBody<OrderBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::CREATED, move |tx, ctx| {
        let input = order_input(body.parse()?)?;
        let order = orders::create(tx, ctx, &input)?;
        shown(tx, ctx, &order)
    })
    .await
}

/// `GET /api/purchase/orders/{id}/`.
pub async fn get_order(c: InCompany<perm::ViewDocuments>, Id(id): Id) -> Reply<Json<OrderDto>> {
    c.read(move |tx, ctx| Ok(Json(full_order(tx, ctx, id)?))).await
}

/// `PUT /api/purchase/orders/{id}/`: a draft replaced as a whole.
pub async fn replace_order(c: InCompany<perm::EditDocuments>, Id(id): Id, mut body: JsonBody<OrderBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        orders::find(tx, ctx, id)?;
        let input = order_input(body.parse()?)?;
        let order = orders::replace(tx, ctx, id, &input)?;
        shown(tx, ctx, &order)
    })
    .await
}

/// `DELETE /api/purchase/orders/{id}/`: a draft.
pub async fn delete_order(c: InCompany<perm::EditDocuments>, Id(id): Id, idem: Idempotency) -> Reply {
    c.write(idem, StatusCode::NO_CONTENT, move |tx, ctx| {
        Ok(orders::delete(tx, ctx, id)?)
    })
    .await
}

/// `POST …/{id}/confirm/`.
pub async fn confirm(c: InCompany<perm::EditDocuments>, Id(id): Id, idem: Idempotency) -> Reply {
    c.write(idem, StatusCode::OK, move |tx, ctx| {
        let o = orders::confirm(tx, ctx, id)?;
        shown(tx, ctx, &o)
    })
    .await
}

/// `POST …/{id}/cancel/`.
pub async fn cancel(c: InCompany<perm::EditDocuments>, Id(id): Id, idem: Idempotency) -> Reply {
    c.write(idem, StatusCode::OK, move |tx, ctx| {
        let o = orders::cancel(tx, ctx, id)?;
        shown(tx, ctx, &o)
    })
    .await
}

/// `POST …/{id}/close/`.
pub async fn close(c: InCompany<perm::EditDocuments>, Id(id): Id, idem: Idempotency) -> Reply {
    c.write(idem, StatusCode::OK, move |tx, ctx| {
        let o = orders::close(tx, ctx, id)?;
        shown(tx, ctx, &o)
    })
    .await
}

#[derive(Deserialize, ToSchema, Default)]
#[schema(as = PurchaseReceiveLineInput)]
pub struct ReceiveLineBody {
    /// The order's line number.
    order_line: Option<i64>,
    /// A decimal string (at most 3 decimals); left out: what remains on the line.
    quantity: Option<String>,
}

/// Goods received; no `lines`: everything that remains.
#[derive(Deserialize, ToSchema, Default)]
#[schema(as = PurchaseReceiveInput)]
pub struct ReceiveBody {
    #[schema(format = Date)]
    date: Option<String>,
    /// The warehouse the goods go to; by default the order's.
    warehouse: Option<Uuid>,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    lines: Vec<ReceiveLineBody>,
}

/// `POST …/orders/{id}/receive/`: a receipt (201).
pub async fn receive(c: InCompany<perm::EditDocuments>, Id(id): Id, mut body: JsonBody<ReceiveBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::CREATED, move |tx, ctx| {
        orders::find(tx, ctx, id)?;
        let b = body.parse_or_default()?;
        let input = ReceiveInput {
            date: optional_date("date", b.date.as_deref())?,
            warehouse: b.warehouse,
            reference: b.reference,
            lines: b
                .lines
                .into_iter()
                .map(|l| ReceiveLine {
                    order_line: l.order_line,
                    quantity: l.quantity,
                })
                .collect(),
        };
        let r = receipts::receive(tx, ctx, id, &input)?;
        full_receipt(tx, ctx, r.id)
    })
    .await
}

#[derive(Deserialize, ToSchema, Default)]
#[schema(as = PurchaseBillLineInput)]
pub struct BillLineBody {
    /// From a receipt: the receipt's line; from an order: the order's line.
    line: Option<i64>,
    /// A decimal string; left out: what was received and not yet billed.
    quantity: Option<String>,
    /// The vendor's unit price when it differs from the order's: the difference is flagged
    /// and posted to the price-difference account.
    unit_price: Option<String>,
}

/// A bill of received goods; no `lines`: everything received and not yet billed.
#[derive(Deserialize, ToSchema, Default)]
#[schema(as = PurchaseBillInput)]
pub struct BillBody {
    #[schema(format = Date)]
    issue_date: Option<String>,
    #[schema(format = Date)]
    due_date: Option<String>,
    /// The vendor's bill number (the order's and receipts' numbers go in the bill's notes).
    reference: Option<String>,
    #[serde(default)]
    lines: Vec<BillLineBody>,
}

fn bill_input(b: BillBody) -> Result<BillInput, ApiError> {
    Ok(BillInput {
        issue_date: optional_date("issue_date", b.issue_date.as_deref())?,
        due_date: optional_date("due_date", b.due_date.as_deref())?,
        reference: b.reference,
        lines: b
            .lines
            .into_iter()
            .map(|l| BillLineInput {
                line: l.line,
                quantity: l.quantity,
                unit_price: l.unit_price,
            })
            .collect(),
    })
}

/// `POST …/receipts/{id}/bill/`: an issued bill (201), matched to the receipt.
pub async fn bill_receipt(c: InCompany<perm::IssueDocuments>, Id(id): Id, mut body: JsonBody<BillBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::CREATED, move |tx, ctx| {
        receipts::find(tx, ctx, id)?;
        let input = bill_input(body.parse_or_default()?)?;
        let doc = bills::from_receipt(tx, ctx, id, &input)?;
        let (doc, rows) = bills::matching(tx, ctx, doc.id)?;
        Ok(dto::match_dto(&doc, &rows, ctx.books))
    })
    .await
}

/// `POST …/orders/{id}/bill/`: an issued bill (201) of everything received on the order's
/// receipts and not yet billed.
pub async fn bill_order(c: InCompany<perm::IssueDocuments>, Id(id): Id, mut body: JsonBody<BillBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::CREATED, move |tx, ctx| {
        orders::find(tx, ctx, id)?;
        let input = bill_input(body.parse_or_default()?)?;
        let doc = bills::from_order(tx, ctx, id, &input)?;
        let (doc, rows) = bills::matching(tx, ctx, doc.id)?;
        Ok(dto::match_dto(&doc, &rows, ctx.books))
    })
    .await
}

/// `GET /api/purchase/receipts/`.
pub async fn list_receipts(c: InCompany<perm::ViewDocuments>, q: ListQuery) -> Reply {
    let request = q.request.clone();
    let page = c
        .read(move |tx, ctx| {
            let page = store::receipt_page(tx, ctx.books.company_id, &request)?;
            Ok(page.map(|(r, n, v)| dto::receipt_dto(&r, None, &n, &v, ctx.books)))
        })
        .await?;
    Ok(q.render(page, |d| d))
}

/// `GET /api/purchase/receipts/{id}/`.
pub async fn get_receipt(c: InCompany<perm::ViewDocuments>, Id(id): Id) -> Reply<Json<ReceiptRowDto>> {
    c.read(move |tx, ctx| Ok(Json(full_receipt(tx, ctx, id)?))).await
}

/// `GET /api/purchase/bills/{id}/match/`: the bill's three-way match.
pub async fn bill_match(c: InCompany<perm::ViewDocuments>, Id(id): Id) -> Reply<Json<MatchDto>> {
    c.read(move |tx, ctx| {
        let (doc, rows) = bills::matching(tx, ctx, id)?;
        Ok(Json(dto::match_dto(&doc, &rows, ctx.books)))
    })
    .await
}

/// A landed cost from a bill.
#[derive(Deserialize, ToSchema, Default)]
#[schema(as = LandedCostInput)]
pub struct LandedBody {
    /// The receipt whose goods take the cost.
    receipt: Option<Uuid>,
    /// A decimal string in the company currency, at most what the bill's cost lines leave.
    amount: Option<String>,
    /// `value` (default) or `quantity`.
    basis: Option<String>,
    /// The bill's cost line account (freight, duty); by default the first line that bills no
    /// receipt.
    account: Option<Uuid>,
    /// By default the bill's issue date.
    #[schema(format = Date)]
    date: Option<String>,
}

/// `POST /api/purchase/bills/{id}/landed-costs/` (201).
pub async fn landed_cost(c: InCompany<perm::EditDocuments>, Id(id): Id, mut body: JsonBody<LandedBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::CREATED, move |tx, ctx| {
        crate::domain::documents::operations::find(tx, ctx, crate::domain::documents::DocumentKind::Bill, id)?;
        let b = body.parse()?;
        let input = LandedInput {
            receipt: b.receipt,
            amount: b.amount,
            basis: b.basis,
            account: b.account,
            date: optional_date("date", b.date.as_deref())?,
        };
        let cost = landed::apply(tx, ctx, id, &input)?;
        Ok(dto::landed_dto(&cost, ctx.books))
    })
    .await
}

/// Draft orders from the reorder list.
#[derive(Deserialize, ToSchema, Default)]
#[schema(as = ReorderInput)]
pub struct ReorderBody {
    /// The vendor for items with no preferred vendor and no earlier order.
    vendor: Option<Uuid>,
    /// The warehouse the orders name.
    warehouse: Option<Uuid>,
}

/// `POST /api/purchase/orders/from-reorder/` (201).
pub async fn from_reorder(c: InCompany<perm::EditDocuments>, mut body: JsonBody<ReorderBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::CREATED, move |tx, ctx| {
        let b = body.parse_or_default()?;
        if let Some(v) = b.vendor {
            let mut errors = FieldErrors::default();
            match crate::domain::documents::DocumentStore::contact(tx, ctx.books.company_id, v)? {
                Some(c) if c.is_vendor && c.is_active => {}
                _ => errors.add("vendor", "Choose a vendor of this company."),
            }
            errors.into_result()?;
        }
        let result = reorder::draft_orders(tx, ctx, b.vendor, b.warehouse)?;
        let mut out = Vec::with_capacity(result.orders.len());
        for o in &result.orders {
            out.push(shown(tx, ctx, o)?);
        }
        Ok(ReorderDto {
            orders: out,
            skipped: result.skipped.iter().map(dto::skipped_dto).collect(),
        })
    })
    .await
}
