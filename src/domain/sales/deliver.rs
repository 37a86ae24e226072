//! Deliveries from an order: partial and several, never more than is left to deliver on a line,
//! never more than is in stock (when the company refuses negative stock); nothing is written when
//! any line is refused.

use jiff::civil::Date;
use uuid::Uuid;

use super::create::{locked, next_number, refresh_status};
use super::stock::{self, Out};
use super::{Delivery, DeliveryLine, Result, SalesDb, SalesError, SalesKind, SalesStatus, SalesStore, from_milli};
use crate::domain::FieldErrors;
use crate::domain::audit;
use crate::domain::ledger::Ctx;

/// One order line to deliver; `quantity` `None`: all that is left of it.
#[derive(Debug, Clone, Default)]
pub struct LinePick {
    /// The order's line number (from 1).
    pub line: Option<i64>,
    pub quantity: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct DeliverInput {
    /// By default the company's today.
    pub date: Option<Date>,
    /// By default the company's first active warehouse.
    pub warehouse: Option<Uuid>,
    pub notes: String,
    /// `None`: everything left to deliver on every stock line.
    pub lines: Option<Vec<LinePick>>,
}

/// A delivery line not yet written: what `write` needs.
pub(super) struct Planned {
    pub order_line_no: Option<i64>,
    pub item_id: Uuid,
    pub description: String,
    pub quantity_milli: i64,
    pub invoiced_milli: i64,
}

/// Delivers from an order.
pub fn deliver<S: SalesStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    order_id: Uuid,
    input: &DeliverInput,
) -> Result<Delivery, S> {
    let company = ctx.books.company_id;
    let order = locked(store, ctx, SalesKind::Order, order_id)?;
    if order.status == SalesStatus::Cancelled {
        return Err(SalesError::State(
            "This order is cancelled: nothing is delivered from it.".into(),
        ));
    }
    let mut errors = FieldErrors::default();
    let warehouse = warehouse(store, ctx, input.warehouse, &mut errors)?;
    // (index in the request, order line, quantity)
    let mut picks: Vec<(usize, i64, i64)> = Vec::new();
    match &input.lines {
        None => {
            for (i, l) in order.lines.iter().enumerate() {
                let stocked = match l.item_id {
                    Some(item) => stock::is_stock(store, company, item)?,
                    None => false,
                };
                if stocked && l.to_deliver() > 0 {
                    picks.push((i, l.line_no, l.to_deliver()));
                }
            }
        }
        Some(lines) => {
            if lines.is_empty() {
                errors.add("lines", "Choose at least one line to deliver.");
            }
            for (i, p) in lines.iter().enumerate() {
                let f = |name: &str| format!("lines[{i}].{name}");
                let Some(line_no) = p.line else {
                    errors.add(&f("line"), "This field is required.");
                    continue;
                };
                let Some(l) = order.line(line_no) else {
                    errors.add(&f("line"), format!("This order has no line {line_no}."));
                    continue;
                };
                let stocked = match l.item_id {
                    Some(item) => stock::is_stock(store, company, item)?,
                    None => false,
                };
                if !stocked {
                    errors.add(
                        &f("line"),
                        format!(
                            "Line {line_no} ({}) is not a stock item: it is not delivered.",
                            l.description
                        ),
                    );
                    continue;
                }
                if picks.iter().any(|(_, n, _)| *n == line_no) {
                    errors.add(&f("line"), format!("Line {line_no} is named twice."));
                    continue;
                }
                let quantity = match p.quantity.as_deref() {
                    None => l.to_deliver(),
                    Some(text) => match super::parse_quantity(text) {
                        Some(q) => q,
                        None => {
                            errors.add(&f("quantity"), "Enter a quantity above 0 with at most 3 decimals.");
                            continue;
                        }
                    },
                };
                if quantity > l.to_deliver() || quantity == 0 {
                    errors.add(
                        &f("quantity"),
                        format!(
                            "Line {line_no} ({}): {} left to deliver, {} asked.",
                            l.description,
                            from_milli(l.to_deliver()),
                            from_milli(quantity)
                        ),
                    );
                    continue;
                }
                picks.push((i, line_no, quantity));
            }
        }
    }
    if input.lines.is_none() && picks.is_empty() {
        errors.add("non_field_errors", "Nothing is left to deliver on this order.");
    }
    errors.into_result()?;
    let Some(warehouse) = warehouse else {
        return Err(FieldErrors::single("warehouse", "Choose a warehouse.").into());
    };
    let mut planned = Vec::with_capacity(picks.len());
    for (_, line_no, quantity) in &picks {
        let Some(l) = order.line(*line_no) else { continue };
        // Invoiced ahead of delivery (invoices that made no delivery): that much is invoiced.
        let ahead = (l.invoiced_milli - l.delivered_milli).clamp(0, *quantity);
        planned.push(Planned {
            order_line_no: Some(*line_no),
            item_id: l.item_id.unwrap_or_default(),
            description: l.description.clone(),
            quantity_milli: *quantity,
            invoiced_milli: ahead,
        });
    }
    let date = input.date.unwrap_or(ctx.today);
    let index_of: Vec<usize> = picks.iter().map(|(i, _, _)| *i).collect();
    let delivery = write(
        store,
        ctx,
        (order.contact_id, date, &input.notes),
        (Some(order.id), None),
        warehouse,
        planned,
        |k| format!("lines[{}].quantity", index_of.get(k).copied().unwrap_or(k)),
    )?;
    for l in &delivery.lines {
        if let Some(n) = l.order_line_no {
            store.add_line_progress(order.id, n, l.quantity_milli, 0).db()?;
        }
    }
    refresh_status(store, ctx, order.id)?;
    Ok(delivery)
}

