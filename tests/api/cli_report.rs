//! `oasys report tax-return` and `oasys reindex`, the real binary: a quarter of taxed sales and
//! purchases made through the API printed as text, CSV and JSON with the figures computed by
//! hand; a bad format or date refused before anything is opened; reindex on an installation
//! without firms, and a firm whose index cannot be rebuilt named with a non-zero exit.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Value, json};

use crate::fixtures::{BILLS, CUSTOMERS, Firm, INVOICES, TAX_RATES, VENDORS, id};
use crate::helpers::{Backend, TestApp, backends, on_postgres, output_text};
use crate::on_every_backend;

/// The binary on an installation: its data dir, and on PostgreSQL its platform schema.
fn oasys(backend: &Backend, schema: &str, data_dir: &Path, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("oasys.toml");
    std::fs::write(&config, "# test configuration: defaults only\n").unwrap();
    let mut cmd = crate::helpers::oasys_command(&config, data_dir);
    if let Backend::Postgres(url) = backend {
        on_postgres(&mut cmd, url, schema);
    }
    cmd.args(args).output().unwrap()
}

async fn rate(f: &Firm, name: &str, percent: &str, inclusive: bool) -> String {
    let body = json!({"name": name, "kind": "vat", "rate": percent, "is_inclusive": inclusive,
                      "sales_account": f.acct("2200"), "purchase_account": f.acct("1400")});
    id(&f.create(TAX_RATES, body).await).to_owned()
}

fn line(f: &Firm, price: &str, tax: &str, account: &str) -> Value {
    json!({"description": "Line", "quantity": "1", "unit_price": price, "tax_rate": tax, "account": f.acct(account)})
}

async fn tax_return_is_printed_as_text_csv_and_json(app: TestApp) {
    let f = Firm::register(&app, "owner@cli-report.test", "Report Books").await;
    let standard = rate(&f, "VAT 20%", "20", false).await;
    let reduced = rate(&f, "VAT 5% incl", "5", true).await;
    let customer = id(&f.create(CUSTOMERS, json!({"name": "Acme"})).await).to_owned();
    let vendor = id(&f.create(VENDORS, json!({"name": "Supplies Ltd"})).await).to_owned();
    // Sales: 200.00 at 20 % (tax 40.00); 105.00 at 5 % inclusive (net 100.00, tax 5.00).
    f.issued(
        INVOICES,
        json!({"contact": customer, "issue_date": "2026-01-10", "lines": [
            line(&f, "200.00", &standard, "4100"), line(&f, "105.00", &reduced, "4100")]}),
    )
    .await;
    // Purchases: 300.00 at 20 % (tax 60.00).
    f.issued(
        BILLS,
        json!({"contact": vendor, "issue_date": "2026-02-20", "lines": [line(&f, "300.00", &standard, "6400")]}),
    )
    .await;
    // After the quarter: not in it.
    f.issued(
        INVOICES,
        json!({"contact": customer, "issue_date": "2026-04-02", "lines": [line(&f, "1000.00", &standard, "4100")]}),
    )
    .await;

    let (backend, schema, data) = (
        app.backend.clone(),
        app.platform_schema.clone(),
        app.data_dir().to_path_buf(),
    );
    let report = move |format: &str| {
        let args = [
            "report",
            "tax-return",
            "--from",
            "2026-01-01",
            "--to",
            "2026-03-31",
            "--layout",
            "uk-vat-9-box",
            "--format",
            format,
        ];
        let out = oasys(&backend, &schema, &data, &args);
        let text = output_text(&out);
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            text,
        )
    };
    let (json_run, csv_run, text_run, xml_run) =
        tokio::task::spawn_blocking(move || (report("json"), report("csv"), report("text"), report("xml")))
            .await
            .unwrap();

    let (ok, stdout, all) = json_run;
    assert!(ok, "{all}");
    let r: Value = serde_json::from_str(&stdout).unwrap();
    let rows: Vec<Vec<&str>> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            ["name", "sales_net", "sales_tax", "purchases_net", "purchases_tax"]
                .iter()
                .map(|k| row[k].as_str().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(
        rows,
        [
            ["VAT 20%", "200.00", "40.00", "300.00", "60.00"],
            ["VAT 5% incl", "100.00", "5.00", "0.00", "0.00"]
        ],
        "{r}"
    );
    let totals = &r["totals"];
    assert_eq!(
        [
            &totals["sales_net"],
            &totals["sales_tax"],
            &totals["purchases_net"],
            &totals["purchases_tax"]
        ],
        ["300.00", "45.00", "300.00", "60.00"]
    );
    assert_eq!(r["net_payable"], "-15.00", "45.00 − 60.00");
    let boxes: Vec<(&str, &str)> = r["boxes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["box"].as_str().unwrap(), b["amount"].as_str().unwrap()))
        .collect();
    assert_eq!(
        boxes,
        [
            ("1", "45.00"),
            ("2", "0.00"),
            ("3", "45.00"),
            ("4", "60.00"),
            ("5", "-15.00"),
            ("6", "300.00"),
            ("7", "300.00"),
            ("8", "0.00"),
            ("9", "0.00")
        ]
    );

    let (ok, csv, all) = csv_run;
    assert!(ok, "{all}");
    assert!(csv.contains("VAT 20%,,200.00,40.00,300.00,60.00"), "{csv}");
    assert!(csv.contains("VAT 5% incl,,100.00,5.00,0.00,0.00"), "{csv}");
    assert!(csv.contains("Net tax payable (negative: refundable),-15.00"), "{csv}");

    // Text: the title line, each box (those the layout leaves empty said so), the rows per
    // rate aligned in columns, the totals and the net payable.
    let (ok, text, all) = text_run;
    assert!(ok, "{all}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "{} — 2026-01-01 to 2026-03-31 ({})",
            r["layout_title"].as_str().unwrap(),
            r["currency"].as_str().unwrap()
        )
    );
    for b in r["boxes"].as_array().unwrap() {
        let empty = if b["mapped"] == true { "" } else { "  (left empty)" };
        let want = format!(
            "Box {:>3}  {:>16}  {}{empty}",
            b["box"].as_str().unwrap(),
            b["amount"].as_str().unwrap(),
            b["label"].as_str().unwrap()
        );
        assert!(lines.contains(&want.as_str()), "no {want:?} in\n{text}");
    }
    assert_eq!(text.matches("(left empty)").count(), 3, "boxes 2, 8 and 9:\n{text}");
    for row in [
        ["Rate", "Sales net", "Sales tax", "Purchases net", "Purchases tax"],
        ["VAT 20%", "200.00", "40.00", "300.00", "60.00"],
        ["VAT 5% incl", "100.00", "5.00", "0.00", "0.00"],
        ["Total", "300.00", "45.00", "300.00", "60.00"],
    ] {
        let want = format!(
            "{:<40} {:>14} {:>14} {:>14} {:>14}",
            row[0], row[1], row[2], row[3], row[4]
        );
        assert!(lines.contains(&want.as_str()), "no {want:?} in\n{text}");
    }
    assert_eq!(lines.last(), Some(&"Net tax payable (negative: refundable): -15.00"));

    let (ok, stdout, all) = xml_run;
    assert!(!ok, "{all}");
    assert!(stdout.is_empty(), "nothing printed: {stdout}");
    assert!(all.contains("--format is text, csv or json, not \"xml\""), "{all}");
}
on_every_backend!(
    a_tax_return_is_printed_as_text_csv_and_json,
    tax_return_is_printed_as_text_csv_and_json
);

