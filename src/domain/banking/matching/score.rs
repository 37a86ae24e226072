//! The score of one candidate for one bank line: whole points for each piece of evidence, each
//! recorded as a [`Reason`] the user reads ("amount equal, INV-2026-0042 in the text, 2 days
//! apart"). Integer arithmetic in a fixed order, so the same line and candidate always score the
//! same.

use std::fmt;

use super::{BankLine, Candidate, Match};
use crate::domain::money;

/// Why a candidate scored what it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The line's amount equals what is open.
    AmountEqual,
    /// The line pays part of what is open (a part payment, or one of several lines).
    AmountPartial { paid: i64, open: i64, decimals: u32 },
    /// The line's amount is more than what is open, or of the other sign.
    AmountDiffers { paid: i64, open: i64, decimals: u32 },
    /// The candidate's number (or reference) is written in the line's text, as written.
    ReferenceInText(String),
    /// The text holds the number cut off or with one character wrong.
    ReferenceNearlyInText(String),
    /// The line's counterparty account is one of the contact's.
    ContactAccount,
    /// The line's counterparty name is like the contact's (similarity in percent).
    ContactName { name: String, similarity: u32 },
    /// Days between the line's date and the candidate's (due) date.
    DaysApart(u32),
    /// The line and the candidate are in different currencies.
    CurrencyDiffers { line: String, candidate: String },
    /// This counterparty was matched to this contact before, `times` times.
    LearnedCounterparty { times: u32 },
    /// A match of this counterparty to this contact was rejected before, `times` times.
    LearnedRejection { times: u32 },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AmountEqual => f.write_str("amount equal"),
            Self::AmountPartial { paid, open, decimals } => write!(
                f,
                "part payment of {} ({} open)",
                money::format(paid.abs(), *decimals),
                money::format(open.abs(), *decimals)
            ),
            Self::AmountDiffers { paid, open, decimals } => write!(
                f,
                "amount differs ({} against {} open)",
                money::format(*paid, *decimals),
                money::format(*open, *decimals)
            ),
            Self::ReferenceInText(number) => write!(f, "{number} in the text"),
            Self::ReferenceNearlyInText(number) => write!(f, "{number} nearly in the text"),
            Self::ContactAccount => f.write_str("the contact's bank account"),
            Self::ContactName { name, similarity: 100 } => write!(f, "name {name}"),
            Self::ContactName { name, similarity } => write!(f, "name like {name} ({similarity} %)"),
            Self::DaysApart(0) => f.write_str("same day"),
            Self::DaysApart(1) => f.write_str("1 day apart"),
            Self::DaysApart(n) => write!(f, "{n} days apart"),
            Self::CurrencyDiffers { line, candidate } => write!(f, "currency differs ({line}, not {candidate})"),
            Self::LearnedCounterparty { times: 1 } => f.write_str("matched to this contact once before"),
            Self::LearnedCounterparty { times } => write!(f, "matched to this contact {times} times before"),
            Self::LearnedRejection { times: 1 } => f.write_str("rejected for this contact once before"),
            Self::LearnedRejection { times } => write!(f, "rejected for this contact {times} times before"),
        }
    }
}

/// The reasons in words, joined by commas.
pub fn explain(reasons: &[Reason]) -> String {
    reasons.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// How surely the text names a candidate's number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum RefQuality {
    /// Cut off or one character wrong.
    Nearly,
    Exact,
}

/// Which of a candidate's numbers the text named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum RefField {
    Number,
    Reference,
}

/// What the index found for one candidate of one line; the amount, date and currency are read
/// from the line and the candidate themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Evidence {
    pub reference: Option<(RefQuality, RefField)>,
    /// The counterparty account is the contact's.
    pub account: bool,
    /// Name similarity in percent (0 when not compared or too different).
    pub name: u32,
}

impl Evidence {
    pub fn note_reference(&mut self, quality: RefQuality, field: RefField) {
        if self.reference.is_none_or(|(q, _)| quality > q) {
            self.reference = Some((quality, field));
        }
    }
}

/// Points of each piece of evidence. Amount, reference, contact and date add up to 100 at most;
/// the memory moves a score by at most `LEARNED_MAX` either way, and the sum is clamped to 0–100
/// (ranking uses the sum before clamping). A reference or an equal amount alone is far from the
/// auto-match threshold; both together, or either with the contact and a near date, reach it.
pub(super) mod points {
    pub const AMOUNT_EQUAL: i32 = 35;
    pub const AMOUNT_PARTIAL: i32 = 10;
    pub const REFERENCE: i32 = 35;
    pub const REFERENCE_NEARLY: i32 = 22;
    pub const ACCOUNT: i32 = 15;
    /// The most a name adds (at 100 % similarity).
    pub const NAME_MAX: i32 = 12;
    /// Account and name together add at most this.
    pub const CONTACT_MAX: i32 = 20;
    pub const CURRENCY_DIFFERS: i32 = -30;
    pub const LEARNED_EACH: i32 = 4;
    pub const LEARNED_MAX: i32 = 16;
    pub const REJECTED_EACH: i32 = 8;
    pub const REJECTED_MAX: i32 = 24;
}

/// Reasons, written only when asked for.
struct Reasons {
    explain: bool,
    list: Vec<Reason>,
}

impl Reasons {
    fn push(&mut self, reason: impl FnOnce() -> Reason) {
        if self.explain {
            self.list.push(reason());
        }
    }
}

/// Name similarity below this adds nothing and is not shown.
pub(super) const NAME_MIN_SIMILARITY: u32 = 50;

