//! The small layout engine krilla lacks: text wrapping, a cursor that flows down the page and breaks
//! to the next one (tables on it are in `table.rs`), and the footer with "Page n of m". It only
//! produces positioned drawing operations ([`Op`]); `draw.rs` turns them into PDF, so the page count
//! is known before any footer is written.
//!
//! Coordinates are PDF points with the origin at the top left and y growing downwards (krilla's
//! convention). Text positions are baselines.

use super::fonts::Fonts;

/// An RGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgb(pub u8, pub u8, pub u8);

pub(crate) const INK: Rgb = Rgb(33, 33, 33);
pub(crate) const MUTED: Rgb = Rgb(105, 105, 105);
pub(crate) const RULE: Rgb = Rgb(200, 200, 200);
pub(crate) const STRIPE: Rgb = Rgb(243, 245, 247);
pub(crate) const WHITE: Rgb = Rgb(255, 255, 255);

/// One positioned drawing operation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        color: Rgb,
        text: String,
    },
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
    },
    Rule {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        color: Rgb,
    },
    Logo {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

/// How a piece of text looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Style {
    pub size: f32,
    pub bold: bool,
    pub color: Rgb,
}

impl Style {
    pub(crate) fn new(size: f32, bold: bool, color: Rgb) -> Style {
        Style { size, bold, color }
    }

    /// Line height: 1.3 × the size, roomy enough for accents and descenders.
    pub(crate) fn line_height(&self) -> f32 {
        self.size * 1.3
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// Page geometry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Geometry {
    pub width: f32,
    pub height: f32,
    pub margin_x: f32,
    pub margin_top: f32,
    pub margin_bottom: f32,
}

/// The footer drawn on every page once the page count is known.
pub(crate) struct Footer {
    pub lines: Vec<String>,
    /// The page label with `{n}` and `{m}` still in it.
    pub page_label: String,
    pub style: Style,
}

/// A cursor flowing down pages of operations.
pub(crate) struct Flow<'f> {
    fonts: &'f Fonts,
    pub geometry: Geometry,
    pub left: f32,
    pub right: f32,
    /// Where the body starts on continuation pages, below the running head.
    pub(super) body_top: f32,
    /// Where the body must end, above the footer.
    pub bottom: f32,
    pub y: f32,
    pages: Vec<Vec<Op>>,
    /// Left and right text of the small head on every page after the first.
    running_head: (String, String),
    head_style: Style,
    footer: Footer,
}

impl<'f> Flow<'f> {
    pub(crate) fn new(fonts: &'f Fonts, geometry: Geometry, footer: Footer, running_head: (String, String)) -> Self {
        let left = geometry.margin_x;
        let right = geometry.width - geometry.margin_x;
        let footer_h = (footer.lines.len().max(1) as f32) * footer.style.line_height() + 10.0;
        let head_style = Style::new(footer.style.size, false, MUTED);
        let body_top = geometry.margin_top + head_style.line_height() + 14.0;
        let bottom = geometry.height - geometry.margin_bottom - footer_h;
        Flow {
            fonts,
            geometry,
            left,
            right,
            body_top,
            bottom,
            y: geometry.margin_top,
            pages: vec![Vec::new()],
            running_head,
            head_style,
            footer,
        }
    }

    pub(crate) fn content_width(&self) -> f32 {
        self.right - self.left
    }

    pub(crate) fn width(&self, text: &str, style: Style) -> f32 {
        self.fonts.face(style.bold).width(text, style.size)
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub(crate) fn page_count(&self) -> usize {
        self.pages.len()
    }

    pub(crate) fn push(&mut self, op: Op) {
        self.ops().push(op);
    }

    /// True at the top of a page's body, where breaking again would gain nothing.
    fn at_top(&self) -> bool {
        let top = if self.pages.len() == 1 {
            self.geometry.margin_top
        } else {
            self.body_top
        };
        self.y <= top + 0.5
    }

    /// Starts a new page with the running head.
    pub(crate) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        let style = self.head_style;
        let baseline = self.geometry.margin_top + self.baseline_offset(style);
        let (l, r) = self.running_head.clone();
        let (left, right) = (self.left, self.right);
        self.text_in(&l, style, left, right - left, Align::Left, baseline);
        self.text_in(&r, style, left, right - left, Align::Right, baseline);
        let rule_y = self.geometry.margin_top + style.line_height() + 4.0;
        self.push(Op::Rule {
            x1: left,
            y1: rule_y,
            x2: right,
            y2: rule_y,
            width: 0.5,
            color: RULE,
        });
        self.y = self.body_top;
    }

    /// Breaks to a new page unless `height` still fits (or the page is empty anyway).
    pub(crate) fn ensure(&mut self, height: f32) {
        if self.y + height > self.bottom && !self.at_top() {
            self.new_page();
        }
    }

    /// Distance from the top of a line box to its baseline, centring the glyphs in the line height.
    pub(crate) fn baseline_offset(&self, style: Style) -> f32 {
        let face = self.fonts.face(style.bold);
        let glyphs = (face.ascent + face.descent) * style.size;
        (style.line_height() - glyphs) / 2.0 + face.ascent * style.size
    }

