//! The site's help pages (新手上路, 常見問題, 下載區, 系統設定須知, 隱私權聲明, 聯絡我們): the
//! list of pages, their Markdown in zh-TW and English — the operator's own file from
//! `Settings::help_dir` when there is one, else the default shipped in
//! `crates/app/content/help/` — and its rendering to HTML with raw HTML left out, so that no
//! file, the operator's included, can put markup or script into a page.
//!
//! A file path is only ever built from a slug of [`PAGES`], never from the request.

use std::path::Path;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};
use tessera_core::lang::Lang;

use crate::error::{Failure, FailureKind};

/// One help page: its stable address `/help/<slug>`, its titles and its shipped Markdown.
#[derive(Debug)]
pub struct HelpPage {
    pub slug: &'static str,
    pub title_zh: &'static str,
    pub title_en: &'static str,
    /// The shipped zh-TW Markdown (the primary language).
    default_zh: &'static str,
    /// The shipped English Markdown.
    default_en: &'static str,
}

impl HelpPage {
    /// The page's title in `lang`.
    pub fn title(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.title_en,
            _ => self.title_zh,
        }
    }

    fn shipped(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.default_en,
            _ => self.default_zh,
        }
    }
}

macro_rules! help_page {
    ($slug:literal, $zh:literal, $en:literal) => {
        HelpPage {
            slug: $slug,
            title_zh: $zh,
            title_en: $en,
            default_zh: include_str!(concat!("../content/help/", $slug, ".zh-TW.md")),
            default_en: include_str!(concat!("../content/help/", $slug, ".en.md")),
        }
    };
}

/// The help pages, in the order the index and the footer list them.
pub const PAGES: &[HelpPage] = &[
    help_page!("getting-started", "新手上路", "Getting started"),
    help_page!("faq", "常見問題", "FAQ"),
    help_page!("downloads", "下載區", "Downloads"),
    help_page!("system-requirements", "系統設定須知", "System requirements"),
    help_page!("privacy", "隱私權聲明", "Privacy statement"),
    help_page!("contact", "聯絡我們", "Contact us"),
];

/// The listed page with this slug; anything else (another word, a path) is no page.
pub fn find(slug: &str) -> Option<&'static HelpPage> {
    PAGES.iter().find(|p| p.slug == slug)
}

/// A help page ready to show.
#[derive(Debug, Clone)]
pub struct RenderedHelp {
    pub page: &'static HelpPage,
    /// The page's title in the language asked for.
    pub title: &'static str,
    /// The language the text is in: the one asked for, or zh-TW when it has no English.
    pub content_lang: Lang,
    /// The page's body as HTML, made by [`render_markdown`]: no raw HTML from the Markdown.
    pub html: String,
}

/// The help page `slug` in `lang`: the operator's file in `help_dir` first, else the shipped
/// one; a page without English is shown in zh-TW. An unlisted slug is `not_found`.
pub async fn page(
    help_dir: Option<&Path>,
    slug: &str,
    lang: Lang,
) -> Result<RenderedHelp, Failure> {
    let page = find(slug).ok_or_else(|| Failure::new(FailureKind::NotFound, "not_found"))?;
    let (markdown, content_lang) = markdown(help_dir, page, lang).await;
    Ok(RenderedHelp {
        page,
        title: page.title(lang),
        content_lang,
        html: render_markdown(&markdown),
    })
}

/// The Markdown of `page` in `lang` and the language it is in.
async fn markdown(help_dir: Option<&Path>, page: &HelpPage, lang: Lang) -> (String, Lang) {
    if let Some(text) = operator_file(help_dir, page, lang).await {
        return (text, lang);
    }
    let shipped = page.shipped(lang);
    if !shipped.trim().is_empty() {
        return (shipped.to_string(), lang);
    }
    // No English anywhere: the zh-TW page, the operator's first.
    if let Some(text) = operator_file(help_dir, page, Lang::ZhTw).await {
        return (text, Lang::ZhTw);
    }
    (page.shipped(Lang::ZhTw).to_string(), Lang::ZhTw)
}

/// The operator's `<slug>.<lang>.md` in `help_dir`, when there is one with some text. An
/// unreadable file is logged and the shipped page shown instead.
async fn operator_file(help_dir: Option<&Path>, page: &HelpPage, lang: Lang) -> Option<String> {
    let dir = help_dir?;
    // The slug is one of PAGES, never request input, so the path stays inside `dir`.
    let path = dir.join(format!("{}.{}.md", page.slug, lang.as_str()));
    match tokio::fs::read_to_string(&path).await {
        Ok(text) if !text.trim().is_empty() => Some(text),
        Ok(_) => None,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "help page unreadable; the shipped page is shown");
            None
        }
    }
}

