//! `/api/inventory/warehouses/`: a company's warehouses (archived, never deleted), served by the
//! generic handlers of `http::resource`, and `…/{id}/locations/`, the locations within one.

use axum::Json;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::Kept;
use crate::domain::books::Books;
use crate::domain::inventory::warehouses::{WarehouseChanges, add_location};
use crate::domain::inventory::{Location, Warehouse};
use crate::http::company::{Id, InCompany, JsonBody, perm};
use crate::http::error::{ApiError, Reply};
use crate::http::fields::fields_body;
use crate::http::resource::{Records, Shows};
use crate::store::Tx;

fields_body! {
    /// A warehouse as a create, `PUT` or `PATCH` sends it. A create and a `PUT` need `code` and
    /// `name`; a `PATCH` changes only what it sends.
    #[schema(as = WarehouseInput)]
    pub struct WarehouseBody into WarehouseChanges {
        /// Unique in the company whatever its case.
        code: String = text,
        name: String = text,
        address: String = text,
        /// `false` archives it (not the company's default warehouse).
        is_active: bool = boolean,
    }
    nullable {
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = Warehouse)]
pub struct WarehouseDto {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub address: String,
    pub is_active: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl Shows<Warehouse> for WarehouseDto {
    fn show(w: &Warehouse, _: &Books) -> Self {
        WarehouseDto {
            id: w.id,
            code: w.code.clone(),
            name: w.name.clone(),
            address: w.address.clone(),
            is_active: w.is_active,
            created_at: w.created_at.to_string(),
            updated_at: w.updated_at.to_string(),
        }
    }
}

/// The company's warehouses.
pub type Warehouses = Records<perm::ViewDocuments, perm::EditDocuments, Warehouse, WarehouseDto, WarehouseBody>;

#[derive(Serialize, ToSchema)]
#[schema(as = WarehouseLocation)]
pub struct LocationDto {
    id: Uuid,
    warehouse: Uuid,
    code: String,
    name: String,
    #[schema(format = DateTime)]
    created_at: String,
}

/// A warehouse's locations, by code.
#[derive(Serialize, ToSchema)]
#[schema(as = WarehouseLocations)]
pub struct LocationsDto {
    count: usize,
    results: Vec<LocationDto>,
}

/// A new location: a code unique in the warehouse and a name.
#[derive(Deserialize, ToSchema)]
#[schema(as = WarehouseLocationInput)]
pub struct LocationBody {
    code: Option<String>,
    name: Option<String>,
}

fn location_dto(l: &Location) -> LocationDto {
    LocationDto {
        id: l.id,
        warehouse: l.warehouse_id,
        code: l.code.clone(),
        name: l.name.clone(),
        created_at: l.created_at.to_string(),
    }
}

/// `GET …/{id}/locations/`.
pub async fn locations(c: InCompany<perm::ViewDocuments>, Id(id): Id) -> Reply<Json<LocationsDto>> {
    c.read(move |tx: &mut Tx, ctx| {
        let w = Warehouse::find(tx, ctx, id).map_err(ApiError::from)?;
        let list = crate::store::inventory::locations(tx, ctx.books.company_id, w.id)?;
        Ok(Json(LocationsDto {
            count: list.len(),
            results: list.iter().map(location_dto).collect(),
        }))
    })
    .await
}

/// `POST …/{id}/locations/` (201).
pub async fn add(c: InCompany<perm::EditDocuments>, Id(id): Id, mut body: JsonBody<LocationBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::CREATED, move |tx, ctx| {
        let w = Warehouse::find(tx, ctx, id).map_err(ApiError::from)?;
        let b = body.parse()?;
        let l = add_location(tx, ctx, &w, b.code, b.name, |tx, code| {
            crate::store::inventory_lists::location_code_taken(tx, w.id, code)
        })?;
        Ok(location_dto(&l))
    })
    .await
}
