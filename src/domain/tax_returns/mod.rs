//! Tax returns: the VAT/GST/sales-tax report of a period per tax rate (taxable amounts and tax,
//! on sales and on purchases) laid out in a return's boxes, and filing it: the return stored as
//! filed, the settlement entry posted through the ledger, the period locked for tax changes.
//!
//! The figures come from issued documents (by issue date; a voided one comes off again on the
//! date of its void) and from the other postings on tax accounts (hand-made entries, bank
//! bookings), which carry the tax but no taxable base. A filed return is never withdrawn: an
//! error is corrected on the next return, as UK VAT does.

pub mod layout;
mod operations;
#[cfg(test)]
mod tests;

use jiff::Timestamp;
use jiff::civil::Date;
use uuid::Uuid;

pub use layout::{BoxFigure, DEFAULT_LAYOUT, Layout};
pub use operations::{file, report, save_settings};

use super::FieldErrors;
use super::accounts::{Account, AccountType};
use super::documents::DocumentKind;
use super::ledger::{LedgerError, LedgerStore};
use super::reports::Overflow;
use super::taxes::{TaxKind, TaxRate};

/// One row of the return: a tax rate, or the other postings on one tax account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateFigures {
    /// The rate; `None` for a tax account's postings outside documents.
    pub rate_id: Option<Uuid>,
    /// The tax account of a row of other postings.
    pub account_id: Option<Uuid>,
    pub name: String,
    pub kind: Option<TaxKind>,
    pub rate_ppm: Option<i64>,
    pub inclusive: Option<bool>,
    /// Minor units of the company currency. Credit notes and vendor credits reduce, as do
    /// voids.
    pub sales_net: i64,
    pub sales_tax: i64,
    pub purchases_net: i64,
    pub purchases_tax: i64,
}

/// The return's rows: the rates in name order, then the other postings per account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub rows: Vec<RateFigures>,
}

impl Figures {
    /// The four totals: sales net and tax, purchases net and tax.
    pub fn totals(&self) -> Result<[i64; 4], Overflow> {
        self.rows.iter().try_fold([0_i64; 4], |t, r| {
            let add = |a: i64, b: i64| a.checked_add(b).ok_or(Overflow("tax return totals"));
            Ok([
                add(t[0], r.sales_net)?,
                add(t[1], r.sales_tax)?,
                add(t[2], r.purchases_net)?,
                add(t[3], r.purchases_tax)?,
            ])
        })
    }

    /// Tax on sales less tax on purchases: positive is payable, negative refundable.
    pub fn net_payable(&self) -> Result<i64, Overflow> {
        let [_, sales_tax, _, purchases_tax] = self.totals()?;
        sales_tax.checked_sub(purchases_tax).ok_or(Overflow("tax return net"))
    }
}

/// A return for a period: the figures and the layout's boxes over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxReturn {
    pub from: Date,
    pub to: Date,
    pub layout: Layout,
    pub figures: Figures,
    pub boxes: Vec<BoxFigure>,
    pub net_payable: i64,
}

/// A return as filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiledReturn {
    pub id: Uuid,
    pub company_id: Uuid,
    pub from: Date,
    pub to: Date,
    pub layout: String,
    /// Positive: tax paid to the authority; negative: refund due.
    pub net_amount: i64,
    pub settlement_entry_id: Option<Uuid>,
    pub filed_by: Uuid,
    pub filed_at: Timestamp,
    pub boxes: Vec<BoxFigure>,
}

/// A company's tax-return settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxSettings {
    pub layout: String,
    /// Where a return that owes tax settles; `None`: the liability account of subtype `tax`.
    pub payable_account: Option<Uuid>,
    /// Where a return with a refund settles; `None`: the asset account of subtype `tax`.
    pub receivable_account: Option<Uuid>,
}

/// What a request changes in the settings; `None` keeps a setting, `Some(None)` goes back to the
/// default account.
#[derive(Debug, Clone, Default)]
pub struct TaxSettingsChanges {
    pub layout: Option<String>,
    pub payable_account: Option<Option<Uuid>>,
    pub receivable_account: Option<Option<Uuid>>,
}

/// One document kind's sums for one rate, as the store reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentTax {
    pub rate_id: Uuid,
    pub kind: DocumentKind,
    /// The documents voided in the period (their sums come off), or those issued in it.
    pub voided: bool,
    pub net: i64,
    pub tax: i64,
}

/// What the tax return needs from storage.
pub trait TaxReturnStore: LedgerStore {
    fn tax_settings(&mut self, company: Uuid) -> Result<TaxSettings, Self::Error>;
    fn save_tax_settings(&mut self, company: Uuid, settings: &TaxSettings) -> Result<(), Self::Error>;
    /// Every tax rate of the company, active or not.
    fn tax_rates(&mut self, company: Uuid) -> Result<Vec<TaxRate>, Self::Error>;
    /// The company's tax accounts: those of subtype `tax` and those its rates post to.
    fn tax_accounts(&mut self, company: Uuid) -> Result<Vec<Account>, Self::Error>;
    /// Issued documents' lines with a rate, per rate and kind: issued in the period, and voided
    /// in it (by the date of the void's entry).
    fn document_tax(&mut self, company: Uuid, from: Date, to: Date) -> Result<Vec<DocumentTax>, Self::Error>;
    /// Per tax account, the debit and credit of posted lines in the period that are neither a
    /// document's entries nor a return's settlement.
    fn other_tax_postings(
        &mut self,
        company: Uuid,
        accounts: &[Uuid],
        from: Date,
        to: Date,
    ) -> Result<Vec<(Uuid, i64, i64)>, Self::Error>;
    /// Per account, debit − credit of everything posted in the period (the maintained daily
    /// balances).
    fn movements(&mut self, accounts: &[Uuid], from: Date, to: Date) -> Result<Vec<(Uuid, i64)>, Self::Error>;
    /// A filed return whose period overlaps `from`–`to`.
    fn overlapping_return(&mut self, company: Uuid, from: Date, to: Date) -> Result<Option<FiledReturn>, Self::Error>;
    fn insert_return(&mut self, filed: &FiledReturn) -> Result<(), Self::Error>;
}

