//! Last year's actuals ± a percentage, exactly: the percentage is taken to hundredths (basis
//! points, `"5"` = 500, `"-2.5"` = −250), and each monthly amount becomes
//! `amount × (10000 + bp) / 10000` rounded half away from zero to the currency's minor unit,
//! once per cell, in integers (`i128`, no float and no decimal type on the way).

use rust_decimal::Decimal;

/// The lowest and highest percentage taken: −100 % (nothing) to +1000 %.
pub const MIN_BP: i64 = -10_000;
pub const MAX_BP: i64 = 100_000;

/// A percentage as the API writes it (`"5"`, `"-2.5"`, `"12.25"`) → basis points; at most two
/// decimals, −100 to 1000.
pub fn parse_percent(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let bad = || format!("\"{t}\" is not a percentage: write a number such as 5, -2.5 or 12.25.");
    if t.is_empty() || t.contains(['e', 'E']) {
        return Err(bad());
    }
    let v: Decimal = t.parse().map_err(|_| bad())?;
    if v.normalize().scale() > 2 {
        return Err("Ensure that there are no more than 2 decimal places.".to_owned());
    }
    let bp = v
        .checked_mul(Decimal::from(100))
        .and_then(|b| i64::try_from(b.trunc()).ok())
        .ok_or_else(bad)?;
    if !(MIN_BP..=MAX_BP).contains(&bp) {
        return Err("Ensure the percentage is between -100 and 1000.".to_owned());
    }
    Ok(bp)
}

/// `amount × (10000 + bp) / 10000`, rounded half away from zero; `None` beyond `i64`.
pub fn scale(amount: i64, bp: i64) -> Option<i64> {
    let n = i128::from(amount) * i128::from(10_000 + bp);
    let (q, r) = (n / 10_000, n % 10_000);
    let q = if r.abs() * 2 >= 10_000 { q + n.signum() } else { q };
    i64::try_from(q).ok()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::prelude::*;

    use super::*;

    #[test]
    fn hand_computed() {
        assert_eq!(parse_percent("5"), Ok(500));
        assert_eq!(parse_percent("-2.5"), Ok(-250));
        assert_eq!(parse_percent(" 12.25 "), Ok(1225));
        assert!(parse_percent("1.234").is_err());
        assert!(parse_percent("-101").is_err());
        assert!(parse_percent("abc").is_err());
        assert!(parse_percent("1e2").is_err());
        assert_eq!(scale(10_000, 500), Some(10_500));
        // 333 × 1.05 = 349.65 → 350; −333 × 1.05 = −349.65 → −350.
        assert_eq!(scale(333, 500), Some(350));
        assert_eq!(scale(-333, 500), Some(-350));
        // 10 × 0.95 = 9.5 → 10 (half away from zero); −10 → −10.
        assert_eq!(scale(10, -500), Some(10));
        assert_eq!(scale(-10, -500), Some(-10));
        assert_eq!(scale(12_345, -10_000), Some(0));
        assert_eq!(scale(i64::MAX, 100_000), None);
    }

    proptest! {
        /// Integer scaling equals the exact decimal product rounded half away from zero.
        #[test]
        fn scaling_is_the_exactly_rounded_product(
            amount in -1_000_000_000_000_000i64..1_000_000_000_000_000,
            bp in MIN_BP..=MAX_BP,
        ) {
            let exact = Decimal::from(amount) * (Decimal::ONE + Decimal::new(bp, 4));
            let expected = exact
                .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
                .to_i64();
            prop_assert_eq!(scale(amount, bp), expected);
        }

        /// Zero percent changes nothing; the result is never further from the exact product than
        /// half a minor unit; a positive change never lowers an amount's size.
        #[test]
        fn scaling_keeps_its_promises(amount in -1_000_000_000_000i64..1_000_000_000_000, bp in MIN_BP..=MAX_BP) {
            prop_assert_eq!(scale(amount, 0), Some(amount));
            let got = i128::from(scale(amount, bp).unwrap());
            let exact_x2 = i128::from(amount) * i128::from(10_000 + bp) * 2;
            prop_assert!((got * 20_000 - exact_x2).abs() <= 10_000);
            if bp >= 0 {
                prop_assert!(got.abs() >= i128::from(amount).abs());
            }
        }

        /// Any percentage text is parsed or refused, never a panic; what is taken round-trips.
        #[test]
        fn percent_text_never_panics(text in "[-0-9.e ]{0,12}") {
            if let Ok(bp) = parse_percent(&text) {
                prop_assert!((MIN_BP..=MAX_BP).contains(&bp));
            }
        }
    }
}
