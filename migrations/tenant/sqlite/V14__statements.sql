-- Financial statements: each account's cash flow class (NULL: the default for its subtype), and
-- the year-end closing entries found by their reference without reading a period's entries.
ALTER TABLE accounts ADD COLUMN cash_flow TEXT CHECK (cash_flow IN ('operating', 'investing', 'financing', 'cash'));
CREATE INDEX journal_entries_year_end ON journal_entries(company_id, date) WHERE reference LIKE 'YEAR-END-%';
