//! The reports as files: `?format=xlsx`, `csv` and `pdf` on the financial statements and the
//! trial balance. The spreadsheet is opened (zip, sheet XML) and its cells checked against the
//! JSON report: numbers, not text, with the currency's decimals; a frozen header; bold totals.
//! The CSV has the JSON's rows; the PDF's text (lopdf) names the report and shows its totals.
//! A bad format is a 400; another firm's company is a 404 in every format. The general ledger
//! (the whole period in one file) and the ageing reports export the same way.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use regex::Regex;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fixtures::{CUSTOMERS, Firm, GENERAL_LEDGER, INVOICES, TRIAL_BALANCE, assert_field_error, id};
use crate::helpers::TestApp;
use crate::on_every_backend;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const REPORTS: [(&str, &str); 5] = [
    ("/api/reports/balance-sheet/", "as_of=2025-12-31&compare=previous_year"),
    (
        "/api/reports/profit-and-loss/",
        "date_from=2025-01-01&date_to=2025-12-31&compare=months",
    ),
    ("/api/reports/cash-flow/", "date_from=2025-01-01&date_to=2025-12-31"),
    (
        "/api/reports/equity-changes/",
        "date_from=2025-01-01&date_to=2025-12-31",
    ),
    (TRIAL_BALANCE, "as_of=2025-12-31"),
];

/// A cell of the sheet: a number or a (shared) string.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Number(f64),
    Text(String),
}

/// The cells by (row, column), each with its style index.
type Cells = HashMap<(usize, usize), (Cell, usize)>;
/// Each cell style's (number format id, font id), the number formats by id, which fonts are bold.
type Styles = (Vec<(usize, usize)>, HashMap<usize, String>, Vec<bool>);
/// A report line as the files lay it out: kind, code, name, amounts.
type ReportLine = (String, String, String, Vec<String>);

