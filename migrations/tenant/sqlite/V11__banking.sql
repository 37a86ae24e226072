-- Banking: the firm's bank accounts (each tied to a GL account of subtype bank), the statements
-- imported into them line by line, the rules and learned memory that match lines to the books,
-- and the reconciliation sessions that sign a bank account off up to a statement date. Money is
-- integer minor units of the bank account's currency; dates are `YYYY-MM-DD` text; ids are 16-byte
-- BLOBs (`store::sql::Value::Id`, storage shape v10), TEXT on PostgreSQL.
CREATE TABLE bank_accounts (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    account_id BLOB NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    -- Upper case, without spaces; '' when the account has none.
    iban TEXT NOT NULL DEFAULT '',
    account_number TEXT NOT NULL DEFAULT '',
    bic TEXT NOT NULL DEFAULT '',
    bank_name TEXT NOT NULL DEFAULT '',
    opening_balance INTEGER NOT NULL DEFAULT 0,
    opening_date TEXT,
    -- As of the last import that stated a closing balance.
    statement_balance INTEGER,
    statement_date TEXT,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX bank_accounts_company_name ON bank_accounts(company_id, name, id);
CREATE INDEX bank_accounts_company_iban ON bank_accounts(company_id, iban);

CREATE TABLE statement_imports (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    bank_account_id BLOB NOT NULL REFERENCES bank_accounts(id),
    format TEXT NOT NULL,
    file_name TEXT NOT NULL DEFAULT '',
    -- Hex SHA-256 of the file's bytes.
    sha256 TEXT NOT NULL,
    period_from TEXT,
    period_to TEXT,
    opening_balance INTEGER,
    closing_balance INTEGER,
    lines_new INTEGER NOT NULL DEFAULT 0,
    lines_duplicate INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('committed')),
    created_by BLOB NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX statement_imports_account ON statement_imports(bank_account_id, created_at, id);

CREATE TABLE reconciliations (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    bank_account_id BLOB NOT NULL REFERENCES bank_accounts(id),
    statement_date TEXT NOT NULL,
    closing_balance INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved')),
    created_by BLOB NOT NULL,
    submitted_by BLOB,
    submitted_at TEXT,
    approved_by BLOB,
    approved_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX reconciliations_account ON reconciliations(bank_account_id, statement_date, id);
CREATE INDEX reconciliations_company ON reconciliations(company_id, created_at, id);

CREATE TABLE statement_lines (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    bank_account_id BLOB NOT NULL REFERENCES bank_accounts(id),
    import_id BLOB NOT NULL REFERENCES statement_imports(id),
    -- The bank's transaction id, or a hash of date, amount, text and position: re-importing a
    -- line the account already has adds nothing.
    fingerprint TEXT NOT NULL,
    date TEXT NOT NULL,
    value_date TEXT,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    counterparty TEXT NOT NULL DEFAULT '',
    counterparty_account TEXT NOT NULL DEFAULT '',
    reference TEXT NOT NULL DEFAULT '',
    bank_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('unmatched', 'matched', 'reconciled', 'ignored')),
    -- What the line was matched to: `journal_entry`, `payment`, `invoice`, `bill`.
    matched_kind TEXT,
    matched_id BLOB,
    journal_entry_id BLOB REFERENCES journal_entries(id),
    reconciliation_id BLOB REFERENCES reconciliations(id),
    created_at TEXT NOT NULL,
    UNIQUE (bank_account_id, fingerprint)
) STRICT;
CREATE INDEX statement_lines_account_date ON statement_lines(bank_account_id, date, id);
CREATE INDEX statement_lines_account_status ON statement_lines(bank_account_id, status, date);
CREATE INDEX statement_lines_import ON statement_lines(import_id);
CREATE INDEX statement_lines_company_amount ON statement_lines(company_id, amount, date);

-- "A text containing X (or matching a regex), an amount range, a counterparty IBAN → an account,
-- a contact, a tax rate and a description."
CREATE TABLE bank_rules (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    -- NULL: every bank account of the company.
    bank_account_id BLOB REFERENCES bank_accounts(id),
    name TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 100,
    text_contains TEXT NOT NULL DEFAULT '',
    text_regex TEXT NOT NULL DEFAULT '',
    amount_min INTEGER,
    amount_max INTEGER,
    counterparty_account TEXT NOT NULL DEFAULT '',
    account_id BLOB REFERENCES accounts(id),
    contact_id BLOB REFERENCES contacts(id),
    tax_rate_id BLOB REFERENCES tax_rates(id),
    description TEXT NOT NULL DEFAULT '',
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX bank_rules_company ON bank_rules(company_id, priority, id);

-- What a company has learned from confirmations and rejections: per counterparty key, how often
-- it went to an account or a contact.
CREATE TABLE bank_match_memory (
    company_id BLOB NOT NULL REFERENCES companies(id),
    -- A normalised counterparty name or IBAN.
    counterparty_key TEXT NOT NULL,
    -- `account` or `contact`.
    target_kind TEXT NOT NULL,
    target_id BLOB NOT NULL,
    confirmed INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, counterparty_key, target_kind, target_id)
) STRICT;
