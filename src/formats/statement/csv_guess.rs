//! A first guess at a bank CSV's profile, for the column mapper to start from: the encoding, the
//! delimiter, the header row (its column names in English, German, French or Dutch), the date
//! format and the decimal mark, from the file's first rows. A guess, shown to the user to confirm;
//! never a silent import.

use super::csv::{AmountColumns, Column, CsvProfile, TextEncoding, decode};

/// How many lines the guess looks at.
const SAMPLE_LINES: usize = 50;

/// Header names of each role, lower-case without accents, most specific first within a role.
const DATE: &[&str] = &[
    "booking date",
    "transaction date",
    "posting date",
    "date",
    "buchungstag",
    "buchungsdatum",
    "datum",
    "date operation",
    "date de comptabilisation",
    "date comptable",
    "boekdatum",
    "transactiedatum",
    "boekingsdatum",
];
const VALUE_DATE: &[&str] = &[
    "value date",
    "valuta",
    "valutadatum",
    "wertstellung",
    "date de valeur",
    "date valeur",
    "rentedatum",
    "valutadatum",
];
const AMOUNT: &[&str] = &[
    "amount",
    "betrag",
    "umsatz",
    "montant",
    "bedrag",
    "transaction amount",
    "betrag eur",
    "amount eur",
    "montant eur",
    "bedrag eur",
];
const DEBIT: &[&str] = &[
    "debit",
    "soll",
    "withdrawal",
    "withdrawals",
    "money out",
    "paid out",
    "ausgang",
    "af",
    "debit eur",
    "uitgaven",
];
const CREDIT: &[&str] = &[
    "credit",
    "haben",
    "deposit",
    "deposits",
    "money in",
    "paid in",
    "eingang",
    "bij",
    "credit eur",
    "inkomsten",
];
const TEXT: &[&str] = &[
    "description",
    "memo",
    "details",
    "narrative",
    "verwendungszweck",
    "buchungstext",
    "text",
    "libelle",
    "libelle operation",
    "omschrijving",
    "mededelingen",
    "purpose",
];
const COUNTERPARTY: &[&str] = &[
    "payee",
    "counterparty",
    "beneficiary",
    "name",
    "auftraggeber empfanger",
    "beguenstigter zahlungspflichtiger",
    "zahlungsempfanger",
    "empfanger",
    "auftraggeber",
    "beneficiaire",
    "tiers",
    "naam tegenpartij",
    "tegenpartij",
    "naam",
];
const COUNTERPARTY_ACCOUNT: &[&str] = &[
    "counterparty iban",
    "iban",
    "kontonummer iban",
    "kontonummer",
    "tegenrekening",
    "compte contrepartie",
    "account number",
];
const REFERENCE: &[&str] = &[
    "reference",
    "referenz",
    "end to end reference",
    "kundenreferenz",
    "reference operation",
    "kenmerk",
    "betalingskenmerk",
];
const BALANCE: &[&str] = &[
    "balance",
    "saldo",
    "kontostand",
    "solde",
    "saldo na mutatie",
    "running balance",
];

/// A best guess of the profile of a bank CSV file. Whatever cannot be told is left at the
/// defaults of [`CsvProfile`].
pub fn guess_profile(bytes: &[u8]) -> CsvProfile {
    let encoding = if std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).is_ok() {
        TextEncoding::Utf8
    } else {
        TextEncoding::Windows1252
    };
    let Ok(text) = decode(bytes, encoding) else {
        return CsvProfile::default();
    };
    let sample: Vec<&str> = text.lines().take(SAMPLE_LINES).collect();
    let delimiter = guess_delimiter(&sample);
    let rows: Vec<Vec<String>> = sample.iter().map(|l| split(l, delimiter)).collect();
    let mut profile = CsvProfile {
        delimiter,
        encoding,
        ..CsvProfile::default()
    };
    // The header is the first row naming a date column and an amount (or debit) column.
    let found = rows.iter().enumerate().find_map(|(i, row)| {
        let names: Vec<String> = row.iter().map(|c| normalise(c)).collect();
        let date = find(&names, DATE)?;
        let amount = find(&names, AMOUNT).or_else(|| find(&names, DEBIT))?;
        Some((i, names, date, amount))
    });
    let Some((header_at, names, date, _)) = found else {
        profile.header = false;
        return profile;
    };
    profile.skip_rows = header_at;
    profile.header = true;
    profile.date = Column::Index(date);
    profile.value_date = find(&names, VALUE_DATE).filter(|&c| c != date).map(Column::Index);
    let amount_column = find(&names, AMOUNT);
    profile.amount = match (amount_column, find(&names, DEBIT), find(&names, CREDIT)) {
        (Some(column), _, _) => AmountColumns::Single {
            column: Column::Index(column),
            inverted: false,
        },
        (None, Some(debit), Some(credit)) => AmountColumns::DebitCredit {
            debit: Column::Index(debit),
            credit: Column::Index(credit),
        },
        (None, Some(debit), None) => AmountColumns::Single {
            column: Column::Index(debit),
            inverted: false,
        },
        (None, None, _) => profile.amount,
    };
    profile.counterparty = find(&names, COUNTERPARTY).map(Column::Index);
    profile.text = find(&names, TEXT)
        .filter(|&t| Some(t) != find(&names, COUNTERPARTY))
        .map(Column::Index)
        .into_iter()
        .collect();
    profile.counterparty_account = find(&names, COUNTERPARTY_ACCOUNT).map(Column::Index);
    profile.reference = find(&names, REFERENCE).map(Column::Index);
    profile.balance = find(&names, BALANCE).map(Column::Index);
    let data: Vec<&Vec<String>> = rows.iter().skip(header_at + 1).collect();
    let column_values = |c: usize| data.iter().filter_map(move |r| r.get(c)).map(|v| v.trim());
    let amount_columns: Vec<usize> = match &profile.amount {
        AmountColumns::Single {
            column: Column::Index(c),
            ..
        } => vec![*c],
        AmountColumns::DebitCredit {
            debit: Column::Index(d),
            credit: Column::Index(c),
        } => vec![*d, *c],
        _ => vec![],
    };
    profile.decimal = guess_decimal(amount_columns.iter().flat_map(|&c| column_values(c)));
    profile.date_format = guess_date_format(column_values(date), profile.decimal);
    profile
}

