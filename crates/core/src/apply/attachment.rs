//! Uploaded attachments (附件: 診斷書, 證書影本, …): what kind of file the bytes really are
//! (by their magic bytes, never by the name), a file name that is safe to store and to offer
//! back for download, and the per-application limits on size, count and kinds.

use serde::{Deserialize, Serialize};

const EMPTY: &str = "apply_attachment_empty";
const TOO_LARGE: &str = "apply_attachment_too_large";
const TOO_MANY: &str = "apply_attachment_too_many";
const WRONG_TYPE: &str = "apply_attachment_type";

/// Longest stored file name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// Name used when nothing of the uploaded name survives.
const FALLBACK_NAME: &str = "attachment";

/// A kind of file accepted as an attachment. Serialized in lowercase: "pdf", "jpeg", "png".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttachmentKind {
    /// PDF document.
    Pdf,
    /// JPEG image (a scan or a photo).
    Jpeg,
    /// PNG image.
    Png,
}

impl AttachmentKind {
    /// Every kind.
    pub const ALL: [AttachmentKind; 3] = [
        AttachmentKind::Pdf,
        AttachmentKind::Jpeg,
        AttachmentKind::Png,
    ];

    /// The media type to serve the file with.
    pub fn mime(self) -> &'static str {
        match self {
            AttachmentKind::Pdf => "application/pdf",
            AttachmentKind::Jpeg => "image/jpeg",
            AttachmentKind::Png => "image/png",
        }
    }

    /// The file-name extension given to stored files, without the dot: "pdf", "jpg", "png".
    pub fn extension(self) -> &'static str {
        match self {
            AttachmentKind::Pdf => "pdf",
            AttachmentKind::Jpeg => "jpg",
            AttachmentKind::Png => "png",
        }
    }

    /// Extensions (lowercase) that already name this kind correctly.
    fn accepted_extensions(self) -> &'static [&'static str] {
        match self {
            AttachmentKind::Pdf => &["pdf"],
            AttachmentKind::Jpeg => &["jpg", "jpeg", "jpe", "jfif"],
            AttachmentKind::Png => &["png"],
        }
    }
}

/// The kind of file `bytes` hold, judged only by their first bytes (the name and the type the
/// browser claims are not trusted): PDF starts with `%PDF-`, JPEG with `FF D8 FF`, PNG with
/// its 8-byte signature. `None` for anything else.
pub fn sniff(bytes: &[u8]) -> Option<AttachmentKind> {
    if bytes.starts_with(b"%PDF-") {
        Some(AttachmentKind::Pdf)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(AttachmentKind::Jpeg)
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(AttachmentKind::Png)
    } else {
        None
    }
}

/// Characters that cannot appear in a Windows file name (besides the path separators and
/// control characters, which are removed anyway).
const WINDOWS_INVALID: [char; 7] = ['<', '>', ':', '"', '|', '?', '*'];

/// Invisible characters that can disguise a name, such as the right-to-left override that
/// shows 「gpj.exe」 as 「exe.jpg」: bidirectional controls, zero-width characters, BOM.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}'
    )
}

/// Names Windows reserves for devices, whatever the extension (`con.pdf` cannot be saved).
fn is_windows_device(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end();
    let upper = stem.to_ascii_uppercase();
    matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.len() == 4
            && upper.ends_with(|c: char| ('1'..='9').contains(&c)))
}

fn trim_name(s: &str) -> &str {
    s.trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' '])
}

/// The extension of a name (after its last dot), if it has a non-empty stem before it.
fn split_extension(name: &str) -> Option<(&str, &str)> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then_some((stem, ext))
}

/// A file name that is safe to store and to offer back for download, from the name the
/// browser sent: only the last path component (split on `/` and `\`); no control
/// characters, invisible direction overrides or characters invalid on Windows (`<>:"|?*`);
/// runs of whitespace become one space; no leading dots or spaces and no trailing dots or
/// spaces; Windows device names (`CON`, `NUL`, `COM1`, …) prefixed with `_`; at most
/// [`MAX_NAME_CHARS`] characters, keeping the extension when shortening. Chinese names are
/// kept as they are (「診斷書.pdf」). When nothing is left: "attachment".
pub fn sanitize_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|&c| !c.is_control() && !is_invisible_format(c) && !WINDOWS_INVALID.contains(&c))
        .collect();
    let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut name = trim_name(&collapsed).to_owned();
    if is_windows_device(&name) {
        name.insert(0, '_');
    }
    let name = shorten(&name);
    if name.is_empty() {
        FALLBACK_NAME.to_owned()
    } else {
        name
    }
}

