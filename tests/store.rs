//! The storage suite, run on SQLite and (with `OASYS_TEST_DATABASE_URL`) on PostgreSQL:
//! migrations from empty, transactions that roll back on error, firms kept apart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use oasys::params;
use oasys::store::{Store, StoreConfig, StoreError};
use uuid::Uuid;

fn stores() -> Vec<(Store, tempfile::TempDir)> {
    let mut all = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::open(&StoreConfig::Sqlite {
        data_dir: dir.path().to_path_buf(),
        cache_size: 2,
    })
    .unwrap();
    all.push((sqlite, dir));
    if let Ok(url) = std::env::var("OASYS_TEST_DATABASE_URL") {
        let dir = tempfile::tempdir().unwrap();
        let pg = Store::open(&StoreConfig::Postgres {
            url,
            platform_schema: format!("store_{}", Uuid::new_v4().simple()),
            pool_size: 2,
        })
        .unwrap();
        all.push((pg, dir));
    }
    all
}

#[test]
fn migrations_apply_from_empty_and_are_idempotent() {
    for (store, _dir) in stores() {
        let report = store.migrate_all().unwrap();
        assert!(report.platform_version >= 1, "{}", store.backend_name());
        assert!(report.tenants.is_empty());
        let ids = [Uuid::now_v7(), Uuid::now_v7()];
        for id in ids {
            store.create_tenant_storage(id).unwrap();
            store
                .platform_write(|tx| {
                    tx.execute(
                        "INSERT INTO tenants (id, name, plan, is_active, created_at, updated_at) VALUES ($1, $2, 'basic', $3, 'x', 'x')",
                        params![id, "Firm", true],
                    )
                })
                .unwrap();
        }
        let again = store.migrate_all().unwrap();
        assert_eq!(again.platform_version, report.platform_version);
        assert_eq!(again.tenants.len(), 2);
        assert!(again.tenants.iter().all(|(_, v)| *v >= 1));
    }
}

#[test]
fn a_failed_closure_rolls_everything_back() {
    for (store, _dir) in stores() {
        let result: Result<(), StoreError> = store.platform_write(|tx| {
            tx.execute("INSERT INTO settings (key, value) VALUES ('a', '1')", &[])?;
            Err(StoreError::Conflict("stop".into()))
        });
        assert!(result.is_err());
        let n = store
            .platform_read(|tx| tx.query_one("SELECT COUNT(*) FROM settings", &[])?.int(0))
            .unwrap();
        assert_eq!(
            n,
            0,
            "{}: the insert survived a failed transaction",
            store.backend_name()
        );
        // A unique violation is a Conflict the domain can act on.
        store
            .platform_write(|tx| tx.execute("INSERT INTO settings (key, value) VALUES ('k', 'v')", &[]))
            .unwrap();
        let dup = store.platform_write(|tx| tx.execute("INSERT INTO settings (key, value) VALUES ('k', 'w')", &[]));
        assert!(
            matches!(dup, Err(StoreError::Conflict(_))),
            "{}: {dup:?}",
            store.backend_name()
        );
    }
}

#[test]
fn read_transactions_cannot_write() {
    for (store, _dir) in stores() {
        let r = store.platform_read(|tx| tx.execute("INSERT INTO settings (key, value) VALUES ('r', 'o')", &[]));
        assert!(r.is_err(), "{}: a read transaction wrote", store.backend_name());
    }
}

#[test]
fn money_columns_never_hold_floats() {
    // SQLite would turn SUM over TEXT into REAL; the thin layer refuses REAL outright.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&StoreConfig::Sqlite {
        data_dir: dir.path().to_path_buf(),
        cache_size: 2,
    })
    .unwrap();
    let r = store.platform_read(|tx| tx.query_one("SELECT 1.5", &[]));
    assert!(matches!(r, Err(StoreError::Corrupt(_))), "{r:?}");
}
