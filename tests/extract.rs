//! Text extraction through the real child process (`oasys extract-worker`), as the server runs
//! it: hostile files fail with a reason and leave the parent unharmed, the time limit kills the
//! child and the tools it started, and OCR reads generated images and scanned PDFs.
//!
//! The OCR tests need `tesseract` and `pdftoppm` (Debian `tesseract-ocr tesseract-ocr-eng
//! poppler-utils`); `.ci/run` installs them, and under `CI=true` a missing tool fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};
use oasys::extract::run::extract_in_child;
use oasys::extract::{ExtractError, Extracted, Format, Limits, Method, Tools};

const BIN: &str = env!("CARGO_BIN_EXE_oasys");

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Writes `bytes` to a file in a fresh directory and extracts it in a child.
fn run(format: Format, bytes: &[u8], limits: &Limits, tools: &Tools) -> Result<Extracted, ExtractError> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    std::fs::write(&input, bytes).unwrap();
    runtime().block_on(extract_in_child(
        Path::new(BIN),
        format,
        &input,
        dir.path(),
        limits,
        tools,
    ))
}

/// A PDF of `pages` pages showing `lines` in 36-point Helvetica.
fn pdf(pages: u32, lines: &[&str]) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let mut kids = Vec::new();
    for _ in 0..pages {
        let mut ops = vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 36.into()]),
            Operation::new("TL", vec![48.into()]),
            Operation::new("Td", vec![60.into(), 700.into()]),
        ];
        for line in lines {
            ops.push(Operation::new("Tj", vec![Object::string_literal(*line)]));
            ops.push(Operation::new("T*", vec![]));
        }
        ops.push(Operation::new("ET", vec![]));
        let content = Content { operations: ops };
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
        kids.push(
            doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => content_id })
                .into(),
        );
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => pages as i64, "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn a_pdf_is_read_in_the_child() {
    let out = run(
        Format::Pdf,
        &pdf(2, &["Invoice from Quokka Traders"]),
        &Limits::default(),
        &Tools::default(),
    )
    .unwrap();
    assert_eq!(out.method, Method::Pdf);
    assert_eq!(out.pages, Some(2));
    assert!(out.text.contains("Quokka Traders"), "{:?}", out.text);
}

#[test]
fn a_pdf_of_ten_thousand_pages_fails_over_max_pages() {
    let err = run(Format::Pdf, &pdf(10_000, &["x"]), &Limits::default(), &Tools::default()).unwrap_err();
    assert_eq!(err.to_string(), "the PDF has 10000 pages; at most 500 are read");
    assert!(!err.is_unsupported());
}

/// The signature and header chunk of a `width`×`height` PNG (no pixel data: nothing to decode).
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut png = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13];
    png.extend_from_slice(b"IHDR");
    png.extend_from_slice(&width.to_be_bytes());
    png.extend_from_slice(&height.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    png
}

