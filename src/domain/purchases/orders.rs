//! Purchase orders: made from lines typed as a bill's (the documents' line rules and amounts),
//! confirmed, closed, cancelled or deleted while a draft. Numbers `PO-2026-0001` come from a
//! counter when the order is made (a deleted draft leaves its number unused: orders are not
//! tax documents, so no gap-free rule applies).

use uuid::Uuid;

use super::{Order, OrderInput, OrderLine, OrderStatus, PurDb, PurchaseError, PurchaseStore, Result, quantity_milli};
use crate::domain::FieldErrors;
use crate::domain::audit::{self, AuditFields};
use crate::domain::documents::operations::compute;
use crate::domain::documents::{DocumentInput, DocumentKind};
use crate::domain::ledger::Ctx;
use crate::domain::money;

/// The order `id` of the context's company.
pub fn find<S: PurchaseStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<Order, S> {
    store
        .order(ctx.books.company_id, id)
        .db()?
        .ok_or(PurchaseError::NotFound)
}

/// The order, locked until commit.
pub(super) fn locked<S: PurchaseStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<Order, S> {
    store.lock_order(ctx.books.company_id, id).db()?;
    find(store, ctx, id)
}

/// Checks an order's input and computes its lines and totals (`existing`: the order a `PUT`
/// replaces, whose id, number and creation it keeps).
fn build<S: PurchaseStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    input: &OrderInput,
    existing: Option<&Order>,
) -> Result<Order, S> {
    let mut errors = FieldErrors::default();
    let mut quantities = Vec::with_capacity(input.lines.len());
    for (i, l) in input.lines.iter().enumerate() {
        match l.quantity.as_deref().map(money::parse) {
            None => quantities.push(1000),
            Some(Ok(q)) => match quantity_milli(q) {
                Some(m) => quantities.push(m),
                None => errors.add(
                    &format!("lines[{i}].quantity"),
                    "Enter a quantity above 0 with at most 3 decimals.",
                ),
            },
            Some(Err(_)) => errors.add(
                &format!("lines[{i}].quantity"),
                "Enter a quantity above 0 with at most 3 decimals.",
            ),
        }
    }
    // A stock item with no expense account of its own is ordered onto its inventory account
    // (a bill of it clears GRNI instead).
    let mut lines = input.lines.clone();
    for l in &mut lines {
        if l.account.is_none()
            && let Some(item) = l.item
            && store
                .item(ctx.books.company_id, item)
                .db()?
                .is_some_and(|it| it.expense_account_id.is_none())
            && let Some(a) = super::stock::accounts(store, ctx, item)?
        {
            l.account = Some(a.inventory);
        }
    }
    let doc = match compute(
        store,
        ctx,
        DocumentKind::Bill,
        &DocumentInput {
            contact: input.vendor,
            issue_date: input.order_date,
            reference: input.reference.clone(),
            notes: input.notes.clone(),
            lines,
            ..DocumentInput::default()
        },
    ) {
        Ok(d) => Some(d),
        Err(crate::domain::documents::DocumentError::Invalid(mut e)) => {
            // A bill's words for an order's fields.
            if let Some(v) = e.0.remove("contact") {
                e.0.insert("vendor".into(), v);
            }
            if let Some(v) = e.0.remove("issue_date") {
                e.0.insert("order_date".into(), v);
            }
            e.0.remove("due_date");
            e.0.remove("payment_terms_days");
            errors.merge(e);
            None
        }
        Err(other) => return Err(other.into()),
    };
    if let (Some(expected), Some(d)) = (input.expected_date, input.order_date.or(Some(ctx.today)))
        && expected < d
    {
        errors.add("expected_date", "The expected date cannot be before the order date.");
    }
    if input.notes.chars().count() > 2000 {
        errors.add("notes", "Ensure this field has no more than 2000 characters.");
    }
    errors.into_result()?;
    let doc = doc.ok_or_else(|| PurchaseError::State("The order could not be computed.".into()))?;
    let lines = doc
        .lines
        .iter()
        .zip(quantities)
        .map(|(l, q)| OrderLine {
            line_no: l.line_no,
            item_id: l.item_id,
            description: l.description.clone(),
            quantity: q,
            unit_price: l.unit_price,
            discount_percent: l.discount_percent,
            tax_rate_id: l.tax_rate_id,
            account_id: l.account_id,
            net_amount: l.net_amount,
            tax_amount: l.tax_amount,
            received: 0,
            billed: 0,
        })
        .collect();
    let company = ctx.books.company_id;
    let number = match existing {
        Some(o) => o.number.clone(),
        None => {
            let series = format!("PO-{}", doc.issue_date.year());
            let n = store.next_counter(company, &format!("doc:{series}")).db()?;
            format!("{series}-{n:04}")
        }
    };
    Ok(Order {
        id: existing.map_or_else(Uuid::now_v7, |o| o.id),
        company_id: company,
        number,
        status: if input.confirm {
            OrderStatus::Confirmed
        } else {
            existing.map_or(OrderStatus::Draft, |o| o.status)
        },
        vendor_id: doc.contact_id,
        order_date: doc.issue_date,
        expected_date: input.expected_date,
        warehouse_id: input.warehouse,
        reference: doc.reference,
        notes: doc.notes,
        subtotal: doc.subtotal,
        tax_total: doc.tax_total,
        total: doc.total,
        lines,
        created_by: existing.map_or(ctx.actor, |o| o.created_by),
        created_at: existing.map_or(ctx.now, |o| o.created_at),
        updated_at: ctx.now,
    })
}

