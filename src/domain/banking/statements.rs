//! Statement imports and their lines: which lines of a parsed statement are new to the bank
//! account (by fingerprint), their amounts in minor units of the account's currency, the preview
//! (period, balances, counts, the balance check), the commit, and what a bookkeeper does to one
//! line (match it to a posted entry, unmatch it, ignore it). A reconciled line is locked.

use std::collections::HashSet;

use jiff::Timestamp;
use jiff::civil::Date;
use uuid::Uuid;

use super::accounts::{BankAccount, BankAccountStore, audit_fields as account_fields, normalize_iban};
use super::error::BankingError;
use crate::domain::audit::{self, AuditFields};
use crate::domain::books::Ctx;
use crate::domain::money;
use crate::formats::statement::{Statement, StatementFormat};

/// Where a statement line stands with the books.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineStatus {
    Unmatched,
    Matched,
    Reconciled,
    Ignored,
}

impl LineStatus {
    pub const ALL: [LineStatus; 4] = [Self::Unmatched, Self::Matched, Self::Reconciled, Self::Ignored];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unmatched => "unmatched",
            Self::Matched => "matched",
            Self::Reconciled => "reconciled",
            Self::Ignored => "ignored",
        }
    }

    pub fn parse(s: &str) -> Option<LineStatus> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A statement line as the account keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLine {
    pub id: Uuid,
    pub company_id: Uuid,
    pub bank_account_id: Uuid,
    pub import_id: Uuid,
    pub fingerprint: String,
    pub date: Date,
    pub value_date: Option<Date>,
    /// Minor units of `currency` (the account's); positive is money in.
    pub amount: i64,
    pub currency: String,
    pub text: String,
    pub counterparty: String,
    pub counterparty_account: String,
    pub reference: String,
    pub bank_id: Option<String>,
    pub status: LineStatus,
    /// What the line was matched to (`journal_entry`, `payment`, …) and its id.
    pub matched: Option<(String, Uuid)>,
    pub journal_entry_id: Option<Uuid>,
    pub reconciliation_id: Option<Uuid>,
    pub created_at: Timestamp,
}

/// One committed import of a statement file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementImport {
    pub id: Uuid,
    pub company_id: Uuid,
    pub bank_account_id: Uuid,
    pub format: StatementFormat,
    pub file_name: String,
    /// Hex SHA-256 of the file.
    pub sha256: String,
    pub period: Option<(Date, Date)>,
    pub opening_balance: Option<i64>,
    pub closing_balance: Option<i64>,
    pub lines_new: i64,
    pub lines_duplicate: i64,
    pub created_by: Uuid,
    pub created_at: Timestamp,
}

/// A balance the statement states, in minor units of the account's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatedBalance {
    pub date: Date,
    pub amount: i64,
}

/// Whether the lines add up to what the statement says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BalanceCheck {
    /// Opening + lines = closing.
    Agrees,
    /// Opening + lines (`computed`) differs from the stated closing.
    Differs { stated: i64, computed: i64 },
    /// The file states no opening and closing balance to check against.
    NotStated,
}

/// A line of the file as it would be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedLine {
    pub row: usize,
    pub fingerprint: String,
    pub date: Date,
    pub value_date: Option<Date>,
    pub amount: i64,
    pub text: String,
    pub counterparty: String,
    pub counterparty_account: String,
    pub reference: String,
    pub bank_id: Option<String>,
    /// Already in the account (or earlier in this file): importing adds nothing for it.
    pub duplicate: bool,
}

/// What importing a file would do: shown as the preview, written by [`commit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub format: StatementFormat,
    /// The first and last booking dates of its lines.
    pub period: Option<(Date, Date)>,
    pub opening: Option<StatedBalance>,
    pub closing: Option<StatedBalance>,
    pub lines: Vec<PlannedLine>,
    pub new: usize,
    pub duplicate: usize,
    pub check: BalanceCheck,
}

/// What importing and working statement lines need from storage.
pub trait StatementStore: BankAccountStore {
    /// The fingerprints the account already has among lines dated `from`..=`to`.
    fn known_fingerprints(&mut self, account: Uuid, from: Date, to: Date) -> Result<HashSet<String>, Self::Error>;
    fn insert_import(&mut self, import: &StatementImport) -> Result<(), Self::Error>;
    fn update_import_counts(&mut self, import: Uuid, new: i64, duplicate: i64) -> Result<(), Self::Error>;
    /// Inserts a line unless the account has its fingerprint (a concurrent import): whether it did.
    fn insert_line(&mut self, line: &StoredLine) -> Result<bool, Self::Error>;
    fn find_line(&mut self, company: Uuid, id: Uuid) -> Result<Option<StoredLine>, Self::Error>;
    fn update_line(&mut self, line: &StoredLine) -> Result<(), Self::Error>;
    /// A journal entry of the company as it touches GL account `account`: whether it is posted,
    /// and the net (debit − credit) of its lines there. `None`: no such entry.
    fn entry_on_account(
        &mut self,
        company: Uuid,
        entry: Uuid,
        account: Uuid,
    ) -> Result<Option<(bool, i64)>, Self::Error>;
}

