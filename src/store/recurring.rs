//! Recurring invoices: schedules, their template lines, the due list the scheduler reads, and
//! `RecurringStore` for both backends.

use jiff::civil::Date;
use uuid::Uuid;

use super::ledger::parse_date;
use super::list::{FilterKind, ListError, ListRequest, ListSpec, Page, Paged, list};
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

impl Paged for Recurring {
    fn page(tx: &mut Tx, company: Uuid, request: &ListRequest) -> Result<Page<Recurring>, ListError> {
        let mut page = list(tx, &LIST, ("company_id = $1", vec![company.into()]), request, from_row)?;
        for r in &mut page.items {
            r.lines = lines(tx, r.id)?;
        }
        Ok(page)
    }
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

/// Whether any company of the firm has an active schedule due on or before `date`: one cheap
/// query, so the scheduler skips the firms with nothing to do without opening their books.
pub fn any_due(tx: &mut Tx, date: Date) -> Result<bool, StoreError> {
    let row = tx.query_one(
        "SELECT COUNT(*) FROM (SELECT 1 FROM recurring_invoices WHERE is_active = $1 AND next_date IS NOT NULL \
         AND next_date <= $2 LIMIT 1) due",
        params![true, date.to_string()],
    )?;
    Ok(row.int(0)? > 0)
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
