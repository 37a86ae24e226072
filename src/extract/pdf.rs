//! PDF text through lopdf, bounded: decompression capped while loading, pages counted before any
//! text is read, each page's content capped. A PDF without text (a scan) is OCRed page by page
//! (`pdftoppm` renders, `tesseract` reads) when both are installed.

use std::path::Path;
use std::process::Command;

use lopdf::{Document, LoadOptions, Object};

use super::tools::{self, Tools};
use super::{ExtractError, Extracted, Limits, Method, OCR_MAX_PAGES, PDF_MAX_DECOMPRESSED, TextSink};

/// A rendered page's longest side in pixels (`pdftoppm -scale-to`): about 300 dpi on A4, and a
/// bound whatever page size the PDF declares.
const OCR_PAGE_PIXELS: u32 = 3000;

pub fn extract(
    bytes: &[u8],
    path: &Path,
    work_dir: &Path,
    limits: &Limits,
    tools: &Tools,
) -> Result<Extracted, ExtractError> {
    let doc = Document::load_mem_with_options(bytes, LoadOptions::with_max_decompressed_size(PDF_MAX_DECOMPRESSED))
        .map_err(|e| ExtractError::unreadable("PDF", e))?;
    let pages = count_pages(&doc, limits.max_pages)?;
    let mut sink = TextSink::new(limits.max_text_bytes);
    for page in 1..=pages {
        // A page that cannot be read (a broken content stream, content over the bound) is
        // skipped; the others still count.
        if let Ok(text) = doc.extract_text_with_limit(&[page], PDF_MAX_DECOMPRESSED)
            && (!sink.push(text.trim_end()) || !sink.push("\n"))
        {
            break;
        }
    }
    let text = sink.into_text();
    if !text.trim().is_empty() {
        return Ok(Extracted {
            text,
            pages: Some(pages),
            method: Method::Pdf,
        });
    }
    // No text layer: a scan, read by OCR when this server can.
    match (&tools.tesseract, &tools.pdftoppm) {
        (Some(tesseract), Some(pdftoppm)) => {
            let text = ocr_pages(tesseract, pdftoppm, &tools.languages, path, work_dir, pages, limits)?;
            Ok(Extracted {
                text,
                pages: Some(pages),
                method: Method::Ocr,
            })
        }
        _ if pages == 0 => Ok(Extracted {
            text,
            pages: Some(0),
            method: Method::Pdf,
        }),
        _ => Err(ExtractError::Unsupported(
            "this PDF has no text (a scan?) and OCR is not available on this server".into(),
        )),
    }
}

/// The number of pages, refused past `max` before anything else is read: the page tree's
/// declared `/Count` first (cheap, and the number shown), then the pages actually reachable.
fn count_pages(doc: &Document, max: u32) -> Result<u32, ExtractError> {
    let declared = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Pages").ok())
        .and_then(|p| p.as_reference().ok())
        .and_then(|id| doc.get_dictionary(id).ok())
        .and_then(|d| d.get(b"Count").ok())
        .and_then(|c| match c {
            Object::Integer(n) => u64::try_from(*n).ok(),
            _ => None,
        });
    if let Some(n) = declared
        && n > u64::from(max)
    {
        return Err(ExtractError::TooManyPages { pages: n, max });
    }
    let reachable = doc.page_iter().take(max as usize + 1).count();
    match u32::try_from(reachable) {
        Ok(n) if n <= max => Ok(n),
        _ => Err(ExtractError::TooManyPages {
            pages: reachable as u64,
            max,
        }),
    }
}

