//! Contacts (customers and vendors), in the tenant database. E-mail addresses are kept as a
//! JSON array of strings in one text column: they are read and written with the contact, and
//! searched as text.

use uuid::Uuid;

use std::collections::HashMap;

use super::list::{FilterKind, ListError, ListRequest, ListSpec, Page, list};
use super::platform::{parse_ts, ts};
use super::{Row, StoreError, Tx, Value, accounts, taxes};
use crate::domain::accounts::Account;
use crate::domain::contacts::{Contact, ContactRole, ContactStore, OpenAmounts};
use crate::domain::exchange_rates::convert;
use crate::domain::money;
use crate::domain::references::ReferenceStore;
use crate::domain::taxes::TaxRate;
use crate::params;

const COLUMNS: &str = "id, company_id, is_customer, is_vendor, name, tax_id, emails, phone, billing_address, \
     shipping_address, country, payment_terms_days, currency, revenue_account_id, expense_account_id, notes, \
     is_active, created_at, updated_at";

pub const LIST: ListSpec = ListSpec {
    columns: COLUMNS,
    from: "contacts",
    filters: &[
        ("is_active", "is_active = ?", FilterKind::Bool),
        ("is_customer", "is_customer = ?", FilterKind::Bool),
        ("is_vendor", "is_vendor = ?", FilterKind::Bool),
        ("country", "country = ?", FilterKind::Text),
    ],
    search: &["name", "tax_id", "emails"],
    ordering: &[("name", "name"), ("created_at", "created_at")],
    tie_breaker: "id",
    default_ordering: "name",
};

/// The condition that keeps a list to one company and one side (`/customers/` or `/vendors/`).
fn scope_sql(role: ContactRole) -> &'static str {
    match role {
        ContactRole::Customer => "company_id = $1 AND is_customer = $2",
        ContactRole::Vendor => "company_id = $1 AND is_vendor = $2",
    }
}

pub fn from_row(r: &Row) -> Result<Contact, StoreError> {
    let emails_json = r.text(6)?;
    let emails: Vec<String> = serde_json::from_str(&emails_json)
        .map_err(|_| StoreError::Corrupt(format!("contact emails {emails_json:?} are not a JSON list of strings")))?;
    Ok(Contact {
        id: r.uuid(0)?,
        company_id: r.uuid(1)?,
        is_customer: r.bool(2)?,
        is_vendor: r.bool(3)?,
        name: r.text(4)?,
        tax_id: r.text(5)?,
        emails,
        phone: r.text(7)?,
        billing_address: r.text(8)?,
        shipping_address: r.text(9)?,
        country: r.text(10)?,
        payment_terms_days: r.int(11)?,
        currency: r.opt_text(12)?,
        revenue_account_id: r.opt_uuid(13)?,
        expense_account_id: r.opt_uuid(14)?,
        notes: r.text(15)?,
        is_active: r.bool(16)?,
        created_at: parse_ts(&r.text(17)?)?,
        updated_at: parse_ts(&r.text(18)?)?,
    })
}

/// One page of the company's customers or vendors.
pub fn page(tx: &mut Tx, company_id: Uuid, role: ContactRole, req: &ListRequest) -> Result<Page<Contact>, ListError> {
    list(
        tx,
        &LIST,
        (scope_sql(role), vec![company_id.into(), true.into()]),
        req,
        from_row,
    )
}

/// A contact of the company, whatever its roles.
pub fn get(tx: &mut Tx, company_id: Uuid, id: Uuid) -> Result<Option<Contact>, StoreError> {
    tx.query_opt(
        &format!("SELECT {COLUMNS} FROM contacts WHERE company_id = $1 AND id = $2"),
        params![company_id, id],
    )?
    .as_ref()
    .map(from_row)
    .transpose()
}

fn emails_json(c: &Contact) -> String {
    serde_json::Value::from(c.emails.clone()).to_string()
}

