//! The financial statements over HTTP: balance sheet, profit and loss with comparisons, cash
//! flow and changes in equity on a worked example; agreement with the year-end close; a
//! property test over random posted entries; the cash flow class of an account; bad input and
//! companies the caller cannot see.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{ACCOUNTS, Firm, GENERAL_LEDGER, PERIODS, assert_field_error};
use crate::helpers::TestApp;
use crate::on_every_backend;

const BALANCE_SHEET: &str = "/api/reports/balance-sheet/";
const PROFIT_AND_LOSS: &str = "/api/reports/profit-and-loss/";
const CASH_FLOW: &str = "/api/reports/cash-flow/";
const EQUITY_CHANGES: &str = "/api/reports/equity-changes/";

async fn report(f: &Firm, path: &str, query: &str) -> Value {
    let r = f.get(&format!("{path}?{query}")).await;
    assert_eq!(r.status, StatusCode::OK, "{path}?{query}: {}", r.body);
    r.body
}

/// The amounts of the row with `key` (a computed line).
fn line(s: &Value, key: &str) -> Vec<String> {
    s["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no {key} in {s}"))["amounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// The amounts of the `kind` row of the account with `code`.
fn account(s: &Value, kind: &str, code: &str) -> Option<Vec<String>> {
    s["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code && r["kind"] == kind)
        .map(|r| {
            r["amounts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect()
        })
}

/// Minor units of an API amount.
fn cents(v: &str) -> i64 {
    let neg = v.starts_with('-');
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    let n: i64 = digits.parse().unwrap();
    if neg { -n } else { n }
}

async fn the_statements_of_a_worked_example(app: TestApp) {
    let f = Firm::register(&app, "fs@example.com", "Statements Firm").await;
    // 2025: capital 10 000, sales 5 000 (3 000 paid, 2 000 on credit), rent 1 200, equipment
    // 4 000 bought from the bank, a loan of 2 500.
    f.posted(f.transfer("2025-01-02", "1020", "3100", "10000.00")).await;
    f.posted(f.transfer("2025-03-01", "1020", "4100", "3000.00")).await;
    f.posted(f.transfer("2025-04-01", "1100", "4200", "2000.00")).await;
    f.posted(f.transfer("2025-05-01", "6100", "1020", "1200.00")).await;
    f.posted(f.transfer("2025-06-01", "1510", "1020", "4000.00")).await;
    f.posted(f.transfer("2025-07-01", "1020", "2500", "2500.00")).await;
    // 2026: sales 1 000 in cash, the owner draws 300.
    f.posted(f.transfer("2026-02-01", "1020", "4100", "1000.00")).await;
    f.posted(f.transfer("2026-03-01", "3300", "1020", "300.00")).await;

    let bs = report(&f, BALANCE_SHEET, "as_of=2025-12-31").await;
    assert_eq!(bs["report"], "balance_sheet");
    assert_eq!(bs["columns"][0]["date_to"], "2025-12-31");
    assert_eq!(line(&bs, "total_assets"), ["16300.00"]);
    assert_eq!(line(&bs, "total_liabilities"), ["2500.00"]);
    assert_eq!(line(&bs, "current_earnings"), ["3800.00"]);
    assert_eq!(line(&bs, "total_equity"), ["13800.00"]);
    assert_eq!(line(&bs, "total_liabilities_and_equity"), ["16300.00"]);
    // Grouped by the tree: 1020 and 1100 under 1000 Current Assets, with a subtotal.
    assert_eq!(account(&bs, "account", "1020"), Some(vec!["10300.00".to_owned()]));
    assert_eq!(account(&bs, "subtotal", "1000"), Some(vec!["12300.00".to_owned()]));
    let row = bs["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "1020")
        .unwrap();
    assert_eq!(row["depth"], 2);
    assert_eq!(row["account"], f.acct("1020").as_str());
    // Accounts with nothing are left out.
    assert_eq!(account(&bs, "account", "1010"), None);

    // The figure drills down to the general ledger: the account's closing balance there.
    let gl = f
        .get(&format!(
            "{GENERAL_LEDGER}?account={}&date_from=2025-01-01&date_to=2025-12-31",
            f.acct("1020")
        ))
        .await;
    assert_eq!(gl.body["closing_balance"], "10300.00");

    let compared = report(&f, BALANCE_SHEET, "as_of=2026-12-31&compare=previous_year").await;
    assert_eq!(line(&compared, "total_assets"), ["17000.00", "16300.00"]);
    assert_eq!(line(&compared, "current_earnings"), ["4800.00", "3800.00"]);

    let pl = report(
        &f,
        PROFIT_AND_LOSS,
        "date_from=2026-01-01&date_to=2026-12-31&compare=previous_year",
    )
    .await;
    assert_eq!(pl["columns"][1]["date_from"], "2025-01-01");
    assert_eq!(pl["columns"][1]["date_to"], "2025-12-31");
    assert_eq!(line(&pl, "total_revenue"), ["1000.00", "5000.00"]);
    assert_eq!(line(&pl, "total_expenses"), ["0.00", "1200.00"]);
    assert_eq!(line(&pl, "net_result"), ["1000.00", "3800.00"]);
    assert_eq!(
        account(&pl, "subtotal", "4000"),
        Some(vec!["1000.00".to_owned(), "5000.00".to_owned()])
    );

    let months = report(
        &f,
        PROFIT_AND_LOSS,
        "date_from=2025-01-01&date_to=2025-12-31&compare=months",
    )
    .await;
    assert_eq!(months["columns"].as_array().unwrap().len(), 12);
    let net = line(&months, "net_result");
    assert_eq!(
        (net[2].as_str(), net[3].as_str(), net[4].as_str()),
        ("3000.00", "2000.00", "-1200.00")
    );
    let chosen = report(
        &f,
        PROFIT_AND_LOSS,
        "date_from=2025-03-01&date_to=2025-03-31&periods=2025-04-01/2025-04-30,2025-01-01/2025-12-31",
    )
    .await;
    assert_eq!(line(&chosen, "net_result"), ["3000.00", "2000.00", "3800.00"]);
    let previous = report(
        &f,
        PROFIT_AND_LOSS,
        "date_from=2025-04-01&date_to=2025-06-30&compare=previous_period",
    )
    .await;
    assert_eq!(previous["columns"][1]["date_from"], "2025-01-01");
    assert_eq!(line(&previous, "net_result"), ["800.00", "3000.00"]);

    let cf = report(&f, CASH_FLOW, "date_from=2025-01-01&date_to=2025-12-31").await;
    assert_eq!(line(&cf, "net_result"), ["3800.00"]);
    // The receivable grew by 2 000: less cash from operations.
    assert_eq!(account(&cf, "account", "1100"), Some(vec!["-2000.00".to_owned()]));
    assert_eq!(line(&cf, "net_operating"), ["1800.00"]);
    assert_eq!(line(&cf, "net_investing"), ["-4000.00"]);
    assert_eq!(line(&cf, "net_financing"), ["12500.00"]);
    assert_eq!(line(&cf, "net_change"), ["10300.00"]);
    assert_eq!(line(&cf, "cash_opening"), ["0.00"]);
    assert_eq!(line(&cf, "cash_closing"), ["10300.00"]);

    let eq = report(&f, EQUITY_CHANGES, "date_from=2026-01-01&date_to=2026-12-31").await;
    let keys: Vec<&str> = eq["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["opening", "result", "year_end_close", "other", "closing"]);
    assert_eq!(eq["columns"][0]["date_to"], "2025-12-31");
    assert_eq!(
        line(&eq, "total_equity"),
        ["13800.00", "1000.00", "0.00", "-300.00", "14500.00"]
    );
    assert_eq!(
        line(&eq, "current_earnings"),
        ["3800.00", "1000.00", "0.00", "0.00", "4800.00"]
    );
    assert_eq!(
        account(&eq, "account", "3300"),
        Some(
            ["0.00", "0.00", "0.00", "-300.00", "-300.00"]
                .map(str::to_owned)
                .to_vec()
        )
    );

    // The year-end close moves the result into retained earnings: the P&L still shows the
    // year's result, the balance sheet's totals do not change, the equity changes show the move.
    let r = f
        .post(&format!("{PERIODS}year-end/"), json!({ "date": "2025-12-31" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let after = report(&f, BALANCE_SHEET, "as_of=2025-12-31").await;
    assert_eq!(line(&after, "current_earnings"), ["0.00"]);
    assert_eq!(account(&after, "account", "3200"), Some(vec!["3800.00".to_owned()]));
    assert_eq!(line(&after, "total_equity"), ["13800.00"]);
    let pl = report(&f, PROFIT_AND_LOSS, "date_from=2025-01-01&date_to=2025-12-31").await;
    assert_eq!(line(&pl, "net_result"), ["3800.00"]);
    let cf = report(&f, CASH_FLOW, "date_from=2025-01-01&date_to=2025-12-31").await;
    assert_eq!(line(&cf, "net_result"), ["3800.00"]);
    assert_eq!(line(&cf, "net_change"), ["10300.00"]);
    let eq = report(&f, EQUITY_CHANGES, "date_from=2025-01-01&date_to=2025-12-31").await;
    assert_eq!(
        line(&eq, "current_earnings"),
        ["0.00", "3800.00", "-3800.00", "0.00", "0.00"]
    );
    assert_eq!(
        account(&eq, "account", "3200"),
        Some(
            ["0.00", "0.00", "3800.00", "0.00", "3800.00"]
                .map(str::to_owned)
                .to_vec()
        )
    );
    let eq = report(&f, EQUITY_CHANGES, "date_from=2026-01-01&date_to=2026-12-31").await;
    assert_eq!(
        line(&eq, "total_equity"),
        ["13800.00", "1000.00", "0.00", "-300.00", "14500.00"]
    );
}
on_every_backend!(statements_of_a_worked_example, the_statements_of_a_worked_example);

async fn the_cash_flow_class_is_kept_per_account(app: TestApp) {
    let f = Firm::register(&app, "cf@example.com", "Cash Flow Firm").await;
    let path = format!("{ACCOUNTS}{}/", f.acct("1300"));
    let r = f.get(&path).await;
    assert_eq!(r.body["cash_flow"], "operating");
    assert_eq!(r.body["cash_flow_chosen"], false);
    assert_eq!(
        f.get(&format!("{ACCOUNTS}{}/", f.acct("1020"))).await.body["cash_flow"],
        "cash"
    );
    assert_eq!(
        f.get(&format!("{ACCOUNTS}{}/", f.acct("2500"))).await.body["cash_flow"],
        "financing"
    );
    f.posted(f.transfer("2026-01-10", "1300", "1020", "600.00")).await;
    let cf = report(&f, CASH_FLOW, "date_from=2026-01-01&date_to=2026-01-31").await;
    assert_eq!(line(&cf, "net_operating"), ["-600.00"]);

    let r = f.patch(&path, json!({ "cash_flow": "investing" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["cash_flow"], "investing");
    assert_eq!(r.body["cash_flow_chosen"], true);
    let cf = report(&f, CASH_FLOW, "date_from=2026-01-01&date_to=2026-01-31").await;
    assert_eq!(line(&cf, "net_operating"), ["0.00"]);
    assert_eq!(line(&cf, "net_investing"), ["-600.00"]);
    assert_eq!(line(&cf, "net_change"), ["-600.00"]);

    let bad = f.patch(&path, json!({ "cash_flow": "sideways" })).await;
    assert_field_error(&bad, "cash_flow");
    assert_eq!(
        f.get(&path).await.body["cash_flow"],
        "investing",
        "a refused change changes nothing"
    );
    let r = f.patch(&path, json!({ "cash_flow": null })).await;
    assert_eq!(
        r.body["cash_flow"], "operating",
        "null returns to the default: {}",
        r.body
    );
    assert_eq!(r.body["cash_flow_chosen"], false);
}
on_every_backend!(cash_flow_class_per_account, the_cash_flow_class_is_kept_per_account);

/// A small deterministic generator (xorshift), so a failure names its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// After each random posted entry (and a year-end close halfway): the balance sheet balances,
/// the P&L's result equals the change in equity from operations, and the cash flow's net change
/// equals the change in the cash and bank balances.
async fn statements_agree_after_random_entries(app: TestApp) {
    let f = Firm::register(&app, "prop@example.com", "Property Firm").await;
    let codes = [
        "1010", "1020", "1100", "1200", "1510", "2100", "2200", "2500", "3100", "3300", "4100", "4900", "5000", "6100",
        "6600",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for step in 0..14 {
        let month = if step < 7 { 1 + step } else { step - 6 };
        let year = if step < 7 { 2025 } else { 2026 };
        let date = format!("{year}-{month:02}-1{}", rng.next(9));
        let dr = codes[rng.next(codes.len() as u64) as usize];
        let mut cr = codes[rng.next(codes.len() as u64) as usize];
        if cr == dr {
            cr = "1020";
        }
        if cr == dr {
            cr = "1010";
        }
        let amount = format!("{}.{:02}", 1 + rng.next(50_000), rng.next(100));
        f.posted(f.transfer(&date, dr, cr, &amount)).await;
        if step == 6 {
            let r = f
                .post(&format!("{PERIODS}year-end/"), json!({ "date": "2025-12-31" }))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        let (from, to) = if year == 2025 {
            ("2025-01-01", "2025-12-31")
        } else {
            ("2026-01-01", "2026-12-31")
        };
        let bs = report(&f, BALANCE_SHEET, &format!("as_of={to}")).await;
        assert_eq!(
            line(&bs, "total_assets"),
            line(&bs, "total_liabilities_and_equity"),
            "step {step}: {bs}"
        );
        let pl = report(&f, PROFIT_AND_LOSS, &format!("date_from={from}&date_to={to}")).await;
        let eq = report(&f, EQUITY_CHANGES, &format!("date_from={from}&date_to={to}")).await;
        let total = line(&eq, "total_equity");
        assert_eq!(
            line(&pl, "net_result")[0],
            total[1],
            "step {step}: result = equity from operations"
        );
        let sum: i64 = total[..4].iter().map(|v| cents(v)).sum();
        assert_eq!(sum, cents(&total[4]), "step {step}: equity changes add up");
        assert_eq!(total[4], line(&bs, "total_equity")[0], "step {step}");
        let cf = report(&f, CASH_FLOW, &format!("date_from={from}&date_to={to}")).await;
        let cash = |code: &str, s: &Value| account(s, "account", code).map_or(0, |v| cents(&v[0]));
        let before = report(
            &f,
            BALANCE_SHEET,
            &format!("as_of={}", if year == 2025 { "2024-12-31" } else { "2025-12-31" }),
        )
        .await;
        let change = cash("1010", &bs) + cash("1020", &bs) - cash("1010", &before) - cash("1020", &before);
        assert_eq!(cents(&line(&cf, "net_change")[0]), change, "step {step}: {cf}");
        assert_eq!(line(&cf, "net_result"), line(&pl, "net_result"), "step {step}");
    }
}
on_every_backend!(
    statements_agree_on_random_entries,
    statements_agree_after_random_entries
);

async fn bad_input_is_a_400_and_other_companies_are_404(app: TestApp) {
    let f = Firm::register(&app, "bad@example.com", "Bad Input Firm").await;
    for (path, query, field) in [
        (BALANCE_SHEET, "as_of=2026-02-30", "as_of"),
        (BALANCE_SHEET, "as_of=yesterday", "as_of"),
        (BALANCE_SHEET, "compare=months", "compare"),
        (PROFIT_AND_LOSS, "date_from=2026-03-01&date_to=2026-02-01", "date_from"),
        (PROFIT_AND_LOSS, "date_from=2026-13-01", "date_from"),
        (PROFIT_AND_LOSS, "compare=sideways", "compare"),
        (
            PROFIT_AND_LOSS,
            "date_from=2020-01-01&date_to=2026-12-31&compare=months",
            "compare",
        ),
        (PROFIT_AND_LOSS, "periods=2026-01-01", "periods"),
        (PROFIT_AND_LOSS, "periods=2026-02-01/2026-01-01", "periods"),
        (CASH_FLOW, "date_from=2026-03-01&date_to=2026-02-01", "date_from"),
        (EQUITY_CHANGES, "date_to=2026-02-31", "date_to"),
        (EQUITY_CHANGES, "date_from=2026-03-01&date_to=2026-02-01", "date_from"),
    ] {
        let r = f.get(&format!("{path}?{query}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}?{query}: {}", r.body);
        assert_field_error(&r, field);
    }
    let many: Vec<String> = (1..=25).map(|d| format!("2026-01-{:02}/2026-01-{:02}", d, d)).collect();
    let r = f.get(&format!("{PROFIT_AND_LOSS}?periods={}", many.join(","))).await;
    assert_field_error(&r, "periods");
    let some: Vec<String> = (1..=23).map(|d| format!("2026-01-{:02}/2026-01-{:02}", d, d)).collect();
    let r = f
        .get(&format!(
            "{PROFIT_AND_LOSS}?date_from=2026-01-01&date_to=2026-03-31&compare=previous_year&periods={}",
            some.join(",")
        ))
        .await;
    assert_field_error(&r, "compare");

    let theirs = Firm::register(&app, "theirs@example.com", "Their Firm").await;
    let sister = f.new_company("Sister Co", "EUR").await;
    sister
        .posted(sister.transfer("2026-01-05", "1020", "3100", "777.00"))
        .await;
    for path in [BALANCE_SHEET, PROFIT_AND_LOSS, CASH_FLOW, EQUITY_CHANGES] {
        for (who, company) in [(&theirs, sister.company.clone().unwrap()), (&f, uuid_like())] {
            let r = who
                .request(reqwest::Method::GET, path, None, &[("x-company-id", company.as_str())])
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path} as another firm: {}", r.body);
        }
        // One company's figures never show in another's.
        let mine = report(&f, path, "").await;
        assert!(!mine.to_string().contains("777.00"), "{path}: {mine}");
    }
    let theirs_bs = report(&sister, BALANCE_SHEET, "").await;
    assert_eq!(line(&theirs_bs, "total_assets"), ["777.00"]);
}
on_every_backend!(bad_input_and_isolation, bad_input_is_a_400_and_other_companies_are_404);

/// A company id nobody has.
fn uuid_like() -> String {
    "0190e0b0-0000-7000-8000-000000000001".to_owned()
}
