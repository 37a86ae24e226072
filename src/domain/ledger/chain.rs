//! The hash chain: every posting, reversal, period close and tax lock of a company becomes a link whose
//! SHA-256 covers a canonical encoding of the event and the previous link's hash. Signed
//! checkpoints (HMAC-SHA256 with a key kept outside the tenant database) pin the chain head, so
//! rewriting the database and recomputing every hash is still caught.
//!
//! The encoding is documented in `docs/ledger-chain.md`, with test vectors that
//! `tests/chain_vectors.rs` checks.

use std::fmt::Write;

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use jiff::civil::Date;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{ChainLink, JournalEntry};

/// The `prev` of the first link.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A checkpoint is signed every this many links (and at every period close).
pub const CHECKPOINT_EVERY: i64 = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Post,
    Reverse,
    Close,
    /// A filed tax return moved the tax lock (the link names the return).
    TaxLock,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Post => "post",
            Kind::Reverse => "reverse",
            Kind::Close => "close",
            Kind::TaxLock => "tax_lock",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        [Kind::Post, Kind::Reverse, Kind::Close, Kind::TaxLock]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Timestamps as the chain (and storage) write them: UTC, exactly six fractional digits.
pub fn timestamp(t: Timestamp) -> String {
    format!("{t:.6}")
}

/// Now, truncated to the microsecond: what storage keeps, so hashes recompute exactly.
pub fn now() -> Timestamp {
    Timestamp::from_microsecond(Timestamp::now().as_microsecond()).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn text(s: &str) -> String {
    format!("{}:{s}", s.len())
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

/// The canonical encoding of a posted entry: every field fixed at posting and every line.
/// `reversed_by_id` and `updated_at` are left out: they change when the entry is later
/// reversed, and the reversal is itself a link of the chain.
pub fn entry_payload(e: &JournalEntry) -> String {
    let mut s = String::with_capacity(256 + 96 * e.lines.len());
    let _ = writeln!(s, "entry.id={}", e.id);
    let _ = writeln!(s, "entry.number={}", opt(e.number));
    let _ = writeln!(s, "entry.date={}", e.date);
    let _ = writeln!(s, "entry.reference={}", text(&e.reference));
    let _ = writeln!(s, "entry.description={}", text(&e.description));
    let _ = writeln!(s, "entry.status={}", e.status.as_str());
    let _ = writeln!(s, "entry.total={}", e.total);
    let _ = writeln!(s, "entry.created_by={}", e.created_by);
    let _ = writeln!(s, "entry.created_at={}", timestamp(e.created_at));
    let _ = writeln!(s, "entry.approved_by={}", opt(e.approved_by));
    let _ = writeln!(s, "entry.posted_by={}", opt(e.posted_by));
    let _ = writeln!(s, "entry.posted_at={}", opt(e.posted_at.map(timestamp)));
    let _ = writeln!(s, "entry.reverses={}", opt(e.reverses_id));
    let _ = writeln!(s, "entry.lines={}", e.lines.len());
    for l in &e.lines {
        let _ = writeln!(
            s,
            "line={}|{}|{}|{}|{}|{}|{}|{}",
            l.line_no,
            l.account_id,
            l.debit,
            l.credit,
            opt(l.currency.as_deref()),
            opt(l.amount_currency),
            opt(l.exchange_rate.as_deref()),
            text(&l.description)
        );
    }
    s
}

/// The canonical encoding of a tax lock: tax postings locked through `through` by the filed
/// return `filed`, filed by `by`.
pub fn tax_lock_payload(through: Date, filed: Uuid, by: Uuid) -> String {
    format!("tax_lock.through={through}\ntax_lock.return={filed}\ntax_lock.by={by}\n")
}

/// The canonical encoding of a period close.
pub fn close_payload(lock_date: Option<Date>, hard_lock_date: Option<Date>, by: Uuid) -> String {
    format!(
        "close.lock_date={}\nclose.hard_lock_date={}\nclose.by={by}\n",
        opt(lock_date),
        opt(hard_lock_date)
    )
}

/// The hash of a link: SHA-256 over the header lines and the payload, lower-case hex.
pub fn link_hash(company: Uuid, seq: i64, kind: Kind, object_id: Uuid, prev_hash: &str, payload: &str) -> String {
    let mut h = Sha256::new();
    h.update(format!(
        "oasys-chain-v1\nseq={seq}\nkind={}\ncompany={company}\nobject={object_id}\nprev={prev_hash}\n",
        kind.as_str()
    ));
    h.update(payload.as_bytes());
    hex(&h.finalize())
}

/// The signature of a checkpoint: HMAC-SHA256 over `company|seq|hash`.
pub fn sign(key: &[u8], link: &ChainLink) -> String {
    signature(key, link.company_id, link.seq, &link.hash)
}

/// The signature of the checkpoint of `company` at link `seq` with hash `hash`: what [`sign`]
/// computes, from the stored values alone (re-signing imported checkpoints with this
/// installation's key).
pub fn signature(key: &[u8], company: Uuid, seq: i64, hash: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(format!("{company}|{seq}|{hash}").as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// The public name of a checkpoint key: the first 8 bytes, in hex, of HMAC-SHA256(key,
/// "oasys-checkpoint-key-id"). Stored with each checkpoint and in the platform database, so a
/// checkpoint signed by another key is told apart from a rewritten one; it reveals nothing of
/// the key.
pub fn key_id(key: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(b"oasys-checkpoint-key-id");
    hex(&mac.finalize().into_bytes()[..8])
}

/// Constant-time check of a checkpoint signature.
pub fn signature_valid(key: &[u8], company: Uuid, seq: i64, hash: &str, signature: &str) -> bool {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return false;
    };
    mac.update(format!("{company}|{seq}|{hash}").as_bytes());
    let Some(bytes) = unhex(signature) else { return false };
    mac.verify_slice(&bytes).is_ok()
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}