    /// Draws one line of text aligned in the box `[x, x + w]` at `baseline`.
    pub(crate) fn text_in(&mut self, text: &str, style: Style, x: f32, w: f32, align: Align, baseline: f32) {
        if text.is_empty() {
            return;
        }
        let x = match align {
            Align::Left => x,
            Align::Right => x + w - self.width(text, style),
        };
        self.push(Op::Text {
            x,
            y: baseline,
            size: style.size,
            bold: style.bold,
            color: style.color,
            text: text.into(),
        });
    }

    /// Wraps `text` into lines no wider than `max_width`: at spaces where possible, inside a word
    /// when the word alone is too wide, and at every line break in the text. Never empty.
    pub(crate) fn wrap(&self, text: &str, style: Style, max_width: f32) -> Vec<String> {
        wrap(self.fonts, text, style, max_width)
    }

    /// Draws a paragraph at the cursor within `[x, x + w]`, breaking pages between lines.
    pub(crate) fn paragraph(&mut self, text: &str, style: Style, x: f32, w: f32, align: Align) {
        let lh = style.line_height();
        for line in self.wrap(text, style, w) {
            self.ensure(lh);
            let baseline = self.y + self.baseline_offset(style);
            self.text_in(&line, style, x, w, align, baseline);
            self.y += lh;
        }
    }

    /// Ends the flow: adds the footer, with its page label, to every page and returns the pages.
    pub(crate) fn finish(mut self) -> Vec<Vec<Op>> {
        let pages = std::mem::take(&mut self.pages);
        let count = pages.len();
        let style = self.footer.style;
        let lh = style.line_height();
        let top = self.geometry.height - self.geometry.margin_bottom - (self.footer.lines.len().max(1) as f32) * lh;
        let offset = self.baseline_offset(style);
        let (left, right) = (self.left, self.right);
        let mut out = Vec::with_capacity(count);
        for (i, mut ops) in pages.into_iter().enumerate() {
            let label = self
                .footer
                .page_label
                .replace("{n}", &(i + 1).to_string())
                .replace("{m}", &count.to_string());
            let label_w = self.width(&label, style);
            ops.push(Op::Rule {
                x1: left,
                y1: top - 5.0,
                x2: right,
                y2: top - 5.0,
                width: 0.5,
                color: RULE,
            });
            for (j, line) in self.footer.lines.iter().enumerate() {
                let baseline = top + j as f32 * lh + offset;
                if !line.is_empty() {
                    ops.push(Op::Text {
                        x: left,
                        y: baseline,
                        size: style.size,
                        bold: false,
                        color: style.color,
                        text: line.clone(),
                    });
                }
            }
            if !label.is_empty() {
                ops.push(Op::Text {
                    x: right - label_w,
                    y: top + offset,
                    size: style.size,
                    bold: false,
                    color: style.color,
                    text: label,
                });
            }
            out.push(ops);
        }
        out
    }
}

/// See [`Flow::wrap`]. Tabs become spaces and other control characters are dropped.
pub(crate) fn wrap(fonts: &Fonts, text: &str, style: Style, max_width: f32) -> Vec<String> {
    let face = fonts.face(style.bold);
    let space = face.char_width(' ', style.size);
    let mut out = Vec::new();
    for paragraph in text.trim_end().split('\n') {
        let clean: String = paragraph
            .chars()
            .filter_map(|c| match c {
                '\t' => Some(' '),
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect();
        let mut line = String::new();
        let mut line_w = 0.0;
        for word in clean.split(' ').filter(|w| !w.is_empty()) {
            let word_w = face.width(word, style.size);
            let gap = if line.is_empty() { 0.0 } else { space };
            if line_w + gap + word_w <= max_width {
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
                line_w += gap + word_w;
                continue;
            }
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
                line_w = 0.0;
            }
            if word_w <= max_width {
                line.push_str(word);
                line_w = word_w;
                continue;
            }
            // A word wider than the line: break it between characters, at least one per line.
            for ch in word.chars() {
                let ch_w = face.char_width(ch, style.size);
                if !line.is_empty() && line_w + ch_w > max_width {
                    out.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                line.push(ch);
                line_w += ch_w;
            }
        }
        out.push(line);
    }
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fonts::fonts;
    use super::*;

    fn style() -> Style {
        Style::new(9.0, false, INK)
    }

    #[test]
    fn wrapping_breaks_at_spaces_then_inside_long_words() {
        let f = fonts().unwrap();
        let lines = wrap(f, "one two three four five six", style(), 60.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.join(" "), "one two three four five six");
        for l in &lines {
            assert!(f.face(false).width(l, 9.0) <= 60.0, "{l:?} is too wide");
        }
        let word = "x".repeat(500);
        let lines = wrap(f, &word, style(), 50.0);
        assert!(lines.len() > 10);
        assert_eq!(lines.concat(), word);
        assert!(lines.iter().all(|l| f.face(false).width(l, 9.0) <= 50.0));
        // Narrower than one character: still progresses, one character per line.
        assert_eq!(wrap(f, "abc", style(), 0.1), vec!["a", "b", "c"]);
        assert_eq!(wrap(f, "", style(), 50.0), vec![""]);
        assert_eq!(wrap(f, "a\n\nb\t c\u{7}", style(), 500.0), vec!["a", "", "b c"]);
    }
}
