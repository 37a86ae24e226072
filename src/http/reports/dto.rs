//! How the API shows the reports: the trial balance, the general ledger and ageing (the
//! statement's own shape is in `http::statements`). Amounts are decimal strings in the company
//! currency; the fields are those the API has always written.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::accounts::Account;
use crate::domain::ledger::Books;
use crate::domain::money;
use crate::domain::reports::Overflow;
use crate::domain::reports::ageing::{Ageing, BUCKETS, Buckets};
use crate::domain::reports::general_ledger::LedgerLine;
use crate::domain::reports::trial_balance::TrialBalance;

use super::export::{Line, LineKind, Sheet};

#[derive(Serialize, ToSchema)]
pub struct TrialBalanceRow {
    pub account: Uuid,
    pub code: String,
    pub name: String,
    /// `asset`, `liability`, `equity`, `revenue` or `expense`.
    #[serde(rename = "type")]
    pub account_type: String,
    pub debit: String,
    pub credit: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = TrialBalanceTotals)]
pub struct Totals {
    pub debit: String,
    pub credit: String,
}

/// Each account with postings, its balance on the debit or the credit side, and both totals.
#[derive(Serialize, ToSchema)]
#[schema(as = TrialBalance)]
pub struct TrialBalanceDto {
    #[schema(format = Date)]
    pub as_of: String,
    pub currency: String,
    pub rows: Vec<TrialBalanceRow>,
    pub totals: Totals,
    /// The currency's decimals, for the exports.
    #[serde(skip)]
    decimals: u32,
}

impl TrialBalanceDto {
    pub fn new(as_of: jiff::civil::Date, tb: TrialBalance, books: &Books) -> TrialBalanceDto {
        let m = |v: i64| money::format(v, books.decimals);
        TrialBalanceDto {
            as_of: as_of.to_string(),
            decimals: books.decimals,
            currency: books.currency.clone(),
            totals: Totals {
                debit: m(tb.debit),
                credit: m(tb.credit),
            },
            rows: tb
                .rows
                .into_iter()
                .map(|r| TrialBalanceRow {
                    account: r.account_id,
                    code: r.code,
                    name: r.name,
                    account_type: r.account_type,
                    debit: m(r.debit),
                    credit: m(r.credit),
                })
                .collect(),
        }
    }
}

