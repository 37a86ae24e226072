//! The test vectors of `docs/ledger-chain.md`, recomputed through `oasys::domain::ledger::chain`.
//! The page is read here, so the published bytes, the published hashes and the code must agree;
//! the expected hashes below were computed independently (Python `hashlib`/`hmac` over the
//! documented bytes), so a change to the encoding fails here rather than passing by itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use oasys::domain::ledger::chain::{self, Kind};
use oasys::domain::ledger::{ChainLink, EntryStatus, JournalEntry, Line};
use uuid::Uuid;

const HASH_1: &str = "7f70de5551b5b4a5ea14ba74653d3b370df3aac6c0e8b1ad6eba656a18615378";
const HASH_2: &str = "2d73755b9efe03564d2e405f13144a2f3be381c54d296ef98c21633ad7a20629";
const HASH_3: &str = "99896affa966418f77725635930964118983f85ac3342fec9fe1375330557a29";
const SIGNATURE_3: &str = "3572b9fa3af8f38d7aeb64ba220ab9f70c137e6e3b33da5ecb5f255e12d30e8b";
const KEY: &[u8] = b"vector-checkpoint-key-0123456789abcdef";

/// A named change to an entry.
type Change = (&'static str, Box<dyn Fn(&mut JournalEntry)>);

fn id(last: &str) -> Uuid {
    Uuid::parse_str(&format!("01900000-0000-7000-8000-0000000000{last}")).unwrap()
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

/// The `<!-- vector: NAME -->` blocks of the page: the exact text between the fences.
fn published() -> HashMap<String, String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ledger-chain.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let mut out = HashMap::new();
    let mut rest = doc.as_str();
    while let Some(start) = rest.find("<!-- vector: ") {
        rest = &rest[start + "<!-- vector: ".len()..];
        let end = rest.find(" -->").unwrap();
        let name = rest[..end].to_owned();
        let open = rest.find("```text\n").unwrap() + "```text\n".len();
        rest = &rest[open..];
        let close = rest.find("```").unwrap();
        out.insert(name, rest[..close].to_owned());
        rest = &rest[close + 3..];
    }
    out
}

fn header(seq: i64, kind: Kind, object: Uuid, prev: &str) -> String {
    format!(
        "oasys-chain-v1\nseq={seq}\nkind={}\ncompany={}\nobject={object}\nprev={prev}\n",
        kind.as_str(),
        id("c0")
    )
}

fn entry_1() -> JournalEntry {
    JournalEntry {
        id: id("e1"),
        company_id: id("c0"),
        number: Some(1),
        date: day("2024-01-15"),
        reference: "INV-1".into(),
        description: "Office chairs".into(),
        status: EntryStatus::Posted,
        total: 12500,
        created_by: id("b1"),
        approved_by: None,
        posted_by: Some(id("b1")),
        posted_at: Some(at("2024-01-15T09:31:00Z")),
        reverses_id: None,
        // Left out of the encoding: changing them must not change the hash.
        reversed_by_id: Some(id("e2")),
        chain_seq: Some(1),
        created_at: at("2024-01-15T09:30:00.123456Z"),
        updated_at: at("2024-01-20T16:00:00.000001Z"),
        edited_by: None,
        lines: vec![
            Line {
                line_no: 1,
                account_id: id("a1"),
                description: "Chairs".into(),
                debit: 12500,
                credit: 0,
                currency: None,
                amount_currency: None,
                exchange_rate: None,
            },
            Line {
                line_no: 2,
                account_id: id("a2"),
                description: String::new(),
                debit: 0,
                credit: 12500,
                currency: None,
                amount_currency: None,
                exchange_rate: None,
            },
        ],
    }
}

fn entry_2() -> JournalEntry {
    JournalEntry {
        id: id("e2"),
        company_id: id("c0"),
        number: Some(2),
        date: day("2024-01-20"),
        reference: "REV #1".into(),
        description: "Reversal of entry #1: Café | 2 × chairs".into(),
        status: EntryStatus::Posted,
        total: 12500,
        created_by: id("b2"),
        approved_by: Some(id("b1")),
        posted_by: Some(id("b2")),
        posted_at: Some(at("2024-01-20T16:00:00.000001Z")),
        reverses_id: Some(id("e1")),
        reversed_by_id: None,
        chain_seq: Some(2),
        created_at: at("2024-01-20T16:00:00.000001Z"),
        updated_at: at("2024-01-20T16:00:00.000001Z"),
        edited_by: None,
        lines: vec![
            Line {
                line_no: 1,
                account_id: id("a3"),
                description: "Stühle\nline two".into(),
                debit: 0,
                credit: 12500,
                currency: Some("EUR".into()),
                amount_currency: Some(10000),
                exchange_rate: Some("1.25".into()),
            },
            Line {
                line_no: 2,
                account_id: id("a2"),
                description: String::new(),
                debit: 12500,
                credit: 0,
                currency: None,
                amount_currency: None,
                exchange_rate: None,
            },
        ],
    }
}

#[test]
fn the_published_vectors_recompute() {
    let doc = published();
    let company = id("c0");

    let e1 = entry_1();
    let payload_1 = chain::entry_payload(&e1);
    assert_eq!(header(1, Kind::Post, e1.id, chain::GENESIS) + &payload_1, doc["link-1"]);
    let hash_1 = chain::link_hash(company, 1, Kind::Post, e1.id, chain::GENESIS, &payload_1);
    assert_eq!(hash_1, HASH_1);
    assert_eq!(doc["hash-1"].trim_end(), HASH_1);

    let e2 = entry_2();
    let payload_2 = chain::entry_payload(&e2);
    assert_eq!(header(2, Kind::Reverse, e2.id, HASH_1) + &payload_2, doc["link-2"]);
    let hash_2 = chain::link_hash(company, 2, Kind::Reverse, e2.id, HASH_1, &payload_2);
    assert_eq!(hash_2, HASH_2);
    assert_eq!(doc["hash-2"].trim_end(), HASH_2);

    let payload_3 = chain::close_payload(Some(day("2024-01-31")), None, id("b1"));
    assert_eq!(header(3, Kind::Close, company, HASH_2) + &payload_3, doc["link-3"]);
    let hash_3 = chain::link_hash(company, 3, Kind::Close, company, HASH_2, &payload_3);
    assert_eq!(hash_3, HASH_3);
    assert_eq!(doc["hash-3"].trim_end(), HASH_3);

    assert_eq!(doc["checkpoint-message-3"].trim_end(), format!("{company}|3|{HASH_3}"));
    let link_3 = ChainLink {
        company_id: company,
        seq: 3,
        kind: Kind::Close,
        object_id: company,
        prev_hash: HASH_2.into(),
        hash: hash_3.clone(),
        created_at: at("2024-01-31T18:00:00Z"),
    };
    assert_eq!(chain::sign(KEY, &link_3), SIGNATURE_3);
    assert_eq!(doc["signature-3"].trim_end(), SIGNATURE_3);
    assert!(chain::signature_valid(KEY, company, 3, HASH_3, SIGNATURE_3));
    assert!(!chain::signature_valid(b"another key", company, 3, HASH_3, SIGNATURE_3));
    assert!(!chain::signature_valid(KEY, company, 4, HASH_3, SIGNATURE_3));
}

#[test]
fn every_hashed_field_changes_the_hash_and_the_excluded_ones_do_not() {
    let base = entry_1();
    let hash =
        |e: &JournalEntry| chain::link_hash(id("c0"), 1, Kind::Post, e.id, chain::GENESIS, &chain::entry_payload(e));
    let original = hash(&base);
    assert_eq!(original, HASH_1);

    let mut same = base.clone();
    same.reversed_by_id = None;
    same.updated_at = at("2030-01-01T00:00:00Z");
    same.chain_seq = Some(99);
    assert_eq!(
        hash(&same),
        original,
        "reversed_by_id, updated_at and chain_seq are not hashed"
    );

    let changes: Vec<Change> = vec![
        ("number", Box::new(|e| e.number = Some(2))),
        ("date", Box::new(|e| e.date = day("2024-01-16"))),
        ("reference", Box::new(|e| e.reference.push('x'))),
        ("description", Box::new(|e| e.description.push('x'))),
        ("total", Box::new(|e| e.total += 1)),
        ("created_by", Box::new(|e| e.created_by = id("b2"))),
        (
            "created_at",
            Box::new(|e| e.created_at = at("2024-01-15T09:30:00.123457Z")),
        ),
        ("approved_by", Box::new(|e| e.approved_by = Some(id("b2")))),
        ("posted_by", Box::new(|e| e.posted_by = Some(id("b2")))),
        (
            "posted_at",
            Box::new(|e| e.posted_at = Some(at("2024-01-15T09:31:00.000001Z"))),
        ),
        ("reverses", Box::new(|e| e.reverses_id = Some(id("e2")))),
        ("line amount", Box::new(|e| e.lines[0].debit += 1)),
        ("line account", Box::new(|e| e.lines[0].account_id = id("a3"))),
        ("line order", Box::new(|e| e.lines.swap(0, 1))),
        ("line text", Box::new(|e| e.lines[1].description.push('x'))),
        ("line currency", Box::new(|e| e.lines[0].currency = Some("EUR".into()))),
        ("a line removed", Box::new(|e| drop(e.lines.pop()))),
        (
            "a character moved from one text to the next",
            Box::new(|e| {
                e.reference = "INV-1O".into();
                e.description = "ffice chairs".into();
            }),
        ),
    ];
    for (what, change) in changes {
        let mut e = base.clone();
        change(&mut e);
        assert_ne!(hash(&e), original, "{what} is not covered by the hash");
    }
}
