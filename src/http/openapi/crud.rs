//! The operations of a record served by `http::resource`'s generic handlers — list, create, get,
//! update (`PATCH`), replace (`PUT`), delete — described once from the record's types, as the
//! handlers are written once.

use utoipa::ToSchema;
use utoipa::openapi::path::HttpMethod::{Delete, Get, Patch, Post, Put};

use super::ops::{Body, Kind, Op, named, op, shape};
use super::schemas::page;

/// What tells one resource's operations from another's.
pub struct Crud {
    /// The list's path (`/api/accounting/chart-of-accounts/`); a record is at `{path}{id}/`.
    pub path: &'static str,
    pub tag: &'static str,
    /// The record's name in operation ids (`Account` → `getAccount`) and the list's
    /// (`Accounts` → `listAccounts`).
    pub one: &'static str,
    pub many: &'static str,
    /// How the summaries name a record ("an account") and the list ("The chart of accounts").
    pub a: &'static str,
    pub list: &'static str,
    pub filters: &'static [(&'static str, Kind)],
    /// The create body: the update body's component with the required fields (`schemas::CREATES`).
    pub create: &'static str,
    /// What a `PATCH` cannot do, said once (e.g. "An account with postings never changes type.").
    pub rules: Option<&'static str>,
    /// Whether records can be deleted (others are archived with `is_active: false`).
    pub delete: bool,
}

/// The operations of `crud`, whose records read as `D` and are written as `B`.
pub fn crud<D: ToSchema, B: ToSchema>(c: Crud) -> Vec<Op> {
    let item = format!("{}{{id}}/", c.path);
    let rules = c.rules.unwrap_or("");
    let mut ops = vec![
        op(Get, c.path, format!("list{}", c.many), c.tag, c.list)
            .list(c.filters)
            .ok(page(shape::<D>())),
        op(Post, c.path, format!("create{}", c.one), c.tag, summary("Add", c.a))
            .body(Body::Json(named(c.create)))
            .writes()
            .created(shape::<D>()),
        op(Get, item.clone(), format!("get{}", c.one), c.tag, summary("One:", c.a)).ok(shape::<D>()),
        op(
            Patch,
            item.clone(),
            format!("update{}", c.one),
            c.tag,
            summary("Change", c.a),
        )
        .about(format!("Only the fields sent change. {rules}"))
        .body(Body::Json(shape::<B>()))
        .writes()
        .ok(shape::<D>()),
        op(
            Put,
            item.clone(),
            format!("replace{}", c.one),
            c.tag,
            summary("Replace", c.a),
        )
        .about(format!("The fields a create requires are required. {rules}"))
        .body(Body::Json(named(c.create)))
        .writes()
        .ok(shape::<D>()),
    ];
    if c.delete {
        ops.push(op(Delete, item, format!("delete{}", c.one), c.tag, summary("Delete", c.a)).writes());
    }
    ops
}

fn summary(verb: &str, a: &str) -> String {
    format!("{verb} {a}")
}
