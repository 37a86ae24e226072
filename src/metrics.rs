//! The figures `GET /metrics` shows, in the Prometheus text format (version 0.0.4), with no
//! metrics crate: request counters and latency histograms kept per route *template*
//! (`/api/invoicing/invoices/{id}/`, never the raw path, so the number of series stays bounded),
//! the store's connection state, firm counts and sizes (read at most every 30 s), build info and
//! uptime. `http::metrics` counts the requests and serves the text; the figures live here, below
//! the application state that holds them, so that neither depends on the other.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use uuid::Uuid;

use crate::store::stats::{self, TenantSize};
use crate::store::{PoolStats, Store, StoreError};
use crate::tenancy::TenantScope;

/// Upper bounds of the latency buckets, in seconds: most API answers take about a millisecond,
/// PDFs a few, a bulk import seconds.
const BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Firm counts and sizes are read from the databases at most this often.
const SIZES_TTL: Duration = Duration::from_secs(30);
/// Per-firm series only up to this many active firms: beyond it they would cost a database
/// open per firm per scrape and swamp the scraper, so only the totals by status are given.
const PER_TENANT_MAX: usize = 100;

/// The figures of one running server (one per [`App`](crate::app::App)).
pub struct Metrics {
    started: Instant,
    started_unix: f64,
    /// route template → method → its counters.
    routes: RwLock<HashMap<String, ByMethod>>,
    /// Requests and connections refused by a limit, by [`Refusal`].
    refused: Mutex<BTreeMap<&'static str, u64>>,
    sizes: Mutex<Option<(Instant, Arc<Sizes>)>>,
    /// Documents e-mailed, by [`MailOutcome`].
    mail: Mutex<[u64; 3]>,
}

/// What became of a request to e-mail a document: what `oasys_mail_messages_total` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailOutcome {
    /// Handed to the mail server (or written to `smtp.file_dir`).
    Sent,
    /// Logged, then refused or not answered by the mail server (or never built).
    Failed,
    /// Refused before it was logged: the firm's `smtp.messages_per_firm_per_hour` was reached.
    RateLimited,
}

impl MailOutcome {
    pub const ALL: [MailOutcome; 3] = [MailOutcome::Sent, MailOutcome::Failed, MailOutcome::RateLimited];

    pub fn as_str(self) -> &'static str {
        match self {
            MailOutcome::Sent => "sent",
            MailOutcome::Failed => "failed",
            MailOutcome::RateLimited => "rate_limited",
        }
    }

    fn index(self) -> usize {
        match self {
            MailOutcome::Sent => 0,
            MailOutcome::Failed => 1,
            MailOutcome::RateLimited => 2,
        }
    }
}

/// Why the server refused a request (or closed a connection) by one of its limits: what
/// `oasys_refused_requests_total` counts and the log names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Too many attempts: sign-in throttling (429).
    RateLimit,
    /// Too slow: a request head, body or answer past its timeout (408, 503, a closed connection).
    Timeout,
    /// Too large: a body past its limit (413).
    SizeLimit,
    /// Not allowed: the caller's role or firm does not permit it (403).
    Permission,
}

impl Refusal {
    pub const ALL: [Refusal; 4] = [
        Refusal::RateLimit,
        Refusal::Timeout,
        Refusal::SizeLimit,
        Refusal::Permission,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::RateLimit => "rate_limit",
            Refusal::Timeout => "timeout",
            Refusal::SizeLimit => "size_limit",
            Refusal::Permission => "permission",
        }
    }
}

type ByMethod = HashMap<&'static str, Arc<Mutex<Series>>>;

/// One route and method: answers by status, and the latency histogram.
#[derive(Default)]
struct Series {
    statuses: BTreeMap<u16, u64>,
    /// Not cumulative: `buckets[i]` counts durations in `(BUCKETS[i-1], BUCKETS[i]]`.
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_seconds: f64,
}

