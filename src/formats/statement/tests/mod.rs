//! Tests of the statement parsers: the same five transactions written in every format import to
//! the same lines and balances (`samples.rs` writes them); hostile files are refused with their
//! line (`hostile.rs`); any bytes give a statement or an error, never a panic (`fuzz.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fuzz;
mod hostile;
pub(crate) mod samples;

use std::str::FromStr;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::*;
use samples::Tx;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// What every format must agree on: date, amount, text, counterparty, reference.
fn essence(statement: &Statement) -> Vec<(Date, Decimal, String, String, String)> {
    statement
        .lines
        .iter()
        .map(|l| {
            (
                l.date,
                l.amount,
                l.text.clone(),
                l.counterparty.clone(),
                l.reference.clone(),
            )
        })
        .collect()
}

fn expected() -> Vec<(Date, Decimal, String, String, String)> {
    samples::txs()
        .iter()
        .map(|t: &Tx| {
            (
                t.date,
                t.amount(),
                t.text.into(),
                t.counterparty.into(),
                t.reference.into(),
            )
        })
        .collect()
}

fn read(bytes: &[u8], profile: Option<&CsvProfile>) -> Statement {
    match parse(bytes, profile, &Limits::default()) {
        Ok(s) => s,
        Err(e) => panic!("{e}\n{}", String::from_utf8_lossy(bytes.get(..2000).unwrap_or(bytes))),
    }
}

fn plain_profile() -> CsvProfile {
    CsvProfile {
        date: Column::Name("Date".into()),
        amount: AmountColumns::Single {
            column: Column::Name("Amount".into()),
            inverted: false,
        },
        text: vec![Column::Name("Description".into())],
        counterparty: Some(Column::Name("Payee".into())),
        counterparty_account: Some(Column::Name("IBAN".into())),
        reference: Some(Column::Name("Reference".into())),
        balance: Some(Column::Name("Balance".into())),
        ..CsvProfile::default()
    }
}

fn german_profile() -> CsvProfile {
    CsvProfile {
        delimiter: b';',
        encoding: TextEncoding::Windows1252,
        skip_rows: 2,
        header: true,
        date_format: "%d.%m.%Y".into(),
        decimal: ',',
        date: Column::Index(0),
        value_date: Some(Column::Index(1)),
        amount: AmountColumns::DebitCredit {
            debit: Column::Name("Soll".into()),
            credit: Column::Name("Haben".into()),
        },
        text: vec![Column::Index(4)],
        counterparty: Some(Column::Index(2)),
        counterparty_account: Some(Column::Index(3)),
        reference: Some(Column::Index(5)),
        balance: None,
        currency: None,
    }
}

/// Every sample file, with its expected format.
fn every_format() -> Vec<(&'static str, Vec<u8>, StatementFormat)> {
    vec![
        ("csv", samples::csv_plain(), StatementFormat::Csv),
        ("csv 1252", samples::csv_german(), StatementFormat::Csv),
        ("ofx sgml", samples::ofx_sgml(), StatementFormat::Ofx),
        ("ofx xml", samples::ofx_xml(), StatementFormat::Ofx),
        ("qif", samples::qif(), StatementFormat::Qif),
        ("camt.053", samples::camt(false), StatementFormat::Camt053),
        ("camt.052", samples::camt(true), StatementFormat::Camt052),
        ("mt940", samples::mt940(), StatementFormat::Mt940),
    ]
}

#[test]
fn the_format_is_told_from_the_content() {
    for (name, bytes, format) in every_format() {
        assert_eq!(detect(&bytes), Some(format), "{name}");
    }
    assert_eq!(detect(b""), None);
    assert_eq!(detect(b"  \n"), None);
}

#[test]
fn every_format_imports_to_the_same_lines() {
    let want = expected();
    let plain = read(&samples::csv_plain(), Some(&plain_profile()));
    let german = read(&samples::csv_german(), Some(&german_profile()));
    let mut german_lines = german.clone();
    german_lines.lines.reverse(); // the German bank lists newest first
    assert_eq!(essence(&plain), want, "csv");
    assert_eq!(essence(&german_lines), want, "csv 1252");
    for (name, bytes, _) in every_format().into_iter().skip(2) {
        let statement = read(&bytes, None);
        assert_eq!(essence(&statement), want, "{name}");
        assert_eq!(check_balances(&statement), Ok(()), "{name}");
    }
}

