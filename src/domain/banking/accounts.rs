//! Bank accounts: each tied to a GL account of subtype `bank` in its own currency, with its IBAN
//! (checked by its ISO 13616 mod-97 digits) or account number, BIC and bank name, its opening
//! balance and the statement balance of its last import. Archived, never deleted: statement lines
//! and reconciliations keep pointing at it.

use jiff::Timestamp;
use jiff::civil::Date;
use uuid::Uuid;

use super::error::BankingError;
use crate::domain::accounts::Account;
use crate::domain::audit::{self, AuditFields, AuditTrail};
use crate::domain::books::Ctx;
use crate::domain::money;
use crate::domain::references::{self, Lookup, fetch, lookup};
use crate::domain::{Change, FieldErrors, Kept};

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_TEXT_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankAccount {
    pub id: Uuid,
    pub company_id: Uuid,
    /// The GL account (subtype `bank`) the books keep this account's money in.
    pub account_id: Uuid,
    pub name: String,
    pub currency: String,
    /// Upper case without spaces; empty when none.
    pub iban: String,
    pub account_number: String,
    pub bic: String,
    pub bank_name: String,
    /// Minor units of `currency`.
    pub opening_balance: i64,
    pub opening_date: Option<Date>,
    /// The closing balance of the last import that stated one, minor units of `currency`.
    pub statement_balance: Option<i64>,
    pub statement_date: Option<Date>,
    pub is_active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl BankAccount {
    /// Decimal places of the account's currency.
    pub fn decimals(&self) -> u32 {
        money::decimals(&self.currency)
    }
}

/// What the bank accounts' operations need from storage.
pub trait BankAccountStore: AuditTrail {
    fn find_gl_account(&mut self, company: Uuid, id: Uuid) -> Result<Option<Account>, Self::Error>;
    fn find_bank_account(&mut self, company: Uuid, id: Uuid) -> Result<Option<BankAccount>, Self::Error>;
    /// Another bank account of the company (not `except`) with this IBAN.
    fn bank_iban_taken(&mut self, company: Uuid, iban: &str, except: Option<Uuid>) -> Result<bool, Self::Error>;
    /// Another active bank account of the company (not `except`) kept in this GL account.
    fn bank_gl_account_taken(
        &mut self,
        company: Uuid,
        account: Uuid,
        except: Option<Uuid>,
    ) -> Result<bool, Self::Error>;
    /// Whether statement lines were imported into the account (its currency is then fixed).
    fn bank_account_has_lines(&mut self, id: Uuid) -> Result<bool, Self::Error>;
    fn insert_bank_account(&mut self, account: &BankAccount) -> Result<(), Self::Error>;
    fn update_bank_account(&mut self, account: &BankAccount) -> Result<(), Self::Error>;
}

/// What a request sets; `None` leaves a field as it is (or, for a new account, at its default).
#[derive(Debug, Clone, Default)]
pub struct BankAccountChanges {
    pub account: Option<Option<Uuid>>,
    pub name: Option<String>,
    pub currency: Option<String>,
    pub iban: Option<String>,
    pub account_number: Option<String>,
    pub bic: Option<String>,
    pub bank_name: Option<String>,
    /// Decimal text in the account's currency.
    pub opening_balance: Option<String>,
    pub opening_date: Option<Option<String>>,
    pub is_active: Option<bool>,
}

/// An IBAN as people type it (`de89 3704 …`) in its stored form: spaces gone, upper case.
pub fn normalize_iban(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// ISO 13616: two letters, two check digits, up to 30 letters and digits, and the whole —
/// its first four characters moved to the end, letters as 10..35 — leaving 1 modulo 97.
pub fn check_iban(iban: &str) -> Result<(), &'static str> {
    let bytes = iban.as_bytes();
    if !(15..=34).contains(&bytes.len()) {
        return Err("An IBAN has 15 to 34 letters and digits.");
    }
    if !bytes[..2].iter().all(u8::is_ascii_uppercase) || !bytes[2..4].iter().all(u8::is_ascii_digit) {
        return Err("An IBAN starts with a country code and two check digits (DE89…).");
    }
    if !bytes.iter().all(u8::is_ascii_alphanumeric) {
        return Err("An IBAN has letters and digits only.");
    }
    let mut remainder: u32 = 0;
    for &b in bytes[4..].iter().chain(&bytes[..4]) {
        let value = if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else {
            u32::from(b - b'A') + 10
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    if remainder == 1 {
        Ok(())
    } else {
        Err("This IBAN's check digits are wrong: check it for a typing error.")
    }
}

/// A BIC: 8 or 11 letters and digits, its first six letters.
fn check_bic(bic: &str) -> Result<(), &'static str> {
    let b = bic.as_bytes();
    if (b.len() == 8 || b.len() == 11)
        && b[..6].iter().all(u8::is_ascii_uppercase)
        && b.iter().all(u8::is_ascii_alphanumeric)
    {
        Ok(())
    } else {
        Err("A BIC has 8 or 11 characters: bank, country and location code (DEUTDEFF).")
    }
}

fn is_currency_code(c: &str) -> bool {
    c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase())
}

/// The account as requested, before its rules are checked.
struct Input {
    account_id: Option<Uuid>,
    name: String,
    currency: String,
    iban: String,
    account_number: String,
    bic: String,
    bank_name: String,
    opening_balance: i64,
    opening_date: Option<Date>,
    is_active: bool,
}

/// What the rules need besides the input: the GL account found and what is already taken.
struct Facts<'a> {
    gl: Lookup<'a, Account>,
    /// The currency the GL account is kept in (its own, else the company's).
    company_currency: &'a str,
    iban_taken: bool,
    gl_taken: bool,
    currency_fixed: bool,
}

