//! Banking in the tenant database: bank accounts (`mod.rs`), statement imports and lines
//! (`lines.rs`), reconciliation sessions (`reconciliations.rs`). Money is integer minor units of
//! the bank account's currency; one implementation of the domain's stores for both backends.

mod lines;
pub mod matching;
mod reconciliations;
pub mod rules;

pub use lines::{LINES, import_from_row, imports, line_from_row, lines, lines_of_account};
pub use reconciliations::{Outstanding, RECONCILIATIONS, gl_balance, outstanding, reconciliation_from_row};

use jiff::civil::Date;
use uuid::Uuid;

use super::ledger::parse_date;
use super::list::{FilterKind, ListError, ListRequest, ListSpec, Page, Paged, list};
use super::platform::{parse_ts, ts};
use super::{Row, StoreError, Tx, accounts};
use crate::domain::accounts::Account;
use crate::domain::banking::accounts::{BankAccount, BankAccountStore};
use crate::params;

const COLUMNS: &str = "id, company_id, account_id, name, currency, iban, account_number, bic, bank_name, \
     opening_balance, opening_date, statement_balance, statement_date, is_active, created_at, updated_at";

/// The accounts with what their list shows beside them: the GL account's book balance (company
/// currency), and the lines not yet matched.
const WITH_BALANCES: &str = "id, company_id, account_id, name, currency, iban, account_number, bic, bank_name, \
     opening_balance, opening_date, statement_balance, statement_date, is_active, created_at, updated_at, \
     (SELECT COALESCE(SUM(b.debit - b.credit), 0) FROM account_balances b WHERE b.account_id = bank_accounts.account_id), \
     (SELECT COUNT(*) FROM statement_lines l WHERE l.bank_account_id = bank_accounts.id AND l.status = 'unmatched')";

pub const LIST: ListSpec = ListSpec {
    columns: WITH_BALANCES,
    from: "bank_accounts",
    filters: &[
        ("is_active", "is_active = ?", FilterKind::Bool),
        ("currency", "currency = ?", FilterKind::Text),
        ("account", "account_id = ?", FilterKind::Uuid),
        ("iban", "iban = ?", FilterKind::Text),
    ],
    search: &["name", "iban", "account_number", "bank_name"],
    ordering: &[("name", "name"), ("created_at", "created_at")],
    tie_breaker: "id",
    default_ordering: "name",
};

fn opt_date(r: &Row, i: usize) -> Result<Option<Date>, StoreError> {
    r.opt_str(i)?.map(parse_date).transpose()
}

pub fn from_row(r: &Row) -> Result<BankAccount, StoreError> {
    Ok(BankAccount {
        id: r.uuid(0)?,
        company_id: r.uuid(1)?,
        account_id: r.uuid(2)?,
        name: r.text(3)?,
        currency: r.text(4)?,
        iban: r.text(5)?,
        account_number: r.text(6)?,
        bic: r.text(7)?,
        bank_name: r.text(8)?,
        opening_balance: r.int(9)?,
        opening_date: opt_date(r, 10)?,
        statement_balance: r.opt_int(11)?,
        statement_date: opt_date(r, 12)?,
        is_active: r.bool(13)?,
        created_at: parse_ts(r.str(14)?)?,
        updated_at: parse_ts(r.str(15)?)?,
    })
}

/// A bank account as its list shows it.
pub struct BankAccountView {
    pub account: BankAccount,
    /// Debits less credits of the GL account, minor units of the company currency.
    pub book_balance: i64,
    pub unreconciled: i64,
}

fn view_from_row(r: &Row) -> Result<BankAccountView, StoreError> {
    Ok(BankAccountView {
        account: from_row(r)?,
        book_balance: r.int(16)?,
        unreconciled: r.int(17)?,
    })
}

impl Paged for BankAccountView {
    fn page(tx: &mut Tx, company: Uuid, request: &ListRequest) -> Result<Page<Self>, ListError> {
        list(
            tx,
            &LIST,
            ("company_id = $1", vec![company.into()]),
            request,
            view_from_row,
        )
    }
}

