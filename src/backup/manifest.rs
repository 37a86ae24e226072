//! The backup manifest (`manifest.json`, the archive's last member): what the archive holds and
//! the facts a restore must find again. Documented in `docs/backup-format.md`.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::store::snapshot::DbFacts;

pub const FORMAT: &str = "oasys-backup";
pub const FORMAT_VERSION: u32 = 1;
pub const NAME: &str = "manifest.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    /// The `oasys` version that wrote it.
    pub oasys_version: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// Why it was taken: `manual`, `scheduled` or `pre-upgrade`.
    pub reason: String,
    /// `sqlite`: database files, restored by copying them back. `postgres`: one `oasys export`
    /// archive per firm, restored by importing each (into either backend).
    #[serde(default = "sqlite")]
    pub backend: String,
    /// The platform database (firms, users); absent in a one-firm backup.
    pub platform: Option<DbMember>,
    pub tenants: Vec<TenantMember>,
    /// Every other member: the data dir's secrets and each firm's files.
    pub files: Vec<FileMember>,
}

fn sqlite() -> String {
    "sqlite".into()
}

/// A member holding one firm as an `oasys export` archive (backups on PostgreSQL).
pub const FIRM_EXPORT: &str = "firm.export.tar.zst";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DbMember {
    /// Path inside the archive.
    pub path: String,
    pub sha256: String,
    pub size: u64,
    #[serde(flatten)]
    pub facts: DbFacts,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TenantMember {
    pub id: Uuid,
    pub name: String,
    #[serde(flatten)]
    pub db: DbMember,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileMember {
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

impl Manifest {
    /// Every member the manifest promises, with its hash and size.
    pub fn members(&self) -> Vec<(&str, &str, u64)> {
        let mut all: Vec<(&str, &str, u64)> = Vec::new();
        if let Some(p) = &self.platform {
            all.push((&p.path, &p.sha256, p.size));
        }
        for t in &self.tenants {
            all.push((&t.db.path, &t.db.sha256, t.db.size));
        }
        for f in &self.files {
            all.push((&f.path, &f.sha256, f.size));
        }
        all
    }

    /// Entries and lines over every company, for the summary line.
    pub fn totals(&self) -> (i64, i64) {
        self.tenants
            .iter()
            .flat_map(|t| &t.db.facts.companies)
            .fold((0, 0), |(e, l), c| (e + c.entries, l + c.lines))
    }
}

/// Archive paths are built by us and checked again on the way in: relative, no `..`, only the
/// shapes a backup writes. Anything else in an archive is refused before it touches a disk.
pub fn is_allowed_path(path: &str) -> bool {
    if path.is_empty() || path.starts_with('/') || path.contains('\\') || path.contains('\0') {
        return false;
    }
    let parts: Vec<&str> = path.split('/').collect();
    if parts.iter().any(|p| p.is_empty() || *p == "." || *p == "..") {
        return false;
    }
    match parts.as_slice() {
        [NAME] | ["platform.db"] | ["secrets", "jwt_secret" | "checkpoint_key"] => true,
        ["tenants", id, "ledger.db" | FIRM_EXPORT] => Uuid::parse_str(id).is_ok(),
        ["tenants", id, "files", ..] => Uuid::parse_str(id).is_ok() && parts.len() > 3,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_shapes_a_backup_writes_are_allowed() {
        let t = "tenants/0190a7e4-4c1e-7d4e-9a54-0c6a4f1e2b3c";
        assert!(is_allowed_path("platform.db"));
        assert!(is_allowed_path(&format!("{t}/ledger.db")));
        assert!(is_allowed_path(&format!("{t}/files/logo.png")));
        assert!(is_allowed_path("secrets/checkpoint_key"));
        for bad in [
            "",
            "/etc/passwd",
            "../platform.db",
            "tenants/../../x",
            "tenants/not-a-uuid/ledger.db",
            &format!("{t}/files"),
            &format!("{t}/files/../../x"),
            "secrets/other",
            "platform.db/",
            "a\\b",
        ] {
            assert!(!is_allowed_path(bad), "{bad:?}");
        }
    }
}
