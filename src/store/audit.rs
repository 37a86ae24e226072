//! The audit trail: who did what to which object, when, with the before/after detail as JSON.

use jiff::Timestamp;
use uuid::Uuid;

use super::platform::ts;
use super::{StoreError, Tx};
use crate::domain::audit::AuditTrail;
use crate::domain::books::AuditRecord;
use crate::domain::tenants::{Event, EventLog};
use crate::params;

pub struct AuditEvent<'a> {
    pub tenant_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: Option<Uuid>,
    pub detail: serde_json::Value,
}

/// Appends one event to the platform audit log, inside the caller's transaction.
pub fn record(tx: &mut Tx, event: AuditEvent<'_>) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO audit_log (id, tenant_id, actor_id, action, object_type, object_id, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        params![
            Uuid::now_v7(),
            event.tenant_id,
            event.actor_id,
            event.action,
            event.object_type,
            event.object_id,
            event.detail.to_string(),
            ts(Timestamp::now())
        ],
    )?;
    Ok(())
}

impl AuditTrail for Tx<'_> {
    type Error = StoreError;

    /// The company's audit trail (the same rows the ledger writes).
    fn append_audit(&mut self, record: &AuditRecord) -> Result<(), StoreError> {
        crate::domain::ledger::LedgerStore::audit(self, record)
    }
}

impl EventLog for Tx<'_> {
    type Error = StoreError;

    /// The platform's event log (or the firm's, for company events): the label as the detail.
    fn record_event(&mut self, e: &Event) -> Result<(), StoreError> {
        record(
            self,
            AuditEvent {
                tenant_id: e.tenant_id,
                actor_id: e.actor,
                action: e.action,
                object_type: e.object_type,
                object_id: Some(e.object_id),
                detail: serde_json::json!({ "label": e.label }),
            },
        )
    }
}
