//! The inventory reports' arithmetic: stock as of a date (the current level less the moves after
//! it), the running quantity and value of an item's moves, the valuation against the ledger per
//! inventory account, the reorder suggestion and the gross margin. Quantities are `i64`
//! thousandths of the item's base unit, values `i64` minor units (issue 19's contract).

use jiff::civil::Date;
use uuid::Uuid;

use super::{Overflow, add, sub};

/// A quantity (thousandths of the base unit) and its value (minor units).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stock {
    pub quantity: i64,
    pub value: i64,
}

impl Stock {
    /// `self + other`, or [`Overflow`].
    pub fn plus(self, other: Stock) -> Result<Stock, Overflow> {
        Ok(Stock {
            quantity: add(self.quantity, other.quantity, "quantities")?,
            value: add(self.value, other.value, "stock values")?,
        })
    }

    /// The stock as of a date, from the current level and the sum of the moves dated after it.
    pub fn before(self, later: Stock) -> Result<Stock, Overflow> {
        Ok(Stock {
            quantity: sub(self.quantity, later.quantity, "quantities")?,
            value: sub(self.value, later.value, "stock values")?,
        })
    }

    pub fn is_zero(self) -> bool {
        self.quantity == 0 && self.value == 0
    }
}

/// One stock move as the movement history shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveLine {
    pub id: Uuid,
    pub date: Date,
    pub kind: String,
    pub warehouse_id: Uuid,
    pub warehouse_code: String,
    pub lot: Option<String>,
    /// Signed effect on stock: in > 0, out < 0.
    pub stock: Stock,
    pub source_kind: Option<String>,
    pub source_id: Option<Uuid>,
    pub journal_entry_id: Option<Uuid>,
}

/// `moves` with the quantity and value on hand after each, from `opening` (the stock before the
/// period plus the period's moves on earlier pages).
pub fn running(opening: Stock, moves: Vec<MoveLine>) -> Result<Vec<(MoveLine, Stock)>, Overflow> {
    let mut on_hand = opening;
    moves
        .into_iter()
        .map(|m| {
            on_hand = on_hand.plus(m.stock)?;
            Ok((m, on_hand))
        })
        .collect()
}

/// An inventory account: what the stock valuation says it holds and what the ledger does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountCheck {
    pub account_id: Uuid,
    pub code: String,
    pub name: String,
    pub valuation: i64,
    pub ledger: i64,
    /// Ledger minus valuation: 0 when they tie.
    pub difference: i64,
}

/// Valuation against the ledger, per inventory account; `ok` when every account ties to the cent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub ok: bool,
    pub accounts: Vec<AccountCheck>,
}

/// One inventory account as the store reads it: its valuation as of the date (the stock of the
/// items valued on it) and its ledger balance (debit minus credit) on the same date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountTotals {
    pub account_id: Uuid,
    pub code: String,
    pub name: String,
    pub valuation: i64,
    pub ledger: i64,
}

/// Compares each account's valuation with its ledger balance.
pub fn check(accounts: Vec<AccountTotals>) -> Result<Check, Overflow> {
    let accounts = accounts
        .into_iter()
        .map(|a| {
            Ok(AccountCheck {
                difference: sub(a.ledger, a.valuation, "differences")?,
                account_id: a.account_id,
                code: a.code,
                name: a.name,
                valuation: a.valuation,
                ledger: a.ledger,
            })
        })
        .collect::<Result<Vec<_>, Overflow>>()?;
    Ok(Check {
        ok: accounts.iter().all(|a| a.difference == 0),
        accounts,
    })
}

/// What to order of an item at or below its reorder point: its reorder quantity, or, without
/// one, what brings it back up to the point (never less than nothing).
pub fn suggested_quantity(on_hand: i64, reorder_point: i64, reorder_quantity: Option<i64>) -> i64 {
    match reorder_quantity {
        Some(q) if q > 0 => q,
        _ => reorder_point.saturating_sub(on_hand).max(0),
    }
}

/// Revenue, cost of goods sold and what is left of one item or customer over a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Margin {
    pub revenue: i64,
    pub cogs: i64,
    pub margin: i64,
    /// The margin as a share of revenue in tenths of a percent, rounded half away from zero;
    /// `None` without revenue.
    pub permille: Option<i64>,
}

