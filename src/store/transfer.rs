//! Moving a firm between installations and backends (`oasys export` / `oasys import ARCHIVE`):
//! any table dumped to JSON lines and loaded back, generically, from the database's own
//! catalogue — so a table added by a future migration travels with no code here.
//!
//! Values are typed by column: integers (money in minor units) as JSON numbers, text as
//! strings, booleans as `true`/`false` (SQLite stores them as `0`/`1`), `NULL` as `null`. Rows
//! are written in primary-key order, text compared byte by byte, so both backends write the
//! same lines for the same data. The archive format is `docs/export-format.md`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, Write};

use uuid::Uuid;

use super::{Backend, Row, Store, StoreError, Tx, Value, migrations};
use crate::domain::ledger::chain;
use crate::params;
use crate::tenancy::TenantScope;

/// The portable type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Integer,
    Text,
    Boolean,
}

impl ColumnType {
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnType::Integer => "integer",
            ColumnType::Text => "text",
            ColumnType::Boolean => "boolean",
        }
    }

    pub fn parse(s: &str) -> Option<ColumnType> {
        match s {
            "integer" => Some(ColumnType::Integer),
            "text" => Some(ColumnType::Text),
            "boolean" => Some(ColumnType::Boolean),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub ty: ColumnType,
    pub nullable: bool,
    /// A text column this backend stores as bytes (SQLite's ids and digests since v10): the
    /// archive carries its text form, loaded back as an id or a digest.
    pub binary: bool,
}

/// A table as the catalogue describes it.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    /// In declared order.
    pub columns: Vec<Column>,
    pub primary_key: Vec<String>,
    /// `(column, referenced table)` for every foreign key column.
    pub references: Vec<(String, String)>,
}

impl Table {
    fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Refinery's own bookkeeping: the schema version travels in the manifest instead, and the
/// destination's history is written by its own migrations.
const SCHEMA_HISTORY: &str = "refinery_schema_history";

/// The search index's change log: what it names is the index's to take, and a moved firm's
/// index is rebuilt from its rows (the import's own inserts fill the log again).
const SEARCH_CHANGES: &str = "search_changes";

/// The platform rows that belong to a firm, with the filter that selects them (`$1`: the firm's
/// id), in an order safe for foreign keys.
pub const PLATFORM_TABLES: &[(&str, &str)] = &[
    ("tenants", "id = $1"),
    ("users", "tenant_id = $1"),
    (
        "user_companies",
        "user_id IN (SELECT id FROM users WHERE tenant_id = $1)",
    ),
    ("audit_log", "tenant_id = $1"),
];

/// Platform tables never exported: sessions (refresh tokens end with the move; users sign in
/// again), installation settings (one-time setup tokens, nothing of a firm's) and the
/// installation's backup history. A test checks
/// that every platform table is in one list or the other, so a new one forces a decision.
pub const PLATFORM_EXCLUDED: &[&str] = &[
    "refresh_families",
    "refresh_tokens",
    "settings",
    "backup_runs",
    SCHEMA_HISTORY,
];

/// The tables of the transaction's database, refinery's history left out, in an order safe for
/// foreign keys (a table after every table it references; ties by name). A cycle between
/// tables is refused: rows could not be loaded one table at a time.
pub fn tables(tx: &mut Tx, tenant: bool) -> Result<Vec<Table>, StoreError> {
    let mut pending: BTreeMap<String, Table> = tx
        .catalogue(tenant)?
        .into_iter()
        .filter(|t| t.name != SCHEMA_HISTORY && t.name != SEARCH_CHANGES)
        .map(|t| (t.name.clone(), t))
        .collect();
    let mut ordered = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let ready = pending
            .values()
            .find(|t| {
                t.references
                    .iter()
                    .all(|(_, r)| *r == t.name || !pending.contains_key(r))
            })
            .map(|t| t.name.clone());
        let Some(name) = ready else {
            let names: Vec<&String> = pending.keys().collect();
            return Err(StoreError::Database(format!(
                "these tables reference each other in a cycle: {names:?}"
            )));
        };
        if let Some(t) = pending.remove(&name) {
            ordered.push(t);
        }
    }
    Ok(ordered)
}

