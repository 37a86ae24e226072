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
    let newest = |r: Runner| {
        r.get_migrations()
            .iter()
            .map(|m| i64::from(m.version()))
            .max()
            .unwrap_or(0)
    };
    (newest(platform_sqlite()), newest(tenant_sqlite()))
}

pub fn failed(e: refinery::Error) -> StoreError {
    StoreError::Migration(e.to_string())
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
}
