//! Search (issue 18): indexing 100,000 generated documents' text, and the search time (p50, p99)
//! over those plus the entries of 1,000,000 journal lines, through the index the server builds
//! (`oasys::search`: its schema, analyzer, writer size and query). Reading the records from the
//! database is not timed here (`oasys reindex` prints the whole rebuild's time).
//!
//! `cargo bench --bench search` (100,000 documents, 250,000 entries of 4 lines; `OASYS_BENCH_SCALE`
//! divides both). Without `--bench` (as `cargo test --all-targets` runs it): a hundredth, the
//! same paths. Prints figures next to their goals; asserts nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use oasys::search::query::{Request, run};
use oasys::search::schema::{self, KINDS};
use oasys::search::{WRITER_MEMORY, WRITERS};
use oasys::store::search::Record;
use tantivy::{Index, IndexWriter, TantivyDocument};
use uuid::Uuid;

/// xorshift64*: the same sequence for the same seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SYLLABLES: [&str; 24] = [
    "ka", "lo", "mer", "tan", "vi", "sto", "ra", "pel", "dun", "gri", "ho", "zen", "bar", "qui", "fel", "nor", "sa",
    "tri", "ul", "wex", "cor", "ami", "den", "opa",
];

/// A vocabulary of 20,000 made-up words of 2–4 syllables.
fn vocabulary(rng: &mut Rng) -> Vec<String> {
    (0..20_000)
        .map(|_| {
            let n = 2 + rng.below(3);
            (0..n)
                .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
                .collect::<String>()
        })
        .collect()
}

/// Words drawn with a skew (a few common, most rare), as in real text.
fn words(rng: &mut Rng, vocab: &[String], n: usize) -> String {
    (0..n)
        .map(|_| {
            let r = rng.below(vocab.len());
            let skewed = r * rng.below(vocab.len()) / vocab.len();
            vocab[skewed].as_str()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let scale: usize = std::env::var("OASYS_BENCH_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 1 } else { 100 });
    let (documents, entries) = (100_000 / scale, 250_000 / scale);
    let mut rng = Rng(2026);
    let vocab = vocabulary(&mut rng);
    let companies: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
    let dir = tempfile::tempdir().unwrap();
    let (schema_, fields) = schema::schema();
    let index = Index::create_in_dir(dir.path(), schema_).unwrap();
    schema::register(&index);

    // Documents: a name and about 300 words of text each (a page or two of an invoice or a letter).
    let started = Instant::now();
    let mut writer: IndexWriter<TantivyDocument> = index.writer_with_num_threads(1, WRITER_MEMORY).unwrap();
    for i in 0..documents {
        let r = Record {
            kind: "document",
            id: Uuid::now_v7(),
            company_id: companies[i % companies.len()],
            date: Some(format!("2026-{:02}-{:02}", 1 + i % 12, 1 + i % 28)),
            amount: None,
            currency: None,
            contact_id: None,
            title: format!("{}.pdf", words(&mut rng, &vocab, 2)),
            subtitle: "pdf".into(),
            body: words(&mut rng, &vocab, 300),
        };
        writer.add_document(schema::document(&fields, &r)).unwrap();
    }
    writer.commit().unwrap();
    writer.wait_merging_threads().unwrap();
    let indexing = started.elapsed();
    println!(
        "search: indexed {documents} documents (~300 words each) in {:.1} s ({:.0} documents/s; goal: 100,000 in ≤ 60 s; writer: 1 thread, {} MB, {WRITERS} writers per process)",
        indexing.as_secs_f64(),
        documents as f64 / indexing.as_secs_f64(),
        WRITER_MEMORY / 1_000_000
    );

    // Journal entries: 4 lines each, their descriptions in the entry's text.
    let started = Instant::now();
    let mut writer: IndexWriter<TantivyDocument> = index.writer_with_num_threads(1, WRITER_MEMORY).unwrap();
    for i in 0..entries {
        let r = Record {
            kind: "entry",
            id: Uuid::now_v7(),
            company_id: companies[i % companies.len()],
            date: Some(format!("2025-{:02}-{:02}", 1 + i % 12, 1 + i % 28)),
            amount: Some((rng.below(1_000_000) + 100) as i64),
            currency: Some("EUR".into()),
            contact_id: None,
            title: format!("{} REF-{i}", i + 1),
            subtitle: "posted".into(),
            body: (0..4)
                .map(|_| words(&mut rng, &vocab, 4))
                .collect::<Vec<_>>()
                .join("\n"),
        };
        writer.add_document(schema::document(&fields, &r)).unwrap();
    }
    writer.commit().unwrap();
    writer.wait_merging_threads().unwrap();
    println!(
        "search: indexed {entries} entries ({} journal lines) in {:.1} s",
        entries * 4,
        started.elapsed().as_secs_f64()
    );

    let reader = index.reader().unwrap();
    let searcher = reader.searcher();
    // Queries as typed: one or two words, some with a typo, the last often a prefix.
    let queries: Vec<String> = (0..if full { 2_000 } else { 200 })
        .map(|i| {
            let mut w = words(&mut rng, &vocab, 1 + i % 2);
            match i % 4 {
                0 => {
                    w.pop();
                }
                1 => w.push('x'),
                2 => w.push(' '),
                _ => {}
            }
            w
        })
        .collect();
    // Twenty hits with their snippets (the search page), and one hit (what finding and counting
    // cost without drawing snippets).
    for limit in [20, 1] {
        let mut times: Vec<Duration> = Vec::with_capacity(queries.len());
        let mut hits = 0u64;
        for (i, q) in queries.iter().enumerate() {
            let req = Request {
                text: q.clone(),
                kinds: KINDS.to_vec(),
                companies: if i % 2 == 0 {
                    vec![companies[0], companies[1]]
                } else {
                    Vec::new()
                },
                limit,
                ..Request::default()
            };
            let t = Instant::now();
            let found = run(&searcher, &fields, &req).unwrap();
            times.push(t.elapsed());
            hits += found.total;
        }
        times.sort();
        let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
        println!(
            "search: {} queries over {} records, {limit} hit(s) each: p50 {:.2} ms, p99 {:.2} ms (goal: p50 ≤ 5 ms, p99 ≤ 20 ms over 100,000 documents + 1,000,000 lines); {:.0} matches per query on average",
            times.len(),
            searcher.num_docs(),
            at(0.50).as_secs_f64() * 1e3,
            at(0.99).as_secs_f64() * 1e3,
            hits as f64 / times.len() as f64
        );
    }
    let size: u64 = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!("search: index size {:.1} MB", size as f64 / 1e6);
}
