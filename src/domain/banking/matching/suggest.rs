//! Suggestions for a statement: for each line, its best candidates with their reasons, the rule
//! that assigns it, what the memory links its counterparty to, and whether its best candidate is
//! sure enough to be matched without review.

use uuid::Uuid;

use super::index::CandidateIndex;
use super::memory::{LearnedTarget, Memory, TargetKind};
use super::rules::{Rule, apply_rules};
use super::score::score;
use super::{BankLine, Match};

/// Candidates kept per line.
pub const TOP_K: usize = 5;

/// A line is matched without review when its best score is at least this…
///
/// Chosen from `cargo bench --bench matching` (10,000 open items, 10,000 labelled bank lines
/// with noise, seed 2026): PLACEHOLDER.
pub const AUTO_MATCH_THRESHOLD: u32 = 80;

/// …and beats the second best by at least this, so that two invoices of the same amount and
/// customer never get one picked for them.
pub const AUTO_MATCH_MARGIN: u32 = 10;

/// What matching proposes for one bank line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineSuggestion {
    pub line_id: Uuid,
    /// The best candidates, best first (ties by candidate id), at most [`TOP_K`].
    pub matches: Vec<Match>,
    /// The best match's candidate when it is sure enough to match without review.
    pub auto_match: Option<Uuid>,
    /// The rule that assigns the line, by its id.
    pub rule: Option<Uuid>,
    /// The accounts and contacts the memory links the line's counterparty to, most confirmed
    /// first.
    pub learned: Vec<LearnedTarget>,
}

/// The best match when it reaches `threshold` and beats the second by `margin`.
pub fn auto_match_with(matches: &[Match], threshold: u32, margin: u32) -> Option<&Match> {
    let best = matches.first()?;
    let second = matches.get(1).map_or(0, |m| m.score);
    (best.score >= threshold && best.score >= second.saturating_add(margin)).then_some(best)
}

/// The best match when it may be matched without review ([`AUTO_MATCH_THRESHOLD`],
/// [`AUTO_MATCH_MARGIN`]).
pub fn auto_match(matches: &[Match]) -> Option<&Match> {
    auto_match_with(matches, AUTO_MATCH_THRESHOLD, AUTO_MATCH_MARGIN)
}

/// Suggestions for each line, in the lines' order. The same input always gives the same output.
pub fn suggest(lines: &[BankLine], index: &CandidateIndex, rules: &[Rule], memory: &Memory) -> Vec<LineSuggestion> {
    let recall = memory.recall();
    lines
        .iter()
        .map(|line| {
            let mut learned = recall.targets(line);
            let learned_contacts: Vec<u32> = learned
                .iter()
                .filter(|t| t.kind == TargetKind::Contact && t.confirmed > t.rejected)
                .filter_map(|t| index.contact_index(t.id))
                .collect();
            let mut matches: Vec<Match> = index
                .gather(line, &learned_contacts)
                .into_iter()
                .filter_map(|(i, evidence)| {
                    let candidate = index.candidate(i)?;
                    let counts = candidate
                        .contact_id
                        .and_then(|c| learned.iter().find(|t| t.kind == TargetKind::Contact && t.id == c))
                        .map_or((0, 0), |t| (t.confirmed, t.rejected));
                    Some(score(line, candidate, &evidence, counts))
                })
                .collect();
            matches.sort_by(|a, b| {
                (b.score, b.rank)
                    .cmp(&(a.score, a.rank))
                    .then((a.candidate_id, a.kind).cmp(&(b.candidate_id, b.kind)))
            });
            matches.truncate(TOP_K);
            learned.sort_by(|a, b| {
                b.confirmed
                    .cmp(&a.confirmed)
                    .then(a.kind.cmp(&b.kind))
                    .then(a.id.cmp(&b.id))
            });
            LineSuggestion {
                line_id: line.id,
                auto_match: auto_match(&matches).map(|m| m.candidate_id),
                matches,
                rule: apply_rules(rules, line).map(|r| r.spec.id),
                learned,
            }
        })
        .collect()
}