/// Makes an order: a draft, or confirmed when the input says so.
pub fn create<S: PurchaseStore>(store: &mut S, ctx: &Ctx<'_>, input: &OrderInput) -> Result<Order, S> {
    let order = build(store, ctx, input, None)?;
    store.insert_order(&order).db()?;
    record(store, ctx, "create", None, Some(&order))?;
    Ok(order)
}

/// Replaces a draft order's header and lines (`PUT`); anything but a draft is refused.
pub fn replace<S: PurchaseStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid, input: &OrderInput) -> Result<Order, S> {
    let before = locked(store, ctx, id)?;
    if before.status != OrderStatus::Draft {
        return Err(PurchaseError::State(
            "Only a draft purchase order can be edited.".into(),
        ));
    }
    let order = build(store, ctx, input, Some(&before))?;
    store.update_order(&order).db()?;
    record(store, ctx, "update", Some(&before), Some(&order))?;
    Ok(order)
}

/// Confirms a draft: from now on goods may be received against it.
pub fn confirm<S: PurchaseStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<Order, S> {
    let before = locked(store, ctx, id)?;
    if before.status != OrderStatus::Draft {
        return Err(PurchaseError::State(format!(
            "This purchase order is {}, not a draft.",
            words(before.status)
        )));
    }
    set_status(store, ctx, before, OrderStatus::Confirmed, "confirm")
}

/// Cancels an order nothing was received on yet.
pub fn cancel<S: PurchaseStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<Order, S> {
    let before = locked(store, ctx, id)?;
    if matches!(before.status, OrderStatus::Cancelled | OrderStatus::Closed) {
        return Err(PurchaseError::State(format!(
            "This purchase order is already {}.",
            words(before.status)
        )));
    }
    if before.lines.iter().any(|l| l.received > 0) {
        return Err(PurchaseError::State(
            "Goods were received on this purchase order: close it instead of cancelling it.".into(),
        ));
    }
    set_status(store, ctx, before, OrderStatus::Cancelled, "cancel")
}

/// Closes a confirmed order: nothing more will be received on it (what was received can still
/// be billed).
pub fn close<S: PurchaseStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<Order, S> {
    let before = locked(store, ctx, id)?;
    if !before.status.is_open() {
        return Err(PurchaseError::State(format!(
            "This purchase order is {}: only a confirmed order is closed.",
            words(before.status)
        )));
    }
    set_status(store, ctx, before, OrderStatus::Closed, "close")
}

/// Deletes a draft order.
pub fn delete<S: PurchaseStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<(), S> {
    let before = locked(store, ctx, id)?;
    if before.status != OrderStatus::Draft {
        return Err(PurchaseError::State(
            "Only a draft purchase order is deleted; cancel or close a confirmed one.".into(),
        ));
    }
    store.delete_order(ctx.books.company_id, id).db()?;
    record(store, ctx, "delete", Some(&before), None)
}

/// After a receipt or a bill: an open order's status from its quantities.
pub(super) fn refresh<S: PurchaseStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<Order, S> {
    let before = find(store, ctx, id)?;
    if !before.status.is_open() {
        return Ok(before);
    }
    let status = before.status_from_quantities();
    if status == before.status {
        return Ok(before);
    }
    set_status(store, ctx, before, status, "update")
}

fn set_status<S: PurchaseStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    before: Order,
    status: OrderStatus,
    action: &'static str,
) -> Result<Order, S> {
    let mut order = before.clone();
    order.status = status;
    order.updated_at = ctx.now;
    store.update_order(&order).db()?;
    record(store, ctx, action, Some(&before), Some(&order))?;
    Ok(order)
}

pub(super) fn words(s: OrderStatus) -> &'static str {
    match s {
        OrderStatus::Draft => "a draft",
        OrderStatus::Confirmed => "confirmed",
        OrderStatus::PartiallyReceived => "partially received",
        OrderStatus::Received => "received",
        OrderStatus::Billed => "billed",
        OrderStatus::Closed => "closed",
        OrderStatus::Cancelled => "cancelled",
    }
}

fn fields(o: &Order, decimals: u32) -> AuditFields {
    vec![
        ("status", o.status.as_str().to_owned()),
        ("number", o.number.clone()),
        ("vendor", o.vendor_id.to_string()),
        ("order_date", o.order_date.to_string()),
        ("reference", o.reference.clone()),
        ("total", money::format(o.total, decimals)),
    ]
}

fn record<S: PurchaseStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    action: &'static str,
    before: Option<&Order>,
    after: Option<&Order>,
) -> Result<(), S> {
    let Some(o) = after.or(before) else {
        return Ok(());
    };
    let d = ctx.books.decimals;
    let r = audit::changes(
        ctx,
        action,
        ("purchase_order", o.id),
        before.map(|b| fields(b, d)).as_ref(),
        after.map(|a| fields(a, d)).as_ref(),
    );
    store.audit(&r).db()
}
