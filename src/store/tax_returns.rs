//! Tax returns in the tenant database: the sums a return reads (documents' lines with a rate
//! by issue and void date, the other postings on tax accounts by their ledger index, the tax
//! accounts' daily balances), the filed returns with their boxes, and the company's
//! tax-return settings. Every read is bounded by the period through an index; none scans the
//! journal.

use jiff::civil::Date;
use uuid::Uuid;

use super::ledger::parse_date;
use super::platform::{parse_ts, ts};
use super::{Row, StoreError, Tx, Value};
use crate::domain::accounts::Account;
use crate::domain::documents::DocumentKind;
use crate::domain::tax_returns::{BoxFigure, DEFAULT_LAYOUT, DocumentTax, FiledReturn, TaxReturnStore, TaxSettings};
use crate::domain::taxes::TaxRate;
use crate::params;

const COLUMNS: &str =
    "id, company_id, period_from, period_to, layout, net_amount, settlement_entry_id, filed_by, filed_at";

/// The ids of the company's tax accounts: subtype `tax`, or a rate's sales or purchase account.
pub fn tax_accounts(tx: &mut Tx, company: Uuid) -> Result<Vec<Uuid>, StoreError> {
    Ok(tax_account_rows(tx, company)?.into_iter().map(|a| a.id).collect())
}

fn tax_account_rows(tx: &mut Tx, company: Uuid) -> Result<Vec<Account>, StoreError> {
    let columns = super::accounts::COLUMNS;
    tx.query(
        &format!(
            "SELECT {columns} FROM accounts WHERE company_id = $1 AND (subtype = 'tax' \
             OR id IN (SELECT sales_account_id FROM tax_rates WHERE company_id = $1) \
             OR id IN (SELECT purchase_account_id FROM tax_rates WHERE company_id = $1)) ORDER BY code"
        ),
        params![company],
    )?
    .iter()
    .map(super::accounts::from_row)
    .collect()
}