#[test]
fn the_counterparty_account_and_bank_id_come_through_where_the_format_has_them() {
    let ibans: Vec<Option<String>> = samples::txs()
        .iter()
        .map(|t| Some(t.iban.to_owned()).filter(|i| !i.is_empty()))
        .collect();
    let ids: Vec<Option<String>> = samples::txs().iter().map(|t| Some(t.bank_id.to_owned())).collect();
    for (name, bytes, profile) in [
        ("csv", samples::csv_plain(), Some(plain_profile())),
        ("camt.053", samples::camt(false), None),
        ("camt.052", samples::camt(true), None),
        ("mt940", samples::mt940(), None),
    ] {
        let s = read(&bytes, profile.as_ref());
        let got: Vec<_> = s.lines.iter().map(|l| l.counterparty_account.clone()).collect();
        assert_eq!(got, ibans, "{name}");
    }
    for (name, bytes) in [
        ("ofx", samples::ofx_sgml()),
        ("camt", samples::camt(false)),
        ("mt940", samples::mt940()),
    ] {
        let got: Vec<_> = read(&bytes, None).lines.iter().map(|l| l.bank_id.clone()).collect();
        assert_eq!(got, ids, "{name}");
    }
}

#[test]
fn the_statements_own_balances_are_read_and_checked() {
    let open = Some(StatementBalance {
        date: samples::opening_date(),
        amount: dec(samples::OPENING),
    });
    let close = Some(StatementBalance {
        date: jiff::civil::date(2026, 1, 15),
        amount: dec(samples::CLOSING),
    });
    for (name, bytes, profile) in [
        ("camt.053", samples::camt(false), None),
        ("camt.052", samples::camt(true), None),
        ("mt940", samples::mt940(), None),
    ] {
        let s = read(&bytes, profile.as_ref());
        assert_eq!((&s.opening, &s.closing), (&open, &close), "{name}");
        assert_eq!(s.account.as_deref(), Some(samples::ACCOUNT), "{name}");
        assert_eq!(s.currency.as_deref(), Some("EUR"), "{name}");
    }
    // A running-balance column gives the balances: before the first line, after the last.
    let csv = read(&samples::csv_plain(), Some(&plain_profile()));
    assert_eq!(csv.opening.map(|b| b.amount), Some(dec(samples::OPENING)));
    assert_eq!(csv.closing.map(|b| b.amount), Some(dec(samples::CLOSING)));
    assert_eq!(
        read(&samples::ofx_xml(), None).closing.map(|b| b.amount),
        Some(dec(samples::CLOSING))
    );
    assert_eq!(
        read(&samples::qif(), None).opening.map(|b| b.amount),
        Some(dec(samples::OPENING))
    );

    // A statement whose lines do not add up is refused, naming both figures.
    let mut wrong = read(&samples::camt(false), None);
    wrong.lines.pop();
    let error = check_balances(&wrong).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the opening balance 1000.00 plus the lines' total 0.60 is 1000.60, but the statement's closing balance is 1090.59"
    );
}

#[test]
fn a_guessed_profile_reads_both_sample_exports() {
    let want = expected();
    let plain = guess_profile(&samples::csv_plain());
    assert_eq!(plain.delimiter, b',');
    assert_eq!(plain.date_format, "%Y-%m-%d");
    assert_eq!(essence(&read(&samples::csv_plain(), Some(&plain))), want);

    let german = guess_profile(&samples::csv_german());
    assert_eq!(
        (german.delimiter, german.encoding, german.skip_rows, german.decimal),
        (b';', TextEncoding::Windows1252, 2, ',')
    );
    assert_eq!(german.date_format, "%d.%m.%Y");
    let mut lines = read(&samples::csv_german(), Some(&german));
    lines.lines.reverse();
    assert_eq!(essence(&lines), want);
    // Without a profile, parse guesses one itself.
    assert_eq!(essence(&read(&samples::csv_plain(), None)), want);
}