/// One account with its balances.
pub fn view(tx: &mut Tx, account: BankAccount) -> Result<BankAccountView, StoreError> {
    let row = tx.query_opt(
        &format!("SELECT {WITH_BALANCES} FROM bank_accounts WHERE company_id = $1 AND id = $2"),
        params![account.company_id, account.id],
    )?;
    match row {
        Some(r) => view_from_row(&r),
        None => Ok(BankAccountView {
            account,
            book_balance: 0,
            unreconciled: 0,
        }),
    }
}

pub fn get(tx: &mut Tx, company: Uuid, id: Uuid) -> Result<Option<BankAccount>, StoreError> {
    tx.query_opt(
        &format!("SELECT {COLUMNS} FROM bank_accounts WHERE company_id = $1 AND id = $2"),
        params![company, id],
    )?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// The company's bank account with this IBAN (upper case, no spaces).
pub fn by_iban(tx: &mut Tx, company: Uuid, iban: &str) -> Result<Option<BankAccount>, StoreError> {
    tx.query_opt(
        &format!("SELECT {COLUMNS} FROM bank_accounts WHERE company_id = $1 AND iban = $2 ORDER BY is_active DESC, id LIMIT 1"),
        params![company, iban],
    )?
    .as_ref()
    .map(from_row)
    .transpose()
}

fn date_text(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

impl BankAccountStore for Tx<'_> {
    fn find_gl_account(&mut self, company: Uuid, id: Uuid) -> Result<Option<Account>, StoreError> {
        accounts::get(self, company, id)
    }

    fn find_bank_account(&mut self, company: Uuid, id: Uuid) -> Result<Option<BankAccount>, StoreError> {
        get(self, company, id)
    }

    fn bank_iban_taken(&mut self, company: Uuid, iban: &str, except: Option<Uuid>) -> Result<bool, StoreError> {
        Ok(self
            .query_opt(
                "SELECT id FROM bank_accounts WHERE company_id = $1 AND iban = $2 AND id <> $3",
                params![company, iban, except.unwrap_or_else(Uuid::nil)],
            )?
            .is_some())
    }

    fn bank_gl_account_taken(&mut self, company: Uuid, gl: Uuid, except: Option<Uuid>) -> Result<bool, StoreError> {
        Ok(self
            .query_opt(
                "SELECT id FROM bank_accounts WHERE company_id = $1 AND account_id = $2 AND is_active = $3 AND id <> $4",
                params![company, gl, true, except.unwrap_or_else(Uuid::nil)],
            )?
            .is_some())
    }

    fn bank_account_has_lines(&mut self, id: Uuid) -> Result<bool, StoreError> {
        Ok(self
            .query_opt(
                "SELECT 1 FROM statement_lines WHERE bank_account_id = $1 LIMIT 1",
                params![id],
            )?
            .is_some())
    }

    fn insert_bank_account(&mut self, a: &BankAccount) -> Result<(), StoreError> {
        self.execute(
            &format!(
                "INSERT INTO bank_accounts ({COLUMNS}) VALUES \
                 ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
            ),
            params![
                a.id,
                a.company_id,
                a.account_id,
                &a.name,
                &a.currency,
                &a.iban,
                &a.account_number,
                &a.bic,
                &a.bank_name,
                a.opening_balance,
                date_text(a.opening_date),
                a.statement_balance,
                date_text(a.statement_date),
                a.is_active,
                ts(a.created_at),
                ts(a.updated_at)
            ],
        )?;
        Ok(())
    }

    fn update_bank_account(&mut self, a: &BankAccount) -> Result<(), StoreError> {
        self.execute(
            "UPDATE bank_accounts SET account_id = $3, name = $4, currency = $5, iban = $6, account_number = $7, \
             bic = $8, bank_name = $9, opening_balance = $10, opening_date = $11, statement_balance = $12, \
             statement_date = $13, is_active = $14, updated_at = $15 WHERE company_id = $1 AND id = $2",
            params![
                a.company_id,
                a.id,
                a.account_id,
                &a.name,
                &a.currency,
                &a.iban,
                &a.account_number,
                &a.bic,
                &a.bank_name,
                a.opening_balance,
                date_text(a.opening_date),
                a.statement_balance,
                date_text(a.statement_date),
                a.is_active,
                ts(a.updated_at)
            ],
        )?;
        Ok(())
    }
}
