//! The thin SQL layer: one way to run a statement on SQLite or PostgreSQL, so the queries
//! in `store/` are written once for both backends.
//!
//! SQL is written in the portable subset both engines share, with `$1`, `$2`… placeholders
//! (rewritten to `?1`, `?2`… for SQLite). Values cross the boundary as [`Value`]: integers
//! (money is always integer minor units), text (dates, timestamps), booleans, ids and digests.
//!
//! Ids and chain digests are the most stored values of a firm's file, so SQLite keeps them as
//! raw bytes: a UUID as a 16-byte BLOB, a SHA-256 as a 32-byte one (storage shape v10).
//! PostgreSQL keeps their text form. Read back, both come out as the same [`Value`]s, so the
//! queries above this layer are the same for both backends.

use std::error::Error as StdError;

use bytes::BytesMut;
use postgres::types::{IsNull, ToSql as PgToSql, Type, to_sql_checked};
use rusqlite::types::{ToSqlOutput, ValueRef};
use uuid::Uuid;

use super::StoreError;
use crate::domain::ledger::chain;

/// A parameter or a column value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
    /// A UUID: a 16-byte BLOB on SQLite, its hyphenated text on PostgreSQL. Binding it
    /// allocates nothing.
    Id(Uuid),
    /// A SHA-256 (a chain link's hash): a 32-byte BLOB on SQLite, 64 hex digits on PostgreSQL.
    Digest([u8; 32]),
}

impl Value {
    /// A digest from its 64 hex digits. Anything else stays text, which a BLOB column refuses
    /// loudly rather than storing something that is not a digest.
    pub fn digest(hex: &str) -> Value {
        let bytes = hex.as_bytes();
        let mut out = [0u8; 32];
        if bytes.len() != 64 {
            return Value::Text(hex.to_owned());
        }
        for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
            match (nibble(pair[0]), nibble(pair[1])) {
                (Some(h), Some(l)) => *o = h << 4 | l,
                _ => return Value::Text(hex.to_owned()),
            }
        }
        Value::Digest(out)
    }
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<Uuid> for Value {
    fn from(v: Uuid) -> Self {
        Value::Id(v)
    }
}
impl From<&Uuid> for Value {
    fn from(v: &Uuid) -> Self {
        Value::from(*v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// Builds a parameter list: `params![a, b, c]`.
#[macro_export]
macro_rules! params {
    ($($v:expr),* $(,)?) => { &[$($crate::store::sql::Value::from($v)),*][..] };
}

/// The same values as an owned array, to append to a row buffer without copying.
#[macro_export]
macro_rules! values {
    ($($v:expr),* $(,)?) => { [$($crate::store::sql::Value::from($v)),*] };
}

/// One result row, read by column position.
#[derive(Debug, Clone)]
pub struct Row(Vec<Value>);

impl Row {
    fn at(&self, i: usize) -> Result<&Value, StoreError> {
        self.0
            .get(i)
            .ok_or_else(|| StoreError::Corrupt(format!("column {i} missing from result row")))
    }

    /// Every value of the row, in column order (for code that handles any table's rows).
    pub fn values(&self) -> &[Value] {
        &self.0
    }

    pub fn int(&self, i: usize) -> Result<i64, StoreError> {
        match self.at(i)? {
            Value::Int(v) => Ok(*v),
            other => Err(StoreError::Corrupt(format!(
                "column {i}: expected an integer, found {other:?}"
            ))),
        }
    }

    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.at(i)? {
            Value::Null => Ok(None),
            _ => self.int(i).map(Some),
        }
    }

    /// A text column; an id or a digest in its text form.
    pub fn text(&self, i: usize) -> Result<String, StoreError> {
        match self.at(i)? {
            Value::Text(v) => Ok(v.clone()),
            Value::Id(v) => Ok(v.to_string()),
            Value::Digest(v) => Ok(chain::hex(v)),
            other => Err(StoreError::Corrupt(format!(
                "column {i}: expected text, found {other:?}"
            ))),
        }
    }

    pub fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.at(i)? {
            Value::Null => Ok(None),
            _ => self.text(i).map(Some),
        }
    }

    pub fn bool(&self, i: usize) -> Result<bool, StoreError> {
        match self.at(i)? {
            Value::Bool(v) => Ok(*v),
            Value::Int(v) => Ok(*v != 0),
            other => Err(StoreError::Corrupt(format!(
                "column {i}: expected a boolean, found {other:?}"
            ))),
        }
    }

    /// A text column, borrowed: for values parsed at once (ids, dates), with no copy.
    pub fn str(&self, i: usize) -> Result<&str, StoreError> {
        match self.at(i)? {
            Value::Text(v) => Ok(v),
            other => Err(StoreError::Corrupt(format!(
                "column {i}: expected text, found {other:?}"
            ))),
        }
    }

    pub fn opt_str(&self, i: usize) -> Result<Option<&str>, StoreError> {
        match self.at(i)? {
            Value::Null => Ok(None),
            _ => self.str(i).map(Some),
        }
    }

    pub fn uuid(&self, i: usize) -> Result<Uuid, StoreError> {
        if let Value::Id(v) = self.at(i)? {
            return Ok(*v);
        }
        let text = self.str(i)?;
        Uuid::parse_str(text).map_err(|_| StoreError::Corrupt(format!("column {i}: {text:?} is not a UUID")))
    }

    pub fn opt_uuid(&self, i: usize) -> Result<Option<Uuid>, StoreError> {
        match self.at(i)? {
            Value::Null => Ok(None),
            _ => self.uuid(i).map(Some),
        }
    }
}

/// An open transaction on either backend. Dropping it without [`Tx::commit`] rolls back.
pub enum Tx<'c> {
    Sqlite(rusqlite::Transaction<'c>),
    Postgres(postgres::Transaction<'c>),
}

impl Tx<'_> {
    /// Runs a statement; returns the number of rows changed.
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        match self {
            Tx::Sqlite(tx) => {
                let mut stmt = tx.prepare_cached(&sqlite_sql(sql))?;
                let n = stmt.execute(rusqlite::params_from_iter(params.iter()))?;
                Ok(n as u64)
            }
            Tx::Postgres(tx) => Ok(tx.execute(sql, &pg_params(params))?),
        }
    }

