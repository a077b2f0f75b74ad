//! Loading the CJK font the documents are set in: one face of an OpenType font or collection
//! (Debian's Noto CJK `.ttc` files hold ten faces each), optionally with fallback faces (from any
//! file) for characters the main face lacks.
//!
//! A file is read once into memory and shared (`Arc`) by its faces, every clone of [`Fonts`] and
//! every rendered document; krilla's parsed font of each face is built once, at load time, so a
//! render does not re-read or re-parse the font file (it only looks up its table directory).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use skrifa::raw::TableProvider;
use skrifa::raw::{CollectionRef, FileRef};
use skrifa::string::StringId;
use skrifa::{FontRef, MetadataProvider, charmap::MappingIndex};

use crate::PrintError;

/// The family every Tessera document is set in: Traditional Chinese glyph forms (Taiwan).
const SANS_TC: &str = "Noto Sans CJK TC";
const SERIF_TC: &str = "Noto Serif CJK TC";

/// Where [`Fonts::system`] looks, in order, and which family it wants from each file. Debian's
/// `fonts-noto-cjk` installs the `.ttc` collections under `opentype/noto`; the per-region `.otf`
/// files are what the upstream release and older packages ship; the last two folders are where
/// Fedora and Arch put the same collections.
const SYSTEM_CANDIDATES: &[(&str, &str)] = &[
    (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        SANS_TC,
    ),
    (
        "/usr/share/fonts/opentype/noto/NotoSansCJKtc-Regular.otf",
        SANS_TC,
    ),
    (
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
        SERIF_TC,
    ),
    (
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
        SANS_TC,
    ),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", SANS_TC),
];

/// A loaded font: the main face and its fallbacks, in the order they are tried for a character.
///
/// Cloning is cheap (one `Arc`); the type is `Send + Sync`, so one value loaded at start-up can
/// serve every request.
#[derive(Clone)]
pub struct Fonts {
    /// Never empty: every constructor puts the main face first.
    faces: Arc<Vec<Face>>,
}

/// One face of a font file.
#[derive(Clone)]
pub(crate) struct Face {
    path: PathBuf,
    /// The index of the face in its collection (0 for a single font).
    index: u32,
    /// Its typographic family name, e.g. "Noto Sans CJK TC".
    family: String,
    /// The whole file, shared with the other faces of the same file.
    data: krilla::Data,
    /// Which `cmap` subtables to use, found once instead of on every render.
    mapping: MappingIndex,
    /// Font units per em, to turn advances into ems.
    pub(crate) units_per_em: f32,
    /// The share of the typographic line (ascender − descender) above the baseline; places the
    /// baseline so that the CJK em box sits centred in a line.
    pub(crate) ascent_ratio: f32,
    /// krilla's handle of this face, to draw glyphs with (cheap to clone).
    pub(crate) krilla: krilla::text::Font,
}

impl Face {
    fn new(path: &Path, data: &krilla::Data, index: u32) -> Result<Face, PrintError> {
        let unreadable = |reason: String| PrintError::FontUnreadable {
            path: path.to_path_buf(),
            reason: format!("face {index}: {reason}"),
        };
        let font =
            FontRef::from_index(data.as_ref(), index).map_err(|e| unreadable(e.to_string()))?;
        let units_per_em = font
            .head()
            .map(|h| f32::from(h.units_per_em()))
            .map_err(|e| unreadable(format!("no usable head table: {e}")))?;
        if !(16.0..=16384.0).contains(&units_per_em) {
            return Err(unreadable(format!(
                "implausible units per em {units_per_em}"
            )));
        }
        let ascent_ratio = font
            .os2()
            .ok()
            .map(|os2| {
                (
                    f32::from(os2.s_typo_ascender()),
                    f32::from(os2.s_typo_descender()),
                )
            })
            .filter(|(asc, desc)| *asc > 0.0 && *desc <= 0.0)
            .map(|(asc, desc)| asc / (asc - desc))
            // The ideographic em box of CJK fonts: 880 above and 120 below the baseline.
            .unwrap_or(0.88);
        // krilla checks the face too: a file it cannot embed fails here, at start-up, rather
        // than on the first print.
        let krilla = krilla::text::Font::new(data.clone(), index)
            .ok_or_else(|| unreadable("not a font krilla can embed".to_string()))?;
        Ok(Face {
            path: path.to_path_buf(),
            index,
            family: family_name(&font).unwrap_or_default(),
            data: data.clone(),
            mapping: MappingIndex::new(&font),
            units_per_em,
            ascent_ratio,
            krilla,
        })
    }

    /// The face parsed for reading glyph mappings and metrics (a look-up of the table
    /// directory). Only fails if the data changed, which it cannot: callers still treat `None`
    /// as "no glyphs" rather than panicking.
    pub(crate) fn font_ref(&self) -> Option<FontRef<'_>> {
        FontRef::from_index(self.data.as_ref(), self.index).ok()
    }

    pub(crate) fn mapping(&self) -> &MappingIndex {
        &self.mapping
    }
}

/// The typographic family name of a face (name ID 16, else 1).
fn family_name(font: &FontRef<'_>) -> Option<String> {
    [StringId::TYPOGRAPHIC_FAMILY_NAME, StringId::FAMILY_NAME]
        .into_iter()
        .find_map(|id| font.localized_strings(id).english_or_first())
        .map(|s| s.to_string())
}

