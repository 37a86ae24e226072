//! What an entry's lines may be: every refusal, by field, leaving the books as they were;
//! foreign-currency lines converted exactly; another company's accounts and books refused.

use super::*;
use crate::domain::ledger;

#[test]
fn every_bad_entry_is_refused_by_field_and_changes_nothing() {
    let mut f = Fixture::new();
    f.post_new(&f.sale(day(1), "1.00")).unwrap();
    let foreign = |account, amount: &str, rate: Option<&str>, currency: &str| LineInput {
        currency: Some(currency.into()),
        exchange_rate: rate.map(str::to_owned),
        company_amount: None,
        ..line(account, amount, "")
    };
    let cases: Vec<(EntryInput, &str)> = vec![
        (
            input(day(2), vec![line(f.cash, "100.00", ""), line(f.sales, "", "90.00")]),
            "lines",
        ),
        (input(day(2), vec![line(f.cash, "100.00", "")]), "lines"),
        (
            input(day(2), vec![line(f.cash, "10.00", "10.00"), line(f.sales, "", "10.00")]),
            "lines[0].non_field_errors",
        ),
        (
            input(day(2), vec![line(f.cash, "", ""), line(f.sales, "", "10.00")]),
            "lines[0].non_field_errors",
        ),
        (
            input(day(2), vec![line(f.cash, "-10.00", ""), line(f.sales, "", "-10.00")]),
            "lines[0].debit_amount",
        ),
        (
            input(day(2), vec![line(f.cash, "10.001", ""), line(f.sales, "", "10.001")]),
            "lines[0].debit_amount",
        ),
        (
            input(day(2), vec![line(f.cash, "ten", ""), line(f.sales, "", "10.00")]),
            "lines[0].debit_amount",
        ),
        (
            input(
                day(2),
                vec![line(Uuid::new_v4(), "10.00", ""), line(f.sales, "", "10.00")],
            ),
            "lines[0].account",
        ),
        (
            input(day(2), vec![line(f.archived, "10.00", ""), line(f.sales, "", "10.00")]),
            "lines[0].account",
        ),
        (
            input(day(2), vec![line(f.elsewhere, "10.00", ""), line(f.sales, "", "10.00")]),
            "lines[0].account",
        ),
        (
            input(
                day(2),
                vec![
                    LineInput {
                        account_id: None,
                        ..line(f.cash, "10.00", "")
                    },
                    line(f.sales, "", "10.00"),
                ],
            ),
            "lines[0].account",
        ),
        (
            EntryInput {
                date: None,
                ..f.sale(day(2), "10.00")
            },
            "date",
        ),
        (
            EntryInput {
                reference: "R".repeat(101),
                ..f.sale(day(2), "10.00")
            },
            "reference",
        ),
        (
            input(
                day(2),
                vec![foreign(f.cash, "10.00", None, "USD"), line(f.sales, "", "9.00")],
            ),
            "lines[0].exchange_rate",
        ),
        (
            input(
                day(2),
                vec![foreign(f.cash, "10.00", Some("0"), "USD"), line(f.sales, "", "9.00")],
            ),
            "lines[0].exchange_rate",
        ),
        (
            input(
                day(2),
                vec![foreign(f.cash, "10.00", Some("-1"), "USD"), line(f.sales, "", "9.00")],
            ),
            "lines[0].exchange_rate",
        ),
        (
            input(
                day(2),
                vec![
                    foreign(f.cash, "10.00", Some("1"), "dollars"),
                    line(f.sales, "", "10.00"),
                ],
            ),
            "lines[0].currency",
        ),
        (
            input(
                day(2),
                vec![foreign(f.cash, "10.5", Some("0.01"), "JPY"), line(f.sales, "", "0.11")],
            ),
            "lines[0].debit_amount",
        ),
    ];
    let before = f.snapshot();
    for (i, (bad, field)) in cases.iter().enumerate() {
        let drafted = invalid_fields(f.draft(bad));
        assert!(
            drafted.iter().any(|d| d == field),
            "case {i}: {drafted:?}, expected {field}"
        );
        let posted = invalid_fields(f.post_new(bad));
        assert_eq!(posted, drafted, "case {i}");
        assert_eq!(f.snapshot(), before, "case {i} changed the books");
    }
    assert_eq!(invalid_fields(f.post_new(&cases[8].0)), ["lines[0].account"]);
    let many = input(
        day(2),
        (0..=ledger::entry::MAX_LINES)
            .map(|_| line(f.cash, "1.00", ""))
            .collect(),
    );
    assert_eq!(invalid_fields(f.post_new(&many)), ["lines"]);
}

