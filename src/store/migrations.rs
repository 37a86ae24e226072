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
