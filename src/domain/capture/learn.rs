//! Learning a vendor's layout from an accepted draft: for each accepted value, the words printed
//! just before it on the document (or on the line above it) become a label for that field on this
//! vendor's next documents.

use jiff::civil::Date;
use uuid::Uuid;

use super::text::{self, DateOrder, Line, Token};
use super::{FieldName, Layout, LearnedLabel};
use crate::domain::money;

/// The values a person accepted (after their corrections).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub contact_id: Uuid,
    pub currency: String,
    pub date: Option<Date>,
    pub due_date: Option<Date>,
    pub number: Option<String>,
    pub net: Option<i64>,
    pub tax: Option<i64>,
    pub gross: Option<i64>,
}

/// Labels longer than this are not learned (a sentence, not a label).
const MAX_LABEL: usize = 40;

/// The labels `text` shows for the accepted values. Amounts equal to another field's are learned
/// only where they occur once, so a net equal to the gross teaches nothing wrong.
pub fn learn(text: &str, accepted: &Accepted, order: DateOrder) -> Layout {
    let order = if accepted.currency == "USD" {
        DateOrder::MonthFirst
    } else {
        order
    };
    let decimals = money::decimals(&accepted.currency);
    let lines = text::lines(text, order);
    let mut labels = Vec::new();
    let mut push = |field: FieldName, label: Option<String>| {
        if let Some(label) = label {
            labels.push(LearnedLabel { field, label });
        }
    };
    let dates = [
        (FieldName::Date, accepted.date),
        (FieldName::DueDate, accepted.due_date),
    ];
    for (field, date) in dates {
        if let Some(d) = date {
            push(
                field,
                label_before(&lines, |t, _| matches!(t, Token::Date { date, .. } if *date == d)),
            );
        }
    }
    let amounts = [
        (FieldName::Net, accepted.net),
        (FieldName::Tax, accepted.tax),
        (FieldName::Gross, accepted.gross),
    ];
    for (field, value) in amounts {
        let Some(v) = value else { continue };
        if amounts.iter().filter(|(_, o)| *o == Some(v)).count() > 1 {
            continue;
        }
        push(
            field,
            label_before(
                &lines,
                |t, _| matches!(t, Token::Amount { value, decimal_mark: true } if money::to_minor(*value, decimals).ok() == Some(v)),
            ),
        );
    }
    if let Some(number) = accepted.number.as_deref().filter(|n| !n.is_empty()) {
        push(
            FieldName::Number,
            label_before(&lines, |_, s| s.trim_start_matches(['#', ':']) == number),
        );
    }
    labels.sort();
    labels.dedup();
    Layout {
        contact_id: accepted.contact_id,
        labels,
    }
}

/// The folded words before the last word matching `is_value`: on its line, back to the previous
/// value (at most three words); or the line above when the value starts its line.
fn label_before(lines: &[Line], is_value: impl Fn(&Token, &str) -> bool) -> Option<String> {
    for (n, line) in lines.iter().enumerate().rev() {
        let Some(i) = line
            .words
            .iter()
            .rposition(|w| is_value(&w.token, &line.text[w.start - line.start..w.end - line.start]))
        else {
            continue;
        };
        let before: Vec<&str> = line.words[..i]
            .iter()
            .rev()
            .take_while(|w| {
                matches!(w.token, Token::Other)
                    && !line.text[w.start - line.start..w.end - line.start]
                        .bytes()
                        .any(|b| b.is_ascii_digit())
            })
            .take(3)
            .map(|w| &line.text[w.start - line.start..w.end - line.start])
            .collect();
        let label = if before.is_empty() {
            let above = n.checked_sub(1).and_then(|p| lines.get(p))?;
            above.folded.trim().to_owned()
        } else {
            let from = line.words[i - before.len()].start - line.start;
            let to = line.words[i - 1].end - line.start;
            text::fold(&line.text[from..to]).0
        };
        let label = label.trim().trim_end_matches([':', '#', '.']).trim().to_owned();
        let ok = !label.is_empty()
            && label.len() <= MAX_LABEL
            && label.chars().any(char::is_alphabetic)
            && !label.bytes().any(|b| b.is_ascii_digit());
        return ok.then_some(label);
    }
    None
}