pub fn insert(tx: &mut Tx, c: &Contact) -> Result<(), StoreError> {
    tx.execute(
        &format!(
            "INSERT INTO contacts ({COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
        ),
        params![
            c.id,
            c.company_id,
            c.is_customer,
            c.is_vendor,
            &c.name,
            &c.tax_id,
            emails_json(c),
            &c.phone,
            &c.billing_address,
            &c.shipping_address,
            &c.country,
            c.payment_terms_days,
            c.currency.clone(),
            c.revenue_account_id,
            c.expense_account_id,
            &c.notes,
            c.is_active,
            ts(c.created_at),
            ts(c.updated_at)
        ],
    )?;
    Ok(())
}

pub fn update(tx: &mut Tx, c: &Contact) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE contacts SET is_customer = $3, is_vendor = $4, name = $5, tax_id = $6, emails = $7, phone = $8, \
         billing_address = $9, shipping_address = $10, country = $11, payment_terms_days = $12, currency = $13, \
         revenue_account_id = $14, expense_account_id = $15, notes = $16, is_active = $17, updated_at = $18 \
         WHERE company_id = $1 AND id = $2",
        params![
            c.company_id,
            c.id,
            c.is_customer,
            c.is_vendor,
            &c.name,
            &c.tax_id,
            emails_json(c),
            &c.phone,
            &c.billing_address,
            &c.shipping_address,
            &c.country,
            c.payment_terms_days,
            c.currency.clone(),
            c.revenue_account_id,
            c.expense_account_id,
            &c.notes,
            c.is_active,
            ts(c.updated_at)
        ],
    )?;
    Ok(())
}

/// The decimals of the company's currency.
fn company_decimals(tx: &mut Tx, company: Uuid) -> Result<u32, StoreError> {
    let currency = tx
        .query_one("SELECT currency FROM companies WHERE id = $1", params![company])?
        .text(0)?;
    Ok(money::decimals(&currency))
}

/// `amount` of `currency` at `rate` in the company currency (`decimals`).
fn in_company(amount: i64, currency: &str, rate: i64, decimals: u32) -> Result<i64, StoreError> {
    convert::to_company(amount, money::decimals(currency), rate, decimals)
        .map_err(|e| StoreError::Corrupt(format!("open amount: {e}")))
}