    /// Inserts many rows with multi-row `VALUES` lists: `head` is `INSERT INTO t (a, b, …)` and
    /// `values` holds `width` values per row, row after row. One statement per 64 rows instead of
    /// one per row: the bulk paths spend their time in the B-trees, not in statement overhead.
    pub fn insert_many(&mut self, head: &str, width: usize, values: &[Value]) -> Result<(), StoreError> {
        self.upsert_many(head, width, values, "")
    }

    /// [`Tx::insert_many`] with `on_conflict` (an `ON CONFLICT …` clause, both backends' syntax)
    /// after each statement's `VALUES` lists: rows that exist already are added to or left.
    pub fn upsert_many(
        &mut self,
        head: &str,
        width: usize,
        values: &[Value],
        on_conflict: &str,
    ) -> Result<(), StoreError> {
        const ROWS: usize = 64;
        if width == 0 || !values.len().is_multiple_of(width) {
            return Err(StoreError::Database(format!(
                "{} values do not make rows of {width}",
                values.len()
            )));
        }
        for chunk in values.chunks(width * ROWS) {
            let sql = multi_row_insert(head, width, chunk.len() / width);
            if on_conflict.is_empty() {
                self.execute(&sql, chunk)?;
            } else {
                self.execute(&format!("{sql} {on_conflict}"), chunk)?;
            }
        }
        Ok(())
    }

