//! The child side: `oasys extract-worker` (hidden). It caps its own address space, reads the file
//! the parent names, and writes one header line and the text to stdout; nothing else (no config,
//! no database, no log). A panic or an abort ends the process, which the parent reports as a
//! failed extraction.
//!
//! Stdout: `ok METHOD PAGES` (PAGES `-` when none) then the text, or `failed` / `unsupported`
//! then the reason shown to the user.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::{ExtractError, Extracted, Format, Limits, Tools};

#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// The file's kind as `files.kind` names it (pdf, png, jpeg, webp, heic, csv, xlsx, text, eml).
    #[arg(long)]
    pub format: String,
    /// The file to read.
    #[arg(long)]
    pub input: PathBuf,
    /// A directory of this job's own for intermediate files (rendered pages).
    #[arg(long)]
    pub work_dir: PathBuf,
    #[arg(long)]
    pub max_pages: u32,
    #[arg(long)]
    pub max_pixels: u64,
    #[arg(long)]
    pub max_text_bytes: usize,
    /// Bytes of address space (RLIMIT_AS); 0 leaves it as it is.
    #[arg(long, default_value_t = 0)]
    pub max_memory: u64,
    #[arg(long)]
    pub tesseract: Option<PathBuf>,
    #[arg(long, default_value = "eng")]
    pub languages: String,
    #[arg(long)]
    pub pdftoppm: Option<PathBuf>,
}

impl WorkerArgs {
    /// The arguments `oasys extract-worker` is given for one job (the inverse of parsing).
    pub fn command_line(
        format: Format,
        input: &std::path::Path,
        work_dir: &std::path::Path,
        limits: &Limits,
        tools: &Tools,
    ) -> Vec<String> {
        let mut args = vec![
            "extract-worker".to_owned(),
            "--format".into(),
            format.as_str().into(),
            "--input".into(),
            input.display().to_string(),
            "--work-dir".into(),
            work_dir.display().to_string(),
            "--max-pages".into(),
            limits.max_pages.to_string(),
            "--max-pixels".into(),
            limits.max_pixels.to_string(),
            "--max-text-bytes".into(),
            limits.max_text_bytes.to_string(),
            "--max-memory".into(),
            limits.max_memory.to_string(),
        ];
        args.extend(tools.to_args());
        args
    }
}

/// Runs one extraction in this (child) process and writes the answer to stdout.
pub fn main(args: &WorkerArgs) -> std::io::Result<()> {
    if args.max_memory > 0 {
        limit_address_space(args.max_memory)?;
    }
    let limits = Limits {
        timeout: Duration::ZERO, // the parent keeps the time
        max_pages: args.max_pages,
        max_pixels: args.max_pixels,
        max_text_bytes: args.max_text_bytes,
        max_memory: args.max_memory,
    };
    let tools = Tools {
        tesseract: args.tesseract.clone(),
        tesseract_version: None,
        languages: args.languages.clone(),
        pdftoppm: args.pdftoppm.clone(),
    };
    let result = match Format::parse(&args.format) {
        None => Err(ExtractError::Unsupported(format!(
            "files of kind {:?} are not read",
            args.format
        ))),
        Some(format) => match std::fs::read(&args.input) {
            Ok(bytes) => super::extract(format, &bytes, &args.input, &args.work_dir, &limits, &tools),
            Err(e) => Err(ExtractError::Io(format!("the file could not be read: {e}"))),
        },
    };
    let mut out = std::io::stdout().lock();
    out.write_all(encode(&result).as_bytes())?;
    out.flush()
}

/// The answer as the child writes it.
pub fn encode(result: &Result<Extracted, ExtractError>) -> String {
    match result {
        Ok(x) => {
            let pages = x.pages.map_or_else(|| "-".to_owned(), |p| p.to_string());
            format!("ok {} {pages}\n{}", x.method.as_str(), x.text)
        }
        Err(e) if e.is_unsupported() => format!("unsupported\n{e}"),
        Err(e) => format!("failed\n{e}"),
    }
}

/// What the parent makes of the child's stdout (`None`: not an answer of ours).
pub fn decode(out: &str) -> Option<Result<Extracted, ExtractError>> {
    let (head, body) = out.split_once('\n')?;
    let mut words = head.split(' ');
    match words.next()? {
        "ok" => {
            let method = super::Method::parse(words.next()?)?;
            let pages = match words.next()? {
                "-" => None,
                n => Some(n.parse().ok()?),
            };
            Some(Ok(Extracted {
                text: body.to_owned(),
                pages,
                method,
            }))
        }
        "unsupported" => Some(Err(ExtractError::Unsupported(body.to_owned()))),
        "failed" => Some(Err(ExtractError::Reported(body.to_owned()))),
        _ => None,
    }
}

/// Caps this process's address space, tesseract's and pdftoppm's included (they inherit it):
/// a reader that tries to allocate more gets an allocation failure, which aborts this child
/// only. The parent reports it.
fn limit_address_space(bytes: u64) -> std::io::Result<()> {
    let limit = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: setrlimit reads the `rlimit` value behind the pointer, which lives on this stack
    // frame for the whole call; it touches no other memory of this process.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Method;

    #[test]
    fn answers_round_trip() {
        let ok = Ok(Extracted {
            text: "line one\nline two".into(),
            pages: Some(2),
            method: Method::Pdf,
        });
        assert_eq!(decode(&encode(&ok)), Some(ok));
        let none = Ok(Extracted {
            text: String::new(),
            pages: None,
            method: Method::Eml,
        });
        assert_eq!(decode(&encode(&none)), Some(none));
        let unsupported: Result<Extracted, _> = Err(ExtractError::NoOcr);
        assert_eq!(
            decode(&encode(&unsupported)),
            Some(Err(ExtractError::Unsupported(
                "OCR not available on this server".into()
            )))
        );
        let failed: Result<Extracted, _> = Err(ExtractError::TooManyPages {
            pages: 10_000,
            max: 500,
        });
        assert_eq!(
            decode(&encode(&failed)),
            Some(Err(ExtractError::Reported(
                "the PDF has 10000 pages; at most 500 are read".into()
            )))
        );
        assert_eq!(decode("thread 'main' panicked"), None);
        assert_eq!(decode("ok nonsense 1\n"), None);
    }
}
