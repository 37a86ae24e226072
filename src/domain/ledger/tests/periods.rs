//! Closing and reopening periods, the hard close, and the year-end close that brings revenue
//! and expenses to zero against retained earnings.

use super::*;
use crate::domain::ledger::{self, LedgerStore};

#[track_caller]
fn assert_closed<T: std::fmt::Debug>(outcome: Outcome<T>, on: Date, through: Date) {
    match outcome {
        Err(LedgerError::PeriodClosed { date, closed_through }) => assert_eq!((date, closed_through), (on, through)),
        other => panic!("expected the period closed through {through}, got {other:?}"),
    }
}

#[track_caller]
fn assert_period_refused<T: std::fmt::Debug>(outcome: Outcome<T>, says: &str) {
    match outcome {
        Err(LedgerError::Period(message)) => assert!(message.contains(says), "{message}"),
        other => panic!("expected a period refusal ({says}), got {other:?}"),
    }
}

impl Fixture {
    fn reopen(&mut self, to: Option<Date>) -> Outcome<Settings> {
        self.run(self.manager, |s, c| ledger::reopen_period(s, c, to))
    }

    fn year_end(&mut self, on: Date) -> Outcome<Option<JournalEntry>> {
        self.run(self.manager, |s, c| ledger::year_end_close(s, c, on))
    }
}

#[test]
fn a_closed_period_refuses_postings_on_and_before_its_date() {
    let mut f = Fixture::new();
    let early = f.draft(&f.sale(day(5), "10.00")).unwrap();
    let settings = f.close(day(10), false).unwrap();
    assert_eq!((settings.lock_date, settings.hard_lock_date), (Some(day(10)), None));
    assert_eq!(f.store.period_settings(), &settings);

    let before = f.snapshot();
    assert_closed(f.post_new(&f.sale(day(10), "1.00")), day(10), day(10));
    assert_closed(f.post_new(&f.sale(day(9), "1.00")), day(9), day(10));
    assert_closed(f.post(early.id), day(5), day(10));
    assert_eq!(f.snapshot(), before);
    assert_eq!(f.post_new(&f.sale(day(11), "1.00")).unwrap().number, Some(1));

    let close = &f.store.links()[0];
    assert_eq!(
        (close.seq, close.kind, close.object_id),
        (1, Kind::Close, f.books.company_id)
    );
    assert_eq!(f.store.checkpoints()[0].0.seq, 1, "every close is signed");
    assert_eq!(f.store.audit_trail().last().unwrap().action, "post");
    f.assert_sound();
}

#[test]
fn reopening_moves_the_lock_back_and_never_forward() {
    let mut f = Fixture::new();
    assert_period_refused(f.reopen(None), "no soft-locked period");
    f.close(day(10), false).unwrap();
    let reopened = f.reopen(Some(day(4))).unwrap();
    assert_eq!(reopened.lock_date, Some(day(4)));
    assert_eq!(f.post_new(&f.sale(day(5), "1.00")).unwrap().number, Some(1));
    assert_closed(f.post_new(&f.sale(day(4), "1.00")), day(4), day(4));

    let before = f.snapshot();
    assert_period_refused(f.reopen(Some(day(8))), "back, not forward");
    assert_eq!(f.snapshot(), before);
    assert_eq!(f.reopen(None).unwrap().lock_date, None);
    assert!(f.post_new(&f.sale(day(1), "1.00")).is_ok());
    assert_eq!(
        f.store
            .audit_trail()
            .iter()
            .filter(|a| a.object_type == "period")
            .count(),
        3
    );
    f.assert_sound();
}

#[test]
fn a_hard_close_is_for_good() {
    let mut f = Fixture::new();
    let hard = f.close(day(10), true).unwrap();
    assert_eq!((hard.lock_date, hard.hard_lock_date), (Some(day(10)), Some(day(10))));
    let before = f.snapshot();
    assert_period_refused(f.reopen(None), "no soft-locked period");
    assert_period_refused(f.reopen(Some(day(5))), "cannot reopen before");
    assert_period_refused(f.close(day(5), false), "closed for good");
    assert_eq!(f.snapshot(), before);

    let soft = f.close(day(20), false).unwrap();
    assert_eq!((soft.lock_date, soft.hard_lock_date), (Some(day(20)), Some(day(10))));
    assert_closed(f.post_new(&f.sale(day(15), "1.00")), day(15), day(20));
    let reopened = f.reopen(None).unwrap();
    assert_eq!(
        reopened.lock_date,
        Some(day(10)),
        "back to the hard close, not before it"
    );
    assert!(f.post_new(&f.sale(day(15), "1.00")).is_ok());
    assert_closed(f.post_new(&f.sale(day(10), "1.00")), day(10), day(10));
    f.assert_sound();
}

