//! Money: exact decimals in the API, integer minor units in storage, and the number of decimal
//! places of each currency. No float ever holds an amount.

use std::str::FromStr;

use rust_decimal::Decimal;

/// Largest absolute amount accepted, in major units: 15 digits in all, as the seed's
/// `DecimalField(max_digits=15)`.
const MAX_MINOR_DIGITS: u32 = 15;

/// Decimal places of a currency (ISO 4217 minor units). Unknown codes use 2.
pub fn decimals(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX" | "UYI" | "VND"
        | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("A valid number is required.")]
    NotANumber,
    #[error("Ensure that there are no more than {0} decimal places.")]
    TooManyDecimals(u32),
    #[error("Ensure that there are no more than 15 digits in total.")]
    TooLarge,
    #[error("Ensure this value is greater than or equal to 0.")]
    Negative,
}

/// Parses an amount as written in the API (`"116.00"`, `"5"`).
pub fn parse(text: &str) -> Result<Decimal, MoneyError> {
    let t = text.trim();
    if t.is_empty() || t.contains(['e', 'E']) {
        return Err(MoneyError::NotANumber);
    }
    Decimal::from_str(t).map_err(|_| MoneyError::NotANumber)
}

/// Converts to integer minor units, refusing more decimals than the currency has.
pub fn to_minor(amount: Decimal, decimals: u32) -> Result<i64, MoneyError> {
    let normalized = amount.normalize();
    if normalized.scale() > decimals {
        return Err(MoneyError::TooManyDecimals(decimals));
    }
    let factor = Decimal::from(10_i64.pow(decimals));
    // Checked: a 28-digit amount times 10^decimals overflows `Decimal`, and must be refused, not panic.
    let minor = amount.checked_mul(factor).ok_or(MoneyError::TooLarge)?.trunc();
    let limit = Decimal::from(10_i64.pow(MAX_MINOR_DIGITS));
    if minor.abs() >= limit {
        return Err(MoneyError::TooLarge);
    }
    i64::try_from(minor).map_err(|_| MoneyError::TooLarge)
}

/// Converts minor units back to a decimal with exactly `decimals` places.
pub fn from_minor(minor: i64, decimals: u32) -> Decimal {
    Decimal::new(minor, decimals)
}

/// Formats minor units as the API writes amounts: `"116.00"`.
pub fn format(minor: i64, decimals: u32) -> String {
    from_minor(minor, decimals).to_string()
}

