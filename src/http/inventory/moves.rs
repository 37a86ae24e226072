//! `/api/inventory/moves/`: the company's stock moves, newest first, filtered by item, warehouse,
//! kind, source and date range; `POST` posts one manual move (a receipt, an adjustment, a
//! transfer, a return) and answers what it made (a transfer two moves; a back-dated move also
//! the revaluations of later moves).

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::FieldErrors;
use crate::domain::inventory::valuation::share;
use crate::domain::inventory::{self, MoveInput, MoveKind, MoveSource, StockMove, parse_quantity, quantity_text};
use crate::domain::ledger::Ctx;
use crate::domain::money;
use crate::http::company::{InCompany, JsonBody, perm};
use crate::http::conventions::{ListQuery, optional_date};
use crate::http::error::{ApiError, Reply};
use crate::store::Tx;
use crate::store::list::Paged;

#[derive(Serialize, ToSchema)]
#[schema(as = StockMove)]
pub struct MoveDto {
    id: Uuid,
    /// `receipt`, `delivery`, `transfer_out`, `transfer_in`, `adjustment`, `return_in`,
    /// `return_out`, `landed_cost` or `revaluation`.
    kind: &'static str,
    #[schema(format = Date)]
    date: String,
    /// Orders the company's moves.
    seq: i64,
    item: Uuid,
    warehouse: Uuid,
    #[schema(required = true)]
    location: Option<Uuid>,
    /// Signed decimal of the base unit: goods in positive, out negative.
    quantity: String,
    /// Signed decimal of the company currency: what the move did to the stock's value when posted.
    value: String,
    /// What later revaluations added to `value`.
    revalued: String,
    /// A landed cost: the whole amount (`value` is the share still on hand).
    #[schema(required = true)]
    amount: Option<String>,
    /// A revaluation: the move it corrects; a landed cost: the receipt.
    #[schema(required = true)]
    adjusts: Option<Uuid>,
    #[schema(required = true)]
    counter_account: Option<Uuid>,
    #[schema(required = true)]
    lot: Option<String>,
    /// What caused it: `manual`, `count`, `delivery`, `receipt`, `invoice`, `bill`…
    #[schema(required = true)]
    source_kind: Option<String>,
    #[schema(required = true)]
    source_id: Option<Uuid>,
    #[schema(required = true)]
    source_line: Option<i64>,
    #[schema(required = true)]
    transfer_id: Option<Uuid>,
    #[schema(required = true)]
    journal_entry: Option<Uuid>,
    memo: String,
    #[schema(format = DateTime)]
    created_at: String,
}

pub fn dto(m: &StockMove, ctx: &Ctx<'_>) -> MoveDto {
    let d = ctx.books.decimals;
    MoveDto {
        id: m.id,
        kind: m.kind.as_str(),
        date: m.date.to_string(),
        seq: m.seq,
        item: m.item_id,
        warehouse: m.warehouse_id,
        location: m.location_id,
        quantity: quantity_text(m.quantity),
        value: money::format(m.value, d),
        revalued: money::format(m.revalued, d),
        amount: m.amount.map(|a| money::format(a, d)),
        adjusts: m.adjusts_id,
        counter_account: m.counter_account_id,
        lot: m.lot.clone(),
        source_kind: m.source.as_ref().map(|s| s.kind.clone()),
        source_id: m.source.as_ref().map(|s| s.id),
        source_line: m.source.as_ref().and_then(|s| s.line),
        transfer_id: m.transfer_id,
        journal_entry: m.journal_entry_id,
        memo: m.memo.clone(),
        created_at: m.created_at.to_string(),
    }
}

/// A manual move.
#[derive(Deserialize, ToSchema)]
#[schema(as = StockMoveInput)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    /// `receipt`, `adjustment`, `transfer` (or `transfer_out`), `return_in` or `return_out`.
    kind: String,
    /// `YYYY-MM-DD`; today when left out. Before the latest move of the item in the warehouse,
    /// the later moves are revalued.
    #[schema(format = Date)]
    date: Option<String>,
    item: Uuid,
    warehouse: Uuid,
    location: Option<Uuid>,
    /// A decimal string, at most 3 decimals, in `unit` (else the item's base unit); positive,
    /// except an adjustment, whose sign says in or out.
    quantity: String,
    /// Another unit of the item (`box`): the quantity is converted by its factor.
    unit: Option<String>,
    /// Goods in: the cost of one `unit` (decimal string of the company currency). Neither this
    /// nor `value`: the current cost.
    unit_cost: Option<String>,
    /// Goods in: the exact total value instead.
    value: Option<String>,
    /// What the value is posted against (default: goods received not invoiced for receipts and
    /// returns out, cost of goods sold for returns in, the adjustment account for adjustments).
    counter_account: Option<Uuid>,
    /// The lot or serial number (required for tracked items).
    lot: Option<String>,
    /// A transfer: where the goods go.
    to_warehouse: Option<Uuid>,
    memo: Option<String>,
}

