//! The embedded DejaVu Sans faces (regular and bold): glyph lookup and advance widths, so that text
//! is measured for wrapping and alignment with exactly the widths it is then drawn with.
//!
//! Text is set glyph by glyph from the font's character map, without a shaping engine: no kerning or
//! ligatures, left to right only. That is enough for invoices in Latin, Greek and Cyrillic scripts
//! and keeps the dependency set small (krilla's `simple-text` would add rustybuzz).

use std::io::Read;
use std::sync::LazyLock;

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};

use super::PdfError;

/// The faces from `assets/fonts/`, gzipped by build.rs (half the bytes in the binary); inflated
/// once, on first use.
static REGULAR: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/DejaVuSans.ttf.gz"));
static BOLD: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/DejaVuSans-Bold.ttf.gz"));

/// Characters below this code point have their glyph and advance precomputed: Latin-1 and Latin
/// Extended-A/B cover nearly all invoice text, and a table look-up beats a cmap search per character.
const TABLE_END: u32 = 0x250;

/// Parsed once per process: both faces are immutable and shared by every render.
static FONTS: LazyLock<Result<Fonts, String>> = LazyLock::new(Fonts::load);

/// Both faces, and the vertical metrics used to place baselines.
pub(crate) struct Fonts {
    pub(crate) regular: Face,
    pub(crate) bold: Face,
}

/// One face: the krilla font that is embedded (subset) in the PDF, plus a lookup of glyphs and
/// advances in em units.
pub(crate) struct Face {
    pub(crate) font: Font,
    face: skrifa::FontRef<'static>,
    /// (glyph id, advance in em) for every character below [`TABLE_END`].
    table: Vec<(u32, f32)>,
    units_per_em: f32,
    /// Distance from baseline to the top of the tallest glyphs, in em.
    pub(crate) ascent: f32,
    /// Distance from baseline to the bottom of descenders, in em (positive).
    pub(crate) descent: f32,
}

/// The shared faces, parsed on first use.
pub(crate) fn fonts() -> Result<&'static Fonts, PdfError> {
    FONTS.as_ref().map_err(|e| PdfError::Font(e.clone()))
}

impl Fonts {
    fn load() -> Result<Fonts, String> {
        Ok(Fonts {
            regular: Face::load(inflate(REGULAR, "DejaVu Sans")?, "DejaVu Sans")?,
            bold: Face::load(inflate(BOLD, "DejaVu Sans Bold")?, "DejaVu Sans Bold")?,
        })
    }

    pub(crate) fn face(&self, bold: bool) -> &Face {
        if bold { &self.bold } else { &self.regular }
    }
}

/// The font file gzipped as `gz`, kept for the life of the process (it is inflated once, into
/// [`FONTS`], and the faces borrow it).
fn inflate(gz: &[u8], name: &str) -> Result<&'static [u8], String> {
    let mut data = Vec::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut data)
        .map_err(|e| format!("{name} could not be inflated: {e}"))?;
    Ok(Box::leak(data.into_boxed_slice()))
}

impl Face {
    fn load(data: &'static [u8], name: &str) -> Result<Face, String> {
        let font = Font::new(data.into(), 0).ok_or_else(|| format!("{name} could not be read"))?;
        let face = skrifa::FontRef::new(data).map_err(|e| format!("{name} could not be read: {e}"))?;
        let metrics = face.metrics(Size::unscaled(), LocationRef::default());
        let units_per_em = f32::from(metrics.units_per_em);
        if units_per_em <= 0.0 {
            return Err(format!("{name} has no units per em"));
        }
        let mut loaded = Face {
            font,
            face,
            table: Vec::new(),
            units_per_em,
            ascent: metrics.ascent / units_per_em,
            descent: -metrics.descent / units_per_em,
        };
        loaded.table = (0..TABLE_END)
            .map(|cp| loaded.lookup(char::from_u32(cp).unwrap_or(' ')))
            .collect();
        Ok(loaded)
    }

    /// Glyph id and advance (em) of a character; `.notdef` (0) when the font lacks it.
    fn lookup(&self, ch: char) -> (u32, f32) {
        let gid = self.face.charmap().map(ch).unwrap_or_default();
        let advance = self
            .face
            .glyph_metrics(Size::unscaled(), LocationRef::default())
            .advance_width(gid)
            .unwrap_or(0.0);
        (gid.to_u32(), advance / self.units_per_em)
    }

    fn glyph(&self, ch: char) -> (u32, f32) {
        match self.table.get(ch as usize) {
            Some(&entry) => entry,
            None => self.lookup(ch),
        }
    }

    /// Width of `text` at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|ch| self.glyph(ch).1).sum::<f32>() * size
    }

    /// Width of one character at `size` points.
    pub(crate) fn char_width(&self, ch: char, size: f32) -> f32 {
        self.glyph(ch).1 * size
    }

    /// The glyphs krilla draws for `text`. Each carries the byte range of its character, from which
    /// krilla writes the ToUnicode map that makes the text extractable and searchable.
    pub(crate) fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        text.char_indices()
            .map(|(i, ch)| {
                let (gid, advance) = self.glyph(ch);
                KrillaGlyph::new(GlyphId::new(gid), advance, 0.0, 0.0, 0.0, i..i + ch.len_utf8(), None)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_faces_load_and_measure() {
        let fonts = fonts().unwrap();
        let r = fonts.face(false);
        let b = fonts.face(true);
        assert!(r.width("Invoice", 10.0) > 20.0);
        assert!(b.width("Invoice", 10.0) > r.width("Invoice", 10.0), "bold is wider");
        assert_eq!(r.width("", 10.0), 0.0);
        assert!(r.ascent > 0.5 && r.descent > 0.1);
        // Outside the precomputed table: Greek and the euro sign are in DejaVu Sans.
        assert_ne!(r.glyphs("€Ω")[0].glyph_id.to_u32(), 0);
        assert_ne!(r.glyphs("€Ω")[1].glyph_id.to_u32(), 0);
        assert_eq!(r.glyphs("é").first().map(|g| g.text_range.clone()), Some(0..2));
    }
}
