-- Storage shape v10 (issue 15): the platform's ids as 16-byte BLOBs, as in the firms' files
-- (tenant V10 says why and how). PostgreSQL keeps text.
CREATE TEMP TABLE v3_unconvertible (value_count INTEGER CHECK (value_count = 0));

-- audit_log
INSERT INTO v3_unconvertible SELECT count(*) FROM audit_log WHERE id IS NOT NULL AND length(unhex(replace(id, '-', ''))) IS NOT 16;
INSERT INTO v3_unconvertible SELECT count(*) FROM audit_log WHERE tenant_id IS NOT NULL AND length(unhex(replace(tenant_id, '-', ''))) IS NOT 16;
INSERT INTO v3_unconvertible SELECT count(*) FROM audit_log WHERE actor_id IS NOT NULL AND length(unhex(replace(actor_id, '-', ''))) IS NOT 16;
INSERT INTO v3_unconvertible SELECT count(*) FROM audit_log WHERE object_id IS NOT NULL AND length(unhex(replace(object_id, '-', ''))) IS NOT 16;
CREATE TABLE audit_log__v3 (
    id BLOB PRIMARY KEY,
    tenant_id BLOB,
    actor_id BLOB,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id BLOB,
    detail TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
) STRICT;
INSERT INTO audit_log__v3 (id, tenant_id, actor_id, action, object_type, object_id, detail, created_at)
    SELECT unhex(replace(id, '-', '')), unhex(replace(tenant_id, '-', '')), unhex(replace(actor_id, '-', '')), action, object_type, unhex(replace(object_id, '-', '')), detail, created_at FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log__v3 RENAME TO audit_log;
CREATE INDEX audit_log_tenant ON audit_log(tenant_id, created_at);

-- backup_runs
INSERT INTO v3_unconvertible SELECT count(*) FROM backup_runs WHERE id IS NOT NULL AND length(unhex(replace(id, '-', ''))) IS NOT 16;
CREATE TABLE backup_runs__v3 (
    id BLOB PRIMARY KEY,
    finished_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    path TEXT NOT NULL,
    archive_bytes INTEGER NOT NULL,
    tenants INTEGER NOT NULL,
    entries INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL
) STRICT;
INSERT INTO backup_runs__v3 (id, finished_at, reason, path, archive_bytes, tenants, entries, duration_ms)
    SELECT unhex(replace(id, '-', '')), finished_at, reason, path, archive_bytes, tenants, entries, duration_ms FROM backup_runs;
DROP TABLE backup_runs;
ALTER TABLE backup_runs__v3 RENAME TO backup_runs;
CREATE INDEX backup_runs_finished ON backup_runs(finished_at);

