-- Budgets: per company and fiscal year, any number of them (`Original`, `Revised`…), each name
-- once per company and year. `start_date` is the first day of the fiscal year, fixed when the
-- budget is made, so month 1 … 12 keep their meaning if the company's fiscal year start changes.
-- `budget_amounts` holds one row per revenue or expense account and month that is not zero,
-- in the statement's sign (revenue credit-positive, expenses debit-positive), integer minor units
-- of the company currency. Ids are 16-byte BLOBs, TEXT on PostgreSQL.
CREATE TABLE budgets (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    fiscal_year INTEGER NOT NULL,
    start_date TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (company_id, fiscal_year, name)
) STRICT;

CREATE TABLE budget_amounts (
    budget_id BLOB NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
    account_id BLOB NOT NULL REFERENCES accounts(id),
    month INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    amount INTEGER NOT NULL,
    PRIMARY KEY (budget_id, account_id, month)
) STRICT, WITHOUT ROWID;
CREATE INDEX budget_amounts_account ON budget_amounts(account_id);
