//! The signed checkpoints: each signature verifies with the key, each signed hash is its link's,
//! the chain reaches the last one, and none is missing.

use std::collections::HashSet;

use uuid::Uuid;

use super::report::UNKNOWN_KEY;
use super::walk::Chain;
use super::{Verifier, short};
use crate::domain::ledger::chain;
use crate::params;
use crate::store::{StoreError, Tx};

/// A signed checkpoint, as stored.
pub(super) struct Checkpoint {
    pub(super) seq: i64,
    hash: String,
    signature: String,
    /// The key that signed it, by [`chain::key_id`]; `None` before key ids were recorded.
    key_id: Option<String>,
}

/// The company's checkpoints, in chain order.
pub(super) fn checkpoints(tx: &mut Tx, company: Uuid) -> Result<Vec<Checkpoint>, StoreError> {
    tx.query(
        "SELECT seq, hash, signature, key_id FROM chain_checkpoints WHERE company_id = $1 ORDER BY seq",
        params![company],
    )?
    .iter()
    .map(|r| {
        Ok(Checkpoint {
            seq: r.int(0)?,
            hash: r.text(1)?,
            signature: r.text(2)?,
            key_id: r.opt_text(3)?,
        })
    })
    .collect()
}

impl Verifier<'_> {
    /// Each checkpoint's signature verifies and its hash is the link's; the chain reaches the
    /// last checkpoint; a checkpoint exists every `CHECKPOINT_EVERY` links and at every close.
    pub(super) fn check_checkpoints(&mut self, checkpoints: &[Checkpoint], chain: &Chain) {
        let mut last_good = 0;
        let signed: HashSet<i64> = checkpoints.iter().map(|c| c.seq).collect();
        let ours = chain::key_id(self.key);
        for cp in checkpoints {
            // No entry is named: any link up to here may be the one rewritten.
            let link = chain.at_checkpoints.get(&cp.seq);
            if !chain::signature_valid(self.key, self.company, cp.seq, &cp.hash, &cp.signature) {
                let (from, to) = (last_good + 1, cp.seq);
                let message = match cp.key_id.as_deref() {
                    Some(theirs) if theirs != ours => format!(
                        "the checkpoint's signature does not verify with this key: it was {UNKNOWN_KEY} \
                         ({theirs}; the key given is {ours}), so it cannot be checked here, which alone is no \
                         sign of tampering. Verify with the key that signed it (servers sharing one database \
                         must share checkpoint_key); if no key of this installation ever had id {theirs}, \
                         links {from}..={to} were rewritten"
                    ),
                    Some(_) => format!(
                        "the checkpoint's signature does not verify: links {from}..={to} were rewritten \
                         (this is the key that signed it)"
                    ),
                    None => format!(
                        "the checkpoint's signature does not verify: links {from}..={to} were rewritten, \
                         or this is not the checkpoint key that signed it"
                    ),
                };
                self.push(None, Some(cp.seq), cp.seq, message);
            } else {
                last_good = cp.seq;
            }
            match link {
                None if cp.seq > chain.last_seq => self.push(
                    None,
                    Some(cp.seq),
                    chain.last_seq.saturating_add(1),
                    format!(
                        "a checkpoint was signed at this link, but the chain ends at link {}: the chain was truncated",
                        chain.last_seq
                    ),
                ),
                None => self.push(
                    None,
                    Some(cp.seq),
                    cp.seq,
                    "a checkpoint was signed at this link, which is missing",
                ),
                Some(hash) if *hash != cp.hash => self.push(
                    None,
                    Some(cp.seq),
                    cp.seq,
                    format!(
                        "the link's hash {} is not the one signed at the checkpoint ({})",
                        short(hash),
                        short(&cp.hash)
                    ),
                ),
                Some(_) => {}
            }
        }
        let every = chain::CHECKPOINT_EVERY.max(1);
        let mut seq = every;
        while seq <= chain.last_seq {
            if !signed.contains(&seq) {
                self.push(
                    None,
                    Some(seq),
                    seq,
                    format!("no checkpoint was signed here (one is every {every} links): it was removed"),
                );
            }
            seq += every;
        }
        for &seq in &chain.closes {
            if !signed.contains(&seq) {
                self.push(
                    None,
                    Some(seq),
                    seq,
                    "no checkpoint was signed at this period close: it was removed",
                );
            }
        }
    }
}
