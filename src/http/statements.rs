//! `GET /api/sales/customers/{id}/statement/` (JSON) and `…/statement/pdf/`: what a customer was
//! charged and paid over a period, the balance they owe, and how old it is.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::books::{Access, in_books};
use super::conventions::optional_date;
use super::error::ApiError;
use super::extract::{Bearer, CompanyHeader, QueryPairs, parse_id};
use crate::app::AppState;
use crate::domain::money;
use crate::domain::roles::Action;
use crate::pdf;
use crate::store::{documents, ledger::parse_date};

async fn build(
    app: &AppState,
    claims: crate::auth::jwt::Claims,
    company: Option<String>,
    id: &str,
    q: &[(String, String)],
) -> Result<(pdf::Document, pdf::Template), ApiError> {
    let id = parse_id(id)?;
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let to = optional_date("date_to", get("date_to"))?;
    let from = optional_date("date_from", get("date_from"))?;
    in_books(app, claims, company, Action::ViewDocuments, Access::Read, move |tx, ctx, company| {
        let to = to.unwrap_or(ctx.today);
        let from = from.unwrap_or_else(|| to.first_of_month());
        if from > to {
            return Err(ApiError::field(
                "date_from",
                "The start of the period is after its end.",
            ));
        }
        let contact = tx
            .query_opt(
                "SELECT name, billing_address, tax_id FROM contacts WHERE company_id = $1 AND id = $2 AND is_customer = $3",
                crate::params![company.id, id, true],
            )?
            .ok_or(ApiError::NotFound)?;
        let (opening, rows) = documents::statement(tx, company.id, id, &from.to_string(), &to.to_string())?;
        let mut ageing = [0i64; 5];
        for (c, _, date, amount) in documents::open_items(tx, company.id, true, &to.to_string())? {
            if c == id {
                let days = (to - parse_date(&date)?).get_days() as i64;
                let b = crate::domain::documents::ageing_bucket(days);
                ageing[b] = ageing[b].saturating_add(amount);
            }
        }
        let (logo, template) = super::documents::print::firm_look(tx, company)?;
        let non_empty = |s: String| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        let statement_rows = rows
            .into_iter()
            .map(|l| {
                Ok(pdf::StatementRow {
                    date: parse_date(&l.date)?,
                    document: l.document,
                    description: l.description,
                    debit: l.debit,
                    credit: l.credit,
                })
            })
            .collect::<Result<Vec<_>, crate::store::StoreError>>()?;
        let doc = pdf::Document {
            kind: pdf::DocumentKind::Statement,
            company: pdf::Company {
                name: company.name.clone(),
                address: company.address.lines().map(str::to_owned).collect(),
                tax_id: non_empty(company.tax_id.clone()),
                email: non_empty(company.email.clone()),
                phone: non_empty(company.phone.clone()),
                logo,
            },
            recipient: pdf::Recipient {
                name: contact.text(0)?,
                address: contact.text(1)?.lines().map(str::to_owned).collect(),
                tax_id: non_empty(contact.text(2)?),
            },
            number: format!("{from} – {to}"),
            issue_date: to,
            due_date: None,
            reference: None,
            currency: company.currency.clone(),
            statement: pdf::Statement {
                period_start: Some(from),
                opening_balance: opening,
                rows: statement_rows,
                ageing: pdf::Ageing {
                    current: ageing[0],
                    days_1_30: ageing[1],
                    days_31_60: ageing[2],
                    days_61_90: ageing[3],
                    over_90: ageing[4],
                },
            },
            ..pdf::Document::default()
        };
        Ok((doc, template))
    })
    .await
}

pub async fn json(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    QueryPairs(q): QueryPairs,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (doc, _) = build(&app, claims, company, &id, &q).await?;
    let d = money::decimals(&doc.currency);
    let m = |v: i64| money::format(v, d);
    let s = &doc.statement;
    let mut running = s.opening_balance;
    let rows: Vec<serde_json::Value> = s
        .rows
        .iter()
        .map(|r| {
            running = running.saturating_add(r.debit).saturating_sub(r.credit);
            json!({"date": r.date.to_string(), "document": r.document, "description": r.description,
                   "debit": m(r.debit), "credit": m(r.credit), "balance": m(running)})
        })
        .collect();
    let a = s.ageing;
    let body = json!({
        "customer": doc.recipient.name,
        "currency": doc.currency,
        "date_from": s.period_start.map(|d| d.to_string()),
        "date_to": doc.issue_date.to_string(),
        "opening_balance": m(s.opening_balance),
        "rows": rows,
        "closing_balance": m(running),
        "ageing": {"current": m(a.current), "1_30": m(a.days_1_30), "31_60": m(a.days_31_60),
                   "61_90": m(a.days_61_90), "over_90": m(a.over_90)},
    });
    Ok(([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response())
}

pub async fn pdf(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    QueryPairs(q): QueryPairs,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (doc, template) = build(&app, claims, company, &id, &q).await?;
    let bytes = app
        .blocking(move |_| pdf::render(&doc, &template).map_err(|e| ApiError::Internal(e.to_string())))
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"statement.pdf\"".to_owned(),
            ),
        ],
        bytes,
    )
        .into_response())
}
