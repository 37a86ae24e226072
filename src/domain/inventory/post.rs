//! Posting stock moves: each checked, valued by the company's method and posted to the ledger in
//! the caller's transaction (one entry per call and date, lines per account). A move dated before
//! the latest move of its item in its warehouse revalues the later moves: their differences are
//! `revaluation` moves dated at each affected move's date, with one journal entry per date.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use uuid::Uuid;

use super::replay::{self, Step};
use super::valuation::{Pool, share};
use super::{
    InvDb, InventoryError, InventorySettings, InventoryStore, Level, MoveInput, MoveKind, MoveSource, StockItem,
    StockMove, Tracking, settings,
};
use crate::domain::books::Ctx;
use crate::domain::items::ItemKind;
use crate::domain::ledger::{self, EntryInput, LineInput};
use crate::domain::money;

type Result<T, S> = std::result::Result<T, InventoryError<<S as crate::domain::ledger::LedgerStore>::Error>>;

pub const MAX_LOT_CHARS: usize = 100;
pub const MAX_MEMO_CHARS: usize = 500;

/// How a landed cost is spread over receipts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LandedCostSpread {
    ByValue,
    ByQuantity,
}

/// A cost added to receipts after them (freight, duty), e.g. from a bill's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LandedCostInput {
    pub date: Date,
    /// The receipt moves it is spread over.
    pub receipts: Vec<Uuid>,
    /// Minor units, positive.
    pub amount: i64,
    pub spread: LandedCostSpread,
    /// The bill line's account (e.g. a landed-cost clearing account).
    pub counter_account_id: Uuid,
    pub source: Option<MoveSource>,
    pub memo: String,
}

/// A move of this posting, before it is stored.
struct Fresh {
    mv: StockMove,
    /// The caller's move it comes from.
    index: usize,
    fixed: Option<i64>,
    /// A transfer out: the position of its transfer in.
    partner: Option<usize>,
    /// A landed cost: the receipt's quantity.
    received: i64,
}

/// An item in a warehouse this posting touches.
struct Group {
    item: StockItem,
    pool: Pool,
    last_date: Option<Date>,
    /// Back-dated: valued by replaying the whole history.
    dirty: bool,
    stored: Option<Vec<StockMove>>,
}

/// Checks, values and posts `moves` in the caller's transaction and answers the stored moves
/// (a transfer gives two: out, then in). Nothing is written when any move is refused.
pub fn post_moves<S: InventoryStore>(store: &mut S, ctx: &Ctx<'_>, moves: &[MoveInput]) -> Result<Vec<StockMove>, S> {
    let s = settings(store, ctx)?;
    let mut items = HashMap::new();
    let mut fresh = Vec::new();
    for (index, input) in moves.iter().enumerate() {
        check(store, ctx, &s, index, input, &mut items, &mut fresh)?;
    }
    run(store, ctx, &s, &items, fresh)
}

