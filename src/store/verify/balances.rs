//! The maintained per-day balances against the posted lines they sum.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::{END, Verifier};
use crate::params;
use crate::store::ledger::parse_date;
use crate::store::{StoreError, Tx};

/// Mismatched balances for which the entries of that day are looked up and named.
const NAMED_BALANCES: usize = 20;

impl Verifier<'_> {
    /// The maintained per-day totals (`account_balances`) equal the posted lines summed by
    /// account and entry date.
    pub(super) fn check_balances(&mut self, tx: &mut Tx) -> Result<(), StoreError> {
        let mut sums: BTreeMap<(Uuid, String), (i64, i64)> = BTreeMap::new();
        for r in tx.query(
            "SELECT l.account_id, e.date, CAST(SUM(l.debit) AS BIGINT), CAST(SUM(l.credit) AS BIGINT) \
             FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id \
             WHERE e.company_id = $1 AND e.status = 'posted' GROUP BY l.account_id, e.date",
            params![self.company],
        )? {
            sums.insert((r.uuid(0)?, r.text(1)?), (r.int(2)?, r.int(3)?));
        }
        let mut kept: BTreeMap<(Uuid, String), (i64, i64)> = BTreeMap::new();
        for r in tx.query(
            "SELECT b.account_id, b.date, b.debit, b.credit FROM account_balances b \
             JOIN accounts a ON a.id = b.account_id WHERE a.company_id = $1",
            params![self.company],
        )? {
            kept.insert((r.uuid(0)?, r.text(1)?), (r.int(2)?, r.int(3)?));
        }
        let keys: std::collections::BTreeSet<&(Uuid, String)> = sums.keys().chain(kept.keys()).collect();
        let mut named = 0;
        for key in keys {
            let want = sums.get(key).copied().unwrap_or_default();
            let have = kept.get(key).copied().unwrap_or_default();
            if want == have {
                continue;
            }
            let (account, day) = key;
            let mut message = format!(
                "the balance of account {} on {day} is kept as debits {} / credits {}, but its posted lines sum to {} / {}",
                self.account(*account),
                self.amount(have.0.into()),
                self.amount(have.1.into()),
                self.amount(want.0.into()),
                self.amount(want.1.into()),
            );
            if named < NAMED_BALANCES {
                named += 1;
                let entries: Vec<String> = tx
                    .query(
                        "SELECT DISTINCT e.number FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id \
                         WHERE e.company_id = $1 AND e.status = 'posted' AND e.date = $2 AND l.account_id = $3 ORDER BY e.number",
                        params![self.company, day, *account],
                    )?
                    .iter()
                    .map(|r| Ok(r.opt_int(0)?.map_or_else(|| "?".to_owned(), |n| format!("#{n}"))))
                    .collect::<Result<_, StoreError>>()?;
                if !entries.is_empty() {
                    message.push_str(&format!(" (entries that day: {})", entries.join(", ")));
                }
            }
            if parse_date(day).is_err() {
                message.push_str(" (and the date is not a date)");
            }
            self.push(None, None, END, message);
        }
        Ok(())
    }
}
