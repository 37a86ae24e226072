//! Each entry a link of the chain names: posted, at that link, of the link's kind, balanced on
//! this company's accounts, hashing to the link, and dated after the lock in force.

use uuid::Uuid;

use super::walk::{StoredLink, Walk};
use super::{EntryRef, Verifier, short};
use crate::domain::ledger::chain::{self, Kind};
use crate::domain::ledger::{EntryStatus, JournalEntry};

impl Verifier<'_> {
    pub(super) fn check_entry_link(
        &mut self,
        link: &StoredLink,
        kind: Kind,
        object: Uuid,
        entry: Option<(&JournalEntry, Option<String>)>,
        walk: &Walk,
    ) {
        let seq = link.seq;
        let Some((e, recomputed)) = entry else {
            let named = EntryRef {
                id: Some(object),
                number: None,
            };
            self.push(
                Some(named),
                Some(seq),
                seq,
                format!(
                    "the chain records its {}, but the entry is gone from this company's journal",
                    kind.as_str()
                ),
            );
            return;
        };
        let named = EntryRef::of(e);
        let problem = |v: &mut Self, message: String| v.push(Some(named.clone()), Some(seq), seq, message);
        if e.status != EntryStatus::Posted {
            problem(
                self,
                format!("the chain records its posting, but its status is {}", e.status.as_str()),
            );
        }
        if e.chain_seq != Some(seq) {
            problem(
                self,
                format!(
                    "the entry says it is chain link {}",
                    e.chain_seq.map_or_else(|| "none".to_owned(), |s| s.to_string())
                ),
            );
        }
        let expected = if e.reverses_id.is_some() {
            Kind::Reverse
        } else {
            Kind::Post
        };
        if kind != expected {
            problem(
                self,
                format!(
                    "the link is a {}, but the entry is a {}",
                    kind.as_str(),
                    expected.as_str()
                ),
            );
        }
        for message in self.entry_problems(e) {
            problem(self, message);
        }
        // Recomputed ahead, on two threads (`walk::recompute_hashes`), from the same link and entry.
        let hash = recomputed.unwrap_or_else(|| {
            chain::link_hash(
                self.company,
                seq,
                kind,
                object,
                &link.prev_hash,
                &chain::entry_payload(e),
            )
        });
        if hash != link.hash {
            problem(
                self,
                format!(
                    "the stored entry no longer matches its chain link (hash recomputed {}, recorded {}): \
                     it was altered after posting",
                    short(&hash),
                    short(&link.hash)
                ),
            );
        }
        if let Some(closed) = walk.closed_through
            && e.date <= closed
        {
            problem(
                self,
                format!(
                    "dated {}, but posted while the books were closed through {closed}",
                    e.date
                ),
            );
        }
    }

    /// The rules every posted entry obeys: at least two lines, each a debit or a credit (not
    /// both, never negative) on an account of this company, debits = credits = total.
    fn entry_problems(&self, e: &JournalEntry) -> Vec<String> {
        let mut out = Vec::new();
        if e.lines.len() < 2 {
            out.push(format!("has {} line(s); an entry needs at least two", e.lines.len()));
        }
        let (mut debits, mut credits) = (0i128, 0i128);
        for l in &e.lines {
            if l.debit < 0 || l.credit < 0 {
                out.push(format!("line {}: negative amount", l.line_no));
            } else if (l.debit == 0) == (l.credit == 0) {
                out.push(format!("line {}: has both a debit and a credit, or neither", l.line_no));
            }
            if !self.accounts.contains_key(&l.account_id) {
                out.push(format!(
                    "line {}: account {} is not an account of this company",
                    l.line_no, l.account_id
                ));
            }
            debits += i128::from(l.debit);
            credits += i128::from(l.credit);
        }
        if debits != credits {
            out.push(format!(
                "lines do not balance: debits {}, credits {}",
                self.amount(debits),
                self.amount(credits)
            ));
        }
        if debits != i128::from(e.total) {
            out.push(format!(
                "total {} is not the sum of its debits {}",
                self.amount(e.total.into()),
                self.amount(debits)
            ));
        }
        out
    }
}
