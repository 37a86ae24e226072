//! Where a refused file is wrong: each error the parsers give names the row (or line) a person
//! opens the file at, and a file wrong as a whole names none. The errors come from the real
//! parsers reading real (bad) files, except the statement balance check's, made directly.

use rust_decimal::Decimal;

use super::{FormatError, budget_csv, exchange_rates, journal_csv};

const HEADER: &str = "entry,date,account,debit,credit\n";

/// The journal parser's error for `text`, with the row it names.
fn journal_error(text: &str) -> (FormatError, Option<usize>) {
    let e = journal_csv::read(text).unwrap_err();
    let row = e.row();
    (e, row)
}

#[test]
fn a_bad_header_is_at_row_1() {
    for (header, expected) in [
        (
            "entry,date,account,debit,credit,colour\n",
            "row 1: unknown column \"colour\"",
        ),
        (
            "entry,date,account,debit,credit, DATE \n",
            "row 1: column \"date\" appears twice",
        ),
        ("entry,date,account\n", "row 1: missing column(s) debit, credit"),
    ] {
        let (e, row) = journal_error(header);
        assert_eq!(row, Some(1), "{e}");
        assert!(e.to_string().starts_with(expected), "{e}");
    }
}

#[test]
fn a_bad_record_is_at_the_row_it_starts_on() {
    let cases = [
        // A line one field short.
        (
            format!("{HEADER}1,2026-01-01,1000,10,\n1,2026-01-01,2000\n"),
            Some(3),
            "row 3: 3 fields, the header has 5",
        ),
        // A row without its entry key.
        (
            format!("{HEADER}1,2026-01-01,1000,10,\n,2026-01-01,2000,,10\n"),
            Some(3),
            "row 3: the entry column is blank",
        ),
        // A blank line still counts; a quoted cell over two lines puts the next record a row on.
        (
            format!("{HEADER}\n1,2026-01-01,\"1000\n\",10,\n1,2026-01-02,2000,,10\n"),
            Some(5),
            "row 5: entry \"1\" already has date \"2026-01-01\", this row says \"2026-01-02\"",
        ),
    ];
    for (text, row, message) in cases {
        let (e, got) = journal_error(&text);
        assert_eq!((got, e.to_string().as_str()), (row, message), "{text:?}");
    }
}

#[test]
fn a_file_wrong_as_a_whole_names_no_row() {
    let (empty, row) = journal_error("\n\n");
    assert_eq!(empty, FormatError::Empty { format: "CSV" });
    assert_eq!(row, None);

    let huge = vec![b'a'; exchange_rates::MAX_BYTES + 1];
    let too_large = exchange_rates::read(&huge, None).unwrap_err();
    assert!(matches!(too_large, FormatError::TooLarge { .. }), "{too_large}");
    assert_eq!(too_large.row(), None);

    let mismatch = FormatError::BalanceMismatch {
        opening: Decimal::new(10_000, 2),
        movements: Decimal::new(-2_500, 2),
        expected: Decimal::new(7_500, 2),
        closing: Decimal::new(8_000, 2),
    };
    assert_eq!(mismatch.row(), None);
}

#[test]
fn a_pasted_budget_past_its_limits_is_refused_where_it_goes_over() {
    let lines = "4000,1\n".repeat(budget_csv::MAX_LINES + 1);
    let text = format!("account,amount\n{lines}");
    let e = budget_csv::read(text.as_bytes()).unwrap_err();
    assert!(matches!(e, FormatError::Malformed { .. }), "{e}");
    assert_eq!(e.row(), Some(budget_csv::MAX_LINES + 2), "{e}");

    let big = vec![b' '; budget_csv::MAX_BYTES + 1];
    let e = budget_csv::read(&big).unwrap_err();
    assert_eq!(e.row(), Some(1), "{e}");
}
