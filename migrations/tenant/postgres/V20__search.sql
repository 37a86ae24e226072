-- The search index's change log (issue 18, search). The index of a firm (`src/search`) is a cache
-- beside its database; every write to a record it covers adds a row here, in the write's own
-- transaction (by the triggers below), so a crash between the commit and the index write loses
-- nothing: the rows stay until the index has taken them, then they are deleted.
-- `source` names the table (`contacts`, `items`, `documents`, `journal_entries`, `statement_lines`,
-- `files`), `record_id` the row; the indexer reads the row as it is then (gone: deleted from the index).
-- Bulk posting adds one row per entry (not per line): lines change only with their entry.
CREATE TABLE search_changes (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source TEXT NOT NULL,
    record_id TEXT NOT NULL
);

-- One trigger function per id column; the source is the trigger's argument.
CREATE FUNCTION search_change_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO search_changes (source, record_id) VALUES (TG_ARGV[0], OLD.id);
    ELSE
        INSERT INTO search_changes (source, record_id) VALUES (TG_ARGV[0], NEW.id);
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION search_change_document_line() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_changes (source, record_id) VALUES ('documents', NEW.document_id);
    RETURN NULL;
END $$;
CREATE FUNCTION search_change_file_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_changes (source, record_id) VALUES ('files', NEW.file_id);
    RETURN NULL;
END $$;

CREATE TRIGGER search_contacts_insert AFTER INSERT ON contacts FOR EACH ROW EXECUTE FUNCTION search_change_id('contacts');
CREATE TRIGGER search_contacts_update AFTER UPDATE ON contacts FOR EACH ROW EXECUTE FUNCTION search_change_id('contacts');
CREATE TRIGGER search_contacts_delete AFTER DELETE ON contacts FOR EACH ROW EXECUTE FUNCTION search_change_id('contacts');
CREATE TRIGGER search_items_insert AFTER INSERT ON items FOR EACH ROW EXECUTE FUNCTION search_change_id('items');
CREATE TRIGGER search_items_update AFTER UPDATE ON items FOR EACH ROW EXECUTE FUNCTION search_change_id('items');
CREATE TRIGGER search_items_delete AFTER DELETE ON items FOR EACH ROW EXECUTE FUNCTION search_change_id('items');
CREATE TRIGGER search_documents_insert AFTER INSERT ON documents FOR EACH ROW EXECUTE FUNCTION search_change_id('documents');
CREATE TRIGGER search_documents_update AFTER UPDATE ON documents FOR EACH ROW EXECUTE FUNCTION search_change_id('documents');
CREATE TRIGGER search_documents_delete AFTER DELETE ON documents FOR EACH ROW EXECUTE FUNCTION search_change_id('documents');
-- A draft's lines may change without its header (descriptions only).
CREATE TRIGGER search_document_lines_insert AFTER INSERT ON document_lines FOR EACH ROW EXECUTE FUNCTION search_change_document_line();
CREATE TRIGGER search_document_lines_update AFTER UPDATE OF description ON document_lines FOR EACH ROW EXECUTE FUNCTION search_change_document_line();
CREATE TRIGGER search_journal_entries_insert AFTER INSERT ON journal_entries FOR EACH ROW EXECUTE FUNCTION search_change_id('journal_entries');
CREATE TRIGGER search_journal_entries_update AFTER UPDATE OF date, reference, description, status, total, number, updated_at ON journal_entries FOR EACH ROW EXECUTE FUNCTION search_change_id('journal_entries');
CREATE TRIGGER search_journal_entries_delete AFTER DELETE ON journal_entries FOR EACH ROW EXECUTE FUNCTION search_change_id('journal_entries');
CREATE TRIGGER search_statement_lines_insert AFTER INSERT ON statement_lines FOR EACH ROW EXECUTE FUNCTION search_change_id('statement_lines');
CREATE TRIGGER search_statement_lines_update AFTER UPDATE OF date, amount, text, counterparty, counterparty_account, reference ON statement_lines FOR EACH ROW EXECUTE FUNCTION search_change_id('statement_lines');
CREATE TRIGGER search_statement_lines_delete AFTER DELETE ON statement_lines FOR EACH ROW EXECUTE FUNCTION search_change_id('statement_lines');
CREATE TRIGGER search_files_insert AFTER INSERT ON files FOR EACH ROW EXECUTE FUNCTION search_change_id('files');
CREATE TRIGGER search_files_update AFTER UPDATE ON files FOR EACH ROW EXECUTE FUNCTION search_change_id('files');
CREATE TRIGGER search_files_delete AFTER DELETE ON files FOR EACH ROW EXECUTE FUNCTION search_change_id('files');
-- Extraction finishing (or failing) changes what a file's text is.
CREATE TRIGGER search_file_texts_insert AFTER INSERT ON file_texts FOR EACH ROW EXECUTE FUNCTION search_change_file_text();
CREATE TRIGGER search_file_texts_update AFTER UPDATE OF state, text ON file_texts FOR EACH ROW EXECUTE FUNCTION search_change_file_text();
