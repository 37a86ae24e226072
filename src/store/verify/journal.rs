//! The journal's own bookkeeping: numbers 1..=N, counters level with the data, every posted
//! entry in the chain once, the copies of date and number on lines, reversals paired.

use std::collections::HashMap;

use uuid::Uuid;

use super::walk::Chain;
use super::{END, EntryRef, Verifier};
use crate::domain::ledger::EntryStatus;
use crate::params;
use crate::store::{StoreError, Tx, Value};

/// Entries missing from their chain link that are searched for elsewhere in the chain.
const LOOKUPS: usize = 100;

impl Verifier<'_> {
    /// Posted entries are numbered exactly 1..=N. Returns N (the number of posted entries).
    pub(super) fn check_numbers(&mut self, tx: &mut Tx, tail: i64) -> Result<i64, StoreError> {
        let r = tx.query_one(
            "SELECT COUNT(*), COUNT(number) FROM journal_entries WHERE company_id = $1 AND status = 'posted'",
            params![self.company],
        )?;
        let (count, numbered) = (r.int(0)?, r.int(1)?);
        if numbered < count {
            for r in tx.query(
                "SELECT id, chain_seq FROM journal_entries WHERE company_id = $1 AND status = 'posted' AND number IS NULL",
                params![self.company],
            )? {
                let seq = r.opt_int(1)?;
                self.push(Some(EntryRef { id: r.opt_uuid(0)?, number: None }), seq, seq.unwrap_or(tail), "posted without a number");
            }
        }
        let gaps = tx.query(
            "SELECT number, prev, id, chain_seq FROM (\
               SELECT number, id, chain_seq, COALESCE(LAG(number) OVER (ORDER BY number), 0) AS prev \
               FROM journal_entries WHERE company_id = $1 AND status = 'posted' AND number IS NOT NULL\
             ) g WHERE number <> prev + 1 ORDER BY number LIMIT 100",
            params![self.company],
        )?;
        for r in gaps {
            let (number, prev, seq) = (r.int(0)?, r.int(1)?, r.opt_int(3)?);
            let position = seq.unwrap_or(tail);
            if number > prev + 1 {
                let missing = if number == prev + 2 {
                    format!("missing: the numbers jump from {prev} to {number}")
                } else {
                    format!(
                        "missing, through #{}: the numbers jump from {prev} to {number}",
                        number - 1
                    )
                };
                self.push(
                    Some(EntryRef {
                        id: None,
                        number: Some(prev + 1),
                    }),
                    None,
                    position,
                    missing,
                );
            } else {
                let named = EntryRef {
                    id: r.opt_uuid(2)?,
                    number: Some(number),
                };
                self.push(
                    Some(named),
                    seq,
                    position,
                    format!("number {number} follows {prev}: numbers must rise by one"),
                );
            }
        }
        Ok(count)
    }

    /// The counters agree with what exists: `journal` = the highest number, `chain` = the last
    /// link. A counter ahead of the data means entries or links were removed from the end.
    pub(super) fn check_counters(&mut self, tx: &mut Tx, chain: &Chain, tail: i64) -> Result<(), StoreError> {
        let counters: HashMap<String, i64> = tx
            .query(
                "SELECT name, value FROM counters WHERE company_id = $1",
                params![self.company],
            )?
            .iter()
            .map(|r| Ok((r.text(0)?, r.int(1)?)))
            .collect::<Result<_, StoreError>>()?;
        let max_number = tx
            .query_one(
                "SELECT COALESCE(MAX(number), 0) FROM journal_entries WHERE company_id = $1 AND status = 'posted'",
                params![self.company],
            )?
            .int(0)?;
        let journal = counters.get("journal").copied().unwrap_or(0);
        if journal > max_number {
            let named = EntryRef {
                id: None,
                number: Some(max_number + 1),
            };
            let through = if journal == max_number + 1 {
                String::new()
            } else {
                format!(", through #{journal}")
            };
            self.push(
                Some(named),
                None,
                tail,
                format!("missing{through}: the journal counter is at {journal}, the last entry is #{max_number}"),
            );
        } else if journal < max_number {
            self.push(
                None,
                None,
                tail,
                format!("the journal counter is at {journal}, behind the last entry #{max_number}"),
            );
        }
        let links = counters.get("chain").copied().unwrap_or(0);
        if links > chain.last_seq {
            let range = if links == chain.last_seq + 1 {
                format!("link {links} is")
            } else {
                format!("links {}..={links} are", chain.last_seq + 1)
            };
            self.push(
                None,
                Some(chain.last_seq + 1),
                tail,
                format!(
                    "{range} missing: the chain counter is at {links}, the chain ends at {}: it was truncated",
                    chain.last_seq
                ),
            );
        } else if links < chain.last_seq {
            self.push(
                None,
                None,
                tail,
                format!(
                    "the chain counter is at {links}, behind the last link {}",
                    chain.last_seq
                ),
            );
        }
        Ok(())
    }

    /// Every posted entry is in the chain (a post or reverse link naming it, exactly once).
    pub(super) fn check_unchained(&mut self, tx: &mut Tx) -> Result<(), StoreError> {
        // Joined on the entry's own `chain_seq` (the chain's primary key), not searched by object:
        // the entries found are then looked up one by one, a bounded number of them.
        let suspects = tx.query(
            "SELECT e.id, e.number, e.chain_seq, e.date FROM journal_entries e \
             LEFT JOIN ledger_chain c ON c.company_id = e.company_id AND c.seq = e.chain_seq AND c.object_id = e.id \
             WHERE e.company_id = $1 AND e.status = 'posted' AND c.seq IS NULL ORDER BY e.number",
            params![self.company],
        )?;
        for (i, r) in suspects.iter().enumerate() {
            let (id, seq) = (r.text(0)?, r.opt_int(2)?);
            let named = EntryRef {
                id: Uuid::parse_str(&id).ok(),
                number: r.opt_int(1)?,
            };
            let message = if i >= LOOKUPS {
                format!("posted (dated {}), but its chain link does not name it", r.text(3)?)
            } else if tx
                .query_opt(
                    "SELECT seq FROM ledger_chain WHERE company_id = $1 AND object_id = $2 AND kind IN ('post', 'reverse') \
                     ORDER BY seq LIMIT 1",
                    // Bound as an id (a BLOB in a SQLite firm file): bound as text it would
                    // never match there. Text only when the stored id is not one.
                    params![self.company, named.id.map_or_else(|| Value::from(&id), Value::from)],
                )?
                .is_some()
            {
                // In the chain at another link: the walk reported its wrong `chain_seq` there.
                continue;
            } else {
                format!(
                    "posted (dated {}), but not in the hash chain: it was put in the database outside OASYS",
                    r.text(3)?
                )
            };
            self.push(Some(named), None, seq.unwrap_or(END - 1), message);
        }
        for r in tx.query(
            "SELECT object_id, MIN(seq), MAX(seq) FROM ledger_chain WHERE company_id = $1 AND kind IN ('post', 'reverse') \
             GROUP BY object_id HAVING COUNT(*) > 1",
            params![self.company],
        )? {
            let (first, last) = (r.int(1)?, r.int(2)?);
            let id = Uuid::parse_str(&r.text(0)?).ok();
            self.push(
                Some(EntryRef { id, number: None }),
                Some(last),
                last,
                format!("in the chain more than once (links {first} and {last})"),
            );
        }
        Ok(())
    }

    /// The entry's date and number copied onto its lines at posting (`posted_date`,
    /// `posted_number`, which the general ledger reads without the entry) are the entry's, and
    /// lines of entries that are not posted carry none.
    pub(super) fn check_line_copies(&mut self, tx: &mut Tx) -> Result<(), StoreError> {
        for r in tx.query(
            "SELECT e.id, e.number, e.chain_seq, e.status, COUNT(*) FROM journal_lines l \
             JOIN journal_entries e ON e.id = l.entry_id WHERE e.company_id = $1 AND CASE WHEN e.status = 'posted' \
             THEN l.posted_date IS NULL OR l.posted_number IS NULL OR l.posted_date <> e.date OR l.posted_number <> e.number \
             ELSE l.posted_date IS NOT NULL OR l.posted_number IS NOT NULL END \
             GROUP BY e.id, e.number, e.chain_seq, e.status ORDER BY e.number",
            params![self.company],
        )? {
            let seq = r.opt_int(2)?;
            let message = if r.text(3)? == EntryStatus::Posted.as_str() {
                format!("{} line(s) carry a posting date or number that is not the entry's", r.int(4)?)
            } else {
                format!("{} line(s) of this {} entry carry a posting date or number", r.int(4)?, r.text(3)?)
            };
            self.push(
                Some(EntryRef {
                    id: r.opt_uuid(0)?,
                    number: r.opt_int(1)?,
                }),
                seq,
                seq.unwrap_or(END - 1),
                message,
            );
        }
        Ok(())
    }

    /// A reversal and the entry it reverses point at each other.
    pub(super) fn check_reversals(&mut self, tx: &mut Tx) -> Result<(), StoreError> {
        for r in tx.query(
            "SELECT e.id, e.number, e.chain_seq, e.reverses_id FROM journal_entries e \
             LEFT JOIN journal_entries o ON o.id = e.reverses_id AND o.company_id = e.company_id \
             WHERE e.company_id = $1 AND e.status = 'posted' AND e.reverses_id IS NOT NULL \
             AND (o.id IS NULL OR o.status <> 'posted' OR o.reversed_by_id IS NULL OR o.reversed_by_id <> e.id)",
            params![self.company],
        )? {
            let seq = r.opt_int(2)?;
            self.push(
                Some(EntryRef {
                    id: r.opt_uuid(0)?,
                    number: r.opt_int(1)?,
                }),
                seq,
                seq.unwrap_or(END - 1),
                format!(
                    "reverses entry {}, which is missing, not posted, or not marked as reversed by it",
                    r.text(3)?
                ),
            );
        }
        for r in tx.query(
            "SELECT o.id, o.number, o.chain_seq, o.reversed_by_id FROM journal_entries o \
             LEFT JOIN journal_entries e ON e.id = o.reversed_by_id AND e.company_id = o.company_id \
             WHERE o.company_id = $1 AND o.reversed_by_id IS NOT NULL \
             AND (e.id IS NULL OR e.status <> 'posted' OR e.reverses_id IS NULL OR e.reverses_id <> o.id)",
            params![self.company],
        )? {
            let seq = r.opt_int(2)?;
            self.push(
                Some(EntryRef {
                    id: r.opt_uuid(0)?,
                    number: r.opt_int(1)?,
                }),
                seq,
                seq.unwrap_or(END - 1),
                format!(
                    "marked as reversed by {}, which is missing, not posted, or does not reverse it",
                    r.text(3)?
                ),
            );
        }
        Ok(())
    }
}
