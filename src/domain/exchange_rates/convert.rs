//! Exact arithmetic on exchange rates: an amount in one currency to another, and the rates
//! derived from quotations (an inverse, a cross rate through the euro). Rates are integers of
//! 10⁻¹² ([`RATE_DECIMALS`]), amounts integer minor units; every product is taken exactly in
//! `i128` and rounded once, **half away from zero** (commercial rounding, as
//! `domain::money::convert` and the tax computations round). Nothing here reads a clock or a store.

/// Decimals of a stored rate: a rate is an integer number of 10⁻¹² units of the company currency
/// per unit of the other currency.
pub const RATE_DECIMALS: u32 = 12;
/// 10^[`RATE_DECIMALS`]: the stored integer of a rate of exactly 1.
pub const ONE: i64 = 1_000_000_000_000;
/// The largest amount in minor units an amount may reach (15 digits, as `domain::money`).
const AMOUNT_LIMIT: i128 = 1_000_000_000_000_000;

/// Why a conversion or a derived rate has no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConversionError {
    #[error("The exchange rate must be greater than zero.")]
    NotPositive,
    #[error("The converted amount is too large.")]
    TooLarge,
}

fn pow10(n: u32) -> Option<i128> {
    10_i128.checked_pow(n)
}

/// `n / d` rounded half away from zero (`d > 0`).
fn div_round(n: i128, d: i128) -> Option<i128> {
    let q = n.checked_div(d)?;
    let r = n.checked_rem(d)?;
    if r.unsigned_abs().checked_mul(2)? >= d.unsigned_abs() {
        q.checked_add(n.signum())
    } else {
        Some(q)
    }
}

/// `n × 10^up / (d × 10^down)`, rounded half away from zero, as minor units within the limit.
fn scaled(n: i128, up: u32, d: i128, down: u32) -> Result<i64, ConversionError> {
    // Only the difference of the powers matters: keep the numbers small.
    let (up, down) = if up >= down { (up - down, 0) } else { (0, down - up) };
    let numerator = pow10(up)
        .and_then(|p| n.checked_mul(p))
        .ok_or(ConversionError::TooLarge)?;
    let denominator = pow10(down)
        .and_then(|p| d.checked_mul(p))
        .ok_or(ConversionError::TooLarge)?;
    let v = div_round(numerator, denominator).ok_or(ConversionError::TooLarge)?;
    if v.abs() >= AMOUNT_LIMIT {
        return Err(ConversionError::TooLarge);
    }
    i64::try_from(v).map_err(|_| ConversionError::TooLarge)
}

/// `amount` (minor units of a currency with `from_decimals`) at `rate` (units of the company
/// currency per unit of that currency, ×10¹²) → minor units of the company currency
/// (`to_decimals`), rounded half away from zero, once.
pub fn to_company(amount: i64, from_decimals: u32, rate: i64, to_decimals: u32) -> Result<i64, ConversionError> {
    if rate <= 0 {
        return Err(ConversionError::NotPositive);
    }
    let n = i128::from(amount) * i128::from(rate);
    scaled(n, to_decimals, 1, from_decimals + RATE_DECIMALS)
}

/// The other way: `amount` in minor units of the company currency (`from_decimals`) → minor
/// units of the currency `rate` is kept for (`to_decimals`), `amount / rate`, rounded half away
/// from zero, once.
pub fn from_company(amount: i64, from_decimals: u32, rate: i64, to_decimals: u32) -> Result<i64, ConversionError> {
    if rate <= 0 {
        return Err(ConversionError::NotPositive);
    }
    scaled(
        i128::from(amount),
        to_decimals + RATE_DECIMALS,
        i128::from(rate),
        from_decimals,
    )
}

/// `numerator / denominator` of two rates (each ×10¹²) as a rate ×10¹², rounded half away from
/// zero: a cross rate through a third currency. With the ECB's quotations (units per euro),
/// the rate of currency X in company currency C is `cross(C per EUR, X per EUR)`; for a euro
/// company it is `cross(ONE, X per EUR)`, the inverse.
pub fn cross(numerator: i64, denominator: i64) -> Result<i64, ConversionError> {
    if numerator <= 0 || denominator <= 0 {
        return Err(ConversionError::NotPositive);
    }
    let n = i128::from(numerator) * i128::from(ONE);
    let v = div_round(n, i128::from(denominator)).ok_or(ConversionError::TooLarge)?;
    match i64::try_from(v) {
        Ok(0) => Err(ConversionError::NotPositive),
        Ok(v) => Ok(v),
        Err(_) => Err(ConversionError::TooLarge),
    }
}