/// The rules of a bank account: a name; a GL account of the company, active, of subtype `bank`
/// and kept in the account's currency, not linked to another active bank account; a valid
/// IBAN (unique in the company) and BIC when given; a currency fixed once lines are imported.
fn check(input: &Input, facts: &Facts<'_>) -> FieldErrors {
    let mut errors = FieldErrors::default();
    if input.name.is_empty() {
        errors.add("name", "This field may not be blank.");
    }
    for (field, value, max) in [
        ("name", &input.name, MAX_NAME_CHARS),
        ("account_number", &input.account_number, MAX_TEXT_CHARS),
        ("bank_name", &input.bank_name, MAX_TEXT_CHARS),
    ] {
        if value.chars().count() > max {
            errors.add(field, format!("Ensure this field has no more than {max} characters."));
        }
    }
    if !is_currency_code(&input.currency) {
        errors.add("currency", "A currency is a three-letter ISO 4217 code, such as EUR.");
    } else if facts.currency_fixed {
        errors.add(
            "currency",
            "Statement lines were imported in this account's currency: it cannot change.",
        );
    }
    match facts.gl {
        Lookup::Unchecked => {}
        Lookup::Missing => errors.add("account", "Unknown account for this company."),
        Lookup::Found(a) => {
            if !a.is_active {
                errors.add("account", "This account is inactive.");
            }
            if a.subtype != "bank" {
                errors.add("account", "Choose an account of subtype bank.");
            }
            let kept_in = a.currency.as_deref().unwrap_or(facts.company_currency);
            if is_currency_code(&input.currency) && kept_in != input.currency {
                errors.add(
                    "currency",
                    format!("The GL account is kept in {kept_in}: the bank account must be too."),
                );
            }
            if facts.gl_taken {
                errors.add("account", "Another bank account is already kept in this GL account.");
            }
        }
    }
    if input.account_id.is_none() && !errors.0.contains_key("account") {
        errors.add("account", "This field is required.");
    }
    if !input.iban.is_empty() {
        if let Err(m) = check_iban(&input.iban) {
            errors.add("iban", m);
        } else if facts.iban_taken {
            errors.add("iban", "A bank account with this IBAN already exists.");
        }
    }
    if !input.bic.is_empty()
        && let Err(m) = check_bic(&input.bic)
    {
        errors.add("bic", m);
    }
    errors
}

