//! The inventory reports' rows on the real store, both backends, over moves posted by the stock
//! engine: stock as of any date equals the sum of the moves up to it, whatever came after; the
//! valuation ties to the inventory account of the ledger; the movement history runs across
//! pages; the reorder list takes items at or below their point. A random walk of receipts,
//! deliveries, transfers, adjustments and back-dated moves checks the first two after each step.

use jiff::civil::{Date, date};
use uuid::Uuid;

use super::inventory::{self as rows, MoveFilter, StockFilter};
use crate::domain::inventory::{self, InventoryError, MoveInput, MoveKind};
use crate::domain::reports::inventory::{Stock, check, running};
use crate::params;
use crate::store::inventory_tests::{Firm, stock_item};
use crate::store::{Store, StoreConfig, StoreError, Tx};

fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let mut out = vec![(
        Store::open(&StoreConfig::Sqlite {
            data_dir: dir.path().to_path_buf(),
            cache_size: 4,
        })
        .unwrap(),
        Some(dir),
    )];
    if let Ok(url) = std::env::var("OASYS_TEST_DATABASE_URL")
        && !url.is_empty()
    {
        out.push((
            Store::open(&StoreConfig::Postgres {
                url,
                platform_schema: format!("invr_{}", Uuid::new_v4().simple()),
                pool_size: 2,
            })
            .unwrap(),
            None,
        ));
    }
    out
}

fn warehouse(tx: &mut Tx, company: Uuid, code: &str) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    let now = crate::store::platform::ts(jiff::Timestamp::now());
    tx.execute(
        "INSERT INTO warehouses (id, company_id, code, code_key, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
        params![id, company, code, code.to_lowercase(), format!("Warehouse {code}"), now],
    )?;
    Ok(id)
}

fn mv(kind: MoveKind, d: Date, item: Uuid, wh: Uuid, qty: i64, unit_cost: Option<i64>) -> MoveInput {
    MoveInput {
        unit_cost,
        ..MoveInput::new(kind, d, item, wh, qty)
    }
}

fn post(store: &Store, f: &Firm, moves: &[MoveInput]) {
    store
        .tenant_write(&f.scope, |tx| inventory::post_moves(tx, &f.ctx(), moves))
        .unwrap();
}

/// Quantity and value of every (item, warehouse) as of `d`, summed from the moves.
fn summed_as_of(tx: &mut Tx, company: Uuid, d: Date) -> Result<Vec<(Uuid, Uuid, Stock)>, StoreError> {
    tx.query(
        "SELECT item_id, warehouse_id, SUM(quantity), SUM(value) FROM stock_moves WHERE company_id = $1 AND date <= $2 \
         GROUP BY item_id, warehouse_id",
        params![company, d.to_string()],
    )?
    .iter()
    .map(|r| {
        Ok((
            r.uuid(0)?,
            r.uuid(1)?,
            Stock {
                quantity: r.int(2)?,
                value: r.int(3)?,
            },
        ))
    })
    .filter(|x: &Result<(Uuid, Uuid, Stock), StoreError>| x.as_ref().map_or(true, |(_, _, s)| !s.is_zero()))
    .collect()
}

fn page_as_of(
    tx: &mut Tx,
    company: Uuid,
    d: Date,
    filter: &StockFilter,
) -> Result<Vec<(Uuid, Uuid, Stock)>, StoreError> {
    let default = rows::default_inventory_account(tx, company)?;
    let (count, page) = rows::stock_page(tx, company, d, default, filter, 0, 200, None)?;
    assert_eq!(count, page.len() as u64);
    Ok(page.into_iter().map(|r| (r.item_id, r.warehouse_id, r.stock)).collect())
}

fn sorted(mut v: Vec<(Uuid, Uuid, Stock)>) -> Vec<(Uuid, Uuid, i64, i64)> {
    let mut out: Vec<_> = v.drain(..).map(|(i, w, s)| (i, w, s.quantity, s.value)).collect();
    out.sort();
    out
}