/// Firm counts, read together.
#[derive(Default)]
struct Sizes {
    active: i64,
    inactive: i64,
    /// `None` when there are more active firms than [`PER_TENANT_MAX`].
    per_tenant: Option<Vec<(Uuid, TenantSize)>>,
    unreadable: usize,
    /// When the newest recorded backup finished, in Unix seconds: alert when it gets old.
    last_backup: Option<i64>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Counters only: a panic elsewhere cannot leave them meaningfully inconsistent.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        Metrics {
            started: Instant::now(),
            started_unix: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64()),
            routes: RwLock::new(HashMap::new()),
            refused: Mutex::new(BTreeMap::new()),
            sizes: Mutex::new(None),
            mail: Mutex::new([0; 3]),
        }
    }

    /// Counts one answered request.
    pub(crate) fn observe(&self, route: &str, method: &'static str, status: u16, took: Duration) {
        let series = self.series(route, method);
        let seconds = took.as_secs_f64();
        let mut s = lock(&series);
        *s.statuses.entry(status).or_insert(0) += 1;
        if let Some(i) = BUCKETS.iter().position(|le| seconds <= *le) {
            s.buckets[i] += 1;
        }
        s.count += 1;
        s.sum_seconds += seconds;
    }

    /// Counts one refusal.
    pub fn refused(&self, why: Refusal) {
        *lock(&self.refused).entry(why.as_str()).or_insert(0) += 1;
    }

    fn series(&self, route: &str, method: &'static str) -> Arc<Mutex<Series>> {
        {
            let routes = self.routes.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(s) = routes.get(route).and_then(|m| m.get(method)) {
                return Arc::clone(s);
            }
        }
        let mut routes = self.routes.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(routes.entry(route.to_owned()).or_default().entry(method).or_default())
    }

    /// Counts one request to e-mail a document.
    pub fn mail(&self, outcome: MailOutcome) {
        lock(&self.mail)[outcome.index()] += 1;
    }

    /// The text of one scrape, the firm counts re-read when older than [`SIZES_TTL`]. Blocking.
    pub fn scrape(&self, store: &Store) -> Result<String, StoreError> {
        let sizes = self.sizes(store)?;
        Ok(render(self, store, &sizes))
    }

    /// The firm counts, re-read when older than [`SIZES_TTL`]. Blocking.
    fn sizes(&self, store: &Store) -> Result<Arc<Sizes>, StoreError> {
        if let Some((at, sizes)) = lock(&self.sizes).as_ref()
            && at.elapsed() < SIZES_TTL
        {
            return Ok(Arc::clone(sizes));
        }
        let sizes = Arc::new(read_sizes(store)?);
        *lock(&self.sizes) = Some((Instant::now(), Arc::clone(&sizes)));
        Ok(sizes)
    }
}

fn read_sizes(store: &Store) -> Result<Sizes, StoreError> {
    let (active, inactive) = store.platform_read(stats::tenants_by_status)?;
    // On SQLite, reading more firms than the cache holds would evict the busy ones.
    let limit = match store.pool_stats() {
        PoolStats::Sqlite { capacity, .. } => PER_TENANT_MAX.min(capacity),
        PoolStats::Postgres { .. } => PER_TENANT_MAX,
    };
    let ids = store.platform_read(|tx| stats::active_tenant_ids(tx, i64::try_from(limit + 1).unwrap_or(i64::MAX)))?;
    let last_backup = store
        .platform_read(crate::store::platform::last_backup)?
        .map(|run| run.finished_at.as_second());
    let mut sizes = Sizes {
        active,
        inactive,
        last_backup,
        ..Sizes::default()
    };
    if ids.len() > limit {
        return Ok(sizes);
    }
    let mut per_tenant = Vec::with_capacity(ids.len());
    for id in ids {
        // Server-internal, like the scheduler: the operator's scope, never a user's input.
        match store.tenant_read(&TenantScope::operator(id), stats::tenant_size) {
            Ok(size) => per_tenant.push((id, size)),
            Err(e) => {
                tracing::warn!(tenant = %id, error = %e, "metrics: cannot read the firm's database");
                sizes.unreadable += 1;
            }
        }
    }
    sizes.per_tenant = Some(per_tenant);
    Ok(sizes)
}

