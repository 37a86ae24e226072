//! Invoices, credit notes, bills, vendor credits, payments and allocations as stored: their rows
//! and `DocumentStore` for both backends. What the API reads about them (lists) is in
//! `lists.rs`; what the reports read (open items, statement rows) in `store::reports`.

mod lists;

use jiff::civil::Date;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::ledger::parse_date;
use super::platform::{parse_ts, ts};
use super::{Row, StoreError, Tx, Value};
use crate::domain::documents::{
    Allocation, ContactRef, Direction, Document, DocumentKind, DocumentLine, DocumentStatus, DocumentStore, ItemRef,
    Payment, Rounding, TaxRateRef,
};
use crate::params;

pub use lists::{DOCUMENT_LIST, PAYMENT_LIST, allocations_to, duplicate_reference, entry_owner, page, payment_page};

const DOC_COLUMNS: &str = "d.id, d.company_id, d.kind, d.status, d.number, d.contact_id, d.issue_date, d.due_date, \
    d.currency, d.reference, d.notes, d.payment_terms_days, d.credited_document_id, d.subtotal, d.tax_total, d.total, \
    d.amount_paid, d.journal_entry_id, d.void_entry_id, d.issued_at, d.created_by, d.created_at, d.updated_at, c.name, d.exchange_rate_e12";

const DOC_FROM: &str = "documents d JOIN contacts c ON c.id = d.contact_id";

fn dec(s: &str) -> Result<Decimal, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("{s:?} is not a decimal")))
}

