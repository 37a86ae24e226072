//! Tests of the document use cases through the real store (SQLite): a create and a `PUT` need
//! the contact and the lines, a `PATCH` keeps what it does not send (lines rebuilt from the
//! stored ones come out the same), only drafts change, another kind's id is not found, deletes
//! and changes leave audit rows, and the tax summary names each rate.

use jiff::civil::date;
use uuid::Uuid;

use super::{Store, StoreConfig, StoreError, Tx};
use crate::domain::documents::summary::tax_summary;
use crate::domain::documents::{
    Document, DocumentChanges, DocumentError, DocumentKind, DocumentStatus, LineInput, operations,
};
use crate::domain::ledger::{Books, Ctx};
use crate::domain::tenants::{Company, CompanyDetails, Plan};
use crate::domain::{Change, FieldErrors};
use crate::params;
use crate::provision::{self, NewFirm};
use crate::tenancy::TenantScope;

/// A refused operation, or the store failing under it.
#[derive(Debug)]
struct Refused(DocumentError<StoreError>);

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        Refused(DocumentError::Ledger(crate::domain::ledger::LedgerError::Store(e)))
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    scope: TenantScope,
    company: Company,
    books: Books,
    customer: Uuid,
    vendor: Uuid,
    revenue: Uuid,
    tax: Uuid,
}

impl Fixture {
    fn open() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&StoreConfig::Sqlite {
            data_dir: dir.path().to_path_buf(),
            cache_size: 2,
        })
        .unwrap();
        let firm = provision::create_firm(
            &store,
            NewFirm {
                name: "Drafts firm".into(),
                domain: None,
                plan: Plan::Basic,
                company: CompanyDetails {
                    name: "Drafts company".into(),
                    currency: "USD".into(),
                    timezone: "UTC".into(),
                    ..CompanyDetails::default()
                },
                chart: "general".into(),
                admin: None,
            },
            None,
        )
        .unwrap();
        let scope = TenantScope::operator(firm.tenant.id);
        let company = firm.company.id;
        let (customer, vendor, tax, revenue) = store
            .tenant_write(&scope, |tx| -> Result<_, StoreError> {
                let now = "2026-01-01T00:00:00Z";
                let mut contact = |customer: bool| -> Result<Uuid, StoreError> {
                    let id = Uuid::now_v7();
                    tx.execute(
                        "INSERT INTO contacts (id, company_id, is_customer, is_vendor, name, payment_terms_days, \
                         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                        params![id, company, customer, !customer, "Acme", 14i64, now],
                    )?;
                    Ok(id)
                };
                let (customer, vendor) = (contact(true)?, contact(false)?);
                let account = |tx: &mut Tx, code: &str| -> Result<Uuid, StoreError> {
                    tx.query_one(
                        "SELECT id FROM accounts WHERE company_id = $1 AND code = $2",
                        params![company, code],
                    )?
                    .uuid(0)
                };
                let (sales_tax, input_tax) = (account(tx, "2200")?, account(tx, "1400")?);
                let tax = Uuid::now_v7();
                tx.execute(
                    "INSERT INTO tax_rates (id, company_id, name, kind, rate_ppm, is_inclusive, sales_account_id, \
                     purchase_account_id, is_active, created_at, updated_at) \
                     VALUES ($1, $2, 'VAT 20%', 'vat', 200000, $3, $4, $5, $6, $7, $7)",
                    params![tax, company, false, sales_tax, input_tax, true, now],
                )?;
                Ok((customer, vendor, tax, account(tx, "4200")?))
            })
            .unwrap();
        Fixture {
            _dir: dir,
            store,
            scope,
            books: Books::of(&firm.company),
            company: firm.company,
            customer,
            vendor,
            revenue,
            tax,
        }
    }

    /// Runs `op` in one write transaction (rolled back when it fails).
    fn run<T>(
        &self,
        op: impl FnOnce(&mut Tx, &Ctx<'_>) -> Result<T, DocumentError<StoreError>>,
    ) -> Result<T, DocumentError<StoreError>> {
        let ctx = Ctx {
            books: &self.books,
            company: &self.company,
            actor: Uuid::now_v7(),
            checkpoint_key: b"drafts-test-key",
            today: date(2026, 5, 20),
            now: crate::domain::books::now(),
        };
        self.store
            .tenant_write(&self.scope, |tx| op(tx, &ctx).map_err(Refused))
            .map_err(|Refused(e)| e)
    }

    fn line(&self, price: &str, taxed: bool) -> LineInput {
        LineInput {
            description: "Consulting".into(),
            quantity: Some("2".into()),
            unit_price: Some(price.into()),
            tax_rate: taxed.then_some(self.tax),
            account: Some(self.revenue),
            ..LineInput::default()
        }
    }

    fn invoice(&self) -> DocumentChanges {
        DocumentChanges {
            contact: Some(self.customer),
            issue_date: Some(date(2026, 3, 1)),
            due_date: Some(Some(date(2026, 4, 30))),
            reference: Some("PO-1".into()),
            notes: Some("Thanks".into()),
            lines: Some(vec![self.line("120.00", true), self.line("3.33", false)]),
            ..DocumentChanges::default()
        }
    }

    fn save(
        &self,
        current: Option<&Document>,
        how: Change,
        changes: DocumentChanges,
    ) -> Result<Document, DocumentError<StoreError>> {
        let current = current.cloned();
        self.run(move |tx, ctx| operations::save(tx, ctx, DocumentKind::Invoice, current, how, changes))
    }
}

