//! How one API operation is described: who may call it, what it reads, what it answers. The error
//! statuses follow from that (a JSON body can be refused with 400/413/415, a token with 401, a
//! role with 403, a company with 403/404, a write with 400/409, …), so each row of a table in
//! `paths/` names only what is particular to it:
//! `op("PATCH /api/tenants/users/{id}/", "updateUser", "Change a user's role, access or name")`,
//! then what it reads and answers; its tag and who may call it are the table's ([`tagged`]).

use std::borrow::Cow;

use utoipa::ToSchema;
use utoipa::openapi::path::{HttpMethod, Operation, OperationBuilder, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::{RequestBody, RequestBodyBuilder};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{Content, ContentBuilder, RefOr, Required};

use super::schemas::{boolean, choice, date, integer, page, reference, string, uuid};

/// Who may call an operation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No token.
    Public,
    /// A bearer token; no company.
    User,
    /// A bearer token whose role in the firm allows the operation (403 otherwise); no company.
    Firm,
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
    /// A `multipart/form-data` upload whose fields `shape` describes (a file field is a binary string).
    Multipart(Shape),
}

/// What a successful answer carries.
pub enum Answer {
    Json(u16, Box<Shape>),
    /// A report: JSON, or with `format=xlsx` / `csv` / `pdf` the file.
    Report(Box<Shape>),
    Pdf,
    Image,
    /// A kept document's bytes, as an attachment: any of the kinds documents are.
    File,
    /// A document shown inline: a PDF or an image browsers draw.
    Preview,
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
    /// A report's `format`: `json`, `xlsx`, `csv` or `pdf`.
    ReportFormat,
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
    /// Further successful JSON answers (a preview's 200 beside a commit's 201, a job's 202).
    also: Vec<(u16, &'static str, Shape)>,
    extra: Vec<(u16, &'static str)>,
}

/// An operation: its route (`"PATCH /api/tenants/users/{id}/"`), its `operationId`, its summary.
/// A route with no method known here before its path is kept whole, as the path of a `GET`: no
/// route is registered there, so `tests/api/openapi.rs` names it (and `openapi`'s unit test, first).
pub fn op(route: impl AsRef<str>, id: impl Into<String>, summary: impl Into<Cow<'static, str>>) -> Op {
    let route = route.as_ref();
    let (method, path) = parse_route(route).unwrap_or((HttpMethod::Get, route));
    Op {
        method,
        path: path.to_owned(),
        id: id.into(),
        tag: "",
        summary: summary.into(),
        description: None,
        access: Access::Company,
        body: Body::None,
        list: false,
        query: Vec::new(),
        idempotent: false,
        writes: false,
        answer: Answer::NoContent,
        also: Vec::new(),
        extra: Vec::new(),
    }
}

/// `"PATCH /api/tenants/{id}/"`: the method, in capitals, a space, and the path.
fn parse_route(route: &str) -> Option<(HttpMethod, &str)> {
    let (method, path) = route.split_once(' ')?;
    let method = match method {
        "GET" => HttpMethod::Get,
        "POST" => HttpMethod::Post,
        "PUT" => HttpMethod::Put,
        "PATCH" => HttpMethod::Patch,
        "DELETE" => HttpMethod::Delete,
        _ => return None,
    };
    (path.starts_with('/') && !path.contains(' ')).then_some((method, path))
}

/// A table's operations: under one tag (the documentation pages group operations by it), each
/// called with `access`.
pub fn tagged(tag: &'static str, access: Access, ops: impl IntoIterator<Item = Op>) -> Vec<Op> {
    let with = |op: Op| Op { tag, access, ..op };
    ops.into_iter().map(with).collect()
}

impl Op {
    pub fn about(mut self, description: impl Into<Cow<'static, str>>) -> Op {
        self.description = Some(description.into());
        self
    }
    fn body(mut self, body: Body) -> Op {
        self.body = body;
        self
    }
    /// A JSON body that must be there.
    pub fn json(self, shape: Shape) -> Op {
        self.body(Body::Json(shape))
    }
    /// A JSON body that may be left out.
    pub fn optional(self, shape: Shape) -> Op {
        self.body(Body::Optional(shape))
    }
    /// A PNG or JPEG image as the body.
    pub fn image(self) -> Op {
        self.body(Body::Image)
    }
    /// A `multipart/form-data` upload.
    pub fn multipart(self, shape: Shape) -> Op {
        self.body(Body::Multipart(shape))
    }
    /// A DRF list of `T`: a page of them (`page`, `page_size`), `search`, `ordering` and these
    /// field filters.
    pub fn list<T: ToSchema>(mut self, filters: &[(&'static str, Kind)]) -> Op {
        self.list = true;
        self.query.extend(filters.iter().map(|(n, k)| (*n, *k, false)));
        self.ok(page(shape::<T>()))
    }
    pub fn query(mut self, name: &'static str, kind: Kind, required: bool) -> Op {
        self.query.push((name, kind, required));
        self
    }
    /// Writes stored data: refused with 400 when a rule of the books (or a deactivated company)
    /// forbids it, 409 on a conflict with stored data.
    pub fn writes(mut self) -> Op {
        self.writes = true;
        self
    }
    /// Writes, and reads an `Idempotency-Key` header.
    pub fn idempotent(mut self) -> Op {
        self.idempotent = true;
        self.writes()
    }
    pub fn answer(mut self, answer: Answer) -> Op {
        self.answer = answer;
        self
    }
    pub fn ok(self, schema: impl Into<Shape>) -> Op {
        self.answer(Answer::Json(200, Box::new(schema.into())))
    }
    /// A report: `format=json` (default) answers `schema`, `xlsx`, `csv` and `pdf` the file.
    pub fn report(mut self, schema: impl Into<Shape>) -> Op {
        self.query.push(("format", Kind::ReportFormat, false));
        self.answer(Answer::Report(Box::new(schema.into())))
    }
    pub fn created(self, schema: impl Into<Shape>) -> Op {
        self.answer(Answer::Json(201, Box::new(schema.into())))
    }
    /// A further successful JSON answer, with its meaning.
    pub fn also(mut self, status: u16, meaning: &'static str, schema: impl Into<Shape>) -> Op {
        self.also.push((status, meaning, schema.into()));
        self
    }
    /// A further status this operation answers, with its meaning.
    pub fn or(mut self, status: u16, meaning: &'static str) -> Op {
        self.extra.push((status, meaning));
        self
    }

    /// Adds the components of the types this operation reads and answers.
    pub fn components(&self, out: &mut Components) {
        if let Body::Json(s) | Body::Optional(s) | Body::Multipart(s) = &self.body {
            s.add_to(out);
        }
        if let Answer::Json(_, s) | Answer::Report(s) = &self.answer {
            s.add_to(out);
        }
        for (_, _, s) in &self.also {
            s.add_to(out);
        }
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
            Body::Multipart(_) => {
                add(
                    400,
                    "Invalid input, by field; a file that is not a statement, naming its line and field",
                );
                add(413, "The body is too large");
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
        if matches!(self.access, Access::Firm | Access::Company) {
            add(403, "The caller's role does not allow this");
        }
        if self.access == Access::Company {
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

    /// The path, header and query parameters, in that order.
    fn parameters(&self) -> Vec<Parameter> {
        use ParameterIn::{Header, Path, Query};
        const COMPANY: &str = "The company to work in; the user's default company when left out";
        const RETRY: &str = "A retry with the same key and body gets the first answer back, and changes nothing";
        const PAGE_SIZE: &str = "Default 20, at most 200";
        const ORDERING: &str = "Field names, comma-separated, `-` for descending";
        let mut out = Vec::new();
        if self.path.contains("{id}") {
            out.push(param("id", Path, uuid(), true, None));
        }
        // Other path segments (`{record_kind}`, `{record_id}`): ids are UUIDs, the rest text.
        for name in self
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        {
            if name != "id" {
                let schema = if name.ends_with("_id") { uuid() } else { string() };
                out.push(param(name, Path, schema, true, None));
            }
        }
        if self.access == Access::Company {
            out.push(param("X-Company-Id", Header, uuid(), false, Some(COMPANY)));
        }
        if self.idempotent {
            let key = ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(255));
            out.push(param("Idempotency-Key", Header, key.into(), false, Some(RETRY)));
        }
        if self.list {
            out.push(param("page", Query, positive(), false, None));
            out.push(param("page_size", Query, positive(), false, Some(PAGE_SIZE)));
            out.push(param("search", Query, string(), false, None));
            out.push(param("ordering", Query, string(), false, Some(ORDERING)));
        }
        for (name, kind, required) in &self.query {
            let schema = match kind {
                Kind::Text => string(),
                Kind::Bool => boolean(),
                Kind::Id => uuid(),
                Kind::Int => integer(),
                Kind::Date => date(),
                Kind::ReportFormat => choice(&["json", "xlsx", "csv", "pdf"]),
            };
            out.push(param(name, Query, schema, *required, None));
        }
        out
    }

    fn request_body(&self) -> Option<RequestBody> {
        let (contents, required) = match &self.body {
            Body::None => return None,
            Body::Json(shape) => (vec![("application/json", json(shape))], Required::True),
            Body::Optional(shape) => (vec![("application/json", json(shape))], Required::False),
            Body::Image => (images(), Required::True),
            Body::Multipart(shape) => (vec![("multipart/form-data", json(shape))], Required::True),
        };
        let mut body = RequestBodyBuilder::new().required(Some(required));
        for (content_type, content) in contents {
            body = body.content(content_type, content);
        }
        Some(body.build())
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
        for p in self.parameters() {
            b = b.parameter(p);
        }
        if let Some(body) = self.request_body() {
            b = b.request_body(Some(body));
        }
        let failures = self.failures();
        for (status, meaning, shape) in &self.also {
            let answer = ResponseBuilder::new()
                .description(*meaning)
                .content("application/json", json(shape));
            b = b.response(status.to_string(), answer.build());
        }
        let (status, answer) = success(self.answer);
        b = b.response(status.to_string(), answer);
        for (status, meaning) in failures {
            b = b.response(status.to_string(), failure(status, meaning, &self.id));
        }
        b.build()
    }
}

/// The success status and its answer.
fn success(answer: Answer) -> (u16, Response) {
    const PROMETHEUS: &str = "Prometheus text exposition format 0.0.4";
    let (status, description, contents) = match answer {
        Answer::Json(status, shape) => (status, "Success", vec![("application/json", json(&shape))]),
        Answer::Report(shape) => (
            200,
            "The report: JSON, or the spreadsheet, CSV or PDF file asked for by `format`",
            vec![
                ("application/json", json(&shape)),
                (
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    binary(),
                ),
                ("text/csv", text()),
                ("application/pdf", binary()),
            ],
        ),
        Answer::Pdf => (200, "The PDF", vec![("application/pdf", binary())]),
        Answer::Image => (200, "The image as stored", images()),
        Answer::File => (
            200,
            "The file's bytes, as an attachment",
            crate::domain::files::FileKind::ALL
                .into_iter()
                .map(|k| (k.media_type(), binary()))
                .collect(),
        ),
        Answer::Preview => (
            200,
            "The file's bytes, inline",
            crate::domain::files::FileKind::ALL
                .into_iter()
                .filter(|k| k.previewable())
                .map(|k| (k.media_type(), binary()))
                .collect(),
        ),
        Answer::Metrics => {
            let text = ObjectBuilder::new().schema_type(Type::String);
            let exposition = ContentBuilder::new().schema(Some(text)).build();
            (200, PROMETHEUS, vec![("text/plain", exposition)])
        }
        Answer::NoContent => (204, "Done", Vec::new()),
    };
    let mut response = ResponseBuilder::new().description(description);
    for (content_type, content) in contents {
        response = response.content(content_type, content);
    }
    (status, response.build())
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

fn json(shape: &Shape) -> Content {
    ContentBuilder::new().schema(Some(shape.schema.clone())).build()
}

fn text() -> Content {
    ContentBuilder::new()
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build()
}

fn binary() -> Content {
    ContentBuilder::new()
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))),
        ))
        .build()
}

/// A PNG or a JPEG.
fn images() -> Vec<(&'static str, Content)> {
    vec![("image/png", binary()), ("image/jpeg", binary())]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_is_a_method_and_a_path() {
        assert!(matches!(
            parse_route("PATCH /api/tenants/{id}/"),
            Some((HttpMethod::Patch, "/api/tenants/{id}/"))
        ));
        for bad in ["patch /a/", "PATCH", "PATCH a/", "PATCH  /a/", "FETCH /a/", "/a/"] {
            assert!(parse_route(bad).is_none(), "{bad}");
        }
        // A malformed route stays whole, as a path the router does not have.
        assert_eq!(op("GETT /a/", "a", "A").path, "GETT /a/");
    }
}
