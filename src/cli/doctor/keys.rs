//! The checkpoint key against the ledgers: the key this configuration holds must be the one
//! this installation signs with (the id a server recorded in the platform database), and the
//! newest checkpoint of every ledger must verify with it. A checkpoint that names another key
//! is reported as exactly that, not as tampering.

use std::collections::BTreeMap;

use super::Report;
use crate::config::Config;
use crate::domain::ledger::chain;
use crate::store::inspect::Inspection;

/// Firms named per finding; the rest are counted.
const NAMED: usize = 3;

pub(super) fn check(report: &mut Report, config: &Config, found: &Inspection) {
    let check = "checkpoint key";
    // Read only: the doctor never makes a key (a new one would not check the old checkpoints).
    let key = match &config.checkpoint_key {
        Some(k) => Some(k.as_bytes().to_vec()),
        None => std::fs::read_to_string(config.data_dir().join("checkpoint_key"))
            .ok()
            .map(|k| k.trim().as_bytes().to_vec()),
    };
    let Some(key) = key else { return };
    let ours = chain::key_id(&key);
    let share = "servers sharing one database must share checkpoint_key: set it (or OASYS_CHECKPOINT_KEY) to the key of the \
                 server that signed them, or copy that server's <data_dir>/checkpoint_key here";
    if let Some(recorded) = &found.checkpoint_key_id
        && *recorded != ours
    {
        report.fail(
            check,
            format!(
                "this installation signs its checkpoints with key {recorded}, but this configuration holds key {ours}: a server started with it refuses to start"
            ),
            share,
        );
    }
    let mut foreign: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut unverified = Vec::new();
    let mut checked = 0;
    for t in &found.tenants {
        let firm = format!("{} ({})", t.name, t.id);
        for cp in &t.latest_checkpoints {
            checked += 1;
            if chain::signature_valid(&key, cp.company_id, cp.seq, &cp.hash, &cp.signature) {
                continue;
            }
            match cp.key_id.as_deref() {
                Some(theirs) if theirs != ours => foreign.entry(theirs).or_default().push(firm.clone()),
                _ => unverified.push(format!("{firm}, company {} at link {}", cp.company_id, cp.seq)),
            }
        }
    }
    for (theirs, firms) in &foreign {
        report.fail(
            check,
            format!(
                "checkpoints signed by key {theirs}, which this configuration does not hold (it holds {ours}), in {}: \
                 not a sign of tampering, but they cannot be checked here",
                named(firms)
            ),
            share,
        );
    }
    if !unverified.is_empty() {
        report.fail(
            check,
            format!(
                "the newest checkpoint does not verify with key {ours} in {}: signed by another key before checkpoints \
                 named their key, or rewritten",
                named(&unverified)
            ),
            "run `oasys verify` with the key the other servers use; if it still fails, the ledger was changed: restore it from a backup",
        );
    }
    if checked > 0 && foreign.is_empty() && unverified.is_empty() {
        report.ok(
            check,
            format!("key {ours}: the newest checkpoint of {checked} ledger(s) verifies"),
        );
    }
}

fn named(items: &[String]) -> String {
    let shown: Vec<&str> = items.iter().take(NAMED).map(String::as_str).collect();
    match items.len().saturating_sub(NAMED) {
        0 => shown.join("; "),
        more => format!("{} and {more} more", shown.join("; ")),
    }
}
