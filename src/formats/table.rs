//! CSV in general: records with the row each starts on, read by the `csv` crate and held to
//! RFC 4180's quoting; a header matched against a format's columns; records written back.

use std::io;

use super::FormatError;

/// What separates fields: `,` (RFC 4180), or `;` (spreadsheets where the decimal mark is a comma,
/// and many banks' exports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    pub delimiter: u8,
}

impl Dialect {
    pub const COMMA: Self = Self { delimiter: b',' };
    pub const SEMICOLON: Self = Self { delimiter: b';' };
}

/// One record: its fields as written (not trimmed), and the row it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub row: usize,
    pub fields: Vec<String>,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads every record of a CSV file. A leading byte-order mark and blank lines are skipped;
/// LF, CRLF or CR ends a record; a field in double quotes may hold the delimiter, line breaks
/// and `""` for a quote. Fields are UTF-8. Records may differ in length ([`Columns::cells`]
/// checks them against a header).
pub fn read(bytes: &[u8], dialect: Dialect) -> Result<Vec<Record>, FormatError> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(dialect.delimiter)
        .from_reader(bytes);
    let mut rows = Rows::new(bytes);
    let mut records = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        // The reader's own line numbers are off after blank lines and CRLF (rust-csv #208,
        // #395), so rows are counted here from byte offsets. A record's offset may fall on the
        // blank lines or the `\n` before it: its first byte is the first that ends no line.
        let from = offset(reader.position());
        let more = reader.read_byte_record(&mut record);
        let to = offset(reader.position()).min(bytes.len());
        let start = bytes
            .get(from..to)
            .and_then(|raw| raw.iter().position(|b| !matches!(b, b'\r' | b'\n')))
            .map_or(to, |skip| from + skip);
        let row = rows.at(start);
        match more {
            Ok(true) => {}
            Ok(false) => return Ok(records),
            Err(e) => {
                return Err(FormatError::Malformed {
                    row,
                    message: e.to_string(),
                });
            }
        }
        let raw = bytes.get(start..to).unwrap_or_default();
        if raw.contains(&b'"') {
            check_quoting(raw, dialect.delimiter).map_err(|(problem, at)| {
                let row = row + line_ends(bytes, start, start + at);
                match problem {
                    Quoting::InsideUnquoted => FormatError::QuoteInUnquotedField { row },
                    Quoting::TextAfterClose => FormatError::TextAfterQuote { row },
                    Quoting::NeverClosed => FormatError::UnclosedQuote { row },
                }
            })?;
        }
        let fields = record
            .iter()
            .enumerate()
            .map(|(i, field)| match std::str::from_utf8(field) {
                Ok(text) => Ok(text.to_owned()),
                Err(_) => Err(FormatError::NotUtf8 { row, field: i + 1 }),
            })
            .collect::<Result<Vec<String>, FormatError>>()?;
        records.push(Record { row, fields });
    }
}

fn offset(position: &csv::Position) -> usize {
    usize::try_from(position.byte()).unwrap_or(usize::MAX)
}

/// The row of a byte offset, counted forwards from the last one asked for.
struct Rows<'a> {
    bytes: &'a [u8],
    offset: usize,
    row: usize,
}

impl<'a> Rows<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            offset: 0,
            row: 1,
        }
    }

    fn at(&mut self, offset: usize) -> usize {
        if offset > self.offset {
            self.row += line_ends(self.bytes, self.offset, offset);
            self.offset = offset;
        }
        self.row
    }
}

/// How many lines end in `bytes[from..to]`: at each LF, and at each CR not followed by one.
fn line_ends(bytes: &[u8], from: usize, to: usize) -> usize {
    (from..to)
        .filter(|&i| match bytes.get(i) {
            Some(b'\n') => true,
            Some(b'\r') => bytes.get(i + 1) != Some(&b'\n'),
            _ => false,
        })
        .count()
}

/// A way a record breaks RFC 4180's quoting.
enum Quoting {
    InsideUnquoted,
    TextAfterClose,
    NeverClosed,
}

/// The `csv` crate reads anything: `a"b` as a literal quote, `"a"b` as `ab`, and an unclosed
/// quote as a field running to the end of the file. A money file should not be guessed at, so a
/// record holding a quote is checked here (its values still come from the crate): a quote
/// opens a field or is doubled inside one, and only spaces or tabs may follow the closing
/// quote. The error comes with the offset of the offending byte in `raw`.
fn check_quoting(raw: &[u8], delimiter: u8) -> Result<(), (Quoting, usize)> {
    #[derive(PartialEq)]
    enum At {
        FieldStart,
        Unquoted,
        Quoted,
        Closed,
    }
    let mut at = At::FieldStart;
    let mut bytes = raw.iter().copied().enumerate().peekable();
    while let Some((i, b)) = bytes.next() {
        let ends_field = b == delimiter || b == b'\r' || b == b'\n';
        at = match at {
            At::Quoted if b == b'"' => match bytes.peek() {
                Some((_, b'"')) => {
                    bytes.next();
                    At::Quoted
                }
                _ => At::Closed,
            },
            At::Quoted => At::Quoted,
            _ if ends_field => At::FieldStart,
            At::FieldStart if b == b'"' => At::Quoted,
            At::FieldStart | At::Unquoted if b == b'"' => return Err((Quoting::InsideUnquoted, i)),
            At::FieldStart | At::Unquoted => At::Unquoted,
            At::Closed if b == b' ' || b == b'\t' => At::Closed,
            At::Closed => return Err((Quoting::TextAfterClose, i)),
        };
    }
    if at == At::Quoted {
        return Err((Quoting::NeverClosed, 0));
    }
    Ok(())
}

