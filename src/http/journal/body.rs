//! How the API takes a journal entry: the JSON body, and its reading into the domain's input
//! with every bad field named (`lines[2].account`; in bulk, `entries[3].lines[2].account`).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::FieldErrors;
use crate::domain::ledger::entry::MAX_LINES;
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
    #[schema(value_type = Option<Vec<LineBody>>)]
    pub lines: Option<Lines>,
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
    #[schema(value_type = Option<Vec<EntryBody>>)]
    pub entries: Option<Capped<EntryBody, MAX_BULK>>,
}

/// Entries one bulk request may post.
pub const MAX_BULK: usize = 10_000;

/// Lines one bulk request may carry in all (10,000 five-line entries fit twice over).
pub const MAX_BULK_LINES: usize = 100_000;

/// A list that keeps at most `N` items while it is parsed: the rest is skipped unread into
/// memory, and [`Capped::overflowed`] says that there were more. A body of a million `{}` lines
/// costs what `N` of them cost, and the answer still names the field.
#[derive(Default)]
pub struct Capped<T, const N: usize> {
    pub items: Vec<T>,
    overflowed: bool,
}

impl<T, const N: usize> Capped<T, N> {
    pub fn overflowed(&self) -> bool {
        self.overflowed
    }
}

impl<T, const N: usize> std::ops::Deref for Capped<T, N> {
    type Target = Vec<T>;

    fn deref(&self) -> &Vec<T> {
        &self.items
    }
}

impl<T, const N: usize> std::ops::DerefMut for Capped<T, N> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.items
    }
}

impl<'a, T, const N: usize> IntoIterator for &'a Capped<T, N> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<'a, T, const N: usize> IntoIterator for &'a mut Capped<T, N> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter_mut()
    }
}

impl<T, const N: usize> From<Vec<T>> for Capped<T, N> {
    fn from(items: Vec<T>) -> Self {
        let overflowed = items.len() > N;
        Capped { items, overflowed }
    }
}

impl<T: Serialize, const N: usize> Serialize for Capped<T, N> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.items.serialize(s)
    }
}

impl<'de, T: Deserialize<'de>, const N: usize> Deserialize<'de> for Capped<T, N> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(CappedVisitor::<T, N>(std::marker::PhantomData))
    }
}

struct CappedVisitor<T, const N: usize>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>, const N: usize> serde::de::Visitor<'de> for CappedVisitor<T, N> {
    type Value = Capped<T, N>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(N).min(1024));
        let mut overflowed = false;
        loop {
            if items.len() < N && !overflowed && budget::take() {
                match seq.next_element()? {
                    Some(item) => items.push(item),
                    None => break,
                }
            } else {
                match seq.next_element::<serde::de::IgnoredAny>()? {
                    Some(_) => overflowed = true,
                    None => break,
                }
            }
        }
        Ok(Capped { items, overflowed })
    }
}

/// How many list items one request may still build, across every [`Capped`] list it holds: a
/// bulk body of ten thousand entries of a thousand lines each is refused while it is read, not
/// after it fills memory. Set around one parse on one thread ([`with_budget`]); unlimited
/// otherwise.
mod budget {
    use std::cell::Cell;

    thread_local! {
        static LEFT: Cell<Option<usize>> = const { Cell::new(None) };
    }

    /// Takes one item from the budget: false when it is spent.
    pub fn take() -> bool {
        LEFT.with(|left| match left.get() {
            None => true,
            Some(0) => false,
            Some(n) => {
                left.set(Some(n - 1));
                true
            }
        })
    }

    /// Runs `f` with `items` to spend; says whether the budget ran out.
    pub fn with_budget<T>(items: usize, f: impl FnOnce() -> T) -> (T, bool) {
        let before = LEFT.with(|left| left.replace(Some(items)));
        let out = f();
        let spent = LEFT.with(|left| left.replace(before)) == Some(0);
        (out, spent)
    }
}

pub use budget::with_budget;

/// The lines of one entry: at most [`MAX_LINES`] are kept.
pub type Lines = Capped<LineBody, MAX_LINES>;

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
    if body.lines.as_ref().is_some_and(Capped::overflowed) {
        errors.add(&field("lines"), format!("An entry may have at most {MAX_LINES} lines."));
    }
    let lines = body.lines.as_ref().map(|ls| {
        let mut lines = Vec::with_capacity(ls.items.len());
        for (i, l) in ls.items.iter().enumerate() {
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
                company_amount: None,
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
