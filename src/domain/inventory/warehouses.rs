//! Warehouses (found, created, changed, archived: never deleted) and their locations. Codes are
//! unique in a company whatever their case; the company's default warehouse cannot be archived.

use uuid::Uuid;

use super::{InvDb, InventoryError, InventoryStore, Location, Warehouse, settings};
use crate::domain::audit::{self, AuditFields};
use crate::domain::books::Ctx;
use crate::domain::references;
use crate::domain::{Change, FieldErrors, Kept};

pub const MAX_CODE_CHARS: usize = 50;
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_ADDRESS_CHARS: usize = 1000;

/// What a request sets; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct WarehouseChanges {
    pub code: Option<String>,
    pub name: Option<String>,
    pub address: Option<String>,
    pub is_active: Option<bool>,
}

fn too_long(errors: &mut FieldErrors, field: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.add(field, format!("Ensure this field has no more than {max} characters."));
    }
}

impl<S: InventoryStore> Kept<S> for Warehouse {
    type Changes = WarehouseChanges;
    type Error = InventoryError<S::Error>;

    fn find(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<Warehouse, Self::Error> {
        store
            .warehouse(ctx.books.company_id, id)
            .db()?
            .ok_or(InventoryError::NotFound)
    }

    fn save(
        store: &mut S,
        ctx: &Ctx<'_>,
        current: Option<Warehouse>,
        how: Change,
        changes: WarehouseChanges,
        mut errors: FieldErrors,
    ) -> Result<Warehouse, Self::Error> {
        let company = ctx.books.company_id;
        let s = settings(store, ctx)?;
        references::require(
            &mut errors,
            how,
            &[("code", changes.code.is_some()), ("name", changes.name.is_some())],
        );
        let base = current.as_ref();
        let mut w = current.clone().unwrap_or(Warehouse {
            id: Uuid::now_v7(),
            company_id: company,
            code: String::new(),
            name: String::new(),
            address: String::new(),
            is_active: true,
            created_at: ctx.now,
            updated_at: ctx.now,
        });
        if let Some(v) = changes.code {
            w.code = v.trim().to_owned();
        }
        if let Some(v) = changes.name {
            w.name = v.trim().to_owned();
        }
        if let Some(v) = changes.address {
            w.address = v;
        }
        if let Some(v) = changes.is_active {
            w.is_active = v;
        }
        for (field, value) in [("code", &w.code), ("name", &w.name)] {
            if value.is_empty() && !errors.0.contains_key(field) {
                errors.add(field, "This field may not be blank.");
            }
        }
        too_long(&mut errors, "code", &w.code, MAX_CODE_CHARS);
        too_long(&mut errors, "name", &w.name, MAX_NAME_CHARS);
        too_long(&mut errors, "address", &w.address, MAX_ADDRESS_CHARS);
        if !w.code.is_empty() && store.warehouse_code_taken(company, &w.code, base.map(|b| b.id)).db()? {
            errors.add("code", "A warehouse with this code already exists.");
        }
        if !w.is_active && w.id == s.default_warehouse_id {
            errors.add(
                "is_active",
                "This is the company's default warehouse: choose another default before archiving it.",
            );
        }
        errors.into_result().map_err(InventoryError::Invalid)?;
        w.updated_at = ctx.now;
        match base {
            Some(_) => store.update_warehouse(&w),
            None => store.insert_warehouse(&w),
        }
        .db()?;
        let before = base.map(audit_fields);
        let record = audit::changes(
            ctx,
            audit::saved(before.as_ref()),
            ("warehouse", w.id),
            before.as_ref(),
            Some(&audit_fields(&w)),
        );
        store.audit(&record).db()?;
        Ok(w)
    }
}

fn audit_fields(w: &Warehouse) -> AuditFields {
    vec![
        ("code", w.code.clone()),
        ("name", w.name.clone()),
        ("address", w.address.clone()),
        ("is_active", w.is_active.to_string()),
    ]
}

/// Adds a location to a warehouse of the company: a code unique in the warehouse and a name.
pub fn add_location<S: InventoryStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    warehouse: &Warehouse,
    code: Option<String>,
    name: Option<String>,
    taken: impl FnOnce(&mut S, &str) -> Result<bool, S::Error>,
) -> Result<Location, InventoryError<S::Error>> {
    let mut errors = FieldErrors::default();
    let code = code.map(|c| c.trim().to_owned()).unwrap_or_default();
    let name = name.map(|c| c.trim().to_owned()).unwrap_or_default();
    for (field, value, max) in [("code", &code, MAX_CODE_CHARS), ("name", &name, MAX_NAME_CHARS)] {
        if value.is_empty() {
            errors.add(field, "This field is required.");
        }
        too_long(&mut errors, field, value, max);
    }
    if !code.is_empty() && taken(store, &code).db()? {
        errors.add("code", "This warehouse already has a location with this code.");
    }
    errors.into_result().map_err(InventoryError::Invalid)?;
    let location = Location {
        id: Uuid::now_v7(),
        company_id: ctx.books.company_id,
        warehouse_id: warehouse.id,
        code,
        name,
        created_at: ctx.now,
    };
    store.insert_location(&location).db()?;
    let record = audit::changes(
        ctx,
        "create",
        ("warehouse_location", location.id),
        None,
        Some(&vec![
            ("warehouse", warehouse.id.to_string()),
            ("code", location.code.clone()),
            ("name", location.name.clone()),
        ]),
    );
    store.audit(&record).db()?;
    Ok(location)
}
