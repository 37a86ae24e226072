//! Documents a firm keeps (V19): `files`, their `file_versions` (content-addressed by SHA-256),
//! `file_links` to the records they support and `file_texts` (a version's extracted text, written
//! `pending` with the version). One company's rows only: every query takes the company, so
//! another company's id is not found. The bytes live in `files_storage`.

use jiff::Timestamp;
use uuid::Uuid;

use super::list::{FilterKind, ListError, ListRequest, ListSpec, Page, list};
use super::platform::{parse_ts, ts};
use super::sql::Value;
use super::{Row, StoreError, Tx};
use crate::domain::audit::{self, AuditTrail};
use crate::domain::books::Ctx;
use crate::domain::files::{File, FileKind, FilesError, RecordKind, TextState};
use crate::params;

const COLUMNS: &str = "id, company_id, name, kind, current_version, inbox, created_by, created_at, updated_at";

/// The list's columns: the file and its current version's size, media type and text state.
const LIST_COLUMNS: &str = "id, company_id, name, kind, current_version, inbox, created_by, created_at, updated_at, \
     (SELECT v.size FROM file_versions v WHERE v.file_id = files.id AND v.version = files.current_version), \
     (SELECT v.media_type FROM file_versions v WHERE v.file_id = files.id AND v.version = files.current_version), \
     (SELECT t.state FROM file_texts t WHERE t.file_id = files.id AND t.version = files.current_version), \
     (SELECT t.error FROM file_texts t WHERE t.file_id = files.id AND t.version = files.current_version)";

pub const LIST: ListSpec = ListSpec {
    columns: LIST_COLUMNS,
    from: "files",
    filters: &[
        ("kind", "kind = ?", FilterKind::Text),
        ("inbox", "(inbox <> 0) = ?", FilterKind::Bool),
        (
            "record_kind",
            "EXISTS (SELECT 1 FROM file_links l WHERE l.file_id = files.id AND l.record_kind = ?)",
            FilterKind::Text,
        ),
        (
            "record_id",
            "EXISTS (SELECT 1 FROM file_links l WHERE l.file_id = files.id AND l.record_id = ?)",
            FilterKind::Uuid,
        ),
        (
            "state",
            "EXISTS (SELECT 1 FROM file_texts t WHERE t.file_id = files.id AND t.version = files.current_version AND t.state = ?)",
            FilterKind::Text,
        ),
        ("created_from", "created_at >= ?", FilterKind::Date),
    ],
    search: &["name"],
    ordering: &[
        ("created_at", "created_at"),
        ("name", "name"),
        ("updated_at", "updated_at"),
    ],
    tie_breaker: "id",
    default_ordering: "-created_at",
};

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

pub fn from_row(r: &Row) -> Result<File, StoreError> {
    Ok(File {
        id: r.uuid(0)?,
        company_id: r.uuid(1)?,
        name: r.text(2)?,
        kind: FileKind::parse(r.str(3)?).ok_or_else(|| corrupt("unknown file kind"))?,
        current_version: r.int(4)?,
        inbox: r.int(5)? != 0,
        created_by: r.opt_uuid(6)?,
        created_at: parse_ts(r.str(7)?)?,
        updated_at: parse_ts(r.str(8)?)?,
    })
}

/// A file as the list shows it.
pub struct Listed {
    pub file: File,
    pub size: i64,
    pub media_type: String,
    pub state: Option<TextState>,
    pub error: Option<String>,
}

fn listed(r: &Row) -> Result<Listed, StoreError> {
    Ok(Listed {
        file: from_row(r)?,
        size: r.opt_int(9)?.unwrap_or(0),
        media_type: r.opt_text(10)?.unwrap_or_default(),
        state: r.opt_str(11)?.and_then(TextState::parse),
        error: r.opt_text(12)?,
    })
}