#[test]
fn a_hundred_megapixel_png_fails_over_max_pixels() {
    let err = run(
        Format::Png,
        &png_header(10_000, 10_000),
        &Limits::default(),
        &Tools::detect(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the image is 10000×10000 pixels; at most 40000000 pixels are read"
    );
}

#[test]
fn a_zip_bomb_in_an_xlsx_fails_with_a_reason() {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..64 {
        zip.write_all(&chunk).unwrap();
    }
    zip.finish().unwrap();
    let err = run(Format::Xlsx, &out.into_inner(), &Limits::default(), &Tools::default()).unwrap_err();
    assert!(err.to_string().contains("zip bomb"), "{err}");
}

#[test]
fn bytes_that_claim_another_kind_fail() {
    // An image named .pdf (the upload's magic-byte check refuses it; the reader does too).
    let err = run(
        Format::Pdf,
        &png_header(100, 100),
        &Limits::default(),
        &Tools::default(),
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("the file is not a readable PDF"), "{err}");
    // A PDF stored as a PNG.
    let err = run(Format::Png, &pdf(1, &["x"]), &Limits::default(), &Tools::detect()).unwrap_err();
    assert!(
        err.to_string().starts_with("the file is not a readable PNG image"),
        "{err}"
    );
    // A PDF stored as a workbook.
    let err = run(Format::Xlsx, &pdf(1, &["x"]), &Limits::default(), &Tools::default()).unwrap_err();
    assert!(
        err.to_string().starts_with("the file is not a readable spreadsheet"),
        "{err}"
    );
}

#[test]
fn the_time_limit_kills_the_child_and_the_tools_it_started() {
    // A "tesseract" that records its pid and then hangs.
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    let fake = dir.path().join("tesseract");
    std::fs::write(
        &fake,
        format!("#!/bin/sh\necho $$ > {}\nexec sleep 600\n", pid_file.display()),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let tools = Tools {
        tesseract: Some(fake),
        languages: "eng".into(),
        ..Tools::default()
    };
    let limits = Limits {
        timeout: Duration::from_secs(2),
        ..Limits::default()
    };
    let err = run(Format::Png, &png_header(10, 10), &limits, &tools).unwrap_err();
    assert_eq!(err, ExtractError::Timeout(2));
    // The hung tool went with the child (its process group was killed).
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let proc = PathBuf::from(format!("/proc/{}", pid.trim()));
    let mut gone = false;
    for _ in 0..100 {
        let state = std::fs::read_to_string(proc.join("stat")).unwrap_or_default();
        // Gone, or a zombie waiting for init to reap it.
        if state.is_empty() || state.split(' ').nth(2) == Some("Z") {
            gone = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(gone, "the hung tool {} still runs", pid.trim());
}

#[test]
fn a_memory_hungry_tool_is_contained() {
    // The address-space cap is inherited by what the child starts: a tool that allocates more
    // fails, and the extraction fails with a reason, in the child only.
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("tesseract");
    std::fs::write(
        &fake,
        "#!/bin/sh\nexec python3 -c \"b = bytearray(512 << 20); print('never')\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let tools = Tools {
        tesseract: Some(fake),
        languages: String::new(),
        ..Tools::default()
    };
    let limits = Limits {
        max_memory: 256 << 20,
        ..Limits::default()
    };
    let err = run(Format::Png, &png_header(10, 10), &limits, &tools).unwrap_err();
    assert!(err.to_string().contains("tesseract failed"), "{err}");
    assert!(err.to_string().contains("MemoryError"), "{err}");
}

/// The OCR tools, or `None` (a skipped test) where they are missing outside CI.
fn ocr_tools() -> Option<Tools> {
    let tools = Tools::detect();
    if tools.tesseract.is_some() && tools.pdftoppm.is_some() {
        return Some(tools);
    }
    assert!(
        std::env::var("CI").is_err(),
        "tesseract and pdftoppm are required in CI (apt-get install tesseract-ocr tesseract-ocr-eng poppler-utils)"
    );
    eprintln!("skipped: tesseract or pdftoppm not installed");
    None
}

/// A PNG of large printed text: the PDF rendered by pdftoppm.
fn png_of_text(lines: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("page.pdf");
    std::fs::write(&input, pdf(1, lines)).unwrap();
    let prefix = dir.path().join("page");
    let status = std::process::Command::new("pdftoppm")
        .args(["-png", "-singlefile", "-r", "100"])
        .arg(&input)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read(prefix.with_extension("png")).unwrap()
}

const WORDS: &[&str] = &["RECEIPT WOMBAT CAFE", "TOTAL 42.50 EUR"];

#[test]
fn ocr_reads_a_generated_png() {
    let Some(tools) = ocr_tools() else { return };
    let out = run(Format::Png, &png_of_text(WORDS), &Limits::default(), &tools).unwrap();
    assert_eq!(out.method, Method::Ocr);
    assert!(out.text.contains("WOMBAT"), "{:?}", out.text);
    assert!(out.text.contains("42.50"), "{:?}", out.text);
}

/// A PDF whose one page is the image only (a scan: no text layer).
fn scanned_pdf(png_bytes: &[u8]) -> Vec<u8> {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let (w, h) = (info.width as i64, info.height as i64);
    let components: usize = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Grayscale => 1,
        other => panic!("unexpected {other:?}"),
    };
    let raw = &pixels[..info.line_size * info.height as usize];
    assert_eq!(raw.len(), w as usize * h as usize * components);
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let image = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => w, "Height" => h,
            "ColorSpace" => if components == 3 { "DeviceRGB" } else { "DeviceGray" }, "BitsPerComponent" => 8,
        },
        raw.to_vec(),
    );
    let image_id = doc.add_object(image);
    let content = Content {
        operations: vec![
            Operation::new("q", vec![]),
            Operation::new(
                "cm",
                vec![595.into(), 0.into(), 0.into(), 842.into(), 0.into(), 0.into()],
            ),
            Operation::new("Do", vec!["Im1".into()]),
            Operation::new("Q", vec![]),
        ],
    };
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        "Resources" => dictionary! { "XObject" => dictionary! { "Im1" => image_id } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    doc.compress();
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn ocr_reads_a_scanned_pdf() {
    let Some(tools) = ocr_tools() else { return };
    let scan = scanned_pdf(&png_of_text(WORDS));
    // Without OCR the scan has no text: unsupported, with the reason.
    let err = run(Format::Pdf, &scan, &Limits::default(), &Tools::default()).unwrap_err();
    assert!(err.is_unsupported() && err.to_string().contains("OCR"), "{err}");
    let out = run(Format::Pdf, &scan, &Limits::default(), &tools).unwrap();
    assert_eq!((out.method, out.pages), (Method::Ocr, Some(1)));
    assert!(out.text.contains("WOMBAT"), "{:?}", out.text);
}
