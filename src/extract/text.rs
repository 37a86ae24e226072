//! Plain text and CSV: bytes decoded (UTF-8, UTF-16 with a byte-order mark, else Windows-1252),
//! CSV cells joined by tabs, one record a line.

use super::{ExtractError, Extracted, Limits, Method, TextSink};

/// The text of `bytes`: UTF-8 (a BOM dropped), UTF-16 when a BOM says so, else Windows-1252
/// (which maps every byte, so nothing is refused).
pub fn decode(bytes: &[u8]) -> String {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(bytes.get(bom..).unwrap_or_default());
        return text.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
pub fn prefix(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

/// `s` cut to at most `max` bytes.
pub fn cap(mut s: String, max: usize) -> String {
    let keep = prefix(&s, max).len();
    s.truncate(keep);
    s
}

/// A CSV file's cells, tab-separated, one record a line. The delimiter is the first of `,`, `;`,
/// tab found in the first line (bank and spreadsheet exports use all three).
pub fn csv(bytes: &[u8], limits: &Limits) -> Result<Extracted, ExtractError> {
    let text = decode(bytes);
    let first = text.lines().next().unwrap_or_default();
    let delimiter = [b';', b'\t', b',']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut sink = TextSink::new(limits.max_text_bytes);
    let mut record = ::csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(ExtractError::unreadable("CSV file", e)),
        }
        let line: Vec<&str> = record.iter().map(str::trim).collect();
        if !sink.push(&line.join("\t")) || !sink.push("\n") {
            break;
        }
    }
    Ok(Extracted {
        text: sink.into_text(),
        pages: None,
        method: Method::Sheet,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_utf16_and_windows_1252_are_decoded() {
        assert_eq!(decode("Grüße".as_bytes()), "Grüße");
        assert_eq!(decode(b"\xEF\xBB\xBFInvoice"), "Invoice");
        assert_eq!(decode(b"Caf\xe9 \x80 5"), "Café € 5");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Rechnung".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16), "Rechnung");
    }

    #[test]
    fn the_cap_cuts_at_a_character_boundary() {
        assert_eq!(cap("aé€".into(), 3), "aé");
        assert_eq!(cap("aé€".into(), 4), "aé");
        assert_eq!(cap("aé€".into(), 6), "aé€");
        assert_eq!(prefix("€", 1), "");
    }

    #[test]
    fn csv_cells_are_tab_separated_whatever_the_delimiter() -> Result<(), ExtractError> {
        let limits = Limits::default();
        let out = csv(b"date;amount;payee\n2026-01-02;\"12,50\";Bakery Smith\n", &limits)?;
        assert_eq!(out.text, "date\tamount\tpayee\n2026-01-02\t12,50\tBakery Smith\n");
        assert_eq!(out.method, Method::Sheet);
        let out = csv(b"a,b\n\"x, y\",z\n", &limits)?;
        assert_eq!(out.text, "a\tb\nx, y\tz\n");
        let small = Limits {
            max_text_bytes: 5,
            ..Limits::default()
        };
        assert_eq!(csv(b"abc,def\nghi,jkl\n", &small)?.text, "abc\td");
        Ok(())
    }
}
