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
pub fn from_template(
    name: &str,
    company_id: Uuid,
    now: Timestamp,
) -> Result<Vec<Account>, TemplateError> {
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
            assert!(
                accounts.iter().any(|a| a.subtype == subtype),
                "no {subtype} account"
            );
        }
        assert!(matches!(
            from_template("nope", Uuid::now_v7(), Timestamp::now()),
            Err(TemplateError::Unknown(_))
        ));
    }
}