/// A header matched against a format's columns: which field holds which column.
#[derive(Debug)]
pub struct Columns {
    width: usize,
    index: Vec<(&'static str, usize)>,
}

impl Columns {
    /// Matches the header's names to `known`, ignoring case and surrounding spaces: each name
    /// must be known and appear once, and every `required` column must be there.
    pub fn from_header(
        header: &Record,
        known: &'static [&'static str],
        required: &[&'static str],
    ) -> Result<Self, FormatError> {
        let row = header.row;
        let mut index: Vec<(&'static str, usize)> = Vec::with_capacity(header.fields.len());
        for (i, name) in header.fields.iter().enumerate() {
            let name = name.trim();
            let Some(&column) = known.iter().find(|c| c.eq_ignore_ascii_case(name)) else {
                return Err(FormatError::UnknownColumn {
                    row,
                    name: name.to_owned(),
                    known,
                });
            };
            if index.iter().any(|(c, _)| *c == column) {
                return Err(FormatError::DuplicateColumn { row, name: column });
            }
            index.push((column, i));
        }
        let names: Vec<&'static str> = required
            .iter()
            .copied()
            .filter(|r| !index.iter().any(|(c, _)| c == r))
            .collect();
        if !names.is_empty() {
            return Err(FormatError::MissingColumns { row, names });
        }
        Ok(Self {
            width: header.fields.len(),
            index,
        })
    }

    /// A record's cells by column name, once its length is the header's.
    pub fn cells<'a>(&'a self, record: &'a Record) -> Result<Cells<'a>, FormatError> {
        if record.fields.len() != self.width {
            return Err(FormatError::FieldCount {
                row: record.row,
                found: record.fields.len(),
                expected: self.width,
            });
        }
        Ok(Cells {
            row: record.row,
            columns: self,
            fields: &record.fields,
        })
    }
}

/// One record read through a header.
pub struct Cells<'a> {
    pub row: usize,
    columns: &'a Columns,
    fields: &'a [String],
}

impl<'a> Cells<'a> {
    /// The cell of `column`, trimmed; `None` if the header has no such column or the cell is blank.
    pub fn get(&self, column: &str) -> Option<&'a str> {
        let (_, i) = self.columns.index.iter().find(|(c, _)| *c == column)?;
        self.fields.get(*i).map(|s| s.trim()).filter(|s| !s.is_empty())
    }
}

