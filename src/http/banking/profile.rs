//! The CSV layout of an uploaded statement: guessed from the file (`formats::statement::guess_profile`
//! reads the header names of many banks, the date format and the decimal mark), then corrected by
//! what the upload's form fields (or the CLI's options) say.

use crate::formats::FormatError;
use crate::formats::statement::{self, CsvProfile, Limits, Statement};

/// What the caller said about the file's layout; anything left out is guessed.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// `;`, `,` or a tab.
    pub delimiter: Option<u8>,
    /// `,` for amounts written `1.234,56`; `None`: guessed.
    pub decimal_comma: Option<bool>,
    /// A `jiff::fmt::strtime` pattern such as `%d.%m.%Y`; guessed when absent.
    pub date_format: Option<String>,
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
        csv
    }
}

/// Reads a statement in any format OASYS knows (detected from the content); a CSV file with the
/// layout `profile` gives.
pub fn read(bytes: &[u8], profile: &Profile) -> Result<Statement, FormatError> {
    let csv = profile.for_file(bytes);
    statement::parse(bytes, Some(&csv), &Limits::default())
}
