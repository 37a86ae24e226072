//! A company's bank rules: "a line whose text contains X (or matches a pattern), whose amount
//! is in a range, or that comes from this IBAN, goes to this account, contact and tax rate with
//! this description". For the lines no document explains: fees, rent, subscriptions.
//!
//! A rule is checked once when it is saved ([`Rule::new`]); its pattern is compiled with a
//! size limit, so that no pattern a user types can make matching slow or large.

use regex::{Regex, RegexBuilder};
use uuid::Uuid;

use super::BankLine;
use super::text;

/// The longest pattern accepted, in bytes.
const MAX_PATTERN_LEN: usize = 500;
/// The most memory a compiled pattern may take (regex's own default is 10 MiB).
const PATTERN_SIZE_LIMIT: usize = 256 * 1024;
/// The most memory a pattern's lazy DFA may take while matching.
const PATTERN_DFA_LIMIT: usize = 1024 * 1024;

/// What a rule assigns a line to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleTarget {
    pub account_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub tax_rate_id: Option<Uuid>,
    pub description: Option<String>,
}

/// A rule as the user wrote it and the store keeps it. Every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleSpec {
    pub id: Uuid,
    /// Smaller comes first; rules of equal priority go in the order given.
    pub priority: i32,
    /// Words the line's text or counterparty name contains, ignoring case.
    pub text_contains: Option<String>,
    /// A regular expression the text or counterparty name matches, ignoring case.
    pub text_pattern: Option<String>,
    /// The smallest signed amount in minor units (money out is negative).
    pub amount_min: Option<i64>,
    /// The largest signed amount in minor units.
    pub amount_max: Option<i64>,
    /// The counterparty's IBAN or account number.
    pub counterparty_account: Option<String>,
    pub target: RuleTarget,
}

/// Why a rule cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("A rule needs a condition: a text, a pattern, an amount range or a counterparty account.")]
    NoCondition,
    #[error("A rule needs an account or a contact to assign the line to.")]
    NoTarget,
    #[error("The text to look for may not be blank.")]
    BlankText,
    #[error("The counterparty account may not be blank.")]
    BlankAccount,
    #[error("The pattern is not a valid regular expression: {0}")]
    BadPattern(String),
    #[error("The pattern is too long or too complex; keep it under {MAX_PATTERN_LEN} characters and simpler.")]
    PatternTooLarge,
    #[error("The smallest amount is larger than the largest.")]
    AmountRangeReversed,
}

impl RuleError {
    /// The API field the error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            Self::NoCondition | Self::NoTarget => "non_field_errors",
            Self::BlankText => "text_contains",
            Self::BlankAccount => "counterparty_account",
            Self::BadPattern(_) | Self::PatternTooLarge => "text_pattern",
            Self::AmountRangeReversed => "amount_min",
        }
    }
}

/// A checked rule, ready to apply.
#[derive(Debug, Clone)]
pub struct Rule {
    pub spec: RuleSpec,
    contains: Option<String>,
    pattern: Option<Regex>,
    account: Option<String>,
}

impl Rule {
    /// Checks a rule and compiles its pattern.
    pub fn new(spec: RuleSpec) -> Result<Rule, RuleError> {
        let contains = match spec.text_contains.as_deref().map(str::trim) {
            Some("") => return Err(RuleError::BlankText),
            other => other.map(str::to_lowercase),
        };
        let account = match spec.counterparty_account.as_deref().map(text::account_key) {
            Some(key) if key.is_empty() => return Err(RuleError::BlankAccount),
            other => other,
        };
        let pattern = match spec.text_pattern.as_deref() {
            None => None,
            Some(p) if p.len() > MAX_PATTERN_LEN => return Err(RuleError::PatternTooLarge),
            Some(p) if p.trim().is_empty() => return Err(RuleError::BadPattern("it is blank".into())),
            Some(p) => Some(
                RegexBuilder::new(p)
                    .case_insensitive(true)
                    .size_limit(PATTERN_SIZE_LIMIT)
                    .dfa_size_limit(PATTERN_DFA_LIMIT)
                    .build()
                    .map_err(|e| match e {
                        regex::Error::CompiledTooBig(_) => RuleError::PatternTooLarge,
                        other => RuleError::BadPattern(other.to_string()),
                    })?,
            ),
        };
        if let (Some(min), Some(max)) = (spec.amount_min, spec.amount_max)
            && min > max
        {
            return Err(RuleError::AmountRangeReversed);
        }
        let has_condition = contains.is_some()
            || pattern.is_some()
            || account.is_some()
            || spec.amount_min.is_some()
            || spec.amount_max.is_some();
        if !has_condition {
            return Err(RuleError::NoCondition);
        }
        if spec.target.account_id.is_none() && spec.target.contact_id.is_none() {
            return Err(RuleError::NoTarget);
        }
        Ok(Rule {
            spec,
            contains,
            pattern,
            account,
        })
    }

    /// Whether every condition of the rule holds for the line. `lower` is the line's text and
    /// counterparty in lower case, computed once per line.
    fn applies(&self, line: &BankLine, lower: &str) -> bool {
        self.contains.as_deref().is_none_or(|c| lower.contains(c))
            && self
                .pattern
                .as_ref()
                .is_none_or(|p| p.is_match(&line.text) || p.is_match(&line.counterparty))
            && self.spec.amount_min.is_none_or(|min| line.amount >= min)
            && self.spec.amount_max.is_none_or(|max| line.amount <= max)
            && self.account.as_deref().is_none_or(|a| {
                line.counterparty_account
                    .as_deref()
                    .is_some_and(|l| text::account_key(l) == a)
            })
    }
}