/// Renders the first pages (at most [`OCR_MAX_PAGES`]) into `work_dir` and reads each with tesseract.
fn ocr_pages(
    tesseract: &Path,
    pdftoppm: &Path,
    languages: &str,
    path: &Path,
    work_dir: &Path,
    pages: u32,
    limits: &Limits,
) -> Result<String, ExtractError> {
    let last = pages.clamp(1, OCR_MAX_PAGES);
    let mut sink = TextSink::new(limits.max_text_bytes);
    for page in 1..=last {
        let prefix = work_dir.join(format!("page-{page}"));
        let mut cmd = Command::new(pdftoppm);
        cmd.args(["-png", "-singlefile", "-scale-to"])
            .arg(OCR_PAGE_PIXELS.to_string())
            .arg("-f")
            .arg(page.to_string())
            .arg("-l")
            .arg(page.to_string())
            .arg(path)
            .arg(&prefix);
        tools::run_capped(&mut cmd, 4096, "pdftoppm")?;
        let image = prefix.with_extension("png");
        let text = tools::ocr(tesseract, languages, &image, limits.max_text_bytes)?;
        let _ = std::fs::remove_file(&image);
        if !sink.push(text.trim_end()) || !sink.push("\n") {
            break;
        }
    }
    Ok(sink.into_text())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::content::{Content, Operation};
    use lopdf::{Stream, dictionary};

    /// A PDF of `pages` pages, each showing `text` (plus the page number) in Helvetica.
    pub(crate) fn pdf_with_text(pages: u32, text: &str) -> Vec<u8> {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font_id = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        });
        let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
        let mut kids = Vec::new();
        for n in 1..=pages {
            let content = Content {
                operations: vec![
                    Operation::new("BT", vec![]),
                    Operation::new("Tf", vec!["F1".into(), 24.into()]),
                    Operation::new("Td", vec![72.into(), 700.into()]),
                    Operation::new("Tj", vec![Object::string_literal(format!("{text} {n}"))]),
                    Operation::new("ET", vec![]),
                ],
            };
            let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
            let page_id = doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            });
            kids.push(page_id.into());
        }
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => kids, "Count" => pages as i64,
                "Resources" => resources_id, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            }),
        );
        let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog_id);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    fn read(bytes: &[u8], limits: &Limits) -> Result<Extracted, ExtractError> {
        let dir = std::env::temp_dir();
        extract(bytes, &dir.join("none.pdf"), &dir, limits, &Tools::default())
    }

    #[test]
    fn text_is_read_from_every_page() {
        let out = read(&pdf_with_text(3, "Invoice Quokka"), &Limits::default()).unwrap();
        assert_eq!(out.pages, Some(3));
        assert_eq!(out.method, Method::Pdf);
        for n in 1..=3 {
            assert!(out.text.contains(&format!("Invoice Quokka {n}")), "{:?}", out.text);
        }
    }

    #[test]
    fn ten_thousand_pages_are_refused_before_any_text_is_read() {
        let bytes = pdf_with_text(10_000, "x");
        let err = read(&bytes, &Limits::default()).unwrap_err();
        assert_eq!(
            err,
            ExtractError::TooManyPages {
                pages: 10_000,
                max: 500
            }
        );
        assert!(!err.is_unsupported());
    }

    #[test]
    fn a_page_count_that_lies_is_still_bounded() {
        // /Count says 1, the tree holds 20 pages: the reachable pages decide.
        let mut doc = Document::load_mem(&pdf_with_text(20, "y")).unwrap();
        let pages_id = doc.catalog().unwrap().get(b"Pages").unwrap().as_reference().unwrap();
        doc.get_dictionary_mut(pages_id).unwrap().set("Count", 1);
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).unwrap();
        let limits = Limits {
            max_pages: 10,
            ..Limits::default()
        };
        assert_eq!(
            read(&bytes, &limits).unwrap_err(),
            ExtractError::TooManyPages { pages: 11, max: 10 }
        );
    }

    #[test]
    fn the_text_is_capped() {
        let limits = Limits {
            max_text_bytes: 10,
            ..Limits::default()
        };
        let out = read(&pdf_with_text(5, "Quokka"), &limits).unwrap();
        assert_eq!(out.text.len(), 10);
    }

    #[test]
    fn bytes_that_are_not_a_pdf_are_unreadable() {
        let png = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13];
        assert!(matches!(
            read(&png, &Limits::default()),
            Err(ExtractError::Unreadable { kind: "PDF", .. })
        ));
    }

    #[test]
    fn a_pdf_without_text_needs_ocr() {
        let out = read(&pdf_with_text(1, ""), &Limits::default());
        // "" still draws the page number; a truly empty page is a PDF of no text.
        assert!(out.is_ok());
        let mut doc = Document::load_mem(&pdf_with_text(1, "")).unwrap();
        for (_, id) in doc.get_pages() {
            doc.change_page_content(id, Vec::new()).unwrap();
        }
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).unwrap();
        let err = read(&bytes, &Limits::default()).unwrap_err();
        assert!(err.is_unsupported(), "{err}");
    }
}
