//! The second half of posting moves: the journal entries (the new moves' per date, the
//! revaluations' per affected date), the moves stored with their entries, the later moves'
//! changed costs, and the levels and FIFO layers each touched item and warehouse ends with.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use uuid::Uuid;

use super::post::{Fresh, Group, Key, blank};
use super::{InvDb, InventoryError, InventorySettings, InventoryStore, Level, MoveKind, StockMove};
use crate::domain::books::Ctx;
use crate::domain::ledger::{self, EntryInput, LineInput};
use crate::domain::money;

type Result<T, S> = std::result::Result<T, InventoryError<<S as crate::domain::ledger::LedgerStore>::Error>>;

/// Lines of one entry: account → signed amount (a debit positive).
type Lines = BTreeMap<Uuid, i64>;

fn add(lines: &mut Lines, account: Uuid, amount: i64) {
    *lines.entry(account).or_insert(0) += amount;
}

pub(super) fn post_and_store<S: InventoryStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    s: &InventorySettings,
    groups: &HashMap<Key, Group>,
    order: &[Key],
    fresh: Vec<Fresh>,
    pending: HashMap<Uuid, i64>,
) -> Result<Vec<StockMove>, S> {
    let company = ctx.books.company_id;
    let item_of = |id: Uuid| groups.iter().find(|(k, _)| k.0 == id).map(|(_, g)| &g.item);
    // The new moves' entries, one per date.
    let mut posting: BTreeMap<Date, Lines> = BTreeMap::new();
    for f in &fresh {
        let m = &f.mv;
        let Some(item) = item_of(m.item_id) else { continue };
        let inventory = s.inventory_account(item);
        let lines = posting.entry(m.date).or_default();
        match m.kind {
            MoveKind::TransferIn | MoveKind::TransferOut => {}
            MoveKind::LandedCost => {
                let amount = m.amount.unwrap_or(0);
                add(lines, inventory, m.value);
                add(lines, s.cogs_account(item), amount - m.value);
                add(lines, m.counter_account_id.unwrap_or(s.adjustment_account_id), -amount);
            }
            _ => {
                add(lines, inventory, m.value);
                add(lines, m.counter_account_id.unwrap_or(s.adjustment_account_id), -m.value);
            }
        }
    }
    let memo = fresh
        .iter()
        .map(|f| f.mv.memo.as_str())
        .find(|m| !m.is_empty())
        .unwrap_or("Stock moves")
        .to_owned();
    let mut entries: HashMap<Date, Uuid> = HashMap::new();
    for (date, lines) in &posting {
        if let Some(id) = post_entry(store, ctx, *date, "STOCK", &memo, lines)? {
            entries.insert(*date, id);
        }
    }
    let mut out: Vec<StockMove> = fresh
        .into_iter()
        .map(|f| {
            let mut m = f.mv;
            m.journal_entry_id = entries.get(&m.date).copied();
            m
        })
        .collect();
    store.insert_moves(&out).db()?;
    // The revaluations of stored moves: one move per date, item, warehouse, location, lot, kind
    // and counter account (a back-dated receipt may change 100,000 later deliveries' costs: a
    // move of each would be 100,000 rows with their indexes), and one entry per date. Each
    // changed move's own cost is kept in its `revalued`.
    if !pending.is_empty() {
        let mut ids: Vec<Uuid> = pending.keys().copied().collect();
        ids.sort();
        let mut by_date: BTreeMap<Date, Lines> = BTreeMap::new();
        let stored: HashMap<Uuid, &StockMove> = groups
            .values()
            .filter_map(|g| g.stored.as_ref())
            .flatten()
            .map(|m| (m.id, m))
            .collect();
        type Fold = (Date, Uuid, Uuid, Option<Uuid>, Option<String>, &'static str, Uuid);
        // The sum of the differences, how many moves, and the first of them.
        let mut folded: BTreeMap<Fold, (i64, usize, StockMove)> = BTreeMap::new();
        for id in &ids {
            let delta = pending.get(id).copied().unwrap_or(0);
            let m = match stored.get(id) {
                Some(m) => (*m).clone(),
                None => store.stock_move(company, *id).db()?.ok_or(InventoryError::NotFound)?,
            };
            let Some(item) = item_of(m.item_id) else { continue };
            let inventory = s.inventory_account(item);
            let other = match m.kind {
                MoveKind::TransferIn | MoveKind::TransferOut => inventory,
                MoveKind::LandedCost => s.cogs_account(item),
                _ => m.counter_account_id.unwrap_or(s.adjustment_account_id),
            };
            let lines = by_date.entry(m.date).or_default();
            add(lines, inventory, delta);
            add(lines, other, -delta);
            let key = (
                m.date,
                m.item_id,
                m.warehouse_id,
                m.location_id,
                m.lot.clone(),
                m.kind.as_str(),
                other,
            );
            let f = folded.entry(key).or_insert((0, 0, m));
            f.0 = f.0.checked_add(delta).ok_or(InventoryError::Overflow)?;
            f.1 += 1;
        }
        folded.retain(|_, f| f.0 != 0);
        let count = i64::try_from(folded.len()).map_err(|_| InventoryError::Overflow)?;
        let first = store.take_seq(company, count).db()?;
        let mut revalued: Vec<StockMove> = Vec::with_capacity(folded.len());
        for (n, (key, (delta, moves, m))) in folded.into_iter().enumerate() {
            // One move corrected: the revaluation names it and its source document.
            let one = moves == 1;
            revalued.push(StockMove {
                id: Uuid::now_v7(),
                kind: MoveKind::Revaluation,
                date: m.date,
                seq: first + i64::try_from(n).map_err(|_| InventoryError::Overflow)?,
                item_id: m.item_id,
                warehouse_id: m.warehouse_id,
                location_id: m.location_id,
                quantity: 0,
                value: delta,
                adjusts_id: one.then_some(m.id),
                counter_account_id: Some(key.6),
                lot: m.lot.clone(),
                source: if one { m.source.clone() } else { None },
                memo: revaluation_memo(m.kind, moves),
                ..blank(ctx)
            });
        }
        let mut reval_entries: HashMap<Date, Uuid> = HashMap::new();
        for (date, lines) in &by_date {
            if let Some(id) = post_entry(store, ctx, *date, "STOCK-REVAL", "Stock revaluation", lines)? {
                reval_entries.insert(*date, id);
            }
        }
        for m in &mut revalued {
            m.journal_entry_id = reval_entries.get(&m.date).copied();
        }
        store.insert_moves(&revalued).db()?;
        let changes: Vec<(Uuid, i64)> = ids
            .iter()
            .map(|id| (*id, pending.get(id).copied().unwrap_or(0)))
            .collect();
        store.add_revalued(company, &changes).db()?;
        out.extend(revalued);
    }
    for key in order {
        let Some(g) = groups.get(key) else { continue };
        let Some(last_date) = g
            .last_date
            .or_else(|| out.iter().find(|m| (m.item_id, m.warehouse_id) == *key).map(|m| m.date))
        else {
            continue;
        };
        let level = Level {
            quantity: g.pool.quantity,
            value: g.pool.value,
            last_date,
        };
        store.save_stock_level(company, key.0, key.1, &level).db()?;
        if s.method == super::Method::Fifo {
            let layers: Vec<_> = g.pool.layers.iter().cloned().collect();
            store.replace_layers(company, key.0, key.1, &layers).db()?;
        }
    }
    Ok(out)
}

/// A revaluation move's memo in words: "Revaluation of an adjustment move", "Revaluation of 412
/// delivery moves", "Revaluation of a transfer out move".
fn revaluation_memo(kind: MoveKind, moves: usize) -> String {
    let what = kind.as_str().replace('_', " ");
    if moves != 1 {
        return format!("Revaluation of {moves} {what} moves");
    }
    let article = if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("Revaluation of {article} {what} move")
}

/// Posts one entry of these lines (accounts netted, zero lines left out) dated `date`; `None`
/// when nothing is left to post.
fn post_entry<S: InventoryStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    date: Date,
    reference: &str,
    description: &str,
    lines: &Lines,
) -> Result<Option<Uuid>, S> {
    let decimals = ctx.books.decimals;
    let inputs: Vec<LineInput> = lines
        .iter()
        .filter(|(_, a)| **a != 0)
        .map(|(account, amount)| {
            let text = Some(money::format(amount.saturating_abs(), decimals));
            LineInput {
                account_id: Some(*account),
                description: description.to_owned(),
                debit: if *amount > 0 { text.clone() } else { None },
                credit: if *amount > 0 { None } else { text },
                ..LineInput::default()
            }
        })
        .collect();
    if inputs.len() < 2 {
        return Ok(None);
    }
    let entry = ledger::post_new(
        store,
        ctx,
        &EntryInput {
            date: Some(date),
            reference: reference.to_owned(),
            description: description.chars().take(200).collect(),
            lines: inputs,
        },
    )?;
    Ok(Some(entry.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revaluation_memos_read_as_words() {
        assert_eq!(
            revaluation_memo(MoveKind::Adjustment, 1),
            "Revaluation of an adjustment move"
        );
        assert_eq!(
            revaluation_memo(MoveKind::Delivery, 1),
            "Revaluation of a delivery move"
        );
        assert_eq!(
            revaluation_memo(MoveKind::TransferOut, 3),
            "Revaluation of 3 transfer out moves"
        );
    }
}
