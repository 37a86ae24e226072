//! Property test for receivables and payables: any sequence of issuing invoices, bills and
//! credits, payments (partial, over, allocated later) and voids, each at a random date — run
//! through `domain::documents` on SQLite and, when configured, on PostgreSQL — keeps the
//! receivable and payable control accounts equal to the open documents, credits and unallocated
//! payments; every entry balances; and every document's paid amount is the sum of what is
//! allocated to it. As of any date (issue 17, item 0), the ageing total equals the control
//! account's trial balance, a customer's statement closes at their ageing total, and an event
//! dated after a date never changes the reports as of that date. Documents and payments come in
//! three currencies (the company's, EUR and JPY, at random rates given on each), so realised
//! exchange differences are posted along the way; and after every step, revaluing as of a far
//! date at closing rates leaves each control account at exactly its open items revalued
//! (`check_revaluation`, run and rolled back). The statements hold over these books too
//! (`check_statements`): the balance sheet balances, the P&L's result is the change in equity,
//! and the cash flow's net change is the change in cash and bank balances (issue 17's "Done
//! when").

use jiff::civil::{Date, date};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config as PropConfig, TestCaseError, TestRunner};
use uuid::Uuid;

use super::{Store, StoreConfig, StoreError, Tx, reports};
use crate::domain::documents::payments::{self, AllocationInput, PaymentInput};
use crate::domain::documents::{DocumentError, DocumentInput, DocumentKind, LineInput, operations};
use crate::domain::ledger::{Books, Ctx};
use crate::domain::money;
use crate::domain::reports::ageing::Side;
use crate::domain::tenants::{CompanyDetails, Plan};
use crate::params;
use crate::provision::{self, NewFirm};
use crate::tenancy::TenantScope;

pub(super) const KEY: &[u8] = b"documents-props-checkpoint-key";

#[derive(Debug, Clone)]
enum Op {
    /// Draft and issue a document: kind, contact, lines (quantity tenths, price, taxed), and for
    /// credits the document they credit.
    Issue {
        kind: usize,
        currency: usize,
        rate: Index,
        contact: Index,
        lines: Vec<(u32, i64, bool)>,
        credits: Option<Index>,
        day: i64,
    },
    /// A payment of `amount` allocated to up to two open documents, partly or in full.
    Pay {
        received: bool,
        currency: usize,
        rate: Index,
        contact: Index,
        amount: i64,
        allocate: Vec<(Index, bool)>,
        day: i64,
    },
    /// Allocate what is left of a payment.
    Allocate {
        payment: Index,
        document: Index,
    },
    /// Void on the date `days` after the document's or payment's own (before it: refused).
    VoidDocument(Index, i64),
    VoidPayment(Index, i64),
}

/// The first day of the property's calendar; events fall within [`SPAN`] days of it.
const START: fn() -> Date = || date(2025, 11, 1);
const SPAN: i64 = 180;

fn day(n: i64) -> Date {
    START().saturating_add(jiff::Span::new().days(n))
}

/// The dates the reports are read as of: before the first event, through, and after the last.
fn as_of_dates() -> Vec<Date> {
    (0..=12).map(|i| day(i * 20 - 5)).collect()
}

/// The currencies of documents and payments (the company's first, without rates), the rates
/// each is given at, and the closing rate the revaluation check uses.
pub(super) const CURRENCIES: [(&str, &[&str], &str); 3] = [
    ("USD", &[], "1"),
    ("EUR", &["1.1", "1.0837", "0.95"], "1.2"),
    ("JPY", &["0.0071", "0.00683"], "0.0069"),
];

/// The currency `i` and a rate for it picked by `rate` (`None` for the company's).
fn currency(i: usize, rate: &Index) -> (&'static str, Option<String>) {
    let (code, rates, _) = CURRENCIES[i % CURRENCIES.len()];
    let rate = (!rates.is_empty()).then(|| rates[rate.index(rates.len())].to_owned());
    (code, rate)
}

fn op() -> impl Strategy<Value = Op> {
    let line = (1u32..40, 1i64..50_000, any::<bool>());
    prop_oneof![
        5 => ((0usize..4, 0..CURRENCIES.len(), any::<Index>()), any::<Index>(), prop::collection::vec(line, 1..4), prop::option::of(any::<Index>()), 0..SPAN)
            .prop_map(|((kind, currency, rate), contact, lines, credits, day)| Op::Issue { kind, currency, rate, contact, lines, credits, day }),
        4 => ((any::<bool>(), 0..CURRENCIES.len(), any::<Index>()), any::<Index>(), 1i64..200_000, prop::collection::vec((any::<Index>(), any::<bool>()), 0..3), 0..SPAN)
            .prop_map(|((received, currency, rate), contact, amount, allocate, day)| Op::Pay { received, currency, rate, contact, amount, allocate, day }),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(payment, document)| Op::Allocate { payment, document }),
        2 => (any::<Index>(), -3i64..60).prop_map(|(i, days)| Op::VoidDocument(i, days)),
        2 => (any::<Index>(), -3i64..60).prop_map(|(i, days)| Op::VoidPayment(i, days)),
    ]
}

