//! Booking a statement line no document explains, from the line itself: a payment allocated to
//! documents, an expense or income with tax, a transfer between two of the firm's accounts
//! (matched on both sides), a bank fee. Each goes through the ledger's and documents' own
//! operations (`payments::record`, `ledger::post_new`) and matches the line, in one transaction.

use axum::Json;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use jiff::ToSpan;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::lines::line_dto;
use super::suggestions::{line_of, same_currency};
use crate::domain::banking::accounts::BankAccount;
use crate::domain::banking::matching::TargetKind;
use crate::domain::banking::statements::{self, StatementStore, StoredLine};
use crate::domain::documents::payments::{self, AllocationInput, PaymentInput};
use crate::domain::ledger::{self, Ctx, EntryInput, LedgerStore, LineInput};
use crate::domain::money;
use crate::http::company::{Id, InCompany, JsonBody, perm};
use crate::http::error::{ApiError, Reply};
use crate::store::Tx;
use crate::store::banking::{self as store, matching};
use crate::{params, store::taxes};

/// An id from the body: absent or `null` is `None`, anything else must be a UUID.
fn opt_id(field: &str, text: Option<&str>) -> Result<Option<Uuid>, ApiError> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => Uuid::parse_str(t)
            .map(Some)
            .map_err(|_| ApiError::field(field, format!("\"{t}\" is not a valid UUID."))),
    }
}

fn required(field: &str, id: Option<Uuid>) -> Result<Uuid, ApiError> {
    id.ok_or_else(|| ApiError::field(field, "This field is required."))
}

