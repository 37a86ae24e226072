//! `/api/inventory/…`: the stock engine's settings, warehouses (and their locations), stock moves
//! (listed with filters; a manual receipt, adjustment, transfer or return posted) and stock
//! counts. Items, with their stock fields, are `http::items`. Quantities are decimal strings of
//! the item's base unit (at most 3 decimals), values decimal strings of the company currency.

pub mod counts;
pub mod moves;
pub mod settings;
pub mod units;
pub mod warehouses;
