//! After a draft's transaction: offering it to the AI endpoint when the firm switched it on and
//! this month's cost is under its limit, logging every call in `ai_calls` (failures too) and
//! writing the improved fields in a second transaction. No transaction is held across the call;
//! a refused call (switch off, limit reached) is not made and not logged.

use jiff::Timestamp;
use uuid::Uuid;

use super::ai;
use crate::app::App;
use crate::auth::scope::TenantScope;
use crate::domain::capture::ai::{AI_CONFIDENCE, merge};
use crate::domain::capture::{Context, DateOrder, Draft, FieldName, Vendor};
use crate::store::{StoreError, capture as kept};

/// A draft just made, with what merging needs.
pub(super) struct Made {
    pub company: Uuid,
    pub draft_id: Uuid,
    /// The rule draft (None when no AI is configured).
    pub draft: Option<Draft>,
    pub text: String,
    pub vendors: Vec<Vendor>,
    pub currency: String,
    pub order: DateOrder,
}

/// The start of `now`'s calendar month (UTC).
pub fn month_start(now: Timestamp) -> Option<Timestamp> {
    let tz = jiff::tz::TimeZone::UTC;
    now.to_zoned(tz.clone())
        .date()
        .first_of_month()
        .to_zoned(tz)
        .ok()
        .map(|z| z.timestamp())
}

/// Whether the firm lets a call be made now.
fn allowed(app: &App, scope: &TenantScope) -> Result<bool, StoreError> {
    Ok(app.store.tenant_read(scope, super::ai_gate)? == super::AiGate::Open)
}

/// Runs `f` to completion on a thread of its own (callers are blocking threads or plain ones).
fn block_on<T: Send>(f: impl std::future::Future<Output = T> + Send) -> Result<T, String> {
    std::thread::scope(|s| {
        s.spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map(|rt| rt.block_on(f))
                .map_err(|e| e.to_string())
        })
        .join()
        .map_err(|_| "the AI call's thread failed".to_string())?
    })
}

pub(super) fn with_ai(app: &App, scope: &TenantScope, made: Vec<Made>) {
    let config = &app.config.ai;
    for m in made {
        let Some(rule) = m.draft else { continue };
        if FieldName::ALL.into_iter().all(|f| rule.confidence(f) >= AI_CONFIDENCE) {
            continue;
        }
        match allowed(app, scope) {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                tracing::warn!(error = %e, "capture: the AI settings could not be read");
                return;
            }
        }
        let at = Timestamp::now();
        let outcome = block_on(ai::extract(config, &m.text)).unwrap_or_else(ai::Outcome::failed);
        let cost = outcome.cost_micros(config);
        let written = app.store.tenant_write(scope, |tx| {
            kept::log_ai_call(
                tx,
                &kept::AiCall {
                    company: Some(m.company),
                    at,
                    purpose: "extract",
                    model: &config.model,
                    tokens_in: outcome.tokens_in,
                    tokens_out: outcome.tokens_out,
                    cost_micros: cost,
                    error: outcome.answer.as_ref().err().cloned(),
                },
            )?;
            if let Ok(fields) = &outcome.answer {
                let mut draft = rule.clone();
                let ctx = Context {
                    vendors: &m.vendors,
                    layouts: &[],
                    company_currency: &m.currency,
                    date_order: m.order,
                };
                if merge(&mut draft, fields, &ctx) > 0 {
                    kept::replace_fields(tx, m.draft_id, &draft)?;
                }
            }
            Ok::<_, StoreError>(())
        });
        if let Err(e) = written {
            tracing::warn!(error = %e, "capture: the AI call's result was not kept");
        }
        if let Err(e) = &outcome.answer {
            tracing::info!(error = %e, "capture: the AI endpoint did not help; the rule draft stands");
        }
    }
}
