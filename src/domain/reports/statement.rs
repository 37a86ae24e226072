//! A customer's statement: the balance brought forward, what was charged and paid in the
//! period with the running balance, the balance they owe at its end, and how old it is.

use jiff::civil::Date;

use super::ageing::{Buckets, OpenItem};
use super::{Overflow, add, sub};

/// What moved a customer's balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MovementKind {
    /// A charge.
    Invoice,
    CreditNote,
    Payment,
    /// The void of an invoice, on its own date: a credit.
    InvoiceVoid,
    /// The void of a credit note: a charge.
    CreditNoteVoid,
    /// The void of a payment: a charge.
    PaymentVoid,
    /// The realised exchange difference of settling a foreign-currency invoice (signed: a
    /// charge when positive), in the company currency.
    ExchangeDifference,
    /// The same, undone with its payment.
    ExchangeDifferenceVoid,
}

impl MovementKind {
    /// How the statement names it.
    pub fn description(self) -> &'static str {
        match self {
            MovementKind::Invoice => "Invoice",
            MovementKind::CreditNote => "Credit note",
            MovementKind::Payment => "Payment received",
            MovementKind::InvoiceVoid => "Invoice voided",
            MovementKind::CreditNoteVoid => "Credit note voided",
            MovementKind::PaymentVoid => "Payment voided",
            MovementKind::ExchangeDifference => "Exchange difference",
            MovementKind::ExchangeDifferenceVoid => "Exchange difference voided",
        }
    }
}

/// An issued invoice or credit note, a payment received, or the void of one of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    pub date: Date,
    /// The document's number, or the payment's reference.
    pub document: String,
    pub kind: MovementKind,
    /// In the company currency (at the document's or payment's rate).
    pub amount: i64,
    /// The document's or payment's own currency and the amount in it.
    pub currency: String,
    pub amount_currency: i64,
}

impl Movement {
    /// (debit, credit): invoices and the voids of credits and payments charge; credit notes,
    /// payments and the voids of invoices credit.
    fn sides(&self) -> (i64, i64) {
        match self.kind {
            MovementKind::Invoice | MovementKind::CreditNoteVoid | MovementKind::PaymentVoid => (self.amount, 0),
            MovementKind::CreditNote | MovementKind::Payment | MovementKind::InvoiceVoid => (0, self.amount),
            MovementKind::ExchangeDifference if self.amount >= 0 => (self.amount, 0),
            MovementKind::ExchangeDifference => (0, self.amount.saturating_neg()),
            MovementKind::ExchangeDifferenceVoid if self.amount >= 0 => (0, self.amount),
            MovementKind::ExchangeDifferenceVoid => (self.amount.saturating_neg(), 0),
        }
    }
}

/// One line of the statement, with the balance after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    pub date: Date,
    pub document: String,
    pub description: &'static str,
    /// The movement in its own currency (signed as `debit − credit`).
    pub currency: String,
    pub amount_currency: i64,
    pub debit: i64,
    pub credit: i64,
    pub balance: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub from: Date,
    pub to: Date,
    /// The balance before `from`.
    pub opening: i64,
    pub lines: Vec<StatementLine>,
    pub closing: i64,
    /// What is open at `to`, by age.
    pub ageing: Buckets,
}

/// The statement of `from`..=`to` from the customer's movements up to `to` (in date order)
/// and their open items as of `to`.
pub fn statement(
    movements: Vec<Movement>,
    from: Date,
    to: Date,
    open_items: &[OpenItem],
) -> Result<Statement, Overflow> {
    let mut balance = 0i64;
    let mut opening = 0i64;
    let mut lines = Vec::new();
    for m in movements.into_iter().filter(|m| m.date <= to) {
        let (debit, credit) = m.sides();
        balance = sub(add(balance, debit, "balances")?, credit, "balances")?;
        if m.date < from {
            opening = balance;
            continue;
        }
        lines.push(StatementLine {
            date: m.date,
            document: m.document,
            description: m.kind.description(),
            currency: m.currency,
            amount_currency: if debit > 0 {
                m.amount_currency
            } else {
                -m.amount_currency
            },
            debit,
            credit,
            balance,
        });
    }
    Ok(Statement {
        from,
        to,
        opening,
        lines,
        closing: balance,
        ageing: Buckets::of(open_items, to)?,
    })
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use uuid::Uuid;

    use super::*;

    fn movement(day: i8, kind: MovementKind, amount: i64) -> Movement {
        Movement {
            date: date(2026, 3, day),
            document: format!("{kind:?}-{day}"),
            kind,
            amount,
            currency: "USD".into(),
            amount_currency: amount,
        }
    }

    #[test]
    fn earlier_movements_make_the_opening_balance() {
        let s = statement(
            vec![
                movement(1, MovementKind::Invoice, 144_360),
                movement(10, MovementKind::Payment, 110_000),
                movement(12, MovementKind::CreditNote, 360),
                movement(20, MovementKind::Invoice, 1_000),
            ],
            date(2026, 3, 11),
            date(2026, 3, 31),
            &[OpenItem {
                contact_id: Uuid::nil(),
                contact_name: "Acme".into(),
                date: date(2026, 3, 15),
                amount: 35_000,
                currency: "USD".into(),
                amount_currency: 35_000,
            }],
        )
        .unwrap();
        assert_eq!(s.opening, 34_360);
        let lines: Vec<(&str, i64, i64, i64)> = s
            .lines
            .iter()
            .map(|l| (l.description, l.debit, l.credit, l.balance))
            .collect();
        assert_eq!(lines, [("Credit note", 0, 360, 34_000), ("Invoice", 1_000, 0, 35_000)]);
        assert_eq!(s.closing, 35_000);
        assert_eq!(s.ageing, Buckets([0, 35_000, 0, 0, 0]));
    }

    #[test]
    fn a_balance_beyond_the_books_range_is_refused() {
        let huge = vec![
            movement(1, MovementKind::Invoice, i64::MAX),
            movement(2, MovementKind::Invoice, 1),
        ];
        assert_eq!(
            statement(huge, date(2026, 3, 1), date(2026, 3, 31), &[]),
            Err(Overflow("balances"))
        );
    }
}
