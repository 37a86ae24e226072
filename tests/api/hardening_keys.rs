//! Issue 14, item 7: several servers on one database. A server holding another checkpoint key
//! than the one the installation signs with refuses to start and says so; `oasys verify` and
//! `oasys doctor` tell a checkpoint signed by a key they do not hold apart from a rewritten one;
//! and a `database_url` naming a database that does not exist fails at once, naming it.

use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::fixtures::{Firm, PERIODS};
use crate::helpers::{Backend, TestApp, on_postgres, output_text};
use crate::on_every_backend;

const OTHER_KEY: &str = "the-other-servers-own-checkpoint-key-0123456789";

/// A firm with one posted entry and a closed January: a signed checkpoint.
async fn signed_firm(app: &TestApp, email: &str) -> Firm {
    let f = Firm::register(app, email, "Keyed Firm").await;
    f.posted(f.transfer("2026-01-05", "1010", "3200", "10.00")).await;
    let r = f
        .post(&format!("{PERIODS}close/"), json!({ "date": "2026-01-31" }))
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    f
}

/// The binary on `app`'s installation, with `key` as its checkpoint key when given.
fn oasys(app: &TestApp, key: Option<&str>, args: &[&str]) -> Output {
    let config = app.data_dir().join("keys.toml");
    std::fs::write(&config, "# defaults\n").unwrap();
    let mut cmd = crate::helpers::oasys_command(&config, app.data_dir());
    if let Backend::Postgres(url) = &app.backend {
        on_postgres(&mut cmd, url, &app.platform_schema);
    }
    if let Some(key) = key {
        cmd.env("OASYS_CHECKPOINT_KEY", key);
    }
    cmd.args(args).output().unwrap()
}

/// A second server on the same installation (on PostgreSQL: the same database and schema,
/// its own data dir) with `key`, or the key it would generate.
fn second_server(app: &TestApp, key: Option<String>) -> Result<oasys::App, String> {
    let own_dir = tempfile::tempdir().unwrap();
    let mut config = oasys::config::Config {
        jwt_secret: Some("test-signing-secret-that-is-long-enough".into()),
        checkpoint_key: key,
        ..oasys::config::Config::default()
    };
    match &app.backend {
        Backend::Sqlite => config.data_dir = Some(app.data_dir().to_path_buf()),
        Backend::Postgres(url) => {
            config.data_dir = Some(own_dir.path().to_path_buf());
            config.database_url = Some(url.clone());
            config.database_schema = app.platform_schema.clone();
            config.database_pool_size = 2;
        }
    }
    oasys::App::open(config).map_err(|e| e.to_string())
}

async fn a_server_with_another_checkpoint_key_refuses_to_start(app: TestApp) {
    signed_firm(&app, "start@example.com").await;
    let first_key = std::fs::read_to_string(app.data_dir().join("checkpoint_key")).unwrap();
    let other = match app.backend {
        // On PostgreSQL a second server makes its own key in its own data dir, as in the issue.
        Backend::Postgres(_) => None,
        Backend::Sqlite => Some(OTHER_KEY.to_owned()),
    };
    let refused = tokio::task::block_in_place(|| second_server(&app, other));
    let shared = tokio::task::block_in_place(|| second_server(&app, Some(first_key.trim().to_owned())));
    let said = refused.err().expect("a server with another key started");
    assert!(
        said.contains("signed with checkpoint key") && said.contains("must share checkpoint_key"),
        "{said}"
    );
    assert!(shared.is_ok(), "the shared key is accepted: {:?}", shared.err());
}
on_every_backend!(
    a_server_with_another_checkpoint_key_refuses_to_start_on_every_backend,
    a_server_with_another_checkpoint_key_refuses_to_start
);

async fn verify_and_doctor_tell_an_unknown_key_from_a_rewrite(app: TestApp) {
    signed_firm(&app, "verify@example.com").await;
    let right = oasys(&app, None, &["verify"]);
    assert!(right.status.success(), "{}", output_text(&right));

    let other = oasys(&app, Some(OTHER_KEY), &["verify"]);
    let said = output_text(&other);
    assert!(!other.status.success(), "{said}");
    assert!(
        said.contains("UNKNOWN KEY") && said.contains("signed by another checkpoint key"),
        "{said}"
    );
    assert!(
        !said.contains("were rewritten, or") && !said.contains("(this is the key that signed it)"),
        "an unknown key is not a rewrite: {said}"
    );

    let doctor = output_text(&oasys(&app, Some(OTHER_KEY), &["doctor"]));
    assert!(
        doctor.contains("FAIL  checkpoint key") && doctor.contains("this configuration holds key"),
        "{doctor}"
    );
    let doctor = output_text(&oasys(&app, None, &["doctor"]));
    assert!(doctor.contains("ok    checkpoint key"), "{doctor}");
}
on_every_backend!(
    verify_and_doctor_tell_an_unknown_key_from_a_rewrite_on_every_backend,
    verify_and_doctor_tell_an_unknown_key_from_a_rewrite
);

/// A checkpoint changed under the key that signed it is a rewrite, said as such.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rewritten_checkpoint_is_called_rewritten() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let f = signed_firm(&app, "rewrite@example.com").await;
    let tenant = f.tenant_id().await;
    assert_eq!(rewrite_checkpoints(app.data_dir(), &tenant), 1);
    let said = output_text(&oasys(&app, None, &["verify"]));
    assert!(
        said.contains("were rewritten (this is the key that signed it)") && !said.contains("UNKNOWN KEY"),
        "{said}"
    );
}

/// Changes the hash a checkpoint signed, as someone rewriting the ledger file would.
fn rewrite_checkpoints(data_dir: &std::path::Path, tenant: &str) -> usize {
    let file = data_dir.join("tenants").join(tenant).join("ledger.db");
    let conn = rusqlite::Connection::open(file).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn.execute(
        "UPDATE chain_checkpoints SET hash = CASE WHEN substr(hash, 1, 1) = 'a' THEN 'b' ELSE 'a' END || substr(hash, 2)",
        [],
    )
        .unwrap()
}

/// The issue: a `database_url` naming a missing database waited 30 s, then said "timed out
/// waiting for connection". Now it fails at once, naming the database and how to create it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_database_is_named_at_once() {
    let Ok(url) = std::env::var("OASYS_TEST_DATABASE_URL") else {
        return;
    };
    let Some((server, _)) = url.rsplit_once('/') else {
        panic!("{url}")
    };
    let missing = format!("oasys_missing_{}", uuid::Uuid::new_v4().simple());
    let dir = tempfile::tempdir().unwrap();
    let config = oasys::config::Config {
        data_dir: Some(dir.path().to_path_buf()),
        jwt_secret: Some("test-signing-secret-that-is-long-enough".into()),
        database_url: Some(format!("{server}/{missing}")),
        ..oasys::config::Config::default()
    };
    let started = Instant::now();
    let said = tokio::task::spawn_blocking(move || oasys::App::open(config).err().map(|e| e.to_string()))
        .await
        .unwrap()
        .expect("a missing database was accepted");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    assert!(said.contains(&missing) && said.contains("createdb"), "{said}");
}