/// Cuts `name` (already trimmed) to [`MAX_NAME_CHARS`] characters, keeping a short extension.
fn shorten(name: &str) -> String {
    if name.chars().count() <= MAX_NAME_CHARS {
        return name.to_owned();
    }
    let take = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    match split_extension(name) {
        // Keep extensions of up to 10 characters; a longer "extension" is just part of the name.
        Some((stem, ext)) if ext.chars().count() <= 10 => {
            let room = MAX_NAME_CHARS - 1 - ext.chars().count();
            let stem = take(stem, room);
            format!("{}.{ext}", trim_name(&stem))
        }
        _ => trim_name(&take(name, MAX_NAME_CHARS)).to_owned(),
    }
}

/// Extensions that name a file type: when a file's content is of another kind, such an
/// extension is replaced (「照片.pdf」 holding a PNG becomes 「照片.png」); any other ending
/// (「報告 v1.2」) is kept and the right extension appended.
const FILE_EXTENSIONS: [&str; 18] = [
    "pdf", "jpg", "jpeg", "jpe", "jfif", "png", "gif", "bmp", "tif", "tiff", "heic", "heif",
    "webp", "doc", "docx", "odt", "txt", "rtf",
];

/// `name` (sanitized) with an extension matching `kind`.
fn with_extension(name: &str, kind: AttachmentKind) -> String {
    let stem = match split_extension(name) {
        Some((_, ext))
            if kind
                .accepted_extensions()
                .contains(&ext.to_ascii_lowercase().as_str()) =>
        {
            return name.to_owned();
        }
        Some((stem, ext)) if FILE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()) => stem,
        _ => name,
    };
    sanitize_name(&format!("{stem}.{}", kind.extension()))
}

/// What an application accepts as attachments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttachmentLimits {
    /// Largest file, in bytes.
    pub max_bytes: u64,
    /// Most files on one application.
    pub max_count: usize,
    /// Kinds accepted.
    pub kinds: Vec<AttachmentKind>,
}

impl Default for AttachmentLimits {
    /// 10 MiB, 5 files, PDF, JPEG and PNG.
    fn default() -> Self {
        AttachmentLimits {
            max_bytes: 10 * 1024 * 1024,
            max_count: 5,
            kinds: AttachmentKind::ALL.to_vec(),
        }
    }
}

/// An upload that passed [`check`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedAttachment {
    /// Safe file name, its extension matching `kind`.
    pub name: String,
    /// The kind the content really is.
    pub kind: AttachmentKind,
    /// Size in bytes.
    pub size: u64,
}

