//! What is done with tax returns: compute one for a period, file it (the return stored, the
//! settlement posted, the tax lock moved to its end, one audit row), and change the company's
//! tax-return settings.

use jiff::civil::Date;
use uuid::Uuid;

use super::layout::{self, Layout};
use super::{FiledReturn, TaxReturn, TaxReturnError, TaxReturnStore, TaxSettings, TaxSettingsChanges, figures};
use crate::domain::FieldErrors;
use crate::domain::accounts::{Account, AccountType};
use crate::domain::audit::{self, AuditFields};
use crate::domain::books::{AuditRecord, Ctx};
use crate::domain::ledger::{self, EntryInput, LineInput, TaxLock};
use crate::domain::money;
use crate::domain::reports::Overflow;

type Result<T, S> = std::result::Result<T, TaxReturnError<<S as ledger::LedgerStore>::Error>>;

trait Db<T, E: std::error::Error + 'static> {
    fn db(self) -> std::result::Result<T, TaxReturnError<E>>;
}

impl<T, E: std::error::Error + 'static> Db<T, E> for std::result::Result<T, E> {
    fn db(self) -> std::result::Result<T, TaxReturnError<E>> {
        self.map_err(TaxReturnError::Store)
    }
}

/// The layout called `name`, or the error naming it.
fn find_layout<E: std::error::Error + 'static>(name: &str) -> std::result::Result<Layout, TaxReturnError<E>> {
    layout::find(name).ok_or_else(|| TaxReturnError::UnknownLayout(name.to_owned()))
}

/// The return of `from`–`to` in `layout` (default: the company's).
pub fn report<S: TaxReturnStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    from: Date,
    to: Date,
    layout: Option<&str>,
) -> Result<TaxReturn, S> {
    let company = ctx.books.company_id;
    let layout = match layout {
        Some(name) => find_layout(name)?,
        None => find_layout(&store.tax_settings(company).db()?.layout)?,
    };
    if from > to {
        let mut errors = FieldErrors::default();
        errors.add("date_from", "date_from must not be after date_to.");
        return Err(TaxReturnError::Invalid(errors));
    }
    let rates = store.tax_rates(company).db()?;
    let accounts = store.tax_accounts(company).db()?;
    let ids: Vec<Uuid> = accounts.iter().map(|a| a.id).collect();
    let documents = store.document_tax(company, from, to).db()?;
    let other = store.other_tax_postings(company, &ids, from, to).db()?;
    let figures = figures(&rates, &accounts, &documents, &other)?;
    let boxes = layout::fill(&layout, &figures).ok_or(Overflow("tax return boxes"))?;
    let net_payable = figures.net_payable()?;
    Ok(TaxReturn {
        from,
        to,
        layout,
        figures,
        boxes,
        net_payable,
    })
}

/// Files the return of `from`–`to`: stores it with its boxes as computed, posts the settlement
/// (each tax account's movement in the period moved to the payable account, or to the
/// receivable account for a refund) dated `to`, and locks tax postings through `to`.
pub fn file<S: TaxReturnStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    from: Date,
    to: Date,
    layout: Option<&str>,
) -> Result<FiledReturn, S> {
    let company = ctx.books.company_id;
    store.lock_books(company).db()?;
    let tax_return = report(store, ctx, from, to, layout)?;
    if to >= ctx.today {
        return Err(TaxReturnError::PeriodNotOver { to });
    }
    let before = store.settings(company).db()?;
    if let Some(lock) = &before.tax_lock
        && from <= lock.through
    {
        let filed = store.overlapping_return(company, from, lock.through).db()?;
        return Err(match filed {
            Some(f) => TaxReturnError::AlreadyFiled { from: f.from, to: f.to },
            None => TaxReturnError::AlreadyFiled {
                from: lock.through,
                to: lock.through,
            },
        });
    }
    if let Some(f) = store.overlapping_return(company, from, to).db()? {
        return Err(TaxReturnError::AlreadyFiled { from: f.from, to: f.to });
    }
    let accounts = store.tax_accounts(company).db()?;
    let ids: Vec<Uuid> = accounts.iter().map(|a| a.id).collect();
    let movements: Vec<(Uuid, i64)> = store
        .movements(&ids, from, to)
        .db()?
        .into_iter()
        .filter(|(_, m)| *m != 0)
        .collect();
    let moved = movements
        .iter()
        .try_fold(0_i64, |s, (_, m)| s.checked_add(*m))
        .ok_or(Overflow("tax account movements"))?;
    let d = ctx.books.decimals;
    // The tax accounts' debit − credit is what the return says is refundable.
    if moved.checked_neg() != Some(tax_return.net_payable) {
        return Err(TaxReturnError::Unreconciled {
            ledger: money::format(moved.saturating_neg(), d),
            report: money::format(tax_return.net_payable, d),
        });
    }
    let settings = store.tax_settings(company).db()?;
    let target = settlement_account(store, company, &settings, &accounts, tax_return.net_payable >= 0)?;
    let settlement = settle(store, ctx, from, to, &movements, target)?;
    let filed = FiledReturn {
        id: Uuid::now_v7(),
        company_id: company,
        from,
        to,
        layout: tax_return.layout.name.to_owned(),
        net_amount: tax_return.net_payable,
        settlement_entry_id: settlement,
        filed_by: ctx.actor,
        filed_at: ctx.now,
        boxes: tax_return.boxes,
    };
    store.insert_return(&filed).db()?;
    let after = ledger::lock_tax(store, ctx, to, ids, filed.id)?;
    let show = |l: &Option<TaxLock>| l.as_ref().map(|l| l.through.to_string()).unwrap_or_default();
    let mut changes = vec![(
        "tax_lock_date".to_owned(),
        show(&before.tax_lock),
        show(&after.tax_lock),
    )];
    changes.extend(
        [
            ("period", format!("{from} – {to}")),
            ("layout", filed.layout.clone()),
            ("net_amount", money::format(filed.net_amount, d)),
            (
                "settlement_entry",
                settlement.map(|e| e.to_string()).unwrap_or_default(),
            ),
        ]
        .into_iter()
        .map(|(f, v)| (f.to_owned(), String::new(), v)),
    );
    store
        .audit(&AuditRecord {
            company_id: company,
            actor: ctx.actor,
            action: "file",
            object_type: "tax_return",
            object_id: filed.id,
            changes,
        })
        .db()?;
    Ok(filed)
}

