//! Matching as a whole: the look-ups find what each kind of noise leaves of a reference, the
//! score ranks and explains, the memory learns, and the properties that make suggestions
//! trustworthy hold (the same input gives the same output, whatever the candidates' order).

use jiff::civil::{Date, date};
use proptest::prelude::*;
use uuid::Uuid;

use super::*;

const CUSTOMER: u128 = 0xC0;
const IBAN: &str = "DE89 3704 0044 0532 0130 00";

fn invoice(id: u128, number: &str, amount: i64, due: Date) -> Candidate {
    Candidate {
        kind: CandidateKind::Invoice,
        id: Uuid::from_u128(id),
        date: due,
        amount,
        open_amount: amount,
        currency: "EUR".into(),
        number: number.into(),
        reference: None,
        contact_id: Some(Uuid::from_u128(CUSTOMER)),
        contact_name: "Nordwind Logistik GmbH".into(),
        contact_accounts: vec![IBAN.into()],
    }
}

fn line(text: &str, amount: i64, day: Date) -> BankLine {
    BankLine {
        id: Uuid::from_u128(0x11),
        date: day,
        amount,
        currency: "EUR".into(),
        text: text.into(),
        counterparty: String::new(),
        counterparty_account: None,
    }
}

fn best(lines: &[BankLine], index: &CandidateIndex, memory: &Memory) -> Vec<Option<Match>> {
    suggest(lines, index, &[], memory)
        .into_iter()
        .map(|s| s.matches.into_iter().next())
        .collect()
}

fn one(l: BankLine, candidates: Vec<Candidate>) -> LineSuggestion {
    let mut s = suggest(&[l], &CandidateIndex::new(candidates), &[], &Memory::default());
    s.remove(0)
}

#[test]
fn amount_reference_and_date_explain_themselves() {
    let s = one(
        line("Payment INV-2026-0042 thank you", 11600, date(2026, 3, 3)),
        vec![
            invoice(1, "INV-2026-0042", 11600, date(2026, 3, 1)),
            invoice(2, "INV-2026-0043", 11600, date(2026, 3, 1)),
        ],
    );
    let top = &s.matches[0];
    assert_eq!(top.candidate_id, Uuid::from_u128(1));
    assert_eq!(top.explain(), "amount equal, INV-2026-0042 in the text, 2 days apart");
    assert_eq!(top.score, 35 + 35 + 8);
    assert_eq!(
        s.matches[1].explain(),
        "amount equal, 2 days apart",
        "the decoy has only the amount"
    );
    assert_eq!(
        s.auto_match,
        (top.score >= AUTO_MATCH_THRESHOLD).then_some(top.candidate_id)
    );
}

#[test]
fn a_mistyped_or_cut_off_number_is_nearly_in_the_text() {
    let candidates = || vec![invoice(1, "INV-2026-00042", 11600, date(2026, 3, 1))];
    for text in [
        "INV-2026-00024 payment",
        "inv 2026 0042 payment",
        "INV-2026-000042",
        "Payment for INV-2026-000",
    ] {
        let s = one(line(text, 11600, date(2026, 3, 1)), candidates());
        assert_eq!(
            s.matches.first().map(|m| m.reasons[1].clone()),
            Some(Reason::ReferenceNearlyInText("INV-2026-00042".into())),
            "{text}"
        );
    }
    // Only the digits, as payers often write them.
    let s = one(line("Rechnung 202600042", 11600, date(2026, 3, 1)), candidates());
    assert_eq!(
        s.matches[0].reasons[1],
        Reason::ReferenceInText("INV-2026-00042".into())
    );
    // Cut off by two, in the middle of the text: not a truncation, not a reference.
    let s = one(line("INV-2026-000 and more", 999, date(2026, 3, 1)), candidates());
    assert!(s.matches.is_empty(), "{:?}", s.matches);
}

