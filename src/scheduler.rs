//! Work the server does by itself, on a timer: recurring invoices and scheduled backups.
//!
//! Each recurring schedule runs in its own transaction, as the user who set it up; a failure
//! rolls that schedule back, is logged, and the next run tries again. `oasys recurring run` does
//! one pass from the command line. Backups follow `backup.schedule` (rules in
//! `crate::backup::schedule`); a failed one is logged and the next one tries again.

use std::sync::Arc;
use std::time::Duration;

use jiff::civil::Date;
use uuid::Uuid;

use crate::app::App;
use crate::auth::scope::TenantScope;
use crate::domain::documents::recurring;
use crate::domain::ledger::Ctx;
use crate::store::{StoreError, companies, platform};

/// How often the server looks for due recurring invoices.
pub const RECURRING_EVERY: Duration = Duration::from_secs(300);

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub invoices: usize,
    pub failures: usize,
}

/// Makes the due invoices of every schedule of one firm (`today`: the companies' own date when
/// `None`).
pub fn run_tenant(app: &App, tenant: Uuid, today: Option<Date>) -> Result<Pass, StoreError> {
    let scope = TenantScope::operator(tenant);
    let mut pass = Pass::default();
    let companies = app.store.tenant_read(&scope, companies::all)?;
    for company in companies.into_iter().filter(|c| c.is_active) {
        // A schedule dated the 1st runs on the 1st where the firm is.
        let date = today.unwrap_or_else(|| company.today(jiff::Timestamp::now()));
        let due = app
            .store
            .tenant_read(&scope, |tx| crate::store::recurring::due(tx, company.id, date))?;
        for id in due {
            let result = app.store.tenant_write(&scope, |tx| -> Result<usize, GenerateError> {
                let Some(schedule) = crate::store::recurring::get(tx, company.id, id)? else {
                    return Ok(0);
                };
                let books = crate::domain::ledger::Books::of(&company);
                let ctx = Ctx {
                    books: &books,
                    company: &company,
                    actor: schedule.created_by,
                    checkpoint_key: &app.checkpoint_key,
                    today: date,
                    now: crate::domain::books::now(),
                };
                Ok(recurring::generate_due(tx, &ctx, id, date)?.len())
            });
            match result {
                Ok(n) => pass.invoices += n,
                Err(e) => {
                    pass.failures += 1;
                    tracing::warn!(%tenant, company = %company.id, schedule = %id, error = %e, "recurring invoice not generated");
                }
            }
        }
    }
    Ok(pass)
}

/// One pass over every firm. Each firm is first asked, without opening its books (see
/// [`crate::store::Store::tenant_peek`]), whether anything may be due: on a server with
/// thousands of firms most have no schedule, and opening them all would fill the firm cache.
pub fn run_all(app: &App, today: Option<Date>) -> Result<Pass, StoreError> {
    let tenants = app.store.platform_read(platform::tenant_ids)?;
    // No company's date is later than this: UTC's date plus one day (UTC+14 at most).
    let latest = today.unwrap_or_else(|| {
        let utc = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
        utc.tomorrow().unwrap_or(utc)
    });
    let mut total = Pass::default();
    for tenant in tenants {
        let scope = TenantScope::operator(tenant);
        // An error here (a firm not yet migrated to the schedules' table, say) is no answer:
        // the firm is then opened as usual, which migrates it and says what is wrong.
        if let Ok(false) = app
            .store
            .tenant_peek(&scope, |tx| crate::store::recurring::any_due(tx, latest))
        {
            continue;
        }
        match run_tenant(app, tenant, today) {
            Ok(p) => {
                total.invoices += p.invoices;
                total.failures += p.failures;
            }
            Err(e) => {
                total.failures += 1;
                tracing::warn!(%tenant, error = %e, "recurring invoices skipped for this firm");
            }
        }
    }
    Ok(total)
}

/// Runs [`run_all`] now and every [`RECURRING_EVERY`] until the runtime stops.
pub fn spawn(app: Arc<App>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(RECURRING_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let app = Arc::clone(&app);
            match tokio::task::spawn_blocking(move || run_all(&app, None)).await {
                Ok(Ok(p)) if p.invoices > 0 || p.failures > 0 => {
                    tracing::info!(invoices = p.invoices, failures = p.failures, "recurring invoices");
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "recurring invoices: no pass"),
                Err(e) => tracing::warn!(error = %e, "recurring invoices: the pass stopped"),
            }
        }
    });
}

/// Takes the backups `backup.schedule` asks for, until the server stops.
pub fn spawn_backups(app: Arc<App>) {
    let Some(text) = app.config.backup.schedule.clone() else {
        return;
    };
    let schedule = match crate::backup::schedule::Schedule::parse(&text) {
        Ok(s) => s,
        Err(e) => {
            // Config validation already refused this; kept so a bad value can never panic.
            tracing::warn!(error = %e, "no scheduled backups");
            return;
        }
    };
    tokio::spawn(async move {
        loop {
            let now = jiff::Zoned::now();
            let wait = match schedule.next_after(&now) {
                Ok(next) => now.duration_until(&next).unsigned_abs(),
                Err(e) => {
                    tracing::warn!(error = %e, "scheduled backups: cannot compute the next time; retrying in an hour");
                    Duration::from_secs(3600)
                }
            };
            tokio::time::sleep(wait).await;
            let app = Arc::clone(&app);
            match tokio::task::spawn_blocking(move || scheduled_backup(&app)).await {
                Ok(Ok(summary)) => tracing::info!(
                    path = %summary.path.display(),
                    bytes = summary.archive_bytes,
                    seconds = summary.seconds,
                    "scheduled backup written and checked"
                ),
                Ok(Err(e)) => tracing::error!(error = %e, "scheduled backup failed"),
                Err(e) => tracing::error!(error = %e, "scheduled backup stopped"),
            }
        }
    });
}

