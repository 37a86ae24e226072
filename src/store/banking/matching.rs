//! What matching reads and learns in the tenant database: the candidates of one bank account
//! (open invoices and bills of the company, its unreconciled payments and posted entries on the
//! bank's GL account not yet matched to a line), its rules, the company's memory and the
//! candidates rejected per line; then `matching::suggest` over a page of lines.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use jiff::ToSpan;
use jiff::civil::Date;
use uuid::Uuid;

use super::lines::LINE_COLUMNS;
use super::{line_from_row, rules};
use crate::domain::banking::accounts::BankAccount;
use crate::domain::banking::error::BankingError;
use crate::domain::banking::matching::{
    self, BankLine, Candidate, CandidateIndex, CandidateKind, Match, Memory, MemoryRow, Rule, TargetKind,
};
use crate::domain::banking::rules::BankRule;
use crate::domain::banking::statements::{self, StatementImport, StoredLine};
use crate::domain::books::Ctx;
use crate::params;
use crate::store::ledger::parse_date;
use crate::store::platform::ts;
use crate::store::{Row, StoreError, Tx};

/// Payments and entries further than this from a page's lines are not candidates for them.
pub const WINDOW_DAYS: i64 = matching::POSTING_WINDOW_DAYS as i64;

/// A line with what matching proposes for it.
pub struct Suggested {
    pub line: StoredLine,
    /// Best first, each with its candidate; rejected ones left out.
    pub matches: Vec<(Match, Candidate)>,
    pub rule: Option<BankRule>,
    /// The best match may be matched without review.
    pub auto: bool,
}

/// A line as the engine reads it.
pub fn bank_line(l: &StoredLine) -> BankLine {
    BankLine {
        id: l.id,
        date: l.date,
        amount: l.amount,
        currency: l.currency.clone(),
        text: [l.text.as_str(), l.reference.as_str()]
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        counterparty: l.counterparty.clone(),
        counterparty_account: (!l.counterparty_account.is_empty()).then(|| l.counterparty_account.clone()),
    }
}

/// The kind as the API and the lines' `matched_kind` name it.
pub fn kind_name(kind: CandidateKind) -> &'static str {
    match kind {
        CandidateKind::JournalLine => "journal_entry",
        other => other.as_str(),
    }
}

pub fn kind_of(name: &str) -> Option<CandidateKind> {
    match name {
        "invoice" => Some(CandidateKind::Invoice),
        "bill" => Some(CandidateKind::Bill),
        "payment" => Some(CandidateKind::Payment),
        "journal_entry" => Some(CandidateKind::JournalLine),
        _ => None,
    }
}

/// Open invoices (money in) and bills (money out) of the company, with what is still open.
pub fn open_documents(tx: &mut Tx, company: Uuid, only: Option<Uuid>) -> Result<Vec<Candidate>, StoreError> {
    let sql = "SELECT d.id, d.kind, COALESCE(d.number, ''), d.reference, d.due_date, d.total, d.amount_paid, \
               d.currency, d.contact_id, c.name FROM documents d JOIN contacts c ON c.id = d.contact_id \
               WHERE d.company_id = $1 AND d.kind IN ('invoice', 'bill') \
               AND d.status IN ('issued', 'partially_paid') AND d.total > d.amount_paid";
    let rows = match only {
        Some(id) => tx.query(&format!("{sql} AND d.id = $2"), params![company, id])?,
        None => tx.query(sql, params![company])?,
    };
    rows.iter()
        .map(|r| {
            let (kind, sign) = if r.str(1)? == "bill" {
                (CandidateKind::Bill, -1)
            } else {
                (CandidateKind::Invoice, 1)
            };
            let total = r.int(5)?;
            let reference = r.text(3)?;
            Ok(Candidate {
                kind,
                id: r.uuid(0)?,
                date: parse_date(r.str(4)?)?,
                amount: sign * total,
                open_amount: sign * (total - r.int(6)?),
                currency: r.text(7)?,
                number: r.text(2)?,
                reference: (!reference.is_empty()).then_some(reference),
                contact_id: Some(r.uuid(8)?),
                contact_name: r.text(9)?,
                contact_accounts: Vec::new(),
            })
        })
        .collect()
}

