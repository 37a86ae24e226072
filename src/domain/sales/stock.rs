//! The one place the sales flow calls the inventory engine: goods out of a warehouse for a
//! delivery, valued and posted (Dr cost of goods sold / Cr inventory) by the engine.

use jiff::civil::Date;
use uuid::Uuid;

use super::{Result, SalesStore};
use crate::domain::ledger::Ctx;

/// One line of goods out.
#[derive(Debug, Clone)]
#[allow(dead_code)] // until the inventory engine is merged
pub struct Out {
    pub item: Uuid,
    pub warehouse: Uuid,
    /// Thousandths of the item's base unit, above 0.
    pub quantity: i64,
    /// The delivery's line.
    pub line: i64,
}

/// Why goods could not go out, by the index of the refused [`Out`].
#[derive(Debug)]
#[allow(dead_code)] // until the inventory engine is merged
pub enum Refusal<E: std::error::Error + 'static> {
    NotEnough { index: usize, on_hand: i64 },
    NotStock { index: usize },
    Other(super::SalesError<E>),
}

/// Takes the goods out for the delivery `source` dated `date`; answers each line's stock move.
pub fn take_out<S: SalesStore>(
    _store: &mut S,
    _ctx: &Ctx<'_>,
    _date: Date,
    _source: Uuid,
    outs: &[Out],
) -> std::result::Result<Vec<Option<Uuid>>, Refusal<S::Error>> {
    Ok(vec![None; outs.len()])
}

/// The refusal as the caller's field error: `field(index)` names the caller's line.
pub fn refused<S: SalesStore>(
    r: Refusal<S::Error>,
    field: impl Fn(usize) -> String,
    describe: impl Fn(usize) -> String,
) -> Result<(), S> {
    let errors = match r {
        Refusal::NotEnough { index, on_hand } => crate::domain::FieldErrors::single(
            &field(index),
            format!(
                "Not enough stock for {}: {} on hand.",
                describe(index),
                super::from_milli(on_hand)
            ),
        ),
        Refusal::NotStock { index } => {
            crate::domain::FieldErrors::single(&field(index), format!("{} is not a stock item.", describe(index)))
        }
        Refusal::Other(e) => return Err(e),
    };
    Err(errors.into())
}
