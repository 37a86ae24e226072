//! Stock per item and warehouse on a past date, summed in memory (issue 19: on hand and
//! valuation as of a date at 1M moves). A base (today's levels, a stock checkpoint, or nothing)
//! and the moves between it and the date are each read in one walk of an index, in their stored
//! order, and added up in a hash map: no `GROUP BY` sorts the month of moves a checkpoint is
//! away (26,000 rows: 22 ms in SQLite's temporary B-tree, against 3 ms to walk them), and the
//! on-hand page, the count, the total and the value per account all come from the one read.

use std::collections::HashMap;

use jiff::civil::Date;
use uuid::Uuid;

use super::inventory::{AccountValue, StockFilter, StockRow};
use crate::domain::reports::inventory::Stock;
use crate::params;
use crate::store::inventory_checkpoints as checkpoints;
use crate::store::ledger::parse_date;
use crate::store::sql::Value;
use crate::store::{StoreError, Tx};

/// How stock as of a date is read: `stock_levels` now (a date with no move after it is now);
/// before that, from the base that is the fewest days of moves away — today's levels less the
/// moves dated after the date, the nearest checkpoint on or after the date less the moves
/// between them, the nearest checkpoint before the date plus the moves between them, or the
/// sum of every move up to the date. Checkpoints keep that within half a month of moves
/// ([`checkpoints`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    Now,
    /// Back from today's levels.
    Backward,
    /// Back from the checkpoint of this date.
    Checkpoint(Date),
    /// Forward from the checkpoint of this date (before the report's date).
    FromCheckpoint(Date),
    /// Forward from the company's first move.
    Forward,
}

/// Which way [`AsOf`] reads the company's stock on `as_of`, from its first and last move dates
/// and its checkpoints.
pub fn as_of_mode(tx: &mut Tx, company: Uuid, as_of: Date) -> Result<AsOf, StoreError> {
    let edge = |tx: &mut Tx, order: &str| -> Result<Option<Date>, StoreError> {
        tx.query_opt(
            &format!("SELECT date FROM stock_moves WHERE company_id = $1 ORDER BY date {order}, seq {order} LIMIT 1"),
            params![company],
        )?
        .map(|r| parse_date(&r.text(0)?))
        .transpose()
    };
    let Some(last) = edge(tx, "DESC")? else {
        return Ok(AsOf::Now);
    };
    if last <= as_of {
        return Ok(AsOf::Now);
    }
    let first = edge(tx, "ASC")?.unwrap_or(as_of);
    let days = |a: Date, b: Date| (b - a).get_days().max(0);
    // The candidates, the days of moves each reads; the first of the fewest wins.
    let mut ways = vec![(AsOf::Backward, days(as_of, last))];
    if let Some(c) = checkpoints::at_or_after(tx, company, as_of)?.filter(|c| c.date < last) {
        ways.push((AsOf::Checkpoint(c.date), days(as_of, c.date)));
    }
    if let Some(c) = checkpoints::before(tx, company, as_of)? {
        ways.push((AsOf::FromCheckpoint(c.date), days(c.date, as_of)));
    }
    ways.push((AsOf::Forward, days(first, as_of)));
    let best = ways.iter().map(|w| w.1).min().unwrap_or(0);
    Ok(ways.into_iter().find(|w| w.1 == best).map_or(AsOf::Backward, |w| w.0))
}

/// Stock per (item, warehouse).
pub(super) type Rows = Vec<((Uuid, Uuid), Stock)>;

/// A move's date compared without an index on it: one item's moves are found by the item's
/// index; given a date range SQLite would walk the date index over every item instead.
const DATE_UNINDEXED: &str = "(date || '')";