/// The file's bytes, its content type and its disposition.
async fn download(f: &Firm, url: &str) -> (Vec<u8>, String, String) {
    let res = f.raw(Method::GET, url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{url}");
    let header = |n: &str| {
        res.headers()
            .get(n)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (ct, cd) = (header("content-type"), header("content-disposition"));
    (res.bytes().await.unwrap().to_vec(), ct, cd)
}

fn entry(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> String {
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Column letters and row number of `A1`-style references, zero-based.
fn position(r: &str) -> (usize, usize) {
    let letters: String = r.chars().take_while(char::is_ascii_uppercase).collect();
    let col = letters.bytes().fold(0, |n, b| n * 26 + usize::from(b - b'A' + 1)) - 1;
    (r[letters.len()..].parse::<usize>().unwrap() - 1, col)
}

/// The sheet's cells by (row, column), its sheet XML and its styles XML.
fn open(bytes: &[u8]) -> (Cells, String, String) {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let sheet = entry(&mut zip, "xl/worksheets/sheet1.xml");
    let styles = entry(&mut zip, "xl/styles.xml");
    let shared: Vec<String> = if zip.by_name("xl/sharedStrings.xml").is_ok() {
        let xml = entry(&mut zip, "xl/sharedStrings.xml");
        let si = Regex::new(r"(?s)<si>(.*?)</si>").unwrap();
        let t = Regex::new(r"(?s)<t[^>]*>(.*?)</t>").unwrap();
        si.captures_iter(&xml)
            .map(|c| t.captures_iter(&c[1]).map(|t| unescape(&t[1])).collect())
            .collect()
    } else {
        Vec::new()
    };
    let cell = Regex::new(r#"(?s)<c r="([A-Z]+[0-9]+)"([^>]*?)(?:/>|>(.*?)</c>)"#).unwrap();
    let attr = |attrs: &str, name: &str| {
        Regex::new(&format!(r#"\b{name}="([^"]*)""#))
            .unwrap()
            .captures(attrs)
            .map(|c| c[1].to_owned())
    };
    let v = Regex::new(r"(?s)<v>(.*?)</v>").unwrap();
    let mut cells = HashMap::new();
    for c in cell.captures_iter(&sheet) {
        let (attrs, inner) = (&c[2], c.get(3).map_or("", |m| m.as_str()));
        let style = attr(attrs, "s").map_or(0, |s| s.parse().unwrap());
        let Some(value) = v.captures(inner).map(|m| m[1].to_owned()) else {
            continue;
        };
        let value = match attr(attrs, "t").as_deref() {
            Some("s") => Cell::Text(shared[value.parse::<usize>().unwrap()].clone()),
            Some("str" | "inlineStr") => Cell::Text(unescape(&value)),
            _ => Cell::Number(value.parse().unwrap()),
        };
        cells.insert(position(&c[1]), (value, style));
    }
    (cells, sheet, styles)
}

/// The `xf` styles of the cells (`cellXfs`), in order: (number format id, font id).
fn styles(xml: &str) -> Styles {
    let xfs = Regex::new(r"(?s)<cellXfs[^>]*>(.*?)</cellXfs>")
        .unwrap()
        .captures(xml)
        .unwrap()[1]
        .to_owned();
    let xf = Regex::new(r#"<xf numFmtId="(\d+)" fontId="(\d+)""#).unwrap();
    let cells = xf
        .captures_iter(&xfs)
        .map(|c| (c[1].parse().unwrap(), c[2].parse().unwrap()))
        .collect();
    let fmt = Regex::new(r#"<numFmt numFmtId="(\d+)" formatCode="([^"]*)""#).unwrap();
    let formats = fmt
        .captures_iter(xml)
        .map(|c| (c[1].parse().unwrap(), unescape(&c[2])))
        .collect();
    let fonts = Regex::new(r"(?s)<fonts[^>]*>(.*?)</fonts>")
        .unwrap()
        .captures(xml)
        .unwrap()[1]
        .to_owned();
    let bold = Regex::new(r"(?s)<font>(.*?)</font>").unwrap();
    let bolds = bold.captures_iter(&fonts).map(|c| c[1].contains("<b/>")).collect();
    (cells, formats, bolds)
}

/// Minor units of an API amount.
fn cents(v: &str) -> i64 {
    let neg = v.starts_with('-');
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    let n: i64 = digits.parse().unwrap();
    if neg { -n } else { n }
}

/// The JSON report as (kind, name, amounts) lines, the way the files lay it out.
fn lines(json: &Value) -> (Vec<ReportLine>, usize) {
    let strings = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_owned())
            .collect()
    };
    if json["report"].is_string() {
        let rows = json["rows"].as_array().unwrap();
        let out = rows
            .iter()
            .map(|r| {
                (
                    r["kind"].as_str().unwrap().to_owned(),
                    r["code"].as_str().unwrap().to_owned(),
                    r["name"].as_str().unwrap().to_owned(),
                    strings(&r["amounts"]),
                )
            })
            .collect();
        (out, json["columns"].as_array().unwrap().len())
    } else {
        let mut out: Vec<_> = json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let amounts = vec![
                    r["debit"].as_str().unwrap().to_owned(),
                    r["credit"].as_str().unwrap().to_owned(),
                ];
                (
                    "account".to_owned(),
                    r["code"].as_str().unwrap().to_owned(),
                    r["name"].as_str().unwrap().to_owned(),
                    amounts,
                )
            })
            .collect();
        let t = &json["totals"];
        let totals = vec![
            t["debit"].as_str().unwrap().to_owned(),
            t["credit"].as_str().unwrap().to_owned(),
        ];
        out.push(("total".to_owned(), String::new(), "Total".to_owned(), totals));
        (out, 2)
    }
}

async fn a_firm_with_a_year(app: &TestApp, email: &str) -> Firm {
    let f = Firm::register(app, email, "Export Firm").await;
    f.posted(f.transfer("2025-01-02", "1020", "3100", "10000.00")).await;
    f.posted(f.transfer("2025-03-01", "1020", "4100", "3000.00")).await;
    f.posted(f.transfer("2025-04-01", "1100", "4200", "2000.55")).await;
    f.posted(f.transfer("2025-05-01", "6100", "1020", "1200.10")).await;
    f.posted(f.transfer("2025-06-01", "1510", "1020", "4000.00")).await;
    f.posted(f.transfer("2025-07-01", "1020", "2500", "1234567.89")).await;
    f
}

async fn each_report_exports_the_json_figures_as_numbers(app: TestApp) {
    let f = a_firm_with_a_year(&app, "xlsx@example.com").await;
    for (path, query) in REPORTS {
        let json = f.get(&format!("{path}?{query}")).await;
        assert_eq!(json.status, StatusCode::OK, "{path}: {}", json.body);
        let (lines, columns) = lines(&json.body);
        assert!(
            lines.iter().any(|l| l.3.iter().any(|a| cents(a) != 0)),
            "{path}: nothing to compare"
        );

        let (bytes, ct, cd) = download(&f, &format!("{path}?{query}&format=xlsx")).await;
        assert_eq!(ct, XLSX, "{path}");
        assert!(
            cd.starts_with("attachment; filename=\"") && cd.ends_with(".xlsx\""),
            "{path}: {cd}"
        );
        let (cells, sheet, style_xml) = open(&bytes);
        let (xfs, formats, bold_fonts) = styles(&style_xml);
        assert!(
            sheet.contains(r#"state="frozen""#) && sheet.contains(r#"ySplit="1""#),
            "{path}: header not frozen"
        );
        assert_eq!(cells[&(0, 1)].0, Cell::Text("Account".to_owned()), "{path}");
        assert_eq!(
            cells.keys().filter(|(r, _)| *r == 0).count(),
            2 + columns,
            "{path}: headers"
        );
        for (i, (kind, code, name, amounts)) in lines.iter().enumerate() {
            let r = i + 1;
            assert_eq!(cells[&(r, 1)].0, Cell::Text(name.clone()), "{path} row {r}");
            if !code.is_empty() {
                assert_eq!(cells[&(r, 0)].0, Cell::Text(code.clone()), "{path} row {r}");
            }
            let bold = bold_fonts[xfs[cells[&(r, 1)].1].1];
            assert_eq!(bold, kind != "account", "{path} row {r} ({kind}): bold");
            assert_eq!(amounts.is_empty(), kind == "section", "{path} row {r}");
            for (c, amount) in amounts.iter().enumerate() {
                let (value, style) = &cells[&(r, 2 + c)];
                let Cell::Number(n) = value else {
                    panic!("{path} row {r} column {c}: {value:?} is not a number");
                };
                assert_eq!((n * 100.0).round() as i64, cents(amount), "{path} row {r} column {c}");
                assert_eq!(formats[&xfs[*style].0], "#,##0.00", "{path} row {r} column {c}");
            }
        }
        assert!(
            !cells.contains_key(&(lines.len() + 1, 1)),
            "{path}: more rows than the report"
        );

        let (bytes, ct, cd) = download(&f, &format!("{path}?{query}&format=csv")).await;
        assert_eq!(ct, "text/csv; charset=utf-8", "{path}");
        assert!(cd.ends_with(".csv\""), "{path}: {cd}");
        let text = String::from_utf8(bytes).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(reader.headers().unwrap().len(), 2 + columns, "{path}");
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), lines.len(), "{path}");
        for (rec, (_, code, name, amounts)) in records.iter().zip(&lines) {
            assert_eq!((&rec[0], &rec[1]), (code.as_str(), name.as_str()), "{path}");
            let got: Vec<&str> = rec.iter().skip(2).filter(|s| !s.is_empty()).collect();
            assert_eq!(got, amounts.iter().map(String::as_str).collect::<Vec<_>>(), "{path}");
        }

        if columns > 8 {
            // Too wide for a page: a 400 that says to ask for a spreadsheet.
            let r = f.get(&format!("{path}?{query}&format=pdf")).await;
            assert_field_error(&r, "format");
            continue;
        }
        let (bytes, ct, cd) = download(&f, &format!("{path}?{query}&format=pdf")).await;
        assert_eq!(ct, "application/pdf", "{path}");
        assert!(cd.ends_with(".pdf\"") && bytes.starts_with(b"%PDF-"), "{path}: {cd}");
        let pdf = lopdf::Document::load_mem(&bytes).unwrap();
        let pages: Vec<u32> = pdf.get_pages().keys().copied().collect();
        let text = pdf.extract_text(&pages).unwrap();
        let title = match json.body["report"].as_str() {
            Some("balance_sheet") => "Balance sheet",
            Some("profit_and_loss") => "Profit and loss",
            Some("cash_flow") => "Cash flow",
            Some(_) => "Changes in equity",
            None => "Trial balance",
        };
        assert!(text.contains(title), "{path}: {text}");
        for (kind, _, name, amounts) in lines.iter().filter(|l| l.0 == "total") {
            assert!(
                text.contains(name.as_str()),
                "{path}: {kind} {name} missing from {text}"
            );
            for a in amounts {
                assert!(text.contains(a.as_str()), "{path}: {name} {a} missing from {text}");
            }
        }
    }
}
on_every_backend!(exports_match_the_json, each_report_exports_the_json_figures_as_numbers);

async fn a_bad_format_is_a_400_and_other_companies_are_404(app: TestApp) {
    let f = a_firm_with_a_year(&app, "badfmt@example.com").await;
    for (path, _) in REPORTS {
        for bad in ["docx", "XLSX", "xls"] {
            let r = f.get(&format!("{path}?format={bad}")).await;
            assert_field_error(&r, "format");
        }
        let json = f.get(&format!("{path}?format=json")).await;
        assert_eq!(json.status, StatusCode::OK, "{path}");
    }
    let theirs = Firm::register(&app, "other@example.com", "Other Firm").await;
    let sister = f.new_company("Sister Co", "EUR").await;
    let company = sister.company.clone().unwrap();
    for (path, _) in REPORTS {
        for format in ["xlsx", "csv"] {
            let r = theirs
                .request(
                    Method::GET,
                    &format!("{path}?format={format}"),
                    None,
                    &[("x-company-id", company.as_str())],
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path} {format}: {}", r.body);
        }
    }
}
on_every_backend!(
    bad_format_and_isolation,
    a_bad_format_is_a_400_and_other_companies_are_404
);

async fn the_ledger_and_the_ageing_export_their_rows(app: TestApp) {
    let f = a_firm_with_a_year(&app, "ledger-export@example.com").await;
    let acme = id(&f.create(CUSTOMERS, json!({ "name": "Acme" })).await).to_owned();
    for (date, price) in [("2025-10-01", "250.00"), ("2025-12-20", "99.95")] {
        f.issued(
            INVOICES,
            json!({ "contact": acme, "issue_date": date,
                    "lines": [{ "description": "Work", "quantity": "1", "unit_price": price, "account": f.acct("4100") }] }),
        )
        .await;
    }
    // The bank's ledger over 2025: the opening, each posting with its running balance, the closing.
    let query = format!("account={}&date_from=2025-01-01&date_to=2025-12-31", f.acct("1020"));
    let json = f.get(&format!("{GENERAL_LEDGER}?{query}&page_size=2")).await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.body);
    let count = json.body["count"].as_u64().unwrap() as usize;
    assert!(count > 2, "more postings than one page: {}", json.body);
    let all = f.get(&format!("{GENERAL_LEDGER}?{query}&page_size=200")).await.body;
    let (bytes, ct, cd) = download(&f, &format!("{GENERAL_LEDGER}?{query}&format=xlsx")).await;
    assert_eq!(ct, XLSX);
    assert!(cd.contains("general-ledger-1020-2025-12-31.xlsx"), "{cd}");
    let (cells, _, _) = open(&bytes);
    assert_eq!(cells[&(0, 3)].0, Cell::Text("Description".into()));
    assert_eq!(cells[&(0, 6)].0, Cell::Text("Balance".into()));
    assert_eq!(cells[&(1, 3)].0, Cell::Text("Opening balance".into()));
    for (i, row) in all["results"].as_array().unwrap().iter().enumerate() {
        let Cell::Number(balance) = cells[&(i + 2, 6)].0 else {
            panic!("row {i}: the balance is not a number");
        };
        assert_eq!(
            (balance * 100.0).round() as i64,
            cents(row["balance"].as_str().unwrap()),
            "row {i}"
        );
    }
    let Cell::Number(closing) = cells[&(count + 2, 6)].0 else {
        panic!("no closing balance");
    };
    assert_eq!(
        (closing * 100.0).round() as i64,
        cents(all["closing_balance"].as_str().unwrap())
    );
    let (bytes, ct, _) = download(&f, &format!("{GENERAL_LEDGER}?{query}&format=csv")).await;
    assert_eq!(ct, "text/csv; charset=utf-8");
    let records = csv::Reader::from_reader(bytes.as_slice()).records().count();
    assert_eq!(records, count + 2, "opening, postings, closing");
    let (bytes, _, _) = download(&f, &format!("{GENERAL_LEDGER}?{query}&format=pdf")).await;
    let pdf = lopdf::Document::load_mem(&bytes).unwrap();
    let text = pdf
        .extract_text(&pdf.get_pages().keys().copied().collect::<Vec<_>>())
        .unwrap();
    assert!(
        text.contains("General ledger") && text.contains(all["closing_balance"].as_str().unwrap()),
        "{text}"
    );
    let r = f.get(&format!("{GENERAL_LEDGER}?{query}&format=docx")).await;
    assert_field_error(&r, "format");

    // The aged receivables: a line per customer and the totals, as numbers.
    let json = f.get("/api/reports/aged-receivables/?as_of=2026-01-31").await.body;
    let (bytes, ct, _) = download(&f, "/api/reports/aged-receivables/?as_of=2026-01-31&format=xlsx").await;
    assert_eq!(ct, XLSX);
    let (cells, _, _) = open(&bytes);
    assert_eq!(cells[&(1, 0)].0, Cell::Text("Acme".into()));
    assert_eq!(cells[&(2, 0)].0, Cell::Text("Total".into()));
    let Cell::Number(total) = cells[&(2, 6)].0 else {
        panic!("the total is not a number");
    };
    assert_eq!(
        (total * 100.0).round() as i64,
        cents(json["totals"]["total"].as_str().unwrap())
    );
    assert_eq!(cents(json["totals"]["total"].as_str().unwrap()), 34_995);
    for format in ["csv", "pdf"] {
        let (bytes, _, cd) = download(&f, &format!("/api/reports/aged-payables/?format={format}")).await;
        assert!(cd.contains("aged-payables-") && !bytes.is_empty(), "{cd}");
    }
    // Another firm naming this company: not found, in every format.
    let theirs = Firm::register(&app, "ledger-theirs@example.com", "Their Firm").await;
    let sister = f.new_company("Ledger Sister", "EUR").await;
    for path in [
        format!("{GENERAL_LEDGER}?{query}&format=xlsx"),
        "/api/reports/aged-receivables/?format=csv".into(),
    ] {
        let r = theirs
            .request(
                Method::GET,
                &path,
                None,
                &[("x-company-id", sister.company.as_deref().unwrap())],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
    }
}
on_every_backend!(ledger_and_ageing_exports, the_ledger_and_the_ageing_export_their_rows);
