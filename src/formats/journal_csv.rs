//! The journal CSV of `oasys import journal` (README, "Importing a journal"): one row per ledger
//! line; rows with the same `entry` key form one entry, in the order of their first row.

use std::collections::HashMap;
use std::io;

use super::FormatError;
use super::table::{self, Cells, Columns, Dialect};

/// The columns, in the documented order. A file may hold them in any order and leave out all but
/// [`REQUIRED`].
pub const COLUMNS: [&str; 10] = [
    "entry",
    "date",
    "reference",
    "description",
    "account",
    "line_description",
    "debit",
    "credit",
    "currency",
    "exchange_rate",
];
pub const REQUIRED: &[&str] = &["entry", "date", "account", "debit", "credit"];

/// One journal entry as the file gives it. Cells are trimmed text, `None` when blank: whether a
/// date or an amount is valid, or an account exists, is for the ledger's rules to say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    /// The `entry` cell: any text that groups rows (a number, an invoice id).
    pub key: String,
    /// The row of the entry's first row.
    pub row: usize,
    /// Given on the entry's first row or on every row; two different values are an error.
    pub date: Option<String>,
    pub reference: Option<String>,
    pub description: Option<String>,
    /// In row order.
    pub lines: Vec<Line>,
}

/// One ledger line: one row of the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Line {
    pub row: usize,
    /// A code of the company's chart or an account id.
    pub account: Option<String>,
    /// The `line_description` column.
    pub description: Option<String>,
    pub debit: Option<String>,
    pub credit: Option<String>,
    pub currency: Option<String>,
    pub exchange_rate: Option<String>,
}

/// Reads a journal CSV: comma-separated, a header row first.
pub fn read(text: &str) -> Result<Vec<Entry>, FormatError> {
    let records = table::read(text.as_bytes(), Dialect::COMMA)?;
    let mut records = records.iter();
    let Some(header) = records.next() else {
        return Err(FormatError::Empty { format: "CSV" });
    };
    let columns = Columns::from_header(header, &COLUMNS, REQUIRED)?;
    let mut entries: Vec<Entry> = Vec::new();
    let mut by_key: HashMap<&str, usize> = HashMap::new();
    for record in records {
        let cells = columns.cells(record)?;
        let Some(key) = cells.get("entry") else {
            return Err(FormatError::Blank {
                row: cells.row,
                column: "entry",
            });
        };
        match by_key.get(key).and_then(|&i| entries.get_mut(i)) {
            Some(entry) => add_row(entry, &cells)?,
            None => {
                let mut entry = Entry {
                    key: key.to_owned(),
                    row: cells.row,
                    ..Entry::default()
                };
                add_row(&mut entry, &cells)?;
                by_key.insert(key, entries.len());
                entries.push(entry);
            }
        }
    }
    Ok(entries)
}

/// Adds a row's line to its entry, and the entry's fields the entry does not have yet.
fn add_row(entry: &mut Entry, cells: &Cells) -> Result<(), FormatError> {
    for (column, slot) in [
        ("date", &mut entry.date),
        ("reference", &mut entry.reference),
        ("description", &mut entry.description),
    ] {
        match (cells.get(column), slot.as_deref()) {
            (Some(new), Some(old)) if new != old => {
                return Err(FormatError::Conflict {
                    row: cells.row,
                    group: format!("entry {:?}", entry.key),
                    column,
                    old: old.to_owned(),
                    new: new.to_owned(),
                });
            }
            (Some(new), None) => *slot = Some(new.to_owned()),
            _ => {}
        }
    }
    let cell = |column: &str| cells.get(column).map(str::to_owned);
    entry.lines.push(Line {
        row: cells.row,
        account: cell("account"),
        description: cell("line_description"),
        debit: cell("debit"),
        credit: cell("credit"),
        currency: cell("currency"),
        exchange_rate: cell("exchange_rate"),
    });
    Ok(())
}

