//! Which account a bank line or a document's text belongs to, with the reason in words: the
//! bank's rules first, then what the company did before with the same counterparty, then the
//! contact's usual account, and only when none of these is sure enough, the AI endpoint's pick
//! (when the firm switched it on). One suggestion per account, the surest first.

use uuid::Uuid;

use crate::domain::accounts::Account;

/// The most suggestions given.
pub const MAX_SUGGESTIONS: usize = 5;
/// A rule the bookkeeper wrote assigns the line: as sure as a suggestion gets.
pub const RULE_CONFIDENCE: u32 = 95;
/// The contact named in the line has a default account.
pub const CONTACT_CONFIDENCE: u32 = 60;
/// What the AI picked: a guess from the words, below everything the firm's own records say.
pub const AI_CONFIDENCE: u32 = 40;
/// Below this, the AI endpoint is asked (when the firm allows it).
pub const SURE_ENOUGH: u32 = 60;

/// Where a suggestion comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Rule,
    History,
    Contact,
    Ai,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Rule => "rule",
            Source::History => "history",
            Source::Contact => "contact",
            Source::Ai => "ai",
        }
    }
}

/// One account suggested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub account_id: Uuid,
    pub source: Source,
    pub reason: String,
    /// 0–100.
    pub confidence: u32,
}

/// What the company's records say about a line.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// The rule that assigns the line: its account and name.
    pub rule: Option<(Uuid, String)>,
    /// The counterparty as the bank wrote it, and the accounts its earlier lines were booked to,
    /// with how many times.
    pub counterparty: String,
    pub history: Vec<(Uuid, u32)>,
    /// The contact named in the line: its default account and name.
    pub contact: Option<(Uuid, String)>,
}

/// The suggestions the records give, surest first, one per account.
pub fn from_records(e: &Evidence) -> Vec<Suggestion> {
    let mut found = Vec::new();
    if let Some((account, name)) = &e.rule {
        found.push(Suggestion {
            account_id: *account,
            source: Source::Rule,
            reason: format!("The bank rule \u{201c}{name}\u{201d} assigns it."),
            confidence: RULE_CONFIDENCE,
        });
    }
    let total: u32 = e.history.iter().map(|(_, n)| *n).sum();
    for (account, times) in &e.history {
        if *times == 0 {
            continue;
        }
        // 30, plus 10 a time up to three times, plus up to 20 for the share of the
        // counterparty's earlier lines booked there: once and alone is 60, sure enough; once
        // each on two accounts is 50 apiece, open.
        let share = (u64::from(*times) * 20 / u64::from(total.max(1))) as u32;
        let confidence = (30 + 10 * (*times).min(3) + share).min(90);
        let times_word = if *times == 1 {
            "once".to_string()
        } else {
            format!("{times} times")
        };
        found.push(Suggestion {
            account_id: *account,
            source: Source::History,
            reason: format!(
                "Earlier lines from \u{201c}{}\u{201d} were booked here {times_word}.",
                e.counterparty
            ),
            confidence,
        });
    }
    if let Some((account, name)) = &e.contact {
        found.push(Suggestion {
            account_id: *account,
            source: Source::Contact,
            reason: format!("The usual account of {name}."),
            confidence: CONTACT_CONFIDENCE,
        });
    }
    ranked(found)
}

/// Whether the records leave the line open enough to ask the AI endpoint.
pub fn ask_ai(found: &[Suggestion]) -> bool {
    found.iter().all(|s| s.confidence < SURE_ENOUGH)
}

/// The postable account of `chart` the AI's `code` names, if it names one.
pub fn chart_account<'a>(code: &str, chart: &'a [Account]) -> Option<&'a Account> {
    let code = code.trim();
    chart.iter().find(|a| a.is_active && a.code.eq_ignore_ascii_case(code))
}

/// `found` plus the AI's pick, surest first.
pub fn with_ai(mut found: Vec<Suggestion>, account: Uuid, reason: &str) -> Vec<Suggestion> {
    let reason = if reason.trim().is_empty() {
        "The AI endpoint picked it from the words of the line.".to_string()
    } else {
        format!("AI: {}", reason.trim())
    };
    found.push(Suggestion {
        account_id: account,
        source: Source::Ai,
        reason,
        confidence: AI_CONFIDENCE,
    });
    ranked(found)
}

/// Surest first (ties: in the order found), one per account, at most [`MAX_SUGGESTIONS`].
fn ranked(mut found: Vec<Suggestion>) -> Vec<Suggestion> {
    found.sort_by_key(|s| std::cmp::Reverse(s.confidence));
    let mut seen = std::collections::HashSet::new();
    found.retain(|s| seen.insert(s.account_id));
    found.truncate(MAX_SUGGESTIONS);
    found
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn ids(n: usize) -> Vec<Uuid> {
        (0..n).map(|_| Uuid::now_v7()).collect()
    }

    #[test]
    fn a_rule_comes_before_history_and_the_contact() {
        let a = ids(3);
        let e = Evidence {
            rule: Some((a[0], "Rent".into())),
            counterparty: "LANDLORD GMBH".into(),
            history: vec![(a[1], 3), (a[2], 1)],
            contact: Some((a[1], "Landlord GmbH".into())),
        };
        let s = from_records(&e);
        assert_eq!(
            s.iter().map(|s| s.account_id).collect::<Vec<_>>(),
            vec![a[0], a[1], a[2]]
        );
        assert_eq!(s[0].source, Source::Rule);
        assert_eq!(s[1].confidence, 75);
        assert_eq!(
            s[1].reason,
            "Earlier lines from \u{201c}LANDLORD GMBH\u{201d} were booked here 3 times."
        );
        assert_eq!(s[2].confidence, 45);
        assert!(!ask_ai(&s));
    }

    #[test]
    fn the_ai_is_asked_only_when_the_records_are_unsure() {
        assert!(ask_ai(&[]));
        let a = ids(2);
        let s = from_records(&Evidence {
            counterparty: "X".into(),
            history: vec![(a[0], 1), (a[1], 9)],
            ..Evidence::default()
        });
        // One line in ten is 42, not sure enough alone; but the other account's 78 is.
        assert!(!ask_ai(&s));
        let once = from_records(&Evidence {
            counterparty: "X".into(),
            history: vec![(a[0], 1), (a[1], 1)],
            ..Evidence::default()
        });
        assert!(ask_ai(&once));
        let s = with_ai(once, a[0], "Office supplies");
        assert_eq!(s.len(), 2);
        assert!(s.iter().all(|s| s.source == Source::History));
    }

    proptest! {
        #[test]
        fn suggestions_are_surest_first_and_one_per_account(
            history in prop::collection::vec((0usize..6, 0u32..20), 0..8),
            rule in prop::option::of(0usize..6),
            contact in prop::option::of(0usize..6),
        ) {
            let a = ids(6);
            let e = Evidence {
                rule: rule.map(|i| (a[i], "r".into())),
                counterparty: "c".into(),
                history: history.iter().map(|(i, n)| (a[*i], *n)).collect(),
                contact: contact.map(|i| (a[i], "n".into())),
            };
            let s = from_records(&e);
            prop_assert!(s.len() <= MAX_SUGGESTIONS);
            prop_assert!(s.windows(2).all(|w| w[0].confidence >= w[1].confidence));
            let unique: std::collections::HashSet<_> = s.iter().map(|s| s.account_id).collect();
            prop_assert_eq!(unique.len(), s.len());
            prop_assert!(s.iter().all(|s| s.confidence <= 100));
            if let Some(i) = rule {
                prop_assert_eq!(s[0].account_id, a[i]);
            }
        }
    }
}
