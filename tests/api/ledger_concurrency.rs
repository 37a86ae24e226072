//! Concurrent writers on one company's ledger: numbers stay gap-free and unique, the trial
//! balance stays balanced, one draft is posted once, one entry is reversed once. Runs on SQLite
//! (one writer per firm database) and PostgreSQL (a pool of concurrent transactions).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fixtures::{BULK, ENTRIES, Firm, id, tb_row, tb_totals};
use crate::helpers::TestApp;
use crate::on_every_backend;

const TASKS: i64 = 8;
const PER_TASK: i64 = 25;
const BULKS: i64 = 2;
const PER_BULK: i64 = 25;
const SISTER_TASKS: i64 = 2;

/// Minor units as the API writes them.
fn money(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

async fn concurrent_postings_get_gap_free_numbers(app: TestApp) {
    let firm = Firm::register(&app, "conc@example.com", "Concurrent Firm").await;
    let sister = firm.new_company("Sister Co", "USD").await;
    // Meanwhile, a second company of the same firm posts too: its own sequence, untouched.
    let mut sister_tasks = Vec::new();
    for t in 0..SISTER_TASKS {
        let sister = sister.clone();
        sister_tasks.push(tokio::spawn(async move {
            let mut numbers = Vec::new();
            for i in 0..PER_TASK {
                let e = sister
                    .posted(sister.transfer("2026-03-10", "1010", "4100", &money(t * 100 + i + 1)))
                    .await;
                numbers.push(e["number"].as_i64().unwrap());
            }
            numbers
        }));
    }
    let mut singles = Vec::new();
    for t in 0..TASKS {
        let firm = firm.clone();
        singles.push(tokio::spawn(async move {
            let mut posted = Vec::new();
            for i in 0..PER_TASK {
                let cents = t * 10_000 + i + 1;
                let date = format!("2026-03-{:02}", 1 + (i % 28));
                let e = firm.posted(firm.transfer(&date, "6400", "1020", &money(cents))).await;
                posted.push((id(&e).to_owned(), e["number"].as_i64().unwrap(), cents));
            }
            posted
        }));
    }
    let mut bulks = Vec::new();
    for b in 0..BULKS {
        let firm = firm.clone();
        bulks.push(tokio::spawn(async move {
            let cents: Vec<i64> = (0..PER_BULK).map(|i| 500_000 + b * 1_000 + i + 1).collect();
            let entries: Vec<Value> = cents
                .iter()
                .map(|c| firm.transfer("2026-03-15", "1100", "4100", &money(*c)))
                .collect();
            let r = firm.post(BULK, json!({ "entries": entries })).await;
            assert_eq!(r.status, StatusCode::CREATED, "bulk: {}", r.body);
            assert_eq!(r.body["count"], PER_BULK);
            let posted: Vec<(String, i64, i64)> = r.body["entries"]
                .as_array()
                .unwrap()
                .iter()
                .zip(&cents)
                .map(|(e, c)| (e["id"].as_str().unwrap().to_owned(), e["number"].as_i64().unwrap(), *c))
                .collect();
            // One bulk is one transaction: its numbers are consecutive.
            let numbers: Vec<i64> = posted.iter().map(|p| p.1).collect();
            let first = numbers[0];
            assert_eq!(numbers, (first..first + PER_BULK).collect::<Vec<_>>());
            posted
        }));
    }
    let (mut single_total, mut bulk_total) = (0i64, 0i64);
    let mut seen: Vec<(String, i64, i64)> = Vec::new();
    for h in singles {
        let posted = h.await.unwrap();
        single_total += posted.iter().map(|p| p.2).sum::<i64>();
        seen.extend(posted);
    }
    for h in bulks {
        let posted = h.await.unwrap();
        bulk_total += posted.iter().map(|p| p.2).sum::<i64>();
        seen.extend(posted);
    }
    let mut sister_numbers = Vec::new();
    for h in sister_tasks {
        sister_numbers.extend(h.await.unwrap());
    }
    sister_numbers.sort_unstable();
    assert_eq!(sister_numbers, (1..=SISTER_TASKS * PER_TASK).collect::<Vec<_>>());
    assert_eq!(
        sister.entry_count("status=posted").await,
        u64::try_from(SISTER_TASKS * PER_TASK).unwrap()
    );

    let n = TASKS * PER_TASK + BULKS * PER_BULK;
    let mut numbers: Vec<i64> = seen.iter().map(|p| p.1).collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (1..=n).collect::<Vec<_>>(),
        "numbers 1..={n}, no gap, no duplicate"
    );

    // The stored entries agree with the answers.
    let listed = firm.all_entries("status=posted&ordering=number").await;
    assert_eq!(listed.len(), usize::try_from(n).unwrap());
    let listed_numbers: Vec<i64> = listed.iter().map(|e| e["number"].as_i64().unwrap()).collect();
    assert_eq!(listed_numbers, (1..=n).collect::<Vec<_>>());
    seen.sort_by_key(|p| p.1);
    for (e, (eid, number, cents)) in listed.iter().zip(&seen) {
        assert_eq!(id(e), eid, "entry {number}");
        assert_eq!(e["total"], money(*cents).as_str(), "entry {number}");
    }

    let tb = firm.trial_balance("2026-12-31").await;
    let total = money(single_total + bulk_total);
    assert_eq!(
        tb_totals(&tb),
        (total.clone(), total),
        "debits = credits = everything posted"
    );
    assert_eq!(tb_row(&tb, "6400"), Some((money(single_total), "0.00".into())));
    assert_eq!(tb_row(&tb, "1020"), Some(("0.00".into(), money(single_total))));
    assert_eq!(tb_row(&tb, "1100"), Some((money(bulk_total), "0.00".into())));
    assert_eq!(tb_row(&tb, "4100"), Some(("0.00".into(), money(bulk_total))));
    // And the next posting continues the sequence.
    let next = firm.posted(firm.transfer("2026-04-01", "6400", "1020", "1.00")).await;
    assert_eq!(next["number"], n + 1);
}
on_every_backend!(
    concurrent_postings_on_every_backend,
    concurrent_postings_get_gap_free_numbers
);