fn return_from_row(tx: &mut Tx, r: &Row) -> Result<FiledReturn, StoreError> {
    let id = r.uuid(0)?;
    let boxes = tx
        .query(
            "SELECT box, label, amount, mapped FROM tax_return_boxes WHERE return_id = $1 ORDER BY position",
            params![id],
        )?
        .iter()
        .map(|b| {
            Ok(BoxFigure {
                id: b.text(0)?,
                label: b.text(1)?,
                amount: b.int(2)?,
                mapped: b.bool(3)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(FiledReturn {
        id,
        company_id: r.uuid(1)?,
        from: parse_date(&r.text(2)?)?,
        to: parse_date(&r.text(3)?)?,
        layout: r.text(4)?,
        net_amount: r.int(5)?,
        settlement_entry_id: r.opt_uuid(6)?,
        filed_by: r.uuid(7)?,
        filed_at: parse_ts(&r.text(8)?)?,
        boxes,
    })
}

/// The company's filed returns, latest period first.
pub fn list(tx: &mut Tx, company: Uuid) -> Result<Vec<FiledReturn>, StoreError> {
    let rows = tx.query(
        &format!("SELECT {COLUMNS} FROM tax_returns WHERE company_id = $1 ORDER BY period_to DESC"),
        params![company],
    )?;
    rows.iter().map(|r| return_from_row(tx, r)).collect()
}

/// One filed return of the company.
pub fn get(tx: &mut Tx, company: Uuid, id: Uuid) -> Result<Option<FiledReturn>, StoreError> {
    let row = tx.query_opt(
        &format!("SELECT {COLUMNS} FROM tax_returns WHERE company_id = $1 AND id = $2"),
        params![company, id],
    )?;
    row.map(|r| return_from_row(tx, &r)).transpose()
}

fn kind(text: &str) -> Result<DocumentKind, StoreError> {
    DocumentKind::parse(text).ok_or_else(|| StoreError::Corrupt(format!("unknown document kind {text:?}")))
}

/// A document voided in a period: its id, kind and void entry.
struct Void {
    document: Uuid,
    kind: DocumentKind,
    entry: Uuid,
}

/// Placeholders `$first, …` for `n` values.
fn marks(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Ids per query when they are listed in an `IN (…)`.
const IDS_PER_QUERY: usize = 500;

/// The company's documents voided in the period (in the company currency: see `document_tax`). Step by step, each by an index with the ids
/// of the step before, so no planner can choose to walk the period's entries or lines instead
/// (PostgreSQL did, with statistics not yet caught up after a burst of documents): the voided
/// documents (the partial index of voids: a firm's voids over all its years, few), then their
/// void entries' dates (primary key).
fn voids(tx: &mut Tx, company: Uuid, from: &str, to: &str) -> Result<Vec<Void>, StoreError> {
    let mut candidates = Vec::new();
    for r in tx.query(
        "SELECT d.id, d.kind, d.void_entry_id FROM documents d JOIN companies c ON c.id = d.company_id \
         WHERE d.void_entry_id IS NOT NULL AND d.company_id = $1 AND d.currency = c.currency",
        params![company],
    )? {
        candidates.push(Void {
            document: r.uuid(0)?,
            kind: kind(&r.text(1)?)?,
            entry: r.uuid(2)?,
        });
    }
    let mut dated: std::collections::HashMap<Uuid, String> = std::collections::HashMap::new();
    for chunk in candidates.chunks(IDS_PER_QUERY) {
        let values: Vec<Value> = chunk.iter().map(|v| Value::Id(v.entry)).collect();
        let sql = format!(
            "SELECT id, date FROM journal_entries WHERE id IN ({})",
            marks(1, chunk.len())
        );
        for r in tx.query(&sql, &values)? {
            dated.insert(r.uuid(0)?, r.text(1)?);
        }
    }
    candidates.retain(|v| {
        dated
            .get(&v.entry)
            .is_some_and(|d| d.as_str() >= from && d.as_str() <= to)
    });
    Ok(candidates)
}

impl TaxReturnStore for Tx<'_> {
    fn tax_settings(&mut self, company: Uuid) -> Result<TaxSettings, StoreError> {
        let row = self.query_opt(
            "SELECT tax_layout, tax_payable_account_id, tax_receivable_account_id FROM company_settings \
             WHERE company_id = $1",
            params![company],
        )?;
        Ok(match row {
            None => TaxSettings {
                layout: DEFAULT_LAYOUT.to_owned(),
                payable_account: None,
                receivable_account: None,
            },
            Some(r) => TaxSettings {
                layout: r.text(0)?,
                payable_account: r.opt_uuid(1)?,
                receivable_account: r.opt_uuid(2)?,
            },
        })
    }

    fn save_tax_settings(&mut self, company: Uuid, s: &TaxSettings) -> Result<(), StoreError> {
        // The ledger's settings row first (its defaults), then the tax columns.
        let ledger = crate::domain::ledger::LedgerStore::settings(self, company)?;
        crate::domain::ledger::LedgerStore::save_settings(self, company, &ledger)?;
        self.execute(
            "UPDATE company_settings SET tax_layout = $2, tax_payable_account_id = $3, \
             tax_receivable_account_id = $4 WHERE company_id = $1",
            params![company, s.layout.as_str(), s.payable_account, s.receivable_account],
        )?;
        Ok(())
    }

    fn tax_rates(&mut self, company: Uuid) -> Result<Vec<TaxRate>, StoreError> {
        let columns = super::taxes::COLUMNS;
        self.query(
            &format!("SELECT {columns} FROM tax_rates WHERE company_id = $1"),
            params![company],
        )?
        .iter()
        .map(super::taxes::from_row)
        .collect()
    }

    fn tax_accounts(&mut self, company: Uuid) -> Result<Vec<Account>, StoreError> {
        tax_account_rows(self, company)
    }

    fn document_tax(&mut self, company: Uuid, from: Date, to: Date) -> Result<Vec<DocumentTax>, StoreError> {
        let (from, to) = (from.to_string(), to.to_string());
        // Issued in the period (by the kind-and-date index), then voided in it (`voids`). Only
        // documents in the company currency: a document in another currency has its lines in
        // that currency, so its tax is read from the ledger instead, as other postings on the
        // tax account (in the company currency, without a taxable base).
        let issued = self.query(
            "SELECT l.tax_rate_id, d.kind, SUM(l.net_amount), SUM(l.tax_amount) \
             FROM documents d JOIN companies c ON c.id = d.company_id JOIN document_lines l ON l.document_id = d.id \
             WHERE d.company_id = $1 AND d.kind IN ('invoice', 'credit_note', 'bill', 'vendor_credit') \
             AND d.issue_date >= $2 AND d.issue_date <= $3 AND d.status <> 'draft' AND d.currency = c.currency \
             AND l.tax_rate_id IS NOT NULL GROUP BY l.tax_rate_id, d.kind",
            params![company, from.as_str(), to.as_str()],
        )?;
        let mut voided = Vec::new();
        let voids = voids(self, company, &from, &to)?;
        for chunk in voids.chunks(IDS_PER_QUERY) {
            let values: Vec<Value> = chunk.iter().map(|v| Value::Id(v.document)).collect();
            let sql = format!(
                "SELECT tax_rate_id, document_id, SUM(net_amount), SUM(tax_amount) FROM document_lines \
                 WHERE document_id IN ({}) AND tax_rate_id IS NOT NULL GROUP BY tax_rate_id, document_id",
                marks(1, chunk.len())
            );
            for r in self.query(&sql, &values)? {
                let document = r.uuid(1)?;
                let Some(v) = chunk.iter().find(|v| v.document == document) else {
                    continue;
                };
                voided.push(DocumentTax {
                    rate_id: r.uuid(0)?,
                    kind: v.kind,
                    voided: true,
                    net: r.int(2)?,
                    tax: r.int(3)?,
                });
            }
        }
        let mut out = Vec::with_capacity(issued.len() + voided.len());
        for r in issued {
            out.push(DocumentTax {
                rate_id: r.uuid(0)?,
                kind: kind(&r.text(1)?)?,
                voided: false,
                net: r.int(2)?,
                tax: r.int(3)?,
            });
        }
        out.extend(voided);
        Ok(out)
    }

    fn other_tax_postings(
        &mut self,
        company: Uuid,
        accounts: &[Uuid],
        from: Date,
        to: Date,
    ) -> Result<Vec<(Uuid, i64, i64)>, StoreError> {
        let (from, to) = (from.to_string(), to.to_string());
        let void_entries: Vec<Uuid> = voids(self, company, &from, &to)?.into_iter().map(|v| v.entry).collect();
        let mut out = Vec::new();
        for account in accounts {
            // Everything posted on the account in the period (its maintained daily totals), less
            // the lines of the documents issued or voided in it and of the settlements dated in
            // it: each part is read from the few documents or returns of the period through their
            // indexes, then the entries' lines by primary key (an anti-join over the account's
            // lines was planned as a nested scan of `documents` on PostgreSQL before its
            // statistics caught up with a burst of documents).
            let all = self.query_one(
                "SELECT COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0) FROM account_balances \
                 WHERE account_id = $1 AND date >= $2 AND date <= $3",
                params![*account, from.as_str(), to.as_str()],
            )?;
            let known = self.query_one(
                "SELECT COALESCE(SUM(x.debit), 0), COALESCE(SUM(x.credit), 0) FROM ( \
                 SELECT l.debit, l.credit FROM documents d JOIN companies c ON c.id = d.company_id \
                 JOIN journal_lines l ON l.entry_id = d.journal_entry_id \
                 WHERE d.company_id = $4 AND d.kind IN ('invoice', 'credit_note', 'bill', 'vendor_credit') \
                 AND d.issue_date >= $2 AND d.issue_date <= $3 AND d.status <> 'draft' AND d.currency = c.currency \
                 AND l.account_id = $1 AND l.posted_date >= $2 AND l.posted_date <= $3 \
                 UNION ALL \
                 SELECT l.debit, l.credit FROM tax_returns t JOIN journal_lines l ON l.entry_id = t.settlement_entry_id \
                 WHERE t.company_id = $4 AND t.period_to >= $2 AND t.period_to <= $3 \
                 AND l.account_id = $1 AND l.posted_date >= $2 AND l.posted_date <= $3) x",
                params![*account, from.as_str(), to.as_str(), company],
            )?;
            // The lines of the documents' voids dated in the period (`voids`).
            let (mut void_debit, mut void_credit) = (0_i64, 0_i64);
            for chunk in void_entries.chunks(IDS_PER_QUERY) {
                let values: Vec<Value> = std::iter::once(Value::Id(*account))
                    .chain(chunk.iter().map(|e| Value::Id(*e)))
                    .collect();
                let sql = format!(
                    "SELECT COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0) FROM journal_lines \
                     WHERE entry_id IN ({}) AND account_id = $1",
                    marks(2, chunk.len())
                );
                let r = self.query_one(&sql, &values)?;
                let overflow = || StoreError::Corrupt("tax postings beyond the books' range".into());
                void_debit = void_debit.checked_add(r.int(0)?).ok_or_else(overflow)?;
                void_credit = void_credit.checked_add(r.int(1)?).ok_or_else(overflow)?;
            }
            let less = |a: i64, b: i64| {
                a.checked_sub(b)
                    .ok_or_else(|| StoreError::Corrupt("tax postings beyond the books' range".into()))
            };
            let debit = less(less(all.int(0)?, known.int(0)?)?, void_debit)?;
            let credit = less(less(all.int(1)?, known.int(1)?)?, void_credit)?;
            out.push((*account, debit, credit));
        }
        Ok(out)
    }

    fn movements(&mut self, accounts: &[Uuid], from: Date, to: Date) -> Result<Vec<(Uuid, i64)>, StoreError> {
        let (from, to) = (from.to_string(), to.to_string());
        let mut out = Vec::new();
        for account in accounts {
            let r = self.query_one(
                "SELECT COALESCE(SUM(debit), 0) - COALESCE(SUM(credit), 0) FROM account_balances \
                 WHERE account_id = $1 AND date >= $2 AND date <= $3",
                params![*account, from.as_str(), to.as_str()],
            )?;
            out.push((*account, r.int(0)?));
        }
        Ok(out)
    }

    fn overlapping_return(&mut self, company: Uuid, from: Date, to: Date) -> Result<Option<FiledReturn>, StoreError> {
        let row = self.query_opt(
            &format!(
                "SELECT {COLUMNS} FROM tax_returns WHERE company_id = $1 AND period_from <= $3 AND period_to >= $2 \
                 ORDER BY period_to LIMIT 1"
            ),
            params![company, from.to_string(), to.to_string()],
        )?;
        row.map(|r| return_from_row(self, &r)).transpose()
    }

    fn insert_return(&mut self, f: &FiledReturn) -> Result<(), StoreError> {
        self.execute(
            &format!("INSERT INTO tax_returns ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"),
            params![
                f.id,
                f.company_id,
                f.from.to_string(),
                f.to.to_string(),
                f.layout.as_str(),
                f.net_amount,
                f.settlement_entry_id,
                f.filed_by,
                ts(f.filed_at)
            ],
        )?;
        for (i, b) in f.boxes.iter().enumerate() {
            let position = i64::try_from(i).map_err(|_| StoreError::Corrupt("too many boxes".into()))?;
            self.execute(
                "INSERT INTO tax_return_boxes (return_id, position, box, label, amount, mapped) VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    Value::Id(f.id),
                    Value::Int(position),
                    b.id.as_str().into(),
                    b.label.as_str().into(),
                    Value::Int(b.amount),
                    Value::Bool(b.mapped),
                ],
            )?;
        }
        Ok(())
    }
}