/// Writes the rows of `table` selected by `filter` (`None`: all) as JSON lines, in primary-key
/// order; returns the number of rows.
pub fn dump(
    tx: &mut Tx,
    table: &Table,
    filter: Option<(&str, &[Value])>,
    out: &mut dyn Write,
) -> Result<u64, StoreError> {
    let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    let collation = tx.byte_order_collation();
    let order: Vec<String> = table
        .primary_key
        .iter()
        .map(|k| match table.column(k) {
            Some(c) if c.ty == ColumnType::Text && !c.binary => format!("{k} COLLATE {collation}"),
            _ => k.clone(),
        })
        .collect();
    let mut sql = format!("SELECT {} FROM {}", names.join(", "), table.name);
    let mut params: &[Value] = &[];
    if let Some((condition, values)) = filter {
        sql.push_str(" WHERE ");
        sql.push_str(condition);
        params = values;
    }
    if !order.is_empty() {
        sql.push_str(" ORDER BY ");
        sql.push_str(&order.join(", "));
    }
    let mut rows = 0u64;
    let mut line = Vec::with_capacity(512);
    tx.for_each_row(&sql, params, |row| {
        line.clear();
        write_row(table, &row, &mut line)?;
        out.write_all(&line)
            .map_err(|e| StoreError::Unavailable(format!("writing {}: {e}", table.name)))?;
        rows += 1;
        Ok(())
    })?;
    Ok(rows)
}

fn write_row(table: &Table, row: &Row, line: &mut Vec<u8>) -> Result<(), StoreError> {
    let json = |e: serde_json::Error| StoreError::Database(e.to_string());
    line.push(b'{');
    for (i, (column, value)) in table.columns.iter().zip(row.values()).enumerate() {
        if i > 0 {
            line.push(b',');
        }
        serde_json::to_writer(&mut *line, &column.name).map_err(json)?;
        line.push(b':');
        let bad = || {
            StoreError::Corrupt(format!(
                "{}.{}: {value:?} is not a {} value",
                table.name,
                column.name,
                column.ty.as_str()
            ))
        };
        match (column.ty, value) {
            (_, Value::Null) => line.extend_from_slice(b"null"),
            (ColumnType::Integer, Value::Int(v)) => line.extend_from_slice(v.to_string().as_bytes()),
            (ColumnType::Boolean, Value::Bool(v)) => line.extend_from_slice(if *v { b"true" } else { b"false" }),
            (ColumnType::Boolean, Value::Int(0)) => line.extend_from_slice(b"false"),
            (ColumnType::Boolean, Value::Int(1)) => line.extend_from_slice(b"true"),
            (ColumnType::Text, Value::Text(v)) => serde_json::to_writer(&mut *line, v).map_err(json)?,
            (ColumnType::Text, Value::Id(_) | Value::Digest(_)) => {
                serde_json::to_writer(&mut *line, &row.text(i)?).map_err(json)?;
            }
            _ => return Err(bad()),
        }
    }
    line.extend_from_slice(b"}\n");
    Ok(())
}

/// Rows inserted per call to [`Tx::insert_many`].
const LOAD_BATCH: usize = 512;

