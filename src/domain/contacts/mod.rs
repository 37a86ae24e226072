//! Contacts: the customers and vendors of a company, in one list (a contact can be both), and
//! the rules a contact must follow. Contacts are never deleted: they are archived
//! (`is_active = false`) so that their documents and history stay whole.

use jiff::Timestamp;
use uuid::Uuid;

mod balances;
mod operations;

pub use balances::{OpenAmounts, balance, balances};
pub use operations::{ContactChanges, ContactError, ContactStore, find, save};

use super::FieldErrors;
use super::accounts::{Account, AccountType};
use super::references::{Lookup, check_account};
use super::tenants::{is_currency_code, is_email};

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_TAX_ID_CHARS: usize = 50;
pub const MAX_PHONE_CHARS: usize = 30;
pub const MAX_ADDRESS_CHARS: usize = 1000;
pub const MAX_NOTES_CHARS: usize = 5000;
pub const MAX_EMAILS: usize = 20;
pub const DEFAULT_PAYMENT_TERMS_DAYS: i64 = 30;
pub const MAX_PAYMENT_TERMS_DAYS: i64 = 365;

/// Which side of the business a contact is seen from: `/customers/` or `/vendors/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactRole {
    Customer,
    Vendor,
}

impl ContactRole {
    /// The flag that makes a contact this role, by its API name.
    pub fn field(self) -> &'static str {
        match self {
            ContactRole::Customer => "is_customer",
            ContactRole::Vendor => "is_vendor",
        }
    }

    /// Whether the contact plays this role (and so is visible through its endpoint).
    pub fn is(self, contact: &Contact) -> bool {
        match self {
            ContactRole::Customer => contact.is_customer,
            ContactRole::Vendor => contact.is_vendor,
        }
    }

    pub fn other(self) -> ContactRole {
        match self {
            ContactRole::Customer => ContactRole::Vendor,
            ContactRole::Vendor => ContactRole::Customer,
        }
    }

    /// Gives the input this role, or takes it away.
    pub fn set(self, input: &mut ContactInput, on: bool) {
        match self {
            ContactRole::Customer => input.is_customer = on,
            ContactRole::Vendor => input.is_vendor = on,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: Uuid,
    pub company_id: Uuid,
    pub is_customer: bool,
    pub is_vendor: bool,
    pub name: String,
    pub tax_id: String,
    pub emails: Vec<String>,
    pub phone: String,
    pub billing_address: String,
    pub shipping_address: String,
    /// ISO 3166-1 alpha-2, or empty when unknown.
    pub country: String,
    pub payment_terms_days: i64,
    /// `None`: the company's currency (it follows the company rather than copying it).
    pub currency: Option<String>,
    /// Where a customer's invoice lines go when neither the line nor its item says.
    pub revenue_account_id: Option<Uuid>,
    /// Where a vendor's bill lines go when neither the line nor its item says.
    pub expense_account_id: Option<Uuid>,
    pub notes: String,
    pub is_active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A contact as created or changed: for a change, the stored contact with the request's
/// fields laid over it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactInput {
    pub is_customer: bool,
    pub is_vendor: bool,
    pub name: String,
    pub tax_id: String,
    pub emails: Vec<String>,
    pub phone: String,
    pub billing_address: String,
    pub shipping_address: String,
    pub country: String,
    pub payment_terms_days: i64,
    pub currency: Option<String>,
    pub revenue_account_id: Option<Uuid>,
    pub expense_account_id: Option<Uuid>,
    pub notes: String,
    pub is_active: bool,
}

impl Default for ContactInput {
    fn default() -> Self {
        ContactInput {
            is_customer: false,
            is_vendor: false,
            name: String::new(),
            tax_id: String::new(),
            emails: Vec::new(),
            phone: String::new(),
            billing_address: String::new(),
            shipping_address: String::new(),
            country: String::new(),
            payment_terms_days: DEFAULT_PAYMENT_TERMS_DAYS,
            currency: None,
            revenue_account_id: None,
            expense_account_id: None,
            notes: String::new(),
            is_active: true,
        }
    }
}

impl From<&Contact> for ContactInput {
    fn from(c: &Contact) -> Self {
        ContactInput {
            is_customer: c.is_customer,
            is_vendor: c.is_vendor,
            name: c.name.clone(),
            tax_id: c.tax_id.clone(),
            emails: c.emails.clone(),
            phone: c.phone.clone(),
            billing_address: c.billing_address.clone(),
            shipping_address: c.shipping_address.clone(),
            country: c.country.clone(),
            payment_terms_days: c.payment_terms_days,
            currency: c.currency.clone(),
            revenue_account_id: c.revenue_account_id,
            expense_account_id: c.expense_account_id,
            notes: c.notes.clone(),
            is_active: c.is_active,
        }
    }
}

impl ContactInput {
    /// Trims what people type around values, and drops repeated e-mail addresses (compared
    /// case-insensitively) and empty ones: neither carries information.
    pub fn normalize(&mut self) {
        for s in [
            &mut self.name,
            &mut self.tax_id,
            &mut self.phone,
            &mut self.country,
            &mut self.billing_address,
            &mut self.shipping_address,
            &mut self.notes,
        ] {
            let trimmed = s.trim();
            if trimmed.len() != s.len() {
                *s = trimmed.to_owned();
            }
        }
        let mut seen: Vec<String> = Vec::new();
        self.emails = std::mem::take(&mut self.emails)
            .into_iter()
            .map(|e| e.trim().to_owned())
            .filter(|e| {
                let key = e.to_lowercase();
                let keep = !e.is_empty() && !seen.contains(&key);
                seen.push(key);
                keep
            })
            .collect();
        if let Some(c) = &self.currency
            && c.trim().is_empty()
        {
            self.currency = None;
        }
    }

    /// The contact this input describes. `existing` keeps its id and creation time.
    pub fn into_contact(self, existing: Option<&Contact>, company_id: Uuid, now: Timestamp) -> Contact {
        Contact {
            id: existing.map_or_else(Uuid::now_v7, |c| c.id),
            company_id,
            is_customer: self.is_customer,
            is_vendor: self.is_vendor,
            name: self.name,
            tax_id: self.tax_id,
            emails: self.emails,
            phone: self.phone,
            billing_address: self.billing_address,
            shipping_address: self.shipping_address,
            country: self.country,
            payment_terms_days: self.payment_terms_days,
            currency: self.currency,
            revenue_account_id: self.revenue_account_id,
            expense_account_id: self.expense_account_id,
            notes: self.notes,
            is_active: self.is_active,
            created_at: existing.map_or(now, |c| c.created_at),
            updated_at: now,
        }
    }
}

/// Empty (unknown), or two upper-case letters: an ISO 3166-1 alpha-2 code such as `GB`.
pub fn is_country_code(s: &str) -> bool {
    s.is_empty() || (s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()))
}