/// Spreads `input.amount` over the receipts (by value or quantity; the last takes what rounding
/// leaves): what of each receipt is still on hand is revalued (Dr inventory), what was already
/// delivered goes to cost of goods sold, against the counter account. Answers the
/// `landed_cost` moves.
pub fn apply_landed_cost<S: InventoryStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    input: LandedCostInput,
) -> Result<Vec<StockMove>, S> {
    let s = settings(store, ctx)?;
    let company = ctx.books.company_id;
    let bad = |field: &'static str, message: &str| InventoryError::InvalidMove {
        index: 0,
        field,
        message: message.to_owned(),
    };
    if input.amount <= 0 {
        return Err(bad("amount", "Ensure this value is greater than 0."));
    }
    if input.receipts.is_empty() {
        return Err(bad("receipts", "Name at least one receipt."));
    }
    match store.account(company, input.counter_account_id).db()? {
        Some(a) if a.is_active => {}
        _ => return Err(bad("counter_account", "Unknown or inactive account for this company.")),
    }
    let mut receipts = Vec::new();
    for (i, id) in input.receipts.iter().enumerate() {
        let m = store
            .stock_move(company, *id)
            .db()?
            .filter(|m| m.kind == MoveKind::Receipt)
            .ok_or(InventoryError::InvalidMove {
                index: i,
                field: "receipt",
                message: "Unknown receipt for this company.".into(),
            })?;
        if m.date > input.date {
            return Err(InventoryError::InvalidMove {
                index: i,
                field: "date",
                message: format!("A landed cost cannot be dated before its receipt ({}).", m.date),
            });
        }
        receipts.push(m);
    }
    let weights: Vec<i64> = receipts
        .iter()
        .map(|m| match input.spread {
            LandedCostSpread::ByValue => m.cost().max(0),
            LandedCostSpread::ByQuantity => m.quantity,
        })
        .collect();
    let total: i64 = weights.iter().sum();
    let mut items = HashMap::new();
    let mut fresh = Vec::new();
    let mut left = input.amount;
    for (i, (m, w)) in receipts.iter().zip(&weights).enumerate() {
        let part = if i + 1 == receipts.len() {
            left
        } else if total == 0 {
            share(input.amount, 1, i64::try_from(receipts.len()).unwrap_or(1)).unwrap_or(0)
        } else {
            share(input.amount, *w, total).ok_or(InventoryError::Overflow)?
        };
        left -= part;
        let item = item(store, company, m.item_id, i, &mut items)?;
        let _ = item;
        fresh.push(Fresh {
            mv: StockMove {
                kind: MoveKind::LandedCost,
                date: input.date,
                item_id: m.item_id,
                warehouse_id: m.warehouse_id,
                quantity: 0,
                amount: Some(part),
                adjusts_id: Some(m.id),
                counter_account_id: Some(input.counter_account_id),
                lot: m.lot.clone(),
                source: input.source.clone(),
                memo: input.memo.clone(),
                ..blank(ctx)
            },
            index: i,
            fixed: None,
            partner: None,
            received: m.quantity,
        });
    }
    run(store, ctx, &s, &items, fresh)
}

fn blank(ctx: &Ctx<'_>) -> StockMove {
    StockMove {
        id: Uuid::now_v7(),
        company_id: ctx.books.company_id,
        kind: MoveKind::Receipt,
        date: ctx.today,
        seq: 0,
        item_id: Uuid::nil(),
        warehouse_id: Uuid::nil(),
        location_id: None,
        quantity: 0,
        value: 0,
        revalued: 0,
        amount: None,
        adjusts_id: None,
        counter_account_id: None,
        lot: None,
        source: None,
        transfer_id: None,
        journal_entry_id: None,
        memo: String::new(),
        created_by: ctx.actor,
        created_at: ctx.now,
    }
}

fn item<'a, S: InventoryStore>(
    store: &mut S,
    company: Uuid,
    id: Uuid,
    index: usize,
    items: &'a mut HashMap<Uuid, StockItem>,
) -> Result<&'a StockItem, S> {
    use std::collections::hash_map::Entry;
    match items.entry(id) {
        Entry::Occupied(e) => Ok(e.into_mut()),
        Entry::Vacant(e) => {
            let found = store.stock_item(company, id).db()?.ok_or(InventoryError::InvalidMove {
                index,
                field: "item",
                message: "Unknown item for this company.".into(),
            })?;
            if found.kind != ItemKind::Stock {
                return Err(InventoryError::NotAStockItem { index });
            }
            Ok(e.insert(found))
        }
    }
}

