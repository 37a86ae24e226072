//! The chart of accounts: account types, and the templates new companies start from.

use jiff::Timestamp;
use uuid::Uuid;

use super::audit::{self, AuditFields, AuditTrail};
use super::books::Ctx;
use super::{Change, FieldErrors, Kept};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountType {
    Asset,
    Liability,
    Equity,
    Revenue,
    Expense,
}

impl Account {
    /// The account's cash flow class: the one chosen, else the default for its subtype.
    pub fn cash_flow_class(&self) -> CashFlow {
        self.cash_flow
            .unwrap_or_else(|| CashFlow::by_default(self.account_type, &self.subtype))
    }
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

/// Where a balance-sheet account's movements go in the cash flow statement (indirect method).
/// `Cash` marks the cash and cash-equivalent accounts whose change the statement explains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CashFlow {
    Operating,
    Investing,
    Financing,
    Cash,
}

impl CashFlow {
    pub const ALL: [CashFlow; 4] = [
        CashFlow::Operating,
        CashFlow::Investing,
        CashFlow::Financing,
        CashFlow::Cash,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CashFlow::Operating => "operating",
            CashFlow::Investing => "investing",
            CashFlow::Financing => "financing",
            CashFlow::Cash => "cash",
        }
    }

    pub fn parse(s: &str) -> Option<CashFlow> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The class an account has when none was chosen for it, from its type and subtype: bank
    /// and cash accounts are cash; fixed assets investing; loans and equity financing; the
    /// rest (receivables, payables, stock, tax, accumulated depreciation…) operating.
    pub fn by_default(account_type: AccountType, subtype: &str) -> CashFlow {
        match (account_type, subtype) {
            (_, "bank" | "cash") => CashFlow::Cash,
            (_, "fixed_asset" | "investment") => CashFlow::Investing,
            (_, "loan") | (AccountType::Equity, _) => CashFlow::Financing,
            _ => CashFlow::Operating,
        }
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
    /// The cash flow class chosen for this account; `None` takes [`CashFlow::by_default`].
    pub cash_flow: Option<CashFlow>,
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
            cash_flow: None,
            is_active: true,
            created_at: now,
            updated_at: now,
        });
    }
    Ok(accounts)
}

/// What the chart's operations need from storage (the store implements it for a transaction).
pub trait ChartStore: AuditTrail {
    fn chart_account(&mut self, company: Uuid, id: Uuid) -> Result<Option<Account>, Self::Error>;
    fn parent_of(&mut self, id: Uuid) -> Result<Option<Uuid>, Self::Error>;
    fn has_postings(&mut self, id: Uuid) -> Result<bool, Self::Error>;
    fn has_children(&mut self, id: Uuid) -> Result<bool, Self::Error>;
    /// Whether another account of the company (not `except`) has this code.
    fn code_taken(&mut self, company: Uuid, code: &str, except: Option<Uuid>) -> Result<bool, Self::Error>;
    fn insert_account(&mut self, account: &Account) -> Result<(), Self::Error>;
    fn update_account(&mut self, account: &Account) -> Result<(), Self::Error>;
    fn delete_account(&mut self, id: Uuid) -> Result<(), Self::Error>;
}

/// Why a change of the chart was refused.
#[derive(Debug, thiserror::Error)]
pub enum ChartError<E: std::error::Error + 'static> {
    #[error("invalid account: {0}")]
    Invalid(FieldErrors),
    #[error("no such account")]
    NotFound,
    #[error("This account has postings: deactivate it instead.")]
    HasPostings,
    #[error("This account has sub-accounts: move or delete them first.")]
    HasChildren,
    #[error(transparent)]
    Store(E),
}

impl<E: std::error::Error + 'static> From<FieldErrors> for ChartError<E> {
    fn from(e: FieldErrors) -> Self {
        ChartError::Invalid(e)
    }
}

type ChartResult<T, S> = Result<T, ChartError<<S as AuditTrail>::Error>>;

/// What a request sets; `None` leaves a field as it is (or, for a new account, at its default).
#[derive(Debug, Clone, Default)]
pub struct AccountChanges {
    pub code: Option<String>,
    pub name: Option<String>,
    pub account_type: Option<String>,
    pub subtype: Option<String>,
    pub parent_id: Option<Option<Uuid>>,
    pub currency: Option<Option<String>>,
    /// `Some(None)` returns the account to its default class.
    pub cash_flow: Option<Option<String>>,
    pub is_active: Option<bool>,
}

impl<S: ChartStore> Kept<S> for Account {
    type Changes = AccountChanges;
    type Error = ChartError<S::Error>;