/// The margin of `revenue` and `cogs`.
pub fn margin(revenue: i64, cogs: i64) -> Result<Margin, Overflow> {
    let m = sub(revenue, cogs, "margins")?;
    let permille = (revenue != 0).then(|| {
        let num = i128::from(m) * 1000;
        let den = i128::from(revenue);
        // Half away from zero: |num|·2 + |den| over 2·|den|, with the sign of the quotient.
        let q = (num.abs() * 2 + den.abs()) / (den.abs() * 2);
        let q = if (num < 0) != (den < 0) { -q } else { q };
        i64::try_from(q).unwrap_or(if q < 0 { i64::MIN } else { i64::MAX })
    });
    Ok(Margin {
        revenue,
        cogs,
        margin: m,
        permille,
    })
}

/// The part of a move's `value` that `taken` of its `quantity` carries (signs ignored for the quantities): round-half-even of
/// value × taken / quantity in i128 (the contract's rule), all of it when everything is taken.
pub fn share(value: i64, quantity: i64, taken: i64) -> i64 {
    if quantity == 0 || taken.unsigned_abs() >= quantity.unsigned_abs() {
        return value;
    }
    // The share of the quantity, whatever the signs: value × |taken| / |quantity|.
    let n = i128::from(value) * i128::from(taken.unsigned_abs());
    let d = i128::from(quantity.unsigned_abs());
    let q = n.div_euclid(d);
    let r = n.rem_euclid(d);
    let q = match (2 * r).cmp(&d) {
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal if q % 2 != 0 => q + 1,
        _ => q,
    };
    // |value × taken / quantity| ≤ |value| here, so it fits.
    i64::try_from(q).unwrap_or(value)
}

/// Revenue and cost of goods sold of one item sold to one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    pub item_id: Uuid,
    pub customer_id: Uuid,
    pub revenue: i64,
    pub cogs: i64,
}

/// Sums `sales` per item and per customer (each sorted by its key), and overall.
#[allow(clippy::type_complexity)]
pub fn margins(sales: &[Sale]) -> Result<(Vec<(Uuid, Margin)>, Vec<(Uuid, Margin)>, Margin), Overflow> {
    use std::collections::BTreeMap;
    let mut items: BTreeMap<Uuid, (i64, i64)> = BTreeMap::new();
    let mut customers: BTreeMap<Uuid, (i64, i64)> = BTreeMap::new();
    let mut total = (0i64, 0i64);
    for s in sales {
        for (map, key) in [(&mut items, s.item_id), (&mut customers, s.customer_id)] {
            let e = map.entry(key).or_default();
            e.0 = add(e.0, s.revenue, "revenue")?;
            e.1 = add(e.1, s.cogs, "costs of goods sold")?;
        }
        total.0 = add(total.0, s.revenue, "revenue")?;
        total.1 = add(total.1, s.cogs, "costs of goods sold")?;
    }
    let done = |m: BTreeMap<Uuid, (i64, i64)>| {
        m.into_iter()
            .map(|(k, (r, c))| Ok((k, margin(r, c)?)))
            .collect::<Result<Vec<_>, Overflow>>()
    };
    Ok((done(items)?, done(customers)?, margin(total.0, total.1)?))
}

