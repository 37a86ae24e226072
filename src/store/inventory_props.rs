//! THE property of the stock engine, on SQLite and (with `OASYS_TEST_DATABASE_URL`) PostgreSQL:
//! random receipts, deliveries, transfers, adjustments, returns, back-dated moves and landed costs
//! against a simple model of each method (FIFO, moving average). The model keeps every accepted
//! move and values all of them again from nothing, in (date, seq) order across warehouses, after
//! each step; it shares nothing with the engine but the rules (`round_half_even` of a share, the
//! last of a layer takes what is left). After each step:
//! - quantity and value per item and warehouse (summed from the moves, and the stored levels)
//!   equal the model's, and a refused move is one the model refuses too (and wrote nothing);
//! - the inventory GL balance equals the sum of the values;
//! - cost of goods sold equals the model's cost of what was delivered (less returns in, plus the
//!   delivered share of landed costs).

use std::collections::{BTreeMap, VecDeque};

use jiff::civil::{Date, date};
use proptest::prelude::*;
use proptest::test_runner::{Config as PropConfig, TestCaseError, TestRunner};
use uuid::Uuid;

use super::inventory_tests::{Firm, gl_balance, stock_item, summed};
use super::{Store, StoreConfig, StoreError};
use crate::domain::inventory::valuation::share;
use crate::domain::inventory::{
    self, InventoryError, InventoryStore, LandedCostInput, LandedCostSpread, MoveInput, MoveKind, StockMove,
    settings::SettingsChanges,
};

const ITEMS: usize = 2;
const WAREHOUSES: usize = 2;
const FIRST: Date = date(2026, 1, 1);