-- refresh_families
INSERT INTO v3_unconvertible SELECT count(*) FROM refresh_families WHERE id IS NOT NULL AND length(unhex(replace(id, '-', ''))) IS NOT 16;
INSERT INTO v3_unconvertible SELECT count(*) FROM refresh_families WHERE user_id IS NOT NULL AND length(unhex(replace(user_id, '-', ''))) IS NOT 16;
CREATE TABLE refresh_families__v3 (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;
INSERT INTO refresh_families__v3 (id, user_id, created_at, revoked_at)
    SELECT unhex(replace(id, '-', '')), unhex(replace(user_id, '-', '')), created_at, revoked_at FROM refresh_families;
DROP TABLE refresh_families;
ALTER TABLE refresh_families__v3 RENAME TO refresh_families;

-- refresh_tokens
INSERT INTO v3_unconvertible SELECT count(*) FROM refresh_tokens WHERE family_id IS NOT NULL AND length(unhex(replace(family_id, '-', ''))) IS NOT 16;
CREATE TABLE refresh_tokens__v3 (
    jti TEXT PRIMARY KEY,
    family_id BLOB NOT NULL REFERENCES refresh_families(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
) STRICT;
INSERT INTO refresh_tokens__v3 (jti, family_id, expires_at, used_at)
    SELECT jti, unhex(replace(family_id, '-', '')), expires_at, used_at FROM refresh_tokens;
DROP TABLE refresh_tokens;
ALTER TABLE refresh_tokens__v3 RENAME TO refresh_tokens;
CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);

-- tenants
INSERT INTO v3_unconvertible SELECT count(*) FROM tenants WHERE id IS NOT NULL AND length(unhex(replace(id, '-', ''))) IS NOT 16;
CREATE TABLE tenants__v3 (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    domain TEXT UNIQUE,
    plan TEXT NOT NULL DEFAULT 'basic',
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
INSERT INTO tenants__v3 (id, name, domain, plan, is_active, created_at, updated_at)
    SELECT unhex(replace(id, '-', '')), name, domain, plan, is_active, created_at, updated_at FROM tenants;
DROP TABLE tenants;
ALTER TABLE tenants__v3 RENAME TO tenants;

-- user_companies
INSERT INTO v3_unconvertible SELECT count(*) FROM user_companies WHERE user_id IS NOT NULL AND length(unhex(replace(user_id, '-', ''))) IS NOT 16;
INSERT INTO v3_unconvertible SELECT count(*) FROM user_companies WHERE company_id IS NOT NULL AND length(unhex(replace(company_id, '-', ''))) IS NOT 16;
CREATE TABLE user_companies__v3 (
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    company_id BLOB NOT NULL,
    PRIMARY KEY (user_id, company_id)
) STRICT;
INSERT INTO user_companies__v3 (user_id, company_id)
    SELECT unhex(replace(user_id, '-', '')), unhex(replace(company_id, '-', '')) FROM user_companies;
DROP TABLE user_companies;
ALTER TABLE user_companies__v3 RENAME TO user_companies;

-- users
INSERT INTO v3_unconvertible SELECT count(*) FROM users WHERE id IS NOT NULL AND length(unhex(replace(id, '-', ''))) IS NOT 16;
INSERT INTO v3_unconvertible SELECT count(*) FROM users WHERE tenant_id IS NOT NULL AND length(unhex(replace(tenant_id, '-', ''))) IS NOT 16;
INSERT INTO v3_unconvertible SELECT count(*) FROM users WHERE default_company_id IS NOT NULL AND length(unhex(replace(default_company_id, '-', ''))) IS NOT 16;
CREATE TABLE users__v3 (
    id BLOB PRIMARY KEY,
    tenant_id BLOB REFERENCES tenants(id),
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL,
    permissions TEXT NOT NULL DEFAULT '[]',
    is_active INTEGER NOT NULL DEFAULT 1,
    default_company_id BLOB,
    all_companies INTEGER NOT NULL DEFAULT 1,
    token_version INTEGER NOT NULL DEFAULT 0,
    last_login TEXT,
    phone TEXT NOT NULL DEFAULT '',
    timezone TEXT NOT NULL DEFAULT 'UTC',
    language TEXT NOT NULL DEFAULT 'en',
    two_factor_enabled INTEGER NOT NULL DEFAULT 0,
    web3_wallet_address TEXT NOT NULL DEFAULT '',
    date_format TEXT NOT NULL DEFAULT 'YYYY-MM-DD',
    negative_style TEXT NOT NULL DEFAULT 'minus',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
INSERT INTO users__v3 (id, tenant_id, email, password_hash, first_name, last_name, role, permissions, is_active, default_company_id, all_companies, token_version, last_login, phone, timezone, language, two_factor_enabled, web3_wallet_address, date_format, negative_style, created_at, updated_at)
    SELECT unhex(replace(id, '-', '')), unhex(replace(tenant_id, '-', '')), email, password_hash, first_name, last_name, role, permissions, is_active, unhex(replace(default_company_id, '-', '')), all_companies, token_version, last_login, phone, timezone, language, two_factor_enabled, web3_wallet_address, date_format, negative_style, created_at, updated_at FROM users;
DROP TABLE users;
ALTER TABLE users__v3 RENAME TO users;
CREATE INDEX users_tenant ON users(tenant_id);

DROP TABLE v3_unconvertible;
