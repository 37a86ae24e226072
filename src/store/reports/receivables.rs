//! The rows of the receivables and payables reports: what is open per contact as of a date
//! (ageing, statements), and a customer's movements (statements).

use jiff::civil::Date;
use uuid::Uuid;

use crate::domain::documents::{Direction, DocumentKind};
use crate::domain::reports::ageing::{OpenItem, Side};
use crate::domain::reports::statement::{Movement, MovementKind};
use crate::store::ledger::parse_date;
use crate::store::{StoreError, Tx, Value};
use crate::{params, values};

/// What the company's customers ([`Side::Receivables`]) or vendors owe or are owed as of a date,
/// one contact's only when `contact` is given: open documents dated their due date, unapplied
/// credits and payments (negative) dated their own. Allocations count as of their source's date
/// (a payment's date, a credit's issue date); fully applied amounts are left out.
pub fn open_items(
    tx: &mut Tx,
    company: Uuid,
    side: Side,
    as_of: Date,
    contact: Option<Uuid>,
) -> Result<Vec<OpenItem>, StoreError> {
    // The documents that open an amount, the credits that reduce it, the payments that settle it.
    let (document, credit, direction) = match side {
        Side::Receivables => (DocumentKind::Invoice, DocumentKind::CreditNote, Direction::Received),
        Side::Payables => (DocumentKind::Bill, DocumentKind::VendorCredit, Direction::Made),
    };
    // Inner aliases differ from the outer `d` and `p`: the subquery must see the outer row.
    let applied = "COALESCE((SELECT SUM(a.amount) FROM allocations a LEFT JOIN payments ap ON ap.id = a.source_id \
        LEFT JOIN documents ad ON ad.id = a.source_id WHERE a.company_id = $1 AND {col} = {id} \
        AND COALESCE(ap.date, ad.issue_date) <= $2), 0)";
    let to_doc = applied.replace("{col}", "a.document_id").replace("{id}", "d.id");
    let from_doc = applied.replace("{col}", "a.source_id").replace("{id}", "d.id");
    let from_pay = applied.replace("{col}", "a.source_id").replace("{id}", "p.id");
    let (of_doc, of_pay) = match contact {
        Some(_) => ("AND d.contact_id = $7", "AND p.contact_id = $7"),
        None => ("", ""),
    };
    let sql = format!(
        "SELECT d.contact_id, c.name, d.due_date, d.total - {to_doc} FROM documents d JOIN contacts c ON c.id = d.contact_id \
         WHERE d.company_id = $1 AND d.kind = $3 AND d.status NOT IN ('draft', 'void') AND d.issue_date <= $2 {of_doc} \
         UNION ALL \
         SELECT d.contact_id, c.name, d.issue_date, -(d.total - {from_doc}) FROM documents d JOIN contacts c ON c.id = d.contact_id \
         WHERE d.company_id = $1 AND d.kind = $4 AND d.status NOT IN ('draft', 'void') AND d.issue_date <= $2 {of_doc} \
         UNION ALL \
         SELECT p.contact_id, c.name, p.date, -(p.amount - {from_pay}) FROM payments p JOIN contacts c ON c.id = p.contact_id \
         WHERE p.company_id = $1 AND p.direction = $5 AND p.is_void = $6 AND p.date <= $2 {of_pay}"
    );
    let mut values: Vec<Value> = values![
        company,
        as_of.to_string(),
        document.as_str(),
        credit.as_str(),
        direction.as_str(),
        false
    ]
    .to_vec();
    values.extend(contact.map(Value::from));
    let mut items = Vec::new();
    for r in tx.query(&sql, &values)? {
        let amount = r.int(3)?;
        if amount != 0 {
            items.push(OpenItem {
                contact_id: r.uuid(0)?,
                contact_name: r.text(1)?,
                date: parse_date(&r.text(2)?)?,
                amount,
            });
        }
    }
    Ok(items)
}

/// A customer's invoices and credit notes (issued, not void) and payments received (not void)
/// dated up to `to`, in date order: invoices first on a day, then by number or reference.
pub fn statement_movements(tx: &mut Tx, company: Uuid, customer: Uuid, to: Date) -> Result<Vec<Movement>, StoreError> {
    let sql = "SELECT issue_date, COALESCE(number, ''), kind, total, 0 AS seq FROM documents \
         WHERE company_id = $1 AND contact_id = $2 AND kind IN ('invoice', 'credit_note') \
         AND status NOT IN ('draft', 'void') AND issue_date <= $3 \
         UNION ALL \
         SELECT date, reference, 'payment', amount, 1 FROM payments \
         WHERE company_id = $1 AND contact_id = $2 AND direction = 'received' AND is_void = $4 AND date <= $3 \
         ORDER BY 1, 5, 2";
    tx.query(sql, params![company, customer, to.to_string(), false])?
        .iter()
        .map(|r| {
            let kind = r.text(2)?;
            Ok(Movement {
                date: parse_date(&r.text(0)?)?,
                document: r.text(1)?,
                kind: match kind.as_str() {
                    "invoice" => MovementKind::Invoice,
                    "credit_note" => MovementKind::CreditNote,
                    "payment" => MovementKind::Payment,
                    other => return Err(StoreError::Corrupt(format!("unknown statement movement {other:?}"))),
                },
                amount: r.int(3)?,
            })
        })
        .collect()
}
