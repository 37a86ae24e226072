-- The search index's change log (issue 18, search). The index of a firm (`src/search`) is a cache
-- beside its database; every write to a record it covers adds a row here, in the write's own
-- transaction (by the triggers below), so a crash between the commit and the index write loses
-- nothing: the rows stay until the index has taken them, then they are deleted.
-- `source` names the table (`contacts`, `items`, `documents`, `journal_entries`, `statement_lines`,
-- `files`), `record_id` the row; the indexer reads the row as it is then (gone: deleted from the index).
-- Bulk posting adds one row per entry (not per line): lines change only with their entry.
CREATE TABLE search_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    record_id BLOB NOT NULL
) STRICT;

CREATE TRIGGER search_contacts_insert AFTER INSERT ON contacts
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('contacts', NEW.id); END;
CREATE TRIGGER search_contacts_update AFTER UPDATE ON contacts
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('contacts', NEW.id); END;
CREATE TRIGGER search_contacts_delete AFTER DELETE ON contacts
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('contacts', OLD.id); END;

CREATE TRIGGER search_items_insert AFTER INSERT ON items
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('items', NEW.id); END;
CREATE TRIGGER search_items_update AFTER UPDATE ON items
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('items', NEW.id); END;
CREATE TRIGGER search_items_delete AFTER DELETE ON items
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('items', OLD.id); END;

CREATE TRIGGER search_documents_insert AFTER INSERT ON documents
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('documents', NEW.id); END;
CREATE TRIGGER search_documents_update AFTER UPDATE ON documents
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('documents', NEW.id); END;
CREATE TRIGGER search_documents_delete AFTER DELETE ON documents
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('documents', OLD.id); END;
-- A draft's lines may change without its header (descriptions only).
CREATE TRIGGER search_document_lines_insert AFTER INSERT ON document_lines
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('documents', NEW.document_id); END;
CREATE TRIGGER search_document_lines_update AFTER UPDATE OF description ON document_lines
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('documents', NEW.document_id); END;

CREATE TRIGGER search_journal_entries_insert AFTER INSERT ON journal_entries
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('journal_entries', NEW.id); END;
CREATE TRIGGER search_journal_entries_update AFTER UPDATE OF date, reference, description, status, total, number, updated_at ON journal_entries
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('journal_entries', NEW.id); END;
CREATE TRIGGER search_journal_entries_delete AFTER DELETE ON journal_entries
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('journal_entries', OLD.id); END;

CREATE TRIGGER search_statement_lines_insert AFTER INSERT ON statement_lines
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('statement_lines', NEW.id); END;
CREATE TRIGGER search_statement_lines_update AFTER UPDATE OF date, amount, text, counterparty, counterparty_account, reference ON statement_lines
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('statement_lines', NEW.id); END;
CREATE TRIGGER search_statement_lines_delete AFTER DELETE ON statement_lines
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('statement_lines', OLD.id); END;

CREATE TRIGGER search_files_insert AFTER INSERT ON files
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('files', NEW.id); END;
CREATE TRIGGER search_files_update AFTER UPDATE ON files
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('files', NEW.id); END;
CREATE TRIGGER search_files_delete AFTER DELETE ON files
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('files', OLD.id); END;
-- Extraction finishing (or failing) changes what a file's text is.
CREATE TRIGGER search_file_texts_insert AFTER INSERT ON file_texts
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('files', NEW.file_id); END;
CREATE TRIGGER search_file_texts_update AFTER UPDATE OF state, text ON file_texts
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('files', NEW.file_id); END;
