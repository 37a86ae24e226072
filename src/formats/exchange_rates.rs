//! Exchange-rate files: the ECB's euro foreign exchange reference rates
//! (<https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/>,
//! `eurofxref-hist.csv` and the daily `eurofxref.csv`: a `Date` column, then one column per
//! currency in units per euro, `N/A` where none was published, a trailing comma on every line),
//! and a plain CSV of `date,currency,rate` (units of the company currency per unit of the
//! currency). Bytes in, the file's quotations out (`domain::exchange_rates::import::Quotes`);
//! what they mean for a company's books is the domain's business.

use jiff::civil::Date;

use super::FormatError;
use super::table::{self, Columns, Dialect, Record};
use crate::domain::exchange_rates::import::{Basis, Quote, Quotes};
use crate::domain::exchange_rates::{RateSource, parse_rate};

/// The largest file an import takes (the ECB's whole history since 1999 is about 2 MB).
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
/// At most this many rows.
const MAX_ROWS: usize = 2_000_000;

/// Which of the two layouts a file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatesFormat {
    /// The ECB's euro reference rates: `Date,USD,JPY,…`.
    Ecb,
    /// `date,currency,rate`.
    Csv,
}

impl RatesFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            RatesFormat::Ecb => "ecb",
            RatesFormat::Csv => "csv",
        }
    }

    pub fn parse(s: &str) -> Option<RatesFormat> {
        [RatesFormat::Ecb, RatesFormat::Csv]
            .into_iter()
            .find(|f| f.as_str() == s)
    }
}

const CSV_COLUMNS: &[&str] = &["date", "currency", "rate"];

/// The layout of a file from its header: a `currency` column makes it the plain CSV, anything
/// else is read as the ECB's.
pub fn detect(records: &[Record]) -> RatesFormat {
    let plain = records
        .first()
        .is_some_and(|h| h.fields.iter().any(|f| f.trim().eq_ignore_ascii_case("currency")));
    if plain { RatesFormat::Csv } else { RatesFormat::Ecb }
}

/// Reads a rates file in `format` (`None`: detected from its header).
pub fn read(bytes: &[u8], format: Option<RatesFormat>) -> Result<(RatesFormat, Quotes), FormatError> {
    if bytes.len() > MAX_BYTES {
        return Err(FormatError::TooLarge {
            size: bytes.len(),
            limit: MAX_BYTES,
        });
    }
    let records = table::read(bytes, Dialect::COMMA)?;
    if let Some(last) = records.get(MAX_ROWS) {
        return Err(FormatError::TooManyLines {
            line: last.row,
            limit: MAX_ROWS,
        });
    }
    let format = format.unwrap_or_else(|| detect(&records));
    let quotes = match format {
        RatesFormat::Ecb => ecb(&records)?,
        RatesFormat::Csv => plain(&records)?,
    };
    Ok((format, quotes))
}

fn value_error(row: usize, column: &str, message: impl Into<String>) -> FormatError {
    FormatError::Value {
        row,
        column: column.to_owned(),
        message: message.into(),
    }
}

/// `2024-01-05`, or the daily file's `05 January 2024`.
fn date(row: usize, column: &str, cell: &str) -> Result<Date, FormatError> {
    let cell = cell.trim();
    if cell.len() == 10
        && let Ok(d) = cell.parse::<Date>()
    {
        return Ok(d);
    }
    Date::strptime("%d %B %Y", cell)
        .map_err(|_| value_error(row, column, format!("{cell:?} is not a date (YYYY-MM-DD)")))
}

fn rate(row: usize, column: &str, cell: &str) -> Result<i64, FormatError> {
    parse_rate(cell).map_err(|e| value_error(row, column, format!("{cell:?} is not a rate: {e}")))
}

fn is_code(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())
}

