//! Stock checkpoints: every item and warehouse's quantity and value at the end of a past day, so
//! that stock as of any date reads one checkpoint and the moves between it and the date, never
//! every move since the company began (issue 19: on hand and valuation as of a date at 1M moves).
//!
//! A checkpoint is derived data, like an index: `stock_checkpoint_levels` holds, for every item and
//! warehouse with a move dated on or before the checkpoint's date, the sums of those moves. The
//! stock engine's only write to `stock_moves` ([`InventoryStore::insert_moves`]) calls
//! [`after_insert`] in the same transaction, which keeps that true for back-dated moves (added to
//! every checkpoint on or after their date) and makes a new checkpoint once enough moves were
//! posted since the last. Moves are never updated nor deleted (a revaluation is a move of its
//! own), so nothing else can make a checkpoint wrong; `oasys verify` checks them anyway.
//!
//! [`InventoryStore::insert_moves`]: crate::domain::inventory::InventoryStore::insert_moves

use std::collections::BTreeMap;

use jiff::civil::Date;
use uuid::Uuid;

use crate::domain::inventory::StockMove;
use crate::params;
use crate::store::ledger::parse_date;
use crate::store::sql::Value;
use crate::store::{StoreError, Tx};

/// The fewest moves between two checkpoints. A checkpoint costs a row per item and warehouse
/// (about 83 bytes, against some 420 for a move with its indexes), so the gap also grows to half
/// the last checkpoint's rows: checkpoints take at most about a quarter of the room of the moves
/// they sum (15 % at 1M moves over 30,000 items and warehouses, one checkpoint a month). Stock as
/// of a date then sums at most one gap of moves, or one month's.
pub const MIN_GAP: i64 = 10_000;

/// A checkpoint's date, the move counter when it was made, and its number of levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    pub date: Date,
    pub seq: i64,
    pub levels: i64,
}

fn checkpoint_from_row(r: &crate::store::sql::Row) -> Result<Checkpoint, StoreError> {
    Ok(Checkpoint {
        date: parse_date(&r.text(0)?)?,
        seq: r.int(1)?,
        levels: r.int(2)?,
    })
}

/// The company's latest checkpoint.
pub fn latest(tx: &mut Tx, company: Uuid) -> Result<Option<Checkpoint>, StoreError> {
    tx.query_opt(
        "SELECT date, seq, level_count FROM stock_checkpoints WHERE company_id = $1 ORDER BY date DESC LIMIT 1",
        params![company],
    )?
    .as_ref()
    .map(checkpoint_from_row)
    .transpose()
}

/// The company's first checkpoint dated on or after `date`: the one stock as of `date` is read
/// back from.
pub fn at_or_after(tx: &mut Tx, company: Uuid, date: Date) -> Result<Option<Checkpoint>, StoreError> {
    tx.query_opt(
        "SELECT date, seq, level_count FROM stock_checkpoints WHERE company_id = $1 AND date >= $2 \
         ORDER BY date LIMIT 1",
        params![company, date.to_string()],
    )?
    .as_ref()
    .map(checkpoint_from_row)
    .transpose()
}

/// The company's last checkpoint dated before `date`: the one stock as of `date` can be read
/// forward from.
pub fn before(tx: &mut Tx, company: Uuid, date: Date) -> Result<Option<Checkpoint>, StoreError> {
    tx.query_opt(
        "SELECT date, seq, level_count FROM stock_checkpoints WHERE company_id = $1 AND date < $2 \
         ORDER BY date DESC LIMIT 1",
        params![company, date.to_string()],
    )?
    .as_ref()
    .map(checkpoint_from_row)
    .transpose()
}

/// Every checkpoint of the company, oldest first.
pub fn all(tx: &mut Tx, company: Uuid) -> Result<Vec<Checkpoint>, StoreError> {
    tx.query(
        "SELECT date, seq, level_count FROM stock_checkpoints WHERE company_id = $1 ORDER BY date",
        params![company],
    )?
    .iter()
    .map(checkpoint_from_row)
    .collect()
}

#[cfg(test)]
thread_local! {
    /// A smaller [`MIN_GAP`] for the tests of this thread, so that a few moves make checkpoints.
    pub(crate) static TEST_MIN_GAP: std::cell::Cell<Option<i64>> = const { std::cell::Cell::new(None) };
}

fn min_gap() -> i64 {
    #[cfg(test)]
    if let Some(g) = TEST_MIN_GAP.with(std::cell::Cell::get) {
        return g;
    }
    MIN_GAP
}

/// How many moves after `last` the next checkpoint waits for.
fn gap(last: Option<&Checkpoint>) -> i64 {
    let min = min_gap();
    last.map_or(min, |c| min.max(c.levels / 2))
}

/// The last day of the month before `date`'s: where a checkpoint made while posting `date` is
/// put, so that it lies behind the moves being posted now.
fn end_of_previous_month(date: Date) -> Option<Date> {
    date.first_of_month().yesterday().ok()
}

