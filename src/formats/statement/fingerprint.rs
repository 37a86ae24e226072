//! The key a statement line is recognised by when the same file, or one overlapping it, is
//! imported again: the bank's own transaction id when the format carries one, otherwise a hash
//! of what the line says and where it stands among lines that say the same.

use std::collections::HashMap;

use jiff::civil::Date;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use super::StatementLine;

/// One fingerprint per line, in order. `account_key` (the bank account's id or IBAN) keeps two
/// accounts' lines apart, as the bank's ids are only unique per account.
///
/// A line without a bank id is `SHA-256(account, date, amount, text, n)`, where `n` counts the
/// earlier lines of the file with the same date, amount and text: two identical coffees on one day
/// stay two lines, and a file that overlaps an earlier one gives its shared days the same
/// fingerprints as long as it holds those days whole (banks cut statements at day boundaries).
/// The amount is normalised (`12.5` and `12.50` are one amount); the text is trimmed, with runs of
/// whitespace made one space, as banks re-wrap long texts between exports.
pub fn fingerprints(account_key: &str, lines: &[StatementLine]) -> Vec<String> {
    let mut seen: HashMap<(Date, Decimal, String), u32> = HashMap::new();
    lines
        .iter()
        .map(|line| {
            if let Some(id) = line.bank_id.as_deref().map(str::trim).filter(|id| !id.is_empty()) {
                return format!("id:{id}");
            }
            let text = line.text.split_whitespace().collect::<Vec<_>>().join(" ");
            let amount = line.amount.normalize();
            let n = seen.entry((line.date, amount, text.clone())).or_insert(0);
            let position = *n;
            *n += 1;
            let mut hash = Sha256::new();
            for part in [
                account_key,
                &line.date.to_string(),
                &amount.to_string(),
                &text,
                &position.to_string(),
            ] {
                // Length-prefixed, so no two different lines share the hashed bytes.
                hash.update((part.len() as u64).to_le_bytes());
                hash.update(part.as_bytes());
            }
            let digest = hash.finalize();
            let mut hex = String::with_capacity(2 * digest.len() + 5);
            hex.push_str("hash:");
            for byte in digest {
                hex.push_str(&format!("{byte:02x}"));
            }
            hex
        })
        .collect()
}

#[cfg(test)]
mod unit {
    #![allow(clippy::unwrap_used)]
    use std::str::FromStr;

    use super::*;

    fn line(day: i8, amount: &str, text: &str, bank_id: Option<&str>) -> StatementLine {
        StatementLine {
            row: 1,
            date: jiff::civil::date(2026, 1, day),
            value_date: None,
            amount: Decimal::from_str(amount).unwrap(),
            currency: None,
            text: text.into(),
            counterparty: String::new(),
            counterparty_account: None,
            reference: String::new(),
            bank_id: bank_id.map(Into::into),
        }
    }

    #[test]
    fn identical_lines_differ_by_position_and_overlaps_agree() {
        let coffee = line(2, "-3.50", "Coffee", None);
        let file = vec![line(1, "10", "A", None), coffee.clone(), coffee.clone()];
        let prints = fingerprints("acct", &file);
        assert_ne!(prints[1], prints[2], "two identical coffees are two lines");
        // A later file that starts on the 2nd holds the same day whole: same fingerprints.
        let later = vec![coffee.clone(), coffee, line(3, "-1", "B", None)];
        let again = fingerprints("acct", &later);
        assert_eq!(&again[..2], &prints[1..]);
        assert_ne!(fingerprints("other", &file)[0], prints[0]);
        // A re-wrapped text and a re-scaled amount are the same line.
        assert_eq!(fingerprints("acct", &[line(1, "10.00", " A ", None)])[0], prints[0]);
    }

    #[test]
    fn the_bank_id_is_the_fingerprint_when_there_is_one() {
        let prints = fingerprints("acct", &[line(1, "1", "x", Some("FIT-1"))]);
        assert_eq!(prints, ["id:FIT-1"]);
    }
}
