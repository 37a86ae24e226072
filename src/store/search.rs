//! What the search index reads from a firm's database: the change log `search_changes` (V20,
//! written by triggers in the same transaction as every write to an indexed table) and each
//! indexed record as one plain [`Record`] (kind, ids, date, amount, title and text).

use std::collections::HashMap;

use uuid::Uuid;

use super::{StoreError, Tx, Value};

/// One row of the change log: a record of `source` (a table) that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    pub source: Source,
    pub record_id: Uuid,
}

/// The tables the index covers, as the change log names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    Contacts,
    Items,
    Documents,
    JournalEntries,
    StatementLines,
    Files,
}

impl Source {
    pub const ALL: [Source; 6] = [
        Source::Contacts,
        Source::Items,
        Source::Documents,
        Source::JournalEntries,
        Source::StatementLines,
        Source::Files,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Source::Contacts => "contacts",
            Source::Items => "items",
            Source::Documents => "documents",
            Source::JournalEntries => "journal_entries",
            Source::StatementLines => "statement_lines",
            Source::Files => "files",
        }
    }

    fn parse(s: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|x| x.name() == s)
    }

    /// The record's columns (id first), its table aliased `x`, and the joins it needs.
    fn select(self) -> &'static str {
        match self {
            Source::Contacts => {
                "SELECT x.id, x.company_id, x.name, x.tax_id, x.emails, x.phone, x.billing_address, \
                 x.shipping_address, x.country, x.notes FROM contacts x"
            }
            Source::Items => {
                "SELECT x.id, x.company_id, x.code, x.name, x.description, x.sale_price, c.currency \
                 FROM items x JOIN companies c ON c.id = x.company_id"
            }
            Source::Documents => {
                "SELECT x.id, x.company_id, x.kind, x.status, x.number, x.issue_date, x.total, x.contact_id, \
                 k.name, x.reference, x.notes, x.currency FROM documents x JOIN contacts k ON k.id = x.contact_id"
            }
            Source::JournalEntries => {
                "SELECT x.id, x.company_id, x.number, x.date, x.reference, x.description, x.total, x.status, \
                 c.currency FROM journal_entries x JOIN companies c ON c.id = x.company_id"
            }
            Source::StatementLines => {
                "SELECT x.id, x.company_id, x.date, x.amount, x.currency, x.text, x.counterparty, \
                 x.counterparty_account, x.reference FROM statement_lines x"
            }
            Source::Files => {
                "SELECT x.id, x.company_id, x.name, x.created_at, t.text, x.kind FROM files x \
                 LEFT JOIN file_texts t ON t.file_id = x.id AND t.version = x.current_version AND t.state = 'done'"
            }
        }
    }

    /// The lines whose descriptions belong to the record's text: `$1`..`$2` an id range.
    fn lines(self) -> Option<&'static str> {
        match self {
            Source::Documents => Some(
                "SELECT document_id, description FROM document_lines WHERE document_id >= $1 AND document_id <= $2 \
                 ORDER BY document_id, line_no",
            ),
            Source::JournalEntries => Some(
                "SELECT entry_id, description FROM journal_lines WHERE entry_id >= $1 AND entry_id <= $2 \
                 ORDER BY entry_id, line_no",
            ),
            _ => None,
        }
    }
}

/// What the index keeps of one record. `kind` is what a user searches by (`invoice`, `entry`,
/// `document` for a kept file…); amounts are minor units of `currency`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub kind: &'static str,
    pub id: Uuid,
    pub company_id: Uuid,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub contact_id: Option<Uuid>,
    pub title: String,
    /// A short second line: a number, a status, a tax id.
    pub subtitle: String,
    pub body: String,
}

/// The oldest `limit` changes not yet taken by the index.
pub fn pending(tx: &mut Tx, limit: i64) -> Result<Vec<Change>, StoreError> {
    let rows = tx.query(
        "SELECT seq, source, record_id FROM search_changes ORDER BY seq LIMIT $1",
        &[limit.into()],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let name = r.text(1)?;
        let source = Source::parse(&name)
            .ok_or_else(|| StoreError::Corrupt(format!("search_changes names an unknown source {name:?}")))?;
        out.push(Change {
            seq: r.int(0)?,
            source,
            record_id: r.uuid(2)?,
        });
    }
    Ok(out)
}

/// Whether any change waits for the index (one indexed look-up).
pub fn has_pending(tx: &mut Tx) -> Result<bool, StoreError> {
    Ok(tx
        .query_opt("SELECT seq FROM search_changes ORDER BY seq LIMIT 1", &[])?
        .is_some())
}

/// Deletes the changes the index has taken, by their sequence numbers.
pub fn forget(tx: &mut Tx, seqs: &[i64]) -> Result<(), StoreError> {
    for chunk in seqs.chunks(200) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let params: Vec<Value> = chunk.iter().map(|s| Value::Int(*s)).collect();
        tx.execute(
            &format!("DELETE FROM search_changes WHERE seq IN ({})", marks.join(", ")),
            &params,
        )?;
    }
    Ok(())
}

/// The documents of a contact: their hits show its name, so they follow a change of it.
pub fn documents_of_contact(tx: &mut Tx, contact: Uuid) -> Result<Vec<Uuid>, StoreError> {
    tx.query("SELECT id FROM documents WHERE contact_id = $1", &[Value::Id(contact)])?
        .iter()
        .map(|r| r.uuid(0))
        .collect()
}

