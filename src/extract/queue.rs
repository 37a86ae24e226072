//! The background extraction queue, started by `oasys serve`. It runs at most
//! `documents.extract_workers` extractions at once, each in a child process ([`super::run`]).
//!
//! Which firms have work: the upload names its firm (`app.extraction.wake_for`), and a sweep
//! looks at every firm, without opening its books (`Store::tenant_peek`), a chunk at a time in the
//! background: once after start-up, then every [`SWEEP_EVERY`]. Start-up itself reads no firm.
//! Before the queue first claims a row in a firm it puts the rows a stopped server left `running`
//! back to `pending` (so a crash loses no work). Firms are served in turn, one job each, so one
//! firm's thousand uploads do not hold up the others.

use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio::task::JoinSet;
use uuid::Uuid;

use super::{ExtractError, Format, Limits, Tools, hooks};
use crate::app::App;
use crate::config::DocumentsConfig;
use crate::store::extraction::{self, Job, Outcome};
use crate::store::platform;
use crate::tenancy::TenantScope;

/// How often every firm is looked at again (work written by another server, a missed wake-up).
pub const SWEEP_EVERY: Duration = Duration::from_secs(300);
/// Firms looked at per step of a sweep (the queue serves jobs between steps).
const SWEEP_CHUNK: usize = 200;

/// The limits `[documents]` sets.
pub fn limits(config: &DocumentsConfig) -> Limits {
    Limits {
        timeout: Duration::from_secs(config.extract_timeout_secs.max(1)),
        max_pages: u32::try_from(config.max_pages).unwrap_or(u32::MAX),
        max_pixels: config.max_pixels,
        max_text_bytes: usize::try_from(config.max_text_bytes).unwrap_or(usize::MAX),
        ..Limits::default()
    }
}

/// Starts the queue on the current runtime (`crate::serve` does).
pub fn spawn(app: Arc<App>) {
    tokio::spawn(async move {
        let exe = app.extract_worker.clone();
        let tools = tokio::task::spawn_blocking(Tools::detect).await.unwrap_or_default();
        tracing::info!(ocr = %tools.describe(), "text extraction");
        Queue::new(app, exe, tools).run().await;
    });
}

struct Queue {
    app: Arc<App>,
    exe: PathBuf,
    tools: Arc<Tools>,
    limits: Arc<Limits>,
    work_root: PathBuf,
    workers: usize,
    /// Firms that may have pending rows, served in turn.
    due: VecDeque<Uuid>,
    /// Firms whose stale `running` rows were requeued by this process.
    recovered: HashSet<Uuid>,
    /// The rest of the current sweep.
    sweep: Vec<Uuid>,
    running: JoinSet<()>,
}

impl Queue {
    fn new(app: Arc<App>, exe: PathBuf, tools: Tools) -> Queue {
        let work_root = app.config.data_dir().join("tmp").join("extract");
        let workers = app.config.documents.extract_workers.max(1);
        let limits = Arc::new(limits(&app.config.documents));
        Queue {
            app,
            exe,
            tools: Arc::new(tools),
            limits,
            work_root,
            workers,
            due: VecDeque::new(),
            recovered: HashSet::new(),
            sweep: Vec::new(),
            running: JoinSet::new(),
        }
    }

