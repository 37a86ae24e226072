//! How a record reads in the audit trail: its fields as text, and the record of what one change
//! did to them. Every area writes its changes through [`changes`], in the transaction that makes
//! them.

use uuid::Uuid;

use super::books::{AuditRecord, Ctx};

/// A record's audited fields: `(field, value)` pairs, in the API's field names.
pub type AuditFields = Vec<(&'static str, String)>;

/// What `action` did to `object_type` `object_id`: the fields whose value differs between
/// `before` (absent for a new record) and `after` (absent for a deleted one).
pub fn changes(
    ctx: &Ctx<'_>,
    action: &'static str,
    object: (&'static str, Uuid),
    before: Option<&AuditFields>,
    after: Option<&AuditFields>,
) -> AuditRecord {
    let empty = AuditFields::new();
    let (before, after) = (before.unwrap_or(&empty), after.unwrap_or(&empty));
    let value = |fields: &AuditFields, name: &str| {
        fields
            .iter()
            .find(|(f, _)| *f == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut names: Vec<&'static str> = after.iter().map(|(f, _)| *f).collect();
    names.extend(
        before
            .iter()
            .map(|(f, _)| *f)
            .filter(|f| !after.iter().any(|(a, _)| a == f)),
    );
    let changes = names
        .into_iter()
        .map(|f| (f.to_owned(), value(before, f), value(after, f)))
        .filter(|(_, b, a)| b != a)
        .collect();
    AuditRecord {
        company_id: ctx.books.company_id,
        actor: ctx.actor,
        action,
        object_type: object.0,
        object_id: object.1,
        changes,
    }
}

/// `"create"` for a new record, `"update"` for a changed one.
pub fn saved(before: Option<&AuditFields>) -> &'static str {
    if before.is_some() { "update" } else { "create" }
}

/// An optional id as the audit trail shows it (empty for none).
pub fn id_text(id: Option<Uuid>) -> String {
    id.map(|u| u.to_string()).unwrap_or_default()
}

/// Where the audit rows of every area go: the same table the ledger writes, in the caller's
/// transaction.
pub trait AuditTrail {
    type Error: std::error::Error + Send + Sync + 'static;

    fn append_audit(&mut self, record: &AuditRecord) -> Result<(), Self::Error>;
}
