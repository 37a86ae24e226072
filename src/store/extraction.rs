//! The extraction queue's rows: `file_texts` moved `pending` → `running` → `done`, `failed` or
//! `unsupported` (the rows themselves are written `pending` by the upload, `store::files`).
//! One claim is one transaction, and a claim only takes a row still `pending`, so two servers on
//! one database never run the same row at once.

use jiff::Timestamp;
use uuid::Uuid;

use super::platform::ts;
use super::{StoreError, Tx, Value};

/// One version to extract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub file_id: Uuid,
    pub version: i64,
    /// `files.kind`.
    pub kind: String,
    /// The stored object's name, 64 hex digits.
    pub sha256: String,
    /// The file waits in the inbox for capture.
    pub inbox: bool,
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done {
        method: &'static str,
        text: String,
        pages: Option<u32>,
    },
    Failed(String),
    Unsupported(String),
}

/// A version's extraction as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileText {
    pub state: String,
    pub method: Option<String>,
    pub text: String,
    pub pages: Option<i64>,
    pub error: Option<String>,
}

/// Whether the firm has work waiting (or left `running` by a crash). A cheap look for the sweep.
pub fn any_waiting(tx: &mut Tx) -> Result<bool, StoreError> {
    Ok(tx
        .query_opt(
            "SELECT 1 FROM file_texts WHERE state IN ('pending', 'running') LIMIT 1",
            &[],
        )?
        .is_some())
}

/// Rows left `running` by a server that stopped mid-way go back to `pending`. Run once per firm
/// when the server starts, before it claims anything there.
pub fn requeue_running(tx: &mut Tx, now: Timestamp) -> Result<u64, StoreError> {
    tx.execute(
        "UPDATE file_texts SET state = 'pending', updated_at = $1 WHERE state = 'running'",
        &[Value::Text(ts(now))],
    )
}

/// Takes the oldest `pending` row, marking it `running`; `None` when there is none.
pub fn claim(tx: &mut Tx, now: Timestamp) -> Result<Option<Job>, StoreError> {
    let Some(row) = tx.query_opt(
        "SELECT t.file_id, t.version, f.kind, v.sha256, f.inbox
           FROM file_texts t
           JOIN files f ON f.id = t.file_id
           JOIN file_versions v ON v.file_id = t.file_id AND v.version = t.version
          WHERE t.state = 'pending'
          ORDER BY t.updated_at, t.file_id, t.version
          LIMIT 1",
        &[],
    )?
    else {
        return Ok(None);
    };
    let job = Job {
        file_id: row.uuid(0)?,
        version: row.int(1)?,
        kind: row.text(2)?,
        sha256: row.text(3)?,
        inbox: row.int(4)? != 0,
    };
    let taken = tx.execute(
        "UPDATE file_texts SET state = 'running', updated_at = $1
          WHERE file_id = $2 AND version = $3 AND state = 'pending'",
        &[Value::Text(ts(now)), Value::Id(job.file_id), Value::Int(job.version)],
    )?;
    Ok((taken == 1).then_some(job))
}

/// Records how a job ended. False when the row is gone (the file deleted meanwhile) or no
/// longer `running` (another server requeued and finished it).
pub fn finish(tx: &mut Tx, job: &Job, outcome: &Outcome, now: Timestamp) -> Result<bool, StoreError> {
    let (state, method, text, pages, error) = match outcome {
        Outcome::Done { method, text, pages } => (
            "done",
            Value::Text((*method).to_owned()),
            // PostgreSQL's TEXT takes no NUL character.
            Value::Text(text.replace('\0', "")),
            pages.map_or(Value::Null, |p| Value::Int(i64::from(p))),
            Value::Null,
        ),
        Outcome::Failed(why) => (
            "failed",
            Value::Null,
            Value::Text(String::new()),
            Value::Null,
            Value::Text(why.clone()),
        ),
        Outcome::Unsupported(why) => (
            "unsupported",
            Value::Null,
            Value::Text(String::new()),
            Value::Null,
            Value::Text(why.clone()),
        ),
    };
    let n = tx.execute(
        "UPDATE file_texts SET state = $1, method = $2, text = $3, pages = $4, error = $5, updated_at = $6
          WHERE file_id = $7 AND version = $8 AND state = 'running'",
        &[
            Value::Text(state.to_owned()),
            method,
            text,
            pages,
            error,
            Value::Text(ts(now)),
            Value::Id(job.file_id),
            Value::Int(job.version),
        ],
    )?;
    Ok(n == 1)
}