    async fn run(mut self) {
        // What a stopped server left behind.
        let _ = tokio::fs::remove_dir_all(&self.work_root).await;
        self.start_sweep().await;
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            let (named, everywhere) = self.app.extraction.take();
            for tenant in named {
                self.make_due(tenant);
            }
            if everywhere {
                self.start_sweep().await;
            }
            if !self.sweep.is_empty() {
                self.sweep_step().await;
            }
            self.dispatch().await;
            if !self.sweep.is_empty() {
                // More of the sweep to do: serve wake-ups and finished jobs, then go on.
                tokio::task::yield_now().await;
                while self.running.try_join_next().is_some() {}
                continue;
            }
            tokio::select! {
                _ = self.app.extraction.woken() => {}
                Some(_) = self.running.join_next(), if !self.running.is_empty() => {}
                _ = tick.tick() => self.start_sweep().await,
            }
        }
    }

    fn make_due(&mut self, tenant: Uuid) {
        if !self.due.contains(&tenant) {
            self.due.push_back(tenant);
        }
    }

    async fn start_sweep(&mut self) {
        let app = Arc::clone(&self.app);
        match tokio::task::spawn_blocking(move || app.store.platform_read(platform::tenant_ids)).await {
            Ok(Ok(ids)) => self.sweep = ids,
            Ok(Err(e)) => tracing::warn!(error = %e, "text extraction: the firms could not be listed"),
            Err(e) => tracing::warn!(error = %e, "text extraction: the sweep stopped"),
        }
    }

    /// Looks at the next chunk of firms: those with rows waiting become due (stale `running`
    /// rows requeued first, once).
    async fn sweep_step(&mut self) {
        let at = self.sweep.len().saturating_sub(SWEEP_CHUNK);
        let chunk: Vec<Uuid> = self.sweep.split_off(at);
        let app = Arc::clone(&self.app);
        let recovered = self.recovered.clone();
        let found = tokio::task::spawn_blocking(move || {
            let mut found = Vec::new();
            for tenant in chunk {
                let scope = TenantScope::operator(tenant);
                // An error (a firm not yet migrated to V19, say) means no files there yet.
                let waiting = app.store.tenant_peek(&scope, extraction::any_waiting).unwrap_or(false);
                if !waiting {
                    found.push((tenant, false, !recovered.contains(&tenant)));
                    continue;
                }
                let fresh = !recovered.contains(&tenant);
                if fresh && let Err(e) = requeue(&app, tenant) {
                    tracing::warn!(%tenant, error = %e, "text extraction: stale jobs not requeued");
                    continue;
                }
                found.push((tenant, true, fresh));
            }
            found
        })
        .await
        .unwrap_or_default();
        for (tenant, waiting, fresh) in found {
            if fresh {
                self.recovered.insert(tenant);
            }
            if waiting {
                self.make_due(tenant);
            }
        }
    }

    /// Claims jobs while workers are free, one firm after another.
    async fn dispatch(&mut self) {
        while self.running.len() < self.workers {
            let Some(tenant) = self.due.pop_front() else {
                return;
            };
            let app = Arc::clone(&self.app);
            let fresh = !self.recovered.contains(&tenant);
            let claimed = tokio::task::spawn_blocking(move || -> Result<Option<Job>, crate::store::StoreError> {
                if fresh {
                    requeue(&app, tenant)?;
                }
                let scope = TenantScope::operator(tenant);
                app.store
                    .tenant_write(&scope, |tx| extraction::claim(tx, jiff::Timestamp::now()))
            })
            .await;
            self.recovered.insert(tenant);
            match claimed {
                Ok(Ok(Some(job))) => {
                    // The firm may have more: its turn comes again after the others'.
                    self.due.push_back(tenant);
                    let work_dir = self.work_root.join(format!("{}-{}", job.file_id, job.version));
                    let ctx = JobCtx {
                        app: Arc::clone(&self.app),
                        exe: self.exe.clone(),
                        tools: Arc::clone(&self.tools),
                        limits: Arc::clone(&self.limits),
                        work_dir,
                    };
                    self.running.spawn(run_job(ctx, tenant, job));
                }
                Ok(Ok(None)) => {}
                Ok(Err(e)) => tracing::warn!(%tenant, error = %e, "text extraction: no job claimed"),
                Err(e) => tracing::warn!(%tenant, error = %e, "text extraction: the claim stopped"),
            }
        }
    }
}