#[test]
fn a_text_of_one_endless_word_is_read_without_fuzzy_look_ups() {
    // Hashing each one-letter deletion of a 200,000-letter word would take 4·10¹⁰ steps.
    let endless = format!("{}INV20260042", "X".repeat(200_000));
    let s = one(
        line(&endless, 999, date(2026, 3, 1)),
        vec![invoice(1, "INV-2026-0042", 11600, date(2026, 3, 1))],
    );
    assert!(s.matches.is_empty());
    let s = one(
        line(&format!("{endless} INV-2026-0042"), 999, date(2026, 3, 1)),
        vec![invoice(1, "INV-2026-0042", 11600, date(2026, 3, 1))],
    );
    assert_eq!(s.matches[0].reasons[1], Reason::ReferenceInText("INV-2026-0042".into()));
}

#[test]
fn an_invoice_paid_in_two_lines_is_found_by_each() {
    let index = CandidateIndex::new(vec![invoice(1, "INV-2026-0042", 10000, date(2026, 3, 1))]);
    let mut first = line("INV-2026-0042 part 1", 6000, date(2026, 3, 2));
    let mut second = line("INV-2026-0042 rest", 4000, date(2026, 3, 9));
    first.id = Uuid::from_u128(0x21);
    second.id = Uuid::from_u128(0x22);
    for m in best(&[first, second], &index, &Memory::default()) {
        let m = m.unwrap();
        assert_eq!(m.candidate_id, Uuid::from_u128(1));
        assert!(
            matches!(m.reasons[0], Reason::AmountPartial { open: 10000, .. }),
            "{}",
            m.explain()
        );
    }
}

#[test]
fn the_contact_is_found_by_account_or_by_a_name_spelled_differently() {
    let candidates = || vec![invoice(1, "INV-2026-0042", 10000, date(2026, 3, 1))];
    let mut by_account = line("Thank you", 10000, date(2026, 3, 1));
    by_account.counterparty_account = Some("de89370400440532013000".into());
    let m = one(by_account, candidates()).matches.remove(0);
    assert_eq!(m.explain(), "amount equal, the contact's bank account, same day");

    // A part payment with neither number nor account: the name alone brings the invoice.
    let mut by_name = line("Thank you", 2500, date(2026, 3, 4));
    by_name.counterparty = "NORDWIND LOGISTIC".into();
    let m = one(by_name, candidates()).matches.remove(0);
    assert!(
        matches!(&m.reasons[1], Reason::ContactName { similarity, .. } if *similarity >= 60),
        "{}",
        m.explain()
    );
    assert!(matches!(m.reasons[0], Reason::AmountPartial { .. }));
}

#[test]
fn equal_amounts_without_other_evidence_are_never_matched_without_review() {
    let s = one(
        line("Thank you", 10000, date(2026, 3, 1)),
        vec![
            invoice(1, "INV-2026-0001", 10000, date(2026, 3, 1)),
            invoice(2, "INV-2026-0002", 10000, date(2026, 3, 1)),
        ],
    );
    assert_eq!(s.matches.len(), 2);
    assert_eq!(s.matches[0].score, s.matches[1].score);
    assert_eq!(
        s.matches[0].candidate_id,
        Uuid::from_u128(1),
        "ties go to the smaller id"
    );
    assert_eq!(s.auto_match, None);
}

#[test]
fn another_currency_is_shown_and_costs_points() {
    let mut usd = invoice(1, "INV-2026-0042", 10000, date(2026, 3, 1));
    usd.currency = "USD".into();
    let m = one(line("INV-2026-0042", 10000, date(2026, 3, 1)), vec![usd])
        .matches
        .remove(0);
    assert_eq!(
        m.explain(),
        "INV-2026-0042 in the text, same day, currency differs (EUR, not USD)"
    );
    assert_eq!(m.score, 35 + 10 - 30);
}

#[test]
fn candidates_far_away_in_date_are_not_found_by_amount_alone() {
    let s = one(
        line("Thank you", 10000, date(2026, 9, 1)),
        vec![invoice(1, "INV-2026-0001", 10000, date(2026, 1, 1))],
    );
    assert!(s.matches.is_empty());
}

