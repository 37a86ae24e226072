//! A company's bank rules as it keeps them: a name, the bank account they apply to (or all), the
//! conditions and the assignment, checked by the matching engine's [`Rule::new`] before they are
//! saved, so that a bad pattern is a field error, never a slow match.

use jiff::Timestamp;
use uuid::Uuid;

use super::matching::{Rule, RuleError, RuleSpec, RuleTarget};
use crate::domain::FieldErrors;

/// A bank rule as stored. Empty texts are conditions left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankRule {
    pub id: Uuid,
    pub company_id: Uuid,
    /// `None`: every bank account of the company.
    pub bank_account_id: Option<Uuid>,
    pub name: String,
    /// Smaller first.
    pub priority: i32,
    pub text_contains: String,
    pub text_regex: String,
    /// Signed minor units (money out is negative).
    pub amount_min: Option<i64>,
    pub amount_max: Option<i64>,
    pub counterparty_account: String,
    pub account_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub tax_rate_id: Option<Uuid>,
    pub description: String,
    pub is_active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

fn given(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

impl BankRule {
    /// The rule as the matching engine reads it.
    pub fn spec(&self) -> RuleSpec {
        RuleSpec {
            id: self.id,
            priority: self.priority,
            text_contains: given(&self.text_contains),
            text_pattern: given(&self.text_regex),
            amount_min: self.amount_min,
            amount_max: self.amount_max,
            counterparty_account: given(&self.counterparty_account),
            target: RuleTarget {
                account_id: self.account_id,
                contact_id: self.contact_id,
                tax_rate_id: self.tax_rate_id,
                description: given(&self.description),
            },
        }
    }

    /// The rule checked and compiled, or why not, under the API's field names.
    pub fn check(&self) -> Result<Rule, FieldErrors> {
        Rule::new(self.spec()).map_err(|e| FieldErrors::single(api_field(&e), e.to_string()))
    }
}

/// The request field a refusal belongs to (`text_regex` is the engine's pattern).
pub fn api_field(e: &RuleError) -> &'static str {
    match e.field() {
        "text_pattern" => "text_regex",
        other => other,
    }
}