/// A date that is not one is refused before the books are opened.
#[test]
fn a_tax_return_of_no_real_period_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = oasys(
        &Backend::Sqlite,
        "",
        &data,
        &["report", "tax-return", "--from", "2026-02-30", "--to", "2026-03-31"],
    );
    let text = output_text(&out);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("--from: \"2026-02-30\" is not a date (YYYY-MM-DD)"),
        "{text}"
    );
    assert!(!data.exists(), "nothing was opened or made");
}

/// One installation per backend: a data dir and (on PostgreSQL) a platform schema.
fn installation() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let schema = format!("reindex_{}", uuid::Uuid::new_v4().simple());
    (dir, data, schema)
}

#[test]
fn reindex_says_so_when_there_is_nothing_to_index_and_names_a_firm_that_fails() {
    for backend in backends() {
        let (_dir, data, schema) = installation();
        let run = |args: &[&str]| oasys(&backend, &schema, &data, args);
        let out = run(&["reindex"]);
        assert!(out.status.success(), "{}", output_text(&out));
        assert_eq!(String::from_utf8_lossy(&out.stdout), "no firms to index\n");

        let created = run(&["tenant", "create", "--name", "Acme"]);
        assert!(created.status.success(), "{}", output_text(&created));
        let firm = String::from_utf8_lossy(&created.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("created firm "))
            .and_then(|l| l.split_whitespace().next())
            .unwrap()
            .to_owned();
        let out = run(&["reindex", "--tenant", &firm]);
        assert!(out.status.success(), "{}", output_text(&out));

        // A file where the firm's index directory belongs: it cannot be rebuilt.
        let index = data.join("tenants").join(&firm).join("search");
        std::fs::remove_dir_all(&index).unwrap();
        std::fs::write(&index, "in the way").unwrap();
        let out = run(&["reindex"]);
        let text = output_text(&out);
        assert!(!out.status.success(), "{backend:?}: {text}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.starts_with(&format!("FAILED: firm Acme ({firm}): ")), "{text}");
        assert!(text.contains("1 firm(s) could not be indexed"), "{text}");
        assert!(index.is_file(), "left as it was");

        std::fs::remove_file(&index).unwrap();
        let out = run(&["reindex"]);
        assert!(out.status.success(), "{}", output_text(&out));
        assert!(
            String::from_utf8_lossy(&out.stdout).starts_with(&format!("firm Acme ({firm}): ")),
            "{}",
            output_text(&out)
        );
        assert!(index.is_dir(), "rebuilt");
    }
}
