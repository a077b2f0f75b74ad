//! Server-rendered pages (askama), zh-TW first with an English switch. Filled in by the pages work.

use axum::Router;

use crate::state::AppState;

/// The page routes.
pub fn router() -> Router<AppState> {
    Router::new()
}
