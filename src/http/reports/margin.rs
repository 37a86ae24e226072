//! `GET /api/inventory/reports/margin/?date_from=&date_to=`: gross margin per stock item and per
//! customer over a period (issue 19). Revenue from the invoices (less credit notes) issued in
//! the period, the cost of goods sold from the stock moves linked to them
//! (`store::reports::margin` says how).

use axum::Json;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::super::company::{InCompany, perm};
use super::super::error::{ApiError, Reply};
use super::ReportQuery;
use crate::domain::money;
use crate::domain::reports::inventory::{Margin, format_permille, margins};
use crate::store::reports::margin::{names, sales};

/// Revenue, cost of goods sold and gross margin of one item or customer (or all).
#[derive(Serialize, ToSchema)]
pub struct MarginRowDto {
    /// The item's or the customer's id (absent on the totals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// The item's code (empty for a customer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub revenue: String,
    pub cogs: String,
    pub margin: String,
    /// Margin as a percentage of revenue, one decimal; null without revenue.
    pub margin_percent: Option<String>,
}

/// Gross margin per item and per customer over a period, and in all.
#[derive(Serialize, ToSchema)]
#[schema(as = InventoryMargin)]
pub struct MarginDto {
    #[schema(format = Date)]
    pub date_from: String,
    #[schema(format = Date)]
    pub date_to: String,
    pub currency: String,
    pub items: Vec<MarginRowDto>,
    pub customers: Vec<MarginRowDto>,
    pub total: MarginRowDto,
}

fn row(id: Option<Uuid>, code: Option<String>, name: Option<String>, m: Margin, d: u32) -> MarginRowDto {
    MarginRowDto {
        id,
        code,
        name,
        revenue: money::format(m.revenue, d),
        cogs: money::format(m.cogs, d),
        margin: money::format(m.margin, d),
        margin_percent: m.permille.map(format_permille),
    }
}

/// `date_to` defaults to today, `date_from` to the start of `date_to`'s month.
pub async fn margin(c: InCompany<perm::ViewReports>, q: ReportQuery) -> Reply<Response> {
    let from = q.date("date_from")?;
    let to = q.date("date_to")?;
    let dto = c
        .read(move |tx, ctx| {
            let (from, to) = crate::domain::reports::period(from, to, ctx.today, Date::first_of_month)
                .ok_or_else(|| ApiError::field("date_from", "date_from must not be after date_to."))?;
            let company = ctx.books.company_id;
            let d = ctx.books.decimals;
            let sold = sales(tx, company, &ctx.books.currency, d, from, to)?;
            let (per_item, per_customer, total) = margins(&sold)?;
            let ids: Vec<Uuid> = per_item.iter().map(|(id, _)| *id).collect();
            let items = names(tx, company, "items", &ids)?;
            let ids: Vec<Uuid> = per_customer.iter().map(|(id, _)| *id).collect();
            let customers = names(tx, company, "contacts", &ids)?;
            let find = |list: &[(Uuid, String, String)], id: Uuid| {
                list.iter()
                    .find(|(i, _, _)| *i == id)
                    .map(|(_, c, n)| (c.clone(), n.clone()))
                    .unwrap_or_default()
            };
            let mut items: Vec<MarginRowDto> = per_item
                .into_iter()
                .map(|(id, m)| {
                    let (code, name) = find(&items, id);
                    row(Some(id), Some(code), Some(name), m, d)
                })
                .collect();
            items.sort_by(|a, b| a.code.cmp(&b.code));
            let mut customers: Vec<MarginRowDto> = per_customer
                .into_iter()
                .map(|(id, m)| row(Some(id), None, Some(find(&customers, id).1), m, d))
                .collect();
            customers.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(MarginDto {
                date_from: from.to_string(),
                date_to: to.to_string(),
                currency: ctx.books.currency.clone(),
                items,
                customers,
                total: row(None, None, None, total, d),
            })
        })
        .await?;
    Ok(Json(dto).into_response())
}