/// Runs `book` on the line `id` in one transaction: 201 with the matched line.
async fn booked(
    c: InCompany<perm::EditLedger>,
    id: Uuid,
    book: impl FnOnce(&mut Tx, &Ctx<'_>, &BankAccount, StoredLine) -> Result<StoredLine, ApiError> + Send + 'static,
) -> Reply {
    let answer = c
        .change(move |tx, ctx| {
            let (line, account) = line_of(tx, ctx, id)?;
            statements::must_be_open(&line)?;
            same_currency(&account, ctx)?;
            let matched = book(tx, ctx, &account, line)?;
            Ok(line_dto(&matched))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// The body of `…/payment/`.
#[derive(Deserialize, ToSchema)]
pub struct PaymentBody {
    pub contact: Option<String>,
    #[serde(default)]
    pub allocations: Vec<AllocationBody>,
}

#[derive(Deserialize, ToSchema)]
pub struct AllocationBody {
    pub document: Option<String>,
    /// A decimal string; at most what is open on the document.
    pub amount: Option<String>,
}

/// `POST /api/banking/lines/{id}/payment/`: a payment received (money in) or made (money out)
/// of the line's amount on its date, allocated as asked; what is left is the contact's credit.
pub async fn payment(c: InCompany<perm::EditLedger>, Id(id): Id, body: JsonBody<PaymentBody>) -> Reply {
    booked(c, id, move |tx, ctx, account, line| {
        let body = body.parse()?;
        let contact = required("contact", opt_id("contact", body.contact.as_deref())?)?;
        let mut allocations = Vec::new();
        for a in body.allocations {
            allocations.push(AllocationInput {
                document: opt_id("allocations", a.document.as_deref())?,
                amount: a.amount,
            });
        }
        let input = PaymentInput {
            direction: Some(if line.amount > 0 { "received" } else { "made" }.to_owned()),
            contact: Some(contact),
            date: Some(line.date),
            amount: Some(money::format(line.amount.abs(), ctx.books.decimals)),
            bank_account: Some(account.account_id),
            reference: line.reference.chars().take(100).collect(),
            allocations,
            currency: None,
            exchange_rate: None,
        };
        let payment = payments::record(tx, ctx, &input)?;
        let matched = statements::match_to(tx, ctx, line, ("payment", payment.id), payment.journal_entry_id)?;
        matching::learn(
            tx,
            ctx.books.company_id,
            &matched,
            (TargetKind::Contact, contact),
            true,
            ctx.now,
        )?;
        Ok(matched)
    })
    .await
}

/// One side of an entry: `(account, debit, credit)` in minor units.
type Side = (Uuid, i64, i64);

/// Posts the entry of `sides` for `line` and matches the line to it.
fn post_for_line(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    line: StoredLine,
    description: String,
    sides: &[Side],
) -> Result<StoredLine, ApiError> {
    let d = ctx.books.decimals;
    let amount = |v: i64| (v != 0).then(|| money::format(v, d));
    let input = EntryInput {
        date: Some(line.date),
        reference: line.reference.chars().take(100).collect(),
        description,
        lines: sides
            .iter()
            .filter(|(_, debit, credit)| *debit != 0 || *credit != 0)
            .map(|(account, debit, credit)| LineInput {
                account_id: Some(*account),
                description: String::new(),
                debit: amount(*debit),
                credit: amount(*credit),
                currency: None,
                exchange_rate: None,
                company_amount: None,
            })
            .collect(),
    };
    let entry = ledger::post_new(tx, ctx, &input)?;
    Ok(statements::match_to(
        tx,
        ctx,
        line,
        ("journal_entry", entry.id),
        entry.id,
    )?)
}

/// The tax in `gross` at `rate_ppm` (percent × 10,000) when the gross includes it, rounded half
/// up to the minor unit.
pub fn included_tax(gross: i64, rate_ppm: i64) -> i64 {
    let denominator = 1_000_000_i128 + i128::from(rate_ppm);
    let tax = (2 * i128::from(gross) * i128::from(rate_ppm) + denominator) / (2 * denominator);
    i64::try_from(tax).unwrap_or(0)
}

/// The entry of an expense (money out) or income (money in) of `line` to `account`: the bank's
/// GL account against the account (net) and the tax rate's purchase or sales account (tax).
fn expense_sides(bank_gl: Uuid, account: Uuid, tax: Option<(i64, Uuid, Uuid)>, amount: i64) -> Vec<Side> {
    let gross = amount.abs();
    let (tax_amount, tax_account) = match tax {
        Some((ppm, purchase, sales)) => (included_tax(gross, ppm), if amount < 0 { purchase } else { sales }),
        None => (0, account),
    };
    let net = gross - tax_amount;
    if amount < 0 {
        vec![(account, net, 0), (tax_account, tax_amount, 0), (bank_gl, 0, gross)]
    } else {
        vec![(bank_gl, gross, 0), (account, 0, net), (tax_account, 0, tax_amount)]
    }
}

/// An active account of the company for `field`, else a 400 under it.
fn gl_account(tx: &mut Tx, ctx: &Ctx<'_>, field: &str, id: Uuid) -> Result<Uuid, ApiError> {
    match tx.account(ctx.books.company_id, id)? {
        Some(a) if a.is_active => Ok(a.id),
        _ => Err(ApiError::field(field, "Choose an active account of this company.")),
    }
}

/// The body of `…/expense/`.
#[derive(Deserialize, ToSchema)]
pub struct ExpenseBody {
    /// The expense (money out) or income (money in) account.
    pub account: Option<String>,
    pub tax_rate: Option<String>,
    pub description: Option<String>,
    pub contact: Option<String>,
}

/// `POST /api/banking/lines/{id}/expense/`.
pub async fn expense(c: InCompany<perm::EditLedger>, Id(id): Id, body: JsonBody<ExpenseBody>) -> Reply {
    booked(c, id, move |tx, ctx, account, line| {
        let body = body.parse()?;
        let target = required("account", opt_id("account", body.account.as_deref())?)?;
        let target = gl_account(tx, ctx, "account", target)?;
        let tax = match opt_id("tax_rate", body.tax_rate.as_deref())? {
            None => None,
            Some(rate) => match taxes::get(tx, ctx.books.company_id, rate)? {
                Some(r) if r.is_active => Some((r.rate_ppm, r.purchase_account_id, r.sales_account_id)),
                _ => {
                    return Err(ApiError::field(
                        "tax_rate",
                        "Choose an active tax rate of this company.",
                    ));
                }
            },
        };
        let contact = opt_id("contact", body.contact.as_deref())?;
        if let Some(c) = contact
            && tx
                .query_opt(
                    "SELECT id FROM contacts WHERE company_id = $1 AND id = $2",
                    params![ctx.books.company_id, c],
                )?
                .is_none()
        {
            return Err(ApiError::field("contact", "Unknown contact for this company."));
        }
        let description = body
            .description
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| line.text.clone());
        let sides = expense_sides(account.account_id, target, tax, line.amount);
        let matched = post_for_line(tx, ctx, line, description, &sides)?;
        let company = ctx.books.company_id;
        matching::learn(tx, company, &matched, (TargetKind::Account, target), true, ctx.now)?;
        if let Some(c) = contact {
            matching::learn(tx, company, &matched, (TargetKind::Contact, c), true, ctx.now)?;
        }
        Ok(matched)
    })
    .await
}

/// The body of `…/fee/`.
#[derive(Deserialize, ToSchema)]
pub struct FeeBody {
    /// By default the company's bank fees account.
    pub account: Option<String>,
}

/// `POST /api/banking/lines/{id}/fee/`.
pub async fn fee(c: InCompany<perm::EditLedger>, Id(id): Id, body: JsonBody<FeeBody>) -> Reply {
    booked(c, id, move |tx, ctx, account, line| {
        let body = body.parse()?;
        let target = match opt_id("account", body.account.as_deref())? {
            Some(a) => gl_account(tx, ctx, "account", a)?,
            None => tx
                .account_by_subtype(ctx.books.company_id, "bank_fees")?
                .map(|a| a.id)
                .ok_or_else(|| {
                    ApiError::field(
                        "account",
                        "The company has no bank fees account: choose the account to book the fee to.",
                    )
                })?,
        };
        let description = format!("Bank fee: {}", line.text);
        let sides = expense_sides(account.account_id, target, None, line.amount);
        post_for_line(tx, ctx, line, description, &sides)
    })
    .await
}

/// The body of `…/transfer/`.
#[derive(Deserialize, ToSchema)]
pub struct TransferBody {
    /// The firm's other bank account the money went to or came from.
    pub bank_account: Option<String>,
}

/// How far apart the two sides of a transfer may be booked by the banks.
const TRANSFER_DAYS: i64 = 7;

/// The other account's unmatched line with the opposite amount nearest in date, within a week.
fn other_side(tx: &mut Tx, other: &BankAccount, line: &StoredLine) -> Result<Option<StoredLine>, ApiError> {
    let from = line.date.checked_sub(TRANSFER_DAYS.days()).unwrap_or(line.date);
    let to = line.date.checked_add(TRANSFER_DAYS.days()).unwrap_or(line.date);
    let rows = tx.query(
        "SELECT id FROM statement_lines WHERE company_id = $1 AND bank_account_id = $2 AND status = 'unmatched' \
         AND amount = $3 AND date >= $4 AND date <= $5",
        params![
            other.company_id,
            other.id,
            -line.amount,
            from.to_string(),
            to.to_string()
        ],
    )?;
    let mut found = Vec::new();
    for r in &rows {
        if let Some(l) = tx.find_line(other.company_id, r.uuid(0)?)? {
            found.push(l);
        }
    }
    Ok(found.into_iter().min_by_key(|l| {
        let days = line.date.until(l.date).map_or(i32::MAX, |s| s.get_days().abs());
        (days, l.date, l.id)
    }))
}

/// `POST /api/banking/lines/{id}/transfer/`.
pub async fn transfer(c: InCompany<perm::EditLedger>, Id(id): Id, body: JsonBody<TransferBody>) -> Reply {
    booked(c, id, move |tx, ctx, account, line| {
        let body = body.parse()?;
        let other = required("bank_account", opt_id("bank_account", body.bank_account.as_deref())?)?;
        let other = match store::get(tx, ctx.books.company_id, other)? {
            Some(o) if o.id != account.id && o.is_active && o.currency == account.currency => o,
            _ => {
                return Err(ApiError::field(
                    "bank_account",
                    "Choose another active bank account of this company in the same currency.",
                ));
            }
        };
        let gross = line.amount.abs();
        let sides: Vec<Side> = if line.amount < 0 {
            vec![(other.account_id, gross, 0), (account.account_id, 0, gross)]
        } else {
            vec![(account.account_id, gross, 0), (other.account_id, 0, gross)]
        };
        let description = format!("Transfer between {} and {}", account.name, other.name);
        let twin = other_side(tx, &other, &line)?;
        let matched = post_for_line(tx, ctx, line, description, &sides)?;
        if let (Some(twin), Some(entry)) = (twin, matched.journal_entry_id) {
            statements::match_to(tx, ctx, twin, ("journal_entry", entry), entry)?;
        }
        Ok(matched)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::included_tax;

    #[test]
    fn the_tax_included_in_a_gross_amount_rounds_half_up() {
        // 119.00 at 19 %: 19.00 of tax.
        assert_eq!(included_tax(11_900, 190_000), 1_900);
        // 10.00 at 19 %: 1.596… → 1.60.
        assert_eq!(included_tax(1_000, 190_000), 160);
        assert_eq!(included_tax(1_000, 0), 0);
    }
}