/// Checks one caller's move and adds what it makes to `fresh`.
fn check<S: InventoryStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    s: &InventorySettings,
    index: usize,
    input: &MoveInput,
    items: &mut HashMap<Uuid, StockItem>,
    fresh: &mut Vec<Fresh>,
) -> Result<(), S> {
    let company = ctx.books.company_id;
    let bad = |field: &'static str, message: String| InventoryError::InvalidMove { index, field, message };
    let kind = input.kind;
    if matches!(
        kind,
        MoveKind::TransferIn | MoveKind::LandedCost | MoveKind::Revaluation
    ) {
        return Err(bad(
            "kind",
            format!("A {} move is made by the engine, not posted.", kind.as_str()),
        ));
    }
    if input.quantity == 0 || (input.quantity < 0 && kind != MoveKind::Adjustment) {
        return Err(bad("quantity", "Ensure this value is greater than 0.".into()));
    }
    let item = item(store, company, input.item_id, index, items)?.clone();
    for (field, id) in [
        ("warehouse", Some(input.warehouse_id)),
        ("to_warehouse", input.to_warehouse_id),
    ] {
        let Some(id) = id else { continue };
        match store.warehouse(company, id).db()? {
            None => return Err(bad(field, "Unknown warehouse for this company.".into())),
            Some(w) if !w.is_active => return Err(bad(field, "This warehouse is archived.".into())),
            Some(_) => {}
        }
    }
    if let Some(l) = input.location_id {
        match store.location(company, l).db()? {
            Some(loc) if loc.warehouse_id == input.warehouse_id => {}
            _ => return Err(bad("location", "Unknown location in this warehouse.".into())),
        }
    }
    let out = kind.is_out() || (kind == MoveKind::Adjustment && input.quantity < 0);
    if out && (input.unit_cost.is_some() || input.value.is_some()) {
        return Err(bad(
            "unit_cost",
            "Goods going out are valued by the company's method: give no cost.".into(),
        ));
    }
    if input.unit_cost.is_some() && input.value.is_some() {
        return Err(bad("value", "Give a unit cost or a value, not both.".into()));
    }
    if input.unit_cost.is_some_and(|c| c < 0) {
        return Err(bad(
            "unit_cost",
            "Ensure this value is greater than or equal to 0.".into(),
        ));
    }
    if input.value.is_some_and(|c| c < 0) {
        return Err(bad("value", "Ensure this value is greater than or equal to 0.".into()));
    }
    let lot = input.lot.as_deref().map(str::trim).filter(|l| !l.is_empty());
    if lot.is_some_and(|l| l.chars().count() > MAX_LOT_CHARS) {
        return Err(bad(
            "lot",
            format!("Ensure this field has no more than {MAX_LOT_CHARS} characters."),
        ));
    }
    if input.memo.chars().count() > MAX_MEMO_CHARS {
        return Err(bad(
            "memo",
            format!("Ensure this field has no more than {MAX_MEMO_CHARS} characters."),
        ));
    }
    match item.tracking {
        Tracking::None => {}
        Tracking::Lot if lot.is_none() => {
            return Err(bad("lot", "This item is tracked by lot: name the lot.".into()));
        }
        Tracking::Serial if lot.is_none() => {
            return Err(bad("lot", "This item is tracked by serial number: name it.".into()));
        }
        Tracking::Serial if input.quantity.abs() != 1000 => {
            return Err(bad(
                "quantity",
                "A serial number is one unit: move 1 per serial.".into(),
            ));
        }
        _ => {}
    }
    if let Some(c) = input.counter_account_id {
        match store.account(company, c).db()? {
            Some(a) if a.is_active => {}
            _ => {
                return Err(bad(
                    "counter_account",
                    "Unknown or inactive account for this company.".into(),
                ));
            }
        }
    }
    let fixed = match (input.unit_cost, input.value) {
        (Some(c), _) => Some(share(input.quantity, c, 1000).ok_or(InventoryError::Overflow)?),
        (None, Some(v)) => Some(v),
        (None, None) => None,
    };
    let counter = input.counter_account_id.unwrap_or(match kind {
        MoveKind::Receipt | MoveKind::ReturnOut => s.grni_account_id,
        MoveKind::Delivery | MoveKind::ReturnIn => s.cogs_account(&item),
        _ => s.adjustment_account_id,
    });
    let base = StockMove {
        kind,
        date: input.date,
        item_id: input.item_id,
        warehouse_id: input.warehouse_id,
        location_id: input.location_id,
        quantity: if kind.is_out() { -input.quantity } else { input.quantity },
        counter_account_id: Some(counter),
        lot: lot.map(str::to_owned),
        source: input.source.clone(),
        memo: input.memo.clone(),
        ..blank(ctx)
    };
    if kind != MoveKind::TransferOut {
        fresh.push(Fresh {
            mv: base,
            index,
            fixed,
            partner: None,
            received: 0,
        });
        return Ok(());
    }
    let Some(to) = input.to_warehouse_id else {
        return Err(bad("to_warehouse", "A transfer needs the warehouse it goes to.".into()));
    };
    if to == input.warehouse_id {
        return Err(bad("to_warehouse", "A transfer goes to another warehouse.".into()));
    }
    let transfer = Uuid::now_v7();
    let inbound = StockMove {
        id: Uuid::now_v7(),
        kind: MoveKind::TransferIn,
        warehouse_id: to,
        location_id: None,
        quantity: input.quantity,
        counter_account_id: None,
        transfer_id: Some(transfer),
        ..base.clone()
    };
    fresh.push(Fresh {
        mv: StockMove {
            counter_account_id: None,
            transfer_id: Some(transfer),
            ..base
        },
        index,
        fixed: None,
        partner: Some(fresh.len() + 1),
        received: 0,
    });
    fresh.push(Fresh {
        mv: inbound,
        index,
        fixed: None,
        partner: None,
        received: 0,
    });
    Ok(())
}