/// The moves a manual post made.
#[derive(Serialize, ToSchema)]
#[schema(as = StockMovesPosted)]
pub struct PostedDto {
    count: usize,
    results: Vec<MoveDto>,
}

/// `GET`: a page of moves.
pub async fn list(c: InCompany<perm::ViewDocuments>, q: ListQuery) -> Reply {
    let request = q.request.clone();
    let page = c
        .read(move |tx: &mut Tx, ctx| {
            let page = StockMove::page(tx, ctx.books.company_id, &request)?;
            Ok(page.map(|m| dto(&m, ctx)))
        })
        .await?;
    Ok(q.render(page, |d| d))
}

/// `POST` (201): one manual move.
pub async fn post(c: InCompany<perm::IssueDocuments>, mut body: JsonBody<MoveBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::CREATED, move |tx, ctx| {
        let b = body.parse()?;
        let input = input(tx, ctx, b)?;
        let moves = inventory::post_moves(tx, ctx, &[input])
            .map_err(|e| ApiError::from(e.named(|_, field| field.to_owned())))?;
        Ok(PostedDto {
            count: moves.len(),
            results: moves.iter().map(|m| dto(m, ctx)).collect(),
        })
    })
    .await
}

fn input(tx: &mut Tx, ctx: &Ctx<'_>, b: MoveBody) -> Result<MoveInput, ApiError> {
    let mut errors = FieldErrors::default();
    let kind = match b.kind.as_str() {
        "transfer" | "transfer_out" => Some(MoveKind::TransferOut),
        "receipt" => Some(MoveKind::Receipt),
        "adjustment" => Some(MoveKind::Adjustment),
        "return_in" => Some(MoveKind::ReturnIn),
        "return_out" => Some(MoveKind::ReturnOut),
        other => {
            errors.add("kind", format!("\"{other}\" is not a valid choice."));
            None
        }
    };
    let date = optional_date("date", b.date.as_deref())?.unwrap_or(ctx.today);
    let mut quantity = 0;
    match parse_quantity(&b.quantity) {
        Ok(q) => quantity = q,
        Err(m) => errors.add("quantity", m),
    }
    let mut in_unit = quantity;
    if let Some(unit) = b.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        match crate::store::inventory_units::factor(tx, ctx.books.company_id, b.item, unit)? {
            Some(factor) => match quantity.checked_mul(factor) {
                Some(v) if v % 1000 == 0 => quantity = v / 1000,
                Some(_) => errors.add("quantity", "In the base unit this quantity has more than 3 decimals."),
                None => errors.add("quantity", "This quantity is too large."),
            },
            None => errors.add("unit", "This item has no such unit."),
        }
    } else {
        in_unit = quantity;
    }
    let decimals = ctx.books.decimals;
    let mut value = None;
    for (field, text) in [("unit_cost", &b.unit_cost), ("value", &b.value)] {
        let Some(text) = text else { continue };
        match money::parse(text).and_then(|d| money::to_minor(d, decimals)) {
            Ok(minor) if minor < 0 => errors.add(field, "Ensure this value is greater than or equal to 0."),
            Ok(minor) if field == "unit_cost" => match share(in_unit, minor, 1000) {
                Some(v) => value = Some(v),
                None => errors.add(field, "This value is too large."),
            },
            Ok(minor) => value = Some(minor),
            Err(e) => errors.add(field, e.to_string()),
        }
    }
    if b.unit_cost.is_some() && b.value.is_some() {
        errors.add("value", "Give a unit cost or a value, not both.");
    }
    errors.into_result()?;
    let kind = kind.ok_or_else(|| ApiError::field("kind", "This field is required."))?;
    Ok(MoveInput {
        location_id: b.location,
        value,
        counter_account_id: b.counter_account,
        lot: b.lot,
        to_warehouse_id: b.to_warehouse,
        source: Some(MoveSource {
            kind: "manual".into(),
            id: Uuid::now_v7(),
            line: None,
        }),
        memo: b.memo.unwrap_or_default(),
        ..MoveInput::new(kind, date, b.item, b.warehouse, quantity)
    })
}
