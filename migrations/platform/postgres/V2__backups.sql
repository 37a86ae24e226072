-- Backups that were written and read back (by hand, on schedule, before an upgrade): what
-- `oasys doctor` and the metrics read to say how old the newest backup is.
CREATE TABLE backup_runs (
    id TEXT PRIMARY KEY,
    finished_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    path TEXT NOT NULL,
    archive_bytes BIGINT NOT NULL,
    tenants BIGINT NOT NULL,
    entries BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL
);
CREATE INDEX backup_runs_finished ON backup_runs(finished_at);
