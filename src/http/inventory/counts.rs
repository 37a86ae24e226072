//! `/api/inventory/counts/`: a stock count sheet (a warehouse, a date, what was counted of each
//! item) posts the differences against what was on hand on that date as adjustment moves
//! (source `count`). A bad line is a 400 under `lines[i].<field>`; nothing is written then.

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::moves::{MoveDto, dto};
use crate::domain::FieldErrors;
use crate::domain::inventory::{self, CountInput, CountLine, parse_quantity};
use crate::http::company::{InCompany, JsonBody, perm};
use crate::http::conventions::optional_date;
use crate::http::error::{ApiError, Reply};

#[derive(Deserialize, ToSchema)]
#[schema(as = StockCountLine)]
#[serde(deny_unknown_fields)]
pub struct CountLineBody {
    item: Uuid,
    /// What was counted: a decimal string of the base unit, at most 3 decimals, not negative.
    counted: String,
    location: Option<Uuid>,
    lot: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[schema(as = StockCountInput)]
#[serde(deny_unknown_fields)]
pub struct CountBody {
    warehouse: Uuid,
    /// `YYYY-MM-DD`; today when left out.
    #[schema(format = Date)]
    date: Option<String>,
    lines: Vec<CountLineBody>,
    memo: Option<String>,
}

/// A posted count: its id (the moves' `source_id`) and the adjustment moves of its differences.
#[derive(Serialize, ToSchema)]
#[schema(as = StockCount)]
pub struct CountDto {
    id: Uuid,
    #[schema(format = Date)]
    date: String,
    warehouse: Uuid,
    moves: Vec<MoveDto>,
}

pub const MAX_LINES: usize = 5000;

/// `POST` (201).
pub async fn post(c: InCompany<perm::IssueDocuments>, mut body: JsonBody<CountBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::CREATED, move |tx, ctx| {
        let b = body.parse()?;
        let date = optional_date("date", b.date.as_deref())?.unwrap_or(ctx.today);
        if b.lines.len() > MAX_LINES {
            return Err(ApiError::field(
                "lines",
                format!("Ensure this list has no more than {MAX_LINES} lines."),
            ));
        }
        let mut errors = FieldErrors::default();
        let mut lines = Vec::with_capacity(b.lines.len());
        for (i, l) in b.lines.into_iter().enumerate() {
            match parse_quantity(&l.counted) {
                Ok(counted) => lines.push(CountLine {
                    item_id: l.item,
                    counted,
                    location_id: l.location,
                    lot: l.lot,
                }),
                Err(m) => errors.add(&format!("lines[{i}].counted"), m),
            }
        }
        errors.into_result()?;
        let input = CountInput {
            date,
            warehouse_id: b.warehouse,
            lines,
            memo: b.memo.unwrap_or_default(),
        };
        let (id, moves) = inventory::post_count(tx, ctx, &input)
            .map_err(|e| ApiError::from(e.named(|i, field| format!("lines[{i}].{field}"))))?;
        Ok(CountDto {
            id,
            date: date.to_string(),
            warehouse: input.warehouse_id,
            moves: moves.iter().map(|m| dto(m, ctx)).collect(),
        })
    })
    .await
}