/// The rule that assigns the line: of those whose conditions all hold, the one of smallest
/// priority, then the first in the order given.
pub fn apply_rules<'a>(rules: &'a [Rule], line: &BankLine) -> Option<&'a Rule> {
    let lower = format!("{}\n{}", line.text, line.counterparty).to_lowercase();
    rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.applies(line, &lower))
        .min_by_key(|(i, r)| (r.spec.priority, *i))
        .map(|(_, r)| r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn line(text: &str, amount: i64, account: Option<&str>) -> BankLine {
        BankLine {
            id: Uuid::from_u128(1),
            date: date(2026, 3, 1),
            amount,
            currency: "EUR".into(),
            text: text.into(),
            counterparty: "Stadtwerke Nord".into(),
            counterparty_account: account.map(str::to_owned),
        }
    }

    fn spec(id: u128) -> RuleSpec {
        RuleSpec {
            id: Uuid::from_u128(id),
            target: RuleTarget {
                account_id: Some(Uuid::from_u128(99)),
                ..RuleTarget::default()
            },
            ..RuleSpec::default()
        }
    }

    #[test]
    fn every_condition_must_hold() {
        let rule = Rule::new(RuleSpec {
            text_contains: Some("Account FEE".into()),
            amount_min: Some(-2000),
            amount_max: Some(0),
            ..spec(1)
        })
        .unwrap();
        let rules = [rule];
        assert!(apply_rules(&rules, &line("Monthly account fee", -990, None)).is_some());
        assert!(
            apply_rules(&rules, &line("Monthly account fee", -2990, None)).is_none(),
            "below the range"
        );
        assert!(
            apply_rules(&rules, &line("Monthly account fee", 990, None)).is_none(),
            "money in"
        );
        assert!(apply_rules(&rules, &line("Card payment", -990, None)).is_none());
    }

    #[test]
    fn patterns_and_accounts_match_ignoring_case_and_blanks() {
        let by_pattern = Rule::new(RuleSpec {
            text_pattern: Some(r"^rent \d{4}-\d{2}$".into()),
            ..spec(1)
        })
        .unwrap();
        let by_account = Rule::new(RuleSpec {
            counterparty_account: Some("de89 3704 0044 0532 0130 00".into()),
            ..spec(2)
        })
        .unwrap();
        let rules = [by_pattern, by_account];
        assert_eq!(
            apply_rules(&rules, &line("RENT 2026-03", -90000, None)).map(|r| r.spec.id),
            Some(Uuid::from_u128(1))
        );
        assert_eq!(
            apply_rules(&rules, &line("x", -1, Some("DE89370400440532013000"))).map(|r| r.spec.id),
            Some(Uuid::from_u128(2))
        );
        assert!(apply_rules(&rules, &line("rent March", -90000, None)).is_none());
    }

    #[test]
    fn priority_first_then_order() {
        let a = Rule::new(RuleSpec {
            text_contains: Some("fee".into()),
            priority: 5,
            ..spec(1)
        })
        .unwrap();
        let b = Rule::new(RuleSpec {
            text_contains: Some("fee".into()),
            priority: 1,
            ..spec(2)
        })
        .unwrap();
        let c = Rule::new(RuleSpec {
            text_contains: Some("fee".into()),
            priority: 1,
            ..spec(3)
        })
        .unwrap();
        let rules = [a, b, c];
        assert_eq!(
            apply_rules(&rules, &line("fee", -1, None)).map(|r| r.spec.id),
            Some(Uuid::from_u128(2))
        );
    }

    #[test]
    fn bad_rules_are_refused_with_their_field() {
        let bad = |s: RuleSpec| Rule::new(s).err();
        let e = bad(RuleSpec {
            text_pattern: Some("(unclosed".into()),
            ..spec(1)
        })
        .unwrap();
        assert!(matches!(e, RuleError::BadPattern(_)), "{e:?}");
        assert_eq!(e.field(), "text_pattern");
        assert_eq!(
            bad(RuleSpec {
                text_pattern: Some(r"\w{1000}{1000}".into()),
                ..spec(1)
            }),
            Some(RuleError::PatternTooLarge)
        );
        assert_eq!(
            bad(RuleSpec {
                text_pattern: Some("a".repeat(501)),
                ..spec(1)
            }),
            Some(RuleError::PatternTooLarge)
        );
        assert_eq!(bad(spec(1)), Some(RuleError::NoCondition));
        assert_eq!(
            bad(RuleSpec {
                text_contains: Some("  ".into()),
                ..spec(1)
            }),
            Some(RuleError::BlankText)
        );
        assert_eq!(
            bad(RuleSpec {
                counterparty_account: Some(" - ".into()),
                ..spec(1)
            }),
            Some(RuleError::BlankAccount)
        );
        assert_eq!(
            bad(RuleSpec {
                amount_min: Some(10),
                amount_max: Some(-10),
                ..spec(1)
            }),
            Some(RuleError::AmountRangeReversed)
        );
        assert_eq!(
            bad(RuleSpec {
                text_contains: Some("x".into()),
                target: RuleTarget::default(),
                ..spec(1)
            }),
            Some(RuleError::NoTarget)
        );
    }
}
