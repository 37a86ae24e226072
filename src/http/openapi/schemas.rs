//! The OpenAPI component schemas: the JSON bodies the handlers read and write, field by field.
//!
//! Responses list every field as required (the handlers always write them all, `null` included);
//! request bodies require only what the handler refuses to go without. Amounts are decimal
//! strings (`"116.00"`), never JSON numbers, so no client parses money as a float.
//! `tests/api/openapi.rs` and the CI's Schemathesis run check these against the real answers.

use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Ref, Schema, SchemaFormat,
    SchemaType, Type,
};
use utoipa::openapi::{Components, ComponentsBuilder, RefOr};

use super::ops::Shape;

pub fn reference(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

fn typed(t: Type, format: Option<KnownFormat>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(t)
        .format(format.map(SchemaFormat::KnownFormat))
}

/// A string of a format utoipa knows only behind crate features (`uuid`, `uri`).
fn formatted(format: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::Custom(format.to_owned())))
}

pub fn string() -> RefOr<Schema> {
    typed(Type::String, None).into()
}

pub fn uuid() -> RefOr<Schema> {
    formatted("uuid").into()
}

pub fn date() -> RefOr<Schema> {
    typed(Type::String, Some(KnownFormat::Date)).into()
}

pub fn integer() -> RefOr<Schema> {
    typed(Type::Integer, Some(KnownFormat::Int64)).into()
}

pub fn boolean() -> RefOr<Schema> {
    typed(Type::Boolean, None).into()
}

pub fn choice(items: &[&str]) -> RefOr<Schema> {
    typed(Type::String, None)
        .enum_values(Some(items.iter().copied()))
        .into()
}

pub fn array(items: RefOr<Schema>) -> RefOr<Schema> {
    ArrayBuilder::new().items(items).into()
}

/// The same schema, or `null`.
pub fn nullable(s: RefOr<Schema>) -> RefOr<Schema> {
    match s {
        RefOr::T(Schema::Object(mut o)) => {
            if let SchemaType::Type(t) = o.schema_type {
                o.schema_type = SchemaType::from_iter([t, Type::Null]);
            }
            RefOr::T(Schema::Object(o))
        }
        other => OneOfBuilder::new()
            .item(other)
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .into(),
    }
}

/// An object whose listed fields are all present (a response body).
pub fn object(fields: Vec<(&str, RefOr<Schema>)>) -> RefOr<Schema> {
    let mut b = ObjectBuilder::new().schema_type(Type::Object);
    for (name, schema) in fields {
        b = b.property(name, schema).required(name);
    }
    b.into()
}

/// The DRF page: `{"count", "next", "previous", "results"}` with absolute links.
/// A DRF page of `item`s (a hand-written component's name, or a [`Shape`] from a type).
pub fn page(item: impl Into<PageItem>) -> Shape {
    let item: Shape = item.into().0;
    item.wrap(object(vec![
        ("count", integer()),
        ("next", nullable(formatted("uri").into())),
        ("previous", nullable(formatted("uri").into())),
        ("results", array(item.schema.clone())),
    ]))
}

/// What a page holds: a component by name, or a type's shape.
pub struct PageItem(Shape);

impl From<&str> for PageItem {
    fn from(name: &str) -> PageItem {
        PageItem(super::ops::named(name))
    }
}

impl From<Shape> for PageItem {
    fn from(shape: Shape) -> PageItem {
        PageItem(shape)
    }
}

fn errors() -> Vec<(&'static str, RefOr<Schema>)> {
    vec![
        ("Detail", object(vec![("detail", string())])),
        (
            "FieldErrors",
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some(
                    "Validation errors by field name (`non_field_errors` for the request as a whole)",
                ))
                .additional_properties(Some(AdditionalProperties::RefOr(array(string()))))
                .into(),
        ),
        (
            "BadRequest",
            OneOfBuilder::new()
                .item(reference("FieldErrors"))
                .item(reference("Detail"))
                .description(Some("Invalid input by field, or a request that could not be read"))
                .into(),
        ),
        ("LoginFailed", object(vec![("success", boolean()), ("error", string())])),
    ]
}

/// The body of a create: the fields of the change (`…Input`, all optional in a `PATCH`), with
/// those a new record cannot go without required.
const CREATES: &[(&str, &str, &[&str])] = &[
    ("CompanyInput", "CompanyCreate", &["name"]),
    ("UserInput", "UserCreate", &["email"]),
    ("AccountInput", "AccountCreate", &["code", "name", "type"]),
    ("JournalEntryChange", "JournalEntryInput", &["date", "lines"]),
    ("ContactInput", "ContactCreate", &["name"]),
    ("ItemInput", "ItemCreate", &["code", "name"]),
    ("WarehouseInput", "WarehouseCreate", &["code", "name"]),
    ("TaxRateInput", "TaxRateCreate", &["name", "kind", "rate"]),
    ("ExchangeRateInput", "ExchangeRateCreate", &["currency", "date", "rate"]),
    ("BudgetInput", "BudgetCreate", &["name", "fiscal_year"]),
    ("BankAccountInput", "BankAccountCreate", &["name", "account"]),
    ("BankRuleInput", "BankRuleCreate", &["name"]),
    ("DocumentChange", "DocumentInput", &["contact", "lines"]),
    (
        "RecurringInput",
        "RecurringCreate",
        &["name", "contact", "frequency", "lines"],
    ),
];

/// All component schemas, and the bearer-token security scheme.
pub fn components(from_types: super::ops::Components) -> Components {
    use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
    let mut all: Vec<(&str, RefOr<Schema>)> = errors();
    // Components derived from the types (`#[derive(ToSchema)]`) replace any hand-written one of
    // the same name.
    for (name, _) in &from_types {
        all.retain(|(n, _)| n != name);
    }
    let owned: Vec<(String, RefOr<Schema>)> = from_types;
    let mut all: Vec<(String, RefOr<Schema>)> = all.into_iter().map(|(n, s)| (n.to_owned(), s)).chain(owned).collect();
    for (change, create, required) in CREATES {
        let Some(RefOr::T(Schema::Object(mut o))) = all.iter().find(|(n, _)| n == change).map(|(_, s)| s.clone())
        else {
            continue;
        };
        o.required = required.iter().map(|r| (*r).to_owned()).collect();
        all.push(((*create).to_owned(), RefOr::T(Schema::Object(o))));
    }
    let mut b = ComponentsBuilder::new();
    for (name, schema) in all {
        b = b.schema(name, schema);
    }
    b.security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "The `access` token from `POST /api/auth/login/` (renewed with `/api/auth/token/refresh/`)",
                ))
                .build(),
        ),
    )
    .build()
}