/// Writes entries as a journal CSV: every column, one row per line, the entry's date, reference
/// and description on each of its rows. `row` fields are not written; an entry without lines
/// leaves no trace.
pub fn write(out: impl io::Write, entries: &[Entry]) -> io::Result<()> {
    let rows = entries.iter().flat_map(|entry| {
        entry.lines.iter().map(move |line| {
            [
                Some(entry.key.as_str()),
                entry.date.as_deref(),
                entry.reference.as_deref(),
                entry.description.as_deref(),
                line.account.as_deref(),
                line.description.as_deref(),
                line.debit.as_deref(),
                line.credit.as_deref(),
                line.currency.as_deref(),
                line.exchange_rate.as_deref(),
            ]
            .map(|cell| cell.unwrap_or_default())
        })
    });
    table::write(out, Dialect::COMMA, std::iter::once(COLUMNS).chain(rows))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn error(text: &str) -> String {
        read(text).err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn rows_group_into_entries_in_the_order_of_their_first_row() {
        let text = "\u{feff}entry,date,reference,description,account,line_description,debit,credit\r\n\
                    E1,2024-01-05,R1,\"Rent, May\",6100,,100.00,\r\n\
                    E2,2024-01-06,,,1010,,5,\r\n\
                    E1,,,,1020,\"bank\ntransfer\",,100.00\r\n\
                    E2,2024-01-06,,,4100,,,5\r\n";
        let entries = read(text).unwrap();
        assert_eq!(
            entries.iter().map(|e| (e.key.as_str(), e.row)).collect::<Vec<_>>(),
            [("E1", 2), ("E2", 3)]
        );
        let e1 = &entries[0];
        assert_eq!(
            (e1.date.as_deref(), e1.reference.as_deref(), e1.description.as_deref()),
            (Some("2024-01-05"), Some("R1"), Some("Rent, May"))
        );
        assert_eq!(
            e1.lines[1],
            Line {
                row: 4,
                account: Some("1020".into()),
                description: Some("bank\ntransfer".into()),
                credit: Some("100.00".into()),
                ..Line::default()
            }
        );
        assert_eq!(entries[1].lines.iter().map(|l| l.row).collect::<Vec<_>>(), [3, 6]);
    }

    #[test]
    fn errors_name_the_row_and_the_column() {
        assert_eq!(error(""), "the CSV file is empty");
        assert_eq!(
            error("entry,date,acount,debit,credit\n"),
            "row 1: unknown column \"acount\"; the columns are \
             entry,date,reference,description,account,line_description,debit,credit,currency,exchange_rate"
        );
        assert_eq!(error("entry,date,debit\n"), "row 1: missing column(s) account, credit");
        let header = "entry,date,account,debit,credit\n";
        assert_eq!(
            error(&format!("{header}E1,2024-01-05,1010,1\n")),
            "row 2: 4 fields, the header has 5"
        );
        assert_eq!(
            error(&format!("{header}E1,2024-01-05,1010,1,\n ,2024-01-05,4100,,1\n")),
            "row 3: the entry column is blank"
        );
        assert_eq!(
            error(&format!("{header}E1,2024-01-05,1010,1,\nE1,2024-01-06,4100,,1\n")),
            "row 3: entry \"E1\" already has date \"2024-01-05\", this row says \"2024-01-06\""
        );
    }

    fn cell() -> impl Strategy<Value = Option<String>> {
        let text = prop::collection::vec(
            prop_oneof![4 => any::<char>(), 1 => prop::sample::select(vec!['"', ',', '\n', '\r', ' '])],
            0..10,
        )
        .prop_map(|chars| String::from_iter(chars).trim().to_owned());
        text.prop_map(|s| Some(s).filter(|s| !s.is_empty()))
    }

    fn line() -> impl Strategy<Value = Line> {
        (cell(), cell(), cell(), cell(), cell(), cell()).prop_map(
            |(account, description, debit, credit, currency, exchange_rate)| Line {
                row: 0,
                account,
                description,
                debit,
                credit,
                currency,
                exchange_rate,
            },
        )
    }

    fn entry() -> impl Strategy<Value = Entry> {
        (cell(), cell(), cell(), prop::collection::vec(line(), 1..4)).prop_map(
            |(date, reference, description, lines)| Entry {
                date,
                reference,
                description,
                lines,
                ..Entry::default()
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Entries written read back the same, whatever their text holds.
        #[test]
        fn written_entries_read_back(mut entries in prop::collection::vec(entry(), 0..6)) {
            for (i, entry) in entries.iter_mut().enumerate() {
                entry.key = format!("E \"{i},");
            }
            let mut out = Vec::new();
            write(&mut out, &entries)?;
            let text = String::from_utf8(out)?;
            let mut read_back = read(&text)?;
            for entry in &mut read_back {
                entry.row = 0;
                entry.lines.iter_mut().for_each(|line| line.row = 0);
            }
            prop_assert_eq!(read_back, entries);
        }

        /// Any text: entries, or an error (never a panic).
        #[test]
        fn any_text_reads_or_fails(text in "(entry,date,account,debit,credit\n)?[a-z0-9,\"\n\r ]{0,120}") {
            if let Err(e) = read(&text) {
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }
}
