//! How capture reads a receipt's text: lines with their byte offsets, a folded (lower-case, accents
//! dropped) copy for matching labels, and each word classified as an amount, a percentage, a date or
//! other text — amounts and dates as European and US receipts write them.

use jiff::civil::Date;
use rust_decimal::Decimal;

/// Which way a date like `03/04/2026` is read when both numbers could be the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// 3 April 2026 (Europe and most of the world).
    DayFirst,
    /// 4 March 2026 (the United States).
    MonthFirst,
}

/// A value found in the text, with where it is (byte offsets into the whole text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub start: usize,
    pub end: usize,
    pub token: Token,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// An amount with a decimal mark (`1.234,56`, `1,234.56`, `1 234,56`, `-12.00`), or a whole number.
    Amount { value: Decimal, decimal_mark: bool },
    /// `19%`, `7,7 %`: the rate in parts per million (19 % = 190 000).
    Percent(i64),
    /// A calendar date; `ambiguous` when day and month could be swapped and the order was assumed.
    Date { date: Date, ambiguous: bool },
    /// Anything else (a word, an invoice number).
    Other,
}

/// One line of the text.
#[derive(Debug, Clone)]
pub struct Line {
    /// Byte offset of the line in the whole text.
    pub start: usize,
    pub text: String,
    /// Lower case, accents dropped; `orig[i]` is the byte offset in `text` of folded byte `i`.
    pub folded: String,
    orig: Vec<usize>,
    pub words: Vec<Word>,
}

impl Line {
    /// Offset in the whole text of folded byte `i` (the end of the line for `i` past the end).
    pub fn offset(&self, folded_index: usize) -> usize {
        self.start + self.orig.get(folded_index).copied().unwrap_or(self.text.len())
    }

    /// Where `label` (folded) occurs as whole words: (start, end) folded byte offsets.
    pub fn find_label(&self, label: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let bytes = self.folded.as_bytes();
        let mut from = 0;
        while let Some(pos) = self.folded.get(from..).and_then(|s| s.find(label)) {
            let at = from + pos;
            let end = at + label.len();
            let before_ok = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
            let after_ok = end >= bytes.len()
                || !bytes[end].is_ascii_alphanumeric()
                || !label.as_bytes().last().is_some_and(u8::is_ascii_alphanumeric);
            if before_ok && after_ok {
                out.push((at, end));
            }
            from = at + 1;
            while from < self.folded.len() && !self.folded.is_char_boundary(from) {
                from += 1;
            }
        }
        out
    }
}

/// Splits a text into lines and classifies each word.
pub fn lines(text: &str, order: DateOrder) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let (folded, orig) = fold(line);
        let words = words(line, start, order);
        out.push(Line {
            start,
            text: line.to_owned(),
            folded,
            orig,
            words,
        });
        start += raw.len();
    }
    out
}

/// Lower case with the accents of the Latin alphabets dropped, and the map back to the original.
pub fn fold(text: &str) -> (String, Vec<usize>) {
    let mut folded = String::with_capacity(text.len());
    let mut orig = Vec::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let before = folded.len();
        match c {
            'ä' | 'Ä' | 'à' | 'À' | 'â' | 'Â' | 'á' | 'Á' => folded.push('a'),
            'ö' | 'Ö' | 'ô' | 'Ô' | 'ó' | 'Ó' => folded.push('o'),
            'ü' | 'Ü' | 'ù' | 'Ù' | 'û' | 'Û' | 'ú' | 'Ú' => folded.push('u'),
            'é' | 'É' | 'è' | 'È' | 'ê' | 'Ê' | 'ë' | 'Ë' => folded.push('e'),
            'î' | 'Î' | 'ï' | 'Ï' | 'í' | 'Í' => folded.push('i'),
            'ç' | 'Ç' => folded.push('c'),
            'ß' => folded.push_str("ss"),
            '’' | '`' => folded.push('\''),
            '\u{a0}' | '\u{202f}' | '\t' => folded.push(' '),
            _ => folded.extend(c.to_lowercase()),
        }
        orig.extend(std::iter::repeat_n(i, folded.len() - before));
    }
    (folded, orig)
}

