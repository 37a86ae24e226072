//! What a firm can adjust in its documents: paper, colour, text size, date and number style, footer
//! and every visible word. The defaults live in `templates/document.toml`, embedded in the binary.

use serde::Deserialize;

use super::PdfError;
use super::layout::Rgb;

/// The embedded default template. It is the one source of the default words, so translating the
/// documents never means touching code.
pub const DEFAULT_TOML: &str = include_str!("../../templates/document.toml");

/// Paper size of every page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum Paper {
    /// 210 × 297 mm.
    #[default]
    #[serde(alias = "a4")]
    A4,
    /// 8.5 × 11 in.
    #[serde(alias = "letter", alias = "LETTER")]
    Letter,
}

impl Paper {
    /// Width and height in PDF points (1/72 in).
    pub(crate) fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.28, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

/// The look of a document and all its words. Build it with [`Template::default`] or from a firm's
/// TOML with [`Template::from_toml`]; the fields are public so that code can adjust one of them too
/// ([`super::render`] checks them again).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub paper: Paper,
    /// `#RRGGBB` or `#RGB`.
    pub accent_color: String,
    /// Body text size in points, 6 to 14.
    pub font_size: f32,
    pub show_logo: bool,
    /// strftime format for every date, e.g. `%d/%m/%Y`.
    pub date_format: String,
    pub decimal_separator: String,
    /// Empty for none.
    pub thousands_separator: String,
    /// Small print on every page; line breaks are kept.
    pub footer: String,
    /// How to pay (bank details), printed on invoices that carry no instructions of their own.
    pub payment_instructions: String,
    pub labels: Labels,
}

/// Every word a document shows. `page` may contain `{n}` (this page) and `{m}` (the page count).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    pub invoice_title: String,
    pub credit_note_title: String,
    pub statement_title: String,
    pub quote_title: String,
    pub delivery_note_title: String,
    pub continued: String,
    pub page: String,

    pub number: String,
    pub issue_date: String,
    pub due_date: String,
    pub valid_until: String,
    pub reference: String,
    pub currency: String,
    pub period: String,
    pub tax_id: String,
    pub email: String,
    pub phone: String,
    pub bill_to: String,
    pub statement_for: String,
    pub deliver_to: String,

    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub discount: String,
    pub tax: String,
    pub amount: String,

    pub tax_summary: String,
    pub tax_rate: String,
    pub tax_base: String,
    pub tax_amount: String,

    pub subtotal: String,
    pub tax_total: String,
    pub total: String,
    pub amount_paid: String,
    pub balance_due: String,

    pub notes: String,
    pub payment_instructions: String,

    pub date: String,
    pub document: String,
    pub charges: String,
    pub payments: String,
    pub balance: String,
    pub opening_balance: String,
    pub closing_balance: String,
    pub amount_due: String,

    pub ageing: String,
    pub ageing_current: String,
    pub ageing_1_30: String,
    pub ageing_31_60: String,
    pub ageing_61_90: String,
    pub ageing_over_90: String,
}

impl Default for Template {
    /// The embedded `templates/document.toml`. A unit test proves it parses and validates; should it
    /// ever not, the result is a plain template with empty words rather than a panic.
    fn default() -> Self {
        toml::from_str::<Template>(DEFAULT_TOML).unwrap_or_else(|_| Template::blank())
    }
}

impl Template {
    /// Parses a firm's template. Every key is optional and falls back to the embedded default;
    /// unknown keys, wrong types and invalid values are a [`PdfError::Template`].
    pub fn from_toml(text: &str) -> Result<Template, PdfError> {
        let mut merged: toml::Table = toml::from_str(DEFAULT_TOML).map_err(|e| bad_template(&e))?;
        let firm: toml::Table = toml::from_str(text).map_err(|e| bad_template(&e))?;
        merge(&mut merged, firm);
        let template: Template = toml::Value::Table(merged).try_into().map_err(|e| bad_template(&e))?;
        template.validate()?;
        Ok(template)
    }

    /// Checks the values serde cannot: the colour, the text size and the date format.
    pub fn validate(&self) -> Result<(), PdfError> {
        self.accent()?;
        if !(self.font_size.is_finite() && (6.0..=14.0).contains(&self.font_size)) {
            return Err(PdfError::Template(format!(
                "font_size must be between 6 and 14 points, not {}",
                self.font_size
            )));
        }
        if self.decimal_separator.is_empty() {
            return Err(PdfError::Template("decimal_separator must not be empty".into()));
        }
        self.format_date(jiff::civil::date(2026, 1, 31)).map(|_| ())
    }

    /// The accent colour as RGB.
    pub(crate) fn accent(&self) -> Result<Rgb, PdfError> {
        parse_hex(&self.accent_color).ok_or_else(|| {
            PdfError::Template(format!(
                "accent_color must be a colour like \"#1F4E79\", not {:?}",
                self.accent_color
            ))
        })
    }

    /// Writes a date with `date_format`. jiff's `strftime(..).to_string()` panics on a bad format,
    /// so the fallible formatter is used.
    pub(crate) fn format_date(&self, date: jiff::civil::Date) -> Result<String, PdfError> {
        jiff::fmt::strtime::format(self.date_format.as_str(), date)
            .map_err(|e| PdfError::Template(format!("date_format {:?} is not usable: {e}", self.date_format)))
    }

