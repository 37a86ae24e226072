//! Drafts, approval, posting, cancelling and reversing, and that a refusal leaves the books as
//! they were.

use super::*;
use crate::domain::ledger::{self, LedgerStore};

#[test]
fn a_draft_is_saved_and_touches_nothing_else() {
    let mut f = Fixture::new();
    let e = f.draft(&f.sale(day(2), "100.00")).unwrap();
    assert_eq!(e.status, EntryStatus::Draft);
    assert_eq!((e.number, e.chain_seq, e.posted_by), (None, None, None));
    assert_eq!(e.total, 10_000);
    assert_eq!(e.created_by, f.clerk);
    assert_eq!((e.lines[0].account_id, e.lines[0].debit), (f.cash, 10_000));
    assert_eq!((e.lines[1].account_id, e.lines[1].credit), (f.sales, 10_000));
    assert_eq!(f.store.entries(), std::slice::from_ref(&e));
    assert!(f.store.balances().is_empty());
    assert!(f.store.links().is_empty());
    assert_eq!((f.store.counter("chain"), f.store.counter("journal")), (0, 0));
    let audit = f.store.audit_trail().last().unwrap();
    assert_eq!((audit.action, audit.object_id, audit.actor), ("create", e.id, f.clerk));
    f.assert_sound();
}

#[test]
fn editing_a_draft_replaces_its_lines_and_withdraws_its_approval() {
    let mut f = Fixture::new();
    let e = f.draft(&f.sale(day(2), "100.00")).unwrap();
    let approved = f.run(f.manager, |s, c| ledger::approve(s, c, e.id)).unwrap();
    assert_eq!(approved.approved_by, Some(f.manager));
    let changed = input(
        day(3),
        vec![
            line(f.bank, "250.00", ""),
            line(f.sales, "", "200.00"),
            line(f.sales, "", "50.00"),
        ],
    );
    let updated = f
        .run(f.clerk, |s, c| ledger::update_draft(s, c, e.id, &changed))
        .unwrap();
    assert_eq!(updated.approved_by, None, "the approval was of other lines");
    assert_eq!((updated.date, updated.total, updated.lines.len()), (day(3), 25_000, 3));
    assert_eq!(f.entry(e.id), &updated);
    let audit = f.store.audit_trail().last().unwrap();
    assert_eq!(audit.action, "update");
    let fields: Vec<&str> = audit.changes.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(fields, ["date", "total", "lines"], "only what changed is recorded");
    assert!(f.store.balances().is_empty());

    let before = f.snapshot();
    let unbalanced = input(day(3), vec![line(f.bank, "250.00", ""), line(f.sales, "", "200.00")]);
    let refused = f.run(f.clerk, |s, c| ledger::update_draft(s, c, e.id, &unbalanced));
    assert_eq!(invalid_fields(refused), ["lines"]);
    assert_eq!(f.snapshot(), before);
}

#[test]
fn only_drafts_are_deleted() {
    let mut f = Fixture::new();
    let draft = f.draft(&f.sale(day(2), "10.00")).unwrap();
    let posted = f.post_new(&f.sale(day(2), "20.00")).unwrap();
    f.run(f.clerk, |s, c| ledger::delete_draft(s, c, draft.id)).unwrap();
    assert_eq!(f.store.entries(), std::slice::from_ref(&posted));
    assert_eq!(f.store.audit_trail().last().unwrap().action, "delete");

    let before = f.snapshot();
    let refused = f.run(f.clerk, |s, c| ledger::delete_draft(s, c, posted.id));
    assert!(matches!(refused, Err(LedgerError::NotDraft("deleted"))), "{refused:?}");
    let missing = f.run(f.clerk, |s, c| ledger::delete_draft(s, c, draft.id));
    assert!(matches!(missing, Err(LedgerError::NotFound)), "{missing:?}");
    assert_eq!(f.snapshot(), before);
    f.assert_sound();
}

#[test]
fn nobody_approves_their_own_entry() {
    let mut f = Fixture::new();
    let e = f.draft(&f.sale(day(2), "10.00")).unwrap();
    let before = f.snapshot();
    let refused = f.run(f.clerk, |s, c| ledger::approve(s, c, e.id));
    assert!(matches!(refused, Err(LedgerError::SelfApproval)), "{refused:?}");
    assert_eq!(f.snapshot(), before);
    let approved = f.run(f.manager, |s, c| ledger::approve(s, c, e.id)).unwrap();
    assert_eq!(approved.approved_by, Some(f.manager));
    assert_eq!(f.entry(e.id).approved_by, Some(f.manager));
}