#[test]
fn stock_as_of_a_date_the_valuation_check_and_the_history() {
    for (store, _dir) in stores() {
        let f = Firm::new(&store);
        let company = f.company.id;
        let (a, b, w1, w2) = store
            .tenant_write(&f.scope, |tx| -> Result<_, InventoryError<StoreError>> {
                let s = inventory::settings(tx, &f.ctx())?;
                let a = stock_item(tx, company, "ANVIL", "none").map_err(InventoryError::Store)?;
                let b = stock_item(tx, company, "BELLOWS", "none").map_err(InventoryError::Store)?;
                let w2 = warehouse(tx, company, "EAST").map_err(InventoryError::Store)?;
                Ok((a, b, s.default_warehouse_id, w2))
            })
            .unwrap();
        post(
            &store,
            &f,
            &[mv(MoveKind::Receipt, date(2026, 3, 1), a, w1, 10_000, Some(100))],
        );
        post(
            &store,
            &f,
            &[mv(MoveKind::Receipt, date(2026, 3, 5), b, w2, 5_000, Some(200))],
        );
        post(
            &store,
            &f,
            &[mv(MoveKind::Delivery, date(2026, 3, 10), a, w1, 4_000, None)],
        );
        post(
            &store,
            &f,
            &[MoveInput {
                to_warehouse_id: Some(w2),
                ..mv(MoveKind::TransferOut, date(2026, 3, 15), a, w1, 2_000, None)
            }],
        );
        store
            .tenant_read(&f.scope, |tx| -> Result<(), StoreError> {
                let all = StockFilter::default();
                let st = |q, v| Stock { quantity: q, value: v };
                assert_eq!(sorted(page_as_of(tx, company, date(2026, 2, 28), &all)?), vec![]);
                assert_eq!(
                    sorted(page_as_of(tx, company, date(2026, 3, 1), &all)?),
                    sorted(vec![(a, w1, st(10_000, 1000))])
                );
                assert_eq!(
                    sorted(page_as_of(tx, company, date(2026, 3, 12), &all)?),
                    sorted(vec![(a, w1, st(6_000, 600)), (b, w2, st(5_000, 1000))])
                );
                let now = vec![
                    (a, w1, st(4_000, 400)),
                    (a, w2, st(2_000, 200)),
                    (b, w2, st(5_000, 1000)),
                ];
                assert_eq!(
                    sorted(page_as_of(tx, company, date(2026, 6, 30), &all)?),
                    sorted(now.clone())
                );
                // Filters: a warehouse, an item, part of a name in another case.
                let east = StockFilter {
                    warehouse: Some(w2),
                    ..StockFilter::default()
                };
                assert_eq!(page_as_of(tx, company, date(2026, 6, 30), &east)?.len(), 2);
                let bellows = StockFilter {
                    search: Some("eLLo".into()),
                    ..StockFilter::default()
                };
                assert_eq!(
                    sorted(page_as_of(tx, company, date(2026, 6, 30), &bellows)?),
                    sorted(vec![(b, w2, st(5_000, 1000))])
                );
                let anvil = StockFilter {
                    item: Some(a),
                    ..StockFilter::default()
                };
                assert_eq!(
                    rows::stock_total(tx, company, date(2026, 6, 30), &anvil)?,
                    st(6_000, 600)
                );
                // Ordered by item code, then warehouse code; paged.
                let default = rows::default_inventory_account(tx, company)?;
                let (count, second) = rows::stock_page(tx, company, date(2026, 6, 30), default, &all, 1, 1, None)?;
                assert_eq!(count, 3);
                assert_eq!(second[0].warehouse_code, "MAIN");
                assert_eq!(second[0].item_code, "ANVIL");
                // The valuation ties to the inventory account, today and on every earlier date.
                for d in [
                    date(2026, 3, 1),
                    date(2026, 3, 12),
                    date(2026, 3, 15),
                    date(2026, 6, 30),
                ] {
                    let (accounts, unassigned) = rows::check_rows(tx, company, d)?;
                    assert_eq!(unassigned, 0);
                    let c = check(accounts).unwrap();
                    assert!(c.ok, "{d}: {c:?}");
                    assert!(c.accounts.iter().any(|x| x.valuation != 0) || d < date(2026, 3, 1));
                }
                let per_account = rows::value_per_account(tx, company, date(2026, 6, 30), default, &all)?;
                assert_eq!(per_account.len(), 1);
                assert_eq!((per_account[0].value, per_account[0].rows), (1600, 3));
                let earlier = rows::value_per_account(tx, company, date(2026, 3, 12), default, &all)?;
                assert_eq!((earlier[0].value, earlier[0].rows), (1600, 2));
                // ANVIL's history: receipt, delivery, and the transfer's two halves, running.
                let filter = MoveFilter {
                    item: a,
                    warehouse: None,
                    from: None,
                    to: date(2026, 6, 30),
                };
                let (count, before, lines) = rows::moves_page(tx, company, &filter, 0, 50)?;
                assert_eq!((count, before), (4, Stock::default()));
                let kinds: Vec<&str> = lines.iter().map(|l| l.kind.as_str()).collect();
                assert_eq!(kinds[..2], ["receipt", "delivery"]);
                let run: Vec<(i64, i64)> = running(before, lines)
                    .unwrap()
                    .iter()
                    .map(|(_, s)| (s.quantity, s.value))
                    .collect();
                assert_eq!(run[..2], [(10_000, 1000), (6_000, 600)]);
                assert_eq!(run[3], (6_000, 600));
                // Page 2 of 2 starts from what page 1 carried; a period starts from its opening.
                let (_, before, _) = rows::moves_page(tx, company, &filter, 2, 2)?;
                assert_eq!(
                    before,
                    Stock {
                        quantity: 6_000,
                        value: 600
                    }
                );
                let period = MoveFilter {
                    from: Some(date(2026, 3, 2)),
                    warehouse: Some(w1),
                    ..filter
                };
                let (count, before, _) = rows::moves_page(tx, company, &period, 0, 50)?;
                assert_eq!(
                    (count, before),
                    (
                        2,
                        Stock {
                            quantity: 10_000,
                            value: 1000
                        }
                    )
                );
                Ok(())
            })
            .unwrap();
        store
            .tenant_write(&f.scope, |tx| -> Result<(), StoreError> {
                // Reorder: at or below the point, across warehouses (ANVIL has 6 in all).
                tx.execute(
                    "UPDATE items SET reorder_point = $1, reorder_quantity = $2 WHERE id = $3",
                    params![5_000i64, 20_000i64, a],
                )?;
                assert_eq!(rows::reorder_page(tx, company, 0, 50)?.0, 0);
                tx.execute(
                    "UPDATE items SET reorder_point = $1 WHERE id = $2",
                    params![6_000i64, a],
                )?;
                let (count, list) = rows::reorder_page(tx, company, 0, 50)?;
                assert_eq!(
                    (count, list[0].on_hand, list[0].reorder_quantity),
                    (1, 6_000, Some(20_000))
                );
                Ok(())
            })
            .unwrap();
    }
}

