//! Periods: a soft lock that an allowed role may move back (audited), a hard close that nobody
//! can reopen, and the year-end close that moves the year's result to retained earnings.
//! Every change of the lock dates is a link of the hash chain.

use jiff::civil::Date;
use uuid::Uuid;

use super::Ctx;
use super::chain::{self, Kind};
use super::operations::{append, check_open};
use super::{AuditRecord, Db, EntryInput, JournalEntry, LedgerError, LedgerStore, LineInput, Settings};
use crate::domain::FieldErrors;
use crate::domain::accounts::AccountType;
use crate::domain::audit::{self, AuditFields};
use crate::domain::money;
use crate::domain::taxes::Rounding;

type Result<T, S> = std::result::Result<T, LedgerError<<S as LedgerStore>::Error>>;

/// What a request changes of a company's ledger settings; `None` keeps a setting. The lock
/// dates are not among them: they move only by [`close_period`] and [`reopen_period`].
#[derive(Debug, Clone, Default)]
pub struct SettingsChanges {
    pub fiscal_year_start_month: Option<i64>,
    pub approval_required: Option<bool>,
    /// A decimal amount in the company currency, such as `"1000.00"`.
    pub approval_threshold: Option<String>,
    /// `line` or `document`.
    pub tax_rounding: Option<String>,
    /// `Some(None)` goes back to the account of subtype `fx`.
    pub exchange_account: Option<Option<Uuid>>,
}

/// Changes the fiscal year start, the approval rules and how documents round tax. Taken under
/// the books lock, so a close running at the same time never has its lock date written back.
pub fn update_settings<S: LedgerStore>(store: &mut S, ctx: &Ctx<'_>, changes: SettingsChanges) -> Result<Settings, S> {
    let company = ctx.books.company_id;
    store.lock_books(company).db()?;
    let before = store.settings(company).db()?;
    let mut s = before.clone();
    let mut errors = FieldErrors::default();
    if let Some(m) = changes.fiscal_year_start_month {
        match i8::try_from(m).ok().filter(|m| (1..=12).contains(m)) {
            Some(m) => s.fiscal_year_start_month = m,
            None => errors.add("fiscal_year_start_month", "Enter a month from 1 to 12."),
        }
    }
    if let Some(r) = changes.approval_required {
        s.approval_required = r;
    }
    if let Some(text) = changes.approval_threshold {
        match money::parse(&text).and_then(|d| money::to_minor(d, ctx.books.decimals)) {
            Ok(t) if t < 0 => errors.add("approval_threshold", "Ensure this value is greater than or equal to 0."),
            Ok(t) => s.approval_threshold = t,
            Err(e) => errors.add("approval_threshold", e.to_string()),
        }
    }
    if let Some(r) = changes.tax_rounding {
        match Rounding::parse(&r) {
            Some(rounding) => s.tax_rounding = rounding,
            None => errors.add(
                "tax_rounding",
                format!("\"{r}\" is not a valid choice: line or document."),
            ),
        }
    }
    if let Some(choice) = changes.exchange_account {
        match choice {
            None => s.exchange_account_id = None,
            Some(id) => match store.account(company, id).db()? {
                Some(a) if a.is_active && matches!(a.account_type, AccountType::Revenue | AccountType::Expense) => {
                    s.exchange_account_id = Some(id);
                }
                _ => errors.add(
                    "exchange_account",
                    "Choose an active revenue or expense account of this company.",
                ),
            },
        }
    }
    errors.into_result()?;
    store.save_settings(company, &s).db()?;
    // Who turned approval off, or raised its threshold, is what an auditor asks first.
    let (old, new) = (settings_fields(&before, ctx), settings_fields(&s, ctx));
    let record = audit::changes(ctx, "update", ("settings", company), Some(&old), Some(&new));
    if !record.changes.is_empty() {
        store.audit(&record).db()?;
    }
    Ok(s)
}

/// The settings a request may change, as the audit trail shows them.
fn settings_fields(s: &Settings, ctx: &Ctx<'_>) -> AuditFields {
    vec![
        ("fiscal_year_start_month", s.fiscal_year_start_month.to_string()),
        ("approval_required", s.approval_required.to_string()),
        (
            "approval_threshold",
            money::format(s.approval_threshold, ctx.books.decimals),
        ),
        ("tax_rounding", s.tax_rounding.as_str().to_owned()),
        (
            "exchange_account",
            s.exchange_account_id.map(|a| a.to_string()).unwrap_or_default(),
        ),
    ]
}

/// Locks postings on or before `date`. `hard` closes for good: it can never move back.
pub fn close_period<S: LedgerStore>(store: &mut S, ctx: &Ctx<'_>, date: Date, hard: bool) -> Result<Settings, S> {
    store.lock_books(ctx.books.company_id).db()?;
    let before = store.settings(ctx.books.company_id).db()?;
    let mut after = before.clone();
    if let Some(h) = before.hard_lock_date
        && date < h
    {
        return Err(LedgerError::Period(format!(
            "The books are closed for good through {h}; choose a later date."
        )));
    }
    if hard {
        after.hard_lock_date = Some(date);
        after.lock_date = Some(before.lock_date.map_or(date, |l| l.max(date)));
    } else {
        after.lock_date = Some(date);
    }
    save(store, ctx, &before, &after, if hard { "hard_close" } else { "close" })?;
    Ok(after)
}