/// Markdown to HTML (CommonMark with tables and strikethrough). Raw HTML in the Markdown is
/// not passed through: it is shown as text, escaped. Links stay as written, except those
/// whose scheme runs script or embeds a document (`javascript:`, `vbscript:`, `data:`), which
/// lead nowhere.
pub fn render_markdown(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

/// `url` unless its scheme is one that runs script or embeds a document.
fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    // Browsers ignore ASCII whitespace and control characters inside a scheme.
    let scheme: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .take_while(|c| *c != ':' && *c != '/' && *c != '?' && *c != '#')
        .collect::<String>()
        .to_ascii_lowercase();
    let has_scheme = url.contains(':');
    if has_scheme && matches!(scheme.as_str(), "javascript" | "vbscript" | "data") {
        CowStr::Borrowed("#")
    } else {
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_listed_page_renders_in_both_languages() {
        for p in PAGES {
            for lang in [Lang::ZhTw, Lang::En] {
                let r = page(None, p.slug, lang).await.expect(p.slug);
                assert_eq!(r.content_lang, lang, "{} has its own {lang:?} text", p.slug);
                assert!(r.html.contains("<h1>"), "{} {lang:?} has a heading", p.slug);
                assert!(r.html.len() > 200, "{} {lang:?} is not empty", p.slug);
                assert!(!r.title.is_empty());
            }
        }
        let slugs: Vec<_> = PAGES.iter().map(|p| p.slug).collect();
        assert_eq!(
            slugs,
            [
                "getting-started",
                "faq",
                "downloads",
                "system-requirements",
                "privacy",
                "contact"
            ]
        );
    }

    #[tokio::test]
    async fn an_operator_file_replaces_the_shipped_page_in_its_language_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("contact.zh-TW.md"),
            "# 聯絡我們\n\n客服專線：02-1234-5678\n",
        )
        .expect("write");
        let zh = page(Some(dir.path()), "contact", Lang::ZhTw)
            .await
            .expect("page");
        assert!(zh.html.contains("02-1234-5678"), "{}", zh.html);
        assert!(!zh.html.contains("請營運機關"), "{}", zh.html);
        // English has no operator file: the shipped English page.
        let en = page(Some(dir.path()), "contact", Lang::En)
            .await
            .expect("page");
        assert!(!en.html.contains("02-1234-5678"));
        assert_eq!(en.content_lang, Lang::En);
        // Another page is untouched.
        let faq = page(Some(dir.path()), "faq", Lang::ZhTw)
            .await
            .expect("faq");
        assert_eq!(
            faq.html,
            render_markdown(find("faq").expect("faq").default_zh)
        );
    }

    #[tokio::test]
    async fn raw_html_in_an_operator_file_is_not_passed_through() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("faq.en.md"),
            "# FAQ\n\n<script>alert(1)</script>\n\nText <img src=x onerror=alert(2)> inline.\n\n\
             [click](javascript:alert(3)) [ok](https://moica.nat.gov.tw/download_1.html) [rel](/help/contact)\n",
        )
        .expect("write");
        let r = page(Some(dir.path()), "faq", Lang::En).await.expect("page");
        assert!(!r.html.contains("<script"), "{}", r.html);
        assert!(!r.html.contains("<img"), "{}", r.html);
        assert!(r.html.contains("&lt;script&gt;"), "{}", r.html);
        assert!(!r.html.contains("javascript:"), "{}", r.html);
        assert!(
            r.html
                .contains(r#"<a href="https://moica.nat.gov.tw/download_1.html">ok</a>"#),
            "{}",
            r.html
        );
        assert!(r.html.contains(r#"<a href="/help/contact">rel</a>"#));
    }

    #[tokio::test]
    async fn unknown_and_path_like_slugs_are_not_found() {
        let dir = tempfile::tempdir().expect("tempdir");
        // A file that a path built from the slug would reach.
        std::fs::write(dir.path().join("secret.zh-TW.md"), "# secret").expect("write");
        for slug in [
            "nope",
            "",
            "../../etc/passwd",
            "..%2F..%2Fetc%2Fpasswd",
            "/etc/passwd",
            "secret",
            "faq/../secret",
            "FAQ",
            "faq.zh-TW.md",
        ] {
            for lang in [Lang::ZhTw, Lang::En] {
                let err = page(Some(dir.path()), slug, lang).await.expect_err(slug);
                assert_eq!(err.kind, FailureKind::NotFound, "{slug}");
                assert_eq!(err.code, "not_found");
            }
        }
    }

    #[tokio::test]
    async fn an_empty_or_missing_operator_file_keeps_the_shipped_page() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("privacy.zh-TW.md"), "  \n").expect("write");
        let missing = dir.path().join("no-such-dir");
        for d in [dir.path(), missing.as_path()] {
            let r = page(Some(d), "privacy", Lang::ZhTw).await.expect("page");
            assert_eq!(
                r.html,
                render_markdown(find("privacy").expect("privacy").default_zh)
            );
        }
    }

    #[tokio::test]
    async fn a_page_without_english_is_shown_in_zh_tw() {
        let untranslated = HelpPage {
            slug: "faq",
            title_zh: "常見問題",
            title_en: "FAQ",
            default_zh: "# 常見問題\n\n只有中文。\n",
            default_en: "",
        };
        let (text, lang) = markdown(None, &untranslated, Lang::En).await;
        assert_eq!(lang, Lang::ZhTw);
        assert!(text.contains("只有中文"));
        // The operator's zh-TW page wins over the shipped one there too.
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("faq.zh-TW.md"), "# 機關版\n").expect("write");
        let (text, lang) = markdown(Some(dir.path()), &untranslated, Lang::En).await;
        assert_eq!((text.as_str(), lang), ("# 機關版\n", Lang::ZhTw));
    }

    #[test]
    fn markdown_tables_and_lists_render() {
        let html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n- x\n- y\n");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<li>x</li>"), "{html}");
    }
}
