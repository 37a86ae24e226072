//! Writes laid-out pages as PDF with krilla: text as glyph runs (subset fonts, ToUnicode maps),
//! filled rectangles, rules and the logo image.

use krilla::color::rgb;
use krilla::error::KrillaError;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;

use super::PdfError;
use super::fonts::Fonts;
use super::layout::{Op, Rgb};

/// Reads the logo: PNG or JPEG, recognised by their signatures rather than trusted by name.
pub(crate) fn logo(bytes: &[u8]) -> Result<Image, PdfError> {
    let data: krilla::Data = bytes.to_vec().into();
    let image = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Image::from_png(data, true)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Image::from_jpeg(data, true)
    } else {
        return Err(PdfError::Logo("it is neither a PNG nor a JPEG file".into()));
    };
    let image = image.map_err(PdfError::Logo)?;
    match image.size() {
        (0, _) | (_, 0) => Err(PdfError::Logo("it has no pixels".into())),
        _ => Ok(image),
    }
}

/// Writes the pages to PDF bytes.
pub(crate) fn pdf(
    pages: &[Vec<Op>],
    (width, height): (f32, f32),
    fonts: &Fonts,
    logo: Option<&Image>,
    title: &str,
) -> Result<Vec<u8>, PdfError> {
    let settings = PageSettings::from_wh(width, height).ok_or_else(|| PdfError::Write("bad paper size".into()))?;
    let mut document = krilla::Document::new();
    document.set_metadata(Metadata::new().title(title.to_string()).creator("OASYS".to_string()));
    for ops in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, op, fonts, logo);
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| match e {
        KrillaError::Image(_, _, message) => PdfError::Logo(message),
        KrillaError::Font(_, message) => PdfError::Font(message),
        other => PdfError::Write(other.to_string()),
    })
}

fn fill(color: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

fn draw(surface: &mut Surface<'_>, op: &Op, fonts: &Fonts, logo: Option<&Image>) {
    match op {
        Op::Text {
            x,
            y,
            size,
            bold,
            color,
            text,
        } => {
            let face = fonts.face(*bold);
            surface.set_stroke(None);
            surface.set_fill(Some(fill(*color)));
            let glyphs = face.glyphs(text);
            surface.draw_glyphs(Point::from_xy(*x, *y), &glyphs, face.font.clone(), text, *size, false);
        }
        Op::Fill { x, y, w, h, color } => {
            let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else {
                return;
            };
            let mut path = PathBuilder::new();
            path.push_rect(rect);
            let Some(path) = path.finish() else { return };
            surface.set_stroke(None);
            surface.set_fill(Some(fill(*color)));
            surface.draw_path(&path);
        }
        Op::Rule {
            x1,
            y1,
            x2,
            y2,
            width,
            color,
        } => {
            let mut path = PathBuilder::new();
            path.move_to(*x1, *y1);
            path.line_to(*x2, *y2);
            let Some(path) = path.finish() else { return };
            surface.set_fill(None);
            surface.set_stroke(Some(Stroke {
                paint: rgb::Color::new(color.0, color.1, color.2).into(),
                width: *width,
                ..Stroke::default()
            }));
            surface.draw_path(&path);
            surface.set_stroke(None);
        }
        Op::Logo { x, y, w, h } => {
            let (Some(image), Some(size)) = (logo, Size::from_wh(*w, *h)) else {
                return;
            };
            surface.push_transform(&Transform::from_translate(*x, *y));
            surface.draw_image(image.clone(), size);
            surface.pop();
        }
    }
}