#[derive(Debug, Clone)]
enum Op {
    Receipt {
        item: usize,
        wh: usize,
        day: u8,
        qty: i64,
        cost: i64,
    },
    Delivery {
        item: usize,
        wh: usize,
        day: u8,
        qty: i64,
    },
    Transfer {
        item: usize,
        wh: usize,
        day: u8,
        qty: i64,
    },
    /// Signed quantity; `cost` for a positive one (None: the current cost).
    Adjustment {
        item: usize,
        wh: usize,
        day: u8,
        qty: i64,
        cost: Option<i64>,
    },
    ReturnIn {
        item: usize,
        wh: usize,
        day: u8,
        qty: i64,
        cost: Option<i64>,
    },
    ReturnOut {
        item: usize,
        wh: usize,
        day: u8,
        qty: i64,
    },
    /// Spread over up to two earlier receipts (picked by index), `extra` days after the later.
    Landed {
        picks: Vec<usize>,
        extra: u8,
        amount: i64,
        by_value: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let iw = (0..ITEMS, 0..WAREHOUSES, 0u8..60);
    prop_oneof![
        4 => (iw.clone(), 1i64..20, 50i64..500).prop_map(|((item, wh, day), q, cost)| Op::Receipt { item, wh, day, qty: q * 500, cost }),
        4 => (iw.clone(), 1i64..15).prop_map(|((item, wh, day), q)| Op::Delivery { item, wh, day, qty: q * 333 }),
        2 => (iw.clone(), 1i64..10).prop_map(|((item, wh, day), q)| Op::Transfer { item, wh, day, qty: q * 700 }),
        1 => (iw.clone(), -5i64..6, proptest::option::of(10i64..400)).prop_map(|((item, wh, day), q, cost)| Op::Adjustment { item, wh, day, qty: if q == 0 { 1 } else { q * 250 }, cost }),
        1 => (iw.clone(), 1i64..5, proptest::option::of(10i64..400)).prop_map(|((item, wh, day), q, cost)| Op::ReturnIn { item, wh, day, qty: q * 1000, cost }),
        1 => (iw, 1i64..5).prop_map(|((item, wh, day), q)| Op::ReturnOut { item, wh, day, qty: q * 400 }),
        2 => (proptest::collection::vec(0usize..50, 1..3), 0u8..20, 1i64..3000, any::<bool>()).prop_map(|(picks, extra, amount, by_value)| Op::Landed { picks, extra, amount, by_value }),
    ]
}

fn day(d: u8) -> Date {
    FIRST.checked_add(jiff::Span::new().days(i64::from(d))).unwrap_or(FIRST)
}

/// One move as the model keeps it.
#[derive(Debug, Clone)]
struct MMove {
    item: usize,
    wh: usize,
    date: Date,
    seq: u64,
    kind: MoveKind,
    /// Signed.
    qty: i64,
    /// Inbound moves: their cost (fixed when accepted).
    fixed: Option<i64>,
    /// A landed cost: its receipt (index into the moves) and amount.
    receipt: Option<usize>,
    amount: i64,
    /// A transfer out: the index of its transfer in.
    partner: Option<usize>,
}

/// (item, wh) → what is in stock: FIFO layers (move, qty, value), or the pool as one.
type Stock = BTreeMap<(usize, usize), VecDeque<(usize, i64, i64)>>;

#[derive(Default)]
struct Valued {
    /// (item, wh) → (quantity, value).
    totals: BTreeMap<(usize, usize), (i64, i64)>,
    cogs: i64,
    /// The cost each move got.
    costs: Vec<i64>,
    /// (item, wh) → what is in stock: FIFO layers (move, qty, value), or the pool as one.
    layers: Stock,
}

/// Values every move again from nothing: `None` when a move takes stock that is not there.
fn value_all(moves: &[MMove], fifo: bool) -> Option<Valued> {
    value_until(moves, fifo, None)
}

/// The valuation of the moves before `until` (all of them: `None`).
fn value_until(moves: &[MMove], fifo: bool, until: Option<(Date, u64)>) -> Option<Valued> {
    let mut order: Vec<usize> = (0..moves.len()).collect();
    order.sort_by_key(|&i| (moves[i].date, moves[i].seq));
    // (item, wh) → layers (receipt index, qty, value), or the pool as one layer for the average.
    let mut layers: Stock = BTreeMap::new();
    let mut out = Valued {
        costs: vec![0; moves.len()],
        ..Valued::default()
    };
    let mut transfer_cost: BTreeMap<usize, i64> = BTreeMap::new();
    for i in order {
        let m = &moves[i];
        if until.is_some_and(|u| (m.date, m.seq) >= u) {
            break;
        }
        let key = (m.item, m.wh);
        let ls = layers.entry(key).or_default();
        let on_hand: i64 = ls.iter().map(|l| l.1).sum();
        let held: i64 = ls.iter().map(|l| l.2).sum();
        let cost = match m.kind {
            MoveKind::LandedCost => {
                let r = m.receipt?;
                let rq = moves[r].qty;
                let left = if fifo {
                    ls.iter().find(|l| l.0 == r).map_or(0, |l| l.1)
                } else {
                    on_hand.clamp(0, rq)
                };
                let part = if left >= rq {
                    m.amount
                } else {
                    share(m.amount, left, rq)?
                };
                if fifo {
                    if let Some(l) = ls.iter_mut().find(|l| l.0 == r) {
                        l.2 += part;
                    }
                } else if let Some(l) = ls.front_mut() {
                    l.2 += part;
                }
                out.cogs += m.amount - part;
                part
            }
            _ if m.qty < 0 => {
                let want = -m.qty;
                if want > on_hand {
                    return None;
                }
                let mut left = want;
                let mut taken = 0;
                if fifo {
                    while left > 0 {
                        let l = ls.front_mut()?;
                        if l.1 <= left {
                            left -= l.1;
                            taken += l.2;
                            ls.pop_front();
                        } else {
                            let part = share(l.2, left, l.1)?;
                            l.1 -= left;
                            l.2 -= part;
                            taken += part;
                            left = 0;
                        }
                    }
                } else {
                    taken = if want == on_hand {
                        held
                    } else {
                        share(held, want, on_hand)?
                    };
                    ls.clear();
                    if on_hand - want != 0 || held - taken != 0 {
                        ls.push_back((usize::MAX, on_hand - want, held - taken));
                    }
                }
                if m.kind == MoveKind::Delivery {
                    out.cogs += taken;
                }
                if let Some(p) = m.partner {
                    transfer_cost.insert(p, taken);
                }
                -taken
            }
            _ => {
                let c = match (m.kind, transfer_cost.get(&i)) {
                    (MoveKind::TransferIn, Some(c)) => *c,
                    _ => m.fixed?,
                };
                if m.kind == MoveKind::ReturnIn {
                    out.cogs -= c;
                }
                if fifo {
                    ls.push_back((i, m.qty, c));
                } else {
                    ls.clear();
                    ls.push_back((usize::MAX, on_hand + m.qty, held + c));
                }
                c
            }
        };
        out.costs[i] = cost;
    }
    for (key, ls) in &layers {
        let q = ls.iter().map(|l| l.1).sum();
        let v = ls.iter().map(|l| l.2).sum();
        out.totals.insert(*key, (q, v));
    }
    out.layers = layers;
    Some(out)
}

/// The current cost of `qty` at the position of move `at` (what the engine gives an inbound move
/// posted without a cost): the newest layer's unit cost (FIFO) or the average, else the
/// purchase price (100 per unit).
fn current_cost(moves: &[MMove], fifo: bool, at: usize, qty: i64) -> Option<i64> {
    let valued = value_until(moves, fifo, Some((moves[at].date, moves[at].seq)))?;
    let key = (moves[at].item, moves[at].wh);
    let fallback = share(100, qty, 1000);
    match valued.layers.get(&key).and_then(|ls| ls.back()) {
        Some(&(_, q, v)) if fifo && q != 0 => share(v, qty, q),
        Some(&(_, q, v)) if !fifo && q > 0 && v >= 0 => share(v, qty, q),
        _ => fallback,
    }
}

struct Ids {
    items: Vec<Uuid>,
    whs: Vec<Uuid>,
    grni: Uuid,
}

fn run_case(store: &Store, fifo: bool, ops: &[Op]) -> Result<(), TestCaseError> {
    let f = Firm::new(store);
    let company = f.company.id;
    let ids = store
        .tenant_write(&f.scope, |tx| -> Result<Ids, InventoryError<StoreError>> {
            let s = inventory::settings::update(
                tx,
                &f.ctx(),
                SettingsChanges {
                    method: Some(if fifo { "fifo" } else { "average" }.into()),
                    ..SettingsChanges::default()
                },
            )?;
            let mut items = Vec::new();
            for i in 0..ITEMS {
                items.push(stock_item(tx, company, &format!("I{i}"), "none")?);
            }
            let second = inventory::Warehouse {
                id: Uuid::now_v7(),
                company_id: company,
                code: "W2".into(),
                name: "Second".into(),
                address: String::new(),
                is_active: true,
                created_at: f.ctx().now,
                updated_at: f.ctx().now,
            };
            tx.insert_warehouse(&second)?;
            Ok(Ids {
                items,
                whs: vec![s.default_warehouse_id, second.id],
                grni: s.grni_account_id,
            })
        })
        .map_err(|e| TestCaseError::fail(format!("setup: {e}")))?;
    let mut model: Vec<MMove> = Vec::new();
    // Model index → the engine's move id (receipts, for landed costs).
    let mut engine_ids: Vec<Uuid> = Vec::new();
    let mut receipts: Vec<usize> = Vec::new();
    let mut seq = 0u64;
    for op in ops {
        let mut tentative = model.clone();
        let mut next = |m: MMove| {
            seq += 1;
            MMove { seq, ..m }
        };
        let base = |item, wh, d: u8, kind, qty| MMove {
            item,
            wh,
            date: day(d),
            seq: 0,
            kind,
            qty,
            fixed: None,
            receipt: None,
            amount: 0,
            partner: None,
        };
        let mut inputs: Vec<MoveInput> = Vec::new();
        let mut landed: Option<LandedCostInput> = None;
        let mut fresh_free: Option<usize> = None;
        match op {
            Op::Receipt {
                item,
                wh,
                day: d,
                qty,
                cost,
            } => {
                let value = share(*qty, *cost, 1000).unwrap_or(0);
                tentative.push(next(MMove {
                    fixed: Some(value),
                    ..base(*item, *wh, *d, MoveKind::Receipt, *qty)
                }));
                inputs.push(MoveInput {
                    unit_cost: Some(*cost),
                    ..MoveInput::new(MoveKind::Receipt, day(*d), ids.items[*item], ids.whs[*wh], *qty)
                });
            }
            Op::Delivery { item, wh, day: d, qty } | Op::ReturnOut { item, wh, day: d, qty } => {
                let kind = if matches!(op, Op::Delivery { .. }) {
                    MoveKind::Delivery
                } else {
                    MoveKind::ReturnOut
                };
                tentative.push(next(base(*item, *wh, *d, kind, -qty)));
                inputs.push(MoveInput::new(kind, day(*d), ids.items[*item], ids.whs[*wh], *qty));
            }
            Op::Transfer { item, wh, day: d, qty } => {
                let to = (wh + 1) % WAREHOUSES;
                let n = tentative.len();
                tentative.push(next(MMove {
                    partner: Some(n + 1),
                    ..base(*item, *wh, *d, MoveKind::TransferOut, -qty)
                }));
                tentative.push(next(base(*item, to, *d, MoveKind::TransferIn, *qty)));
                inputs.push(MoveInput {
                    to_warehouse_id: Some(ids.whs[to]),
                    ..MoveInput::new(MoveKind::TransferOut, day(*d), ids.items[*item], ids.whs[*wh], *qty)
                });
            }
            Op::Adjustment {
                item,
                wh,
                day: d,
                qty,
                cost,
            }
            | Op::ReturnIn {
                item,
                wh,
                day: d,
                qty,
                cost,
            } => {
                let kind = if matches!(op, Op::Adjustment { .. }) {
                    MoveKind::Adjustment
                } else {
                    MoveKind::ReturnIn
                };
                let cost = if *qty < 0 { None } else { *cost };
                let fixed = cost.map(|c| share(*qty, c, 1000).unwrap_or(0));
                if *qty > 0 && fixed.is_none() {
                    fresh_free = Some(tentative.len());
                }
                tentative.push(next(MMove {
                    fixed,
                    ..base(*item, *wh, *d, kind, *qty)
                }));
                inputs.push(MoveInput {
                    unit_cost: cost,
                    ..MoveInput::new(kind, day(*d), ids.items[*item], ids.whs[*wh], *qty)
                });
            }
            Op::Landed {
                picks,
                extra,
                amount,
                by_value,
            } => {
                if receipts.is_empty() {
                    continue;
                }
                let mut chosen: Vec<usize> = picks.iter().map(|p| receipts[p % receipts.len()]).collect();
                chosen.dedup();
                let latest = chosen.iter().map(|&r| model[r].date).max().unwrap_or(FIRST);
                let date = latest
                    .checked_add(jiff::Span::new().days(i64::from(*extra)))
                    .unwrap_or(latest);
                let weights: Vec<i64> = chosen
                    .iter()
                    .map(|&r| {
                        if *by_value {
                            model[r].fixed.unwrap_or(0)
                        } else {
                            model[r].qty
                        }
                    })
                    .collect();
                let total: i64 = weights.iter().sum();
                let mut left = *amount;
                for (k, (&r, w)) in chosen.iter().zip(&weights).enumerate() {
                    let part = if k + 1 == chosen.len() {
                        left
                    } else if total == 0 {
                        share(*amount, 1, chosen.len() as i64).unwrap_or(0)
                    } else {
                        share(*amount, *w, total).unwrap_or(0)
                    };
                    left -= part;
                    tentative.push(next(MMove {
                        item: model[r].item,
                        wh: model[r].wh,
                        date,
                        seq: 0,
                        kind: MoveKind::LandedCost,
                        qty: 0,
                        fixed: None,
                        receipt: Some(r),
                        amount: part,
                        partner: None,
                    }));
                }
                landed = Some(LandedCostInput {
                    date,
                    receipts: chosen.iter().map(|&r| engine_ids[r]).collect(),
                    amount: *amount,
                    spread: if *by_value {
                        LandedCostSpread::ByValue
                    } else {
                        LandedCostSpread::ByQuantity
                    },
                    counter_account_id: ids.grni,
                    source: None,
                    memo: "freight".into(),
                });
            }
        }
        if let Some(at) = fresh_free {
            let cost = current_cost(&tentative, fifo, at, tentative[at].qty);
            tentative[at].fixed = cost;
        }
        let expected = value_all(&tentative, fifo);
        let outcome = store.tenant_write(&f.scope, |tx| -> Result<Vec<StockMove>, InventoryError<StoreError>> {
            match &landed {
                Some(l) => inventory::apply_landed_cost(tx, &f.ctx(), l.clone()),
                None => inventory::post_moves(tx, &f.ctx(), &inputs),
            }
        });
        match (outcome, &expected) {
            (Ok(moves), Some(_)) => {
                let new: Vec<&StockMove> = moves.iter().filter(|m| m.kind != MoveKind::Revaluation).collect();
                prop_assert_eq!(new.len(), tentative.len() - model.len(), "{:?}", op);
                for (m, t) in new.iter().zip(&tentative[model.len()..]) {
                    if t.kind == MoveKind::Receipt {
                        receipts.push(engine_ids.len());
                    }
                    engine_ids.push(m.id);
                    let _ = t;
                }
                if let Some(at) = fresh_free {
                    // The engine's cost of a move posted without one is the model's.
                    prop_assert_eq!(Some(new[0].value), tentative[at].fixed, "current cost of {:?}", op);
                }
                model = tentative;
            }
            (Err(InventoryError::NotEnoughStock { .. }), None) => {}
            (got, _) => {
                return Err(TestCaseError::fail(format!(
                    "{op:?}: engine {got:?}, model accepts: {}",
                    expected.is_some()
                )));
            }
        }
        let valued = value_all(&model, fifo).ok_or_else(|| TestCaseError::fail("the model refuses its own moves"))?;
        store.tenant_read(&f.scope, |tx| -> Result<(), TestCaseError> {
            let mut total = 0;
            for (i, item) in ids.items.iter().enumerate() {
                for (w, wh) in ids.whs.iter().enumerate() {
                    let want = valued.totals.get(&(i, w)).copied().unwrap_or((0, 0));
                    let got = summed(tx, company, *item, *wh)?;
                    prop_assert_eq!(got, want, "item {} warehouse {} after {:?}", i, w, op);
                    let level = tx.stock_level(company, *item, *wh)?;
                    prop_assert_eq!(level.map_or((0, 0), |l| (l.quantity, l.value)), want, "stored level");
                    total += want.1;
                }
            }
            prop_assert_eq!(
                gl_balance(tx, company, "inventory")?,
                total,
                "inventory GL after {:?}",
                op
            );
            prop_assert_eq!(
                gl_balance(tx, company, "cost_of_sales")?,
                valued.cogs,
                "COGS after {:?}",
                op
            );
            Ok(())
        })?;
    }
    Ok(())
}

fn run(store: &Store, cases: u32) {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    let mut runner = TestRunner::new(PropConfig {
        cases,
        failure_persistence: None,
        max_shrink_iters: 512,
        ..PropConfig::default()
    });
    let ops = (any::<bool>(), proptest::collection::vec(op(), 1..30));
    if let Err(e) = runner.run(&ops, |(fifo, ops)| run_case(store, fifo, &ops)) {
        panic!("{} inventory property failed: {e}", store.backend_name());
    }
}

#[test]
fn the_stock_engine_agrees_with_the_model_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&StoreConfig::Sqlite {
        data_dir: dir.path().to_path_buf(),
        cache_size: 4,
    })
    .unwrap();
    run(&store, 24);
}

#[test]
fn the_stock_engine_agrees_with_the_model_on_postgres() {
    let Ok(url) = std::env::var("OASYS_TEST_DATABASE_URL") else {
        return;
    };
    if url.is_empty() {
        return;
    }
    let store = Store::open(&StoreConfig::Postgres {
        url,
        platform_schema: format!("invprops_{}", Uuid::new_v4().simple()),
        pool_size: 2,
    })
    .unwrap();
    run(&store, 6);
}
