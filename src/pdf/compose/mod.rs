//! The sections of each document, placed with the layout engine: header (logo, company, title,
//! number and dates), recipient, then the line table with tax summary and totals (invoices and
//! credit notes) or the statement (`statement.rs`), then notes and payment instructions.

mod report;
mod statement;

use super::fonts::Fonts;
use super::layout::{Align, Flow, Footer, Geometry, INK, MUTED, Op, RULE, Rgb, Style, WHITE, wrap};
use super::table::{Column, ColumnSpec, Row, TableStyle};
use super::template::{Labels, Template};
use super::{Document, DocumentKind, PdfError};

/// Largest logo box: wide logos are limited by the width, square ones by the height.
const LOGO_MAX_W: f32 = 150.0;
const LOGO_MAX_H: f32 = 56.0;
/// The footer is small print; more lines than this are cut so that it cannot eat the page body.
const MAX_FOOTER_LINES: usize = 6;

/// The title of a kind of document, in the template's words.
pub(crate) fn title(kind: DocumentKind, labels: &Labels) -> &str {
    match kind {
        DocumentKind::Invoice => &labels.invoice_title,
        DocumentKind::CreditNote => &labels.credit_note_title,
        DocumentKind::Statement => &labels.statement_title,
        DocumentKind::Report => "",
        DocumentKind::Quote => &labels.quote_title,
        DocumentKind::DeliveryNote => &labels.delivery_note_title,
    }
}

/// The template's paper, turned to landscape for a report wider than [`super::PORTRAIT_COLUMNS`].
pub(crate) fn page_size(doc: &Document, t: &Template) -> (f32, f32) {
    let (w, h) = t.paper.size();
    if doc.kind == DocumentKind::Report && doc.report.headings.len() > super::PORTRAIT_COLUMNS {
        (w.max(h), w.min(h))
    } else {
        (w, h)
    }
}

/// The document's title: the kind's, or a report's own.
pub(crate) fn document_title<'a>(doc: &'a Document, labels: &'a Labels) -> &'a str {
    match doc.kind {
        DocumentKind::Report => &doc.report.title,
        kind => title(kind, labels),
    }
}

/// What every section needs: the document, the template and the derived styles.
pub(super) struct Ctx<'a> {
    pub(super) doc: &'a Document,
    pub(super) t: &'a Template,
    decimals: u32,
    pub(super) accent: Rgb,
    pub(super) body: Style,
    small: Style,
    pub(super) table: TableStyle,
}

impl Ctx<'_> {
    pub(super) fn money(&self, minor: i64) -> String {
        self.t.format_amount(minor, self.decimals)
    }

    /// An amount with the currency code in front, for totals and the balance due.
    pub(super) fn money_with_code(&self, minor: i64) -> String {
        let amount = self.money(minor);
        match self.doc.currency.trim() {
            "" => amount,
            code => format!("{code} {amount}"),
        }
    }

    pub(super) fn date(&self, date: jiff::civil::Date) -> Result<String, PdfError> {
        self.t.format_date(date)
    }

    pub(super) fn heading(&self) -> Style {
        Style::new(self.small.size, true, self.accent)
    }
}

/// Lays out the whole document and returns its pages.
pub(crate) fn compose(
    doc: &Document,
    t: &Template,
    fonts: &Fonts,
    logo_px: Option<(u32, u32)>,
) -> Result<Vec<Vec<Op>>, PdfError> {
    let accent = t.accent()?;
    let base = t.font_size;
    let body = Style::new(base, false, INK);
    let small = Style::new((base - 1.5).max(6.0), false, MUTED);
    let cx = Ctx {
        doc,
        t,
        decimals: crate::domain::money::decimals(doc.currency.trim()),
        accent,
        body,
        small,
        table: TableStyle {
            body,
            head: Style::new(base - 0.5, true, WHITE),
            head_fill: accent,
            stripe: true,
            pad_x: 4.0,
            pad_y: 3.0,
        },
    };

    let (width, height) = page_size(doc, t);
    let geometry = Geometry {
        width,
        height,
        margin_x: 42.0,
        margin_top: 40.0,
        margin_bottom: 30.0,
    };
    let content = width - 2.0 * geometry.margin_x;
    let widest_label = t.labels.page.replace("{n}", "999").replace("{m}", "999");
    let label_room = fonts.face(false).width(&widest_label, small.size) + 16.0;
    let mut footer_lines = match t.footer.trim() {
        "" => Vec::new(),
        text => wrap(fonts, text, small, (content - label_room).max(content / 2.0)),
    };
    footer_lines.truncate(MAX_FOOTER_LINES);
    let footer = Footer {
        lines: footer_lines,
        page_label: t.labels.page.clone(),
        style: small,
    };
    let named = format!("{} {}", document_title(doc, &t.labels), doc.number);
    let head_right = format!("{} ({})", named.trim(), t.labels.continued);
    let mut flow = Flow::new(fonts, geometry, footer, (doc.company.name.clone(), head_right));

    header(&mut flow, &cx, logo_px)?;
    match doc.kind {
        DocumentKind::Invoice | DocumentKind::CreditNote | DocumentKind::Quote => invoice_body(&mut flow, &cx),
        DocumentKind::DeliveryNote => delivery_body(&mut flow, &cx),
        DocumentKind::Statement => statement::body(&mut flow, &cx)?,
        DocumentKind::Report => report::body(&mut flow, &cx),
    }
    for (label, text) in [
        (&t.labels.notes, &doc.notes),
        (&t.labels.payment_instructions, &doc.payment_instructions),
    ] {
        let Some(text) = text.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
            continue;
        };
        flow.y += 12.0;
        flow.ensure(cx.heading().line_height() + body.line_height());
        let (left, w) = (flow.left, flow.content_width());
        flow.paragraph(label, cx.heading(), left, w, Align::Left);
        flow.paragraph(text, body, left, w, Align::Left);
    }
    Ok(flow.finish())
}

