-- The message log (issue 14): every e-mail of a document is logged *before* it leaves, as
-- `sending`, and completed with the mail server's answer (`sent` or `failed`); the firm's hourly
-- message limit counts these rows, over all its companies. Each row also keeps the Reply-To the
-- message carried and when its outcome was recorded.
--
-- SQLite cannot change a CHECK in place: the table is rebuilt with its rows, the new columns
-- last, in the order PostgreSQL's ALTER TABLE gives them (the portable export names columns in
-- declared order on both backends).
CREATE TABLE email_log_v9 (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    document_id TEXT NOT NULL REFERENCES documents(id),
    -- The recipients as a JSON array of strings.
    to_addresses TEXT NOT NULL,
    subject TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    -- The company's stored e-mail, or '' when the message had no Reply-To.
    reply_to TEXT NOT NULL DEFAULT '',
    -- When the outcome was recorded; NULL while sending.
    finished_at TEXT
) STRICT;
INSERT INTO email_log_v9 (id, company_id, document_id, to_addresses, subject, status, error, created_at, created_by, finished_at)
    SELECT id, company_id, document_id, to_addresses, subject, status, error, created_at, created_by, created_at
    FROM email_log;
DROP TABLE email_log;
ALTER TABLE email_log_v9 RENAME TO email_log;
CREATE INDEX email_log_document ON email_log(company_id, document_id, created_at);
CREATE INDEX email_log_created ON email_log(created_at);
