-- Tax returns (issue 17, item 2). A company picks the layout of its return (`tax_layout`, one of
-- the layouts shipped in `tax_layouts/`) and the accounts a filed return settles into: the
-- payable account when tax is owed, the receivable account when it is refundable (NULL: the
-- chart's liability, or asset, account of subtype `tax`). `tax_lock_date` is the end of the
-- latest filed return: nothing that touches a tax account is posted, or reversed, on or before it.
ALTER TABLE company_settings ADD COLUMN tax_lock_date TEXT;
ALTER TABLE company_settings ADD COLUMN tax_layout TEXT NOT NULL DEFAULT 'generic';
ALTER TABLE company_settings ADD COLUMN tax_payable_account_id BLOB REFERENCES accounts(id);
ALTER TABLE company_settings ADD COLUMN tax_receivable_account_id BLOB REFERENCES accounts(id);

-- A filed return: its period, its layout, the net it settled (minor units, positive = payable)
-- and the settlement entry (NULL when every tax account was already at zero for the period).
-- Filed returns are never withdrawn: a mistake is corrected on the next return.
CREATE TABLE tax_returns (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    layout TEXT NOT NULL,
    net_amount INTEGER NOT NULL,
    settlement_entry_id BLOB REFERENCES journal_entries(id),
    filed_by BLOB NOT NULL,
    filed_at TEXT NOT NULL,
    CHECK (period_from <= period_to)
) STRICT;
CREATE INDEX tax_returns_company_period ON tax_returns(company_id, period_to);
CREATE INDEX tax_returns_settlement ON tax_returns(settlement_entry_id);

-- The boxes of a filed return as filed, in the layout's order.
CREATE TABLE tax_return_boxes (
    return_id BLOB NOT NULL REFERENCES tax_returns(id),
    position INTEGER NOT NULL,
    box TEXT NOT NULL,
    label TEXT NOT NULL,
    amount INTEGER NOT NULL,
    -- False for a box the layout leaves empty.
    mapped INTEGER NOT NULL,
    PRIMARY KEY (return_id, position)
) STRICT, WITHOUT ROWID;

-- The return reads voided documents by their void entry's date, and leaves out the entries of
-- documents when it reads the other postings on tax accounts.
CREATE INDEX documents_void_entry ON documents(void_entry_id) WHERE void_entry_id IS NOT NULL;
