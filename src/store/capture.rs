//! Capture's tables (schema 21): drafts with their fields and lines, the layouts learned per
//! vendor, and what capture reads around them — the company's vendors with the IBANs the bank
//! matching memory links to them, and the inbox files whose text is ready.

use std::collections::BTreeMap;

use jiff::Timestamp;
use uuid::Uuid;

use super::ledger::parse_date;
use super::platform::{parse_ts, ts};
use super::{Row, StoreError, Tx};
use crate::domain::capture::{
    Draft, DraftLine, DraftStatus, Field, FieldName, Layout, LearnedLabel, ResultKind, Span, Stored, TaxAmount, Vendor,
    VendorMatch,
};
use crate::params;
use crate::store::sql::Value;

/// The company's active vendors, with the IBANs the company's bank lines were matched to them by.
pub fn vendors(tx: &mut Tx, company: Uuid) -> Result<Vec<Vendor>, StoreError> {
    let mut ibans: BTreeMap<Uuid, Vec<String>> = BTreeMap::new();
    for r in tx.query(
        "SELECT target_id, counterparty_key FROM bank_match_memory \
         WHERE company_id = $1 AND target_kind = 'contact' AND confirmed > rejected",
        params![company],
    )? {
        if let Some(iban) = r.text(1)?.strip_prefix("iban:") {
            ibans.entry(r.uuid(0)?).or_default().push(iban.to_owned());
        }
    }
    tx.query(
        "SELECT id, name, tax_id FROM contacts WHERE company_id = $1 AND is_vendor AND is_active ORDER BY name, id",
        params![company],
    )?
    .iter()
    .map(|r| {
        let id = r.uuid(0)?;
        Ok(Vendor {
            id,
            name: r.text(1)?,
            tax_id: r.text(2)?,
            ibans: ibans.remove(&id).unwrap_or_default(),
        })
    })
    .collect()
}

/// The labels learned for the company's vendors.
pub fn layouts(tx: &mut Tx, company: Uuid) -> Result<Vec<Layout>, StoreError> {
    let mut out: Vec<Layout> = Vec::new();
    for r in tx.query(
        "SELECT contact_id, field, label FROM capture_layouts WHERE company_id = $1 ORDER BY contact_id, field, label",
        params![company],
    )? {
        let contact_id = r.uuid(0)?;
        let field = field_name(&r.text(1)?)?;
        let label = LearnedLabel {
            field,
            label: r.text(2)?,
        };
        match out.last_mut() {
            Some(l) if l.contact_id == contact_id => l.labels.push(label),
            _ => out.push(Layout {
                contact_id,
                labels: vec![label],
            }),
        }
    }
    Ok(out)
}

/// Records what an accepted draft taught (a label taught again counts once more).
pub fn teach(tx: &mut Tx, company: Uuid, layout: &Layout, now: Timestamp) -> Result<(), StoreError> {
    for l in &layout.labels {
        tx.execute(
            "INSERT INTO capture_layouts (company_id, contact_id, field, label, taught, updated_at) \
             VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT (company_id, contact_id, field, label) \
             DO UPDATE SET taught = capture_layouts.taught + 1, updated_at = $5",
            params![company, layout.contact_id, l.field.as_str(), &l.label, ts(now)],
        )?;
    }
    Ok(())
}

/// An inbox file whose current version's text is ready and has no draft yet.
#[derive(Debug, Clone)]
pub struct Ready {
    pub company_id: Uuid,
    pub file_id: Uuid,
    pub version: i64,
    pub text: String,
}

