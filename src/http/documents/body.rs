//! How the API takes a document: the JSON body of a create, `PUT` or `PATCH`, read into the
//! domain's changes with every bad date named.

use jiff::civil::Date;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::FieldErrors;
use crate::domain::documents::{DocumentChanges, LineInput};
use crate::http::accounting::present;
use crate::http::conventions::DATE_FORMAT_ERROR;

/// A document line as sent. Left out, `description`, `unit_price`, `tax_rate` and `account` come
/// from the item, then the contact's default account.
#[derive(Deserialize, ToSchema)]
#[schema(as = DocumentLineInput)]
pub struct LineBody {
    item: Option<Uuid>,
    #[serde(default)]
    description: String,
    /// A decimal as a string, e.g. `"2.5"`; default 1.
    quantity: Option<String>,
    /// A decimal as a string, e.g. `"120.00"`.
    unit_price: Option<String>,
    /// Percent, 0–100, as a string.
    discount_percent: Option<String>,
    tax_rate: Option<Uuid>,
    account: Option<Uuid>,
}

/// A line as the API sends it, as the domain reads it.
pub fn line_input(l: &LineBody) -> LineInput {
    LineInput {
        item: l.item,
        description: l.description.clone(),
        quantity: l.quantity.clone(),
        unit_price: l.unit_price.clone(),
        discount_percent: l.discount_percent.clone(),
        tax_rate: l.tax_rate,
        account: l.account,
    }
}

/// A document as a create, `PUT` or `PATCH` sends it. A create and a `PUT` need `contact` and
/// `lines` (what else they leave out takes its default); a `PATCH` changes only what it sends.
#[derive(Deserialize, ToSchema)]
#[schema(as = DocumentChange)]
pub struct DocumentBody {
    /// A customer (invoices, credit notes) or a vendor (bills, vendor credits).
    contact: Option<Uuid>,
    /// `YYYY-MM-DD`; by default the company's today.
    #[schema(format = Date)]
    issue_date: Option<String>,
    /// `YYYY-MM-DD`; `null` (or left out of a create): the issue date plus the payment terms.
    #[serde(default, deserialize_with = "present")]
    #[schema(format = Date)]
    due_date: Option<Option<String>>,
    /// ISO 4217; by default the company currency. Amounts are in this currency.
    currency: Option<String>,
    /// For another currency than the company's: units of the company currency per unit of
    /// `currency`, a decimal string such as `"1.10"`; `null` or left out: the company's rate on
    /// or before the issue date, taken when the document is issued.
    #[serde(default, deserialize_with = "present")]
    exchange_rate: Option<Option<String>>,
    /// For bills, the vendor's own number: a second live bill with it is flagged.
    reference: Option<String>,
    notes: Option<String>,
    /// Days from the issue date to the due date; `null`: the contact's terms.
    #[serde(default, deserialize_with = "present")]
    payment_terms_days: Option<Option<i64>>,
    /// For a credit note or vendor credit: the issued invoice or bill it corrects.
    #[serde(default, deserialize_with = "present")]
    credited_document: Option<Option<Uuid>>,
    /// At least one.
    lines: Option<Vec<LineBody>>,
}

impl DocumentBody {
    /// What the body sets, as the domain reads it. A date that is not `YYYY-MM-DD` is named.
    pub fn changes(self) -> Result<DocumentChanges, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut date = |field: &str, text: Option<String>| match text.as_deref() {
            None | Some("") => None,
            Some(s) => s.parse::<Date>().map_or_else(
                |_| {
                    errors.add(field, DATE_FORMAT_ERROR);
                    None
                },
                Some,
            ),
        };
        let issue_date = date("issue_date", self.issue_date);
        let due_date = self.due_date.map(|d| date("due_date", d));
        errors.into_result()?;
        Ok(DocumentChanges {
            contact: self.contact,
            issue_date,
            due_date,
            currency: self.currency.filter(|c| !c.is_empty()),
            exchange_rate: self.exchange_rate,
            reference: self.reference,
            notes: self.notes,
            payment_terms_days: self.payment_terms_days,
            credited_document: self.credited_document,
            lines: self.lines.map(|lines| lines.iter().map(line_input).collect()),
        })
    }
}
