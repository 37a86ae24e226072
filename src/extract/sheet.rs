//! XLSX cells: the zip's declared sizes checked first (a zip bomb is refused before calamine opens
//! it; zip stops each entry at its declared size, so the check is a real bound), then every sheet
//! read cell by cell with calamine's cell reader (never `worksheet_range`, which allocates rows ×
//! columns and can abort), with a cap on cells and on text.

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx, open_workbook_from_rs};

use super::{ExtractError, Extracted, Limits, Method, TextSink};

/// Entries a workbook may hold.
pub const MAX_ENTRIES: usize = 10_000;
/// Declared uncompressed bytes of all entries together.
pub const MAX_UNCOMPRESSED: u64 = 256 << 20;
/// Expansion ratio an entry larger than [`RATIO_FROM`] may have (deflate can reach ~1000:1;
/// spreadsheet XML stays far below 100:1).
pub const MAX_RATIO: u64 = 100;
pub const RATIO_FROM: u64 = 1 << 20;
/// Cells read over all sheets.
pub const MAX_CELLS: usize = 2_000_000;

pub fn extract(bytes: &[u8], limits: &Limits) -> Result<Extracted, ExtractError> {
    prescan(bytes)?;
    let mut book: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| ExtractError::unreadable("spreadsheet", e))?;
    let names = book.sheet_names();
    let mut sink = TextSink::new(limits.max_text_bytes);
    let mut cells = 0usize;
    let mut sheets = 0u32;
    'sheets: for name in &names {
        let mut reader = book
            .worksheet_cells_reader(name)
            .map_err(|e| ExtractError::unreadable("spreadsheet", e))?;
        sheets += 1;
        if sheets > 1 && !sink.push("\n") {
            break;
        }
        let mut row = None;
        while let Some(cell) = reader
            .next_cell()
            .map_err(|e| ExtractError::unreadable("spreadsheet", e))?
        {
            cells += 1;
            if cells > MAX_CELLS {
                break 'sheets;
            }
            let value = render(cell.get_value());
            if value.is_empty() {
                continue;
            }
            let (r, _) = cell.get_position();
            let separator = match row {
                None => "",
                Some(prev) if prev == r => "\t",
                Some(_) => "\n",
            };
            row = Some(r);
            if !sink.push(separator) || !sink.push(value.trim()) {
                break 'sheets;
            }
        }
        if row.is_some() && !sink.push("\n") {
            break;
        }
    }
    Ok(Extracted {
        text: sink.into_text(),
        pages: Some(sheets),
        method: Method::Sheet,
    })
}

/// Refuses a zip whose declared sizes are a bomb, before anything is inflated.
pub fn prescan(bytes: &[u8]) -> Result<(), ExtractError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ExtractError::unreadable("spreadsheet", e))?;
    if zip.len() > MAX_ENTRIES {
        return Err(ExtractError::Archive(format!(
            "it holds {} files; at most {MAX_ENTRIES} are read",
            zip.len()
        )));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| ExtractError::unreadable("spreadsheet", e))?;
        let (size, packed) = (entry.size(), entry.compressed_size());
        if size > RATIO_FROM && size / packed.max(1) > MAX_RATIO {
            return Err(ExtractError::Archive(format!(
                "a part of it expands {}-fold ({packed} bytes to {size}); a zip bomb?",
                size / packed.max(1)
            )));
        }
        total = total.saturating_add(size);
        if total > MAX_UNCOMPRESSED {
            return Err(ExtractError::Archive(format!(
                "it expands to more than {} MiB",
                MAX_UNCOMPRESSED >> 20
            )));
        }
    }
    Ok(())
}

/// A cell as text: numbers as written, dates as YYYY-MM-DD (time kept when there is one).
fn render(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Int(n) => n.to_string(),
        DataRef::Float(x) => x.to_string(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        DataRef::DateTime(d) if d.is_datetime() => excel_date(d.as_f64()),
        DataRef::DateTime(d) => d.as_f64().to_string(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

/// An Excel serial date (days since 1899-12-30, the 1900 system) as an ISO date.
fn excel_date(serial: f64) -> String {
    let days = serial.floor();
    let date = (days.is_finite() && days.abs() < 3_000_000.0)
        .then(|| {
            jiff::civil::date(1899, 12, 30)
                .checked_add(jiff::Span::new().days(days as i64))
                .ok()
        })
        .flatten();
    match date {
        Some(d) => d.to_string(),
        None => serial.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn workbook() -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("Receipts").unwrap();
        sheet.write(0, 0, "Vendor").unwrap();
        sheet.write(0, 1, "Amount").unwrap();
        sheet.write(1, 0, "Wombat Supplies").unwrap();
        sheet.write(1, 1, 42.5).unwrap();
        let other = book.add_worksheet();
        other.write(3, 2, "second sheet").unwrap();
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn cells_are_read_row_by_row_from_every_sheet() {
        let out = extract(&workbook(), &Limits::default()).unwrap();
        assert_eq!(out.text, "Vendor\tAmount\nWombat Supplies\t42.5\n\nsecond sheet\n");
        assert_eq!(out.pages, Some(2));
        assert_eq!(out.method, Method::Sheet);
    }

    /// A zip holding one entry of `size` zero bytes, deflated (about 1000:1).
    fn zip_bomb(name: &str, size: usize) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(size > u32::MAX as usize);
        zip.start_file(name, options).unwrap();
        let chunk = vec![0u8; 1 << 20];
        for _ in 0..size / chunk.len() {
            zip.write_all(&chunk).unwrap();
        }
        zip.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn a_zip_bomb_in_an_xlsx_is_refused_before_inflating() {
        // 64 MiB of zeros in about 64 KiB, where the sheet should be.
        let bomb = zip_bomb("xl/worksheets/sheet1.xml", 64 << 20);
        assert!(bomb.len() < 256 << 10, "{}", bomb.len());
        let err = extract(&bomb, &Limits::default()).unwrap_err();
        assert!(matches!(err, ExtractError::Archive(_)), "{err}");
        assert!(err.to_string().contains("zip bomb"), "{err}");
    }

    #[test]
    fn many_moderate_entries_are_refused_by_their_total() {
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        let chunk = vec![7u8; 1 << 20];
        for i in 0..300 {
            zip.start_file(format!("xl/media/{i}.bin"), options).unwrap();
            zip.write_all(&chunk).unwrap();
        }
        zip.finish().unwrap();
        let err = prescan(&out.into_inner()).unwrap_err();
        assert!(err.to_string().contains("more than 256 MiB"), "{err}");
    }

    #[test]
    fn a_sparse_sheet_is_read_as_its_cells() {
        // A1 and XFD1048576: the dense reader would allocate 17 billion cells.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write(0, 0, "first").unwrap();
        sheet.write(1_048_575, 16_383, "last").unwrap();
        let out = extract(&book.save_to_buffer().unwrap(), &Limits::default()).unwrap();
        assert_eq!(out.text, "first\nlast\n");
    }

    #[test]
    fn not_a_zip_is_unreadable() {
        let err = extract(b"plain text", &Limits::default()).unwrap_err();
        assert!(matches!(err, ExtractError::Unreadable { .. }), "{err}");
    }

    #[test]
    fn excel_serial_dates_become_iso_dates() {
        assert_eq!(excel_date(46_023.0), "2026-01-01");
        assert_eq!(excel_date(46_023.75), "2026-01-01");
        assert_eq!(excel_date(f64::NAN), "NaN");
    }
}
