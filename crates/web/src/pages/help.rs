//! The help pages (新手上路, 常見問題, 下載區, 系統設定須知, 隱私權聲明, 聯絡我們): `GET /help`
//! lists them, `GET /help/{slug}` shows one in the request's language. Which pages exist, where
//! their Markdown comes from and how it becomes HTML is `tessera_app::help`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use tessera_app::FailureKind;
use tessera_app::help::{self, PAGES};
use tessera_app::state::AppState;

use super::home::{failure_page, not_found};
use super::layout::{Page, PageCtx, render};

/// One entry of the index.
struct Entry {
    href: String,
    title: &'static str,
}

#[derive(Template)]
#[template(path = "help/index.html")]
struct IndexPage {
    page: Page,
    entries: Vec<Entry>,
}

/// `GET /help`: the list of help pages.
pub async fn index(pc: PageCtx) -> Response {
    let lang = pc.l().0;
    let page = pc.page(pc.l().t("使用說明", "Help"));
    let entries = PAGES
        .iter()
        .map(|p| Entry {
            href: format!("/help/{}", p.slug),
            title: p.title(lang),
        })
        .collect();
    render(&pc, StatusCode::OK, &IndexPage { page, entries })
}

#[derive(Template)]
#[template(path = "help/page.html")]
struct HelpPage {
    page: Page,
    /// The page's body as HTML. `tessera_app::help::render_markdown` made it and passes no
    /// raw HTML from the Markdown through (it is escaped), so the template may show it with
    /// `|safe`; nothing else may go into this field.
    body: String,
    /// The `lang` of the body when it differs from the page's (an untranslated page).
    body_lang: Option<&'static str>,
}

/// `GET /help/{slug}`: one help page. Only a slug of the list is a page; anything else is the
/// "not found" page, and no file is looked for.
pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    uri: Uri,
    pc: PageCtx,
) -> Response {
    let lang = pc.l().0;
    let shown = match help::page(state.settings.help_dir.as_deref(), &slug, lang).await {
        Ok(shown) => shown,
        Err(f) if f.kind == FailureKind::NotFound => return not_found(uri, pc).await,
        Err(f) => return failure_page(&pc, &f),
    };
    let page = pc.page(shown.title);
    let body_lang = (shown.content_lang != lang).then(|| shown.content_lang.html_lang());
    render(
        &pc,
        StatusCode::OK,
        &HelpPage {
            page,
            body: shown.html,
            body_lang,
        },
    )
}
