//! How one API operation is described: who may call it, what it reads, what it answers. The error
//! statuses follow from that (a JSON body can be refused with 400/413/415, a token with 401, a
//! company with 403/404, …), so each entry in `paths.rs` names only what is particular to it.

use std::borrow::Cow;

use utoipa::ToSchema;
use utoipa::openapi::path::{HttpMethod, Operation, OperationBuilder, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, RefOr, Required};

use super::schemas::{boolean, date, integer, reference, string, uuid};

/// Who may call an operation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No token.
    Public,
    /// A bearer token; no company.
    User,
    /// A bearer token, in the company of `X-Company-Id` (or the user's default).
    Company,
}

/// The schemas of the document's components, by name.
pub type Components = Vec<(String, RefOr<Schema>)>;

/// A schema as an operation uses it, and, when it comes from a Rust type, how to add that type's
/// component (and every component it refers to) to the document: the fields are written once,
/// on the type (`#[derive(ToSchema)]`).
#[derive(Clone)]
pub struct Shape {
    pub schema: RefOr<Schema>,
    components: Option<fn(&mut Components)>,
}

/// A `$ref` to the component of type `T`.
pub fn shape<T: ToSchema>() -> Shape {
    fn add<T: ToSchema>(out: &mut Components) {
        out.push((T::name().into_owned(), T::schema()));
        T::schemas(out);
    }
    Shape {
        schema: reference(&T::name()),
        components: Some(add::<T>),
    }
}

impl Shape {
    /// The same components, around another schema (a page of `T`, a list of `T`).
    pub fn wrap(&self, schema: RefOr<Schema>) -> Shape {
        Shape {
            schema,
            components: self.components,
        }
    }

    fn add_to(&self, out: &mut Components) {
        if let Some(add) = self.components {
            add(out);
        }
    }
}

impl From<RefOr<Schema>> for Shape {
    fn from(schema: RefOr<Schema>) -> Shape {
        Shape {
            schema,
            components: None,
        }
    }
}

/// A component written by hand in `schemas.rs`, by name.
pub fn named(name: &str) -> Shape {
    reference(name).into()
}

/// What the request body is.
pub enum Body {
    None,
    /// A JSON body that must be there (`application/json`).
    Json(Shape),
    /// A JSON body that may be left out entirely.
    Optional(Shape),
    /// A PNG or JPEG image.
    Image,
}

/// What a successful answer carries.
pub enum Answer {
    Json(u16, Box<Shape>),
    Pdf,
    Image,
    /// Prometheus text exposition (`/metrics`).
    Metrics,
    NoContent,
}

/// A list filter or query parameter's type.
#[derive(Clone, Copy)]
pub enum Kind {
    Text,
    Bool,
    Id,
    Int,
    Date,
}