/// Loads JSON lines written by [`dump`] into `table`: `columns` are the archive's columns (each
/// must exist here; every key of every row must be one of them). Values are converted by the
/// destination column's type. A column referencing its own table (an entry and its reversal
/// point at each other) is inserted as `NULL` and set once every row is in. Returns the rows.
pub fn load(tx: &mut Tx, table: &Table, columns: &[String], lines: impl BufRead) -> Result<u64, StoreError> {
    let corrupt = |n: u64, msg: String| StoreError::Corrupt(format!("{} row {n}: {msg}", table.name));
    let mut dest = Vec::with_capacity(columns.len());
    for name in columns {
        dest.push(table.column(name).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "{}: the archive has a column {name} this database does not",
                table.name
            ))
        })?);
    }
    let self_refs: Vec<usize> = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| table.references.iter().any(|(col, t)| col == *c && *t == table.name))
        .map(|(i, _)| i)
        .collect();
    let key: Vec<usize> = table
        .primary_key
        .iter()
        .filter_map(|k| columns.iter().position(|c| c == k))
        .collect();
    if !self_refs.is_empty() && (key.is_empty() || key.len() != table.primary_key.len()) {
        return Err(StoreError::Database(format!(
            "{}: refers to itself but its primary key is not in the archive",
            table.name
        )));
    }
    let head = format!("INSERT INTO {} ({})", table.name, columns.join(", "));
    let mut values: Vec<Value> = Vec::with_capacity(columns.len() * LOAD_BATCH);
    let mut deferred: Vec<Vec<Value>> = Vec::new();
    let mut n = 0u64;
    for line in lines.lines() {
        let line = line.map_err(|e| StoreError::Corrupt(format!("{}: {e}", table.name)))?;
        n += 1;
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&line).map_err(|e| corrupt(n, format!("not a JSON object: {e}")))?;
        if object.len() != columns.len() {
            return Err(corrupt(
                n,
                format!("{} values for {} columns", object.len(), columns.len()),
            ));
        }
        let mut row = Vec::with_capacity(columns.len());
        for (name, column) in columns.iter().zip(&dest) {
            let raw = object
                .get(name)
                .ok_or_else(|| corrupt(n, format!("no value for column {name}")))?;
            row.push(
                convert(raw, column)
                    .ok_or_else(|| corrupt(n, format!("column {name}: {raw} is not a {} value", column.ty.as_str())))?,
            );
        }
        if self_refs.iter().any(|&i| row[i] != Value::Null) {
            let mut later: Vec<Value> = self_refs.iter().map(|&i| row[i].clone()).collect();
            later.extend(key.iter().map(|&i| row[i].clone()));
            deferred.push(later);
            for &i in &self_refs {
                row[i] = Value::Null;
            }
        }
        values.extend(row);
        if values.len() >= columns.len() * LOAD_BATCH {
            tx.insert_many(&head, columns.len(), &values)?;
            values.clear();
        }
    }
    if !values.is_empty() {
        tx.insert_many(&head, columns.len(), &values)?;
    }
    if !deferred.is_empty() {
        let mut sql = format!("UPDATE {} SET ", table.name);
        let mut p = 0;
        let sets: Vec<String> = self_refs
            .iter()
            .map(|&i| {
                p += 1;
                format!("{} = ${p}", columns[i])
            })
            .collect();
        sql.push_str(&sets.join(", "));
        let wheres: Vec<String> = key
            .iter()
            .map(|&i| {
                p += 1;
                format!("{} = ${p}", columns[i])
            })
            .collect();
        sql.push_str(" WHERE ");
        sql.push_str(&wheres.join(" AND "));
        for params in deferred {
            tx.execute(&sql, &params)?;
        }
    }
    Ok(n)
}

/// A JSON value as the destination column's type wants it; `None` if it is not one.
fn convert(raw: &serde_json::Value, column: &Column) -> Option<Value> {
    use serde_json::Value as J;
    match (raw, column.ty) {
        (J::Null, _) => Some(Value::Null),
        (J::Number(n), ColumnType::Integer) => n.as_i64().map(Value::Int),
        (J::String(s), ColumnType::Text) if column.binary => match Uuid::parse_str(s) {
            Ok(id) => Some(Value::Id(id)),
            Err(_) => Some(Value::digest(s)).filter(|v| matches!(v, Value::Digest(_))),
        },
        (J::String(s), ColumnType::Text) => Some(Value::Text(s.clone())),
        (J::Bool(b), ColumnType::Boolean) => Some(Value::Bool(*b)),
        _ => None,
    }
}