#[test]
fn entries_above_the_threshold_wait_for_approval() {
    let mut f = Fixture::new();
    let company = f.books.company_id;
    let settings = Settings {
        approval_required: true,
        approval_threshold: 50_000,
        ..Settings::default()
    };
    f.store.save_settings(company, &settings).unwrap();

    let big = f.draft(&f.sale(day(2), "600.00")).unwrap();
    let before = f.snapshot();
    assert!(matches!(f.post(big.id), Err(LedgerError::NeedsApproval)));
    assert!(matches!(
        f.post_new(&f.sale(day(2), "500.01")),
        Err(LedgerError::NeedsApproval)
    ));
    assert_eq!(f.snapshot(), before, "a refused posting takes no number");

    f.run(f.manager, |s, c| ledger::approve(s, c, big.id)).unwrap();
    assert_eq!(f.post(big.id).unwrap().number, Some(1));
    let small = f.draft(&f.sale(day(2), "500.00")).unwrap();
    assert_eq!(
        f.post(small.id).unwrap().number,
        Some(2),
        "at the threshold, no approval"
    );
    assert_eq!(f.post_new(&f.sale(day(2), "12.00")).unwrap().number, Some(3));
    f.assert_sound();
}

#[test]
fn posting_numbers_without_gaps_adds_to_the_balances_and_links_the_chain() {
    let mut f = Fixture::new();
    let first = f.post_new(&f.sale(day(2), "100.00")).unwrap();
    let waiting = f.draft(&f.sale(day(3), "1.00")).unwrap();
    let dropped = f.draft(&f.sale(day(3), "2.00")).unwrap();
    f.run(f.clerk, |s, c| ledger::cancel(s, c, dropped.id)).unwrap();
    let rent = input(day(4), vec![line(f.rent, "30.00", ""), line(f.bank, "", "30.00")]);
    let second = f.draft(&rent).unwrap();
    let second = f.post(second.id).unwrap();
    let third = f.post_new(&f.sale(day(4), "0.50")).unwrap();

    let numbers: Vec<_> = [&first, &second, &third].iter().map(|e| e.number).collect();
    assert_eq!(numbers, [Some(1), Some(2), Some(3)]);
    assert_eq!(f.entry(waiting.id).number, None);
    assert_eq!(f.entry(dropped.id).number, None);
    assert_eq!(second.status, EntryStatus::Posted);
    assert_eq!((second.posted_by, second.chain_seq), (Some(f.clerk), Some(2)));
    assert_eq!(f.entry(second.id), &second);

    assert_eq!(f.store.balances()[&(f.cash, day(2))], (10_000, 0));
    assert_eq!(f.store.balances()[&(f.cash, day(4))], (50, 0));
    assert_eq!(f.store.balances()[&(f.bank, day(4))], (0, 3_000));
    let trial = BTreeMap::from([(f.cash, 10_050), (f.bank, -3_000), (f.sales, -10_050), (f.rent, 3_000)]);
    assert_eq!(f.trial_balance(), trial);

    let links: Vec<_> = f.store.links().iter().map(|l| (l.seq, l.kind, l.object_id)).collect();
    assert_eq!(
        links,
        [
            (1, Kind::Post, first.id),
            (2, Kind::Post, second.id),
            (3, Kind::Post, third.id)
        ]
    );
    assert_eq!(f.store.links()[0].prev_hash, chain::GENESIS);
    f.assert_sound();

    let again = f.post(second.id);
    assert!(matches!(again, Err(LedgerError::NotDraft("posted"))), "{again:?}");
    assert!(matches!(f.post(Uuid::new_v4()), Err(LedgerError::NotFound)));
}

/// The checks the other tests lean on can fail: an entry altered after posting no longer
/// recomputes its link, and balances that are not the lines are caught.
#[test]
fn the_soundness_checks_catch_a_tampered_ledger() {
    let mut f = Fixture::new();
    let e = f.post_new(&f.sale(day(2), "100.00")).unwrap();
    f.post_new(&f.sale(day(3), "5.00")).unwrap();
    f.assert_sound();

    let mut altered = e.clone();
    altered.lines[0].description = "changed after posting".into();
    f.store.update_entry(&altered).unwrap();
    let problems = f.problems();
    assert!(problems.iter().any(|p| p.contains("link 1: the hash")), "{problems:?}");

    f.store.update_entry(&e).unwrap();
    f.assert_sound();
    f.store.add_to_balances(day(9), &e.lines[..1]).unwrap();
    assert!(f.problems().iter().any(|p| p.starts_with("balances")));
}

#[test]
fn posting_checks_the_accounts_again() {
    let mut f = Fixture::new();
    let rent = input(day(4), vec![line(f.rent, "30.00", ""), line(f.bank, "", "30.00")]);
    let e = f.draft(&rent).unwrap();
    let company = f.books.company_id;
    let mut account = f.store.account(company, f.rent).unwrap().unwrap();
    account.is_active = false;
    f.store.put_account(account);
    let before = f.snapshot();
    assert_eq!(invalid_fields(f.post(e.id)), ["lines[0].account"]);
    assert_eq!(f.snapshot(), before);
}

