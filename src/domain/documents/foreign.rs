//! Documents and payments in another currency than the company's: the rate of their date (or
//! the one given), amounts converted with `exchange_rates::convert::to_company` (half away from
//! zero, once per amount), and the realised exchange difference posted when a payment or a
//! credit settles a document at another rate.
//!
//! **Where the cents go.** A document's control line is its total converted once; each revenue,
//! expense and tax line is converted on its own, and what their sum misses of the control line
//! (a cent or two) is added to the largest of them, so the entry balances in the company
//! currency and the receivable or payable carries exactly `total × rate`. What a settlement
//! takes off a document (or a payment) at its rate is `round(paid after × rate) − round(paid
//! before × rate)`: the parts add up to exactly what the document (or payment) carries once it
//! is settled in full.

use jiff::civil::Date;
use uuid::Uuid;

use super::{DocDb, Document, DocumentError, DocumentStore};
use crate::domain::FieldErrors;
use crate::domain::exchange_rates::{convert, format_rate, parse_rate};
use crate::domain::ledger::{self, Ctx, EntryInput, LineInput as EntryLine};
use crate::domain::money;

type Result<T, S> = std::result::Result<T, DocumentError<<S as crate::domain::ledger::LedgerStore>::Error>>;

/// The currency of a document or payment as typed (the company's when none), its decimals, and
/// the rate given for it. A code that is not ISO 4217 is named on `currency`; a rate on an amount
/// in the company currency (`what`: "document", "payment") or a bad one on `exchange_rate`.
pub fn currency_and_rate(
    currency: Option<&str>,
    rate: Option<&str>,
    books: &crate::domain::books::Books,
    what: &str,
    errors: &mut FieldErrors,
) -> (String, u32, Option<i64>) {
    let currency = currency
        .map(|c| c.trim().to_uppercase())
        .unwrap_or_else(|| books.currency.clone());
    let known = crate::domain::tenants::is_currency_code(&currency);
    if !known {
        errors.add("currency", "Enter a 3-letter ISO 4217 currency code.");
    }
    let decimals = if known {
        money::decimals(&currency)
    } else {
        books.decimals
    };
    let given = if currency == books.currency {
        if rate.is_some_and(|t| !t.trim().is_empty()) {
            errors.add(
                "exchange_rate",
                format!("A {what} in the company currency ({currency}) has no exchange rate."),
            );
        }
        None
    } else {
        parse_given(rate, "exchange_rate", errors)
    };
    (currency, decimals, given)
}

/// A rate as typed on a document or payment; a bad one is named on `field`.
pub fn parse_given(text: Option<&str>, field: &str, errors: &mut FieldErrors) -> Option<i64> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    match parse_rate(text) {
        Ok(r) => Some(r),
        Err(e) => {
            errors.add(field, e.to_string());
            None
        }
    }
}

/// The rate of an amount in `currency` on `date`: `None` in the company currency, else the one
/// given, else the company's latest rate on or before the date. No rate is a 400 on
/// `exchange_rate` naming the currency and the date.
pub fn rate_for<S: DocumentStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    currency: &str,
    date: Date,
    given: Option<i64>,
) -> Result<Option<i64>, S> {
    if currency == ctx.books.currency {
        return Ok(None);
    }
    if let Some(r) = given {
        return Ok(Some(r));
    }
    match store.exchange_rate_on(ctx.books.company_id, currency, date).db()? {
        Some(r) => Ok(Some(r)),
        None => Err(FieldErrors::single(
            "exchange_rate",
            format!("No {currency} exchange rate on or before {date}: enter the rate, or add it under Exchange rates."),
        )
        .into()),
    }
}

/// `amount` (minor units of `currency`) in minor units of the company currency at `rate`.
pub fn to_company<E: std::error::Error + 'static>(
    ctx: &Ctx<'_>,
    currency: &str,
    amount: i64,
    rate: i64,
) -> std::result::Result<i64, DocumentError<E>> {
    convert::to_company(amount, money::decimals(currency), rate, ctx.books.decimals)
        .map_err(|e| DocumentError::State(e.to_string()))
}

/// What taking `before`…`after` of an amount off at `rate` is worth in the company currency:
/// `round(after × rate) − round(before × rate)`, so the parts add up to the whole.
pub fn carried<E: std::error::Error + 'static>(
    ctx: &Ctx<'_>,
    currency: &str,
    rate: i64,
    before: i64,
    after: i64,
) -> std::result::Result<i64, DocumentError<E>> {
    let a = to_company(ctx, currency, after, rate)?;
    let b = to_company(ctx, currency, before, rate)?;
    a.checked_sub(b).ok_or(DocumentError::Overflow)
}

/// Where exchange differences go, or a clear refusal.
pub fn exchange_account<S: DocumentStore>(store: &mut S, ctx: &Ctx<'_>) -> Result<Uuid, S> {
    store.exchange_account(ctx.books.company_id).db()?.ok_or_else(|| {
        DocumentError::State(
            "The chart of accounts has no active exchange differences account (subtype \"fx\"): add one or choose \
             one in the settings first."
                .into(),
        )
    })
}