    /// Runs a query and collects every row.
    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        match self {
            Tx::Sqlite(tx) => {
                let mut stmt = tx.prepare_cached(&sqlite_sql(sql))?;
                let width = stmt.column_count();
                let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    let mut values = Vec::with_capacity(width);
                    for i in 0..width {
                        values.push(from_sqlite(row.get_ref(i)?)?);
                    }
                    out.push(Row(values));
                }
                Ok(out)
            }
            Tx::Postgres(tx) => {
                let rows = tx.query(sql, &pg_params(params))?;
                rows.iter().map(from_pg_row).collect()
            }
        }
    }

    /// Runs a query and hands each row to `f` as it arrives, without collecting them: for reads
    /// of a whole table (the portable export).
    pub fn for_each_row(
        &mut self,
        sql: &str,
        params: &[Value],
        mut f: impl FnMut(Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => {
                let mut stmt = tx.prepare(&sqlite_sql(sql))?;
                let width = stmt.column_count();
                let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
                while let Some(row) = rows.next()? {
                    let mut values = Vec::with_capacity(width);
                    for i in 0..width {
                        values.push(from_sqlite(row.get_ref(i)?)?);
                    }
                    f(Row(values))?;
                }
                Ok(())
            }
            Tx::Postgres(tx) => {
                use postgres::fallible_iterator::FallibleIterator;
                let mut rows = tx.query_raw(sql, pg_params(params))?;
                while let Some(row) = rows.next()? {
                    f(from_pg_row(&row)?)?;
                }
                Ok(())
            }
        }
    }

    /// How many rows one statement should change at once when each row gets its own value: 1 on
    /// SQLite (a cached statement per row, each found by its key, costs microseconds in process;
    /// its `UPDATE … FROM (VALUES …)` grew worse than linear in our measure), 500 on PostgreSQL
    /// (every statement is a round trip).
    pub fn rows_per_update(&self) -> usize {
        match self {
            Tx::Sqlite(_) => 1,
            Tx::Postgres(_) => 500,
        }
    }

    /// The collation that orders text by its bytes (UTF-8 code point order) on this backend, for
    /// an order that is the same on both: `BINARY` on SQLite (its default), `C` on PostgreSQL.
    pub fn byte_order_collation(&self) -> &'static str {
        match self {
            Tx::Sqlite(_) => "BINARY",
            Tx::Postgres(_) => "\"C\"",
        }
    }

    /// The tables of this database with their columns, keys and references, from the engine's
    /// own catalogue (the tenant or the platform database: `tenant` picks the booleans SQLite
    /// cannot declare).
    pub fn catalogue(&mut self, tenant: bool) -> Result<Vec<super::transfer::Table>, StoreError> {
        match self {
            Tx::Sqlite(tx) => super::sqlite::catalogue(tx, tenant),
            Tx::Postgres(tx) => super::postgres::catalogue(tx),
        }
    }

    /// Runs a query expected to return at most one row.
    pub fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, StoreError> {
        let mut rows = self.query(sql, params)?;
        if rows.len() > 1 {
            return Err(StoreError::Corrupt(format!("expected one row, got {}", rows.len())));
        }
        Ok(rows.pop())
    }

    /// Runs a query that must return exactly one row.
    pub fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Row, StoreError> {
        self.query_opt(sql, params)?.ok_or(StoreError::NotFound)
    }

    /// Makes every later statement of this transaction read the same snapshot. SQLite's read
    /// transactions already do; PostgreSQL's default (read committed) takes a new snapshot per
    /// statement, so this switches the transaction to repeatable read. Call it first.
    pub fn snapshot(&mut self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(_) => Ok(()),
            Tx::Postgres(tx) => Ok(tx.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")?),
        }
    }

    /// What the database engine's own consistency checks report, one line per problem; empty
    /// when all is well. On SQLite: `PRAGMA integrity_check` (the file's structure, indexes,
    /// `NOT NULL` and `CHECK` constraints) and `PRAGMA foreign_key_check`. PostgreSQL keeps
    /// its storage consistent itself and has no such check to run here: always empty.
    pub fn storage_problems(&mut self) -> Result<Vec<String>, StoreError> {
        if let Tx::Postgres(_) = self {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for r in self.query("PRAGMA integrity_check", &[])? {
            let message = r.text(0)?;
            if message != "ok" {
                out.push(format!("integrity_check: {message}"));
            }
        }
        for r in self.query("PRAGMA foreign_key_check", &[])? {
            let rowid = r.opt_int(1)?.map_or_else(|| "?".to_owned(), |n| n.to_string());
            out.push(format!(
                "foreign_key_check: row {rowid} of {} refers to a missing row of {}",
                r.text(0)?,
                r.text(2)?
            ));
        }
        Ok(out)
    }

    pub fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => Ok(tx.commit()?),
            Tx::Postgres(tx) => Ok(tx.commit()?),
        }
    }
}

/// `head VALUES ($1, …), (…), …` for `rows` rows of `width` values. Remembered per thread: a
/// bulk posting runs the same few texts thousands of times, and building one takes a thousand
/// small writes.
fn multi_row_insert(head: &str, width: usize, rows: usize) -> std::rc::Rc<str> {
    use std::fmt::Write as _;
    thread_local! {
        static TEXTS: std::cell::RefCell<std::collections::HashMap<(String, usize, usize), std::rc::Rc<str>>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    TEXTS.with(|cache| {
        let mut cache = cache.borrow_mut();
        let key = (head.to_owned(), width, rows);
        if let Some(text) = cache.get(&key) {
            return std::rc::Rc::clone(text);
        }
        let mut sql = String::with_capacity(head.len() + 8 + rows * width * 7);
        sql.push_str(head);
        sql.push_str(" VALUES ");
        for r in 0..rows {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..width {
                if c > 0 {
                    sql.push_str(", ");
                }
                let _ = write!(sql, "${}", r * width + c + 1);
            }
            sql.push(')');
        }
        let text: std::rc::Rc<str> = sql.into();
        // Heads are few, but the transfer code builds them per table: keep this bounded.
        if cache.len() >= 256 {
            cache.clear();
        }
        cache.insert(key, std::rc::Rc::clone(&text));
        text
    })
}

/// `$1` → `?1`: SQLite binds `?NNN` by number, whatever the order of appearance. The rewritten
/// text is remembered per thread (the same few hundred statements run again and again).
fn sqlite_sql(sql: &str) -> std::rc::Rc<str> {
    thread_local! {
        static REWRITTEN: std::cell::RefCell<std::collections::HashMap<String, std::rc::Rc<str>>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    REWRITTEN.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(done) = cache.get(sql) {
            return std::rc::Rc::clone(done);
        }
        let done: std::rc::Rc<str> = rewrite_placeholders(sql).into();
        // Dynamic SQL (lists with filters) could grow this without end: keep it bounded.
        if cache.len() >= 1024 {
            cache.clear();
        }
        cache.insert(sql.to_owned(), std::rc::Rc::clone(&done));
        done
    })
}

