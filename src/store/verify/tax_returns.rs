//! Filed tax returns against the ledger: a return's settlement entry exists in the company and
//! is posted and not reversed, and the company's tax lock is where the latest return put it.

use super::{END, Verifier, show_date};
use crate::domain::ledger::{EntryStatus, LedgerStore};
use crate::store::{StoreError, Tx, tax_returns};

impl Verifier<'_> {
    pub(super) fn check_tax_returns(&mut self, tx: &mut Tx) -> Result<(), StoreError> {
        let filed = tax_returns::list(tx, self.company)?;
        for r in &filed {
            let Some(id) = r.settlement_entry_id else { continue };
            let period = format!("{} – {}", r.from, r.to);
            match LedgerStore::entry(tx, self.company, id)? {
                None => self.push(
                    None,
                    None,
                    END,
                    format!("the tax return of {period} names settlement entry {id}, which is not in the books"),
                ),
                Some(e) if e.status != EntryStatus::Posted => self.push(
                    None,
                    None,
                    END,
                    format!("the settlement entry of the tax return of {period} is not posted"),
                ),
                Some(e) if e.reversed_by_id.is_some() => self.push(
                    None,
                    None,
                    END,
                    format!("the settlement entry of the tax return of {period} was reversed"),
                ),
                Some(_) => {}
            }
        }
        let latest = filed.iter().map(|r| r.to).max();
        let lock = LedgerStore::settings(tx, self.company)?.tax_lock.map(|l| l.through);
        if latest != lock {
            self.push(
                None,
                None,
                END,
                format!(
                    "the company settings lock tax postings through {}, but the latest filed tax return ends {}",
                    show_date(lock),
                    show_date(latest)
                ),
            );
        }
        Ok(())
    }
}