/// Keeps the company's checkpoints in step with moves just inserted (all of one company, as the
/// engine writes them): each checkpoint dated on or after a move gets the move's quantity and
/// value, and a new checkpoint is made when enough moves were posted since the last.
pub fn after_insert(tx: &mut Tx, moves: &[StockMove]) -> Result<(), StoreError> {
    let Some(first) = moves.first() else {
        return Ok(());
    };
    let company = first.company_id;
    if moves.iter().any(|m| m.company_id != company) {
        return Err(StoreError::Database(
            "stock moves of several companies were inserted together".into(),
        ));
    }
    let last = latest(tx, company)?;
    if let Some(last) = &last {
        let earliest = moves.iter().map(|m| m.date).min().unwrap_or(last.date);
        if earliest <= last.date {
            add_to_checkpoints(tx, company, moves, earliest)?;
        }
    }
    let top = moves.iter().map(|m| m.seq).max().unwrap_or(0);
    let since = top.saturating_sub(last.as_ref().map_or(0, |c| c.seq));
    if since < gap(last.as_ref()) {
        return Ok(());
    }
    let newest = moves.iter().map(|m| m.date).max().unwrap_or(first.date);
    let Some(date) = end_of_previous_month(newest) else {
        return Ok(());
    };
    if last.as_ref().is_some_and(|c| c.date >= date) {
        return Ok(());
    }
    make(tx, company, date, top, last.as_ref())
}

/// Adds the moves dated on or before each checkpoint from `earliest` on to its levels: one row per
/// checkpoint and item and warehouse, made when missing (a level with zero sums still says the
/// item had stock moves by then).
fn add_to_checkpoints(tx: &mut Tx, company: Uuid, moves: &[StockMove], earliest: Date) -> Result<(), StoreError> {
    let dates: Vec<Date> = tx
        .query(
            "SELECT date FROM stock_checkpoints WHERE company_id = $1 AND date >= $2 ORDER BY date",
            params![company, earliest.to_string()],
        )?
        .iter()
        .map(|r| parse_date(&r.text(0)?))
        .collect::<Result<_, _>>()?;
    let mut rows: Vec<Value> = Vec::new();
    for date in dates {
        let mut sums: BTreeMap<(Uuid, Uuid), (i64, i64)> = BTreeMap::new();
        for m in moves.iter().filter(|m| m.date <= date) {
            let e = sums.entry((m.item_id, m.warehouse_id)).or_default();
            e.0 = e.0.checked_add(m.quantity).ok_or_else(overflow)?;
            e.1 = e.1.checked_add(m.value).ok_or_else(overflow)?;
        }
        for ((item, warehouse), (quantity, value)) in sums {
            rows.extend(crate::values![
                company,
                date.to_string(),
                item,
                warehouse,
                quantity,
                value
            ]);
        }
    }
    tx.upsert_many(
        "INSERT INTO stock_checkpoint_levels (company_id, date, item_id, warehouse_id, quantity, value)",
        6,
        &rows,
        "ON CONFLICT (company_id, date, item_id, warehouse_id) DO UPDATE SET \
         quantity = stock_checkpoint_levels.quantity + excluded.quantity, \
         value = stock_checkpoint_levels.value + excluded.value",
    )?;
    Ok(())
}

fn overflow() -> StoreError {
    StoreError::Corrupt("a stock checkpoint's sums overflow".into())
}

/// Makes the checkpoint dated `date` from the one before it (`previous`, when there is one) and
/// the moves between them; `seq` is the move counter now. Two postings racing to make the same
/// checkpoint make it once: the second finds its row and leaves it.
fn make(tx: &mut Tx, company: Uuid, date: Date, seq: i64, previous: Option<&Checkpoint>) -> Result<(), StoreError> {
    let now = crate::store::platform::ts(jiff::Timestamp::now());
    let made = tx.execute(
        "INSERT INTO stock_checkpoints (company_id, date, seq, level_count, created_at) VALUES ($1, $2, $3, 0, $4) \
         ON CONFLICT (company_id, date) DO NOTHING",
        params![company, date.to_string(), seq, now.as_str()],
    )?;
    if made == 0 {
        return Ok(());
    }
    let levels = match previous.filter(|p| p.date < date) {
        Some(p) => tx.execute(
            "INSERT INTO stock_checkpoint_levels (company_id, date, item_id, warehouse_id, quantity, value) \
             SELECT $1, $2, x.item_id, x.warehouse_id, SUM(x.quantity), SUM(x.value) FROM ( \
               SELECT item_id, warehouse_id, quantity, value FROM stock_checkpoint_levels \
               WHERE company_id = $1 AND date = $3 \
               UNION ALL \
               SELECT item_id, warehouse_id, quantity, value FROM stock_moves \
               WHERE company_id = $1 AND date > $3 AND date <= $2) x \
             WHERE 1 = 1 GROUP BY x.item_id, x.warehouse_id",
            params![company, date.to_string(), p.date.to_string()],
        )?,
        None => tx.execute(
            "INSERT INTO stock_checkpoint_levels (company_id, date, item_id, warehouse_id, quantity, value) \
             SELECT $1, $2, item_id, warehouse_id, SUM(quantity), SUM(value) FROM stock_moves \
             WHERE company_id = $1 AND date <= $2 GROUP BY item_id, warehouse_id",
            params![company, date.to_string()],
        )?,
    };
    tx.execute(
        "UPDATE stock_checkpoints SET level_count = $3 WHERE company_id = $1 AND date = $2",
        params![company, date.to_string(), i64::try_from(levels).unwrap_or(i64::MAX)],
    )?;
    Ok(())
}

