//! Tax returns over HTTP: a quarter with exclusive, inclusive and zero rates, a credit note, a
//! bill, voids inside and after the quarter and a hand-made entry on a tax account equals a
//! table computed by hand; filing posts the settlement and locks the quarter for tax changes
//! (a later change to a taxed document in it is refused, one after it is not); the layouts;
//! bad input writes nothing; another firm's and another company's returns are 404.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{
    AUDIT_LOG, BILLS, BULK, CREDIT_NOTES, CUSTOMERS, ENTRIES, Firm, INVOICES, TAX_RATES, VENDORS, assert_field_error,
    id, tb_row,
};
use crate::helpers::{Backend, TestApp, on_postgres, output_text};
use crate::on_every_backend;

const REPORT: &str = "/api/reports/tax-return/";
const LAYOUTS: &str = "/api/reports/tax-layouts/";
const RETURNS: &str = "/api/accounting/tax-returns/";
const SETTINGS: &str = "/api/accounting/tax-settings/";
const Q1: &str = "date_from=2026-01-01&date_to=2026-03-31";

async fn rate(f: &Firm, name: &str, percent: &str, inclusive: bool) -> String {
    let r = f
        .create(
            TAX_RATES,
            json!({"name": name, "kind": "vat", "rate": percent, "is_inclusive": inclusive,
                   "sales_account": f.acct("2200"), "purchase_account": f.acct("1400")}),
        )
        .await;
    id(&r).to_owned()
}

fn line(f: &Firm, qty: &str, price: &str, tax: &str, account: &str) -> Value {
    json!({"description": "Line", "quantity": qty, "unit_price": price, "tax_rate": tax, "account": f.acct(account)})
}

async fn report(f: &Firm, query: &str) -> Value {
    let r = f.get(&format!("{REPORT}?{query}")).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
    r.body
}

/// The rows as (name, sales net, sales tax, purchases net, purchases tax).
fn table(r: &Value) -> Vec<(String, String, String, String, String)> {
    let s = |v: &Value| v.as_str().unwrap().to_owned();
    r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                s(&row["name"]),
                s(&row["sales_net"]),
                s(&row["sales_tax"]),
                s(&row["purchases_net"]),
                s(&row["purchases_tax"]),
            )
        })
        .collect()
}