#[test]
fn a_reversal_into_a_closed_period_is_refused() {
    let mut f = Fixture::new();
    let sale = f.post_new(&f.sale(day(5), "10.00")).unwrap();
    f.close(day(10), false).unwrap();
    let before = f.snapshot();
    assert_closed(f.reverse(sale.id, None), day(5), day(10));
    assert_eq!(f.snapshot(), before);
    let reversal = f.reverse(sale.id, Some(day(11))).unwrap();
    assert_eq!((reversal.date, reversal.number), (day(11), Some(2)));
    f.assert_sound();
}

/// A year of sales and costs, and a sale of the next year that the close must leave alone.
fn a_year_of_trading(f: &mut Fixture, costs: &str) {
    f.post_new(&f.sale(date(2025, 3, 1), "1000.00")).unwrap();
    let rent = input(date(2025, 6, 1), vec![line(f.rent, costs, ""), line(f.bank, "", costs)]);
    f.post_new(&rent).unwrap();
    f.post_new(&f.sale(date(2026, 1, 5), "50.00")).unwrap();
}

#[test]
fn the_year_end_close_zeroes_revenue_and_expenses_into_retained_earnings() {
    let mut f = Fixture::new();
    a_year_of_trading(&mut f, "300.00");
    let year_end = date(2025, 12, 31);
    let closing = f.year_end(year_end).unwrap().unwrap();
    assert_eq!(
        (closing.date, closing.reference.as_str()),
        (year_end, "YEAR-END-2025-12-31")
    );
    let lines: Vec<_> = closing
        .lines
        .iter()
        .map(|l| (l.account_id, l.debit, l.credit))
        .collect();
    assert_eq!(
        lines,
        [(f.sales, 100_000, 0), (f.rent, 0, 30_000), (f.retained, 0, 70_000)],
        "revenue debited, expenses credited, the profit credited to retained earnings"
    );
    let company = f.books.company_id;
    let left = f.store.result_balances(company, year_end).unwrap();
    assert!(left.iter().all(|(_, net)| *net == 0), "{left:?}");
    let trial = f.trial_balance();
    assert_eq!(trial[&f.retained], -70_000);
    assert_eq!(trial[&f.sales], -5_000, "next year's sale stays");
    assert!(!trial.contains_key(&f.rent));
    assert_eq!(f.store.period_settings().lock_date, Some(year_end));
    assert_closed(f.post_new(&f.sale(year_end, "1.00")), year_end, year_end);
    assert_eq!(f.store.links().last().unwrap().kind, Kind::Close);
    f.assert_sound();
}

#[test]
fn a_loss_is_debited_to_retained_earnings() {
    let mut f = Fixture::new();
    a_year_of_trading(&mut f, "1250.00");
    let closing = f.year_end(date(2025, 12, 31)).unwrap().unwrap();
    let retained = closing.lines.iter().find(|l| l.account_id == f.retained).unwrap();
    assert_eq!((retained.debit, retained.credit), (25_000, 0));
    assert_eq!(f.trial_balance()[&f.retained], 25_000);
    f.assert_sound();
}

#[test]
fn the_year_end_close_posts_without_approval_and_keeps_the_setting() {
    let mut f = Fixture::new();
    a_year_of_trading(&mut f, "300.00");
    let company = f.books.company_id;
    let strict = Settings {
        approval_required: true,
        ..Settings::default()
    };
    f.store.save_settings(company, &strict).unwrap();
    assert!(f.year_end(date(2025, 12, 31)).unwrap().is_some());
    assert!(f.store.period_settings().approval_required);
    assert!(matches!(
        f.post_new(&f.sale(date(2026, 2, 1), "1.00")),
        Err(LedgerError::NeedsApproval)
    ));
}