/// Title, number and dates on the right; logo and company on the left; the recipient below.
fn header(flow: &mut Flow<'_>, cx: &Ctx<'_>, logo_px: Option<(u32, u32)>) -> Result<(), PdfError> {
    let (doc, labels) = (cx.doc, &cx.t.labels);
    let top = flow.y;
    let (left, content) = (flow.left, flow.content_width());
    let left_w = content * 0.55;
    let right_x = left + content * 0.58;
    let right_w = flow.right - right_x;

    // Right column first: it is short and bounded, so it never breaks the page.
    let title_style = Style::new(cx.body.size * 2.2, true, cx.accent);
    flow.paragraph(document_title(doc, labels), title_style, right_x, right_w, Align::Right);
    flow.y += 6.0;
    let mut pairs: Vec<(&str, String, bool)> = Vec::new();
    if !doc.number.trim().is_empty() {
        pairs.push((&labels.number, doc.number.clone(), true));
    }
    if doc.kind == DocumentKind::Report {
        pairs.push((&labels.period, doc.report.period.clone(), false));
    } else {
        pairs.push((&labels.issue_date, cx.date(doc.issue_date)?, false));
    }
    if doc.kind == DocumentKind::Statement {
        if let Some(start) = doc.statement.period_start {
            pairs.push((
                &labels.period,
                format!("{} – {}", cx.date(start)?, cx.date(doc.issue_date)?),
                false,
            ));
        }
    } else if let Some(due) = doc.due_date {
        let label = if doc.kind == DocumentKind::Quote {
            &labels.valid_until
        } else {
            &labels.due_date
        };
        pairs.push((label, cx.date(due)?, false));
    }
    if let Some(reference) = doc.reference.as_deref().filter(|r| !r.trim().is_empty()) {
        pairs.push((&labels.reference, reference.to_string(), false));
    }
    if !doc.currency.trim().is_empty() && doc.kind != DocumentKind::DeliveryNote {
        pairs.push((&labels.currency, doc.currency.trim().to_string(), false));
    }
    match doc.kind {
        DocumentKind::Statement => pairs.push((
            &labels.amount_due,
            cx.money_with_code(statement::closing_balance(doc)?),
            true,
        )),
        DocumentKind::Report | DocumentKind::DeliveryNote => {}
        DocumentKind::Quote => pairs.push((&labels.total, cx.money_with_code(doc.totals.total), true)),
        DocumentKind::Invoice | DocumentKind::CreditNote => {
            pairs.push((&labels.balance_due, cx.money_with_code(doc.totals.balance_due), true))
        }
    }
    let label_w = right_w * 0.45;
    for (label, value, bold) in pairs {
        let value_style = Style::new(cx.body.size, bold, INK);
        let label_lines = flow.wrap(
            label,
            Style {
                color: MUTED,
                ..cx.body
            },
            label_w - 6.0,
        );
        let value_lines = flow.wrap(&value, value_style, right_w - label_w);
        let lh = cx.body.line_height();
        for i in 0..label_lines.len().max(value_lines.len()) {
            let y = flow.y + flow.baseline_offset(cx.body);
            if let Some(l) = label_lines.get(i) {
                flow.text_in(
                    l,
                    Style {
                        color: MUTED,
                        ..cx.body
                    },
                    right_x,
                    label_w,
                    Align::Left,
                    y,
                );
            }
            if let Some(v) = value_lines.get(i) {
                flow.text_in(v, value_style, right_x + label_w, right_w - label_w, Align::Right, y);
            }
            flow.y += lh;
        }
    }
    let right_bottom = flow.y;

    // Left column: logo, company.
    flow.y = top;
    if let Some((px_w, px_h)) = logo_px.filter(|(w, h)| *w > 0 && *h > 0) {
        let scale = (LOGO_MAX_W / px_w as f32).min(LOGO_MAX_H / px_h as f32);
        let (w, h) = (px_w as f32 * scale, px_h as f32 * scale);
        flow.push(Op::Logo { x: left, y: top, w, h });
        flow.y += h + 10.0;
    }
    let pages_before = flow.page_count();
    let company = &doc.company;
    flow.paragraph(
        &company.name,
        Style::new(cx.body.size + 3.0, true, INK),
        left,
        left_w,
        Align::Left,
    );
    for line in company_lines(
        &company.address,
        &company.tax_id,
        &company.email,
        &company.phone,
        labels,
    ) {
        flow.paragraph(&line, cx.body, left, left_w, Align::Left);
    }
    if flow.page_count() == pages_before {
        flow.y = flow.y.max(right_bottom);
    }

    // Recipient (a report has none).
    flow.y += 18.0;
    if doc.kind == DocumentKind::Report {
        return Ok(());
    }
    let recipient = &doc.recipient;
    let heading = match doc.kind {
        DocumentKind::Statement => &labels.statement_for,
        DocumentKind::DeliveryNote => &labels.deliver_to,
        _ => &labels.bill_to,
    };
    flow.ensure(cx.heading().line_height() + cx.body.line_height() * 2.0);
    flow.paragraph(heading, cx.heading(), left, left_w, Align::Left);
    flow.paragraph(
        &recipient.name,
        Style::new(cx.body.size + 1.0, true, INK),
        left,
        left_w,
        Align::Left,
    );
    for line in company_lines(&recipient.address, &recipient.tax_id, &None, &None, labels) {
        flow.paragraph(&line, cx.body, left, left_w, Align::Left);
    }
    flow.y += 16.0;
    Ok(())
}