/// Writes records, quoting only the fields that need it (the delimiter, a quote or a line break
/// inside); a record of one empty field is written `""`, so that it is not read as a blank line.
/// Records may differ in length, as [`read`] allows.
pub fn write<W, R>(out: W, dialect: Dialect, records: impl IntoIterator<Item = R>) -> io::Result<()>
where
    W: io::Write,
    R: IntoIterator<Item: AsRef<[u8]>>,
{
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .delimiter(dialect.delimiter)
        .from_writer(out);
    for record in records {
        writer.write_record(record)?;
    }
    writer.flush()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn rows(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
        read(text.as_bytes(), Dialect::COMMA)
            .map(|records| records.into_iter().map(|r| (r.row, r.fields)).collect())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn csv_fields_quotes_and_line_ends() {
        let records = rows("\u{feff}a,b,c\r\n1,\"x, \"\"y\"\"\",\n\n2,\"multi\nline\",z\n3,,\"\"").unwrap();
        assert_eq!(
            records,
            vec![
                (1, vec!["a".into(), "b".into(), "c".into()]),
                (2, vec!["1".into(), "x, \"y\"".into(), String::new()]),
                (4, vec!["2".into(), "multi\nline".into(), "z".into()]),
                (6, vec!["3".into(), String::new(), String::new()]),
            ]
        );
        assert!(rows("a,\"b\nc").unwrap_err().contains("row 1"));
        assert!(rows("a\nb\"c\"").unwrap_err().contains("row 2"));
    }

    #[test]
    fn rows_are_lines_whatever_ends_them() {
        let starts = |text: &str| rows(text).unwrap().into_iter().map(|(row, _)| row).collect::<Vec<_>>();
        assert_eq!(starts("h\r\n\r\n\r\nx\r\ny\r\n"), [1, 4, 5]);
        assert_eq!(starts("h\n\n\nx\ny"), [1, 4, 5]);
        assert_eq!(starts("h\rx\r\ry"), [1, 2, 4]);
        assert_eq!(starts("\n\nh,\"a\r\nb\"\r\nx"), [3, 5]);
        assert_eq!(rows("").unwrap(), []);
        assert_eq!(rows("\r\n\n").unwrap(), []);
    }

    #[test]
    fn quoting_that_rfc_4180_does_not_allow_is_refused_at_its_row() {
        assert_eq!(
            rows("a,b\nc,\"d\ne\"f"),
            Err("row 3: text after the closing quote of a field".into())
        );
        assert_eq!(
            rows("a,b\n\nc,5\"\n"),
            Err("row 3: a quote inside an unquoted field (quote the whole field)".into())
        );
        assert_eq!(
            rows("a,b\nc, \"d\"\n"),
            Err("row 2: a quote inside an unquoted field (quote the whole field)".into())
        );
        assert_eq!(
            rows("a,b\n\"c\n\nd,e\n"),
            Err("row 2: a quoted field is never closed".into())
        );
        // Spaces after the closing quote are allowed (and kept: callers trim).
        assert_eq!(rows("\"a\" ,\"b\"\t").unwrap(), [(1, vec!["a ".into(), "b\t".into()])]);
    }

    #[test]
    fn semicolons_and_bytes_that_are_not_utf8() {
        let records = read(b"date;amount\n2024-01-05;\"1,50\"\n", Dialect::SEMICOLON).unwrap();
        assert_eq!(records[1].fields, ["2024-01-05", "1,50"]);
        assert_eq!(
            read(b"a,b\nc,\xff\n", Dialect::COMMA),
            Err(FormatError::NotUtf8 { row: 2, field: 2 })
        );
    }

    #[test]
    fn a_header_names_known_columns_once() {
        const KNOWN: &[&str] = &["entry", "date", "debit"];
        let header = |text: &str| {
            let records = read(text.as_bytes(), Dialect::COMMA).unwrap();
            Columns::from_header(&records[0], KNOWN, &["entry", "date"]).map_err(|e| e.to_string())
        };
        assert_eq!(
            header("entry,dat").unwrap_err(),
            "row 1: unknown column \"dat\"; the columns are entry,date,debit"
        );
        assert_eq!(
            header("entry,Date, DATE").unwrap_err(),
            "row 1: column \"date\" appears twice"
        );
        assert_eq!(header("debit").unwrap_err(), "row 1: missing column(s) entry, date");
        let records = read(b" Date ,entry\n 2024-01-05 , \nx\n", Dialect::COMMA).unwrap();
        let columns = Columns::from_header(&records[0], KNOWN, &["entry"]).unwrap();
        let cells = columns.cells(&records[1]).unwrap();
        assert_eq!(
            (cells.row, cells.get("date"), cells.get("entry"), cells.get("debit")),
            (2, Some("2024-01-05"), None, None)
        );
        assert_eq!(
            columns.cells(&records[2]).err().map(|e| e.to_string()),
            Some("row 3: 1 fields, the header has 2".into())
        );
    }

    /// Text rich in what CSV must quote.
    fn field() -> impl Strategy<Value = String> {
        let char = prop_oneof![
            4 => any::<char>(),
            1 => prop::sample::select(vec!['"', ',', ';', '\n', '\r', ' ', '\t']),
        ];
        prop::collection::vec(char, 0..12).prop_map(String::from_iter)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Whatever the writer writes, the reader reads back as it was.
        #[test]
        fn written_records_read_back(
            records in prop::collection::vec(prop::collection::vec(field(), 1..6), 0..8),
            semicolon in any::<bool>(),
        ) {
            let dialect = if semicolon { Dialect::SEMICOLON } else { Dialect::COMMA };
            let header = vec!["date".to_owned(), "amount".to_owned()];
            let mut out = Vec::new();
            write(&mut out, dialect, std::iter::once(&header).chain(&records))?;
            let read_back: Vec<Vec<String>> = read(&out, dialect)?.into_iter().map(|r| r.fields).collect();
            prop_assert_eq!(read_back.first(), Some(&header));
            prop_assert_eq!(read_back.get(1..), Some(records.as_slice()));
        }

        /// Any bytes: records in order of their rows, or an error naming a row of the input.
        #[test]
        fn any_bytes_read_or_fail_at_a_row(bytes in prop::collection::vec(
            prop_oneof![3 => any::<u8>(), 2 => prop::sample::select(b"\",;\r\n a".to_vec())],
            0..200,
        )) {
            let last_row = line_ends(&bytes, 0, bytes.len()) + 1;
            match read(&bytes, Dialect::COMMA) {
                Ok(records) => {
                    let starts: Vec<usize> = records.iter().map(|r| r.row).collect();
                    prop_assert!(starts.windows(2).all(|w| w[0] < w[1]), "{:?}", starts);
                    prop_assert!(starts.iter().all(|&row| (1..=last_row).contains(&row)), "{:?}", starts);
                }
                Err(e) => {
                    let row = e.row();
                    prop_assert!(row.is_some_and(|row| (1..=last_row).contains(&row)), "{}", e);
                }
            }
        }
    }
}
