//! Receiving goods against a confirmed purchase order: partial and several receipts, each line
//! valued at the order's net price (the last receipt of a line takes exactly what is left of
//! its net amount, so GRNI ties to the cent) and posted through the inventory engine (Dr
//! Inventory / Cr GRNI). No tolerance: receiving more than remains on a line is refused.

use jiff::civil::Date;
use uuid::Uuid;

use super::orders::{locked, refresh, words};
use super::stock::{self, Received};
use super::{
    OrderStatus, PurDb, PurchaseError, PurchaseStore, Receipt, ReceiptLine, Result, parse_quantity, quantity_text,
    share,
};
use crate::domain::FieldErrors;
use crate::domain::audit;
use crate::domain::ledger::Ctx;

/// A receipt as a request sends it; no lines: everything that remains to receive.
#[derive(Debug, Clone, Default)]
pub struct ReceiveInput {
    pub date: Option<Date>,
    pub warehouse: Option<Uuid>,
    pub reference: String,
    pub lines: Vec<ReceiveLine>,
}

#[derive(Debug, Clone, Default)]
pub struct ReceiveLine {
    /// The order's line number (from 1).
    pub order_line: Option<i64>,
    /// Decimal text, at most 3 decimals; `None`: what remains on the line.
    pub quantity: Option<String>,
}

/// The receipt `id` of the context's company.
pub fn find<S: PurchaseStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<Receipt, S> {
    store
        .receipt(ctx.books.company_id, id)
        .db()?
        .ok_or(PurchaseError::NotFound)
}

/// Receives goods on order `order_id`.
pub fn receive<S: PurchaseStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    order_id: Uuid,
    input: &ReceiveInput,
) -> Result<Receipt, S> {
    let order = locked(store, ctx, order_id)?;
    match order.status {
        OrderStatus::Draft => {
            return Err(PurchaseError::State(
                "This purchase order is a draft: confirm it before receiving goods.".into(),
            ));
        }
        OrderStatus::Closed | OrderStatus::Cancelled => {
            return Err(PurchaseError::State(format!(
                "This purchase order is {}: nothing more is received on it.",
                words(order.status)
            )));
        }
        _ => {}
    }
    let mut errors = FieldErrors::default();
    // (order line, quantity, the request's index)
    let mut wanted: Vec<(i64, i64, Option<usize>)> = Vec::new();
    if input.lines.is_empty() {
        wanted.extend(
            order
                .lines
                .iter()
                .filter(|l| l.remaining_to_receive() > 0)
                .map(|l| (l.line_no, l.remaining_to_receive(), None)),
        );
        if wanted.is_empty() {
            errors.add("lines", "Everything ordered was received: nothing remains to receive.");
        }
    }
    for (i, l) in input.lines.iter().enumerate() {
        let Some(no) = l.order_line else {
            errors.add(&format!("lines[{i}].order_line"), "This field is required.");
            continue;
        };
        let Some(line) = order.line(no) else {
            errors.add(
                &format!("lines[{i}].order_line"),
                format!("The order has no line {no}."),
            );
            continue;
        };
        let quantity = match l.quantity.as_deref() {
            None => line.remaining_to_receive(),
            Some(text) => match parse_quantity(text) {
                Some(q) => q,
                None => {
                    errors.add(
                        &format!("lines[{i}].quantity"),
                        "Enter a quantity above 0 with at most 3 decimals.",
                    );
                    continue;
                }
            },
        };
        if quantity == 0 {
            errors.add(
                &format!("lines[{i}].quantity"),
                format!("Line {no} ({}) was received in full.", line.description),
            );
            continue;
        }
        wanted.push((no, quantity, Some(i)));
    }
    // Over-receiving, with every request line of one order line added up.
    for (pos, &(no, _, index)) in wanted.iter().enumerate() {
        let Some(line) = order.line(no) else { continue };
        let upto: i64 = wanted[..=pos].iter().filter(|w| w.0 == no).map(|w| w.1).sum();
        if upto > line.remaining_to_receive() {
            let field = index.map_or_else(|| "lines".to_owned(), |i| format!("lines[{i}].quantity"));
            errors.add(
                &field,
                format!(
                    "Line {no} ({}): {} more would be received, but only {} of {} ordered remain to receive.",
                    line.description,
                    quantity_text(upto),
                    quantity_text(line.remaining_to_receive()),
                    quantity_text(line.quantity)
                ),
            );
        }
    }
    errors.into_result()?;
    let warehouse = stock::warehouse(store, ctx, input.warehouse.or(order.warehouse_id))?;
    let id = Uuid::now_v7();
    let date = input.date.unwrap_or(ctx.today);
    let company = ctx.books.company_id;
    let series = format!("GR-{}", date.year());
    let n = store.next_counter(company, &format!("doc:{series}")).db()?;
    let number = format!("{series}-{n:04}");
    let mut lines = Vec::with_capacity(wanted.len());
    let mut received_so_far: Vec<(i64, i64)> = Vec::new();
    let mut to_post = Vec::new();
    for (k, &(no, quantity, index)) in wanted.iter().enumerate() {
        let Some(line) = order.line(no) else { continue };
        let before: i64 = received_so_far.iter().filter(|r| r.0 == no).map(|r| r.1).sum();
        let received = line.received + before;
        // The value of the line received so far at the order's price, and after this receipt.
        let so_far = share(line.net_amount, received, line.quantity).ok_or(PurchaseError::Overflow)?;
        let after = if received + quantity >= line.quantity {
            line.net_amount
        } else {
            share(line.net_amount, received + quantity, line.quantity).ok_or(PurchaseError::Overflow)?
        };
        let value = after - so_far;
        received_so_far.push((no, quantity));
        let line_no = i64::try_from(k + 1).unwrap_or(i64::MAX);
        if let Some(item) = line.item_id
            && stock::accounts(store, ctx, item)?.is_some()
        {
            to_post.push((
                lines.len(),
                Received {
                    line_no,
                    index,
                    item,
                    quantity,
                    value,
                },
            ));
        }
        lines.push(ReceiptLine {
            line_no,
            order_line_no: no,
            item_id: line.item_id,
            quantity,
            value,
            stock_move_id: None,
            billed: 0,
            billed_value: 0,
        });
    }
    let posted: Vec<Received> = to_post.iter().map(|(_, r)| r.clone()).collect();
    let (entry, moves) = stock::receive(store, ctx, (id, &number, date, warehouse), &posted)?;
    for ((index, _), mv) in to_post.iter().zip(moves) {
        if let Some(l) = lines.get_mut(*index) {
            l.stock_move_id = mv;
        }
    }
    let receipt = Receipt {
        id,
        company_id: company,
        order_id: order.id,
        number,
        date,
        warehouse_id: Some(warehouse),
        reference: input.reference.trim().to_owned(),
        journal_entry_id: entry,
        lines,
        created_by: ctx.actor,
        created_at: ctx.now,
    };
    store.insert_receipt(&receipt).db()?;
    let r = audit::changes(
        ctx,
        "create",
        ("purchase_receipt", receipt.id),
        None,
        Some(&vec![
            ("number", receipt.number.clone()),
            ("order", order.number.clone()),
            ("date", receipt.date.to_string()),
        ]),
    );
    store.audit(&r).db()?;
    refresh(store, ctx, order.id)?;
    Ok(receipt)
}