/// Two stock items with these codes, and the company's default warehouse with a second one.
fn two_items_two_warehouses(store: &Store, f: &Firm, codes: [&str; 2]) -> (Vec<Uuid>, Vec<Uuid>) {
    let company = f.company.id;
    store
        .tenant_write(&f.scope, |tx| -> Result<_, InventoryError<StoreError>> {
            let s = inventory::settings(tx, &f.ctx())?;
            let mut items = Vec::new();
            for code in codes {
                items.push(stock_item(tx, company, code, "none").map_err(InventoryError::Store)?);
            }
            let w = warehouse(tx, company, "W2").map_err(InventoryError::Store)?;
            Ok((items, vec![s.default_warehouse_id, w]))
        })
        .unwrap()
}

/// xorshift: a failure names its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn random_moves_keep_the_reports_equal_to_the_moves_and_the_ledger() {
    for (store, _dir) in stores() {
        for seed in [7u64, 1_234_567] {
            let f = Firm::new(&store);
            let company = f.company.id;
            let (items, whs) = two_items_two_warehouses(&store, &f, ["P1", "P2"]);
            let mut rng = Rng(seed);
            let day = |n: u64| date(2026, 1, 1).checked_add(jiff::Span::new().days(n as i64)).unwrap();
            for step in 0..24 {
                let item = items[rng.below(2) as usize];
                let wh = whs[rng.below(2) as usize];
                // Some moves back-dated before the latest ones.
                let d = day(rng.below(120));
                let qty = 1_000 * (1 + rng.below(5) as i64);
                let input = match rng.below(4) {
                    0 | 1 => mv(MoveKind::Receipt, d, item, wh, qty, Some(50 + rng.below(100) as i64)),
                    2 => mv(MoveKind::Delivery, d, item, wh, qty, None),
                    _ => MoveInput {
                        to_warehouse_id: Some(whs[0]),
                        ..mv(MoveKind::TransferOut, d, item, whs[1], qty, None)
                    },
                };
                // Refusals (not enough stock) write nothing; the reports must still agree.
                let _ = store.tenant_write(&f.scope, |tx| inventory::post_moves(tx, &f.ctx(), &[input]));
                store
                    .tenant_read(&f.scope, |tx| -> Result<(), StoreError> {
                        for d in [day(rng.below(130)), day(130)] {
                            let all = StockFilter::default();
                            assert_eq!(
                                sorted(page_as_of(tx, company, d, &all)?),
                                sorted(summed_as_of(tx, company, d)?),
                                "seed {seed} step {step} as of {d}"
                            );
                            let (accounts, unassigned) = rows::check_rows(tx, company, d)?;
                            assert_eq!(unassigned, 0);
                            let c = check(accounts).unwrap();
                            assert!(c.ok, "seed {seed} step {step} as of {d}: {c:?}");
                        }
                        Ok(())
                    })
                    .unwrap();
            }
        }
    }
}

