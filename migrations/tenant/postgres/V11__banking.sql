-- Banking: the firm's bank accounts (each tied to a GL account of subtype bank), the statements
-- imported into them line by line, the rules and learned memory that match lines to the books,
-- and the reconciliation sessions that sign a bank account off up to a statement date. Money is
-- integer minor units of the bank account's currency; dates are `YYYY-MM-DD` text.
CREATE TABLE bank_accounts (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    -- Upper case, without spaces; '' when the account has none.
    iban TEXT NOT NULL DEFAULT '',
    account_number TEXT NOT NULL DEFAULT '',
    bic TEXT NOT NULL DEFAULT '',
    bank_name TEXT NOT NULL DEFAULT '',
    opening_balance BIGINT NOT NULL DEFAULT 0,
    opening_date TEXT,
    -- As of the last import that stated a closing balance.
    statement_balance BIGINT,
    statement_date TEXT,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX bank_accounts_company_name ON bank_accounts(company_id, name, id);
CREATE INDEX bank_accounts_company_iban ON bank_accounts(company_id, iban);

CREATE TABLE statement_imports (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    bank_account_id TEXT NOT NULL REFERENCES bank_accounts(id),
    format TEXT NOT NULL,
    file_name TEXT NOT NULL DEFAULT '',
    -- Hex SHA-256 of the file's bytes.
    sha256 TEXT NOT NULL,
    period_from TEXT,
    period_to TEXT,
    opening_balance BIGINT,
    closing_balance BIGINT,
    lines_new BIGINT NOT NULL DEFAULT 0,
    lines_duplicate BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('committed')),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX statement_imports_account ON statement_imports(bank_account_id, created_at, id);

CREATE TABLE reconciliations (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    bank_account_id TEXT NOT NULL REFERENCES bank_accounts(id),
    statement_date TEXT NOT NULL,
    closing_balance BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved')),
    created_by TEXT NOT NULL,
    submitted_by TEXT,
    submitted_at TEXT,
    approved_by TEXT,
    approved_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX reconciliations_account ON reconciliations(bank_account_id, statement_date, id);
CREATE INDEX reconciliations_company ON reconciliations(company_id, created_at, id);

CREATE TABLE statement_lines (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    bank_account_id TEXT NOT NULL REFERENCES bank_accounts(id),
    import_id TEXT NOT NULL REFERENCES statement_imports(id),
    -- The bank's transaction id, or a hash of date, amount, text and position: re-importing a
    -- line the account already has adds nothing.
    fingerprint TEXT NOT NULL,
    date TEXT NOT NULL,
    value_date TEXT,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    counterparty TEXT NOT NULL DEFAULT '',
    counterparty_account TEXT NOT NULL DEFAULT '',
    reference TEXT NOT NULL DEFAULT '',
    bank_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('unmatched', 'matched', 'reconciled', 'ignored')),
    -- What the line was matched to: `journal_entry`, `payment`, `invoice`, `bill`.
    matched_kind TEXT,
    matched_id TEXT,
    journal_entry_id TEXT REFERENCES journal_entries(id),
    reconciliation_id TEXT REFERENCES reconciliations(id),
    created_at TEXT NOT NULL,
    UNIQUE (bank_account_id, fingerprint)
);
CREATE INDEX statement_lines_account_date ON statement_lines(bank_account_id, date, id);
CREATE INDEX statement_lines_account_status ON statement_lines(bank_account_id, status, date);
CREATE INDEX statement_lines_import ON statement_lines(import_id);
CREATE INDEX statement_lines_company_amount ON statement_lines(company_id, amount, date);

-- "A text containing X (or matching a regex), an amount range, a counterparty IBAN → an account,
-- a contact, a tax rate and a description."
CREATE TABLE bank_rules (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    -- NULL: every bank account of the company.
    bank_account_id TEXT REFERENCES bank_accounts(id),
    name TEXT NOT NULL,
    priority BIGINT NOT NULL DEFAULT 100,
    text_contains TEXT NOT NULL DEFAULT '',
    text_regex TEXT NOT NULL DEFAULT '',
    amount_min BIGINT,
    amount_max BIGINT,
    counterparty_account TEXT NOT NULL DEFAULT '',
    account_id TEXT REFERENCES accounts(id),
    contact_id TEXT REFERENCES contacts(id),
    tax_rate_id TEXT REFERENCES tax_rates(id),
    description TEXT NOT NULL DEFAULT '',
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX bank_rules_company ON bank_rules(company_id, priority, id);

-- What a company has learned from confirmations and rejections: per counterparty key, how often
-- it went to an account or a contact.
CREATE TABLE bank_match_memory (
    company_id TEXT NOT NULL REFERENCES companies(id),
    -- A normalised counterparty name or IBAN.
    counterparty_key TEXT NOT NULL,
    -- `account` or `contact`.
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    confirmed BIGINT NOT NULL DEFAULT 0,
    rejected BIGINT NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, counterparty_key, target_kind, target_id)
);
