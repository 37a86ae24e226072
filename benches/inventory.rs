//! Stock engine benchmark (issue 19): a company with 10,000 stock items in 5 warehouses and
//! 1,000,000 moves (bulk-inserted for the setup: per item and warehouse one receipt and 19
//! deliveries, with their levels and FIFO layers), then, through `domain::inventory::post_moves`
//! in one transaction each as the API runs it:
//! - a 20-line delivery posted (valued, the journal entry posted, levels and layers written):
//!   p50 and p99;
//! - a back-dated receipt of one item among 100,000 later moves of it in one warehouse, valued
//!   FIFO (half the later deliveries change) and by moving average (every later delivery changes:
//!   100,000 `revalued` updates, one revaluation move and one entry per date).
//!
//! `cargo bench --bench inventory` (`OASYS_BENCH_SCALE` divides the sizes). Without `--bench`
//! (as `cargo test --all-targets` runs it): a hundredth, the same paths. SQLite, or PostgreSQL
//! with `OASYS_BENCH_DATABASE_URL`. Prints figures next to their goals; asserts nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::{ms, percentile};
use jiff::civil::{Date, date};
use oasys::domain::books::{Books, Ctx};
use oasys::domain::inventory::settings::{self as inv_settings, SettingsChanges};
use oasys::domain::inventory::{self, InventoryError, InventoryStore, MoveInput, MoveKind, Warehouse};
use oasys::domain::tenants::{CompanyDetails, Plan};
use oasys::provision::{self, NewFirm};
use oasys::store::sql::Value;
use oasys::store::{Store, StoreConfig, StoreError, Tx};
use oasys::tenancy::TenantScope;
use uuid::Uuid;

const KEY: &[u8] = b"bench-inventory-checkpoint-key";
const FIRST: Date = date(2025, 1, 1);

fn day(n: i64) -> Date {
    FIRST.checked_add(jiff::Span::new().days(n)).unwrap()
}

struct Firm {
    scope: TenantScope,
    books: Books,
    company: oasys::domain::tenants::Company,
    actor: Uuid,
}

impl Firm {
    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            books: &self.books,
            company: &self.company,
            actor: self.actor,
            checkpoint_key: KEY,
            today: day(400),
            now: oasys::domain::books::now(),
        }
    }
}

fn open() -> (Store, Option<tempfile::TempDir>) {
    match std::env::var("OASYS_BENCH_DATABASE_URL") {
        Ok(url) if !url.is_empty() => (
            Store::open(&StoreConfig::Postgres {
                url,
                platform_schema: format!("bench_inv_{}", Uuid::new_v4().simple()),
                pool_size: 2,
            })
            .unwrap(),
            None,
        ),
        _ => {
            let dir = tempfile::tempdir().unwrap();
            (
                Store::open(&StoreConfig::Sqlite {
                    data_dir: dir.path().to_path_buf(),
                    cache_size: 4,
                })
                .unwrap(),
                Some(dir),
            )
        }
    }
}

fn firm(store: &Store, method: &str) -> Firm {
    let made = provision::create_firm(
        store,
        NewFirm {
            name: "Stock bench".into(),
            domain: None,
            plan: Plan::Basic,
            company: CompanyDetails {
                name: "Stock bench".into(),
                currency: "USD".into(),
                timezone: "UTC".into(),
                ..CompanyDetails::default()
            },
            chart: "general".into(),
            admin: None,
        },
        None,
    )
    .unwrap();
    let f = Firm {
        scope: TenantScope::operator(made.tenant.id),
        books: Books::of(&made.company),
        company: made.company.clone(),
        actor: Uuid::now_v7(),
    };
    store
        .tenant_write(&f.scope, |tx| -> Result<(), InventoryError<StoreError>> {
            inv_settings::update(
                tx,
                &f.ctx(),
                SettingsChanges {
                    method: Some(method.into()),
                    ..SettingsChanges::default()
                },
            )?;
            Ok(())
        })
        .unwrap();
    f
}

