//! What can be done to an item: find it, create or change it (with its row in the audit trail).

use uuid::Uuid;

use super::{Item, ItemInput, ItemRefs, check, parse_price};
use crate::domain::audit::{self, AuditFields};
use crate::domain::books::Ctx;
use crate::domain::references::{self, ReferenceStore, fetch, lookup};
use crate::domain::{Change, FieldErrors, Kept};

/// What the items' operations need from storage (the store implements it for a transaction).
pub trait ItemStore: ReferenceStore {
    fn find_item(&mut self, company: Uuid, id: Uuid) -> Result<Option<Item>, Self::Error>;
    /// Whether another item of the company (not `except`) has this code, whatever its case.
    fn item_code_taken(&mut self, company: Uuid, code: &str, except: Option<Uuid>) -> Result<bool, Self::Error>;
    fn insert_item(&mut self, item: &Item) -> Result<(), Self::Error>;
    fn update_item(&mut self, item: &Item) -> Result<(), Self::Error>;
    /// Whether the item has stock moves.
    fn item_has_stock(&mut self, company: Uuid, id: Uuid) -> Result<bool, Self::Error>;
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
    pub inventory_account: Option<Option<Uuid>>,
    pub cogs_account: Option<Option<Uuid>>,
    pub price_difference_account: Option<Option<Uuid>>,
    /// Decimal text in the base unit (`"10"`, `"2.5"`).
    pub reorder_point: Option<Option<String>>,
    pub reorder_quantity: Option<Option<String>>,
    /// `none`, `lot` or `serial`.
    pub tracking: Option<String>,
}

impl<S: ItemStore> Kept<S> for Item {
    type Changes = ItemChanges;
    type Error = ItemError<S::Error>;

