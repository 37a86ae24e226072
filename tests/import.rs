//! `oasys import journal`: the real binary imports CSV and JSON journals into a firm made with
//! `oasys tenant create`, in batches; a refused entry fails its batch (and names its row) with
//! nothing of that batch posted; a malformed file posts nothing. On SQLite, and on PostgreSQL too
//! when `OASYS_TEST_DATABASE_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use oasys::auth::scope::TenantScope;
use oasys::store::{Store, StoreConfig, platform};
use serde_json::json;
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_oasys");

/// One installation: a private data dir, an empty config file, and on PostgreSQL a fresh
/// platform schema.
struct Install {
    dir: tempfile::TempDir,
    postgres: Option<String>,
    schema: String,
}

fn installs() -> Vec<Install> {
    let mut urls = vec![None];
    if let Ok(url) = std::env::var("OASYS_TEST_DATABASE_URL")
        && !url.is_empty()
    {
        urls.push(Some(url));
    }
    urls.into_iter()
        .map(|postgres| {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("oasys.toml"), "# test configuration: defaults only\n").unwrap();
            Install {
                dir,
                postgres,
                schema: format!("import_{}", Uuid::new_v4().simple()),
            }
        })
        .collect()
}

impl Install {
    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(BIN);
        for (key, _) in std::env::vars() {
            if key.starts_with("OASYS_") {
                cmd.env_remove(key);
            }
        }
        cmd.arg("--config")
            .arg(self.dir.path().join("oasys.toml"))
            .arg("--data-dir")
            .arg(self.data_dir());
        if let Some(url) = &self.postgres {
            cmd.env("OASYS_DATABASE_URL", url)
                .env("OASYS_DATABASE_SCHEMA", &self.schema)
                .env("OASYS_DATABASE_POOL_SIZE", "2");
        }
        cmd.env("RUST_LOG", "warn")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "oasys {args:?} failed: {}", text(&out));
        String::from_utf8(out.stdout).unwrap()
    }

    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "oasys {args:?} should have failed: {}",
            text(&out)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    fn file(&self, name: &str, contents: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).unwrap();
        path.to_str().unwrap().to_owned()
    }

    fn store(&self) -> Store {
        let config = match &self.postgres {
            None => StoreConfig::Sqlite {
                data_dir: self.data_dir(),
                cache_size: 2,
            },
            Some(url) => StoreConfig::Postgres {
                url: url.clone(),
                platform_schema: self.schema.clone(),
                pool_size: 2,
            },
        };
        Store::open(&config).unwrap()
    }

    /// The only firm's storage, reached as the CLI reaches it.
    fn query<T>(&self, f: impl FnOnce(&mut oasys::store::Tx) -> Result<T, oasys::store::StoreError>) -> T {
        let store = self.store();
        let ids = store.platform_read(platform::tenant_ids).unwrap();
        let [id] = ids.as_slice() else {
            panic!("expected one firm, found {}", ids.len())
        };
        store.tenant_read(&TenantScope::operator(*id), f).unwrap()
    }

    fn count(&self, sql: &str) -> i64 {
        self.query(|tx| tx.query_one(sql, &[])?.int(0))
    }

    fn references(&self) -> Vec<String> {
        self.query(|tx| {
            tx.query("SELECT reference FROM journal_entries ORDER BY number", &[])?
                .iter()
                .map(|r| r.text(0))
                .collect()
        })
    }

    fn account_id(&self, code: &str) -> String {
        self.query(|tx| {
            tx.query_one("SELECT id FROM accounts WHERE code = $1", &[code.into()])?
                .text(0)
        })
    }

    /// The ledger checks pass: balanced, balances maintained, numbers gap-free, chain intact.
    fn verified(&self) {
        let out = self.run(&["verify"]);
        assert!(
            out.status.success(),
            "oasys verify failed after the import: {}",
            text(&out)
        );
    }
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_csv_journal_is_posted_in_batches() {
    for install in installs() {
        install.ok(&["tenant", "create", "--name", "Import Firm"]);
        let bank = install.account_id("1020");
        let csv = format!(
            "entry,date,reference,description,account,line_description,debit,credit\n\
             1,2024-01-05,INV-1,\"Sale, cash\",1010,,116.00,\n\
             1,2024-01-05,INV-1,\"Sale, cash\",4100,,,100.00\n\
             1,2024-01-05,INV-1,\"Sale, cash\",2200,\"tax \"\"VAT\"\"\",,16.00\n\
             2,2024-01-06,RENT-1,Rent,6100,,500,\n\
             2,,,,{bank},,,500\n\
             3,2024-01-07,OWN-1,Capital,1020,,10000,\n\
             4,2024-01-08,AP-1,Supplies,6300,,42.5,\n\
             3,2024-01-07,OWN-1,Capital,3100,,,10000\n\
             4,2024-01-08,AP-1,Supplies,2100,,,42.50\n\
             5,2024-02-01,SAL-1,Wages,6200,,1200.00,\n\
             5,2024-02-01,SAL-1,Wages,1020,,,1200.00\n"
        );
        let file = install.file("journal.csv", &csv);
        let out = install.ok(&["import", "journal", &file, "--batch", "2"]);
        assert!(out.contains("posted 5 entries (11 lines)"), "{out}");
        assert!(out.contains("lines/s"), "{out}");
        assert_eq!(install.references(), ["INV-1", "RENT-1", "OWN-1", "AP-1", "SAL-1"]);
        assert_eq!(install.count("SELECT COUNT(*) FROM journal_lines"), 11);
        assert_eq!(
            install.count("SELECT COUNT(*) FROM journal_lines WHERE description = 'tax \"VAT\"'"),
            1
        );
        assert_eq!(
            install.count("SELECT COALESCE(SUM(debit), 0) - COALESCE(SUM(credit), 0) FROM account_balances"),
            0
        );
        assert_eq!(
            install.count("SELECT COALESCE(SUM(debit), 0) FROM journal_lines"),
            1_185_850
        );
        install.verified();
    }
}

