//! `/api/sales/customers/` and `/api/purchase/vendors/`: one contacts table seen from two sides.
//! A contact created through `/customers/` is a customer (and through `/vendors/` a vendor);
//! each endpoint shows only the contacts of its side. Contacts are archived, never deleted.
//!
//! Also here, for the items and tax-rate handlers too: [`Fields`], which reads a JSON body field by
//! field so that a value of the wrong type is reported under its field name, and [`audit`].

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::books::{Access, in_books};
use super::conventions::{list_request, render};
use super::error::ApiError;
use super::extract::{ApiJson, Bearer, CompanyHeader, QueryPairs, parse_id};
use crate::app::AppState;
use crate::auth::jwt::Claims;
use crate::domain::FieldErrors;
use crate::domain::accounts::Account;
use crate::domain::contacts::{self as rules, Contact, ContactInput, ContactRole, Lookup};
use crate::domain::ledger::{AuditRecord, Ctx, LedgerStore};
use crate::domain::roles::Action;
use crate::store::{StoreError, Tx, accounts, contacts};

// ------------------------------------------------------------------ reading bodies field by field

/// A JSON object body, read one field at a time. Each reader answers `None` when the field is
/// absent (a `PATCH` keeps the stored value) and records an error under the field's name when
/// its value has the wrong type, so one response lists every bad field.
pub struct Fields {
    map: Map<String, Value>,
    errors: FieldErrors,
}

impl Fields {
    pub fn new(body: Value) -> Result<Fields, ApiError> {
        match body {
            Value::Object(map) => Ok(Fields {
                map,
                errors: FieldErrors::default(),
            }),
            other => Err(ApiError::field(
                "non_field_errors",
                format!("Invalid data. Expected a dictionary, but got {}.", type_name(&other)),
            )),
        }
    }

    /// Records "This field is required." for each of `fields` the body does not have.
    pub fn require(&mut self, fields: &[&str]) {
        for f in fields {
            if !self.map.contains_key(*f) {
                self.errors.add(f, "This field is required.");
            }
        }
    }

    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.errors.add(field, message);
    }

    /// The value, `None` when absent; `null` is refused unless `nullable`.
    fn get(&mut self, field: &str, nullable: bool) -> Option<Value> {
        match self.map.remove(field) {
            None => None,
            Some(Value::Null) if !nullable => {
                self.errors.add(field, "This field may not be null.");
                None
            }
            Some(v) => Some(v),
        }
    }

    pub fn text(&mut self, field: &str) -> Option<String> {
        match self.get(field, false)? {
            Value::String(s) => Some(s),
            _ => {
                self.errors.add(field, "Not a valid string.");
                None
            }
        }
    }

    /// A text field that may be `null` (cleared).
    pub fn opt_text(&mut self, field: &str) -> Option<Option<String>> {
        match self.get(field, true)? {
            Value::Null => Some(None),
            Value::String(s) => Some(Some(s)),
            _ => {
                self.errors.add(field, "Not a valid string.");
                None
            }
        }
    }

    pub fn boolean(&mut self, field: &str) -> Option<bool> {
        match self.get(field, false)? {
            Value::Bool(b) => Some(b),
            _ => {
                self.errors.add(field, "Must be a valid boolean.");
                None
            }
        }
    }

    pub fn int(&mut self, field: &str) -> Option<i64> {
        let parsed = match self.get(field, false)? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        if parsed.is_none() {
            self.errors.add(field, "A valid integer is required.");
        }
        parsed
    }

    /// A reference to another record: an id, or `null`/`""` for none.
    pub fn id(&mut self, field: &str) -> Option<Option<Uuid>> {
        match self.get(field, true)? {
            Value::Null => Some(None),
            Value::String(s) if s.is_empty() => Some(None),
            Value::String(s) => match Uuid::parse_str(&s) {
                Ok(id) => Some(Some(id)),
                Err(_) => {
                    self.errors.add(field, format!("\"{s}\" is not a valid UUID."));
                    None
                }
            },
            _ => {
                self.errors.add(field, "Not a valid UUID.");
                None
            }
        }
    }

    pub fn text_list(&mut self, field: &str) -> Option<Vec<String>> {
        match self.get(field, false)? {
            Value::Array(items) => {
                let texts: Option<Vec<String>> = items.into_iter().map(|v| v.as_str().map(str::to_owned)).collect();
                if texts.is_none() {
                    self.errors.add(field, "Each element must be a string.");
                }
                texts
            }
            other => {
                self.errors.add(
                    field,
                    format!("Expected a list of items but got type \"{}\".", type_name(&other)),
                );
                None
            }
        }
    }

    /// An exact decimal (an amount, a percentage) as text. Whole JSON numbers are exact and
    /// accepted; fractional ones are refused, since JSON parsers read them as floats.
    pub fn decimal(&mut self, field: &str) -> Option<String> {
        match self.get(field, false)? {
            Value::String(s) => Some(s),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
            _ => {
                self.errors.add(
                    field,
                    "Send a decimal as a string, such as \"7.50\": a JSON number may lose precision.",
                );
                None
            }
        }
    }

    /// The errors found while reading together with the domain's verdict: `Ok` only when
    /// there are none at all.
    pub fn finish<T>(mut self, checked: Result<T, FieldErrors>) -> Result<T, ApiError> {
        match checked {
            Ok(v) if self.errors.is_empty() => Ok(v),
            Ok(_) => Err(ApiError::Validation(self.errors)),
            Err(more) => {
                for (field, messages) in more.0 {
                    for m in messages {
                        self.errors.add(&field, m);
                    }
                }
                Err(ApiError::Validation(self.errors))
            }
        }
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// Looks a reference up only when the request sets it (`Some(Some(id))`).
pub fn fetch<T>(
    set: Option<Option<Uuid>>,
    get: impl FnOnce(Uuid) -> Result<Option<T>, StoreError>,
) -> Result<Option<Option<T>>, StoreError> {
    match set {
        Some(Some(id)) => get(id).map(Some),
        _ => Ok(None),
    }
}

/// What [`fetch`] found, as the domain's rules take it.
pub fn lookup<T>(found: &Option<Option<T>>) -> Lookup<'_, T> {
    match found {
        None => Lookup::Unchecked,
        Some(None) => Lookup::Missing,
        Some(Some(t)) => Lookup::Found(t),
    }
}