    /// The item `id` of the context's company.
    fn find(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<Item, Self::Error> {
        store
            .find_item(ctx.books.company_id, id)
            .map_err(ItemError::Store)?
            .ok_or(ItemError::NotFound)
    }

    /// Creates an item (`current` = `None`) or changes one, under the rules of [`check`], and
    /// records it in the audit trail. `errors` is what was already found wrong with the request:
    /// reported together with the rules' verdict, and nothing is written while there is any.
    fn save(
        store: &mut S,
        ctx: &Ctx<'_>,
        current: Option<Item>,
        how: Change,
        changes: ItemChanges,
        mut errors: FieldErrors,
    ) -> Result<Item, Self::Error> {
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
            (changes.inventory_account, &mut input.stock.inventory_account_id),
            (changes.cogs_account, &mut input.stock.cogs_account_id),
            (
                changes.price_difference_account,
                &mut input.stock.price_difference_account_id,
            ),
        ] {
            if let Some(v) = set {
                *target = v;
            }
        }
        for (field, set, target) in [
            ("reorder_point", changes.reorder_point, &mut input.stock.reorder_point),
            (
                "reorder_quantity",
                changes.reorder_quantity,
                &mut input.stock.reorder_quantity,
            ),
        ] {
            match set {
                None => {}
                Some(None) => *target = None,
                Some(Some(text)) => match crate::domain::inventory::parse_quantity(&text) {
                    Ok(q) => *target = Some(q),
                    Err(m) => errors.add(field, m),
                },
            }
        }
        if let Some(t) = &changes.tracking {
            match crate::domain::inventory::Tracking::parse(t) {
                Some(t) => input.stock.tracking = t,
                None => errors.add("tracking", format!("\"{t}\" is not a valid choice.")),
            }
        }
        input.normalize();
        let company = ctx.books.company_id;
        let income = fetch(changes.income_account, |id| store.find_account(company, id)).map_err(ItemError::Store)?;
        let expense = fetch(changes.expense_account, |id| store.find_account(company, id)).map_err(ItemError::Store)?;
        let sales_tax =
            fetch(changes.sales_tax_rate, |id| store.find_tax_rate(company, id)).map_err(ItemError::Store)?;
        let purchase_tax =
            fetch(changes.purchase_tax_rate, |id| store.find_tax_rate(company, id)).map_err(ItemError::Store)?;
        let inventory =
            fetch(changes.inventory_account, |id| store.find_account(company, id)).map_err(ItemError::Store)?;
        let cogs = fetch(changes.cogs_account, |id| store.find_account(company, id)).map_err(ItemError::Store)?;
        let price_difference =
            fetch(changes.price_difference_account, |id| store.find_account(company, id)).map_err(ItemError::Store)?;
        let code_taken = store
            .item_code_taken(company, &input.code, base.map(|i| i.id))
            .map_err(ItemError::Store)?;
        let refs = ItemRefs {
            income_account: lookup(&income),
            expense_account: lookup(&expense),
            sales_tax_rate: lookup(&sales_tax),
            purchase_tax_rate: lookup(&purchase_tax),
            inventory_account: lookup(&inventory),
            cogs_account: lookup(&cogs),
            price_difference_account: lookup(&price_difference),
        };
        let kind = references::finish(errors, check(&input, code_taken, refs)).map_err(ItemError::Invalid)?;
        if let Some(b) = base
            && b.kind == super::ItemKind::Stock
            && kind != super::ItemKind::Stock
            && store.item_has_stock(company, b.id).map_err(ItemError::Store)?
        {
            return Err(ItemError::Invalid(FieldErrors::single(
                "kind",
                "This item has stock moves: it stays a stock item.",
            )));
        }
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
        ("inventory_account", audit::id_text(i.stock.inventory_account_id)),
        ("cogs_account", audit::id_text(i.stock.cogs_account_id)),
        (
            "price_difference_account",
            audit::id_text(i.stock.price_difference_account_id),
        ),
        (
            "reorder_point",
            i.stock
                .reorder_point
                .map(crate::domain::inventory::quantity_text)
                .unwrap_or_default(),
        ),
        (
            "reorder_quantity",
            i.stock
                .reorder_quantity
                .map(crate::domain::inventory::quantity_text)
                .unwrap_or_default(),
        ),
        ("tracking", i.stock.tracking.as_str().to_owned()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::accounts::AccountType;
    use crate::domain::memory::{Memory, company, ctx};
    use crate::domain::taxes::TaxRate;
    use crate::domain::taxes::TaxRateChanges;

    fn named(e: ItemError<std::convert::Infallible>) -> FieldErrors {
        match e {
            ItemError::Invalid(errors) => errors,
            other => panic!("expected field errors, got {other}"),
        }
    }

    fn consulting(price: &str) -> ItemChanges {
        ItemChanges {
            code: Some(" CONSULT ".into()),
            name: Some("Consulting".into()),
            sale_price: Some(price.into()),
            ..ItemChanges::default()
        }
    }

    #[test]
    fn prices_are_read_in_the_company_currency() {
        let mut store = Memory::default();
        let (usd, usd_books) = company("USD");
        let item = Item::save(
            &mut store,
            &ctx(&usd, &usd_books),
            None,
            Change::Create,
            consulting("120"),
            FieldErrors::default(),
        )
        .unwrap();
        assert_eq!(
            (item.code.as_str(), item.sale_price, item.purchase_price),
            ("CONSULT", 12_000, 0)
        );
        let (yen, yen_books) = company("JPY");
        let ctx = ctx(&yen, &yen_books);
        let item = Item::save(
            &mut store,
            &ctx,
            None,
            Change::Create,
            consulting("500"),
            FieldErrors::default(),
        )
        .unwrap();
        assert_eq!(item.sale_price, 500);
        let e = named(
            Item::save(
                &mut store,
                &ctx,
                None,
                Change::Create,
                consulting("5.5"),
                FieldErrors::default(),
            )
            .unwrap_err(),
        );
        assert_eq!(
            e.0["sale_price"],
            ["Ensure that there are no more than 0 decimal places."]
        );
        assert_eq!(
            e.0["code"],
            ["An item with this code already exists."],
            "taken in this company only"
        );
        assert_eq!(store.items.len(), 2);
    }

    #[test]
    fn put_needs_a_code_and_a_name_and_patch_keeps_the_rest() {
        let (company, books) = company("USD");
        let ctx = ctx(&company, &books);
        let mut store = Memory::default();
        let made = Item::save(
            &mut store,
            &ctx,
            None,
            Change::Create,
            consulting("120"),
            FieldErrors::default(),
        )
        .unwrap();
        let price = ItemChanges {
            purchase_price: Some("80".into()),
            ..ItemChanges::default()
        };
        let e = named(
            Item::save(
                &mut store,
                &ctx,
                Some(made.clone()),
                Change::Replace,
                price.clone(),
                FieldErrors::default(),
            )
            .unwrap_err(),
        );
        assert_eq!(e.0.keys().collect::<Vec<_>>(), ["code", "name"]);
        let changed = Item::save(
            &mut store,
            &ctx,
            Some(made.clone()),
            Change::Update,
            price,
            FieldErrors::default(),
        )
        .unwrap();
        assert_eq!(
            (changed.code.as_str(), changed.sale_price, changed.purchase_price),
            ("CONSULT", 12_000, 8_000)
        );
        assert_eq!(store.items, [changed]);
        assert_eq!(
            store.audit[1].changes,
            [("purchase_price".into(), "0".into(), "8000".into())]
        );
        // Its own code, in another case, is not taken.
        let recased = ItemChanges {
            code: Some("consult".into()),
            ..ItemChanges::default()
        };
        assert!(
            Item::save(
                &mut store,
                &ctx,
                Some(made),
                Change::Update,
                recased,
                FieldErrors::default()
            )
            .is_ok()
        );
    }

    #[test]
    fn accounts_and_tax_rates_are_the_company_s_own() {
        let (company, books) = company("USD");
        let ctx = ctx(&company, &books);
        let (elsewhere, elsewhere_books) = crate::domain::memory::company("USD");
        let mut store = Memory::default();
        let tax = store.open_account(company.id, "2200", AccountType::Liability, "tax");
        let foreign_tax = store.open_account(elsewhere.id, "2200", AccountType::Liability, "tax");
        let vat = TaxRateChanges {
            name: Some("VAT".into()),
            kind: Some("vat".into()),
            rate: Some("20".into()),
            ..TaxRateChanges::default()
        };
        let elsewhere_ctx = crate::domain::memory::ctx(&elsewhere, &elsewhere_books);
        let foreign = TaxRate::save(
            &mut store,
            &elsewhere_ctx,
            None,
            Change::Create,
            vat.clone(),
            FieldErrors::default(),
        )
        .unwrap();
        let own = TaxRate::save(&mut store, &ctx, None, Change::Create, vat, FieldErrors::default()).unwrap();
        assert_eq!((foreign.sales_account_id, own.sales_account_id), (foreign_tax, tax));
        let expense = store.open_account(company.id, "6100", AccountType::Expense, "");
        let with = |rate, account| ItemChanges {
            sales_tax_rate: Some(Some(rate)),
            expense_account: Some(Some(account)),
            ..consulting("1")
        };
        let e = named(
            Item::save(
                &mut store,
                &ctx,
                None,
                Change::Create,
                with(foreign.id, tax),
                FieldErrors::default(),
            )
            .unwrap_err(),
        );
        assert_eq!(e.0["sales_tax_rate"], ["Unknown tax rate for this company."]);
        assert_eq!(e.0["expense_account"], ["Choose an account of type expense or asset."]);
        let item = Item::save(
            &mut store,
            &ctx,
            None,
            Change::Create,
            with(own.id, expense),
            FieldErrors::default(),
        )
        .unwrap();
        assert_eq!(
            (item.sales_tax_rate_id, item.expense_account_id),
            (Some(own.id), Some(expense))
        );
    }
}
