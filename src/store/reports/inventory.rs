//! The rows of the inventory reports, read from the stock engine's tables (issue 19's contract):
//! `stock_levels` holds each item and warehouse's current quantity and value, read a page at a
//! time; stock on a past date is summed in memory from a base and the moves between it and the
//! date (`inventory_as_of.rs`); `stock_moves` gives an item's movement history and the cost of
//! what was delivered for the margin. Sums only: the arithmetic is `domain::reports::inventory`'s.

use jiff::civil::Date;
use uuid::Uuid;

use crate::domain::reports::inventory::{AccountTotals, MoveLine, Stock};
use crate::params;
use crate::store::ledger::parse_date;
use crate::store::sql::Value;
use crate::store::{StoreError, Tx};

/// What an on-hand or valuation page is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct StockFilter {
    pub warehouse: Option<Uuid>,
    pub item: Option<Uuid>,
    /// Part of the item's code or name, any case.
    pub search: Option<String>,
}

impl StockFilter {
    /// The search term, trimmed; `None` when there is none or it is blank.
    pub fn term(&self) -> Option<&str> {
        self.search.as_deref().map(str::trim).filter(|t| !t.is_empty())
    }
}

/// One item in one warehouse, as of the report's date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockRow {
    pub item_id: Uuid,
    pub item_code: String,
    pub item_name: String,
    pub unit: String,
    pub warehouse_id: Uuid,
    pub warehouse_code: String,
    pub warehouse_name: String,
    /// The inventory account the item is valued on (the item's own, else the company's default).
    pub account_id: Option<Uuid>,
    pub stock: Stock,
}

use super::inventory_as_of as past;
pub use super::inventory_as_of::{AsOf, as_of_mode};

/// The FROM and WHERE of today's stock per item and warehouse of company `$1` (`l` is the level:
/// `l.item_id`, `l.warehouse_id`, `l.quantity`, `l.value`; `i` the item and `w` the warehouse
/// when `joined`). Rows with neither quantity nor value are left out.
fn scope(company: Uuid, filter: &StockFilter, joined: bool) -> (String, Vec<Value>) {
    let (mut params, narrow) = narrowed(company, filter, "l.");
    let rest = format!("l.company_id = $1{narrow}");
    let search = filter.term();
    // Joined, the items come first (`CROSS JOIN` keeps SQLite's join order; PostgreSQL plans it
    // as any join): a page by item code walks the items' (company, code) index and stops at
    // the page's end instead of sorting every row. `code_key >= ''` holds for every item; it
    // makes that index the one SQLite picks (3.53 otherwise took another company index and
    // sorted all 30,000 rows of the benchmark for each page: 22 ms against 0.1 ms).
    let mut sql = if joined || search.is_some() {
        format!(
            "FROM items i CROSS JOIN stock_levels l CROSS JOIN warehouses w \
             WHERE i.company_id = $1 AND i.code_key >= '' AND l.item_id = i.id AND w.id = l.warehouse_id AND {rest}"
        )
    } else {
        format!("FROM stock_levels l WHERE {rest}")
    };
    sql.push_str(" AND (l.quantity <> 0 OR l.value <> 0)");
    if let Some(term) = search {
        params.push(Value::Text(like_pattern(term)));
        let n = params.len();
        sql.push_str(&format!(
            " AND (LOWER(i.code) LIKE ${n} ESCAPE '\\' OR LOWER(i.name) LIKE ${n} ESCAPE '\\')"
        ));
    }
    (sql, params)
}

/// Company `$1` and the filter's warehouse and item as parameters, with their conditions
/// (` AND warehouse_id = $2 …`) on the columns of `table` (`"l."`, or `""` for none).
pub(super) fn narrowed(company: Uuid, filter: &StockFilter, table: &str) -> (Vec<Value>, String) {
    let mut params: Vec<Value> = vec![company.into()];
    let mut narrow = String::new();
    if let Some(w) = filter.warehouse {
        params.push(w.into());
        narrow.push_str(&format!(" AND {table}warehouse_id = ${}", params.len()));
    }
    if let Some(i) = filter.item {
        params.push(i.into());
        narrow.push_str(&format!(" AND {table}item_id = ${}", params.len()));
    }
    (params, narrow)
}