fn company_lines(
    address: &[String],
    tax_id: &Option<String>,
    email: &Option<String>,
    phone: &Option<String>,
    labels: &Labels,
) -> Vec<String> {
    let mut lines: Vec<String> = address.iter().filter(|l| !l.trim().is_empty()).cloned().collect();
    for (label, value) in [(&labels.tax_id, tax_id), (&labels.email, email), (&labels.phone, phone)] {
        if let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            lines.push(if label.is_empty() {
                value.to_string()
            } else {
                format!("{label}: {value}")
            });
        }
    }
    lines
}

/// The line table, then the tax summary (left) beside the totals (right).
/// A delivery note's body: what was delivered, without prices.
fn delivery_body(flow: &mut Flow<'_>, cx: &Ctx<'_>) {
    let labels = &cx.t.labels;
    let specs = [
        ColumnSpec {
            heading: &labels.description,
            align: Align::Left,
            flex: true,
        },
        ColumnSpec {
            heading: &labels.quantity,
            align: Align::Right,
            flex: false,
        },
    ];
    let rows: Vec<Row> = cx
        .doc
        .lines
        .iter()
        .map(|l| Row {
            cells: vec![l.description.clone(), cx.t.format_decimal(l.quantity)],
            bold: false,
        })
        .collect();
    let columns = flow.fit_columns(&specs, &rows, &cx.table);
    flow.table(&columns, &rows, &cx.table);
    flow.y += 14.0;
}