/// The account a return settles into: the one set, else the chart's liability (payable) or
/// asset (refund) account of subtype `tax`, else the other of the two.
fn settlement_account<S: TaxReturnStore>(
    store: &mut S,
    company: Uuid,
    settings: &TaxSettings,
    accounts: &[Account],
    payable: bool,
) -> Result<Uuid, S> {
    let by_type = |t: AccountType| {
        accounts
            .iter()
            .filter(|a| a.is_active && a.subtype == "tax" && a.account_type == t)
            .min_by(|a, b| a.code.cmp(&b.code))
            .map(|a| a.id)
    };
    let payable_account = settings.payable_account.or_else(|| by_type(AccountType::Liability));
    let receivable_account = settings.receivable_account.or_else(|| by_type(AccountType::Asset));
    let chosen = if payable {
        payable_account.or(receivable_account)
    } else {
        receivable_account.or(payable_account)
    };
    let id = chosen.ok_or(TaxReturnError::NoSettlementAccount)?;
    match store.account(company, id).db()? {
        Some(a) if a.is_active => Ok(id),
        _ => Err(TaxReturnError::NoSettlementAccount),
    }
}

/// Posts the settlement: every tax account but `target` back to zero for the period, the sum to
/// `target`. `None` when nothing is to move.
fn settle<S: TaxReturnStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    from: Date,
    to: Date,
    movements: &[(Uuid, i64)],
    target: Uuid,
) -> Result<Option<Uuid>, S> {
    let d = ctx.books.decimals;
    let amount = |v: i64| Some(money::format(v, d));
    let description = format!("Tax return {from} – {to}");
    let mut lines: Vec<LineInput> = Vec::new();
    let mut to_target = 0_i64;
    for (account, moved) in movements.iter().filter(|(a, _)| *a != target) {
        to_target = to_target.checked_add(*moved).ok_or(Overflow("tax settlement"))?;
        lines.push(LineInput {
            account_id: Some(*account),
            description: description.clone(),
            debit: (*moved < 0).then(|| amount(moved.saturating_neg())).flatten(),
            credit: (*moved > 0).then(|| amount(*moved)).flatten(),
            currency: None,
            exchange_rate: None,
            company_amount: None,
        });
    }
    if lines.is_empty() {
        return Ok(None);
    }
    if to_target != 0 {
        lines.push(LineInput {
            account_id: Some(target),
            description: description.clone(),
            debit: (to_target > 0).then(|| amount(to_target)).flatten(),
            credit: (to_target < 0).then(|| amount(to_target.saturating_neg())).flatten(),
            currency: None,
            exchange_rate: None,
            company_amount: None,
        });
    }
    let input = EntryInput {
        date: Some(to),
        reference: format!("TAX-{to}"),
        description: format!("{description}: settlement"),
        lines,
    };
    // The settlement is the system's entry, not a person's draft: no approval step (as the
    // year-end close).
    let company = ctx.books.company_id;
    let before = store.settings(company).db()?;
    let mut relaxed = before.clone();
    relaxed.approval_required = false;
    store.save_settings(company, &relaxed).db()?;
    let posted = ledger::post_new(store, ctx, &input);
    store.save_settings(company, &before).db()?;
    Ok(Some(posted?.id))
}

/// Changes the layout and the settlement accounts (each must be an active account of the
/// company).
pub fn save_settings<S: TaxReturnStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    changes: TaxSettingsChanges,
) -> Result<TaxSettings, S> {
    let company = ctx.books.company_id;
    let before = store.tax_settings(company).db()?;
    let mut after = before.clone();
    let mut errors = FieldErrors::default();
    if let Some(name) = changes.layout {
        match layout::find(&name) {
            Some(l) => after.layout = l.name.to_owned(),
            None => errors.add("layout", format!("\"{name}\" is not a tax return layout.")),
        }
    }
    for (field, change, slot) in [
        ("payable_account", changes.payable_account, &mut after.payable_account),
        (
            "receivable_account",
            changes.receivable_account,
            &mut after.receivable_account,
        ),
    ] {
        let Some(change) = change else { continue };
        if let Some(id) = change {
            match store.account(company, id).db()? {
                Some(a) if a.is_active => {}
                Some(_) => errors.add(field, "This account is inactive."),
                None => errors.add(field, "Unknown account for this company."),
            }
        }
        *slot = change;
    }
    errors.into_result().map_err(TaxReturnError::Invalid)?;
    store.save_tax_settings(company, &after).db()?;
    let fields = |s: &TaxSettings| -> AuditFields {
        let id = |v: Option<Uuid>| v.map(|v| v.to_string()).unwrap_or_default();
        vec![
            ("layout", s.layout.clone()),
            ("payable_account", id(s.payable_account)),
            ("receivable_account", id(s.receivable_account)),
        ]
    };
    let record = audit::changes(
        ctx,
        "update",
        ("tax_settings", company),
        Some(&fields(&before)),
        Some(&fields(&after)),
    );
    if !record.changes.is_empty() {
        store.audit(&record).db()?;
    }
    Ok(after)
}