/// Lower case, accents and punctuation dropped, spaces collapsed: `Date d'opération` → `date d
/// operation`… close enough to match the lists above.
fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name
        .trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .flat_map(char::to_lowercase)
    {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ï' | 'î' => 'i',
            'ö' | 'ô' => 'o',
            'ü' | 'û' | 'ù' => 'u',
            'ç' => 'c',
            'ß' => 's',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        };
        out.push(c);
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    // "date d operation" → "date operation": the elided article carries no meaning.
    words
        .into_iter()
        .filter(|w| w.len() > 1 || *w == "af")
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first column whose name is in `wanted` (an exact name first, then one containing it).
fn find(names: &[String], wanted: &[&str]) -> Option<usize> {
    wanted
        .iter()
        .find_map(|w| names.iter().position(|n| n == w))
        .or_else(|| {
            wanted
                .iter()
                .filter(|w| w.len() > 3)
                .find_map(|w| names.iter().position(|n| n.contains(w)))
        })
}

/// The delimiter that splits most sample lines into the same number (more than one) of fields.
fn guess_delimiter(lines: &[&str]) -> u8 {
    let mut best = (b',', 0usize);
    for delimiter in [b';', b',', b'\t', b'|'] {
        let counts: Vec<usize> = lines.iter().map(|l| split(l, delimiter).len()).collect();
        let Some(&most) = counts.iter().max() else {
            continue;
        };
        if most < 2 {
            continue;
        }
        let agreeing = counts.iter().filter(|&&n| n == most).count();
        if agreeing > best.1 {
            best = (delimiter, agreeing);
        }
    }
    best.0
}

/// One line split at `delimiter` outside double quotes, quotes removed (a sketch for guessing;
/// the import itself reads the file with the CSV reader).
fn split(line: &str, delimiter: u8) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            c if !quoted && c == char::from(delimiter) => fields.push(String::new()),
            c => {
                if let Some(f) = fields.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    fields
}

/// `,` when more amounts end in a comma and one or two digits (or have a comma after their last
/// dot) than the other way round.
fn guess_decimal<'a>(values: impl Iterator<Item = &'a str>) -> char {
    let (mut comma, mut dot) = (0, 0);
    for v in values {
        let v = v.trim_end_matches(|c: char| !c.is_ascii_digit());
        match (v.rfind(','), v.rfind('.')) {
            (Some(c), Some(d)) if c > d => comma += 1,
            (Some(_), Some(_)) => dot += 1,
            (Some(c), None) if v.len() - c <= 3 => comma += 1,
            (None, Some(d)) if v.len() - d <= 3 => dot += 1,
            _ => {}
        }
    }
    if comma > dot { ',' } else { '.' }
}

/// The date format whose pattern every sample date fits; for day and month separated by `/` or
/// `-`, the order a day above 12 shows, else day first when amounts use a decimal comma.
fn guess_date_format<'a>(values: impl Iterator<Item = &'a str>, decimal: char) -> String {
    let values: Vec<&str> = values.filter(|v| !v.is_empty()).collect();
    let shape = |v: &str| -> String { v.chars().map(|c| if c.is_ascii_digit() { '9' } else { c }).collect() };
    let Some(first) = values.first() else {
        return "%Y-%m-%d".into();
    };
    let part = |v: &str, i: usize| -> u32 {
        v.split(['/', '-', '.'])
            .nth(i)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    };
    let pick = |sep: char, year_long: bool| -> String {
        let y = if year_long { "%Y" } else { "%y" };
        if values.iter().any(|v| part(v, 0) > 12) {
            format!("%d{sep}%m{sep}{y}")
        } else if values.iter().any(|v| part(v, 1) > 12) {
            format!("%m{sep}%d{sep}{y}")
        } else if decimal == ',' || sep == '.' {
            format!("%d{sep}%m{sep}{y}")
        } else {
            format!("%m{sep}%d{sep}{y}")
        }
    };
    match shape(first).as_str() {
        "9999-99-99" => "%Y-%m-%d".into(),
        "9999/99/99" => "%Y/%m/%d".into(),
        "99999999" => "%Y%m%d".into(),
        "99.99.9999" => pick('.', true),
        "99.99.99" => pick('.', false),
        "99/99/9999" => pick('/', true),
        "99/99/99" => pick('/', false),
        "99-99-9999" => pick('-', true),
        _ => "%Y-%m-%d".into(),
    }
}

/// The header row's names as written (trimmed), for the column mapper; empty when the profile
/// says the file has no header.
pub fn header_names(bytes: &[u8], profile: &CsvProfile) -> Vec<String> {
    if !profile.header {
        return Vec::new();
    }
    let Ok(text) = decode(bytes, profile.encoding) else {
        return Vec::new();
    };
    text.lines()
        .nth(profile.skip_rows)
        .map(|l| {
            split(l.trim_start_matches('\u{feff}'), profile.delimiter)
                .into_iter()
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .unwrap_or_default()
}