fn ecb(records: &[Record]) -> Result<Quotes, FormatError> {
    let Some((header, rows)) = records.split_first() else {
        return Err(FormatError::Empty { format: "ECB rates" });
    };
    let names: Vec<&str> = header.fields.iter().map(|f| f.trim()).collect();
    if !names.first().is_some_and(|n| n.eq_ignore_ascii_case("date")) {
        let first = names.first().copied().unwrap_or_default();
        return Err(value_error(
            header.row,
            first,
            "the ECB's rates start with a Date column (or send date,currency,rate)",
        ));
    }
    // The trailing comma leaves an empty last name; every other column is a currency.
    let width = names.len();
    let used = if names.last().is_some_and(|n| n.is_empty()) {
        width - 1
    } else {
        width
    };
    let mut codes: Vec<&str> = Vec::with_capacity(used);
    for (i, name) in names.iter().enumerate().take(used).skip(1) {
        if !is_code(name) {
            return Err(value_error(
                header.row,
                name,
                format!("column {}: not a currency code", i + 1),
            ));
        }
        if codes.contains(name) {
            return Err(value_error(header.row, name, "appears twice"));
        }
        codes.push(name);
    }
    let mut quotes = Vec::new();
    for record in rows {
        let f = &record.fields;
        // A line without the trailing comma is as good as one with it.
        if f.len() != width && f.len() != used {
            return Err(FormatError::FieldCount {
                row: record.row,
                found: f.len(),
                expected: width,
            });
        }
        if f.len() > used && f.get(used).is_some_and(|c| !c.trim().is_empty()) {
            return Err(value_error(record.row, "", "a value after the last currency column"));
        }
        let day = date(record.row, "Date", f.first().map_or("", String::as_str))?;
        for (code, cell) in codes.iter().zip(f.iter().skip(1)) {
            let cell = cell.trim();
            if cell.is_empty() || cell.eq_ignore_ascii_case("N/A") {
                continue;
            }
            quotes.push(Quote {
                row: record.row,
                date: day,
                currency: (*code).to_owned(),
                rate: rate(record.row, code, cell)?,
            });
        }
    }
    Ok(Quotes {
        basis: Basis::PerEuro,
        source: RateSource::Ecb,
        quotes,
    })
}

fn plain(records: &[Record]) -> Result<Quotes, FormatError> {
    let Some((header, rows)) = records.split_first() else {
        return Err(FormatError::Empty { format: "rates CSV" });
    };
    let columns = Columns::from_header(header, CSV_COLUMNS, CSV_COLUMNS)?;
    let mut quotes = Vec::with_capacity(rows.len());
    for record in rows {
        let cells = columns.cells(record)?;
        let cell = |column: &'static str| {
            cells.get(column).ok_or(FormatError::Blank {
                row: record.row,
                column,
            })
        };
        let day = date(record.row, "date", cell("date")?)?;
        let code = cell("currency")?.to_ascii_uppercase();
        if !is_code(&code) {
            return Err(value_error(
                record.row,
                "currency",
                format!("{code:?} is not a currency code"),
            ));
        }
        quotes.push(Quote {
            row: record.row,
            date: day,
            currency: code,
            rate: rate(record.row, "rate", cell("rate")?)?,
        });
    }
    Ok(Quotes {
        basis: Basis::Direct,
        source: RateSource::Csv,
        quotes,
    })
}

#[cfg(test)]
mod tests {
    use jiff::civil::date as d;
    use proptest::prelude::*;

    use super::*;

    const HIST: &str = "\u{feff}Date,USD,JPY,CYP,GBP,\r\n\
                        2024-01-05,1.0921,158.83,N/A,0.8603,\r\n\
                        2024-01-04,1.0953,159.16,N/A,0.86408,\r\n";

    #[test]
    fn reads_the_ecb_history() {
        let (format, q) = read(HIST.as_bytes(), None).unwrap();
        assert_eq!(format, RatesFormat::Ecb);
        assert_eq!(q.basis, Basis::PerEuro);
        assert_eq!(q.quotes.len(), 6, "N/A is no rate");
        assert_eq!(
            q.quotes[0],
            Quote {
                row: 2,
                date: d(2024, 1, 5),
                currency: "USD".into(),
                rate: 1_092_100_000_000
            }
        );
        assert_eq!(q.quotes[5].currency, "GBP");
        assert_eq!(q.quotes[5].row, 3);
    }

