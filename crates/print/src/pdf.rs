//! Writing laid-out pages as PDF with krilla: it embeds each used face as a subset (CID-keyed
//! font) and writes the ToUnicode map from the text each glyph stands for, falling back to
//! `/ActualText` where one glyph stands for different texts (the substitute mark of characters
//! no face has), so that text extraction gives back the input.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{GlyphId, KrillaGlyph};

use crate::PrintError;
use crate::fonts::Fonts;
use crate::layout::{Op, PAGE_HEIGHT, PAGE_WIDTH, PlacedGlyph, Rgb};

fn color(c: Rgb) -> rgb::Color {
    rgb::Color::new(c.0, c.1, c.2)
}

/// Writes `pages` as a PDF document titled `title`.
pub(crate) fn write(pages: &[Vec<Op>], fonts: &Fonts, title: &str) -> Result<Vec<u8>, PrintError> {
    let faces = fonts.face_list();
    let mut document = krilla::Document::new();
    document.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .language("zh-TW".to_string())
            .creator("Tessera".to_string()),
    );
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
        .ok_or_else(|| PrintError::Render("invalid page size".to_string()))?;
    for ops in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    baseline,
                    size,
                    color: c,
                    text,
                    glyphs,
                } => {
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill {
                        paint: color(*c).into(),
                        ..Fill::default()
                    }));
                    // One krilla call per run of glyphs from the same face.
                    let mut pen = *x;
                    for run in glyphs.chunk_by(|a, b| a.face == b.face) {
                        let advance: f32 = run.iter().map(|g| g.advance).sum::<f32>() * size;
                        let Some(font) = run
                            .first()
                            .and_then(|g| faces.get(g.face))
                            .map(|f| f.krilla.clone())
                        else {
                            pen += advance;
                            continue;
                        };
                        let run: Vec<KrillaGlyph> = run.iter().map(krilla_glyph).collect();
                        surface.draw_glyphs(
                            Point::from_xy(pen, *baseline),
                            &run,
                            font,
                            text,
                            *size,
                            false,
                        );
                        pen += advance;
                    }
                }
                Op::Rule {
                    from,
                    to,
                    width,
                    color: c,
                } => {
                    let mut path = PathBuilder::new();
                    path.move_to(from.0, from.1);
                    path.line_to(to.0, to.1);
                    if let Some(path) = path.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: color(*c).into(),
                            width: *width,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
                Op::Fill {
                    x,
                    y,
                    width,
                    height,
                    color: c,
                } => {
                    let Some(rect) = Rect::from_xywh(*x, *y, *width, *height) else {
                        continue;
                    };
                    let mut path = PathBuilder::new();
                    path.push_rect(rect);
                    if let Some(path) = path.finish() {
                        surface.set_stroke(None);
                        surface.set_fill(Some(Fill {
                            paint: color(*c).into(),
                            ..Fill::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| PrintError::Render(e.to_string()))
}

fn krilla_glyph(g: &PlacedGlyph) -> KrillaGlyph {
    KrillaGlyph::new(
        GlyphId::new(g.gid),
        g.advance,
        0.0,
        0.0,
        0.0,
        g.range.clone(),
        None,
    )
}
