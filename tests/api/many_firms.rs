//! Many firms on one server (issue 15): start-up opens no firm's database, and a firm written at
//! an older schema is migrated by its first request, on both backends. A second start of an
//! upgraded SQLite data dir takes no second pre-upgrade backup for the firms not opened yet.

use std::path::{Path, PathBuf};

use oasys::config::Config;
use oasys::domain::tenants::{CompanyDetails, Plan, Tenant};
use oasys::provision::{self, NewUser};
use oasys::store::inspect::{self, DbState};
use oasys::store::{Store, platform};
use oasys::tenancy::TenantScope;
use reqwest::StatusCode;
use uuid::Uuid;

use crate::fixtures::STRONG_PASSWORD;
use crate::helpers::{Backend, TestApp, backends};

const EMAIL: &str = "behind@example.com";

fn tenant_latest() -> i64 {
    oasys::store::latest_schema_versions().1
}

/// A firm whose storage is behind this binary, with a company and an administrator; returns its
/// id, the version it is at, and its administrator's e-mail and password.
///
/// On PostgreSQL it is made in-process one migration behind. SQLite files store ids as bytes
/// since v10, which this binary's store cannot write into an older file: there the firm is the
/// data dir the release before backups wrote (the upgrade fixture, at tenant schema 6).
fn firm_behind(backend: &Backend, config: &Config) -> (Uuid, i64, &'static str, &'static str) {
    if matches!(backend, Backend::Sqlite) {
        let data = config.data_dir.clone().unwrap();
        std::fs::create_dir_all(&data).unwrap();
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/datadir-v0.1.0.tar.zst");
        tar::Archive::new(zstd::Decoder::new(std::fs::File::open(fixture).unwrap()).unwrap())
            .unpack(&data)
            .unwrap();
        let id = oasys::store::snapshot::tenants_in(&data.join("platform.db")).unwrap()[0].0;
        return (id, 6, "admin@oasys.com", "admin123");
    }
    let id = firm_one_version_behind(config);
    // The stored version, not `latest - 1`: a migration number may be skipped.
    let behind = stored_version(config, id);
    assert!(behind < tenant_latest(), "{behind}");
    (id, behind, EMAIL, STRONG_PASSWORD)
}

/// A firm whose storage is one migration behind this binary, with a company and an
/// administrator, made in-process on the installation `config` names; returns its id.
fn firm_one_version_behind(config: &Config) -> Uuid {
    let store = Store::open(&config.store()).unwrap();
    let id = Uuid::now_v7();
    store.create_tenant_storage_at(id, tenant_latest() - 1).unwrap();
    let details = CompanyDetails {
        name: "Behind GmbH".into(),
        currency: "EUR".into(),
        timezone: "Europe/Berlin".into(),
        ..CompanyDetails::default()
    };
    let scope = TenantScope::operator(id);
    let company = store
        .tenant_write(&scope, |tx| provision::add_company(tx, &details, "general", None, id))
        .unwrap();
    let now = jiff::Timestamp::now();
    let tenant = Tenant {
        id,
        name: "Behind".into(),
        domain: None,
        plan: Plan::Basic,
        is_active: true,
        created_at: now,
        updated_at: now,
    };
    store.platform_write(|tx| platform::insert_tenant(tx, &tenant)).unwrap();
    let admin = NewUser {
        default_company_id: Some(company.id),
        enforce_policy: false,
        ..NewUser::administrator(EMAIL.into(), STRONG_PASSWORD.into(), "B".into(), "H".into())
    };
    provision::create_user(&store, Some(id), &admin, None).unwrap();
    id
}

/// The firm's schema version as stored, read without migrating anything (`oasys doctor`'s view).
fn stored_version(config: &Config, id: Uuid) -> i64 {
    let found = inspect::inspect(&config.store()).unwrap();
    let firm = found.tenants.iter().find(|t| t.id == id).unwrap();
    match &firm.state {
        DbState::Ok { version } => *version,
        other => panic!("firm {id}: {other:?}"),
    }
}

fn pre_upgrade_backups(data: &Path) -> usize {
    match std::fs::read_dir(data.join("backups")) {
        Ok(entries) => entries
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .contains("pre-upgrade")
            })
            .count(),
        Err(_) => 0,
    }
}

fn config_for(backend: &Backend, data: PathBuf, schema: &str) -> Config {
    let mut config = Config {
        data_dir: Some(data),
        jwt_secret: Some("test-signing-secret-that-is-long-enough".into()),
        ..Config::default()
    };
    if let Backend::Postgres(url) = backend {
        config.database_url = Some(url.clone());
        config.database_schema = schema.to_owned();
        config.database_pool_size = 4;
    }
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_firm_behind_is_migrated_by_its_first_request_not_at_start_up() {
    for backend in backends() {
        let work = tempfile::tempdir().unwrap();
        let data = work.path().join("data");
        let schema = format!("test_{}", Uuid::new_v4().simple());
        let config = config_for(&backend, data.clone(), &schema);
        let made = config.clone();
        let on = backend.clone();
        let (id, behind, email, password) = tokio::task::spawn_blocking(move || firm_behind(&on, &made))
            .await
            .unwrap();
        let check = config.clone();
        let version = move || {
            let c = check.clone();
            async move {
                tokio::task::spawn_blocking(move || stored_version(&c, id))
                    .await
                    .unwrap()
            }
        };
        assert_eq!(version().await, behind, "{backend:?}");

        let tweak = |data: PathBuf, schema: String| {
            move |c: &mut Config| {
                c.data_dir = Some(data);
                c.database_schema = schema;
            }
        };
        let app = TestApp::spawn_with(&backend, tweak(data.clone(), schema.clone())).await;
        assert_eq!(version().await, behind, "start-up migrated the firm on {backend:?}");
        if matches!(backend, Backend::Sqlite) {
            // The data dir had a firm behind and no recorded version: read once, backed up once.
            assert_eq!(pre_upgrade_backups(&data), 1);
        }
        drop(app);

        // A second start: the firm is still behind (nobody asked for it), and covered by the
        // first backup.
        let app = TestApp::spawn_with(&backend, tweak(data.clone(), schema.clone())).await;
        assert_eq!(version().await, behind, "{backend:?}");
        if matches!(backend, Backend::Sqlite) {
            assert_eq!(pre_upgrade_backups(&data), 1, "a second pre-upgrade backup");
        }

        // Two first requests at once: one migrates, both are answered from the migrated books.
        let login = app.login(email, password).await;
        assert_eq!(login.status, StatusCode::OK, "{}", login.body);
        let token = login.body["tokens"]["access"].as_str().unwrap().to_owned();
        let (a, b) = tokio::join!(
            app.get("/api/accounting/chart-of-accounts/", Some(&token)),
            app.get("/api/invoicing/invoices/", Some(&token)),
        );
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!(b.status, StatusCode::OK, "{}", b.body);
        assert!(a.body["count"].as_i64().unwrap() > 10, "{}", a.body);
        assert_eq!(version().await, tenant_latest(), "{backend:?}");
        drop(app);
    }
}