    #[test]
    fn reads_the_daily_file() {
        let daily = "Date, USD, JPY, \n05 January 2024, 1.0921, 158.83, \n";
        let (_, q) = read(daily.as_bytes(), Some(RatesFormat::Ecb)).unwrap();
        assert_eq!(q.quotes.len(), 2);
        assert_eq!(q.quotes[1].date, d(2024, 1, 5));
        assert_eq!(q.quotes[1].rate, 158_830_000_000_000);
    }

    #[test]
    fn reads_the_plain_csv() {
        let text = "date,currency,rate\n2026-01-05,usd,0.92\n\"2026-01-06\",GBP,\"1.17\"\n";
        let (format, q) = read(text.as_bytes(), None).unwrap();
        assert_eq!(format, RatesFormat::Csv);
        assert_eq!(q.basis, Basis::Direct);
        assert_eq!(q.quotes[0].currency, "USD");
        assert_eq!(q.quotes[1].rate, 1_170_000_000_000);
    }

    #[test]
    fn errors_name_the_row_and_the_field() {
        let cases: &[(&str, &str)] = &[
            (
                "Date,USD,\n2024-01-05,abc,\n",
                "row 2: USD: \"abc\" is not a rate: A valid number is required.",
            ),
            (
                "Date,USD,\n2024-01-05,-1,\n",
                "row 2: USD: \"-1\" is not a rate: Ensure this value is greater than 0.",
            ),
            (
                "Date,USD,\n05/01/2024,1.1,\n",
                "row 2: Date: \"05/01/2024\" is not a date (YYYY-MM-DD)",
            ),
            ("Date,USD,\n2024-01-05,1.1,2,\n", "row 2: 4 fields, the header has 3"),
            ("Date,usd,\n", "row 1: usd: column 2: not a currency code"),
            ("Date,USD,USD,\n", "row 1: USD: appears twice"),
            (
                "Day,USD\n",
                "row 1: Day: the ECB's rates start with a Date column (or send date,currency,rate)",
            ),
            (
                "date,currency,rate\n2026-01-05,USD,\n",
                "row 2: the rate column is blank",
            ),
            (
                "date,currency,rate\n2026-01-05,US,1\n",
                "row 2: currency: \"US\" is not a currency code",
            ),
            (
                "date,currency,rate\n2026-01-05,USD,0\n",
                "row 2: rate: \"0\" is not a rate: Ensure this value is greater than 0.",
            ),
            (
                "date,currency,rate\n\n2026-13-05,USD,1\n",
                "row 3: date: \"2026-13-05\" is not a date (YYYY-MM-DD)",
            ),
            (
                "date,currency,rate,note\n",
                "row 1: unknown column \"note\"; the columns are date,currency,rate",
            ),
            ("", "the ECB rates file is empty"),
        ];
        for (text, message) in cases {
            let e = read(text.as_bytes(), None).unwrap_err();
            assert_eq!(e.to_string(), *message, "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn any_bytes_give_quotes_or_a_located_error(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            for format in [None, Some(RatesFormat::Ecb), Some(RatesFormat::Csv)] {
                if let Err(e) = read(&bytes, format) {
                    prop_assert!(!e.to_string().is_empty());
                }
            }
        }

        #[test]
        fn rate_like_text_never_panics(
            cells in proptest::collection::vec("[0-9A-Za-z/.,\" -]{0,12}", 1..8),
            rows in 0_usize..5,
        ) {
            let mut text = String::from("Date,USD,JPY,\n");
            for _ in 0..rows {
                text.push_str(&cells.join(","));
                text.push('\n');
            }
            let _ = read(text.as_bytes(), Some(RatesFormat::Ecb));
            let mut plain = String::from("date,currency,rate\n");
            plain.push_str(&cells.join(","));
            let _ = read(plain.as_bytes(), None);
        }
    }
}
