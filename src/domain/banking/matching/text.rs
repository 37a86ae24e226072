//! The words of a bank line as matching compares them: document numbers reduced to their letters
//! and digits, IBANs without blanks, contact names folded and stripped of legal forms, and the
//! trigrams that let "Mueller Bau" find "Müller Bau GmbH".
//!
//! Everything here is a pure function of its input, so the index and the score see the same
//! keys for the same text.

/// Hash of a key (FNV-1a, 64 bits): the reference index keys its one-edit neighbourhoods by
/// this, not by strings, because every hit is checked against the real key afterwards.
pub(super) fn hash(bytes: impl IntoIterator<Item = u8>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A document number or payment reference as matching compares it: ASCII letters and digits
/// only, upper case. `INV-2026-0042`, `inv 2026/0042` and `INV20260042` are one key.
pub fn reference_key(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The number after a key's leading letters (`INV20260042` → `20260042`), when it is long
/// enough to stand alone: payers often write only the digits of an invoice number.
pub fn numeric_tail(key: &str) -> Option<&str> {
    let start = key.find(|c: char| c.is_ascii_digit())?;
    let tail = &key[start..];
    (start > 0 && tail.len() >= MIN_FUZZY_LEN).then_some(tail)
}

/// Keys shorter than this are only ever matched exactly: one edit in a short number makes it
/// another document's number.
pub const MIN_FUZZY_LEN: usize = 6;

/// A key shorter than this is not looked for in the text at all (`42` is in too many texts).
pub const MIN_KEY_LEN: usize = 4;

/// Keys and phrases longer than this are compared exactly only, never one edit or cut off: no
/// document number is this long, and a text of one endless word must not cost its length
/// squared (each of its one-letter deletions is hashed).
pub const MAX_FUZZY_LEN: usize = 40;

/// An IBAN or account number as compared: letters and digits, upper case, no blanks.
pub fn account_key(text: &str) -> String {
    reference_key(text)
}

/// The words of a line's text, upper case, split at anything that is not a letter or a digit.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase)
        .collect()
}

/// Runs of one to three consecutive words glued together, because `INV 2026 0042` and
/// `INV-2026-0042` both name `INV20260042`. Each comes with whether it ends at the text's last
/// word (where a bank cuts a text that is too long).
pub fn phrases(words: &[String]) -> Vec<(String, bool)> {
    let mut out = Vec::with_capacity(words.len() * 3);
    for start in 0..words.len() {
        let mut glued = String::new();
        for (end, word) in words.iter().enumerate().skip(start).take(3) {
            glued.push_str(word);
            out.push((glued.clone(), end + 1 == words.len()));
        }
    }
    out
}

/// Whether `a` and `b` are at most one edit apart: one letter changed, added, dropped, or two
/// neighbours swapped (the optimal-string-alignment distance ≤ 1). Linear; ASCII keys.
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if prefix == a.len() && prefix == b.len() {
        return true;
    }
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    match ra.len().cmp(&rb.len()) {
        std::cmp::Ordering::Equal => {
            ra[1..] == rb[1..] || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
        }
        std::cmp::Ordering::Greater => ra[1..] == *rb,
        std::cmp::Ordering::Less => *ra == rb[1..],
    }
}

/// The hashes of `key` with each one of its letters left out: two keys one edit apart share
/// one of these (or one equals the other's hash), which is how the index finds mistyped numbers
/// without comparing every pair.
pub(super) fn deletion_hashes(key: &str) -> impl Iterator<Item = u64> + '_ {
    let bytes = key.as_bytes();
    (0..bytes.len()).map(move |skip| {
        hash(
            bytes
                .iter()
                .enumerate()
                .filter(move |(i, _)| *i != skip)
                .map(|(_, b)| *b),
        )
    })
}

/// Legal forms and filler words that say nothing about who a party is.
const NAME_NOISE: &[&str] = &[
    "gmbh", "ag", "kg", "ug", "ohg", "ev", "ltd", "limited", "inc", "llc", "llp", "plc", "corp", "co", "company", "sa",
    "sarl", "sas", "srl", "spa", "bv", "nv", "oy", "ab", "as", "aps", "the", "und", "and", "et", "cie",
];

/// Folds the letters Western European names are spelled with to ASCII, as banks often print them.
fn fold(c: char, out: &mut String) {
    let s = match c {
        'ä' | 'Ä' => "ae",
        'ö' | 'Ö' => "oe",
        'ü' | 'Ü' => "ue",
        'ß' => "ss",
        'à' | 'á' | 'â' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Å' => "a",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ò' | 'ó' | 'ô' | 'õ' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ø' => "o",
        'ù' | 'ú' | 'û' | 'Ù' | 'Ú' | 'Û' => "u",
        'ç' | 'Ç' => "c",
        'ñ' | 'Ñ' => "n",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        c if c.is_ascii_alphanumeric() => {
            out.push(c.to_ascii_lowercase());
            return;
        }
        _ => " ",
    };
    out.push_str(s);
}