#[test]
fn a_json_journal_is_posted_with_codes_or_ids() {
    for install in installs() {
        install.ok(&["tenant", "create", "--name", "Import Firm"]);
        let cash = install.account_id("1010");
        let wrapped = json!({"entries": [
            {"date": "2024-03-01", "reference": "J-1", "description": "Sale",
             "lines": [
                {"account": cash, "debit_amount": "25.00"},
                {"account": "4100", "credit_amount": 25, "description": "sale"}
             ]},
            {"date": "2024-03-02", "reference": "J-2",
             "lines": [
                {"account": 6100, "debit_amount": 10.5},
                {"account": "1010", "credit_amount": "10.50"}
             ]}
        ]});
        let file = install.file("journal.json", &wrapped.to_string());
        let out = install.ok(&["import", "journal", &file]);
        assert!(out.contains("posted 2 entries (4 lines)"), "{out}");
        // A bare array works too, and --format overrides the file's extension.
        let bare = json!([
            {"date": "2024-03-03", "reference": "J-3",
             "lines": [{"account": "1020", "debit_amount": "1"}, {"account": "3100", "credit_amount": "1"}]}
        ]);
        let file = install.file("more.txt", &bare.to_string());
        assert!(install.fails(&["import", "journal", &file]).contains("--format"));
        let out = install.ok(&["import", "journal", &file, "--format", "json"]);
        assert!(out.contains("posted 1 entry (2 lines)"), "{out}");
        assert_eq!(install.references(), ["J-1", "J-2", "J-3"]);
        install.verified();
    }
}

#[test]
fn a_refused_entry_fails_its_batch_and_names_its_row() {
    for install in installs() {
        install.ok(&["tenant", "create", "--name", "Import Firm"]);
        let stranger = Uuid::now_v7();
        // Batches of 2: entries 1–2 post; entry 3 (rows 6–7) names an account of no company,
        // so batch 2 (entries 3–4) is rolled back and entry 5 is never tried.
        let csv = format!(
            "entry,date,reference,description,account,line_description,debit,credit\n\
             a,2024-01-05,B-1,,1010,,10,\n\
             a,2024-01-05,B-1,,4100,,,10\n\
             b,2024-01-06,B-2,,1010,,20,\n\
             b,2024-01-06,B-2,,4100,,,20\n\
             c,2024-01-07,B-3,,1010,,30,\n\
             c,2024-01-07,B-3,,{stranger},,,30\n\
             d,2024-01-08,B-4,,1010,,40,\n\
             d,2024-01-08,B-4,,4100,,,40\n\
             e,2024-01-09,B-5,,1010,,50,\n\
             e,2024-01-09,B-5,,4100,,,50\n"
        );
        let file = install.file("journal.csv", &csv);
        let err = install.fails(&["import", "journal", &file, "--batch", "2"]);
        assert!(err.contains("batch 2 of 3"), "{err}");
        assert!(err.contains("entry \"c\" (row 6)"), "{err}");
        assert!(err.contains("row 7: lines[1].account"), "{err}");
        assert!(err.contains("2 entries (4 lines)"), "{err}");
        assert_eq!(install.references(), ["B-1", "B-2"], "batch 2 left something behind");
        assert_eq!(install.count("SELECT COUNT(*) FROM journal_lines"), 4);
        // An unbalanced entry in the first batch: nothing of that batch is posted.
        let unbalanced = "entry,date,account,debit,credit\nx,2024-02-01,1010,5,\nx,2024-02-01,4100,,4\n";
        let file = install.file("unbalanced.csv", unbalanced);
        let err = install.fails(&["import", "journal", &file]);
        assert!(err.contains("entry \"x\" (row 2)"), "{err}");
        assert!(err.contains("must equal credits"), "{err}");
        assert_eq!(install.references(), ["B-1", "B-2"]);
        install.verified();
    }
}

