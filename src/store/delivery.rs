//! Document delivery in the tenant database: a company's own template and logo
//! (`document_templates`) and the log of documents sent by e-mail (`email_log`).
//!
//! The logo is kept as base64 text in the row: the SQL layer moves only integers and text, and a
//! PostgreSQL firm has no directory every server shares (see `V6__delivery.sql`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jiff::Timestamp;
use uuid::Uuid;

use super::platform::{parse_ts, ts};
use super::{Row, StoreError, Tx};
use crate::params;

/// A company's logo: the image bytes and their content type (`image/png` or `image/jpeg`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The outcome of one delivery attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Sent,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<DeliveryStatus, StoreError> {
        match s {
            "sent" => Ok(DeliveryStatus::Sent),
            "failed" => Ok(DeliveryStatus::Failed),
            other => Err(StoreError::Corrupt(format!("unknown delivery status {other:?}"))),
        }
    }
}

/// One row of `email_log`.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: Uuid,
    pub company_id: Uuid,
    pub document_id: Uuid,
    pub to: Vec<String>,
    pub subject: String,
    pub status: DeliveryStatus,
    /// What the mail server (or the file sink) answered on failure; empty when sent.
    pub error: String,
    pub created_at: Timestamp,
    pub created_by: Uuid,
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

const COLUMNS: &str = "id, company_id, document_id, to_addresses, subject, status, error, created_at, created_by";

fn from_row(r: &Row) -> Result<Delivery, StoreError> {
    let to_json = r.text(3)?;
    let to: Vec<String> = serde_json::from_str(&to_json)
        .map_err(|_| StoreError::Corrupt(format!("e-mail recipients {to_json:?} are not a JSON list of strings")))?;
    Ok(Delivery {
        id: r.uuid(0)?,
        company_id: r.uuid(1)?,
        document_id: r.uuid(2)?,
        to,
        subject: r.text(4)?,
        status: DeliveryStatus::parse(&r.text(5)?)?,
        error: r.text(6)?,
        created_at: parse_ts(&r.text(7)?)?,
        created_by: r.uuid(8)?,
    })
}

/// Appends one delivery attempt to the log.
pub fn record(tx: &mut Tx, d: &Delivery) -> Result<(), StoreError> {
    tx.execute(
        &format!("INSERT INTO email_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"),
        params![
            d.id,
            d.company_id,
            d.document_id,
            serde_json::Value::from(d.to.clone()).to_string(),
            d.subject.as_str(),
            d.status.as_str(),
            d.error.as_str(),
            ts(d.created_at),
            d.created_by
        ],
    )?;
    Ok(())
}

/// Every delivery attempt of a document, newest first.
pub fn of_document(tx: &mut Tx, company: Uuid, document: Uuid) -> Result<Vec<Delivery>, StoreError> {
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
