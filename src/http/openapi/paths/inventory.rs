//! Operations of the stock engine: settings, warehouses and locations, item units, stock moves
//! and counts.

use super::super::crud::{Crud, crud};
use super::super::ops::Access::Company;
use super::super::ops::Kind::{Bool, Date, Id, Text};
use super::super::ops::{Op, op, shape, tagged};
use crate::http::inventory::counts::{CountBody, CountDto};
use crate::http::inventory::moves::{MoveBody, MoveDto, PostedDto};
use crate::http::inventory::settings::{SettingsBody, SettingsDto};
use crate::http::inventory::units::UnitsDto;
use crate::http::inventory::warehouses::{LocationBody, LocationDto, LocationsDto, WarehouseBody, WarehouseDto};

#[rustfmt::skip]
pub fn inventory() -> Vec<Op> {
    let settings = tagged("Inventory", Company, [
        op("GET /api/inventory/items/{id}/units/", "listItemUnits", "An item's other units")
            .about("Each with its factor in the base unit (`box` = `12`).")
            .ok(shape::<UnitsDto>()),
        op("PUT /api/inventory/items/{id}/units/", "replaceItemUnits", "Replace an item's other units")
            .about("A unit's name is 1 to 20 characters, not the base unit; its factor a decimal greater than 0, at \
                    most 3 decimals. Bad entries are 400s under `units[i].unit` / `units[i].factor`.")
            .json(shape::<UnitsDto>()).writes().ok(shape::<UnitsDto>()),
        op("GET /api/inventory/settings/", "getInventorySettings", "Inventory settings")
            .about("Made on first use: FIFO, negative stock refused, the accounts found in the chart by subtype \
                    (`inventory`, `grni`, `cost_of_sales`, `inventory_adjustment`, `price_difference`; created when \
                    missing) and a warehouse `MAIN`.")
            .ok(shape::<SettingsDto>()),
        op("PATCH /api/inventory/settings/", "updateInventorySettings", "Change inventory settings")
            .about("The method cannot change once the company has stock moves (409).")
            .json(shape::<SettingsBody>()).writes().ok(shape::<SettingsDto>()),
    ]);
    let warehouses = crud::<WarehouseDto, WarehouseBody>(Crud {
        path: "/api/inventory/warehouses/",
        tag: "Inventory",
        delete: false,
        one: "Warehouse",
        many: "Warehouses",
        a: "a warehouse",
        list: "Warehouses",
        create: "WarehouseCreate",
        rules: Some("Codes are unique in the company whatever their case. Archive with `is_active: false` (not the \
                     default warehouse): warehouses are never deleted."),
        filters: &[("is_active", Bool)],
    });
    let rest = tagged("Inventory", Company, [
        op("GET /api/inventory/warehouses/{id}/locations/", "listWarehouseLocations", "A warehouse's locations")
            .ok(shape::<LocationsDto>()),
        op("POST /api/inventory/warehouses/{id}/locations/", "addWarehouseLocation", "Add a location")
            .json(shape::<LocationBody>()).writes().idempotent().created(shape::<LocationDto>()),
        op("GET /api/inventory/moves/", "listStockMoves", "Stock moves")
            .about("Newest first. Quantities and values are signed effects on stock: on hand as of a date is the \
                    sum of the moves dated on or before it.")
            .list::<MoveDto>(&[("item", Id), ("warehouse", Id), ("kind", Text), ("date", Date), ("date_from", Date),
                ("date_to", Date), ("source_kind", Text), ("source_id", Id), ("lot", Text), ("transfer_id", Id)]),
        op("POST /api/inventory/moves/", "postStockMove", "Post a manual move")
            .about("A receipt, an adjustment, a transfer or a return, valued by the company's method and posted to \
                    the ledger in the same transaction. Goods out beyond what is on hand are a 400 under `quantity` \
                    (unless negative stock is allowed). A move dated before the latest move of the item in the \
                    warehouse revalues the later moves: the answer lists the `revaluation` moves too.")
            .json(shape::<MoveBody>()).writes().idempotent().created(shape::<PostedDto>()),
        op("POST /api/inventory/counts/", "postStockCount", "Post a stock count")
            .about("Each line's difference from what was on hand on the date becomes an adjustment move (source \
                    `count`); lines with no difference make none. A bad line is a 400 under `lines[i].<field>`.")
            .json(shape::<CountBody>()).writes().idempotent().created(shape::<CountDto>()),
    ]);
    [settings, warehouses, rest].into_iter().flatten().collect()
}
