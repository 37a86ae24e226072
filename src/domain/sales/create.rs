//! Quotes and orders made, found, converted (quote → order), declined and cancelled. A quote or
//! order is numbered when it is made; its lines are computed as an invoice's would be.

use jiff::ToSpan;
use jiff::civil::Date;
use uuid::Uuid;

use super::{
    Delivery, Result, SalesDb, SalesDocument, SalesError, SalesKind, SalesLine, SalesStatus, SalesStore, to_milli,
};
use crate::domain::FieldErrors;
use crate::domain::audit;
use crate::domain::documents::{DocumentInput, DocumentKind, LineInput, operations};
use crate::domain::ledger::Ctx;
use crate::domain::money;

/// What the user typed for a quote or an order.
#[derive(Debug, Clone, Default)]
pub struct SalesInput {
    pub contact: Option<Uuid>,
    /// By default the company's today.
    pub date: Option<Date>,
    /// Quotes: by default 30 days after the date.
    pub valid_until: Option<Date>,
    pub currency: Option<String>,
    pub reference: String,
    pub notes: String,
    pub lines: Vec<LineInput>,
}

/// The quote or order `id` of `kind` in the context's company.
pub fn find<S: SalesStore>(store: &mut S, ctx: &Ctx<'_>, kind: SalesKind, id: Uuid) -> Result<SalesDocument, S> {
    match store.sales_document(ctx.books.company_id, id).db()? {
        Some(d) if d.kind == kind => Ok(d),
        _ => Err(SalesError::NotFound),
    }
}

pub(super) fn locked<S: SalesStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    kind: SalesKind,
    id: Uuid,
) -> Result<SalesDocument, S> {
    store.lock_sales_document(ctx.books.company_id, id).db()?;
    find(store, ctx, kind, id)
}

/// The delivery `id` in the context's company.
pub fn find_delivery<S: SalesStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<Delivery, S> {
    store
        .delivery(ctx.books.company_id, id)
        .db()?
        .ok_or(SalesError::NotFound)
}

/// The next number of a series: `QUO-2026-0001`.
pub(super) fn next_number<S: SalesStore>(store: &mut S, ctx: &Ctx<'_>, prefix: &str, date: Date) -> Result<String, S> {
    let series = format!("{prefix}-{}", date.year());
    let n = store
        .next_counter(ctx.books.company_id, &format!("doc:{series}"))
        .db()?;
    Ok(format!("{series}-{n:04}"))
}

/// Makes a quote or an order: every field checked as an invoice's (errors under the same names,
/// `lines[2].account`), quantities at most 3 decimals (they become stock quantities).
pub fn create<S: SalesStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    kind: SalesKind,
    input: &SalesInput,
) -> Result<SalesDocument, S> {
    let doc_input = DocumentInput {
        contact: input.contact,
        issue_date: input.date,
        currency: input.currency.clone(),
        reference: input.reference.clone(),
        notes: input.notes.clone(),
        lines: input.lines.clone(),
        ..DocumentInput::default()
    };
    let mut errors = FieldErrors::default();
    let doc = match operations::compute(store, ctx, DocumentKind::Invoice, &doc_input) {
        Ok(d) => Some(d),
        Err(crate::domain::documents::DocumentError::Invalid(e)) => {
            errors.merge(e);
            None
        }
        Err(other) => return Err(other.into()),
    };
    for (i, l) in input.lines.iter().enumerate() {
        if let Some(q) = l.quantity.as_deref().and_then(|t| money::parse(t).ok())
            && to_milli(q).is_none()
        {
            errors.add(
                &format!("lines[{i}].quantity"),
                "A quantity on a quote or an order has at most 3 decimals.",
            );
        }
    }
    let date = input.date.unwrap_or(ctx.today);
    let valid_until = match kind {
        SalesKind::Quote => {
            let until = input
                .valid_until
                .unwrap_or_else(|| date.checked_add(30.days()).unwrap_or(date));
            if until < date {
                errors.add("valid_until", "A quote cannot expire before its date.");
            }
            Some(until)
        }
        SalesKind::Order => {
            if input.valid_until.is_some() {
                errors.add("valid_until", "Only a quote has a valid-until date.");
            }
            None
        }
    };
    errors.into_result()?;
    let Some(doc) = doc else {
        return Err(SalesError::State("The document could not be computed.".into()));
    };
    let mut lines = Vec::with_capacity(doc.lines.len());
    for l in &doc.lines {
        lines.push(SalesLine {
            line_no: l.line_no,
            item_id: l.item_id,
            description: l.description.clone(),
            quantity: l.quantity,
            quantity_milli: to_milli(l.quantity).unwrap_or_default(),
            unit_price: l.unit_price,
            discount_percent: l.discount_percent,
            tax_rate_id: l.tax_rate_id,
            account_id: l.account_id,
            net_amount: l.net_amount,
            tax_amount: l.tax_amount,
            delivered_milli: 0,
            invoiced_milli: 0,
        });
    }
    let number = next_number(store, ctx, kind.prefix(), date)?;
    let made = SalesDocument {
        id: Uuid::now_v7(),
        company_id: ctx.books.company_id,
        kind,
        status: SalesStatus::Open,
        number,
        contact_id: doc.contact_id,
        date,
        valid_until,
        currency: doc.currency,
        reference: doc.reference,
        notes: doc.notes,
        lines,
        subtotal: doc.subtotal,
        tax_total: doc.tax_total,
        total: doc.total,
        quote_id: None,
        created_by: ctx.actor,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    store.insert_sales_document(&made).db()?;
    record(store, ctx, "create", None, &made)?;
    Ok(made)
}

/// Converts an open quote into an order dated `date` (default today), with the quote's lines,
/// prices and taxes as they are. An expired quote is refused ([`SalesError::Expired`]).
pub fn convert<S: SalesStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid, date: Option<Date>) -> Result<SalesDocument, S> {
    let mut quote = locked(store, ctx, SalesKind::Quote, id)?;
    match quote.status {
        SalesStatus::Open => {}
        SalesStatus::Converted => return Err(SalesError::State("This quote is already converted to an order.".into())),
        _ => {
            return Err(SalesError::State(format!(
                "This quote is {}: only an open quote converts.",
                quote.status.as_str()
            )));
        }
    }
    if let Some(until) = quote.valid_until
        && quote.is_expired(ctx.today)
    {
        return Err(SalesError::Expired(until));
    }
    let date = date.unwrap_or(ctx.today);
    let number = next_number(store, ctx, SalesKind::Order.prefix(), date)?;
    let order = SalesDocument {
        id: Uuid::now_v7(),
        kind: SalesKind::Order,
        status: SalesStatus::Open,
        number,
        date,
        valid_until: None,
        quote_id: Some(quote.id),
        created_by: ctx.actor,
        created_at: ctx.now,
        updated_at: ctx.now,
        lines: quote
            .lines
            .iter()
            .map(|l| SalesLine {
                delivered_milli: 0,
                invoiced_milli: 0,
                ..l.clone()
            })
            .collect(),
        ..quote.clone()
    };
    store.insert_sales_document(&order).db()?;
    let before = quote.clone();
    quote.status = SalesStatus::Converted;
    quote.updated_at = ctx.now;
    store.update_sales_status(&quote).db()?;
    record(store, ctx, "convert", Some(&before), &quote)?;
    record(store, ctx, "create", None, &order)?;
    Ok(order)
}