/// Payments into or out of the bank's GL account dated `from..=to`, not void and not matched to
/// a line. Payments are in the company currency.
fn open_payments(
    tx: &mut Tx,
    company: Uuid,
    gl: Uuid,
    currency: &str,
    (from, to): (Date, Date),
) -> Result<Vec<Candidate>, StoreError> {
    let rows = tx.query(
        "SELECT p.id, p.direction, p.date, p.amount, p.reference, p.contact_id, c.name FROM payments p \
         JOIN contacts c ON c.id = p.contact_id WHERE p.company_id = $1 AND p.bank_account_id = $2 \
         AND p.is_void = $3 AND p.date >= $4 AND p.date <= $5 \
         AND NOT EXISTS (SELECT 1 FROM statement_lines l WHERE l.journal_entry_id = p.journal_entry_id)",
        params![company, gl, false, from.to_string(), to.to_string()],
    )?;
    rows.iter()
        .map(|r| {
            let sign = if r.str(1)? == "made" { -1 } else { 1 };
            let amount = sign * r.int(3)?;
            let reference = r.text(4)?;
            Ok(Candidate {
                kind: CandidateKind::Payment,
                id: r.uuid(0)?,
                date: parse_date(r.str(2)?)?,
                amount,
                open_amount: amount,
                currency: currency.to_owned(),
                number: reference.clone(),
                reference: None,
                contact_id: Some(r.uuid(5)?),
                contact_name: r.text(6)?,
                contact_accounts: Vec::new(),
            })
        })
        .collect()
}

/// Posted entries moving the bank's GL account dated `from..=to`, neither reversed nor a
/// reversal, not a payment's (those are offered as the payment) and not matched to a line.
fn open_entries(
    tx: &mut Tx,
    company: Uuid,
    gl: Uuid,
    currency: &str,
    (from, to): (Date, Date),
) -> Result<Vec<Candidate>, StoreError> {
    let rows = tx.query(
        "SELECT e.id, e.date, e.reference, e.number, SUM(jl.debit - jl.credit) FROM journal_lines jl \
         JOIN journal_entries e ON e.id = jl.entry_id WHERE jl.account_id = $2 AND jl.posted_date >= $3 \
         AND jl.posted_date <= $4 AND e.company_id = $1 AND e.status = 'posted' AND e.reversed_by_id IS NULL \
         AND e.reverses_id IS NULL \
         AND NOT EXISTS (SELECT 1 FROM statement_lines l WHERE l.journal_entry_id = e.id) \
         AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.journal_entry_id = e.id) \
         GROUP BY e.id, e.date, e.reference, e.number HAVING SUM(jl.debit - jl.credit) <> 0",
        params![company, gl, from.to_string(), to.to_string()],
    )?;
    rows.iter().map(|r| entry_candidate(r, currency)).collect()
}

fn entry_candidate(r: &Row, currency: &str) -> Result<Candidate, StoreError> {
    let reference = r.text(2)?;
    let number = r.opt_int(3)?;
    let net = r.int(4)?;
    Ok(Candidate {
        kind: CandidateKind::JournalLine,
        id: r.uuid(0)?,
        date: parse_date(r.str(1)?)?,
        amount: net,
        open_amount: net,
        currency: currency.to_owned(),
        number: if reference.is_empty() {
            number.map(|n| format!("JE-{n}")).unwrap_or_default()
        } else {
            reference
        },
        reference: None,
        contact_id: None,
        contact_name: String::new(),
        contact_accounts: Vec::new(),
    })
}

/// Every candidate for lines dated `span` on `account`.
pub fn candidates(
    tx: &mut Tx,
    account: &BankAccount,
    company_currency: &str,
    span: (Date, Date),
) -> Result<Vec<Candidate>, StoreError> {
    let window = window(span);
    let company = account.company_id;
    let mut all = open_documents(tx, company, None)?;
    all.extend(open_payments(
        tx,
        company,
        account.account_id,
        company_currency,
        window,
    )?);
    all.extend(open_entries(tx, company, account.account_id, company_currency, window)?);
    Ok(all)
}