/// The company's inbox files (or one file) ready for a draft.
pub fn ready(tx: &mut Tx, company: Option<Uuid>, file: Option<Uuid>) -> Result<Vec<Ready>, StoreError> {
    let mut filter = String::new();
    let mut params = Vec::new();
    for (column, value) in [("f.company_id", company), ("f.id", file)] {
        if let Some(v) = value {
            params.push(Value::from(v));
            filter.push_str(&format!(" AND {column} = ${}", params.len()));
        }
    }
    tx.query(
        &format!(
            "SELECT f.company_id, f.id, f.current_version, t.text FROM files f \
             JOIN file_texts t ON t.file_id = f.id AND t.version = f.current_version AND t.state = 'done' \
             WHERE f.inbox = 1{filter} \
             AND NOT EXISTS (SELECT 1 FROM capture_drafts d WHERE d.file_id = f.id AND d.version = f.current_version) \
             ORDER BY f.created_at, f.id LIMIT 100"
        ),
        &params,
    )?
    .iter()
    .map(|r| {
        Ok(Ready {
            company_id: r.uuid(0)?,
            file_id: r.uuid(1)?,
            version: r.int(2)?,
            text: r.text(3)?,
        })
    })
    .collect()
}

/// The extracted text of a file's version (the spans of its draft point into it).
pub fn text(tx: &mut Tx, file: Uuid, version: i64) -> Result<Option<String>, StoreError> {
    tx.query_opt(
        "SELECT text FROM file_texts WHERE file_id = $1 AND version = $2",
        params![file, version],
    )?
    .map(|r| r.text(0))
    .transpose()
}

fn span_values(span: Option<Span>) -> (Value, Value) {
    match span {
        Some(s) => (
            Value::from(i64::try_from(s.start).unwrap_or(i64::MAX)),
            Value::from(i64::try_from(s.end).unwrap_or(i64::MAX)),
        ),
        None => (Value::Null, Value::Null),
    }
}

/// Saves a new pending draft for a file's version (nothing when that version has one).
pub fn insert(
    tx: &mut Tx,
    company: Uuid,
    file: Uuid,
    version: i64,
    draft: &Draft,
    now: Timestamp,
) -> Result<Option<Uuid>, StoreError> {
    let id = Uuid::now_v7();
    let contact = draft.vendor.as_ref().and_then(|v| v.value.contact_id);
    let n = tx.execute(
        "INSERT INTO capture_drafts (id, company_id, file_id, version, status, contact_id, created_at) \
         VALUES ($1, $2, $3, $4, 'pending', $5, $6) ON CONFLICT (file_id, version) DO NOTHING",
        params![id, company, file, version, contact, ts(now)],
    )?;
    if n == 0 {
        return Ok(None);
    }
    write_fields(tx, id, draft)?;
    let lines = draft
        .lines
        .iter()
        .map(|f| ("line", f.value.description.clone(), f.value.amount, None, None, f));
    let lines: Vec<_> = lines
        .map(|(k, d, a, r, b, f)| (k, d, a, r, b, f.confidence, f.span))
        .collect();
    let taxes = draft.taxes.iter().map(|f| {
        (
            "tax",
            String::new(),
            f.value.tax,
            Some(f.value.rate_ppm),
            f.value.base,
            f.confidence,
            f.span,
        )
    });
    for (position, (kind, description, amount, rate, base, confidence, span)) in
        lines.into_iter().chain(taxes).enumerate()
    {
        let (start, end) = span_values(span);
        tx.execute(
            "INSERT INTO capture_draft_lines (draft_id, kind, position, description, amount, rate_ppm, base, \
             confidence, span_start, span_end) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                Value::from(id),
                Value::from(kind),
                Value::from(i64::try_from(position).unwrap_or(i64::MAX)),
                Value::from(description),
                Value::from(amount),
                Value::from(rate),
                Value::from(base),
                Value::from(i64::from(confidence)),
                start,
                end,
            ],
        )?;
    }
    Ok(Some(id))
}

const COLUMNS: &str = "d.id, d.company_id, d.file_id, d.version, d.status, d.contact_id, d.result_kind, \
    d.result_id, d.created_at, f.name";

fn field_name(s: &str) -> Result<FieldName, StoreError> {
    FieldName::parse(s).ok_or_else(|| StoreError::Corrupt(format!("capture field {s:?}")))
}

