//! How the API shows a document: in full, with its lines and tax summary, or as a row of a list.

use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use uuid::Uuid;

use crate::domain::documents::summary::TaxLine;
use crate::domain::documents::{Document, DocumentKind, DocumentLine, DocumentStatus};
use crate::domain::exchange_rates::{convert, format_rate};
use crate::domain::money;
use crate::domain::taxes::format_percent;

/// A string of one of `values`, for the schema of a field kept as `&'static str`.
fn one_of(values: impl IntoIterator<Item = &'static str>) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .build()
}

fn kinds() -> Object {
    one_of(DocumentKind::ALL.map(DocumentKind::as_str))
}

fn statuses() -> Object {
    one_of(DocumentStatus::ALL.map(DocumentStatus::as_str))
}

/// A document as an answer: in full (one document), or as a row of the list.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Shown {
    Full(Box<DocumentDto>),
    Row(Box<DocumentRow>),
}

#[derive(Serialize, ToSchema)]
#[schema(as = DocumentLine)]
pub struct LineDto {
    pub item: Option<Uuid>,
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    /// Percent.
    pub discount_percent: String,
    pub tax_rate: Option<Uuid>,
    pub account: Uuid,
    /// Without tax.
    pub net_amount: String,
    pub tax_amount: String,
}

impl LineDto {
    fn new(l: &DocumentLine, decimals: u32) -> LineDto {
        LineDto {
            item: l.item_id,
            description: l.description.clone(),
            quantity: l.quantity.to_string(),
            unit_price: money::format(l.unit_price, decimals),
            discount_percent: l.discount_percent.to_string(),
            tax_rate: l.tax_rate_id,
            account: l.account_id,
            net_amount: money::format(l.net_amount, decimals),
            tax_amount: money::format(l.tax_amount, decimals),
        }
    }
}

/// One tax rate's totals on a document.
#[derive(Serialize, ToSchema)]
#[schema(as = DocumentTax)]
pub struct TaxDto {
    pub tax_rate: Uuid,
    pub name: String,
    /// Percent: `"20"`, `"7.5"`.
    pub rate: String,
    pub base: String,
    pub tax: String,
}

/// An invoice, credit note, bill or vendor credit: its row of the list, with what only the whole
/// document shows.
#[derive(Serialize, ToSchema)]
#[schema(as = Document)]
pub struct DocumentDto {
    #[serde(flatten)]
    pub row: DocumentRow,
    pub notes: String,
    pub payment_terms_days: i64,
    pub credited_document: Option<Uuid>,
    pub lines: Vec<LineDto>,
    pub tax_summary: Vec<TaxDto>,
    pub journal_entry: Option<Uuid>,
    pub void_entry: Option<Uuid>,
    #[schema(format = DateTime)]
    pub issued_at: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl DocumentDto {
    pub fn new(
        doc: &Document,
        contact_name: String,
        summary: &[TaxLine],
        duplicate_reference: bool,
        company: (&str, u32),
    ) -> DocumentDto {
        // Amounts are in the document's currency.
        let decimals = money::decimals(&doc.currency);
        let tax = |t: &TaxLine| TaxDto {
            tax_rate: t.rate_id,
            name: t.name.clone(),
            rate: format_percent(t.rate_ppm),
            base: money::format(t.base, decimals),
            tax: money::format(t.tax, decimals),
        };
        DocumentDto {
            row: DocumentRow::new(doc, contact_name, duplicate_reference, company),
            notes: doc.notes.clone(),
            payment_terms_days: doc.payment_terms_days,
            credited_document: doc.credited_document_id,
            lines: doc.lines.iter().map(|l| LineDto::new(l, decimals)).collect(),
            tax_summary: summary.iter().map(tax).collect(),
            journal_entry: doc.journal_entry_id,
            void_entry: doc.void_entry_id,
            issued_at: doc.issued_at.map(|t| t.to_string()),
            created_at: doc.created_at.to_string(),
            updated_at: doc.updated_at.to_string(),
        }
    }
}

/// A document as a row of its list: the header and the amounts, without lines.
#[derive(Serialize, ToSchema)]
#[schema(as = DocumentSummary)]
pub struct DocumentRow {
    pub id: Uuid,
    #[schema(schema_with = kinds)]
    pub kind: &'static str,
    /// `INV-2026-0001`, given when the document is issued.
    pub number: Option<String>,
    #[schema(schema_with = statuses)]
    pub status: &'static str,
    pub contact: Uuid,
    pub contact_name: String,
    #[schema(format = Date)]
    pub issue_date: String,
    #[schema(format = Date)]
    pub due_date: String,
    /// ISO 4217: every amount of the document is in it.
    pub currency: String,
    /// For another currency than the company's: units of the company currency per unit of
    /// `currency`. On a draft, the rate given (`null`: the rate of the issue date, taken when it
    /// is issued).
    pub exchange_rate: Option<String>,
    pub reference: String,
    pub subtotal: String,
    pub tax_total: String,
    pub total: String,
    /// Paid (invoices, bills) or applied (credits).
    pub amount_paid: String,
    pub balance_due: String,
    /// `total` and `balance_due` in the company currency at the document's rate (what the
    /// receivable or payable carries before any revaluation); `null` without a rate yet.
    pub total_company: Option<String>,
    pub balance_due_company: Option<String>,
    /// Another live bill of the same vendor carries the same reference.
    pub duplicate_reference: bool,
}

impl DocumentRow {
    /// `company`: the company's currency and its decimals.
    pub fn new(doc: &Document, contact_name: String, duplicate_reference: bool, company: (&str, u32)) -> DocumentRow {
        let decimals = money::decimals(&doc.currency);
        let m = |v: i64| money::format(v, decimals);
        let (company_currency, company_decimals) = company;
        let in_company = |v: i64| match doc.exchange_rate {
            None if doc.currency == company_currency => Some(money::format(v, company_decimals)),
            None => None,
            Some(rate) => convert::to_company(v, decimals, rate, company_decimals)
                .ok()
                .map(|c| money::format(c, company_decimals)),
        };
        DocumentRow {
            id: doc.id,
            kind: doc.kind.as_str(),
            number: doc.number.clone(),
            status: doc.status.as_str(),
            contact: doc.contact_id,
            contact_name,
            issue_date: doc.issue_date.to_string(),
            due_date: doc.due_date.to_string(),
            currency: doc.currency.clone(),
            exchange_rate: doc.exchange_rate.map(format_rate),
            reference: doc.reference.clone(),
            subtotal: m(doc.subtotal),
            tax_total: m(doc.tax_total),
            total: m(doc.total),
            amount_paid: m(doc.amount_paid),
            balance_due: m(doc.balance_due()),
            total_company: in_company(doc.total),
            balance_due_company: in_company(doc.balance_due()),
            duplicate_reference,
        }
    }
}
