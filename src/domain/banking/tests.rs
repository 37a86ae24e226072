//! The banking rules, over the in-memory store.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::convert::Infallible;

use jiff::civil::date;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::accounts::{BankAccount, BankAccountChanges};
use super::error::BankingError;
use super::memory::Bank;
use super::reconciliation::{self, ReconciliationStatus};
use super::statements::{self, BalanceCheck, LineStatus, SourceFile};
use crate::domain::accounts::{Account, AccountType};
use crate::domain::books::{Books, Ctx};
use crate::domain::tenants::Company;
use crate::domain::{Change, FieldErrors, Kept};
use crate::formats::statement::{Statement, StatementBalance, StatementFormat, StatementLine};

fn company() -> (Company, Books) {
    let now = jiff::Timestamp::now();
    let c = Company {
        id: Uuid::now_v7(),
        name: "Acme".into(),
        tax_id: String::new(),
        address: String::new(),
        phone: String::new(),
        email: String::new(),
        currency: "EUR".into(),
        timezone: "UTC".into(),
        is_active: true,
        created_at: now,
        updated_at: now,
    };
    let b = Books::of(&c);
    (c, b)
}

fn ctx<'a>(c: &'a Company, b: &'a Books, actor: Uuid) -> Ctx<'a> {
    let now = jiff::Timestamp::now();
    Ctx {
        books: b,
        company: c,
        actor,
        checkpoint_key: b"k",
        today: c.today(now),
        now,
    }
}

fn gl(company: Uuid, subtype: &str) -> Account {
    let now = jiff::Timestamp::now();
    Account {
        id: Uuid::now_v7(),
        company_id: company,
        code: "1100".into(),
        name: "Bank".into(),
        account_type: AccountType::Asset,
        subtype: subtype.into(),
        parent_id: None,
        currency: None,
        cash_flow: None,
        is_active: true,
        created_at: now,
        updated_at: now,
    }
}

fn new_account(store: &mut Bank, ctx: &Ctx<'_>, iban: &str) -> Result<BankAccount, BankingError<Infallible>> {
    let g = gl(ctx.books.company_id, "bank");
    let gl_id = g.id;
    store.gl.push(g);
    BankAccount::save(
        store,
        ctx,
        None,
        Change::Create,
        BankAccountChanges {
            account: Some(Some(gl_id)),
            name: Some("Main".into()),
            iban: Some(iban.into()),
            opening_balance: Some("100.00".into()),
            ..BankAccountChanges::default()
        },
        FieldErrors::default(),
    )
}

fn line(row: usize, day: i8, amount: &str, text: &str) -> StatementLine {
    StatementLine {
        row,
        date: date(2026, 3, day),
        value_date: None,
        amount: amount.parse::<Decimal>().unwrap(),
        currency: None,
        text: text.into(),
        counterparty: String::new(),
        counterparty_account: None,
        reference: String::new(),
        bank_id: None,
    }
}

fn statement(lines: Vec<StatementLine>, closing: &str) -> Statement {
    Statement {
        format: StatementFormat::Csv,
        account: None,
        currency: Some("EUR".into()),
        opening: Some(StatementBalance {
            date: date(2026, 3, 1),
            amount: "100".parse().unwrap(),
        }),
        closing: Some(StatementBalance {
            date: date(2026, 3, 31),
            amount: closing.parse().unwrap(),
        }),
        lines,
    }
}

#[test]
fn an_account_needs_a_bank_gl_account_and_a_valid_iban() {
    let (c, b) = company();
    let ctx = ctx(&c, &b, Uuid::now_v7());
    let mut store = Bank::default();
    let made = new_account(&mut store, &ctx, "de89 3704 0044 0532 0130 00").unwrap();
    assert_eq!(
        (made.iban.as_str(), made.opening_balance),
        ("DE89370400440532013000", 10_000)
    );
    let Err(BankingError::Invalid(e)) = new_account(&mut store, &ctx, "DE89370400440532013001") else {
        panic!("a wrong check digit must be refused");
    };
    assert!(e.0.contains_key("iban"));
    let receivable = gl(c.id, "receivable");
    let id = receivable.id;
    store.gl.push(receivable);
    let Err(BankingError::Invalid(e)) = BankAccount::save(
        &mut store,
        &ctx,
        None,
        Change::Create,
        BankAccountChanges {
            account: Some(Some(id)),
            name: Some("Wrong".into()),
            ..BankAccountChanges::default()
        },
        FieldErrors::default(),
    ) else {
        panic!("a receivable account is not a bank account");
    };
    assert_eq!(e.0["account"], ["Choose an account of subtype bank."]);
    assert_eq!(store.accounts.len(), 1);
}

