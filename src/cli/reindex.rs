//! `oasys reindex [--tenant ID]`: rebuilds the search index of one firm or of all from their
//! databases (the index is a cache: safe at any time, also while the server runs — its next
//! search or write of that firm reopens the new index).

use super::admin;
use crate::auth::scope::TenantScope;
use crate::config::Config;
use crate::domain::tenants::Tenant;
use crate::search::Search;
use crate::store::platform;

pub fn run(config: &Config, tenant: Option<&str>) -> anyhow::Result<()> {
    let store = admin::open(config)?;
    let tenants: Vec<Tenant> = match tenant {
        Some(raw) => {
            let id = admin::tenant_id(&store, raw)?;
            store
                .platform_read(|tx| platform::tenant(tx, id))?
                .into_iter()
                .collect()
        }
        None => store.platform_read(platform::tenants)?,
    };
    if tenants.is_empty() {
        println!("no firms to index");
        return Ok(());
    }
    let search = Search::new(&config.data_dir());
    let mut failed = 0;
    for t in &tenants {
        let started = std::time::Instant::now();
        match search.rebuild(&store, &TenantScope::operator(t.id)) {
            Ok(n) => println!(
                "firm {} ({}): {n} records indexed in {:.1} s",
                t.name,
                t.id,
                started.elapsed().as_secs_f64()
            ),
            Err(e) => {
                println!("FAILED: firm {} ({}): {e}", t.name, t.id);
                failed += 1;
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} firm(s) could not be indexed");
    }
    Ok(())
}