    /// Writes minor units as `money::format` does, then applies the template's separators.
    pub(crate) fn format_amount(&self, minor: i64, decimals: u32) -> String {
        let plain = crate::domain::money::format(minor, decimals);
        self.separators(&plain)
    }

    /// Writes a quantity or a percentage without trailing zeros, with the template's decimal separator.
    pub(crate) fn format_decimal(&self, value: rust_decimal::Decimal) -> String {
        let plain = value.normalize().to_string();
        plain.replacen('.', &self.decimal_separator, 1)
    }

    fn separators(&self, plain: &str) -> String {
        let (sign, digits) = match plain.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", plain),
        };
        let (int, frac) = match digits.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (digits, None),
        };
        let mut out = String::with_capacity(plain.len() + 8);
        out.push_str(sign);
        let count = int.chars().count();
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (count - i) % 3 == 0 {
                out.push_str(&self.thousands_separator);
            }
            out.push(ch);
        }
        if let Some(frac) = frac {
            out.push_str(&self.decimal_separator);
            out.push_str(frac);
        }
        out
    }

    /// The fallback when the embedded default cannot be read: usable, with no words.
    fn blank() -> Template {
        Template {
            paper: Paper::A4,
            accent_color: "#000000".into(),
            font_size: 9.0,
            show_logo: true,
            date_format: "%Y-%m-%d".into(),
            decimal_separator: ".".into(),
            thousands_separator: String::new(),
            footer: String::new(),
            payment_instructions: String::new(),
            labels: Labels::default(),
        }
    }
}

fn bad_template(e: &dyn std::fmt::Display) -> PdfError {
    PdfError::Template(e.to_string().trim_end().to_string())
}

/// Overlays `firm` on `base`: tables merge key by key, anything else replaces.
fn merge(base: &mut toml::Table, firm: toml::Table) {
    for (key, value) in firm {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(f)) => merge(b, f),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// `#RRGGBB`, `RRGGBB`, `#RGB` or `RGB`.
fn parse_hex(text: &str) -> Option<Rgb> {
    let hex = text.trim().trim_start_matches('#');
    if !hex.is_ascii() {
        return None;
    }
    let channel = |s: &str| u8::from_str_radix(s, 16).ok();
    match hex.len() {
        6 => Some(Rgb(channel(&hex[0..2])?, channel(&hex[2..4])?, channel(&hex[4..6])?)),
        3 => {
            let short = |i: usize| channel(&hex[i..i + 1]).map(|v| v * 17);
            Some(Rgb(short(0)?, short(1)?, short(2)?))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_default_parses_and_validates() {
        let parsed: Template = toml::from_str(DEFAULT_TOML).unwrap();
        parsed.validate().unwrap();
        assert_eq!(Template::default(), parsed);
        assert_eq!(parsed.labels.invoice_title, "INVOICE");
        assert_eq!(
            Template::from_toml("").unwrap(),
            parsed,
            "an empty override is the default"
        );
    }

    #[test]
    fn an_override_changes_only_its_keys() {
        let t = Template::from_toml("paper = \"Letter\"\n[labels]\ntotal = \"Gesamtbetrag\"\n").unwrap();
        assert_eq!(t.paper, Paper::Letter);
        assert_eq!(t.labels.total, "Gesamtbetrag");
        assert_eq!(t.labels.subtotal, "Subtotal");
        assert_eq!(t.accent_color, "#1F4E79");
    }

    #[test]
    fn bad_templates_are_errors() {
        for bad in [
            "paper = ",
            "paper = \"A5\"",
            "colour = \"#fff\"",
            "[labels]\ntotl = \"x\"",
            "labels = 3",
            "accent_color = \"blue\"",
            "accent_color = \"#12345\"",
            "accent_color = \"#ééé\"",
            "font_size = 40",
            "font_size = \"big\"",
            "date_format = \"%Q\"",
            "decimal_separator = \"\"",
        ] {
            assert!(
                matches!(Template::from_toml(bad), Err(PdfError::Template(_))),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn colours_and_numbers_are_written_as_configured() {
        assert_eq!(parse_hex("#1F4E79"), Some(Rgb(0x1F, 0x4E, 0x79)));
        assert_eq!(parse_hex("fff"), Some(Rgb(255, 255, 255)));
        let mut t = Template::default();
        assert_eq!(t.format_amount(123456789, 2), "1234567.89");
        t.decimal_separator = ",".into();
        t.thousands_separator = ".".into();
        assert_eq!(t.format_amount(123456789, 2), "1.234.567,89");
        assert_eq!(t.format_amount(-100000, 2), "-1.000,00");
        assert_eq!(t.format_amount(-999, 0), "-999");
        assert_eq!(t.format_amount(1234, 3), "1,234");
        assert_eq!(t.format_decimal(rust_decimal::Decimal::new(1500, 3)), "1,5");
        t.date_format = "%d/%m/%Y".into();
        assert_eq!(t.format_date(jiff::civil::date(2026, 3, 4)).unwrap(), "04/03/2026");
    }
}
