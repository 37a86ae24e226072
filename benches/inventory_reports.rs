//! The inventory reports on a large company (issue 19's speed goals): 10,000 stock items, 5
//! warehouses and 1M stock moves over three years, written straight into the firm's SQLite file
//! (the reports read the stock tables; how the moves were valued does not change what they
//! cost to read), with `stock_levels` summed from them as the engine keeps it. Then, over HTTP,
//! times stock on hand (a page of everything, one item, one warehouse, as of today and as of a
//! year ago), the valuation as of today and as of a past date, the check against the ledger and
//! one item's movement history. The stock checkpoints the engine would have made while posting
//! the moves are made after the seeding (`inventory_checkpoints::rebuild`). Prints p50 and p99 of each next to its goal; asserts nothing
//! beyond the answers being 200.
//!
//! `cargo bench --bench inventory_reports` (`OASYS_BENCH_MOVES` for another count). Under
//! `cargo test --all-targets` it loads 1,000 items and 20,000 moves. SQLite only (the seeding
//! writes the firm's file).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use serde_json::Value;
use uuid::Uuid;

const WAREHOUSES: usize = 5;
const RUNS: usize = 30;

fn blob(id: Uuid) -> Vec<u8> {
    id.as_bytes().to_vec()
}

/// Items, warehouses, moves and levels, straight into the firm's database.
fn seed(
    path: &std::path::Path,
    company: Uuid,
    user: Uuid,
    items: usize,
    moves: usize,
    start: jiff::civil::Date,
) -> (Vec<Uuid>, Vec<Uuid>) {
    let mut db = rusqlite::Connection::open(path).unwrap();
    db.busy_timeout(Duration::from_secs(30)).unwrap();
    let tx = db.transaction().unwrap();
    let now = "2026-01-01T00:00:00.000000Z";
    let warehouses: Vec<Uuid> = (0..WAREHOUSES).map(|_| Uuid::new_v4()).collect();
    for (i, w) in warehouses.iter().enumerate() {
        tx.execute(
            "INSERT INTO warehouses (id, company_id, code, code_key, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            rusqlite::params![blob(*w), blob(company), format!("W{i}"), format!("w{i}"), format!("Warehouse {i}"), now],
        )
        .unwrap();
    }
    let ids: Vec<Uuid> = (0..items).map(|_| Uuid::new_v4()).collect();
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO items (id, company_id, code, code_key, name, kind, unit, purchase_price, reorder_point, reorder_quantity, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?3, ?4, 'stock', 'pcs', ?5, ?6, 10000, ?7, ?7)",
            )
            .unwrap();
        for (i, id) in ids.iter().enumerate() {
            insert
                .execute(rusqlite::params![
                    blob(*id),
                    blob(company),
                    format!("sku-{i:05}"),
                    format!("Bench item {i}"),
                    100 + (i % 900) as i64,
                    ((i % 50) * 1000) as i64,
                    now
                ])
                .unwrap();
        }
        let mut insert = tx
            .prepare(
                "INSERT INTO stock_moves (id, company_id, kind, date, seq, item_id, warehouse_id, quantity, value, created_by, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .unwrap();
        for k in 0..moves {
            let date = start
                .checked_add(jiff::Span::new().days((k * 1096 / moves) as i64))
                .unwrap();
            let item = ids[(k * 7919) % items];
            let warehouse = warehouses[(k / 3) % WAREHOUSES];
            // Two receipts for each delivery: stock grows.
            let (kind, q, v) = if k % 3 == 2 {
                ("delivery", -1000i64, -150i64)
            } else {
                ("receipt", 1000, 150)
            };
            insert
                .execute(rusqlite::params![
                    blob(Uuid::new_v4()),
                    blob(company),
                    kind,
                    date.to_string(),
                    k as i64 + 1,
                    blob(item),
                    blob(warehouse),
                    q,
                    v,
                    blob(user),
                    now
                ])
                .unwrap();
        }
    }
    tx.execute(
        "INSERT INTO stock_levels (company_id, item_id, warehouse_id, quantity, value, last_date) \
         SELECT company_id, item_id, warehouse_id, SUM(quantity), SUM(value), MAX(date) FROM stock_moves GROUP BY company_id, item_id, warehouse_id",
        [],
    )
    .unwrap();
    tx.commit().unwrap();
    (ids, warehouses)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let full = std::env::args().any(|a| a == "--bench") || std::env::var_os("OASYS_BENCH_MOVES").is_some();
    let moves: usize = if full {
        std::env::var("OASYS_BENCH_MOVES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1_000_000)
    } else {
        20_000
    };
    let items = if full { 10_000 } else { 1_000 };
    let server = common::start("bench-inventory-harbour-42").await;
    if server.backend != "sqlite" {
        println!(
            "inventory_reports: the seeding writes the firm's SQLite file; skipped on {}",
            server.backend
        );
        return;
    }
    let http = common::http();
    let me: Value = http
        .get(format!("{}/api/auth/me/", server.base))
        .bearer_auth(&server.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tenant = Uuid::parse_str(me["tenant"].as_str().unwrap()).unwrap();
    let company = Uuid::parse_str(me["default_company"].as_str().unwrap()).unwrap();
    let user = Uuid::parse_str(me["id"].as_str().unwrap()).unwrap();
    let path = server
        .data_dir()
        .join("tenants")
        .join(tenant.to_string())
        .join("ledger.db");
    let t = Instant::now();
    // Three years of moves up to yesterday: none dated after today, as in a real company.
    let today = jiff::Zoned::now().date();
    let start = today.checked_sub(jiff::Span::new().days(1097)).unwrap();
    let a_year_ago = today.checked_sub(jiff::Span::new().days(365)).unwrap();
    let two_years_ago = today.checked_sub(jiff::Span::new().days(730)).unwrap();
    let (ids, warehouses) = tokio::task::spawn_blocking(move || seed(&path, company, user, items, moves, start))
        .await
        .unwrap();
    let seeded = t.elapsed();
    // The moves came in without the engine: make the stock checkpoints posting them would have
    // made, through the library on the server's own data directory.
    let t = Instant::now();
    let data_dir = server.data_dir().to_path_buf();
    let made = tokio::task::spawn_blocking(move || {
        let store = oasys::store::Store::open(&oasys::store::StoreConfig::Sqlite {
            data_dir,
            cache_size: 2,
        })
        .unwrap();
        store
            .tenant_write(&oasys::tenancy::TenantScope::operator(tenant), |tx| {
                oasys::store::inventory_checkpoints::rebuild(tx, company)
            })
            .unwrap()
    })
    .await
    .unwrap();
    println!(
        "OASYS inventory reports benchmark ({}, {items} items, {WAREHOUSES} warehouses, {moves} moves over the last three years, seeded in {:.1} s, {} stock checkpoints made in {:.1} s)",
        server.backend,
        seeded.as_secs_f64(),
        made.len(),
        t.elapsed().as_secs_f64()
    );
    let item = ids[items / 2];
    let warehouse = warehouses[1];
    let cases: Vec<(&str, String, f64)> = vec![
        ("on hand, first page of all", "on-hand/?page_size=50".into(), 10.0),
        ("on hand of one item", format!("on-hand/?item={item}"), 10.0),
        (
            "on hand, one warehouse",
            format!("on-hand/?warehouse={warehouse}&page_size=50"),
            10.0,
        ),
        (
            "on hand as of a year ago",
            format!("on-hand/?as_of={a_year_ago}&page_size=50"),
            10.0,
        ),
        ("valuation now", "valuation/?page_size=50".into(), 50.0),
        ("valuation check now", "valuation/check/".into(), 50.0),
        (
            "valuation as of a year ago",
            format!("valuation/?as_of={a_year_ago}&page_size=50"),
            50.0,
        ),
        (
            "valuation as of 2 years ago",
            format!("valuation/?as_of={two_years_ago}&page_size=50"),
            50.0,
        ),
        (
            "valuation check a year ago",
            format!("valuation/check/?as_of={a_year_ago}"),
            50.0,
        ),
        (
            "movements of one item",
            format!("movements/?item={item}&page_size=50"),
            50.0,
        ),
        ("reorder list", "reorder/".into(), 50.0),
    ];
    println!("{:<32} {:>9} {:>9} {:>9}", "report", "p50 ms", "p99 ms", "goal ms");
    for (name, path, goal) in cases {
        let url = format!("{}/api/inventory/reports/{path}", server.base);
        let mut samples = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let t = Instant::now();
            let res = http.get(&url).bearer_auth(&server.token).send().await.unwrap();
            let status = res.status().as_u16();
            let body = res.bytes().await.unwrap();
            samples.push(t.elapsed());
            assert_eq!(status, 200, "{name}: {}", String::from_utf8_lossy(&body));
        }
        let p50 = common::ms(common::percentile(&mut samples, 0.5));
        let p99 = common::ms(common::percentile(&mut samples, 0.99));
        println!("{name:<32} {p50:>9.2} {p99:>9.2} {goal:>9.0}");
    }
}
