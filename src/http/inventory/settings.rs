//! `/api/inventory/settings/`: the company's valuation method, negative-stock switch, default
//! accounts and warehouse (made on first use). The method cannot change once there are moves (409).

use axum::Json;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::inventory::settings::{self, SettingsChanges};
use crate::domain::inventory::{InventorySettings, InventoryStore};
use crate::http::company::{Idempotency, InCompany, JsonBody, perm};
use crate::http::error::{ApiError, Reply};

#[derive(Serialize, ToSchema)]
#[schema(as = InventorySettings)]
pub struct SettingsDto {
    /// `fifo` or `average` (moving average), per item and warehouse.
    method: &'static str,
    /// Whether goods may go out beyond what is on hand.
    allow_negative: bool,
    /// Whether invoicing a stock item without a delivery makes the delivery.
    invoice_creates_delivery: bool,
    inventory_account: Uuid,
    cogs_account: Uuid,
    /// Goods received not invoiced.
    grni_account: Uuid,
    adjustment_account: Uuid,
    price_difference_account: Uuid,
    default_warehouse: Uuid,
    /// Whether the company has stock moves (the method is then fixed).
    has_moves: bool,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// What a `PATCH` changes; what is left out stays.
#[derive(Deserialize, ToSchema, Default)]
#[schema(as = InventorySettingsInput)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    /// `fifo` or `average`.
    method: Option<String>,
    allow_negative: Option<bool>,
    invoice_creates_delivery: Option<bool>,
    inventory_account: Option<Uuid>,
    cogs_account: Option<Uuid>,
    grni_account: Option<Uuid>,
    adjustment_account: Option<Uuid>,
    price_difference_account: Option<Uuid>,
    default_warehouse: Option<Uuid>,
}

fn dto(s: &InventorySettings, has_moves: bool) -> SettingsDto {
    SettingsDto {
        method: s.method.as_str(),
        allow_negative: s.allow_negative,
        invoice_creates_delivery: s.invoice_creates_delivery,
        inventory_account: s.inventory_account_id,
        cogs_account: s.cogs_account_id,
        grni_account: s.grni_account_id,
        adjustment_account: s.adjustment_account_id,
        price_difference_account: s.price_difference_account_id,
        default_warehouse: s.default_warehouse_id,
        has_moves,
        updated_at: s.updated_at.to_string(),
    }
}

/// `GET`: the settings (made on first use, so this may write them). Read first: settings once
/// made are only read, so a deactivated company (closed to changes) still shows them; one that
/// never kept stock has none to show and cannot make them (404).
pub async fn show(c: InCompany<perm::ViewDocuments>, idempotency: Idempotency) -> Reply {
    let found = c
        .clone()
        .read(|tx, ctx| {
            let company = ctx.books.company_id;
            match tx.inventory_settings(company)? {
                Some(s) => Ok(Some(dto(&s, tx.has_moves(company)?))),
                None if !ctx.company.is_active => Err(ApiError::NotFound),
                None => Ok(None),
            }
        })
        .await?;
    if let Some(found) = found {
        return Ok(Json(found).into_response());
    }
    c.write(idempotency, StatusCode::OK, move |tx, ctx| {
        let s = settings::settings(tx, ctx)?;
        let has = tx.has_moves(ctx.books.company_id)?;
        Ok(dto(&s, has))
    })
    .await
}

/// `PATCH`: changes what is sent, audited.
pub async fn update(c: InCompany<perm::EditLedger>, mut body: JsonBody<SettingsBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        let b = body.parse()?;
        let s = settings::update(
            tx,
            ctx,
            SettingsChanges {
                method: b.method,
                allow_negative: b.allow_negative,
                invoice_creates_delivery: b.invoice_creates_delivery,
                inventory_account_id: b.inventory_account,
                cogs_account_id: b.cogs_account,
                grni_account_id: b.grni_account,
                adjustment_account_id: b.adjustment_account,
                price_difference_account_id: b.price_difference_account,
                default_warehouse_id: b.default_warehouse,
            },
        )?;
        let has = tx.has_moves(ctx.books.company_id)?;
        Ok(dto(&s, has))
    })
    .await
}
