//! `/api/sales/customers/` and `/api/purchase/vendors/`: one contacts table seen from two sides,
//! served by the generic handlers of `http::resource` as [`Contacts<Customers>`] and
//! [`Contacts<Vendors>`]. A contact created through one side plays that role; each side lists
//! and finds only its own. Contacts are archived (`is_active: false`), never deleted.

use std::marker::PhantomData;

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::company::perm;
use super::error::ApiError;
use super::fields::fields_body;
use super::resource::{Edit, Form, Resource};
use crate::domain::books::Books;
use crate::domain::contacts::{self as rules, Contact, ContactChanges, ContactRole};
use crate::domain::ledger::Ctx;
use crate::domain::money;
use crate::store::list::{ListRequest, Page};
use crate::store::{Tx, contacts};

/// A side of the contacts table, bound to its endpoint in the router.
pub trait Side: Send + Sync + 'static {
    const ROLE: ContactRole;
    /// The list endpoint of the other side, where contacts of its role are created.
    const OTHER: &'static str;
}

/// `/api/sales/customers/`.
pub struct Customers;

impl Side for Customers {
    const ROLE: ContactRole = ContactRole::Customer;
    const OTHER: &'static str = "/api/purchase/vendors/";
}

/// `/api/purchase/vendors/`.
pub struct Vendors;

impl Side for Vendors {
    const ROLE: ContactRole = ContactRole::Vendor;
    const OTHER: &'static str = "/api/sales/customers/";
}

/// The contacts of one side.
pub struct Contacts<S>(PhantomData<S>);

fields_body! {
    /// A contact as a create, `PUT` or `PATCH` sends it. A create and a `PUT` need `name`; a
    /// `PATCH` changes only what it sends.
    #[schema(as = ContactInput)]
    pub struct ContactBody into ContactChanges {
        name: String = text,
        is_customer: bool = boolean,
        is_vendor: bool = boolean,
        tax_id: String = text,
        emails: Vec<String> = text_list,
        phone: String = text,
        billing_address: String = text,
        shipping_address: String = text,
        /// ISO 3166-1 alpha-2 (`GB`), or empty when unknown.
        country: String = text,
        /// 0 to 365; 30 for a new contact.
        payment_terms_days: i64 = int,
        notes: String = text,
        is_active: bool = boolean,
    }
    nullable {
        /// The contact's own currency; `null`: the company's.
        currency: String = opt_text,
        /// Where a customer's invoice lines go when neither the line nor its item says.
        revenue_account: Uuid = id,
        /// Where a vendor's bill lines go when neither the line nor its item says.
        expense_account: Uuid = id,
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = Contact)]
pub struct ContactDto {
    pub id: Uuid,
    pub name: String,
    pub is_customer: bool,
    pub is_vendor: bool,
    pub tax_id: String,
    pub emails: Vec<String>,
    pub phone: String,
    pub billing_address: String,
    pub shipping_address: String,
    pub country: String,
    pub payment_terms_days: i64,
    /// The contact's own currency, or the company's when it has none.
    pub currency: String,
    #[schema(required = true)]
    pub revenue_account: Option<Uuid>,
    #[schema(required = true)]
    pub expense_account: Option<Uuid>,
    pub notes: String,
    pub is_active: bool,
    /// A decimal in the company currency: what the customer owes us, or what we owe the vendor
    /// (open documents less credits and unallocated payments), as seen from the endpoint's side.
    pub balance: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl ContactDto {
    /// `balance`: in minor units of the books' currency.
    pub fn new(c: &Contact, books: &Books, balance: i64) -> Self {
        ContactDto {
            id: c.id,
            name: c.name.clone(),
            is_customer: c.is_customer,
            is_vendor: c.is_vendor,
            tax_id: c.tax_id.clone(),
            emails: c.emails.clone(),
            phone: c.phone.clone(),
            billing_address: c.billing_address.clone(),
            shipping_address: c.shipping_address.clone(),
            country: c.country.clone(),
            payment_terms_days: c.payment_terms_days,
            currency: c.currency.clone().unwrap_or_else(|| books.currency.clone()),
            revenue_account: c.revenue_account_id,
            expense_account: c.expense_account_id,
            notes: c.notes.clone(),
            is_active: c.is_active,
            balance: money::format(balance, books.decimals),
            created_at: c.created_at.to_string(),
            updated_at: c.updated_at.to_string(),
        }
    }
}

impl<S: Side> Resource for Contacts<S> {
    type View = perm::ViewDocuments;
    type Edit = perm::EditDocuments;
    type Record = Contact;
    type Dto = ContactDto;
    /// What [`ContactBody`] reads.
    type Body = <ContactBody as Form<ContactChanges>>::Raw;

    /// A page of the side's contacts, their balances read in one go.
    fn list(tx: &mut Tx, ctx: &Ctx<'_>, request: &ListRequest) -> Result<Page<ContactDto>, ApiError> {
        let page = contacts::page(tx, ctx.books.company_id, S::ROLE, request)?;
        let balances = rules::balances(tx, ctx, S::ROLE, &page.items)?;
        let items = page.items.iter().zip(balances);
        Ok(Page {
            count: page.count,
            items: items
                .map(|(c, balance)| ContactDto::new(c, ctx.books, balance))
                .collect(),
        })
    }

    fn find(tx: &mut Tx, ctx: &Ctx<'_>, id: Uuid) -> Result<Contact, ApiError> {
        Ok(rules::find(tx, ctx, S::ROLE, id)?)
    }

    fn show(tx: &mut Tx, ctx: &Ctx<'_>, contact: Contact) -> Result<ContactDto, ApiError> {
        let balance = rules::balance(tx, ctx, S::ROLE, &contact)?;
        Ok(ContactDto::new(&contact, ctx.books, balance))
    }

    fn save(tx: &mut Tx, ctx: &Ctx<'_>, edit: Edit<Contact>, body: Self::Body) -> Result<Contact, ApiError> {
        let (mut changes, mut errors) = ContactBody::changes(body)?;
        // What is created here plays this side's role: the other side's endpoint makes the rest.
        let own_role = changes.role(S::ROLE);
        if edit.current.is_none() && *own_role == Some(false) {
            *own_role = None;
            let message = format!(
                "Contacts created here have this role; create the contact through {}.",
                S::OTHER
            );
            errors.add(S::ROLE.field(), message);
        }
        Ok(rules::save(tx, ctx, S::ROLE, edit.current, edit.how, changes, errors)?)
    }
}