#[test]
fn a_cancelled_draft_is_neither_posted_nor_cancelled_again() {
    let mut f = Fixture::new();
    let e = f.draft(&f.sale(day(2), "10.00")).unwrap();
    let cancelled = f.run(f.clerk, |s, c| ledger::cancel(s, c, e.id)).unwrap();
    assert_eq!(cancelled.status, EntryStatus::Cancelled);
    assert_eq!(f.entry(e.id).status, EntryStatus::Cancelled);
    assert!(matches!(f.post(e.id), Err(LedgerError::NotDraft("posted"))));
    let again = f.run(f.clerk, |s, c| ledger::cancel(s, c, e.id));
    assert!(matches!(again, Err(LedgerError::NotDraft("cancelled"))), "{again:?}");
    let posted = f.post_new(&f.sale(day(2), "10.00")).unwrap();
    let refused = f.run(f.clerk, |s, c| ledger::cancel(s, c, posted.id));
    assert!(
        matches!(refused, Err(LedgerError::NotDraft("cancelled"))),
        "{refused:?}"
    );
    assert_eq!(posted.number, Some(1));
    f.assert_sound();
}

#[test]
fn a_reversal_mirrors_the_entry_and_nets_its_balances_to_zero() {
    let mut f = Fixture::new();
    let sale = f.post_new(&f.sale(day(2), "100.00")).unwrap();
    let rent = input(day(2), vec![line(f.rent, "30.00", ""), line(f.bank, "", "30.00")]);
    f.post_new(&rent).unwrap();

    let reversal = f.reverse(sale.id, None).unwrap();
    assert_eq!(reversal.status, EntryStatus::Posted);
    assert_eq!((reversal.number, reversal.date), (Some(3), day(2)));
    assert_eq!(reversal.reverses_id, Some(sale.id));
    assert_eq!(reversal.reference, "REV #1");
    assert_eq!(reversal.total, sale.total);
    for (original, mirrored) in sale.lines.iter().zip(&reversal.lines) {
        assert_eq!(original.account_id, mirrored.account_id);
        assert_eq!((original.debit, original.credit), (mirrored.credit, mirrored.debit));
    }
    assert_eq!(f.entry(sale.id).reversed_by_id, Some(reversal.id));
    assert_eq!(f.store.balances()[&(f.cash, day(2))], (10_000, 10_000));
    assert_eq!(f.trial_balance(), BTreeMap::from([(f.rent, 3_000), (f.bank, -3_000)]));
    assert_eq!(f.store.links()[2].kind, Kind::Reverse);
    f.assert_sound();

    let before = f.snapshot();
    let twice = f.reverse(sale.id, None);
    assert!(matches!(twice, Err(LedgerError::AlreadyReversed)), "{twice:?}");
    let draft = f.draft(&f.sale(day(2), "1.00")).unwrap();
    let before_draft = Snapshot {
        entries: before.entries.iter().cloned().chain([draft.clone()]).collect(),
        audit: before.audit + 1,
        ..before
    };
    let of_draft = f.reverse(draft.id, None);
    assert!(matches!(of_draft, Err(LedgerError::NotPosted)), "{of_draft:?}");
    assert!(matches!(f.reverse(Uuid::new_v4(), None), Err(LedgerError::NotFound)));
    assert_eq!(f.snapshot(), before_draft);
}

#[test]
fn a_reversal_may_be_dated_later() {
    let mut f = Fixture::new();
    let sale = f.post_new(&f.sale(day(2), "40.00")).unwrap();
    let reversal = f.reverse(sale.id, Some(day(20))).unwrap();
    assert_eq!(reversal.date, day(20));
    assert_eq!(f.store.balances()[&(f.cash, day(2))], (4_000, 0));
    assert_eq!(f.store.balances()[&(f.cash, day(20))], (0, 4_000));
    assert!(f.trial_balance().is_empty());
    f.assert_sound();
}

/// As bulk posting uses the books: what was written is taken away a chunk at a time, and the
/// numbers and the chain go on from where they were.
#[test]
fn taking_what_was_written_keeps_the_books_going() {
    let mut f = Fixture::new();
    f.post_new(&f.sale(day(2), "1.00")).unwrap();
    f.post_new(&f.sale(day(2), "2.00")).unwrap();
    let taken = f.store.take_written();
    assert_eq!((taken.entries.len(), taken.links.len(), taken.audit.len()), (2, 2, 2));
    assert!(f.store.take_written().is_empty());

    let third = f.post_new(&f.sale(day(3), "3.00")).unwrap();
    assert_eq!((third.number, third.chain_seq), (Some(3), Some(3)));
    assert_eq!(f.store.entries(), [third]);
    let link = &f.store.links()[0];
    assert_eq!(link.prev_hash, taken.links[1].hash);
    assert_eq!(f.store.balances()[&(f.cash, day(2))], (300, 0), "balances stay");
}