#[test]
fn a_malformed_file_posts_nothing() {
    for install in installs() {
        install.ok(&["tenant", "create", "--name", "Import Firm"]);
        let csv = "entry,date,reference,description,account,line_description,debit,credit\n\
                   1,2024-01-05,M-1,,1010,,10,\n\
                   1,2024-01-05,M-1,,4100,,,10\n\
                   2,2024-01-06,M-2,,1010,,10,\n\
                   2,2024-01-06,M-2,,9999,,,10\n";
        let err = install.fails(&["import", "journal", &install.file("bad.csv", csv)]);
        assert!(err.contains("nothing was imported"), "{err}");
        assert!(err.contains("row 5: lines[1].account"), "{err}");
        assert!(err.contains("\"9999\""), "{err}");
        let json = json!([
            {"date": "2024-01-05", "lines": [{"account": "1010", "debit_amount": "1"}, {"account": "4100", "credit_amount": "1"}]},
            {"date": "2024-13-01", "lines": [{"account": "1010", "debit_amount": "1"}, {"account": "4100", "credit_amount": "1"}]}
        ]);
        let err = install.fails(&["import", "journal", &install.file("bad.json", &json.to_string())]);
        assert!(err.contains("entries[1]: date"), "{err}");
        assert_eq!(install.count("SELECT COUNT(*) FROM journal_entries"), 0);
        // Two firms: the firm must be named.
        install.ok(&["tenant", "create", "--name", "Second Firm"]);
        let err = install.fails(&["import", "journal", &install.file("ok.json", "[]")]);
        assert!(err.contains("--tenant"), "{err}");
    }
}

/// `oasys import rates`: the ECB's reference rates into a euro company (the inverses), again
/// without adding anything, a preview that writes nothing, and a malformed file refused by row
/// and column with nothing written.
#[test]
fn exchange_rates_are_imported_from_a_file() {
    for install in installs() {
        install.ok(&["tenant", "create", "--name", "Rates Firm", "--currency", "EUR"]);
        let ecb = "Date,USD,JPY,CYP,\r\n2024-01-05,1.0921,158.83,N/A,\r\n2024-01-04,1.0953,159.16,N/A,\r\n";
        let file = install.file("eurofxref-hist.csv", ecb);
        let out = install.ok(&["import", "rates", &file, "--preview"]);
        assert!(out.contains("preview (nothing written): 4 rates (ecb): 4 new"), "{out}");
        assert_eq!(install.count("SELECT COUNT(*) FROM exchange_rates"), 0);
        let out = install.ok(&["import", "rates", &file]);
        assert!(out.contains("4 new, 0 changed, 0 unchanged"), "{out}");
        let out = install.ok(&["import", "rates", &file, "--format", "ecb"]);
        assert!(out.contains("0 new, 0 changed, 4 unchanged"), "{out}");
        let usd: i64 = install.query(|tx| {
            tx.query_one(
                "SELECT rate_e12 FROM exchange_rates WHERE currency = 'USD' AND date = '2024-01-05'",
                &[],
            )?
            .int(0)
        });
        assert_eq!(usd, 915_667_063_456, "1 / 1.0921, half away from zero at 12 decimals");
        let bad = install.file("bad.csv", "date,currency,rate\n2024-02-01,USD,1\n2024-02-02,EUR,2\n");
        let err = install.fails(&["import", "rates", &bad]);
        assert!(err.contains("row 3: currency: EUR is the company currency"), "{err}");
        let bad = install.file("bad2.csv", "date,currency,rate\n2024-02-01,USD,x\n");
        let err = install.fails(&["import", "rates", &bad]);
        assert!(err.contains("row 2: rate: \"x\" is not a rate"), "{err}");
        assert_eq!(install.count("SELECT COUNT(*) FROM exchange_rates"), 4);
    }
}

