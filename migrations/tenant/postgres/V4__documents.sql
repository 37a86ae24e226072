-- Invoices, credit notes, bills and vendor credits; payments; allocations of payments and credits
-- to documents. Amounts are integer minor units of the company currency; quantities and
-- discount percentages are exact decimal text.
ALTER TABLE company_settings ADD COLUMN tax_rounding TEXT NOT NULL DEFAULT 'line';

CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note', 'bill', 'vendor_credit')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'issued', 'partially_paid', 'paid', 'void')),
    number TEXT,
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    currency TEXT NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    payment_terms_days BIGINT NOT NULL DEFAULT 30,
    credited_document_id TEXT REFERENCES documents(id),
    subtotal BIGINT NOT NULL DEFAULT 0,
    tax_total BIGINT NOT NULL DEFAULT 0,
    total BIGINT NOT NULL DEFAULT 0,
    amount_paid BIGINT NOT NULL DEFAULT 0,
    journal_entry_id TEXT REFERENCES journal_entries(id),
    void_entry_id TEXT REFERENCES journal_entries(id),
    issued_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (company_id, kind, number)
);
CREATE INDEX documents_company_kind_date ON documents(company_id, kind, issue_date, id);
CREATE INDEX documents_company_contact ON documents(company_id, contact_id, kind, status);
CREATE INDEX documents_company_kind_status_due ON documents(company_id, kind, status, due_date);

CREATE TABLE document_lines (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    line_no BIGINT NOT NULL,
    item_id TEXT REFERENCES items(id),
    description TEXT NOT NULL DEFAULT '',
    quantity TEXT NOT NULL,
    unit_price BIGINT NOT NULL,
    discount_percent TEXT NOT NULL DEFAULT '0',
    tax_rate_id TEXT REFERENCES tax_rates(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    net_amount BIGINT NOT NULL,
    tax_amount BIGINT NOT NULL,
    PRIMARY KEY (document_id, line_no)
);

CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    direction TEXT NOT NULL CHECK (direction IN ('received', 'made')),
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    date TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    bank_account_id TEXT NOT NULL REFERENCES accounts(id),
    reference TEXT NOT NULL DEFAULT '',
    is_void BOOLEAN NOT NULL DEFAULT FALSE,
    journal_entry_id TEXT NOT NULL REFERENCES journal_entries(id),
    void_entry_id TEXT REFERENCES journal_entries(id),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX payments_company_date ON payments(company_id, date, id);
CREATE INDEX payments_company_contact ON payments(company_id, contact_id, date);

-- Money from a payment or a credit (source) applied to an invoice or a bill.
CREATE TABLE allocations (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    source_id TEXT NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    created_at TEXT NOT NULL
);
CREATE INDEX allocations_source ON allocations(company_id, source_id);
CREATE INDEX allocations_document ON allocations(company_id, document_id);