/// What re-signing did to one company's checkpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resigned {
    pub company_id: Uuid,
    pub checkpoints: i64,
}

/// Signs again, with `key`, every checkpoint whose signature this key does not verify, and
/// records it in the firm's audit trail (`chain_checkpoint` / `resign`, per company, with
/// `detail`). Call it only on a chain that is verified right after (the caller drops the firm
/// if not): re-signing vouches for the stored hashes, it does not check them.
pub fn resign_checkpoints(
    tx: &mut Tx,
    tenant: Uuid,
    key: &[u8],
    detail: &serde_json::Value,
) -> Result<Vec<Resigned>, StoreError> {
    let rows = tx.query(
        "SELECT company_id, seq, hash, signature, key_id FROM chain_checkpoints ORDER BY company_id, seq",
        &[],
    )?;
    let key_id = chain::key_id(key);
    let mut done: BTreeMap<Uuid, i64> = BTreeMap::new();
    for r in rows {
        let (company, seq, hash, signature) = (r.uuid(0)?, r.int(1)?, r.text(2)?, r.text(3)?);
        let valid = chain::signature_valid(key, company, seq, &hash, &signature);
        if valid && r.opt_text(4)?.is_some_and(|k| k == key_id) {
            continue;
        }
        // A valid signature is written again unchanged, now naming its key.
        let signature = chain::signature(key, company, seq, &hash);
        tx.execute(
            "UPDATE chain_checkpoints SET signature = $3, key_id = $4 WHERE company_id = $1 AND seq = $2",
            params![company, seq, signature, key_id.as_str()],
        )?;
        if !valid {
            *done.entry(company).or_default() += 1;
        }
    }
    let mut out = Vec::new();
    for (company, n) in done {
        let mut detail = detail.clone();
        if let Some(map) = detail.as_object_mut() {
            map.insert("checkpoints".into(), n.into());
        }
        tx.execute(
            "INSERT INTO audit_log (id, tenant_id, actor_id, action, object_type, object_id, detail, created_at, company_id) \
             VALUES ($1, $5, NULL, 'resign', 'chain_checkpoint', $2, $3, $4, $2)",
            params![
                Uuid::now_v7(),
                company,
                detail.to_string(),
                super::platform::ts(jiff::Timestamp::now()),
                tenant
            ],
        )?;
        out.push(Resigned {
            company_id: company,
            checkpoints: n,
        });
    }
    Ok(out)
}

/// The users of the archive (`(id, email)`) that clash with users of this installation outside
/// the firm `tenant`: the same id or the same e-mail. A user belongs to one firm, so these are
/// never merged: the import is refused.
pub fn clashing_users(tx: &mut Tx, tenant: Uuid, users: &[(String, String)]) -> Result<Vec<String>, StoreError> {
    let mut out = BTreeSet::new();
    for (id, email) in users {
        for r in tx.query(
            "SELECT email FROM users WHERE (id = $1 OR email = $2) AND (tenant_id IS NULL OR tenant_id <> $3)",
            params![id, email, tenant],
        )? {
            out.insert(r.text(0)?);
        }
    }
    Ok(out.into_iter().collect())
}

/// Removes a firm's platform rows (its users and their sessions, company access and audit
/// rows, then the firm), in the caller's transaction: the first half of replacing it.
pub fn delete_platform_rows(tx: &mut Tx, tenant: Uuid) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM refresh_tokens WHERE family_id IN (SELECT f.id FROM refresh_families f JOIN users u ON u.id = f.user_id WHERE u.tenant_id = $1)",
        "DELETE FROM refresh_families WHERE user_id IN (SELECT id FROM users WHERE tenant_id = $1)",
        "DELETE FROM user_companies WHERE user_id IN (SELECT id FROM users WHERE tenant_id = $1)",
        "DELETE FROM users WHERE tenant_id = $1",
        "DELETE FROM audit_log WHERE tenant_id = $1",
        "DELETE FROM tenants WHERE id = $1",
    ] {
        tx.execute(sql, params![tenant])?;
    }
    Ok(())
}

