//! End-to-end tests of the printed PDF with the real system font (Debian `fonts-noto-cjk`) and
//! poppler's `pdftotext` (Debian `poppler-utils`), as a reader's PDF viewer or a search index
//! would extract the text. Both are installed by `scripts/install-test-deps.sh`; the tests fail,
//! rather than skip, when either is missing.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use tessera_print::{Block, Document, Fonts, render};

/// The font, loaded once for all tests of this file.
fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        Fonts::system().unwrap_or_else(|e| {
            panic!("{e} (scripts/install-test-deps.sh installs fonts-noto-cjk)")
        })
    })
}

/// The text of `pdf` as `pdftotext -layout` extracts it; pages end with a form feed.
fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run pdftotext ({e}): scripts/install-test-deps.sh installs poppler-utils"
            )
        });
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The pages of pdftotext's output.
fn pages(text: &str) -> Vec<&str> {
    let mut pages: Vec<&str> = text.split('\u{c}').collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

fn history_header() -> [String; 4] {
    ["時間", "處理", "處理者", "說明"].map(String::from)
}

fn application() -> Document {
    Document {
        title: "報備支援申請書".into(),
        operator: "臺北市政府衛生局".into(),
        case_number: "報備-115-000123".into(),
        printed_on: "列印日期：115年12月07日".into(),
        test_banner: Some("測試環境：所有資料均為測試資料".into()),
        blocks: vec![
            Block::Heading("申請人資料".into()),
            Block::Fields(vec![
                ("姓名".into(), "林𡘙生".into()),
                ("身分證統一編號".into(), "A123456789".into()),
                ("執業場所".into(), "臺北市立聯合醫院仁愛院區".into()),
                (
                    "地址".into(),
                    "臺北市大安區仁愛路四段10號\n（郵遞區號106）".into(),
                ),
                ("電子郵件".into(), "lin.sheng@example.com.tw".into()),
            ]),
            Block::Paragraph("本人確認以上資料正確無誤。".into()),
            Block::History {
                header: history_header(),
                rows: vec![
                    [
                        "115/12/01 09:30".into(),
                        "送出".into(),
                        "林𡘙生".into(),
                        "".into(),
                    ],
                    [
                        "115/12/03 14:05".into(),
                        "受理".into(),
                        "承辦人王小明".into(),
                        "資料齊全".into(),
                    ],
                ],
            },
        ],
    }
}

#[test]
fn the_system_font_is_noto_sans_cjk_tc_and_has_the_extension_b_name() {
    let fonts = fonts();
    assert_eq!(fonts.main_face().1, "Noto Sans CJK TC", "{fonts:?}");
    // Debian's NotoSansCJK-Regular.ttc: Noto Sans CJK TC is face 3.
    if fonts.path().ends_with("NotoSansCJK-Regular.ttc") {
        assert_eq!(fonts.main_face().0, 3);
    }
    // 𡘙 (U+21619, CJK Extension B) is in the font itself, no fallback needed.
    for c in ['林', '𡘙', '生'] {
        assert_eq!(fonts.face_for(c), Some(0), "{c}");
    }
    assert_eq!(fonts.face_for('😀'), None);
}

/// Noto Serif CJK TC lacks a few ideographs that Noto Sans CJK TC has, such as 𠀤 (U+20024):
/// with Sans as a fallback, a Serif document still shows it, and the text extracts as one.
#[test]
fn a_fallback_face_draws_what_the_main_face_lacks() {
    let serif = Path::new("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc");
    let sans = Path::new("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc");
    let fonts = Fonts::load(serif, 3)
        .unwrap()
        .with_fallback(sans, 3)
        .unwrap();
    assert_eq!(fonts.main_face(), (3, "Noto Serif CJK TC"));
    assert_eq!(fonts.face_for('林'), Some(0));
    assert_eq!(fonts.face_for('𠀤'), Some(1));
    let doc = Document {
        blocks: vec![Block::Fields(vec![("姓名".into(), "林𠀤生".into())])],
        ..application()
    };
    let pdf = render(&doc, &fonts).unwrap();
    let text = pdftotext(&pdf);
    assert!(text.contains("林𠀤生"), "{text}");
    // Two subset fonts embedded: the Serif face and the Sans face for 𠀤.
    assert!(contains(&pdf, b"NotoSerifCJKtc-Regular") && contains(&pdf, b"NotoSansCJKtc-Regular"));
}

#[test]
fn chinese_text_extracts_exactly() {
    let pdf = render(&application(), fonts()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdftotext(&pdf);
    for want in [
        "報備支援申請書",
        "臺北市政府衛生局",
        "報備-115-000123",
        "列印日期：115年12月07日",
        "測試環境：所有資料均為測試資料",
        "申請人資料",
        "林𡘙生",
        "身分證統一編號",
        "A123456789",
        "臺北市大安區仁愛路四段10號",
        "（郵遞區號106）",
        "lin.sheng@example.com.tw",
        "本人確認以上資料正確無誤。",
        "處理者",
        "承辦人王小明",
        "第 1 頁／共 1 頁",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
    assert_eq!(pages(&text).len(), 1, "{text}");
}

#[test]
fn the_font_is_embedded_as_a_subset() {
    let pdf = render(&application(), fonts()).unwrap();
    let font_size = std::fs::metadata(fonts().path()).unwrap().len() as usize;
    eprintln!(
        "one-page PDF: {} bytes; font file {}: {} bytes",
        pdf.len(),
        fonts().path().display(),
        font_size
    );
    assert!(
        pdf.len() * 10 < font_size,
        "{} bytes is not a subset",
        pdf.len()
    );
    // Embedded, not referenced: a CID-keyed font program is in the file.
    assert!(contains(&pdf, b"/FontFile3") || contains(&pdf, b"/FontFile2"));
    assert!(contains(&pdf, b"/ToUnicode"));
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_long_field_table_continues_on_the_next_pages() {
    let rows: Vec<(String, String)> = (1..=200)
        .map(|i| (format!("項目{i:03}"), format!("值-{i:03}-資料")))
        .collect();
    let doc = Document {
        blocks: vec![Block::Heading("附表".into()), Block::Fields(rows)],
        ..application()
    };
    let text = pdftotext(&render(&doc, fonts()).unwrap());
    let pages = pages(&text);
    let total = pages.len();
    assert!(total >= 4, "200 rows on {total} pages:\n{text}");
    for i in 1..=200 {
        let value = format!("值-{i:03}-資料");
        assert_eq!(text.matches(&value).count(), 1, "{value}:\n{text}");
    }
    for (n, page) in pages.iter().enumerate() {
        // Every page: header line, banner, and "page n of total".
        let footer = format!("第 {} 頁／共 {total} 頁", n + 1);
        assert!(
            page.contains(&footer),
            "{footer} not on page {}:\n{page}",
            n + 1
        );
        assert!(page.contains("臺北市政府衛生局") && page.contains("報備-115-000123"));
        assert!(page.contains("測試環境：所有資料均為測試資料"));
    }
    // Rows stay in order across the page breaks.
    let positions: Vec<usize> = (1..=200)
        .map(|i| text.find(&format!("值-{i:03}-資料")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn a_long_history_repeats_its_header_on_every_page() {
    let rows: Vec<[String; 4]> = (1..=120)
        .map(|i| {
            [
                format!("115/12/07 10:{:02}", i % 60),
                "補件".into(),
                format!("承辦{i:03}"),
                format!("第{i:03}次說明：請補附執業執照影本及支援同意書。"),
            ]
        })
        .collect();
    let doc = Document {
        blocks: vec![Block::History {
            header: history_header(),
            rows,
        }],
        ..application()
    };
    let text = pdftotext(&render(&doc, fonts()).unwrap());
    let pages = pages(&text);
    assert!(pages.len() >= 3, "{text}");
    for page in &pages {
        assert!(page.contains("處理者"), "no table header on:\n{page}");
    }
    for i in 1..=120 {
        assert_eq!(text.matches(&format!("承辦{i:03}")).count(), 1);
    }
}

#[test]
fn long_values_wrap_and_lose_no_text() {
    let cjk = "申請支援期間內，應依醫療法及醫師法相關規定執行業務，".repeat(12);
    let latin = "The applicant shall comply with the regulations of the Medical Care Act during the period of support";
    let word = "https://example.gov.tw/".to_string() + &"a".repeat(300);
    let doc = Document {
        blocks: vec![
            Block::Fields(vec![
                ("說明".into(), cjk.clone()),
                ("English".into(), latin.into()),
                ("網址".into(), word.clone()),
            ]),
            Block::Paragraph(cjk.clone()),
        ],
        ..application()
    };
    let text = pdftotext(&render(&doc, fonts()).unwrap());
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    // Each wrapped text comes back in order once the line breaks are taken out. (-layout puts
    // the label column beside the first line only, so the value lines follow each other.)
    assert!(squeezed.contains(&squeeze(&cjk)), "{text}");
    assert!(squeezed.contains(&squeeze(latin)), "{text}");
    assert!(squeezed.contains(&squeeze(&word)), "{text}");
    // Latin wraps at spaces: no line ends inside a word.
    for word in latin.split(' ') {
        assert!(
            text.split(|c: char| c.is_whitespace()).any(|w| w == word),
            "{word:?} was split:\n{text}"
        );
    }
}

#[test]
fn characters_the_font_lacks_still_extract() {
    // Emoji are in no Noto CJK face: they are drawn as a substitute mark, and the text behind
    // each is still the emoji; a real 〓 (the mark itself) still extracts as 〓. Control
    // characters are dropped, a tab is a space.
    let doc = Document {
        blocks: vec![Block::Fields(vec![(
            "備註".into(),
            "A😀B🙂C〓D\u{7}E\tF".into(),
        )])],
        ..application()
    };
    let text = pdftotext(&render(&doc, fonts()).unwrap());
    assert!(text.contains("A😀B🙂C〓DE F"), "{text}");
}

#[test]
fn empty_documents_render() {
    let pdf = render(&Document::default(), fonts()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdftotext(&pdf);
    assert!(text.contains("第 1 頁／共 1 頁"), "{text}");
}