/// A page of the company's files. A filter's bad value is a 400 by field.
pub fn page(tx: &mut Tx, company: Uuid, request: &ListRequest) -> Result<Page<Listed>, ListError> {
    if let Some((_, v)) = request.filters.iter().find(|(k, _)| k == "record_kind")
        && RecordKind::parse(v).is_none()
    {
        return Err(ListError::Filter {
            field: "record_kind".into(),
            message: format!("\"{v}\" is not a record kind."),
        });
    }
    list(tx, &LIST, ("company_id = $1", vec![company.into()]), request, listed)
}

/// The company's file `id`, locked for the transaction's writes on PostgreSQL when `lock`.
pub fn find(tx: &mut Tx, company: Uuid, id: Uuid) -> Result<Option<File>, StoreError> {
    tx.query_opt(
        &format!("SELECT {COLUMNS} FROM files WHERE company_id = $1 AND id = $2"),
        params![company, id],
    )?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// One version and its text's state.
pub struct Version {
    pub version: i64,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub original_name: String,
    pub uploaded_by: Option<Uuid>,
    pub uploaded_at: Timestamp,
    pub state: Option<TextState>,
    pub method: Option<String>,
    pub pages: Option<i64>,
    pub error: Option<String>,
}

/// The versions of `file`, newest first.
pub fn versions(tx: &mut Tx, file: Uuid) -> Result<Vec<Version>, StoreError> {
    tx.query(
        "SELECT v.version, v.sha256, v.size, v.media_type, v.original_name, v.uploaded_by, v.uploaded_at, \
                t.state, t.method, t.pages, t.error \
         FROM file_versions v LEFT JOIN file_texts t ON t.file_id = v.file_id AND t.version = v.version \
         WHERE v.file_id = $1 ORDER BY v.version DESC",
        params![file],
    )?
    .iter()
    .map(|r| {
        Ok(Version {
            version: r.int(0)?,
            sha256: r.text(1)?,
            size: r.int(2)?,
            media_type: r.text(3)?,
            original_name: r.text(4)?,
            uploaded_by: r.opt_uuid(5)?,
            uploaded_at: parse_ts(r.str(6)?)?,
            state: r.opt_str(7)?.and_then(TextState::parse),
            method: r.opt_text(8)?,
            pages: r.opt_int(9)?,
            error: r.opt_text(10)?,
        })
    })
    .collect()
}

/// A link from a file to a record.
pub struct Link {
    pub file_id: Uuid,
    pub record_kind: RecordKind,
    pub record_id: Uuid,
    pub linked_by: Option<Uuid>,
    pub linked_at: Timestamp,
}

/// The links of the files `ids`.
pub fn links(tx: &mut Tx, ids: &[Uuid]) -> Result<Vec<Link>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(200) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let values: Vec<Value> = chunk.iter().map(Value::from).collect();
        for r in tx.query(
            &format!(
                "SELECT file_id, record_kind, record_id, linked_by, linked_at FROM file_links \
                 WHERE file_id IN ({}) ORDER BY linked_at, record_kind",
                marks.join(", ")
            ),
            &values,
        )? {
            out.push(Link {
                file_id: r.uuid(0)?,
                record_kind: RecordKind::parse(r.str(1)?).ok_or_else(|| corrupt("unknown record kind"))?,
                record_id: r.uuid(2)?,
                linked_by: r.opt_uuid(3)?,
                linked_at: parse_ts(r.str(4)?)?,
            });
        }
    }
    Ok(out)
}

/// The bytes the firm keeps: each distinct object counted once (all companies: the quota is the
/// firm's).
pub fn used_bytes(tx: &mut Tx) -> Result<u64, StoreError> {
    let used = tx
        .query_one(
            "SELECT COALESCE(SUM(size), 0) FROM (SELECT sha256, MAX(size) AS size FROM file_versions GROUP BY sha256) s",
            &[],
        )?
        .int(0)?;
    Ok(u64::try_from(used).unwrap_or(0))
}

/// Whether any version (of any company of the firm) holds the object `sha256`.
pub fn object_known(tx: &mut Tx, sha256: &str) -> Result<bool, StoreError> {
    Ok(tx
        .query_opt(
            "SELECT 1 FROM file_versions WHERE sha256 = $1 LIMIT 1",
            &[Value::digest(sha256)],
        )?
        .is_some())
}