type Key = (Uuid, Uuid);

/// Values the new moves (at the end of each history, or by replaying a back-dated one's),
/// posts them and the revaluations they cause, and stores everything.
fn run<S: InventoryStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    s: &InventorySettings,
    items: &HashMap<Uuid, StockItem>,
    mut fresh: Vec<Fresh>,
) -> Result<Vec<StockMove>, S> {
    let company = ctx.books.company_id;
    let count = i64::try_from(fresh.len()).map_err(|_| InventoryError::Overflow)?;
    let first = store.take_seq(company, count).db()?;
    for (n, f) in fresh.iter_mut().enumerate() {
        f.mv.seq = first + i64::try_from(n).map_err(|_| InventoryError::Overflow)?;
    }
    let mut groups: HashMap<Key, Group> = HashMap::new();
    let mut order: Vec<Key> = Vec::new();
    let received: HashMap<Uuid, i64> = fresh
        .iter()
        .filter_map(|f| f.mv.adjusts_id.map(|r| (r, f.received)))
        .collect();
    // Forward: each move valued on the pool as stored, unless its history must be replayed.
    for i in 0..fresh.len() {
        let key = (fresh[i].mv.item_id, fresh[i].mv.warehouse_id);
        if let std::collections::hash_map::Entry::Vacant(slot) = groups.entry(key) {
            let item = items.get(&key.0).cloned().ok_or(InventoryError::NotFound)?;
            let level = store.stock_level(company, key.0, key.1).db()?;
            let layers = match (s.method, level) {
                (super::Method::Fifo, Some(_)) => store.layers(company, key.0, key.1).db()?,
                _ => Vec::new(),
            };
            let pool = Pool::loaded(
                s.method,
                item.purchase_price,
                level.map_or(0, |l| l.quantity),
                level.map_or(0, |l| l.value),
                layers,
            );
            slot.insert(Group {
                item,
                pool,
                last_date: level.map(|l| l.last_date),
                dirty: false,
                stored: None,
            });
            order.push(key);
        }
        // The transfer in of a replayed transfer out is only known after the replay.
        let after_replayed = fresh[i].mv.kind == MoveKind::TransferIn
            && i > 0
            && groups
                .get(&(fresh[i - 1].mv.item_id, fresh[i - 1].mv.warehouse_id))
                .is_some_and(|g| g.dirty);
        let Some(g) = groups.get_mut(&key) else { continue };
        let f = &fresh[i];
        if after_replayed || g.dirty || g.last_date.is_some_and(|d| f.mv.date < d) {
            g.dirty = true;
        } else {
            let step = fresh_step(f, i);
            let cost = replay::value(&mut g.pool, &step, &received, s.allow_negative).map_err(|short| {
                InventoryError::NotEnoughStock {
                    index: f.index,
                    item: key.0,
                    warehouse: key.1,
                    on_hand: short.on_hand,
                    wanted: -f.mv.quantity,
                }
            })?;
            set_value(&mut fresh, i, cost);
        }
        let date = fresh[i].mv.date;
        if let Some(g) = groups.get_mut(&key) {
            g.last_date = Some(g.last_date.map_or(date, |d| d.max(date)));
        }
    }
    let pending = replay_dirty(store, ctx, s, &mut groups, &mut order, &mut fresh, &received)?;
    post_and_store(store, ctx, s, &groups, &order, fresh, pending)
}

