-- Files a firm keeps (the API's documents: `documents` already names invoices and bills, so the
-- area is `files` in code). One row per logical document; its bytes are versions. `sha256` is the
-- hex of the 32-byte digest, which names
-- the stored object `<tenant id>/files/<sha256 hex>`, so identical bytes are stored once per firm.
CREATE TABLE files (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('pdf','png','jpeg','webp','heic','csv','xlsx','text','eml')),
    current_version BIGINT NOT NULL,
    inbox BIGINT NOT NULL DEFAULT 0,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX files_company_created ON files(company_id, created_at);

CREATE TABLE file_versions (
    file_id TEXT NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    original_name TEXT NOT NULL,
    uploaded_by TEXT,
    uploaded_at TEXT NOT NULL,
    PRIMARY KEY (file_id, version)
);
CREATE INDEX file_versions_sha256 ON file_versions(sha256);

-- Links from a file to the records it supports; one file, many links.
CREATE TABLE file_links (
    file_id TEXT NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    record_kind TEXT NOT NULL CHECK (record_kind IN
        ('entry','invoice','credit_note','bill','vendor_credit','payment','contact','bank_line','item')),
    record_id TEXT NOT NULL,
    linked_by TEXT,
    linked_at TEXT NOT NULL,
    PRIMARY KEY (file_id, record_kind, record_id)
);
CREATE INDEX file_links_record ON file_links(record_kind, record_id);

-- Extracted text per version. A row is written 'pending' in the upload's transaction (so a crash
-- cannot lose the work); the extraction queue moves it to done/failed/unsupported.
CREATE TABLE file_texts (
    file_id TEXT NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending','running','done','failed','unsupported')),
    method TEXT,
    text TEXT NOT NULL DEFAULT '',
    pages BIGINT,
    error TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (file_id, version)
);
CREATE INDEX file_texts_state ON file_texts(state);