/// Inserts stock items and answers their ids.
fn items(tx: &mut Tx, company: Uuid, n: usize, prefix: &str) -> Vec<Uuid> {
    let now = "2025-01-01T00:00:00Z";
    let ids: Vec<Uuid> = (0..n).map(|_| Uuid::now_v7()).collect();
    let mut values = Vec::with_capacity(n * 8);
    for (i, id) in ids.iter().enumerate() {
        let code = format!("{prefix}{i:05}");
        values.extend([
            Value::Id(*id),
            Value::Id(company),
            Value::Text(code.clone()),
            Value::Text(code.to_lowercase()),
            Value::Text(code),
            Value::Text("stock".into()),
            Value::Text(now.into()),
            Value::Text(now.into()),
        ]);
    }
    tx.insert_many(
        "INSERT INTO items (id, company_id, code, code_key, name, kind, created_at, updated_at)",
        8,
        &values,
    )
    .unwrap();
    ids
}

/// Bulk moves of (item, warehouse): one receipt of `units` at 2.00 on day 0, then `deliveries`
/// deliveries of 1 unit (2.00 each, exactly) on the following days; with the level and the FIFO
/// layer they leave.
fn history(tx: &mut Tx, company: Uuid, item: Uuid, wh: Uuid, units: i64, deliveries: i64, seq: &mut i64) {
    const WIDTH: usize = 11;
    let mut values: Vec<Value> = Vec::with_capacity((deliveries as usize + 1) * WIDTH);
    let receipt = Uuid::now_v7();
    let mut push = |id: Uuid, kind: &str, d: Date, s: i64, q: i64, v: i64| {
        values.extend([
            Value::Id(id),
            Value::Id(company),
            Value::Text(kind.into()),
            Value::Text(d.to_string()),
            Value::Int(s),
            Value::Id(item),
            Value::Id(wh),
            Value::Int(q),
            Value::Int(v),
            Value::Id(company),
            Value::Text("2025-01-01T00:00:00Z".into()),
        ]);
    };
    *seq += 1;
    push(receipt, "receipt", day(0), *seq, units * 1000, units * 200);
    for k in 0..deliveries {
        *seq += 1;
        push(
            Uuid::now_v7(),
            "delivery",
            day(1 + k * 300 / deliveries.max(1)),
            *seq,
            -1000,
            -200,
        );
    }
    tx.insert_many(
        "INSERT INTO stock_moves (id, company_id, kind, date, seq, item_id, warehouse_id, quantity, value, \
         created_by, created_at)",
        WIDTH,
        &values,
    )
    .unwrap();
    let left = units - deliveries;
    let last = day(1 + (deliveries - 1).max(0) * 300 / deliveries.max(1));
    tx.execute(
        "INSERT INTO stock_levels (company_id, item_id, warehouse_id, quantity, value, last_date) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            Value::Id(company),
            Value::Id(item),
            Value::Id(wh),
            Value::Int(left * 1000),
            Value::Int(left * 200),
            Value::Text(last.to_string()),
        ],
    )
    .unwrap();
    tx.execute(
        "INSERT INTO stock_layers (move_id, company_id, item_id, warehouse_id, date, seq, quantity, value) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            Value::Id(receipt),
            Value::Id(company),
            Value::Id(item),
            Value::Id(wh),
            Value::Text(day(0).to_string()),
            Value::Int(*seq - deliveries),
            Value::Int(left * 1000),
            Value::Int(left * 200),
        ],
    )
    .unwrap();
}

fn warehouses(store: &Store, f: &Firm, n: usize) -> Vec<Uuid> {
    store
        .tenant_write(&f.scope, |tx| -> Result<Vec<Uuid>, InventoryError<StoreError>> {
            let s = inv_settings::settings(tx, &f.ctx())?;
            let mut out = vec![s.default_warehouse_id];
            for i in 1..n {
                let w = Warehouse {
                    id: Uuid::now_v7(),
                    company_id: f.company.id,
                    code: format!("W{i}"),
                    name: format!("Warehouse {i}"),
                    address: String::new(),
                    is_active: true,
                    created_at: f.ctx().now,
                    updated_at: f.ctx().now,
                };
                tx.insert_warehouse(&w)?;
                out.push(w.id);
            }
            Ok(out)
        })
        .unwrap()
}

