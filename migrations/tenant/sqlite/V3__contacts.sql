-- What documents are made of: tax rates, items (products and services) and contacts (customers
-- and vendors in one table: a contact can be both). Prices are integer minor units of the company
-- currency; a tax rate is stored in parts per million of the base (percent × 10,000).
CREATE TABLE tax_rates (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('vat', 'gst', 'sales_tax', 'other')),
    rate_ppm INTEGER NOT NULL CHECK (rate_ppm BETWEEN 0 AND 1000000),
    is_inclusive INTEGER NOT NULL DEFAULT 0,
    sales_account_id TEXT NOT NULL REFERENCES accounts(id),
    purchase_account_id TEXT NOT NULL REFERENCES accounts(id),
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (company_id, name)
) STRICT;
CREATE INDEX tax_rates_company_rate ON tax_rates(company_id, rate_ppm, id);

CREATE TABLE items (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL,
    -- The code lower-cased: codes are unique in a company whatever their case.
    code_key TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('service', 'product')),
    unit TEXT NOT NULL DEFAULT '',
    sale_price INTEGER NOT NULL DEFAULT 0 CHECK (sale_price >= 0),
    purchase_price INTEGER NOT NULL DEFAULT 0 CHECK (purchase_price >= 0),
    income_account_id TEXT REFERENCES accounts(id),
    expense_account_id TEXT REFERENCES accounts(id),
    sales_tax_rate_id TEXT REFERENCES tax_rates(id),
    purchase_tax_rate_id TEXT REFERENCES tax_rates(id),
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (company_id, code_key)
) STRICT;
CREATE INDEX items_company_name ON items(company_id, name, id);
CREATE INDEX items_company_created ON items(company_id, created_at, id);
CREATE INDEX items_company_sale_price ON items(company_id, sale_price, id);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
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
    revenue_account_id TEXT REFERENCES accounts(id),
    expense_account_id TEXT REFERENCES accounts(id),
    notes TEXT NOT NULL DEFAULT '',
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (is_customer = 1 OR is_vendor = 1)
) STRICT;
CREATE INDEX contacts_company_name ON contacts(company_id, name, id);
CREATE INDEX contacts_company_created ON contacts(company_id, created_at, id);
