//! Text extraction from the files a firm keeps: PDF text, plain text, CSV and XLSX cells, `.eml`
//! bodies and headers, and OCR of images and scanned PDFs through the `tesseract` CLI.
//!
//! Uploaded files are hostile until read. Parsing happens only in a child process, the same
//! binary's hidden `oasys extract-worker` ([`worker`]), which caps its own address space at start;
//! the parent ([`run`]) gives it the file by path, kills it when the time limit passes, and reads
//! at most the output cap. Inside the child every reader has its own bounds ([`Limits`]): pages
//! counted before any text is read, image dimensions read from the header before any pixel is
//! decoded, a zip's declared sizes checked before calamine opens it, the text cut at
//! `max_text_bytes`. [`queue`] runs the work in the background, woken after uploads.

pub mod eml;
pub mod hooks;
pub mod image;
pub mod pdf;
pub mod queue;
pub mod run;
pub mod sheet;
pub mod text;
pub mod tools;
pub mod worker;

use std::path::Path;
use std::time::Duration;

pub use tools::Tools;

/// What a file is, as `files.kind` names it (the upload check decides it from the magic bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Png,
    Jpeg,
    Webp,
    Heic,
    Csv,
    Xlsx,
    Text,
    Eml,
}

impl Format {
    pub fn parse(kind: &str) -> Option<Format> {
        Some(match kind {
            "pdf" => Format::Pdf,
            "png" => Format::Png,
            "jpeg" => Format::Jpeg,
            "webp" => Format::Webp,
            "heic" => Format::Heic,
            "csv" => Format::Csv,
            "xlsx" => Format::Xlsx,
            "text" => Format::Text,
            "eml" => Format::Eml,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Png => "png",
            Format::Jpeg => "jpeg",
            Format::Webp => "webp",
            Format::Heic => "heic",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Text => "text",
            Format::Eml => "eml",
        }
    }
}

/// How the text was obtained (`file_texts.method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Text,
    Pdf,
    Ocr,
    Sheet,
    Eml,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Text => "text",
            Method::Pdf => "pdf",
            Method::Ocr => "ocr",
            Method::Sheet => "sheet",
            Method::Eml => "eml",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        Some(match s {
            "text" => Method::Text,
            "pdf" => Method::Pdf,
            "ocr" => Method::Ocr,
            "sheet" => Method::Sheet,
            "eml" => Method::Eml,
            _ => return None,
        })
    }
}

/// The text of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub text: String,
    /// Pages of a PDF, sheets of a workbook; `None` where the word means nothing.
    pub pages: Option<u32>,
    pub method: Method,
}

/// The bounds every extraction runs under (`[documents]` in the configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time of one extraction; the child is killed after it.
    pub timeout: Duration,
    /// A PDF with more pages is not read (counted before any text is extracted).
    pub max_pages: u32,
    /// An image with more pixels is not decoded (read from its header).
    pub max_pixels: u64,
    /// The text kept; what is beyond is cut (at a character boundary).
    pub max_text_bytes: usize,
    /// The child's address space (RLIMIT_AS), tesseract's included.
    pub max_memory: u64,
}

/// A scanned PDF is OCRed up to this many pages (each page costs seconds).
pub const OCR_MAX_PAGES: u32 = 50;
/// Decompressed bytes one PDF may hold (lopdf's bound, for the whole file and each page's content).
pub const PDF_MAX_DECOMPRESSED: usize = 256 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(30),
            max_pages: 500,
            max_pixels: 40_000_000,
            max_text_bytes: 8 << 20,
            max_memory: 1 << 30,
        }
    }
}

/// Why a file has no text. [`ExtractError::is_unsupported`] tells the two outcomes apart:
/// `unsupported` (this server cannot read such a file) and `failed` (this file could not be read).
/// The message is shown to the user.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExtractError {
    #[error("the PDF has {pages} pages; at most {max} are read")]
    TooManyPages { pages: u64, max: u32 },
    #[error("the image is {width}×{height} pixels; at most {max} pixels are read")]
    TooManyPixels { width: u64, height: u64, max: u64 },
    #[error("the spreadsheet is refused: {0}")]
    Archive(String),
    #[error("the file is not a readable {kind}: {reason}")]
    Unreadable { kind: &'static str, reason: String },
    #[error("OCR not available on this server")]
    NoOcr,
    #[error("{0}")]
    Unsupported(String),
    #[error("reading the file took longer than {0} s and was stopped")]
    Timeout(u64),
    #[error("the reader stopped: {0}")]
    Crashed(String),
    #[error("the extraction could not run: {0}")]
    Io(String),
    /// A failure the child described (its message, as it wrote it).
    #[error("{0}")]
    Reported(String),
}

impl ExtractError {
    /// `unsupported` rather than `failed`: nothing is wrong with the file, this server cannot read it.
    pub fn is_unsupported(&self) -> bool {
        matches!(self, ExtractError::NoOcr | ExtractError::Unsupported(_))
    }

    pub(crate) fn unreadable(kind: &'static str, reason: impl std::fmt::Display) -> ExtractError {
        ExtractError::Unreadable {
            kind,
            reason: reason.to_string(),
        }
    }
}

/// Reads the text of `bytes` (a file of `format`, kept at `path` for the external tools). Runs in
/// the child process only: the readers here may use a lot of memory or, on hostile input, panic.
pub fn extract(
    format: Format,
    bytes: &[u8],
    path: &Path,
    work_dir: &Path,
    limits: &Limits,
    tools: &Tools,
) -> Result<Extracted, ExtractError> {
    match format {
        Format::Pdf => pdf::extract(bytes, path, work_dir, limits, tools),
        Format::Text => Ok(Extracted {
            text: text::cap(text::decode(bytes), limits.max_text_bytes),
            pages: None,
            method: Method::Text,
        }),
        Format::Csv => text::csv(bytes, limits),
        Format::Xlsx => sheet::extract(bytes, limits),
        Format::Eml => eml::extract(bytes, limits),
        Format::Png | Format::Jpeg | Format::Webp => image::extract(format, bytes, path, limits, tools),
        Format::Heic => Err(ExtractError::Unsupported(
            "HEIC images are not read on this server; upload a JPEG or PNG".into(),
        )),
    }
}

/// Accumulates text up to a byte cap; what comes after the cap is dropped.
#[derive(Debug)]
pub(crate) struct TextSink {
    text: String,
    cap: usize,
}

impl TextSink {
    pub(crate) fn new(cap: usize) -> TextSink {
        TextSink {
            text: String::new(),
            cap,
        }
    }

    /// Appends `s`; false once the cap is reached (the caller stops reading).
    pub(crate) fn push(&mut self, s: &str) -> bool {
        let room = self.cap.saturating_sub(self.text.len());
        if s.len() <= room {
            self.text.push_str(s);
            true
        } else {
            self.text.push_str(text::prefix(s, room));
            false
        }
    }

    pub(crate) fn into_text(self) -> String {
        self.text
    }
}
