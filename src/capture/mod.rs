//! Where capture runs: after extraction, for a file dropped in the inbox, its text is read into a
//! draft (`domain::capture::read`) with the company's vendors and learned layouts, in one write
//! transaction of the firm; [`catch_up`] does the same for every inbox file whose text is ready
//! and has no draft (the review queue calls it, so a hook missed in a crash loses nothing).
//! When `[ai]` is configured and the firm switched it on, each new draft is then offered to the
//! AI endpoint ([`ai`]) after its transaction, and improved in a second one.

pub mod ai;
mod improve;

pub use improve::month_start;

use uuid::Uuid;

use crate::app::App;
use crate::auth::scope::TenantScope;
use crate::domain::capture::{self, Context, DateOrder};
use crate::store::{StoreError, Tx, capture as kept, companies};

/// What the firm allows of its AI endpoint now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AiGate {
    /// The firm's switch is off.
    Off,
    /// This calendar month's (UTC) logged cost has reached the firm's limit.
    LimitReached,
    Open,
}

/// The firm's switch, then this month's cost against its limit (read in `tx`).
pub fn ai_gate(tx: &mut Tx) -> Result<AiGate, StoreError> {
    let s = kept::ai_settings(tx)?;
    if !s.enabled {
        return Ok(AiGate::Off);
    }
    let since = month_start(jiff::Timestamp::now()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let (used, _) = kept::ai_usage_since(tx, since)?;
    Ok(if used < s.monthly_limit_micros {
        AiGate::Open
    } else {
        AiGate::LimitReached
    })
}

/// Makes drafts for the ready inbox files of a firm (all, or `file`); returns how many.
pub fn make_drafts(app: &App, tenant: Uuid, file: Option<Uuid>) -> Result<usize, StoreError> {
    let scope = TenantScope::operator(tenant);
    let offer = app.config.ai.url.is_some();
    let made = app.store.tenant_write(&scope, |tx: &mut Tx| {
        let ready = kept::ready(tx, None, file)?;
        let mut made = Vec::new();
        for r in ready {
            let Some(company) = companies::get(tx, r.company_id)? else {
                continue;
            };
            let vendors = kept::vendors(tx, company.id)?;
            let layouts = kept::layouts(tx, company.id)?;
            let order = if company.timezone.starts_with("America/") {
                DateOrder::MonthFirst
            } else {
                DateOrder::DayFirst
            };
            let ctx = Context {
                vendors: &vendors,
                layouts: &layouts,
                company_currency: &company.currency,
                date_order: order,
            };
            let draft = capture::read(&r.text, &ctx);
            if let Some(id) = kept::insert(tx, company.id, r.file_id, r.version, &draft, jiff::Timestamp::now())? {
                made.push(improve::Made {
                    company: company.id,
                    draft_id: id,
                    draft: if offer { Some(draft) } else { None },
                    text: if offer { r.text } else { String::new() },
                    vendors,
                    currency: company.currency.clone(),
                    order,
                });
            }
        }
        Ok::<_, StoreError>(made)
    })?;
    let count = made.len();
    if offer {
        improve::with_ai(app, &scope, made);
    }
    Ok(count)
}

/// Called by extraction once the text of an inbox file is `done` (issue 18 contract): its draft
/// is made now. A failure is logged; the review queue's catch-up makes the draft later.
pub fn after_extraction(app: &App, tenant: Uuid, file_id: Uuid) {
    if let Err(e) = make_drafts(app, tenant, Some(file_id)) {
        tracing::warn!(%tenant, file = %file_id, error = %e, "capture: the draft was not made");
    }
}

/// Makes the drafts a firm's review queue is missing, on a blocking thread.
pub async fn catch_up(app: &crate::app::AppState, tenant: Uuid) {
    let result = app.blocking(move |app| Ok(make_drafts(app, tenant, None)?)).await;
    if let Err(e) = result {
        tracing::warn!(%tenant, error = %e, "capture: catching up drafts failed");
    }
}