#[test]
fn the_memory_raises_confirmed_contacts_and_lowers_rejected_ones() {
    let mut l = line("Thank you", 2500, date(2026, 3, 1));
    l.counterparty = "Acme Trading".into();
    let index = CandidateIndex::new(vec![invoice(1, "INV-2026-0042", 10000, date(2026, 3, 1))]);
    assert_eq!(
        best(std::slice::from_ref(&l), &index, &Memory::default()),
        [None],
        "nothing links Acme to Nordwind"
    );

    let mut memory = Memory::default();
    memory.learn_confirmed(&l, TargetKind::Contact, Uuid::from_u128(CUSTOMER));
    memory.learn_confirmed(&l, TargetKind::Contact, Uuid::from_u128(CUSTOMER));
    let learned = best(std::slice::from_ref(&l), &index, &memory)[0].clone().unwrap();
    assert_eq!(
        learned.explain(),
        "part payment of 25.00 (100.00 open), same day, matched to this contact 2 times before"
    );
    assert_eq!(learned.score, 10 + 10 + 8);

    memory.learn_rejected(&l, TargetKind::Contact, Uuid::from_u128(CUSTOMER));
    let mut with_amount = l.clone();
    with_amount.amount = 10000;
    let lowered = best(&[with_amount], &index, &memory)[0].clone().unwrap();
    assert_eq!(lowered.score, 35 + 10 + 8 - 8);

    // However often confirmed, the memory adds at most its bound.
    for _ in 0..100 {
        memory.learn_confirmed(&l, TargetKind::Contact, Uuid::from_u128(CUSTOMER));
    }
    let bounded = best(std::slice::from_ref(&l), &index, &memory)[0].clone().unwrap();
    assert_eq!(bounded.score, 10 + 10 + 16 - 8);
}

#[test]
fn suggestions_carry_the_rule_and_the_learned_targets() {
    let account = Uuid::from_u128(0xACC);
    let rule = Rule::new(RuleSpec {
        id: Uuid::from_u128(0x7),
        text_contains: Some("fee".into()),
        target: RuleTarget {
            account_id: Some(account),
            ..RuleTarget::default()
        },
        ..RuleSpec::default()
    })
    .unwrap();
    let l = line("Account fee March", -990, date(2026, 3, 31));
    let mut memory = Memory::default();
    let mut named = l.clone();
    named.counterparty = "Sparkasse".into();
    memory.learn_confirmed(&named, TargetKind::Account, account);
    let s = suggest(&[l, named], &CandidateIndex::new(Vec::new()), &[rule], &memory);
    assert_eq!(s[0].rule, Some(Uuid::from_u128(0x7)));
    assert!(s[0].learned.is_empty());
    assert_eq!(
        s[1].learned,
        [LearnedTarget {
            kind: TargetKind::Account,
            id: account,
            confirmed: 1,
            rejected: 0
        }]
    );
}

#[test]
fn auto_match_needs_the_threshold_and_the_margin() {
    let m = |id: u128, score: u32| Match {
        candidate_id: Uuid::from_u128(id),
        kind: CandidateKind::Invoice,
        score,
        reasons: Vec::new(),
        rank: 0,
    };
    assert_eq!(auto_match_with(&[m(1, 90)], 80, 10).map(|m| m.score), Some(90));
    assert_eq!(
        auto_match_with(&[m(1, 90), m(2, 80)], 80, 10).map(|m| m.score),
        Some(90)
    );
    assert_eq!(auto_match_with(&[m(1, 90), m(2, 81)], 80, 10), None);
    assert_eq!(auto_match_with(&[m(1, 79)], 80, 10), None);
    assert_eq!(auto_match_with(&[], 80, 10), None);
}