/// Moves the soft lock back to `to` (or removes it). The hard close stays where it is.
pub fn reopen_period<S: LedgerStore>(store: &mut S, ctx: &Ctx<'_>, to: Option<Date>) -> Result<Settings, S> {
    store.lock_books(ctx.books.company_id).db()?;
    let before = store.settings(ctx.books.company_id).db()?;
    if let (Some(h), Some(t)) = (before.hard_lock_date, to)
        && t < h
    {
        return Err(LedgerError::Period(format!(
            "The books are closed for good through {h}; they cannot reopen before it."
        )));
    }
    if before.lock_date.is_none()
        || before.lock_date == before.hard_lock_date && to.is_none() && before.hard_lock_date.is_some()
    {
        return Err(LedgerError::Period("There is no soft-locked period to reopen.".into()));
    }
    let mut after = before.clone();
    after.lock_date = match (to, before.hard_lock_date) {
        (Some(t), _) => Some(t),
        (None, h) => h,
    };
    if after.lock_date > before.lock_date {
        return Err(LedgerError::Period(
            "Reopening moves the lock date back, not forward.".into(),
        ));
    }
    save(store, ctx, &before, &after, "reopen")?;
    Ok(after)
}

/// Locks tax postings through `through` for the filed tax return `filed`: afterwards nothing
/// touching one of `accounts` is posted or reversed on or before it. A link of the hash chain
/// (with a signed checkpoint), like a period close; the return's audit row records it.
pub fn lock_tax<S: LedgerStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    through: Date,
    accounts: Vec<Uuid>,
    filed: Uuid,
) -> Result<Settings, S> {
    let company = ctx.books.company_id;
    store.lock_books(company).db()?;
    let mut after = store.settings(company).db()?;
    after.tax_lock = Some(super::TaxLock { through, accounts });
    store.save_settings(company, &after).db()?;
    let seq = store.next_counter(company, "chain").db()?;
    let payload = chain::tax_lock_payload(through, filed, ctx.actor);
    append(store, ctx, seq, Kind::TaxLock, filed, &payload, true)?;
    Ok(after)
}

/// Closes a fiscal year: posts an entry dated `year_end` that brings every revenue and expense
/// account to zero against the retained-earnings account, then locks through `year_end`.
pub fn year_end_close<S: LedgerStore>(store: &mut S, ctx: &Ctx<'_>, year_end: Date) -> Result<Option<JournalEntry>, S> {
    store.lock_books(ctx.books.company_id).db()?;
    let company = ctx.books.company_id;
    check_open(store, ctx, year_end)?;
    let retained = store
        .account_by_subtype(company, "retained_earnings")
        .db()?
        .filter(|a| a.is_active)
        .ok_or_else(|| {
            LedgerError::Period("No active account with subtype retained_earnings to close the year into.".into())
        })?;
    let balances: Vec<(Uuid, i64)> = store
        .result_balances(company, year_end)
        .db()?
        .into_iter()
        .filter(|(_, b)| *b != 0)
        .collect();
    let decimals = ctx.books.decimals;
    let amount = |v: i64| Some(money::format(v, decimals));
    let mut lines: Vec<LineInput> = balances
        .iter()
        .map(|(account, net)| LineInput {
            account_id: Some(*account),
            description: format!("Close {year_end}"),
            debit: (*net < 0).then(|| amount(-net)).flatten(),
            credit: (*net > 0).then(|| amount(*net)).flatten(),
            currency: None,
            exchange_rate: None,
            company_amount: None,
        })
        .collect();
    let result = balances
        .iter()
        .try_fold(0_i64, |sum, (_, b)| sum.checked_add(*b))
        .ok_or_else(|| LedgerError::Period("The year's result is too large to close in one entry.".into()))?;
    let entry = if lines.is_empty() {
        None
    } else {
        if result != 0 {
            lines.push(LineInput {
                account_id: Some(retained.id),
                description: format!("Result of the year ending {year_end}"),
                debit: (result > 0).then(|| amount(result)).flatten(),
                credit: (result < 0).then(|| amount(-result)).flatten(),
                currency: None,
                exchange_rate: None,
                company_amount: None,
            });
        }
        let input = EntryInput {
            date: Some(year_end),
            reference: format!("YEAR-END-{year_end}"),
            description: format!("Year-end close: result to {} {}", retained.code, retained.name),
            lines,
        };
        // The closing entry is the system's, not a person's draft: no approval step.
        let before = store.settings(company).db()?;
        let mut relaxed = before.clone();
        relaxed.approval_required = false;
        store.save_settings(company, &relaxed).db()?;
        let posted = super::post_new(store, ctx, &input);
        store.save_settings(company, &before).db()?;
        Some(posted?)
    };
    close_period(store, ctx, year_end, false)?;
    Ok(entry)
}

fn save<S: LedgerStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    before: &Settings,
    after: &Settings,
    action: &'static str,
) -> Result<(), S> {
    let company = ctx.books.company_id;
    store.save_settings(company, after).db()?;
    let seq = store.next_counter(company, "chain").db()?;
    let payload = chain::close_payload(after.lock_date, after.hard_lock_date, ctx.actor);
    append(store, ctx, seq, Kind::Close, company, &payload, true)?;
    let show = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
    store
        .audit(&AuditRecord {
            company_id: company,
            actor: ctx.actor,
            action,
            object_type: "period",
            object_id: company,
            changes: vec![
                ("lock_date".into(), show(before.lock_date), show(after.lock_date)),
                (
                    "hard_lock_date".into(),
                    show(before.hard_lock_date),
                    show(after.hard_lock_date),
                ),
            ],
        })
        .db()
}
