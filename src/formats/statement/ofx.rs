//! OFX and QFX (QFX is OFX with an Intuit header), 1.x SGML and 2.x XML, read by the `ofx-rs`
//! crate (pinned: it is young; our proptests feed it arbitrary and mutated files, and a file
//! written by Python's ofxtools is read in the tests). Bank and credit-card statements; FITID is
//! the line's bank id, LEDGERBAL the closing balance (OFX states no opening balance).
//!
//! ofx-rs takes text: 1.x files declare `CHARSET:1252` (or ISO-8859-1) and are decoded here
//! first. Its errors carry no position, so a refusal names the element and the line where that
//! element first appears with the value it refused.

use jiff::civil::Date;
use ofx_rs::aggregates::StatementTransaction;
use ofx_rs::error::OfxError;
use ofx_rs::types::OfxDateTime;
use ofx_rs::xml::XmlError;

use super::text::{self, BOM};
use super::{Limits, Statement, StatementBalance, StatementFormat, StatementLine};
use crate::formats::FormatError;

pub(super) fn parse(bytes: &[u8], limits: &Limits) -> Result<Statement, FormatError> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    // UTF-8 when it is (2.x files, and 1.x files in ASCII); otherwise the 1.x CHARSET:1252 or
    // ISO-8859-1 these files are written in, both read as Windows-1252.
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    };
    let document = ofx_rs::parse(&text).map_err(|e| located(&text, &e))?;
    let mut statement = Statement {
        format: StatementFormat::Ofx,
        account: None,
        currency: None,
        opening: None,
        closing: None,
        lines: Vec::new(),
    };
    let mut any = false;
    if let Some(banking) = document.banking() {
        for response in banking.statement_responses().iter().filter_map(|w| w.response()) {
            any = true;
            let account = response.bank_account().account_id().as_str().to_owned();
            statement.account.get_or_insert(account);
            statement
                .currency
                .get_or_insert_with(|| response.currency_default().as_str().to_owned());
            if let Some(list) = response.transaction_list() {
                add_lines(&mut statement.lines, list.transactions(), limits)?;
            }
            if let Some(ledger) = response.ledger_balance() {
                statement.closing = Some(StatementBalance {
                    date: date(ledger.as_of()),
                    amount: ledger.amount().as_decimal(),
                });
            }
        }
    }
    if let Some(cards) = document.credit_card() {
        for response in cards.statement_responses().iter().filter_map(|w| w.response()) {
            any = true;
            let account = response.credit_card_account().account_id().as_str().to_owned();
            statement.account.get_or_insert(account);
            statement
                .currency
                .get_or_insert_with(|| response.currency_default().as_str().to_owned());
            if let Some(list) = response.transaction_list() {
                add_lines(&mut statement.lines, list.transactions(), limits)?;
            }
            if let Some(ledger) = response.ledger_balance() {
                statement.closing = Some(StatementBalance {
                    date: date(ledger.as_of()),
                    amount: ledger.amount().as_decimal(),
                });
            }
        }
    }
    if !any {
        return Err(FormatError::statement(
            1,
            "STMTRS",
            "the OFX file holds no bank or credit-card statement",
        ));
    }
    Ok(statement)
}

fn add_lines(
    lines: &mut Vec<StatementLine>,
    transactions: &[StatementTransaction],
    limits: &Limits,
) -> Result<(), FormatError> {
    for t in transactions {
        let row = lines.len() + 1;
        if row > limits.max_lines {
            return Err(FormatError::TooManyLines {
                line: row,
                limit: limits.max_lines,
            });
        }
        let name = t.name().unwrap_or_default().trim().to_owned();
        let memo = t.memo().unwrap_or_default().trim().to_owned();
        let reference = t
            .reference_number()
            .map(str::to_owned)
            .or_else(|| t.check_number().map(|c| c.as_str().to_owned()))
            .unwrap_or_default();
        lines.push(StatementLine {
            row,
            date: date(t.date_posted()),
            value_date: t.date_available().map(date),
            amount: t.amount().as_decimal(),
            currency: t.currency().map(|c| c.code().as_str().to_owned()),
            // MEMO is the description; a file with only a NAME has it as its text too.
            text: if memo.is_empty() { name.clone() } else { memo },
            counterparty: name,
            counterparty_account: t.bank_account_to().map(|a| a.account_id().as_str().to_owned()),
            reference,
            bank_id: Some(t.fit_id().as_str().to_owned()).filter(|id| !id.is_empty()),
        });
    }
    Ok(())
}

/// The calendar date as the bank wrote it (in the offset it gave), not moved to UTC.
fn date(at: &OfxDateTime) -> Date {
    let at = at.as_offset_date_time();
    text::ymd(
        i64::from(at.year()),
        i64::from(u8::from(at.month())),
        i64::from(at.day()),
    )
    .unwrap_or(Date::MIN)
}

/// ofx-rs's error, with the line of the element it names.
fn located(text: &str, error: &OfxError) -> FormatError {
    let (field, value) = match error {
        OfxError::Header(_) => ("header".to_owned(), None),
        OfxError::Xml(XmlError::InvalidContent { element, value, .. }) => {
            (element.clone(), Some(value.as_str()))
        }
        OfxError::Xml(XmlError::MissingElement { parent, .. }) => (parent.clone(), None),
        OfxError::Xml(XmlError::UnexpectedElement { found, .. }) => (found.clone(), None),
        OfxError::Aggregate(ofx_rs::aggregates::AggregateError::InvalidFieldValue {
            field,
            value,
            ..
        }) => ((*field).to_owned(), Some(value.as_str())),
        OfxError::Aggregate(
            ofx_rs::aggregates::AggregateError::MissingRequiredField { aggregate, .. }
            | ofx_rs::aggregates::AggregateError::MutuallyExclusiveFields { aggregate, .. },
        ) => (aggregate.clone(), None),
        _ => ("OFX".to_owned(), None),
    };
    let tag = format!("<{field}>");
    let line = text
        .match_indices(&tag)
        .find(|(at, _)| {
            value.is_none_or(|v| {
                text.get(at + tag.len()..)
                    .is_some_and(|rest| rest.trim_start().starts_with(v.trim()))
            })
        })
        .map_or(1, |(at, _)| text::line_at(text.as_bytes(), at));
    FormatError::statement(line, field, error.to_string())
}
