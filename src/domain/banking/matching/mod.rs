//! Matching bank statement lines to what they settle: open invoices and bills, unreconciled
//! payments and journal lines. Every suggestion carries a score that explains itself ("amount
//! equal, INV-2026-0042 in the text, 2 days apart"), rules assign lines no document explains,
//! and a per-company memory of confirmations and rejections raises or lowers later scores.
//!
//! Pure: lines and candidates in, suggestions out. The candidates are indexed once
//! ([`CandidateIndex`]: by amount and date, by number, by contact name and by IBAN), so scoring
//! N lines against M candidates looks at a handful of candidates per line, never at all M.
//! Amounts are integer minor units of the line's currency, signed as the bank shows them.
//!
//! **The part-payment rule.** A line pays part of a candidate when both have the same sign and
//! the line is smaller than what is open; an invoice paid in two lines is two part payments of
//! it. Such a candidate is only looked at when something else points to it: its number in the
//! text, the contact's account or name, or the memory (an amount range alone would bring every
//! larger document of that sign).

mod index;
mod memory;
mod rules;
mod score;
mod suggest;
#[cfg(test)]
mod tests;
pub mod text;

use jiff::civil::Date;
use uuid::Uuid;

pub use index::{CandidateIndex, POSTING_WINDOW_DAYS};
pub use memory::{LearnedTarget, Memory, MemoryRow, TargetKind};
pub use rules::{Rule, RuleError, RuleSpec, RuleTarget, apply_rules};
pub use score::{Reason, explain};
pub use suggest::{
    AUTO_MATCH_MARGIN, AUTO_MATCH_THRESHOLD, LineSuggestion, TOP_K, auto_match, auto_match_with, suggest,
};

/// One movement on a bank statement, as matching needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankLine {
    pub id: Uuid,
    /// The booking date.
    pub date: Date,
    /// Minor units, signed: positive is money in, negative money out.
    pub amount: i64,
    /// ISO 4217 code of the amount.
    pub currency: String,
    /// The description or remittance information, where payers write invoice numbers.
    pub text: String,
    /// The other party's name as the bank printed it (may be empty).
    pub counterparty: String,
    /// The other party's IBAN or account number, when the bank gave it.
    pub counterparty_account: Option<String>,
}

/// What a candidate is in the books.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CandidateKind {
    /// An open invoice (or credit note): money expected in.
    Invoice,
    /// An open bill (or vendor credit): money expected out.
    Bill,
    /// A payment recorded in the books and not yet reconciled with the bank.
    Payment,
    /// A journal line on the bank's GL account not yet reconciled.
    JournalLine,
}

impl CandidateKind {
    /// The name the API uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invoice => "invoice",
            Self::Bill => "bill",
            Self::Payment => "payment",
            Self::JournalLine => "journal_line",
        }
    }
}

/// Something a bank line may settle, with the amount as it would appear on the bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub kind: CandidateKind,
    pub id: Uuid,
    /// When the money is expected to move: a document's due date, a payment's or a journal
    /// line's date. Date distance is measured from here.
    pub date: Date,
    /// The whole amount in minor units, signed as the bank would show it: an invoice is
    /// positive (money in), a bill negative.
    pub amount: i64,
    /// What is still open, signed like `amount` (equal to it for payments and journal lines).
    pub open_amount: i64,
    pub currency: String,
    /// The number as the books write it (`INV-2026-0042`); empty when there is none.
    pub number: String,
    /// The other party's reference, when there is one: a bill's vendor invoice number, a
    /// payment's reference.
    pub reference: Option<String>,
    pub contact_id: Option<Uuid>,
    /// The contact's name (empty when there is no contact).
    pub contact_name: String,
    /// The contact's IBANs or account numbers.
    pub contact_accounts: Vec<String>,
}

/// One suggestion for a bank line: a candidate, its score and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub candidate_id: Uuid,
    pub kind: CandidateKind,
    /// 0–100; higher is surer. Integer, so the same input always ranks the same way.
    pub score: u32,
    /// What raised or lowered the score, in a fixed order.
    pub reasons: Vec<Reason>,
    /// The sum of points before clamping to 0–100, so that two candidates both at 100 still
    /// rank by their evidence.
    rank: i32,
}

impl Match {
    /// The reasons in words: "amount equal, INV-2026-0042 in the text, 2 days apart".
    pub fn explain(&self) -> String {
        explain(&self.reasons)
    }
}
