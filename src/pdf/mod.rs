//! Invoice, credit note, customer statement and report (financial statements) PDFs: plain data and a [`Template`] in, PDF bytes out.
//!
//! No database, HTTP or JSON here: the caller gathers the figures (amounts in integer minor units,
//! already computed by the books) and a firm's template, and gets bytes back. Drawing is done with
//! krilla, which has no layout engine, so `layout.rs` wraps text and flows it over pages, `table.rs`
//! breaks tables across them, `compose/` (with its `statement.rs`) arranges the sections of each kind of
//! document and `draw.rs` writes the PDF.
//! Text is drawn as real text with ToUnicode maps, so it can be searched and extracted.

mod compose;
mod draw;
mod fonts;
mod layout;
mod table;
mod template;

#[cfg(test)]
mod tests;

use jiff::civil::Date;
use rust_decimal::Decimal;

pub use template::{DEFAULT_TOML, Labels, Paper, Template};

/// Which document is drawn; it picks the title and the body (line table or statement table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DocumentKind {
    #[default]
    Invoice,
    CreditNote,
    Statement,
    /// A report (balance sheet, P&L, …): its own title, a period and a table ([`Report`]).
    Report,
    /// A quote: lines and totals like an invoice, `due_date` printed as "valid until", no
    /// balance due.
    Quote,
    /// A delivery note: what was delivered (description and quantity), no prices.
    DeliveryNote,
}

/// The issuing company, drawn in the header.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Company {
    pub name: String,
    pub address: Vec<String>,
    pub tax_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// PNG or JPEG bytes, drawn at most 150 × 56 pt when the template's `show_logo` is on.
    pub logo: Option<Vec<u8>>,
}

/// The customer the document is addressed to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Recipient {
    pub name: String,
    pub address: Vec<String>,
    pub tax_id: Option<String>,
}

/// One invoice or credit note line, with the figures as the books computed them: the renderer
/// formats, it does not calculate.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Line {
    pub description: String,
    pub quantity: Decimal,
    /// Minor units of the document currency.
    pub unit_price: i64,
    /// Percent, e.g. `10` for 10 %. The discount column is shown only if some line has one.
    pub discount_percent: Option<Decimal>,
    /// e.g. "VAT 20%"; the tax column is shown only if some line has one.
    pub tax_label: String,
    /// Net line amount, minor units.
    pub amount: i64,
}

/// One row of the tax summary: the base and the tax of one rate.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TaxRow {
    /// e.g. "VAT 20%".
    pub label: String,
    pub base: i64,
    pub tax: i64,
}

/// Document totals in minor units. "Amount paid" is shown only when it is not zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub subtotal: i64,
    pub tax: i64,
    pub total: i64,
    pub paid: i64,
    pub balance_due: i64,
}

/// One dated movement on a customer statement.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StatementRow {
    pub date: Date,
    /// Document number, e.g. the invoice or payment reference.
    pub document: String,
    pub description: String,
    /// Charges (invoices), minor units; 0 shows as blank.
    pub debit: i64,
    /// Credits and payments, minor units; 0 shows as blank.
    pub credit: i64,
}

/// Open amounts by age, minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ageing {
    pub current: i64,
    pub days_1_30: i64,
    pub days_31_60: i64,
    pub days_61_90: i64,
    pub over_90: i64,
}

/// The statement part of a document (ignored for invoices and credit notes). The running balance and
/// the closing balance are computed from the opening balance and the rows, so they always agree.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Statement {
    /// Start of the period; the statement date (`Document::issue_date`) ends it.
    pub period_start: Option<Date>,
    pub opening_balance: i64,
    pub rows: Vec<StatementRow>,
    pub ageing: Ageing,
}

impl Statement {
    /// Opening balance plus charges minus credits; `None` if it overflows.
    pub fn closing_balance(&self) -> Option<i64> {
        self.rows.iter().try_fold(self.opening_balance, |acc, r| {
            acc.checked_add(r.debit)?.checked_sub(r.credit)
        })
    }
}

/// One line of a report: a name indented by `depth`, an amount per column (`None` blank).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportRow {
    pub name: String,
    pub depth: usize,
    pub bold: bool,
    /// Minor units of the document currency.
    pub amounts: Vec<Option<i64>>,
}

/// The most amount columns a report prints on an upright page.
pub const PORTRAIT_COLUMNS: usize = 3;

/// The report part of a document (used by [`DocumentKind::Report`] only).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// e.g. "Profit and loss"; drawn as the document's title.
    pub title: String,
    /// e.g. "2026-01-01 – 2026-12-31", drawn under the title.
    pub period: String,
    /// The heading of each amount column. More than [`PORTRAIT_COLUMNS`] turn the page to landscape.
    pub headings: Vec<String>,
    pub rows: Vec<ReportRow>,
}

/// Everything drawn on one document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    pub kind: DocumentKind,
    pub company: Company,
    pub recipient: Recipient,
    pub number: String,
    /// Invoice date, or the statement date.
    pub issue_date: Date,
    pub due_date: Option<Date>,
    /// e.g. the customer's order number, or the invoice a credit note corrects.
    pub reference: Option<String>,
    /// ISO 4217 code; it decides the decimals of every amount.
    pub currency: String,
    pub lines: Vec<Line>,
    pub tax_summary: Vec<TaxRow>,
    pub totals: Totals,
    pub notes: Option<String>,
    pub payment_instructions: Option<String>,
    pub statement: Statement,
    pub report: Report,
}