/// `1 / rate`, rounded half away from zero to 12 decimals.
pub fn invert(rate: i64) -> Result<i64, ConversionError> {
    cross(ONE, rate)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::{Decimal, RoundingStrategy};

    use super::*;

    #[test]
    fn worked_examples() {
        // 1,000.00 USD at 0.92 EUR per USD: 920.00 EUR.
        assert_eq!(to_company(100_000, 2, 920_000_000_000, 2), Ok(92_000));
        // 0.01 at 0.5: 0.005, half away from zero → 0.01; negative likewise.
        assert_eq!(to_company(1, 2, ONE / 2, 2), Ok(1));
        assert_eq!(to_company(-1, 2, ONE / 2, 2), Ok(-1));
        // 0.01 at 0.4999…: 0.00.
        assert_eq!(to_company(1, 2, ONE / 2 - 1, 2), Ok(0));
        // 10,000 JPY (no decimals) at 0.0061 EUR: 61.00 EUR.
        assert_eq!(to_company(10_000, 0, 6_100_000_000, 2), Ok(6_100));
        // 1.000 KWD (3 decimals) at 2.98 EUR: 2.98 EUR.
        assert_eq!(to_company(1_000, 3, 2_980_000_000_000, 2), Ok(298));
        // Back: 920.00 EUR at 0.92 → 1,000.00 USD.
        assert_eq!(from_company(92_000, 2, 920_000_000_000, 2), Ok(100_000));
        // The ECB's 1 EUR = 1.0850 USD for a euro company: 1 USD = 0.921658986175 EUR.
        assert_eq!(invert(1_085_000_000_000), Ok(921_658_986_175));
        // A USD company: 1 JPY = 1.0850 / 160.50 USD = 0.006760124611 USD.
        assert_eq!(cross(1_085_000_000_000, 160_500_000_000_000), Ok(6_760_124_611));
        // docs/exchange-rates.md: 1,000.00 USD at 1 / 1.0921 → 915.67 EUR.
        assert_eq!(
            to_company(100_000, 2, invert(1_092_100_000_000).unwrap(), 2),
            Ok(91_567)
        );
        assert_eq!(to_company(1, 2, 0, 2), Err(ConversionError::NotPositive));
        assert_eq!(to_company(i64::MAX, 2, i64::MAX, 2), Err(ConversionError::TooLarge));
        assert_eq!(invert(1), Err(ConversionError::TooLarge), "10^24 is no i64");
    }

    /// The same conversion through `rust_decimal`, exact for these ranges (products under 28 digits).
    fn reference(amount: i64, from: u32, rate: i64, to: u32) -> i64 {
        let exact = Decimal::from_i128_with_scale(i128::from(amount) * i128::from(rate), from + RATE_DECIMALS);
        let rounded = exact.round_dp_with_strategy(to, RoundingStrategy::MidpointAwayFromZero);
        let minor = rounded * Decimal::from(10_i64.pow(to));
        i64::try_from(minor.trunc()).unwrap_or(i64::MAX)
    }

    proptest! {
        #[test]
        fn conversion_is_exact_half_away_from_zero(
            amount in -1_000_000_000_000_i64..1_000_000_000_000,
            rate in 1_i64..1_000_000_000_000_000,
            from in 0_u32..=3,
            to in 0_u32..=3,
        ) {
            let got = to_company(amount, from, rate, to);
            let want = reference(amount, from, rate, to);
            match got {
                Ok(v) => {
                    prop_assert_eq!(v, want);
                    // Within half a minor unit of the exact product.
                    let exact = i128::from(amount) * i128::from(rate) * 10_i128.pow(to);
                    let unit = 10_i128.pow(from + RATE_DECIMALS);
                    prop_assert!((i128::from(v) * unit - exact).abs() * 2 <= unit);
                }
                Err(e) => {
                    prop_assert_eq!(e, ConversionError::TooLarge);
                    prop_assert!(i128::from(want).abs() >= AMOUNT_LIMIT);
                }
            }
        }

        #[test]
        fn conversion_is_odd_and_monotonic(
            a in -1_000_000_000_000_i64..1_000_000_000_000,
            b in -1_000_000_000_000_i64..1_000_000_000_000,
            rate in 1_i64..100_000_000_000_000,
        ) {
            let c = |x| to_company(x, 2, rate, 2);
            prop_assert_eq!(c(-a).map(|v| -v), c(a));
            if let (Ok(x), Ok(y)) = (c(a.min(b)), c(a.max(b))) {
                prop_assert!(x <= y);
            }
        }

        #[test]
        fn back_and_forth_stays_within_a_rounding(
            amount in -1_000_000_000_i64..1_000_000_000,
            rate in 1_000_000_i64..10_000_000_000_000_000,
        ) {
            // Converting out and back lands within what one rounding of each side can move.
            if let Ok(company) = to_company(amount, 2, rate, 2) {
                let back = from_company(company, 2, rate, 2).unwrap();
                // |back − amount| ≤ ½ + ½ / rate (in minor units of the other currency).
                let slack = i128::from(ONE) / i128::from(rate) + 1;
                prop_assert!((i128::from(back) - i128::from(amount)).abs() <= slack);
            }
        }

        #[test]
        fn an_inverse_is_within_half_a_unit(rate in 108_421_i64..i64::MAX) {
            let inv = invert(rate).unwrap();
            // |inv × rate − 10^24| ≤ rate / 2.
            let err = i128::from(inv) * i128::from(rate) - i128::from(ONE) * i128::from(ONE);
            prop_assert!(err.abs() * 2 <= i128::from(rate));
        }
    }
}