pub struct Op {
    pub method: HttpMethod,
    pub path: String,
    id: String,
    tag: &'static str,
    summary: Cow<'static, str>,
    description: Option<Cow<'static, str>>,
    access: Access,
    body: Body,
    list: bool,
    query: Vec<(&'static str, Kind, bool)>,
    idempotent: bool,
    writes: bool,
    answer: Answer,
    extra: Vec<(u16, &'static str)>,
}

pub fn op(
    method: HttpMethod,
    path: impl Into<String>,
    id: impl Into<String>,
    tag: &'static str,
    summary: impl Into<Cow<'static, str>>,
) -> Op {
    Op {
        method,
        path: path.into(),
        id: id.into(),
        tag,
        summary: summary.into(),
        description: None,
        access: Access::Company,
        body: Body::None,
        list: false,
        query: Vec::new(),
        idempotent: false,
        writes: false,
        answer: Answer::NoContent,
        extra: Vec::new(),
    }
}

impl Op {
    pub fn access(mut self, access: Access) -> Op {
        self.access = access;
        self
    }
    pub fn about(mut self, description: impl Into<Cow<'static, str>>) -> Op {
        self.description = Some(description.into());
        self
    }
    pub fn body(mut self, body: Body) -> Op {
        self.body = body;
        self
    }
    /// A DRF list: `page`, `page_size`, `search`, `ordering` and these field filters.
    pub fn list(mut self, filters: &[(&'static str, Kind)]) -> Op {
        self.list = true;
        self.query.extend(filters.iter().map(|(n, k)| (*n, *k, false)));
        self
    }
    pub fn query(mut self, name: &'static str, kind: Kind, required: bool) -> Op {
        self.query.push((name, kind, required));
        self
    }
    /// Reads an `Idempotency-Key` header.
    pub fn idempotent(mut self) -> Op {
        self.idempotent = true;
        self
    }
    /// Writes in the company's books (refused with 400 when the company is deactivated, 409 on
    /// a conflict with stored data).
    pub fn writes(mut self) -> Op {
        self.writes = true;
        self
    }
    pub fn answer(mut self, answer: Answer) -> Op {
        self.answer = answer;
        self
    }
    pub fn ok(self, schema: impl Into<Shape>) -> Op {
        self.answer(Answer::Json(200, Box::new(schema.into())))
    }
    pub fn created(self, schema: impl Into<Shape>) -> Op {
        self.answer(Answer::Json(201, Box::new(schema.into())))
    }

    /// Adds the components of the types this operation reads and answers.
    pub fn components(&self, out: &mut Components) {
        if let Body::Json(s) | Body::Optional(s) = &self.body {
            s.add_to(out);
        }
        if let Answer::Json(_, s) = &self.answer {
            s.add_to(out);
        }
    }
    /// A further status this operation answers, with its meaning.
    pub fn or(mut self, status: u16, meaning: &'static str) -> Op {
        self.extra.push((status, meaning));
        self
    }

    /// The error statuses, each once, in order, with their meaning.
    fn failures(&self) -> Vec<(u16, &'static str)> {
        let mut out: Vec<(u16, &'static str)> = Vec::new();
        let mut add = |s: u16, m: &'static str| {
            if !out.iter().any(|(o, _)| *o == s) {
                out.push((s, m));
            }
        };
        for (s, m) in &self.extra {
            add(*s, m);
        }
        match self.body {
            Body::Json(_) => {
                add(400, "Invalid input, by field; or a body that is not JSON");
                add(413, "The body is too large");
                add(415, "The body is not `application/json`");
            }
            Body::Optional(_) => {
                add(400, "Invalid input, by field; or a body that is not JSON");
                add(413, "The body is too large");
            }
            Body::Image => {
                add(400, "The file is not the image it claims to be");
                add(413, "The image is too large");
                add(415, "Not `image/png` or `image/jpeg`");
            }
            Body::None => {}
        }
        if !self.query.is_empty() || self.list {
            add(400, "A parameter has the wrong format");
        }
        if self.list {
            add(404, "No such page");
        }
        if self.access != Access::Public {
            add(401, "No token, or an invalid or expired one");
        }
        if self.access == Access::Company {
            add(403, "The caller's role does not allow this");
            add(404, "Not found, or a company the caller cannot see");
        }
        if self.path.contains("{id}") {
            add(404, "Not found");
        }
        if self.idempotent {
            add(400, "An invalid `Idempotency-Key`");
            add(409, "The `Idempotency-Key` was used for a different request");
        }
        if self.writes {
            add(400, "Refused by a rule of the books (by field)");
            add(409, "Conflicts with stored data");
        }
        out.sort_by_key(|(s, _)| *s);
        out
    }

    pub fn build(self) -> Operation {
        let mut b = OperationBuilder::new()
            .operation_id(Some(self.id.clone()))
            .tag(self.tag)
            .summary(Some(self.summary.clone().into_owned()))
            .description(self.description.clone().map(Cow::into_owned));
        if self.access != Access::Public {
            b = b.security(SecurityRequirement::new("bearer", Vec::<String>::new()));
        }
        if self.path.contains("{id}") {
            b = b.parameter(param("id", ParameterIn::Path, uuid(), true, None));
        }
        if self.access == Access::Company {
            b = b.parameter(param(
                "X-Company-Id",
                ParameterIn::Header,
                uuid(),
                false,
                Some("The company to work in; the user's default company when left out"),
            ));
        }
        if self.idempotent {
            b = b.parameter(param(
                "Idempotency-Key",
                ParameterIn::Header,
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(255))
                    .into(),
                false,
                Some("A retry with the same key and body gets the first answer back, and changes nothing"),
            ));
        }
        if self.list {
            b = b
                .parameter(param("page", ParameterIn::Query, positive(), false, None))
                .parameter(param(
                    "page_size",
                    ParameterIn::Query,
                    positive(),
                    false,
                    Some("Default 20, at most 200"),
                ))
                .parameter(param("search", ParameterIn::Query, string(), false, None))
                .parameter(param(
                    "ordering",
                    ParameterIn::Query,
                    string(),
                    false,
                    Some("Field names, comma-separated, `-` for descending"),
                ));
        }
        for (name, kind, required) in &self.query {
            let schema = match kind {
                Kind::Text => string(),
                Kind::Bool => boolean(),
                Kind::Id => uuid(),
                Kind::Int => integer(),
                Kind::Date => date(),
            };
            b = b.parameter(param(name, ParameterIn::Query, schema, *required, None));
        }
        b = match self.body {
            Body::None => b,
            Body::Json(ref shape) | Body::Optional(ref shape) => b.request_body(Some(
                RequestBodyBuilder::new()
                    .content(
                        "application/json",
                        ContentBuilder::new().schema(Some(shape.schema.clone())).build(),
                    )
                    .required(Some(if matches!(self.body, Body::Json(_)) {
                        Required::True
                    } else {
                        Required::False
                    }))
                    .build(),
            )),
            Body::Image => b.request_body(Some(
                RequestBodyBuilder::new()
                    .content("image/png", binary())
                    .content("image/jpeg", binary())
                    .required(Some(Required::True))
                    .build(),
            )),
        };
        let failures = self.failures();
        b = match self.answer {
            Answer::Json(status, shape) => b.response(
                status.to_string(),
                ResponseBuilder::new()
                    .description("Success")
                    .content(
                        "application/json",
                        ContentBuilder::new().schema(Some(shape.schema)).build(),
                    )
                    .build(),
            ),
            Answer::Pdf => b.response(
                "200",
                ResponseBuilder::new()
                    .description("The PDF")
                    .content("application/pdf", binary())
                    .build(),
            ),
            Answer::Image => b.response(
                "200",
                ResponseBuilder::new()
                    .description("The image as stored")
                    .content("image/png", binary())
                    .content("image/jpeg", binary())
                    .build(),
            ),
            Answer::Metrics => b.response(
                "200",
                ResponseBuilder::new()
                    .description("Prometheus text exposition format 0.0.4")
                    .content(
                        "text/plain",
                        ContentBuilder::new()
                            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                            .build(),
                    )
                    .build(),
            ),
            Answer::NoContent => b.response("204", ResponseBuilder::new().description("Done").build()),
        };
        for (status, meaning) in failures {
            b = b.response(status.to_string(), failure(status, meaning, &self.id));
        }
        b.build()
    }
}

fn param(name: &str, at: ParameterIn, schema: RefOr<Schema>, required: bool, about: Option<&str>) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(at)
        .required(if required { Required::True } else { Required::False })
        .schema(Some(schema))
        .description(about)
        .build()
}

fn positive() -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)).into()
}

fn binary() -> utoipa::openapi::Content {
    ContentBuilder::new()
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))),
        ))
        .build()
}

/// An error answer: DRF's `{"detail": …}`, or `{"field": ["message"]}` for a 400. A 413 may come
/// from the body reader before any handler runs, so its body is not described.
fn failure(status: u16, meaning: &str, id: &str) -> Response {
    let schema = match status {
        400 => Some(reference("BadRequest")),
        401 if id == "login" => Some(reference("LoginFailed")),
        413 => None,
        _ => Some(reference("Detail")),
    };
    let b = ResponseBuilder::new().description(meaning);
    match schema {
        Some(s) => b
            .content("application/json", ContentBuilder::new().schema(Some(s)).build())
            .build(),
        None => b.build(),
    }
}
