//! The CSV layout of an uploaded statement: guessed from the file (`formats::statement::guess_profile`
//! reads the header names of many banks, the date format and the decimal mark), then corrected by
//! what the upload's form fields (or the CLI's options) say: the column mapper's choices.

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::FieldErrors;
use crate::formats::FormatError;
use crate::formats::statement::{self, AmountColumns, Column, CsvProfile, Limits, Statement, TextEncoding};

/// What the caller said about the file's layout; anything left out is guessed.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// `;`, `,` or a tab.
    pub delimiter: Option<u8>,
    /// `,` for amounts written `1.234,56`; `None`: guessed.
    pub decimal_comma: Option<bool>,
    /// A `jiff::fmt::strtime` pattern such as `%d.%m.%Y`; guessed when absent.
    pub date_format: Option<String>,
    /// Lines before the header.
    pub skip_rows: Option<usize>,
    pub encoding: Option<TextEncoding>,
    /// Columns by position, from 0.
    pub date_column: Option<usize>,
    pub amount_column: Option<usize>,
    pub debit_column: Option<usize>,
    pub credit_column: Option<usize>,
    pub text_columns: Option<Vec<usize>>,
    pub counterparty_column: Option<usize>,
    pub counterparty_account_column: Option<usize>,
    pub reference_column: Option<usize>,
    pub balance_column: Option<usize>,
    /// The bank writes money out as positive.
    pub invert_amount: Option<bool>,
}

/// The name an encoding has in the API.
pub fn encoding_name(e: TextEncoding) -> &'static str {
    match e {
        TextEncoding::Utf8 => "utf-8",
        TextEncoding::Windows1252 => "windows-1252",
        TextEncoding::Latin1 => "iso-8859-1",
    }
}

pub fn encoding_of(name: &str) -> Option<TextEncoding> {
    [TextEncoding::Utf8, TextEncoding::Windows1252, TextEncoding::Latin1]
        .into_iter()
        .find(|e| encoding_name(*e).eq_ignore_ascii_case(name.trim()))
}

impl Profile {
    /// The guess for `bytes`, with the caller's corrections.
    pub fn for_file(&self, bytes: &[u8]) -> CsvProfile {
        let mut csv = statement::guess_profile(bytes);
        if let Some(d) = self.delimiter {
            csv.delimiter = d;
        }
        if let Some(comma) = self.decimal_comma {
            csv.decimal = if comma { ',' } else { '.' };
        }
        if let Some(f) = &self.date_format {
            csv.date_format = f.clone();
        }
        if let Some(n) = self.skip_rows {
            csv.skip_rows = n;
        }
        if let Some(e) = self.encoding {
            csv.encoding = e;
        }
        let at = |c: Option<usize>| c.map(Column::Index);
        if let Some(c) = self.date_column {
            csv.date = Column::Index(c);
        }
        match (self.debit_column, self.credit_column, self.amount_column) {
            (Some(debit), Some(credit), _) => {
                csv.amount = AmountColumns::DebitCredit {
                    debit: Column::Index(debit),
                    credit: Column::Index(credit),
                };
            }
            (_, _, Some(column)) => {
                csv.amount = AmountColumns::Single {
                    column: Column::Index(column),
                    inverted: self.invert_amount.unwrap_or(false),
                };
            }
            _ => {
                if let (Some(invert), AmountColumns::Single { inverted, .. }) = (self.invert_amount, &mut csv.amount) {
                    *inverted = invert;
                }
            }
        }
        if let Some(cols) = &self.text_columns {
            csv.text = cols.iter().copied().map(Column::Index).collect();
        }
        csv.counterparty = at(self.counterparty_column).or(csv.counterparty);
        csv.counterparty_account = at(self.counterparty_account_column).or(csv.counterparty_account);
        csv.reference = at(self.reference_column).or(csv.reference);
        csv.balance = at(self.balance_column).or(csv.balance);
        csv
    }
}

/// Reads a statement in any format OASYS knows (detected from the content); a CSV file with the
/// layout `profile` gives.
pub fn read(bytes: &[u8], profile: &Profile) -> Result<Statement, FormatError> {
    let csv = profile.for_file(bytes);
    statement::parse(bytes, Some(&csv), &Limits::default())
}