fn fields(e: DocumentError<StoreError>) -> Vec<String> {
    match e {
        DocumentError::Invalid(FieldErrors(f)) => f.into_keys().collect(),
        other => panic!("expected field errors, got {other}"),
    }
}

#[test]
fn a_create_and_a_replace_need_the_contact_and_the_lines() {
    let b = Fixture::open();
    let missing = b.save(None, Change::Create, DocumentChanges::default()).unwrap_err();
    assert_eq!(fields(missing), ["contact", "lines"]);
    let doc = b.save(None, Change::Create, b.invoice()).unwrap();
    assert_eq!(
        (doc.status, doc.subtotal, doc.total),
        (DocumentStatus::Draft, 24_666, 29_466)
    );
    let notes_only = DocumentChanges {
        notes: Some("x".into()),
        ..DocumentChanges::default()
    };
    assert_eq!(
        fields(b.save(Some(&doc), Change::Replace, notes_only).unwrap_err()),
        ["contact", "lines"]
    );
    // A replace takes the defaults for what it leaves out: today, the terms, no reference.
    let whole = DocumentChanges {
        contact: Some(b.customer),
        lines: Some(vec![b.line("10.00", false)]),
        ..DocumentChanges::default()
    };
    let replaced = b.save(Some(&doc), Change::Replace, whole).unwrap();
    assert_eq!(replaced.id, doc.id);
    assert_eq!(
        (replaced.issue_date, replaced.due_date),
        (date(2026, 5, 20), date(2026, 6, 3))
    );
    assert_eq!(
        (replaced.reference.as_str(), replaced.notes.as_str(), replaced.total),
        ("", "", 2_000)
    );
    assert_eq!(
        (replaced.created_at, replaced.created_by),
        (doc.created_at, doc.created_by)
    );
}

#[test]
fn an_update_keeps_what_it_does_not_send() {
    let b = Fixture::open();
    let doc = b.save(None, Change::Create, b.invoice()).unwrap();
    let notes = DocumentChanges {
        notes: Some("Paid by transfer".into()),
        ..DocumentChanges::default()
    };
    let amended = b.save(Some(&doc), Change::Update, notes).unwrap();
    assert_eq!(amended.notes, "Paid by transfer");
    assert_eq!(
        Document {
            notes: doc.notes.clone(),
            updated_at: doc.updated_at,
            ..amended.clone()
        },
        doc,
        "the lines rebuilt from the stored ones come out the same"
    );
    // `Some(None)` clears: the due date comes from the contact's 14 days again.
    let due = DocumentChanges {
        due_date: Some(None),
        ..DocumentChanges::default()
    };
    let amended = b.save(Some(&amended), Change::Update, due).unwrap();
    assert_eq!(amended.due_date, date(2026, 3, 15));
    // Lines sent replace all the lines.
    let lines = DocumentChanges {
        lines: Some(vec![b.line("50.00", false)]),
        ..DocumentChanges::default()
    };
    let amended = b.save(Some(&amended), Change::Update, lines).unwrap();
    assert_eq!(
        (amended.lines.len(), amended.total, amended.reference.as_str()),
        (1, 10_000, "PO-1")
    );
    // The store has what the operation answered.
    let stored = b
        .run(|tx, ctx| operations::find(tx, ctx, DocumentKind::Invoice, doc.id))
        .unwrap();
    assert_eq!(stored, amended);
}

