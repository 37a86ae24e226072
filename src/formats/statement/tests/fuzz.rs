//! Property tests: any bytes, and any mutation of a valid file, give a statement or a located
//! error from every parser and from `detect`, never a panic.

use proptest::prelude::*;

use super::*;

/// Every parser, whatever `detect` says, and `parse` as the caller uses it.
fn every_parser(bytes: &[u8]) {
    let limits = Limits::default();
    let _ = detect(bytes);
    if let Ok(statement) = parse(bytes, None, &limits) {
        let _ = check_balances(&statement);
        assert_eq!(fingerprints("a", &statement.lines).len(), statement.lines.len());
    }
    let _ = csv::parse(bytes, &CsvProfile::default(), &limits);
    let _ = csv::parse(bytes, &german_profile(), &limits);
    let _ = guess_profile(bytes);
    let _ = ofx::parse(bytes, &limits);
    let _ = qif::parse(bytes, &limits);
    let _ = camt::parse(bytes, StatementFormat::Camt053, &limits);
    let _ = mt940::parse(bytes, &limits);
}

/// A mutation: at a position (a fraction of the length), delete, insert or replace some bytes.
fn mutate(mut file: Vec<u8>, edits: &[(f64, u8, Vec<u8>)]) -> Vec<u8> {
    for (at, op, bytes) in edits {
        let i = ((file.len() as f64) * at) as usize;
        let i = i.min(file.len());
        match op % 3 {
            0 => {
                let end = (i + bytes.len()).min(file.len());
                file.drain(i..end);
            }
            1 => {
                file.splice(i..i, bytes.iter().copied());
            }
            _ => {
                let end = (i + bytes.len()).min(file.len());
                file.splice(i..end, bytes.iter().copied());
            }
        }
    }
    file
}

fn samples_of_every_format() -> Vec<Vec<u8>> {
    every_format().into_iter().map(|(_, bytes, _)| bytes).collect()
}

/// Bytes that look like a format's start, so the fuzzer gets past `detect` into each parser.
const PREFIXES: &[&[u8]] = &[
    b"",
    b"OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\n\r\n<OFX>",
    b"<?xml version=\"1.0\"?><?OFX OFXHEADER=\"200\" VERSION=\"220\"?><OFX>",
    b"!Type:Bank\n",
    b"<Document><BkToCstmrStmt><Stmt>",
    b"<Document><BkToCstmrAcctRpt><Rpt><Ntry>",
    b":20:X\n:25:Y\n:60F:C260101EUR1,00\n:61:",
    b"Date,Amount,Description\n",
];

fn syntax_bytes() -> impl Strategy<Value = Vec<u8>> {
    // Mostly the characters the formats are made of, so mutations hit their syntax.
    let alphabet: Vec<u8> = b"<>/:?!^&;#=\"',.-+0123456789 \n\r\tCDTNPMAEFRBKIOXamtx\xC3\xE9\xFF".to_vec();
    prop::collection::vec(prop::sample::select(alphabet), 0..64)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_give_a_statement_or_an_error(
        prefix in prop::sample::select(PREFIXES),
        body in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        let mut bytes = prefix.to_vec();
        bytes.extend(body);
        every_parser(&bytes);
    }

    #[test]
    fn any_syntax_soup_gives_a_statement_or_an_error(
        prefix in prop::sample::select(PREFIXES),
        body in syntax_bytes(),
    ) {
        let mut bytes = prefix.to_vec();
        bytes.extend(body);
        every_parser(&bytes);
    }

    #[test]
    fn mutated_valid_files_give_a_statement_or_an_error(
        which in 0usize..8,
        edits in prop::collection::vec((0.0f64..1.0, any::<u8>(), syntax_bytes()), 1..4),
    ) {
        let files = samples_of_every_format();
        let file = files.get(which % files.len()).cloned().unwrap_or_default();
        every_parser(&mutate(file, &edits));
    }
}
