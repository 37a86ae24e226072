//! The review queue's answers: a draft's fields, each with its value (amounts as decimal strings
//! in the draft's currency), its confidence and the span of the extracted text it was read from.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::capture::{Field, Span, Stored};
use crate::domain::money;

/// Byte offsets into the document's extracted text (`text` of the draft).
#[derive(Serialize, ToSchema, Clone, Copy)]
#[schema(as = CaptureSpan)]
pub struct SpanDto {
    start: usize,
    end: usize,
}

/// One field as read.
#[derive(Serialize, ToSchema)]
#[schema(as = CaptureField)]
pub struct FieldDto {
    value: String,
    /// 0–100: how sure the reader is (see docs/capture.md).
    confidence: u8,
    span: Option<SpanDto>,
}

/// The fields read; a field not found is `null`.
#[derive(Serialize, ToSchema)]
#[schema(as = CaptureFields)]
pub struct FieldsDto {
    /// The vendor's name (matched contact: `vendor` of the draft).
    vendor: Option<FieldDto>,
    date: Option<FieldDto>,
    due_date: Option<FieldDto>,
    number: Option<FieldDto>,
    currency: Option<FieldDto>,
    net: Option<FieldDto>,
    tax: Option<FieldDto>,
    gross: Option<FieldDto>,
}

/// The tax of one rate as printed.
#[derive(Serialize, ToSchema)]
#[schema(as = CaptureTax)]
pub struct TaxDto {
    /// Percent, e.g. `"19"`.
    rate: String,
    base: Option<String>,
    tax: String,
    confidence: u8,
    span: Option<SpanDto>,
}

/// A line of the document as printed.
#[derive(Serialize, ToSchema)]
#[schema(as = CaptureLine)]
pub struct LineDto {
    description: String,
    amount: String,
    confidence: u8,
    span: Option<SpanDto>,
}

/// What accepting made.
#[derive(Serialize, ToSchema)]
#[schema(as = CaptureResult)]
pub struct ResultDto {
    /// `bill` or `expense` (a journal entry).
    kind: &'static str,
    id: Uuid,
}

/// A draft in the queue (the list's shape).
#[derive(Serialize, ToSchema)]
#[schema(as = CaptureDraftSummary)]
pub struct DraftSummaryDto {
    id: Uuid,
    /// `pending`, `accepted` or `rejected`.
    status: &'static str,
    /// The document (`/api/documents/{id}/`) and the version read.
    file: Uuid,
    file_name: String,
    version: i64,
    /// The matched vendor (a contact), if any.
    vendor: Option<Uuid>,
    fields: FieldsDto,
    result: Option<ResultDto>,
    #[schema(format = DateTime)]
    created_at: String,
}

/// A draft with its lines, tax per rate and the text the spans point into.
#[derive(Serialize, ToSchema)]
#[schema(as = CaptureDraft)]
pub struct DraftDto {
    #[serde(flatten)]
    summary: DraftSummaryDto,
    taxes: Vec<TaxDto>,
    lines: Vec<LineDto>,
    /// The extracted text (only on the draft itself).
    text: Option<String>,
}

fn span(s: Option<Span>) -> Option<SpanDto> {
    s.map(|s| SpanDto {
        start: s.start,
        end: s.end,
    })
}

fn field<T>(f: &Option<Field<T>>, show: impl Fn(&T) -> String) -> Option<FieldDto> {
    f.as_ref().map(|f| FieldDto {
        value: show(&f.value),
        confidence: f.confidence,
        span: span(f.span),
    })
}

fn percent(ppm: i64) -> String {
    money::format(ppm, 4)
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_owned()
}

impl DraftSummaryDto {
    pub fn new(s: &Stored) -> Self {
        let d = &s.draft;
        let decimals = money::decimals(d.currency.as_ref().map_or("", |f| f.value.as_str()));
        let m = |v: &i64| money::format(*v, decimals);
        DraftSummaryDto {
            id: s.id,
            status: s.status.as_str(),
            file: s.file_id,
            file_name: s.file_name.clone(),
            version: s.version,
            vendor: d.vendor.as_ref().and_then(|v| v.value.contact_id),
            fields: FieldsDto {
                vendor: field(&d.vendor, |v| v.name.clone()),
                date: field(&d.date, ToString::to_string),
                due_date: field(&d.due_date, ToString::to_string),
                number: field(&d.number, Clone::clone),
                currency: field(&d.currency, Clone::clone),
                net: field(&d.net, m),
                tax: field(&d.tax, m),
                gross: field(&d.gross, m),
            },
            result: s.result.map(|(kind, id)| ResultDto {
                kind: kind.as_str(),
                id,
            }),
            created_at: s.created_at.to_string(),
        }
    }
}

impl DraftDto {
    pub fn new(s: &Stored, text: Option<String>) -> Self {
        let decimals = money::decimals(s.draft.currency.as_ref().map_or("", |f| f.value.as_str()));
        DraftDto {
            summary: DraftSummaryDto::new(s),
            taxes: s
                .draft
                .taxes
                .iter()
                .map(|t| TaxDto {
                    rate: percent(t.value.rate_ppm),
                    base: t.value.base.map(|b| money::format(b, decimals)),
                    tax: money::format(t.value.tax, decimals),
                    confidence: t.confidence,
                    span: span(t.span),
                })
                .collect(),
            lines: s
                .draft
                .lines
                .iter()
                .map(|l| LineDto {
                    description: l.value.description.clone(),
                    amount: money::format(l.value.amount, decimals),
                    confidence: l.confidence,
                    span: span(l.span),
                })
                .collect(),
            text,
        }
    }
}
