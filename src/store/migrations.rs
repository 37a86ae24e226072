//! The embedded migrations: platform and tenant schemas, one tree per backend with the same
//! version numbers on both sides (a test below checks they never drift).

mod platform_sqlite {
    refinery::embed_migrations!("migrations/platform/sqlite");
}
mod platform_postgres {
    refinery::embed_migrations!("migrations/platform/postgres");
}
mod tenant_sqlite {
    refinery::embed_migrations!("migrations/tenant/sqlite");
}
mod tenant_postgres {
    refinery::embed_migrations!("migrations/tenant/postgres");
}

use refinery::Runner;

use super::StoreError;

pub fn platform_sqlite() -> Runner {
    platform_sqlite::migrations::runner()
}
pub fn platform_postgres() -> Runner {
    platform_postgres::migrations::runner()
}
pub fn tenant_sqlite() -> Runner {
    tenant_sqlite::migrations::runner()
}
pub fn tenant_postgres() -> Runner {
    tenant_postgres::migrations::runner()
}

/// The newest version a runner applied or found applied.
pub fn applied_version(report: &refinery::Report, runner: &Runner) -> i64 {
    let applied = report.applied_migrations().iter().map(|m| i64::from(m.version())).max();
    let known = runner.get_migrations().iter().map(|m| i64::from(m.version())).max();
    applied.or(known).unwrap_or(0)
}

/// The newest platform and tenant schema versions this binary carries (the same on both
/// backends: the test below keeps them in step).
pub fn latest_versions() -> (i64, i64) {
    (latest(&platform_sqlite()), latest(&tenant_sqlite()))
}

pub fn failed(e: refinery::Error) -> StoreError {
    StoreError::Migration(e.to_string())
}

/// The newest version a runner knows: what this binary migrates a schema to.
pub fn latest(runner: &Runner) -> i64 {
    runner
        .get_migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .max()
        .unwrap_or(0)
}

/// Runs SQLite migrations with foreign keys off, as SQLite's recipe for rebuilding a table asks
/// (V10 rebuilds every table to store ids as bytes; dropping a table with foreign keys on would
/// first delete its rows, cascading), then checks every foreign key before anything else runs.
/// Foreign keys are back on afterwards whatever happened.
pub fn run_sqlite(runner: &Runner, conn: &mut rusqlite::Connection) -> Result<refinery::Report, StoreError> {
    conn.pragma_update(None, "foreign_keys", false)?;
    let outcome = runner.run(conn).map_err(failed).and_then(|report| {
        if report.applied_migrations().is_empty() {
            return Ok(report);
        }
        let broken: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?;
        if broken > 0 {
            return Err(StoreError::Migration(format!(
                "{broken} rows reference rows that do not exist after migrating"
            )));
        }
        Ok(report)
    });
    conn.pragma_update(None, "foreign_keys", true)?;
    outcome
}

/// Stops a runner at `version` (`None`: the latest), for a firm loaded at an older version.
pub fn up_to(runner: Runner, version: Option<i64>) -> Runner {
    match version.and_then(|v| i32::try_from(v).ok()) {
        Some(v) => runner.set_target(refinery::Target::Version(v)),
        None => runner,
    }
}