const EDGE_PUNCTUATION: &[char] = &[
    ':', ';', '(', ')', '[', ']', '*', '€', '$', '£', '"', '\'', '#', '=', '|', '<', '>',
];

/// The words of one line, classified; numbers with a space as thousands separator (`1 234,56`)
/// and percentages written `19 %` are joined first.
fn words(line: &str, line_start: usize, order: DateOrder) -> Vec<Word> {
    let raw: Vec<(usize, &str)> = split_words(line);
    let mut out: Vec<Word> = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let (mut start, word) = raw[i];
        let mut end = start + word.len();
        // Joined: "1 234,56" (groups of three digits after one to three).
        let mut joined = word.to_owned();
        while i + 1 < raw.len()
            && is_group_head(&joined)
            && raw[i + 1].1.len() >= 3
            && raw[i + 1].1.as_bytes()[..3].iter().all(u8::is_ascii_digit)
            && raw[i + 1]
                .1
                .as_bytes()
                .get(3)
                .is_none_or(|b| matches!(b, b',' | b'.' | b')' | b'*' | b';'))
            && raw[i + 1].0 == end + 1
        {
            i += 1;
            joined.push_str(raw[i].1);
            end = raw[i].0 + raw[i].1.len();
        }
        // Trim punctuation at both ends.
        let core = joined.trim_start_matches(EDGE_PUNCTUATION);
        start += joined.len() - core.len();
        let trimmed = core.trim_end_matches(EDGE_PUNCTUATION).trim_end_matches(['.', ',']);
        end -= core.len() - trimmed.len();
        let core = trimmed;
        let mut token = classify(core, order);
        if matches!(token, Token::Amount { .. })
            && i + 1 < raw.len()
            && raw[i + 1].1 == "%"
            && let Some(ppm) = percent(core)
        {
            token = Token::Percent(ppm);
            i += 1;
            end = raw[i].0 + 1;
        }
        out.push(Word {
            start: line_start + start,
            end: line_start + end.max(start),
            token,
        });
        i += 1;
    }
    textual_dates(line_start, &raw, &mut out);
    out
}

fn split_words(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push((s, &line[s..i]));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push((s, &line[s..]));
    }
    out
}

/// "1", "12", "123", "-1", "€12", "1 234" so far: may be followed by a group of three digits.
fn is_group_head(word: &str) -> bool {
    let w = word.trim_start_matches(EDGE_PUNCTUATION).trim_start_matches('-');
    let digits = w.split(' ').next().unwrap_or("");
    !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()) && (1..=3).contains(&digits.len())
}

fn classify(core: &str, order: DateOrder) -> Token {
    if core.is_empty() {
        return Token::Other;
    }
    if let Some(num) = core.strip_suffix('%')
        && let Some(ppm) = percent(num.trim_end())
    {
        return Token::Percent(ppm);
    }
    if let Some((date, ambiguous)) = numeric_date(core, order) {
        return Token::Date { date, ambiguous };
    }
    if let Some((value, decimal_mark)) = amount(core) {
        return Token::Amount { value, decimal_mark };
    }
    Token::Other
}

