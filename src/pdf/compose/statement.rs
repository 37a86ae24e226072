//! The body of a customer statement: the dated movements from the opening to the closing balance,
//! with a running balance, then the ageing of what is open.

use super::Ctx;
use crate::pdf::layout::{Align, Flow};
use crate::pdf::table::{ColumnSpec, Row, TableStyle};
use crate::pdf::{Document, PdfError};

pub(super) fn closing_balance(doc: &Document) -> Result<i64, PdfError> {
    doc.statement
        .closing_balance()
        .ok_or_else(|| PdfError::Document("the statement balance is too large to compute".into()))
}

/// The dated movements between the opening and the closing balance, then the ageing line.
pub(super) fn body(flow: &mut Flow<'_>, cx: &Ctx<'_>) -> Result<(), PdfError> {
    let (doc, labels) = (cx.doc, &cx.t.labels);
    let st = &doc.statement;
    let specs = [
        ColumnSpec {
            heading: &labels.date,
            align: Align::Left,
            flex: false,
        },
        ColumnSpec {
            heading: &labels.document,
            align: Align::Left,
            flex: false,
        },
        ColumnSpec {
            heading: &labels.description,
            align: Align::Left,
            flex: true,
        },
        ColumnSpec {
            heading: &labels.charges,
            align: Align::Right,
            flex: false,
        },
        ColumnSpec {
            heading: &labels.payments,
            align: Align::Right,
            flex: false,
        },
        ColumnSpec {
            heading: &labels.balance,
            align: Align::Right,
            flex: false,
        },
    ];
    let overflow = || PdfError::Document("the statement amounts are too large to add up".into());
    let blank_zero = |v: i64| if v == 0 { String::new() } else { cx.money(v) };
    let opening_date = match st.period_start {
        Some(d) => cx.date(d)?,
        None => String::new(),
    };
    let mut rows = Vec::with_capacity(st.rows.len() + 2);
    rows.push(Row {
        cells: vec![
            opening_date,
            String::new(),
            labels.opening_balance.clone(),
            String::new(),
            String::new(),
            cx.money(st.opening_balance),
        ],
        bold: true,
    });
    let (mut balance, mut charges, mut credits) = (st.opening_balance, 0_i64, 0_i64);
    for r in &st.rows {
        balance = balance
            .checked_add(r.debit)
            .and_then(|b| b.checked_sub(r.credit))
            .ok_or_else(overflow)?;
        charges = charges.checked_add(r.debit).ok_or_else(overflow)?;
        credits = credits.checked_add(r.credit).ok_or_else(overflow)?;
        rows.push(Row {
            cells: vec![
                cx.date(r.date)?,
                r.document.clone(),
                r.description.clone(),
                blank_zero(r.debit),
                blank_zero(r.credit),
                cx.money(balance),
            ],
            bold: false,
        });
    }
    rows.push(Row {
        cells: vec![
            cx.date(doc.issue_date)?,
            String::new(),
            labels.closing_balance.clone(),
            cx.money(charges),
            cx.money(credits),
            cx.money_with_code(balance),
        ],
        bold: true,
    });
    let columns = flow.fit_columns(&specs, &rows, &cx.table);
    flow.table(&columns, &rows, &cx.table);
    flow.y += 14.0;

    let a = &st.ageing;
    let specs: Vec<ColumnSpec<'_>> = [
        &labels.ageing_current,
        &labels.ageing_1_30,
        &labels.ageing_31_60,
        &labels.ageing_61_90,
        &labels.ageing_over_90,
        &labels.amount_due,
    ]
    .into_iter()
    .map(|heading| ColumnSpec {
        heading,
        align: Align::Right,
        flex: false,
    })
    .collect();
    let mut cells: Vec<String> = [a.current, a.days_1_30, a.days_31_60, a.days_61_90, a.over_90]
        .into_iter()
        .map(|v| cx.money(v))
        .collect();
    cells.push(cx.money_with_code(balance));
    let rows = vec![Row { cells, bold: false }];
    let style = TableStyle {
        stripe: false,
        ..cx.table
    };
    let columns = flow.fit_columns(&specs, &rows, &style);
    flow.ensure(cx.heading().line_height() + 3.0 * (cx.body.line_height() + 2.0 * style.pad_y));
    let (left, w) = (flow.left, flow.content_width());
    flow.paragraph(&labels.ageing, cx.heading(), left, w, Align::Left);
    flow.table(&columns, &rows, &style);
    Ok(())
}