/// `amount × rate`, rounded half away from zero to the company currency's decimals.
pub fn convert(amount_minor: i64, from_decimals: u32, rate: Decimal, to_decimals: u32) -> Result<i64, MoneyError> {
    let value = from_minor(amount_minor, from_decimals)
        .checked_mul(rate)
        .ok_or(MoneyError::TooLarge)?
        .round_dp_with_strategy(to_decimals, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    to_minor(value, to_decimals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_trip_exactly() {
        assert_eq!(to_minor(parse("116.00").unwrap(), 2), Ok(11600));
        assert_eq!(to_minor(parse("0.1").unwrap(), 2), Ok(10));
        assert_eq!(format(11600, 2), "116.00");
        assert_eq!(format(-5, 2), "-0.05");
        assert_eq!(format(7, 0), "7");
        assert_eq!(format(1234, 3), "1.234");
        assert_eq!(
            to_minor(parse("1.005").unwrap(), 2),
            Err(MoneyError::TooManyDecimals(2))
        );
        assert_eq!(to_minor(parse("1.000").unwrap(), 2), Ok(100), "trailing zeros are fine");
        assert_eq!(to_minor(parse("1").unwrap(), 0), Ok(1));
        assert!(parse("1e3").is_err());
        assert!(parse("abc").is_err());
        assert_eq!(to_minor(parse("9999999999999.99").unwrap(), 2), Ok(999_999_999_999_999));
        assert_eq!(
            to_minor(parse("10000000000000.00").unwrap(), 2),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(
            to_minor(parse("100000000000000000000000000").unwrap(), 3),
            Err(MoneyError::TooLarge),
            "an amount whose minor units overflow Decimal is refused, not a panic"
        );
    }

    #[test]
    fn conversion_rounds_half_away_from_zero() {
        let rate = parse("1.0850").unwrap();
        assert_eq!(convert(1000, 2, rate, 2), Ok(1085));
        assert_eq!(convert(1, 2, parse("0.5").unwrap(), 2), Ok(1));
        assert_eq!(convert(100, 0, parse("0.0091").unwrap(), 2), Ok(91));
    }

    mod props {
        use proptest::prelude::*;

        use super::super::*;

        const LIMIT: i64 = 1_000_000_000_000_000;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            /// Formatting minor units and parsing them back gives the same minor units, with
            /// exactly the currency's decimals written.
            #[test]
            fn format_then_parse_round_trips(minor in -LIMIT + 1..LIMIT, decimals in prop::sample::select(vec![0u32, 2, 3])) {
                let text = format(minor, decimals);
                let written = text.split_once('.').map_or(0, |(_, f)| f.len());
                prop_assert_eq!(u32::try_from(written).ok(), Some(decimals), "{}", text);
                prop_assert_eq!(to_minor(parse(&text)?, decimals), Ok(minor));
                // Trailing zeros and surrounding blanks change nothing.
                let padded = if decimals == 0 { format!(" {text}.000 ") } else { format!(" {text}00 ") };
                prop_assert_eq!(to_minor(parse(&padded)?, decimals), Ok(minor));
            }

            /// A normalized decimal (`"12.3"`, `"7"`) means the same amount.
            #[test]
            fn normalized_amounts_parse_to_the_same_minor_units(minor in 0..LIMIT, decimals in 0u32..=3) {
                let text = from_minor(minor, decimals).normalize().to_string();
                prop_assert_eq!(to_minor(parse(&text)?, decimals), Ok(minor));
            }

            /// One decimal more than the currency has is refused, never rounded.
            #[test]
            fn extra_decimals_are_refused(minor in 0..LIMIT / 10, last in 1i64..10, decimals in 0u32..=3) {
                let text = format!("{}{last}", from_minor(minor, decimals + 1).to_string().trim_end_matches('0'));
                let amount = parse(&text)?;
                prop_assume!(amount.normalize().scale() > decimals);
                prop_assert_eq!(to_minor(amount, decimals), Err(MoneyError::TooManyDecimals(decimals)));
            }

            /// Amounts of 15 digits or more are refused, whatever their size.
            #[test]
            fn huge_amounts_are_refused(minor in prop_oneof![LIMIT..i64::MAX, i64::MIN + 1..=-LIMIT], decimals in 0u32..=3) {
                prop_assert_eq!(to_minor(from_minor(minor, decimals), decimals), Err(MoneyError::TooLarge));
            }

            /// Any text either parses or is refused; what parses converts or is refused. No panic.
            #[test]
            fn any_text_is_handled(text in "[-+ ]?[0-9]{0,32}([.][0-9]{0,30})?|\\PC{0,40}", decimals in 0u32..=3) {
                if let Ok(amount) = parse(&text) {
                    let _ = to_minor(amount, decimals);
                }
            }

            /// Converting at rate 1 between the same decimals changes nothing.
            #[test]
            fn rate_one_is_the_identity(minor in -LIMIT + 1..LIMIT, decimals in 0u32..=3) {
                prop_assert_eq!(convert(minor, decimals, rust_decimal::Decimal::ONE, decimals), Ok(minor));
            }
        }
    }

    #[test]
    fn currencies_know_their_decimals() {
        assert_eq!(decimals("USD"), 2);
        assert_eq!(decimals("JPY"), 0);
        assert_eq!(decimals("KWD"), 3);
    }
}