/// Why a document could not be rendered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PdfError {
    #[error("The document template is not valid: {0}")]
    Template(String),
    #[error("The logo is not a usable PNG or JPEG image: {0}")]
    Logo(String),
    #[error("The embedded font could not be used: {0}")]
    Font(String),
    #[error("The document cannot be drawn: {0}")]
    Document(String),
    #[error("The PDF could not be written: {0}")]
    Write(String),
}

/// Renders `doc` with `template` to PDF bytes. Takes a few milliseconds for a one-page invoice; it
/// is CPU work, so async callers run it on a blocking thread.
pub fn render(doc: &Document, template: &Template) -> Result<Vec<u8>, PdfError> {
    template.validate()?;
    let fonts = fonts::fonts()?;
    let logo = match (&doc.company.logo, template.show_logo) {
        (Some(bytes), true) => Some(draw::logo(bytes)?),
        _ => None,
    };
    // The firm's standing payment instructions, unless the document brings its own.
    let with_instructions;
    let doc = if doc.payment_instructions.is_none()
        && doc.kind == DocumentKind::Invoice
        && !template.payment_instructions.trim().is_empty()
    {
        with_instructions = Document {
            payment_instructions: Some(template.payment_instructions.trim().to_owned()),
            ..doc.clone()
        };
        &with_instructions
    } else {
        doc
    };
    let pages = compose::compose(doc, template, fonts, logo.as_ref().map(|l| l.size()))?;
    let title = format!("{} {}", compose::document_title(doc, &template.labels), doc.number);
    draw::pdf(
        &pages,
        compose::page_size(doc, template),
        fonts,
        logo.as_ref(),
        title.trim(),
    )
}

/// Largest logo accepted, in pixels (2048 × 2048). It is printed at most 150 × 56 pt, which
/// 1250 × 470 pixels fill sharply even at 600 dpi; and a file of a few kilobytes can declare a
/// canvas that takes gigabytes to decode.
const MAX_LOGO_PIXELS: u64 = 2048 * 2048;
/// Largest image a PNG logo may decode to: krilla decodes it whole (16-bit channels and
/// transparency expanded), then splits colour from alpha and compresses both, so the check of
/// [`check_logo`] peaks at about three times this.
const MAX_LOGO_DECODED_BYTES: usize = 16 * 1024 * 1024;
/// What the PNG decoder may allocate while reading the chunks before the image data (colour
/// profiles and text are compressed, and could expand without end).
const MAX_PNG_METADATA_BYTES: usize = 2 * 1024 * 1024;

/// Checks a logo's header without decoding its pixels: PNG or JPEG by signature, at most
/// [`MAX_LOGO_PIXELS`], and for a PNG at most [`MAX_LOGO_DECODED_BYTES`] once decoded, the chunks
/// before its image data read under [`MAX_PNG_METADATA_BYTES`]. Cheap: run it before anything
/// else is done with an upload. Returns the size in pixels.
pub fn check_logo_header(bytes: &[u8]) -> Result<(u32, u32), PdfError> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        let mut decoder = png::Decoder::new_with_limits(
            std::io::Cursor::new(bytes),
            png::Limits {
                bytes: MAX_PNG_METADATA_BYTES,
            },
        );
        // As krilla decodes it: palettes, low bit depths and transparency expanded.
        decoder.set_transformations(png::Transformations::EXPAND);
        let (width, height) = decoder
            .read_header_info()
            .map(|i| (i.width, i.height))
            .map_err(png_error)?;
        too_many_pixels(width, height)?;
        let reader = decoder.read_info().map_err(png_error)?;
        match reader.output_buffer_size() {
            Some(n) if n <= MAX_LOGO_DECODED_BYTES => {}
            _ => {
                return Err(PdfError::Logo(format!(
                    "{width} × {height} pixels at this colour depth take more than {} MiB to draw: \
                     save it smaller, or with 8 bits per channel",
                    MAX_LOGO_DECODED_BYTES / (1024 * 1024)
                )));
            }
        }
    }
    let (width, height) = draw::logo(bytes)?.size();
    too_many_pixels(width, height)?;
    Ok((width, height))
}

fn too_many_pixels(width: u32, height: u32) -> Result<(), PdfError> {
    if u64::from(width) * u64::from(height) > MAX_LOGO_PIXELS {
        return Err(PdfError::Logo(format!(
            "{width} × {height} pixels is more than a logo needs (at most {MAX_LOGO_PIXELS} pixels, \
             such as 2048 × 2048; it is printed at most 150 × 56 points)"
        )));
    }
    Ok(())
}

fn png_error(e: png::DecodingError) -> PdfError {
    match e {
        png::DecodingError::LimitsExceeded => {
            PdfError::Logo("its colour profile or text takes too much memory to read".into())
        }
        other => PdfError::Logo(other.to_string().to_ascii_lowercase()),
    }
}

/// Checks an uploaded logo before it is stored: [`check_logo_header`], then a complete decode.
/// krilla reads only an image's header until the PDF is written, so the logo is drawn once on an
/// empty document: a file that passes here cannot break a firm's invoices later.
pub fn check_logo(bytes: &[u8]) -> Result<(), PdfError> {
    check_logo_header(bytes)?;
    let probe = Document {
        company: Company {
            logo: Some(bytes.to_vec()),
            ..Company::default()
        },
        currency: "EUR".into(),
        issue_date: jiff::civil::date(2026, 1, 1),
        ..Document::default()
    };
    match render(&probe, &Template::default()) {
        Ok(_) => Ok(()),
        Err(PdfError::Logo(message)) => Err(PdfError::Logo(message)),
        Err(other) => Err(PdfError::Logo(other.to_string())),
    }
}