/// Points for the distance in days between the line and the candidate's date.
fn date_points(days: u32) -> i32 {
    match days {
        0 => 10,
        1..=3 => 8,
        4..=7 => 6,
        8..=14 => 4,
        15..=30 => 2,
        31..=90 => 0,
        _ => -5,
    }
}

/// The candidate's score for the line, with its reasons when `explain` (ranking many
/// candidates needs only the points; the few shown need the words). `learned` is the memory's
/// (confirmed, rejected) counts for this counterparty and the candidate's contact.
pub(super) fn score(
    line: &BankLine,
    candidate: &Candidate,
    evidence: &Evidence,
    learned: (u32, u32),
    explain: bool,
) -> Match {
    let mut reasons = Reasons {
        explain,
        list: Vec::new(),
    };
    let mut total: i32 = 0;
    let decimals = money::decimals(&line.currency);

    if line.currency == candidate.currency {
        let (paid, open) = (line.amount, candidate.open_amount);
        if paid == open {
            total += points::AMOUNT_EQUAL;
            reasons.push(|| Reason::AmountEqual);
        } else if paid.signum() == open.signum() && paid.unsigned_abs() < open.unsigned_abs() {
            total += points::AMOUNT_PARTIAL;
            reasons.push(|| Reason::AmountPartial { paid, open, decimals });
        } else {
            reasons.push(|| Reason::AmountDiffers { paid, open, decimals });
        }
    }

    if let Some((quality, field)) = evidence.reference {
        let written = match field {
            RefField::Number => candidate.number.clone(),
            RefField::Reference => candidate.reference.clone().unwrap_or_default(),
        };
        match quality {
            RefQuality::Exact => {
                total += points::REFERENCE;
                reasons.push(|| Reason::ReferenceInText(written));
            }
            RefQuality::Nearly => {
                total += points::REFERENCE_NEARLY;
                reasons.push(|| Reason::ReferenceNearlyInText(written));
            }
        }
    }

    let mut contact = 0;
    if evidence.account {
        contact += points::ACCOUNT;
        reasons.push(|| Reason::ContactAccount);
    }
    if evidence.name >= NAME_MIN_SIMILARITY {
        // Linear from nothing at the minimum similarity to the most at 100 %.
        let above = i32::try_from(evidence.name.min(100) - NAME_MIN_SIMILARITY).unwrap_or(0);
        let span = i32::try_from(100 - NAME_MIN_SIMILARITY).unwrap_or(1);
        let name_points = above * points::NAME_MAX / span;
        contact += name_points.clamp(0, points::NAME_MAX);
        reasons.push(|| Reason::ContactName {
            name: candidate.contact_name.clone(),
            similarity: evidence.name,
        });
    }
    total += contact.min(points::CONTACT_MAX);

    let days = line
        .date
        .until(candidate.date)
        .map_or(u32::MAX, |span| span.get_days().unsigned_abs());
    total += date_points(days);
    reasons.push(|| Reason::DaysApart(days));

    if line.currency != candidate.currency {
        total += points::CURRENCY_DIFFERS;
        reasons.push(|| Reason::CurrencyDiffers {
            line: line.currency.clone(),
            candidate: candidate.currency.clone(),
        });
    }

    let (confirmed, rejected) = learned;
    if confirmed > 0 {
        let p = i32::try_from(confirmed)
            .unwrap_or(i32::MAX)
            .saturating_mul(points::LEARNED_EACH);
        total += p.min(points::LEARNED_MAX);
        reasons.push(|| Reason::LearnedCounterparty { times: confirmed });
    }
    if rejected > 0 {
        let p = i32::try_from(rejected)
            .unwrap_or(i32::MAX)
            .saturating_mul(points::REJECTED_EACH);
        total -= p.min(points::REJECTED_MAX);
        reasons.push(|| Reason::LearnedRejection { times: rejected });
    }

    Match {
        candidate_id: candidate.id,
        kind: candidate.kind,
        score: u32::try_from(total.clamp(0, 100)).unwrap_or(0),
        reasons: reasons.list,
        rank: total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_accounting_words() {
        let reasons = [
            Reason::AmountEqual,
            Reason::ReferenceInText("INV-2026-0042".into()),
            Reason::DaysApart(2),
        ];
        assert_eq!(
            explain(&reasons),
            "amount equal, INV-2026-0042 in the text, 2 days apart"
        );
        let partial = Reason::AmountPartial {
            paid: -6000,
            open: -10000,
            decimals: 2,
        };
        assert_eq!(partial.to_string(), "part payment of 60.00 (100.00 open)");
        assert_eq!(Reason::DaysApart(0).to_string(), "same day");
        assert_eq!(
            Reason::ContactName {
                name: "Müller Bau GmbH".into(),
                similarity: 82
            }
            .to_string(),
            "name like Müller Bau GmbH (82 %)"
        );
        assert_eq!(
            Reason::LearnedCounterparty { times: 3 }.to_string(),
            "matched to this contact 3 times before"
        );
        assert_eq!(
            Reason::CurrencyDiffers {
                line: "EUR".into(),
                candidate: "USD".into()
            }
            .to_string(),
            "currency differs (EUR, not USD)"
        );
        assert_eq!(explain(&[]), "");
    }

    #[test]
    fn date_points_fall_with_distance() {
        let days = [0, 1, 3, 4, 7, 8, 14, 15, 30, 31, 90, 91, u32::MAX];
        for pair in days.windows(2) {
            assert!(date_points(pair[0]) >= date_points(pair[1]), "{pair:?}");
        }
        assert!(date_points(0) > date_points(u32::MAX));
    }
}
