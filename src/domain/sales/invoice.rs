//! Invoices from an order (what is left to invoice, or the lines chosen) or from a delivery (what
//! it delivered and is not invoiced yet), made and issued by the documents' own operations, so
//! prices and taxes are the order's. [`on_issue`] is the hook an issued invoice calls: its stock
//! lines that no delivery covers are delivered then (per company, `invoice_creates_delivery`).

use jiff::civil::Date;
use uuid::Uuid;

use super::create::{find, locked, refresh_status};
use super::deliver::{LinePick, Planned, warehouse, write};
use super::{
    InvoiceLink, Result, SalesDb, SalesDocument, SalesError, SalesKind, SalesLine, SalesStatus, SalesStore, from_milli,
    to_milli,
};
use crate::domain::FieldErrors;
use crate::domain::documents::{Document, DocumentInput, DocumentKind, LineInput, operations};
use crate::domain::ledger::Ctx;
use crate::domain::money;

#[derive(Debug, Clone, Default)]
pub struct InvoiceInput {
    /// The invoice's issue date; by default the company's today.
    pub date: Option<Date>,
    /// From an order: the lines and quantities to invoice; `None`: everything left.
    pub lines: Option<Vec<LinePick>>,
}

/// One invoice line to make: of an order line, `quantity` thousandths, `cover` of them already
/// delivered (delivery, its line, thousandths).
struct Part {
    line: SalesLine,
    quantity: i64,
    cover: Vec<(Uuid, i64, i64)>,
}

/// Invoices an order: the chosen lines (or all that is left), each at most what is left to invoice.
pub fn invoice_order<S: SalesStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    order_id: Uuid,
    input: &InvoiceInput,
) -> Result<Document, S> {
    let order = open_order(store, ctx, order_id)?;
    let mut errors = FieldErrors::default();
    let mut picks: Vec<(i64, i64)> = Vec::new();
    match &input.lines {
        None => picks.extend(
            order
                .lines
                .iter()
                .filter(|l| l.to_invoice() > 0)
                .map(|l| (l.line_no, l.to_invoice())),
        ),
        Some(lines) => {
            if lines.is_empty() {
                errors.add("lines", "Choose at least one line to invoice.");
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
                if picks.iter().any(|(n, _)| *n == line_no) {
                    errors.add(&f("line"), format!("Line {line_no} is named twice."));
                    continue;
                }
                let quantity = match p.quantity.as_deref() {
                    None => l.to_invoice(),
                    Some(text) => match super::parse_quantity(text) {
                        Some(q) => q,
                        None => {
                            errors.add(&f("quantity"), "Enter a quantity above 0 with at most 3 decimals.");
                            continue;
                        }
                    },
                };
                if quantity > l.to_invoice() || quantity == 0 {
                    errors.add(
                        &f("quantity"),
                        format!(
                            "Line {line_no} ({}): {} left to invoice, {} asked.",
                            l.description,
                            from_milli(l.to_invoice()),
                            from_milli(quantity)
                        ),
                    );
                    continue;
                }
                picks.push((line_no, quantity));
            }
        }
    }
    if input.lines.is_none() && picks.is_empty() {
        errors.add("non_field_errors", "Everything on this order is invoiced.");
    }
    errors.into_result()?;
    // What was delivered and not invoiced yet, per order line, oldest delivery first.
    let mut delivered = store.order_deliveries(ctx.books.company_id, order.id).db()?;
    let mut parts = Vec::with_capacity(picks.len());
    for (line_no, quantity) in picks {
        let Some(line) = order.line(line_no).cloned() else {
            continue;
        };
        let mut left = quantity;
        let mut cover = Vec::new();
        for (delivery, dl) in delivered.iter_mut() {
            if left == 0 {
                break;
            }
            if dl.order_line_no != Some(line_no) {
                continue;
            }
            let open = dl.quantity_milli - dl.invoiced_milli;
            if open <= 0 {
                continue;
            }
            let take = open.min(left);
            cover.push((*delivery, dl.line_no, take));
            dl.invoiced_milli += take;
            left -= take;
        }
        parts.push(Part { line, quantity, cover });
    }
    make_invoice(store, ctx, &order, input.date, parts)
}