/// The rules of a contact: a name, valid e-mails, country and currency codes, terms of 0–365
/// days, at least one role, and default accounts of the right type. `role` is the endpoint the
/// request came through, which names the field when the contact would lose every role.
pub fn check(
    input: &ContactInput,
    role: ContactRole,
    revenue_account: Lookup<'_, Account>,
    expense_account: Lookup<'_, Account>,
) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    if input.name.is_empty() {
        errors.add("name", "This field may not be blank.");
    }
    for (field, value, max) in [
        ("name", &input.name, MAX_NAME_CHARS),
        ("tax_id", &input.tax_id, MAX_TAX_ID_CHARS),
        ("phone", &input.phone, MAX_PHONE_CHARS),
        ("billing_address", &input.billing_address, MAX_ADDRESS_CHARS),
        ("shipping_address", &input.shipping_address, MAX_ADDRESS_CHARS),
        ("notes", &input.notes, MAX_NOTES_CHARS),
    ] {
        if value.chars().count() > max {
            errors.add(field, format!("Ensure this field has no more than {max} characters."));
        }
    }
    if input.emails.len() > MAX_EMAILS {
        errors.add(
            "emails",
            format!("Ensure this field has no more than {MAX_EMAILS} elements."),
        );
    }
    for email in &input.emails {
        if !is_email(email) {
            errors.add("emails", format!("Enter a valid email address: \"{email}\"."));
        }
    }
    if !is_country_code(&input.country) {
        errors.add("country", "Enter a 2-letter ISO 3166 country code, such as GB.");
    }
    if !(0..=MAX_PAYMENT_TERMS_DAYS).contains(&input.payment_terms_days) {
        errors.add(
            "payment_terms_days",
            format!("Ensure this value is between 0 and {MAX_PAYMENT_TERMS_DAYS}."),
        );
    }
    if let Some(c) = &input.currency
        && !is_currency_code(c)
    {
        errors.add("currency", "Enter a 3-letter ISO 4217 currency code, such as USD.");
    }
    if !input.is_customer && !input.is_vendor {
        errors.add(role.field(), "A contact must be a customer, a vendor or both.");
    }
    check_account(&mut errors, "revenue_account", revenue_account, &[AccountType::Revenue]);
    check_account(&mut errors, "expense_account", expense_account, &[AccountType::Expense]);
    errors.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(kind: AccountType, active: bool) -> Account {
        let now = Timestamp::now();
        Account {
            id: Uuid::now_v7(),
            company_id: Uuid::now_v7(),
            code: "4100".into(),
            name: "Sales".into(),
            account_type: kind,
            subtype: String::new(),
            parent_id: None,
            currency: None,
            cash_flow: None,
            is_active: active,
            created_at: now,
            updated_at: now,
        }
    }

    fn customer(name: &str) -> ContactInput {
        ContactInput {
            is_customer: true,
            name: name.into(),
            ..ContactInput::default()
        }
    }

    fn fields(e: &FieldErrors) -> Vec<&str> {
        e.0.keys().map(String::as_str).collect()
    }

    #[test]
    fn a_named_customer_with_defaults_is_valid() {
        let input = customer("Acme Ltd");
        assert_eq!(input.payment_terms_days, 30);
        assert!(input.is_active);
        check(&input, ContactRole::Customer, Lookup::Unchecked, Lookup::Unchecked).unwrap();
    }

    #[test]
    fn every_bad_field_is_named() {
        let input = ContactInput {
            is_customer: false,
            is_vendor: false,
            name: String::new(),
            emails: vec!["billing@acme.test".into(), "not-an-address".into()],
            country: "gbr".into(),
            payment_terms_days: 366,
            currency: Some("pounds".into()),
            tax_id: "x".repeat(51),
            ..ContactInput::default()
        };
        let e = check(&input, ContactRole::Vendor, Lookup::Missing, Lookup::Unchecked).unwrap_err();
        assert_eq!(
            fields(&e),
            [
                "country",
                "currency",
                "emails",
                "is_vendor",
                "name",
                "payment_terms_days",
                "revenue_account",
                "tax_id"
            ]
        );
        assert_eq!(e.0["emails"].len(), 1, "only the bad address is reported");
        let negative = ContactInput {
            payment_terms_days: -1,
            ..customer("A")
        };
        assert!(check(&negative, ContactRole::Customer, Lookup::Unchecked, Lookup::Unchecked).is_err());
    }

    #[test]
    fn default_accounts_must_be_active_and_of_the_right_type() {
        let input = customer("Acme");
        let revenue = account(AccountType::Revenue, true);
        let expense = account(AccountType::Expense, true);
        let archived = account(AccountType::Revenue, false);
        let asset = account(AccountType::Asset, true);
        check(
            &input,
            ContactRole::Customer,
            Lookup::Found(&revenue),
            Lookup::Found(&expense),
        )
        .unwrap();
        let e = check(
            &input,
            ContactRole::Customer,
            Lookup::Found(&archived),
            Lookup::Found(&asset),
        )
        .unwrap_err();
        assert_eq!(e.0["revenue_account"], ["This account is inactive."]);
        assert_eq!(e.0["expense_account"], ["Choose an account of type expense."]);
        let e = check(
            &input,
            ContactRole::Customer,
            Lookup::Found(&expense),
            Lookup::Unchecked,
        )
        .unwrap_err();
        assert_eq!(fields(&e), ["revenue_account"]);
    }

    #[test]
    fn normalizing_trims_and_drops_repeated_emails() {
        let mut input = ContactInput {
            name: "  Acme  ".into(),
            emails: vec![
                " a@acme.test".into(),
                "A@ACME.test".into(),
                String::new(),
                "b@acme.test".into(),
            ],
            currency: Some(" ".into()),
            ..customer("")
        };
        input.normalize();
        assert_eq!(input.name, "Acme");
        assert_eq!(input.emails, ["a@acme.test", "b@acme.test"]);
        assert_eq!(input.currency, None);
    }

    #[test]
    fn a_change_keeps_the_id_and_creation_time() {
        let company = Uuid::now_v7();
        let first = customer("Acme").into_contact(None, company, Timestamp::UNIX_EPOCH);
        let mut input = ContactInput::from(&first);
        input.is_vendor = true;
        let later = Timestamp::now();
        let changed = input.into_contact(Some(&first), company, later);
        assert_eq!((changed.id, changed.created_at), (first.id, first.created_at));
        assert_eq!(changed.updated_at, later);
        assert!(ContactRole::Vendor.is(&changed) && ContactRole::Customer.is(&changed));
        assert!(!ContactRole::Vendor.is(&first));
    }
}
