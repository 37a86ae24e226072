//! The pure core: business types and rules, in accounting words. Nothing here touches HTTP,
//! a database driver or JSON (a test in `tests/` reads these files and checks that).

pub mod accounts;
pub mod audit;
pub mod banking;
pub mod books;
pub mod budgets;
pub mod capture;
pub mod contacts;
pub mod delivery;
pub mod documents;
pub mod exchange_rates;
pub mod files;
pub mod inventory;
pub mod items;
pub mod kept;
pub mod ledger;
#[cfg(test)]
mod memory;
pub mod money;
pub mod password;
pub mod purchases;
pub mod references;
pub mod reports;
pub mod revaluation;
pub mod roles;
pub mod sales;
pub mod tax_returns;
pub mod taxes;
pub mod tenants;

pub use kept::Kept;

use std::collections::BTreeMap;

/// How a request changes a record, as DRF's `ModelViewSet` has it: a create and a replace
/// (`PUT`) need every required field; an update (`PATCH`) changes only the fields it sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Create,
    Replace,
    Update,
}

impl Change {
    /// Whether fields the body leaves out count as missing (create, replace) or kept (update).
    pub fn requires_all(self) -> bool {
        self != Change::Update
    }
}

/// Field-level validation failures, keyed by the field name the API uses
/// (`non_field_errors` for the object as a whole).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_owned()).or_default().push(message.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut e = FieldErrors::default();
        e.add(field, message);
        e
    }

    /// Adds every message of `other`.
    pub fn merge(&mut self, other: FieldErrors) {
        for (field, messages) in other.0 {
            self.0.entry(field).or_default().extend(messages);
        }
    }

    /// `Ok(())` when nothing was added, else the collected errors.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}: {}", v.join(" "))).collect();
        f.write_str(&parts.join("; "))
    }
}