fn refused<E: std::error::Error>(row: usize, field: &'static str, message: impl Into<String>) -> BankingError<E> {
    BankingError::Statement {
        row,
        field,
        message: message.into(),
    }
}

fn minor<E: std::error::Error>(
    amount: rust_decimal::Decimal,
    decimals: u32,
    row: usize,
    field: &'static str,
) -> Result<i64, BankingError<E>> {
    money::to_minor(amount, decimals).map_err(|e| refused(row, field, e.to_string()))
}

/// Which lines of `statement` (`fingerprints[i]` is line `i`'s) are new to `account`, given the
/// fingerprints it already has in the statement's period (`known`), with every amount in minor
/// units of the account's currency and the statement's balance check. A file about another
/// account, or in another currency, is refused, naming the line and field.
pub fn plan<E: std::error::Error>(
    account: &BankAccount,
    statement: &Statement,
    fingerprints: &[String],
    known: &HashSet<String>,
) -> Result<Preview, BankingError<E>> {
    if fingerprints.len() != statement.lines.len() {
        return Err(BankingError::Statement {
            row: 0,
            field: "file",
            message: "every line needs its fingerprint".into(),
        });
    }
    if let Some(named) = &statement.account {
        let named = normalize_iban(named);
        let ours = [&account.iban, &normalize_iban(&account.account_number)];
        let known_number = ours.iter().any(|n| !n.is_empty());
        if known_number && !named.is_empty() && !ours.iter().any(|n| !n.is_empty() && named.ends_with(n.as_str())) {
            return Err(refused(
                0,
                "account",
                format!("this statement is for account {named}, not {}", account.name),
            ));
        }
    }
    if let Some(c) = &statement.currency
        && !c.eq_ignore_ascii_case(&account.currency)
    {
        return Err(refused(
            0,
            "currency",
            format!("the statement is in {c}, the bank account in {}", account.currency),
        ));
    }
    let decimals = account.decimals();
    let mut seen: HashSet<&str> = HashSet::with_capacity(fingerprints.len());
    let mut lines = Vec::with_capacity(statement.lines.len());
    let mut sum: i64 = 0;
    let mut duplicates = 0;
    for (line, fingerprint) in statement.lines.iter().zip(fingerprints) {
        if let Some(c) = &line.currency
            && !c.eq_ignore_ascii_case(&account.currency)
        {
            return Err(refused(
                line.row,
                "currency",
                format!("the line is in {c}, the bank account in {}", account.currency),
            ));
        }
        let amount = minor(line.amount, decimals, line.row, "amount")?;
        sum = sum
            .checked_add(amount)
            .ok_or_else(|| refused(line.row, "amount", "the lines add up beyond the books' range"))?;
        let duplicate = known.contains(fingerprint) || !seen.insert(fingerprint.as_str());
        duplicates += usize::from(duplicate);
        lines.push(PlannedLine {
            row: line.row,
            fingerprint: fingerprint.clone(),
            date: line.date,
            value_date: line.value_date,
            amount,
            text: line.text.clone(),
            counterparty: line.counterparty.clone(),
            counterparty_account: line.counterparty_account.clone().unwrap_or_default(),
            reference: line.reference.clone(),
            bank_id: line.bank_id.clone(),
            duplicate,
        });
    }
    let stated = |b: &Option<crate::formats::statement::StatementBalance>, field| -> Result<_, BankingError<E>> {
        b.as_ref()
            .map(|b| {
                Ok(StatedBalance {
                    date: b.date,
                    amount: minor(b.amount, decimals, 0, field)?,
                })
            })
            .transpose()
    };
    let opening = stated(&statement.opening, "opening_balance")?;
    let closing = stated(&statement.closing, "closing_balance")?;
    let check = match (opening, closing) {
        (Some(o), Some(c)) => match o.amount.checked_add(sum) {
            Some(computed) if computed == c.amount => BalanceCheck::Agrees,
            computed => BalanceCheck::Differs {
                stated: c.amount,
                computed: computed.unwrap_or(i64::MAX),
            },
        },
        _ => BalanceCheck::NotStated,
    };
    let period = period(statement);
    Ok(Preview {
        format: statement.format,
        period,
        opening,
        closing,
        new: lines.len() - duplicates,
        duplicate: duplicates,
        lines,
        check,
    })
}

