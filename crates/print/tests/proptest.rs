//! Property test: rendering never panics, whatever the strings (any Unicode, control characters,
//! characters no font has, very long words), and always gives a PDF file.

use std::sync::OnceLock;

use proptest::prelude::*;
use tessera_print::{Block, Document, Fonts, render};

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        Fonts::system().unwrap_or_else(|e| {
            panic!("{e} (scripts/install-test-deps.sh installs fonts-noto-cjk)")
        })
    })
}

/// Strings that are likely to trouble a layout: CJK (Extension B too), Latin words, spaces and
/// line breaks, controls, combining marks, variation selectors, emoji; or any string at all.
fn tricky() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[一-龥𠀀-𪛟a-zA-Z0-9 \n\t\r\u{0}-\u{1f}\u{300}-\u{36f}\u{fe00}-\u{fe0f}\u{e0100}-\u{e0103}😀-🙏「」，。（）-]{0,400}",
        "[a-z]{200,2000}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn render_never_panics(
        title in tricky(),
        operator in tricky(),
        case_number in tricky(),
        banner in proptest::option::of(tricky()),
        fields in proptest::collection::vec((tricky(), tricky()), 0..6),
        paragraph in tricky(),
        history in proptest::collection::vec([tricky(), tricky(), tricky(), tricky()], 0..4),
    ) {
        let doc = Document {
            title,
            operator,
            case_number,
            printed_on: "列印日期：115年12月07日".into(),
            test_banner: banner,
            blocks: vec![
                Block::Heading(paragraph.clone()),
                Block::Fields(fields),
                Block::Paragraph(paragraph),
                Block::History {
                    header: ["時間", "處理", "處理者", "說明"].map(String::from),
                    rows: history,
                },
            ],
        };
        let pdf = render(&doc, fonts()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(pdf.starts_with(b"%PDF-"));
    }
}