fn span_of(r: &Row, i: usize) -> Result<Option<Span>, StoreError> {
    Ok(match (r.opt_int(i)?, r.opt_int(i + 1)?) {
        (Some(s), Some(e)) => Some(Span {
            start: usize::try_from(s).unwrap_or(0),
            end: usize::try_from(e).unwrap_or(0),
        }),
        _ => None,
    })
}

fn confidence(r: &Row, i: usize) -> Result<u8, StoreError> {
    Ok(u8::try_from(r.int(i)?.clamp(0, 100)).unwrap_or(0))
}

fn stored(tx: &mut Tx, r: &Row) -> Result<Stored, StoreError> {
    let id = r.uuid(0)?;
    let status = r.text(4)?;
    let status =
        DraftStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("capture status {status:?}")))?;
    let contact = r.opt_uuid(5)?;
    let result = match (r.opt_text(6)?, r.opt_uuid(7)?) {
        (Some(kind), Some(rid)) => Some((
            ResultKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("capture result {kind:?}")))?,
            rid,
        )),
        _ => None,
    };
    let mut draft = Draft::default();
    for f in tx.query(
        "SELECT field, value, amount, confidence, span_start, span_end FROM capture_draft_fields WHERE draft_id = $1",
        params![id],
    )? {
        let (value, amount, c, span) = (f.text(1)?, f.opt_int(2)?, confidence(&f, 3)?, span_of(&f, 4)?);
        let date = || parse_date(&value);
        match field_name(&f.text(0)?)? {
            FieldName::Vendor => {
                draft.vendor = Some(Field::new(
                    VendorMatch {
                        contact_id: contact,
                        name: value.clone(),
                    },
                    c,
                    span,
                ))
            }
            FieldName::Date => draft.date = Some(Field::new(date()?, c, span)),
            FieldName::DueDate => draft.due_date = Some(Field::new(date()?, c, span)),
            FieldName::Number => draft.number = Some(Field::new(value, c, span)),
            FieldName::Currency => draft.currency = Some(Field::new(value, c, span)),
            FieldName::Net => draft.net = amount.map(|a| Field::new(a, c, span)),
            FieldName::Tax => draft.tax = amount.map(|a| Field::new(a, c, span)),
            FieldName::Gross => draft.gross = amount.map(|a| Field::new(a, c, span)),
        }
    }
    for l in tx.query(
        "SELECT kind, description, amount, rate_ppm, base, confidence, span_start, span_end \
         FROM capture_draft_lines WHERE draft_id = $1 ORDER BY position",
        params![id],
    )? {
        let (c, span) = (confidence(&l, 5)?, span_of(&l, 6)?);
        if l.text(0)? == "tax" {
            let t = TaxAmount {
                rate_ppm: l.opt_int(3)?.unwrap_or(0),
                base: l.opt_int(4)?,
                tax: l.int(2)?,
            };
            draft.taxes.push(Field::new(t, c, span));
        } else {
            draft.lines.push(Field::new(
                DraftLine {
                    description: l.text(1)?,
                    amount: l.int(2)?,
                },
                c,
                span,
            ));
        }
    }
    if draft.vendor.is_none() && contact.is_some() {
        draft.vendor = Some(Field::new(
            VendorMatch {
                contact_id: contact,
                name: String::new(),
            },
            0,
            None,
        ));
    }
    Ok(Stored {
        id,
        company_id: r.uuid(1)?,
        file_id: r.uuid(2)?,
        version: r.int(3)?,
        file_name: r.text(9)?,
        status,
        result,
        created_at: parse_ts(&r.text(8)?)?,
        draft,
    })
}

/// One of the company's drafts.
pub fn find(tx: &mut Tx, company: Uuid, id: Uuid) -> Result<Option<Stored>, StoreError> {
    let row = tx.query_opt(
        &format!(
            "SELECT {COLUMNS} FROM capture_drafts d JOIN files f ON f.id = d.file_id \
             WHERE d.company_id = $1 AND d.id = $2"
        ),
        params![company, id],
    )?;
    row.map(|r| stored(tx, &r)).transpose()
}