/// Why a tax return could not be computed or filed.
#[derive(Debug, thiserror::Error)]
pub enum TaxReturnError<E: std::error::Error + 'static> {
    #[error("invalid tax return: {0}")]
    Invalid(FieldErrors),
    #[error("\"{0}\" is not a tax return layout.")]
    UnknownLayout(String),
    /// The period starts on or before the end of a return already filed.
    #[error("A return is already filed for {from} – {to}; the next return starts after {to}.")]
    AlreadyFiled { from: Date, to: Date },
    #[error("A return is filed once its period has ended: {to} is not over yet.")]
    PeriodNotOver { to: Date },
    #[error("No account to settle the return into: set the tax payable and receivable accounts.")]
    NoSettlementAccount,
    /// The tax accounts moved by another amount than the return's net: a posting the return
    /// cannot place (an entry in another currency on a tax account, say).
    #[error(
        "The tax accounts moved {ledger} in the period but the return's net is {report}: find the difference before filing."
    )]
    Unreconciled { ledger: String, report: String },
    #[error("{0}")]
    Overflow(#[from] Overflow),
    #[error(transparent)]
    Ledger(LedgerError<E>),
    #[error(transparent)]
    Store(E),
}

impl<E: std::error::Error + 'static> From<LedgerError<E>> for TaxReturnError<E> {
    fn from(e: LedgerError<E>) -> Self {
        match e {
            LedgerError::Store(e) => TaxReturnError::Store(e),
            e => TaxReturnError::Ledger(e),
        }
    }
}

/// The rows of a return from the store's sums: each rate (in name order) with what documents
/// carried, then each tax account's other postings (a sales tax account's credits are tax on
/// sales, a purchase tax account's debits tax on purchases; an account both sides use counts
/// as sales).
pub fn figures(
    rates: &[TaxRate],
    accounts: &[Account],
    documents: &[DocumentTax],
    other: &[(Uuid, i64, i64)],
) -> Result<Figures, Overflow> {
    let add = |a: &mut i64, b: i64| -> Result<(), Overflow> {
        *a = a.checked_add(b).ok_or(Overflow("tax return figures"))?;
        Ok(())
    };
    let mut sorted: Vec<&TaxRate> = rates.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let mut rows = Vec::new();
    for rate in sorted {
        let mut row = RateFigures {
            rate_id: Some(rate.id),
            name: rate.name.clone(),
            kind: Some(rate.kind),
            rate_ppm: Some(rate.rate_ppm),
            inclusive: Some(rate.is_inclusive),
            ..RateFigures::default()
        };
        for d in documents.iter().filter(|d| d.rate_id == rate.id) {
            let sign = if d.voided { -1 } else { 1 };
            let (net, tax) = (d.net.checked_mul(sign), d.tax.checked_mul(sign));
            let (net, tax) = net.zip(tax).ok_or(Overflow("tax return figures"))?;
            match d.kind {
                DocumentKind::Invoice => (add(&mut row.sales_net, net)?, add(&mut row.sales_tax, tax)?),
                DocumentKind::CreditNote => (add(&mut row.sales_net, -net)?, add(&mut row.sales_tax, -tax)?),
                DocumentKind::Bill => (add(&mut row.purchases_net, net)?, add(&mut row.purchases_tax, tax)?),
                DocumentKind::VendorCredit => (add(&mut row.purchases_net, -net)?, add(&mut row.purchases_tax, -tax)?),
            };
        }
        rows.push(row);
    }
    let mut accounts: Vec<&Account> = accounts.iter().collect();
    accounts.sort_by(|a, b| a.code.cmp(&b.code));
    for account in accounts {
        let (debit, credit) = other
            .iter()
            .filter(|(a, _, _)| *a == account.id)
            .try_fold((0_i64, 0_i64), |(d, c), (_, dd, cc)| {
                Some((d.checked_add(*dd)?, c.checked_add(*cc)?))
            })
            .ok_or(Overflow("tax return figures"))?;
        if debit == 0 && credit == 0 {
            continue;
        }
        let mut row = RateFigures {
            account_id: Some(account.id),
            name: format!("Other postings to {} {}", account.code, account.name),
            ..RateFigures::default()
        };
        if is_sales_account(rates, account) {
            row.sales_tax = credit.checked_sub(debit).ok_or(Overflow("tax return figures"))?;
        } else {
            row.purchases_tax = debit.checked_sub(credit).ok_or(Overflow("tax return figures"))?;
        }
        rows.push(row);
    }
    Ok(Figures { rows })
}

/// Whether the tax on an account is tax on sales: a rate collects sales tax on it, or (used by
/// no rate as either) it is a liability.
fn is_sales_account(rates: &[TaxRate], account: &Account) -> bool {
    if rates.iter().any(|r| r.sales_account_id == account.id) {
        return true;
    }
    if rates.iter().any(|r| r.purchase_account_id == account.id) {
        return false;
    }
    account.account_type == AccountType::Liability
}
