//! Printable documents of application cases: renders a [`Document`] (title, header line, case
//! number, label/value tables, paragraphs, the processing history) as an A4 PDF set in Noto Sans
//! CJK TC, the font embedded as a subset, with text that copies and extracts exactly as given
//! (ToUnicode maps, Extension B ideographs included).
//!
//! No IO but reading the font file ([`Fonts::load`], [`Fonts::system`]); no HTTP types. Load the
//! font once and share it: [`Fonts`] is cheap to clone and `Send + Sync`.
//!
//! ```no_run
//! use tessera_print::{Block, Document, Fonts, render};
//!
//! let fonts = Fonts::system()?;
//! let doc = Document {
//!     title: "報備支援申請書".into(),
//!     operator: "臺北市政府衛生局".into(),
//!     case_number: "報備-115-000123".into(),
//!     printed_on: "列印日期：115年12月07日".into(),
//!     test_banner: None,
//!     blocks: vec![
//!         Block::Heading("申請人".into()),
//!         Block::Fields(vec![("姓名".into(), "林𡘙生".into())]),
//!     ],
//! };
//! let pdf: Vec<u8> = render(&doc, &fonts)?;
//! # Ok::<(), tessera_print::PrintError>(())
//! ```
//!
//! Input strings may be anything: control characters other than line feeds are dropped (a tab
//! becomes a space), characters no face of the font has are drawn as 〓 (the text behind it stays
//! the original character), and invisible formatting characters the font lacks are left out.

mod fonts;
mod layout;
mod pdf;
mod text;

use std::path::PathBuf;

pub use fonts::Fonts;

/// A document to print: one application case.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document {
    /// The title on the first page, e.g. 「報備支援申請書」.
    pub title: String,
    /// The header line's left part on every page: the agency or service name (branding), e.g.
    /// 「臺北市政府衛生局」.
    pub operator: String,
    /// The header line's right part on every page, e.g. 「報備-115-000123」.
    pub case_number: String,
    /// The print date as the caller formats it, e.g. 「列印日期：115年12月07日」; shown under
    /// the title.
    pub printed_on: String,
    /// A banner on every page when set, e.g. 「測試環境：所有資料均為測試資料」.
    pub test_banner: Option<String>,
    /// The content, top to bottom.
    pub blocks: Vec<Block>,
}

/// A part of a document's content.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A section heading (e.g. a form page's title).
    Heading(String),
    /// Label / value rows as a two-column table. Values wrap (CJK between any two characters,
    /// Latin at spaces) and may contain `\n`; a long table continues on the next page.
    Fields(Vec<(String, String)>),
    /// Body text that wraps; `\n` starts a new line.
    Paragraph(String),
    /// The processing history: a four-column table under the header row `header` (e.g.
    /// 時間／處理／處理者／說明), which repeats on every page the table continues on.
    History {
        header: [String; 4],
        rows: Vec<[String; 4]>,
    },
}

/// Why a document could not be printed.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// None of the places [`Fonts::system`] looks in has the font.
    #[error(
        "no Noto CJK font found (tried {}); install it with `apt install fonts-noto-cjk`",
        .tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    FontMissing { tried: Vec<PathBuf> },
    /// The font file cannot be read, or the face is not a usable OpenType font.
    #[error("cannot use the font {}: {reason}", .path.display())]
    FontUnreadable { path: PathBuf, reason: String },
    /// The PDF writer failed (e.g. the font could not be subset).
    #[error("cannot write the PDF: {0}")]
    Render(String),
}

/// Renders `doc` as a PDF file set in `fonts`.
pub fn render(doc: &Document, fonts: &Fonts) -> Result<Vec<u8>, PrintError> {
    let mut shaper = text::Shaper::new(fonts);
    let ascent = fonts.face_list().first().map_or(0.88, |f| f.ascent_ratio);
    let pages = layout::layout(doc, &mut shaper, ascent);
    pdf::write(&pages, fonts, &text::sanitize_line(&doc.title))
}