fn requeue(app: &App, tenant: Uuid) -> Result<u64, crate::store::StoreError> {
    let scope = TenantScope::operator(tenant);
    let n = app
        .store
        .tenant_write(&scope, |tx| extraction::requeue_running(tx, jiff::Timestamp::now()))?;
    if n > 0 {
        tracing::info!(%tenant, jobs = n, "text extraction: jobs left running by a stopped server requeued");
    }
    Ok(n)
}

struct JobCtx {
    app: Arc<App>,
    exe: PathBuf,
    tools: Arc<Tools>,
    limits: Arc<Limits>,
    work_dir: PathBuf,
}

/// One job: the stored bytes copied to the job's directory, read by a child, the outcome written.
async fn run_job(ctx: JobCtx, tenant: Uuid, job: Job) {
    let outcome = match extract_job(&ctx, tenant, &job).await {
        Ok(x) => Outcome::Done {
            method: x.method.as_str(),
            text: x.text,
            pages: x.pages,
        },
        Err(e) if e.is_unsupported() => Outcome::Unsupported(e.to_string()),
        Err(e) => Outcome::Failed(e.to_string()),
    };
    let _ = tokio::fs::remove_dir_all(&ctx.work_dir).await;
    let done = matches!(outcome, Outcome::Done { .. });
    let app = Arc::clone(&ctx.app);
    let result = tokio::task::spawn_blocking(move || {
        let scope = TenantScope::operator(tenant);
        let finished = app.store.tenant_write(&scope, |tx| {
            extraction::finish(tx, &job, &outcome, jiff::Timestamp::now())
        })?;
        if finished && done && job.inbox {
            hooks::after_extraction(&app, tenant, job.file_id);
        }
        Ok::<_, crate::store::StoreError>((job, outcome))
    })
    .await;
    match result {
        Ok(Ok((job, outcome))) => match outcome {
            Outcome::Done { method, pages, .. } => {
                tracing::info!(%tenant, file = %job.file_id, version = job.version, method, pages, "text extracted")
            }
            Outcome::Failed(why) | Outcome::Unsupported(why) => {
                tracing::info!(%tenant, file = %job.file_id, version = job.version, reason = %why, "no text extracted")
            }
        },
        Ok(Err(e)) => tracing::warn!(%tenant, error = %e, "text extraction: the outcome was not recorded"),
        Err(e) => tracing::warn!(%tenant, error = %e, "text extraction: recording stopped"),
    }
}

async fn extract_job(ctx: &JobCtx, tenant: Uuid, job: &Job) -> Result<super::Extracted, ExtractError> {
    let Some(format) = Format::parse(&job.kind) else {
        return Err(ExtractError::Unsupported(format!(
            "files of kind {:?} are not read",
            job.kind
        )));
    };
    tokio::fs::create_dir_all(&ctx.work_dir)
        .await
        .map_err(|e| ExtractError::Io(format!("{}: {e}", ctx.work_dir.display())))?;
    let input = ctx.work_dir.join("input");
    copy_object(&ctx.app, tenant, &job.sha256, &input).await?;
    super::run::extract_in_child(&ctx.exe, format, &input, &ctx.work_dir, &ctx.limits, &ctx.tools).await
}

/// Copies the stored object to `path`, streamed (never whole in memory).
async fn copy_object(app: &App, tenant: Uuid, sha256: &str, path: &Path) -> Result<(), ExtractError> {
    let io = |e: std::io::Error| ExtractError::Io(format!("{}: {e}", path.display()));
    let mut object = app
        .files
        .get(tenant, sha256)
        .await
        .map_err(|e| ExtractError::Io(format!("the stored file could not be read: {e}")))?;
    let mut file = tokio::fs::File::create(path).await.map_err(io)?;
    while let Some(chunk) = object.stream.next().await {
        let chunk = chunk.map_err(|e| ExtractError::Io(format!("the stored file could not be read: {e}")))?;
        file.write_all(&chunk).await.map_err(io)?;
    }
    file.flush().await.map_err(io)?;
    Ok(())
}