/// Row counts of every table of a firm's database, for reports and tests.
pub fn row_counts(tx: &mut Tx) -> Result<HashMap<String, i64>, StoreError> {
    let mut out = HashMap::new();
    for t in tables(tx, true)? {
        let n = tx.query_one(&format!("SELECT COUNT(*) FROM {}", t.name), &[])?.int(0)?;
        out.insert(t.name, n);
    }
    Ok(out)
}

/// The storage operations an import needs beyond [`Store`]'s everyday API.
impl Store {
    /// The tenant schema version this binary migrates to.
    pub fn tenant_schema_latest() -> i64 {
        migrations::latest(&migrations::tenant_sqlite())
    }

    /// The platform schema version this binary migrates to.
    pub fn platform_schema_latest() -> i64 {
        migrations::latest(&migrations::platform_sqlite())
    }

    /// The schema version of a firm's database.
    pub fn tenant_schema_version(&self, scope: &TenantScope) -> Result<i64, StoreError> {
        self.tenant_read(scope, |tx| {
            tx.query_one("SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history", &[])?
                .int(0)
        })
    }

    /// True when a firm's file (SQLite) or schema (PostgreSQL) exists, with or without its
    /// platform row.
    pub fn tenant_storage_exists(&self, id: Uuid) -> Result<bool, StoreError> {
        match &self.backend {
            Backend::Sqlite(b) => Ok(b.tenant_exists(id)),
            Backend::Postgres(b) => b.tenant_exists(id),
        }
    }

