//! `oasys export --tenant ID DEST`: writes one firm to a firm archive (`crate::firm_archive`)
//! that `oasys import ARCHIVE` loads on either backend.

use std::path::Path;

use super::admin;
use crate::config::Config;
use crate::firm_archive::export_firm;

pub fn run(config: &Config, tenant: &str, dest: &Path) -> anyhow::Result<()> {
    let store = admin::open(config)?;
    let id = admin::tenant_id(&store, tenant)?;
    let done = export_firm(config, &store, id, dest)?;
    let rows: u64 = done.manifest.tables.iter().map(|t| t.rows).sum();
    println!(
        "exported firm {} ({id}) to {}: {rows} rows in {} tables, {} bytes; verify {:.1} s, export {:.1} s ({:.0} rows/s)",
        done.manifest.tenant.name,
        dest.display(),
        done.manifest.tables.len(),
        done.size,
        done.verify_seconds,
        done.export_seconds,
        rows as f64 / done.export_seconds
    );
    Ok(())
}