/// Invoices what a delivery delivered and is not invoiced yet, at its order's prices.
pub fn invoice_delivery<S: SalesStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    delivery_id: Uuid,
    input: &InvoiceInput,
) -> Result<Document, S> {
    let delivery = super::find_delivery(store, ctx, delivery_id)?;
    let Some(order_id) = delivery.order_id.filter(|_| delivery.invoice_id.is_none()) else {
        return Err(SalesError::State(
            "This delivery was made by issuing an invoice: it is invoiced already.".into(),
        ));
    };
    if input.lines.is_some() {
        return Err(FieldErrors::single("lines", "A delivery is invoiced as a whole: send no lines.").into());
    }
    let order = open_order(store, ctx, order_id)?;
    let mut parts: Vec<Part> = Vec::new();
    for dl in &delivery.lines {
        let Some(line) = dl.order_line_no.and_then(|n| order.line(n)) else {
            continue;
        };
        let already = parts
            .iter()
            .filter(|p| p.line.line_no == line.line_no)
            .map(|p| p.quantity)
            .sum::<i64>();
        let open = (dl.quantity_milli - dl.invoiced_milli).min(line.to_invoice() - already);
        if open <= 0 {
            continue;
        }
        parts.push(Part {
            line: line.clone(),
            quantity: open,
            cover: vec![(delivery.id, dl.line_no, open)],
        });
    }
    if parts.is_empty() {
        return Err(SalesError::State("Everything on this delivery is invoiced.".into()));
    }
    make_invoice(store, ctx, &order, input.date, parts)
}

fn open_order<S: SalesStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<SalesDocument, S> {
    let order = locked(store, ctx, SalesKind::Order, id)?;
    if order.status == SalesStatus::Cancelled {
        return Err(SalesError::State(
            "This order is cancelled: nothing is invoiced from it.".into(),
        ));
    }
    Ok(order)
}

/// Makes the invoice of `parts` (a draft through the documents' operations, so every line is
/// priced and taxed as an invoice's), links its lines, then issues it.
fn make_invoice<S: SalesStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    order: &SalesDocument,
    date: Option<Date>,
    parts: Vec<Part>,
) -> Result<Document, S> {
    let company = ctx.books.company_id;
    let decimals = money::decimals(&order.currency);
    let input = DocumentInput {
        contact: Some(order.contact_id),
        issue_date: date,
        currency: Some(order.currency.clone()),
        reference: order.number.clone(),
        notes: order.notes.clone(),
        lines: parts
            .iter()
            .map(|p| LineInput {
                item: p.line.item_id,
                description: p.line.description.clone(),
                quantity: Some(from_milli(p.quantity).to_string()),
                unit_price: Some(money::format(p.line.unit_price, decimals)),
                discount_percent: Some(p.line.discount_percent.to_string()),
                tax_rate: p.line.tax_rate_id,
                account: Some(p.line.account_id),
            })
            .collect(),
        ..DocumentInput::default()
    };
    let draft = operations::create_draft(store, ctx, DocumentKind::Invoice, &input)?;
    for (k, p) in parts.iter().enumerate() {
        let invoice_line_no = i64::try_from(k + 1).unwrap_or(i64::MAX);
        let mut link_no = 0;
        let mut covered = 0;
        for (delivery, delivery_line, q) in &p.cover {
            link_no += 1;
            covered += q;
            store
                .insert_invoice_link(
                    company,
                    &InvoiceLink {
                        invoice_id: draft.id,
                        invoice_line_no,
                        link_no,
                        order_id: Some(order.id),
                        order_line_no: Some(p.line.line_no),
                        delivery_id: Some(*delivery),
                        delivery_line_no: Some(*delivery_line),
                        quantity_milli: *q,
                    },
                )
                .db()?;
            store.add_delivery_invoiced(*delivery, *delivery_line, *q).db()?;
        }
        if p.quantity > covered {
            store
                .insert_invoice_link(
                    company,
                    &InvoiceLink {
                        invoice_id: draft.id,
                        invoice_line_no,
                        link_no: link_no + 1,
                        order_id: Some(order.id),
                        order_line_no: Some(p.line.line_no),
                        delivery_id: None,
                        delivery_line_no: None,
                        quantity_milli: p.quantity - covered,
                    },
                )
                .db()?;
        }
        store.add_line_progress(order.id, p.line.line_no, 0, p.quantity).db()?;
    }
    let invoice = operations::issue(store, ctx, DocumentKind::Invoice, draft.id)?;
    refresh_status(store, ctx, order.id)?;
    Ok(invoice)
}

