//! Recurring invoices: schedules, their template lines, the due list the scheduler reads, and
//! `RecurringStore` for both backends.

use jiff::civil::Date;
use uuid::Uuid;

use super::ledger::parse_date;
use super::list::{FilterKind, ListError, ListRequest, ListSpec, Page, list};
use super::platform::{parse_ts, ts};
use super::{Row, StoreError, Tx, Value};
use crate::domain::documents::LineInput;
use crate::domain::documents::recurring::{Frequency, Recurring, RecurringStore};
use crate::params;

const COLUMNS: &str = "id, company_id, name, contact_id, frequency, repeat_every, start_date, end_date, next_date, \
    payment_terms_days, reference, notes, auto_issue, is_active, generated, created_by, created_at, updated_at";

pub const LIST: ListSpec = ListSpec {
    columns: COLUMNS,
    from: "recurring_invoices",
    filters: &[
        ("is_active", "is_active = ?", FilterKind::Bool),
        ("contact", "contact_id = ?", FilterKind::Uuid),
    ],
    search: &["name", "reference"],
    ordering: &[
        ("name", "name"),
        ("next_date", "next_date"),
        ("created_at", "created_at"),
    ],
    tie_breaker: "id",
    default_ordering: "name",
};

fn from_row(r: &Row) -> Result<Recurring, StoreError> {
    let frequency = r.text(4)?;
    Ok(Recurring {
        id: r.uuid(0)?,
        company_id: r.uuid(1)?,
        name: r.text(2)?,
        contact_id: r.uuid(3)?,
        frequency: Frequency::parse(&frequency)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown frequency {frequency:?}")))?,
        every: r.int(5)?,
        start_date: parse_date(&r.text(6)?)?,
        end_date: r.opt_text(7)?.as_deref().map(parse_date).transpose()?,
        next_date: r.opt_text(8)?.as_deref().map(parse_date).transpose()?,
        payment_terms_days: r.opt_int(9)?,
        reference: r.text(10)?,
        notes: r.text(11)?,
        auto_issue: r.bool(12)?,
        is_active: r.bool(13)?,
        generated: r.int(14)?,
        lines: Vec::new(),
        created_by: r.uuid(15)?,
        created_at: parse_ts(&r.text(16)?)?,
        updated_at: parse_ts(&r.text(17)?)?,
    })
}

fn lines(tx: &mut Tx, id: Uuid) -> Result<Vec<LineInput>, StoreError> {
    tx.query(
        "SELECT item_id, description, quantity, unit_price, discount_percent, tax_rate_id, account_id \
         FROM recurring_lines WHERE recurring_id = $1 ORDER BY line_no",
        params![id],
    )?
    .iter()
    .map(|r| {
        Ok(LineInput {
            item: r.opt_uuid(0)?,
            description: r.text(1)?,
            quantity: r.opt_text(2)?,
            unit_price: r.opt_text(3)?,
            discount_percent: r.opt_text(4)?,
            tax_rate: r.opt_uuid(5)?,
            account: r.opt_uuid(6)?,
        })
    })
    .collect()
}

pub fn page(tx: &mut Tx, company: Uuid, req: &ListRequest) -> Result<Page<Recurring>, ListError> {
    let mut page = list(tx, &LIST, ("company_id = $1", vec![company.into()]), req, from_row)?;
    for r in &mut page.items {
        r.lines = lines(tx, r.id)?;
    }
    Ok(page)
}

pub fn get(tx: &mut Tx, company: Uuid, id: Uuid) -> Result<Option<Recurring>, StoreError> {
    let Some(row) = tx.query_opt(
        &format!("SELECT {COLUMNS} FROM recurring_invoices WHERE company_id = $1 AND id = $2"),
        params![company, id],
    )?
    else {
        return Ok(None);
    };
    let mut r = from_row(&row)?;
    r.lines = lines(tx, id)?;
    Ok(Some(r))
}

fn values(r: &Recurring) -> Vec<Value> {
    crate::values![
        r.id,
        r.company_id,
        r.name.as_str(),
        r.contact_id,
        r.frequency.as_str(),
        r.every,
        r.start_date.to_string(),
        r.end_date.map(|d| d.to_string()),
        r.next_date.map(|d| d.to_string()),
        r.payment_terms_days,
        r.reference.as_str(),
        r.notes.as_str(),
        r.auto_issue,
        r.is_active,
        r.generated,
        r.created_by,
        ts(r.created_at),
        ts(r.updated_at)
    ]
    .to_vec()
}

fn insert_lines(tx: &mut Tx, r: &Recurring) -> Result<(), StoreError> {
    tx.execute("DELETE FROM recurring_lines WHERE recurring_id = $1", params![r.id])?;
    let mut v: Vec<Value> = Vec::new();
    for (i, l) in r.lines.iter().enumerate() {
        v.extend(crate::values![
            r.id,
            i64::try_from(i + 1).map_err(|_| StoreError::Corrupt("too many template lines".into()))?,
            l.item,
            l.description.as_str(),
            l.quantity.clone(),
            l.unit_price.clone(),
            l.discount_percent.clone(),
            l.tax_rate,
            l.account
        ]);
    }
    tx.insert_many(
        "INSERT INTO recurring_lines (recurring_id, line_no, item_id, description, quantity, unit_price, \
         discount_percent, tax_rate_id, account_id)",
        9,
        &v,
    )
}