/// The stock of every item and warehouse (narrowed by a filter) with a quantity or a value on a
/// past date, read the [`AsOf`] way. Empty for [`AsOf::Now`]: today's levels are read by SQL.
pub(super) fn past(
    tx: &mut Tx,
    company: Uuid,
    as_of: Date,
    mode: AsOf,
    filter: &StockFilter,
) -> Result<Rows, StoreError> {
    let (mut params, narrow) = super::inventory::narrowed(company, filter, "");
    let date = if filter.item.is_some() { DATE_UNINDEXED } else { "date" };
    // The base, then the moves added (+1) or taken off (−1): `(after, up to)`, open below.
    let d = as_of.to_string();
    let (base, sign, after, until) = match mode {
        AsOf::Now => return Ok(Vec::new()),
        AsOf::Backward => (Some(None), -1, d, None),
        AsOf::Checkpoint(c) => (Some(Some(c)), -1, d, Some(c.to_string())),
        AsOf::FromCheckpoint(c) => (Some(Some(c)), 1, c.to_string(), Some(d)),
        AsOf::Forward => (None, 1, String::new(), Some(d)),
    };
    let mut stock: HashMap<(Uuid, Uuid), Stock> = HashMap::new();
    let overflow = |e: crate::domain::reports::Overflow| StoreError::Corrupt(e.to_string());
    let add = |stock: &mut HashMap<(Uuid, Uuid), Stock>, r: &crate::store::sql::Row, sign: i64| {
        let moved = Stock {
            quantity: r.int(2)?.saturating_mul(sign),
            value: r.int(3)?.saturating_mul(sign),
        };
        let e = stock.entry((r.uuid(0)?, r.uuid(1)?)).or_default();
        *e = e.plus(moved).map_err(overflow)?;
        Ok(())
    };
    match base {
        Some(None) => tx.for_each_row(
            &format!("SELECT item_id, warehouse_id, quantity, value FROM stock_levels WHERE company_id = $1{narrow}"),
            &params,
            |r| add(&mut stock, &r, 1),
        )?,
        Some(Some(c)) => {
            let mut with_date = params.clone();
            with_date.push(c.to_string().into());
            tx.for_each_row(
                &format!(
                    "SELECT item_id, warehouse_id, quantity, value FROM stock_checkpoint_levels \
                     WHERE company_id = $1 AND date = ${}{narrow}",
                    with_date.len()
                ),
                &with_date,
                |r| add(&mut stock, &r, 1),
            )?;
        }
        None => {}
    }
    params.push(after.into());
    let mut range = format!("{date} > ${}", params.len());
    if let Some(until) = until {
        params.push(until.into());
        range.push_str(&format!(" AND {date} <= ${}", params.len()));
    }
    tx.for_each_row(
        &format!(
            "SELECT item_id, warehouse_id, quantity, value FROM stock_moves WHERE company_id = $1 AND {range}{narrow}"
        ),
        &params,
        |r| add(&mut stock, &r, sign),
    )?;
    let mut rows: Rows = stock.into_iter().filter(|(_, s)| !s.is_zero()).collect();
    if let Some(term) = filter.term() {
        let found: std::collections::HashSet<Uuid> = tx
            .query(
                "SELECT id FROM items WHERE company_id = $1 \
                 AND (LOWER(code) LIKE $2 ESCAPE '\\' OR LOWER(name) LIKE $2 ESCAPE '\\')",
                params![company, super::inventory::like_pattern(term)],
            )?
            .iter()
            .map(|r| r.uuid(0))
            .collect::<Result<_, _>>()?;
        rows.retain(|((item, _), _)| found.contains(item));
    }
    Ok(rows)
}

/// Each item's inventory account (its own, else `default`), for the items of `rows`.
fn accounts_of(
    tx: &mut Tx,
    company: Uuid,
    default: Option<Uuid>,
    rows: &[((Uuid, Uuid), Stock)],
) -> Result<HashMap<Uuid, Option<Uuid>>, StoreError> {
    let mut own: HashMap<Uuid, Option<Uuid>> = HashMap::new();
    if !rows.is_empty() {
        for r in tx.query(
            "SELECT id, inventory_account_id FROM items WHERE company_id = $1 AND inventory_account_id IS NOT NULL",
            params![company],
        )? {
            own.insert(r.uuid(0)?, r.opt_uuid(1)?);
        }
    }
    Ok(rows
        .iter()
        .map(|((item, _), _)| (*item, own.get(item).copied().flatten().or(default)))
        .collect())
}

/// The value and number of rows of `rows` per inventory account, with the accounts' code and
/// name, by code (stock valued on no account first).
pub(super) fn per_account(
    tx: &mut Tx,
    company: Uuid,
    default: Option<Uuid>,
    rows: &[((Uuid, Uuid), Stock)],
) -> Result<Vec<AccountValue>, StoreError> {
    let account_of = accounts_of(tx, company, default, rows)?;
    let mut sums: HashMap<Option<Uuid>, (i64, u64)> = HashMap::new();
    for ((item, _), s) in rows {
        let e = sums.entry(account_of.get(item).copied().flatten()).or_default();
        e.0 =
            e.0.checked_add(s.value)
                .ok_or_else(|| StoreError::Corrupt("stock values overflow".into()))?;
        e.1 += 1;
    }
    let mut names: HashMap<Uuid, (String, String)> = HashMap::new();
    if sums.keys().any(Option::is_some) {
        for (id, code, name) in super::inventory::inventory_accounts(tx, company, default)? {
            names.insert(id, (code, name));
        }
    }
    let mut out: Vec<AccountValue> = sums
        .into_iter()
        .map(|(account, (value, rows))| {
            let (code, name) = account.and_then(|a| names.get(&a).cloned()).unwrap_or_default();
            AccountValue {
                account_id: account,
                code,
                name,
                value,
                rows,
            }
        })
        .collect();
    out.sort_by(|a, b| (a.account_id.is_some(), &a.code).cmp(&(b.account_id.is_some(), &b.code)));
    Ok(out)
}