fn invoice_body(flow: &mut Flow<'_>, cx: &Ctx<'_>) {
    let (doc, labels) = (cx.doc, &cx.t.labels);
    let has_discount = doc
        .lines
        .iter()
        .any(|l| l.discount_percent.is_some_and(|d| !d.is_zero()));
    let has_tax = doc.lines.iter().any(|l| !l.tax_label.trim().is_empty());
    let mut specs = vec![
        ColumnSpec {
            heading: &labels.description,
            align: Align::Left,
            flex: true,
        },
        ColumnSpec {
            heading: &labels.quantity,
            align: Align::Right,
            flex: false,
        },
        ColumnSpec {
            heading: &labels.unit_price,
            align: Align::Right,
            flex: false,
        },
    ];
    if has_discount {
        specs.push(ColumnSpec {
            heading: &labels.discount,
            align: Align::Right,
            flex: false,
        });
    }
    if has_tax {
        specs.push(ColumnSpec {
            heading: &labels.tax,
            align: Align::Right,
            flex: false,
        });
    }
    specs.push(ColumnSpec {
        heading: &labels.amount,
        align: Align::Right,
        flex: false,
    });
    let rows: Vec<Row> = doc
        .lines
        .iter()
        .map(|l| {
            let mut cells = vec![
                l.description.clone(),
                cx.t.format_decimal(l.quantity),
                cx.money(l.unit_price),
            ];
            if has_discount {
                let d = l.discount_percent.filter(|d| !d.is_zero());
                cells.push(d.map(|d| format!("{}%", cx.t.format_decimal(d))).unwrap_or_default());
            }
            if has_tax {
                cells.push(l.tax_label.clone());
            }
            cells.push(cx.money(l.amount));
            Row { cells, bold: false }
        })
        .collect();
    let columns = flow.fit_columns(&specs, &rows, &cx.table);
    flow.table(&columns, &rows, &cx.table);
    flow.y += 14.0;

    // Totals: label, value, bold, accent.
    let t = &doc.totals;
    let mut totals: Vec<(&str, String, bool, bool)> = vec![
        (&labels.subtotal, cx.money(t.subtotal), false, false),
        (&labels.tax_total, cx.money(t.tax), false, false),
        (&labels.total, cx.money_with_code(t.total), true, false),
    ];
    if t.paid != 0 {
        totals.push((&labels.amount_paid, cx.money(t.paid), false, false));
    }
    if doc.kind != DocumentKind::Quote {
        totals.push((&labels.balance_due, cx.money_with_code(t.balance_due), true, true));
    }
    let lh = cx.body.line_height() + 3.0;
    let totals_h = totals.len() as f32 * lh + 12.0;
    let tax_h = if doc.tax_summary.is_empty() {
        0.0
    } else {
        cx.heading().line_height()
            + (doc.tax_summary.len() as f32 + 1.0) * (cx.body.line_height() + 2.0 * cx.table.pad_y)
            + 4.0
    };
    flow.ensure(totals_h.max(tax_h));
    let top = flow.y;
    let pages_before = flow.page_count();

    let content = flow.content_width();
    let totals_w = content * 0.42;
    let x = flow.right - totals_w;
    for (label, value, bold, accent) in totals {
        let color = if accent { cx.accent } else { INK };
        if bold {
            flow.y += 2.0;
            let y = flow.y;
            flow.push(Op::Rule {
                x1: x,
                y1: y,
                x2: x + totals_w,
                y2: y,
                width: 0.75,
                color: RULE,
            });
            flow.y += 2.0;
        }
        let label_style = Style::new(cx.body.size, bold, if bold { color } else { MUTED });
        let value_style = Style::new(cx.body.size, bold, color);
        let baseline = flow.y + flow.baseline_offset(value_style);
        flow.text_in(
            label,
            label_style,
            x + cx.table.pad_x,
            totals_w * 0.5,
            Align::Left,
            baseline,
        );
        flow.text_in(
            &value,
            value_style,
            x + totals_w * 0.4,
            totals_w * 0.6 - cx.table.pad_x,
            Align::Right,
            baseline,
        );
        flow.y += lh;
    }
    let totals_bottom = flow.y;

    if !doc.tax_summary.is_empty() {
        flow.y = top;
        let w = (content * 0.5).min(content - totals_w - 16.0);
        let (left, heading) = (flow.left, cx.heading());
        flow.paragraph(&labels.tax_summary, heading, left, w, Align::Left);
        let columns = vec![
            Column {
                heading: labels.tax_rate.clone(),
                width: w * 0.4,
                align: Align::Left,
            },
            Column {
                heading: labels.tax_base.clone(),
                width: w * 0.3,
                align: Align::Right,
            },
            Column {
                heading: labels.tax_amount.clone(),
                width: w * 0.3,
                align: Align::Right,
            },
        ];
        let rows: Vec<Row> = doc
            .tax_summary
            .iter()
            .map(|r| Row {
                cells: vec![r.label.clone(), cx.money(r.base), cx.money(r.tax)],
                bold: false,
            })
            .collect();
        let style = TableStyle {
            stripe: false,
            ..cx.table
        };
        flow.table(&columns, &rows, &style);
    }
    if flow.page_count() == pages_before {
        flow.y = flow.y.max(totals_bottom);
    }
}
