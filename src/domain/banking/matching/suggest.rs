//! Suggestions for a statement: for each line, its best candidates with their reasons, the rule
//! that assigns it, what the memory links its counterparty to, and whether its best candidate is
//! sure enough to be matched without review.

use uuid::Uuid;

use super::index::{CandidateIndex, Scratch};
use super::memory::{LearnedTarget, Memory, TargetKind};
use super::rules::{Rule, apply_rules};
use super::score::score;
use super::{BankLine, Match};

/// Candidates kept per line.
pub const TOP_K: usize = 5;

/// A line is matched without review when its best score is at least this…
///
/// Chosen from `cargo bench --bench matching` (10,000 open items, 10,000 bank lines, about 8,000
/// of them labelled with the item they pay; numbers cut off, mistyped or missing, invoices paid
/// in two lines or in part, dates moved, names respelled, and lines that share an open item's
/// amount but pay nothing). At margin 10, seed 2026, auto-match precision and recall were:
///
/// | threshold | precision | recall |
/// |---:|---:|---:|
/// | 40 | 92.88 % | 93.0 % |
/// | 45 | 99.19 % | 92.3 % |
/// | **50** | **99.99 %** (7,282 of 7,283) | **91.2 %** |
/// | 55 | 99.99 % | 88.2 % |
/// | 60 | 99.98 % | 78.7 % |
///
/// With seeds 7, 99 and 12345, 45 gave 99.17–99.22 % and 50 gave 99.93–100 %. 45 is an equal
/// amount on the due date and nothing else, which a payment of the same amount from someone
/// else also has: it clears 99 % only as far as the generated set's decoys allow. 50 is the
/// lowest threshold at ≥ 99.9 % on every seed, the tenfold headroom real statements, noisier
/// than any generator, need; it asks for an equal amount with one more piece of evidence (the
/// contact's account or name, a number nearly in the text), or a number in the text with the
/// amount or part of it.
pub const AUTO_MATCH_THRESHOLD: u32 = 50;

/// …and beats the second best by at least this, so that two invoices of the same amount and
/// customer never get one picked for them (margins 5 and 15 gave 99.96 % and 99.99 % at 50,
/// with recall 92.0 % and 88.7 %).
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
    let mut scratch = Scratch::new(index);
    lines
        .iter()
        .map(|line| {
            let mut learned = recall.targets(line);
            let learned_contacts: Vec<u32> = learned
                .iter()
                .filter(|t| t.kind == TargetKind::Contact && t.confirmed > t.rejected)
                .filter_map(|t| index.contact_index(t.id))
                .collect();
            index.gather(line, &learned_contacts, &mut scratch);
            // Rank on points alone, then explain the few kept.
            let mut ranked: Vec<(Match, usize, (u32, u32))> = scratch
                .found
                .iter()
                .enumerate()
                .filter_map(|(at, (i, evidence))| {
                    let candidate = index.candidate(*i)?;
                    let counts = candidate
                        .contact_id
                        .and_then(|c| learned.iter().find(|t| t.kind == TargetKind::Contact && t.id == c))
                        .map_or((0, 0), |t| (t.confirmed, t.rejected));
                    Some((score(line, candidate, evidence, counts, false), at, counts))
                })
                .collect();
            ranked.sort_by(|(a, ..), (b, ..)| {
                (b.score, b.rank)
                    .cmp(&(a.score, a.rank))
                    .then((a.candidate_id, a.kind).cmp(&(b.candidate_id, b.kind)))
            });
            ranked.truncate(TOP_K);
            let matches: Vec<Match> = ranked
                .into_iter()
                .filter_map(|(_, at, counts)| {
                    let (i, evidence) = scratch.found.get(at)?;
                    Some(score(line, index.candidate(*i)?, evidence, counts, true))
                })
                .collect();
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
