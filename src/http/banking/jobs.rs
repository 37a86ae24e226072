//! Statement imports as background jobs (`background=true` on `POST …/imports/`, then
//! `GET /api/banking/import-jobs/{id}/`): the upload answers 202 with the job at once, and the job
//! reports its stage (queued, parsing, checking, writing, done, failed), the lines written of the
//! total, and at the end the import or the error a synchronous import would have answered.
//!
//! **Storage: an in-memory registry in `App`, keyed by firm.** A job is the progress of one
//! transaction this process runs; it is not bookkeeping data. Writing its progress into the
//! firm's database would either need a second writer while the import's transaction holds the
//! one writer of a SQLite file (it would wait for the import it reports on), or a row written by
//! a failed import, which must write nothing. What a job produced is in the books anyway (the
//! import and its lines, listed under `…/imports/`); a server that stops mid-job rolls its
//! transaction back, and the job's id then answers 404. With several servers behind a load
//! balancer, the polls must reach the server that took the upload (sticky sessions), as any
//! other answers 404.
//!
//! **Bounds.** A firm runs at most [`MAX_RUNNING`] imports at once (another is a 429 with
//! `Retry-After`) and keeps at most [`MAX_KEPT`] jobs (the oldest finished one is forgotten for a
//! new one); a finished job is forgotten [`KEEP_FINISHED`] after it ends. Every look-up prunes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Json;
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::imports::ImportDto;
use crate::http::company::{Id, InCompany, perm};
use crate::http::error::{ApiError, Reply};

/// Imports one firm runs at once.
pub const MAX_RUNNING: usize = 2;
/// Jobs one firm keeps (running and finished).
pub const MAX_KEPT: usize = 20;
/// How long a finished job can still be read.
pub const KEEP_FINISHED: Duration = Duration::from_secs(30 * 60);

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Accepted, not started.
    Queued,
    /// Reading the file into lines.
    Parsing,
    /// Fingerprints, duplicates, amounts and the balance check.
    Checking,
    /// Writing the new lines (and auto-matching), in one transaction.
    Writing,
    Done,
    /// Nothing was written; `error` says why.
    Failed,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Queued => "queued",
            Stage::Parsing => "parsing",
            Stage::Checking => "checking",
            Stage::Writing => "writing",
            Stage::Done => "done",
            Stage::Failed => "failed",
        }
    }
}

struct State {
    stage: Stage,
    lines_done: usize,
    lines_total: Option<usize>,
    /// When it ended: for expiry, and for the answer.
    finished: Option<(Instant, Timestamp)>,
    result: Option<ImportDto>,
    error: Option<(u16, serde_json::Value)>,
}

/// One background import.
pub struct Job {
    pub id: Uuid,
    company: Uuid,
    bank_account: Uuid,
    created_at: Timestamp,
    state: Mutex<State>,
}

impl Job {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn finished_at(&self) -> Option<Instant> {
        self.state().finished.map(|f| f.0)
    }

    pub fn stage(&self, stage: Stage) {
        self.state().stage = stage;
    }

    /// The file is read: `total` lines to check and write.
    pub fn lines(&self, total: usize) {
        let mut s = self.state();
        s.stage = Stage::Checking;
        s.lines_total = Some(total);
    }

    pub fn written(&self, done: usize) {
        self.state().lines_done = done;
    }

    pub fn succeed(&self, import: ImportDto) {
        let mut s = self.state();
        s.stage = Stage::Done;
        s.lines_done = s.lines_total.unwrap_or(s.lines_done);
        s.result = Some(import);
        s.finished = Some((Instant::now(), Timestamp::now()));
    }

    /// Ends the job with the answer a synchronous import would have given: its status and body.
    pub fn fail(&self, status: u16, body: serde_json::Value) {
        let mut s = self.state();
        s.stage = Stage::Failed;
        s.error = Some((status, body));
        s.finished = Some((Instant::now(), Timestamp::now()));
    }

    pub fn dto(&self) -> JobDto {
        let s = self.state();
        JobDto {
            id: self.id,
            bank_account: self.bank_account,
            stage: s.stage.as_str(),
            lines_done: s.lines_done,
            lines_total: s.lines_total,
            created_at: self.created_at.to_string(),
            finished_at: s.finished.map(|f| f.1.to_string()),
            result: s.result.clone(),
            error_status: s.error.as_ref().map(|e| e.0),
            error: s.error.as_ref().map(|e| e.1.clone()),
        }
    }
}