#[test]
fn foreign_currency_lines_are_kept_and_converted_exactly() {
    let mut f = Fixture::new();
    let usd = LineInput {
        currency: Some("USD".into()),
        exchange_rate: Some("0.90".into()),
        ..line(f.cash, "100.00", "")
    };
    // 1,000 yen (no decimals) at 0.0061: 6.10 EUR.
    let jpy = LineInput {
        currency: Some("JPY".into()),
        exchange_rate: Some("0.0061".into()),
        ..line(f.bank, "1000", "")
    };
    // 10.01 USD at 0.5 is 5.005 EUR: half away from zero, 5.01.
    let half = LineInput {
        currency: Some("USD".into()),
        exchange_rate: Some("0.5".into()),
        ..line(f.cash, "10.01", "")
    };
    // The company's own currency named on a line is a plain line.
    let own = LineInput {
        currency: Some("EUR".into()),
        ..line(f.sales, "", "101.11")
    };
    let e = f.post_new(&input(day(2), vec![usd, jpy, half, own])).unwrap();
    let kept: Vec<_> = e
        .lines
        .iter()
        .map(|l| {
            (
                l.debit,
                l.credit,
                l.currency.as_deref(),
                l.amount_currency,
                l.exchange_rate.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        kept,
        [
            (9_000, 0, Some("USD"), Some(10_000), Some("0.9")),
            (610, 0, Some("JPY"), Some(1_000), Some("0.0061")),
            (501, 0, Some("USD"), Some(1_001), Some("0.5")),
            (0, 10_111, None, None, None),
        ]
    );
    assert_eq!(e.total, 10_111);
    assert_eq!(f.trial_balance()[&f.sales], -10_111);
    f.assert_sound();

    let off_by_a_cent = LineInput {
        currency: Some("USD".into()),
        exchange_rate: Some("0.5".into()),
        ..line(f.cash, "10.01", "")
    };
    let before = f.snapshot();
    let refused = f.post_new(&input(day(2), vec![off_by_a_cent, line(f.sales, "", "5.00")]));
    assert_eq!(invalid_fields(refused), ["lines"]);
    assert_eq!(f.snapshot(), before);
}

/// A line whose company amount its caller fixed (documents' rounding cent, exchange
/// differences): kept as given, its foreign amount zero when it has none; on the wrong side, or
/// zero, it is refused and nothing changes.
#[test]
fn converted_lines_keep_the_company_amount_given() {
    let mut f = Fixture::new();
    let fixed = |account, debit: &str, credit: &str, base: i64| LineInput {
        currency: Some("USD".into()),
        exchange_rate: Some("1.05".into()),
        company_amount: Some(base),
        ..line(account, debit, credit)
    };
    let e = f
        .post_new(&input(
            day(2),
            vec![fixed(f.cash, "0.00", "", 1_500), line(f.sales, "", "15.00")],
        ))
        .unwrap();
    assert_eq!(
        (
            e.lines[0].debit,
            e.lines[0].amount_currency,
            e.lines[0].exchange_rate.as_deref()
        ),
        (1_500, Some(0), Some("1.05"))
    );
    f.assert_sound();
    let before = f.snapshot();
    for bad in [
        fixed(f.cash, "", "10.00", 1_500),
        fixed(f.cash, "10.00", "", -1_500),
        fixed(f.cash, "10.00", "", 0),
    ] {
        let refused = f.post_new(&input(day(2), vec![bad, line(f.sales, "", "15.00")]));
        assert_eq!(invalid_fields(refused), ["lines[0].non_field_errors"]);
        assert_eq!(f.snapshot(), before);
    }
}

#[test]
fn another_companys_books_are_not_these() {
    let mut f = Fixture::new();
    let other = Books {
        company_id: Uuid::new_v4(),
        currency: "EUR".into(),
        decimals: 2,
    };
    let company = super::company_of(&other);
    let ctx = Ctx {
        books: &other,
        company: &company,
        actor: f.clerk,
        checkpoint_key: KEY,
        today: day(2),
        now: jiff::Timestamp::now(),
    };
    let before = f.snapshot();
    let sale = f.sale(day(2), "1.00");
    let refused = ledger::post_new(&mut f.store, &ctx, &sale);
    assert!(
        matches!(refused, Err(LedgerError::Store(MemoryError::OtherCompany))),
        "{refused:?}"
    );
    assert_eq!(f.snapshot(), before);
}