/// A document header (lines empty) and its contact's name.
pub fn document_from_row(r: &Row) -> Result<(Document, String), StoreError> {
    let kind = r.text(2)?;
    let status = r.text(3)?;
    Ok((
        Document {
            id: r.uuid(0)?,
            company_id: r.uuid(1)?,
            kind: DocumentKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("unknown kind {kind:?}")))?,
            status: DocumentStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown status {status:?}")))?,
            number: r.opt_text(4)?,
            contact_id: r.uuid(5)?,
            issue_date: parse_date(&r.text(6)?)?,
            due_date: parse_date(&r.text(7)?)?,
            currency: r.text(8)?,
            reference: r.text(9)?,
            notes: r.text(10)?,
            payment_terms_days: r.int(11)?,
            credited_document_id: r.opt_uuid(12)?,
            lines: Vec::new(),
            subtotal: r.int(13)?,
            tax_total: r.int(14)?,
            total: r.int(15)?,
            amount_paid: r.int(16)?,
            journal_entry_id: r.opt_uuid(17)?,
            void_entry_id: r.opt_uuid(18)?,
            issued_at: r.opt_text(19)?.as_deref().map(parse_ts).transpose()?,
            created_by: r.uuid(20)?,
            created_at: parse_ts(&r.text(21)?)?,
            updated_at: parse_ts(&r.text(22)?)?,
            exchange_rate: r.opt_int(24)?,
        },
        r.text(23)?,
    ))
}
/// A document with its lines and its contact's name.
pub fn get(tx: &mut Tx, company: Uuid, id: Uuid) -> Result<Option<(Document, String)>, StoreError> {
    let Some(row) = tx.query_opt(
        &format!("SELECT {DOC_COLUMNS} FROM {DOC_FROM} WHERE d.company_id = $1 AND d.id = $2"),
        params![company, id],
    )?
    else {
        return Ok(None);
    };
    let (mut doc, name) = document_from_row(&row)?;
    doc.lines = tx
        .query(
            "SELECT line_no, item_id, description, quantity, unit_price, discount_percent, tax_rate_id, account_id, \
             net_amount, tax_amount FROM document_lines WHERE document_id = $1 ORDER BY line_no",
            params![id],
        )?
        .iter()
        .map(|r| {
            Ok(DocumentLine {
                line_no: r.int(0)?,
                item_id: r.opt_uuid(1)?,
                description: r.text(2)?,
                quantity: dec(&r.text(3)?)?,
                unit_price: r.int(4)?,
                discount_percent: dec(&r.text(5)?)?,
                tax_rate_id: r.opt_uuid(6)?,
                account_id: r.uuid(7)?,
                net_amount: r.int(8)?,
                tax_amount: r.int(9)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Some((doc, name)))
}
fn insert_lines(tx: &mut Tx, d: &Document) -> Result<(), StoreError> {
    let mut values: Vec<Value> = Vec::with_capacity(d.lines.len() * 11);
    for l in &d.lines {
        values.extend(crate::values![
            d.id,
            l.line_no,
            l.item_id,
            l.description.as_str(),
            l.quantity.to_string(),
            l.unit_price,
            l.discount_percent.to_string(),
            l.tax_rate_id,
            l.account_id,
            l.net_amount,
            l.tax_amount
        ]);
    }
    tx.insert_many(
        "INSERT INTO document_lines (document_id, line_no, item_id, description, quantity, unit_price, \
         discount_percent, tax_rate_id, account_id, net_amount, tax_amount)",
        11,
        &values,
    )
}

fn doc_values(d: &Document) -> Vec<Value> {
    crate::values![
        d.id,
        d.company_id,
        d.kind.as_str(),
        d.status.as_str(),
        d.number.clone(),
        d.contact_id,
        d.issue_date.to_string(),
        d.due_date.to_string(),
        d.currency.as_str(),
        d.reference.as_str(),
        d.notes.as_str(),
        d.payment_terms_days,
        d.credited_document_id,
        d.subtotal,
        d.tax_total,
        d.total,
        d.amount_paid,
        d.journal_entry_id,
        d.void_entry_id,
        d.issued_at.map(ts),
        d.created_by,
        ts(d.created_at),
        ts(d.updated_at),
        d.exchange_rate
    ]
    .to_vec()
}

const PAY_COLUMNS: &str = "p.id, p.company_id, p.direction, p.contact_id, p.date, p.amount, p.bank_account_id, \
    p.reference, p.is_void, p.journal_entry_id, p.void_entry_id, p.created_by, p.created_at, p.updated_at, c.name, p.currency, p.exchange_rate_e12";

const PAY_FROM: &str = "payments p JOIN contacts c ON c.id = p.contact_id";
pub fn payment_from_row(r: &Row) -> Result<(Payment, String), StoreError> {
    let direction = r.text(2)?;
    Ok((
        Payment {
            id: r.uuid(0)?,
            company_id: r.uuid(1)?,
            direction: Direction::parse(&direction)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown direction {direction:?}")))?,
            contact_id: r.uuid(3)?,
            date: parse_date(&r.text(4)?)?,
            amount: r.int(5)?,
            bank_account_id: r.uuid(6)?,
            reference: r.text(7)?,
            is_void: r.bool(8)?,
            journal_entry_id: r.uuid(9)?,
            void_entry_id: r.opt_uuid(10)?,
            created_by: r.uuid(11)?,
            created_at: parse_ts(&r.text(12)?)?,
            updated_at: parse_ts(&r.text(13)?)?,
            currency: r.opt_text(15)?,
            exchange_rate: r.opt_int(16)?,
        },
        r.text(14)?,
    ))
}
pub fn get_payment(tx: &mut Tx, company: Uuid, id: Uuid) -> Result<Option<(Payment, String)>, StoreError> {
    tx.query_opt(
        &format!("SELECT {PAY_COLUMNS} FROM {PAY_FROM} WHERE p.company_id = $1 AND p.id = $2"),
        params![company, id],
    )?
    .as_ref()
    .map(payment_from_row)
    .transpose()
}

fn allocation_from_row(r: &Row) -> Result<Allocation, StoreError> {
    Ok(Allocation {
        id: r.uuid(0)?,
        company_id: r.uuid(1)?,
        source_id: r.uuid(2)?,
        document_id: r.uuid(3)?,
        amount: r.int(4)?,
        created_at: parse_ts(&r.text(5)?)?,
        date: parse_date(&r.text(6)?)?,
        ended_on: r.opt_text(7)?.map(|d| parse_date(&d)).transpose()?,
        exchange_entry_id: r.opt_uuid(8)?,
        carried: match (r.opt_int(9)?, r.opt_int(10)?) {
            (Some(d), Some(s)) => Some((d, s)),
            _ => None,
        },
    })
}
impl DocumentStore for Tx<'_> {
    fn matched_lines(
        &mut self,
        company: Uuid,
        bill: Uuid,
    ) -> Result<Vec<crate::domain::documents::MatchedLine>, StoreError> {
        super::purchases::matched_lines(self, company, bill)
    }

    fn contact(&mut self, company: Uuid, id: Uuid) -> Result<Option<ContactRef>, StoreError> {
        self.query_opt(
            "SELECT id, name, is_customer, is_vendor, is_active, payment_terms_days, revenue_account_id, expense_account_id \
             FROM contacts WHERE company_id = $1 AND id = $2",
            params![company, id],
        )?
        .map(|r| {
            Ok(ContactRef {
                id: r.uuid(0)?,
                name: r.text(1)?,
                is_customer: r.bool(2)?,
                is_vendor: r.bool(3)?,
                is_active: r.bool(4)?,
                payment_terms_days: r.int(5)?,
                revenue_account_id: r.opt_uuid(6)?,
                expense_account_id: r.opt_uuid(7)?,
            })
        })
        .transpose()
    }

    fn item(&mut self, company: Uuid, id: Uuid) -> Result<Option<ItemRef>, StoreError> {
        self.query_opt(
            "SELECT id, name, description, sale_price, purchase_price, income_account_id, expense_account_id, \
             sales_tax_rate_id, purchase_tax_rate_id, is_active FROM items WHERE company_id = $1 AND id = $2",
            params![company, id],
        )?
        .map(|r| {
            Ok(ItemRef {
                id: r.uuid(0)?,
                name: r.text(1)?,
                description: r.text(2)?,
                sale_price: r.int(3)?,
                purchase_price: r.int(4)?,
                income_account_id: r.opt_uuid(5)?,
                expense_account_id: r.opt_uuid(6)?,
                sales_tax_rate_id: r.opt_uuid(7)?,
                purchase_tax_rate_id: r.opt_uuid(8)?,
                is_active: r.bool(9)?,
            })
        })
        .transpose()
    }

    fn tax_rate(&mut self, company: Uuid, id: Uuid) -> Result<Option<TaxRateRef>, StoreError> {
        self.query_opt(
            "SELECT id, name, rate_ppm, is_inclusive, sales_account_id, purchase_account_id, is_active \
             FROM tax_rates WHERE company_id = $1 AND id = $2",
            params![company, id],
        )?
        .map(|r| {
            Ok(TaxRateRef {
                id: r.uuid(0)?,
                name: r.text(1)?,
                rate_ppm: r.int(2)?,
                is_inclusive: r.bool(3)?,
                sales_account_id: r.uuid(4)?,
                purchase_account_id: r.uuid(5)?,
                is_active: r.bool(6)?,
            })
        })
        .transpose()
    }

    fn tax_rounding(&mut self, company: Uuid) -> Result<Rounding, StoreError> {
        Ok(crate::domain::ledger::LedgerStore::settings(self, company)?.tax_rounding)
    }

    fn document(&mut self, company: Uuid, id: Uuid) -> Result<Option<Document>, StoreError> {
        Ok(get(self, company, id)?.map(|(d, _)| d))
    }

    fn lock_document(&mut self, company: Uuid, id: Uuid) -> Result<(), StoreError> {
        self.execute(
            "UPDATE documents SET updated_at = updated_at WHERE company_id = $1 AND id = $2",
            params![company, id],
        )?;
        Ok(())
    }

    fn insert_document(&mut self, d: &Document) -> Result<(), StoreError> {
        self.insert_many(
            "INSERT INTO documents (id, company_id, kind, status, number, contact_id, issue_date, due_date, currency, \
             reference, notes, payment_terms_days, credited_document_id, subtotal, tax_total, total, amount_paid, \
             journal_entry_id, void_entry_id, issued_at, created_by, created_at, updated_at, exchange_rate_e12)",
            24,
            &doc_values(d),
        )?;
        insert_lines(self, d)
    }

    fn update_document(&mut self, d: &Document) -> Result<(), StoreError> {
        self.execute(
            "UPDATE documents SET company_id = $2, kind = $3, status = $4, number = $5, contact_id = $6, issue_date = $7, \
             due_date = $8, currency = $9, reference = $10, notes = $11, payment_terms_days = $12, \
             credited_document_id = $13, subtotal = $14, tax_total = $15, total = $16, amount_paid = $17, \
             journal_entry_id = $18, void_entry_id = $19, issued_at = $20, created_by = $21, created_at = $22, \
             updated_at = $23, exchange_rate_e12 = $24 WHERE id = $1",
            &doc_values(d),
        )?;
        if d.status == DocumentStatus::Draft {
            self.execute("DELETE FROM document_lines WHERE document_id = $1", params![d.id])?;
            insert_lines(self, d)?;
        }
        Ok(())
    }

    fn delete_document(&mut self, company: Uuid, id: Uuid) -> Result<(), StoreError> {
        self.execute("DELETE FROM document_lines WHERE document_id = $1", params![id])?;
        self.execute(
            "DELETE FROM documents WHERE company_id = $1 AND id = $2 AND status = 'draft'",
            params![company, id],
        )?;
        Ok(())
    }

    fn payment(&mut self, company: Uuid, id: Uuid) -> Result<Option<Payment>, StoreError> {
        Ok(get_payment(self, company, id)?.map(|(p, _)| p))
    }

    fn lock_payment(&mut self, company: Uuid, id: Uuid) -> Result<(), StoreError> {
        self.execute(
            "UPDATE payments SET updated_at = updated_at WHERE company_id = $1 AND id = $2",
            params![company, id],
        )?;
        Ok(())
    }

    fn insert_payment(&mut self, p: &Payment) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO payments (id, company_id, direction, contact_id, date, amount, bank_account_id, reference, \
             is_void, journal_entry_id, void_entry_id, created_by, created_at, updated_at, currency, exchange_rate_e12) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            params![
                p.id,
                p.company_id,
                p.direction.as_str(),
                p.contact_id,
                p.date.to_string(),
                p.amount,
                p.bank_account_id,
                p.reference.as_str(),
                p.is_void,
                p.journal_entry_id,
                p.void_entry_id,
                p.created_by,
                ts(p.created_at),
                ts(p.updated_at),
                p.currency.clone(),
                p.exchange_rate
            ],
        )?;
        Ok(())
    }

    fn update_payment(&mut self, p: &Payment) -> Result<(), StoreError> {
        self.execute(
            "UPDATE payments SET is_void = $3, void_entry_id = $4, updated_at = $5 WHERE company_id = $1 AND id = $2",
            params![p.company_id, p.id, p.is_void, p.void_entry_id, ts(p.updated_at)],
        )?;
        Ok(())
    }

    fn insert_allocation(&mut self, a: &Allocation) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO allocations (id, company_id, source_id, document_id, amount, created_at, date, ended_on, \
             exchange_entry_id, carried_document, carried_source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            params![
                a.id,
                a.company_id,
                a.source_id,
                a.document_id,
                a.amount,
                ts(a.created_at),
                a.date.to_string(),
                a.ended_on.map(|d| d.to_string()),
                a.exchange_entry_id,
                a.carried.map(|c| c.0),
                a.carried.map(|c| c.1)
            ],
        )?;
        Ok(())
    }

    fn allocations_from(&mut self, company: Uuid, source: Uuid) -> Result<Vec<Allocation>, StoreError> {
        self.query(
            "SELECT id, company_id, source_id, document_id, amount, created_at, date, ended_on, exchange_entry_id, \
             carried_document, carried_source \
             FROM allocations \
             WHERE company_id = $1 AND source_id = $2 AND ended_on IS NULL ORDER BY created_at, id",
            params![company, source],
        )?
        .iter()
        .map(allocation_from_row)
        .collect()
    }

    fn settled_until(&mut self, company: Uuid, document: Uuid) -> Result<Option<Date>, StoreError> {
        self.query_opt(
            "SELECT MAX(ended_on) FROM allocations WHERE company_id = $1 AND document_id = $2 AND ended_on > date",
            params![company, document],
        )?
        .map(|r| r.opt_text(0))
        .transpose()?
        .flatten()
        .map(|d| crate::store::ledger::parse_date(&d))
        .transpose()
    }

    fn exchange_rate_on(&mut self, company: Uuid, currency: &str, date: Date) -> Result<Option<i64>, StoreError> {
        self.query_opt(
            "SELECT rate_e12 FROM exchange_rates WHERE company_id = $1 AND currency = $2 AND date <= $3 \
             ORDER BY date DESC LIMIT 1",
            params![company, currency, date.to_string()],
        )?
        .map(|r| r.int(0))
        .transpose()
    }

    fn bank_currency(&mut self, company: Uuid, account: Uuid) -> Result<Option<String>, StoreError> {
        self.query_opt(
            "SELECT currency FROM bank_accounts WHERE company_id = $1 AND account_id = $2 \
             ORDER BY is_active DESC, name LIMIT 1",
            params![company, account],
        )?
        .map(|r| r.text(0))
        .transpose()
    }

    fn exchange_account(&mut self, company: Uuid) -> Result<Option<Uuid>, StoreError> {
        let chosen = self
            .query_opt(
                "SELECT a.id FROM company_settings s JOIN accounts a ON a.id = s.exchange_account_id \
                 WHERE s.company_id = $1 AND a.is_active = $2",
                params![company, true],
            )?
            .map(|r| r.uuid(0))
            .transpose()?;
        match chosen {
            Some(id) => Ok(Some(id)),
            None => Ok(crate::domain::ledger::LedgerStore::account_by_subtype(self, company, "fx")?.map(|a| a.id)),
        }
    }

    fn end_allocations_from(&mut self, company: Uuid, source: Uuid, on: Date) -> Result<(), StoreError> {
        self.execute(
            "UPDATE allocations SET ended_on = $3 WHERE company_id = $1 AND source_id = $2 AND ended_on IS NULL",
            params![company, source, on.to_string()],
        )?;
        Ok(())
    }

    fn invoice_issued(
        &mut self,
        ctx: &crate::domain::ledger::Ctx<'_>,
        invoice: &Document,
    ) -> Result<(), crate::domain::documents::DocumentError<StoreError>> {
        Ok(crate::domain::sales::on_issue(self, ctx, invoice)?)
    }
}