fn boxes(r: &Value) -> Vec<(String, String)> {
    r["boxes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["box"].as_str().unwrap().to_owned(),
                b["amount"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn row(name: &str, sn: &str, st: &str, pn: &str, pt: &str) -> (String, String, String, String, String) {
    (name.into(), sn.into(), st.into(), pn.into(), pt.into())
}

/// The quarter of the worked example, with its tax rates: (20 % exclusive, 5 % inclusive).
async fn a_quarter(f: &Firm) -> (String, String) {
    let standard = rate(f, "VAT 20%", "20", false).await;
    let reduced = rate(f, "VAT 5% incl", "5", true).await;
    let zero = rate(f, "Zero rated", "0", false).await;
    let customer = id(&f.create(CUSTOMERS, json!({"name": "Acme"})).await).to_owned();
    let vendor = id(&f.create(VENDORS, json!({"name": "Supplies Ltd"})).await).to_owned();
    // 2 × 100.00 at 20 % (net 200.00, tax 40.00); 105.00 at 5 % inclusive (net 100.00, tax
    // 5.00); 30.00 at 0 %.
    let inv = f
        .issued(
            INVOICES,
            json!({"contact": customer, "issue_date": "2026-01-10", "lines": [
                line(f, "2", "100.00", &standard, "4100"), line(f, "1", "105.00", &reduced, "4100"),
                line(f, "1", "30.00", &zero, "4100")]}),
        )
        .await;
    // A credit note of 50.00 at 20 % (net −50.00, tax −10.00).
    f.issued(
        CREDIT_NOTES,
        json!({"contact": customer, "issue_date": "2026-02-05", "credited_document": id(&inv),
               "lines": [line(f, "1", "50.00", &standard, "4100")]}),
    )
    .await;
    // A bill: 300.00 at 20 % (tax 60.00), 21.00 at 5 % inclusive (net 20.00, tax 1.00).
    f.issued(
        BILLS,
        json!({"contact": vendor, "issue_date": "2026-02-20", "lines": [
            line(f, "1", "300.00", &standard, "6400"), line(f, "1", "21.00", &reduced, "6400")]}),
    )
    .await;
    // Issued and voided inside the quarter: it counts nowhere.
    let gone = f
        .issued(
            INVOICES,
            json!({"contact": customer, "issue_date": "2026-03-01", "lines": [line(f, "1", "1000.00", &standard, "4100")]}),
        )
        .await;
    let r = f
        .post(&format!("{INVOICES}{}/void/", id(&gone)), json!({"date": "2026-03-15"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Issued in the quarter, voided after it: it counts in the quarter, and comes off in the next.
    let late = f
        .issued(
            INVOICES,
            json!({"contact": customer, "issue_date": "2026-03-30", "lines": [line(f, "1", "10.00", &standard, "4100")]}),
        )
        .await;
    let r = f
        .post(&format!("{INVOICES}{}/void/", id(&late)), json!({"date": "2026-04-02"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Import VAT paid by hand: tax on purchases without a taxable base.
    f.posted(f.entry("2026-03-20", "C79", &[("1400", "15.00", "0"), ("1020", "0", "15.00")]))
        .await;
    // Next quarter: 100.00 at 20 %.
    f.issued(
        INVOICES,
        json!({"contact": customer, "issue_date": "2026-04-10", "lines": [line(f, "1", "100.00", &standard, "4100")]}),
    )
    .await;
    (standard, customer)
}

async fn a_quarter_equals_the_table_computed_by_hand(app: TestApp) {
    let f = Firm::register(&app, "owner@tax-q1.test", "Tax Books").await;
    a_quarter(&f).await;
    let r = report(&f, &format!("{Q1}&layout=uk-vat-9-box")).await;
    assert_eq!(
        table(&r),
        [
            // 200.00 − 50.00 + 10.00; 40.00 − 10.00 + 2.00
            row("VAT 20%", "160.00", "32.00", "300.00", "60.00"),
            row("VAT 5% incl", "100.00", "5.00", "20.00", "1.00"),
            row("Zero rated", "30.00", "0.00", "0.00", "0.00"),
            row(
                "Other postings to 1400 Input Tax Receivable",
                "0.00",
                "0.00",
                "0.00",
                "15.00"
            ),
        ],
        "{r}"
    );
    assert_eq!(r["totals"]["sales_net"], "290.00");
    assert_eq!(r["totals"]["sales_tax"], "37.00");
    assert_eq!(r["totals"]["purchases_net"], "320.00");
    assert_eq!(r["totals"]["purchases_tax"], "76.00");
    assert_eq!(r["net_payable"], "-39.00", "a refund: 37.00 − 76.00");
    let b = |n: &str, a: &str| (n.to_owned(), a.to_owned());
    assert_eq!(
        boxes(&r),
        [
            b("1", "37.00"),
            b("2", "0.00"),
            b("3", "37.00"),
            b("4", "76.00"),
            b("5", "-39.00"),
            b("6", "290.00"),
            b("7", "320.00"),
            b("8", "0.00"),
            b("9", "0.00"),
        ]
    );
    let unmapped: Vec<&str> = r["boxes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["mapped"] == false)
        .map(|b| b["box"].as_str().unwrap())
        .collect();
    assert_eq!(unmapped, ["2", "8", "9"]);
    // The next quarter: the late invoice's void comes off, the new invoice counts. `from`/`to`
    // name the period too; the company's layout (generic) is the default.
    let q2 = report(&f, "from=2026-04-01&to=2026-06-30").await;
    assert_eq!(q2["layout"], "generic");
    assert_eq!(table(&q2)[0], row("VAT 20%", "90.00", "18.00", "0.00", "0.00"), "{q2}");
    assert_eq!(q2["net_payable"], "18.00");
    // The exports.
    for (format, kind) in [
        ("csv", "text/csv"),
        ("xlsx", "spreadsheetml"),
        ("pdf", "application/pdf"),
    ] {
        let r = f
            .raw(reqwest::Method::GET, &format!("{REPORT}?{Q1}&format={format}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{format}");
        let content_type = r.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(content_type.contains(kind), "{format}: {content_type}");
        let bytes = r.bytes().await.unwrap();
        if format == "csv" {
            let text = String::from_utf8(bytes.to_vec()).unwrap();
            assert!(text.contains("VAT 20%,,160.00,32.00,300.00,60.00"), "{text}");
            assert!(text.contains("Net tax payable (negative: refundable),-39.00"), "{text}");
        }
    }
    // The same return from the command line.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("oasys.toml");
    std::fs::write(&config, "# test configuration: defaults only\n").unwrap();
    let mut cmd = crate::helpers::oasys_command(&config, app.data_dir());
    if let Backend::Postgres(url) = &app.backend {
        on_postgres(&mut cmd, url, &app.platform_schema);
    }
    let out = cmd
        .args(["report", "tax-return", "--from", "2026-01-01", "--to", "2026-03-31"])
        .args(["--layout", "uk-vat-9-box", "--format", "csv"])
        .output()
        .unwrap();
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("VAT 20%,,160.00,32.00,300.00,60.00"), "{text}");
    assert!(text.contains("5,Net VAT to pay to HMRC or reclaim"), "{text}");
}
on_every_backend!(
    a_quarter_equals_the_hand_computed_table,
    a_quarter_equals_the_table_computed_by_hand
);

async fn filing_settles_and_locks_the_quarter(app: TestApp) {
    let f = Firm::register(&app, "owner@tax-file.test", "Filing Books").await;
    let (standard, customer) = a_quarter(&f).await;
    let entries = f.entry_count("status=posted").await;
    let r = f
        .post(
            RETURNS,
            json!({"date_from": "2026-01-01", "date_to": "2026-03-31", "layout": "uk-vat-9-box"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let filed = r.body;
    assert_eq!(filed["net_amount"], "-39.00");
    assert_eq!(filed["boxes"][4]["amount"], "-39.00", "{filed}");
    assert_eq!(f.entry_count("status=posted").await, entries + 1);
    // The settlement: the sales tax account's 37.00 moved into the input tax account, which
    // keeps the refund due.
    let entry = f
        .get(&format!("{ENTRIES}{}/", filed["settlement_entry"].as_str().unwrap()))
        .await;
    assert_eq!(entry.body["status"], "posted", "{}", entry.body);
    assert_eq!(entry.body["date"], "2026-03-31");
    let tb = f.trial_balance("2026-03-31").await;
    let zero = ("0.00".to_owned(), "0.00".to_owned());
    assert!(tb_row(&tb, "2200").is_none_or(|r| r == zero), "{tb}");
    assert_eq!(tb_row(&tb, "1400"), Some(("39.00".into(), "0.00".into())));
    // Filed, listed, audited; the settings show the lock.
    let r = f.get(&format!("{RETURNS}{}/", id(&filed))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["boxes"], filed["boxes"]);
    assert_eq!(f.count(RETURNS).await, 1);
    assert_eq!(f.get(SETTINGS).await.body["tax_lock_date"], "2026-03-31");
    assert_eq!(f.count(&format!("{AUDIT_LOG}?object_type=tax_return")).await, 1);
    // The filed quarter computes to the same figures afterwards (the settlement is left out).
    let again = report(&f, &format!("{Q1}&layout=uk-vat-9-box")).await;
    assert_eq!(again["net_payable"], "-39.00", "{again}");

    // Locked: a taxed invoice dated in the quarter, a hand-made entry on a tax account in it,
    // and voiding a taxed invoice of the quarter are refused; nothing is written.
    let draft = f
        .create(
            INVOICES,
            json!({"contact": customer, "issue_date": "2026-03-25", "lines": [line(&f, "1", "10.00", &standard, "4100")]}),
        )
        .await;
    let r = f.post(&format!("{INVOICES}{}/issue/", id(&draft)), json!({})).await;
    assert_field_error(&r, "issue_date");
    assert!(
        r.body["issue_date"][0]
            .as_str()
            .unwrap()
            .contains("filed through 2026-03-31"),
        "{}",
        r.body
    );
    let r = f
        .post(
            ENTRIES,
            f.entry("2026-03-10", "FIX", &[("2200", "1.00", "0"), ("1020", "0", "1.00")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = f.post(&format!("{ENTRIES}{}/post/", id(&r.body)), json!({})).await;
    assert_field_error(&r, "date");
    let entry = f.entry("2026-03-11", "BULK", &[("2200", "1.00", "0"), ("1020", "0", "1.00")]);
    let r = f.post(BULK, json!({ "entries": [entry] })).await;
    assert_field_error(&r, "entries[0]");
    let bill = f.get(BILLS).await.body["results"][0].clone();
    assert_eq!(bill["issue_date"], "2026-02-20");
    let r = f
        .post(&format!("{BILLS}{}/void/", id(&bill)), json!({"date": "2026-05-01"}))
        .await;
    assert_field_error(&r, "date");
    assert_eq!(f.entry_count("status=posted").await, entries + 1, "nothing written");
    // An entry in the quarter that touches no tax account still posts; so does a taxed invoice
    // after the quarter.
    f.posted(f.entry("2026-03-12", "CASH", &[("1010", "5.00", "0"), ("1020", "0", "5.00")]))
        .await;
    let later = f
        .create(
            INVOICES,
            json!({"contact": customer, "issue_date": "2026-04-01", "lines": [line(&f, "1", "10.00", &standard, "4100")]}),
        )
        .await;
    let r = f.post(&format!("{INVOICES}{}/issue/", id(&later)), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // The same quarter again, an overlapping period: refused, nothing written.
    for body in [
        json!({"date_from": "2026-01-01", "date_to": "2026-03-31"}),
        json!({"date_from": "2026-03-01", "date_to": "2026-04-30"}),
    ] {
        let r = f.post(RETURNS, body).await;
        assert_field_error(&r, "date_from");
    }
    assert_eq!(f.count(RETURNS).await, 1);
    // The next quarter files after it.
    let r = f
        .post(RETURNS, json!({"date_from": "2026-04-01", "date_to": "2026-06-30"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["net_amount"], "20.00", "18.00 and the invoice of 04-01 (2.00)");
    let list = f.get(RETURNS).await.body;
    assert_eq!(list["results"][0]["date_to"], "2026-06-30", "latest first: {list}");

    // `oasys verify` recomputes the tax locks in the hash chain and finds the settlements.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("oasys.toml");
    std::fs::write(&config, "# test configuration: defaults only\n").unwrap();
    let verify = || {
        let mut cmd = crate::helpers::oasys_command(&config, app.data_dir());
        if let Backend::Postgres(url) = &app.backend {
            on_postgres(&mut cmd, url, &app.platform_schema);
        }
        cmd.arg("verify").output().unwrap()
    };
    let out = verify();
    assert!(out.status.success(), "{}", output_text(&out));
    // A filed return altered in the database: its tax lock no longer recomputes.
    if matches!(app.backend, Backend::Sqlite) {
        let tenants = app.data_dir().join("tenants");
        let file = std::fs::read_dir(&tenants)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path()
            .join("ledger.db");
        let db = rusqlite::Connection::open(file).unwrap();
        db.execute(
            "UPDATE tax_returns SET period_to = '2026-06-29' WHERE period_to = '2026-06-30'",
            [],
        )
        .unwrap();
        drop(db);
        let out = verify();
        let text = output_text(&out);
        assert!(!out.status.success(), "{text}");
        assert!(text.contains("tax lock"), "{text}");
    }
}
on_every_backend!(
    filing_a_return_settles_and_locks_the_quarter,
    filing_settles_and_locks_the_quarter
);

async fn bad_input_writes_nothing(app: TestApp) {
    let f = Firm::register(&app, "owner@tax-bad.test", "Bad Books").await;
    rate(&f, "VAT 20%", "20", false).await;
    let entries = f.entry_count("status=posted").await;
    for (query, field) in [
        ("date_from=2026-04-01&date_to=2026-03-31", "date_from"),
        ("date_to=2026-03-31", "date_from"),
        ("date_from=2026-01-01&date_to=2026-02-30", "date_to"),
        (&format!("{Q1}&layout=narnia") as &str, "layout"),
        (&format!("{Q1}&format=docx") as &str, "format"),
    ] {
        let r = f.get(&format!("{REPORT}?{query}")).await;
        assert_field_error(&r, field);
    }
    for (body, field) in [
        (json!({"date_from": "2026-04-01", "date_to": "2026-03-31"}), "date_from"),
        (
            json!({"date_from": "2026-01-01", "date_to": "2026-03-31", "layout": "narnia"}),
            "layout",
        ),
        (json!({"date_from": "2026-01-01", "date_to": "2999-03-31"}), "date_to"),
        (json!({"date_to": "2026-03-31"}), "date_from"),
    ] {
        let r = f.post(RETURNS, body).await;
        assert_field_error(&r, field);
    }
    let r = f.patch(SETTINGS, json!({"layout": "narnia"})).await;
    assert_field_error(&r, "layout");
    let r = f.patch(SETTINGS, json!({"payable_account": "not-an-id"})).await;
    assert_field_error(&r, "payable_account");
    assert_eq!(f.count(RETURNS).await, 0);
    assert_eq!(f.entry_count("status=posted").await, entries);
    assert_eq!(f.get(SETTINGS).await.body["layout"], "generic");
    // A layout picked is the company's default; the layouts are listed with their boxes.
    let r = f
        .patch(
            SETTINGS,
            json!({"layout": "uk-vat-9-box", "payable_account": f.acct("2300")}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["payable_account"], f.acct("2300"));
    assert_eq!(report(&f, Q1).await["layout"], "uk-vat-9-box");
    let layouts = f.get(LAYOUTS).await.body;
    let names: Vec<&str> = layouts
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["generic", "uk-vat-9-box"]);
    assert_eq!(layouts[1]["boxes"][4]["value"], "box:3-box:4");
    // A nil return files with no settlement entry.
    let r = f
        .post(RETURNS, json!({"date_from": "2026-01-01", "date_to": "2026-03-31"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["settlement_entry"], Value::Null);
    assert_eq!(f.entry_count("status=posted").await, entries);
}
on_every_backend!(tax_return_bad_input_writes_nothing, bad_input_writes_nothing);

async fn other_firms_and_companies_see_404(app: TestApp) {
    let f = Firm::register(&app, "owner@tax-iso.test", "Iso Books").await;
    let r = f
        .post(RETURNS, json!({"date_from": "2026-01-01", "date_to": "2026-03-31"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let path = format!("{RETURNS}{}/", id(&r.body));
    assert_eq!(f.get(&path).await.status, StatusCode::OK);
    let other_firm = Firm::register(&app, "owner@tax-iso2.test", "Other Books").await;
    assert_eq!(other_firm.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other_firm.count(RETURNS).await, 0);
    let other_company = f.new_company("Second Ltd", "EUR").await;
    assert_eq!(other_company.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other_company.count(RETURNS).await, 0);
    assert_eq!(other_company.get(SETTINGS).await.body["tax_lock_date"], Value::Null);
    assert_eq!(
        f.get(&format!("{RETURNS}not-a-uuid/")).await.status,
        StatusCode::NOT_FOUND
    );
}
on_every_backend!(
    tax_returns_of_other_firms_and_companies_are_404,
    other_firms_and_companies_see_404
);