fn rewrite_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Owned(rusqlite::types::Value::Null),
            Value::Int(v) => ToSqlOutput::Owned(rusqlite::types::Value::Integer(*v)),
            Value::Bool(v) => ToSqlOutput::Owned(rusqlite::types::Value::Integer(i64::from(*v))),
            Value::Text(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            Value::Id(v) => ToSqlOutput::Borrowed(ValueRef::Blob(v.as_bytes())),
            Value::Digest(v) => ToSqlOutput::Borrowed(ValueRef::Blob(v)),
        })
    }
}

fn from_sqlite(v: ValueRef<'_>) -> Result<Value, StoreError> {
    match v {
        ValueRef::Null => Ok(Value::Null),
        ValueRef::Integer(i) => Ok(Value::Int(i)),
        ValueRef::Text(t) => std::str::from_utf8(t)
            .map(|s| Value::Text(s.to_owned()))
            .map_err(|_| StoreError::Corrupt("text column is not UTF-8".into())),
        ValueRef::Blob(b) => match b.len() {
            16 => Uuid::from_slice(b)
                .map(Value::Id)
                .map_err(|_| StoreError::Corrupt("an id column is not 16 bytes".into())),
            32 => {
                let mut d = [0u8; 32];
                d.copy_from_slice(b);
                Ok(Value::Digest(d))
            }
            n => Err(StoreError::Corrupt(format!(
                "a {n}-byte BLOB column: ids are 16 bytes, digests 32"
            ))),
        },
        ValueRef::Real(_) => Err(StoreError::Corrupt(
            "unexpected REAL column (money is never a float)".into(),
        )),
    }
}

impl PgToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Bool(v) => v.to_sql(ty, out),
            Value::Text(v) => v.as_str().to_sql(ty, out),
            Value::Id(v) => {
                let mut text = [0u8; 36];
                (&*v.hyphenated().encode_lower(&mut text)).to_sql(ty, out)
            }
            Value::Digest(v) => chain::hex(v).to_sql(ty, out),
            Value::Int(v) => match *ty {
                Type::INT8 => v.to_sql(ty, out),
                Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
                Type::BOOL => (*v != 0).to_sql(ty, out),
                _ => Err(format!("cannot bind an integer to a {ty} column").into()),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn pg_params(params: &[Value]) -> Vec<&(dyn PgToSql + Sync)> {
    params.iter().map(|p| p as &(dyn PgToSql + Sync)).collect()
}

fn from_pg_row(row: &postgres::Row) -> Result<Row, StoreError> {
    let mut values = Vec::with_capacity(row.len());
    for (i, col) in row.columns().iter().enumerate() {
        let v = match *col.type_() {
            Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map(Value::Int),
            Type::INT4 => row.try_get::<_, Option<i32>>(i)?.map(|v| Value::Int(v.into())),
            Type::INT2 => row.try_get::<_, Option<i16>>(i)?.map(|v| Value::Int(v.into())),
            // `SUM` over BIGINT is NUMERIC on PostgreSQL (INTEGER on SQLite): whole sums are integers.
            Type::NUMERIC => row
                .try_get::<_, Option<rust_decimal::Decimal>>(i)?
                .map(|d| match i64::try_from(d) {
                    Ok(v) if d.fract().is_zero() => Ok(Value::Int(v)),
                    // A sum beyond 64-bit minor units: refused like SQLite's integer overflow.
                    _ => Err(StoreError::Overflow(format!("{d}"))),
                })
                .transpose()?,
            Type::BOOL => row.try_get::<_, Option<bool>>(i)?.map(Value::Bool),
            Type::TEXT | Type::VARCHAR | Type::NAME | Type::BPCHAR => {
                row.try_get::<_, Option<String>>(i)?.map(Value::Text)
            }
            ref other => {
                return Err(StoreError::Corrupt(format!("unsupported column type {other}")));
            }
        };
        values.push(v.unwrap_or(Value::Null));
    }
    Ok(Row(values))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_sqlite() {
        assert_eq!(
            &*sqlite_sql("SELECT $2, $1 WHERE a = $10"),
            "SELECT ?2, ?1 WHERE a = ?10"
        );
        assert_eq!(&*sqlite_sql("SELECT '$' || x"), "SELECT '$' || x");
        assert_eq!(
            &*sqlite_sql("SELECT $2, $1 WHERE a = $10"),
            "SELECT ?2, ?1 WHERE a = ?10",
            "cached"
        );
    }
}
