//! Bills from receipts (or from an order: every receipt of it): the three-way match. Each bill
//! line bills part of one receipt line, so billed ≤ received ≤ ordered holds per line; billing
//! more than was received and not yet billed is refused naming the line, and nothing is written.
//! The bill is made and issued through the documents' own operations; for a stock line the
//! documents' issue debits GRNI with the received value and the price-difference account with
//! the rest (see `documents::MatchedLine`), instead of the line's account.

use std::collections::HashMap;

use jiff::civil::Date;
use uuid::Uuid;

use super::orders::{self, refresh, words};
use super::{
    BillLink, Order, OrderLine, OrderStatus, PurDb, PurchaseError, PurchaseStore, Receipt, ReceiptLine, Result,
    parse_quantity, quantity_text, share, stock,
};
use crate::domain::FieldErrors;
use crate::domain::documents::operations::{create_draft, find as find_document, issue};
use crate::domain::documents::{Document, DocumentError, DocumentInput, DocumentKind, LineInput};
use crate::domain::ledger::Ctx;
use crate::domain::money;

/// A bill as a request sends it; no lines: everything received and not yet billed.
#[derive(Debug, Clone, Default)]
pub struct BillInput {
    pub issue_date: Option<Date>,
    pub due_date: Option<Date>,
    /// The vendor's bill number (the order's and receipts' numbers go in the bill's notes).
    pub reference: Option<String>,
    pub lines: Vec<BillLineInput>,
}

#[derive(Debug, Clone, Default)]
pub struct BillLineInput {
    /// From a receipt: the receipt's line number. From an order: the order's line number.
    pub line: Option<i64>,
    /// Decimal text; `None`: what was received and not yet billed.
    pub quantity: Option<String>,
    /// The vendor's unit price, when it differs from the order's.
    pub unit_price: Option<String>,
}

/// One part of a receipt line the bill takes.
struct Piece<'a> {
    receipt: &'a Receipt,
    line: &'a ReceiptLine,
    order_line: &'a OrderLine,
    quantity: i64,
    unit_price: Option<String>,
    index: Option<usize>,
}

/// Bills receipt `id`.
pub fn from_receipt<S: PurchaseStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    id: Uuid,
    input: &BillInput,
) -> Result<Document, S> {
    let receipt = super::receipts::find(store, ctx, id)?;
    let order = orders::locked(store, ctx, receipt.order_id)?;
    let receipts = vec![receipt];
    bill(store, ctx, &order, &receipts, input, true)
}

/// Bills an order: each line's received and unbilled quantity, oldest receipt first.
pub fn from_order<S: PurchaseStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid, input: &BillInput) -> Result<Document, S> {
    let order = orders::locked(store, ctx, id)?;
    let receipts = store.receipts_of(ctx.books.company_id, order.id).db()?;
    bill(store, ctx, &order, &receipts, input, false)
}

fn unbilled(l: &ReceiptLine) -> i64 {
    (l.quantity - l.billed).max(0)
}

