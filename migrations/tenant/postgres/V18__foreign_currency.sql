-- Foreign currency end to end (issue 17, item 4).
--
-- * `documents.exchange_rate_e12`: the rate of a document in another currency than the
--   company's (company currency per unit, ×10¹², as `exchange_rates.rate_e12`). On a draft it is
--   the rate the user gave (NULL: the rate on the issue date, taken when it is issued); an
--   issued document always has it. NULL for a document in the company currency.
-- * `payments.currency`, `payments.exchange_rate_e12`: a payment's currency (NULL: the
--   company's) and its rate. `amount` is in the payment's currency.
-- * `allocations.exchange_entry_id`: the entry that posted the realised exchange difference
--   when the payment or credit was at another rate than the document; reversed with its payment.
--   `carried_document` and `carried_source`: for a foreign-currency document, what the
--   allocation took off the document and off its source in the company currency, each at its
--   own rate (their difference is the realised difference); NULL in the company currency.
-- * `company_settings.exchange_account_id`: where exchange differences go (NULL: the active
--   account of subtype `fx`).
-- * `revaluation_runs`: a period-end revaluation: its date, its entry and the reversal dated
--   the next day; one per company and date.
ALTER TABLE documents ADD COLUMN exchange_rate_e12 BIGINT CHECK (exchange_rate_e12 > 0);
ALTER TABLE payments ADD COLUMN currency TEXT;
ALTER TABLE payments ADD COLUMN exchange_rate_e12 BIGINT CHECK (exchange_rate_e12 > 0);
ALTER TABLE allocations ADD COLUMN exchange_entry_id TEXT REFERENCES journal_entries(id);
ALTER TABLE allocations ADD COLUMN carried_document BIGINT;
ALTER TABLE allocations ADD COLUMN carried_source BIGINT;
ALTER TABLE company_settings ADD COLUMN exchange_account_id TEXT REFERENCES accounts(id);
CREATE TABLE revaluation_runs (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    date TEXT NOT NULL,
    journal_entry_id TEXT NOT NULL REFERENCES journal_entries(id),
    reversal_entry_id TEXT NOT NULL REFERENCES journal_entries(id),
    total BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (company_id, date)
);