    /// Creates a firm's storage migrated only up to `version`, to load rows written at that
    /// version; [`Store::migrate_tenant`] brings it forward afterwards.
    pub fn create_tenant_storage_at(&self, id: Uuid, version: i64) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(b) => b.create_tenant_at(id, Some(version)),
            Backend::Postgres(b) => b.create_tenant_at(id, Some(version)),
        }
    }

    /// Applies this binary's pending migrations to one firm; returns its version.
    pub fn migrate_tenant(&self, id: Uuid) -> Result<i64, StoreError> {
        match &self.backend {
            Backend::Sqlite(b) => b.migrate_tenant(id),
            Backend::Postgres(b) => b.migrate_tenant(id),
        }
    }

    /// Gives firm `from`'s storage to firm `to` (a directory or schema rename): an import loads
    /// and verifies under a scratch id, then moves the result into place in one step.
    pub fn rename_tenant_storage(&self, from: Uuid, to: Uuid) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(b) => b.rename_tenant(from, to),
            Backend::Postgres(b) => b.rename_tenant(from, to),
        }
    }

    /// Deletes a firm's storage (file or schema) and everything in it. Its platform rows stay.
    pub fn drop_tenant_storage(&self, id: Uuid) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(b) => b.drop_tenant(id),
            Backend::Postgres(b) => b.drop_tenant(id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(ty: ColumnType) -> Column {
        Column {
            name: "c".into(),
            ty,
            nullable: true,
            binary: false,
        }
    }

    #[test]
    fn a_binary_column_loads_ids_and_digests_from_their_text() {
        use serde_json::json;
        let binary = Column {
            binary: true,
            ..col(ColumnType::Text)
        };
        let id = Uuid::now_v7();
        assert_eq!(convert(&json!(id.to_string()), &binary), Some(Value::Id(id)));
        let hash = "ab".repeat(32);
        assert_eq!(convert(&json!(hash), &binary), Some(Value::Digest([0xab; 32])));
        assert_eq!(convert(&json!("not an id"), &binary), None);
        assert_eq!(
            convert(&json!("x"), &col(ColumnType::Text)),
            Some(Value::Text("x".into()))
        );
    }

    #[test]
    fn values_convert_by_the_destination_type_and_nothing_else() {
        use serde_json::json;
        assert_eq!(
            convert(&json!(12500), &col(ColumnType::Integer)),
            Some(Value::Int(12500))
        );
        assert_eq!(
            convert(&json!(i64::MIN), &col(ColumnType::Integer)),
            Some(Value::Int(i64::MIN))
        );
        assert_eq!(
            convert(&json!(true), &col(ColumnType::Boolean)),
            Some(Value::Bool(true))
        );
        assert_eq!(convert(&json!(null), &col(ColumnType::Text)), Some(Value::Null));
        assert_eq!(
            convert(&json!("x"), &col(ColumnType::Text)),
            Some(Value::Text("x".into()))
        );
        // No float ever becomes money, no text becomes a number, no 0/1 becomes a boolean.
        assert_eq!(convert(&json!(1.5), &col(ColumnType::Integer)), None);
        assert_eq!(convert(&json!("12"), &col(ColumnType::Integer)), None);
        assert_eq!(convert(&json!(1), &col(ColumnType::Boolean)), None);
        assert_eq!(convert(&json!(1), &col(ColumnType::Text)), None);
    }

    /// Tables, columns, portable types, keys and references as one comparable text.
    fn shape(tables: &[Table]) -> Vec<String> {
        tables
            .iter()
            .map(|t| {
                let mut refs = t.references.clone();
                refs.sort();
                let cols: Vec<String> = t
                    .columns
                    .iter()
                    .map(|c| format!("{} {} {}", c.name, c.ty.as_str(), c.nullable))
                    .collect();
                format!("{}: {cols:?} pk {:?} refs {refs:?}", t.name, t.primary_key)
            })
            .collect()
    }

    /// The export reads SQLite's booleans from the PostgreSQL migrations and everything else
    /// from each engine's catalogue: both must describe the same tables, or an archive from one
    /// backend would not load into the other.
    #[test]
    fn both_catalogues_describe_the_same_tables() {
        let Some(url) = std::env::var("OASYS_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let lite = Store::open(&super::super::StoreConfig::Sqlite {
            data_dir: dir.path().to_path_buf(),
            cache_size: 2,
        })
        .unwrap();
        let schema = format!("catalogue_{}", Uuid::new_v4().simple());
        let pg = Store::open(&super::super::StoreConfig::Postgres {
            url,
            platform_schema: schema.clone(),
            pool_size: 2,
        })
        .unwrap();
        let id = Uuid::now_v7();
        let scope = TenantScope::operator(id);
        lite.create_tenant_storage(id).unwrap();
        pg.create_tenant_storage(id).unwrap();
        let both = |store: &Store| {
            let platform = store.platform_read(|tx| tables(tx, false)).unwrap();
            let tenant = store.tenant_read(&scope, |tx| tables(tx, true)).unwrap();
            (shape(&platform), shape(&tenant))
        };
        let (lite_shape, pg_shape) = (both(&lite), both(&pg));
        pg.drop_tenant_storage(id).unwrap();
        pg.platform_write(|tx| tx.execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"), &[]))
            .unwrap();
        assert_eq!(lite_shape.0, pg_shape.0, "platform");
        assert_eq!(lite_shape.1, pg_shape.1, "tenant");
        assert!(lite_shape.1.iter().any(|t| t.contains("is_active boolean")));
    }

    #[test]
    fn every_platform_table_is_exported_or_excluded_on_purpose() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&super::super::StoreConfig::Sqlite {
            data_dir: dir.path().to_path_buf(),
            cache_size: 2,
        })
        .unwrap();
        let names: Vec<String> = store
            .platform_read(|tx| tables(tx, false))
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        for name in &names {
            let known = PLATFORM_TABLES.iter().any(|(t, _)| t == name) || PLATFORM_EXCLUDED.contains(&name.as_str());
            assert!(
                known,
                "platform table {name}: export it (PLATFORM_TABLES) or say why not (PLATFORM_EXCLUDED)"
            );
        }
        for (t, _) in PLATFORM_TABLES {
            assert!(names.iter().any(|n| n == t), "{t} is not a platform table");
        }
    }
}
