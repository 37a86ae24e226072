//! What a SQLite file holds, read without the ORM of our own SQL layer: its tables as the
//! portable export sees them, and ids from a file of any storage version.

use uuid::Uuid;

use crate::store::{StoreError, migrations};

/// The tables of a SQLite database as the portable export sees them: columns in declared order
/// with their types (`INTEGER` is a boolean where the migrations say so, see
/// [`migrations::boolean_columns`]), primary keys, and the tables each one references.
/// Refinery's history is left out: the schema version travels on its own.
pub fn catalogue(
    tx: &rusqlite::Transaction<'_>,
    tenant: bool,
) -> Result<Vec<crate::store::transfer::Table>, StoreError> {
    use crate::store::transfer::{Column, ColumnType, Table};
    let booleans = migrations::boolean_columns(tenant);
    let mut names = Vec::new();
    {
        let mut stmt = tx.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'refinery_schema_history' ORDER BY name")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            names.push(r.get::<_, String>(0)?);
        }
    }
    let mut out = Vec::new();
    for name in names {
        let mut columns = Vec::new();
        let mut keyed: Vec<(i64, String)> = Vec::new();
        let mut stmt =
            tx.prepare("SELECT name, upper(type), \"notnull\", pk FROM pragma_table_info(?1) ORDER BY cid")?;
        let mut rows = stmt.query([&name])?;
        while let Some(r) = rows.next()? {
            let column: String = r.get(0)?;
            let declared: String = r.get(1)?;
            let ty = match declared.as_str() {
                "INTEGER" | "INT" if booleans.contains(&(name.clone(), column.clone())) => ColumnType::Boolean,
                "INTEGER" | "INT" => ColumnType::Integer,
                "TEXT" | "BLOB" => ColumnType::Text,
                other => {
                    return Err(StoreError::Database(format!(
                        "{name}.{column}: type {other} has no portable form (integers, text and booleans only)"
                    )));
                }
            };
            let pk: i64 = r.get(3)?;
            if pk > 0 {
                keyed.push((pk, column.clone()));
            }
            columns.push(Column {
                binary: declared == "BLOB",
                name: column,
                ty,
                nullable: r.get::<_, i64>(2)? == 0,
            });
        }
        keyed.sort();
        let mut references = Vec::new();
        let mut stmt = tx.prepare("SELECT \"table\", \"from\" FROM pragma_foreign_key_list(?1)")?;
        let mut rows = stmt.query([&name])?;
        while let Some(r) = rows.next()? {
            references.push((r.get::<_, String>(1)?, r.get::<_, String>(0)?));
        }
        out.push(Table {
            name,
            columns,
            primary_key: keyed.into_iter().map(|(_, c)| c).collect(),
            references,
        });
    }
    Ok(out)
}

/// An id column read straight from a SQLite file of any version: text before storage shape v10,
/// 16 bytes since. `None` for anything else (a broken row is reported, not hidden, by callers).
pub(crate) fn file_uuid(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<Uuid>> {
    Ok(match r.get_ref(i)? {
        rusqlite::types::ValueRef::Text(t) => std::str::from_utf8(t).ok().and_then(|t| Uuid::parse_str(t).ok()),
        rusqlite::types::ValueRef::Blob(b) => Uuid::from_slice(b).ok(),
        _ => None,
    })
}