fn bill<S: PurchaseStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    order: &Order,
    receipts: &[Receipt],
    input: &BillInput,
    by_receipt_line: bool,
) -> Result<Document, S> {
    if matches!(order.status, OrderStatus::Draft | OrderStatus::Cancelled) {
        return Err(PurchaseError::State(format!(
            "This purchase order is {}: there is nothing to bill.",
            words(order.status)
        )));
    }
    let mut errors = FieldErrors::default();
    let mut pieces: Vec<Piece<'_>> = Vec::new();
    // What this request takes of each receipt line so far.
    let mut taken: HashMap<(Uuid, i64), i64> = HashMap::new();
    let all_lines = || receipts.iter().flat_map(|r| r.lines.iter().map(move |l| (r, l)));
    if input.lines.is_empty() {
        for (r, l) in all_lines() {
            let q = unbilled(l);
            if q > 0
                && let Some(ol) = order.line(l.order_line_no)
            {
                pieces.push(Piece {
                    receipt: r,
                    line: l,
                    order_line: ol,
                    quantity: q,
                    unit_price: None,
                    index: None,
                });
            }
        }
        if pieces.is_empty() {
            errors.add("lines", "Everything received was billed: there is nothing to bill.");
        }
    }
    for (i, l) in input.lines.iter().enumerate() {
        let Some(no) = l.line else {
            errors.add(&format!("lines[{i}].line"), "This field is required.");
            continue;
        };
        // The receipt lines this request line bills from.
        let sources: Vec<(&Receipt, &ReceiptLine)> = if by_receipt_line {
            all_lines().filter(|(_, rl)| rl.line_no == no).collect()
        } else {
            all_lines().filter(|(_, rl)| rl.order_line_no == no).collect()
        };
        let what = if by_receipt_line { "receipt" } else { "order" };
        let order_line = sources
            .first()
            .and_then(|(_, rl)| order.line(rl.order_line_no))
            .or_else(|| if by_receipt_line { None } else { order.line(no) });
        let Some(order_line) = order_line else {
            errors.add(&format!("lines[{i}].line"), format!("The {what} has no line {no}."));
            continue;
        };
        let available: i64 = sources
            .iter()
            .map(|(r, rl)| unbilled(rl) - taken.get(&(r.id, rl.line_no)).copied().unwrap_or(0))
            .sum();
        let quantity = match l.quantity.as_deref() {
            None => available,
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
        if quantity > available || quantity == 0 {
            errors.add(
                &format!("lines[{i}].quantity"),
                format!(
                    "Line {no} ({}): {} would be billed, but only {} received and not yet billed (ordered {}, received {}, billed {}).",
                    order_line.description,
                    quantity_text(quantity),
                    quantity_text(available.max(0)),
                    quantity_text(order_line.quantity),
                    quantity_text(order_line.received),
                    quantity_text(order_line.billed),
                ),
            );
            continue;
        }
        let mut left = quantity;
        for (r, rl) in sources {
            let key = (r.id, rl.line_no);
            let free = unbilled(rl) - taken.get(&key).copied().unwrap_or(0);
            let q = free.min(left);
            if q <= 0 {
                continue;
            }
            *taken.entry(key).or_default() += q;
            left -= q;
            pieces.push(Piece {
                receipt: r,
                line: rl,
                order_line,
                quantity: q,
                unit_price: l.unit_price.clone(),
                index: Some(i),
            });
            if left == 0 {
                break;
            }
        }
    }
    errors.into_result()?;
    let decimals = ctx.books.decimals;
    let doc_input = DocumentInput {
        contact: Some(order.vendor_id),
        issue_date: input.issue_date,
        due_date: input.due_date,
        reference: input.reference.clone().unwrap_or_default(),
        notes: format!(
            "{} {}",
            order.number,
            receipts.iter().map(|r| r.number.as_str()).collect::<Vec<_>>().join(" ")
        )
        .trim()
        .to_owned(),
        lines: pieces
            .iter()
            .map(|p| LineInput {
                item: p.order_line.item_id,
                description: p.order_line.description.clone(),
                quantity: Some(quantity_text(p.quantity)),
                unit_price: Some(
                    p.unit_price
                        .clone()
                        .unwrap_or_else(|| money::format(p.order_line.unit_price, decimals)),
                ),
                discount_percent: Some(p.order_line.discount_percent.to_string()),
                tax_rate: p.order_line.tax_rate_id,
                account: Some(p.order_line.account_id),
            })
            .collect(),
        ..DocumentInput::default()
    };
    let doc = match create_draft(store, ctx, DocumentKind::Bill, &doc_input) {
        Ok(d) => d,
        Err(DocumentError::Invalid(e)) => return Err(PurchaseError::Invalid(renamed(e, &pieces))),
        Err(other) => return Err(other.into()),
    };
    // The received value of each piece: the part of the receipt line's value up to what is
    // billed after it, less the part up to what was billed before (the last takes the rest).
    let upto = |l: &ReceiptLine, q: i64| -> Option<i64> {
        if q >= l.quantity {
            Some(l.value)
        } else {
            share(l.value, q, l.quantity)
        }
    };
    let mut billed: HashMap<(Uuid, i64), i64> = HashMap::new();
    let mut links = Vec::with_capacity(pieces.len());
    for (p, line) in pieces.iter().zip(&doc.lines) {
        let key = (p.receipt.id, p.line.line_no);
        let before = p.line.billed + billed.get(&key).copied().unwrap_or(0);
        let receipt_value = upto(p.line, before + p.quantity)
            .zip(upto(p.line, before))
            .map(|(a, b)| a - b)
            .ok_or(PurchaseError::Overflow)?;
        *billed.entry(key).or_default() += p.quantity;
        let accounts = match p.line.item_id {
            Some(item) if p.line.stock_move_id.is_some() => stock::accounts(store, ctx, item)?,
            _ => None,
        };
        links.push(BillLink {
            bill_id: doc.id,
            bill_line_no: line.line_no,
            order_id: order.id,
            order_line_no: p.order_line.line_no,
            receipt_id: Some(p.receipt.id),
            receipt_line_no: Some(p.line.line_no),
            quantity: p.quantity,
            receipt_value,
            price_difference: if accounts.is_some() {
                line.net_amount - receipt_value
            } else {
                0
            },
            grni_account_id: accounts.map(|a| a.grni),
            price_difference_account_id: accounts.map(|a| a.price_difference),
        });
    }
    store.insert_bill_links(ctx.books.company_id, &links).db()?;
    let doc = issue(store, ctx, DocumentKind::Bill, doc.id)?;
    refresh(store, ctx, order.id)?;
    Ok(doc)
}

/// The documents' errors name the bill's lines; the request's lines are what the caller sent.
fn renamed(e: FieldErrors, pieces: &[Piece<'_>]) -> FieldErrors {
    let mut out = FieldErrors::default();
    for (key, messages) in e.0 {
        let mapped = key
            .strip_prefix("lines[")
            .and_then(|rest| rest.split_once(']'))
            .and_then(|(n, tail)| {
                let k: usize = n.parse().ok()?;
                let p = pieces.get(k)?;
                Some(match p.index {
                    Some(i) => format!("lines[{i}]{tail}"),
                    None => format!("lines{tail}"),
                })
            })
            .unwrap_or(key);
        for m in messages {
            out.add(&mapped, m);
        }
    }
    out
}

/// One bill line beside what was ordered and received: the three-way match as a bill shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchRow {
    pub bill_line_no: i64,
    pub description: String,
    pub order_id: Uuid,
    pub order_number: String,
    pub order_line_no: i64,
    pub receipt_id: Option<Uuid>,
    pub receipt_number: Option<String>,
    pub receipt_line_no: Option<i64>,
    pub ordered: i64,
    pub received: i64,
    pub billed_on_order: i64,
    /// This line's quantity.
    pub quantity: i64,
    pub order_unit_price: i64,
    pub bill_unit_price: i64,
    pub bill_net: i64,
    pub receipt_value: i64,
    pub price_difference: i64,
}

/// The bill's lines linked to orders and receipts, with their differences.
pub fn matching<S: PurchaseStore>(store: &mut S, ctx: &Ctx<'_>, bill_id: Uuid) -> Result<(Document, Vec<MatchRow>), S> {
    let doc = find_document(store, ctx, DocumentKind::Bill, bill_id)?;
    let company = ctx.books.company_id;
    let links = store.bill_links(company, bill_id).db()?;
    let mut orders: HashMap<Uuid, Order> = HashMap::new();
    let mut receipts: HashMap<Uuid, Receipt> = HashMap::new();
    let mut rows = Vec::with_capacity(links.len());
    for link in links {
        if !orders.contains_key(&link.order_id) {
            let o = orders::find(store, ctx, link.order_id)?;
            orders.insert(o.id, o);
        }
        if let Some(r) = link.receipt_id
            && !receipts.contains_key(&r)
            && let Some(found) = store.receipt(company, r).db()?
        {
            receipts.insert(r, found);
        }
        let Some(order) = orders.get(&link.order_id) else {
            continue;
        };
        let Some(ol) = order.line(link.order_line_no) else {
            continue;
        };
        let Some(bl) = doc.lines.iter().find(|l| l.line_no == link.bill_line_no) else {
            continue;
        };
        rows.push(MatchRow {
            bill_line_no: link.bill_line_no,
            description: bl.description.clone(),
            order_id: order.id,
            order_number: order.number.clone(),
            order_line_no: ol.line_no,
            receipt_id: link.receipt_id,
            receipt_number: link.receipt_id.and_then(|r| receipts.get(&r)).map(|r| r.number.clone()),
            receipt_line_no: link.receipt_line_no,
            ordered: ol.quantity,
            received: ol.received,
            billed_on_order: ol.billed,
            quantity: link.quantity,
            order_unit_price: ol.unit_price,
            bill_unit_price: bl.unit_price,
            bill_net: bl.net_amount,
            receipt_value: link.receipt_value,
            price_difference: link.price_difference,
        });
    }
    Ok((doc, rows))
}
