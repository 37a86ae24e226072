//! The rows of the receivables and payables reports: what is open per contact as of a date
//! (ageing, statements), and a customer's movements (statements).

use jiff::civil::Date;
use uuid::Uuid;

use crate::domain::books::Books;
use crate::domain::documents::{Direction, DocumentKind};
use crate::domain::exchange_rates::convert;
use crate::domain::money;
use crate::domain::reports::ageing::{OpenItem, Side};
use crate::domain::reports::statement::{Movement, MovementKind};
use crate::store::ledger::parse_date;
use crate::store::{StoreError, Tx, Value};
use crate::{params, values};

/// What the company's customers ([`Side::Receivables`]) or vendors owe or are owed as of a date,
/// one contact's only when `contact` is given, as the books stood that day: open documents dated
/// their due date, unapplied credits and payments (negative) dated their own.
///
/// Every event counts from its own date, so the total equals the control account's trial
/// balance as of the date and nothing recorded later with a later date changes it:
/// - a document or payment counts from its date until its void's, the date of its reversing
///   entry (`void_entry_id`, a primary-key look-up, never a scan of lines);
/// - an allocation counts from its `date` until its `ended_on` (the void of its payment), and
///   only while the document it pays stands. A credit with standing allocations cannot be
///   voided, and a payment's void ends its allocations, so its source stands as long as it does.
pub fn open_items(
    tx: &mut Tx,
    books: &Books,
    side: Side,
    as_of: Date,
    contact: Option<Uuid>,
) -> Result<Vec<OpenItem>, StoreError> {
    let company = books.company_id;
    // The documents that open an amount, the credits that reduce it, the payments that settle it.
    let (document, credit, direction) = match side {
        Side::Receivables => (DocumentKind::Invoice, DocumentKind::CreditNote, Direction::Received),
        Side::Payables => (DocumentKind::Bill, DocumentKind::VendorCredit, Direction::Made),
    };
    // Inner aliases differ from the outer `d` and `p`: the subquery must see the outer row.
    let applied = "COALESCE((SELECT SUM({sum}) FROM allocations a JOIN documents ad ON ad.id = a.document_id \
        LEFT JOIN journal_entries av ON av.id = ad.void_entry_id \
        WHERE a.company_id = $1 AND {col} = {id} AND a.date <= $2 AND (a.ended_on IS NULL OR a.ended_on > $2) \
        AND (av.date IS NULL OR av.date > $2)), 0)";
    let of = |col: &str, id: &str, sum: &str| applied.replace("{col}", col).replace("{id}", id).replace("{sum}", sum);
    let to_doc = of("a.document_id", "d.id", "a.amount");
    let from_doc = of("a.source_id", "d.id", "a.amount");
    let from_pay = of("a.source_id", "p.id", "a.amount");
    // The same in the company currency, as each allocation took it off at its side's rate.
    let to_doc_c = of("a.document_id", "d.id", "a.carried_document");
    let from_doc_c = of("a.source_id", "d.id", "a.carried_source");
    let from_pay_c = of("a.source_id", "p.id", "a.carried_source");
    let (of_doc, of_pay) = match contact {
        Some(_) => ("AND d.contact_id = $6", "AND p.contact_id = $6"),
        None => ("", ""),
    };
    // Issued by the date and not yet void on it.
    let standing = |t: &str| format!("LEFT JOIN journal_entries v ON v.id = {t}.void_entry_id");
    let (doc_void, pay_void) = (standing("d"), standing("p"));
    let sql = format!(
        "SELECT d.contact_id, c.name, d.due_date, 1, d.total, {to_doc}, d.currency, d.exchange_rate_e12, {to_doc_c} FROM documents d JOIN contacts c ON c.id = d.contact_id {doc_void} \
         WHERE d.company_id = $1 AND d.kind = $3 AND d.status <> 'draft' AND d.issue_date <= $2 AND (v.date IS NULL OR v.date > $2) {of_doc} \
         UNION ALL \
         SELECT d.contact_id, c.name, d.issue_date, -1, d.total, {from_doc}, d.currency, d.exchange_rate_e12, {from_doc_c} FROM documents d JOIN contacts c ON c.id = d.contact_id {doc_void} \
         WHERE d.company_id = $1 AND d.kind = $4 AND d.status <> 'draft' AND d.issue_date <= $2 AND (v.date IS NULL OR v.date > $2) {of_doc} \
         UNION ALL \
         SELECT p.contact_id, c.name, p.date, -1, p.amount, {from_pay}, COALESCE(p.currency, ''), p.exchange_rate_e12, {from_pay_c} FROM payments p JOIN contacts c ON c.id = p.contact_id {pay_void} \
         WHERE p.company_id = $1 AND p.direction = $5 AND p.date <= $2 AND (v.date IS NULL OR v.date > $2) {of_pay}"
    );
    let mut values: Vec<Value> = values![
        company,
        as_of.to_string(),
        document.as_str(),
        credit.as_str(),
        direction.as_str()
    ]
    .to_vec();
    values.extend(contact.map(Value::from));
    let mut items = Vec::new();
    for r in tx.query(&sql, &values)? {
        let sign = r.int(3)?;
        let (whole, applied) = (r.int(4)?, r.int(5)?);
        let currency = Some(r.text(6)?)
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| books.currency.clone());
        let open = whole - applied;
        if open == 0 {
            continue;
        }
        // In the company currency, what the control account carries for it: the whole at its
        // rate less what the standing allocations took off it (`domain::documents::foreign`).
        let carried = match r.opt_int(7)? {
            Some(rate) if currency != books.currency => {
                convert::to_company(whole, money::decimals(&currency), rate, books.decimals)
                    .map_err(|e| StoreError::Corrupt(format!("open item: {e}")))?
                    - r.int(8)?
            }
            _ => open,
        };
        items.push(OpenItem {
            contact_id: r.uuid(0)?,
            contact_name: r.text(1)?,
            date: parse_date(&r.text(2)?)?,
            amount: sign * carried,
            amount_currency: sign * open,
            currency,
        });
    }
    Ok(items)
}

