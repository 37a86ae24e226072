//! Tests of the recurring schedule use cases (`domain::documents::recurring`) through the real
//! store (SQLite): a create and a `PUT` need name, contact, frequency and lines, a `PATCH` keeps
//! what it does not send, `run_due` makes each due date's invoice once, a change restarts the
//! schedule from its start skipping what it made, and every change leaves an audit row.
use jiff::civil::{Date, date};
use uuid::Uuid;

use super::{Store, StoreConfig, StoreError, Tx};
use crate::domain::books::{Books, Ctx};
use crate::domain::documents::recurring::{self, Recurring, RecurringChanges};
use crate::domain::documents::{DocumentError, LineInput};
use crate::domain::tenants::{Company, CompanyDetails, Plan};
use crate::domain::{Change, FieldErrors, Kept};
use crate::params;
use crate::provision::{self, NewFirm};
use crate::tenancy::TenantScope;

struct Fixture {
    store: Store,
    scope: TenantScope,
    company: Company,
    customer: Uuid,
    revenue: Uuid,
    _dir: tempfile::TempDir,
}

fn books() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&StoreConfig::Sqlite {
        data_dir: dir.path().to_path_buf(),
        cache_size: 2,
    })
    .unwrap();
    let firm = provision::create_firm(
        &store,
        NewFirm {
            name: "Schedules firm".into(),
            domain: None,
            plan: Plan::Basic,
            company: CompanyDetails {
                name: "Schedules company".into(),
                currency: "EUR".into(),
                timezone: "Europe/Berlin".into(),
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
    let (customer, revenue) = store
        .tenant_write(&scope, |tx| -> Result<(Uuid, Uuid), StoreError> {
            let customer = Uuid::now_v7();
            tx.execute(
                "INSERT INTO contacts (id, company_id, is_customer, is_vendor, name, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 'Tenant Ltd', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                params![customer, company, true, false],
            )?;
            let revenue = tx
                .query_one(
                    "SELECT id FROM accounts WHERE company_id = $1 AND code = '4100'",
                    params![company],
                )?
                .uuid(0)?;
            Ok((customer, revenue))
        })
        .unwrap();
    Fixture {
        store,
        scope,
        company: firm.company,
        customer,
        revenue,
        _dir: dir,
    }
}

/// Runs `op` in one write transaction with a context whose today is 15 April 2026.
fn write<T>(b: &Fixture, op: impl FnOnce(&mut Tx, &Ctx<'_>) -> T) -> T {
    let books = Books::of(&b.company);
    b.store
        .tenant_write(&b.scope, |tx| -> Result<T, StoreError> {
            let ctx = Ctx {
                books: &books,
                company: &b.company,
                actor: Uuid::now_v7(),
                checkpoint_key: b"recurring-tests",
                today: date(2026, 4, 15),
                now: crate::domain::books::now(),
            };
            Ok(op(tx, &ctx))
        })
        .unwrap()
}

fn whole(b: &Fixture) -> RecurringChanges {
    RecurringChanges {
        name: Some(" Rent ".into()),
        contact: Some(b.customer),
        frequency: Some("monthly".into()),
        start_date: Some(date(2026, 1, 31)),
        lines: Some(vec![LineInput {
            description: "Office rent".into(),
            unit_price: Some("1000.00".into()),
            account: Some(b.revenue),
            ..LineInput::default()
        }]),
        ..RecurringChanges::default()
    }
}

fn invalid_fields<T: std::fmt::Debug>(r: Result<T, DocumentError<StoreError>>) -> Vec<String> {
    match r {
        Err(DocumentError::Invalid(e)) => e.0.into_keys().collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[test]
fn a_schedule_is_set_up_replaced_changed_and_run() {
    let b = books();
    // A create needs the four fields; so does a replace.
    let missing = write(&b, |tx, ctx| {
        Recurring::save(
            tx,
            ctx,
            None,
            Change::Create,
            RecurringChanges::default(),
            FieldErrors::default(),
        )
    });
    assert_eq!(invalid_fields(missing), ["contact", "frequency", "lines", "name"]);
    let r = write(&b, |tx, ctx| {
        Recurring::save(tx, ctx, None, Change::Create, whole(&b), FieldErrors::default())
    })
    .unwrap();
    assert_eq!(
        (r.name.as_str(), r.every, r.next_date),
        ("Rent", 1, Some(date(2026, 1, 31)))
    );
    let only_name = RecurringChanges {
        name: Some("Rent 2".into()),
        ..RecurringChanges::default()
    };
    let refused = write(&b, |tx, ctx| {
        Recurring::save(
            tx,
            ctx,
            Some(r.clone()),
            Change::Replace,
            only_name.clone(),
            FieldErrors::default(),
        )
    });
    assert_eq!(invalid_fields(refused), ["contact", "frequency", "lines"]);

    // Three invoices by today (15 April): 31 January, 28 February, 31 March.
    let made = write(&b, |tx, ctx| recurring::run_due(tx, ctx, ctx.today)).unwrap();
    let dates: Vec<Date> = made.iter().map(|d| d.issue_date).collect();
    assert_eq!(dates, [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]);
    assert!(
        write(&b, |tx, ctx| recurring::run_due(tx, ctx, ctx.today))
            .unwrap()
            .is_empty()
    );

    // A change restarts the schedule from its start, skipping what it made.
    let current = write(&b, |tx, ctx| Recurring::find(tx, ctx, r.id)).unwrap();
    assert_eq!((current.generated, current.next_date), (3, Some(date(2026, 4, 30))));
    let every_two = RecurringChanges {
        every: Some(2),
        ..RecurringChanges::default()
    };
    let changed = write(&b, |tx, ctx| {
        Recurring::save(
            tx,
            ctx,
            Some(current.clone()),
            Change::Update,
            every_two,
            FieldErrors::default(),
        )
    })
    .unwrap();
    assert_eq!(
        (changed.frequency.as_str(), changed.name.as_str(), changed.next_date),
        ("monthly", "Rent", Some(date(2026, 7, 31)))
    );
    assert_eq!(changed.created_at, current.created_at);
    // An end before the start is refused; an end before the next date ends the schedule.
    let backwards = RecurringChanges {
        end_date: Some(Some(date(2025, 12, 31))),
        ..RecurringChanges::default()
    };
    let refused = write(&b, |tx, ctx| {
        Recurring::save(
            tx,
            ctx,
            Some(changed.clone()),
            Change::Update,
            backwards,
            FieldErrors::default(),
        )
    });
    assert_eq!(invalid_fields(refused), ["end_date"]);
    let ended = RecurringChanges {
        end_date: Some(Some(date(2026, 6, 30))),
        ..RecurringChanges::default()
    };
    let ended = write(&b, |tx, ctx| {
        Recurring::save(
            tx,
            ctx,
            Some(changed.clone()),
            Change::Update,
            ended,
            FieldErrors::default(),
        )
    })
    .unwrap();
    assert_eq!(ended.next_date, None);

    // Every saved change is in the audit trail, with what changed.
    let rows = b
        .store
        .tenant_read(&b.scope, |tx| {
            tx.query(
                "SELECT action, detail FROM audit_log WHERE object_type = 'recurring_invoice' AND object_id = $1 \
                 ORDER BY created_at, id",
                params![r.id],
            )
        })
        .unwrap();
    let actions: Vec<String> = rows.iter().map(|row| row.text(0).unwrap()).collect();
    assert_eq!(actions, ["create", "generate", "update", "update"]);
    assert!(rows[2].text(1).unwrap().contains("every"), "{:?}", rows[2]);
}
