//! 展示說明 (`/demo`, demo mode only): the demo people, their accounts and passwords, and a
//! button per person that puts their test card in the demo signer's reader, so every
//! certificate flow can be tried in a browser without a card reader.

use askama::Template;
use axum::Form as PostForm;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::home::failure_page;
use super::layout::{Page, PageCtx, redirect, render};
use crate::error::Failure;
use tessera_app::demo::DemoPerson;
use tessera_app::state::AppState;

#[derive(Template)]
#[template(path = "demo.html")]
struct DemoPage {
    page: Page,
    people: Vec<DemoPerson>,
    inserted: String,
    pin: String,
    signer_url: String,
}

fn not_found() -> Failure {
    Failure::new(crate::error::FailureKind::NotFound, "not_found")
}

/// `GET /demo`.
pub async fn show(State(state): State<AppState>, pc: PageCtx) -> Response {
    let Some(cards) = state.demo_cards.clone().filter(|_| state.settings.demo) else {
        return failure_page(&pc, &not_found());
    };
    let l = pc.l();
    let t = DemoPage {
        page: pc.page(l.t("展示說明：示範人員與憑證卡", "Demo: people and cards")),
        people: cards.people(),
        inserted: cards.inserted().unwrap_or_default(),
        pin: cards.pin(),
        signer_url: state.settings.signer_url.clone(),
    };
    render(&pc, StatusCode::OK, &t)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InsertForm {
    id: String,
}

/// `POST /demo/card`: insert another demo card.
pub async fn insert(
    State(state): State<AppState>,
    pc: PageCtx,
    PostForm(v): PostForm<InsertForm>,
) -> Response {
    let Some(cards) = state.demo_cards.clone().filter(|_| state.settings.demo) else {
        return failure_page(&pc, &not_found());
    };
    match cards.insert(&v.id) {
        Ok(()) => redirect("/demo", &[pc.flash_cookie("demo_card_inserted")]),
        Err(e) => {
            tracing::warn!(error = %e, "demo card not inserted");
            failure_page(&pc, &not_found())
        }
    }
}