/// `permille` (tenths of a percent) as text with one decimal: 253 → "25.3".
pub fn format_permille(permille: i64) -> String {
    let sign = if permille < 0 { "-" } else { "" };
    let p = permille.unsigned_abs();
    format!("{sign}{}.{}", p / 10, p % 10)
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use proptest::prelude::*;

    use super::*;

    fn mv(quantity: i64, value: i64) -> MoveLine {
        MoveLine {
            id: Uuid::nil(),
            date: date(2026, 1, 1),
            kind: "receipt".into(),
            warehouse_id: Uuid::nil(),
            warehouse_code: "MAIN".into(),
            lot: None,
            stock: Stock { quantity, value },
            source_kind: None,
            source_id: None,
            journal_entry_id: None,
        }
    }

    #[test]
    fn stock_runs_from_the_opening() {
        let opening = Stock {
            quantity: 2000,
            value: 1000,
        };
        let rows = running(opening, vec![mv(3000, 1800), mv(-4000, -2200), mv(0, 50)]).unwrap();
        let after: Vec<(i64, i64)> = rows.iter().map(|(_, s)| (s.quantity, s.value)).collect();
        assert_eq!(after, [(5000, 2800), (1000, 600), (1000, 650)]);
    }

    #[test]
    fn as_of_is_now_less_what_came_after() {
        let now = Stock {
            quantity: 5000,
            value: 900,
        };
        let after = Stock {
            quantity: -1000,
            value: -200,
        };
        assert_eq!(
            now.before(after),
            Ok(Stock {
                quantity: 6000,
                value: 1100
            })
        );
        let huge = Stock {
            quantity: i64::MAX,
            value: 0,
        };
        assert_eq!(huge.before(after), Err(Overflow("quantities")));
    }

    #[test]
    fn the_check_names_the_accounts_that_do_not_tie() {
        let acct = |valuation, ledger| AccountTotals {
            account_id: Uuid::nil(),
            code: "1400".into(),
            name: "Inventory".into(),
            valuation,
            ledger,
        };
        let ok = check(vec![acct(12_345, 12_345), acct(0, 0)]).unwrap();
        assert!(ok.ok);
        let off = check(vec![acct(12_345, 12_345), acct(100, 99)]).unwrap();
        assert!(!off.ok);
        assert_eq!(off.accounts[1].difference, -1);
    }

    #[test]
    fn reorder_suggests_the_reorder_quantity_or_the_shortfall() {
        assert_eq!(suggested_quantity(2000, 5000, Some(12_000)), 12_000);
        assert_eq!(suggested_quantity(2000, 5000, None), 3000);
        assert_eq!(suggested_quantity(-1000, 0, Some(0)), 1000);
        assert_eq!(suggested_quantity(5000, 5000, None), 0);
    }

    #[test]
    fn margins_and_their_share() {
        let m = margin(10_000, 7_470).unwrap();
        assert_eq!((m.margin, m.permille), (2_530, Some(253)));
        assert_eq!(format_permille(253), "25.3");
        assert_eq!(margin(3, 2).unwrap().permille, Some(333));
        assert_eq!(margin(2, 3).unwrap().permille, Some(-500));
        assert_eq!(format_permille(-5), "-0.5");
        assert_eq!(margin(0, 10).unwrap().permille, None);
        assert_eq!(margin(-1000, -600).unwrap().permille, Some(400));
    }

    #[test]
    fn a_share_rounds_half_to_even_and_the_last_takes_the_rest() {
        assert_eq!(share(-1000, -3000, 1000), -333);
        assert_eq!(share(-1000, -3000, 3000), -1000);
        assert_eq!(share(5, 2000, 1000), 2); // 2.5 → 2
        assert_eq!(share(7, 2000, 1000), 4); // 3.5 → 4
        assert_eq!(share(-5, -2000, 1000), -2);
    }

    #[test]
    fn sales_add_up_per_item_and_customer() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let sale = |item, customer, revenue, cogs| Sale {
            item_id: item,
            customer_id: customer,
            revenue,
            cogs,
        };
        let (items, customers, total) =
            margins(&[sale(a, a, 1000, 600), sale(a, b, 500, 300), sale(b, b, 200, 250)]).unwrap();
        assert_eq!(items[0], (a, margin(1500, 900).unwrap()));
        assert_eq!(items[1], (b, margin(200, 250).unwrap()));
        assert_eq!(customers[1], (b, margin(700, 550).unwrap()));
        assert_eq!(total, margin(1700, 1150).unwrap());
    }

    proptest! {
        /// The running stock after the last move is the opening plus every move, whatever the page split.
        #[test]
        fn pages_add_up(moves in proptest::collection::vec((-1_000_000i64..1_000_000, -1_000_000i64..1_000_000), 0..40), split in 0usize..40) {
            let lines: Vec<MoveLine> = moves.iter().map(|&(q, v)| mv(q, v)).collect();
            let whole = running(Stock::default(), lines.clone()).unwrap();
            let split = split.min(lines.len());
            let first = running(Stock::default(), lines[..split].to_vec()).unwrap();
            let opening = first.last().map(|(_, s)| *s).unwrap_or_default();
            let second = running(opening, lines[split..].to_vec()).unwrap();
            let joined: Vec<Stock> = first.iter().chain(second.iter()).map(|(_, s)| *s).collect();
            let all: Vec<Stock> = whole.iter().map(|(_, s)| *s).collect();
            prop_assert_eq!(joined, all);
            let total = moves.iter().fold((0i64, 0i64), |(q, v), &(dq, dv)| (q + dq, v + dv));
            let last = whole.last().map(|(_, s)| (s.quantity, s.value)).unwrap_or((0, 0));
            prop_assert_eq!(last, total);
        }

        /// The margin's share is within half a tenth of a percent of the exact one.
        #[test]
        fn the_share_is_rounded_once(revenue in 1i64..1_000_000_000, cogs in -1_000_000_000i64..2_000_000_000) {
            let m = margin(revenue, cogs).unwrap();
            // |shown − exact| ≤ ½, in integers: |shown·revenue − margin·1000|·2 ≤ revenue.
            let shown = i128::from(m.permille.unwrap());
            let off = (shown * i128::from(revenue) - i128::from(revenue - cogs) * 1000).abs();
            prop_assert!(off * 2 <= i128::from(revenue));
        }
    }
}
