-- Exchange rates per company: on `date`, one unit of `currency` is worth `rate_e12` / 10^12 units
-- of the company currency (direct quotation, the direction of a journal line's `exchange_rate`:
-- amount in currency × rate = amount in the company currency). Integer, never a float; 12
-- decimals. One rate per company, currency and date. `source`: `manual`, `csv`, `ecb` or `http`.
-- Dates are `YYYY-MM-DD` text.
CREATE TABLE exchange_rates (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    currency TEXT NOT NULL,
    date TEXT NOT NULL,
    rate_e12 BIGINT NOT NULL CHECK (rate_e12 > 0),
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (company_id, currency, date)
);
CREATE INDEX exchange_rates_company_date ON exchange_rates(company_id, date, currency);