/// The record `id` of `source` as it is now; `None` when it is gone.
pub fn record(tx: &mut Tx, source: Source, id: Uuid) -> Result<Option<Record>, StoreError> {
    let sql = format!("{} WHERE x.id = $1", source.select());
    let rows = tx.query(&sql, &[Value::Id(id)])?;
    let mut out = build(tx, source, &rows)?;
    Ok(out.pop())
}

/// Up to `limit` records of `source` after `after` in id order: a full rebuild pages through
/// every table with this.
pub fn page(tx: &mut Tx, source: Source, after: Option<Uuid>, limit: i64) -> Result<Vec<Record>, StoreError> {
    let rows = match after {
        Some(id) => tx.query(
            &format!("{} WHERE x.id > $1 ORDER BY x.id LIMIT $2", source.select()),
            &[Value::Id(id), limit.into()],
        )?,
        None => tx.query(&format!("{} ORDER BY x.id LIMIT $1", source.select()), &[limit.into()])?,
    };
    build(tx, source, &rows)
}

fn build(tx: &mut Tx, source: Source, rows: &[super::sql::Row]) -> Result<Vec<Record>, StoreError> {
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Ok(Vec::new());
    };
    let mut lines: HashMap<Uuid, Vec<String>> = HashMap::new();
    if let Some(sql) = source.lines() {
        for r in tx.query(sql, &[Value::Id(first.uuid(0)?), Value::Id(last.uuid(0)?)])? {
            let text = r.text(1)?;
            let of = lines.entry(r.uuid(0)?).or_default();
            if !text.is_empty() && !of.contains(&text) {
                of.push(text);
            }
        }
    }
    rows.iter()
        .map(|r| {
            let id = r.uuid(0)?;
            let described = lines.remove(&id).unwrap_or_default();
            one(source, r, id, described)
        })
        .collect()
}

fn join(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn one(source: Source, r: &super::sql::Row, id: Uuid, lines: Vec<String>) -> Result<Record, StoreError> {
    let company_id = r.uuid(1)?;
    let lines = lines.join("\n");
    Ok(match source {
        Source::Contacts => {
            let emails: Vec<String> = serde_json::from_str(r.str(4)?).unwrap_or_default();
            Record {
                kind: "contact",
                id,
                company_id,
                date: None,
                amount: None,
                currency: None,
                contact_id: Some(id),
                title: r.text(2)?,
                subtitle: r.text(3)?,
                body: join(&[
                    r.str(3)?,
                    &emails.join(" "),
                    r.str(5)?,
                    r.str(6)?,
                    r.str(7)?,
                    r.str(8)?,
                    r.str(9)?,
                ]),
            }
        }
        Source::Items => Record {
            kind: "item",
            id,
            company_id,
            date: None,
            amount: Some(r.int(5)?),
            currency: r.opt_text(6)?,
            contact_id: None,
            title: format!("{} {}", r.str(2)?, r.str(3)?),
            subtitle: r.text(2)?,
            body: r.text(4)?,
        },
        Source::Documents => {
            let kind = match r.str(2)? {
                "invoice" => "invoice",
                "credit_note" => "credit_note",
                "bill" => "bill",
                _ => "vendor_credit",
            };
            let number = r.opt_text(4)?.unwrap_or_default();
            let contact = r.text(8)?;
            Record {
                kind,
                id,
                company_id,
                date: Some(r.text(5)?),
                amount: Some(r.int(6)?),
                currency: Some(r.text(11)?),
                contact_id: Some(r.uuid(7)?),
                title: join(&[&number, &contact]).replace('\n', " "),
                subtitle: r.text(3)?,
                body: join(&[r.str(9)?, r.str(10)?, &lines]),
            }
        }
        Source::JournalEntries => {
            let number = r.opt_int(2)?.map(|n| n.to_string()).unwrap_or_default();
            let description = r.text(5)?;
            Record {
                kind: "entry",
                id,
                company_id,
                date: Some(r.text(3)?),
                amount: Some(r.int(6)?),
                currency: Some(r.text(8)?),
                contact_id: None,
                title: join(&[&number, r.str(4)?, &description]).replace('\n', " "),
                subtitle: r.text(7)?,
                body: join(&[&description, r.str(4)?, &lines]),
            }
        }
        Source::StatementLines => {
            let counterparty = r.text(6)?;
            let text = r.text(5)?;
            Record {
                kind: "bank_line",
                id,
                company_id,
                date: Some(r.text(2)?),
                amount: Some(r.int(3)?),
                currency: Some(r.text(4)?),
                contact_id: None,
                title: if counterparty.is_empty() {
                    text.clone()
                } else {
                    counterparty
                },
                subtitle: r.text(8)?,
                body: join(&[&text, r.str(6)?, r.str(7)?, r.str(8)?]),
            }
        }
        Source::Files => {
            let created = r.text(3)?;
            Record {
                kind: "document",
                id,
                company_id,
                date: created.get(..10).map(str::to_owned),
                amount: None,
                currency: None,
                contact_id: None,
                title: r.text(2)?,
                subtitle: r.text(5)?,
                body: r.opt_text(4)?.unwrap_or_default(),
            }
        }
    })
}