/// The account a request sets, looked up in the request's company.
pub fn fetch_account(
    tx: &mut Tx,
    company: Uuid,
    set: Option<Option<Uuid>>,
) -> Result<Option<Option<Account>>, StoreError> {
    fetch(set, |id| accounts::get(tx, company, id))
}

/// The time of a change, to the microsecond the store keeps: the answer to a write shows the
/// same `created_at`/`updated_at` as any later read.
pub fn now() -> Timestamp {
    let t = Timestamp::now();
    Timestamp::from_microsecond(t.as_microsecond()).unwrap_or(t)
}

/// How the audit trail reads an object: `(field, value)` pairs.
pub type AuditFields = Vec<(&'static str, String)>;

/// Records a create or an update in the company's audit trail, with the fields that changed.
pub fn audit(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    object_type: &'static str,
    object_id: Uuid,
    before: Option<AuditFields>,
    after: AuditFields,
) -> Result<(), ApiError> {
    let action = if before.is_some() { "update" } else { "create" };
    let before = before.unwrap_or_default();
    let changes = after
        .into_iter()
        .map(|(field, a)| {
            let b = before
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            (field.to_owned(), b, a)
        })
        .filter(|(_, b, a)| b != a)
        .collect();
    let record = AuditRecord {
        company_id: ctx.books.company_id,
        actor: ctx.actor,
        action,
        object_type,
        object_id,
        changes,
    };
    LedgerStore::audit(tx, &record)?;
    Ok(())
}

// ------------------------------------------------------------------ contacts

#[derive(Serialize)]
pub struct ContactDto {
    pub id: Uuid,
    pub name: String,
    pub is_customer: bool,
    pub is_vendor: bool,
    pub tax_id: String,
    pub emails: Vec<String>,
    pub phone: String,
    pub billing_address: String,
    pub shipping_address: String,
    pub country: String,
    pub payment_terms_days: i64,
    /// The contact's own currency, or the company's when it has none.
    pub currency: String,
    pub revenue_account: Option<Uuid>,
    pub expense_account: Option<Uuid>,
    pub notes: String,
    pub is_active: bool,
    /// What the contact owes (positive) or is owed (negative), in the company currency: open
    /// invoices less credits and unallocated payments, less open bills.
    pub balance: String,
    pub created_at: String,
    pub updated_at: String,
}

impl ContactDto {
    /// The DTO with the contact's balance on the side it is seen from (customers: what they owe
    /// us; vendors: what we owe them), read in the same transaction.
    fn with_balance(
        c: &Contact,
        company: &crate::domain::tenants::Company,
        role: ContactRole,
        tx: &mut crate::store::Tx,
    ) -> Result<Self, ApiError> {
        let mut dto = ContactDto::new(c, &company.currency);
        let sales = role == ContactRole::Customer;
        let balance = crate::store::documents::contact_balance(tx, company.id, c.id, sales)?;
        dto.balance = crate::domain::money::format(balance, crate::domain::money::decimals(&company.currency));
        Ok(dto)
    }

    pub fn new(c: &Contact, company_currency: &str) -> Self {
        ContactDto {
            id: c.id,
            name: c.name.clone(),
            is_customer: c.is_customer,
            is_vendor: c.is_vendor,
            tax_id: c.tax_id.clone(),
            emails: c.emails.clone(),
            phone: c.phone.clone(),
            billing_address: c.billing_address.clone(),
            shipping_address: c.shipping_address.clone(),
            country: c.country.clone(),
            payment_terms_days: c.payment_terms_days,
            currency: c.currency.clone().unwrap_or_else(|| company_currency.to_owned()),
            revenue_account: c.revenue_account_id,
            expense_account: c.expense_account_id,
            notes: c.notes.clone(),
            is_active: c.is_active,
            balance: crate::domain::money::format(0, crate::domain::money::decimals(company_currency)),
            created_at: c.created_at.to_string(),
            updated_at: c.updated_at.to_string(),
        }
    }
}

fn contact_fields(c: &Contact) -> AuditFields {
    let id = |v: Option<Uuid>| v.map(|u| u.to_string()).unwrap_or_default();
    vec![
        ("name", c.name.clone()),
        ("is_customer", c.is_customer.to_string()),
        ("is_vendor", c.is_vendor.to_string()),
        ("tax_id", c.tax_id.clone()),
        ("emails", c.emails.join(", ")),
        ("country", c.country.clone()),
        ("payment_terms_days", c.payment_terms_days.to_string()),
        ("currency", c.currency.clone().unwrap_or_default()),
        ("revenue_account", id(c.revenue_account_id)),
        ("expense_account", id(c.expense_account_id)),
        ("is_active", c.is_active.to_string()),
    ]
}

async fn list(
    app: AppState,
    claims: Claims,
    company: Option<String>,
    role: ContactRole,
    uri: axum::http::Uri,
    headers: HeaderMap,
    q: Vec<(String, String)>,
) -> Result<Response, ApiError> {
    let req = list_request(&q)?;
    let query = req.clone();
    let page = in_books(
        &app,
        claims,
        company,
        Action::ViewDocuments,
        Access::Read,
        move |tx, _, company| {
            let page = contacts::page(tx, company.id, role, &query)?;
            let mut items = Vec::with_capacity(page.items.len());
            for c in &page.items {
                items.push(ContactDto::with_balance(c, company, role, tx)?);
            }
            Ok(crate::store::list::Page {
                count: page.count,
                items,
            })
        },
    )
    .await?;
    Ok(render(&uri, &headers, &req, page, |c| c))
}

async fn get(
    app: AppState,
    claims: Claims,
    company: Option<String>,
    role: ContactRole,
    id: &str,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(id)?;
    in_books(
        &app,
        claims,
        company,
        Action::ViewDocuments,
        Access::Read,
        move |tx, _, company| {
            let contact = contacts::get(tx, company.id, id)?
                .filter(|c| role.is(c))
                .ok_or(ApiError::NotFound)?;
            Ok(Json(json!(ContactDto::with_balance(&contact, company, role, tx)?)))
        },
    )
    .await
}

/// Creates (`id` = `None`) or changes a contact through the endpoint of `role`.
async fn save(
    app: AppState,
    claims: Claims,
    company: Option<String>,
    role: ContactRole,
    id: Option<Uuid>,
    body: Value,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    in_books(
        &app,
        claims,
        company,
        Action::EditDocuments,
        Access::Write,
        move |tx, ctx, company| {
            let existing = match id {
                Some(id) => Some(
                    contacts::get(tx, company.id, id)?
                        .filter(|c| role.is(c))
                        .ok_or(ApiError::NotFound)?,
                ),
                None => None,
            };
            let mut body = Fields::new(body)?;
            let mut input = existing.as_ref().map(ContactInput::from).unwrap_or_default();
            if existing.is_none() {
                body.require(&["name"]);
                role.set(&mut input, true);
            }
            if let Some(v) = body.boolean(role.field()) {
                if existing.is_none() && !v {
                    let other = match role {
                        ContactRole::Customer => "/api/purchase/vendors/",
                        ContactRole::Vendor => "/api/sales/customers/",
                    };
                    body.error(
                        role.field(),
                        format!("Contacts created here have this role; create the contact through {other}."),
                    );
                } else {
                    role.set(&mut input, v);
                }
            }
            if let Some(v) = body.boolean(role.other().field()) {
                role.other().set(&mut input, v);
            }
            for (field, target) in [
                ("name", &mut input.name),
                ("tax_id", &mut input.tax_id),
                ("phone", &mut input.phone),
                ("billing_address", &mut input.billing_address),
                ("shipping_address", &mut input.shipping_address),
                ("country", &mut input.country),
                ("notes", &mut input.notes),
            ] {
                if let Some(v) = body.text(field) {
                    *target = v;
                }
            }
            if let Some(v) = body.text_list("emails") {
                input.emails = v;
            }
            if let Some(v) = body.int("payment_terms_days") {
                input.payment_terms_days = v;
            }
            if let Some(v) = body.opt_text("currency") {
                input.currency = v;
            }
            if let Some(v) = body.boolean("is_active") {
                input.is_active = v;
            }
            let revenue_set = body.id("revenue_account");
            let expense_set = body.id("expense_account");
            if let Some(v) = revenue_set {
                input.revenue_account_id = v;
            }
            if let Some(v) = expense_set {
                input.expense_account_id = v;
            }
            input.normalize();
            let revenue = fetch_account(tx, company.id, revenue_set)?;
            let expense = fetch_account(tx, company.id, expense_set)?;
            body.finish(rules::check(&input, role, lookup(&revenue), lookup(&expense)))?;

            let contact = input.into_contact(existing.as_ref(), company.id, now());
            match &existing {
                Some(_) => contacts::update(tx, &contact)?,
                None => contacts::insert(tx, &contact)?,
            }
            audit(
                tx,
                ctx,
                "contact",
                contact.id,
                existing.as_ref().map(contact_fields),
                contact_fields(&contact),
            )?;
            let status = if existing.is_some() {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            Ok((
                status,
                Json(json!(ContactDto::with_balance(&contact, company, role, tx)?)),
            ))
        },
    )
    .await
}

pub async fn list_customers(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    QueryPairs(q): QueryPairs,
) -> Result<Response, ApiError> {
    list(app, claims, company, ContactRole::Customer, uri, headers, q).await
}

pub async fn list_vendors(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    QueryPairs(q): QueryPairs,
) -> Result<Response, ApiError> {
    list(app, claims, company, ContactRole::Vendor, uri, headers, q).await
}

pub async fn get_customer(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    get(app, claims, company, ContactRole::Customer, &id).await
}

pub async fn get_vendor(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    get(app, claims, company, ContactRole::Vendor, &id).await
}

pub async fn create_customer(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    ApiJson(body): ApiJson<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    save(app, claims, company, ContactRole::Customer, None, body).await
}

pub async fn create_vendor(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    ApiJson(body): ApiJson<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    save(app, claims, company, ContactRole::Vendor, None, body).await
}

pub async fn update_customer(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id)?;
    save(app, claims, company, ContactRole::Customer, Some(id), body)
        .await
        .map(|(_, j)| j)
}

pub async fn update_vendor(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id)?;
    save(app, claims, company, ContactRole::Vendor, Some(id), body)
        .await
        .map(|(_, j)| j)
}