/// A page of the company's drafts, pending first, then the newest; and how many there are.
pub fn list(
    tx: &mut Tx,
    company: Uuid,
    status: Option<DraftStatus>,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<Stored>), StoreError> {
    let (filter, mut params) = match status {
        Some(s) => (
            " AND d.status = $2",
            vec![Value::from(company), Value::from(s.as_str())],
        ),
        None => ("", vec![Value::from(company)]),
    };
    let count = tx
        .query_opt(
            &format!("SELECT COUNT(*) FROM capture_drafts d WHERE d.company_id = $1{filter}"),
            &params,
        )?
        .map(|r| r.int(0))
        .transpose()?
        .unwrap_or(0);
    let n = params.len();
    params.push(Value::from(limit));
    params.push(Value::from(offset));
    let rows = tx.query(
        &format!(
            "SELECT {COLUMNS} FROM capture_drafts d JOIN files f ON f.id = d.file_id \
             WHERE d.company_id = $1{filter} \
             ORDER BY CASE WHEN d.status = 'pending' THEN 0 ELSE 1 END, d.created_at DESC, d.id DESC \
             LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        ),
        &params,
    )?;
    let drafts = rows.iter().map(|r| stored(tx, r)).collect::<Result<_, _>>()?;
    Ok((count, drafts))
}

/// Records the decision on a pending draft (false when it was not pending any more).
pub fn decide(
    tx: &mut Tx,
    id: Uuid,
    status: DraftStatus,
    result: Option<(ResultKind, Uuid)>,
    contact: Option<Uuid>,
    by: Uuid,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let n = tx.execute(
        "UPDATE capture_drafts SET status = $2, result_kind = $3, result_id = $4, \
         contact_id = COALESCE($5, contact_id), decided_by = $6, decided_at = $7 \
         WHERE id = $1 AND status = 'pending'",
        params![
            id,
            status.as_str(),
            result.map(|r| r.0.as_str()),
            result.map(|r| r.1),
            contact,
            by,
            ts(now)
        ],
    )?;
    Ok(n == 1)
}

/// Links the file to the record made from it (`file_links`, schema 19).
pub fn link_file(
    tx: &mut Tx,
    file: Uuid,
    kind: &str,
    record: Uuid,
    by: Uuid,
    now: Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO file_links (file_id, record_kind, record_id, linked_by, linked_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (file_id, record_kind, record_id) DO NOTHING",
        params![file, kind, record, by, ts(now)],
    )?;
    Ok(())
}

/// The company's tax rates (capture matches the rates printed on a document against them).
pub fn tax_rates(tx: &mut Tx, company: Uuid) -> Result<Vec<crate::domain::taxes::TaxRate>, StoreError> {
    tx.query(
        &format!(
            "SELECT {} FROM tax_rates WHERE company_id = $1 ORDER BY name, id",
            super::taxes::COLUMNS
        ),
        params![company],
    )?
    .iter()
    .map(super::taxes::from_row)
    .collect()
}

/// The firm's switch and monthly limit for the optional AI endpoint (off, no limit, until set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AiSettings {
    pub enabled: bool,
    /// Millionths of the configured price's currency unit a month; 0: nothing may be spent.
    pub monthly_limit_micros: i64,
}

pub fn ai_settings(tx: &mut Tx) -> Result<AiSettings, StoreError> {
    Ok(tx
        .query_opt(
            "SELECT enabled, monthly_limit_micros FROM ai_settings WHERE id = 1",
            &[],
        )?
        .map(|r| {
            Ok::<_, StoreError>(AiSettings {
                enabled: r.bool(0)?,
                monthly_limit_micros: r.int(1)?,
            })
        })
        .transpose()?
        .unwrap_or_default())
}