/// The `LIKE` pattern (with `\` as escape) of items whose code or name holds `term`, any case.
pub(super) fn like_pattern(term: &str) -> String {
    let t = term.to_lowercase();
    format!("%{}%", t.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

/// Stock per item and warehouse as of a date, read once for the reports of one request: today's
/// levels are read by SQL a page at a time; a past date's stock is summed in memory once
/// (`inventory_as_of.rs`) and the page, the count and the values per account come from it.
pub struct StockAsOf {
    company: Uuid,
    default_account: Option<Uuid>,
    filter: StockFilter,
    mode: AsOf,
    past: past::Rows,
}

impl StockAsOf {
    /// Reads the stock of `company` as of `as_of`, narrowed by `filter`; items with no account of
    /// their own are valued on `default_account`.
    pub fn read(
        tx: &mut Tx,
        company: Uuid,
        as_of: Date,
        default_account: Option<Uuid>,
        filter: &StockFilter,
    ) -> Result<StockAsOf, StoreError> {
        let mode = as_of_mode(tx, company, as_of)?;
        Self::read_as(tx, company, as_of, mode, default_account, filter)
    }

    /// [`StockAsOf::read`] the given way (the tests compare every way).
    pub fn read_as(
        tx: &mut Tx,
        company: Uuid,
        as_of: Date,
        mode: AsOf,
        default_account: Option<Uuid>,
        filter: &StockFilter,
    ) -> Result<StockAsOf, StoreError> {
        Ok(StockAsOf {
            company,
            default_account,
            filter: filter.clone(),
            mode,
            past: past::past(tx, company, as_of, mode, filter)?,
        })
    }

    /// One page by item code then warehouse code, with the count of all rows (counted here unless
    /// the caller knows it, from [`StockAsOf::per_account`]'s `rows`).
    pub fn page(
        &self,
        tx: &mut Tx,
        offset: u64,
        limit: u64,
        known_count: Option<u64>,
    ) -> Result<(u64, Vec<StockRow>), StoreError> {
        if self.mode != AsOf::Now {
            let count = u64::try_from(self.past.len()).unwrap_or(u64::MAX);
            let rows = past::page(tx, self.company, self.default_account, &self.past, offset, limit)?;
            return Ok((count, rows));
        }
        let count = match known_count {
            Some(n) => n,
            None => {
                let (sql, params) = scope(self.company, &self.filter, false);
                u64::try_from(tx.query_one(&format!("SELECT COUNT(*) {sql}"), &params)?.int(0)?).unwrap_or(0)
            }
        };
        let (sql, mut params) = scope(self.company, &self.filter, true);
        params.push(self.default_account.map_or(Value::Null, Value::from));
        let account = account_expr(params.len());
        let rows = tx.query(
            &format!(
                "SELECT i.id, i.code, i.name, i.unit, w.id, w.code, w.name, {account}, l.quantity, l.value {sql} \
                 ORDER BY i.code_key, w.code, l.item_id, l.warehouse_id LIMIT {limit} OFFSET {offset}"
            ),
            &params,
        )?;
        let rows = rows
            .iter()
            .map(|r| {
                Ok(StockRow {
                    item_id: r.uuid(0)?,
                    item_code: r.text(1)?,
                    item_name: r.text(2)?,
                    unit: r.text(3)?,
                    warehouse_id: r.uuid(4)?,
                    warehouse_code: r.text(5)?,
                    warehouse_name: r.text(6)?,
                    account_id: r.opt_uuid(7)?,
                    stock: Stock {
                        quantity: r.int(8)?,
                        value: r.int(9)?,
                    },
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((count, rows))
    }

    /// The value of the stock per inventory account, by code. An item with no account of its own
    /// and no company default comes out with `account_id` None.
    pub fn per_account(&self, tx: &mut Tx) -> Result<Vec<AccountValue>, StoreError> {
        if self.mode != AsOf::Now {
            return past::per_account(tx, self.company, self.default_account, &self.past);
        }
        let (sql, mut params) = scope(self.company, &self.filter, false);
        params.push(self.default_account.map_or(Value::Null, Value::from));
        let n = params.len();
        // Summed per item first, then per account: one look-up of each item, not of each row.
        let rows = tx.query(
            &format!(
                "SELECT t.account_id, ac.code, ac.name, t.v, t.n FROM \
                   (SELECT COALESCE(it.inventory_account_id, ${n}) AS account_id, SUM(x.v) AS v, SUM(x.n) AS n \
                    FROM (SELECT l.item_id AS item_id, SUM(l.value) AS v, COUNT(*) AS n {sql} GROUP BY l.item_id) x \
                    JOIN items it ON it.id = x.item_id GROUP BY COALESCE(it.inventory_account_id, ${n})) t \
                 LEFT JOIN accounts ac ON ac.id = t.account_id ORDER BY ac.code"
            ),
            &params,
        )?;
        rows.iter()
            .map(|r| {
                Ok(AccountValue {
                    account_id: r.opt_uuid(0)?,
                    code: r.opt_text(1)?.unwrap_or_default(),
                    name: r.opt_text(2)?.unwrap_or_default(),
                    value: r.int(3)?,
                    rows: u64::try_from(r.int(4)?).unwrap_or(0),
                })
            })
            .collect()
    }

    /// The total quantity and value.
    pub fn total(&self, tx: &mut Tx) -> Result<Stock, StoreError> {
        let overflow = |e: crate::domain::reports::Overflow| StoreError::Corrupt(e.to_string());
        if self.mode != AsOf::Now {
            return self
                .past
                .iter()
                .try_fold(Stock::default(), |t, (_, s)| t.plus(*s))
                .map_err(overflow);
        }
        let (sql, params) = scope(self.company, &self.filter, false);
        let r = tx.query_one(
            &format!("SELECT COALESCE(SUM(l.quantity), 0), COALESCE(SUM(l.value), 0) {sql}"),
            &params,
        )?;
        Ok(Stock {
            quantity: r.int(0)?,
            value: r.int(1)?,
        })
    }
}

/// The inventory account an item's stock is valued on, as SQL over `items i`: its own, else
/// the default bound as parameter `$n`.
fn account_expr(n: usize) -> String {
    format!("COALESCE(i.inventory_account_id, ${n})")
}

/// One page of stock per item and warehouse as of `as_of` (see [`StockAsOf::page`]).
#[allow(clippy::too_many_arguments)]
pub fn stock_page(
    tx: &mut Tx,
    company: Uuid,
    as_of: Date,
    default_account: Option<Uuid>,
    filter: &StockFilter,
    offset: u64,
    limit: u64,
    known_count: Option<u64>,
) -> Result<(u64, Vec<StockRow>), StoreError> {
    StockAsOf::read(tx, company, as_of, default_account, filter)?.page(tx, offset, limit, known_count)
}

/// An inventory account's name and the value of the stock valued on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountValue {
    pub account_id: Option<Uuid>,
    pub code: String,
    pub name: String,
    pub value: i64,
    /// How many item and warehouse rows (with quantity or value) are valued on it.
    pub rows: u64,
}

/// The value of the stock as of `as_of` per inventory account (see [`StockAsOf::per_account`]).
pub fn value_per_account(
    tx: &mut Tx,
    company: Uuid,
    as_of: Date,
    default_account: Option<Uuid>,
    filter: &StockFilter,
) -> Result<Vec<AccountValue>, StoreError> {
    StockAsOf::read(tx, company, as_of, default_account, filter)?.per_account(tx)
}

/// The total quantity and value of the stock as of `as_of` (narrowed by `filter`).
pub fn stock_total(tx: &mut Tx, company: Uuid, as_of: Date, filter: &StockFilter) -> Result<Stock, StoreError> {
    StockAsOf::read(tx, company, as_of, None, filter)?.total(tx)
}

/// The account stock is valued on when its item names none: the company's default in
/// `inventory_settings` (made by the stock engine on first use), else, before the company has any
/// stock, its first account of subtype `inventory`.
pub fn default_inventory_account(tx: &mut Tx, company: Uuid) -> Result<Option<Uuid>, StoreError> {
    let set = tx.query_opt(
        "SELECT inventory_account_id FROM inventory_settings WHERE company_id = $1",
        params![company],
    )?;
    if let Some(r) = set {
        return Ok(Some(r.uuid(0)?));
    }
    tx.query_opt(
        "SELECT id FROM accounts WHERE company_id = $1 AND subtype = 'inventory' ORDER BY code LIMIT 1",
        params![company],
    )?
    .map(|r| r.uuid(0))
    .transpose()
}

/// What the valuation check compares as of `as_of`: per inventory account (the company default
/// and every stock item's own) the value of the stock valued on it and its ledger balance on
/// that date; and the value of stock valued on no account at all.
pub fn check_rows(tx: &mut Tx, company: Uuid, as_of: Date) -> Result<(Vec<AccountTotals>, i64), StoreError> {
    let default = default_inventory_account(tx, company)?;
    let values = account_values(tx, company, as_of, default)?;
    let end = as_of.tomorrow().unwrap_or(as_of);
    let mut totals = Vec::new();
    for (id, code, name) in inventory_accounts(tx, company, default)? {
        let valuation = values.iter().find(|v| v.0 == Some(id)).map_or(0, |v| v.1);
        totals.push(AccountTotals {
            ledger: super::balance_before(tx, id, end)?,
            account_id: id,
            code,
            name,
            valuation,
        });
    }
    let unassigned = values.iter().filter(|v| v.0.is_none()).map(|v| v.1).sum();
    Ok((totals, unassigned))
}

/// The value of all the company's stock per inventory account as of `as_of` (`None`: valued on
/// no account).
fn account_values(
    tx: &mut Tx,
    company: Uuid,
    as_of: Date,
    default: Option<Uuid>,
) -> Result<Vec<(Option<Uuid>, i64)>, StoreError> {
    let stock = StockAsOf::read(tx, company, as_of, default, &StockFilter::default())?;
    Ok(stock
        .per_account(tx)?
        .into_iter()
        .map(|a| (a.account_id, a.value))
        .collect())
}

/// The inventory accounts the check compares: the company default and every stock item's own,
/// with their code and name.
pub fn inventory_accounts(
    tx: &mut Tx,
    company: Uuid,
    default_account: Option<Uuid>,
) -> Result<Vec<(Uuid, String, String)>, StoreError> {
    let rows = tx.query(
        "SELECT id, code, name FROM accounts WHERE company_id = $1 AND (id = $2 OR id IN \
           (SELECT inventory_account_id FROM items WHERE company_id = $1 AND inventory_account_id IS NOT NULL)) \
         ORDER BY code",
        &[company.into(), default_account.map_or(Value::Null, Value::from)],
    )?;
    rows.iter().map(|r| Ok((r.uuid(0)?, r.text(1)?, r.text(2)?))).collect()
}

/// A move's date compared without an index on it (`||` is text concatenation on both
/// backends): one item's moves are found by the item's index, and SQLite, given a date range,
/// would otherwise walk the date index over every item's moves.
const DATE: &str = "(m.date || '')";

/// Which moves of an item the movement history shows.
#[derive(Debug, Clone)]
pub struct MoveFilter {
    pub item: Uuid,
    pub warehouse: Option<Uuid>,
    pub from: Option<Date>,
    pub to: Date,
}

/// The item's moves in the period, in posting order (date, then sequence), one page of them,
/// with the count of all, the stock before the period and the sum of the period's moves on
/// earlier pages (for the running quantity and value).
pub fn moves_page(
    tx: &mut Tx,
    company: Uuid,
    f: &MoveFilter,
    offset: u64,
    limit: u64,
) -> Result<(u64, Stock, Vec<MoveLine>), StoreError> {
    let mut params: Vec<Value> = vec![company.into(), f.item.into(), f.to.to_string().into()];
    let mut narrow = String::new();
    if let Some(w) = f.warehouse {
        params.push(w.into());
        narrow.push_str(&format!(" AND m.warehouse_id = ${}", params.len()));
    }
    let base = format!("FROM stock_moves m WHERE m.company_id = $1 AND m.item_id = $2{narrow}");
    let (opening, scope) = match f.from {
        Some(from) => {
            params.push(from.to_string().into());
            let n = params.len();
            let opening = tx.query_one(
                // `date <= $3` changes nothing (`from` ≤ `to`) but names every parameter for PostgreSQL.
                &format!(
                    "SELECT COALESCE(SUM(m.quantity), 0), COALESCE(SUM(m.value), 0) {base} AND {DATE} < ${n} AND {DATE} <= $3"
                ),
                &params,
            )?;
            let opening = Stock {
                quantity: opening.int(0)?,
                value: opening.int(1)?,
            };
            (opening, format!("{base} AND {DATE} >= ${n} AND {DATE} <= $3"))
        }
        None => (Stock::default(), format!("{base} AND {DATE} <= $3")),
    };
    let count = tx.query_one(&format!("SELECT COUNT(*) {scope}"), &params)?.int(0)?;
    let before = if offset == 0 {
        Stock::default()
    } else {
        let r = tx.query_one(
            &format!(
                "SELECT COALESCE(SUM(q), 0), COALESCE(SUM(v), 0) FROM (SELECT m.quantity AS q, m.value AS v {scope} \
                 ORDER BY {DATE}, m.seq, m.id LIMIT {offset}) x"
            ),
            &params,
        )?;
        Stock {
            quantity: r.int(0)?,
            value: r.int(1)?,
        }
    };
    let rows = tx.query(
        &format!(
            "SELECT p.id, p.date, p.kind, p.warehouse_id, w.code, p.lot, p.quantity, p.value, p.source_kind, \
                    p.source_id, p.journal_entry_id \
             FROM (SELECT m.id, m.date, m.seq, m.kind, m.warehouse_id, m.lot, m.quantity, m.value, m.source_kind, \
                          m.source_id, m.journal_entry_id {scope} \
                   ORDER BY {DATE}, m.seq, m.id LIMIT {limit} OFFSET {offset}) p \
             JOIN warehouses w ON w.id = p.warehouse_id \
             ORDER BY p.date, p.seq, p.id"
        ),
        &params,
    )?;
    let lines = rows
        .iter()
        .map(|r| {
            Ok(MoveLine {
                id: r.uuid(0)?,
                date: parse_date(&r.text(1)?)?,
                kind: r.text(2)?,
                warehouse_id: r.uuid(3)?,
                warehouse_code: r.text(4)?,
                lot: r.opt_text(5)?,
                stock: Stock {
                    quantity: r.int(6)?,
                    value: r.int(7)?,
                },
                source_kind: r.opt_text(8)?,
                source_id: r.opt_uuid(9)?,
                journal_entry_id: r.opt_uuid(10)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let before = opening.plus(before).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok((u64::try_from(count).unwrap_or(0), before, lines))
}

/// A stock item at or below its reorder point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReorderRow {
    pub item_id: Uuid,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub on_hand: i64,
    pub reorder_point: i64,
    pub reorder_quantity: Option<i64>,
    /// The item's purchase price (minor units per base unit), what a draft order would use.
    pub purchase_price: i64,
}

/// One page of the active stock items whose quantity on hand across all warehouses is at or
/// below their reorder point, by code, with the count of all.
pub fn reorder_page(tx: &mut Tx, company: Uuid, offset: u64, limit: u64) -> Result<(u64, Vec<ReorderRow>), StoreError> {
    let scope = "FROM items i LEFT JOIN (SELECT item_id, SUM(quantity) AS q FROM stock_levels WHERE company_id = $1 \
                 GROUP BY item_id) s ON s.item_id = i.id \
                 WHERE i.company_id = $1 AND i.kind = 'stock' AND i.is_active = $2 AND i.reorder_point IS NOT NULL \
                 AND COALESCE(s.q, 0) <= i.reorder_point";
    let params = [Value::from(company), Value::Bool(true)];
    let count = tx.query_one(&format!("SELECT COUNT(*) {scope}"), &params)?.int(0)?;
    let rows = tx.query(
        &format!(
            "SELECT i.id, i.code, i.name, i.unit, COALESCE(s.q, 0), i.reorder_point, i.reorder_quantity, i.purchase_price \
             {scope} ORDER BY i.code_key, i.id LIMIT {limit} OFFSET {offset}"
        ),
        &params,
    )?;
    let rows = rows
        .iter()
        .map(|r| {
            Ok(ReorderRow {
                item_id: r.uuid(0)?,
                code: r.text(1)?,
                name: r.text(2)?,
                unit: r.text(3)?,
                on_hand: r.int(4)?,
                reorder_point: r.int(5)?,
                reorder_quantity: r.opt_int(6)?,
                purchase_price: r.int(7)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok((u64::try_from(count).unwrap_or(0), rows))
}