/// Marks an open quote declined.
pub fn decline<S: SalesStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<SalesDocument, S> {
    let mut quote = locked(store, ctx, SalesKind::Quote, id)?;
    if quote.status != SalesStatus::Open {
        return Err(SalesError::State(format!(
            "This quote is {}: only an open quote can be declined.",
            quote.status.as_str()
        )));
    }
    let before = quote.clone();
    quote.status = SalesStatus::Declined;
    quote.updated_at = ctx.now;
    store.update_sales_status(&quote).db()?;
    record(store, ctx, "decline", Some(&before), &quote)?;
    Ok(quote)
}

/// Cancels an order nothing was delivered or invoiced of.
pub fn cancel<S: SalesStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<SalesDocument, S> {
    let mut order = locked(store, ctx, SalesKind::Order, id)?;
    if order.status == SalesStatus::Cancelled {
        return Err(SalesError::State("This order is already cancelled.".into()));
    }
    if order
        .lines
        .iter()
        .any(|l| l.delivered_milli > 0 || l.invoiced_milli > 0)
    {
        return Err(SalesError::State(
            "Goods of this order were delivered or invoiced: it can no longer be cancelled.".into(),
        ));
    }
    let before = order.clone();
    order.status = SalesStatus::Cancelled;
    order.updated_at = ctx.now;
    store.update_sales_status(&order).db()?;
    record(store, ctx, "cancel", Some(&before), &order)?;
    Ok(order)
}

/// The order's status from its lines' progress (a cancelled order stays cancelled). Lines that
/// need no delivery (no stock item) count as delivered once invoiced.
pub(super) fn refresh_status<S: SalesStore>(store: &mut S, ctx: &Ctx<'_>, order_id: Uuid) -> Result<(), S> {
    let mut order = find(store, ctx, SalesKind::Order, order_id)?;
    if order.status == SalesStatus::Cancelled {
        return Ok(());
    }
    let company = ctx.books.company_id;
    let mut any_delivered = false;
    let mut all_delivered = true;
    for l in &order.lines {
        let needs_delivery = match l.item_id {
            Some(item) => super::stock::is_stock(store, company, item)?,
            None => false,
        };
        if needs_delivery {
            any_delivered |= l.delivered_milli > 0;
            all_delivered &= l.to_deliver() == 0;
        }
    }
    let all_invoiced = order.lines.iter().all(|l| l.to_invoice() == 0);
    let status = if all_delivered && all_invoiced {
        SalesStatus::Invoiced
    } else if all_delivered && any_delivered {
        SalesStatus::Delivered
    } else if any_delivered {
        SalesStatus::PartiallyDelivered
    } else {
        SalesStatus::Open
    };
    if status != order.status {
        order.status = status;
        order.updated_at = ctx.now;
        store.update_sales_status(&order).db()?;
    }
    Ok(())
}

/// The audit row of a change to a quote or an order.
fn record<S: SalesStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    action: &'static str,
    before: Option<&SalesDocument>,
    after: &SalesDocument,
) -> Result<(), S> {
    let fields = |d: &SalesDocument| {
        vec![
            ("status", d.status.as_str().to_owned()),
            ("number", d.number.clone()),
            ("contact", d.contact_id.to_string()),
            ("date", d.date.to_string()),
            ("total", money::format(d.total, money::decimals(&d.currency))),
        ]
    };
    let rec = audit::changes(
        ctx,
        action,
        (after.kind.as_str(), after.id),
        before.map(fields).as_ref(),
        Some(&fields(after)),
    );
    store.audit(&rec).db()
}