fn insert(tx: &mut Tx, r: &Recurring) -> Result<(), StoreError> {
    tx.insert_many(&format!("INSERT INTO recurring_invoices ({COLUMNS})"), 18, &values(r))?;
    insert_lines(tx, r)
}

fn update(tx: &mut Tx, r: &Recurring) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE recurring_invoices SET company_id = $2, name = $3, contact_id = $4, frequency = $5, repeat_every = $6, \
         start_date = $7, end_date = $8, next_date = $9, payment_terms_days = $10, reference = $11, notes = $12, \
         auto_issue = $13, is_active = $14, generated = $15, created_by = $16, created_at = $17, updated_at = $18 \
         WHERE id = $1",
        &values(r),
    )?;
    insert_lines(tx, r)
}

/// Active schedules of the company with a next date on or before `date`, soonest first.
pub fn due(tx: &mut Tx, company: Uuid, date: Date) -> Result<Vec<Uuid>, StoreError> {
    tx.query(
        "SELECT id FROM recurring_invoices WHERE company_id = $1 AND is_active = $2 AND next_date IS NOT NULL \
         AND next_date <= $3 ORDER BY next_date, id",
        params![company, true, date.to_string()],
    )?
    .iter()
    .map(|r| r.uuid(0))
    .collect()
}

impl RecurringStore for Tx<'_> {
    fn recurring(&mut self, company: Uuid, id: Uuid) -> Result<Option<Recurring>, StoreError> {
        get(self, company, id)
    }

    fn insert_recurring(&mut self, r: &Recurring) -> Result<(), StoreError> {
        insert(self, r)
    }

    fn update_recurring(&mut self, r: &Recurring) -> Result<(), StoreError> {
        update(self, r)
    }

    fn due_recurring(&mut self, company: Uuid, date: Date) -> Result<Vec<Uuid>, StoreError> {
        due(self, company, date)
    }

    fn lock_recurring(&mut self, company: Uuid, id: Uuid) -> Result<Option<Recurring>, StoreError> {
        self.execute(
            "UPDATE recurring_invoices SET updated_at = updated_at WHERE company_id = $1 AND id = $2",
            params![company, id],
        )?;
        get(self, company, id)
    }

    fn save_recurring_progress(&mut self, r: &Recurring) -> Result<(), StoreError> {
        self.execute(
            "UPDATE recurring_invoices SET next_date = $3, generated = $4, updated_at = $5 WHERE company_id = $1 AND id = $2",
            params![r.company_id, r.id, r.next_date.map(|d| d.to_string()), r.generated, ts(r.updated_at)],
        )?;
        Ok(())
    }

    fn link_recurring(&mut self, document: Uuid, recurring: Uuid, date: Date) -> Result<(), StoreError> {
        self.execute(
            "UPDATE documents SET recurring_id = $2, recurring_date = $3 WHERE id = $1",
            params![document, recurring, date.to_string()],
        )?;
        Ok(())
    }
}

/// The schedule use cases (`domain::documents::recurring`) on a real SQLite store.
#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;
    use crate::domain::Change;
    use crate::domain::books::{Books, Ctx};
    use crate::domain::documents::DocumentError;
    use crate::domain::documents::recurring::{self, RecurringChanges};
    use crate::domain::tenants::{Company, CompanyDetails, Plan};
    use crate::provision::{self, NewFirm};
    use crate::store::{Store, StoreConfig};
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
            recurring::save(tx, ctx, None, Change::Create, RecurringChanges::default())
        });
        assert_eq!(invalid_fields(missing), ["contact", "frequency", "lines", "name"]);
        let r = write(&b, |tx, ctx| recurring::save(tx, ctx, None, Change::Create, whole(&b))).unwrap();
        assert_eq!(
            (r.name.as_str(), r.every, r.next_date),
            ("Rent", 1, Some(date(2026, 1, 31)))
        );
        let only_name = RecurringChanges {
            name: Some("Rent 2".into()),
            ..RecurringChanges::default()
        };
        let refused = write(&b, |tx, ctx| {
            recurring::save(tx, ctx, Some(r.clone()), Change::Replace, only_name.clone())
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
        let current = write(&b, |tx, ctx| recurring::find(tx, ctx, r.id)).unwrap();
        assert_eq!((current.generated, current.next_date), (3, Some(date(2026, 4, 30))));
        let every_two = RecurringChanges {
            every: Some(2),
            ..RecurringChanges::default()
        };
        let changed = write(&b, |tx, ctx| {
            recurring::save(tx, ctx, Some(current.clone()), Change::Update, every_two)
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
            recurring::save(tx, ctx, Some(changed.clone()), Change::Update, backwards)
        });
        assert_eq!(invalid_fields(refused), ["end_date"]);
        let ended = RecurringChanges {
            end_date: Some(Some(date(2026, 6, 30))),
            ..RecurringChanges::default()
        };
        let ended = write(&b, |tx, ctx| {
            recurring::save(tx, ctx, Some(changed.clone()), Change::Update, ended)
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
}