/// The first and last booking dates of a statement's lines (its balances' dates when it has none).
pub fn period(statement: &Statement) -> Option<(Date, Date)> {
    let dates = statement
        .lines
        .iter()
        .map(|l| l.date)
        .chain(statement.opening.iter().map(|b| b.date))
        .chain(statement.closing.iter().map(|b| b.date));
    dates.fold(None, |acc, d| match acc {
        None => Some((d, d)),
        Some((a, b)) => Some((a.min(d), b.max(d))),
    })
}

/// How often (in lines) [`commit_reporting`] reports its progress.
pub const PROGRESS_EVERY: usize = 512;

/// The file an import came from.
pub struct SourceFile<'a> {
    pub name: &'a str,
    pub sha256: &'a str,
}

/// Writes what `preview` planned, in the caller's transaction: the import, its new lines (a line
/// a concurrent import added meanwhile counts as a duplicate), the account's statement balance
/// when the file states a newer closing one, and their audit rows.
pub fn commit<S: StatementStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    account: &BankAccount,
    preview: &Preview,
    file: SourceFile<'_>,
) -> Result<StatementImport, BankingError<S::Error>> {
    commit_reporting(store, ctx, account, preview, file, |_| {})
}

/// [`commit`], telling `progress` how many of the preview's lines are written (new or found a
/// duplicate) every [`PROGRESS_EVERY`] lines and at the end: a background import's progress.
pub fn commit_reporting<S: StatementStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    account: &BankAccount,
    preview: &Preview,
    file: SourceFile<'_>,
    mut progress: impl FnMut(usize),
) -> Result<StatementImport, BankingError<S::Error>> {
    if !account.is_active {
        return Err(BankingError::Archived);
    }
    let mut import = StatementImport {
        id: Uuid::now_v7(),
        company_id: account.company_id,
        bank_account_id: account.id,
        format: preview.format,
        file_name: file.name.to_owned(),
        sha256: file.sha256.to_owned(),
        period: preview.period,
        opening_balance: preview.opening.map(|b| b.amount),
        closing_balance: preview.closing.map(|b| b.amount),
        lines_new: 0,
        lines_duplicate: 0,
        created_by: ctx.actor,
        created_at: ctx.now,
    };
    store.insert_import(&import).map_err(BankingError::Store)?;
    let (mut new, mut duplicate) = (0_i64, 0_i64);
    for (done, planned) in preview.lines.iter().enumerate() {
        if done % PROGRESS_EVERY == 0 {
            progress(done);
        }
        if planned.duplicate {
            duplicate += 1;
            continue;
        }
        let line = StoredLine {
            id: Uuid::now_v7(),
            company_id: account.company_id,
            bank_account_id: account.id,
            import_id: import.id,
            fingerprint: planned.fingerprint.clone(),
            date: planned.date,
            value_date: planned.value_date,
            amount: planned.amount,
            currency: account.currency.clone(),
            text: planned.text.clone(),
            counterparty: planned.counterparty.clone(),
            counterparty_account: planned.counterparty_account.clone(),
            reference: planned.reference.clone(),
            bank_id: planned.bank_id.clone(),
            status: LineStatus::Unmatched,
            matched: None,
            journal_entry_id: None,
            reconciliation_id: None,
            created_at: ctx.now,
        };
        if store.insert_line(&line).map_err(BankingError::Store)? {
            new += 1;
        } else {
            duplicate += 1;
        }
    }
    progress(preview.lines.len());
    import.lines_new = new;
    import.lines_duplicate = duplicate;
    store
        .update_import_counts(import.id, new, duplicate)
        .map_err(BankingError::Store)?;
    let record = audit::changes(
        ctx,
        "import",
        ("statement_import", import.id),
        None,
        Some(&import_fields(&import, account.decimals())),
    );
    store.append_audit(&record).map_err(BankingError::Store)?;
    if let Some(closing) = preview.closing
        && account.statement_date.is_none_or(|d| d <= closing.date)
    {
        let updated = BankAccount {
            statement_balance: Some(closing.amount),
            statement_date: Some(closing.date),
            updated_at: ctx.now,
            ..account.clone()
        };
        store.update_bank_account(&updated).map_err(BankingError::Store)?;
        let record = audit::changes(
            ctx,
            "update",
            ("bank_account", account.id),
            Some(&account_fields(account)),
            Some(&account_fields(&updated)),
        );
        store.append_audit(&record).map_err(BankingError::Store)?;
    }
    Ok(import)
}

