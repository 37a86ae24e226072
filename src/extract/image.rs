//! Images (PNG, JPEG, WebP): the dimensions read from the header, the file refused past
//! `max_pixels` before a pixel is decoded, then OCR by `tesseract` when installed.

use std::path::Path;

use super::tools::{self, Tools};
use super::{ExtractError, Extracted, Format, Limits, Method};

pub fn extract(
    format: Format,
    bytes: &[u8],
    path: &Path,
    limits: &Limits,
    tools: &Tools,
) -> Result<Extracted, ExtractError> {
    let kind = match format {
        Format::Png => "PNG image",
        Format::Jpeg => "JPEG image",
        _ => "WebP image",
    };
    // The bytes must be what the file claims: a PDF named .png, or a PNG stored as a JPEG, is
    // not handed to a decoder that expects something else.
    let found = imagesize::image_type(bytes).map_err(|e| ExtractError::unreadable(kind, e))?;
    let matches = matches!(
        (format, found),
        (Format::Png, imagesize::ImageType::Png)
            | (Format::Jpeg, imagesize::ImageType::Jpeg)
            | (Format::Webp, imagesize::ImageType::Webp)
    );
    if !matches {
        return Err(ExtractError::unreadable(
            kind,
            format!("its bytes are a {found:?} image"),
        ));
    }
    let size = imagesize::blob_size(bytes).map_err(|e| ExtractError::unreadable(kind, e))?;
    check_pixels(size.width as u64, size.height as u64, limits.max_pixels)?;
    let Some(tesseract) = &tools.tesseract else {
        return Err(ExtractError::NoOcr);
    };
    let text = tools::ocr(tesseract, &tools.languages, path, limits.max_text_bytes)?;
    Ok(Extracted {
        text,
        pages: Some(1),
        method: Method::Ocr,
    })
}

/// Refuses an image of more than `max` pixels (or of none).
pub fn check_pixels(width: u64, height: u64, max: u64) -> Result<(), ExtractError> {
    if width == 0 || height == 0 {
        return Err(ExtractError::unreadable("image", "it has no pixels"));
    }
    match width.checked_mul(height) {
        Some(p) if p <= max => Ok(()),
        _ => Err(ExtractError::TooManyPixels { width, height, max }),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A PNG's signature and header chunk only: enough for the dimensions, no pixel data.
    pub(crate) fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(b"IHDR");
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
        let mut png = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
        png.extend_from_slice(&13u32.to_be_bytes());
        png.extend_from_slice(&ihdr);
        png.extend_from_slice(&[0, 0, 0, 0]); // CRC, not checked by the header reader
        png
    }

    #[test]
    fn a_hundred_megapixel_png_is_refused_from_its_header() {
        let bytes = png_header(10_000, 10_000);
        let path = Path::new("/nonexistent/never-opened.png");
        let err = extract(Format::Png, &bytes, path, &Limits::default(), &Tools::default()).unwrap_err();
        assert_eq!(
            err,
            ExtractError::TooManyPixels {
                width: 10_000,
                height: 10_000,
                max: 40_000_000
            }
        );
        assert!(!err.is_unsupported());
    }

    #[test]
    fn without_tesseract_an_image_is_unsupported() {
        let bytes = png_header(100, 100);
        let err = extract(
            Format::Png,
            &bytes,
            Path::new("x.png"),
            &Limits::default(),
            &Tools::default(),
        )
        .unwrap_err();
        assert_eq!(err, ExtractError::NoOcr);
        assert_eq!(err.to_string(), "OCR not available on this server");
        assert!(err.is_unsupported());
    }

    #[test]
    fn bytes_that_claim_another_kind_are_refused() {
        let png = png_header(100, 100);
        let err = extract(
            Format::Jpeg,
            &png,
            Path::new("x.jpg"),
            &Limits::default(),
            &Tools::default(),
        )
        .unwrap_err();
        assert!(
            matches!(err, ExtractError::Unreadable { kind: "JPEG image", .. }),
            "{err}"
        );
        let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n";
        let err = extract(
            Format::Png,
            pdf,
            Path::new("x.png"),
            &Limits::default(),
            &Tools::default(),
        )
        .unwrap_err();
        assert!(
            matches!(err, ExtractError::Unreadable { kind: "PNG image", .. }),
            "{err}"
        );
    }

    #[test]
    fn pixels_overflowing_are_refused() {
        assert!(check_pixels(u64::MAX, 2, 40_000_000).is_err());
        assert!(check_pixels(0, 2, 40_000_000).is_err());
        assert!(check_pixels(6000, 6000, 40_000_000).is_ok());
    }
}
