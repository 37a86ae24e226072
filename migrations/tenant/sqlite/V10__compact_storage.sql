-- Storage shape v10 (issue 15): a firm's file about a third of its size.
--
-- * Every id column becomes a 16-byte BLOB (was 36 characters of text).
-- * A chain link's hash becomes a 32-byte BLOB (was 64 hex digits), and a link no longer stores
--   its predecessor's hash: it is the hash of the link before it.
-- * The posting times of entries and links (`journal_entries.created_at`, `updated_at`,
--   `posted_at`, `ledger_chain.created_at`) become integer microseconds since 1970 (were 27
--   characters of RFC 3339 text); the API still shows them as text.
-- * A bulk posting writes one audit record naming its range of entry numbers (columns below).
--
-- The store binds and reads ids and hashes as values of the SQL layer (`store::sql::Value::Id`,
-- `Value::Digest`), so no query changes; PostgreSQL keeps ids and hashes as text.
--
-- SQLite cannot change a column's type: each table is rebuilt with its rows and indexes. The
-- migration runs with foreign keys off (`store::migrations::run_sqlite` turns them off around
-- migrations and runs `PRAGMA foreign_key_check` after). A value that is not an id, a digest or a
-- time as OASYS writes it stops the migration: `v10_unconvertible` refuses a non-zero count
-- instead of storing NULL.
CREATE TEMP TABLE v10_unconvertible (value_count INTEGER CHECK (value_count = 0));

-- account_balances
INSERT INTO v10_unconvertible SELECT count(*) FROM account_balances WHERE account_id IS NOT NULL AND length(unhex(replace(account_id, '-', ''))) IS NOT 16;
CREATE TABLE account_balances__v10 (
    account_id BLOB NOT NULL REFERENCES accounts(id),
    date TEXT NOT NULL,
    debit INTEGER NOT NULL DEFAULT 0,
    credit INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, date)
) STRICT, WITHOUT ROWID;
INSERT INTO account_balances__v10 (account_id, date, debit, credit)
    SELECT unhex(replace(account_id, '-', '')), date, debit, credit FROM account_balances;
DROP TABLE account_balances;
ALTER TABLE account_balances__v10 RENAME TO account_balances;

