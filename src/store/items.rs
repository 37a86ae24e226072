//! Items (products and services), in the tenant database. Prices are integer minor units of
//! the company currency; `code_key` (the code lower-cased) carries the case-insensitive
//! uniqueness of codes and their ordering.

use uuid::Uuid;

use super::list::{FilterKind, ListError, ListRequest, ListSpec, Page, Paged, list};
use super::platform::{parse_ts, ts};
use super::{Row, StoreError, Tx};
use crate::domain::inventory::Tracking;
use crate::domain::items::{Item, ItemKind, ItemStore, StockFields, code_key};
use crate::params;

const COLUMNS: &str = "id, company_id, code, name, description, kind, unit, sale_price, purchase_price, \
     income_account_id, expense_account_id, sales_tax_rate_id, purchase_tax_rate_id, is_active, created_at, \
     updated_at, inventory_account_id, cogs_account_id, price_difference_account_id, reorder_point, reorder_quantity, \
     tracking";

pub const LIST: ListSpec = ListSpec {
    columns: COLUMNS,
    from: "items",
    filters: &[
        ("is_active", "is_active = ?", FilterKind::Bool),
        ("kind", "kind = ?", FilterKind::Text),
    ],
    search: &["code", "name", "description"],
    ordering: &[
        ("code", "code_key"),
        ("name", "name"),
        ("sale_price", "sale_price"),
        ("created_at", "created_at"),
    ],
    tie_breaker: "id",
    default_ordering: "code",
};

pub fn from_row(r: &Row) -> Result<Item, StoreError> {
    let kind = r.text(5)?;
    Ok(Item {
        id: r.uuid(0)?,
        company_id: r.uuid(1)?,
        code: r.text(2)?,
        name: r.text(3)?,
        description: r.text(4)?,
        kind: ItemKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("unknown item kind {kind:?}")))?,
        unit: r.text(6)?,
        sale_price: r.int(7)?,
        purchase_price: r.int(8)?,
        income_account_id: r.opt_uuid(9)?,
        expense_account_id: r.opt_uuid(10)?,
        sales_tax_rate_id: r.opt_uuid(11)?,
        purchase_tax_rate_id: r.opt_uuid(12)?,
        is_active: r.bool(13)?,
        created_at: parse_ts(&r.text(14)?)?,
        updated_at: parse_ts(&r.text(15)?)?,
        stock: StockFields {
            inventory_account_id: r.opt_uuid(16)?,
            cogs_account_id: r.opt_uuid(17)?,
            price_difference_account_id: r.opt_uuid(18)?,
            reorder_point: r.opt_int(19)?,
            reorder_quantity: r.opt_int(20)?,
            tracking: {
                let t = r.text(21)?;
                Tracking::parse(&t).ok_or_else(|| StoreError::Corrupt(format!("unknown tracking {t:?}")))?
            },
        },
    })
}

impl Paged for Item {
    fn page(tx: &mut Tx, company: Uuid, request: &ListRequest) -> Result<Page<Item>, ListError> {
        list(tx, &LIST, ("company_id = $1", vec![company.into()]), request, from_row)
    }
}

pub fn get(tx: &mut Tx, company_id: Uuid, id: Uuid) -> Result<Option<Item>, StoreError> {
    tx.query_opt(
        &format!("SELECT {COLUMNS} FROM items WHERE company_id = $1 AND id = $2"),
        params![company_id, id],
    )?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// Whether another item of the company (not `except`) has this code, whatever its case.
pub fn code_taken(tx: &mut Tx, company_id: Uuid, code: &str, except: Option<Uuid>) -> Result<bool, StoreError> {
    Ok(tx
        .query_opt(
            "SELECT id FROM items WHERE company_id = $1 AND code_key = $2 AND id <> $3",
            params![company_id, code_key(code), except.unwrap_or_else(Uuid::nil)],
        )?
        .is_some())
}

pub fn insert(tx: &mut Tx, i: &Item) -> Result<(), StoreError> {
    tx.execute(
        &format!(
            "INSERT INTO items ({COLUMNS}, code_key) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)"
        ),
        params![
            i.id,
            i.company_id,
            &i.code,
            &i.name,
            &i.description,
            i.kind.as_str(),
            &i.unit,
            i.sale_price,
            i.purchase_price,
            i.income_account_id,
            i.expense_account_id,
            i.sales_tax_rate_id,
            i.purchase_tax_rate_id,
            i.is_active,
            ts(i.created_at),
            ts(i.updated_at),
            i.stock.inventory_account_id,
            i.stock.cogs_account_id,
            i.stock.price_difference_account_id,
            i.stock.reorder_point,
            i.stock.reorder_quantity,
            i.stock.tracking.as_str(),
            code_key(&i.code)
        ],
    )?;
    Ok(())
}

pub fn update(tx: &mut Tx, i: &Item) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE items SET code = $3, code_key = $4, name = $5, description = $6, kind = $7, unit = $8, \
         sale_price = $9, purchase_price = $10, income_account_id = $11, expense_account_id = $12, \
         sales_tax_rate_id = $13, purchase_tax_rate_id = $14, is_active = $15, updated_at = $16, \
         inventory_account_id = $17, cogs_account_id = $18, price_difference_account_id = $19, reorder_point = $20, \
         reorder_quantity = $21, tracking = $22 WHERE company_id = $1 AND id = $2",
        params![
            i.company_id,
            i.id,
            &i.code,
            code_key(&i.code),
            &i.name,
            &i.description,
            i.kind.as_str(),
            &i.unit,
            i.sale_price,
            i.purchase_price,
            i.income_account_id,
            i.expense_account_id,
            i.sales_tax_rate_id,
            i.purchase_tax_rate_id,
            i.is_active,
            ts(i.updated_at),
            i.stock.inventory_account_id,
            i.stock.cogs_account_id,
            i.stock.price_difference_account_id,
            i.stock.reorder_point,
            i.stock.reorder_quantity,
            i.stock.tracking.as_str()
        ],
    )?;
    Ok(())
}

impl ItemStore for Tx<'_> {
    fn find_item(&mut self, company: Uuid, id: Uuid) -> Result<Option<Item>, StoreError> {
        get(self, company, id)
    }

    fn item_code_taken(&mut self, company: Uuid, code: &str, except: Option<Uuid>) -> Result<bool, StoreError> {
        code_taken(self, company, code, except)
    }

    fn insert_item(&mut self, item: &Item) -> Result<(), StoreError> {
        insert(self, item)
    }

    fn update_item(&mut self, item: &Item) -> Result<(), StoreError> {
        update(self, item)
    }

    fn item_has_stock(&mut self, company: Uuid, id: Uuid) -> Result<bool, StoreError> {
        Ok(self
            .query_opt(
                "SELECT id FROM stock_moves WHERE company_id = $1 AND item_id = $2 LIMIT 1",
                params![company, id],
            )?
            .is_some())
    }
}