impl<S: BankAccountStore> Kept<S> for BankAccount {
    type Changes = BankAccountChanges;
    type Error = BankingError<S::Error>;

    fn find(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<BankAccount, Self::Error> {
        store
            .find_bank_account(ctx.books.company_id, id)
            .map_err(BankingError::Store)?
            .ok_or(BankingError::NotFound)
    }

    /// Creates a bank account (`current` = `None`) or changes one, and records it in the audit
    /// trail; nothing is written while `errors` or the rules find anything.
    fn save(
        store: &mut S,
        ctx: &Ctx<'_>,
        current: Option<BankAccount>,
        how: Change,
        changes: BankAccountChanges,
        mut errors: FieldErrors,
    ) -> Result<BankAccount, Self::Error> {
        references::require(
            &mut errors,
            how,
            &[("name", changes.name.is_some()), ("account", changes.account.is_some())],
        );
        let company = ctx.books.company_id;
        let base = current.as_ref();
        let mut input = Input {
            account_id: base.map(|a| a.account_id),
            name: base.map(|a| a.name.clone()).unwrap_or_default(),
            currency: base.map_or_else(|| ctx.books.currency.clone(), |a| a.currency.clone()),
            iban: base.map(|a| a.iban.clone()).unwrap_or_default(),
            account_number: base.map(|a| a.account_number.clone()).unwrap_or_default(),
            bic: base.map(|a| a.bic.clone()).unwrap_or_default(),
            bank_name: base.map(|a| a.bank_name.clone()).unwrap_or_default(),
            opening_balance: base.map_or(0, |a| a.opening_balance),
            opening_date: base.and_then(|a| a.opening_date),
            is_active: base.is_none_or(|a| a.is_active),
        };
        if let Some(v) = changes.account {
            input.account_id = v;
        }
        for (value, target) in [
            (changes.name, &mut input.name),
            (changes.account_number, &mut input.account_number),
            (changes.bank_name, &mut input.bank_name),
        ] {
            if let Some(v) = value {
                *target = v.trim().to_owned();
            }
        }
        if let Some(v) = changes.currency {
            input.currency = v.trim().to_uppercase();
        }
        if let Some(v) = changes.iban {
            input.iban = normalize_iban(&v);
        }
        if let Some(v) = changes.bic {
            input.bic = normalize_iban(&v);
        }
        if let Some(v) = changes.is_active {
            input.is_active = v;
        }
        if let Some(text) = changes.opening_balance {
            match money::parse(&text).and_then(|d| money::to_minor(d, money::decimals(&input.currency))) {
                Ok(minor) => input.opening_balance = minor,
                Err(e) => errors.add("opening_balance", e.to_string()),
            }
        }
        if let Some(date) = changes.opening_date {
            match date.filter(|d| !d.trim().is_empty()).map(|d| d.trim().parse::<Date>()) {
                None => input.opening_date = None,
                Some(Ok(d)) => input.opening_date = Some(d),
                Some(Err(_)) => errors.add("opening_date", "Date has wrong format. Use YYYY-MM-DD."),
            }
        }
        // The GL account is looked up when the request names it, or on a create.
        let named = changes.account.or(base.is_none().then_some(input.account_id));
        let gl = fetch(named, |id| store.find_gl_account(company, id)).map_err(BankingError::Store)?;
        let except = base.map(|a| a.id);
        let iban_taken = !input.iban.is_empty()
            && store
                .bank_iban_taken(company, &input.iban, except)
                .map_err(BankingError::Store)?;
        let gl_taken = match (input.account_id, input.is_active) {
            (Some(gl_id), true) => store
                .bank_gl_account_taken(company, gl_id, except)
                .map_err(BankingError::Store)?,
            _ => false,
        };
        let currency_fixed = match base {
            Some(a) if a.currency != input.currency => {
                store.bank_account_has_lines(a.id).map_err(BankingError::Store)?
            }
            _ => false,
        };
        let facts = Facts {
            gl: lookup(&gl),
            company_currency: &ctx.books.currency,
            iban_taken,
            gl_taken,
            currency_fixed,
        };
        let checked = check(&input, &facts).into_result();
        references::finish(errors, checked).map_err(BankingError::Invalid)?;
        let Some(account_id) = input.account_id else {
            return Err(BankingError::field("account", "This field is required."));
        };
        let account = BankAccount {
            id: base.map_or_else(Uuid::now_v7, |a| a.id),
            company_id: company,
            account_id,
            name: input.name,
            currency: input.currency,
            iban: input.iban,
            account_number: input.account_number,
            bic: input.bic,
            bank_name: input.bank_name,
            opening_balance: input.opening_balance,
            opening_date: input.opening_date,
            statement_balance: base.and_then(|a| a.statement_balance),
            statement_date: base.and_then(|a| a.statement_date),
            is_active: input.is_active,
            created_at: base.map_or(ctx.now, |a| a.created_at),
            updated_at: ctx.now,
        };
        match base {
            Some(_) => store.update_bank_account(&account),
            None => store.insert_bank_account(&account),
        }
        .map_err(BankingError::Store)?;
        let before = base.map(audit_fields);
        let record = audit::changes(
            ctx,
            audit::saved(before.as_ref()),
            ("bank_account", account.id),
            before.as_ref(),
            Some(&audit_fields(&account)),
        );
        store.append_audit(&record).map_err(BankingError::Store)?;
        Ok(account)
    }
}

/// Archives a bank account: it stays, with its lines and reconciliations, but takes no imports.
pub fn archive<S: BankAccountStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    account: BankAccount,
) -> Result<BankAccount, BankingError<S::Error>> {
    if !account.is_active {
        return Ok(account);
    }
    let archived = BankAccount {
        is_active: false,
        updated_at: ctx.now,
        ..account.clone()
    };
    store.update_bank_account(&archived).map_err(BankingError::Store)?;
    let record = audit::changes(
        ctx,
        "archive",
        ("bank_account", archived.id),
        Some(&audit_fields(&account)),
        Some(&audit_fields(&archived)),
    );
    store.append_audit(&record).map_err(BankingError::Store)?;
    Ok(archived)
}