-- accounts
INSERT INTO v10_unconvertible SELECT count(*) FROM accounts WHERE id IS NOT NULL AND length(unhex(replace(id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM accounts WHERE company_id IS NOT NULL AND length(unhex(replace(company_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM accounts WHERE parent_id IS NOT NULL AND length(unhex(replace(parent_id, '-', ''))) IS NOT 16;
CREATE TABLE accounts__v10 (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    subtype TEXT NOT NULL DEFAULT '',
    parent_id BLOB REFERENCES accounts(id),
    currency TEXT,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (company_id, code)
) STRICT;
INSERT INTO accounts__v10 (id, company_id, code, name, type, subtype, parent_id, currency, is_active, created_at, updated_at)
    SELECT unhex(replace(id, '-', '')), unhex(replace(company_id, '-', '')), code, name, type, subtype, unhex(replace(parent_id, '-', '')), currency, is_active, created_at, updated_at FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts__v10 RENAME TO accounts;
CREATE INDEX accounts_parent ON accounts(parent_id);

-- allocations
INSERT INTO v10_unconvertible SELECT count(*) FROM allocations WHERE id IS NOT NULL AND length(unhex(replace(id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM allocations WHERE company_id IS NOT NULL AND length(unhex(replace(company_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM allocations WHERE source_id IS NOT NULL AND length(unhex(replace(source_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM allocations WHERE document_id IS NOT NULL AND length(unhex(replace(document_id, '-', ''))) IS NOT 16;
CREATE TABLE allocations__v10 (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    source_id BLOB NOT NULL,
    document_id BLOB NOT NULL REFERENCES documents(id),
    amount INTEGER NOT NULL CHECK (amount > 0),
    created_at TEXT NOT NULL
) STRICT;
INSERT INTO allocations__v10 (id, company_id, source_id, document_id, amount, created_at)
    SELECT unhex(replace(id, '-', '')), unhex(replace(company_id, '-', '')), unhex(replace(source_id, '-', '')), unhex(replace(document_id, '-', '')), amount, created_at FROM allocations;
DROP TABLE allocations;
ALTER TABLE allocations__v10 RENAME TO allocations;
CREATE INDEX allocations_document ON allocations(company_id, document_id);
CREATE INDEX allocations_source ON allocations(company_id, source_id);

-- audit_log
INSERT INTO v10_unconvertible SELECT count(*) FROM audit_log WHERE id IS NOT NULL AND length(unhex(replace(id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM audit_log WHERE tenant_id IS NOT NULL AND length(unhex(replace(tenant_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM audit_log WHERE actor_id IS NOT NULL AND length(unhex(replace(actor_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM audit_log WHERE object_id IS NOT NULL AND length(unhex(replace(object_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM audit_log WHERE company_id IS NOT NULL AND length(unhex(replace(company_id, '-', ''))) IS NOT 16;
CREATE TABLE audit_log__v10 (
    id BLOB PRIMARY KEY,
    tenant_id BLOB,
    actor_id BLOB,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id BLOB,
    detail TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
, company_id BLOB) STRICT, WITHOUT ROWID;
INSERT INTO audit_log__v10 (id, tenant_id, actor_id, action, object_type, object_id, detail, created_at, company_id)
    SELECT unhex(replace(id, '-', '')), unhex(replace(tenant_id, '-', '')), unhex(replace(actor_id, '-', '')), action, object_type, unhex(replace(object_id, '-', '')), detail, created_at, unhex(replace(company_id, '-', '')) FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log__v10 RENAME TO audit_log;
CREATE INDEX audit_log_company ON audit_log(company_id, created_at);
CREATE INDEX audit_log_company_object ON audit_log(company_id, object_id, created_at);

-- chain_checkpoints
INSERT INTO v10_unconvertible SELECT count(*) FROM chain_checkpoints WHERE company_id IS NOT NULL AND length(unhex(replace(company_id, '-', ''))) IS NOT 16;
CREATE TABLE chain_checkpoints__v10 (
    company_id BLOB NOT NULL REFERENCES companies(id),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    signature TEXT NOT NULL,
    created_at TEXT NOT NULL, key_id TEXT,
    PRIMARY KEY (company_id, seq)
) STRICT, WITHOUT ROWID;
INSERT INTO chain_checkpoints__v10 (company_id, seq, hash, signature, created_at, key_id)
    SELECT unhex(replace(company_id, '-', '')), seq, hash, signature, created_at, key_id FROM chain_checkpoints;
DROP TABLE chain_checkpoints;
ALTER TABLE chain_checkpoints__v10 RENAME TO chain_checkpoints;

-- companies
INSERT INTO v10_unconvertible SELECT count(*) FROM companies WHERE id IS NOT NULL AND length(unhex(replace(id, '-', ''))) IS NOT 16;
CREATE TABLE companies__v10 (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    tax_id TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    currency TEXT NOT NULL DEFAULT 'USD',
    timezone TEXT NOT NULL DEFAULT 'UTC',
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
INSERT INTO companies__v10 (id, name, tax_id, address, phone, email, currency, timezone, is_active, created_at, updated_at)
    SELECT unhex(replace(id, '-', '')), name, tax_id, address, phone, email, currency, timezone, is_active, created_at, updated_at FROM companies;
DROP TABLE companies;
ALTER TABLE companies__v10 RENAME TO companies;

-- company_settings
INSERT INTO v10_unconvertible SELECT count(*) FROM company_settings WHERE company_id IS NOT NULL AND length(unhex(replace(company_id, '-', ''))) IS NOT 16;
CREATE TABLE company_settings__v10 (
    company_id BLOB PRIMARY KEY REFERENCES companies(id),
    fiscal_year_start_month INTEGER NOT NULL DEFAULT 1,
    lock_date TEXT,
    hard_lock_date TEXT,
    approval_required INTEGER NOT NULL DEFAULT 0,
    approval_threshold INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
, tax_rounding TEXT NOT NULL DEFAULT 'line') STRICT, WITHOUT ROWID;
INSERT INTO company_settings__v10 (company_id, fiscal_year_start_month, lock_date, hard_lock_date, approval_required, approval_threshold, updated_at, tax_rounding)
    SELECT unhex(replace(company_id, '-', '')), fiscal_year_start_month, lock_date, hard_lock_date, approval_required, approval_threshold, updated_at, tax_rounding FROM company_settings;
DROP TABLE company_settings;
ALTER TABLE company_settings__v10 RENAME TO company_settings;

-- contacts
INSERT INTO v10_unconvertible SELECT count(*) FROM contacts WHERE id IS NOT NULL AND length(unhex(replace(id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM contacts WHERE company_id IS NOT NULL AND length(unhex(replace(company_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM contacts WHERE revenue_account_id IS NOT NULL AND length(unhex(replace(revenue_account_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM contacts WHERE expense_account_id IS NOT NULL AND length(unhex(replace(expense_account_id, '-', ''))) IS NOT 16;
CREATE TABLE contacts__v10 (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    is_customer INTEGER NOT NULL DEFAULT 0,
    is_vendor INTEGER NOT NULL DEFAULT 0,
    name TEXT NOT NULL,
    tax_id TEXT NOT NULL DEFAULT '',
    -- A JSON array of strings.
    emails TEXT NOT NULL DEFAULT '[]',
    phone TEXT NOT NULL DEFAULT '',
    billing_address TEXT NOT NULL DEFAULT '',
    shipping_address TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    payment_terms_days INTEGER NOT NULL DEFAULT 30 CHECK (payment_terms_days BETWEEN 0 AND 365),
    -- NULL: the company's currency.
    currency TEXT,
    revenue_account_id BLOB REFERENCES accounts(id),
    expense_account_id BLOB REFERENCES accounts(id),
    notes TEXT NOT NULL DEFAULT '',
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (is_customer = 1 OR is_vendor = 1)
) STRICT;
INSERT INTO contacts__v10 (id, company_id, is_customer, is_vendor, name, tax_id, emails, phone, billing_address, shipping_address, country, payment_terms_days, currency, revenue_account_id, expense_account_id, notes, is_active, created_at, updated_at)
    SELECT unhex(replace(id, '-', '')), unhex(replace(company_id, '-', '')), is_customer, is_vendor, name, tax_id, emails, phone, billing_address, shipping_address, country, payment_terms_days, currency, unhex(replace(revenue_account_id, '-', '')), unhex(replace(expense_account_id, '-', '')), notes, is_active, created_at, updated_at FROM contacts;
DROP TABLE contacts;
ALTER TABLE contacts__v10 RENAME TO contacts;
CREATE INDEX contacts_company_created ON contacts(company_id, created_at, id);
CREATE INDEX contacts_company_name ON contacts(company_id, name, id);

-- counters
INSERT INTO v10_unconvertible SELECT count(*) FROM counters WHERE company_id IS NOT NULL AND length(unhex(replace(company_id, '-', ''))) IS NOT 16;
CREATE TABLE counters__v10 (
    company_id BLOB NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (company_id, name)
) STRICT, WITHOUT ROWID;
INSERT INTO counters__v10 (company_id, name, value)
    SELECT unhex(replace(company_id, '-', '')), name, value FROM counters;
DROP TABLE counters;
ALTER TABLE counters__v10 RENAME TO counters;

-- document_lines
INSERT INTO v10_unconvertible SELECT count(*) FROM document_lines WHERE document_id IS NOT NULL AND length(unhex(replace(document_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM document_lines WHERE item_id IS NOT NULL AND length(unhex(replace(item_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM document_lines WHERE tax_rate_id IS NOT NULL AND length(unhex(replace(tax_rate_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM document_lines WHERE account_id IS NOT NULL AND length(unhex(replace(account_id, '-', ''))) IS NOT 16;
CREATE TABLE document_lines__v10 (
    document_id BLOB NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    item_id BLOB REFERENCES items(id),
    description TEXT NOT NULL DEFAULT '',
    quantity TEXT NOT NULL,
    unit_price INTEGER NOT NULL,
    discount_percent TEXT NOT NULL DEFAULT '0',
    tax_rate_id BLOB REFERENCES tax_rates(id),
    account_id BLOB NOT NULL REFERENCES accounts(id),
    net_amount INTEGER NOT NULL,
    tax_amount INTEGER NOT NULL,
    PRIMARY KEY (document_id, line_no)
) STRICT, WITHOUT ROWID;
INSERT INTO document_lines__v10 (document_id, line_no, item_id, description, quantity, unit_price, discount_percent, tax_rate_id, account_id, net_amount, tax_amount)
    SELECT unhex(replace(document_id, '-', '')), line_no, unhex(replace(item_id, '-', '')), description, quantity, unit_price, discount_percent, unhex(replace(tax_rate_id, '-', '')), unhex(replace(account_id, '-', '')), net_amount, tax_amount FROM document_lines;
DROP TABLE document_lines;
ALTER TABLE document_lines__v10 RENAME TO document_lines;

-- document_templates
INSERT INTO v10_unconvertible SELECT count(*) FROM document_templates WHERE company_id IS NOT NULL AND length(unhex(replace(company_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM document_templates WHERE updated_by IS NOT NULL AND length(unhex(replace(updated_by, '-', ''))) IS NOT 16;
CREATE TABLE document_templates__v10 (
    company_id BLOB PRIMARY KEY REFERENCES companies(id),
    -- The firm's template TOML as typed (NULL: the embedded default).
    template TEXT,
    logo TEXT,
    logo_content_type TEXT CHECK (logo_content_type IN ('image/png', 'image/jpeg')),
    updated_at TEXT NOT NULL,
    updated_by BLOB NOT NULL,
    CHECK ((logo IS NULL) = (logo_content_type IS NULL))
) STRICT;
INSERT INTO document_templates__v10 (company_id, template, logo, logo_content_type, updated_at, updated_by)
    SELECT unhex(replace(company_id, '-', '')), template, logo, logo_content_type, updated_at, unhex(replace(updated_by, '-', '')) FROM document_templates;
DROP TABLE document_templates;
ALTER TABLE document_templates__v10 RENAME TO document_templates;

-- documents
INSERT INTO v10_unconvertible SELECT count(*) FROM documents WHERE id IS NOT NULL AND length(unhex(replace(id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM documents WHERE company_id IS NOT NULL AND length(unhex(replace(company_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM documents WHERE contact_id IS NOT NULL AND length(unhex(replace(contact_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM documents WHERE credited_document_id IS NOT NULL AND length(unhex(replace(credited_document_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM documents WHERE journal_entry_id IS NOT NULL AND length(unhex(replace(journal_entry_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM documents WHERE void_entry_id IS NOT NULL AND length(unhex(replace(void_entry_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM documents WHERE created_by IS NOT NULL AND length(unhex(replace(created_by, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM documents WHERE recurring_id IS NOT NULL AND length(unhex(replace(recurring_id, '-', ''))) IS NOT 16;
CREATE TABLE documents__v10 (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note', 'bill', 'vendor_credit')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'issued', 'partially_paid', 'paid', 'void')),
    number TEXT,
    contact_id BLOB NOT NULL REFERENCES contacts(id),
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    currency TEXT NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    payment_terms_days INTEGER NOT NULL DEFAULT 30,
    credited_document_id BLOB REFERENCES documents(id),
    subtotal INTEGER NOT NULL DEFAULT 0,
    tax_total INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    amount_paid INTEGER NOT NULL DEFAULT 0,
    journal_entry_id BLOB REFERENCES journal_entries(id),
    void_entry_id BLOB REFERENCES journal_entries(id),
    issued_at TEXT,
    created_by BLOB NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL, recurring_id BLOB REFERENCES recurring_invoices(id), recurring_date TEXT,
    UNIQUE (company_id, kind, number)
) STRICT;
INSERT INTO documents__v10 (id, company_id, kind, status, number, contact_id, issue_date, due_date, currency, reference, notes, payment_terms_days, credited_document_id, subtotal, tax_total, total, amount_paid, journal_entry_id, void_entry_id, issued_at, created_by, created_at, updated_at, recurring_id, recurring_date)
    SELECT unhex(replace(id, '-', '')), unhex(replace(company_id, '-', '')), kind, status, number, unhex(replace(contact_id, '-', '')), issue_date, due_date, currency, reference, notes, payment_terms_days, unhex(replace(credited_document_id, '-', '')), subtotal, tax_total, total, amount_paid, unhex(replace(journal_entry_id, '-', '')), unhex(replace(void_entry_id, '-', '')), issued_at, unhex(replace(created_by, '-', '')), created_at, updated_at, unhex(replace(recurring_id, '-', '')), recurring_date FROM documents;
DROP TABLE documents;
ALTER TABLE documents__v10 RENAME TO documents;
CREATE INDEX documents_company_contact ON documents(company_id, contact_id, kind, status);
CREATE INDEX documents_company_kind_date ON documents(company_id, kind, issue_date, id);
CREATE INDEX documents_company_kind_status_due ON documents(company_id, kind, status, due_date);
CREATE UNIQUE INDEX documents_recurring ON documents(recurring_id, recurring_date);

-- email_log
INSERT INTO v10_unconvertible SELECT count(*) FROM email_log WHERE id IS NOT NULL AND length(unhex(replace(id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM email_log WHERE company_id IS NOT NULL AND length(unhex(replace(company_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM email_log WHERE document_id IS NOT NULL AND length(unhex(replace(document_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM email_log WHERE created_by IS NOT NULL AND length(unhex(replace(created_by, '-', ''))) IS NOT 16;
CREATE TABLE email_log__v10 (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    document_id BLOB NOT NULL REFERENCES documents(id),
    -- The recipients as a JSON array of strings.
    to_addresses TEXT NOT NULL,
    subject TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    created_by BLOB NOT NULL,
    -- The company's stored e-mail, or '' when the message had no Reply-To.
    reply_to TEXT NOT NULL DEFAULT '',
    -- When the outcome was recorded; NULL while sending.
    finished_at TEXT
) STRICT;
INSERT INTO email_log__v10 (id, company_id, document_id, to_addresses, subject, status, error, created_at, created_by, reply_to, finished_at)
    SELECT unhex(replace(id, '-', '')), unhex(replace(company_id, '-', '')), unhex(replace(document_id, '-', '')), to_addresses, subject, status, error, created_at, unhex(replace(created_by, '-', '')), reply_to, finished_at FROM email_log;
DROP TABLE email_log;
ALTER TABLE email_log__v10 RENAME TO email_log;
CREATE INDEX email_log_created ON email_log(created_at);
CREATE INDEX email_log_document ON email_log(company_id, document_id, created_at);

-- idempotency_keys
INSERT INTO v10_unconvertible SELECT count(*) FROM idempotency_keys WHERE user_id IS NOT NULL AND length(unhex(replace(user_id, '-', ''))) IS NOT 16;
CREATE TABLE idempotency_keys__v10 (
    user_id BLOB NOT NULL,
    key TEXT NOT NULL,
    request TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
) STRICT, WITHOUT ROWID;
INSERT INTO idempotency_keys__v10 (user_id, key, request, status, response, created_at)
    SELECT unhex(replace(user_id, '-', '')), key, request, status, response, created_at FROM idempotency_keys;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys__v10 RENAME TO idempotency_keys;

-- items
INSERT INTO v10_unconvertible SELECT count(*) FROM items WHERE id IS NOT NULL AND length(unhex(replace(id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM items WHERE company_id IS NOT NULL AND length(unhex(replace(company_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM items WHERE income_account_id IS NOT NULL AND length(unhex(replace(income_account_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM items WHERE expense_account_id IS NOT NULL AND length(unhex(replace(expense_account_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM items WHERE sales_tax_rate_id IS NOT NULL AND length(unhex(replace(sales_tax_rate_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM items WHERE purchase_tax_rate_id IS NOT NULL AND length(unhex(replace(purchase_tax_rate_id, '-', ''))) IS NOT 16;
CREATE TABLE items__v10 (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL,
    -- The code lower-cased: codes are unique in a company whatever their case.
    code_key TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('service', 'product')),
    unit TEXT NOT NULL DEFAULT '',
    sale_price INTEGER NOT NULL DEFAULT 0 CHECK (sale_price >= 0),
    purchase_price INTEGER NOT NULL DEFAULT 0 CHECK (purchase_price >= 0),
    income_account_id BLOB REFERENCES accounts(id),
    expense_account_id BLOB REFERENCES accounts(id),
    sales_tax_rate_id BLOB REFERENCES tax_rates(id),
    purchase_tax_rate_id BLOB REFERENCES tax_rates(id),
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (company_id, code_key)
) STRICT;
INSERT INTO items__v10 (id, company_id, code, code_key, name, description, kind, unit, sale_price, purchase_price, income_account_id, expense_account_id, sales_tax_rate_id, purchase_tax_rate_id, is_active, created_at, updated_at)
    SELECT unhex(replace(id, '-', '')), unhex(replace(company_id, '-', '')), code, code_key, name, description, kind, unit, sale_price, purchase_price, unhex(replace(income_account_id, '-', '')), unhex(replace(expense_account_id, '-', '')), unhex(replace(sales_tax_rate_id, '-', '')), unhex(replace(purchase_tax_rate_id, '-', '')), is_active, created_at, updated_at FROM items;
DROP TABLE items;
ALTER TABLE items__v10 RENAME TO items;
CREATE INDEX items_company_created ON items(company_id, created_at, id);
CREATE INDEX items_company_name ON items(company_id, name, id);
CREATE INDEX items_company_sale_price ON items(company_id, sale_price, id);

-- journal_entries
INSERT INTO v10_unconvertible SELECT count(*) FROM journal_entries WHERE id IS NOT NULL AND length(unhex(replace(id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM journal_entries WHERE company_id IS NOT NULL AND length(unhex(replace(company_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM journal_entries WHERE created_by IS NOT NULL AND length(unhex(replace(created_by, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM journal_entries WHERE approved_by IS NOT NULL AND length(unhex(replace(approved_by, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM journal_entries WHERE posted_by IS NOT NULL AND length(unhex(replace(posted_by, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM journal_entries WHERE reverses_id IS NOT NULL AND length(unhex(replace(reverses_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM journal_entries WHERE reversed_by_id IS NOT NULL AND length(unhex(replace(reversed_by_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM journal_entries WHERE edited_by IS NOT NULL AND length(unhex(replace(edited_by, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM journal_entries WHERE posted_at IS NOT NULL AND NOT (length(posted_at) = 27 AND substr(posted_at, 20, 1) = '.' AND substr(posted_at, 27, 1) = 'Z' AND unixepoch(posted_at) IS NOT NULL);
INSERT INTO v10_unconvertible SELECT count(*) FROM journal_entries WHERE created_at IS NOT NULL AND NOT (length(created_at) = 27 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 27, 1) = 'Z' AND unixepoch(created_at) IS NOT NULL);
INSERT INTO v10_unconvertible SELECT count(*) FROM journal_entries WHERE updated_at IS NOT NULL AND NOT (length(updated_at) = 27 AND substr(updated_at, 20, 1) = '.' AND substr(updated_at, 27, 1) = 'Z' AND unixepoch(updated_at) IS NOT NULL);
CREATE TABLE journal_entries__v10 (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    number INTEGER,
    date TEXT NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    total INTEGER NOT NULL DEFAULT 0,
    created_by BLOB NOT NULL,
    approved_by BLOB,
    posted_by BLOB,
    posted_at INTEGER,
    reverses_id BLOB REFERENCES journal_entries(id),
    reversed_by_id BLOB REFERENCES journal_entries(id),
    chain_seq INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL, edited_by BLOB,
    UNIQUE (company_id, number)
) STRICT, WITHOUT ROWID;
INSERT INTO journal_entries__v10 (id, company_id, number, date, reference, description, status, total, created_by, approved_by, posted_by, posted_at, reverses_id, reversed_by_id, chain_seq, created_at, updated_at, edited_by)
    SELECT unhex(replace(id, '-', '')), unhex(replace(company_id, '-', '')), number, date, reference, description, status, total, unhex(replace(created_by, '-', '')), unhex(replace(approved_by, '-', '')), unhex(replace(posted_by, '-', '')), unixepoch(posted_at) * 1000000 + CAST(substr(posted_at, 21, 6) AS INTEGER), unhex(replace(reverses_id, '-', '')), unhex(replace(reversed_by_id, '-', '')), chain_seq, unixepoch(created_at) * 1000000 + CAST(substr(created_at, 21, 6) AS INTEGER), unixepoch(updated_at) * 1000000 + CAST(substr(updated_at, 21, 6) AS INTEGER), unhex(replace(edited_by, '-', '')) FROM journal_entries;
DROP TABLE journal_entries;
ALTER TABLE journal_entries__v10 RENAME TO journal_entries;
CREATE INDEX journal_entries_company_date ON journal_entries(company_id, date, number);

-- journal_lines
INSERT INTO v10_unconvertible SELECT count(*) FROM journal_lines WHERE entry_id IS NOT NULL AND length(unhex(replace(entry_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM journal_lines WHERE account_id IS NOT NULL AND length(unhex(replace(account_id, '-', ''))) IS NOT 16;
CREATE TABLE journal_lines__v10 (
    entry_id BLOB NOT NULL REFERENCES journal_entries(id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    account_id BLOB NOT NULL REFERENCES accounts(id),
    description TEXT NOT NULL DEFAULT '',
    debit INTEGER NOT NULL DEFAULT 0,
    credit INTEGER NOT NULL DEFAULT 0,
    currency TEXT,
    amount_currency INTEGER,
    exchange_rate TEXT,
    -- Copied from the entry when it is posted (NULL on drafts): the general ledger reads an
    -- account's posted lines in order from one index, without touching the entries.
    posted_date TEXT,
    posted_number INTEGER,
    PRIMARY KEY (entry_id, line_no)
) STRICT, WITHOUT ROWID;
INSERT INTO journal_lines__v10 (entry_id, line_no, account_id, description, debit, credit, currency, amount_currency, exchange_rate, posted_date, posted_number)
    SELECT unhex(replace(entry_id, '-', '')), line_no, unhex(replace(account_id, '-', '')), description, debit, credit, currency, amount_currency, exchange_rate, posted_date, posted_number FROM journal_lines;
DROP TABLE journal_lines;
ALTER TABLE journal_lines__v10 RENAME TO journal_lines;
CREATE INDEX journal_lines_ledger ON journal_lines(account_id, posted_date, posted_number, line_no, debit, credit);

-- ledger_chain
INSERT INTO v10_unconvertible SELECT count(*) FROM ledger_chain WHERE company_id IS NOT NULL AND length(unhex(replace(company_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM ledger_chain WHERE object_id IS NOT NULL AND length(unhex(replace(object_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM ledger_chain WHERE length(unhex(hash)) IS NOT 32;
INSERT INTO v10_unconvertible SELECT count(*) FROM ledger_chain WHERE created_at IS NOT NULL AND NOT (length(created_at) = 27 AND substr(created_at, 20, 1) = '.' AND substr(created_at, 27, 1) = 'Z' AND unixepoch(created_at) IS NOT NULL);
CREATE TABLE ledger_chain__v10 (
    company_id BLOB NOT NULL REFERENCES companies(id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    object_id BLOB NOT NULL,
    hash BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (company_id, seq)
) STRICT, WITHOUT ROWID;
INSERT INTO ledger_chain__v10 (company_id, seq, kind, object_id, hash, created_at)
    SELECT unhex(replace(company_id, '-', '')), seq, kind, unhex(replace(object_id, '-', '')), unhex(hash), unixepoch(created_at) * 1000000 + CAST(substr(created_at, 21, 6) AS INTEGER) FROM ledger_chain;
DROP TABLE ledger_chain;
ALTER TABLE ledger_chain__v10 RENAME TO ledger_chain;

-- payments
INSERT INTO v10_unconvertible SELECT count(*) FROM payments WHERE id IS NOT NULL AND length(unhex(replace(id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM payments WHERE company_id IS NOT NULL AND length(unhex(replace(company_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM payments WHERE contact_id IS NOT NULL AND length(unhex(replace(contact_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM payments WHERE bank_account_id IS NOT NULL AND length(unhex(replace(bank_account_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM payments WHERE journal_entry_id IS NOT NULL AND length(unhex(replace(journal_entry_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM payments WHERE void_entry_id IS NOT NULL AND length(unhex(replace(void_entry_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM payments WHERE created_by IS NOT NULL AND length(unhex(replace(created_by, '-', ''))) IS NOT 16;
CREATE TABLE payments__v10 (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    direction TEXT NOT NULL CHECK (direction IN ('received', 'made')),
    contact_id BLOB NOT NULL REFERENCES contacts(id),
    date TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    bank_account_id BLOB NOT NULL REFERENCES accounts(id),
    reference TEXT NOT NULL DEFAULT '',
    is_void INTEGER NOT NULL DEFAULT 0,
    journal_entry_id BLOB NOT NULL REFERENCES journal_entries(id),
    void_entry_id BLOB REFERENCES journal_entries(id),
    created_by BLOB NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
INSERT INTO payments__v10 (id, company_id, direction, contact_id, date, amount, bank_account_id, reference, is_void, journal_entry_id, void_entry_id, created_by, created_at, updated_at)
    SELECT unhex(replace(id, '-', '')), unhex(replace(company_id, '-', '')), direction, unhex(replace(contact_id, '-', '')), date, amount, unhex(replace(bank_account_id, '-', '')), reference, is_void, unhex(replace(journal_entry_id, '-', '')), unhex(replace(void_entry_id, '-', '')), unhex(replace(created_by, '-', '')), created_at, updated_at FROM payments;
DROP TABLE payments;
ALTER TABLE payments__v10 RENAME TO payments;
CREATE INDEX payments_company_contact ON payments(company_id, contact_id, date);
CREATE INDEX payments_company_date ON payments(company_id, date, id);

-- recurring_invoices
INSERT INTO v10_unconvertible SELECT count(*) FROM recurring_invoices WHERE id IS NOT NULL AND length(unhex(replace(id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM recurring_invoices WHERE company_id IS NOT NULL AND length(unhex(replace(company_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM recurring_invoices WHERE contact_id IS NOT NULL AND length(unhex(replace(contact_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM recurring_invoices WHERE created_by IS NOT NULL AND length(unhex(replace(created_by, '-', ''))) IS NOT 16;
CREATE TABLE recurring_invoices__v10 (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    contact_id BLOB NOT NULL REFERENCES contacts(id),
    frequency TEXT NOT NULL CHECK (frequency IN ('weekly', 'monthly', 'quarterly', 'yearly')),
    repeat_every INTEGER NOT NULL DEFAULT 1 CHECK (repeat_every BETWEEN 1 AND 12),
    start_date TEXT NOT NULL,
    end_date TEXT,
    next_date TEXT,
    payment_terms_days INTEGER,
    reference TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    auto_issue INTEGER NOT NULL DEFAULT 0,
    is_active INTEGER NOT NULL DEFAULT 1,
    generated INTEGER NOT NULL DEFAULT 0,
    created_by BLOB NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
INSERT INTO recurring_invoices__v10 (id, company_id, name, contact_id, frequency, repeat_every, start_date, end_date, next_date, payment_terms_days, reference, notes, auto_issue, is_active, generated, created_by, created_at, updated_at)
    SELECT unhex(replace(id, '-', '')), unhex(replace(company_id, '-', '')), name, unhex(replace(contact_id, '-', '')), frequency, repeat_every, start_date, end_date, next_date, payment_terms_days, reference, notes, auto_issue, is_active, generated, unhex(replace(created_by, '-', '')), created_at, updated_at FROM recurring_invoices;
DROP TABLE recurring_invoices;
ALTER TABLE recurring_invoices__v10 RENAME TO recurring_invoices;
CREATE INDEX recurring_invoices_due ON recurring_invoices(company_id, is_active, next_date);

-- recurring_lines
INSERT INTO v10_unconvertible SELECT count(*) FROM recurring_lines WHERE recurring_id IS NOT NULL AND length(unhex(replace(recurring_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM recurring_lines WHERE item_id IS NOT NULL AND length(unhex(replace(item_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM recurring_lines WHERE tax_rate_id IS NOT NULL AND length(unhex(replace(tax_rate_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM recurring_lines WHERE account_id IS NOT NULL AND length(unhex(replace(account_id, '-', ''))) IS NOT 16;
CREATE TABLE recurring_lines__v10 (
    recurring_id BLOB NOT NULL REFERENCES recurring_invoices(id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    item_id BLOB REFERENCES items(id),
    description TEXT NOT NULL DEFAULT '',
    quantity TEXT,
    unit_price TEXT,
    discount_percent TEXT,
    tax_rate_id BLOB REFERENCES tax_rates(id),
    account_id BLOB REFERENCES accounts(id),
    PRIMARY KEY (recurring_id, line_no)
) STRICT, WITHOUT ROWID;
INSERT INTO recurring_lines__v10 (recurring_id, line_no, item_id, description, quantity, unit_price, discount_percent, tax_rate_id, account_id)
    SELECT unhex(replace(recurring_id, '-', '')), line_no, unhex(replace(item_id, '-', '')), description, quantity, unit_price, discount_percent, unhex(replace(tax_rate_id, '-', '')), unhex(replace(account_id, '-', '')) FROM recurring_lines;
DROP TABLE recurring_lines;
ALTER TABLE recurring_lines__v10 RENAME TO recurring_lines;

-- tax_rates
INSERT INTO v10_unconvertible SELECT count(*) FROM tax_rates WHERE id IS NOT NULL AND length(unhex(replace(id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM tax_rates WHERE company_id IS NOT NULL AND length(unhex(replace(company_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM tax_rates WHERE sales_account_id IS NOT NULL AND length(unhex(replace(sales_account_id, '-', ''))) IS NOT 16;
INSERT INTO v10_unconvertible SELECT count(*) FROM tax_rates WHERE purchase_account_id IS NOT NULL AND length(unhex(replace(purchase_account_id, '-', ''))) IS NOT 16;
CREATE TABLE tax_rates__v10 (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('vat', 'gst', 'sales_tax', 'other')),
    rate_ppm INTEGER NOT NULL CHECK (rate_ppm BETWEEN 0 AND 1000000),
    is_inclusive INTEGER NOT NULL DEFAULT 0,
    sales_account_id BLOB NOT NULL REFERENCES accounts(id),
    purchase_account_id BLOB NOT NULL REFERENCES accounts(id),
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (company_id, name)
) STRICT;
INSERT INTO tax_rates__v10 (id, company_id, name, kind, rate_ppm, is_inclusive, sales_account_id, purchase_account_id, is_active, created_at, updated_at)
    SELECT unhex(replace(id, '-', '')), unhex(replace(company_id, '-', '')), name, kind, rate_ppm, is_inclusive, unhex(replace(sales_account_id, '-', '')), unhex(replace(purchase_account_id, '-', '')), is_active, created_at, updated_at FROM tax_rates;
DROP TABLE tax_rates;
ALTER TABLE tax_rates__v10 RENAME TO tax_rates;
CREATE INDEX tax_rates_company_rate ON tax_rates(company_id, rate_ppm, id);

DROP TABLE v10_unconvertible;

-- A bulk posting's one audit record names the range of entry numbers it posted (NULL on every
-- other record); `oasys verify` and the audit log's `entry` filter find an entry's record by it.
ALTER TABLE audit_log ADD COLUMN first_number INTEGER;
ALTER TABLE audit_log ADD COLUMN last_number INTEGER;
CREATE INDEX audit_log_ranges ON audit_log(company_id, last_number) WHERE last_number IS NOT NULL;