#[test]
fn many_equal_amounts_are_cut_to_the_nearest_in_date() {
    let mut candidates: Vec<Candidate> = (0..500)
        .map(|i| invoice(1000 + i, &format!("X-{i}"), 5000, date(2026, 1, 1)))
        .collect();
    candidates.push(invoice(1, "INV-2026-0042", 5000, date(2026, 1, 1)));
    let s = one(line("INV-2026-0042", 5000, date(2026, 1, 1)), candidates);
    assert_eq!(
        s.matches[0].candidate_id,
        Uuid::from_u128(1),
        "the reference finds it whatever the cap"
    );
    assert_eq!(s.matches.len(), TOP_K);
}

/// Candidates from small pools of amounts, names and dates, so that look-ups collide often.
fn arb_candidates() -> impl Strategy<Value = Vec<Candidate>> {
    let names = [
        "Nordwind Logistik GmbH",
        "Nordwind Logistics",
        "Sonnenschein Optik AG",
        "Bau Müller",
        "Acme Ltd",
    ];
    prop::collection::vec((0..6i64, 0..5usize, 0..30i16, any::<bool>(), 0..4usize), 1..40).prop_map(move |rows| {
        rows.into_iter()
            .enumerate()
            .map(|(n, (amount, name, day, bill, iban))| {
                let n = n as u128;
                let mut c = invoice(
                    100 + n,
                    &format!("INV-2026-{:05}", 100 + n),
                    (amount + 1) * 2500,
                    date(2026, 3, 1),
                );
                c.date = date(2026, 3, 1).checked_add(jiff::Span::new().days(day)).unwrap();
                c.contact_id = Some(Uuid::from_u128(CUSTOMER + name as u128));
                c.contact_name = names[name].into();
                c.contact_accounts = vec![format!("DE0000000000000000000{iban}")];
                if bill {
                    c.kind = CandidateKind::Bill;
                    c.amount = -c.amount;
                    c.open_amount = -c.open_amount;
                }
                c
            })
            .collect()
    })
}

