//! What every record a company keeps on file (an account, an item, a tax rate, a recurring
//! schedule) has done to it: it is found by id, and created or changed from a request, under
//! its area's rules and with its row in the audit trail.

use uuid::Uuid;

use super::books::Ctx;
use super::{Change, FieldErrors};

/// A record kept in store `S`. The API serves every such record with the same handlers, so an
/// area with only these operations needs no handler code of its own.
pub trait Kept<S>: Sized {
    /// What a request sets; `None` leaves a field as it is (or, on a create, at its default).
    type Changes;
    /// Why the record could not be found or saved.
    type Error;

    /// The record `id` of the context's company (not found when another company has it).
    fn find(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<Self, Self::Error>;

    /// Creates a record (`current` = `None`) or changes one, and records it in the audit trail.
    /// `errors` is what was already found wrong with the request (a value of the wrong type):
    /// reported together with the rules' verdict, and nothing is written while there is any.
    fn save(
        store: &mut S,
        ctx: &Ctx<'_>,
        current: Option<Self>,
        how: Change,
        changes: Self::Changes,
        errors: FieldErrors,
    ) -> Result<Self, Self::Error>;
}
