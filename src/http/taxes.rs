//! `/api/accounting/tax-rates/`: the company's tax rates, served by the generic handlers of
//! `http::resource`. Reading needs `documents.view`; creating and changing a rate needs
//! `documents.issue`, since rates decide what documents post. Rates are archived
//! (`is_active: false`), never deleted.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::company::perm;
use super::fields::fields_body;
use super::resource::{Records, Shows};
use crate::domain::books::Books;
use crate::domain::taxes::{TaxRate, TaxRateChanges, format_percent};

fields_body! {
    /// A tax rate as a create, `PUT` or `PATCH` sends it. A create and a `PUT` need `name`,
    /// `kind` and `rate`; a `PATCH` changes only what it sends.
    #[schema(as = TaxRateInput)]
    pub struct TaxRateBody into TaxRateChanges {
        name: String = text,
        /// `vat`, `gst`, `sales_tax` or `other`.
        kind: String = text,
        /// A percentage from 0 to 100 with at most 4 decimals, as a string (`"7.5"`).
        rate: String = decimal,
        /// Prices entered with this rate include the tax.
        is_inclusive: bool = boolean,
        is_active: bool = boolean,
    }
    nullable {
        /// A liability account; for a new rate, left out or `null`: the company's `tax`
        /// liability. A stored rate's account cannot be cleared.
        sales_account: Uuid = id,
        /// An asset or liability account; for a new rate, left out or `null`: the company's
        /// `tax` asset, else the sales account.
        purchase_account: Uuid = id,
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = TaxRate)]
pub struct TaxRateDto {
    pub id: Uuid,
    pub name: String,
    /// `vat`, `gst`, `sales_tax` or `other`.
    pub kind: &'static str,
    /// A percentage, as a decimal string without trailing zeros: `"20"`, `"7.5"`.
    pub rate: String,
    pub is_inclusive: bool,
    pub sales_account: Uuid,
    pub purchase_account: Uuid,
    pub is_active: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl Shows<TaxRate> for TaxRateDto {
    fn show(t: &TaxRate, _: &Books) -> Self {
        TaxRateDto {
            id: t.id,
            name: t.name.clone(),
            kind: t.kind.as_str(),
            rate: format_percent(t.rate_ppm),
            is_inclusive: t.is_inclusive,
            sales_account: t.sales_account_id,
            purchase_account: t.purchase_account_id,
            is_active: t.is_active,
            created_at: t.created_at.to_string(),
            updated_at: t.updated_at.to_string(),
        }
    }
}

/// The company's tax rates.
pub type TaxRates = Records<perm::ViewDocuments, perm::IssueDocuments, TaxRate, TaxRateDto, TaxRateBody>;
