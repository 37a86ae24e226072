//! How the API takes a journal entry: the JSON body, and its reading into the domain's input
//! with every bad field named (`lines[2].account`; in bulk, `entries[3].lines[2].account`).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::FieldErrors;
use crate::domain::ledger::{EntryChanges, EntryInput, LineInput};
use crate::http::conventions::DATE_FORMAT_ERROR;

#[derive(Deserialize, Serialize, Default, ToSchema)]
#[schema(as = JournalEntryChange)]
pub struct EntryBody {
    /// `YYYY-MM-DD`; required to create.
    pub date: Option<String>,
    pub reference: Option<String>,
    pub description: Option<String>,
    /// At least two; required to create.
    pub lines: Option<Vec<LineBody>>,
}

#[derive(Deserialize, Serialize, Default, ToSchema)]
#[schema(as = JournalLineInput)]
pub struct LineBody {
    pub account: Option<String>,
    pub description: Option<String>,
    /// A decimal string such as `"116.00"`; one of debit and credit per line.
    #[schema(value_type = Option<String>)]
    pub debit_amount: Option<Value>,
    #[schema(value_type = Option<String>)]
    pub credit_amount: Option<Value>,
    /// For a line in a foreign currency, with its `exchange_rate` to the company currency.
    pub currency: Option<String>,
    #[schema(value_type = Option<String>)]
    pub exchange_rate: Option<Value>,
}

/// The body of `…/bulk/`.
#[derive(Deserialize, Serialize, ToSchema)]
#[schema(as = BulkRequest)]
pub struct BulkBody {
    pub entries: Option<Vec<EntryBody>>,
}

/// The body of `…/{id}/reverse/` (optional: no body reverses on the original's date).
#[derive(Deserialize, Serialize, Default, ToSchema)]
#[schema(as = DateRequest)]
pub struct ReverseBody {
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
}

fn amount_text(v: &Option<Value>) -> Result<Option<String>, ()> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(()),
    }
}

/// Reads what the body sets, naming each bad field under `prefix`.
pub fn entry_changes(body: &EntryBody, prefix: &str, errors: &mut FieldErrors) -> EntryChanges {
    let field = |f: &str| format!("{prefix}{f}");
    let date = body.date.as_deref().and_then(|s| match s.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(&field("date"), DATE_FORMAT_ERROR);
            None
        }
    });
    let lines = body.lines.as_ref().map(|ls| {
        let mut lines = Vec::with_capacity(ls.len());
        for (i, l) in ls.iter().enumerate() {
            let lf = |f: &str| field(&format!("lines[{i}].{f}"));
            let account_id = match l.account.as_deref() {
                None => None,
                Some(a) => match Uuid::parse_str(a) {
                    Ok(id) => Some(id),
                    Err(_) => {
                        errors.add(&lf("account"), "Must be a valid UUID.");
                        continue;
                    }
                },
            };
            let mut amount = |name: &str, v: &Option<Value>| match amount_text(v) {
                Ok(t) => t,
                Err(()) => {
                    errors.add(&lf(name), "A valid number is required.");
                    None
                }
            };
            let debit = amount("debit_amount", &l.debit_amount);
            let credit = amount("credit_amount", &l.credit_amount);
            let exchange_rate = amount("exchange_rate", &l.exchange_rate);
            lines.push(LineInput {
                account_id,
                description: l.description.clone().unwrap_or_default(),
                debit,
                credit,
                currency: l.currency.clone().filter(|c| !c.is_empty()),
                exchange_rate,
            });
        }
        lines
    });
    EntryChanges {
        date,
        reference: body.reference.clone(),
        description: body.description.clone(),
        lines,
    }
}

/// Turns the JSON body of a new (or wholly replaced) entry into the domain's input: `date` and
/// `lines` are required. `prefix` names the entry in bulk errors.
pub fn entry_input(body: &EntryBody, prefix: &str, errors: &mut FieldErrors) -> EntryInput {
    let changes = entry_changes(body, prefix, errors);
    for (name, missing) in [("date", body.date.is_none()), ("lines", body.lines.is_none())] {
        if missing {
            errors.add(&format!("{prefix}{name}"), "This field is required.");
        }
    }
    EntryInput {
        date: changes.date,
        reference: changes.reference.unwrap_or_default(),
        description: changes.description.unwrap_or_default(),
        lines: changes.lines.unwrap_or_default(),
    }
}

/// Prefixes every field of a domain error (for bulk: `entries[3].lines[0].account`).
pub fn prefixed(errors: FieldErrors, prefix: &str) -> FieldErrors {
    let mut out = FieldErrors::default();
    for (k, v) in errors.0 {
        for m in v {
            out.add(&format!("{prefix}{k}"), m);
        }
    }
    out
}
