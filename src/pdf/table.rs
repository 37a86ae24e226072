//! Tables on the layout engine: column widths fitted to the content, a header that repeats on every
//! page the table reaches, striped rows, and rows that move whole to the next page or, when taller
//! than a page, split between lines.

use super::layout::{Align, Flow, Op, RULE, Rgb, STRIPE, Style};

/// A table column: its heading, width in points and alignment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Column {
    pub heading: String,
    pub width: f32,
    pub align: Align,
}

/// A table row; `bold` marks opening and closing balances.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    pub cells: Vec<String>,
    pub bold: bool,
}

/// What a column needs before widths are fixed: a flexible column takes the room the others leave.
pub(crate) struct ColumnSpec<'a> {
    pub heading: &'a str,
    pub align: Align,
    pub flex: bool,
}

/// How tables are drawn.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TableStyle {
    pub body: Style,
    pub head: Style,
    pub head_fill: Rgb,
    pub stripe: bool,
    pub pad_x: f32,
    pub pad_y: f32,
}

impl Flow<'_> {
    /// Fixes column widths to fill the content width: fixed columns get the width of their widest
    /// cell or heading, capped at a fifth of the table; flexible columns share
    /// the rest, but never less than 30 % of the table, the fixed ones shrinking (and wrapping) if needed.
    pub(crate) fn fit_columns(&self, specs: &[ColumnSpec<'_>], rows: &[Row], style: &TableStyle) -> Vec<Column> {
        let total = self.content_width();
        let cap = total / 5.0;
        let mut widths: Vec<f32> = specs
            .iter()
            .enumerate()
            .map(|(i, spec)| {
                if spec.flex {
                    return 0.0;
                }
                let head = self.width(spec.heading, style.head);
                let body = rows
                    .iter()
                    .filter_map(|r| {
                        let cell = r.cells.get(i)?;
                        Some(self.width(
                            cell,
                            Style {
                                bold: r.bold || style.body.bold,
                                ..style.body
                            },
                        ))
                    })
                    .fold(0.0, f32::max);
                (head.max(body) + 2.0 * style.pad_x + 1.0).min(cap)
            })
            .collect();
        let flex_count = specs.iter().filter(|s| s.flex).count();
        let fixed: f32 = widths.iter().sum();
        let min_flex = if flex_count > 0 { total * 0.3 } else { 0.0 };
        if fixed > total - min_flex && fixed > 0.0 {
            let scale = (total - min_flex) / fixed;
            widths.iter_mut().for_each(|w| *w *= scale);
        }
        let fixed: f32 = widths.iter().sum();
        let spare = (total - fixed).max(0.0);
        for (w, spec) in widths.iter_mut().zip(specs) {
            if spec.flex {
                *w = spare / flex_count as f32;
            } else if flex_count == 0 {
                *w += spare / specs.len().max(1) as f32;
            }
        }
        specs
            .iter()
            .zip(widths)
            .map(|(s, width)| Column {
                heading: s.heading.to_string(),
                width,
                align: s.align,
            })
            .collect()
    }

    fn header_height(&self, columns: &[Column], style: &TableStyle) -> f32 {
        let lines = columns
            .iter()
            .map(|c| self.wrap(&c.heading, style.head, c.width - 2.0 * style.pad_x).len())
            .max()
            .unwrap_or(1);
        lines as f32 * style.head.line_height() + 2.0 * style.pad_y
    }

    fn draw_header(&mut self, columns: &[Column], style: &TableStyle) {
        let h = self.header_height(columns, style);
        let total: f32 = columns.iter().map(|c| c.width).sum();
        let (y, left) = (self.y, self.left);
        self.push(Op::Fill {
            x: left,
            y,
            w: total,
            h,
            color: style.head_fill,
        });
        let offset = self.baseline_offset(style.head);
        let mut x = left;
        for c in columns {
            let inner = c.width - 2.0 * style.pad_x;
            for (j, line) in self.wrap(&c.heading, style.head, inner).iter().enumerate() {
                let baseline = y + style.pad_y + j as f32 * style.head.line_height() + offset;
                self.text_in(line, style.head, x + style.pad_x, inner, c.align, baseline);
            }
            x += c.width;
        }
        self.y += h;
    }

    /// Draws a table at the cursor. The header repeats on every page the table reaches; a row that
    /// does not fit moves to the next page whole, unless it is taller than a page, then it splits
    /// between lines.
    pub(crate) fn table(&mut self, columns: &[Column], rows: &[Row], style: &TableStyle) {
        let body_lh = style.body.line_height();
        let head_h = self.header_height(columns, style);
        let total: f32 = columns.iter().map(|c| c.width).sum();
        self.ensure(head_h + body_lh + 2.0 * style.pad_y);
        self.draw_header(columns, style);
        // Lines a fresh continuation page holds below the repeated header.
        let page_lines = ((self.bottom - self.body_top - head_h - 2.0 * style.pad_y) / body_lh)
            .floor()
            .max(1.0) as usize;
        for (index, row) in rows.iter().enumerate() {
            let row_style = Style {
                bold: row.bold || style.body.bold,
                ..style.body
            };
            let cells: Vec<Vec<String>> = columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let text = row.cells.get(i).map(String::as_str).unwrap_or("");
                    self.wrap(text, row_style, c.width - 2.0 * style.pad_x)
                })
                .collect();
            let n = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let mut start = 0;
            // Set right after a page break, so that a row never breaks twice in a row without
            // drawing a line (which would loop forever on an absurdly small page).
            let mut fresh = false;
            while start < n {
                let room = ((self.bottom - self.y - 2.0 * style.pad_y) / body_lh).floor();
                let room = if room >= 1.0 { room as usize } else { 0 };
                let remaining = n - start;
                let take = if remaining <= room {
                    remaining
                } else if fresh {
                    room.max(1)
                } else if room == 0 || (start == 0 && remaining <= page_lines) {
                    // Keep the row whole on the next page (or there is no room at all here).
                    self.new_page();
                    self.draw_header(columns, style);
                    fresh = true;
                    continue;
                } else {
                    room
                };
                fresh = false;
                let h = take as f32 * body_lh + 2.0 * style.pad_y;
                if style.stripe && index % 2 == 1 {
                    let (x, y) = (self.left, self.y);
                    self.push(Op::Fill {
                        x,
                        y,
                        w: total,
                        h,
                        color: STRIPE,
                    });
                }
                let offset = self.baseline_offset(row_style);
                let mut x = self.left;
                for (c, lines) in columns.iter().zip(&cells) {
                    let inner = c.width - 2.0 * style.pad_x;
                    for (j, line) in lines.iter().skip(start).take(take).enumerate() {
                        let baseline = self.y + style.pad_y + j as f32 * body_lh + offset;
                        self.text_in(line, row_style, x + style.pad_x, inner, c.align, baseline);
                    }
                    x += c.width;
                }
                self.y += h;
                start += take;
                if start < n {
                    self.new_page();
                    self.draw_header(columns, style);
                    fresh = true;
                }
            }
        }
        let (left, y) = (self.left, self.y);
        self.push(Op::Rule {
            x1: left,
            y1: y,
            x2: left + total,
            y2: y,
            width: 0.75,
            color: RULE,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::fonts::{Fonts, fonts};
    use super::super::layout::{Footer, Geometry, INK, WHITE};
    use super::*;

    fn style() -> Style {
        Style::new(9.0, false, INK)
    }

    fn flow(f: &Fonts) -> Flow<'_> {
        let geometry = Geometry {
            width: 595.0,
            height: 842.0,
            margin_x: 40.0,
            margin_top: 40.0,
            margin_bottom: 30.0,
        };
        let footer = Footer {
            lines: vec!["Small print".into()],
            page_label: "Page {n} of {m}".into(),
            style: style(),
        };
        Flow::new(f, geometry, footer, ("Firm".into(), "INVOICE 1".into()))
    }

    fn table_style() -> TableStyle {
        TableStyle {
            body: style(),
            head: Style::new(9.0, true, WHITE),
            head_fill: INK,
            stripe: true,
            pad_x: 4.0,
            pad_y: 3.0,
        }
    }

    fn texts(page: &[Op]) -> Vec<&str> {
        page.iter()
            .filter_map(|op| match op {
                Op::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn long_tables_repeat_their_header_and_number_the_pages() {
        let f = fonts().unwrap();
        let mut flow = flow(f);
        let specs = [
            ColumnSpec {
                heading: "Description",
                align: Align::Left,
                flex: true,
            },
            ColumnSpec {
                heading: "Amount",
                align: Align::Right,
                flex: false,
            },
        ];
        let rows: Vec<Row> = (0..150)
            .map(|i| Row {
                cells: vec![format!("Line {i}"), "1.00".into()],
                bold: false,
            })
            .collect();
        let columns = flow.fit_columns(&specs, &rows, &table_style());
        assert!((columns.iter().map(|c| c.width).sum::<f32>() - flow.content_width()).abs() < 0.01);
        flow.table(&columns, &rows, &table_style());
        let pages = flow.finish();
        assert!(pages.len() >= 3, "{} pages", pages.len());
        let m = pages.len();
        for (i, page) in pages.iter().enumerate() {
            let t = texts(page);
            assert!(t.contains(&"Description"), "page {} lacks the header", i + 1);
            assert!(t.contains(&format!("Page {} of {m}", i + 1).as_str()));
            assert!(t.contains(&"Small print"));
            for op in page {
                if let Op::Text { y, .. } = op {
                    assert!(*y < 842.0 - 30.0 + 0.1, "text below the bottom margin");
                }
            }
        }
        let all: Vec<&str> = pages.iter().flat_map(|p| texts(p)).collect();
        for i in 0..150 {
            assert!(all.contains(&format!("Line {i}").as_str()), "row {i} lost");
        }
    }

    #[test]
    fn a_row_taller_than_a_page_splits_between_lines() {
        let f = fonts().unwrap();
        let mut flow = flow(f);
        let columns = vec![Column {
            heading: "Description".into(),
            width: 500.0,
            align: Align::Left,
        }];
        let text: Vec<String> = (0..200).map(|i| format!("para{i}")).collect();
        let rows = vec![Row {
            cells: vec![text.join("\n")],
            bold: false,
        }];
        flow.table(&columns, &rows, &table_style());
        let pages = flow.finish();
        assert!(pages.len() >= 3);
        let all: Vec<&str> = pages.iter().flat_map(|p| texts(p)).collect();
        assert!(all.contains(&"para0") && all.contains(&"para199"));
    }
}