fn set_next_seq(tx: &mut Tx, company: Uuid, seq: i64) {
    tx.execute(
        "UPDATE inventory_settings SET next_seq = $2 WHERE company_id = $1",
        &[Value::Id(company), Value::Int(seq + 1)],
    )
    .unwrap();
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let scale: usize = std::env::var("OASYS_BENCH_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 1 } else { 100 });
    let (n_items, later) = (10_000 / scale, 100_000 / scale);
    let (store, _dir) = open();
    println!(
        "OASYS inventory benchmark ({}, {} CPUs): {n_items} items × 5 warehouses, {} moves",
        store.backend_name(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        n_items * 5 * 20
    );

    // The large company: 10,000 items × 5 warehouses × 20 moves.
    let f = firm(&store, "fifo");
    let whs = warehouses(&store, &f, 5);
    let t = Instant::now();
    let company = f.company.id;
    let ids = store
        .tenant_write(&f.scope, |tx| -> Result<Vec<Uuid>, StoreError> {
            let ids = items(tx, company, n_items, "I");
            let mut seq = 0;
            for item in &ids {
                for wh in &whs {
                    history(tx, company, *item, *wh, 1000, 19, &mut seq);
                }
            }
            set_next_seq(tx, company, seq);
            Ok(ids)
        })
        .unwrap();
    println!(
        "setup: {} moves in {:.1} s",
        n_items * 5 * 20,
        t.elapsed().as_secs_f64()
    );

    // A 20-line delivery, each line another item, dated after everything.
    let rounds = if full { 200 } else { 20 };
    let mut samples: Vec<Duration> = Vec::with_capacity(rounds);
    for r in 0..rounds {
        let lines: Vec<MoveInput> = (0..20)
            .map(|k| {
                let item = ids[(r * 20 + k) % ids.len()];
                MoveInput::new(MoveKind::Delivery, day(360), item, whs[k % whs.len()], 1000)
            })
            .collect();
        let t = Instant::now();
        store
            .tenant_write(&f.scope, |tx| inventory::post_moves(tx, &f.ctx(), &lines))
            .unwrap();
        samples.push(t.elapsed());
    }
    println!(
        "20-line delivery posted: p50 {:.2} ms, p99 {:.2} ms over {rounds} (goal: p99 ≤ 5 ms)",
        ms(percentile(&mut samples, 0.5)),
        ms(percentile(&mut samples, 0.99))
    );

    // A back-dated receipt among `later` later moves of one item in one warehouse.
    for method in ["fifo", "average"] {
        let g = firm(&store, method);
        let wh = warehouses(&store, &g, 1)[0];
        let company = g.company.id;
        let item = store
            .tenant_write(&g.scope, |tx| -> Result<Uuid, StoreError> {
                let item = items(tx, company, 1, "H")[0];
                let mut seq = 0;
                history(tx, company, item, wh, later as i64 * 2, later as i64, &mut seq);
                set_next_seq(tx, company, seq);
                Ok(item)
            })
            .unwrap();
        // Half as many units as there are later moves, at half the price: every later delivery's
        // average cost changes.
        let back = MoveInput {
            unit_cost: Some(100),
            ..MoveInput::new(
                MoveKind::Receipt,
                FIRST.yesterday().unwrap(),
                item,
                wh,
                later as i64 * 500,
            )
        };
        let t = Instant::now();
        let moves = store
            .tenant_write(&g.scope, |tx| {
                inventory::post_moves(tx, &g.ctx(), std::slice::from_ref(&back))
            })
            .unwrap();
        let took = t.elapsed();
        let revaluations = moves.iter().filter(|m| m.kind == MoveKind::Revaluation).count();
        let changed = store
            .tenant_read(&g.scope, |tx| {
                tx.query_one(
                    "SELECT COUNT(*) FROM stock_moves WHERE company_id = $1 AND item_id = $2 AND revalued <> 0",
                    &[company.into(), item.into()],
                )?
                .int(0)
            })
            .unwrap();
        println!(
            "back-dated receipt among {later} later moves ({method}): {:.1} ms, {changed} later moves' costs changed, \
             {revaluations} revaluation moves (goal: ≤ 1 s)",
            ms(took)
        );
    }
}