/// Where a checkpoint disagrees with the moves it sums: `(date, item, warehouse, checkpoint's
/// quantity and value, the moves' quantity and value)`, a missing level being `None`.
pub type Mismatch = (Date, Uuid, Uuid, Option<(i64, i64)>, (i64, i64));

/// Every checkpoint of the company checked against its moves: the moves are summed once, oldest
/// checkpoint first, each range between two checkpoints read through the `stock_moves_as_of`
/// index and added to the sums of the one before; memory holds the sums and one checkpoint.
pub fn mismatches(tx: &mut Tx, company: Uuid) -> Result<Vec<Mismatch>, StoreError> {
    let mut out = Vec::new();
    let mut sums: BTreeMap<(Uuid, Uuid), (i64, i64)> = BTreeMap::new();
    let mut after = String::new();
    for c in all(tx, company)? {
        let until = c.date.to_string();
        tx.for_each_row(
            "SELECT item_id, warehouse_id, quantity, value FROM stock_moves \
             WHERE company_id = $1 AND date > $2 AND date <= $3",
            params![company, after.as_str(), until.as_str()],
            |r| {
                let e = sums.entry((r.uuid(0)?, r.uuid(1)?)).or_default();
                e.0 = e.0.checked_add(r.int(2)?).ok_or_else(overflow)?;
                e.1 = e.1.checked_add(r.int(3)?).ok_or_else(overflow)?;
                Ok(())
            },
        )?;
        let mut levels = BTreeMap::new();
        tx.for_each_row(
            "SELECT item_id, warehouse_id, quantity, value FROM stock_checkpoint_levels \
             WHERE company_id = $1 AND date = $2",
            params![company, until.as_str()],
            |r| {
                levels.insert((r.uuid(0)?, r.uuid(1)?), (r.int(2)?, r.int(3)?));
                Ok(())
            },
        )?;
        for (key, moved) in &sums {
            let level = levels.get(key).copied();
            if level != Some(*moved) {
                out.push((c.date, key.0, key.1, level, *moved));
            }
        }
        for (key, level) in &levels {
            if !sums.contains_key(key) && *level != (0, 0) {
                out.push((c.date, key.0, key.1, Some(*level), (0, 0)));
            }
        }
        after = until;
    }
    Ok(out)
}

/// Drops the company's checkpoints and makes them again from its moves, as posting them one by
/// one would have: at the end of each month after which at least a gap of moves had piled up
/// since the last checkpoint, up to the month before the latest move's. For stock moves that
/// arrived without the engine (a benchmark's seeding) and for tests.
pub fn rebuild(tx: &mut Tx, company: Uuid) -> Result<Vec<Checkpoint>, StoreError> {
    tx.execute(
        "DELETE FROM stock_checkpoint_levels WHERE company_id = $1",
        params![company],
    )?;
    tx.execute("DELETE FROM stock_checkpoints WHERE company_id = $1", params![company])?;
    // Moves per month, with the highest sequence number by then (`seq` orders postings; a
    // rebuilt checkpoint records the counter as if made when its month's last move was posted).
    let months: Vec<(Date, i64, i64)> = tx
        .query(
            "SELECT SUBSTR(date, 1, 7), COUNT(*), MAX(seq) FROM stock_moves WHERE company_id = $1 \
             GROUP BY SUBSTR(date, 1, 7) ORDER BY SUBSTR(date, 1, 7)",
            params![company],
        )?
        .iter()
        .map(|r| {
            let month = r.text(0)?;
            Ok((parse_date(&format!("{month}-01"))?, r.int(1)?, r.int(2)?))
        })
        .collect::<Result<_, StoreError>>()?;
    let mut last: Option<Checkpoint> = None;
    let mut pending = 0i64;
    let mut top = 0i64;
    // The latest month is never closed by a checkpoint: posting its moves would not have made one.
    let closed = months.len().saturating_sub(1);
    for (first_day, count, max_seq) in months.iter().take(closed) {
        pending = pending.saturating_add(*count);
        top = top.max(*max_seq);
        if pending < gap(last.as_ref()) {
            continue;
        }
        make(tx, company, first_day.last_of_month(), top, last.as_ref())?;
        last = latest(tx, company)?;
        pending = 0;
    }
    all(tx, company)
}
