//! Operations of the inventory reports (`/api/inventory/reports/`, issue 19). Quantities are
//! decimal text with three decimals in the item's base unit; amounts decimal text in the
//! company currency. A `warehouse` or `item` of another company or firm is a 404.

use super::super::ops::Access::Company;
use super::super::ops::Kind::{Date, Id, Int, Text};
use super::super::ops::{Op, op, shape, tagged};
use crate::http::reports::inventory::{CheckDto, MovementsDto, OnHandDto, ReorderDto, ValuationDto};
use crate::http::reports::margin::MarginDto;

#[rustfmt::skip]
pub fn inventory_reports() -> Vec<Op> {
    tagged("Inventory", Company, [
        op("GET /api/inventory/reports/on-hand/", "inventoryOnHand", "Stock on hand per item and warehouse as of a date")
            .about("`as_of` defaults to today: the current level less the moves dated after it. Items and warehouses with neither quantity nor value are left out. `search` matches the item's code or name. Ordered by item code, then warehouse code.")
            .query("as_of", Date, false).query("warehouse", Id, false).query("item", Id, false).query("search", Text, false)
            .query("page", Int, false).query("page_size", Int, false)
            .or(404, "No such page, warehouse or item").ok(shape::<OnHandDto>()),
        op("GET /api/inventory/reports/valuation/", "inventoryValuation", "Stock valuation per item and warehouse as of a date")
            .about("A page of the items and warehouses with their value and unit cost, the total value, and the value per inventory account (an item's own, else the company's account of subtype `inventory`), over every row of the filter.")
            .query("as_of", Date, false).query("warehouse", Id, false).query("item", Id, false).query("search", Text, false)
            .query("page", Int, false).query("page_size", Int, false)
            .or(404, "No such page, warehouse or item").ok(shape::<ValuationDto>()),
        op("GET /api/inventory/reports/valuation/check/", "inventoryValuationCheck", "Does the stock valuation tie to the inventory accounts?")
            .about("Per inventory account: the valuation as of the date and the account's ledger balance on that date, and their difference; `ok` when every account ties to the cent.")
            .query("as_of", Date, false).ok(shape::<CheckDto>()),
        op("GET /api/inventory/reports/movements/", "inventoryMovements", "One item's stock moves with the running quantity and value")
            .about("`item` is required. `date_to` defaults to today; without `date_from` the history starts at the first move. Moves in posting order (date, then sequence); the running figures start from the stock before `date_from` and carry across pages.")
            .query("item", Id, true).query("warehouse", Id, false).query("date_from", Date, false).query("date_to", Date, false)
            .query("page", Int, false).query("page_size", Int, false)
            .or(404, "No such page, item or warehouse").ok(shape::<MovementsDto>()),
        op("GET /api/inventory/reports/reorder/", "inventoryReorder", "Stock items at or below their reorder point")
            .about("Active stock items with a reorder point whose quantity on hand across every warehouse is at or below it, with the suggested quantity (the reorder quantity, else what brings the item back to its point). `POST /api/purchase/orders/from-reorder/` drafts a purchase order from them.")
            .list::<ReorderDto>(&[]),
        op("GET /api/inventory/reports/margin/", "inventoryMargin", "Gross margin per stock item and per customer over a period")
            .about("`date_to` defaults to today, `date_from` to the first of its month. Revenue: the net amounts of the stock items' lines on invoices issued in the period, less credit notes, in the company currency. Cost of goods sold: the value of the stock moves linked to those documents (moves they made themselves, and the part of each delivery line an invoice line invoiced). `margin_percent` is the margin over revenue, one decimal.")
            .query("date_from", Date, false).query("date_to", Date, false).ok(shape::<MarginDto>()),
    ])
}