#[test]
fn csv_errors_name_the_row_and_field() {
    let bad_date = b"Date,Amount,Description\n2026-01-05,1.00,a\n2026-13-01,2.00,b\n";
    let profile = CsvProfile::default();
    let error = parse(bad_date, Some(&profile), &Limits::default()).unwrap_err();
    assert_eq!(error.row(), Some(3));
    assert!(
        error
            .to_string()
            .starts_with("line 3: date: \"2026-13-01\" is not a date"),
        "{error}"
    );
    let bad_amount = b"Date,Amount,Description\n2026-01-05,1.0x0,a\n";
    let error = parse(bad_amount, Some(&profile), &Limits::default()).unwrap_err();
    assert_eq!(error.to_string(), "line 2: amount: \"1.0x0\" is not an amount");
    let missing = CsvProfile {
        date: Column::Name("Buchungstag".into()),
        ..CsvProfile::default()
    };
    let error = parse(bad_amount, Some(&missing), &Limits::default()).unwrap_err();
    assert_eq!(error.to_string(), "line 1: Buchungstag: the header has no such column");
    // A running balance that does not follow from the amounts, in either order.
    let broken = b"Date,Amount,Description,Balance\n2026-01-05,1.00,a,11.00\n2026-01-06,2.00,b,99.00\n";
    let with_balance = CsvProfile {
        balance: Some(Column::Index(3)),
        ..CsvProfile::default()
    };
    let error = parse(broken, Some(&with_balance), &Limits::default()).unwrap_err();
    assert_eq!(error.row(), Some(3));
}

#[test]
fn re_importing_the_same_or_an_overlapping_file_gives_the_same_fingerprints() {
    let profile = plain_profile();
    let first = read(&samples::csv_plain(), Some(&profile));
    let again = read(&samples::csv_plain(), Some(&profile));
    assert_eq!(fingerprints("acct", &first.lines), fingerprints("acct", &again.lines));
    // A later export from the 7th on (both lines of that day) overlaps the first in four lines.
    let text = String::from_utf8(samples::csv_plain()).unwrap();
    let mut rows: Vec<&str> = text.lines().collect();
    rows.remove(1);
    let overlap = read(format!("{}\n", rows.join("\n")).as_bytes(), Some(&profile));
    let before = fingerprints("acct", &first.lines);
    let after = fingerprints("acct", &overlap.lines);
    assert_eq!(after, before[1..]);
    let distinct: std::collections::HashSet<_> = before.iter().collect();
    assert_eq!(distinct.len(), before.len());
    // With bank ids (OFX FITID), the id is the fingerprint.
    let ofx = read(&samples::ofx_xml(), None);
    assert_eq!(fingerprints("acct", &ofx.lines)[0], "id:B-0001");
}

/// A file written by Python's ofxtools (`tests/fixtures/statements/make-ofx.py`): no code of
/// ours wrote it. CI regenerates it with the current ofxtools and points this test at the new
/// file through `OASYS_OFXTOOLS_OFX`.
#[test]
fn an_ofx_file_written_by_ofxtools_imports_to_the_same_lines() {
    let path = std::env::var("OASYS_OFXTOOLS_OFX")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/statements/ofxtools.ofx").into());
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(detect(&bytes), Some(StatementFormat::Ofx));
    let statement = read(&bytes, None);
    assert_eq!(essence(&statement), expected());
    let ids: Vec<_> = statement
        .lines
        .iter()
        .map(|l| l.bank_id.clone().unwrap_or_default())
        .collect();
    assert_eq!(ids, ["B-0001", "B-0002", "B-0003", "B-0004", "B-0005"]);
    assert_eq!(statement.closing.map(|b| b.amount), Some(dec(samples::CLOSING)));
    assert_eq!(statement.account.as_deref(), Some(samples::ACCOUNT));
}
