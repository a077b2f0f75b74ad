//! The operator's images (`[operator] logo` and `accessibility_mark`): `GET /brand/logo` and
//! `GET /brand/accessibility-mark`, served from memory (read and checked at start) with a type
//! taken from the file's own bytes; 404 when the operator has none.

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tessera_app::state::AppState;

pub async fn image(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    let op = &state.settings.operator;
    let image = match name.as_str() {
        "logo" => op.logo.as_ref(),
        "accessibility-mark" => op.accessibility_mark.as_ref().map(|m| &m.image),
        _ => None,
    };
    let Some(image) = image else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut resp = image.bytes.to_vec().into_response();
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(image.content_type));
    // The file can change with a restart; an hour is short enough for that.
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    resp
}
