//! What can be done to a contact: find it from one side, create or change it (with its row in
//! the audit trail).

use uuid::Uuid;

use super::{Contact, ContactInput, ContactRole, OpenAmounts, check};
use crate::domain::audit::{self, AuditFields, AuditTrail};
use crate::domain::books::Ctx;
use crate::domain::references::{self, ReferenceStore, fetch, lookup};
use crate::domain::{Change, FieldErrors};

/// What the contacts' operations need from storage (the store implements it for a transaction).
pub trait ContactStore: ReferenceStore {
    /// A contact of the company, whatever its roles.
    fn find_contact(&mut self, company: Uuid, id: Uuid) -> Result<Option<Contact>, Self::Error>;
    fn insert_contact(&mut self, contact: &Contact) -> Result<(), Self::Error>;
    fn update_contact(&mut self, contact: &Contact) -> Result<(), Self::Error>;
    /// What is open with each of `contacts` on `role`'s side, for those with anything open.
    fn open_amounts(
        &mut self,
        company: Uuid,
        role: ContactRole,
        contacts: &[Uuid],
    ) -> Result<Vec<OpenAmounts>, Self::Error>;
}

/// Why a contact could not be found, saved or weighed.
#[derive(Debug, thiserror::Error)]
pub enum ContactError<E: std::error::Error + 'static> {
    #[error("invalid contact: {0}")]
    Invalid(FieldErrors),
    #[error("no such contact")]
    NotFound,
    #[error("the contact's balance is beyond what an amount can hold")]
    Overflow,
    #[error(transparent)]
    Store(E),
}

pub(super) type ContactResult<T, S> = Result<T, ContactError<<S as AuditTrail>::Error>>;

/// What a request sets; `None` leaves a field as it is (or, for a new contact, at its default).
#[derive(Debug, Clone, Default)]
pub struct ContactChanges {
    pub is_customer: Option<bool>,
    pub is_vendor: Option<bool>,
    pub name: Option<String>,
    pub tax_id: Option<String>,
    pub emails: Option<Vec<String>>,
    pub phone: Option<String>,
    pub billing_address: Option<String>,
    pub shipping_address: Option<String>,
    pub country: Option<String>,
    pub payment_terms_days: Option<i64>,
    pub currency: Option<Option<String>>,
    pub revenue_account: Option<Option<Uuid>>,
    pub expense_account: Option<Option<Uuid>>,
    pub notes: Option<String>,
    pub is_active: Option<bool>,
}

impl ContactChanges {
    /// What the request says of `role`'s flag (`is_customer` or `is_vendor`).
    pub fn role(&mut self, role: ContactRole) -> &mut Option<bool> {
        match role {
            ContactRole::Customer => &mut self.is_customer,
            ContactRole::Vendor => &mut self.is_vendor,
        }
    }
}

/// The contact `id` of the context's company, if it plays `role` (else it is not found there).
pub fn find<S: ContactStore>(store: &mut S, ctx: &Ctx<'_>, role: ContactRole, id: Uuid) -> ContactResult<Contact, S> {
    store
        .find_contact(ctx.books.company_id, id)
        .map_err(ContactError::Store)?
        .filter(|c| role.is(c))
        .ok_or(ContactError::NotFound)
}

