-- Document delivery: a company's own document template and logo, and the log of documents sent
-- by e-mail. The logo is base64 text in the row, not a blob or a file: the SQL layer carries
-- integers and text only, and a PostgreSQL firm has no directory of its own that every server
-- shares, so text in the firm's own database is the one place both backends keep alike (and it
-- travels with the firm's backups). At most 1 MiB of image makes at most 1.4 MB of text.
CREATE TABLE document_templates (
    company_id TEXT PRIMARY KEY REFERENCES companies(id),
    -- The firm's template TOML as typed (NULL: the embedded default).
    template TEXT,
    logo TEXT,
    logo_content_type TEXT CHECK (logo_content_type IN ('image/png', 'image/jpeg')),
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    CHECK ((logo IS NULL) = (logo_content_type IS NULL))
);

-- One row per attempt to e-mail a document, written after the attempt, whatever its outcome.
CREATE TABLE email_log (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    document_id TEXT NOT NULL REFERENCES documents(id),
    -- The recipients as a JSON array of strings.
    to_addresses TEXT NOT NULL,
    subject TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sent', 'failed')),
    error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX email_log_document ON email_log(company_id, document_id, created_at);