fn fresh_step(f: &Fresh, i: usize) -> Step {
    Step {
        id: f.mv.id,
        kind: f.mv.kind,
        date: f.mv.date,
        seq: f.mv.seq,
        quantity: f.mv.quantity,
        fixed: f.fixed,
        amount: f.mv.amount.unwrap_or(0),
        adjusts: f.mv.adjusts_id,
        fresh: Some(i),
    }
}

/// Sets a new move's value; a transfer out gives its cost to its transfer in (answers whether
/// that changed it).
fn set_value(fresh: &mut [Fresh], i: usize, cost: i64) -> bool {
    fresh[i].mv.value = cost;
    let Some(p) = fresh[i].partner else { return false };
    let changed = fresh[p].fixed != Some(-cost);
    fresh[p].fixed = Some(-cost);
    fresh[p].mv.value = -cost;
    changed
}

/// Replays every back-dated history (and those a changed transfer reaches) until nothing more
/// changes; answers the change of cost of each stored move.
fn replay_dirty<S: InventoryStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    s: &InventorySettings,
    groups: &mut HashMap<Key, Group>,
    order: &mut Vec<Key>,
    fresh: &mut [Fresh],
    received_fresh: &HashMap<Uuid, i64>,
) -> Result<HashMap<Uuid, i64>, S> {
    let company = ctx.books.company_id;
    let mut pending: HashMap<Uuid, i64> = HashMap::new();
    // A stored transfer's other half: (move id) → (transfer in id, its key).
    let mut rounds = 0;
    while let Some(key) = order.iter().copied().find(|k| groups.get(k).is_some_and(|g| g.dirty)) {
        rounds += 1;
        if rounds > 10_000 {
            return Err(InventoryError::Conflict(
                "The transfers of this item revalue each other without end.".into(),
            ));
        }
        let Some(g) = groups.get_mut(&key) else { break };
        g.dirty = false;
        if g.stored.is_none() {
            g.stored = Some(store.moves_of(company, key.0, key.1).db()?);
        }
        let stored = g.stored.as_deref().unwrap_or_default();
        let mut steps: Vec<Step> = stored
            .iter()
            .map(|m| Step::stored(m, pending.get(&m.id).copied().unwrap_or(0)))
            .collect();
        let mut received = received_fresh.clone();
        for m in stored {
            if m.kind == MoveKind::Receipt {
                received.insert(m.id, m.quantity);
            }
        }
        let cause = fresh
            .iter()
            .filter(|f| (f.mv.item_id, f.mv.warehouse_id) == key)
            .map(|f| f.index)
            .min()
            .unwrap_or(0);
        steps.extend(
            fresh
                .iter()
                .enumerate()
                .filter(|(_, f)| (f.mv.item_id, f.mv.warehouse_id) == key)
                .map(|(i, f)| fresh_step(f, i)),
        );
        steps.sort_by_key(|st| (st.date, st.seq));
        let mut pool = Pool::new(s.method, g.item.purchase_price);
        let costs = replay::replay(&mut pool, &steps, &received, s.allow_negative).map_err(|(at, short)| {
            let st = &steps[at];
            InventoryError::NotEnoughStock {
                index: st.fresh.map_or(cause, |i| fresh[i].index),
                item: key.0,
                warehouse: key.1,
                on_hand: short.on_hand,
                wanted: -st.quantity,
            }
        })?;
        let mut reach: Vec<(Uuid, i64)> = Vec::new();
        let mut redo: Vec<Key> = Vec::new();
        {
            let by_id: HashMap<Uuid, &StockMove> = stored.iter().map(|m| (m.id, m)).collect();
            for (st, cost) in steps.iter().zip(costs) {
                if let Some(i) = st.fresh {
                    if set_value(fresh, i, cost)
                        && let Some(p) = fresh[i].partner
                    {
                        redo.push((fresh[p].mv.item_id, fresh[p].mv.warehouse_id));
                    }
                    continue;
                }
                let Some(m) = by_id.get(&st.id) else { continue };
                if !st.is_derived() {
                    continue;
                }
                let delta = cost - m.cost();
                let old = pending.get(&m.id).copied().unwrap_or(0);
                if delta != old {
                    pending.insert(m.id, delta);
                    if m.kind == MoveKind::TransferOut
                        && let Some(t) = m.transfer_id
                    {
                        reach.push((t, delta));
                    }
                }
            }
        }
        g.pool = pool;
        for pk in redo {
            if let Some(pg) = groups.get_mut(&pk) {
                pg.dirty = true;
            }
        }
        for (transfer, delta) in reach {
            let Some(partner) = store.transfer_in_of(company, transfer).db()? else {
                continue;
            };
            pending.insert(partner.id, -delta);
            let pk = (partner.item_id, partner.warehouse_id);
            if !groups.contains_key(&pk) {
                let item = groups
                    .get(&key)
                    .map(|g| g.item.clone())
                    .ok_or(InventoryError::NotFound)?;
                let level = store.stock_level(company, pk.0, pk.1).db()?;
                groups.insert(
                    pk,
                    Group {
                        pool: Pool::new(s.method, item.purchase_price),
                        item,
                        last_date: level.map(|l| l.last_date),
                        dirty: true,
                        stored: None,
                    },
                );
                order.push(pk);
            } else if let Some(pg) = groups.get_mut(&pk) {
                pg.dirty = true;
            }
        }
    }
    pending.retain(|_, d| *d != 0);
    Ok(pending)
}

/// Lines of one entry: account → signed amount (a debit positive).
type Lines = BTreeMap<Uuid, i64>;

fn add(lines: &mut Lines, account: Uuid, amount: i64) {
    *lines.entry(account).or_insert(0) += amount;
}

fn post_and_store<S: InventoryStore>(
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
    // The revaluations of stored moves, one entry per date.
    if !pending.is_empty() {
        let mut ids: Vec<Uuid> = pending.keys().copied().collect();
        ids.sort();
        let mut revalued: Vec<StockMove> = Vec::with_capacity(ids.len());
        let mut by_date: BTreeMap<Date, Lines> = BTreeMap::new();
        let stored: HashMap<Uuid, &StockMove> = groups
            .values()
            .filter_map(|g| g.stored.as_ref())
            .flatten()
            .map(|m| (m.id, m))
            .collect();
        let count = i64::try_from(ids.len()).map_err(|_| InventoryError::Overflow)?;
        let first = store.take_seq(company, count).db()?;
        for (n, id) in ids.iter().enumerate() {
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
                adjusts_id: Some(m.id),
                counter_account_id: Some(other),
                lot: m.lot.clone(),
                source: m.source.clone(),
                memo: format!("Revaluation of a {} move", m.kind.as_str()),
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