/// Checks an upload against `limits`, given that `already` files are attached. In order:
/// `apply_attachment_too_many` (no room for another file), `apply_attachment_empty` (no
/// bytes), `apply_attachment_too_large`, `apply_attachment_type` (content not of an accepted
/// kind — whatever the name says). The stored name is [`sanitize_name`]d and its extension
/// corrected to what the content is: a PNG named 「x.pdf」 is stored as 「x.png」.
pub fn check(
    name: &str,
    bytes: &[u8],
    already: usize,
    limits: &AttachmentLimits,
) -> Result<CheckedAttachment, &'static str> {
    if already >= limits.max_count {
        return Err(TOO_MANY);
    }
    if bytes.is_empty() {
        return Err(EMPTY);
    }
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > limits.max_bytes {
        return Err(TOO_LARGE);
    }
    let kind = sniff(bytes)
        .filter(|k| limits.kinds.contains(k))
        .ok_or(WRONG_TYPE)?;
    Ok(CheckedAttachment {
        name: with_extension(&sanitize_name(name), kind),
        kind,
        size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PDF: &[u8] = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n";
    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F'];
    const PNG: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D,
    ];

    #[test]
    fn sniffs_by_content_only() {
        assert_eq!(sniff(PDF), Some(AttachmentKind::Pdf));
        assert_eq!(sniff(JPEG), Some(AttachmentKind::Jpeg));
        assert_eq!(sniff(PNG), Some(AttachmentKind::Png));
        for other in [
            &b""[..],
            b"%PDF",                     // cut short
            b" %PDF-1.7",                // leading junk
            b"PK\x03\x04word/",          // a .docx
            b"GIF89a",                   // GIF
            b"MZ\x90\x00",               // a Windows program
            &[0xFF, 0xD8],               // cut-short JPEG
            &[0x89, b'P', b'N', b'G'],   // cut-short PNG
            b"<html><body>%PDF-</body>", // HTML pretending
        ] {
            assert_eq!(sniff(other), None, "{other:?}");
        }
        assert_eq!(AttachmentKind::Pdf.mime(), "application/pdf");
        assert_eq!(AttachmentKind::Jpeg.mime(), "image/jpeg");
        assert_eq!(AttachmentKind::Png.mime(), "image/png");
        assert_eq!(AttachmentKind::Jpeg.extension(), "jpg");
    }

    #[test]
    fn sanitizes_names_people_and_attackers_send() {
        for (raw, want) in [
            ("診斷書.pdf", "診斷書.pdf"),
            ("醫師證書 影本（正面）.jpg", "醫師證書 影本（正面）.jpg"),
            ("C:\\Users\\王小明\\Desktop\\執業執照.png", "執業執照.png"),
            ("/etc/passwd", "passwd"),
            ("../../secret.pdf", "secret.pdf"),
            ("..", "attachment"),
            ("", "attachment"),
            ("   ", "attachment"),
            ("<>:\"|?*", "attachment"),
            (".htaccess", "htaccess"),
            ("report.pdf. . .", "report.pdf"),
            ("  my   scan\t\n2024 .pdf", "my scan 2024 .pdf"),
            ("a<b>c:d\"e|f?g*h.pdf", "abcdefgh.pdf"),
            ("nul\u{0}byte.pdf", "nulbyte.pdf"),
            ("invoice\u{202E}fdp.exe", "invoicefdp.exe"),
            ("con.pdf", "_con.pdf"),
            ("LPT1", "_LPT1"),
            ("com10.pdf", "com10.pdf"),
            ("console.pdf", "console.pdf"),
        ] {
            assert_eq!(sanitize_name(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn long_names_keep_their_extension() {
        let long = format!("{}.pdf", "診".repeat(300));
        let short = sanitize_name(&long);
        assert_eq!(short.chars().count(), MAX_NAME_CHARS);
        assert!(short.ends_with(".pdf"));
        assert!(short.starts_with("診診診"));
        // Cutting must not leave the stem ending in dots or spaces.
        let dotted = format!("{}{}.png", "a".repeat(94), ". ".repeat(20));
        let short = sanitize_name(&dotted);
        assert!(short.ends_with("a.png"), "{short}");
        // Without an extension the name is just cut.
        assert_eq!(sanitize_name(&"x".repeat(150)), "x".repeat(100));
        // An "extension" of more than 10 characters is part of the name.
        let odd = format!("{}.{}", "y".repeat(50), "z".repeat(80));
        assert_eq!(sanitize_name(&odd).chars().count(), MAX_NAME_CHARS);
        assert!(sanitize_name(&odd).starts_with("yyy"));
    }

    #[test]
    fn checks_limits_in_order() {
        let limits = AttachmentLimits::default();
        assert_eq!(limits.max_bytes, 10 * 1024 * 1024);
        assert_eq!(limits.max_count, 5);
        assert_eq!(limits.kinds, AttachmentKind::ALL);

        let ok = check("診斷書.pdf", PDF, 0, &limits).unwrap();
        assert_eq!(ok.name, "診斷書.pdf");
        assert_eq!(ok.kind, AttachmentKind::Pdf);
        assert_eq!(ok.size, PDF.len() as u64);

        assert_eq!(
            check("x.pdf", PDF, 4, &limits).map(|a| a.kind),
            Ok(AttachmentKind::Pdf)
        );
        assert_eq!(
            check("x.pdf", PDF, 5, &limits),
            Err("apply_attachment_too_many")
        );
        assert_eq!(
            check("x.pdf", b"", 0, &limits),
            Err("apply_attachment_empty")
        );
        assert_eq!(
            check("x.pdf", b"", 5, &limits),
            Err("apply_attachment_too_many")
        );
        assert_eq!(
            check("x.pdf", b"hello", 0, &limits),
            Err("apply_attachment_type")
        );
        assert_eq!(
            check("x.docx", b"PK\x03\x04", 0, &limits),
            Err("apply_attachment_type")
        );

        let small = AttachmentLimits {
            max_bytes: 12,
            ..AttachmentLimits::default()
        };
        assert_eq!(check("x.png", PNG, 0, &small).map(|a| a.size), Ok(12));
        let mut big_png = PNG.to_vec();
        big_png.push(0);
        assert_eq!(
            check("x.png", &big_png, 0, &small),
            Err("apply_attachment_too_large")
        );

        let pdf_only = AttachmentLimits {
            kinds: vec![AttachmentKind::Pdf],
            ..AttachmentLimits::default()
        };
        assert_eq!(
            check("photo.jpg", JPEG, 0, &pdf_only),
            Err("apply_attachment_type")
        );
        // A PDF renamed .jpg is still a PDF and is accepted.
        assert_eq!(
            check("scan.jpg", PDF, 0, &pdf_only).map(|a| a.name),
            Ok("scan.pdf".to_owned())
        );
    }

    #[test]
    fn stored_name_extension_follows_the_content() {
        let limits = AttachmentLimits::default();
        let name = |n: &str, bytes: &[u8]| check(n, bytes, 0, &limits).map(|a| a.name);
        assert_eq!(name("x.pdf", PNG), Ok("x.png".to_owned()));
        assert_eq!(name("照片.PDF", JPEG), Ok("照片.jpg".to_owned()));
        assert_eq!(name("PHOTO.JPEG", JPEG), Ok("PHOTO.JPEG".to_owned()));
        assert_eq!(name("photo.JPG", JPEG), Ok("photo.JPG".to_owned()));
        assert_eq!(name("診斷書", PDF), Ok("診斷書.pdf".to_owned()));
        assert_eq!(name("報告 v1.2", PDF), Ok("報告 v1.2.pdf".to_owned()));
        assert_eq!(name("", PNG), Ok("attachment.png".to_owned()));
        assert_eq!(name("../..", PDF), Ok("attachment.pdf".to_owned()));
        // Still within the length limit after the extension is changed.
        let long = format!("{}.docx", "文".repeat(200));
        let stored = name(&long, PDF).unwrap();
        assert!(stored.ends_with(".pdf") && stored.chars().count() <= MAX_NAME_CHARS);
    }

    #[test]
    fn limits_deserialize_with_defaults() {
        let limits: AttachmentLimits = serde_json::from_str(r#"{"kinds":["pdf","png"]}"#).unwrap();
        assert_eq!(limits.kinds, [AttachmentKind::Pdf, AttachmentKind::Png]);
        assert_eq!(limits.max_count, 5);
        assert!(serde_json::from_str::<AttachmentLimits>(r#"{"kinds":["exe"]}"#).is_err());
    }

    /// Names made of the characters that need handling, so cases mix often.
    fn tricky_name() -> impl Strategy<Value = String> {
        let palette: Vec<char> = "a診. /\\\t\n\u{0}\u{7F}\u{85}\u{202E}\u{FEFF}<>:\"|?*　ex"
            .chars()
            .collect();
        proptest::collection::vec(proptest::sample::select(palette), 0..220)
            .prop_map(|cs| cs.into_iter().collect())
    }

    fn assert_safe(name: &str) -> Result<(), TestCaseError> {
        prop_assert!(!name.is_empty());
        prop_assert!(name.chars().count() <= MAX_NAME_CHARS, "{name:?}");
        prop_assert!(!name.contains(['/', '\\']), "{name:?}");
        prop_assert!(!name.chars().any(char::is_control), "{name:?}");
        prop_assert!(!name.chars().any(is_invisible_format), "{name:?}");
        prop_assert!(!name.contains(WINDOWS_INVALID), "{name:?}");
        prop_assert!(!name.starts_with(['.', ' ']), "{name:?}");
        prop_assert!(!name.ends_with(['.', ' ']), "{name:?}");
        prop_assert!(!name.contains("  "), "{name:?}");
        Ok(())
    }

    proptest! {
        #[test]
        fn sanitized_names_are_always_safe(s in any::<String>(), t in tricky_name()) {
            assert_safe(&sanitize_name(&s))?;
            let tricky = sanitize_name(&t);
            assert_safe(&tricky)?;
            // Sanitizing is idempotent.
            prop_assert_eq!(sanitize_name(&tricky), tricky.clone());
            for kind in AttachmentKind::ALL {
                let stored = with_extension(&tricky, kind);
                assert_safe(&stored)?;
                prop_assert!(stored.to_ascii_lowercase().rsplit_once('.').is_some_and(
                    |(_, ext)| kind.accepted_extensions().contains(&ext)
                ), "{stored:?}");
            }
        }

        #[test]
        fn sniff_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..16)) {
            let kind = sniff(&bytes);
            let limits = AttachmentLimits::default();
            prop_assert_eq!(check("f", &bytes, 0, &limits).ok().map(|a| a.kind), kind);
        }
    }
}
