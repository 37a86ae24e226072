//! Items: the products and services a company sells or buys, with their default prices,
//! accounts and tax rates, and the rules they follow. Items are archived, never deleted.

use jiff::Timestamp;
use uuid::Uuid;

mod operations;

pub use operations::{ItemChanges, ItemError, ItemStore};

use super::FieldErrors;
use super::accounts::{Account, AccountType};
use super::inventory::Tracking;
use super::money::{self, MoneyError};
use super::references::{Lookup, check_account};
use super::taxes::TaxRate;

pub const MAX_CODE_CHARS: usize = 50;
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_DESCRIPTION_CHARS: usize = 5000;
pub const MAX_UNIT_CHARS: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Service,
    /// A good that keeps no stock (the API also accepts `non_stock`).
    Product,
    /// A good kept in stock: moved and valued by `domain::inventory`.
    Stock,
}

impl ItemKind {
    pub const ALL: [ItemKind; 3] = [ItemKind::Service, ItemKind::Product, ItemKind::Stock];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Service => "service",
            ItemKind::Product => "product",
            ItemKind::Stock => "stock",
        }
    }

    pub fn parse(s: &str) -> Option<ItemKind> {
        if s == "non_stock" {
            return Some(ItemKind::Product);
        }
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: Uuid,
    pub company_id: Uuid,
    pub code: String,
    pub name: String,
    pub description: String,
    pub kind: ItemKind,
    pub unit: String,
    /// Minor units of the company currency.
    pub sale_price: i64,
    /// Minor units of the company currency.
    pub purchase_price: i64,
    pub income_account_id: Option<Uuid>,
    pub expense_account_id: Option<Uuid>,
    pub sales_tax_rate_id: Option<Uuid>,
    pub purchase_tax_rate_id: Option<Uuid>,
    pub is_active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// How a stock item is kept (unused for services and non-stock products).
    pub stock: StockFields,
}

/// A stock item's accounts (`None`: the company's inventory settings), reorder point and
/// quantity (thousandths of the base unit) and lot or serial tracking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockFields {
    pub inventory_account_id: Option<Uuid>,
    pub cogs_account_id: Option<Uuid>,
    pub price_difference_account_id: Option<Uuid>,
    pub reorder_point: Option<i64>,
    pub reorder_quantity: Option<i64>,
    pub tracking: Tracking,
}

impl Default for StockFields {
    fn default() -> Self {
        StockFields {
            inventory_account_id: None,
            cogs_account_id: None,
            price_difference_account_id: None,
            reorder_point: None,
            reorder_quantity: None,
            tracking: Tracking::None,
        }
    }
}

/// What makes two codes the same: `consult` and `CONSULT` name one item.
pub fn code_key(code: &str) -> String {
    code.trim().to_lowercase()
}

/// A price as the API writes it → minor units of the company currency; never negative, never
/// more decimals than the currency has.
pub fn parse_price(text: &str, decimals: u32) -> Result<i64, MoneyError> {
    let minor = money::to_minor(money::parse(text)?, decimals)?;
    if minor < 0 {
        return Err(MoneyError::Negative);
    }
    Ok(minor)
}

/// An item as created or changed: for a change, the stored item with the request's fields
/// laid over it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemInput {
    pub code: String,
    pub name: String,
    pub description: String,
    pub kind: String,
    pub unit: String,
    pub sale_price: i64,
    pub purchase_price: i64,
    pub income_account_id: Option<Uuid>,
    pub expense_account_id: Option<Uuid>,
    pub sales_tax_rate_id: Option<Uuid>,
    pub purchase_tax_rate_id: Option<Uuid>,
    pub is_active: bool,
    pub stock: StockFields,
}

impl Default for ItemInput {
    /// A new item is an active service at no price until told otherwise.
    fn default() -> Self {
        ItemInput {
            code: String::new(),
            name: String::new(),
            description: String::new(),
            kind: ItemKind::Service.as_str().to_owned(),
            unit: String::new(),
            sale_price: 0,
            purchase_price: 0,
            income_account_id: None,
            expense_account_id: None,
            sales_tax_rate_id: None,
            purchase_tax_rate_id: None,
            is_active: true,
            stock: StockFields::default(),
        }
    }
}

impl From<&Item> for ItemInput {
    fn from(i: &Item) -> Self {
        ItemInput {
            code: i.code.clone(),
            name: i.name.clone(),
            description: i.description.clone(),
            kind: i.kind.as_str().to_owned(),
            unit: i.unit.clone(),
            sale_price: i.sale_price,
            purchase_price: i.purchase_price,
            income_account_id: i.income_account_id,
            expense_account_id: i.expense_account_id,
            sales_tax_rate_id: i.sales_tax_rate_id,
            purchase_tax_rate_id: i.purchase_tax_rate_id,
            is_active: i.is_active,
            stock: i.stock.clone(),
        }
    }
}