#[test]
fn a_reimport_adds_nothing_and_the_balance_is_checked() {
    let (c, b) = company();
    let ctx = ctx(&c, &b, Uuid::now_v7());
    let mut store = Bank::default();
    let account = new_account(&mut store, &ctx, "").unwrap();
    let s = statement(vec![line(2, 3, "-20.50", "fee"), line(3, 4, "50", "in")], "129.50");
    let prints: Vec<String> = vec!["a".into(), "b".into()];
    let p = statements::plan::<Infallible>(&account, &s, &prints, &HashSet::new()).unwrap();
    assert_eq!((p.new, p.duplicate, p.check), (2, 0, BalanceCheck::Agrees));
    let file = SourceFile {
        name: "s.csv",
        sha256: "00",
    };
    let import = statements::commit(&mut store, &ctx, &account, &p, file).unwrap();
    assert_eq!((import.lines_new, import.lines_duplicate), (2, 0));
    let known = store.lines.iter().map(|l| l.fingerprint.clone()).collect();
    let again = statements::plan::<Infallible>(&account, &s, &prints, &known).unwrap();
    assert_eq!((again.new, again.duplicate), (0, 2));
    let wrong = statement(vec![line(2, 3, "-20.50", "fee")], "129.50");
    let p = statements::plan::<Infallible>(&account, &wrong, &prints[..1], &HashSet::new()).unwrap();
    assert_eq!(
        p.check,
        BalanceCheck::Differs {
            stated: 12_950,
            computed: 7_950
        }
    );
    let cents = statement(vec![line(7, 3, "1.005", "x")], "0");
    let Err(BankingError::Statement { row, field, .. }) =
        statements::plan::<Infallible>(&account, &cents, &prints[..1], &HashSet::new())
    else {
        panic!("three decimals in EUR");
    };
    assert_eq!((row, field), (7, "amount"));
}

#[test]
fn a_reconciliation_balances_and_needs_a_second_person() {
    let (c, b) = company();
    let alice = Uuid::now_v7();
    let ctx_a = ctx(&c, &b, alice);
    let mut store = Bank {
        approval_required: true,
        ..Bank::default()
    };
    let account = new_account(&mut store, &ctx_a, "").unwrap();
    let s = statement(vec![line(2, 3, "-20.50", "fee")], "79.50");
    let p = statements::plan::<Infallible>(&account, &s, &["a".into()], &HashSet::new()).unwrap();
    statements::commit(&mut store, &ctx_a, &account, &p, SourceFile { name: "", sha256: "" }).unwrap();
    let session = reconciliation::create(&mut store, &ctx_a, &account, Some("2026-03-31"), Some("79.50")).unwrap();
    let Err(BankingError::BalanceMismatch { book, .. }) =
        reconciliation::submit(&mut store, &ctx_a, &account, session.clone())
    else {
        panic!("an unmatched line is not in the book balance");
    };
    assert_eq!(book, "100.00");
    store.lines[0].status = LineStatus::Matched;
    let submitted = reconciliation::submit(&mut store, &ctx_a, &account, session).unwrap();
    assert!(matches!(
        reconciliation::approve(&mut store, &ctx_a, &account, submitted.clone()),
        Err(BankingError::SelfApproval)
    ));
    let ctx_b = ctx(&c, &b, Uuid::now_v7());
    let approved = reconciliation::approve(&mut store, &ctx_b, &account, submitted).unwrap();
    assert_eq!(approved.status, ReconciliationStatus::Approved);
    assert_eq!(store.lines[0].status, LineStatus::Reconciled);
    let line = store.lines[0].clone();
    assert!(matches!(
        statements::act_on_line(&mut store, &ctx_b, &account, line, statements::LineAction::Unmatch),
        Err(BankingError::Locked)
    ));
    let reopened = reconciliation::reopen(&mut store, &ctx_b, &account, approved).unwrap();
    assert_eq!(reopened.status, ReconciliationStatus::Draft);
    assert_eq!(store.lines[0].status, LineStatus::Matched);
    let actions: Vec<&str> = store.audit.iter().map(|a| a.action).collect();
    assert!(
        actions.ends_with(&["create", "submit", "approve", "reopen"]),
        "{actions:?}"
    );
}
