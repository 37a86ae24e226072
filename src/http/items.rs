//! `/api/inventory/items/`: the products and services a company sells and buys, with default
//! prices (in the company currency), accounts and tax rates, served by the generic handlers of
//! `http::resource`. Codes are unique in a company whatever their case. Items are archived
//! (`is_active: false`), never deleted.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::company::perm;
use super::fields::fields_body;
use super::resource::{Records, Shows};
use crate::domain::books::Books;
use crate::domain::inventory::quantity_text;
use crate::domain::items::{Item, ItemChanges};
use crate::domain::money;

fields_body! {
    /// An item as a create, `PUT` or `PATCH` sends it. A create and a `PUT` need `code` and
    /// `name`; a `PATCH` changes only what it sends.
    #[schema(as = ItemInput)]
    pub struct ItemBody into ItemChanges {
        code: String = text,
        name: String = text,
        description: String = text,
        /// `service` (the default), `product` (a good kept without stock; `non_stock` is read as
        /// `product`) or `stock` (moved and valued in warehouses).
        kind: String = text,
        unit: String = text,
        /// A decimal in the company currency, as a string (`"120.00"`); not negative.
        sale_price: String = decimal,
        /// A decimal in the company currency, as a string (`"7.50"`); not negative.
        purchase_price: String = decimal,
        is_active: bool = boolean,
        /// Stock items: `none` (the default), `lot` or `serial` (each move of a serial is 1 unit).
        tracking: String = text,
    }
    nullable {
        /// A revenue account.
        income_account: Uuid = id,
        /// An expense account, or an asset account for what is kept (stock, equipment).
        expense_account: Uuid = id,
        sales_tax_rate: Uuid = id,
        purchase_tax_rate: Uuid = id,
        /// Stock items: an asset account; null takes the inventory settings' account.
        inventory_account: Uuid = id,
        /// Stock items: an expense account; null takes the inventory settings' account.
        cogs_account: Uuid = id,
        /// Stock items: an expense or revenue account; null takes the inventory settings' account.
        price_difference_account: Uuid = id,
        /// Stock items: a decimal quantity of the base unit as a string (`"10"`), at most 3
        /// decimals, not negative.
        reorder_point: String = opt_text,
        /// Stock items: what to order when below the reorder point.
        reorder_quantity: String = opt_text,
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = Item)]
pub struct ItemDto {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub description: String,
    /// `service`, `product` (no stock) or `stock`.
    pub kind: &'static str,
    pub unit: String,
    /// A decimal in the company currency.
    pub sale_price: String,
    /// A decimal in the company currency.
    pub purchase_price: String,
    #[schema(required = true)]
    pub income_account: Option<Uuid>,
    #[schema(required = true)]
    pub expense_account: Option<Uuid>,
    #[schema(required = true)]
    pub sales_tax_rate: Option<Uuid>,
    #[schema(required = true)]
    pub purchase_tax_rate: Option<Uuid>,
    pub is_active: bool,
    #[schema(required = true)]
    pub inventory_account: Option<Uuid>,
    #[schema(required = true)]
    pub cogs_account: Option<Uuid>,
    #[schema(required = true)]
    pub price_difference_account: Option<Uuid>,
    /// A decimal quantity of the base unit.
    #[schema(required = true)]
    pub reorder_point: Option<String>,
    #[schema(required = true)]
    pub reorder_quantity: Option<String>,
    /// `none`, `lot` or `serial`.
    pub tracking: &'static str,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// Prices in the decimals of the company currency, which they are kept in.
impl Shows<Item> for ItemDto {
    fn show(i: &Item, books: &Books) -> Self {
        let decimals = books.decimals;
        ItemDto {
            id: i.id,
            code: i.code.clone(),
            name: i.name.clone(),
            description: i.description.clone(),
            kind: i.kind.as_str(),
            unit: i.unit.clone(),
            sale_price: money::format(i.sale_price, decimals),
            purchase_price: money::format(i.purchase_price, decimals),
            income_account: i.income_account_id,
            expense_account: i.expense_account_id,
            sales_tax_rate: i.sales_tax_rate_id,
            purchase_tax_rate: i.purchase_tax_rate_id,
            is_active: i.is_active,
            inventory_account: i.stock.inventory_account_id,
            cogs_account: i.stock.cogs_account_id,
            price_difference_account: i.stock.price_difference_account_id,
            reorder_point: i.stock.reorder_point.map(quantity_text),
            reorder_quantity: i.stock.reorder_quantity.map(quantity_text),
            tracking: i.stock.tracking.as_str(),
            created_at: i.created_at.to_string(),
            updated_at: i.updated_at.to_string(),
        }
    }
}

/// The company's items.
pub type Items = Records<perm::ViewDocuments, perm::EditDocuments, Item, ItemDto, ItemBody>;
