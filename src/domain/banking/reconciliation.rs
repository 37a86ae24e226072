//! Reconciliation sessions: a bank account signed off up to a statement date. A session is a
//! draft, then submitted (its closing balance must equal the book balance of the reconciled
//! lines: the account's opening balance plus every matched line up to the date), then approved —
//! by someone other than who created or submitted it when the company requires entry approval —
//! which locks its lines. Reopening the latest approved session unlocks them; every step is in
//! the audit trail.

use jiff::Timestamp;
use jiff::civil::Date;
use uuid::Uuid;

use super::accounts::BankAccount;
use super::error::BankingError;
use super::statements::StatementStore;
use crate::domain::audit::{self, AuditFields};
use crate::domain::books::Ctx;
use crate::domain::money;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReconciliationStatus {
    Draft,
    Submitted,
    Approved,
}

impl ReconciliationStatus {
    pub const ALL: [ReconciliationStatus; 3] = [Self::Draft, Self::Submitted, Self::Approved];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Approved => "approved",
        }
    }

    pub fn parse(s: &str) -> Option<ReconciliationStatus> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    pub id: Uuid,
    pub company_id: Uuid,
    pub bank_account_id: Uuid,
    pub statement_date: Date,
    /// The statement's closing balance on `statement_date`, minor units of the account's currency.
    pub closing_balance: i64,
    pub status: ReconciliationStatus,
    pub created_by: Uuid,
    pub submitted_by: Option<Uuid>,
    pub submitted_at: Option<Timestamp>,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What reconciliations need from storage.
pub trait ReconciliationStore: StatementStore {
    /// Whether the company requires entry approval (its ledger setting): then a reconciliation
    /// needs a second person too.
    fn approval_required(&mut self, company: Uuid) -> Result<bool, Self::Error>;
    fn find_reconciliation(&mut self, company: Uuid, id: Uuid) -> Result<Option<Reconciliation>, Self::Error>;
    /// The account's draft or submitted session, if any.
    fn open_reconciliation(&mut self, account: Uuid) -> Result<Option<Uuid>, Self::Error>;
    /// The account's approved session with the latest statement date.
    fn latest_approved(&mut self, account: Uuid) -> Result<Option<Reconciliation>, Self::Error>;
    /// The sum of the account's matched and reconciled lines dated up to `through`.
    fn reconciled_total(&mut self, account: Uuid, through: Date) -> Result<i64, Self::Error>;
    fn insert_reconciliation(&mut self, r: &Reconciliation) -> Result<(), Self::Error>;
    fn update_reconciliation(&mut self, r: &Reconciliation) -> Result<(), Self::Error>;
    /// Marks the account's matched lines up to `through` reconciled by `session`.
    fn lock_lines(&mut self, account: Uuid, through: Date, session: Uuid) -> Result<u64, Self::Error>;
    /// Turns the lines `session` reconciled back into matched ones.
    fn release_lines(&mut self, session: Uuid) -> Result<u64, Self::Error>;
}

/// The book balance of the reconciled lines of `account` up to `through`: its opening balance
/// plus every matched or reconciled line.
pub fn book_balance<S: ReconciliationStore>(
    store: &mut S,
    account: &BankAccount,
    through: Date,
) -> Result<i64, BankingError<S::Error>> {
    let total = store
        .reconciled_total(account.id, through)
        .map_err(BankingError::Store)?;
    account
        .opening_balance
        .checked_add(total)
        .ok_or_else(|| BankingError::field("closing_balance", "The lines add up beyond the books' range."))
}

/// Starts a draft session for `account` up to `statement_date` with the statement's closing
/// balance (decimal text in the account's currency).
pub fn create<S: ReconciliationStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    account: &BankAccount,
    statement_date: Option<&str>,
    closing_balance: Option<&str>,
) -> Result<Reconciliation, BankingError<S::Error>> {
    let mut errors = crate::domain::FieldErrors::default();
    let date = match statement_date.map(|d| d.trim().parse::<Date>()) {
        None => {
            errors.add("statement_date", "This field is required.");
            None
        }
        Some(Ok(d)) => Some(d),
        Some(Err(_)) => {
            errors.add("statement_date", "Date has wrong format. Use YYYY-MM-DD.");
            None
        }
    };
    let closing = match closing_balance.map(|c| money::parse(c).and_then(|d| money::to_minor(d, account.decimals()))) {
        None => {
            errors.add("closing_balance", "This field is required.");
            None
        }
        Some(Ok(c)) => Some(c),
        Some(Err(e)) => {
            errors.add("closing_balance", e.to_string());
            None
        }
    };
    let (Some(date), Some(closing)) = (date, closing) else {
        return Err(BankingError::Invalid(errors));
    };
    if !account.is_active {
        return Err(BankingError::Archived);
    }
    if store
        .open_reconciliation(account.id)
        .map_err(BankingError::Store)?
        .is_some()
    {
        return Err(BankingError::OpenSession);
    }
    if let Some(last) = store.latest_approved(account.id).map_err(BankingError::Store)?
        && last.statement_date >= date
    {
        return Err(BankingError::field(
            "statement_date",
            format!(
                "This account is reconciled up to {}: choose a later date.",
                last.statement_date
            ),
        ));
    }
    let session = Reconciliation {
        id: Uuid::now_v7(),
        company_id: account.company_id,
        bank_account_id: account.id,
        statement_date: date,
        closing_balance: closing,
        status: ReconciliationStatus::Draft,
        created_by: ctx.actor,
        submitted_by: None,
        submitted_at: None,
        approved_by: None,
        approved_at: None,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    store.insert_reconciliation(&session).map_err(BankingError::Store)?;
    audited(store, ctx, "create", None, &session, account.decimals())?;
    Ok(session)
}

fn require_state<E: std::error::Error>(
    session: &Reconciliation,
    expected: ReconciliationStatus,
    verb: &'static str,
) -> Result<(), BankingError<E>> {
    if session.status == expected {
        Ok(())
    } else {
        Err(BankingError::WrongState {
            found: session.status.as_str(),
            expected: expected.as_str(),
            verb,
        })
    }
}

/// The closing balance must equal the book balance of the reconciled lines.
fn balanced<S: ReconciliationStore>(
    store: &mut S,
    account: &BankAccount,
    session: &Reconciliation,
) -> Result<(), BankingError<S::Error>> {
    let book = book_balance(store, account, session.statement_date)?;
    if book == session.closing_balance {
        return Ok(());
    }
    let d = account.decimals();
    Err(BankingError::BalanceMismatch {
        closing: money::format(session.closing_balance, d),
        book: money::format(book, d),
        difference: money::format(session.closing_balance.saturating_sub(book), d),
    })
}

/// Submits a draft for approval once its closing balance equals the book balance.
pub fn submit<S: ReconciliationStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    account: &BankAccount,
    session: Reconciliation,
) -> Result<Reconciliation, BankingError<S::Error>> {
    require_state(&session, ReconciliationStatus::Draft, "submitted")?;
    balanced(store, account, &session)?;
    let submitted = Reconciliation {
        status: ReconciliationStatus::Submitted,
        submitted_by: Some(ctx.actor),
        submitted_at: Some(ctx.now),
        updated_at: ctx.now,
        ..session.clone()
    };
    store.update_reconciliation(&submitted).map_err(BankingError::Store)?;
    audited(store, ctx, "submit", Some(&session), &submitted, account.decimals())?;
    Ok(submitted)
}

