//! Accepting a draft: the fields read, with the person's corrections laid over them, become the
//! input of a draft bill (one line per tax rate, the rate matched among the company's tax rates)
//! or of a draft expense entry (the net to the expense account, each rate's tax to its purchase
//! tax account, the gross from the account it was paid from). The existing operations check and
//! save them.

use jiff::civil::Date;
use uuid::Uuid;

use super::{CaptureError, Draft, TaxAmount};
use crate::domain::FieldErrors;
use crate::domain::documents::{DocumentInput, LineInput};
use crate::domain::ledger;
use crate::domain::money;
use crate::domain::taxes::TaxRate;

/// What the person changed; `None` keeps what was read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Corrections {
    pub contact_id: Option<Uuid>,
    pub date: Option<Date>,
    pub due_date: Option<Date>,
    pub number: Option<String>,
    pub currency: Option<String>,
    pub net: Option<i64>,
    pub tax: Option<i64>,
    pub gross: Option<i64>,
}

/// The values a draft is accepted with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Final {
    pub contact_id: Option<Uuid>,
    pub vendor_name: String,
    pub date: Option<Date>,
    pub due_date: Option<Date>,
    pub number: String,
    pub currency: String,
    pub net: i64,
    pub tax: i64,
    pub gross: i64,
    /// The tax per rate as read, when the totals were not corrected.
    pub taxes: Vec<TaxAmount>,
}

/// Lays the corrections over the draft. The totals must add up (net + tax = gross); one left
/// out is derived from the other two.
pub fn finalize(draft: &Draft, c: &Corrections, company_currency: &str) -> Result<Final, CaptureError> {
    let mut errors = FieldErrors::default();
    let read = |f: &Option<super::Field<i64>>| f.as_ref().map(|f| f.value);
    let corrected = c.net.is_some() || c.tax.is_some() || c.gross.is_some();
    let (mut net, mut tax, mut gross) = if corrected {
        (c.net, c.tax, c.gross)
    } else {
        (read(&draft.net), read(&draft.tax), read(&draft.gross))
    };
    match (net, tax, gross) {
        (Some(n), Some(t), None) => gross = Some(n + t),
        (Some(n), None, Some(g)) => tax = Some(g - n),
        (None, Some(t), Some(g)) => net = Some(g - t),
        (None, None, Some(g)) => {
            net = Some(g);
            tax = Some(0);
        }
        _ => {}
    }
    let (net, tax, gross) = match (net, tax, gross) {
        (Some(n), Some(t), Some(g)) if n + t == g && n >= 0 && t >= 0 => (n, t, g),
        (Some(_), Some(_), Some(_)) => {
            errors.add("gross", "The net and the tax must add up to the gross.");
            (0, 0, 0)
        }
        _ => {
            errors.add("gross", "This field is required.");
            (0, 0, 0)
        }
    };
    let contact_id = c
        .contact_id
        .or_else(|| draft.vendor.as_ref().and_then(|v| v.value.contact_id));
    errors.into_result().map_err(CaptureError::Invalid)?;
    Ok(Final {
        contact_id,
        vendor_name: draft.vendor.as_ref().map(|v| v.value.name.clone()).unwrap_or_default(),
        date: c.date.or(draft.date.as_ref().map(|f| f.value)),
        due_date: c.due_date.or(draft.due_date.as_ref().map(|f| f.value)),
        number: c
            .number
            .clone()
            .or_else(|| draft.number.as_ref().map(|f| f.value.clone()))
            .unwrap_or_default(),
        currency: c
            .currency
            .clone()
            .or_else(|| draft.currency.as_ref().map(|f| f.value.clone()))
            .unwrap_or_else(|| company_currency.to_owned()),
        net,
        tax,
        gross,
        taxes: if corrected {
            Vec::new()
        } else {
            draft.taxes.iter().map(|f| f.value.clone()).collect()
        },
    })
}