/// How the audit trail reads a bank account.
pub fn audit_fields(a: &BankAccount) -> AuditFields {
    let decimals = a.decimals();
    vec![
        ("account", a.account_id.to_string()),
        ("name", a.name.clone()),
        ("currency", a.currency.clone()),
        ("iban", a.iban.clone()),
        ("account_number", a.account_number.clone()),
        ("bic", a.bic.clone()),
        ("bank_name", a.bank_name.clone()),
        ("opening_balance", money::format(a.opening_balance, decimals)),
        (
            "opening_date",
            a.opening_date.map(|d| d.to_string()).unwrap_or_default(),
        ),
        (
            "statement_balance",
            a.statement_balance
                .map(|b| money::format(b, decimals))
                .unwrap_or_default(),
        ),
        (
            "statement_date",
            a.statement_date.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("is_active", a.is_active.to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iban_check_digits_are_mod_97() {
        for good in [
            "DE89370400440532013000",
            "GB82WEST12345698765432",
            "CH9300762011623852957",
        ] {
            assert_eq!(check_iban(good), Ok(()), "{good}");
        }
        assert!(check_iban("DE89370400440532013001").is_err(), "one digit off");
        assert!(check_iban("DE8937040044").is_err(), "too short");
        assert!(check_iban("1289370400440532013000").is_err(), "no country");
        assert!(check_iban("DE89-70400440532013000").is_err(), "not alphanumeric");
        assert_eq!(normalize_iban(" de89 3704 0044 0532 0130 00"), "DE89370400440532013000");
    }

    #[test]
    fn bic_has_eight_or_eleven_characters() {
        assert!(check_bic("DEUTDEFF").is_ok());
        assert!(check_bic("DEUTDEFF500").is_ok());
        assert!(check_bic("DEUT").is_err());
        assert!(check_bic("1234DEFF").is_err());
    }
}