impl TrialBalanceDto {
    /// The trial balance as a table for the XLSX and CSV exports, its totals last.
    pub fn sheet(&self) -> Sheet {
        let mut lines: Vec<Line> = self
            .rows
            .iter()
            .map(|r| Line {
                kind: LineKind::Account,
                depth: 0,
                texts: vec![r.code.clone(), r.name.clone()],
                amounts: vec![r.debit.clone(), r.credit.clone()],
            })
            .collect();
        lines.push(Line {
            kind: LineKind::Total,
            depth: 0,
            texts: vec![String::new(), "Total".to_owned()],
            amounts: vec![self.totals.debit.clone(), self.totals.credit.clone()],
        });
        Sheet {
            file: format!("trial-balance-{}", self.as_of),
            title: "Trial balance",
            text_headers: vec!["Code", "Account"],
            amount_headers: vec!["Debit".to_owned(), "Credit".to_owned()],
            decimals: self.decimals,
            currency: self.currency.clone(),
            period: self.as_of.clone(),
            lines,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = GeneralLedgerAccount)]
pub struct LedgerAccount {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    #[serde(rename = "type")]
    pub account_type: &'static str,
}

impl From<Account> for LedgerAccount {
    fn from(a: Account) -> Self {
        LedgerAccount {
            id: a.id,
            code: a.code,
            name: a.name,
            account_type: a.account_type.as_str(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = GeneralLedgerRow)]
pub struct LedgerRow {
    pub entry: Uuid,
    pub number: Option<i64>,
    #[schema(format = Date)]
    pub date: String,
    pub reference: String,
    pub description: String,
    pub debit: String,
    pub credit: String,
    /// Running balance, debit minus credit.
    pub balance: String,
}

impl LedgerRow {
    pub fn new((line, balance): (LedgerLine, i64), decimals: u32) -> LedgerRow {
        LedgerRow {
            entry: line.entry_id,
            number: line.number,
            date: line.date.to_string(),
            reference: line.reference,
            description: line.description,
            debit: money::format(line.debit, decimals),
            credit: money::format(line.credit, decimals),
            balance: money::format(balance, decimals),
        }
    }
}

/// One account's postings in a period, a page at a time, with the balances around them.
#[derive(Serialize, ToSchema)]
#[schema(as = GeneralLedger)]
pub struct GeneralLedgerDto {
    pub account: LedgerAccount,
    pub currency: String,
    #[schema(format = Date)]
    pub date_from: String,
    #[schema(format = Date)]
    pub date_to: String,
    pub opening_balance: String,
    pub closing_balance: String,
    pub count: u64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<LedgerRow>,
}

/// Amounts by days past due.
#[derive(Serialize, ToSchema)]
#[schema(as = AgeingBuckets)]
pub struct BucketsDto {
    #[serde(rename = "1_30")]
    pub days_1_30: String,
    #[serde(rename = "31_60")]
    pub days_31_60: String,
    #[serde(rename = "61_90")]
    pub days_61_90: String,
    /// Not yet due.
    pub current: String,
    pub over_90: String,
}

impl BucketsDto {
    pub fn new(b: &Buckets, decimals: u32) -> BucketsDto {
        let [current, days_1_30, days_31_60, days_61_90, over_90] = b.0.map(|v| money::format(v, decimals));
        BucketsDto {
            days_1_30,
            days_31_60,
            days_61_90,
            current,
            over_90,
        }
    }
}

/// Amounts by days past due, and their total.
#[derive(Serialize, ToSchema)]
#[schema(as = AgeingTotals)]
pub struct AgedDto {
    #[serde(flatten)]
    pub buckets: BucketsDto,
    pub total: String,
}

impl AgedDto {
    fn new(b: &Buckets, total: i64, decimals: u32) -> AgedDto {
        AgedDto {
            buckets: BucketsDto::new(b, decimals),
            total: money::format(total, decimals),
        }
    }
}

/// Amounts in one currency, in that currency.
#[derive(Serialize, ToSchema)]
#[schema(as = AgeingInCurrency)]
pub struct CurrencyAgedDto {
    pub currency: String,
    #[serde(flatten)]
    pub amounts: AgedDto,
}

fn in_currencies(currencies: &std::collections::BTreeMap<String, Buckets>) -> Result<Vec<CurrencyAgedDto>, Overflow> {
    currencies
        .iter()
        .map(|(currency, b)| {
            Ok(CurrencyAgedDto {
                currency: currency.clone(),
                amounts: AgedDto::new(b, b.total()?, money::decimals(currency)),
            })
        })
        .collect()
}

/// One contact's line: in the company currency (at each item's own rate), and in the currencies
/// of its documents and payments.
#[derive(Serialize, ToSchema)]
#[schema(as = AgeingRow)]
pub struct AgeingRowDto {
    #[serde(flatten)]
    pub amounts: AgedDto,
    pub contact: Uuid,
    pub contact_name: String,
    pub currencies: Vec<CurrencyAgedDto>,
}

/// The aged receivables or payables: a line per contact with anything open, and the totals.
#[derive(Serialize, ToSchema)]
#[schema(as = Ageing)]
pub struct AgeingDto {
    #[schema(format = Date)]
    pub as_of: String,
    /// The buckets' names, in order.
    pub buckets: [&'static str; 5],
    /// The company currency: every amount but those of `currencies` is in it, at the rate each
    /// document or payment was booked at (what the control account carries).
    pub currency: String,
    pub rows: Vec<AgeingRowDto>,
    pub totals: AgedDto,
    /// The totals in each currency the items are in.
    pub currencies: Vec<CurrencyAgedDto>,
}

impl AgeingDto {
    pub fn new(ageing: Ageing, books: &Books) -> Result<AgeingDto, Overflow> {
        let d = books.decimals;
        let mut rows = Vec::with_capacity(ageing.rows.len());
        for r in ageing.rows {
            rows.push(AgeingRowDto {
                amounts: AgedDto::new(&r.buckets, r.total, d),
                contact: r.contact_id,
                contact_name: r.contact_name,
                currencies: in_currencies(&r.currencies)?,
            });
        }
        Ok(AgeingDto {
            as_of: ageing.as_of.to_string(),
            buckets: BUCKETS,
            currency: books.currency.clone(),
            rows,
            totals: AgedDto::new(&ageing.totals, ageing.total, d),
            currencies: in_currencies(&ageing.currencies)?,
        })
    }
}