/// An amount as receipts write it. The decimal mark is the last `.` or `,` when both occur; when
/// only one occurs it is the decimal mark if followed by one or two digits (or it occurs once and
/// is followed by anything but three digits), else it separates thousands. `'` and spaces separate
/// thousands. A leading or trailing `-` makes it negative.
pub fn amount(text: &str) -> Option<(Decimal, bool)> {
    let mut t = text;
    let mut negative = false;
    for code in ["EUR", "USD", "GBP", "CHF"] {
        t = t.strip_prefix(code).unwrap_or(t);
        t = t.strip_suffix(code).unwrap_or(t);
    }
    if let Some(rest) = t.strip_prefix('-').or_else(|| t.strip_suffix('-')) {
        negative = true;
        t = rest;
    }
    let t = t.trim_matches(EDGE_PUNCTUATION);
    if t.is_empty() || !t.as_bytes()[0].is_ascii_digit() || !t.as_bytes()[t.len() - 1].is_ascii_digit() {
        return None;
    }
    if !t
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b',' | b'\'' | b' '))
    {
        return None;
    }
    let last_dot = t.rfind('.');
    let last_comma = t.rfind(',');
    let mark = match (last_dot, last_comma) {
        (Some(d), Some(c)) => Some(d.max(c)),
        (Some(p), None) | (None, Some(p)) => {
            let sep = t.as_bytes()[p];
            let count = t.bytes().filter(|&b| b == sep).count();
            let tail = t.len() - p - 1;
            if count == 1 && tail != 3 { Some(p) } else { None }
        }
        (None, None) => None,
    };
    let (int_part, frac_part) = match mark {
        Some(p) => (&t[..p], &t[p + 1..]),
        None => (t, ""),
    };
    // Thousands groups are three digits, the first one to three.
    let groups: Vec<&str> = int_part.split(['.', ',', '\'', ' ']).collect();
    if groups.len() > 1 && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3)) {
        return None;
    }
    if frac_part.len() > 3 || !frac_part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: String = groups.concat() + frac_part;
    if digits.is_empty() || digits.len() > 15 {
        return None;
    }
    let mantissa: i64 = digits.parse().ok()?;
    let scale = u32::try_from(frac_part.len()).ok()?;
    let mut value = Decimal::new(mantissa, scale);
    if negative {
        value.set_sign_negative(true);
    }
    Some((value, mark.is_some()))
}

