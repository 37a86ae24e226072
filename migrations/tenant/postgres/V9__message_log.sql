-- The message log (issue 14): every e-mail of a document is logged *before* it leaves, as
-- `sending`, and completed with the mail server's answer (`sent` or `failed`); the firm's hourly
-- message limit counts these rows, over all its companies. Each row also keeps the Reply-To the
-- message carried and when its outcome was recorded.
ALTER TABLE email_log DROP CONSTRAINT email_log_status_check;
ALTER TABLE email_log ADD CONSTRAINT email_log_status_check CHECK (status IN ('sending', 'sent', 'failed'));
-- The company's stored e-mail, or '' when the message had no Reply-To.
ALTER TABLE email_log ADD COLUMN reply_to TEXT NOT NULL DEFAULT '';
-- When the outcome was recorded; NULL while sending.
ALTER TABLE email_log ADD COLUMN finished_at TEXT;
UPDATE email_log SET finished_at = created_at;
CREATE INDEX email_log_created ON email_log(created_at);