/// The company's learned links.
pub fn memory(tx: &mut Tx, company: Uuid) -> Result<Memory, StoreError> {
    let rows = tx.query(
        "SELECT counterparty_key, target_kind, target_id, confirmed, rejected FROM bank_match_memory \
         WHERE company_id = $1",
        params![company],
    )?;
    let rows = rows
        .iter()
        .map(|r| {
            let kind = match r.str(1)? {
                "account" => TargetKind::Account,
                _ => TargetKind::Contact,
            };
            Ok(MemoryRow {
                counterparty_key: r.text(0)?,
                target_kind: kind,
                target_id: r.uuid(2)?,
                confirmed: u32::try_from(r.int(3)?).unwrap_or(u32::MAX),
                rejected: u32::try_from(r.int(4)?).unwrap_or(u32::MAX),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Memory::new(rows))
}

/// Learns that `line` went to (or not to) `target`, and keeps what changed.
pub fn learn(
    tx: &mut Tx,
    company: Uuid,
    line: &StoredLine,
    target: (TargetKind, Uuid),
    confirmed: bool,
    now: jiff::Timestamp,
) -> Result<(), StoreError> {
    let bank = bank_line(line);
    let keys: HashSet<String> = Memory::counterparty_keys(&bank).into_iter().collect();
    if keys.is_empty() {
        return Ok(());
    }
    let mut memory = memory(tx, company)?;
    memory.rows.retain(|r| keys.contains(&r.counterparty_key));
    if confirmed {
        memory.learn_confirmed(&bank, target.0, target.1);
    } else {
        memory.learn_rejected(&bank, target.0, target.1);
    }
    for r in memory
        .rows
        .iter()
        .filter(|r| r.target_kind == target.0 && r.target_id == target.1)
    {
        tx.execute(
            "INSERT INTO bank_match_memory (company_id, counterparty_key, target_kind, target_id, confirmed, \
             rejected, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (company_id, counterparty_key, target_kind, target_id) DO UPDATE SET \
             confirmed = excluded.confirmed, rejected = excluded.rejected, updated_at = excluded.updated_at",
            params![
                company,
                &r.counterparty_key,
                r.target_kind.as_str(),
                r.target_id,
                i64::from(r.confirmed),
                i64::from(r.rejected),
                ts(now)
            ],
        )?;
    }
    Ok(())
}

/// Remembers that `candidate` is not what `line` is.
pub fn reject(
    tx: &mut Tx,
    line: Uuid,
    (kind, candidate): (CandidateKind, Uuid),
    now: jiff::Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO bank_line_rejections (line_id, candidate_kind, candidate_id, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (line_id, candidate_kind, candidate_id) DO NOTHING",
        params![line, kind_name(kind), candidate, ts(now)],
    )?;
    Ok(())
}

/// The candidates rejected for `lines`: looked up by the lines' ids (a page's), by the
/// rejections' key, rather than joined over every unmatched line of the account (a table row
/// read per line, measured as most of a page's time on an account with 100,000 lines).
fn rejections(tx: &mut Tx, lines: &[StoredLine]) -> Result<HashSet<(Uuid, CandidateKind, Uuid)>, StoreError> {
    let mut out = HashSet::new();
    for chunk in lines.chunks(REJECTION_CHUNK) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let ids: Vec<crate::store::Value> = chunk.iter().map(|l| l.id.into()).collect();
        let rows = tx.query(
            &format!(
                "SELECT line_id, candidate_kind, candidate_id FROM bank_line_rejections WHERE line_id IN ({})",
                marks.join(", ")
            ),
            &ids,
        )?;
        for r in &rows {
            if let Some(kind) = kind_of(r.str(1)?) {
                out.insert((r.uuid(0)?, kind, r.uuid(2)?));
            }
        }
    }
    Ok(out)
}

/// Line ids per rejections query (well under either engine's limit on parameters).
const REJECTION_CHUNK: usize = 500;

/// The first and last date of `lines`.
fn span(lines: &[StoredLine]) -> Option<(Date, Date)> {
    Some((lines.iter().map(|l| l.date).min()?, lines.iter().map(|l| l.date).max()?))
}

/// Suggestions for `lines` of `account`: candidates loaded, indexed, scored. An index covers the
/// page's lines and the next [`AHEAD_LINES`] unmatched lines of the account, so the pages of one
/// review share it (see [`IndexCache`]) while the first page waits only for the candidates of its
/// own stretch of dates (on an account with two years of postings, a quarter of them).
pub fn suggestions(
    tx: &mut Tx,
    account: &BankAccount,
    company_currency: &str,
    lines: Vec<StoredLine>,
) -> Result<Vec<Suggested>, StoreError> {
    let Some(page) = span(&lines) else {
        return Ok(Vec::new());
    };
    let version = tx
        .query_opt(
            "SELECT MAX(created_at) FROM audit_log WHERE company_id = $1",
            params![account.company_id],
        )?
        .map(|r| r.opt_text(0))
        .transpose()?
        .flatten()
        .unwrap_or_default();
    let key = IndexKey {
        company: account.company_id,
        account: account.id,
        version,
    };
    let index = match IndexCache::get(&key, window(page)) {
        Some(index) => index,
        None => {
            let ahead = ahead_of(tx, account.id, page.0)?.map_or(page.1, |d| d.max(page.1));
            let span = (page.0, ahead);
            let index = Arc::new(CandidateIndex::new(candidates(tx, account, company_currency, span)?));
            IndexCache::put(key, window(span), Arc::clone(&index));
            index
        }
    };
    suggest_among(tx, account, lines, &index)
}

/// Unmatched lines past a page's first one that its index also covers. Each build loads every
/// open invoice and bill again, so one index serves a whole review of ordinary size (10,000
/// lines against 10,000 open documents is one build), while on an account with years of
/// unmatched lines the first page still waits only for a few months of postings.
const AHEAD_LINES: usize = 10_000;

/// The date of the account's [`AHEAD_LINES`]th unmatched line from `from` on, or of its last
/// one when there are fewer: read from the `(bank_account_id, status, date)` index.
fn ahead_of(tx: &mut Tx, account: Uuid, from: Date) -> Result<Option<Date>, StoreError> {
    let mut date = |sql: &str| -> Result<Option<Date>, StoreError> {
        tx.query_opt(sql, params![account, from.to_string()])?
            .map(|r| r.opt_text(0))
            .transpose()?
            .flatten()
            .map(|d| parse_date(&d))
            .transpose()
    };
    let nth = date(&format!(
        "SELECT date FROM statement_lines WHERE bank_account_id = $1 AND status = 'unmatched' AND date >= $2 \
         ORDER BY date LIMIT 1 OFFSET {AHEAD_LINES}"
    ))?;
    match nth {
        Some(d) => Ok(Some(d)),
        None => date(
            "SELECT MAX(date) FROM statement_lines WHERE bank_account_id = $1 AND status = 'unmatched' \
             AND date >= $2",
        ),
    }
}

/// What an index was built from: the account and the company's latest audit record — every
/// change to a document, payment, entry or statement line writes one, so a newer record means
/// the candidates may have changed.
#[derive(Clone, PartialEq, Eq)]
struct IndexKey {
    company: Uuid,
    account: Uuid,
    version: String,
}

/// The last few candidate indexes built, each with the dates whose candidates it holds, so that
/// paging through one account's suggestions loads and indexes its candidates once per stretch,
/// not once per page. Bounded in count and age (a record written in the same microsecond as the
/// latest one, or outside the API, is seen within [`INDEX_TTL`]).
struct IndexCache;

const INDEX_CACHE_SIZE: usize = 8;
const INDEX_TTL: Duration = Duration::from_secs(60);

type Cached = (IndexKey, (Date, Date), Instant, Arc<CandidateIndex>);

static INDEXES: Mutex<Vec<Cached>> = Mutex::new(Vec::new());

impl IndexCache {
    /// An index of `key` holding every candidate dated within `needed`.
    fn get(key: &IndexKey, needed: (Date, Date)) -> Option<Arc<CandidateIndex>> {
        let cache = INDEXES.lock().unwrap_or_else(PoisonError::into_inner);
        cache
            .iter()
            .find(|(k, covers, at, _)| {
                k == key && covers.0 <= needed.0 && needed.1 <= covers.1 && at.elapsed() < INDEX_TTL
            })
            .map(|(_, _, _, index)| Arc::clone(index))
    }

    /// Keeps `index`; drops the account's indexes of an older version and any past their age.
    fn put(key: IndexKey, covers: (Date, Date), index: Arc<CandidateIndex>) {
        let mut cache = INDEXES.lock().unwrap_or_else(PoisonError::into_inner);
        cache.retain(|(k, _, at, _)| {
            ((k.company, k.account) != (key.company, key.account) || k.version == key.version)
                && at.elapsed() < INDEX_TTL
        });
        if cache.len() >= INDEX_CACHE_SIZE {
            cache.remove(0);
        }
        cache.push((key, covers, Instant::now(), index));
    }
}

/// Matches the lines of a committed import whose best candidate is sure enough
/// (`matching::auto_match`) — only to postings already in the books (a payment or an entry):
/// nothing is booked without review. Answers how many were matched.
pub fn auto_match_import(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    account: &BankAccount,
    import: &StatementImport,
) -> Result<usize, BankingError<StoreError>> {
    let sure = sure_matches(tx, ctx, account, import).map_err(BankingError::Store)?;
    let matched = sure.len();
    for (line, kind, id, entry) in sure {
        statements::match_to(tx, ctx, line, (kind, id), entry)?;
    }
    Ok(matched)
}

/// The lines of `import` sure of a payment or entry: (line, kind, id, the entry moving the bank).
fn sure_matches(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    account: &BankAccount,
    import: &StatementImport,
) -> Result<Vec<(StoredLine, &'static str, Uuid, Uuid)>, StoreError> {
    // The postings first: with none in the statement's period there is nothing to read back.
    let Some(period) = import.period else {
        return Ok(Vec::new());
    };
    let window = window(period);
    let company = account.company_id;
    let currency = ctx.books.currency.as_str();
    let mut postings = open_payments(tx, company, account.account_id, currency, window)?;
    postings.extend(open_entries(tx, company, account.account_id, currency, window)?);
    if postings.is_empty() {
        return Ok(Vec::new());
    }
    let lines: Vec<StoredLine> = tx
        .query(
            &format!("SELECT {LINE_COLUMNS} FROM statement_lines WHERE import_id = $1 AND status = 'unmatched' ORDER BY date, id"),
            params![import.id],
        )?
        .iter()
        .map(line_from_row)
        .collect::<Result<_, _>>()?;
    let mut taken = HashSet::new();
    let mut sure = Vec::new();
    let index = CandidateIndex::new(postings);
    for s in suggest_among(tx, account, lines, &index)? {
        let Some((best, candidate)) = s.matches.first().filter(|_| s.auto) else {
            continue;
        };
        // Each posting settles one line: the first (oldest) sure line takes it.
        if !taken.insert(best.candidate_id) {
            continue;
        }
        let entry = match candidate.kind {
            CandidateKind::JournalLine => candidate.id,
            _ => match tx.query_opt(
                "SELECT journal_entry_id FROM payments WHERE company_id = $1 AND id = $2",
                params![company, candidate.id],
            )? {
                Some(r) => r.uuid(0)?,
                None => continue,
            },
        };
        sure.push((s.line, kind_name(candidate.kind), candidate.id, entry));
    }
    Ok(sure)
}

fn window(span: (Date, Date)) -> (Date, Date) {
    (
        span.0.checked_sub(WINDOW_DAYS.days()).unwrap_or(span.0),
        span.1.checked_add(WINDOW_DAYS.days()).unwrap_or(span.1),
    )
}

/// Suggestions for `lines` among `candidates`.
fn suggest_among(
    tx: &mut Tx,
    account: &BankAccount,
    lines: Vec<StoredLine>,
    index: &CandidateIndex,
) -> Result<Vec<Suggested>, StoreError> {
    let stored_rules = rules::active_for(tx, account.company_id, account.id)?;
    let rules: Vec<Rule> = stored_rules.iter().filter_map(|r| r.check().ok()).collect();
    let by_id: HashMap<Uuid, &BankRule> = stored_rules.iter().map(|r| (r.id, r)).collect();
    let memory = memory(tx, account.company_id)?;
    let rejected = rejections(tx, &lines)?;
    let bank: Vec<BankLine> = lines.iter().map(bank_line).collect();
    let suggested = matching::suggest(&bank, index, &rules, &memory);
    Ok(lines
        .into_iter()
        .zip(suggested)
        .map(|(line, s)| {
            let kept: Vec<Match> = s
                .matches
                .into_iter()
                .filter(|m| !rejected.contains(&(line.id, m.kind, m.candidate_id)))
                .collect();
            let auto = matching::auto_match(&kept).is_some();
            let matches = kept
                .into_iter()
                .filter_map(|m| {
                    let all = index.candidates();
                    let at = all
                        .binary_search_by_key(&(m.candidate_id, m.kind), |c| (c.id, c.kind))
                        .ok()?;
                    let c = all.get(at)?.clone();
                    Some((m, c))
                })
                .collect();
            Suggested {
                rule: s.rule.and_then(|id| by_id.get(&id).map(|r| (*r).clone())),
                line,
                matches,
                auto,
            }
        })
        .collect())
}