/// The warehouse named (an active one of the company) or the company's default.
pub(super) fn warehouse<S: SalesStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    named: Option<Uuid>,
    errors: &mut FieldErrors,
) -> Result<Option<Uuid>, S> {
    match named {
        Some(w) if stock::warehouse_ok(store, ctx.books.company_id, w)? => Ok(Some(w)),
        Some(_) => {
            errors.add("warehouse", "Choose an active warehouse of this company.");
            Ok(None)
        }
        None => Ok(Some(stock::defaults(store, ctx)?.0)),
    }
}

/// Numbers and writes a delivery, taking its goods out of `warehouse` through the engine;
/// `field(k)` names the caller's line of planned line `k` when the engine refuses it.
pub(super) fn write<S: SalesStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    (contact, date, notes): (Uuid, Date, &str),
    (order, invoice): (Option<Uuid>, Option<Uuid>),
    warehouse: Uuid,
    planned: Vec<Planned>,
    field: impl Fn(usize) -> String,
) -> Result<Delivery, S> {
    let id = Uuid::now_v7();
    let outs: Vec<Out> = planned
        .iter()
        .enumerate()
        .map(|(k, p)| Out {
            item: p.item_id,
            warehouse,
            quantity: p.quantity_milli,
            line: i64::try_from(k + 1).unwrap_or(i64::MAX),
        })
        .collect();
    let moves = stock::take_out(store, ctx, (date, id), &outs, &field)?;
    let number = next_number(store, ctx, "DN", date)?;
    let delivery = Delivery {
        id,
        company_id: ctx.books.company_id,
        number,
        contact_id: contact,
        date,
        order_id: order,
        invoice_id: invoice,
        notes: notes.to_owned(),
        lines: planned
            .into_iter()
            .zip(moves)
            .enumerate()
            .map(|(k, (p, m))| DeliveryLine {
                line_no: i64::try_from(k + 1).unwrap_or(i64::MAX),
                order_line_no: p.order_line_no,
                item_id: p.item_id,
                description: p.description,
                quantity_milli: p.quantity_milli,
                invoiced_milli: p.invoiced_milli,
                warehouse_id: Some(warehouse),
                stock_move_id: m,
            })
            .collect(),
        created_by: ctx.actor,
        created_at: ctx.now,
    };
    store.insert_delivery(&delivery).db()?;
    let rec = audit::changes(
        ctx,
        "create",
        ("delivery", delivery.id),
        None,
        Some(&vec![
            ("number", delivery.number.clone()),
            ("date", delivery.date.to_string()),
            ("lines", delivery.lines.len().to_string()),
        ]),
    );
    store.audit(&rec).db()?;
    Ok(delivery)
}