fn arb_line() -> impl Strategy<Value = BankLine> {
    (
        -6..6i64,
        0..40i16,
        "[A-Za-z0-9 -]{0,30}",
        prop::option::of(0..4usize),
        "[A-Za-z ]{0,20}",
    )
        .prop_map(|(amount, day, text, iban, name)| BankLine {
            id: Uuid::from_u128(0x11),
            date: date(2026, 3, 1).checked_add(jiff::Span::new().days(day)).unwrap(),
            amount: amount * 2500,
            currency: "EUR".into(),
            text,
            counterparty: name,
            counterparty_account: iban.map(|i| format!("DE0000000000000000000{i}")),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The same lines and candidates give the same suggestions, whatever order the candidates
    /// come in.
    #[test]
    fn suggestions_do_not_depend_on_candidate_order(candidates in arb_candidates(), lines in prop::collection::vec(arb_line(), 1..6), seed in any::<u64>()) {
        let memory = Memory::default();
        let first = suggest(&lines, &CandidateIndex::new(candidates.clone()), &[], &memory);
        let mut shuffled = candidates.clone();
        // A seeded rotation and reversal: a different insertion order.
        let k = (seed as usize) % shuffled.len();
        shuffled.rotate_left(k);
        if seed % 2 == 0 { shuffled.reverse(); }
        prop_assert_eq!(&first, &suggest(&lines, &CandidateIndex::new(shuffled), &[], &memory));
        prop_assert_eq!(&first, &suggest(&lines, &CandidateIndex::new(candidates), &[], &memory));
    }

    /// A line whose amount, number and date are a candidate's, paid by (or to) its contact,
    /// ranks that candidate first: another number one edit away, of the same amount and
    /// contact, comes second.
    #[test]
    fn a_line_that_names_a_candidate_ranks_it_first(candidates in arb_candidates(), pick in any::<prop::sample::Index>(), mut l in arb_line(), noise in "[a-z ]{0,12}", with_contact in any::<bool>()) {
        let target = pick.get(&candidates).clone();
        l.amount = target.open_amount;
        l.date = target.date;
        if with_contact {
            l.counterparty = target.contact_name.clone();
            l.counterparty_account = target.contact_accounts.first().cloned();
        } else {
            l.counterparty = String::new();
            l.counterparty_account = None;
        }
        l.text = format!("{noise} {} {noise}", target.number);
        let s = suggest(&[l], &CandidateIndex::new(candidates), &[], &Memory::default());
        prop_assert_eq!(s[0].matches.first().map(|m| m.candidate_id), Some(target.id));
    }

    /// A candidate of another amount, number and contact never changes the best match of a
    /// line that names its candidate exactly.
    #[test]
    fn an_unrelated_candidate_changes_no_best_match(candidates in arb_candidates(), pick in any::<prop::sample::Index>(), mut l in arb_line(), extra_id in 1u128..1000, extra_day in 0..60i16) {
        let target = pick.get(&candidates).clone();
        l.text = format!("paid {}", target.number);
        let before = suggest(std::slice::from_ref(&l), &CandidateIndex::new(candidates.clone()), &[], &Memory::default());
        let mut unrelated = invoice(extra_id << 64, "OTHER-998877", 123_457, date(2026, 2, 1).checked_add(jiff::Span::new().days(extra_day)).unwrap());
        unrelated.contact_id = Some(Uuid::from_u128(extra_id << 64));
        unrelated.contact_name = "4711 0815".into();
        unrelated.contact_accounts = vec!["NL00000000000000001".into()];
        let mut more = candidates;
        more.push(unrelated);
        let after = suggest(&[l], &CandidateIndex::new(more), &[], &Memory::default());
        prop_assert_eq!(before[0].matches.first(), after[0].matches.first());
        prop_assert_eq!(before[0].auto_match, after[0].auto_match);
    }

    /// A line's suggestions are the same from an index of every candidate as from one holding
    /// only the open documents and the postings within [`POSTING_WINDOW_DAYS`] of the lines
    /// (what the store loads for one page): which lines share a page changes nothing.
    #[test]
    fn suggestions_do_not_depend_on_postings_out_of_reach(candidates in arb_candidates(), kinds in prop::collection::vec((0..3u8, 0..400i16), 40), lines in prop::collection::vec(arb_line(), 1..6)) {
        let start = date(2025, 12, 1);
        let all: Vec<Candidate> = candidates
            .into_iter()
            .zip(kinds)
            .map(|(mut c, (kind, day))| {
                c.date = start.checked_add(jiff::Span::new().days(day)).unwrap();
                // A contact's bank accounts are the contact's, the same on each of its candidates.
                if let Some(contact) = c.contact_id {
                    c.contact_accounts = vec![format!("DE0000000000000000000{}", contact.as_u128() % 4)];
                }
                match kind {
                    1 => c.kind = CandidateKind::Payment,
                    2 => {
                        c.kind = CandidateKind::JournalLine;
                        c.contact_id = None;
                        c.contact_name = String::new();
                        c.contact_accounts = Vec::new();
                        c.number = format!("JE-{}", c.id.as_u128());
                    }
                    _ => {}
                }
                c
            })
            .collect();
        let first = lines.iter().map(|l| l.date).min().unwrap();
        let last = lines.iter().map(|l| l.date).max().unwrap();
        let reach = jiff::Span::new().days(POSTING_WINDOW_DAYS);
        let (from, to) = (first.checked_sub(reach).unwrap(), last.checked_add(reach).unwrap());
        let page: Vec<Candidate> = all
            .iter()
            .filter(|c| matches!(c.kind, CandidateKind::Invoice | CandidateKind::Bill) || (from..=to).contains(&c.date))
            .cloned()
            .collect();
        let memory = Memory::default();
        prop_assert_eq!(
            suggest(&lines, &CandidateIndex::new(all), &[], &memory),
            suggest(&lines, &CandidateIndex::new(page), &[], &memory)
        );
    }
}
