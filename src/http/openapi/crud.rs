//! The operations of a record served by `http::resource`'s generic handlers — list, create, get,
//! update (`PATCH`), replace (`PUT`), delete — described once from the record's types, as the
//! handlers are written once.

use utoipa::ToSchema;

use super::ops::{Access, Kind, Op, named, op, shape, tagged};

/// What tells one resource's operations from another's.
pub struct Crud {
    /// The list's path (`/api/accounting/chart-of-accounts/`); a record is at `{path}{id}/`.
    pub path: &'static str,
    pub tag: &'static str,
    /// Whether records can be deleted (others are archived with `is_active: false`).
    pub delete: bool,
    /// The record's name in operation ids (`Account` → `getAccount`) and the list's
    /// (`Accounts` → `listAccounts`).
    pub one: &'static str,
    pub many: &'static str,
    /// How the summaries name a record ("an account") and the list ("The chart of accounts").
    pub a: &'static str,
    pub list: &'static str,
    /// The create body: the update body's component with the required fields (`schemas::CREATES`).
    pub create: &'static str,
    /// What a `PATCH` cannot do, said once (e.g. "An account with postings never changes type.").
    pub rules: Option<&'static str>,
    /// The list's filters (`page`, `page_size`, `search` and `ordering` go without saying).
    pub filters: &'static [(&'static str, Kind)],
}

/// The operations of `c`, whose records read as `D` and are written as `B`.
#[rustfmt::skip]
pub fn crud<D: ToSchema, B: ToSchema>(c: Crud) -> Vec<Op> {
    let (list, one, a) = (c.path, c.one, c.a);
    let item = format!("{list}{{id}}/");
    let rules = c.rules.unwrap_or("");
    let mut ops = vec![
        op(format!("GET {list}"), format!("list{}", c.many), c.list).list::<D>(c.filters),
        op(format!("POST {list}"), format!("create{one}"), format!("Add {a}")).json(named(c.create)).writes().created(shape::<D>()),
        op(format!("GET {item}"), format!("get{one}"), format!("One: {a}")).ok(shape::<D>()),
        op(format!("PATCH {item}"), format!("update{one}"), format!("Change {a}")).json(shape::<B>()).writes().ok(shape::<D>())
            .about(format!("Only the fields sent change. {rules}")),
        op(format!("PUT {item}"), format!("replace{one}"), format!("Replace {a}")).json(named(c.create)).writes().ok(shape::<D>())
            .about(format!("The fields a create requires are required. {rules}")),
    ];
    if c.delete {
        ops.push(op(format!("DELETE {item}"), format!("delete{one}"), format!("Delete {a}")).writes());
    }
    tagged(c.tag, Access::Company, ops)
}
