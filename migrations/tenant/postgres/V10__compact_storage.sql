-- Storage shape v10 (issue 15); SQLite's V10 says what and why. On PostgreSQL ids and hashes stay
-- text; the rest is the same:
-- * a chain link no longer stores its predecessor's hash (the hash of the link before it);
-- * the posting times of entries and links are integer microseconds since 1970;
-- * a bulk posting's one audit record names its range of entry numbers.
ALTER TABLE ledger_chain DROP COLUMN prev_hash;
ALTER TABLE ledger_chain ALTER COLUMN created_at TYPE BIGINT
    USING (extract(epoch FROM created_at::timestamptz) * 1000000)::bigint;
ALTER TABLE journal_entries ALTER COLUMN created_at TYPE BIGINT
    USING (extract(epoch FROM created_at::timestamptz) * 1000000)::bigint;
ALTER TABLE journal_entries ALTER COLUMN updated_at TYPE BIGINT
    USING (extract(epoch FROM updated_at::timestamptz) * 1000000)::bigint;
ALTER TABLE journal_entries ALTER COLUMN posted_at TYPE BIGINT
    USING (extract(epoch FROM posted_at::timestamptz) * 1000000)::bigint;

-- A bulk posting's one audit record names the range of entry numbers it posted (NULL on every
-- other record); `oasys verify` and the audit log's `entry` filter find an entry's record by it.
ALTER TABLE audit_log ADD COLUMN first_number BIGINT;
ALTER TABLE audit_log ADD COLUMN last_number BIGINT;
CREATE INDEX audit_log_ranges ON audit_log(company_id, last_number) WHERE last_number IS NOT NULL;
