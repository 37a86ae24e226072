//! `/api/inventory/items/{id}/units/`: an item's other units of measure (`box` = 12 of the base
//! unit), which moves may be given in. `PUT` replaces the list.

use axum::Json;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::books::AuditRecord;
use crate::domain::inventory::{parse_quantity, quantity_text};
use crate::domain::items::Item;
use crate::domain::ledger::LedgerStore;
use crate::domain::{FieldErrors, Kept};
use crate::http::company::{Id, InCompany, JsonBody, perm};
use crate::http::error::{ApiError, Reply};
use crate::store::Tx;
use crate::store::inventory_units;

/// One unit: its name and how many of the base unit it holds.
#[derive(Serialize, Deserialize, ToSchema)]
#[schema(as = ItemUnit)]
#[serde(deny_unknown_fields)]
pub struct UnitDto {
    unit: String,
    /// A decimal string of the base unit, greater than 0, at most 3 decimals (`"12"`).
    factor: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[schema(as = ItemUnits)]
#[serde(deny_unknown_fields)]
pub struct UnitsDto {
    units: Vec<UnitDto>,
}

fn shown(list: Vec<(String, i64)>) -> UnitsDto {
    UnitsDto {
        units: list
            .into_iter()
            .map(|(unit, factor)| UnitDto {
                unit,
                factor: quantity_text(factor),
            })
            .collect(),
    }
}

/// `GET`.
pub async fn list(c: InCompany<perm::ViewDocuments>, Id(id): Id) -> Reply<Json<UnitsDto>> {
    c.read(move |tx: &mut Tx, ctx| {
        let item = Item::find(tx, ctx, id)?;
        Ok(Json(shown(inventory_units::units(tx, ctx.books.company_id, item.id)?)))
    })
    .await
}

/// `PUT`: the whole list.
pub async fn replace(c: InCompany<perm::EditDocuments>, Id(id): Id, mut body: JsonBody<UnitsDto>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        let item = Item::find(tx, ctx, id)?;
        let b = body.parse()?;
        let mut errors = FieldErrors::default();
        let mut units: Vec<(String, i64)> = Vec::new();
        for (i, u) in b.units.into_iter().enumerate() {
            let name = u.unit.trim().to_owned();
            if name.is_empty() || name.chars().count() > 20 {
                errors.add(&format!("units[{i}].unit"), "Give a unit of 1 to 20 characters.");
            } else if name.eq_ignore_ascii_case(item.unit.trim()) || units.iter().any(|(n, _)| *n == name) {
                errors.add(&format!("units[{i}].unit"), "This unit is named already.");
            }
            match parse_quantity(&u.factor) {
                Ok(f) if f > 0 => units.push((name, f)),
                Ok(_) => errors.add(&format!("units[{i}].factor"), "Ensure this value is greater than 0."),
                Err(m) => errors.add(&format!("units[{i}].factor"), m),
            }
        }
        errors.into_result()?;
        let company = ctx.books.company_id;
        inventory_units::replace(tx, company, item.id, &units)?;
        tx.audit(&AuditRecord {
            company_id: company,
            actor: ctx.actor,
            action: "update",
            object_type: "item_units",
            object_id: item.id,
            changes: vec![(
                "units".into(),
                String::new(),
                units
                    .iter()
                    .map(|(u, f)| format!("{u}={}", quantity_text(*f)))
                    .collect::<Vec<_>>()
                    .join(", "),
            )],
        })
        .map_err(ApiError::from)?;
        Ok(shown(units))
    })
    .await
}
