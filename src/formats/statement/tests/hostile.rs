//! Hostile and broken files: entity expansion, document types, cut-off XML, a 100 MB line,
//! bytes that are not text. Each is refused with a line (or the size), and quickly.

use super::*;

fn camt_with_prolog(prolog: &str, text: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\"?>\n{prolog}<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n\
         <BkToCstmrStmt><Stmt><Ntry><Amt Ccy=\"EUR\">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>\
         <BookgDt><Dt>2026-01-01</Dt></BookgDt><AddtlNtryInf>{text}</AddtlNtryInf></Ntry></Stmt></BkToCstmrStmt></Document>\n"
    )
    .into_bytes()
}

#[test]
fn a_billion_laughs_is_refused_at_its_doctype() {
    let mut dtd = String::from("<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        dtd.push_str(&format!("<!ENTITY lol{i} \"{}\">\n", format!("&{prev};").repeat(10)));
    }
    dtd.push_str("]>\n");
    let file = camt_with_prolog(&dtd, "&lol9;");
    assert_eq!(detect(&file), Some(StatementFormat::Camt053));
    let error = parse(&file, None, &Limits::default()).unwrap_err();
    match &error {
        FormatError::Statement { line, field, .. } => assert_eq!((*line, field.as_str()), (2, "DOCTYPE")),
        other => panic!("{other}"),
    }
    assert!(
        error.to_string().contains("document type declaration is not allowed"),
        "{error}"
    );
    // An external entity (XXE) is refused the same way.
    let xxe = camt_with_prolog("<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n", "&x;");
    assert!(
        matches!(parse(&xxe, None, &Limits::default()), Err(FormatError::Statement { field, .. }) if field == "DOCTYPE")
    );
}

