-- Reports as of a date (issue 17, item 0): an allocation carries the date it takes effect and,
-- once undone (its payment voided), the date it ended. Before V13 an allocation had only its
-- creation time, and a void deleted it.
--
-- * `date`: the company date from which the money counts against the document: the later of
--   the source's date (a payment's date, a credit's issue date) and the document's issue date.
--   Existing rows are backfilled with that rule.
-- * `ended_on`: the date of the void that undid it (its payment's reversing entry), NULL while it
--   stands. Allocations deleted by voids before V13 are gone and cannot be restored.
-- * Documents and payments indexed by their entry: reversing one of their entries by hand is
--   refused (void the document or payment instead), and the check is a look-up.
--
-- SQLite cannot add a NOT NULL column without a default: the table is rebuilt with its rows and
-- indexes, the new columns last as PostgreSQL adds them.
CREATE TABLE allocations__v14 (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    source_id BLOB NOT NULL,
    document_id BLOB NOT NULL REFERENCES documents(id),
    amount INTEGER NOT NULL CHECK (amount > 0),
    created_at TEXT NOT NULL,
    date TEXT NOT NULL,
    ended_on TEXT
) STRICT;
INSERT INTO allocations__v14 (id, company_id, source_id, document_id, amount, created_at, date, ended_on)
    SELECT a.id, a.company_id, a.source_id, a.document_id, a.amount, a.created_at,
           max(COALESCE(p.date, s.issue_date, d.issue_date), d.issue_date), NULL
    FROM allocations a
    JOIN documents d ON d.id = a.document_id
    LEFT JOIN payments p ON p.id = a.source_id
    LEFT JOIN documents s ON s.id = a.source_id;
DROP TABLE allocations;
ALTER TABLE allocations__v14 RENAME TO allocations;
CREATE INDEX allocations_document ON allocations(company_id, document_id);
CREATE INDEX allocations_source ON allocations(company_id, source_id);
CREATE INDEX documents_entry ON documents(journal_entry_id);
CREATE INDEX payments_entry ON payments(journal_entry_id);