/// The hook of an issued invoice: its stock lines (or the part of them) that no delivery covers
/// are delivered now from the company's default warehouse, when the company's inventory settings
/// say so (`invoice_creates_delivery`, on by default); a line of an order adds to what the order
/// delivered. Not enough stock (negatives off) refuses the invoice, naming the line.
pub fn on_issue<S: SalesStore>(store: &mut S, ctx: &Ctx<'_>, invoice: &Document) -> Result<(), S> {
    let company = ctx.books.company_id;
    if invoice.kind != DocumentKind::Invoice {
        return Ok(());
    }
    // (invoice line index, line no, item, missing thousandths, the order link to complete)
    let mut missing: Vec<(usize, i64, Uuid, String, i64, Option<InvoiceLink>)> = Vec::new();
    let mut links: Option<Vec<InvoiceLink>> = None;
    for (i, line) in invoice.lines.iter().enumerate() {
        let Some(item) = line.item_id else { continue };
        if !super::stock::is_stock(store, company, item)? {
            continue;
        }
        if links.is_none() {
            if !super::stock::defaults(store, ctx)?.1 {
                return Ok(());
            }
            links = Some(store.invoice_links(company, invoice.id).db()?);
        }
        let Some(quantity) = to_milli(line.quantity) else {
            return Err(FieldErrors::single(
                &format!("lines[{i}].quantity"),
                "A stock item's quantity has at most 3 decimals.",
            )
            .into());
        };
        let mine: Vec<&InvoiceLink> = links
            .iter()
            .flatten()
            .filter(|l| l.invoice_line_no == line.line_no)
            .collect();
        let covered: i64 = mine
            .iter()
            .filter(|l| l.delivery_id.is_some())
            .map(|l| l.quantity_milli)
            .sum();
        let open_link = mine
            .iter()
            .find(|l| l.delivery_id.is_none() && l.order_id.is_some())
            .map(|l| (*l).clone());
        if quantity > covered {
            missing.push((
                i,
                line.line_no,
                item,
                line.description.clone(),
                quantity - covered,
                open_link,
            ));
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let mut errors = FieldErrors::default();
    let Some(warehouse) = warehouse(store, ctx, None, &mut errors)? else {
        return Err(errors.into());
    };
    let orders: Vec<Uuid> = missing
        .iter()
        .filter_map(|m| m.5.as_ref().and_then(|l| l.order_id))
        .collect();
    let order = orders.first().copied().filter(|o| orders.iter().all(|x| x == o));
    let planned = missing
        .iter()
        .map(|(_, _, item, description, q, link)| Planned {
            order_line_no: link.as_ref().and_then(|l| l.order_line_no),
            item_id: *item,
            description: description.clone(),
            quantity_milli: *q,
            invoiced_milli: *q,
        })
        .collect();
    let index_of: Vec<usize> = missing.iter().map(|m| m.0).collect();
    let delivery = write(
        store,
        ctx,
        (invoice.contact_id, invoice.issue_date, ""),
        (order, Some(invoice.id)),
        warehouse,
        planned,
        |k| format!("lines[{}].quantity", index_of.get(k).copied().unwrap_or(k)),
    )?;
    let mut touched = Vec::new();
    for ((_, line_no, _, _, q, link), dl) in missing.into_iter().zip(&delivery.lines) {
        let next = store
            .invoice_links(company, invoice.id)
            .db()?
            .iter()
            .filter(|l| l.invoice_line_no == line_no)
            .map(|l| l.link_no)
            .max()
            .unwrap_or(0)
            + 1;
        let (order_id, order_line_no) = match &link {
            Some(l) => (l.order_id, l.order_line_no),
            None => (None, None),
        };
        // The part no delivery covered now is covered: its link names the delivery line.
        if let Some(l) = &link {
            store
                .delete_invoice_link(company, invoice.id, line_no, l.link_no)
                .db()?;
        }
        store
            .insert_invoice_link(
                company,
                &InvoiceLink {
                    invoice_id: invoice.id,
                    invoice_line_no: line_no,
                    link_no: link.as_ref().map_or(next, |l| l.link_no),
                    order_id,
                    order_line_no,
                    delivery_id: Some(delivery.id),
                    delivery_line_no: Some(dl.line_no),
                    quantity_milli: q,
                },
            )
            .db()?;
        if let (Some(o), Some(n)) = (order_id, order_line_no) {
            store.add_line_progress(o, n, q, 0).db()?;
            if !touched.contains(&o) {
                touched.push(o);
            }
        }
    }
    for o in touched {
        // Only orders of this company can be named by this company's links.
        find(store, ctx, SalesKind::Order, o)?;
        refresh_status(store, ctx, o)?;
    }
    Ok(())
}