#[test]
fn an_undeclared_entity_is_refused_and_xmls_own_are_read() {
    let error = parse(&camt_with_prolog("", "a &lol; b"), None, &Limits::default()).unwrap_err();
    assert!(error.to_string().contains("the entity &lol; is not allowed"), "{error}");
    assert_eq!(error.row(), Some(3));
    let ok = parse(
        &camt_with_prolog("", "Shop &amp; Co &#8364;5 &lt;x&gt;"),
        None,
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(ok.lines[0].text, "Shop & Co €5 <x>");
}

#[test]
fn a_cut_off_camt_file_is_refused_wherever_it_is_cut() {
    let file = samples::camt(false);
    let root = file.windows(15).position(|w| w == b"<BkToCstmrStmt>").unwrap() + 15;
    let end = file.len() - "</Document>\n".len();
    for cut in (root..end).step_by(7) {
        let result = parse(&file[..cut], None, &Limits::default());
        let error = result.expect_err(&format!("cut at {cut} was accepted"));
        assert!(error.row().is_some(), "cut at {cut}: {error}");
    }
    let error = parse(&file[..file.len() / 2], None, &Limits::default()).unwrap_err();
    assert!(
        error.to_string().contains("cut off") || error.to_string().contains("not well-formed"),
        "{error}"
    );
}

#[test]
fn a_100_mb_line_is_refused_by_its_number() {
    let mut file = b"Date,Amount,Description\n2026-01-05,1.00,a\n".to_vec();
    file.resize(file.len() + (100 << 20), b'x');
    // A file larger than the limit is refused whole, before any of it is read…
    let small = Limits {
        max_bytes: 50 << 20,
        ..Limits::default()
    };
    assert_eq!(
        parse(&file, None, &small),
        Err(FormatError::TooLarge {
            size: file.len(),
            limit: 50 << 20
        })
    );
    // …and within it, the third line is too long.
    let roomy = Limits::default();
    assert_eq!(
        parse(&file, None, &roomy),
        Err(FormatError::LineTooLong {
            line: 3,
            limit: 64 << 10
        })
    );
    for prefix in [&b"!Type:Bank\n"[..], &b":20:X\n:60F:C260101EUR1,00\n"[..]] {
        let mut file = prefix.to_vec();
        file.resize(prefix.len() + (100 << 20), b'x');
        let error = parse(&file, None, &roomy).unwrap_err();
        assert!(matches!(error, FormatError::LineTooLong { .. }), "{error}");
    }
    // An XML file may be one line; its values are bounded instead.
    let camt = camt_with_prolog("", &"y".repeat(1 << 20));
    let error = parse(&camt, None, &roomy).unwrap_err();
    assert!(error.to_string().contains("a value longer than 65536 bytes"), "{error}");
}

#[test]
fn too_many_lines_are_refused() {
    let small = Limits {
        max_lines: 3,
        ..Limits::default()
    };
    assert!(matches!(
        parse(&samples::csv_plain(), None, &small),
        Err(FormatError::TooManyLines { line: 4, .. })
    ));
    assert!(matches!(
        parse(&samples::camt(false), None, &small),
        Err(FormatError::TooManyLines { .. })
    ));
    assert!(matches!(
        parse(&samples::ofx_xml(), None, &small),
        Err(FormatError::TooManyLines { .. })
    ));
}

#[test]
fn bytes_that_are_not_text_in_the_declared_encoding_are_refused_at_their_line() {
    let file = b"Date,Amount,Description\n2026-01-05,1.00,caf\xE9\n";
    let error = parse(file, Some(&CsvProfile::default()), &Limits::default()).unwrap_err();
    assert_eq!(error.row(), Some(2));
    assert!(error.to_string().contains("not UTF-8"), "{error}");
    // The same file read as Windows-1252 is fine.
    let latin = CsvProfile {
        encoding: TextEncoding::Windows1252,
        ..CsvProfile::default()
    };
    assert_eq!(
        parse(file, Some(&latin), &Limits::default()).unwrap().lines[0].text,
        "café"
    );
    let latin1 = CsvProfile {
        encoding: TextEncoding::Latin1,
        ..CsvProfile::default()
    };
    assert_eq!(
        parse(file, Some(&latin1), &Limits::default()).unwrap().lines[0].text,
        "café"
    );
    // CAMT is UTF-8 unless it declares otherwise.
    let mut camt = camt_with_prolog("", "caf\u{e9}");
    let at = camt.windows(4).position(|w| w == b"caf\xC3").unwrap() + 3;
    camt.splice(at..at + 2, [0xE9]);
    let error = parse(&camt, None, &Limits::default()).unwrap_err();
    assert_eq!(error.row(), Some(3), "{error}");
    let declared = String::from_utf8_lossy(&camt).replace(
        "<?xml version=\"1.0\"?>",
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>",
    );
    let mut declared = declared.into_bytes();
    let at = declared.windows(4).position(|w| w == b"caf\xEF").unwrap() + 3;
    declared.splice(at..at + 3, [0xE9]);
    assert_eq!(
        parse(&declared, None, &Limits::default()).unwrap().lines[0].text,
        "café"
    );
}

#[test]
fn wrong_values_name_their_line_and_field() {
    let cases: [(Vec<u8>, &str); 6] = [
        (
            samples::mt940().replace_first(b":61:260105", b":61:261305"),
            "line 5: :61: no value date",
        ),
        (
            samples::qif().replace_first(b"T-45.90", b"Tabc"),
            "line 9: T: \"abc\" is not an amount",
        ),
        (
            samples::qif().replace_first(b"D1/ 5'26", b"D1/32'26"),
            "line 8: D: \"1/32'26\" is not a date",
        ),
        (
            samples::camt(false).replace_first(b"<CdtDbtInd>DBIT", b"<CdtDbtInd>XXXX"),
            "CdtDbtInd: \"XXXX\" is neither CRDT nor DBIT",
        ),
        (
            samples::camt(false).replace_first(b"<Dt>2026-01-05", b"<Dt>2026-01-35"),
            "BookgDt: \"2026-01-35\" is not a date",
        ),
        (
            samples::ofx_xml().replace_first(b"<TRNAMT>-45.90", b"<TRNAMT>-4x5.90"),
            "TRNAMT",
        ),
    ];
    for (file, message) in cases {
        let error = parse(&file, None, &Limits::default()).unwrap_err();
        assert!(error.row().is_some(), "{error}");
        assert!(error.to_string().contains(message), "{error} does not say {message}");
    }
}

trait ReplaceFirst {
    fn replace_first(&self, from: &[u8], to: &[u8]) -> Vec<u8>;
}

impl ReplaceFirst for Vec<u8> {
    fn replace_first(&self, from: &[u8], to: &[u8]) -> Vec<u8> {
        let at = self
            .windows(from.len())
            .position(|w| w == from)
            .unwrap_or_else(|| panic!("{:?} not found", String::from_utf8_lossy(from)));
        let mut out = self[..at].to_vec();
        out.extend_from_slice(to);
        out.extend_from_slice(&self[at + from.len()..]);
        out
    }
}