/// A party's name as compared: lower case ASCII words, legal forms dropped, sorted and without
/// repeats, so "Bau Müller GmbH" and "MUELLER BAU" give the same words.
pub fn name_words(name: &str) -> Vec<String> {
    let mut folded = String::with_capacity(name.len());
    for c in name.chars() {
        fold(c, &mut folded);
    }
    let mut words: Vec<String> = folded
        .split_whitespace()
        .filter(|w| !NAME_NOISE.contains(w))
        .map(str::to_owned)
        .collect();
    words.sort();
    words.dedup();
    words
}

/// The trigrams of a name's words (each word padded as `  word `, as PostgreSQL's pg_trgm
/// does), sorted and without repeats. Per word, so word order does not matter and a word
/// spelled a little differently still shares most of its trigrams.
pub fn trigrams(words: &[String]) -> Vec<u32> {
    let mut out = Vec::new();
    for word in words {
        let padded: Vec<u8> = [b' ', b' '].into_iter().chain(word.bytes()).chain([b' ']).collect();
        out.extend(
            padded
                .windows(3)
                .map(|w| (u32::from(w[0]) << 16) | (u32::from(w[1]) << 8) | u32::from(w[2])),
        );
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// How alike two names are, 0–100: the Dice coefficient of their trigram sets, in whole percent.
pub fn similarity(a: &[u32], b: &[u32]) -> u32 {
    if a.is_empty() || b.is_empty() {
        return 0;
    }
    let shared = shared_count(a, b);
    let total = a.len() + b.len();
    u32::try_from(200 * shared / total).unwrap_or(0)
}

/// How many elements two sorted, repeat-free lists share.
fn shared_count(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_reduce_to_letters_and_digits() {
        assert_eq!(reference_key("inv-2026/0042"), "INV20260042");
        assert_eq!(numeric_tail("INV20260042"), Some("20260042"));
        assert_eq!(
            numeric_tail("20260042"),
            None,
            "a key that is all digits has no separate tail"
        );
        assert_eq!(numeric_tail("INV42"), None, "too short to stand alone");
    }

    #[test]
    fn phrases_glue_up_to_three_words_and_mark_the_last() {
        let w = words("Payment INV 2026-0042");
        assert_eq!(w, ["PAYMENT", "INV", "2026", "0042"]);
        let p = phrases(&w);
        assert!(p.contains(&("INV20260042".to_owned(), true)));
        assert!(p.contains(&("PAYMENTINV2026".to_owned(), false)));
        assert!(!p.iter().any(|(s, _)| s == "PAYMENTINV20260042"), "at most three words");
    }

    #[test]
    fn one_edit_covers_change_insertion_deletion_and_swap() {
        assert!(within_one_edit("INV20260042", "INV20260042"));
        assert!(within_one_edit("INV20260042", "INV20260043"), "changed");
        assert!(within_one_edit("INV20260042", "INV2026042"), "dropped");
        assert!(within_one_edit("INV20260042", "INV202600042"), "added");
        assert!(within_one_edit("INV20260042", "INV20260024"), "swapped");
        assert!(!within_one_edit("INV20260042", "INV20260024X"));
        assert!(!within_one_edit("INV20260042", "INV20261142"));
        assert!(!within_one_edit("INV20260042", "INV202600"));
    }

    #[test]
    fn one_edit_neighbours_share_a_deletion_hash() {
        let pairs = [
            ("INV20260042", "INV20260024"),
            ("INV20260042", "INV20260043"),
            ("ABCDEFG", "ABCDEF"),
        ];
        for (a, b) in pairs {
            let ha: Vec<u64> = deletion_hashes(a).chain([hash(a.bytes())]).collect();
            let hb: Vec<u64> = deletion_hashes(b).chain([hash(b.bytes())]).collect();
            assert!(ha.iter().any(|h| hb.contains(h)), "{a} {b}");
        }
    }

    #[test]
    fn names_fold_drop_legal_forms_and_ignore_order() {
        assert_eq!(name_words("Bau Müller GmbH"), ["bau", "mueller"]);
        assert_eq!(name_words("MUELLER BAU"), ["bau", "mueller"]);
        let a = trigrams(&name_words("Nordwind Logistik GmbH"));
        let b = trigrams(&name_words("NORDWIND LOGISTIC"));
        let c = trigrams(&name_words("Sonnenschein Optik AG"));
        assert!(similarity(&a, &b) >= 60, "{}", similarity(&a, &b));
        assert!(similarity(&a, &c) < 30, "{}", similarity(&a, &c));
        assert_eq!(similarity(&a, &a), 100);
        assert_eq!(similarity(&a, &[]), 0);
    }
}
