//! Line amounts and tax: exact to the minor unit, per line or per document, with prices that
//! exclude or include the tax. Every amount is computed in `Decimal` and rounded half away from
//! zero exactly once.

use rust_decimal::{Decimal, RoundingStrategy};
use uuid::Uuid;

use crate::domain::money::MoneyError;
use crate::domain::taxes::Rounding;

/// A tax rate as the calculation needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub id: Uuid,
    /// Parts per million of the base: 20 % is 200,000.
    pub ppm: i64,
    /// Prices with this rate include the tax.
    pub inclusive: bool,
}

/// One line to calculate: quantity × unit price less the discount, then the tax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIn {
    pub quantity: Decimal,
    /// Minor units.
    pub unit_price: i64,
    /// Percent, 0–100.
    pub discount_percent: Decimal,
    pub rate: Option<Rate>,
}

/// A calculated line: the net amount (without tax) and its tax, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LineOut {
    pub net: i64,
    pub tax: i64,
}

/// One rate's totals over the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateTotal {
    pub rate: Rate,
    pub base: i64,
    pub tax: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Calculation {
    pub lines: Vec<LineOut>,
    pub rates: Vec<RateTotal>,
    pub subtotal: i64,
    pub tax_total: i64,
    pub total: i64,
}

const MILLION: i64 = 1_000_000;

fn round(d: Decimal) -> Result<i64, MoneyError> {
    i64::try_from(d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)).map_err(|_| MoneyError::TooLarge)
}

fn add(a: i64, b: i64) -> Result<i64, MoneyError> {
    a.checked_add(b).ok_or(MoneyError::TooLarge)
}

/// The line's amount before tax is split off: quantity × price × (1 − discount), unrounded.
fn line_amount(l: &LineIn) -> Result<Decimal, MoneyError> {
    let hundred = Decimal::ONE_HUNDRED;
    Decimal::from(l.unit_price)
        .checked_mul(l.quantity)
        .and_then(|v| v.checked_mul(hundred.checked_sub(l.discount_percent)?))
        .and_then(|v| v.checked_div(hundred))
        .ok_or(MoneyError::TooLarge)
}

/// The tax inside (`inclusive`) or on top of `amount` (minor units), unrounded.
fn tax_of(amount: Decimal, rate: Rate) -> Result<Decimal, MoneyError> {
    let ppm = Decimal::from(rate.ppm);
    let divisor = if rate.inclusive {
        Decimal::from(MILLION).checked_add(ppm)
    } else {
        Some(Decimal::from(MILLION))
    };
    divisor
        .and_then(|d| amount.checked_mul(ppm)?.checked_div(d))
        .ok_or(MoneyError::TooLarge)
}

