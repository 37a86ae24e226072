//! An in-memory store of one company's accounts, tax rates, contacts and items (and the firm's
//! message log), for the unit tests of their operations: it keeps what they write, audit rows
//! included, for the test to read.

use std::convert::Infallible;

use jiff::Timestamp;
use uuid::Uuid;

use super::accounts::{Account, AccountType};
use super::audit::AuditTrail;
use super::books::{AuditRecord, Books, Ctx};
use super::contacts::{Contact, ContactRole, ContactStore, OpenAmounts};
use super::delivery::{DeliveryStore, Message};
use super::items::{Item, ItemStore, code_key};
use super::references::ReferenceStore;
use super::taxes::{TaxRate, TaxStore};
use super::tenants::Company;

/// A company in `currency` and its books.
pub fn company(currency: &str) -> (Company, Books) {
    let now = Timestamp::now();
    let company = Company {
        id: Uuid::now_v7(),
        name: "Acme Books".into(),
        tax_id: String::new(),
        address: String::new(),
        phone: String::new(),
        email: String::new(),
        currency: currency.into(),
        timezone: "UTC".into(),
        is_active: true,
        created_at: now,
        updated_at: now,
    };
    let books = Books::of(&company);
    (company, books)
}

/// A change by a user of `company`, now.
pub fn ctx<'a>(company: &'a Company, books: &'a Books) -> Ctx<'a> {
    let now = Timestamp::now();
    Ctx {
        books,
        company,
        actor: Uuid::now_v7(),
        checkpoint_key: b"unit-test-key",
        today: company.today(now),
        now,
    }
}

#[derive(Default)]
pub struct Memory {
    pub accounts: Vec<Account>,
    pub tax_rates: Vec<TaxRate>,
    pub contacts: Vec<Contact>,
    pub items: Vec<Item>,
    /// What is open with each contact, by side.
    pub open: Vec<(ContactRole, OpenAmounts)>,
    pub audit: Vec<AuditRecord>,
    /// The message log (every company's: the firm's limit spans them).
    pub messages: Vec<Message>,
}

impl Memory {
    /// Opens an account of `company`; returns its id.
    pub fn open_account(&mut self, company: Uuid, code: &str, kind: AccountType, subtype: &str) -> Uuid {
        let now = Timestamp::now();
        let id = Uuid::now_v7();
        self.accounts.push(Account {
            id,
            company_id: company,
            code: code.into(),
            name: format!("Account {code}"),
            account_type: kind,
            subtype: subtype.into(),
            parent_id: None,
            currency: None,
            cash_flow: None,
            is_active: true,
            created_at: now,
            updated_at: now,
        });
        id
    }
}

fn replace<T>(rows: &mut [T], row: &T, same: impl Fn(&T) -> bool)
where
    T: Clone,
{
    for r in rows.iter_mut().filter(|r| same(r)) {
        *r = row.clone();
    }
}

impl AuditTrail for Memory {
    type Error = Infallible;

    fn append_audit(&mut self, record: &AuditRecord) -> Result<(), Infallible> {
        self.audit.push(record.clone());
        Ok(())
    }
}

impl ReferenceStore for Memory {
    fn find_account(&mut self, company: Uuid, id: Uuid) -> Result<Option<Account>, Infallible> {
        Ok(self
            .accounts
            .iter()
            .find(|a| a.company_id == company && a.id == id)
            .cloned())
    }

    fn find_tax_rate(&mut self, company: Uuid, id: Uuid) -> Result<Option<TaxRate>, Infallible> {
        Ok(self
            .tax_rates
            .iter()
            .find(|t| t.company_id == company && t.id == id)
            .cloned())
    }
}

impl ContactStore for Memory {
    fn find_contact(&mut self, company: Uuid, id: Uuid) -> Result<Option<Contact>, Infallible> {
        Ok(self
            .contacts
            .iter()
            .find(|c| c.company_id == company && c.id == id)
            .cloned())
    }

    fn insert_contact(&mut self, contact: &Contact) -> Result<(), Infallible> {
        self.contacts.push(contact.clone());
        Ok(())
    }

    fn update_contact(&mut self, contact: &Contact) -> Result<(), Infallible> {
        replace(&mut self.contacts, contact, |c| c.id == contact.id);
        Ok(())
    }

    fn open_amounts(
        &mut self,
        _company: Uuid,
        role: ContactRole,
        contacts: &[Uuid],
    ) -> Result<Vec<OpenAmounts>, Infallible> {
        Ok(self
            .open
            .iter()
            .filter(|(side, o)| *side == role && contacts.contains(&o.contact))
            .map(|(_, o)| *o)
            .collect())
    }
}

impl DeliveryStore for Memory {
    fn messages_since(&mut self, since: Timestamp) -> Result<Vec<Timestamp>, Infallible> {
        let mut times: Vec<Timestamp> = self
            .messages
            .iter()
            .map(|m| m.created_at)
            .filter(|t| *t > since)
            .collect();
        times.sort();
        Ok(times)
    }

    fn insert_message(&mut self, message: &Message) -> Result<(), Infallible> {
        self.messages.push(message.clone());
        Ok(())
    }

    fn finish_message(&mut self, message: &Message) -> Result<(), Infallible> {
        replace(&mut self.messages, message, |m| m.id == message.id);
        Ok(())
    }
}

impl ItemStore for Memory {
    fn find_item(&mut self, company: Uuid, id: Uuid) -> Result<Option<Item>, Infallible> {
        Ok(self
            .items
            .iter()
            .find(|i| i.company_id == company && i.id == id)
            .cloned())
    }

    fn item_code_taken(&mut self, company: Uuid, code: &str, except: Option<Uuid>) -> Result<bool, Infallible> {
        Ok(self
            .items
            .iter()
            .any(|i| i.company_id == company && code_key(&i.code) == code_key(code) && Some(i.id) != except))
    }

    fn insert_item(&mut self, item: &Item) -> Result<(), Infallible> {
        self.items.push(item.clone());
        Ok(())
    }

    fn update_item(&mut self, item: &Item) -> Result<(), Infallible> {
        replace(&mut self.items, item, |i| i.id == item.id);
        Ok(())
    }

    fn item_has_stock(&mut self, _: Uuid, _: Uuid) -> Result<bool, Infallible> {
        Ok(false)
    }
}

impl TaxStore for Memory {
    fn default_tax_account(
        &mut self,
        company: Uuid,
        account_type: AccountType,
        subtype: &str,
    ) -> Result<Option<Uuid>, Infallible> {
        let mut candidates: Vec<&Account> = self
            .accounts
            .iter()
            .filter(|a| a.company_id == company && a.account_type == account_type && a.subtype == subtype)
            .filter(|a| a.is_active)
            .collect();
        candidates.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(candidates.first().map(|a| a.id))
    }

    fn tax_name_taken(&mut self, company: Uuid, name: &str, except: Option<Uuid>) -> Result<bool, Infallible> {
        Ok(self
            .tax_rates
            .iter()
            .any(|t| t.company_id == company && t.name == name && Some(t.id) != except))
    }

    fn insert_tax_rate(&mut self, rate: &TaxRate) -> Result<(), Infallible> {
        self.tax_rates.push(rate.clone());
        Ok(())
    }

    fn update_tax_rate(&mut self, rate: &TaxRate) -> Result<(), Infallible> {
        replace(&mut self.tax_rates, rate, |t| t.id == rate.id);
        Ok(())
    }
}
