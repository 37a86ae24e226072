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
ALTER TABLE allocations ADD COLUMN date TEXT;
ALTER TABLE allocations ADD COLUMN ended_on TEXT;
UPDATE allocations a SET date = GREATEST(
    COALESCE((SELECT p.date FROM payments p WHERE p.id = a.source_id),
             (SELECT s.issue_date FROM documents s WHERE s.id = a.source_id),
             d.issue_date),
    d.issue_date)
FROM documents d WHERE d.id = a.document_id;
ALTER TABLE allocations ALTER COLUMN date SET NOT NULL;
CREATE INDEX documents_entry ON documents(journal_entry_id);
CREATE INDEX payments_entry ON payments(journal_entry_id);