/// One page of `rows` by item code then warehouse code (the order of the page of today's
/// stock), with the items' and warehouses' names and the items' accounts.
pub(super) fn page(
    tx: &mut Tx,
    company: Uuid,
    default: Option<Uuid>,
    rows: &[((Uuid, Uuid), Stock)],
    offset: u64,
    limit: u64,
) -> Result<Vec<StockRow>, StoreError> {
    let rank = |tx: &mut Tx, sql: &str| -> Result<HashMap<Uuid, usize>, StoreError> {
        let mut out = HashMap::new();
        tx.for_each_row(sql, params![company], |r| {
            let n = out.len();
            out.insert(r.uuid(0)?, n);
            Ok(())
        })?;
        Ok(out)
    };
    let items = rank(
        tx,
        "SELECT id FROM items WHERE company_id = $1 AND code_key >= '' ORDER BY code_key, id",
    )?;
    let mut warehouses: HashMap<Uuid, (usize, String, String)> = HashMap::new();
    for r in tx.query(
        "SELECT id, code, name FROM warehouses WHERE company_id = $1 ORDER BY code, id",
        params![company],
    )? {
        let n = warehouses.len();
        warehouses.insert(r.uuid(0)?, (n, r.text(1)?, r.text(2)?));
    }
    // Each row's place computed once (a comparison that looked both up would cost 30 ms over
    // 30,000 rows); only the rows up to the page's end are put in order.
    let mut keyed: Vec<((usize, usize, Uuid, Uuid), usize)> = rows
        .iter()
        .enumerate()
        .map(|(n, ((item, wh), _))| {
            let place = (
                items.get(item).copied().unwrap_or(usize::MAX),
                warehouses.get(wh).map_or(usize::MAX, |w| w.0),
                *item,
                *wh,
            );
            (place, n)
        })
        .collect();
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(keyed.len());
    let end = start
        .saturating_add(usize::try_from(limit).unwrap_or(usize::MAX))
        .min(keyed.len());
    if end == start {
        return Ok(Vec::new());
    }
    if end < keyed.len() {
        keyed.select_nth_unstable(end - 1);
        keyed.truncate(end);
    }
    keyed.sort_unstable();
    let rows: Vec<((Uuid, Uuid), Stock)> = keyed[start..end].iter().map(|(_, n)| rows[*n]).collect();
    let mut params: Vec<Value> = vec![company.into(), default.map_or(Value::Null, Value::from)];
    let mut marks = Vec::with_capacity(rows.len());
    for ((item, _), _) in &rows {
        params.push((*item).into());
        marks.push(format!("${}", params.len()));
    }
    let mut details: HashMap<Uuid, (String, String, String, Option<Uuid>)> = HashMap::new();
    for r in tx.query(
        &format!(
            "SELECT id, code, name, unit, COALESCE(inventory_account_id, $2) FROM items \
             WHERE company_id = $1 AND id IN ({})",
            marks.join(", ")
        ),
        &params,
    )? {
        details.insert(r.uuid(0)?, (r.text(1)?, r.text(2)?, r.text(3)?, r.opt_uuid(4)?));
    }
    rows.iter()
        .map(|((item, wh), stock)| {
            let (code, name, unit, account) = details
                .get(item)
                .cloned()
                .ok_or_else(|| StoreError::Corrupt(format!("stock of item {item}, which is not in the books")))?;
            let (_, wcode, wname) = warehouses
                .get(wh)
                .cloned()
                .ok_or_else(|| StoreError::Corrupt(format!("stock in warehouse {wh}, which is not in the books")))?;
            Ok(StockRow {
                item_id: *item,
                item_code: code,
                item_name: name,
                unit,
                warehouse_id: *wh,
                warehouse_code: wcode,
                warehouse_name: wname,
                account_id: account,
                stock: *stock,
            })
        })
        .collect()
}