/// What an upload brings: a new version's bytes, as counted while they were received.
pub struct Upload {
    pub sha256: String,
    pub size: u64,
    pub kind: FileKind,
    pub original_name: String,
}

fn size_value(size: u64) -> Result<Value, StoreError> {
    i64::try_from(size)
        .map(Value::Int)
        .map_err(|_| corrupt("file size out of range"))
}

/// Checks the firm's quota for `upload` (nothing added when the object is already kept).
fn check_quota(tx: &mut Tx, upload: &Upload, quota: u64) -> Result<Result<(), FilesError>, StoreError> {
    let adding = if object_known(tx, &upload.sha256)? {
        0
    } else {
        upload.size
    };
    Ok(crate::domain::files::check_quota(used_bytes(tx)?, adding, quota))
}

fn insert_version(tx: &mut Tx, ctx: &Ctx<'_>, file: Uuid, version: i64, upload: &Upload) -> Result<(), StoreError> {
    let now = ts(ctx.now);
    tx.execute(
        "INSERT INTO file_versions (file_id, version, sha256, size, media_type, original_name, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            file.into(),
            version.into(),
            Value::digest(&upload.sha256),
            size_value(upload.size)?,
            upload.kind.media_type().into(),
            upload.original_name.clone().into(),
            ctx.actor.into(),
            now.clone().into(),
        ],
    )?;
    tx.execute(
        "INSERT INTO file_texts (file_id, version, state, updated_at) VALUES ($1, $2, 'pending', $3)",
        params![file, version, now],
    )?;
    Ok(())
}

/// A new file of one version, its text `pending`, audited. `Ok(Err(_))`: over the quota.
pub fn create(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    name: String,
    inbox: bool,
    upload: &Upload,
    quota: u64,
) -> Result<Result<File, FilesError>, StoreError> {
    if let Err(e) = check_quota(tx, upload, quota)? {
        return Ok(Err(e));
    }
    let file = File {
        id: Uuid::now_v7(),
        company_id: ctx.books.company_id,
        name,
        kind: upload.kind,
        current_version: 1,
        inbox,
        created_by: Some(ctx.actor),
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    tx.execute(
        &format!("INSERT INTO files ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"),
        params![
            file.id,
            file.company_id,
            file.name.clone(),
            file.kind.as_str(),
            file.current_version,
            i64::from(file.inbox),
            file.created_by,
            ts(file.created_at),
            ts(file.updated_at)
        ],
    )?;
    insert_version(tx, ctx, file.id, 1, upload)?;
    let mut after = file.audit_fields();
    after.push(("sha256", upload.sha256.clone()));
    tx.append_audit(&audit::changes(ctx, "create", ("file", file.id), None, Some(&after)))?;
    Ok(Ok(file))
}

/// A new version of `file`, which becomes current (the old ones are kept), audited.
pub fn add_version(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    file: &File,
    upload: &Upload,
    quota: u64,
) -> Result<Result<File, FilesError>, StoreError> {
    if let Err(e) = check_quota(tx, upload, quota)? {
        return Ok(Err(e));
    }
    let latest = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM file_versions WHERE file_id = $1",
            params![file.id],
        )?
        .int(0)?;
    let version = latest + 1;
    insert_version(tx, ctx, file.id, version, upload)?;
    let after = File {
        kind: upload.kind,
        current_version: version,
        updated_at: ctx.now,
        ..file.clone()
    };
    save(tx, ctx, file, &after, "new_version")?;
    Ok(Ok(after))
}

/// Writes `after` over `before` (name, kind, current version, inbox flag), audited as `action`.
pub fn save(tx: &mut Tx, ctx: &Ctx<'_>, before: &File, after: &File, action: &'static str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE files SET name = $3, kind = $4, current_version = $5, inbox = $6, updated_at = $7 \
         WHERE company_id = $1 AND id = $2",
        params![
            after.company_id,
            after.id,
            after.name.clone(),
            after.kind.as_str(),
            after.current_version,
            i64::from(after.inbox),
            ts(ctx.now)
        ],
    )?;
    tx.append_audit(&audit::changes(
        ctx,
        action,
        ("file", after.id),
        Some(&before.audit_fields()),
        Some(&after.audit_fields()),
    ))?;
    Ok(())
}