/// `19`, `7,7`, `5.5` → parts per million.
fn percent(text: &str) -> Option<i64> {
    let t = text.replace(',', ".");
    let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
    if int.is_empty()
        || int.len() > 3
        || frac.len() > 4
        || !(int.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = int.parse().ok()?;
    let mut frac_ppm = 0_i64;
    let mut unit = 1_000_000_i64;
    for b in frac.bytes() {
        unit /= 10;
        frac_ppm += i64::from(b - b'0') * unit / 100;
    }
    let ppm = whole * 10_000 + frac_ppm;
    (ppm <= 1_000_000).then_some(ppm)
}

/// Numeric dates: `2026-03-04` (ISO), `04.03.2026` and `4.3.26` (day first), `04/03/2026` and
/// `04-03-2026` (ambiguous when both numbers are at most 12: read in `order`; a number above 12
/// settles it).
pub fn numeric_date(text: &str, order: DateOrder) -> Option<(Date, bool)> {
    let sep = text.bytes().find(|b| matches!(b, b'.' | b'/' | b'-'))?;
    let parts: Vec<&str> = text.split(char::from(sep)).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let n: Vec<i32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    if n.len() != 3 {
        return None;
    }
    if parts[0].len() == 4 {
        return make_date(n[0], n[1], n[2]).map(|d| (d, false));
    }
    if parts[2].len() != 4 && parts[2].len() != 2 {
        return None;
    }
    let year = if parts[2].len() == 2 { 2000 + n[2] } else { n[2] };
    if sep == b'.' {
        return make_date(year, n[1], n[0]).map(|d| (d, false));
    }
    match (n[0] > 12, n[1] > 12) {
        (true, false) => make_date(year, n[1], n[0]).map(|d| (d, false)),
        (false, true) => make_date(year, n[0], n[1]).map(|d| (d, false)),
        (false, false) => {
            let (m, d) = if order == DateOrder::DayFirst {
                (n[1], n[0])
            } else {
                (n[0], n[1])
            };
            make_date(year, m, d).map(|date| (date, n[0] != n[1]))
        }
        (true, true) => None,
    }
}

fn make_date(year: i32, month: i32, day: i32) -> Option<Date> {
    if !(1990..=2100).contains(&year) {
        return None;
    }
    Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()
}

/// Month names and abbreviations in English, German and French (folded).
const MONTHS: &[(&str, i32)] = &[
    ("january", 1),
    ("jan", 1),
    ("januar", 1),
    ("janvier", 1),
    ("janv", 1),
    ("jänner", 1),
    ("february", 2),
    ("feb", 2),
    ("februar", 2),
    ("fevrier", 2),
    ("fevr", 2),
    ("fev", 2),
    ("march", 3),
    ("mar", 3),
    ("marz", 3),
    ("mars", 3),
    ("mrz", 3),
    ("april", 4),
    ("apr", 4),
    ("avril", 4),
    ("avr", 4),
    ("may", 5),
    ("mai", 5),
    ("june", 6),
    ("jun", 6),
    ("juni", 6),
    ("juin", 6),
    ("july", 7),
    ("jul", 7),
    ("juli", 7),
    ("juillet", 7),
    ("juil", 7),
    ("august", 8),
    ("aug", 8),
    ("aout", 8),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("septembre", 9),
    ("october", 10),
    ("oct", 10),
    ("oktober", 10),
    ("okt", 10),
    ("octobre", 10),
    ("november", 11),
    ("nov", 11),
    ("novembre", 11),
    ("december", 12),
    ("dec", 12),
    ("dezember", 12),
    ("dez", 12),
    ("decembre", 12),
];

fn month(word: &str) -> Option<i32> {
    let (folded, _) = fold(word.trim_end_matches(['.', ',']));
    MONTHS.iter().find(|(name, _)| *name == folded).map(|&(_, m)| m)
}

fn day_number(word: &str) -> Option<i32> {
    let w = word.trim_end_matches(['.', ',']);
    let w = w
        .strip_suffix("st")
        .or_else(|| w.strip_suffix("nd"))
        .or_else(|| w.strip_suffix("rd"))
        .or_else(|| w.strip_suffix("th"))
        .unwrap_or(w);
    (!w.is_empty() && w.len() <= 2 && w.bytes().all(|b| b.is_ascii_digit()))
        .then(|| w.parse().ok())
        .flatten()
}

fn year_number(word: &str) -> Option<i32> {
    let w = word.trim_end_matches(['.', ',']);
    (w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()))
        .then(|| w.parse().ok())
        .flatten()
}

/// `3 March 2026`, `3. März 2026`, `3 mars 2026` (day first) and `March 3, 2026` (month first):
/// the words they cover are replaced by one date word.
fn textual_dates(line_start: usize, raw: &[(usize, &str)], out: &mut Vec<Word>) {
    let mut found: Vec<(usize, usize, Date)> = Vec::new();
    for i in 0..raw.len() {
        let Some(m) = month(raw[i].1) else { continue };
        let dmy = (i >= 1 && i + 1 < raw.len())
            .then(|| Some((day_number(raw[i - 1].1)?, year_number(raw[i + 1].1)?)))
            .flatten()
            .and_then(|(d, y)| Some((make_date(y, m, d)?, i - 1, i + 1)));
        let mdy = (i + 2 < raw.len())
            .then(|| Some((day_number(raw[i + 1].1)?, year_number(raw[i + 2].1)?)))
            .flatten()
            .and_then(|(d, y)| Some((make_date(y, m, d)?, i, i + 2)));
        if let Some((date, a, b)) = dmy.or(mdy) {
            let start = raw[a].0;
            let end = raw[b].0 + raw[b].1.trim_end_matches(['.', ',']).len();
            found.push((start, end, date));
        }
    }
    for (start, end, date) in found {
        let (s, e) = (line_start + start, line_start + end);
        out.retain(|w| w.end <= s || w.start >= e);
        let at = out.iter().position(|w| w.start > s).unwrap_or(out.len());
        out.insert(
            at,
            Word {
                start: s,
                end: e,
                token: Token::Date { date, ambiguous: false },
            },
        );
    }
}
