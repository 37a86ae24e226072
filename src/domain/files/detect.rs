//! An upload's kind from its first bytes: `infer` for the binary formats (PDF, PNG, JPEG, WebP,
//! HEIC, XLSX), our own sniffing for text (CSV, e-mail, plain text). The name's extension must
//! not contradict the content: an image named `.pdf` is refused.

use super::{FileKind, FilesError};

/// How many leading bytes `detect` reads (enough for an XLSX's first zip entries).
pub const HEAD_BYTES: usize = 64 * 1024;

/// The kind of a file whose first bytes are `head` (at most [`HEAD_BYTES`]; the whole file when
/// shorter) and whose name is `name`.
pub fn detect(head: &[u8], name: &str) -> Result<FileKind, FilesError> {
    let found = sniff(head)?;
    match FileKind::of_extension(name) {
        Some(claimed) if claimed != found && !(claimed.is_text() && found.is_text()) => {
            Err(FilesError::Refused(format!(
                "The file's content is {}, but its name ends in .{}: rename it or upload the right file.",
                described(found),
                name.rsplit_once('.').map(|(_, e)| e).unwrap_or_default(),
            )))
        }
        // A text file named `.csv` is kept as CSV even when one line has no delimiter.
        Some(FileKind::Csv) if found.is_text() => Ok(FileKind::Csv),
        _ => Ok(found),
    }
}

fn described(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Pdf => "a PDF",
        FileKind::Png => "a PNG image",
        FileKind::Jpeg => "a JPEG image",
        FileKind::Webp => "a WebP image",
        FileKind::Heic => "a HEIC image",
        FileKind::Csv => "CSV text",
        FileKind::Xlsx => "an XLSX workbook",
        FileKind::Text => "plain text",
        FileKind::Eml => "an e-mail",
    }
}

const ACCEPTED: &str = "PDF, PNG, JPEG, WebP, HEIC, CSV, XLSX, plain text or an e-mail (.eml)";

fn sniff(head: &[u8]) -> Result<FileKind, FilesError> {
    if head.is_empty() {
        return Err(FilesError::Refused("The file is empty.".into()));
    }
    if let Some(t) = infer::get(head) {
        return match t.mime_type() {
            "application/pdf" => Ok(FileKind::Pdf),
            "image/png" => Ok(FileKind::Png),
            "image/jpeg" => Ok(FileKind::Jpeg),
            "image/webp" => Ok(FileKind::Webp),
            "image/heif" => Ok(FileKind::Heic),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => Ok(FileKind::Xlsx),
            // Workbooks whose first entries `infer` does not recognise: a zip with an `xl/` part.
            "application/zip" if contains(head, b"xl/") => Ok(FileKind::Xlsx),
            other => Err(FilesError::Refused(format!(
                "Files of type {other} are not kept: upload {ACCEPTED}."
            ))),
        };
    }
    let Some(text) = as_text(head) else {
        return Err(FilesError::Refused(format!(
            "This kind of file is not kept: upload {ACCEPTED}."
        )));
    };
    if is_email(text) {
        Ok(FileKind::Eml)
    } else if is_csv(text) {
        Ok(FileKind::Csv)
    } else {
        Ok(FileKind::Text)
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The head as text: UTF-8 (a character cut at the end of the head is fine), no NUL, and no
/// control characters but tabs, line ends and form feeds.
fn as_text(head: &[u8]) -> Option<&str> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) if e.error_len().is_none() && head.len() >= HEAD_BYTES - 4 => {
            std::str::from_utf8(head.get(..e.valid_up_to())?).ok()?
        }
        Err(_) => return None,
    };
    let bad = text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'));
    (!bad).then_some(text)
}

/// RFC 5322 headers first: `Name: value` lines up to a blank line, with at least two of the
/// headers every message carries.
fn is_email(text: &str) -> bool {
    let mut known = 0;
    for line in text.lines().take(200) {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            continue; // a folded header
        }
        let Some((name, _)) = line.split_once(':') else {
            return false;
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
            return false;
        }
        let name = name.to_ascii_lowercase();
        if matches!(
            name.as_str(),
            "from" | "to" | "subject" | "date" | "message-id" | "mime-version" | "received" | "return-path"
        ) {
            known += 1;
        }
    }
    known >= 2
}

/// At least two lines, each with the same number (> 0) of one delimiter (`,` `;` tab `|`),
/// quotes respected.
fn is_csv(text: &str) -> bool {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(20).collect();
    // The last line of a cut head may be partial.
    let lines = if lines.len() > 2 {
        &lines[..lines.len() - 1]
    } else {
        &lines[..]
    };
    if lines.len() < 2 {
        return false;
    }
    [',', ';', '\t', '|'].into_iter().any(|d| {
        let first = delimiters(lines[0], d);
        first > 0 && lines.iter().all(|l| delimiters(l, d) == first)
    })
}

fn delimiters(line: &str, d: char) -> usize {
    let mut quoted = false;
    line.chars()
        .filter(|&c| {
            if c == '"' {
                quoted = !quoted;
            }
            c == d && !quoted
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
    const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n";

    #[test]
    fn binary_kinds_come_from_the_bytes() {
        assert_eq!(detect(PDF, "bill.pdf"), Ok(FileKind::Pdf));
        assert_eq!(detect(PNG, "scan.png"), Ok(FileKind::Png));
        assert_eq!(detect(b"\xFF\xD8\xFF\xE0\0\x10JFIF\0", "photo.JPG"), Ok(FileKind::Jpeg));
        assert_eq!(detect(PNG, "no extension"), Ok(FileKind::Png));
    }

    #[test]
    fn an_image_named_pdf_is_refused() {
        let e = detect(PNG, "invoice.pdf").unwrap_err();
        assert!(e.to_string().contains("a PNG image, but its name ends in .pdf"), "{e}");
        assert!(detect(PDF, "x.csv").is_err());
    }

    #[test]
    fn text_is_sniffed() {
        assert_eq!(
            detect(b"date,amount\n2026-01-01,12.50\n2026-01-02,3\n", "x"),
            Ok(FileKind::Csv)
        );
        assert_eq!(detect(b"a;b\n1;2\n", "rates.txt"), Ok(FileKind::Csv));
        assert_eq!(detect(b"Just a note.\nSecond line.", "note.txt"), Ok(FileKind::Text));
        assert_eq!(detect(b"one line", "list.csv"), Ok(FileKind::Csv));
        let mail = b"From: a@b.c\r\nTo: d@e.f\r\nSubject: Bill\r\n\r\nHello";
        assert_eq!(detect(mail, "bill.eml"), Ok(FileKind::Eml));
        assert_eq!(
            detect("Grüße, Ärger\nzwei, drei\n".as_bytes(), "x.txt"),
            Ok(FileKind::Csv)
        );
    }

    #[test]
    fn other_bytes_are_refused() {
        assert!(detect(b"", "x.txt").is_err());
        assert!(detect(b"\0\x01\x02binary", "x.bin").is_err());
        assert!(detect(b"MZ\x90\0\x03\0\0\0\x04\0", "setup.exe").is_err());
        assert!(detect(b"PK\x03\x04\x14\0\0\0\x08\0word/document.xml", "a.docx").is_err());
    }
}