/// The posted record `file` supports, if any: a posted journal entry, an invoice, credit note,
/// bill or vendor credit that is not a draft (it posted an entry), or a payment (payments are
/// posted when recorded).
pub fn posted_link(tx: &mut Tx, company: Uuid, file: Uuid) -> Result<Option<&'static str>, StoreError> {
    let checks: [(&'static str, &str); 3] = [
        (
            "journal entry",
            "SELECT 1 FROM file_links l JOIN journal_entries e ON e.id = l.record_id \
             WHERE l.file_id = $1 AND l.record_kind = 'entry' AND e.company_id = $2 AND e.status = 'posted' LIMIT 1",
        ),
        (
            "document",
            "SELECT 1 FROM file_links l JOIN documents d ON d.id = l.record_id \
             WHERE l.file_id = $1 AND l.record_kind IN ('invoice', 'credit_note', 'bill', 'vendor_credit') \
               AND d.company_id = $2 AND d.status <> 'draft' LIMIT 1",
        ),
        (
            "payment",
            "SELECT 1 FROM file_links l JOIN payments p ON p.id = l.record_id \
             WHERE l.file_id = $1 AND l.record_kind = 'payment' AND p.company_id = $2 LIMIT 1",
        ),
    ];
    for (what, sql) in checks {
        if tx.query_opt(sql, params![file, company])?.is_some() {
            return Ok(Some(what));
        }
    }
    Ok(None)
}

/// Deletes `file` with its versions, links and texts, audited. Returns the objects its versions
/// named; the caller removes from storage, after the commit, those no other version names.
pub fn delete(tx: &mut Tx, ctx: &Ctx<'_>, file: &File) -> Result<Result<Vec<String>, FilesError>, StoreError> {
    if let Some(what) = posted_link(tx, ctx.books.company_id, file.id)? {
        return Ok(Err(FilesError::Posted(what)));
    }
    let objects: Vec<String> = tx
        .query(
            "SELECT DISTINCT sha256 FROM file_versions WHERE file_id = $1",
            params![file.id],
        )?
        .iter()
        .map(|r| r.text(0))
        .collect::<Result<_, _>>()?;
    for table in ["file_texts", "file_links", "file_versions"] {
        tx.execute(&format!("DELETE FROM {table} WHERE file_id = $1"), params![file.id])?;
    }
    tx.execute(
        "DELETE FROM files WHERE company_id = $1 AND id = $2",
        params![file.company_id, file.id],
    )?;
    tx.append_audit(&audit::changes(
        ctx,
        "delete",
        ("file", file.id),
        Some(&file.audit_fields()),
        None,
    ))?;
    Ok(Ok(objects))
}

/// Of `objects`, those no version names any more (to remove from storage).
pub fn unreferenced(tx: &mut Tx, objects: &[String]) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for o in objects {
        if !object_known(tx, o)? {
            out.push(o.clone());
        }
    }
    Ok(out)
}

/// Whether the record `kind` `id` exists in `company`.
pub fn record_exists(tx: &mut Tx, company: Uuid, kind: RecordKind, id: Uuid) -> Result<bool, StoreError> {
    let sql = match kind {
        RecordKind::Entry => "SELECT 1 FROM journal_entries WHERE company_id = $1 AND id = $2",
        RecordKind::Invoice => "SELECT 1 FROM documents WHERE company_id = $1 AND id = $2 AND kind = 'invoice'",
        RecordKind::CreditNote => "SELECT 1 FROM documents WHERE company_id = $1 AND id = $2 AND kind = 'credit_note'",
        RecordKind::Bill => "SELECT 1 FROM documents WHERE company_id = $1 AND id = $2 AND kind = 'bill'",
        RecordKind::VendorCredit => {
            "SELECT 1 FROM documents WHERE company_id = $1 AND id = $2 AND kind = 'vendor_credit'"
        }
        RecordKind::Payment => "SELECT 1 FROM payments WHERE company_id = $1 AND id = $2",
        RecordKind::Contact => "SELECT 1 FROM contacts WHERE company_id = $1 AND id = $2",
        RecordKind::BankLine => "SELECT 1 FROM statement_lines WHERE company_id = $1 AND id = $2",
        RecordKind::Item => "SELECT 1 FROM items WHERE company_id = $1 AND id = $2",
    };
    Ok(tx.query_opt(sql, params![company, id])?.is_some())
}

