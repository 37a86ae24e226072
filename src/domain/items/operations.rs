//! What can be done to an item: find it, create or change it (with its row in the audit trail).

use uuid::Uuid;

use super::{Item, ItemInput, ItemRefs, check, parse_price};
use crate::domain::audit::{self, AuditFields, AuditTrail};
use crate::domain::books::Ctx;
use crate::domain::references::{self, ReferenceStore, fetch, lookup};
use crate::domain::{Change, FieldErrors};

/// What the items' operations need from storage (the store implements it for a transaction).
pub trait ItemStore: ReferenceStore {
    fn find_item(&mut self, company: Uuid, id: Uuid) -> Result<Option<Item>, Self::Error>;
    /// Whether another item of the company (not `except`) has this code, whatever its case.
    fn item_code_taken(&mut self, company: Uuid, code: &str, except: Option<Uuid>) -> Result<bool, Self::Error>;
    fn insert_item(&mut self, item: &Item) -> Result<(), Self::Error>;
    fn update_item(&mut self, item: &Item) -> Result<(), Self::Error>;
}

/// Why an item could not be found or saved.
#[derive(Debug, thiserror::Error)]
pub enum ItemError<E: std::error::Error + 'static> {
    #[error("invalid item: {0}")]
    Invalid(FieldErrors),
    #[error("no such item")]
    NotFound,
    #[error(transparent)]
    Store(E),
}

type ItemResult<T, S> = Result<T, ItemError<<S as AuditTrail>::Error>>;

/// What a request sets; `None` leaves a field as it is (or, for a new item, at its default).
/// Prices are decimal text in the company currency, as the API writes them.
#[derive(Debug, Clone, Default)]
pub struct ItemChanges {
    pub code: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub kind: Option<String>,
    pub unit: Option<String>,
    pub sale_price: Option<String>,
    pub purchase_price: Option<String>,
    pub income_account: Option<Option<Uuid>>,
    pub expense_account: Option<Option<Uuid>>,
    pub sales_tax_rate: Option<Option<Uuid>>,
    pub purchase_tax_rate: Option<Option<Uuid>>,
    pub is_active: Option<bool>,
}

/// The item `id` of the context's company.
pub fn find<S: ItemStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> ItemResult<Item, S> {
    store
        .find_item(ctx.books.company_id, id)
        .map_err(ItemError::Store)?
        .ok_or(ItemError::NotFound)
}

/// Creates an item (`current` = `None`) or changes one, under the rules of [`check`], and
/// records it in the audit trail. `errors` is what was already found wrong with the request:
/// reported together with the rules' verdict, and nothing is written while there is any.
pub fn save<S: ItemStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    current: Option<Item>,
    how: Change,
    changes: ItemChanges,
    mut errors: FieldErrors,
) -> ItemResult<Item, S> {
    references::require(
        &mut errors,
        how,
        &[("code", changes.code.is_some()), ("name", changes.name.is_some())],
    );
    let base = current.as_ref();
    let mut input = base.map(ItemInput::from).unwrap_or_default();
    for (value, target) in [
        (changes.code, &mut input.code),
        (changes.name, &mut input.name),
        (changes.description, &mut input.description),
        (changes.kind, &mut input.kind),
        (changes.unit, &mut input.unit),
    ] {
        if let Some(v) = value {
            *target = v;
        }
    }
    for (field, text, target) in [
        ("sale_price", changes.sale_price, &mut input.sale_price),
        ("purchase_price", changes.purchase_price, &mut input.purchase_price),
    ] {
        if let Some(text) = text {
            match parse_price(&text, ctx.books.decimals) {
                Ok(minor) => *target = minor,
                Err(e) => errors.add(field, e.to_string()),
            }
        }
    }
    if let Some(v) = changes.is_active {
        input.is_active = v;
    }
    for (set, target) in [
        (changes.income_account, &mut input.income_account_id),
        (changes.expense_account, &mut input.expense_account_id),
        (changes.sales_tax_rate, &mut input.sales_tax_rate_id),
        (changes.purchase_tax_rate, &mut input.purchase_tax_rate_id),
    ] {
        if let Some(v) = set {
            *target = v;
        }
    }
    input.normalize();
    let company = ctx.books.company_id;
    let income = fetch(changes.income_account, |id| store.find_account(company, id)).map_err(ItemError::Store)?;
    let expense = fetch(changes.expense_account, |id| store.find_account(company, id)).map_err(ItemError::Store)?;
    let sales_tax = fetch(changes.sales_tax_rate, |id| store.find_tax_rate(company, id)).map_err(ItemError::Store)?;
    let purchase_tax =
        fetch(changes.purchase_tax_rate, |id| store.find_tax_rate(company, id)).map_err(ItemError::Store)?;
    let code_taken = store
        .item_code_taken(company, &input.code, base.map(|i| i.id))
        .map_err(ItemError::Store)?;
    let refs = ItemRefs {
        income_account: lookup(&income),
        expense_account: lookup(&expense),
        sales_tax_rate: lookup(&sales_tax),
        purchase_tax_rate: lookup(&purchase_tax),
    };
    let kind = references::finish(errors, check(&input, code_taken, refs)).map_err(ItemError::Invalid)?;
    let item = input.into_item(kind, base, company, ctx.now);
    match base {
        Some(_) => store.update_item(&item),
        None => store.insert_item(&item),
    }
    .map_err(ItemError::Store)?;
    let before = base.map(audit_fields);
    let record = audit::changes(
        ctx,
        audit::saved(before.as_ref()),
        ("item", item.id),
        before.as_ref(),
        Some(&audit_fields(&item)),
    );
    store.append_audit(&record).map_err(ItemError::Store)?;
    Ok(item)
}

/// How the audit trail reads an item.
fn audit_fields(i: &Item) -> AuditFields {
    vec![
        ("code", i.code.clone()),
        ("name", i.name.clone()),
        ("kind", i.kind.as_str().to_owned()),
        ("unit", i.unit.clone()),
        ("sale_price", i.sale_price.to_string()),
        ("purchase_price", i.purchase_price.to_string()),
        ("income_account", audit::id_text(i.income_account_id)),
        ("expense_account", audit::id_text(i.expense_account_id)),
        ("sales_tax_rate", audit::id_text(i.sales_tax_rate_id)),
        ("purchase_tax_rate", audit::id_text(i.purchase_tax_rate_id)),
        ("is_active", i.is_active.to_string()),
    ]
}
