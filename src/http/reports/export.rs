//! `?format=xlsx`, `csv` and `pdf` on the financial statements and the trial balance: the
//! report as a spreadsheet (real numbers with the currency's decimals, bold sections and totals,
//! names indented by the account tree, a frozen header row), as CSV (decimal strings) or as a PDF
//! in the firm's document template (`crate::pdf`, the heading row and the page header on every page).
//! `?format=json`, the default, is the JSON answer; anything else is a 400.

use std::str::FromStr;

use axum::Json;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format as Style, FormatAlign, Workbook, XlsxError};
use serde::Serialize;

use super::{ReportQuery, param};
use crate::app::AppState;
use crate::domain::ledger::Ctx;
use crate::domain::money;
use crate::domain::tenants::Company;
use crate::http::documents::print;
use crate::http::error::ApiError;
use crate::pdf;
use crate::store::Tx;

/// The most amount columns a PDF holds (on a landscape page); wider reports are for XLSX or CSV.
pub const MAX_PDF_COLUMNS: usize = 8;

/// The longest indentation Excel takes.
const MAX_INDENT: usize = 15;

/// How a report is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xlsx,
    Csv,
    Pdf,
}

impl Format {
    /// The `format` parameter: `json` (default), `xlsx`, `csv` or `pdf`.
    pub fn read(q: &ReportQuery) -> Result<Format, ApiError> {
        Format::parse(param(&q.0, "format"))
    }

    /// A `format` parameter's value, if given.
    pub fn parse(value: Option<&str>) -> Result<Format, ApiError> {
        match value {
            None | Some("" | "json") => Ok(Format::Json),
            Some("xlsx") => Ok(Format::Xlsx),
            Some("csv") => Ok(Format::Csv),
            Some("pdf") => Ok(Format::Pdf),
            Some(other) => Err(ApiError::field(
                "format",
                format!("\"{other}\" is not a valid choice: json, xlsx, csv or pdf."),
            )),
        }
    }
}

/// What a line of the sheet is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Section,
    Account,
    Total,
}

/// One line of the sheet: amounts as the API's decimal strings (empty for a heading).
pub struct Line {
    pub kind: LineKind,
    pub depth: usize,
    pub texts: Vec<String>,
    pub amounts: Vec<String>,
}

/// A report laid out as a table: the text columns, then the amount columns.
pub struct Sheet {
    /// The file name without its extension, e.g. `balance-sheet-2026-12-31`.
    pub file: String,
    /// The worksheet's name (at most 31 characters).
    pub title: &'static str,
    pub text_headers: Vec<&'static str>,
    pub amount_headers: Vec<String>,
    /// The company currency's decimals.
    pub decimals: u32,
    pub currency: String,
    /// What the report covers, for the PDF's header: `2026-01-01 – 2026-12-31` or a date.
    pub period: String,
    pub lines: Vec<Line>,
}

/// What a PDF adds to the sheet: the company as printed (with its logo) and the firm's template.
pub struct Look {
    company: pdf::Company,
    template: pdf::Template,
}

impl Look {
    /// Read in the report's transaction, only when a PDF is asked for.
    pub fn read(format: Format, tx: &mut Tx, ctx: &Ctx<'_>) -> Result<Option<Look>, ApiError> {
        if format != Format::Pdf {
            return Ok(None);
        }
        Look::of(format, tx, ctx.company)
    }

    /// The look of `company`'s documents, when a PDF is asked for (a report above one
    /// company's books: the consolidation, in its parent's look).
    pub fn of(format: Format, tx: &mut Tx, company: &Company) -> Result<Option<Look>, ApiError> {
        if format != Format::Pdf {
            return Ok(None);
        }
        let (logo, template) = print::firm_look(tx, company)?;
        Ok(Some(Look {
            company: print::company(company, logo),
            template,
        }))
    }
}

/// Answers `dto` as JSON, or `sheet()` in the format asked for; a PDF is drawn off the async
/// workers, after the transaction.
pub async fn answer<T: Serialize>(
    app: &AppState,
    format: Format,
    (dto, look): (T, Option<Look>),
    sheet: impl FnOnce(&T) -> Sheet,
) -> Result<Response, ApiError> {
    match format {
        Format::Pdf => {
            let s = sheet(&dto);
            if s.amount_headers.len() > MAX_PDF_COLUMNS {
                return Err(ApiError::field(
                    "format",
                    format!(
                        "A PDF holds at most {MAX_PDF_COLUMNS} columns side by side; this report has {}: ask for xlsx or csv.",
                        s.amount_headers.len()
                    ),
                ));
            }
            let look = look.ok_or_else(|| ApiError::Internal("the firm's look was not read".into()))?;
            let doc = pdf_document(&s, look.company);
            let template = look.template;
            let bytes = app
                .blocking(move |_| pdf::render(&doc, &template).map_err(|e| ApiError::Internal(e.to_string())))
                .await?;
            Ok(file("application/pdf", &s.file, "pdf", bytes))
        }
        Format::Json => Ok(Json(dto).into_response()),
        Format::Xlsx => {
            let s = sheet(&dto);
            let bytes = xlsx(&s).map_err(|e| ApiError::Internal(format!("spreadsheet: {e}")))?;
            Ok(file(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &s.file,
                "xlsx",
                bytes,
            ))
        }
        Format::Csv => {
            let s = sheet(&dto);
            let bytes = csv(&s).map_err(|e| ApiError::Internal(format!("CSV: {e}")))?;
            Ok(file("text/csv; charset=utf-8", &s.file, "csv", bytes))
        }
    }
}

