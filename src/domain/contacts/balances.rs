//! What contacts owe or are owed: the balance of one contact, or of a page of them read at once.

use std::collections::HashMap;

use uuid::Uuid;

use super::operations::ContactResult;
use super::{Contact, ContactError, ContactRole, ContactStore};
use crate::domain::books::Ctx;

/// What is open with one contact on one side, in minor units of the company currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenAmounts {
    pub contact: Uuid,
    /// Issued invoices less credit notes (bills less vendor credits), less what was allocated to
    /// them.
    pub documents: i64,
    /// Payments received from the customer (made to the vendor) not yet allocated.
    pub unallocated: i64,
}

impl OpenAmounts {
    /// What the contact owes (a customer) or is owed (a vendor); `None` beyond an `i64`.
    pub fn balance(&self) -> Option<i64> {
        self.documents.checked_sub(self.unallocated)
    }
}

/// What `contact` owes (a customer) or is owed (a vendor), seen from `role`'s side.
pub fn balance<S: ContactStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    role: ContactRole,
    contact: &Contact,
) -> ContactResult<i64, S> {
    let open = store
        .open_amounts(ctx.books.company_id, role, &[contact.id])
        .map_err(ContactError::Store)?;
    net(open.iter().find(|o| o.contact == contact.id))
}

/// The balance of each of `contacts` (a page of a list), in their order, read at once.
pub fn balances<S: ContactStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    role: ContactRole,
    contacts: &[Contact],
) -> ContactResult<Vec<i64>, S> {
    let ids: Vec<Uuid> = contacts.iter().map(|c| c.id).collect();
    let open: HashMap<Uuid, OpenAmounts> = store
        .open_amounts(ctx.books.company_id, role, &ids)
        .map_err(ContactError::Store)?
        .into_iter()
        .map(|o| (o.contact, o))
        .collect();
    contacts.iter().map(|c| net(open.get(&c.id))).collect()
}

fn net<E: std::error::Error + 'static>(open: Option<&OpenAmounts>) -> Result<i64, ContactError<E>> {
    match open {
        None => Ok(0),
        Some(o) => o.balance().ok_or(ContactError::Overflow),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contacts::{ContactChanges, save};
    use crate::domain::memory::{Memory, company, ctx};
    use crate::domain::{Change, FieldErrors};

    #[test]
    fn balances_follow_the_page_and_one_beyond_an_amount_is_named() {
        let (company, books) = company("USD");
        let ctx = ctx(&company, &books);
        let mut store = Memory::default();
        let mut page = Vec::new();
        for name in ["A", "B", "C"] {
            let changes = ContactChanges {
                name: Some(name.into()),
                is_vendor: Some(true),
                ..ContactChanges::default()
            };
            page.push(
                save(
                    &mut store,
                    &ctx,
                    ContactRole::Customer,
                    None,
                    Change::Create,
                    changes,
                    FieldErrors::default(),
                )
                .unwrap(),
            );
        }
        let open = |contact: &Contact, documents, unallocated| OpenAmounts {
            contact: contact.id,
            documents,
            unallocated,
        };
        store.open = vec![
            (ContactRole::Customer, open(&page[2], 10_000, 2_500)),
            (ContactRole::Customer, open(&page[0], 0, 400)),
            (ContactRole::Vendor, open(&page[1], 9_900, 0)),
        ];
        let customers = balances(&mut store, &ctx, ContactRole::Customer, &page).unwrap();
        assert_eq!(customers, [-400, 0, 7_500]);
        let vendors = balances(&mut store, &ctx, ContactRole::Vendor, &page).unwrap();
        assert_eq!(vendors, [0, 9_900, 0]);
        assert_eq!(
            balance(&mut store, &ctx, ContactRole::Customer, &page[2]).unwrap(),
            7_500
        );
        assert!(
            balances(&mut store, &ctx, ContactRole::Customer, &[])
                .unwrap()
                .is_empty()
        );

        store.open = vec![(ContactRole::Customer, open(&page[0], i64::MIN, 1))];
        let beyond = balance(&mut store, &ctx, ContactRole::Customer, &page[0]);
        assert!(matches!(beyond, Err(ContactError::Overflow)));
    }
}