/// The same draft posted by eight requests at once (a double click, a retry without a key): it
/// is posted once, with one number, and counted once.
async fn one_draft_posted_concurrently_is_posted_once(app: TestApp) {
    let firm = Firm::register(&app, "race@example.com", "Race Firm").await;
    for round in 0..3 {
        let draft = firm.draft(firm.transfer("2026-03-01", "6100", "1020", "100.00")).await;
        let eid = id(&draft).to_owned();
        let mut handles = Vec::new();
        for _ in 0..8 {
            let firm = firm.clone();
            let eid = eid.clone();
            handles.push(tokio::spawn(async move { firm.verb(&eid, "post").await }));
        }
        let mut ok = Vec::new();
        for h in handles {
            let r = h.await.unwrap();
            match r.status {
                StatusCode::OK => ok.push(r.body["number"].as_i64().unwrap()),
                StatusCode::BAD_REQUEST => assert!(r.body["non_field_errors"].is_array(), "{}", r.body),
                other => panic!("unexpected {other}: {}", r.body),
            }
        }
        assert_eq!(ok, [round + 1], "round {round}: posted exactly once");
        let got = firm.get(&format!("{ENTRIES}{eid}/")).await.body;
        assert_eq!(got["number"], round + 1);
        let tb = firm.trial_balance("2026-12-31").await;
        let total = money((round + 1) * 10_000);
        assert_eq!(
            tb_row(&tb, "6100"),
            Some((total.clone(), "0.00".into())),
            "round {round}"
        );
        assert_eq!(tb_totals(&tb), (total.clone(), total));
    }
    let next = firm.posted(firm.transfer("2026-03-02", "6100", "1020", "1.00")).await;
    assert_eq!(next["number"], 4, "no number was taken by the losers");
}
on_every_backend!(
    one_draft_posted_once_on_every_backend,
    one_draft_posted_concurrently_is_posted_once
);

/// The same entry reversed by eight requests at once: one reversal.
async fn one_entry_reversed_concurrently_is_reversed_once(app: TestApp) {
    let firm = Firm::register(&app, "revrace@example.com", "Reverse Race Firm").await;
    let posted = firm.posted(firm.transfer("2026-03-01", "6100", "1020", "100.00")).await;
    let eid = id(&posted).to_owned();
    let mut handles = Vec::new();
    for _ in 0..8 {
        let firm = firm.clone();
        let eid = eid.clone();
        handles.push(tokio::spawn(async move { firm.verb(&eid, "reverse").await }));
    }
    let mut created = Vec::new();
    for h in handles {
        let r = h.await.unwrap();
        match r.status {
            StatusCode::CREATED => created.push(id(&r.body).to_owned()),
            StatusCode::BAD_REQUEST => assert!(r.body["non_field_errors"].is_array(), "{}", r.body),
            other => panic!("unexpected {other}: {}", r.body),
        }
    }
    assert_eq!(created.len(), 1, "reversed exactly once: {created:?}");
    let got = firm.get(&format!("{ENTRIES}{eid}/")).await.body;
    assert_eq!(got["reversed_by"], created[0].as_str());
    assert_eq!(firm.entry_count("status=posted").await, 2);
    let tb = firm.trial_balance("2026-12-31").await;
    assert_eq!(tb_row(&tb, "6100"), Some(("0.00".into(), "0.00".into())));
    assert_eq!(tb_totals(&tb), ("0.00".into(), "0.00".into()));
}
on_every_backend!(
    one_entry_reversed_once_on_every_backend,
    one_entry_reversed_concurrently_is_reversed_once
);

/// Eight concurrent creates with one `Idempotency-Key`: one entry. Each answer is the entry (a
/// replay) or a 409 while the first is in flight; never a second entry.
async fn concurrent_retries_with_one_key_create_one_entry(app: TestApp) {
    let firm = Firm::register(&app, "keyrace@example.com", "Key Race Firm").await;
    let body = firm.transfer("2026-03-01", "6100", "1020", "10.00");
    let mut handles = Vec::new();
    for _ in 0..8 {
        let firm = firm.clone();
        let body = body.clone();
        handles.push(tokio::spawn(async move {
            firm.request(Method::POST, ENTRIES, Some(body), &[("Idempotency-Key", "same")])
                .await
        }));
    }
    let mut ids = Vec::new();
    for h in handles {
        let r = h.await.unwrap();
        match r.status {
            StatusCode::CREATED => ids.push(id(&r.body).to_owned()),
            StatusCode::CONFLICT => {}
            other => panic!("unexpected {other}: {}", r.body),
        }
    }
    assert!(!ids.is_empty());
    ids.dedup();
    assert_eq!(ids.len(), 1, "one entry behind every success: {ids:?}");
    assert_eq!(firm.entry_count("").await, 1);
}
on_every_backend!(
    concurrent_key_retries_on_every_backend,
    concurrent_retries_with_one_key_create_one_entry
);
