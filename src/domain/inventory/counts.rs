//! Stock counts: what was counted of each item in a warehouse on a date, against what the moves
//! say was on hand then; each difference is an adjustment move (source `count`), valued like any
//! other (goods found at the current cost, goods missing at the method's cost), against the
//! adjustment account. Lines are checked all together; nothing is written while one is wrong.

use std::collections::HashSet;

use jiff::civil::Date;
use uuid::Uuid;

use super::{InvDb, InventoryError, InventoryStore, MoveInput, MoveKind, MoveSource, StockMove, post_moves};
use crate::domain::FieldErrors;
use crate::domain::books::Ctx;

/// One line of a count sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountLine {
    pub item_id: Uuid,
    /// Thousandths of the base unit, not negative.
    pub counted: i64,
    pub location_id: Option<Uuid>,
    pub lot: Option<String>,
}

/// A count sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountInput {
    pub date: Date,
    pub warehouse_id: Uuid,
    pub lines: Vec<CountLine>,
    pub memo: String,
}

/// Posts the differences of a count as adjustment moves; answers the count's id (the moves'
/// source id) and the moves. Errors about a line name it as the move index of that line.
pub fn post_count<S: InventoryStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    input: &CountInput,
) -> Result<(Uuid, Vec<StockMove>), InventoryError<S::Error>> {
    let company = ctx.books.company_id;
    if input.lines.is_empty() {
        return Err(InventoryError::Invalid(FieldErrors::single(
            "lines",
            "A count needs at least one line.",
        )));
    }
    match store.warehouse(company, input.warehouse_id).db()? {
        Some(w) if w.is_active => {}
        Some(_) => {
            return Err(InventoryError::Invalid(FieldErrors::single(
                "warehouse",
                "This warehouse is archived.",
            )));
        }
        None => {
            return Err(InventoryError::Invalid(FieldErrors::single(
                "warehouse",
                "Unknown warehouse for this company.",
            )));
        }
    }
    let count = Uuid::now_v7();
    let mut seen = HashSet::new();
    let mut moves = Vec::new();
    let mut index_of = Vec::new();
    for (index, line) in input.lines.iter().enumerate() {
        if line.counted < 0 {
            return Err(InventoryError::InvalidMove {
                index,
                field: "counted",
                message: "Ensure this value is greater than or equal to 0.".into(),
            });
        }
        if !seen.insert((line.item_id, line.lot.clone())) {
            return Err(InventoryError::InvalidMove {
                index,
                field: "item",
                message: "This item is counted on another line already.".into(),
            });
        }
        match store.stock_item(company, line.item_id).db()? {
            None => {
                return Err(InventoryError::InvalidMove {
                    index,
                    field: "item",
                    message: "Unknown item for this company.".into(),
                });
            }
            Some(i) if i.kind != crate::domain::items::ItemKind::Stock => {
                return Err(InventoryError::NotAStockItem { index });
            }
            Some(_) => {}
        }
        let on_hand = store
            .on_hand_as_of(company, line.item_id, input.warehouse_id, input.date)
            .db()?;
        let difference = line.counted - on_hand;
        if difference == 0 {
            continue;
        }
        moves.push(MoveInput {
            location_id: line.location_id,
            lot: line.lot.clone(),
            source: Some(MoveSource {
                kind: "count".into(),
                id: count,
                line: i64::try_from(index).ok(),
            }),
            memo: if input.memo.is_empty() {
                format!("Stock count of {}", input.date)
            } else {
                input.memo.clone()
            },
            ..MoveInput::new(
                MoveKind::Adjustment,
                input.date,
                line.item_id,
                input.warehouse_id,
                difference,
            )
        });
        index_of.push(index);
    }
    if moves.is_empty() {
        return Ok((count, Vec::new()));
    }
    let posted = post_moves(store, ctx, &moves).map_err(|e| match e {
        InventoryError::NotEnoughStock {
            index,
            item,
            warehouse,
            on_hand,
            wanted,
        } => InventoryError::NotEnoughStock {
            index: index_of.get(index).copied().unwrap_or(index),
            item,
            warehouse,
            on_hand,
            wanted,
        },
        InventoryError::NotAStockItem { index } => InventoryError::NotAStockItem {
            index: index_of.get(index).copied().unwrap_or(index),
        },
        InventoryError::InvalidMove { index, field, message } => InventoryError::InvalidMove {
            index: index_of.get(index).copied().unwrap_or(index),
            field,
            message,
        },
        e => e,
    })?;
    Ok((count, posted))
}