/// The `(table, column)` pairs declared `BOOLEAN` by the PostgreSQL migrations of one database
/// (`tenant`: true). SQLite's `STRICT` tables can only say `INTEGER`; its migrations carry the same
/// tables and columns (a test checks they do not drift), so these are its booleans too — which the
/// portable export needs to write `true`/`false` whichever backend it reads from. The migrations
/// are written one column per line (`    name TYPE …`) and `ALTER TABLE t ADD COLUMN c TYPE`.
pub fn boolean_columns(tenant: bool) -> std::collections::HashSet<(String, String)> {
    let runner = if tenant { tenant_postgres() } else { platform_postgres() };
    let mut out = std::collections::HashSet::new();
    for m in runner.get_migrations() {
        let mut table: Option<String> = None;
        for line in m.sql().unwrap_or_default().lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
            let up: Vec<&str> = upper.iter().map(String::as_str).collect();
            match up.as_slice() {
                ["CREATE", "TABLE", ..] => table = words.get(2).map(|t| t.trim_end_matches('(').to_owned()),
                ["ALTER", "TABLE", _, "ADD", "COLUMN", _, ty, ..] if ty.trim_end_matches([',', ';']) == "BOOLEAN" => {
                    out.insert((words[2].to_owned(), words[5].to_owned()));
                }
                [first, ..] if first.starts_with(')') => table = None,
                [_, ty, ..] if ty.trim_end_matches(',') == "BOOLEAN" => {
                    if let Some(t) = &table {
                        out.insert((t.clone(), words[0].to_owned()));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(runner: &Runner) -> Vec<(i32, String)> {
        let mut v: Vec<_> = runner
            .get_migrations()
            .iter()
            .map(|m| (m.version(), m.name().to_owned()))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn sqlite_and_postgres_migrations_do_not_drift() {
        assert_eq!(versions(&platform_sqlite()), versions(&platform_postgres()));
        assert_eq!(versions(&tenant_sqlite()), versions(&tenant_postgres()));
        assert!(!versions(&platform_sqlite()).is_empty());
        assert!(!versions(&tenant_sqlite()).is_empty());
    }

    /// V9 rebuilds SQLite's `email_log` (a new status, two columns): its rows survive.
    #[test]
    fn the_message_log_keeps_its_rows_through_v9() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        // A log row without its company and document, for brevity.
        conn.pragma_update(None, "foreign_keys", false).unwrap();
        up_to(tenant_sqlite(), Some(7)).run(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO email_log (id, company_id, document_id, to_addresses, subject, status, error, \
             created_at, created_by) VALUES ('m1', 'c', 'd', '[\"a@b.test\"]', 'Hi', 'failed', '550', \
             '2026-03-01T10:00:00.000000Z', 'u')",
            [],
        )
        .unwrap();
        let report = up_to(tenant_sqlite(), Some(9)).run(&mut conn).unwrap();
        let applied: Vec<i32> = report.applied_migrations().iter().map(|m| m.version()).collect();
        assert_eq!(applied, [8, 9]);
        let row: (String, String, String, Option<String>) = conn
            .query_row(
                "SELECT status, error, reply_to, finished_at FROM email_log WHERE id = 'm1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(
            row,
            (
                "failed".into(),
                "550".into(),
                String::new(),
                Some("2026-03-01T10:00:00.000000Z".into())
            )
        );
        conn.execute("UPDATE email_log SET status = 'sending', finished_at = NULL", [])
            .unwrap();
        assert!(conn.execute("UPDATE email_log SET status = 'queued'", []).is_err());
    }

    /// A V9 firm file: a company, an account, a posted entry's line and its chain link.
    fn firm_at_v9(company: &str) -> rusqlite::Connection {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        up_to(tenant_sqlite(), Some(9)).run(&mut conn).unwrap();
        let account = "01a23714-bea4-7576-9217-c8de576a1587";
        let entry = "01a23714-bf1a-7583-80c6-3a070caf6a25";
        let at = "2026-03-01T10:00:00.000000Z";
        conn.execute_batch(&format!(
            "INSERT INTO companies (id, name, created_at, updated_at) VALUES ('{company}', 'Harbour', '{at}', '{at}');
             INSERT INTO accounts (id, company_id, code, name, type, created_at, updated_at)
                 VALUES ('{account}', '{company}', '1000', 'Cash', 'asset', '{at}', '{at}');
             INSERT INTO journal_entries (id, company_id, number, date, status, total, created_by, created_at, updated_at)
                 VALUES ('{entry}', '{company}', 1, '2026-03-01', 'posted', 100, '{account}', '{at}', '{at}');
             INSERT INTO journal_lines (entry_id, line_no, account_id, debit) VALUES ('{entry}', 1, '{account}', 100);
             INSERT INTO ledger_chain (company_id, seq, kind, object_id, prev_hash, hash, created_at)
                 VALUES ('{company}', 1, 'post', '{entry}', '{}', '{}', '{at}');",
            "0".repeat(64),
            "ab".repeat(32)
        ))
        .unwrap();
        conn
    }

    /// V10 stores ids and chain hashes as bytes: every row keeps its values, read back the same.
    #[test]
    fn v10_turns_ids_and_hashes_into_bytes_and_keeps_every_row() {
        let company = "01a23714-bea4-7576-9217-c8dc30ad8c24";
        let mut conn = firm_at_v9(company);
        run_sqlite(&tenant_sqlite(), &mut conn).unwrap();
        let (kind, id): (String, Vec<u8>) = conn
            .query_row("SELECT typeof(id), id FROM companies", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(
            (kind.as_str(), id),
            ("blob", uuid::Uuid::parse_str(company).unwrap().as_bytes().to_vec())
        );
        let line: (i64, String) = conn
            .query_row(
                "SELECT l.debit, a.code FROM journal_lines l JOIN accounts a ON a.id = l.account_id \
                 JOIN journal_entries e ON e.id = l.entry_id JOIN companies c ON c.id = e.company_id",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(line, (100, "1000".to_owned()));
        let (hash, linked): (Vec<u8>, i64) = conn
            .query_row("SELECT hash, created_at FROM ledger_chain", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(hash, vec![0xab; 32]);
        let at: jiff::Timestamp = "2026-03-01T10:00:00.000000Z".parse().unwrap();
        let (created, posted): (i64, Option<i64>) = conn
            .query_row("SELECT created_at, posted_at FROM journal_entries", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(
            (created, posted, linked),
            (at.as_microsecond(), None, at.as_microsecond())
        );
        let columns: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info('ledger_chain')")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(!columns.iter().any(|c| c == "prev_hash"), "{columns:?}");
        let fk: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert!(fk, "foreign keys are back on");
    }

    /// A value that is not an id stops V10 (nothing is stored as NULL), and the file stays at V9.
    #[test]
    fn v10_refuses_an_id_that_is_not_a_uuid() {
        let mut conn = firm_at_v9("not-a-uuid");
        let err = run_sqlite(&tenant_sqlite(), &mut conn).unwrap_err();
        assert!(err.to_string().contains("CHECK"), "{err}");
        let (kind, version): (String, i64) = conn
            .query_row(
                "SELECT (SELECT typeof(id) FROM companies), (SELECT MAX(version) FROM refinery_schema_history)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((kind.as_str(), version), ("text", 9));
    }

    /// V13 dates every allocation the later of its source's date (a payment's, a credit's) and
    /// its document's issue date, and leaves it standing.
    #[test]
    fn v13_dates_existing_allocations() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        // Rows without their company, contact or entry, for brevity.
        conn.pragma_update(None, "foreign_keys", false).unwrap();
        up_to(tenant_sqlite(), Some(12)).run(&mut conn).unwrap();
        let at = "2026-01-01T00:00:00.000000Z";
        let mut batch = String::new();
        for (id, kind, issued) in [
            ("01", "invoice", "2026-03-05"),
            ("02", "invoice", "2026-02-01"),
            ("03", "credit_note", "2026-03-01"),
        ] {
            batch += &format!(
                "INSERT INTO documents (id, company_id, kind, status, contact_id, issue_date, due_date, currency, \
                 created_by, created_at, updated_at) VALUES (x'{id}', x'aa', '{kind}', 'issued', x'cc', '{issued}', \
                 '{issued}', 'USD', x'ee', '{at}', '{at}');"
            );
        }
        for (id, date) in [("11", "2026-02-10"), ("12", "2026-04-01")] {
            batch += &format!(
                "INSERT INTO payments (id, company_id, direction, contact_id, date, amount, bank_account_id, \
                 journal_entry_id, created_by, created_at, updated_at) VALUES (x'{id}', x'aa', 'received', x'cc', \
                 '{date}', 100, x'bb', x'dd', x'ee', '{at}', '{at}');"
            );
        }
        for (id, source, document) in [("21", "11", "01"), ("22", "12", "01"), ("23", "03", "02")] {
            batch += &format!(
                "INSERT INTO allocations (id, company_id, source_id, document_id, amount, created_at) \
                 VALUES (x'{id}', x'aa', x'{source}', x'{document}', 10, '{at}');"
            );
        }
        conn.execute_batch(&batch).unwrap();
        up_to(tenant_sqlite(), Some(13)).run(&mut conn).unwrap();
        let dated: Vec<(String, String, Option<String>)> = conn
            .prepare("SELECT hex(id), date, ended_on FROM allocations ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let standing = |id: &str, date: &str| (id.to_owned(), date.to_owned(), None);
        assert_eq!(
            dated,
            [
                standing("21", "2026-03-05"),
                standing("22", "2026-04-01"),
                standing("23", "2026-03-01")
            ]
        );
    }

    #[test]
    fn boolean_columns_are_read_from_the_postgres_migrations() {
        let tenant = boolean_columns(true);
        for (t, c) in [
            ("companies", "is_active"),
            ("contacts", "is_customer"),
            ("payments", "is_void"),
        ] {
            assert!(tenant.contains(&(t.to_owned(), c.to_owned())), "{t}.{c}");
        }
        assert!(!tenant.contains(&("recurring_invoices".to_owned(), "generated".to_owned())));
        assert!(!tenant.contains(&("journal_entries".to_owned(), "total".to_owned())));
        let platform = boolean_columns(false);
        assert!(platform.contains(&("users".to_owned(), "two_factor_enabled".to_owned())));
        assert!(platform.contains(&("tenants".to_owned(), "is_active".to_owned())));
        assert!(!platform.contains(&("users".to_owned(), "token_version".to_owned())));
    }
}
