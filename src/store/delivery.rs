//! Document delivery in the tenant database: a company's own template and logo
//! (`document_templates`) and the log of every message that e-mailed a document (`email_log`,
//! written before the message leaves and completed with its outcome; see `domain::delivery`).
//!
//! The logo is kept as base64 text in the row: the SQL layer moves only integers and text, and a
//! PostgreSQL firm has no directory every server shares (see `V6__delivery.sql`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jiff::Timestamp;
use uuid::Uuid;

use super::platform::{parse_ts, ts};
use super::{Row, StoreError, Tx};
use crate::domain::delivery::{DeliveryStore, Message, MessageStatus};
use crate::params;

/// A company's logo: the image bytes and their content type (`image/png` or `image/jpeg`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The company's template TOML, if it has its own.
pub fn template(tx: &mut Tx, company: Uuid) -> Result<Option<String>, StoreError> {
    Ok(tx
        .query_opt(
            "SELECT template FROM document_templates WHERE company_id = $1",
            params![company],
        )?
        .map(|r| r.opt_text(0))
        .transpose()?
        .flatten())
}

/// Stores the company's template TOML (already validated by the caller), changed `by` whom `at`.
pub fn set_template(tx: &mut Tx, company: Uuid, text: &str, by: Uuid, at: Timestamp) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO document_templates (company_id, template, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (company_id) DO UPDATE SET template = excluded.template, updated_at = excluded.updated_at, \
         updated_by = excluded.updated_by",
        params![company, text, ts(at), by],
    )?;
    Ok(())
}

/// Forgets the company's template: its documents take the embedded default again.
pub fn clear_template(tx: &mut Tx, company: Uuid, by: Uuid, at: Timestamp) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE document_templates SET template = NULL, updated_at = $2, updated_by = $3 WHERE company_id = $1",
        params![company, ts(at), by],
    )?;
    Ok(())
}

/// The company's logo, if it has one.
pub fn logo(tx: &mut Tx, company: Uuid) -> Result<Option<Logo>, StoreError> {
    let Some(row) = tx.query_opt(
        "SELECT logo, logo_content_type FROM document_templates WHERE company_id = $1 AND logo IS NOT NULL",
        params![company],
    )?
    else {
        return Ok(None);
    };
    let bytes = STANDARD
        .decode(row.text(0)?)
        .map_err(|e| StoreError::Corrupt(format!("the logo of company {company} is not base64: {e}")))?;
    Ok(Some(Logo {
        content_type: row.text(1)?,
        bytes,
    }))
}

/// Stores (`Some`) or removes (`None`) the company's logo; the image was checked by the caller.
pub fn set_logo(tx: &mut Tx, company: Uuid, logo: Option<&Logo>, by: Uuid, at: Timestamp) -> Result<(), StoreError> {
    let (text, content_type) = match logo {
        Some(l) => (Some(STANDARD.encode(&l.bytes)), Some(l.content_type.as_str())),
        None => (None, None),
    };
    tx.execute(
        "INSERT INTO document_templates (company_id, logo, logo_content_type, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (company_id) DO UPDATE SET logo = excluded.logo, logo_content_type = excluded.logo_content_type, \
         updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        params![company, text, content_type, ts(at), by],
    )?;
    Ok(())
}

const COLUMNS: &str =
    "id, company_id, document_id, to_addresses, subject, status, error, created_at, created_by, reply_to, finished_at";

fn from_row(r: &Row) -> Result<Message, StoreError> {
    let to_json = r.text(3)?;
    let to: Vec<String> = serde_json::from_str(&to_json)
        .map_err(|_| StoreError::Corrupt(format!("e-mail recipients {to_json:?} are not a JSON list of strings")))?;
    let status = r.text(5)?;
    Ok(Message {
        id: r.uuid(0)?,
        company_id: r.uuid(1)?,
        document_id: r.uuid(2)?,
        to,
        subject: r.text(4)?,
        status: MessageStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown e-mail status {status:?}")))?,
        error: r.text(6)?,
        created_at: parse_ts(&r.text(7)?)?,
        created_by: r.uuid(8)?,
        reply_to: r.text(9)?,
        finished_at: r.opt_text(10)?.as_deref().map(parse_ts).transpose()?,
    })
}

/// Every message of a document, newest first.
pub fn of_document(tx: &mut Tx, company: Uuid, document: Uuid) -> Result<Vec<Message>, StoreError> {
    tx.query(
        &format!(
            "SELECT {COLUMNS} FROM email_log WHERE company_id = $1 AND document_id = $2 \
             ORDER BY created_at DESC, id DESC"
        ),
        params![company, document],
    )?
    .iter()
    .map(from_row)
    .collect()
}

/// The log is the firm's: its limit counts the messages of every company (one database, or one
/// schema, per firm). On SQLite the count and the new row share the firm's one writer, so the
/// limit is exact; on PostgreSQL two sends whose transactions overlap at the limit's edge may
/// both pass (read committed), which bounds the excess by the sends in flight at that moment.
impl DeliveryStore for Tx<'_> {
    fn messages_since(&mut self, since: Timestamp) -> Result<Vec<Timestamp>, StoreError> {
        self.query(
            "SELECT created_at FROM email_log WHERE created_at > $1 ORDER BY created_at",
            params![ts(since)],
        )?
        .iter()
        .map(|r| parse_ts(&r.text(0)?))
        .collect()
    }

    fn insert_message(&mut self, m: &Message) -> Result<(), StoreError> {
        self.execute(
            &format!("INSERT INTO email_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"),
            params![
                m.id,
                m.company_id,
                m.document_id,
                serde_json::Value::from(m.to.clone()).to_string(),
                m.subject.as_str(),
                m.status.as_str(),
                m.error.as_str(),
                ts(m.created_at),
                m.created_by,
                m.reply_to.as_str(),
                m.finished_at.map(ts)
            ],
        )?;
        Ok(())
    }

    fn finish_message(&mut self, m: &Message) -> Result<(), StoreError> {
        let changed = self.execute(
            "UPDATE email_log SET status = $2, error = $3, finished_at = $4 WHERE id = $1",
            params![m.id, m.status.as_str(), m.error.as_str(), m.finished_at.map(ts)],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
