//! The body of a report (balance sheet, profit and loss, …): one table, names indented by the
//! account tree, sections and totals in bold, an amount column per period. The table's heading
//! row is repeated on every page, and the page header names the company and the report.

use super::Ctx;
use crate::pdf::layout::{Align, Flow};
use crate::pdf::table::{ColumnSpec, Row};

/// No-break spaces per level of the account tree (plain spaces would be wrapped away).
const INDENT: &str = "\u{a0}\u{a0}\u{a0}";

pub(super) fn body(flow: &mut Flow<'_>, cx: &Ctx<'_>) {
    let report = &cx.doc.report;
    let mut specs = vec![ColumnSpec {
        heading: "",
        align: Align::Left,
        flex: true,
    }];
    specs.extend(report.headings.iter().map(|h| ColumnSpec {
        heading: h,
        align: Align::Right,
        flex: false,
    }));
    let rows: Vec<Row> = report
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![format!("{}{}", INDENT.repeat(r.depth.min(10)), r.name)];
            cells.extend(r.amounts.iter().map(|a| a.map(|v| cx.money(v)).unwrap_or_default()));
            cells.resize(specs.len(), String::new());
            Row { cells, bold: r.bold }
        })
        .collect();
    let columns = flow.fit_columns(&specs, &rows, &cx.table);
    flow.table(&columns, &rows, &cx.table);
}