/// Creates a contact through `role`'s side (`current` = `None`: it plays that role) or changes
/// one, under the rules of [`check`], and records it in the audit trail. `errors` is what was
/// already found wrong with the request (a value of the wrong type): reported together with the
/// rules' verdict, and nothing is written while there is any.
pub fn save<S: ContactStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    role: ContactRole,
    current: Option<Contact>,
    how: Change,
    mut changes: ContactChanges,
    mut errors: FieldErrors,
) -> ContactResult<Contact, S> {
    references::require(&mut errors, how, &[("name", changes.name.is_some())]);
    let base = current.as_ref();
    let mut input = base.map(ContactInput::from).unwrap_or_default();
    if base.is_none() {
        role.set(&mut input, true);
    }
    for side in [role, role.other()] {
        if let Some(on) = *changes.role(side) {
            side.set(&mut input, on);
        }
    }
    for (value, target) in [
        (changes.name, &mut input.name),
        (changes.tax_id, &mut input.tax_id),
        (changes.phone, &mut input.phone),
        (changes.billing_address, &mut input.billing_address),
        (changes.shipping_address, &mut input.shipping_address),
        (changes.country, &mut input.country),
        (changes.notes, &mut input.notes),
    ] {
        if let Some(v) = value {
            *target = v;
        }
    }
    if let Some(v) = changes.emails {
        input.emails = v;
    }
    if let Some(v) = changes.payment_terms_days {
        input.payment_terms_days = v;
    }
    if let Some(v) = changes.currency {
        input.currency = v;
    }
    if let Some(v) = changes.is_active {
        input.is_active = v;
    }
    if let Some(v) = changes.revenue_account {
        input.revenue_account_id = v;
    }
    if let Some(v) = changes.expense_account {
        input.expense_account_id = v;
    }
    input.normalize();
    let company = ctx.books.company_id;
    let revenue = fetch(changes.revenue_account, |id| store.find_account(company, id)).map_err(ContactError::Store)?;
    let expense = fetch(changes.expense_account, |id| store.find_account(company, id)).map_err(ContactError::Store)?;
    references::finish(errors, check(&input, role, lookup(&revenue), lookup(&expense)))
        .map_err(ContactError::Invalid)?;
    let contact = input.into_contact(base, company, ctx.now);
    match base {
        Some(_) => store.update_contact(&contact),
        None => store.insert_contact(&contact),
    }
    .map_err(ContactError::Store)?;
    let before = base.map(audit_fields);
    let record = audit::changes(
        ctx,
        audit::saved(before.as_ref()),
        ("contact", contact.id),
        before.as_ref(),
        Some(&audit_fields(&contact)),
    );
    store.append_audit(&record).map_err(ContactError::Store)?;
    Ok(contact)
}