/// The sheet as the PDF renderer takes it: amounts back to minor units.
fn pdf_document(s: &Sheet, company: pdf::Company) -> pdf::Document {
    let minor = |a: &str| {
        Decimal::from_str(a)
            .ok()
            .and_then(|v| money::to_minor(v, s.decimals).ok())
    };
    pdf::Document {
        kind: pdf::DocumentKind::Report,
        company,
        currency: s.currency.clone(),
        report: pdf::Report {
            title: s.title.to_owned(),
            period: s.period.clone(),
            headings: s.amount_headers.clone(),
            rows: s
                .lines
                .iter()
                .map(|l| pdf::ReportRow {
                    name: l.texts.last().cloned().unwrap_or_default(),
                    depth: l.depth,
                    bold: l.kind != LineKind::Account,
                    amounts: l.amounts.iter().map(|a| minor(a)).collect(),
                })
                .collect(),
        },
        ..pdf::Document::default()
    }
}

fn file(content_type: &'static str, name: &str, ext: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{name}.{ext}\"");
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// The Excel number format for `decimals` places, thousands grouped, negatives with a minus.
fn number_format(decimals: u32) -> String {
    if decimals == 0 {
        "#,##0".to_owned()
    } else {
        format!("#,##0.{}", "0".repeat(decimals.min(10) as usize))
    }
}

/// An amount string as the spreadsheet's number (Excel keeps numbers as doubles).
fn number(amount: &str) -> Option<f64> {
    Decimal::from_str(amount).ok()?.to_f64()
}

/// The workbook: one sheet, the header row frozen.
pub fn xlsx(s: &Sheet) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(s.title)?;
    let money = number_format(s.decimals);
    let head = Style::new().set_bold();
    let head_amount = Style::new().set_bold().set_align(FormatAlign::Right);
    let texts = u16::try_from(s.text_headers.len()).unwrap_or(u16::MAX);
    for (c, h) in (0u16..).zip(&s.text_headers) {
        ws.write_string_with_format(0, c, *h, &head)?;
    }
    for (c, h) in (texts..).zip(&s.amount_headers) {
        ws.write_string_with_format(0, c, h, &head_amount)?;
        ws.set_column_width(c, 16)?;
    }
    ws.set_freeze_panes(1, 0)?;
    // The name column is the last text column: wide, indented by the tree.
    let name_col = texts.saturating_sub(1);
    ws.set_column_width(name_col, 40)?;
    let mut names: Vec<Style> = Vec::new();
    let plain = Style::new().set_num_format(&money);
    let bold = Style::new().set_bold().set_num_format(&money);
    let normal = Style::new();
    for (r, line) in (1u32..).zip(&s.lines) {
        let strong = line.kind != LineKind::Account;
        let depth = line.depth.min(MAX_INDENT);
        while names.len() <= depth * 2 + 1 {
            let d = names.len() / 2;
            let mut f = Style::new().set_indent(u8::try_from(d).unwrap_or(0));
            if names.len() % 2 == 1 {
                f = f.set_bold();
            }
            names.push(f);
        }
        let name_style = &names[depth * 2 + usize::from(strong)];
        let text_style = if strong { &head } else { &normal };
        for (c, t) in (0u16..).zip(&line.texts) {
            if c == name_col {
                ws.write_string_with_format(r, c, t, name_style)?;
            } else if !t.is_empty() {
                ws.write_string_with_format(r, c, t, text_style)?;
            }
        }
        let style = if strong { &bold } else { &plain };
        for (c, a) in (texts..).zip(&line.amounts) {
            match number(a) {
                Some(v) => ws.write_number_with_format(r, c, v, style)?,
                None => ws.write_string_with_format(r, c, a, style)?,
            };
        }
    }
    wb.save_to_buffer()
}

/// The CSV: a header row, then one row per line, amounts as decimal strings.
pub fn csv(s: &Sheet) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header: Vec<&str> = s
        .text_headers
        .iter()
        .copied()
        .chain(s.amount_headers.iter().map(String::as_str))
        .collect();
    w.write_record(&header)?;
    let width = header.len();
    for line in &s.lines {
        let mut record: Vec<&str> = line.texts.iter().map(String::as_str).collect();
        record.extend(line.amounts.iter().map(String::as_str));
        record.resize(width, "");
        w.write_record(&record)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::{number, number_format};

    #[test]
    fn the_number_format_follows_the_currency() {
        assert_eq!(number_format(2), "#,##0.00");
        assert_eq!(number_format(0), "#,##0");
        assert_eq!(number_format(3), "#,##0.000");
    }

    #[test]
    fn amounts_become_numbers() {
        assert_eq!(number("-1234.56"), Some(-1234.56));
        assert_eq!(number("0"), Some(0.0));
        assert_eq!(number("x"), None);
    }
}