/// Calculates every line and the document totals. Line amounts are rounded to the minor unit;
/// tax is rounded per line, or (`Rounding::Document`) once per rate with the rounding difference
/// given to that rate's largest line, so line taxes always add up to the rate's tax.
pub fn calculate(lines: &[LineIn], rounding: Rounding) -> Result<Calculation, MoneyError> {
    let mut out = Vec::with_capacity(lines.len());
    let mut exact_tax = Vec::with_capacity(lines.len());
    for l in lines {
        let amount = round(line_amount(l)?)?;
        let (tax_exact, tax) = match l.rate {
            Some(rate) => {
                let t = tax_of(Decimal::from(amount), rate)?;
                (t, round(t)?)
            }
            None => (Decimal::ZERO, 0),
        };
        exact_tax.push(tax_exact);
        out.push((amount, tax));
    }
    // Rates in order of first use.
    let mut rates: Vec<Rate> = Vec::new();
    for l in lines {
        if let Some(r) = l.rate
            && !rates.iter().any(|x| x.id == r.id)
        {
            rates.push(r);
        }
    }
    if rounding == Rounding::Document {
        for rate in &rates {
            let members: Vec<usize> = (0..lines.len())
                .filter(|&i| lines[i].rate.is_some_and(|r| r.id == rate.id))
                .collect();
            let mut sum_exact = Decimal::ZERO;
            let mut sum_rounded = 0i64;
            for &i in &members {
                sum_exact = sum_exact.checked_add(exact_tax[i]).ok_or(MoneyError::TooLarge)?;
                sum_rounded = add(sum_rounded, out[i].1)?;
            }
            let diff = round(sum_exact)?.checked_sub(sum_rounded).ok_or(MoneyError::TooLarge)?;
            if diff != 0
                && let Some(&largest) = members.iter().max_by_key(|&&i| (out[i].0.abs(), std::cmp::Reverse(i)))
            {
                out[largest].1 = add(out[largest].1, diff)?;
            }
        }
    }
    let mut calc = Calculation::default();
    for (l, (amount, tax)) in lines.iter().zip(out) {
        let net = if l.rate.is_some_and(|r| r.inclusive) {
            amount.checked_sub(tax).ok_or(MoneyError::TooLarge)?
        } else {
            amount
        };
        calc.lines.push(LineOut { net, tax });
        calc.subtotal = add(calc.subtotal, net)?;
        calc.tax_total = add(calc.tax_total, tax)?;
    }
    for rate in rates {
        let mut t = RateTotal { rate, base: 0, tax: 0 };
        for (l, o) in lines.iter().zip(&calc.lines) {
            if l.rate.is_some_and(|r| r.id == rate.id) {
                t.base = add(t.base, o.net)?;
                t.tax = add(t.tax, o.tax)?;
            }
        }
        calc.rates.push(t);
    }
    calc.total = add(calc.subtotal, calc.tax_total)?;
    Ok(calc)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn rate(ppm: i64, inclusive: bool) -> Rate {
        Rate {
            id: Uuid::from_u128(ppm as u128 * 2 + u128::from(inclusive)),
            ppm,
            inclusive,
        }
    }

    fn line(q: &str, price: i64, disc: &str, r: Option<Rate>) -> LineIn {
        LineIn {
            quantity: q.parse().unwrap(),
            unit_price: price,
            discount_percent: disc.parse().unwrap(),
            rate: r,
        }
    }

    #[test]
    fn exclusive_tax_is_added_per_line() {
        let vat = rate(200_000, false);
        let c = calculate(
            &[line("10", 12_000, "0", Some(vat)), line("1", 333, "0", Some(vat))],
            Rounding::Line,
        )
        .unwrap();
        assert_eq!(
            c.lines,
            vec![
                LineOut {
                    net: 120_000,
                    tax: 24_000
                },
                LineOut { net: 333, tax: 67 }
            ]
        );
        assert_eq!((c.subtotal, c.tax_total, c.total), (120_333, 24_067, 144_400));
        assert_eq!(c.rates.len(), 1);
        assert_eq!((c.rates[0].base, c.rates[0].tax), (120_333, 24_067));
    }

    #[test]
    fn per_document_rounding_rounds_once_per_rate() {
        // Three lines of 0.33 at 10 %: per line 0.03 × 3 = 0.09; per document round(0.099) = 0.10.
        let r = rate(100_000, false);
        let lines = vec![line("1", 33, "0", Some(r)); 3];
        assert_eq!(calculate(&lines, Rounding::Line).unwrap().tax_total, 9);
        let doc = calculate(&lines, Rounding::Document).unwrap();
        assert_eq!(doc.tax_total, 10);
        assert_eq!(doc.lines.iter().map(|l| l.tax).sum::<i64>(), 10);
    }

    #[test]
    fn inclusive_prices_split_the_tax_out() {
        let r = rate(200_000, true);
        let c = calculate(&[line("1", 12_000, "0", Some(r))], Rounding::Line).unwrap();
        assert_eq!(
            c.lines[0],
            LineOut {
                net: 10_000,
                tax: 2_000
            }
        );
        assert_eq!(c.total, 12_000);
    }

    #[test]
    fn discounts_and_fractional_quantities_round_half_away_from_zero() {
        // 2.5 × 1.01 × 90 % = 2.2725 → 2.27; 7 % of it = 0.1589 → 0.16.
        let c = calculate(&[line("2.5", 101, "10", Some(rate(70_000, false)))], Rounding::Line).unwrap();
        assert_eq!(c.lines[0], LineOut { net: 227, tax: 16 });
    }

    #[test]
    fn huge_amounts_are_refused_not_wrapped() {
        let c = calculate(&[line("1000000000000", i64::MAX / 2, "0", None)], Rounding::Line);
        assert_eq!(c, Err(MoneyError::TooLarge));
    }

    proptest! {
        /// Whatever the lines: net + tax = total, line taxes add up to the rate totals, and
        /// the two roundings differ by less than one minor unit per line.
        #[test]
        fn totals_always_add_up(
            specs in prop::collection::vec((1u32..1000, 0i64..1_000_000, 0u32..=100, 0usize..4, any::<bool>()), 1..20),
            per_document in any::<bool>(),
        ) {
            let rates = [None, Some(rate(200_000, false)), Some(rate(75_000, false)), Some(rate(190_000, true))];
            let lines: Vec<LineIn> = specs
                .iter()
                .map(|&(q, p, d, r, _)| LineIn {
                    quantity: Decimal::new(i64::from(q), 1),
                    unit_price: p,
                    discount_percent: Decimal::from(d),
                    rate: rates[r],
                })
                .collect();
            let rounding = if per_document { Rounding::Document } else { Rounding::Line };
            let c = calculate(&lines, rounding).unwrap();
            prop_assert_eq!(c.subtotal + c.tax_total, c.total);
            prop_assert_eq!(c.lines.iter().map(|l| l.net).sum::<i64>(), c.subtotal);
            prop_assert_eq!(c.rates.iter().map(|r| r.tax).sum::<i64>(), c.tax_total);
            prop_assert_eq!(c.rates.iter().map(|r| r.base).sum::<i64>(),
                c.lines.iter().zip(&lines).filter(|(_, l)| l.rate.is_some()).map(|(o, _)| o.net).sum::<i64>());
            let other = calculate(&lines, if per_document { Rounding::Line } else { Rounding::Document }).unwrap();
            prop_assert!((c.tax_total - other.tax_total).abs() <= lines.len() as i64);
            for (o, l) in c.lines.iter().zip(&lines) {
                if l.rate.is_none() {
                    prop_assert_eq!(o.tax, 0);
                }
            }
        }
    }
}