/// Approves a submitted session and locks its lines. With entry approval required, the approver
/// is neither its creator nor its submitter. The balance is checked again: a line matched or
/// unmatched since the submission changes it.
pub fn approve<S: ReconciliationStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    account: &BankAccount,
    session: Reconciliation,
) -> Result<Reconciliation, BankingError<S::Error>> {
    require_state(&session, ReconciliationStatus::Submitted, "approved")?;
    let second_person = store
        .approval_required(ctx.books.company_id)
        .map_err(BankingError::Store)?;
    if second_person && (session.created_by == ctx.actor || session.submitted_by == Some(ctx.actor)) {
        return Err(BankingError::SelfApproval);
    }
    balanced(store, account, &session)?;
    let approved = Reconciliation {
        status: ReconciliationStatus::Approved,
        approved_by: Some(ctx.actor),
        approved_at: Some(ctx.now),
        updated_at: ctx.now,
        ..session.clone()
    };
    store.update_reconciliation(&approved).map_err(BankingError::Store)?;
    store
        .lock_lines(account.id, approved.statement_date, approved.id)
        .map_err(BankingError::Store)?;
    audited(store, ctx, "approve", Some(&session), &approved, account.decimals())?;
    Ok(approved)
}

/// Sends a session back to draft: a submitted one at once; an approved one only when it is the
/// account's latest, unlocking its lines. Audited as `reopen`.
pub fn reopen<S: ReconciliationStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    account: &BankAccount,
    session: Reconciliation,
) -> Result<Reconciliation, BankingError<S::Error>> {
    match session.status {
        ReconciliationStatus::Draft => {
            return Err(BankingError::WrongState {
                found: "draft",
                expected: "submitted or approved",
                verb: "reopened",
            });
        }
        ReconciliationStatus::Submitted => {}
        ReconciliationStatus::Approved => {
            let latest = store.latest_approved(account.id).map_err(BankingError::Store)?;
            if latest.as_ref().map(|l| l.id) != Some(session.id) {
                return Err(BankingError::NotLatest);
            }
            if store
                .open_reconciliation(account.id)
                .map_err(BankingError::Store)?
                .is_some()
            {
                return Err(BankingError::OpenSession);
            }
            store.release_lines(session.id).map_err(BankingError::Store)?;
        }
    }
    let reopened = Reconciliation {
        status: ReconciliationStatus::Draft,
        submitted_by: None,
        submitted_at: None,
        approved_by: None,
        approved_at: None,
        updated_at: ctx.now,
        ..session.clone()
    };
    store.update_reconciliation(&reopened).map_err(BankingError::Store)?;
    audited(store, ctx, "reopen", Some(&session), &reopened, account.decimals())?;
    Ok(reopened)
}

fn audited<S: ReconciliationStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    action: &'static str,
    before: Option<&Reconciliation>,
    after: &Reconciliation,
    decimals: u32,
) -> Result<(), BankingError<S::Error>> {
    let before = before.map(|b| fields(b, decimals));
    let record = audit::changes(
        ctx,
        action,
        ("reconciliation", after.id),
        before.as_ref(),
        Some(&fields(after, decimals)),
    );
    store.append_audit(&record).map_err(BankingError::Store)
}

fn fields(r: &Reconciliation, decimals: u32) -> AuditFields {
    vec![
        ("bank_account", r.bank_account_id.to_string()),
        ("statement_date", r.statement_date.to_string()),
        ("closing_balance", money::format(r.closing_balance, decimals)),
        ("status", r.status.as_str().to_owned()),
        ("submitted_by", audit::id_text(r.submitted_by)),
        ("approved_by", audit::id_text(r.approved_by)),
    ]
}
