//! The audit trail and the period settings against the ledger: every posting recorded and every
//! recorded posting there; the lock dates the ones the last period close set.

use uuid::Uuid;

use super::walk::{Chain, LastClose};
use super::{END, EntryRef, Verifier, show_date};
use crate::domain::ledger::LedgerStore;
use crate::params;
use crate::store::{StoreError, Tx};

impl Verifier<'_> {
    /// The audit trail, written in the posting transaction, and the journal agree: every entry
    /// recorded as posted is there and posted, and every posted entry's posting is recorded.
    pub(super) fn check_audit_trail(&mut self, tx: &mut Tx, tail: i64) -> Result<(), StoreError> {
        for r in tx.query(
            "SELECT DISTINCT a.object_id FROM audit_log a \
             WHERE a.company_id = $1 AND a.object_type = 'journal_entry' AND a.action = 'post' AND NOT EXISTS \
             (SELECT 1 FROM journal_entries e WHERE e.id = a.object_id AND e.company_id = $1 AND e.status = 'posted') \
             ORDER BY a.object_id",
            params![self.company],
        )? {
            let id = r.opt_text(0)?.and_then(|s| Uuid::parse_str(&s).ok());
            self.push(
                Some(EntryRef { id, number: None }),
                None,
                tail,
                "the audit trail records its posting, but it is no longer a posted entry of this company",
            );
        }
        for r in tx.query(
            "SELECT e.id, e.number, e.chain_seq FROM journal_entries e \
             WHERE e.company_id = $1 AND e.status = 'posted' AND NOT EXISTS \
             (SELECT 1 FROM audit_log a WHERE a.company_id = e.company_id AND a.object_id = e.id \
             AND a.object_type = 'journal_entry' AND a.action = 'post') AND NOT EXISTS \
             (SELECT 1 FROM audit_log r WHERE r.company_id = e.company_id AND r.last_number >= e.number \
             AND r.first_number <= e.number AND r.object_type = 'journal_entry' AND r.action = 'post') \
             ORDER BY e.number",
            params![self.company],
        )? {
            let seq = r.opt_int(2)?;
            self.push(
                Some(EntryRef {
                    id: r.opt_uuid(0)?,
                    number: r.opt_int(1)?,
                }),
                None,
                seq.unwrap_or(END - 1),
                "posted, but the audit trail has no record of its posting",
            );
        }
        // A bulk posting's one record: every number of its range is a posted entry of this company.
        for r in tx.query(
            "SELECT a.first_number, a.last_number, (SELECT COUNT(*) FROM journal_entries e \
             WHERE e.company_id = $1 AND e.status = 'posted' AND e.number BETWEEN a.first_number AND a.last_number) \
             FROM audit_log a WHERE a.company_id = $1 AND a.last_number IS NOT NULL ORDER BY a.first_number",
            params![self.company],
        )? {
            let (first, last, found) = (r.int(0)?, r.int(1)?, r.int(2)?);
            let expected = last.saturating_sub(first).saturating_add(1);
            if found != expected {
                self.push(
                    None,
                    None,
                    tail,
                    format!(
                        "the audit trail records a bulk posting of entries {first}-{last}, \
                         but {found} of those {expected} numbers are posted entries"
                    ),
                );
            }
        }
        Ok(())
    }

    /// The lock dates in the company settings are the ones the last period close set. When the
    /// last close could not be recomputed, the settings are taken as the lock in force after it.
    pub(super) fn check_settings(&mut self, tx: &mut Tx, chain: &Chain) -> Result<(), StoreError> {
        let settings = LedgerStore::settings(tx, self.company)?;
        match chain.last_close {
            None => {
                if settings.lock_date.is_some() || settings.hard_lock_date.is_some() {
                    self.push(
                        None,
                        None,
                        END,
                        format!(
                            "the company settings lock the books (lock date {}, hard close {}), but no period close is in the chain",
                            show_date(settings.lock_date),
                            show_date(settings.hard_lock_date)
                        ),
                    );
                }
            }
            Some(LastClose::Verified {
                lock_date,
                hard_lock_date,
            }) => {
                if (lock_date, hard_lock_date) != (settings.lock_date, settings.hard_lock_date) {
                    self.push(
                        None,
                        None,
                        END,
                        format!(
                            "the company settings say lock date {}, hard close {}; the last period close in the chain set {}, {}",
                            show_date(settings.lock_date),
                            show_date(settings.hard_lock_date),
                            show_date(lock_date),
                            show_date(hard_lock_date)
                        ),
                    );
                }
            }
            Some(LastClose::Unverified { seq }) => {
                let Some(closed) = settings.closed_through() else {
                    return Ok(());
                };
                for r in tx.query(
                    "SELECT e.id, e.number, e.chain_seq, e.date FROM journal_entries e \
                     WHERE e.company_id = $1 AND e.status = 'posted' AND e.chain_seq > $2 AND e.date <= $3 ORDER BY e.chain_seq",
                    params![self.company, seq, closed.to_string()],
                )? {
                    let at = r.opt_int(2)?;
                    self.push(
                        Some(EntryRef { id: r.opt_uuid(0)?, number: r.opt_int(1)? }),
                        at,
                        at.unwrap_or(END - 1),
                        format!("dated {}, but posted after the books were closed through {closed}", r.text(3)?),
                    );
                }
            }
        }
        Ok(())
    }
}