impl ItemInput {
    /// Trims what people type around the code, name and unit.
    pub fn normalize(&mut self) {
        for s in [&mut self.code, &mut self.name, &mut self.unit] {
            let trimmed = s.trim();
            if trimmed.len() != s.len() {
                *s = trimmed.to_owned();
            }
        }
    }

    /// The item this input describes (`kind` as checked). `existing` keeps its id and creation
    /// time.
    pub fn into_item(self, kind: ItemKind, existing: Option<&Item>, company_id: Uuid, now: Timestamp) -> Item {
        Item {
            id: existing.map_or_else(Uuid::now_v7, |i| i.id),
            company_id,
            code: self.code,
            name: self.name,
            description: self.description,
            kind,
            unit: self.unit,
            sale_price: self.sale_price,
            purchase_price: self.purchase_price,
            income_account_id: self.income_account_id,
            expense_account_id: self.expense_account_id,
            sales_tax_rate_id: self.sales_tax_rate_id,
            purchase_tax_rate_id: self.purchase_tax_rate_id,
            is_active: self.is_active,
            created_at: existing.map_or(now, |i| i.created_at),
            updated_at: now,
            stock: self.stock,
        }
    }
}

/// The accounts an item's lines may default to. Sales go to revenue; purchases to an expense,
/// or to an asset when what is bought is kept (stock, equipment).
pub const INCOME_ACCOUNT_TYPES: &[AccountType] = &[AccountType::Revenue];
pub const EXPENSE_ACCOUNT_TYPES: &[AccountType] = &[AccountType::Expense, AccountType::Asset];

/// The accounts and tax rates an item refers to, as the store found them.
#[derive(Debug, Clone, Copy)]
pub struct ItemRefs<'a> {
    pub income_account: Lookup<'a, Account>,
    pub expense_account: Lookup<'a, Account>,
    pub sales_tax_rate: Lookup<'a, TaxRate>,
    pub purchase_tax_rate: Lookup<'a, TaxRate>,
    pub inventory_account: Lookup<'a, Account>,
    pub cogs_account: Lookup<'a, Account>,
    pub price_difference_account: Lookup<'a, Account>,
}

impl Default for ItemRefs<'_> {
    fn default() -> Self {
        ItemRefs {
            income_account: Lookup::Unchecked,
            expense_account: Lookup::Unchecked,
            sales_tax_rate: Lookup::Unchecked,
            purchase_tax_rate: Lookup::Unchecked,
            inventory_account: Lookup::Unchecked,
            cogs_account: Lookup::Unchecked,
            price_difference_account: Lookup::Unchecked,
        }
    }
}

fn check_tax_rate(errors: &mut FieldErrors, field: &str, lookup: Lookup<'_, TaxRate>) {
    match lookup {
        Lookup::Unchecked => {}
        Lookup::Missing => errors.add(field, "Unknown tax rate for this company."),
        Lookup::Found(t) if !t.is_active => errors.add(field, "This tax rate is inactive."),
        Lookup::Found(_) => {}
    }
}