fn import_fields(i: &StatementImport, decimals: u32) -> AuditFields {
    let balance = |b: Option<i64>| b.map(|b| money::format(b, decimals)).unwrap_or_default();
    vec![
        ("bank_account", i.bank_account_id.to_string()),
        ("format", i.format.as_str().to_owned()),
        ("file_name", i.file_name.clone()),
        ("sha256", i.sha256.clone()),
        ("period_from", i.period.map(|p| p.0.to_string()).unwrap_or_default()),
        ("period_to", i.period.map(|p| p.1.to_string()).unwrap_or_default()),
        ("opening_balance", balance(i.opening_balance)),
        ("closing_balance", balance(i.closing_balance)),
        ("lines_new", i.lines_new.to_string()),
        ("lines_duplicate", i.lines_duplicate.to_string()),
    ]
}

/// What a bookkeeper does to one statement line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineAction {
    /// It is this posted journal entry's movement on the bank's GL account.
    MatchEntry(Uuid),
    Unmatch,
    Ignore,
}

/// Matches, unmatches or ignores `line` of `account`, audited. A reconciled line is locked; an
/// entry must be posted and move the bank's GL account by the line's amount (when the account is
/// kept in the company currency, where the two are comparable).
pub fn act_on_line<S: StatementStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    account: &BankAccount,
    line: StoredLine,
    action: LineAction,
) -> Result<StoredLine, BankingError<S::Error>> {
    if line.status == LineStatus::Reconciled {
        return Err(BankingError::Locked);
    }
    let mut changed = StoredLine {
        status: LineStatus::Unmatched,
        matched: None,
        journal_entry_id: None,
        ..line.clone()
    };
    let verb = match action {
        LineAction::Unmatch => "unmatch",
        LineAction::Ignore => {
            changed.status = LineStatus::Ignored;
            "ignore"
        }
        LineAction::MatchEntry(entry) => {
            let found = store
                .entry_on_account(ctx.books.company_id, entry, account.account_id)
                .map_err(BankingError::Store)?;
            match found {
                None => {
                    return Err(BankingError::field(
                        "journal_entry",
                        "Unknown journal entry for this company.",
                    ));
                }
                Some((false, _)) => {
                    return Err(BankingError::field(
                        "journal_entry",
                        "Only a posted entry can be matched.",
                    ));
                }
                Some((true, net)) if account.currency == ctx.books.currency && net != line.amount => {
                    let d = account.decimals();
                    return Err(BankingError::field(
                        "journal_entry",
                        format!(
                            "This entry moves the bank's GL account by {}, the line by {}.",
                            money::format(net, d),
                            money::format(line.amount, d)
                        ),
                    ));
                }
                Some(_) => {}
            }
            changed.status = LineStatus::Matched;
            changed.matched = Some(("journal_entry".to_owned(), entry));
            changed.journal_entry_id = Some(entry);
            "match"
        }
    };
    store.update_line(&changed).map_err(BankingError::Store)?;
    let record = audit::changes(
        ctx,
        verb,
        ("statement_line", line.id),
        Some(&line_fields(&line)),
        Some(&line_fields(&changed)),
    );
    store.append_audit(&record).map_err(BankingError::Store)?;
    Ok(changed)
}

/// Matches an unmatched `line` to what it was found to be or what was just recorded for it
/// (`kind` `payment` or `journal_entry`, its `id`, and the entry that moves the bank), audited.
pub fn match_to<S: StatementStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    line: StoredLine,
    (kind, id): (&str, Uuid),
    entry: Uuid,
) -> Result<StoredLine, BankingError<S::Error>> {
    must_be_open(&line)?;
    let changed = StoredLine {
        status: LineStatus::Matched,
        matched: Some((kind.to_owned(), id)),
        journal_entry_id: Some(entry),
        ..line.clone()
    };
    store.update_line(&changed).map_err(BankingError::Store)?;
    let record = audit::changes(
        ctx,
        "match",
        ("statement_line", line.id),
        Some(&line_fields(&line)),
        Some(&line_fields(&changed)),
    );
    store.append_audit(&record).map_err(BankingError::Store)?;
    Ok(changed)
}

/// Refuses a line that is not waiting to be matched: something is booked for it already.
pub fn must_be_open<E: std::error::Error>(line: &StoredLine) -> Result<(), BankingError<E>> {
    match line.status {
        LineStatus::Unmatched => Ok(()),
        LineStatus::Reconciled => Err(BankingError::Locked),
        other => Err(BankingError::field(
            "non_field_errors",
            format!("This line is {}: unmatch it first.", other.as_str()),
        )),
    }
}

pub fn line_fields(l: &StoredLine) -> AuditFields {
    vec![
        ("status", l.status.as_str().to_owned()),
        (
            "matched_kind",
            l.matched.as_ref().map(|m| m.0.clone()).unwrap_or_default(),
        ),
        ("matched_id", audit::id_text(l.matched.as_ref().map(|m| m.1))),
        ("journal_entry", audit::id_text(l.journal_entry_id)),
        ("reconciliation", audit::id_text(l.reconciliation_id)),
    ]
}
