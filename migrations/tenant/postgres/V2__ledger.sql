-- The ledger: journal entries and their lines, per-day account totals maintained with every
-- posting, gap-free counters, the per-company hash chain and its signed checkpoints, period
-- settings, and idempotency keys. Amounts are integer minor units of the company currency.
CREATE TABLE company_settings (
    company_id TEXT PRIMARY KEY REFERENCES companies(id),
    fiscal_year_start_month BIGINT NOT NULL DEFAULT 1,
    lock_date TEXT,
    hard_lock_date TEXT,
    approval_required BOOLEAN NOT NULL DEFAULT FALSE,
    approval_threshold BIGINT NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);

CREATE TABLE counters (
    company_id TEXT NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (company_id, name)
);

CREATE TABLE journal_entries (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    number BIGINT,
    date TEXT NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    total BIGINT NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    approved_by TEXT,
    posted_by TEXT,
    posted_at TEXT,
    reverses_id TEXT REFERENCES journal_entries(id),
    reversed_by_id TEXT REFERENCES journal_entries(id),
    chain_seq BIGINT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (company_id, number)
);
CREATE INDEX journal_entries_company_date ON journal_entries(company_id, date, number);

CREATE TABLE journal_lines (
    entry_id TEXT NOT NULL REFERENCES journal_entries(id) ON DELETE CASCADE,
    line_no BIGINT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    description TEXT NOT NULL DEFAULT '',
    debit BIGINT NOT NULL DEFAULT 0,
    credit BIGINT NOT NULL DEFAULT 0,
    currency TEXT,
    amount_currency BIGINT,
    exchange_rate TEXT,
    -- Copied from the entry when it is posted (NULL on drafts): the general ledger reads an
    -- account's posted lines in order from one index, without touching the entries.
    posted_date TEXT,
    posted_number BIGINT,
    PRIMARY KEY (entry_id, line_no)
);
CREATE INDEX journal_lines_ledger ON journal_lines(account_id, posted_date, posted_number, line_no, debit, credit);

-- Posted totals per account and day, kept in the posting transaction: reports read these.
CREATE TABLE account_balances (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    date TEXT NOT NULL,
    debit BIGINT NOT NULL DEFAULT 0,
    credit BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, date)
);

-- One hash chain per company over every posting, reversal and period close.
CREATE TABLE ledger_chain (
    company_id TEXT NOT NULL REFERENCES companies(id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    object_id TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (company_id, seq)
);

CREATE TABLE chain_checkpoints (
    company_id TEXT NOT NULL REFERENCES companies(id),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    signature TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (company_id, seq)
);

CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request TEXT NOT NULL,
    status BIGINT NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);

ALTER TABLE audit_log ADD COLUMN company_id TEXT;
CREATE INDEX audit_log_company ON audit_log(company_id, created_at);
-- An object's history (an entry's detail page) by one index walk.
DROP INDEX audit_log_object;
CREATE INDEX audit_log_company_object ON audit_log(company_id, object_id, created_at);
