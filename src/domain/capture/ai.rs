//! Merging what the optional AI endpoint read into the rule draft: per field, only where the
//! AI's value is valid and the rules were less sure than [`AI_CONFIDENCE`]. The AI's answer is
//! untrusted input: every value is checked here, and a bad one is dropped, never an error.

use jiff::civil::Date;

use super::{Context, Draft, Field, VendorMatch};
use crate::domain::money;

/// The confidence an AI-read field gets: below what the rules give a labelled value, so a value
/// the rules read from a label (or a learned layout) is never replaced.
pub const AI_CONFIDENCE: u8 = 60;

/// The longest name or number taken from an answer.
const MAX_TEXT: usize = 200;

/// The fields the AI answered, as text (each optional, none trusted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AiFields {
    pub vendor_name: Option<String>,
    pub tax_id: Option<String>,
    pub iban: Option<String>,
    pub date: Option<String>,
    pub due_date: Option<String>,
    pub number: Option<String>,
    pub currency: Option<String>,
    pub net: Option<String>,
    pub tax: Option<String>,
    pub gross: Option<String>,
}

fn compact(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase()
}

fn text(s: &Option<String>) -> Option<String> {
    let t = s.as_deref()?.trim();
    (!t.is_empty() && t.chars().count() <= MAX_TEXT && !t.chars().any(char::is_control)).then(|| t.to_string())
}

fn date(s: &Option<String>) -> Option<Date> {
    text(s)?.parse::<Date>().ok()
}

fn weaker<T>(f: &Option<Field<T>>) -> bool {
    f.as_ref().is_none_or(|f| f.confidence < AI_CONFIDENCE)
}

/// The draft with the AI's valid fields filled in where the rules were less sure; returns how
/// many fields it took.
pub fn merge(draft: &mut Draft, ai: &AiFields, ctx: &Context) -> usize {
    let mut taken = 0;
    let ai_field = |v| Field::new(v, AI_CONFIDENCE, None);
    if weaker(&draft.vendor) {
        let tax_id = text(&ai.tax_id).map(|t| compact(&t)).filter(|t| !t.is_empty());
        let iban = text(&ai.iban).map(|t| compact(&t)).filter(|t| !t.is_empty());
        let known = ctx.vendors.iter().find(|v| {
            tax_id.as_deref().is_some_and(|t| compact(&v.tax_id) == t)
                || iban.as_deref().is_some_and(|i| v.ibans.iter().any(|b| compact(b) == i))
        });
        let found = match known {
            Some(v) => Some(VendorMatch {
                contact_id: Some(v.id),
                name: v.name.clone(),
            }),
            None => text(&ai.vendor_name).map(|name| VendorMatch { contact_id: None, name }),
        };
        if let Some(v) = found {
            draft.vendor = Some(ai_field(v));
            taken += 1;
        }
    }
    let currency = text(&ai.currency)
        .map(|c| c.to_ascii_uppercase())
        .filter(|c| c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase()));
    if weaker(&draft.currency)
        && let Some(c) = currency
    {
        draft.currency = Some(Field::new(c, AI_CONFIDENCE, None));
        taken += 1;
    }
    for (slot, value) in [(&mut draft.date, &ai.date), (&mut draft.due_date, &ai.due_date)] {
        if weaker(slot)
            && let Some(d) = date(value)
        {
            *slot = Some(Field::new(d, AI_CONFIDENCE, None));
            taken += 1;
        }
    }
    if weaker(&draft.number)
        && let Some(n) = text(&ai.number)
    {
        draft.number = Some(Field::new(n, AI_CONFIDENCE, None));
        taken += 1;
    }
    let code = draft
        .currency
        .as_ref()
        .map_or(ctx.company_currency.to_string(), |c| c.value.clone());
    let decimals = money::decimals(&code);
    let amount = |s: &Option<String>| {
        let t = text(s)?;
        let d = money::parse(&t).ok()?;
        money::to_minor(d, decimals).ok().filter(|v| *v >= 0)
    };
    for (slot, value) in [
        (&mut draft.net, &ai.net),
        (&mut draft.tax, &ai.tax),
        (&mut draft.gross, &ai.gross),
    ] {
        if weaker(slot)
            && let Some(v) = amount(value)
        {
            *slot = Some(Field::new(v, AI_CONFIDENCE, None));
            taken += 1;
        }
    }
    taken
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::capture::{DateOrder, Vendor};

    fn ctx(vendors: &[Vendor]) -> Context<'_> {
        Context {
            vendors,
            layouts: &[],
            company_currency: "EUR",
            date_order: DateOrder::DayFirst,
        }
    }

    #[test]
    fn valid_fields_fill_weaker_ones_and_bad_ones_are_dropped() {
        let mut draft = Draft {
            number: Some(Field::new("R-1".into(), 90, None)),
            gross: Some(Field::new(100, 30, None)),
            ..Draft::default()
        };
        let ai = AiFields {
            vendor_name: Some("Acme GmbH".into()),
            number: Some("X-9".into()),
            date: Some("2026-11-30".into()),
            due_date: Some("30.11.2026".into()),
            currency: Some("eur".into()),
            gross: Some("119.00".into()),
            net: Some("-5".into()),
            tax: Some("lots".into()),
            ..AiFields::default()
        };
        let taken = merge(&mut draft, &ai, &ctx(&[]));
        assert_eq!(taken, 4);
        assert_eq!(draft.number.as_ref().map(|f| f.value.as_str()), Some("R-1"));
        assert_eq!(
            draft.gross.as_ref().map(|f| (f.value, f.confidence)),
            Some((11900, AI_CONFIDENCE))
        );
        assert_eq!(draft.vendor.as_ref().map(|f| f.value.name.as_str()), Some("Acme GmbH"));
        assert!(draft.due_date.is_none() && draft.net.is_none() && draft.tax.is_none());
        assert_eq!(draft.currency.as_ref().map(|f| f.value.as_str()), Some("EUR"));
    }

    #[test]
    fn a_tax_id_finds_the_known_vendor() {
        let id = uuid::Uuid::now_v7();
        let vendors = [Vendor {
            id,
            name: "Acme".into(),
            tax_id: "DE 123 456 789".into(),
            ibans: vec![],
        }];
        let mut draft = Draft::default();
        let ai = AiFields {
            vendor_name: Some("Something else".into()),
            tax_id: Some("de123456789".into()),
            ..AiFields::default()
        };
        merge(&mut draft, &ai, &ctx(&vendors));
        assert_eq!(draft.vendor.map(|f| f.value.contact_id), Some(Some(id)));
    }
}
