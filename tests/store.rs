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

/// Budgets in storage, on both backends: a budget's lines are written and read back as given
/// (zero cells not stored), replaced for some accounts only, found by name and year, deleted with
/// the budget; deleting an account takes its budget amounts with it.
#[test]
fn budgets_are_stored_and_read_back() {
    use oasys::domain::budgets::{Budget, BudgetLine, BudgetStore, fiscal_start};
    use oasys::domain::tenants::{CompanyDetails, Plan};
    use oasys::provision::{self, NewFirm};
    use oasys::tenancy::TenantScope;
    for (store, _dir) in stores() {
        store.migrate_all().unwrap();
        let firm = provision::create_firm(
            &store,
            NewFirm {
                name: "Budget firm".into(),
                domain: None,
                plan: Plan::Basic,
                company: CompanyDetails {
                    name: "Budget company".into(),
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
        let scope = TenantScope::operator(firm.tenant.id);
        let company = firm.company.id;
        let name = store.backend_name();
        store
            .tenant_write(&scope, |tx| {
                let code = |tx: &mut oasys::store::Tx, c: &str| -> Result<Uuid, StoreError> {
                    tx.query_one("SELECT id FROM accounts WHERE code = $1", params![c])?
                        .uuid(0)
                };
                let (sales, rent, spare) = (code(tx, "4100")?, code(tx, "6100")?, code(tx, "6800")?);
                let now = oasys::domain::books::now();
                let b = Budget {
                    id: Uuid::now_v7(),
                    company_id: company,
                    name: "Original".into(),
                    fiscal_year: 2026,
                    start: fiscal_start(2026, 1).unwrap(),
                    notes: "first".into(),
                    created_at: now,
                    updated_at: now,
                };
                tx.insert_budget(&b)?;
                assert_eq!(tx.find_budget(company, b.id)?, Some(b.clone()), "{name}");
                assert!(tx.budget_named(company, 2026, "Original", None)?, "{name}");
                assert!(!tx.budget_named(company, 2026, "Original", Some(b.id))?, "{name}");
                assert!(!tx.budget_named(company, 2027, "Original", None)?, "{name}");
                assert_eq!(tx.find_budget(Uuid::now_v7(), b.id)?, None, "another company's id");
                let mut months = [0i64; 12];
                months[0] = 1;
                months[11] = -999_999_999_999_999;
                let lines = vec![
                    BudgetLine {
                        account: sales,
                        amounts: months,
                    },
                    BudgetLine {
                        account: rent,
                        amounts: [12_345; 12],
                    },
                    BudgetLine {
                        account: spare,
                        amounts: [7; 12],
                    },
                ];
                tx.replace_budget_lines(b.id, None, &lines)?;
                let mut read = tx.budget_lines(b.id)?;
                read.sort_by_key(|l| l.account);
                let mut want = lines.clone();
                want.sort_by_key(|l| l.account);
                assert_eq!(read, want, "{name}");
                let stored = tx.query_one("SELECT COUNT(*) FROM budget_amounts", &[])?.int(0)?;
                assert_eq!(stored, 2 + 12 + 12, "{name}: zero cells are not stored");
                // Replacing one account keeps the others.
                tx.replace_budget_lines(
                    b.id,
                    Some(&[rent]),
                    &[BudgetLine {
                        account: rent,
                        amounts: [1; 12],
                    }],
                )?;
                let read = tx.budget_lines(b.id)?;
                assert_eq!(
                    read.iter().find(|l| l.account == rent).unwrap().amounts,
                    [1; 12],
                    "{name}"
                );
                assert_eq!(
                    read.iter().find(|l| l.account == sales).unwrap().amounts,
                    months,
                    "{name}"
                );
                // An account deleted takes its amounts with it.
                oasys::store::accounts::delete(tx, spare)?;
                assert!(tx.budget_lines(b.id)?.iter().all(|l| l.account != spare), "{name}");
                tx.delete_budget(company, b.id)?;
                assert_eq!(tx.find_budget(company, b.id)?, None, "{name}");
                assert_eq!(
                    tx.query_one("SELECT COUNT(*) FROM budget_amounts", &[])?.int(0)?,
                    0,
                    "{name}"
                );
                Ok::<(), StoreError>(())
            })
            .unwrap();
    }
}