pub fn save_ai_settings(tx: &mut Tx, s: AiSettings, now: Timestamp) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO ai_settings (id, enabled, monthly_limit_micros, updated_at) VALUES (1, $1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET enabled = $1, monthly_limit_micros = $2, updated_at = $3",
        params![s.enabled, s.monthly_limit_micros, ts(now)],
    )?;
    Ok(())
}

/// What the firm's AI calls cost since `since` (micro-units), and how many there were.
pub fn ai_usage_since(tx: &mut Tx, since: Timestamp) -> Result<(i64, i64), StoreError> {
    let r = tx.query_opt(
        "SELECT COALESCE(SUM(cost_micros), 0), COUNT(*) FROM ai_calls WHERE at >= $1",
        params![ts(since)],
    )?;
    match r {
        Some(r) => Ok((r.int(0)?, r.int(1)?)),
        None => Ok((0, 0)),
    }
}

/// The draft's one-value fields (vendor, dates, number, currency, totals).
fn write_fields(tx: &mut Tx, id: Uuid, draft: &Draft) -> Result<(), StoreError> {
    let mut field = |name: FieldName, value: String, amount: Option<i64>, confidence: u8, span: Option<Span>| {
        let (start, end) = span_values(span);
        tx.execute(
            "INSERT INTO capture_draft_fields (draft_id, field, value, amount, confidence, span_start, span_end) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                Value::from(id),
                Value::from(name.as_str()),
                Value::from(value),
                Value::from(amount),
                Value::from(i64::from(confidence)),
                start,
                end,
            ],
        )
    };
    if let Some(f) = &draft.vendor {
        field(FieldName::Vendor, f.value.name.clone(), None, f.confidence, f.span)?;
    }
    for (name, f) in [(FieldName::Date, &draft.date), (FieldName::DueDate, &draft.due_date)] {
        if let Some(f) = f {
            field(name, f.value.to_string(), None, f.confidence, f.span)?;
        }
    }
    for (name, f) in [
        (FieldName::Number, &draft.number),
        (FieldName::Currency, &draft.currency),
    ] {
        if let Some(f) = f {
            field(name, f.value.clone(), None, f.confidence, f.span)?;
        }
    }
    for (name, f) in [
        (FieldName::Net, &draft.net),
        (FieldName::Tax, &draft.tax),
        (FieldName::Gross, &draft.gross),
    ] {
        if let Some(f) = f {
            field(name, String::new(), Some(f.value), f.confidence, f.span)?;
        }
    }
    Ok(())
}

/// Replaces the one-value fields of a pending draft (after the AI endpoint improved them);
/// false when the draft is no longer pending.
pub fn replace_fields(tx: &mut Tx, id: Uuid, draft: &Draft) -> Result<bool, StoreError> {
    let contact = draft.vendor.as_ref().and_then(|v| v.value.contact_id);
    let n = tx.execute(
        "UPDATE capture_drafts SET contact_id = $2 WHERE id = $1 AND status = 'pending'",
        params![id, contact],
    )?;
    if n == 0 {
        return Ok(false);
    }
    tx.execute("DELETE FROM capture_draft_fields WHERE draft_id = $1", params![id])?;
    write_fields(tx, id, draft)?;
    Ok(true)
}

/// One call to the AI endpoint, as logged in `ai_calls` (also when it failed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiCall<'a> {
    pub company: Option<Uuid>,
    pub at: Timestamp,
    /// `extract` or `suggest_account`.
    pub purpose: &'a str,
    pub model: &'a str,
    pub tokens_in: i64,
    pub tokens_out: i64,
    pub cost_micros: i64,
    /// None when it worked.
    pub error: Option<String>,
}

pub fn log_ai_call(tx: &mut Tx, c: &AiCall) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO ai_calls (id, company_id, at, purpose, model, tokens_in, tokens_out, cost_micros, ok, error) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        params![
            Uuid::now_v7(),
            c.company,
            ts(c.at),
            c.purpose,
            c.model,
            c.tokens_in,
            c.tokens_out,
            c.cost_micros,
            c.error.is_none(),
            c.error.clone()
        ],
    )?;
    Ok(())
}
