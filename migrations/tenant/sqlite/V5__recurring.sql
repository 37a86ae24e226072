-- Recurring invoices: a template (contact, lines as typed) and a schedule. The scheduler creates
-- one invoice per due date; the unique (recurring_id, recurring_date) on documents makes that
-- idempotent across restarts and servers.
CREATE TABLE recurring_invoices (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    contact_id TEXT NOT NULL REFERENCES contacts(id),
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
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX recurring_invoices_due ON recurring_invoices(company_id, is_active, next_date);

CREATE TABLE recurring_lines (
    recurring_id TEXT NOT NULL REFERENCES recurring_invoices(id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    item_id TEXT REFERENCES items(id),
    description TEXT NOT NULL DEFAULT '',
    quantity TEXT,
    unit_price TEXT,
    discount_percent TEXT,
    tax_rate_id TEXT REFERENCES tax_rates(id),
    account_id TEXT REFERENCES accounts(id),
    PRIMARY KEY (recurring_id, line_no)
) STRICT, WITHOUT ROWID;

ALTER TABLE documents ADD COLUMN recurring_id TEXT REFERENCES recurring_invoices(id);
ALTER TABLE documents ADD COLUMN recurring_date TEXT;
CREATE UNIQUE INDEX documents_recurring ON documents(recurring_id, recurring_date);
