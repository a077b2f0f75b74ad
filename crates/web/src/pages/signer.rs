//! 跨平台網頁元件與 IC 卡自我檢測 (`GET /signer`): the page that checks, in the browser, whether
//! a signing component (`tessera-signer` or HiPKI LocalSignServer) runs at the configured
//! address, its version, the readers and card, and the certificates with their validity; when
//! none answers it shows how to install and start one. The checking is done by
//! `signer-check.js` with the signer's client module; its texts come from here, in the page's
//! language.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::assets;
use super::layout::{Page, PageCtx, render};
use tessera_app::state::AppState;

#[derive(Template)]
#[template(path = "signer.html")]
struct SignerPage {
    page: Page,
    /// The signing component's origin the script checks (also allowed by the CSP).
    signer_url: String,
    script: String,
}

pub async fn show(State(state): State<AppState>, pc: PageCtx) -> Response {
    let page = pc.page(pc.l().t(
        "跨平台網頁元件與 IC 卡自我檢測",
        "Card and signing component check",
    ));
    let signer_url = state.settings.signer_url.clone();
    let script = assets::url("signer-check.js");
    render(
        &pc,
        StatusCode::OK,
        &SignerPage {
            page,
            signer_url,
            script,
        },
    )
}