/// A customer's movements dated up to `to`, in date order (on a day: invoices and credit
/// notes, payments, then voids; then by number or reference): issued invoices and credit notes,
/// payments received, and the voids of any of them on their void's date (the date of the
/// reversing entry). Something voided on its own date never stood in the books at the end of a
/// day and is left out, with its void.
pub fn statement_movements(tx: &mut Tx, books: &Books, customer: Uuid, to: Date) -> Result<Vec<Movement>, StoreError> {
    let company = books.company_id;
    // Columns: date, number or reference, kind, amount, order within a day, currency, rate.
    let sql = "SELECT d.issue_date, COALESCE(d.number, ''), d.kind, d.total, 0 AS seq, d.currency, d.exchange_rate_e12 \
         FROM documents d \
         LEFT JOIN journal_entries v ON v.id = d.void_entry_id \
         WHERE d.company_id = $1 AND d.contact_id = $2 AND d.kind IN ('invoice', 'credit_note') \
         AND d.status <> 'draft' AND d.issue_date <= $3 AND (v.date IS NULL OR v.date > d.issue_date) \
         UNION ALL \
         SELECT v.date, COALESCE(d.number, ''), d.kind || '_void', d.total, 2, d.currency, d.exchange_rate_e12 \
         FROM documents d \
         JOIN journal_entries v ON v.id = d.void_entry_id \
         WHERE d.company_id = $1 AND d.contact_id = $2 AND d.kind IN ('invoice', 'credit_note') \
         AND v.date <= $3 AND v.date > d.issue_date \
         UNION ALL \
         SELECT p.date, p.reference, 'payment', p.amount, 1, COALESCE(p.currency, ''), p.exchange_rate_e12 \
         FROM payments p \
         LEFT JOIN journal_entries v ON v.id = p.void_entry_id \
         WHERE p.company_id = $1 AND p.contact_id = $2 AND p.direction = 'received' AND p.date <= $3 \
         AND (v.date IS NULL OR v.date > p.date) \
         UNION ALL \
         SELECT v.date, p.reference, 'payment_void', p.amount, 3, COALESCE(p.currency, ''), p.exchange_rate_e12 \
         FROM payments p \
         JOIN journal_entries v ON v.id = p.void_entry_id \
         WHERE p.company_id = $1 AND p.contact_id = $2 AND p.direction = 'received' AND v.date <= $3 AND v.date > p.date \
         UNION ALL \
         SELECT a.date, COALESCE(d.number, ''), 'exchange', a.carried_source - a.carried_document, 4, '', NULL \
         FROM allocations a JOIN documents d ON d.id = a.document_id \
         WHERE a.company_id = $1 AND d.contact_id = $2 AND d.kind = 'invoice' AND a.exchange_entry_id IS NOT NULL \
         AND a.date <= $3 AND (a.ended_on IS NULL OR a.ended_on > a.date) \
         UNION ALL \
         SELECT a.ended_on, COALESCE(d.number, ''), 'exchange_void', a.carried_source - a.carried_document, 5, '', NULL \
         FROM allocations a JOIN documents d ON d.id = a.document_id \
         WHERE a.company_id = $1 AND d.contact_id = $2 AND d.kind = 'invoice' AND a.exchange_entry_id IS NOT NULL \
         AND a.ended_on <= $3 AND a.ended_on > a.date \
         ORDER BY 1, 5, 2";
    tx.query(sql, params![company, customer, to.to_string()])?
        .iter()
        .map(|r| {
            let kind = r.text(2)?;
            let whole = r.int(3)?;
            let currency = Some(r.text(5)?)
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| books.currency.clone());
            // In the company currency at the document's or payment's own rate.
            let amount = match r.opt_int(6)? {
                Some(rate) if currency != books.currency => {
                    convert::to_company(whole, money::decimals(&currency), rate, books.decimals)
                        .map_err(|e| StoreError::Corrupt(format!("statement movement: {e}")))?
                }
                _ => whole,
            };
            let amount_currency = if kind == "exchange" || kind == "exchange_void" {
                whole.saturating_abs()
            } else {
                whole
            };
            Ok(Movement {
                date: parse_date(&r.text(0)?)?,
                document: r.text(1)?,
                kind: match kind.as_str() {
                    "invoice" => MovementKind::Invoice,
                    "credit_note" => MovementKind::CreditNote,
                    "payment" => MovementKind::Payment,
                    "invoice_void" => MovementKind::InvoiceVoid,
                    "credit_note_void" => MovementKind::CreditNoteVoid,
                    "payment_void" => MovementKind::PaymentVoid,
                    "exchange" => MovementKind::ExchangeDifference,
                    "exchange_void" => MovementKind::ExchangeDifferenceVoid,
                    other => return Err(StoreError::Corrupt(format!("unknown statement movement {other:?}"))),
                },
                amount,
                currency,
                amount_currency,
            })
        })
        .collect()
}