#[test]
fn only_drafts_change_and_another_kinds_id_is_not_found() {
    let b = Fixture::open();
    let doc = b.save(None, Change::Create, b.invoice()).unwrap();
    let id = doc.id;
    let found = b.run(move |tx, ctx| operations::find(tx, ctx, DocumentKind::CreditNote, id));
    assert!(matches!(found, Err(DocumentError::NotFound)), "{found:?}");
    let deleted = b.run(move |tx, ctx| operations::delete_draft(tx, ctx, DocumentKind::Bill, id));
    assert!(matches!(deleted, Err(DocumentError::NotFound)), "{deleted:?}");
    let issued = b
        .run(move |tx, ctx| operations::issue(tx, ctx, DocumentKind::Invoice, id))
        .unwrap();
    assert_eq!(issued.number.as_deref(), Some("INV-2026-0001"));
    for how in [Change::Update, Change::Replace] {
        let refused = b.save(Some(&issued), how, b.invoice());
        assert!(matches!(refused, Err(DocumentError::NotDraft("edited"))), "{refused:?}");
    }
    let refused = b.run(move |tx, ctx| operations::delete_draft(tx, ctx, DocumentKind::Invoice, id));
    assert!(
        matches!(refused, Err(DocumentError::NotDraft("deleted"))),
        "{refused:?}"
    );
}

#[test]
fn changes_are_audited_and_a_deleted_draft_is_gone() {
    let b = Fixture::open();
    let doc = b.save(None, Change::Create, b.invoice()).unwrap();
    let notes = DocumentChanges {
        reference: Some("PO-2".into()),
        ..DocumentChanges::default()
    };
    b.save(Some(&doc), Change::Update, notes).unwrap();
    let id = doc.id;
    b.run(move |tx, ctx| operations::delete_draft(tx, ctx, DocumentKind::Invoice, id))
        .unwrap();
    let gone = b.run(move |tx, ctx| operations::find(tx, ctx, DocumentKind::Invoice, id));
    assert!(matches!(gone, Err(DocumentError::NotFound)), "{gone:?}");
    let rows = b
        .store
        .tenant_read(&b.scope, |tx| {
            tx.query(
                "SELECT action, detail FROM audit_log WHERE object_id = $1 ORDER BY id",
                params![id],
            )?
            .iter()
            .map(|r| Ok((r.text(0)?, r.text(1)?)))
            .collect::<Result<Vec<_>, StoreError>>()
        })
        .unwrap();
    let actions: Vec<&str> = rows.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions, ["create", "update", "delete"]);
    assert!(
        rows[1].1.contains("PO-2") && !rows[1].1.contains("Thanks"),
        "{}",
        rows[1].1
    );
}

#[test]
fn the_tax_summary_names_each_rate_with_its_sums() {
    let b = Fixture::open();
    let mut changes = b.invoice();
    changes.lines = Some(vec![
        b.line("120.00", true),
        b.line("3.33", false),
        b.line("0.50", true),
    ]);
    let doc = b.save(None, Change::Create, changes).unwrap();
    let summary = b.run(move |tx, _| tax_summary(tx, &doc)).unwrap();
    assert_eq!(summary.len(), 1);
    let vat = &summary[0];
    assert_eq!(
        (vat.rate_id, vat.name.as_str(), vat.rate_ppm),
        (b.tax, "VAT 20%", 200_000)
    );
    assert_eq!((vat.base, vat.tax), (24_000 + 100, 4_800 + 20));
    let vendor_bill = DocumentChanges {
        contact: Some(b.vendor),
        lines: Some(vec![b.line("1.00", false)]),
        ..DocumentChanges::default()
    };
    let bill = b
        .run(move |tx, ctx| operations::save(tx, ctx, DocumentKind::Bill, None, Change::Create, vendor_bill))
        .unwrap();
    assert!(b.run(move |tx, _| tax_summary(tx, &bill)).unwrap().is_empty());
}