/// `oasys revalue`: a USD receivable of a euro company booked at 1.10 (a journal entry with a
/// foreign-currency line), previewed and revalued at 1.05 as of 31 March (a loss of 5.00, posted
/// and reversed on 1 April), a second run for the date refused, and the books still verify.
#[test]
fn foreign_currency_balances_are_revalued_from_the_command_line() {
    for install in installs() {
        install.ok(&["tenant", "create", "--name", "Revalue Firm", "--currency", "EUR"]);
        let entry = json!([
            {"date": "2024-03-01", "reference": "FX-1",
             "lines": [
                {"account": "1100", "debit_amount": "100.00", "currency": "USD", "exchange_rate": "1.10"},
                {"account": "4100", "credit_amount": "110.00"}
             ]}
        ]);
        let file = install.file("fx.json", &entry.to_string());
        install.ok(&["import", "journal", &file]);
        let out = install.ok(&["revalue", "--date", "2024-03-31", "--rate", "usd=1.05", "--preview"]);
        assert!(out.contains("preview (nothing written)"), "{out}");
        assert!(
            out.contains("1100 Accounts Receivable USD: 100.00 at 1.05 = 105.00 against 110.00 carried: -5.00"),
            "{out}"
        );
        assert_eq!(install.references(), ["FX-1"]);
        let out = install.ok(&["revalue", "--date", "2024-03-31", "--rate", "USD=1.05"]);
        assert!(out.contains("unrealised gain (loss): -5.00 EUR"), "{out}");
        assert_eq!(install.count("SELECT COUNT(*) FROM revaluation_runs"), 1);
        assert_eq!(install.count("SELECT COUNT(*) FROM journal_entries"), 3);
        let err = install.fails(&["revalue", "--date", "2024-03-31", "--rate", "USD=1.05"]);
        assert!(err.contains("has already been run"), "{err}");
        // No stored rate and none given: refused, naming the currency and the date.
        let err = install.fails(&["revalue", "--date", "2024-04-30"]);
        assert!(err.contains("USD") && err.contains("2024-04-30"), "{err}");
        let err = install.fails(&["revalue", "--date", "2024-04-30", "--rate", "USD=-1"]);
        assert!(err.contains("--rate"), "{err}");
        install.verified();
    }
}

/// `oasys import budget`: a tab-separated file into a budget, a preview naming a bad line and
/// writing nothing, a file with a bad line refused whole.
#[test]
fn a_budget_is_imported_from_a_file() {
    use oasys::domain::budgets::{Budget, BudgetStore, fiscal_start};
    for install in installs() {
        install.ok(&["tenant", "create", "--name", "Budget Firm"]);
        let budget = uuid::Uuid::now_v7();
        let store = install.store();
        let ids = store.platform_read(platform::tenant_ids).unwrap();
        store
            .tenant_write(&TenantScope::operator(ids[0]), |tx| {
                let company = tx.query_one("SELECT id FROM companies", &[])?.uuid(0)?;
                let now = jiff::Timestamp::now();
                tx.insert_budget(&Budget {
                    id: budget,
                    company_id: company,
                    name: "Original".into(),
                    fiscal_year: 2026,
                    start: fiscal_start(2026, 1).unwrap(),
                    notes: String::new(),
                    created_at: now,
                    updated_at: now,
                })
            })
            .unwrap();
        drop(store);
        let id = budget.to_string();
        let good = "Code\tJan\tFeb\tMar\tApr\tMay\tJun\tJul\tAug\tSep\tOct\tNov\tDec\n\
                    4100\t100\t100\t100\t100\t100\t100\t100\t100\t100\t100\t100\t100\n\
                    6100\t1,000.50\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n";
        let file = install.file("budget.tsv", good);
        let out = install.ok(&["import", "budget", &file, "--budget", &id, "--preview"]);
        assert!(out.contains("preview (nothing written): 2 lines"), "{out}");
        assert_eq!(install.count("SELECT COUNT(*) FROM budget_amounts"), 0);
        let out = install.ok(&["import", "budget", &file, "--budget", &id]);
        assert!(out.contains("2 accounts"), "{out}");
        assert_eq!(install.count("SELECT COUNT(*) FROM budget_amounts"), 13);
        assert_eq!(
            install.count("SELECT SUM(amount) FROM budget_amounts"),
            120_000 + 100_050
        );
        let bad = install.file(
            "bad.csv",
            "4100,1,1,1,1,1,1,1,1,1,1,1,1\n1010,1,1,1,1,1,1,1,1,1,1,1,1\n",
        );
        let err = install.fails(&["import", "budget", &bad, "--budget", &id]);
        assert!(err.contains("line 2: code: 1010"), "{err}");
        assert_eq!(
            install.count("SELECT SUM(amount) FROM budget_amounts"),
            120_000 + 100_050
        );
        let err = install.fails(&["import", "budget", &file, "--budget", &uuid::Uuid::nil().to_string()]);
        assert!(err.contains("no such budget"), "{err}");
    }
}