    /// The account `id` of the context's company.
    fn find(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<Account, Self::Error> {
        store
            .chart_account(ctx.books.company_id, id)
            .map_err(ChartError::Store)?
            .ok_or(ChartError::NotFound)
    }

    /// Opens a new account (`current` = `None`) or changes one, under the rules of [`check`], and
    /// records it in the audit trail.
    fn save(
        store: &mut S,
        ctx: &Ctx<'_>,
        current: Option<Account>,
        how: Change,
        changes: AccountChanges,
        mut errors: FieldErrors,
    ) -> Result<Account, Self::Error> {
        if how.requires_all() {
            for (field, v) in [
                ("code", &changes.code),
                ("name", &changes.name),
                ("type", &changes.account_type),
            ] {
                if v.is_none() {
                    errors.add(field, "This field is required.");
                }
            }
        }
        errors.into_result()?;
        let base = current.as_ref();
        let used = match base {
            Some(a) => store.has_postings(a.id).map_err(ChartError::Store)?,
            None => false,
        };
        let keep = |new: Option<String>, old: fn(&Account) -> String| new.or_else(|| base.map(old)).unwrap_or_default();
        let input = AccountInput {
            code: keep(changes.code, |a| a.code.clone()).trim().to_owned(),
            name: keep(changes.name, |a| a.name.clone()).trim().to_owned(),
            account_type: keep(changes.account_type, |a| a.account_type.as_str().to_owned()),
            subtype: keep(changes.subtype, |a| a.subtype.clone()),
            parent_id: changes.parent_id.unwrap_or_else(|| base.and_then(|a| a.parent_id)),
            currency: changes
                .currency
                .unwrap_or_else(|| base.and_then(|a| a.currency.clone())),
            cash_flow: changes
                .cash_flow
                .unwrap_or_else(|| base.and_then(|a| a.cash_flow.map(|c| c.as_str().to_owned()))),
            is_active: changes.is_active.or_else(|| base.map(|a| a.is_active)).unwrap_or(true),
        };
        let company = ctx.books.company_id;
        let (parent, ancestors) = parent_chain(store, company, input.parent_id)?;
        let kind = check(&input, base.map(|a| (a, used)), parent.as_ref(), &ancestors)?;
        let cash_flow = input.cash_flow.as_deref().and_then(CashFlow::parse);
        if store
            .code_taken(company, &input.code, base.map(|a| a.id))
            .map_err(ChartError::Store)?
        {
            return Err(FieldErrors::single("code", "An account with this code already exists.").into());
        }
        let now = ctx.now;
        let account = Account {
            id: base.map_or_else(Uuid::now_v7, |a| a.id),
            company_id: company,
            code: input.code,
            name: input.name,
            account_type: kind,
            subtype: input.subtype,
            parent_id: input.parent_id,
            currency: input.currency,
            cash_flow,
            is_active: input.is_active,
            created_at: base.map_or(now, |a| a.created_at),
            updated_at: now,
        };
        match base {
            Some(_) => store.update_account(&account),
            None => store.insert_account(&account),
        }
        .map_err(ChartError::Store)?;
        let before = base.map(audit_fields);
        let record = audit::changes(
            ctx,
            audit::saved(before.as_ref()),
            ("account", account.id),
            before.as_ref(),
            Some(&audit_fields(&account)),
        );
        store.append_audit(&record).map_err(ChartError::Store)?;
        Ok(account)
    }
}

/// Deletes an account nobody has used yet; one with postings or sub-accounts stays.
pub fn delete<S: ChartStore>(store: &mut S, ctx: &Ctx<'_>, account: Account) -> ChartResult<(), S> {
    if store.has_postings(account.id).map_err(ChartError::Store)? {
        return Err(ChartError::HasPostings);
    }
    if store.has_children(account.id).map_err(ChartError::Store)? {
        return Err(ChartError::HasChildren);
    }
    store.delete_account(account.id).map_err(ChartError::Store)?;
    let record = audit::changes(
        ctx,
        "delete",
        ("account", account.id),
        Some(&audit_fields(&account)),
        None,
    );
    store.append_audit(&record).map_err(ChartError::Store)
}

/// The parent and the parent's ancestors, walking up (bounded, in case of a damaged chart).
fn parent_chain<S: ChartStore>(
    store: &mut S,
    company: Uuid,
    parent: Option<Uuid>,
) -> ChartResult<(Option<Account>, Vec<Uuid>), S> {
    let Some(pid) = parent else {
        return Ok((None, Vec::new()));
    };
    let parent = store.chart_account(company, pid).map_err(ChartError::Store)?;
    let mut ancestors = Vec::new();
    let mut next = parent.as_ref().and_then(|p| p.parent_id);
    while let Some(id) = next {
        if ancestors.contains(&id) || ancestors.len() > 64 {
            break;
        }
        ancestors.push(id);
        next = store.parent_of(id).map_err(ChartError::Store)?;
    }
    Ok((parent, ancestors))
}

/// How the audit trail reads an account.
fn audit_fields(a: &Account) -> AuditFields {
    vec![
        ("code", a.code.clone()),
        ("name", a.name.clone()),
        ("type", a.account_type.as_str().to_owned()),
        ("parent", audit::id_text(a.parent_id)),
        ("cash_flow", a.cash_flow.map_or("", CashFlow::as_str).to_owned()),
        ("is_active", a.is_active.to_string()),
    ]
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
    /// `operating`, `investing`, `financing` or `cash`; `None` for the default.
    pub cash_flow: Option<String>,
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
) -> Result<AccountType, FieldErrors> {
    let mut errors = FieldErrors::default();
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
    if let Some(c) = &input.cash_flow
        && CashFlow::parse(c).is_none()
    {
        errors.add(
            "cash_flow",
            format!("\"{c}\" is not a valid choice: operating, investing, financing or cash."),
        );
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
    kind.ok_or_else(|| FieldErrors::single("type", "This field is required."))
}
