//! The chart of accounts: account types, and the templates new companies start from.

use jiff::Timestamp;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountType {
    Asset,
    Liability,
    Equity,
    Revenue,
    Expense,
}

impl AccountType {
    pub const ALL: [AccountType; 5] = [
        AccountType::Asset,
        AccountType::Liability,
        AccountType::Equity,
        AccountType::Revenue,
        AccountType::Expense,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountType::Asset => "asset",
            AccountType::Liability => "liability",
            AccountType::Equity => "equity",
            AccountType::Revenue => "revenue",
            AccountType::Expense => "expense",
        }
    }

    pub fn parse(s: &str) -> Option<AccountType> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

#[derive(Debug, Clone)]
pub struct Account {
    pub id: Uuid,
    pub company_id: Uuid,
    pub code: String,
    pub name: String,
    pub account_type: AccountType,
    /// What later modules look accounts up by: `bank`, `receivable`, `tax`, `retained_earnings`…
    pub subtype: String,
    pub parent_id: Option<Uuid>,
    /// Set only for accounts kept in a foreign currency.
    pub currency: Option<String>,
    pub is_active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The chart templates shipped in `charts/`, by name.
pub const TEMPLATES: &[(&str, &str)] = &[("general", include_str!("../../charts/general.csv"))];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TemplateError {
    #[error("unknown chart template {0:?}; known: general")]
    Unknown(String),
    #[error("chart template line {line}: {message}")]
    Malformed { line: usize, message: String },
}

/// Builds a company's accounts from a template (`code,name,type,subtype,parent`).
pub fn from_template(name: &str, company_id: Uuid, now: Timestamp) -> Result<Vec<Account>, TemplateError> {
    let (_, text) = TEMPLATES
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| TemplateError::Unknown(name.to_owned()))?;
    let mut accounts: Vec<Account> = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |message: &str| TemplateError::Malformed {
            line: i + 1,
            message: message.to_owned(),
        };
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let [code, name, kind, subtype, parent] = fields[..] else {
            return Err(bad("expected 5 fields"));
        };
        let account_type = AccountType::parse(kind).ok_or_else(|| bad("unknown account type"))?;
        let parent_id = if parent.is_empty() {
            None
        } else {
            let p = accounts
                .iter()
                .find(|a| a.code == parent)
                .ok_or_else(|| bad("parent must be listed before its children"))?;
            if p.account_type != account_type {
                return Err(bad("parent must have the same type"));
            }
            Some(p.id)
        };
        accounts.push(Account {
            id: Uuid::now_v7(),
            company_id,
            code: code.to_owned(),
            name: name.to_owned(),
            account_type,
            subtype: subtype.to_owned(),
            parent_id,
            currency: None,
            is_active: true,
            created_at: now,
            updated_at: now,
        });
    }
    Ok(accounts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_general_template_loads_with_the_accounts_later_modules_need() {
        let accounts = from_template("general", Uuid::now_v7(), Timestamp::now()).unwrap();
        for subtype in [
            "bank",
            "cash",
            "receivable",
            "payable",
            "tax",
            "retained_earnings",
            "cost_of_sales",
        ] {
            assert!(accounts.iter().any(|a| a.subtype == subtype), "no {subtype} account");
        }
        assert!(matches!(
            from_template("nope", Uuid::now_v7(), Timestamp::now()),
            Err(TemplateError::Unknown(_))
        ));
    }
}

/// An account as created or changed through the API.
#[derive(Debug, Clone, Default)]
pub struct AccountInput {
    pub code: String,
    pub name: String,
    pub account_type: String,
    pub subtype: String,
    pub parent_id: Option<Uuid>,
    pub currency: Option<String>,
    pub is_active: bool,
}

/// The rules of the chart: code and name present, a known type, a valid currency, a parent of
/// the same company and type, and no cycle (`ancestors` walks up from the proposed parent).
/// `existing` is the account being changed, with whether it already has postings.
pub fn check(
    input: &AccountInput,
    existing: Option<(&Account, bool)>,
    parent: Option<&Account>,
    ancestors_of_parent: &[Uuid],
) -> Result<AccountType, super::FieldErrors> {
    let mut errors = super::FieldErrors::default();
    if input.code.trim().is_empty() {
        errors.add("code", "This field may not be blank.");
    }
    if input.code.chars().count() > 20 {
        errors.add("code", "Ensure this field has no more than 20 characters.");
    }
    if input.name.trim().is_empty() {
        errors.add("name", "This field may not be blank.");
    }
    if input.subtype.chars().count() > 50 {
        errors.add("subtype", "Ensure this field has no more than 50 characters.");
    }
    let kind = AccountType::parse(&input.account_type);
    if kind.is_none() {
        errors.add("type", format!("\"{}\" is not a valid choice.", input.account_type));
    }
    if let Some(c) = &input.currency
        && !super::tenants::is_currency_code(c)
    {
        errors.add("currency", "Enter a 3-letter ISO 4217 currency code, such as USD.");
    }
    if let Some((account, has_postings)) = existing
        && has_postings
        && kind.is_some_and(|k| k != account.account_type)
    {
        errors.add(
            "type",
            "This account has postings: its type cannot change. Deactivate it and open another.",
        );
    }
    match (input.parent_id, parent) {
        (Some(_), None) => errors.add("parent", "Unknown account for this company."),
        (Some(_), Some(p)) => {
            if kind.is_some_and(|k| k != p.account_type) {
                errors.add("parent", "The parent must have the same type.");
            }
            if let Some((account, _)) = existing
                && (p.id == account.id || ancestors_of_parent.contains(&account.id))
            {
                errors.add("parent", "An account cannot be its own ancestor.");
            }
        }
        (None, _) => {}
    }
    errors.into_result()?;
    kind.ok_or_else(|| super::FieldErrors::single("type", "This field is required."))
}