/// One scheduled backup: written, read back, recorded; then old scheduled ones pruned.
pub fn scheduled_backup(app: &App) -> Result<crate::backup::Summary, crate::backup::BackupError> {
    use crate::backup::{self, Destination, Reason, remote, schedule};
    let dest = backup::destination(&app.config)?;
    let passphrase = backup::configured_passphrase(&app.config)?;
    let name = schedule::file_name(jiff::Timestamp::now(), Reason::Scheduled, passphrase.is_some());
    let data_dir = app.config.data_dir();
    // On PostgreSQL each firm goes in as an `oasys export` archive.
    let tenants: Vec<(uuid::Uuid, String)> = match app.config.database_url {
        Some(_) => app
            .store
            .platform_read(platform::tenants)?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect(),
        None => Vec::new(),
    };
    let export = |id: uuid::Uuid, path: &std::path::Path| {
        crate::firm_archive::export_for_backup(&app.config, &app.store, id, path)
    };
    let source = match app.config.database_url {
        Some(_) => backup::Source::Exports(&tenants, &export),
        None => backup::Source::Files,
    };
    let summary = backup::create_into(
        &app.config,
        &dest,
        &data_dir.join("backups-outgoing"),
        &name,
        source,
        &backup::Request {
            data_dir: &data_dir,
            dest: &data_dir,
            tenant: None,
            passphrase: passphrase.as_deref(),
            reason: Reason::Scheduled,
        },
        &|_, _, _| {},
    )?;
    backup::record(&app.store, &summary, Reason::Scheduled)?;
    let keep = app
        .config
        .backup
        .keep
        .unwrap_or(crate::config::BackupConfig::DEFAULT_KEEP);
    let deleted = match &dest {
        Destination::Dir(dir) => schedule::prune(dir, keep)?
            .into_iter()
            .map(|p| p.display().to_string())
            .collect(),
        Destination::S3(loc) => remote::prune(&remote::open(loc, &app.config.backup)?, loc, keep)?,
    };
    for old in deleted {
        tracing::info!(path = %old, "old scheduled backup deleted");
    }
    Ok(summary)
}

/// Why one schedule's invoices were not made.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Document(String),
}

impl From<crate::domain::documents::DocumentError<StoreError>> for GenerateError {
    fn from(e: crate::domain::documents::DocumentError<StoreError>) -> Self {
        GenerateError::Document(match e {
            crate::domain::documents::DocumentError::Invalid(f) => format!("invalid template: {f}"),
            other => other.to_string(),
        })
    }
}

/// After start-up (never blocking it), once: every firm whose search change log still holds
/// rows — a process killed between a commit and its index write — is caught up. Each firm is
/// asked without keeping its database open; only those behind open their index.
pub fn spawn_search_sweep(app: Arc<App>) {
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let swept = tokio::task::spawn_blocking(move || -> Result<(usize, usize), StoreError> {
            let tenants = app
                .store
                .platform_read(|tx| crate::store::stats::active_tenant_ids(tx, i64::MAX))?;
            let mut caught_up = (0, 0);
            for tenant in tenants {
                let scope = TenantScope::operator(tenant);
                match app.search.behind(&app.store, &scope) {
                    Ok(false) => {}
                    Ok(true) => match app.search.catch_up(&app.store, &scope) {
                        Ok(n) => {
                            caught_up.0 += 1;
                            caught_up.1 += n;
                        }
                        Err(e) => tracing::warn!(%tenant, error = %e, "search index: catching up failed"),
                    },
                    // A firm not yet migrated to V20 (firms migrate on first use) has no log,
                    // so nothing to catch up: not worth a warning per firm.
                    Err(e) => tracing::debug!(%tenant, error = %e, "search index: change log not read"),
                }
            }
            Ok(caught_up)
        })
        .await;
        match swept {
            Ok(Ok((0, _))) => {}
            Ok(Ok((firms, changes))) => tracing::info!(firms, changes, "search indexes caught up after start-up"),
            Ok(Err(e)) => tracing::warn!(error = %e, "search sweep: firms not listed"),
            Err(e) => tracing::warn!(error = %e, "search sweep stopped"),
        }
    });
}

/// The background indexer: firms marked by a write (`Search::after_write`) are caught up a
/// moment later, every write of that moment in one index commit, off the requests' path.
pub fn spawn_search_indexer(app: Arc<App>) {
    tokio::spawn(async move {
        loop {
            app.search.written().await;
            // Let a burst of writes (a bulk import's requests) gather into one commit.
            tokio::time::sleep(Duration::from_millis(250)).await;
            let firms = app.search.take_dirty();
            let worker = Arc::clone(&app);
            let done = tokio::task::spawn_blocking(move || {
                for tenant in firms {
                    let scope = TenantScope::operator(tenant);
                    if let Err(e) = worker.search.catch_up(&worker.store, &scope) {
                        tracing::warn!(%tenant, error = %e, "search index not updated; the change log keeps the changes");
                    }
                }
            })
            .await;
            if let Err(e) = done {
                tracing::warn!(error = %e, "search indexer stopped a pass");
            }
        }
    });
}