/// The extraction of one version, if the row exists.
pub fn get(tx: &mut Tx, file_id: Uuid, version: i64) -> Result<Option<FileText>, StoreError> {
    let Some(row) = tx.query_opt(
        "SELECT state, method, text, pages, error FROM file_texts WHERE file_id = $1 AND version = $2",
        &[Value::Id(file_id), Value::Int(version)],
    )?
    else {
        return Ok(None);
    };
    Ok(Some(FileText {
        state: row.text(0)?,
        method: row.opt_text(1)?,
        text: row.text(2)?,
        pages: row.opt_int(3)?,
        error: row.opt_text(4)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tenants::{CompanyDetails, Plan};
    use crate::params;
    use crate::provision::{self, NewFirm};
    use crate::store::{Store, StoreConfig};
    use crate::tenancy::TenantScope;

    /// A firm with one company, and a way to add a file of one version with its `pending` row.
    fn firm(store: &Store) -> (TenantScope, Uuid) {
        let firm = provision::create_firm(
            store,
            NewFirm {
                name: "Extraction firm".into(),
                domain: None,
                plan: Plan::Basic,
                company: CompanyDetails {
                    name: "Extraction company".into(),
                    currency: "EUR".into(),
                    timezone: "Europe/Berlin".into(),
                    ..CompanyDetails::default()
                },
                chart: "general".into(),
                admin: None,
            },
            None,
        )
        .unwrap();
        (TenantScope::operator(firm.tenant.id), firm.company.id)
    }

    fn add_file(store: &Store, scope: &TenantScope, company: Uuid, kind: &str, inbox: bool, at: &str) -> Uuid {
        let id = Uuid::now_v7();
        let sha = format!("{:064x}", id.as_u128());
        store
            .tenant_write(scope, |tx| -> Result<(), StoreError> {
                tx.execute(
                    "INSERT INTO files (id, company_id, name, kind, current_version, inbox, created_at, updated_at) \
                     VALUES ($1, $2, 'scan', $3, 1, $4, $5, $5)",
                    params![id, company, kind, i64::from(inbox), at],
                )?;
                tx.execute(
                    "INSERT INTO file_versions (file_id, version, sha256, size, media_type, original_name, uploaded_at) \
                     VALUES ($1, 1, $2, 10, 'application/pdf', 'scan.pdf', $3)",
                    &[Value::Id(id), Value::digest(&sha), Value::Text(at.into())],
                )?;
                tx.execute(
                    "INSERT INTO file_texts (file_id, version, state, updated_at) VALUES ($1, 1, 'pending', $2)",
                    params![id, at],
                )?;
                Ok(())
            })
            .unwrap();
        id
    }

    fn scenario(store: &Store) {
        let (scope, company) = firm(store);
        let now = Timestamp::now();
        assert!(!store.tenant_read(&scope, any_waiting).unwrap());
        let second = add_file(store, &scope, company, "png", false, "2026-12-02T10:00:00.000000Z");
        let first = add_file(store, &scope, company, "pdf", true, "2026-12-01T10:00:00.000000Z");
        assert!(store.tenant_peek(&scope, any_waiting).unwrap());

        // The oldest first, marked running; each row is claimed once.
        let job = store.tenant_write(&scope, |tx| claim(tx, now)).unwrap().unwrap();
        assert_eq!(
            (job.file_id, job.version, job.kind.as_str(), job.inbox),
            (first, 1, "pdf", true)
        );
        assert_eq!(job.sha256, format!("{:064x}", first.as_u128()));
        assert_eq!(
            store
                .tenant_read(&scope, |tx| get(tx, first, 1))
                .unwrap()
                .unwrap()
                .state,
            "running"
        );
        let other = store.tenant_write(&scope, |tx| claim(tx, now)).unwrap().unwrap();
        assert_eq!(other.file_id, second);
        assert_eq!(store.tenant_write(&scope, |tx| claim(tx, now)).unwrap(), None);

        // A crash: both running rows go back to pending, and are claimed again.
        assert_eq!(store.tenant_write(&scope, |tx| requeue_running(tx, now)).unwrap(), 2);
        let job = store.tenant_write(&scope, |tx| claim(tx, now)).unwrap().unwrap();
        let other = store.tenant_write(&scope, |tx| claim(tx, now)).unwrap().unwrap();

        let done = Outcome::Done {
            method: "pdf",
            text: "Quokka\0 invoice".into(),
            pages: Some(2),
        };
        assert!(store.tenant_write(&scope, |tx| finish(tx, &job, &done, now)).unwrap());
        let row = store
            .tenant_read(&scope, |tx| get(tx, job.file_id, 1))
            .unwrap()
            .unwrap();
        assert_eq!(
            row,
            FileText {
                state: "done".into(),
                method: Some("pdf".into()),
                text: "Quokka invoice".into(),
                pages: Some(2),
                error: None,
            }
        );
        // Written once: a second finish finds no running row.
        assert!(!store.tenant_write(&scope, |tx| finish(tx, &job, &done, now)).unwrap());

        // The file deleted while its text was read: nothing to record.
        store
            .tenant_write(&scope, |tx| {
                tx.execute("DELETE FROM files WHERE id = $1", params![other.file_id])
            })
            .unwrap();
        let failed = Outcome::Failed("too many pages".into());
        assert!(
            !store
                .tenant_write(&scope, |tx| finish(tx, &other, &failed, now))
                .unwrap()
        );
        assert!(!store.tenant_read(&scope, any_waiting).unwrap());

        let third = add_file(store, &scope, company, "heic", false, "2026-12-03T10:00:00.000000Z");
        let job = store.tenant_write(&scope, |tx| claim(tx, now)).unwrap().unwrap();
        let unsupported = Outcome::Unsupported("HEIC images are not read".into());
        assert!(
            store
                .tenant_write(&scope, |tx| finish(tx, &job, &unsupported, now))
                .unwrap()
        );
        let row = store.tenant_read(&scope, |tx| get(tx, third, 1)).unwrap().unwrap();
        assert_eq!(
            (row.state.as_str(), row.error.as_deref()),
            ("unsupported", Some("HEIC images are not read"))
        );
    }

    #[test]
    fn the_queue_rows_move_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&StoreConfig::Sqlite {
            data_dir: dir.path().to_path_buf(),
            cache_size: 2,
        })
        .unwrap();
        scenario(&store);
    }

    #[test]
    fn the_queue_rows_move_on_postgres() {
        let Some(url) = std::env::var("OASYS_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
            return;
        };
        let schema = format!("extraction_{}", Uuid::new_v4().simple());
        let store = Store::open(&StoreConfig::Postgres {
            url,
            platform_schema: schema.clone(),
            pool_size: 2,
        })
        .unwrap();
        scenario(&store);
        for id in store.platform_read(crate::store::platform::tenant_ids).unwrap() {
            store.drop_tenant_storage(id).unwrap();
        }
        store
            .platform_write(|tx| tx.execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"), &[]))
            .unwrap();
    }
}
