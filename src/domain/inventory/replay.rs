//! Valuing moves in order: one step at a time at the end of an item's history, or the whole history
//! of an item in a warehouse again when a move is back-dated (read in one ordered query, recomputed
//! in memory; only the moves whose cost changed are written).

use std::collections::HashMap;

use jiff::civil::Date;
use uuid::Uuid;

use super::valuation::{Pool, Short};
use super::{MoveKind, StockMove};

/// One move as the valuation sees it.
#[derive(Debug, Clone)]
pub(super) struct Step {
    pub id: Uuid,
    pub kind: MoveKind,
    pub date: Date,
    pub seq: i64,
    /// Signed.
    pub quantity: i64,
    /// The cost an inbound move brings, when it is fixed (a receipt's price, a transfer's cost
    /// from the other warehouse). `None` on an inbound move: the current cost.
    pub fixed: Option<i64>,
    /// A landed cost: the amount and the receipt.
    pub amount: i64,
    pub adjusts: Option<Uuid>,
    /// The position of a move of this posting in its list of new moves.
    pub fresh: Option<usize>,
}

impl Step {
    /// A stored move; `pending` is what this posting already changed of its cost.
    pub fn stored(m: &StockMove, pending: i64) -> Step {
        Step {
            id: m.id,
            kind: m.kind,
            date: m.date,
            seq: m.seq,
            quantity: m.quantity,
            fixed: (m.quantity > 0).then_some(m.cost() + pending),
            amount: m.amount.unwrap_or(0),
            adjusts: m.adjusts_id,
            fresh: None,
        }
    }

    /// Whether the step's cost comes from the valuation (goods out, a landed cost's split).
    pub fn is_derived(&self) -> bool {
        self.quantity < 0 || self.kind == MoveKind::LandedCost
    }
}

/// Values one step on `pool` and answers its cost (signed: goods out are negative).
pub(super) fn value(pool: &mut Pool, step: &Step, received: &HashMap<Uuid, i64>, negative: bool) -> Result<i64, Short> {
    if step.kind == MoveKind::LandedCost {
        let receipt = step.adjusts.unwrap_or_default();
        let qty = received.get(&receipt).copied().unwrap_or(0);
        return Ok(pool.land(receipt, qty, step.amount));
    }
    if step.quantity < 0 {
        let taken = pool.take(step.id, step.date, step.seq, -step.quantity, negative)?;
        return Ok(-taken);
    }
    let cost = step.fixed.unwrap_or_else(|| pool.cost_of(step.quantity));
    pool.receive(step.id, step.date, step.seq, step.quantity, cost);
    Ok(cost)
}

/// Values every step in order from an empty pool: the new cost of each, or the position of the
/// first step that would take stock that is not there.
pub(super) fn replay(
    pool: &mut Pool,
    steps: &[Step],
    received: &HashMap<Uuid, i64>,
    negative: bool,
) -> Result<Vec<i64>, (usize, Short)> {
    let mut costs = Vec::with_capacity(steps.len());
    for (i, step) in steps.iter().enumerate() {
        costs.push(value(pool, step, received, negative).map_err(|s| (i, s))?);
    }
    Ok(costs)
}