/// The rules of an item: a code not used by another item of the company whatever its case
/// (`code_taken`), a name, a known kind, prices ≥ 0, and active accounts and tax rates of the
/// company.
pub fn check(input: &ItemInput, code_taken: bool, refs: ItemRefs<'_>) -> Result<ItemKind, FieldErrors> {
    let mut errors = FieldErrors::default();
    for (field, value) in [("code", &input.code), ("name", &input.name)] {
        if value.is_empty() {
            errors.add(field, "This field may not be blank.");
        }
    }
    for (field, value, max) in [
        ("code", &input.code, MAX_CODE_CHARS),
        ("name", &input.name, MAX_NAME_CHARS),
        ("description", &input.description, MAX_DESCRIPTION_CHARS),
        ("unit", &input.unit, MAX_UNIT_CHARS),
    ] {
        if value.chars().count() > max {
            errors.add(field, format!("Ensure this field has no more than {max} characters."));
        }
    }
    if code_taken {
        errors.add("code", "An item with this code already exists.");
    }
    let kind = ItemKind::parse(&input.kind);
    if kind.is_none() {
        errors.add("kind", format!("\"{}\" is not a valid choice.", input.kind));
    }
    for (field, price) in [
        ("sale_price", input.sale_price),
        ("purchase_price", input.purchase_price),
    ] {
        if price < 0 {
            errors.add(field, MoneyError::Negative.to_string());
        }
    }
    check_account(&mut errors, "income_account", refs.income_account, INCOME_ACCOUNT_TYPES);
    check_account(
        &mut errors,
        "expense_account",
        refs.expense_account,
        EXPENSE_ACCOUNT_TYPES,
    );
    check_account(
        &mut errors,
        "inventory_account",
        refs.inventory_account,
        &[AccountType::Asset],
    );
    check_account(&mut errors, "cogs_account", refs.cogs_account, &[AccountType::Expense]);
    check_account(
        &mut errors,
        "price_difference_account",
        refs.price_difference_account,
        &[AccountType::Expense, AccountType::Revenue],
    );
    for (field, q) in [
        ("reorder_point", input.stock.reorder_point),
        ("reorder_quantity", input.stock.reorder_quantity),
    ] {
        if q.is_some_and(|q| q < 0) {
            errors.add(field, "Ensure this value is greater than or equal to 0.");
        }
    }
    check_tax_rate(&mut errors, "sales_tax_rate", refs.sales_tax_rate);
    check_tax_rate(&mut errors, "purchase_tax_rate", refs.purchase_tax_rate);
    errors.into_result()?;
    kind.ok_or_else(|| FieldErrors::single("kind", "This field is required."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::taxes::TaxKind;

    fn input() -> ItemInput {
        ItemInput {
            code: "CONSULT".into(),
            name: "Consulting".into(),
            ..ItemInput::default()
        }
    }

    fn account(kind: AccountType) -> Account {
        let now = Timestamp::now();
        Account {
            id: Uuid::now_v7(),
            company_id: Uuid::now_v7(),
            code: "4200".into(),
            name: "Service Revenue".into(),
            account_type: kind,
            subtype: String::new(),
            parent_id: None,
            currency: None,
            cash_flow: None,
            is_active: true,
            created_at: now,
            updated_at: now,
        }
    }

    fn rate(active: bool) -> TaxRate {
        let now = Timestamp::now();
        TaxRate {
            id: Uuid::now_v7(),
            company_id: Uuid::now_v7(),
            name: "VAT 20%".into(),
            kind: TaxKind::Vat,
            rate_ppm: 200_000,
            is_inclusive: false,
            sales_account_id: Uuid::now_v7(),
            purchase_account_id: Uuid::now_v7(),
            is_active: active,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn codes_compare_without_case() {
        assert_eq!(code_key(" Consult "), code_key("CONSULT"));
        assert_eq!(code_key("ÉCRAN"), "écran");
    }

    #[test]
    fn prices_are_exact_and_not_negative() {
        assert_eq!(parse_price("120.00", 2), Ok(12_000));
        assert_eq!(parse_price("0", 2), Ok(0));
        assert_eq!(parse_price("5", 0), Ok(5));
        assert_eq!(parse_price("1.005", 2), Err(MoneyError::TooManyDecimals(2)));
        assert_eq!(parse_price("-1", 2), Err(MoneyError::Negative));
        assert_eq!(parse_price("abc", 2), Err(MoneyError::NotANumber));
    }

    #[test]
    fn a_new_item_is_an_active_service() {
        assert_eq!(check(&input(), false, ItemRefs::default()), Ok(ItemKind::Service));
        let product = ItemInput {
            kind: "product".into(),
            ..input()
        };
        assert_eq!(check(&product, false, ItemRefs::default()), Ok(ItemKind::Product));
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = ItemInput {
            code: String::new(),
            name: "x".repeat(201),
            kind: "gadget".into(),
            sale_price: -1,
            unit: "u".repeat(21),
            ..input()
        };
        let e = check(&bad, false, ItemRefs::default()).unwrap_err();
        let fields: Vec<&str> = e.0.keys().map(String::as_str).collect();
        assert_eq!(fields, ["code", "kind", "name", "sale_price", "unit"]);
        let e = check(&input(), true, ItemRefs::default()).unwrap_err();
        assert_eq!(e.0["code"], ["An item with this code already exists."]);
    }

    #[test]
    fn accounts_and_rates_must_fit() {
        let revenue = account(AccountType::Revenue);
        let asset = account(AccountType::Asset);
        let active = rate(true);
        let archived = rate(false);
        let ok = ItemRefs {
            income_account: Lookup::Found(&revenue),
            expense_account: Lookup::Found(&asset),
            sales_tax_rate: Lookup::Found(&active),
            purchase_tax_rate: Lookup::Found(&active),
            ..ItemRefs::default()
        };
        assert!(
            check(&input(), false, ok).is_ok(),
            "stock is bought into an asset account"
        );
        let bad = ItemRefs {
            income_account: Lookup::Found(&asset),
            expense_account: Lookup::Missing,
            sales_tax_rate: Lookup::Missing,
            purchase_tax_rate: Lookup::Found(&archived),
            ..ItemRefs::default()
        };
        let e = check(&input(), false, bad).unwrap_err();
        assert_eq!(e.0["income_account"], ["Choose an account of type revenue."]);
        assert_eq!(e.0["expense_account"], ["Unknown account for this company."]);
        assert_eq!(e.0["sales_tax_rate"], ["Unknown tax rate for this company."]);
        assert_eq!(e.0["purchase_tax_rate"], ["This tax rate is inactive."]);
    }

    #[test]
    fn a_change_keeps_the_id_and_creation_time() {
        let company = Uuid::now_v7();
        let first = input().into_item(ItemKind::Service, None, company, Timestamp::UNIX_EPOCH);
        let mut change = ItemInput::from(&first);
        change.sale_price = 500;
        let changed = change.into_item(ItemKind::Service, Some(&first), company, Timestamp::now());
        assert_eq!((changed.id, changed.created_at), (first.id, first.created_at));
        assert_eq!(changed.sale_price, 500);
    }
}
