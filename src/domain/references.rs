//! What contacts, items and tax rates refer to (accounts, tax rates), how a reference a request
//! sets is looked up, and the rules a referred account must follow.

use uuid::Uuid;

use super::accounts::{Account, AccountType};
use super::audit::AuditTrail;
use super::taxes::TaxRate;
use super::{Change, FieldErrors};

/// The records a contact, an item or a tax rate may refer to, found in the company's books.
pub trait ReferenceStore: AuditTrail {
    fn find_account(&mut self, company: Uuid, id: Uuid) -> Result<Option<Account>, Self::Error>;
    fn find_tax_rate(&mut self, company: Uuid, id: Uuid) -> Result<Option<TaxRate>, Self::Error>;
}

/// What the store found for a record the input refers to. Only references the request sets
/// are looked up: a contact whose default account was archived later can still be edited.
#[derive(Debug)]
pub enum Lookup<'a, T> {
    /// Not set by this request (or cleared): nothing to check.
    Unchecked,
    /// Set, but no such record in this company.
    Missing,
    Found(&'a T),
}

// By hand: a derive would require `T: Copy`, yet only a reference is copied.
impl<T> Clone for Lookup<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Lookup<'_, T> {}

/// Looks a reference up only when the request sets it (`Some(Some(id))`): `None` when the
/// request leaves it alone or clears it, `Some(None)` when the company has no such record.
pub fn fetch<T, E>(
    set: Option<Option<Uuid>>,
    get: impl FnOnce(Uuid) -> Result<Option<T>, E>,
) -> Result<Option<Option<T>>, E> {
    match set {
        Some(Some(id)) => get(id).map(Some),
        _ => Ok(None),
    }
}

/// What [`fetch`] found, as the rules take it.
pub fn lookup<T>(found: &Option<Option<T>>) -> Lookup<'_, T> {
    match found {
        None => Lookup::Unchecked,
        Some(None) => Lookup::Missing,
        Some(Some(t)) => Lookup::Found(t),
    }
}

/// A default account must be an active account of the company, of one of `types`.
pub fn check_account(errors: &mut FieldErrors, field: &str, lookup: Lookup<'_, Account>, types: &[AccountType]) {
    match lookup {
        Lookup::Unchecked => {}
        Lookup::Missing => errors.add(field, "Unknown account for this company."),
        Lookup::Found(a) => {
            if !a.is_active {
                errors.add(field, "This account is inactive.");
            }
            if !types.contains(&a.account_type) {
                let names: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
                errors.add(field, format!("Choose an account of type {}.", names.join(" or ")));
            }
        }
    }
}

/// For a create or a `PUT`: "This field is required." for each `(field, sent)` the request left
/// out, unless `errors` already names the field (a value of the wrong type was sent).
pub fn require(errors: &mut FieldErrors, how: Change, fields: &[(&str, bool)]) {
    if !how.requires_all() {
        return;
    }
    for (field, sent) in fields {
        if !sent && !errors.0.contains_key(*field) {
            errors.add(field, "This field is required.");
        }
    }
}

/// The rules' verdict (`checked`) after what was found before it (`errors`: values of the wrong
/// type): `Ok` only when neither found anything, else every message, the earlier ones first.
pub fn finish<T>(mut errors: FieldErrors, checked: Result<T, FieldErrors>) -> Result<T, FieldErrors> {
    match checked {
        Ok(v) if errors.is_empty() => Ok(v),
        Ok(_) => Err(errors),
        Err(more) => {
            for (field, messages) in more.0 {
                for m in messages {
                    errors.add(&field, m);
                }
            }
            Err(errors)
        }
    }
}