/// The company's active tax rate of `ppm` (an exclusive one before an inclusive one).
fn rate_of(rates: &[TaxRate], ppm: i64) -> Option<&TaxRate> {
    let mut found: Vec<&TaxRate> = rates.iter().filter(|r| r.is_active && r.rate_ppm == ppm).collect();
    found.sort_by_key(|r| r.is_inclusive);
    found.first().copied()
}

/// The base and tax rate of each part of the document: per rate as printed, else the one rate
/// the totals imply (within half a percent), else the gross with no tax.
fn parts<'a>(f: &Final, rates: &'a [TaxRate]) -> Vec<(i64, Option<&'a TaxRate>, i64)> {
    if !f.taxes.is_empty() {
        let with_base: Vec<(i64, Option<&TaxRate>, i64)> = f
            .taxes
            .iter()
            .map(|t| {
                let base = t.base.unwrap_or(if f.taxes.len() == 1 { f.net } else { 0 });
                (base, rate_of(rates, t.rate_ppm), t.tax)
            })
            .collect();
        let bases: i64 = with_base.iter().map(|p| p.0).sum();
        if bases == f.net && with_base.iter().all(|p| p.1.is_some()) {
            return with_base;
        }
    }
    if f.tax > 0 && f.net > 0 {
        let implied = i64::try_from(i128::from(f.tax) * 1_000_000 / i128::from(f.net)).unwrap_or(0);
        let near = rates
            .iter()
            .filter(|r| r.is_active && !r.is_inclusive && (r.rate_ppm - implied).abs() <= 5_000)
            .min_by_key(|r| (r.rate_ppm - implied).abs());
        if let Some(r) = near {
            return vec![(f.net, Some(r), f.tax)];
        }
        return vec![(f.gross, None, 0)];
    }
    vec![(f.net, None, 0)]
}

/// The input of a draft bill: one line per tax rate, at the net of that rate; the account is the
/// one given, else the vendor's default (the bill's own checks name a missing one).
pub fn bill_input(f: &Final, rates: &[TaxRate], account: Option<Uuid>, description: &str) -> DocumentInput {
    let decimals = money::decimals(&f.currency);
    let lines = parts(f, rates)
        .into_iter()
        .map(|(base, rate, _)| LineInput {
            item: None,
            description: description.to_owned(),
            quantity: Some("1".into()),
            unit_price: Some(money::format(base, decimals)),
            discount_percent: None,
            tax_rate: rate.map(|r| r.id),
            account,
        })
        .collect();
    DocumentInput {
        contact: f.contact_id,
        issue_date: f.date,
        due_date: f.due_date,
        currency: Some(f.currency.clone()),
        exchange_rate: None,
        reference: f.number.clone(),
        notes: String::new(),
        payment_terms_days: None,
        credited_document: None,
        lines,
    }
}

/// The input of a draft expense entry in the company currency: the net to `account`, each rate's
/// tax to its purchase tax account (a tax with no matching rate stays in the expense), the gross
/// credited to `paid_from`.
pub fn expense_input(
    f: &Final,
    rates: &[TaxRate],
    account: Uuid,
    paid_from: Uuid,
    decimals: u32,
    description: &str,
) -> ledger::EntryInput {
    let amount = |v: i64| Some(money::format(v, decimals));
    let line = |account_id: Uuid, debit: Option<i64>, credit: Option<i64>| ledger::LineInput {
        account_id: Some(account_id),
        description: description.to_owned(),
        debit: debit.and_then(amount),
        credit: credit.and_then(amount),
        ..ledger::LineInput::default()
    };
    let mut lines = Vec::new();
    let mut taxes = 0;
    for (_, rate, tax) in parts(f, rates) {
        if let Some(r) = rate.filter(|_| tax > 0) {
            lines.push(line(r.purchase_account_id, Some(tax), None));
            taxes += tax;
        }
    }
    // The rest of the gross (the net, and any tax with no rate of the company) is the expense.
    lines.insert(0, line(account, Some(f.gross - taxes), None));
    lines.push(line(paid_from, None, Some(f.gross)));
    ledger::EntryInput {
        date: f.date,
        reference: f.number.clone(),
        description: description.to_owned(),
        lines,
    }
}
