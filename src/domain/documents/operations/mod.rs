//! What happens to a document: drafted, replaced, amended and deleted ([`drafts`]), issued
//! (numbered and posted) and voided ([`issue`]); [`build`] checks what the user typed and
//! computes the lines. An issued document is never edited: it is voided (its entry reversed) or
//! credited.

mod build;
mod drafts;
mod issue;

use uuid::Uuid;

pub use build::MAX_LINES;
pub use drafts::{check_input, compute, create_draft, delete_draft, save};
pub(crate) use issue::apply;
pub use issue::{issue, void};

use super::{DocDb, Document, DocumentError, DocumentKind, DocumentStatus, DocumentStore};
use crate::domain::audit::{self, AuditFields};
use crate::domain::ledger::Ctx;
use crate::domain::money;

type Result<T, S> = std::result::Result<T, DocumentError<<S as crate::domain::ledger::LedgerStore>::Error>>;

/// The document `id` of `kind` in the context's company; another kind's is not found either.
pub fn find<S: DocumentStore>(store: &mut S, ctx: &Ctx<'_>, kind: DocumentKind, id: Uuid) -> Result<Document, S> {
    match store.document(ctx.books.company_id, id).db()? {
        Some(d) if d.kind == kind => Ok(d),
        _ => Err(DocumentError::NotFound),
    }
}

/// The document, locked until commit: two requests never both act on it.
fn locked<S: DocumentStore>(store: &mut S, ctx: &Ctx<'_>, kind: DocumentKind, id: Uuid) -> Result<Document, S> {
    store.lock_document(ctx.books.company_id, id).db()?;
    find(store, ctx, kind, id)
}

/// A draft of `kind`, locked; anything else is refused as `verb` ("edited", "issued", …).
fn draft<S: DocumentStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    kind: DocumentKind,
    id: Uuid,
    verb: &'static str,
) -> Result<Document, S> {
    let doc = locked(store, ctx, kind, id)?;
    if doc.status != DocumentStatus::Draft {
        return Err(DocumentError::NotDraft(verb));
    }
    Ok(doc)
}

/// How the audit trail reads a document.
fn audit_fields(d: &Document, decimals: u32) -> AuditFields {
    vec![
        ("status", d.status.as_str().to_owned()),
        ("number", d.number.clone().unwrap_or_default()),
        ("contact", d.contact_id.to_string()),
        ("issue_date", d.issue_date.to_string()),
        ("due_date", d.due_date.to_string()),
        ("reference", d.reference.clone()),
        ("total", money::format(d.total, decimals)),
    ]
}

/// Records what `action` did to a document: the audited fields that differ between `before`
/// (none for a new draft) and `after` (none for a deleted one).
fn audit<S: DocumentStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    action: &'static str,
    before: Option<&Document>,
    after: Option<&Document>,
) -> Result<(), S> {
    let Some(doc) = after.or(before) else {
        return Ok(());
    };
    let decimals = ctx.books.decimals;
    let record = audit::changes(
        ctx,
        action,
        (doc.kind.as_str(), doc.id),
        before.map(|d| audit_fields(d, decimals)).as_ref(),
        after.map(|d| audit_fields(d, decimals)).as_ref(),
    );
    store.audit(&record).db()
}