/// Writes one metric family's `# HELP` and `# TYPE` lines.
fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value with `\`, `"` and newlines escaped, as the text format requires.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn render(m: &Metrics, store: &Store, sizes: &Sizes) -> String {
    let mut out = String::with_capacity(8192);
    family(
        &mut out,
        "oasys_build_info",
        "gauge",
        "The running build: version and storage backend.",
    );
    let _ = writeln!(
        out,
        "oasys_build_info{{version=\"{}\",backend=\"{}\"}} 1",
        escape(env!("CARGO_PKG_VERSION")),
        store.backend_name()
    );
    family(
        &mut out,
        "oasys_start_time_seconds",
        "gauge",
        "When the server started, in Unix time.",
    );
    let _ = writeln!(out, "oasys_start_time_seconds {:.3}", m.started_unix);
    family(
        &mut out,
        "oasys_uptime_seconds",
        "gauge",
        "Seconds since the server started.",
    );
    let _ = writeln!(out, "oasys_uptime_seconds {:.3}", m.started.elapsed().as_secs_f64());
    if let Some(at) = sizes.last_backup {
        family(
            &mut out,
            "oasys_last_backup_timestamp_seconds",
            "gauge",
            "When the newest backup that was written and read back finished, in Unix time.",
        );
        let _ = writeln!(out, "oasys_last_backup_timestamp_seconds {at}");
    }

    family(
        &mut out,
        "oasys_mail_messages_total",
        "counter",
        "Documents e-mailed: sent, failed (logged, not delivered), rate_limited (refused by the firm's hourly limit).",
    );
    let mail = *lock(&m.mail);
    for outcome in MailOutcome::ALL {
        let _ = writeln!(
            out,
            "oasys_mail_messages_total{{outcome=\"{}\"}} {}",
            outcome.as_str(),
            mail[outcome.index()]
        );
    }

    // Sorted, so two scrapes list the series in the same order.
    let mut series: Vec<(String, &'static str, Series)> = Vec::new();
    {
        let routes = m.routes.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        for (route, methods) in routes.iter() {
            for (method, s) in methods {
                let s = lock(s);
                series.push((
                    escape(route),
                    method,
                    Series {
                        statuses: s.statuses.clone(),
                        buckets: s.buckets,
                        count: s.count,
                        sum_seconds: s.sum_seconds,
                    },
                ));
            }
        }
    }
    series.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    family(
        &mut out,
        "oasys_http_requests_total",
        "counter",
        "HTTP requests answered, by route template, method and status.",
    );
    for (route, method, s) in &series {
        for (status, n) in &s.statuses {
            let _ = writeln!(
                out,
                "oasys_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {n}"
            );
        }
    }
    family(
        &mut out,
        "oasys_http_request_duration_seconds",
        "histogram",
        "Time until the response headers, by route template and method.",
    );
    for (route, method, s) in &series {
        let mut cumulative = 0;
        for (le, n) in BUCKETS.iter().zip(s.buckets) {
            cumulative += n;
            let _ = writeln!(
                out,
                "oasys_http_request_duration_seconds_bucket{{route=\"{route}\",method=\"{method}\",le=\"{le}\"}} {cumulative}"
            );
        }
        let labels = format!("route=\"{route}\",method=\"{method}\"");
        let _ = writeln!(
            out,
            "oasys_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
            s.count
        );
        let _ = writeln!(
            out,
            "oasys_http_request_duration_seconds_sum{{{labels}}} {}",
            s.sum_seconds
        );
        let _ = writeln!(out, "oasys_http_request_duration_seconds_count{{{labels}}} {}", s.count);
    }

    family(
        &mut out,
        "oasys_refused_requests_total",
        "counter",
        "Requests and connections refused by a limit: rate_limit, timeout, size_limit, permission.",
    );
    {
        let refused = lock(&m.refused);
        for why in Refusal::ALL {
            let n = refused.get(why.as_str()).copied().unwrap_or(0);
            let _ = writeln!(out, "oasys_refused_requests_total{{reason=\"{}\"}} {n}", why.as_str());
        }
    }

    match store.pool_stats() {
        PoolStats::Sqlite {
            open_tenant_databases,
            capacity,
        } => {
            family(
                &mut out,
                "oasys_db_tenant_databases_open",
                "gauge",
                "SQLite firm databases open in the cache.",
            );
            let _ = writeln!(out, "oasys_db_tenant_databases_open {open_tenant_databases}");
            family(
                &mut out,
                "oasys_db_tenant_databases_capacity",
                "gauge",
                "Size of the SQLite firm database cache (tenant_cache_size).",
            );
            let _ = writeln!(out, "oasys_db_tenant_databases_capacity {capacity}");
        }
        PoolStats::Postgres { connections, idle, max } => {
            family(
                &mut out,
                "oasys_db_pool_connections",
                "gauge",
                "PostgreSQL pool connections, idle or in use.",
            );
            let _ = writeln!(out, "oasys_db_pool_connections{{state=\"idle\"}} {idle}");
            let _ = writeln!(
                out,
                "oasys_db_pool_connections{{state=\"in_use\"}} {}",
                connections.saturating_sub(idle)
            );
            family(
                &mut out,
                "oasys_db_pool_max_connections",
                "gauge",
                "Size of the PostgreSQL pool (database_pool_size).",
            );
            let _ = writeln!(out, "oasys_db_pool_max_connections {max}");
        }
    }

    family(&mut out, "oasys_tenants", "gauge", "Firms, by status.");
    let _ = writeln!(out, "oasys_tenants{{status=\"active\"}} {}", sizes.active);
    let _ = writeln!(out, "oasys_tenants{{status=\"inactive\"}} {}", sizes.inactive);
    family(
        &mut out,
        "oasys_tenants_unreadable",
        "gauge",
        "Active firms whose database could not be read at the last count (see the server log).",
    );
    let _ = writeln!(out, "oasys_tenants_unreadable {}", sizes.unreadable);
    if let Some(per_tenant) = &sizes.per_tenant {
        family(
            &mut out,
            "oasys_tenant_posted_entries",
            "gauge",
            "Posted journal entries per active firm (up to 100 firms).",
        );
        for (id, size) in per_tenant {
            let _ = writeln!(
                out,
                "oasys_tenant_posted_entries{{tenant=\"{id}\"}} {}",
                size.posted_entries
            );
        }
        family(
            &mut out,
            "oasys_tenant_documents",
            "gauge",
            "Invoices, credit notes, bills and vendor credits per active firm (up to 100 firms).",
        );
        for (id, size) in per_tenant {
            let _ = writeln!(out, "oasys_tenant_documents{{tenant=\"{id}\"}} {}", size.documents);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_land_in_cumulative_buckets() {
        let m = Metrics::new();
        m.observe("/api/x/{id}/", "GET", 200, Duration::from_micros(500));
        m.observe("/api/x/{id}/", "GET", 200, Duration::from_millis(30));
        m.observe("/api/x/{id}/", "GET", 404, Duration::from_secs(60));
        let series = m.series("/api/x/{id}/", "GET");
        let s = lock(&series);
        assert_eq!(s.count, 3);
        assert_eq!(s.statuses.get(&200), Some(&2));
        assert_eq!(s.buckets[0], 1, "0.5 ms ≤ 1 ms");
        assert_eq!(s.buckets[5], 1, "30 ms in (25 ms, 50 ms]");
        assert_eq!(s.buckets.iter().sum::<u64>(), 2, "60 s only in +Inf");
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
