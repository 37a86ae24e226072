//! Bank statement parsing (issue 16): a 100,000-line CSV export and a 100,000-entry CAMT.053
//! file, generated here, read by `formats::statement::parse`, with fingerprints and the balance
//! check — the parse part of the goal "import 100k lines in ≤ 3 s" (the import also writes them).
//!
//! `cargo bench --bench statements` runs 100,000 lines, best of 3; `cargo test --all-targets` runs
//! it without `--bench`: 2,000 lines once, the same paths. `OASYS_BENCH_LINES` sets the count.
//! Prints figures; asserts only that every line was read.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use oasys::formats::statement::{
    AmountColumns, Column, CsvProfile, Limits, TextEncoding, check_balances, fingerprints, parse,
};

const GOAL: Duration = Duration::from_secs(3);

/// Amounts in cents, varied but repeatable: most out, some in.
fn cents(i: usize) -> i64 {
    let x = (i as i64).wrapping_mul(7919) % 100_000;
    if i.is_multiple_of(5) { x * 3 + 100 } else { -(x + 1) }
}

fn date(i: usize) -> (i32, u32, u32) {
    let day = i / 300; // 300 lines a day
    (
        2026 + (day / 336) as i32,
        1 + ((day / 28) % 12) as u32,
        1 + (day % 28) as u32,
    )
}

fn money(c: i64, decimal: char) -> String {
    let sign = if c < 0 { "-" } else { "" };
    format!("{sign}{}{decimal}{:02}", c.abs() / 100, c.abs() % 100)
}

/// A German bank's CSV: `;`, Windows-1252, `dd.mm.yyyy`, decimal commas, running balance.
fn csv(n: usize) -> Vec<u8> {
    let mut out = String::from("Buchungstag;Betrag;Verwendungszweck;Empfänger;IBAN;Saldo\r\n");
    let mut balance = 1_000_000i64;
    for i in 0..n {
        let (y, m, d) = date(i);
        balance += cents(i);
        let _ = write!(
            out,
            "{d:02}.{m:02}.{y};{};Rechnung RE-{i:06} Kunde {};Firma Müller {};DE89370400440532{:06};{}\r\n",
            money(cents(i), ','),
            i % 977,
            i % 311,
            i % 999_999,
            money(balance, ',')
        );
    }
    encoding_rs::WINDOWS_1252.encode(&out).0.into_owned()
}

fn csv_profile() -> CsvProfile {
    CsvProfile {
        delimiter: b';',
        encoding: TextEncoding::Windows1252,
        date_format: "%d.%m.%Y".into(),
        decimal: ',',
        date: Column::Index(0),
        amount: AmountColumns::Single {
            column: Column::Index(1),
            inverted: false,
        },
        text: vec![Column::Index(2)],
        counterparty: Some(Column::Index(3)),
        counterparty_account: Some(Column::Index(4)),
        balance: Some(Column::Index(5)),
        ..CsvProfile::default()
    }
}

fn camt(n: usize) -> Vec<u8> {
    let total: i64 = (0..n).map(cents).sum();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">\n\
         <BkToCstmrStmt><GrpHdr><MsgId>B</MsgId><CreDtTm>2026-01-01T00:00:00</CreDtTm></GrpHdr><Stmt><Id>S</Id>\n\
         <Acct><Id><IBAN>DE44500105175407324931</IBAN></Id><Ccy>EUR</Ccy></Acct>\n\
         <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">10000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-01-01</Dt></Dt></Bal>\n\
         <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{}</Amt><CdtDbtInd>{}</CdtDbtInd><Dt><Dt>2026-12-31</Dt></Dt></Bal>\n",
        money((1_000_000 + total).abs(), '.'),
        if 1_000_000 + total < 0 { "DBIT" } else { "CRDT" }
    );
    for i in 0..n {
        let (y, m, d) = date(i);
        let c = cents(i);
        let (ind, party) = if c < 0 { ("DBIT", "Cdtr") } else { ("CRDT", "Dbtr") };
        let _ = write!(
            out,
            "<Ntry><Amt Ccy=\"EUR\">{}</Amt><CdtDbtInd>{ind}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>\
             <BookgDt><Dt>{y}-{m:02}-{d:02}</Dt></BookgDt><ValDt><Dt>{y}-{m:02}-{d:02}</Dt></ValDt>\
             <AcctSvcrRef>BANK-{i:08}</AcctSvcrRef><NtryDtls><TxDtls><Refs><EndToEndId>E2E-{i}</EndToEndId></Refs>\
             <RltdPties><{party}><Pty><Nm>Firma Müller {}</Nm></Pty></{party}><{party}Acct><Id><IBAN>DE89370400440532{:06}</IBAN></Id></{party}Acct></RltdPties>\
             <RmtInf><Ustrd>Rechnung RE-{i:06} Kunde {}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>",
            money(c.abs(), '.'),
            i % 311,
            i % 999_999,
            i % 977
        );
        out.push('\n');
    }
    out.push_str("</Stmt></BkToCstmrStmt></Document>\n");
    out.into_bytes()
}

/// The best of `runs` timings of parse + fingerprints + balance check.
fn time(bytes: &[u8], profile: Option<&CsvProfile>, n: usize, runs: usize) -> Duration {
    let limits = Limits::default();
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let start = Instant::now();
        let statement = parse(bytes, profile, &limits).unwrap();
        let prints = fingerprints("bench", &statement.lines);
        check_balances(&statement).unwrap();
        best = best.min(start.elapsed());
        assert_eq!(statement.lines.len(), n);
        assert_eq!(prints.len(), n);
    }
    best
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("OASYS_BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 100_000 } else { 2_000 });
    let runs = if full { 3 } else { 1 };
    let commit = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .map_or_else(
            || "unknown".to_owned(),
            |o| String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        );
    println!(
        "OASYS statement parsing benchmark ({n} lines, best of {runs}, {} CPUs, commit {commit}, {} build)",
        std::thread::available_parallelism().map_or(0, |c| c.get()),
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
    println!("{:<34} {:>9} {:>12} {:>12}  goal", "file", "size", "parse", "lines/s");
    for (name, bytes, profile) in [
        ("CSV (Windows-1252, ; , running balance)", csv(n), Some(csv_profile())),
        ("CAMT.053 (.001.08)", camt(n), None),
    ] {
        let took = time(&bytes, profile.as_ref(), n, runs);
        let per_second = n as f64 / took.as_secs_f64().max(1e-9);
        println!(
            "{name:<34} {:>7.1}MB {:>10.0}ms {per_second:>12.0}  100k lines ≤ {} s (import, parse included)",
            bytes.len() as f64 / 1e6,
            took.as_secs_f64() * 1000.0,
            GOAL.as_secs()
        );
    }
}
