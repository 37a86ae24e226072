//! What account suggestions read (`domain::capture::suggest`): the rule that assigns a bank
//! line, the accounts the counterparty's earlier lines were booked to, the default account of a
//! contact the line names, and the company's chart for the AI endpoint.

use uuid::Uuid;

use super::banking::{self as bank, matching, rules};
use super::{StoreError, Tx, accounts};
use crate::domain::accounts::Account;
use crate::domain::banking::matching::apply_rules;
use crate::domain::banking::statements::StoredLine;
use crate::domain::capture::suggest::Evidence;
use crate::params;

/// The most contacts whose names are looked for in a line (the most recently changed first).
const MAX_CONTACTS: usize = 5_000;

/// What the records say about a bank line of the company.
pub fn for_line(tx: &mut Tx, line: &StoredLine) -> Result<Evidence, StoreError> {
    let company = line.company_id;
    let mut evidence = Evidence {
        counterparty: line.counterparty.clone(),
        ..Evidence::default()
    };
    let Some(account) = bank::get(tx, company, line.bank_account_id)? else {
        return Ok(evidence);
    };
    let stored = rules::active_for(tx, company, account.id)?;
    let checked: Vec<_> = stored.iter().filter_map(|r| r.check().ok().map(|c| (r, c))).collect();
    let compiled: Vec<_> = checked.iter().map(|(_, c)| c.clone()).collect();
    let as_bank = matching::bank_line(line);
    if let Some(hit) = apply_rules(&compiled, &as_bank)
        && let Some(i) = compiled.iter().position(|r| std::ptr::eq(r, hit))
        && let Some((rule, _)) = checked.get(i)
        && let Some(target) = rule.account_id
    {
        evidence.rule = Some((target, rule.name.clone()));
    }
    if !line.counterparty.trim().is_empty() {
        evidence.history = history(tx, company, line.id, &line.counterparty, account.account_id)?;
    }
    let haystack = format!("{}\n{}\n{}", line.counterparty, line.text, line.reference);
    evidence.contact = contact(tx, company, &haystack, line.amount > 0)?;
    Ok(evidence)
}

/// What the records say about a text (a document's, or typed): the contact it names.
pub fn for_text(tx: &mut Tx, company: Uuid, text: &str, money_in: bool) -> Result<Evidence, StoreError> {
    Ok(Evidence {
        contact: contact(tx, company, text, money_in)?,
        ..Evidence::default()
    })
}

/// The accounts the counterparty's other booked lines went to (not the bank's own), most used first.
fn history(
    tx: &mut Tx,
    company: Uuid,
    except: Uuid,
    counterparty: &str,
    bank_gl: Uuid,
) -> Result<Vec<(Uuid, u32)>, StoreError> {
    let rows = tx.query(
        "SELECT l.account_id, COUNT(*) FROM statement_lines s JOIN journal_lines l ON l.entry_id = s.journal_entry_id \
         WHERE s.company_id = $1 AND s.id <> $2 AND lower(s.counterparty) = lower($3) AND l.account_id <> $4 \
         GROUP BY l.account_id ORDER BY COUNT(*) DESC, l.account_id LIMIT 5",
        params![company, except, counterparty.trim(), bank_gl],
    )?;
    rows.iter()
        .map(|r| Ok((r.uuid(0)?, u32::try_from(r.int(1)?).unwrap_or(u32::MAX))))
        .collect()
}

/// The active contact whose name (three characters or more) the text contains, the longest name
/// winning, with its default account for money in (revenue) or out (expense).
fn contact(tx: &mut Tx, company: Uuid, text: &str, money_in: bool) -> Result<Option<(Uuid, String)>, StoreError> {
    let text = text.to_lowercase();
    let column = if money_in {
        "revenue_account_id"
    } else {
        "expense_account_id"
    };
    let rows = tx.query(
        &format!(
            "SELECT name, {column} FROM contacts WHERE company_id = $1 AND is_active AND {column} IS NOT NULL \
             ORDER BY updated_at DESC LIMIT {MAX_CONTACTS}"
        ),
        params![company],
    )?;
    let mut best: Option<(Uuid, String)> = None;
    for r in &rows {
        let name = r.text(0)?;
        let key = name.trim().to_lowercase();
        if key.chars().count() < 3 || !text.contains(&key) {
            continue;
        }
        if best.as_ref().is_none_or(|(_, b)| b.len() < name.len()) {
            best = Some((r.uuid(1)?, name));
        }
    }
    Ok(best)
}

/// The company's active accounts, by code: what the AI endpoint may pick from.
pub fn chart(tx: &mut Tx, company: Uuid) -> Result<Vec<Account>, StoreError> {
    let mut all: Vec<Account> = accounts::all(tx, company)?
        .into_iter()
        .filter(|a| a.is_active)
        .collect();
    all.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(all)
}