#[test]
fn an_item_with_its_own_inventory_account_ties_on_it() {
    for (store, _dir) in stores() {
        let f = Firm::new(&store);
        let company = f.company.id;
        let (a, b, w) = store
            .tenant_write(&f.scope, |tx| -> Result<_, InventoryError<StoreError>> {
                let s = inventory::settings(tx, &f.ctx())?;
                let a = stock_item(tx, company, "OWN", "none").map_err(InventoryError::Store)?;
                let b = stock_item(tx, company, "SHARED", "none").map_err(InventoryError::Store)?;
                tx.execute(
                    "UPDATE items SET inventory_account_id = (SELECT id FROM accounts WHERE company_id = $1 AND code = '1300') \
                     WHERE id = $2",
                    params![company, a],
                )
                .map_err(InventoryError::Store)?;
                Ok((a, b, s.default_warehouse_id))
            })
            .unwrap();
        post(
            &store,
            &f,
            &[mv(MoveKind::Receipt, date(2026, 3, 1), a, w, 4_000, Some(250))],
        );
        post(
            &store,
            &f,
            &[mv(MoveKind::Receipt, date(2026, 3, 2), b, w, 3_000, Some(100))],
        );
        post(
            &store,
            &f,
            &[mv(MoveKind::Delivery, date(2026, 4, 1), a, w, 1_000, None)],
        );
        post(
            &store,
            &f,
            &[mv(MoveKind::Delivery, date(2026, 4, 2), b, w, 1_000, None)],
        );
        store
            .tenant_read(&f.scope, |tx| -> Result<(), StoreError> {
                for (d, own, shared) in [
                    (date(2026, 3, 1), 1000, 0),
                    (date(2026, 3, 2), 1000, 300),
                    (date(2026, 4, 1), 750, 300),
                    (date(2026, 6, 30), 750, 200),
                ] {
                    let (accounts, unassigned) = rows::check_rows(tx, company, d)?;
                    assert_eq!(unassigned, 0);
                    let by_code = |code: &str| {
                        accounts
                            .iter()
                            .find(|x| x.code == code)
                            .map(|x| (x.valuation, x.ledger))
                    };
                    assert_eq!(by_code("1300"), Some((own, own)), "{d}");
                    assert_eq!(by_code("1200"), Some((shared, shared)), "{d}");
                    // The per-row valuation agrees with the per-account check.
                    let default = rows::default_inventory_account(tx, company)?;
                    let per = rows::value_per_account(tx, company, d, default, &StockFilter::default())?;
                    let total: i64 = per.iter().map(|p| p.value).sum();
                    assert_eq!(total, own + shared, "{d}");
                }
                Ok(())
            })
            .unwrap();
    }
}