/// Links `file` to the record (already linked: nothing changes), audited. `false`: the record
/// is not the company's.
pub fn link(tx: &mut Tx, ctx: &Ctx<'_>, file: &File, kind: RecordKind, record: Uuid) -> Result<bool, StoreError> {
    if !record_exists(tx, ctx.books.company_id, kind, record)? {
        return Ok(false);
    }
    let added = tx.execute(
        "INSERT INTO file_links (file_id, record_kind, record_id, linked_by, linked_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT DO NOTHING",
        params![file.id, kind.as_str(), record, ctx.actor, ts(ctx.now)],
    )?;
    if added > 0 {
        let after = vec![
            ("record_kind", kind.as_str().to_owned()),
            ("record_id", record.to_string()),
        ];
        tx.append_audit(&audit::changes(ctx, "link", ("file", file.id), None, Some(&after)))?;
    }
    Ok(true)
}

/// Removes a link, audited. `Ok(Ok(false))`: no such link; refused while the record is posted.
pub fn unlink(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    file: &File,
    kind: RecordKind,
    record: Uuid,
) -> Result<Result<bool, FilesError>, StoreError> {
    let exists = tx
        .query_opt(
            "SELECT 1 FROM file_links WHERE file_id = $1 AND record_kind = $2 AND record_id = $3",
            params![file.id, kind.as_str(), record],
        )?
        .is_some();
    if !exists {
        return Ok(Ok(false));
    }
    if let Some(what) = posted_record(tx, ctx.books.company_id, kind, record)? {
        return Ok(Err(FilesError::Posted(what)));
    }
    tx.execute(
        "DELETE FROM file_links WHERE file_id = $1 AND record_kind = $2 AND record_id = $3",
        params![file.id, kind.as_str(), record],
    )?;
    let before = vec![
        ("record_kind", kind.as_str().to_owned()),
        ("record_id", record.to_string()),
    ];
    tx.append_audit(&audit::changes(ctx, "unlink", ("file", file.id), Some(&before), None))?;
    Ok(Ok(true))
}

/// Whether one record is posted (see [`posted_link`]).
fn posted_record(tx: &mut Tx, company: Uuid, kind: RecordKind, id: Uuid) -> Result<Option<&'static str>, StoreError> {
    let (what, sql) = match kind {
        RecordKind::Entry => (
            "journal entry",
            "SELECT 1 FROM journal_entries WHERE company_id = $1 AND id = $2 AND status = 'posted'",
        ),
        RecordKind::Invoice | RecordKind::CreditNote | RecordKind::Bill | RecordKind::VendorCredit => (
            "document",
            "SELECT 1 FROM documents WHERE company_id = $1 AND id = $2 AND status <> 'draft'",
        ),
        RecordKind::Payment => ("payment", "SELECT 1 FROM payments WHERE company_id = $1 AND id = $2"),
        RecordKind::Contact | RecordKind::BankLine | RecordKind::Item => return Ok(None),
    };
    Ok(tx.query_opt(sql, params![company, id])?.map(|_| what))
}

/// Every stored version of the firm (all companies): file, version, object and size, for `oasys
/// verify` and archives.
pub fn all_objects(tx: &mut Tx) -> Result<Vec<(Uuid, i64, String, i64)>, StoreError> {
    tx.query(
        "SELECT file_id, version, sha256, size FROM file_versions ORDER BY file_id, version",
        &[],
    )?
    .iter()
    .map(|r| Ok((r.uuid(0)?, r.int(1)?, r.text(2)?, r.int(3)?)))
    .collect()
}