/// What is open with each of `contacts` on `role`'s side, in the company currency (documents and
/// payments in another currency at the rate they were booked at), in four queries whatever their number
/// (a page of a list holds at most 200): issued documents less credits, net of what was
/// allocated to them, and payments not yet allocated. Contacts with nothing open are left out.
pub fn open_amounts(
    tx: &mut Tx,
    company: Uuid,
    role: ContactRole,
    contacts: &[Uuid],
) -> Result<Vec<OpenAmounts>, StoreError> {
    if contacts.is_empty() {
        return Ok(Vec::new());
    }
    let (document, credit, direction) = match role {
        ContactRole::Customer => ("invoice", "credit_note", "received"),
        ContactRole::Vendor => ("bill", "vendor_credit", "made"),
    };
    // $1 the company, $2 and $3 the kinds or the direction and `false`; the ids from $4 on.
    let ids = (4..4 + contacts.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let with_ids = |head: [Value; 3]| {
        head.into_iter()
            .chain(contacts.iter().map(Value::from))
            .collect::<Vec<_>>()
    };
    let mut open: HashMap<Uuid, OpenAmounts> = HashMap::new();
    let nothing = |contact| OpenAmounts {
        contact,
        documents: 0,
        unallocated: 0,
    };
    let documents = tx.query(
        &format!(
            "SELECT contact_id, SUM(CASE kind WHEN $2 THEN total - amount_paid ELSE -(total - amount_paid) END) \
             FROM documents WHERE company_id = $1 AND kind IN ($2, $3) AND status NOT IN ('draft', 'void') \
             AND exchange_rate_e12 IS NULL AND contact_id IN ({ids}) GROUP BY contact_id"
        ),
        &with_ids([company.into(), document.into(), credit.into()]),
    )?;
    for r in &documents {
        let contact = r.uuid(0)?;
        open.entry(contact).or_insert(nothing(contact)).documents = r.int(1)?;
    }
    // Documents in another currency, one by one: in the company currency as the control account
    // carries them (the whole at its rate less what the standing allocations took off it).
    let decimals = company_decimals(tx, company)?;
    let foreign = tx.query(
        &format!(
            "SELECT d.contact_id, CASE d.kind WHEN $2 THEN 1 ELSE -1 END, d.total, d.currency, d.exchange_rate_e12, \
             COALESCE((SELECT SUM(CASE WHEN a.document_id = d.id THEN a.carried_document ELSE a.carried_source END) \
             FROM allocations a WHERE a.company_id = $1 AND (a.document_id = d.id OR a.source_id = d.id) \
             AND a.ended_on IS NULL), 0) \
             FROM documents d WHERE d.company_id = $1 AND d.kind IN ($2, $3) AND d.status NOT IN ('draft', 'void') \
             AND d.exchange_rate_e12 IS NOT NULL AND d.contact_id IN ({ids})"
        ),
        &with_ids([company.into(), document.into(), credit.into()]),
    )?;
    for r in &foreign {
        let contact = r.uuid(0)?;
        let amount = r.int(1)? * (in_company(r.int(2)?, &r.text(3)?, r.int(4)?, decimals)? - r.int(5)?);
        let entry = open.entry(contact).or_insert(nothing(contact));
        entry.documents = entry.documents.saturating_add(amount);
    }
    let payments = tx.query(
        &format!(
            "SELECT p.contact_id, SUM(p.amount - COALESCE((SELECT SUM(a.amount) FROM allocations a \
             WHERE a.company_id = $1 AND a.source_id = p.id AND a.ended_on IS NULL), 0)) FROM payments p \
             WHERE p.company_id = $1 AND p.direction = $2 AND p.is_void = $3 AND p.exchange_rate_e12 IS NULL \
             AND p.contact_id IN ({ids}) GROUP BY p.contact_id"
        ),
        &with_ids([company.into(), direction.into(), false.into()]),
    )?;
    for r in &payments {
        let contact = r.uuid(0)?;
        open.entry(contact).or_insert(nothing(contact)).unallocated = r.int(1)?;
    }
    let foreign = tx.query(
        &format!(
            "SELECT p.contact_id, p.amount, p.currency, p.exchange_rate_e12, COALESCE((SELECT SUM(a.carried_source) \
             FROM allocations a WHERE a.company_id = $1 AND a.source_id = p.id AND a.ended_on IS NULL), 0) \
             FROM payments p WHERE p.company_id = $1 AND p.direction = $2 AND p.is_void = $3 \
             AND p.exchange_rate_e12 IS NOT NULL AND p.contact_id IN ({ids})"
        ),
        &with_ids([company.into(), direction.into(), false.into()]),
    )?;
    for r in &foreign {
        let contact = r.uuid(0)?;
        let currency = r.opt_text(2)?.unwrap_or_default();
        let amount = in_company(r.int(1)?, &currency, r.int(3)?, decimals)? - r.int(4)?;
        let entry = open.entry(contact).or_insert(nothing(contact));
        entry.unallocated = entry.unallocated.saturating_add(amount);
    }
    Ok(open.into_values().collect())
}

impl ReferenceStore for Tx<'_> {
    fn find_account(&mut self, company: Uuid, id: Uuid) -> Result<Option<Account>, StoreError> {
        accounts::get(self, company, id)
    }

    fn find_tax_rate(&mut self, company: Uuid, id: Uuid) -> Result<Option<TaxRate>, StoreError> {
        taxes::get(self, company, id)
    }
}

impl ContactStore for Tx<'_> {
    fn find_contact(&mut self, company: Uuid, id: Uuid) -> Result<Option<Contact>, StoreError> {
        get(self, company, id)
    }

    fn insert_contact(&mut self, contact: &Contact) -> Result<(), StoreError> {
        insert(self, contact)
    }

    fn update_contact(&mut self, contact: &Contact) -> Result<(), StoreError> {
        update(self, contact)
    }

    fn open_amounts(
        &mut self,
        company: Uuid,
        role: ContactRole,
        contacts: &[Uuid],
    ) -> Result<Vec<OpenAmounts>, StoreError> {
        open_amounts(self, company, role, contacts)
    }
}