/// With checkpoints made every few moves, stock as of any date, the valuation check and the
/// checkpoints themselves still equal the moves' sums, through back-dated moves (added to every
/// later checkpoint), transfers and refusals; a rebuild gives checkpoints that agree too, and a
/// checkpoint changed by hand is found by `oasys verify`.
#[test]
fn checkpoints_keep_stock_as_of_every_date() {
    use crate::store::inventory_checkpoints as checkpoints;
    checkpoints::TEST_MIN_GAP.with(|g| g.set(Some(3)));
    for (store, _dir) in stores() {
        let f = Firm::new(&store);
        let company = f.company.id;
        let (items, whs) = two_items_two_warehouses(&store, &f, ["C1", "C2"]);
        let mut rng = Rng(99);
        let day = |n: u64| date(2026, 1, 1).checked_add(jiff::Span::new().days(n as i64)).unwrap();
        let agree = |tx: &mut Tx, when: &str| -> Result<(), StoreError> {
            for d in (0..200).step_by(9).map(day) {
                assert_eq!(
                    sorted(page_as_of(tx, company, d, &StockFilter::default())?),
                    sorted(summed_as_of(tx, company, d)?),
                    "{when}, as of {d}"
                );
                let (accounts, _) = rows::check_rows(tx, company, d)?;
                let c = check(accounts).unwrap();
                assert!(c.ok, "{when}, as of {d}: {c:?}");
                // Every way of reading the date gives the same stock: back from today, back from
                // any later checkpoint, forward from any earlier one, forward from nothing.
                let summed = sorted(summed_as_of(tx, company, d)?);
                let mut ways = vec![rows::AsOf::Backward, rows::AsOf::Forward];
                for c in checkpoints::all(tx, company)? {
                    ways.push(if c.date >= d {
                        rows::AsOf::Checkpoint(c.date)
                    } else {
                        rows::AsOf::FromCheckpoint(c.date)
                    });
                }
                let default = rows::default_inventory_account(tx, company)?;
                for way in ways {
                    let all = StockFilter::default();
                    let stock = rows::StockAsOf::read_as(tx, company, d, way, default, &all)?;
                    let (count, page) = stock.page(tx, 0, 200, None)?;
                    let page: Vec<_> = page.into_iter().map(|r| (r.item_id, r.warehouse_id, r.stock)).collect();
                    assert_eq!(count, page.len() as u64, "{when}, as of {d}, {way:?}");
                    assert_eq!(sorted(page), summed, "{when}, as of {d}, {way:?}");
                    let total: i64 = stock.per_account(tx)?.iter().map(|a| a.value).sum();
                    assert_eq!(
                        total,
                        summed.iter().map(|r| r.3).sum::<i64>(),
                        "{when}, as of {d}, {way:?}"
                    );
                    // Pages of two, one after the other, are the whole list in the same order.
                    let (_, whole) = stock.page(tx, 0, 200, None)?;
                    let mut paged = Vec::new();
                    while let (_, more) = stock.page(tx, paged.len() as u64, 2, None)?
                        && !more.is_empty()
                    {
                        paged.extend(more);
                    }
                    assert_eq!(paged, whole, "{when}, as of {d}, {way:?}");
                }
            }
            // Today's stock read from the levels by SQL and summed in memory: the same rows in the
            // same order.
            let default = rows::default_inventory_account(tx, company)?;
            let all = StockFilter::default();
            let today = date(2030, 1, 1);
            let (_, by_sql) =
                rows::StockAsOf::read_as(tx, company, today, rows::AsOf::Now, default, &all)?.page(tx, 0, 200, None)?;
            let (_, in_memory) = rows::StockAsOf::read_as(tx, company, today, rows::AsOf::Backward, default, &all)?
                .page(tx, 0, 200, None)?;
            assert!(!by_sql.is_empty());
            assert_eq!(in_memory, by_sql, "{when}");
            assert_eq!(checkpoints::mismatches(tx, company)?, Vec::new(), "{when}");
            Ok(())
        };
        for step in 0..48u64 {
            let item = items[rng.below(2) as usize];
            let wh = whs[rng.below(2) as usize];
            // Mostly forward in time, one move in four back-dated by up to three months.
            let d = if rng.below(4) == 0 {
                day((step * 4).saturating_sub(rng.below(90)))
            } else {
                day(step * 4)
            };
            let qty = 1_000 * (1 + rng.below(4) as i64);
            let input = match rng.below(4) {
                0 | 1 => mv(MoveKind::Receipt, d, item, wh, qty, Some(40 + rng.below(60) as i64)),
                2 => mv(MoveKind::Delivery, d, item, wh, qty, None),
                _ => MoveInput {
                    to_warehouse_id: Some(whs[0]),
                    ..mv(MoveKind::TransferOut, d, item, whs[1], qty, None)
                },
            };
            let _ = store.tenant_write(&f.scope, |tx| inventory::post_moves(tx, &f.ctx(), &[input]));
            if step % 8 == 7 {
                store
                    .tenant_read(&f.scope, |tx| agree(tx, &format!("step {step}")))
                    .unwrap();
            }
        }
        let made = store.tenant_read(&f.scope, |tx| checkpoints::all(tx, company)).unwrap();
        assert!(made.len() >= 3, "checkpoints were made as moves were posted: {made:?}");
        // Reading back from a checkpoint, not from now.
        store
            .tenant_read(&f.scope, |tx| -> Result<(), StoreError> {
                let newest = made[made.len() - 1].date;
                assert_eq!(rows::as_of_mode(tx, company, newest)?, rows::AsOf::Checkpoint(newest));
                Ok(())
            })
            .unwrap();
        let rebuilt = store
            .tenant_write(&f.scope, |tx| checkpoints::rebuild(tx, company))
            .unwrap();
        assert!(!rebuilt.is_empty());
        store.tenant_read(&f.scope, |tx| agree(tx, "after a rebuild")).unwrap();
        let findings = |store: &Store| crate::store::inventory_tests::verify_findings(store, &f);
        assert_eq!(findings(&store), Vec::<String>::new());
        store
            .tenant_write(&f.scope, |tx| {
                tx.execute(
                    "UPDATE stock_checkpoint_levels SET value = value + 7 WHERE company_id = $1 AND date = $2",
                    params![company, rebuilt[0].date.to_string()],
                )
            })
            .unwrap();
        let found = findings(&store);
        assert!(found.iter().any(|m| m.contains("stock checkpoint of")), "{found:?}");
    }
    checkpoints::TEST_MIN_GAP.with(|g| g.set(None));
}