/// The CSV layout the import read the file with, for the column mapper.
#[derive(Serialize, ToSchema)]
pub struct CsvLayoutDto {
    /// `,`, `;` or `tab`.
    pub delimiter: String,
    /// `.` or `,`.
    pub decimal_separator: String,
    pub date_format: String,
    pub skip_rows: usize,
    /// `utf-8`, `windows-1252` or `iso-8859-1`.
    pub encoding: &'static str,
    /// The header row's names (empty when the file has none).
    pub header: Vec<String>,
    pub columns: CsvColumnsDto,
}

/// Which column (from 0) holds what; `null`: none.
#[derive(Serialize, ToSchema)]
pub struct CsvColumnsDto {
    #[schema(required = true)]
    pub date: Option<usize>,
    #[schema(required = true)]
    pub amount: Option<usize>,
    #[schema(required = true)]
    pub debit: Option<usize>,
    #[schema(required = true)]
    pub credit: Option<usize>,
    pub text: Vec<usize>,
    #[schema(required = true)]
    pub counterparty: Option<usize>,
    #[schema(required = true)]
    pub counterparty_account: Option<usize>,
    #[schema(required = true)]
    pub reference: Option<usize>,
    #[schema(required = true)]
    pub balance: Option<usize>,
    /// Money out is written positive.
    pub invert_amount: bool,
}

/// The layout `profile` reads `bytes` with.
pub fn layout(bytes: &[u8], profile: &Profile) -> CsvLayoutDto {
    let csv = profile.for_file(bytes);
    let header = statement::header_names(bytes, &csv);
    let index = |c: &Column| match c {
        Column::Index(i) => Some(*i),
        Column::Name(n) => header.iter().position(|h| h.eq_ignore_ascii_case(n)),
    };
    let opt = |c: &Option<Column>| c.as_ref().and_then(index);
    let (amount, debit, credit, invert_amount) = match &csv.amount {
        AmountColumns::Single { column, inverted } => (index(column), None, None, *inverted),
        AmountColumns::DebitCredit { debit, credit } => (None, index(debit), index(credit), false),
    };
    let columns = CsvColumnsDto {
        date: index(&csv.date),
        amount,
        debit,
        credit,
        text: csv.text.iter().filter_map(index).collect(),
        counterparty: opt(&csv.counterparty),
        counterparty_account: opt(&csv.counterparty_account),
        reference: opt(&csv.reference),
        balance: opt(&csv.balance),
        invert_amount,
    };
    CsvLayoutDto {
        delimiter: match csv.delimiter {
            b'\t' => "tab".to_owned(),
            d => char::from(d).to_string(),
        },
        decimal_separator: csv.decimal.to_string(),
        date_format: csv.date_format.clone(),
        skip_rows: csv.skip_rows,
        encoding: encoding_name(csv.encoding),
        header: header.clone(),
        columns,
    }
}

/// Reads one of the column mapper's form fields into `profile`: whether `name` is one.
pub fn set_field(profile: &mut Profile, name: &str, value: &str, errors: &mut FieldErrors) -> bool {
    let value = value.trim();
    let index = |errors: &mut FieldErrors| -> Option<usize> {
        if value.is_empty() {
            return None;
        }
        value.parse().ok().or_else(|| {
            errors.add(name, "A column number (from 0) is required.");
            None
        })
    };
    match name {
        "skip_rows" => profile.skip_rows = index(errors),
        "encoding" if value.is_empty() => profile.encoding = None,
        "encoding" => match encoding_of(value) {
            Some(e) => profile.encoding = Some(e),
            None => errors.add(name, "Choose utf-8, windows-1252 or iso-8859-1."),
        },
        "date_column" => profile.date_column = index(errors),
        "amount_column" => profile.amount_column = index(errors),
        "debit_column" => profile.debit_column = index(errors),
        "credit_column" => profile.credit_column = index(errors),
        "counterparty_column" => profile.counterparty_column = index(errors),
        "counterparty_account_column" => profile.counterparty_account_column = index(errors),
        "reference_column" => profile.reference_column = index(errors),
        "balance_column" => profile.balance_column = index(errors),
        "text_columns" if value.is_empty() => profile.text_columns = None,
        "text_columns" => match value.split(',').map(|c| c.trim().parse()).collect() {
            Ok(cols) => profile.text_columns = Some(cols),
            Err(_) => errors.add(name, "Column numbers (from 0) separated by commas are required."),
        },
        "invert_amount" => match value {
            "true" | "1" => profile.invert_amount = Some(true),
            "false" | "0" => profile.invert_amount = Some(false),
            "" => profile.invert_amount = None,
            _ => errors.add(name, "Must be a valid boolean."),
        },
        _ => return false,
    }
    true
}
