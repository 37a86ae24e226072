-- Matching bank lines: the entry a line is matched to is looked up when the entry is reversed
-- (a reconciled line locks it), and a candidate rejected for one line is not suggested for it
-- again.
CREATE INDEX statement_lines_entry ON statement_lines(journal_entry_id);

CREATE TABLE bank_line_rejections (
    line_id BLOB NOT NULL REFERENCES statement_lines(id),
    -- `invoice`, `bill`, `payment` or `journal_entry`.
    candidate_kind TEXT NOT NULL,
    candidate_id BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (line_id, candidate_kind, candidate_id)
) STRICT;