/// How the audit trail reads a contact.
fn audit_fields(c: &Contact) -> AuditFields {
    vec![
        ("name", c.name.clone()),
        ("is_customer", c.is_customer.to_string()),
        ("is_vendor", c.is_vendor.to_string()),
        ("tax_id", c.tax_id.clone()),
        ("emails", c.emails.join(", ")),
        ("country", c.country.clone()),
        ("payment_terms_days", c.payment_terms_days.to_string()),
        ("currency", c.currency.clone().unwrap_or_default()),
        ("revenue_account", audit::id_text(c.revenue_account_id)),
        ("expense_account", audit::id_text(c.expense_account_id)),
        ("is_active", c.is_active.to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;
    use crate::domain::accounts::AccountType;
    use crate::domain::memory::{Memory, company, ctx};

    /// [`save`] with nothing found wrong while reading the request.
    fn apply(
        store: &mut Memory,
        ctx: &Ctx<'_>,
        role: ContactRole,
        current: Option<&Contact>,
        how: Change,
        changes: ContactChanges,
    ) -> Result<Contact, ContactError<Infallible>> {
        save(store, ctx, role, current.cloned(), how, changes, FieldErrors::default())
    }

    fn named<T: std::fmt::Debug>(result: Result<T, ContactError<Infallible>>) -> FieldErrors {
        match result {
            Err(ContactError::Invalid(errors)) => errors,
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    fn acme() -> ContactChanges {
        ContactChanges {
            name: Some(" Acme Ltd ".into()),
            emails: Some(vec!["billing@acme.test".into()]),
            ..ContactChanges::default()
        }
    }

    #[test]
    fn a_contact_made_on_one_side_plays_that_role_and_is_audited() {
        let (company, books) = company("USD");
        let ctx = ctx(&company, &books);
        let mut store = Memory::default();
        let made = apply(&mut store, &ctx, ContactRole::Vendor, None, Change::Create, acme()).unwrap();
        assert_eq!((made.is_vendor, made.is_customer), (true, false));
        assert_eq!((made.name.as_str(), made.payment_terms_days), ("Acme Ltd", 30));
        assert_eq!((made.created_at, made.updated_at), (ctx.now, ctx.now));
        assert_eq!(store.contacts, std::slice::from_ref(&made));
        let record = &store.audit[0];
        assert_eq!(
            (record.action, record.object_type, record.object_id),
            ("create", "contact", made.id)
        );
        let name = ("name".to_owned(), String::new(), "Acme Ltd".to_owned());
        assert!(record.changes.contains(&name), "{:?}", record.changes);
        assert!(find(&mut store, &ctx, ContactRole::Vendor, made.id).is_ok());
        let as_customer = find(&mut store, &ctx, ContactRole::Customer, made.id);
        assert!(matches!(as_customer, Err(ContactError::NotFound)));
        // The local names hide the fixtures' functions.
        let (elsewhere, elsewhere_books) = crate::domain::memory::company("USD");
        let other = crate::domain::memory::ctx(&elsewhere, &elsewhere_books);
        let from_elsewhere = find(&mut store, &other, ContactRole::Vendor, made.id);
        assert!(matches!(from_elsewhere, Err(ContactError::NotFound)));
    }

    #[test]
    fn put_needs_a_name_and_patch_keeps_what_it_does_not_send() {
        let (company, books) = company("USD");
        let ctx = ctx(&company, &books);
        let mut store = Memory::default();
        let made = apply(&mut store, &ctx, ContactRole::Customer, None, Change::Create, acme()).unwrap();
        let country = ContactChanges {
            country: Some("GB".into()),
            ..ContactChanges::default()
        };
        let put = apply(
            &mut store,
            &ctx,
            ContactRole::Customer,
            Some(&made),
            Change::Replace,
            country.clone(),
        );
        assert_eq!(named(put).0["name"], ["This field is required."]);
        assert_eq!((store.contacts.len(), store.audit.len()), (1, 1), "nothing written");

        let changed = apply(
            &mut store,
            &ctx,
            ContactRole::Customer,
            Some(&made),
            Change::Update,
            country,
        )
        .unwrap();
        assert_eq!((changed.id, changed.created_at), (made.id, made.created_at));
        assert_eq!((changed.name.as_str(), changed.country.as_str()), ("Acme Ltd", "GB"));
        assert_eq!(changed.emails, made.emails);
        assert_eq!(store.contacts, [changed]);
        let record = &store.audit[1];
        assert_eq!(record.action, "update");
        assert_eq!(record.changes, [("country".into(), String::new(), "GB".into())]);
    }

    #[test]
    fn errors_found_reading_come_with_the_rules_verdict_and_nothing_is_written() {
        let (company, books) = company("USD");
        let ctx = ctx(&company, &books);
        let mut store = Memory::default();
        let mut read = FieldErrors::default();
        read.add("name", "Not a valid string.");
        read.add("tax_id", "This field may not be null.");
        let bad = ContactChanges {
            country: Some("gbr".into()),
            ..ContactChanges::default()
        };
        let e = named(save(
            &mut store,
            &ctx,
            ContactRole::Customer,
            None,
            Change::Create,
            bad,
            read,
        ));
        let name = ["Not a valid string.", "This field may not be blank."];
        assert_eq!(e.0["name"], name, "not also \"required\"");
        assert_eq!(e.0["tax_id"], ["This field may not be null."]);
        assert_eq!(e.0["country"], ["Enter a 2-letter ISO 3166 country code, such as GB."]);
        assert!(store.contacts.is_empty() && store.audit.is_empty());

        // With nothing else wrong, an error found reading still refuses the change.
        let mut read = FieldErrors::default();
        read.add("is_active", "Must be a valid boolean.");
        let e = named(save(
            &mut store,
            &ctx,
            ContactRole::Customer,
            None,
            Change::Create,
            acme(),
            read,
        ));
        assert_eq!(e.0.keys().collect::<Vec<_>>(), ["is_active"]);
        assert!(store.contacts.is_empty());
    }

    #[test]
    fn default_accounts_are_the_company_s_own() {
        let (company, books) = company("USD");
        let ctx = ctx(&company, &books);
        let mut store = Memory::default();
        let revenue = store.open_account(company.id, "4100", AccountType::Revenue, "");
        let foreign = store.open_account(Uuid::now_v7(), "4100", AccountType::Revenue, "");
        let with = |account| ContactChanges {
            revenue_account: Some(Some(account)),
            ..acme()
        };
        let refused = apply(
            &mut store,
            &ctx,
            ContactRole::Customer,
            None,
            Change::Create,
            with(foreign),
        );
        assert_eq!(
            named(refused).0["revenue_account"],
            ["Unknown account for this company."]
        );
        let made = apply(
            &mut store,
            &ctx,
            ContactRole::Customer,
            None,
            Change::Create,
            with(revenue),
        )
        .unwrap();
        assert_eq!(made.revenue_account_id, Some(revenue));
    }
}