/// A foreign-currency journal line whose company amount is fixed (signed: a debit is positive);
/// `amount` is the foreign amount (minor units of `currency`), shown on the side of `base`.
pub fn line(account: Uuid, description: &str, currency: &str, amount: i64, rate: i64, base: i64) -> EntryLine {
    let text = Some(money::format(amount, money::decimals(currency)));
    EntryLine {
        account_id: Some(account),
        description: description.to_owned(),
        debit: if base > 0 { text.clone() } else { None },
        credit: if base > 0 { None } else { text },
        currency: Some(currency.to_owned()),
        exchange_rate: Some(format_rate(rate)),
        company_amount: Some(base),
    }
}

/// A line in the company currency (signed: a debit is positive).
pub fn company_line(ctx: &Ctx<'_>, account: Uuid, description: &str, amount: i64) -> EntryLine {
    let text = Some(money::format(amount.saturating_abs(), ctx.books.decimals));
    EntryLine {
        account_id: Some(account),
        description: description.to_owned(),
        debit: if amount > 0 { text.clone() } else { None },
        credit: if amount > 0 { None } else { text },
        ..EntryLine::default()
    }
}

/// The money that settles a document: a payment or a credit, at its rate, with what of it was
/// allocated before.
pub struct Source {
    pub rate: Option<i64>,
    /// Allocated from the source before this allocation (minor units of its currency).
    pub before: i64,
}

/// What settling part of a foreign-currency document posted: the realised difference's entry
/// (if there was a difference) and what was taken off the document and off the source in the
/// company currency.
pub struct Realised {
    pub entry: Option<Uuid>,
    pub carried: Option<(i64, i64)>,
}

/// Posts the realised exchange difference of settling `amount` of `doc` (before its
/// `amount_paid` grows) from `source` on `date`. The control account gets back what the source
/// put on it at the source's rate and gives up what the document carries at the document's
/// rate; the difference goes to the exchange account (a gain when more company currency came
/// in, or less went out, than the document carried). At the same rate the two differ at most
/// by the cent their parts round to, and that cent is posted too, so the control account always
/// carries exactly what its open items do.
pub fn realise<S: DocumentStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    doc: &Document,
    source: &Source,
    amount: i64,
    date: Date,
) -> Result<Realised, S> {
    let none = Realised {
        entry: None,
        carried: None,
    };
    let (Some(doc_rate), Some(source_rate)) = (doc.exchange_rate, source.rate) else {
        return Ok(none);
    };
    if doc.currency == ctx.books.currency {
        return Ok(none);
    }
    let c = doc.currency.as_str();
    let paid_after = doc.amount_paid.saturating_add(amount);
    let carried_doc = carried(ctx, c, doc_rate, doc.amount_paid, paid_after)?;
    let carried_source = carried(ctx, c, source_rate, source.before, source.before.saturating_add(amount))?;
    let difference = carried_source.checked_sub(carried_doc).ok_or(DocumentError::Overflow)?;
    let carried = Some((carried_doc, carried_source));
    if difference == 0 {
        return Ok(Realised { entry: None, carried });
    }
    let control = store
        .account_by_subtype(ctx.books.company_id, doc.kind.control_subtype())
        .db()?
        .ok_or_else(|| {
            DocumentError::State("The chart of accounts has no control account for this document.".into())
        })?;
    let fx = exchange_account(store, ctx)?;
    // Sales documents sit on the debit side of the control account, purchases on the credit.
    let sign = if doc.kind.is_sales() { 1 } else { -1 };
    let number = doc.number.clone().unwrap_or_default();
    let text = format!("Realised exchange difference {number}").trim().to_owned();
    let mut lines = Vec::with_capacity(3);
    // A part too small to be worth a minor unit has no line of its own.
    if carried_source != 0 {
        lines.push(line(control.id, &number, c, amount, source_rate, sign * carried_source));
    }
    if carried_doc != 0 {
        lines.push(line(control.id, &number, c, amount, doc_rate, -sign * carried_doc));
    }
    lines.push(company_line(ctx, fx, &text, -sign * difference));
    let entry = ledger::post_new(
        store,
        ctx,
        &EntryInput {
            date: Some(date),
            reference: number,
            description: text,
            lines,
        },
    )?;
    Ok(Realised {
        entry: Some(entry.id),
        carried,
    })
}

#[cfg(test)]
mod tests {
    use crate::domain::exchange_rates::{convert, parse_rate};

    #[test]
    fn settling_in_parts_adds_up_to_what_the_document_carries() {
        // USD 1,000.00 at 1.1 carries EUR 1,100.00; paid as 333.33 + 333.33 + 333.34.
        let rate = parse_rate("1.1").unwrap();
        let at = |v: i64| convert::to_company(v, 2, rate, 2).unwrap();
        let parts = [(0, 33_333), (33_333, 66_666), (66_666, 100_000)];
        let sum: i64 = parts.iter().map(|(b, a)| at(*a) - at(*b)).sum();
        assert_eq!(sum, at(100_000));
        assert_eq!(at(100_000), 110_000);
    }
}
