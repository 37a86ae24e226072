//! What a company has taught matching: for each counterparty (its IBAN, else its name), how
//! often a line of it was confirmed for, or rejected from, a contact or an account. Confirmations
//! raise the scores of that contact's candidates for later lines of the same counterparty,
//! rejections lower them, each within a bound, so that one click never outweighs the evidence.
//!
//! Plain rows, so that a store can keep them as they are.

use std::collections::HashMap;

use uuid::Uuid;

use super::BankLine;
use super::text;

/// What a counterparty was linked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetKind {
    /// A GL account (a line booked as an expense or income).
    Account,
    /// A contact (a line matched to one of its documents or payments).
    Contact,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Account => "account",
            Self::Contact => "contact",
        }
    }
}

/// One learned link, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryRow {
    /// `iban:DE89370400440532013000` or `name:bau mueller` (see [`Memory::counterparty_keys`]).
    pub counterparty_key: String,
    pub target_kind: TargetKind,
    pub target_id: Uuid,
    pub confirmed: u32,
    pub rejected: u32,
}

/// A target the memory links to a line's counterparty, for suggesting an account or contact
/// when no document matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnedTarget {
    pub kind: TargetKind,
    pub id: Uuid,
    pub confirmed: u32,
    pub rejected: u32,
}

/// One company's learned links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memory {
    pub rows: Vec<MemoryRow>,
}

impl Memory {
    pub fn new(rows: Vec<MemoryRow>) -> Self {
        Memory { rows }
    }

    /// The keys a line's counterparty is known by: its account when the bank gave one, and its
    /// name (folded, legal forms dropped, words sorted) when it has one.
    pub fn counterparty_keys(line: &BankLine) -> Vec<String> {
        let mut keys = Vec::with_capacity(2);
        if let Some(account) = &line.counterparty_account {
            let key = text::account_key(account);
            if !key.is_empty() {
                keys.push(format!("iban:{key}"));
            }
        }
        let name = text::name_words(&line.counterparty).join(" ");
        if !name.is_empty() {
            keys.push(format!("name:{name}"));
        }
        keys
    }

    /// The user confirmed `line` as belonging to this target.
    pub fn learn_confirmed(&mut self, line: &BankLine, kind: TargetKind, id: Uuid) {
        for row in self.rows_for(line, kind, id) {
            row.confirmed = row.confirmed.saturating_add(1);
        }
    }

    /// The user rejected a suggestion linking `line` to this target.
    pub fn learn_rejected(&mut self, line: &BankLine, kind: TargetKind, id: Uuid) {
        for row in self.rows_for(line, kind, id) {
            row.rejected = row.rejected.saturating_add(1);
        }
    }

    /// The rows of each of the line's keys for the target, added when missing.
    fn rows_for(&mut self, line: &BankLine, kind: TargetKind, id: Uuid) -> impl Iterator<Item = &mut MemoryRow> {
        let keys = Self::counterparty_keys(line);
        for key in &keys {
            let known = self
                .rows
                .iter()
                .any(|r| &r.counterparty_key == key && r.target_kind == kind && r.target_id == id);
            if !known {
                self.rows.push(MemoryRow {
                    counterparty_key: key.clone(),
                    target_kind: kind,
                    target_id: id,
                    confirmed: 0,
                    rejected: 0,
                });
            }
        }
        self.rows
            .iter_mut()
            .filter(move |r| r.target_kind == kind && r.target_id == id && keys.contains(&r.counterparty_key))
    }

    /// The rows by key, for looking up many lines.
    pub(super) fn recall(&self) -> Recall<'_> {
        let mut by_key: HashMap<&str, Vec<&MemoryRow>> = HashMap::new();
        for row in &self.rows {
            by_key.entry(row.counterparty_key.as_str()).or_default().push(row);
        }
        Recall { by_key }
    }
}

/// The memory indexed by counterparty key.
pub(super) struct Recall<'a> {
    by_key: HashMap<&'a str, Vec<&'a MemoryRow>>,
}

impl Recall<'_> {
    /// What is known of the line's counterparty: by its account when the memory knows that
    /// account (the surer key), else by its name. Sorted by kind and id.
    pub fn targets(&self, line: &BankLine) -> Vec<LearnedTarget> {
        let rows = Memory::counterparty_keys(line)
            .iter()
            .find_map(|key| self.by_key.get(key.as_str()))
            .map_or(&[][..], Vec::as_slice);
        let mut targets: Vec<LearnedTarget> = rows
            .iter()
            .map(|r| LearnedTarget {
                kind: r.target_kind,
                id: r.target_id,
                confirmed: r.confirmed,
                rejected: r.rejected,
            })
            .collect();
        targets.sort_by_key(|t| (t.kind, t.id));
        targets
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn line(account: Option<&str>, name: &str) -> BankLine {
        BankLine {
            id: Uuid::from_u128(1),
            date: date(2026, 3, 1),
            amount: -1000,
            currency: "EUR".into(),
            text: String::new(),
            counterparty: name.into(),
            counterparty_account: account.map(str::to_owned),
        }
    }

    #[test]
    fn counterparty_keys_are_account_then_name() {
        let l = line(Some("DE89 3704 0044 0532 0130 00"), "Bau Müller GmbH");
        assert_eq!(
            Memory::counterparty_keys(&l),
            ["iban:DE89370400440532013000", "name:bau mueller"]
        );
        assert!(Memory::counterparty_keys(&line(None, "GmbH")).is_empty());
    }

    #[test]
    fn confirmations_and_rejections_count_per_key_and_target() {
        let mut m = Memory::default();
        let contact = Uuid::from_u128(7);
        let l = line(Some("DE89370400440532013000"), "Bau Müller");
        m.learn_confirmed(&l, TargetKind::Contact, contact);
        m.learn_confirmed(&l, TargetKind::Contact, contact);
        m.learn_rejected(&l, TargetKind::Contact, contact);
        assert_eq!(m.rows.len(), 2, "one row per key");
        assert!(m.rows.iter().all(|r| r.confirmed == 2 && r.rejected == 1));

        // Known by account: the name does not matter.
        let t = m
            .recall()
            .targets(&line(Some("de89 3704 0044 0532 0130 00"), "Someone Else"));
        assert_eq!(
            t,
            [LearnedTarget {
                kind: TargetKind::Contact,
                id: contact,
                confirmed: 2,
                rejected: 1
            }]
        );
        // An unknown account falls back to the name.
        assert_eq!(
            m.recall()
                .targets(&line(Some("FR7630006000011234567890189"), "MUELLER BAU"))
                .len(),
            1
        );
        assert!(m.recall().targets(&line(None, "Nobody")).is_empty());
    }
}
