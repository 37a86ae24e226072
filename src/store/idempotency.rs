//! Idempotency keys: the first response to a `(user, key)` is kept, in the same transaction as
//! the write it describes, and replayed for every retry of the same request.

use uuid::Uuid;

use super::platform::ts;
use super::{StoreError, Tx};
use crate::params;

pub struct Stored {
    pub request: String,
    pub status: u16,
    pub response: String,
}

pub fn get(tx: &mut Tx, user: Uuid, key: &str) -> Result<Option<Stored>, StoreError> {
    tx.query_opt(
        "SELECT request, status, response FROM idempotency_keys WHERE user_id = $1 AND key = $2",
        params![user, key],
    )?
    .map(|r| {
        Ok(Stored {
            request: r.text(0)?,
            status: u16::try_from(r.int(1)?).unwrap_or(200),
            response: r.text(2)?,
        })
    })
    .transpose()
}

pub fn put(tx: &mut Tx, user: Uuid, key: &str, stored: &Stored) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO idempotency_keys (user_id, key, request, status, response, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        params![user, key, &stored.request, i64::from(stored.status), &stored.response, ts(jiff::Timestamp::now())],
    )?;
    Ok(())
}