fn read(path: &Path) -> Result<krilla::Data, PrintError> {
    let bytes = std::fs::read(path).map_err(|e| PrintError::FontUnreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    Ok(krilla::Data::from(Arc::new(bytes)))
}

/// The number of faces in a font file: its collection size, or 1 for a single font.
fn face_count(data: &krilla::Data) -> Result<u32, String> {
    match FileRef::new(data.as_ref()).map_err(|e| e.to_string())? {
        FileRef::Font(_) => Ok(1),
        FileRef::Collection(c) => Ok(CollectionRef::len(&c)),
    }
}

impl Fonts {
    /// Loads face `index` of the font file at `path` (0 for a single `.otf`/`.ttf`). In Debian's
    /// `NotoSansCJK-Regular.ttc`, "Noto Sans CJK TC" is face 3. A character the face lacks is
    /// drawn as a substitute mark unless a fallback has it (see [`Fonts::with_fallback`]).
    pub fn load(path: &Path, index: u32) -> Result<Fonts, PrintError> {
        let data = read(path)?;
        Ok(Fonts {
            faces: Arc::new(vec![Face::new(path, &data, index)?]),
        })
    }

    /// Adds face `index` of the file at `path` as a fallback, tried after the faces already
    /// loaded for characters they lack: e.g. a font of CNS 11643 ideographs for rare characters
    /// in names. A file already loaded is not read again.
    pub fn with_fallback(self, path: &Path, index: u32) -> Result<Fonts, PrintError> {
        let data = match self.faces.iter().find(|f| f.path == path) {
            Some(loaded) => loaded.data.clone(),
            None => read(path)?,
        };
        let face = Face::new(path, &data, index)?;
        let mut faces = Vec::clone(&self.faces);
        faces.push(face);
        Ok(Fonts {
            faces: Arc::new(faces),
        })
    }

    /// Finds "Noto Sans CJK TC" (else "Noto Serif CJK TC") in the usual places of Debian's
    /// `fonts-noto-cjk` (and of the upstream release, Fedora and Arch), choosing the face of a
    /// collection by its family name.
    ///
    /// No fallback faces: every face of the Sans collection maps the same 44,810 characters
    /// (Extension B ideographs of Taiwanese names such as 𡘙 U+21619 among them), and the Serif
    /// collection maps a subset of those.
    pub fn system() -> Result<Fonts, PrintError> {
        let mut tried = Vec::new();
        for &(path, family) in SYSTEM_CANDIDATES {
            let path = Path::new(path);
            tried.push(path.to_path_buf());
            if !path.is_file() {
                continue;
            }
            let data = read(path)?;
            let count = face_count(&data).map_err(|reason| PrintError::FontUnreadable {
                path: path.to_path_buf(),
                reason,
            })?;
            let found = (0..count).find(|&i| {
                FontRef::from_index(data.as_ref(), i)
                    .ok()
                    .and_then(|font| family_name(&font))
                    .is_some_and(|f| f == family)
            });
            if let Some(index) = found {
                return Ok(Fonts {
                    faces: Arc::new(vec![Face::new(path, &data, index)?]),
                });
            }
        }
        Err(PrintError::FontMissing { tried })
    }

    /// The file of the main face.
    pub fn path(&self) -> &Path {
        &self.faces[0].path
    }

    /// The main face: its index in the file and its family name (e.g. `(3, "Noto Sans CJK TC")`).
    pub fn main_face(&self) -> (u32, &str) {
        let face = &self.faces[0];
        (face.index, &face.family)
    }

    /// All faces, main face first, then the fallbacks in the order they are tried: file, index
    /// in the file, family name.
    pub fn faces(&self) -> Vec<(&Path, u32, &str)> {
        self.faces
            .iter()
            .map(|f| (f.path.as_path(), f.index, f.family.as_str()))
            .collect()
    }

    /// Which face draws `c`, as a position in [`Fonts::faces`]: the main face (0) if it has a
    /// glyph for it, else the first fallback that does; `None` if none has one (the document
    /// then shows a substitute mark, and the text still extracts as `c`).
    pub fn face_for(&self, c: char) -> Option<usize> {
        self.faces.iter().position(|face| {
            face.font_ref()
                .and_then(|font| face.mapping().charmap(&font).map(c))
                .is_some_and(|g| g.to_u32() != 0)
        })
    }

    pub(crate) fn face_list(&self) -> &[Face] {
        &self.faces
    }
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fonts")
            .field("faces", &self.faces())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fonts_are_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Fonts>();
    }

    #[test]
    fn a_missing_or_broken_file_is_an_error() {
        let err = Fonts::load(Path::new("/nonexistent/font.ttc"), 0).unwrap_err();
        assert!(matches!(err, PrintError::FontUnreadable { .. }), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.ttf");
        std::fs::write(&junk, b"not a font").unwrap();
        let err = Fonts::load(&junk, 0).unwrap_err();
        assert!(err.to_string().contains("junk.ttf"), "{err}");
    }

    #[test]
    fn the_missing_font_error_says_what_to_install() {
        let err = PrintError::FontMissing {
            tried: SYSTEM_CANDIDATES
                .iter()
                .map(|(p, _)| PathBuf::from(p))
                .collect(),
        };
        let msg = err.to_string();
        assert!(msg.contains("apt install fonts-noto-cjk"), "{msg}");
        assert!(
            msg.contains("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
            "{msg}"
        );
    }
}
