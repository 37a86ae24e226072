-- Capture (issue 18, part 4): received bills and receipts become drafts, read field by field.
--
-- * `capture_drafts`: one per file version put in the inbox; `pending` until a person accepts it
--   (as a draft bill or a draft expense entry: `result_kind`, `result_id`) or rejects it.
--   `contact_id` is the vendor matched (or chosen on accept).
-- * `capture_draft_fields`: each field read, with its confidence (0-100) and the span of the
--   extracted text it came from (byte offsets, for highlighting). `value` is the text form
--   (ISO date, currency code, number, the vendor's name as read); `amount` the minor units of
--   net, tax and gross. Columns, not a JSON blob: the domain reads typed values.
-- * `capture_draft_lines`: the document's lines (`kind` 'line') and its tax per rate ('tax':
--   `rate_ppm`, `base`, `amount` = the tax), each with its confidence and span.
-- * `capture_layouts`: what accepting taught: on a vendor's documents, `field` follows `label`.
-- * `ai_calls`: every call to the optional AI endpoint, with its tokens and cost in millionths of
--   the firm's currency unit, and whether it worked; `ai_settings`: the firm's switch and monthly
--   limit (one row).
CREATE TABLE capture_drafts (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    file_id TEXT NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending','accepted','rejected')),
    contact_id TEXT REFERENCES contacts(id),
    result_kind TEXT CHECK (result_kind IN ('bill','expense')),
    result_id TEXT,
    created_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    UNIQUE (file_id, version)
);
CREATE INDEX capture_drafts_company_status ON capture_drafts(company_id, status, created_at);

CREATE TABLE capture_draft_fields (
    draft_id TEXT NOT NULL REFERENCES capture_drafts(id) ON DELETE CASCADE,
    field TEXT NOT NULL CHECK (field IN ('vendor','date','due_date','number','currency','net','tax','gross')),
    value TEXT NOT NULL DEFAULT '',
    amount BIGINT,
    confidence BIGINT NOT NULL CHECK (confidence BETWEEN 0 AND 100),
    span_start BIGINT,
    span_end BIGINT,
    PRIMARY KEY (draft_id, field)
);

CREATE TABLE capture_draft_lines (
    draft_id TEXT NOT NULL REFERENCES capture_drafts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('line','tax')),
    position BIGINT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    amount BIGINT NOT NULL,
    rate_ppm BIGINT,
    base BIGINT,
    confidence BIGINT NOT NULL CHECK (confidence BETWEEN 0 AND 100),
    span_start BIGINT,
    span_end BIGINT,
    PRIMARY KEY (draft_id, kind, position)
);

CREATE TABLE capture_layouts (
    company_id TEXT NOT NULL REFERENCES companies(id),
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    field TEXT NOT NULL CHECK (field IN ('vendor','date','due_date','number','currency','net','tax','gross')),
    label TEXT NOT NULL,
    taught BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, contact_id, field, label)
);

CREATE TABLE ai_calls (
    id TEXT PRIMARY KEY,
    company_id TEXT REFERENCES companies(id),
    at TEXT NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('extract','suggest_account')),
    model TEXT NOT NULL,
    tokens_in BIGINT NOT NULL,
    tokens_out BIGINT NOT NULL,
    cost_micros BIGINT NOT NULL,
    ok BOOLEAN NOT NULL,
    error TEXT
);
CREATE INDEX ai_calls_at ON ai_calls(at);

CREATE TABLE ai_settings (
    id BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    enabled BOOLEAN NOT NULL,
    monthly_limit_micros BIGINT NOT NULL CHECK (monthly_limit_micros >= 0),
    updated_at TEXT NOT NULL
);
