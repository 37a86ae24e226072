//! Checking what a user typed for an entry: every rule about lines and amounts, with errors
//! named by field and line (`lines[2].debit_amount`).

use rust_decimal::Decimal;

use super::{Books, Db, EntryInput, LedgerError, LedgerStore, Line};
use crate::domain::FieldErrors;
use crate::domain::money::{self, MoneyError};
use crate::domain::tenants::is_currency_code;

/// The most lines one entry may have.
pub const MAX_LINES: usize = 1000;

/// Checked lines and the entry's total (sum of debits = sum of credits, minor units).
pub struct CheckedLines {
    pub lines: Vec<Line>,
    pub total: i64,
}

/// Applies every rule to the input: at least two lines; each line on an active account of this
/// company, debit xor credit, non-negative, within the currency's decimals; foreign-currency
/// lines with a positive rate; and the whole balanced in the company currency.
pub fn check<S: LedgerStore>(
    store: &mut S,
    books: &Books,
    input: &EntryInput,
) -> Result<CheckedLines, LedgerError<S::Error>> {
    let mut errors = FieldErrors::default();
    if input.date.is_none() {
        errors.add("date", "This field is required.");
    }
    if input.reference.chars().count() > 100 {
        errors.add("reference", "Ensure this field has no more than 100 characters.");
    }
    if input.lines.len() < 2 {
        errors.add("lines", "An entry needs at least two lines.");
    }
    if input.lines.len() > MAX_LINES {
        errors.add("lines", format!("An entry may have at most {MAX_LINES} lines."));
    }
    let mut lines = Vec::with_capacity(input.lines.len());
    let (mut debits, mut credits) = (0i64, 0i64);
    for (i, l) in input.lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        let account = match l.account_id {
            None => {
                errors.add(&field("account"), "This field is required.");
                None
            }
            Some(id) => match store.account(books.company_id, id).db()? {
                None => {
                    errors.add(&field("account"), "Unknown account for this company.");
                    None
                }
                Some(a) if !a.is_active => {
                    errors.add(&field("account"), format!("Account {} is inactive.", a.code));
                    None
                }
                Some(a) => Some(a),
            },
        };
        let foreign = l.currency.as_deref().filter(|c| *c != books.currency);
        let line_decimals = match foreign {
            Some(c) if !is_currency_code(c) => {
                errors.add(&field("currency"), "Enter a 3-letter ISO 4217 currency code.");
                continue;
            }
            Some(c) => money::decimals(c),
            None => books.decimals,
        };
        let amount = |name: &str, text: &Option<String>, errors: &mut FieldErrors| -> i64 {
            let Some(t) = text.as_deref().filter(|t| !t.trim().is_empty()) else {
                return 0;
            };
            match money::parse(t).and_then(|d| {
                if d.is_sign_negative() && !d.is_zero() {
                    Err(MoneyError::Negative)
                } else {
                    money::to_minor(d, line_decimals)
                }
            }) {
                Ok(v) => v,
                Err(e) => {
                    errors.add(&field(name), e.to_string());
                    0
                }
            }
        };
        let debit = amount("debit_amount", &l.debit, &mut errors);
        let credit = amount("credit_amount", &l.credit, &mut errors);
        if let (Some(_), Some(base)) = (foreign, l.company_amount) {
            // A line the caller converted itself: its foreign amount (zero for an exchange
            // difference) on the side of its company amount.
            let rate = l
                .exchange_rate
                .as_deref()
                .map(money::parse)
                .and_then(|r| r.ok())
                .filter(|r| *r > Decimal::ZERO);
            if base == 0 || (debit != 0 && credit != 0) || (base > 0 && credit != 0) || (base < 0 && debit != 0) {
                errors.add(
                    &field("non_field_errors"),
                    "A converted line has one side, the side of its company amount.",
                );
                continue;
            }
            let (base_debit, base_credit) = if base > 0 {
                (base, 0)
            } else {
                (0, base.saturating_neg())
            };
            debits = debits.saturating_add(base_debit);
            credits = credits.saturating_add(base_credit);
            if let Some(account) = account {
                lines.push(Line {
                    line_no: i64::try_from(i + 1).unwrap_or(i64::MAX),
                    account_id: account.id,
                    description: l.description.clone(),
                    debit: base_debit,
                    credit: base_credit,
                    currency: foreign.map(str::to_owned),
                    amount_currency: Some(debit.max(credit)),
                    exchange_rate: rate.map(|r| r.normalize().to_string()),
                });
            }
            continue;
        }
        if (debit == 0) == (credit == 0) {
            errors.add(
                &field("non_field_errors"),
                "Each line has either a debit or a credit, not both or neither.",
            );
            continue;
        }
        let (base_debit, base_credit, amount_currency, rate) = match foreign {
            None => (debit, credit, None, None),
            Some(_) => {
                let rate = match l.exchange_rate.as_deref().map(money::parse) {
                    Some(Ok(r)) if r > Decimal::ZERO => r,
                    Some(_) => {
                        errors.add(&field("exchange_rate"), "Enter a positive exchange rate.");
                        continue;
                    }
                    None => {
                        errors.add(
                            &field("exchange_rate"),
                            "A foreign-currency line needs an exchange rate.",
                        );
                        continue;
                    }
                };
                let convert = |v: i64| money::convert(v, line_decimals, rate, books.decimals);
                match (convert(debit), convert(credit)) {
                    (Ok(d), Ok(c)) => (d, c, Some(debit.max(credit)), Some(rate.normalize().to_string())),
                    _ => {
                        errors.add(&field("exchange_rate"), "The converted amount is too large.");
                        continue;
                    }
                }
            }
        };
        debits = debits.saturating_add(base_debit);
        credits = credits.saturating_add(base_credit);
        if let Some(account) = account {
            lines.push(Line {
                line_no: i64::try_from(i + 1).unwrap_or(i64::MAX),
                account_id: account.id,
                description: l.description.clone(),
                debit: base_debit,
                credit: base_credit,
                currency: foreign.map(str::to_owned),
                amount_currency,
                exchange_rate: rate,
            });
        }
    }
    if errors.is_empty() && debits != credits {
        errors.add(
            "lines",
            format!(
                "Debits ({}) must equal credits ({}).",
                money::format(debits, books.decimals),
                money::format(credits, books.decimals)
            ),
        );
    }
    errors.into_result()?;
    Ok(CheckedLines { lines, total: debits })
}