#[test]
fn a_year_with_nothing_to_close_is_only_locked() {
    let mut f = Fixture::new();
    f.post_new(&f.sale(date(2026, 1, 5), "50.00")).unwrap();
    assert!(f.year_end(date(2025, 12, 31)).unwrap().is_none());
    assert_eq!(f.store.period_settings().lock_date, Some(date(2025, 12, 31)));
    assert_eq!(f.posted().len(), 1);
    f.assert_sound();
}

#[test]
fn the_year_end_close_needs_an_open_year_and_a_retained_earnings_account() {
    let mut f = Fixture::new();
    a_year_of_trading(&mut f, "300.00");
    let company = f.books.company_id;
    let mut retained = f.store.account(company, f.retained).unwrap().unwrap();
    retained.is_active = false;
    f.store.put_account(retained.clone());
    let before = f.snapshot();
    assert_period_refused(f.year_end(date(2025, 12, 31)), "retained_earnings");
    assert_eq!(f.snapshot(), before);

    retained.is_active = true;
    f.store.put_account(retained);
    f.close(date(2026, 1, 31), false).unwrap();
    let before = f.snapshot();
    assert_closed(f.year_end(date(2025, 12, 31)), date(2025, 12, 31), date(2026, 1, 31));
    assert_eq!(f.snapshot(), before);
}

#[test]
fn a_settings_change_takes_what_is_sent_and_never_moves_the_lock_dates() {
    let mut f = Fixture::new();
    f.close(day(10), false).unwrap();
    let change = |f: &mut Fixture, changes: ledger::SettingsChanges| {
        let manager = f.manager;
        f.run(manager, |s, c| ledger::update_settings(s, c, changes))
    };
    let s = change(
        &mut f,
        ledger::SettingsChanges {
            approval_required: Some(true),
            approval_threshold: Some("1000.50".into()),
            tax_rounding: Some("document".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        (s.approval_required, s.approval_threshold, s.tax_rounding.as_str()),
        (true, 100_050, "document")
    );
    assert_eq!((s.fiscal_year_start_month, s.lock_date), (1, Some(day(10))));
    assert_eq!(f.store.period_settings(), &s);

    // Every bad field is named, and nothing changes.
    let before = f.snapshot();
    let bad = ledger::SettingsChanges {
        fiscal_year_start_month: Some(13),
        approval_required: Some(false),
        approval_threshold: Some("-1.00".into()),
        tax_rounding: Some("sometimes".into()),
        exchange_account: None,
    };
    assert_eq!(
        invalid_fields(change(&mut f, bad)),
        ["approval_threshold", "fiscal_year_start_month", "tax_rounding"]
    );
    let finer = ledger::SettingsChanges {
        approval_threshold: Some("1.001".into()),
        ..Default::default()
    };
    assert_eq!(invalid_fields(change(&mut f, finer)), ["approval_threshold"]);
    assert_eq!(f.snapshot(), before);
    let march = ledger::SettingsChanges {
        fiscal_year_start_month: Some(3),
        ..Default::default()
    };
    assert_eq!(change(&mut f, march).unwrap().fiscal_year_start_month, 3);
}

#[test]
fn a_settings_change_is_in_the_audit_trail_with_who_and_what_it_was() {
    let mut f = Fixture::new();
    let change = |f: &mut Fixture, changes: ledger::SettingsChanges| {
        let manager = f.manager;
        f.run(manager, |s, c| ledger::update_settings(s, c, changes))
    };
    let turn_on = ledger::SettingsChanges {
        approval_required: Some(true),
        approval_threshold: Some("250.00".into()),
        ..Default::default()
    };
    change(&mut f, turn_on.clone()).unwrap();
    let rows = f.store.audit_trail().len();
    let last = f.store.audit_trail().last().cloned().unwrap();
    assert_eq!(
        (last.action, last.object_type, last.actor),
        ("update", "settings", f.manager)
    );
    assert_eq!(
        last.changes,
        [
            ("approval_required".to_owned(), "false".to_owned(), "true".to_owned()),
            ("approval_threshold".to_owned(), "0.00".to_owned(), "250.00".to_owned()),
        ]
    );
    // The same values again change nothing, and leave no row.
    change(&mut f, turn_on).unwrap();
    assert_eq!(f.store.audit_trail().len(), rows);
}