pub(super) struct Fixture {
    pub(super) books: Books,
    pub(super) company: crate::domain::tenants::Company,
    pub(super) actor: Uuid,
    pub(super) customers: Vec<Uuid>,
    pub(super) vendors: Vec<Uuid>,
    pub(super) tax: Uuid,
    pub(super) revenue: Uuid,
    pub(super) expense: Uuid,
    pub(super) bank: Uuid,
    pub(super) receivable: Uuid,
    pub(super) payable: Uuid,
    /// Issued documents with their issue dates and currencies, payments with their dates.
    pub(super) documents: Vec<(Uuid, DocumentKind, Date, &'static str, Uuid)>,
    pub(super) payments: Vec<(Uuid, Date)>,
}

pub(super) fn fail(m: impl Into<String>) -> TestCaseError {
    TestCaseError::fail(m.into())
}

/// Refusals are expected (a void of a paid invoice, an allocation above a balance…): the
/// transaction rolls back. Anything else fails the case.
fn refused_or_fail(e: DocumentError<StoreError>) -> Result<(), TestCaseError> {
    match e {
        DocumentError::Invalid(_) | DocumentError::State(_) | DocumentError::NotDraft(_) | DocumentError::NotFound => {
            Ok(())
        }
        DocumentError::Overflow => Err(fail("amounts overflowed")),
        DocumentError::Ledger(l) => Err(fail(format!("ledger failure: {l}"))),
    }
}

/// Why an operation's transaction ended without committing.
enum Outcome {
    Refused(DocumentError<StoreError>),
}

impl From<StoreError> for Outcome {
    fn from(e: StoreError) -> Self {
        Outcome::Refused(DocumentError::Ledger(crate::domain::ledger::LedgerError::Store(e)))
    }
}

/// Applies `op`; returns the earliest date of what it recorded (`None` when it did nothing).
fn apply(tx: &mut Tx, f: &mut Fixture, op: &Op) -> Result<Option<Date>, Outcome> {
    let ctx = Ctx {
        books: &f.books,
        company: &f.company,
        actor: f.actor,
        checkpoint_key: KEY,
        today: f.company.today(jiff::Timestamp::now()),
        now: crate::domain::books::now(),
    };
    match op {
        Op::Issue {
            kind,
            currency: c,
            rate,
            contact,
            lines,
            credits,
            day: d,
        } => {
            let kind = DocumentKind::ALL[*kind];
            let (code, rate) = currency(*c, rate);
            let contacts = if kind.is_sales() { &f.customers } else { &f.vendors };
            let contact = contacts[contact.index(contacts.len())];
            let credited = match (kind.credits(), credits) {
                (Some(target), Some(i)) => {
                    let candidates: Vec<Uuid> = f
                        .documents
                        .iter()
                        .filter(|(_, k, _, c, _)| *k == target && *c == code)
                        .map(|(id, _, _, _, _)| *id)
                        .collect();
                    (!candidates.is_empty()).then(|| candidates[i.index(candidates.len())])
                }
                _ => None,
            };
            let input = DocumentInput {
                contact: Some(contact),
                issue_date: Some(day(*d)),
                currency: Some(code.to_owned()),
                exchange_rate: rate,
                credited_document: credited,
                lines: lines
                    .iter()
                    .map(|&(q, price, taxed)| LineInput {
                        description: "line".into(),
                        quantity: Some(format!("{}.{}", q / 10, q % 10)),
                        unit_price: Some(money::format(price, money::decimals(code))),
                        tax_rate: taxed.then_some(f.tax),
                        account: Some(if kind.is_sales() { f.revenue } else { f.expense }),
                        ..LineInput::default()
                    })
                    .collect(),
                ..DocumentInput::default()
            };
            let doc = operations::create_draft(tx, &ctx, kind, &input).map_err(Outcome::Refused)?;
            operations::issue(tx, &ctx, kind, doc.id).map_err(Outcome::Refused)?;
            f.documents.push((doc.id, kind, day(*d), code, contact));
            Ok(Some(day(*d)))
        }
        Op::Pay {
            received,
            currency: c,
            rate,
            contact,
            amount,
            allocate,
            day: d,
        } => {
            let contacts = if *received { &f.customers } else { &f.vendors };
            let kind = if *received {
                DocumentKind::Invoice
            } else {
                DocumentKind::Bill
            };
            // Mostly from the contact and in the currency of a document it pays, so that most
            // allocations can stand.
            let of_kind: Vec<(&'static str, Uuid)> =
                f.documents.iter().filter(|d| d.1 == kind).map(|d| (d.3, d.4)).collect();
            let (c, contact) = match allocate.first() {
                Some((i, _)) if !of_kind.is_empty() => {
                    let (code, contact) = of_kind[i.index(of_kind.len())];
                    (
                        CURRENCIES.iter().position(|(k, _, _)| *k == code).unwrap_or(*c),
                        contact,
                    )
                }
                _ => (*c, contacts[contact.index(contacts.len())]),
            };
            let (code, rate) = currency(c, rate);
            let decimals = money::decimals(code);
            let docs: Vec<Uuid> = f
                .documents
                .iter()
                .filter(|(_, k, _, c, who)| *k == kind && *c == code && *who == contact)
                .map(|(id, _, _, _, _)| *id)
                .collect();
            let mut allocations = Vec::new();
            for (i, full) in allocate {
                if docs.is_empty() {
                    break;
                }
                let d = docs[i.index(docs.len())];
                if allocations.iter().any(|a: &AllocationInput| a.document == Some(d)) {
                    continue;
                }
                allocations.push(AllocationInput {
                    document: Some(d),
                    amount: (!full).then(|| money::format((amount / 3).max(1), decimals)),
                });
            }
            let p = payments::record(
                tx,
                &ctx,
                &PaymentInput {
                    direction: Some(if *received { "received" } else { "made" }.into()),
                    contact: Some(contact),
                    date: Some(day(*d)),
                    amount: Some(money::format(*amount, decimals)),
                    bank_account: Some(f.bank),
                    reference: String::new(),
                    allocations,
                    currency: Some(code.to_owned()),
                    exchange_rate: rate,
                },
            )
            .map_err(Outcome::Refused)?;
            f.payments.push((p.id, day(*d)));
            Ok(Some(day(*d)))
        }
        Op::Allocate { payment, document } => {
            if f.payments.is_empty() || f.documents.is_empty() {
                return Ok(None);
            }
            let (p, paid) = f.payments[payment.index(f.payments.len())];
            let (d, _, issued, _, _) = f.documents[document.index(f.documents.len())];
            payments::allocate(
                tx,
                &ctx,
                p,
                &[AllocationInput {
                    document: Some(d),
                    amount: None,
                }],
            )
            .map_err(Outcome::Refused)?;
            Ok(Some(paid.max(issued)))
        }
        Op::VoidDocument(i, days) => {
            if f.documents.is_empty() {
                return Ok(None);
            }
            let (d, kind, issued, _, _) = f.documents[i.index(f.documents.len())];
            let on = issued.saturating_add(jiff::Span::new().days(*days));
            operations::void(tx, &ctx, kind, d, Some(on)).map_err(Outcome::Refused)?;
            Ok(Some(on))
        }
        Op::VoidPayment(i, days) => {
            if f.payments.is_empty() {
                return Ok(None);
            }
            let (p, paid) = f.payments[i.index(f.payments.len())];
            let on = paid.saturating_add(jiff::Span::new().days(*days));
            payments::void(tx, &ctx, p, Some(on)).map_err(Outcome::Refused)?;
            Ok(Some(on))
        }
    }
}

/// What the reports say as of one date: the ageing of both sides, and each customer's
/// statement closing balance.
#[derive(Debug, PartialEq, Eq)]
struct AsOf {
    receivables: crate::domain::reports::ageing::Ageing,
    payables: crate::domain::reports::ageing::Ageing,
    statements: Vec<i64>,
}

/// The reports as of `as_of`, checked against the trial balance of the same date: each ageing
/// total equals its control account, and a customer's statement closes at their ageing line.
fn as_of(tx: &mut Tx, f: &Fixture, as_of: Date) -> Result<AsOf, TestCaseError> {
    use crate::domain::reports::{ageing, statement};
    let company = f.books.company_id;
    let tb = reports::trial_balance(tx, company, as_of)?;
    let net = |id: Uuid| tb.iter().find(|r| r.account_id == id).map_or(0, |r| r.debit - r.credit);
    let items = reports::open_items(tx, &f.books, Side::Receivables, as_of, None)?;
    let receivables = ageing::age(&items, as_of).map_err(|e| fail(e.to_string()))?;
    let payables = ageing::age(&reports::open_items(tx, &f.books, Side::Payables, as_of, None)?, as_of)
        .map_err(|e| fail(e.to_string()))?;
    prop_assert_eq!(
        receivables.total,
        net(f.receivable),
        "ageing vs trial balance as of {}: {:?} {:?}",
        as_of,
        items,
        tx.query(
            "SELECT source_id, document_id, amount, date, ended_on FROM allocations",
            &[]
        )?
    );
    prop_assert_eq!(payables.total, -net(f.payable), "payables as of {}", as_of);
    let mut statements = Vec::new();
    for &customer in &f.customers {
        let movements = reports::statement_movements(tx, &f.books, customer, as_of)?;
        let open = reports::open_items(tx, &f.books, Side::Receivables, as_of, Some(customer))?;
        let s = statement::statement(movements, START(), as_of, &open).map_err(|e| fail(e.to_string()))?;
        let line = receivables
            .rows
            .iter()
            .find(|r| r.contact_id == customer)
            .map_or(0, |r| r.total);
        prop_assert_eq!(s.closing, line, "statement vs ageing as of {}", as_of);
        prop_assert_eq!(s.ageing.total().map_err(|e| fail(e.to_string()))?, line);
        statements.push(s.closing);
    }
    Ok(AsOf {
        receivables,
        payables,
        statements,
    })
}

/// The invariants, read back from the store.
fn check(tx: &mut Tx, f: &Fixture) -> Result<(), TestCaseError> {
    let company = f.books.company_id;
    let far = date(2100, 1, 1);
    let tb = reports::trial_balance(tx, company, far)?;
    let net = |id: Uuid| tb.iter().find(|r| r.account_id == id).map_or(0, |r| r.debit - r.credit);
    let open_sales: i64 = reports::open_items(tx, &f.books, Side::Receivables, far, None)?
        .iter()
        .map(|r| r.amount)
        .sum();
    let open_purchases: i64 = reports::open_items(tx, &f.books, Side::Payables, far, None)?
        .iter()
        .map(|r| r.amount)
        .sum();
    prop_assert_eq!(
        net(f.receivable),
        open_sales,
        "receivable control account vs open sales documents: {:?} {:?} {:?}",
        reports::open_items(tx, &f.books, Side::Receivables, far, None)?,
        tx.query(
            "SELECT kind, total, amount_paid, tax_total, subtotal FROM documents",
            &[]
        )?,
        tx.query("SELECT direction, amount, is_void, contact_id FROM payments", &[])?
    );
    prop_assert_eq!(
        -net(f.payable),
        open_purchases,
        "payable control account vs open purchase documents: {:?} {:?}",
        reports::open_items(tx, &f.books, Side::Payables, far, None)?,
        tx.query(
            "SELECT kind, total, amount_paid, tax_total, subtotal FROM documents",
            &[]
        )?
    );
    let (d, c) = tb.iter().fold((0, 0), |(d, c), r| (d + r.debit, c + r.credit));
    prop_assert_eq!(d, c, "trial balance");
    let unbalanced = tx
        .query(
            "SELECT e.id FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id WHERE e.company_id = $1 \
             GROUP BY e.id HAVING SUM(l.debit) <> SUM(l.credit)",
            params![company],
        )?
        .len();
    prop_assert_eq!(unbalanced, 0, "every entry balances");
    let wrong = tx
        .query(
            "SELECT d.id FROM documents d WHERE d.company_id = $1 AND (d.amount_paid <> COALESCE((SELECT SUM(a.amount) \
             FROM allocations a WHERE a.document_id = d.id AND a.ended_on IS NULL), 0) + COALESCE((SELECT SUM(a.amount) \
             FROM allocations a WHERE a.source_id = d.id AND a.ended_on IS NULL), 0) OR d.amount_paid < 0 OR d.amount_paid > d.total)",
            params![company],
        )?
        .len();
    prop_assert_eq!(wrong, 0, "paid amounts are the allocations, within the totals");
    Ok(())
}

fn account(tx: &mut Tx, company: Uuid, code: &str) -> Result<Uuid, StoreError> {
    tx.query_one(
        "SELECT id FROM accounts WHERE company_id = $1 AND code = $2",
        params![company, code],
    )?
    .uuid(0)
}

fn run_case(store: &Store, ops: &[Op]) -> Result<(), TestCaseError> {
    let firm = provision::create_firm(
        store,
        NewFirm {
            name: "Documents firm".into(),
            domain: None,
            plan: Plan::Basic,
            company: CompanyDetails {
                name: "Documents company".into(),
                currency: "USD".into(),
                timezone: "UTC".into(),
                ..CompanyDetails::default()
            },
            chart: "general".into(),
            admin: None,
        },
        None,
    )
    .map_err(|e| fail(format!("create_firm: {e}")))?;
    let scope = TenantScope::operator(firm.tenant.id);
    let company = firm.company.id;
    let mut f = store.tenant_write(&scope, |tx| -> Result<Fixture, StoreError> {
        let now = "2026-01-01T00:00:00Z";
        let mut contact = |name: &str, customer: bool| -> Result<Uuid, StoreError> {
            let id = Uuid::now_v7();
            tx.execute(
                "INSERT INTO contacts (id, company_id, is_customer, is_vendor, name, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6)",
                params![id, company, customer, !customer, name, now],
            )?;
            Ok(id)
        };
        let customers = vec![contact("C1", true)?, contact("C2", true)?];
        let vendors = vec![contact("V1", false)?, contact("V2", false)?];
        let tax = Uuid::now_v7();
        let (sales_tax, input_tax) = (account(tx, company, "2200")?, account(tx, company, "1400")?);
        tx.execute(
            "INSERT INTO tax_rates (id, company_id, name, kind, rate_ppm, is_inclusive, sales_account_id, purchase_account_id, \
             is_active, created_at, updated_at) VALUES ($1, $2, 'VAT', 'vat', 175000, $3, $4, $5, $6, $7, $7)",
            params![tax, company, false, sales_tax, input_tax, true, now],
        )?;
        Ok(Fixture {
            books: Books::of(&firm.company),
            company: firm.company.clone(),
            actor: Uuid::now_v7(),
            customers,
            vendors,
            tax,
            revenue: account(tx, company, "4100")?,
            expense: account(tx, company, "6400")?,
            bank: account(tx, company, "1020")?,
            receivable: account(tx, company, "1100")?,
            payable: account(tx, company, "2100")?,
            documents: Vec::new(),
            payments: Vec::new(),
        })
    })?;
    let dates = as_of_dates();
    let read = |f: &Fixture| {
        store.tenant_read(&scope, |tx| {
            dates
                .iter()
                .map(|d| as_of(tx, f, *d))
                .collect::<Result<Vec<_>, TestCaseError>>()
        })
    };
    let mut reports = read(&f)?;
    for op in ops {
        let before = (f.documents.len(), f.payments.len());
        let outcome = store.tenant_write(&scope, |tx| apply(tx, &mut f, op));
        let earliest = match outcome {
            Ok(earliest) => earliest,
            Err(Outcome::Refused(e)) => {
                // Rolled back: forget what the op remembered.
                f.documents.truncate(before.0);
                f.payments.truncate(before.1);
                refused_or_fail(e)?;
                None
            }
        };
        store.tenant_read(&scope, |tx| check(tx, &f))?;
        store.tenant_read(&scope, |tx| super::documents_props_fx::check_statements(tx, &f, &dates))?;
        super::documents_props_fx::check_revaluation(store, &scope, &f)?;
        let after = read(&f)?;
        // Nothing dated after a date changes what the reports said as of it.
        for ((d, was), now) in dates.iter().zip(&reports).zip(&after) {
            if earliest.is_none_or(|e| e > *d) {
                prop_assert_eq!(was, now, "{:?} changed the reports as of {}", op, d);
            }
        }
        reports = after;
    }
    Ok(())
}

fn run(store: &Store, cases: u32) {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    let mut runner = TestRunner::new(PropConfig {
        cases,
        failure_persistence: None,
        max_shrink_iters: 256,
        ..PropConfig::default()
    });
    if let Err(e) = runner.run(&prop::collection::vec(op(), 1..25), |ops| run_case(store, &ops)) {
        panic!("{} documents property failed: {e}", store.backend_name());
    }
}

#[test]
fn control_accounts_equal_open_documents_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&StoreConfig::Sqlite {
        data_dir: dir.path().to_path_buf(),
        cache_size: 4,
    })
    .unwrap();
    run(&store, 24);
}

#[test]
fn control_accounts_equal_open_documents_on_postgres() {
    let Ok(url) = std::env::var("OASYS_TEST_DATABASE_URL") else {
        return;
    };
    if url.is_empty() {
        return;
    }
    let store = Store::open(&StoreConfig::Postgres {
        url,
        platform_schema: format!("docprops_{}", Uuid::new_v4().simple()),
        pool_size: 2,
    })
    .unwrap();
    run(&store, 8);
}