/// The background imports of every firm, by firm (see the module's note on why in memory).
#[derive(Default)]
pub struct ImportJobs {
    firms: Mutex<HashMap<Uuid, Vec<Arc<Job>>>>,
}

/// Drops the firm's finished jobs older than [`KEEP_FINISHED`].
fn prune(jobs: &mut Vec<Arc<Job>>) {
    jobs.retain(|j| j.finished_at().is_none_or(|at| at.elapsed() < KEEP_FINISHED));
}

impl ImportJobs {
    /// Registers a new job of `firm`'s `company` for `bank_account`; a 429 when the firm runs
    /// [`MAX_RUNNING`] already.
    pub fn start(&self, firm: Uuid, company: Uuid, bank_account: Uuid) -> Result<Arc<Job>, ApiError> {
        let mut firms = self.firms.lock().unwrap_or_else(PoisonError::into_inner);
        let jobs = firms.entry(firm).or_default();
        prune(jobs);
        if jobs.iter().filter(|j| j.finished_at().is_none()).count() >= MAX_RUNNING {
            return Err(ApiError::Throttled {
                detail: format!(
                    "This firm runs {MAX_RUNNING} statement imports already: try again when one has finished."
                ),
                retry_after: 5,
            });
        }
        while jobs.len() >= MAX_KEPT {
            // Running jobs are fewer than MAX_KEPT, so a finished one is there to forget.
            let Some(oldest) = jobs.iter().position(|j| j.finished_at().is_some()) else {
                break;
            };
            jobs.remove(oldest);
        }
        let job = Arc::new(Job {
            id: Uuid::now_v7(),
            company,
            bank_account,
            created_at: Timestamp::now(),
            state: Mutex::new(State {
                stage: Stage::Queued,
                lines_done: 0,
                lines_total: None,
                finished: None,
                result: None,
                error: None,
            }),
        });
        jobs.push(Arc::clone(&job));
        Ok(job)
    }

    /// The job `id` of `firm`'s `company`, if it is kept.
    pub fn find(&self, firm: Uuid, company: Uuid, id: Uuid) -> Option<Arc<Job>> {
        let mut firms = self.firms.lock().unwrap_or_else(PoisonError::into_inner);
        let jobs = firms.get_mut(&firm)?;
        prune(jobs);
        let found = jobs.iter().find(|j| j.id == id && j.company == company).cloned();
        if jobs.is_empty() {
            firms.remove(&firm);
        }
        found
    }
}

/// A background import as `GET /api/banking/import-jobs/{id}/` shows it.
#[derive(Serialize, ToSchema)]
#[schema(as = StatementImportJob)]
pub struct JobDto {
    pub id: Uuid,
    pub bank_account: Uuid,
    /// `queued`, `parsing`, `checking`, `writing`, `done` or `failed`.
    pub stage: &'static str,
    /// Lines of the file written so far (new or found already imported).
    pub lines_done: usize,
    /// The file's lines, once it is read.
    #[schema(required = true)]
    pub lines_total: Option<usize>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(required = true, format = DateTime)]
    pub finished_at: Option<String>,
    /// When `done`: the import, as a synchronous import answers it (201).
    #[schema(required = true)]
    pub result: Option<ImportDto>,
    /// When `failed`: the status a synchronous import would have answered (400 for a bad file)…
    #[schema(required = true)]
    pub error_status: Option<u16>,
    /// …and its body: `{"file": ["row 4: amount: …"]}` for a 400, `{"detail": …}` otherwise.
    /// Nothing was written.
    #[schema(required = true, value_type = Option<Object>)]
    pub error: Option<serde_json::Value>,
}

/// `GET /api/banking/import-jobs/{id}/`: a background import of the caller's company (another
/// firm's or company's, or one forgotten, is a 404).
pub async fn get(c: InCompany<perm::ViewLedger>, Id(id): Id) -> Reply<Json<JobDto>> {
    let firm = c.firm()?;
    let app = c.app().clone();
    let company = c.read(|_, ctx| Ok(ctx.books.company_id)).await?;
    let job = app.import_jobs.find(firm, company, id).ok_or(ApiError::NotFound)?;
    Ok(Json(job.dto()))
}
