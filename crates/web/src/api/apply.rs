//! The JSON API of online applications: the types offered; for members (`/api/v1/cases`),
//! reviewers (`/api/v1/review/…`) and those acting for an organization
//! (`/api/v1/orgs/{code}/…`) the same steps — start a case, fill a page, take a move, open a
//! change, add and fetch attachments, print — and the reviewers' queue with its CSV. A case
//! the caller may not see answers 404, whoever asks.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tessera_app::apply::cases::{self, TakeInput};
use tessera_app::apply::queue::{self, QueuePage, QueueQuery};
use tessera_app::apply::view::{self, CaseLine, CaseView};
use tessera_app::apply::{Who, files};
use tessera_app::state::AppState;
use utoipa::{IntoParams, ToSchema};

use super::json::{ApiJson, ApiPath, ApiQuery};
use super::views::ErrorBody;
use crate::apply_who::{MemberWho, OrgWho, StaffWho};
use crate::context::ReqCtx;
use crate::error::{ApiError, FailureExt};

type ApiResult<T> = Result<T, ApiError>;

/// One page of a form as offered.
#[derive(Debug, Serialize, ToSchema)]
pub struct TypePageView {
    pub id: String,
    pub title: String,
}

/// An application type.
#[derive(Debug, Serialize, ToSchema)]
pub struct TypeView {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub pages: Vec<TypePageView>,
}

/// The values of one form page: a field's id (a date range's `ID.start` and `ID.end`) to its
/// text, or to a list of texts (a schedule's slots such as `mon-am`, a multi-select).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PageInput {
    #[schema(value_type = Object)]
    pub values: BTreeMap<String, OneOrMany>,
}

/// A text or a list of texts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// What a move may carry.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ActInput {
    /// A note: the reason for a rejection, what to correct.
    pub comment: Option<String>,
    /// The deadline for a correction, in days (1–90).
    pub deadline_days: Option<u16>,
    /// The date from which a cancellation takes effect (ROC or ISO; today when left out).
    pub effective_date: Option<String>,
}

/// Where an uploaded file goes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The attachments field's id.
    pub field: String,
    /// The file's name (cleaned: paths and control characters are removed).
    pub name: String,
}

fn pairs(input: PageInput) -> Vec<(String, String)> {
    input
        .values
        .into_iter()
        .flat_map(|(k, v)| match v {
            OneOrMany::One(s) => vec![(k, s)],
            OneOrMany::Many(list) => list.into_iter().map(|s| (k.clone(), s)).collect(),
        })
        .collect()
}

async fn show(state: &AppState, who: &Who, id: &str, ctx: &ReqCtx) -> ApiResult<Json<CaseView>> {
    view::case(state, who, id, ctx.lang)
        .await
        .map(Json)
        .map_err(|f| f.in_lang(ctx.lang))
}

async fn start(state: &AppState, who: &Who, kind: &str, ctx: &ReqCtx) -> ApiResult<Response> {
    let case = cases::start(state, who, kind, ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    let v = show(state, who, &case.id, ctx).await?;
    Ok((StatusCode::CREATED, v).into_response())
}

async fn save(
    state: &AppState,
    who: &Who,
    id: &str,
    page: &str,
    input: PageInput,
    ctx: &ReqCtx,
) -> ApiResult<Json<CaseView>> {
    let case = cases::save_page(state, who, id, page, &pairs(input), ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    show(state, who, &case.id, ctx).await
}

async fn act(
    state: &AppState,
    who: &Who,
    id: &str,
    action: &str,
    input: ActInput,
    ctx: &ReqCtx,
) -> ApiResult<Json<CaseView>> {
    let take = TakeInput {
        comment: input.comment,
        deadline_days: input.deadline_days,
        effective_date: input.effective_date,
    };
    let case = cases::take(state, who, id, action, &take, ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    show(state, who, &case.id, ctx).await
}

async fn change(state: &AppState, who: &Who, id: &str, ctx: &ReqCtx) -> ApiResult<Json<CaseView>> {
    let case = cases::start_change(state, who, id, ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    show(state, who, &case.id, ctx).await
}

async fn upload(
    state: &AppState,
    who: &Who,
    id: &str,
    q: &UploadQuery,
    body: &[u8],
    ctx: &ReqCtx,
) -> ApiResult<Response> {
    let case = files::add(state, who, id, &q.field, &q.name, body, ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    let v = show(state, who, &case.id, ctx).await?;
    Ok((StatusCode::CREATED, v).into_response())
}

/// A file answer: its type and an `attachment` disposition with the name in RFC 5987 form.
pub fn file_response(name: &str, mime: &str, bytes: Vec<u8>) -> Response {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = url_encode(name);
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let mut r = bytes.into_response();
    if let Ok(v) = HeaderValue::from_str(mime) {
        r.headers_mut().insert(CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        r.headers_mut().insert(CONTENT_DISPOSITION, v);
    }
    r
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn download(
    state: &AppState,
    who: &Who,
    id: &str,
    aid: &str,
    ctx: &ReqCtx,
) -> ApiResult<Response> {
    let d = files::get(state, who, id, aid)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok(file_response(&d.name, &d.mime, d.bytes))
}

async fn detach(
    state: &AppState,
    who: &Who,
    id: &str,
    aid: &str,
    ctx: &ReqCtx,
) -> ApiResult<Json<CaseView>> {
    let case = files::remove(state, who, id, aid, ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    show(state, who, &case.id, ctx).await
}

// ---- Public. ----

/// The application types offered.
#[utoipa::path(get, path = "/api/v1/applications", tag = "applications",
    responses((status = 200, body = [TypeView])))]
pub async fn types(State(state): State<AppState>, ctx: ReqCtx) -> Json<Vec<TypeView>> {
    let lang = ctx.lang;
    Json(
        state
            .applications
            .all()
            .map(|t| TypeView {
                id: t.id().to_owned(),
                name: t.name.get(lang).to_owned(),
                description: t.description.as_ref().map(|d| d.get(lang).to_owned()),
                pages: t
                    .pages
                    .iter()
                    .map(|p| TypePageView {
                        id: p.id.get_ref().clone(),
                        title: p.title.get(lang).to_owned(),
                    })
                    .collect(),
            })
            .collect(),
    )
}

// ---- Members. ----

/// The member's cases: filed by them, or for them by an institution.
#[utoipa::path(get, path = "/api/v1/cases", tag = "applications",
    responses((status = 200, body = [CaseLine]), (status = 401, body = ErrorBody)))]
pub async fn my_cases(
    State(state): State<AppState>,
    ctx: ReqCtx,
    MemberWho(who): MemberWho,
) -> ApiResult<Json<Vec<CaseLine>>> {
    view::mine(&state, &who, ctx.lang)
        .await
        .map(Json)
        .map_err(|f| f.in_lang(ctx.lang))
}

/// Start a case (a draft kept on the server).
#[utoipa::path(post, path = "/api/v1/applications/{type}/cases", tag = "applications",
    params(("type" = String, Path, description = "The application type")),
    responses((status = 201, body = CaseView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "apply_loa_too_low, apply_filer_not_allowed"),
              (status = 404, body = ErrorBody)))]
pub async fn member_start(
    State(state): State<AppState>,
    ctx: ReqCtx,
    MemberWho(who): MemberWho,
    ApiPath(kind): ApiPath<String>,
) -> ApiResult<Response> {
    start(&state, &who, &kind, &ctx).await
}

/// A case.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "applications",
    params(("id" = String, Path, description = "The case's id or number")),
    responses((status = 200, body = CaseView), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn member_case(
    State(state): State<AppState>,
    ctx: ReqCtx,
    MemberWho(who): MemberWho,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CaseView>> {
    show(&state, &who, &id, &ctx).await
}

/// Fill one page of a case's form (a draft, or a case returned for correction).
#[utoipa::path(put, path = "/api/v1/cases/{id}/pages/{page}", tag = "applications",
    request_body = PageInput,
    params(("id" = String, Path), ("page" = String, Path)),
    responses((status = 200, body = CaseView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "apply_not_editable, apply_conflict"),
              (status = 422, body = ErrorBody)))]
pub async fn member_save(
    State(state): State<AppState>,
    ctx: ReqCtx,
    MemberWho(who): MemberWho,
    ApiPath((id, page)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<PageInput>,
) -> ApiResult<Json<CaseView>> {
    save(&state, &who, &id, &page, input, &ctx).await
}

/// Take a move: `submit`, `correct`, `withdraw`, `cancel`, …
#[utoipa::path(post, path = "/api/v1/cases/{id}/actions/{action}", tag = "applications",
    request_body = ActInput,
    params(("id" = String, Path), ("action" = String, Path)),
    responses((status = 200, body = CaseView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "apply_wrong_actor"),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "apply_wrong_status, apply_conflict"),
              (status = 422, body = ErrorBody)))]
pub async fn member_act(
    State(state): State<AppState>,
    ctx: ReqCtx,
    MemberWho(who): MemberWho,
    ApiPath((id, action)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<ActInput>,
) -> ApiResult<Json<CaseView>> {
    act(&state, &who, &id, &action, input, &ctx).await
}

/// Open a change (變更) of an approved case: a new version to fill, then `change`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/change", tag = "applications",
    params(("id" = String, Path)),
    responses((status = 200, body = CaseView), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn member_change(
    State(state): State<AppState>,
    ctx: ReqCtx,
    MemberWho(who): MemberWho,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CaseView>> {
    change(&state, &who, &id, &ctx).await
}

/// Add an attachment (the request body is the file: PDF, JPEG or PNG, up to 10 MiB).
#[utoipa::path(post, path = "/api/v1/cases/{id}/attachments", tag = "applications",
    params(("id" = String, Path), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = CaseView), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 413, description = "Larger than 10 MiB"),
              (status = 422, body = ErrorBody)))]
pub async fn member_upload(
    State(state): State<AppState>,
    ctx: ReqCtx,
    MemberWho(who): MemberWho,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    body: Bytes,
) -> ApiResult<Response> {
    upload(&state, &who, &id, &q, &body, &ctx).await
}

/// Fetch an attachment.
#[utoipa::path(get, path = "/api/v1/cases/{id}/attachments/{attachment}", tag = "applications",
    params(("id" = String, Path), ("attachment" = String, Path)),
    responses((status = 200, description = "The file"), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn member_download(
    State(state): State<AppState>,
    ctx: ReqCtx,
    MemberWho(who): MemberWho,
    ApiPath((id, aid)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    download(&state, &who, &id, &aid, &ctx).await
}

/// Remove an attachment.
#[utoipa::path(delete, path = "/api/v1/cases/{id}/attachments/{attachment}", tag = "applications",
    params(("id" = String, Path), ("attachment" = String, Path)),
    responses((status = 200, body = CaseView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn member_detach(
    State(state): State<AppState>,
    ctx: ReqCtx,
    MemberWho(who): MemberWho,
    ApiPath((id, aid)): ApiPath<(String, String)>,
) -> ApiResult<Json<CaseView>> {
    detach(&state, &who, &id, &aid, &ctx).await
}

// ---- Reviewers. ----

/// The reviewer's queue of a type: their jurisdiction's cases, newest sent first.
#[utoipa::path(get, path = "/api/v1/review/{type}/cases", tag = "applications",
    params(("type" = String, Path), QueueQuery),
    responses((status = 200, body = QueuePage), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn review_queue(
    State(state): State<AppState>,
    ctx: ReqCtx,
    StaffWho(who): StaffWho,
    ApiPath(kind): ApiPath<String>,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> ApiResult<Json<QueuePage>> {
    queue::page(&state, &who, &kind, &q, ctx.lang)
        .await
        .map(Json)
        .map_err(|f| f.in_lang(ctx.lang))
}

/// The filtered queue as CSV.
#[utoipa::path(get, path = "/api/v1/review/{type}/cases.csv", tag = "applications",
    params(("type" = String, Path), QueueQuery),
    responses((status = 200, description = "CSV, UTF-8 with a byte-order mark", content_type = "text/csv"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn review_csv(
    State(state): State<AppState>,
    ctx: ReqCtx,
    StaffWho(who): StaffWho,
    ApiPath(kind): ApiPath<String>,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> ApiResult<Response> {
    let kind = kind.strip_suffix(".csv").unwrap_or(&kind).to_owned();
    let bytes = queue::csv(&state, &who, &kind, &q, ctx.lang)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok(file_response(
        &format!("{kind}-queue.csv"),
        "text/csv; charset=utf-8",
        bytes,
    ))
}

/// Start a case at the counter, on a person's behalf.
#[utoipa::path(post, path = "/api/v1/review/{type}/cases", tag = "applications",
    params(("type" = String, Path)),
    responses((status = 201, body = CaseView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn review_start(
    State(state): State<AppState>,
    ctx: ReqCtx,
    StaffWho(who): StaffWho,
    ApiPath(kind): ApiPath<String>,
) -> ApiResult<Response> {
    start(&state, &who, &kind, &ctx).await
}

/// A case of the reviewer's jurisdiction (or one their counties may read).
#[utoipa::path(get, path = "/api/v1/review/cases/{id}", tag = "applications",
    params(("id" = String, Path)),
    responses((status = 200, body = CaseView), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn review_case(
    State(state): State<AppState>,
    ctx: ReqCtx,
    StaffWho(who): StaffWho,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CaseView>> {
    show(&state, &who, &id, &ctx).await
}

/// Fill a page of a case filed at the counter.
#[utoipa::path(put, path = "/api/v1/review/cases/{id}/pages/{page}", tag = "applications",
    request_body = PageInput,
    params(("id" = String, Path), ("page" = String, Path)),
    responses((status = 200, body = CaseView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review_save(
    State(state): State<AppState>,
    ctx: ReqCtx,
    StaffWho(who): StaffWho,
    ApiPath((id, page)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<PageInput>,
) -> ApiResult<Json<CaseView>> {
    save(&state, &who, &id, &page, input, &ctx).await
}

/// Take a move as reviewer: `approve`, `return`, `reject`, … (or a filer's move at the counter).
#[utoipa::path(post, path = "/api/v1/review/cases/{id}/actions/{action}", tag = "applications",
    request_body = ActInput,
    params(("id" = String, Path), ("action" = String, Path)),
    responses((status = 200, body = CaseView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review_act(
    State(state): State<AppState>,
    ctx: ReqCtx,
    StaffWho(who): StaffWho,
    ApiPath((id, action)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<ActInput>,
) -> ApiResult<Json<CaseView>> {
    act(&state, &who, &id, &action, input, &ctx).await
}

/// Open a change of an approved case at the counter.
#[utoipa::path(post, path = "/api/v1/review/cases/{id}/change", tag = "applications",
    params(("id" = String, Path)),
    responses((status = 200, body = CaseView), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn review_change(
    State(state): State<AppState>,
    ctx: ReqCtx,
    StaffWho(who): StaffWho,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CaseView>> {
    change(&state, &who, &id, &ctx).await
}

/// Fetch an attachment of a case the reviewer may see.
#[utoipa::path(get, path = "/api/v1/review/cases/{id}/attachments/{attachment}", tag = "applications",
    params(("id" = String, Path), ("attachment" = String, Path)),
    responses((status = 200, description = "The file"), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn review_download(
    State(state): State<AppState>,
    ctx: ReqCtx,
    StaffWho(who): StaffWho,
    ApiPath((id, aid)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    download(&state, &who, &id, &aid, &ctx).await
}

// ---- Organizations. ----

/// The organization's cases.
#[utoipa::path(get, path = "/api/v1/orgs/{code}/cases", tag = "applications",
    params(("code" = String, Path)),
    responses((status = 200, body = [CaseLine]), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn org_cases(
    State(state): State<AppState>,
    ctx: ReqCtx,
    OrgWho(who): OrgWho,
) -> ApiResult<Json<Vec<CaseLine>>> {
    view::mine(&state, &who, ctx.lang)
        .await
        .map(Json)
        .map_err(|f| f.in_lang(ctx.lang))
}

/// Start a case for a person (a handler holding the type's function permission) or for the
/// organization itself.
#[utoipa::path(post, path = "/api/v1/orgs/{code}/applications/{type}/cases", tag = "applications",
    params(("code" = String, Path), ("type" = String, Path)),
    responses((status = 201, body = CaseView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "apply_permission_required"),
              (status = 404, body = ErrorBody)))]
pub async fn org_start(
    State(state): State<AppState>,
    ctx: ReqCtx,
    OrgWho(who): OrgWho,
    ApiPath((_code, kind)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    start(&state, &who, &kind, &ctx).await
}

/// A case of the organization.
#[utoipa::path(get, path = "/api/v1/orgs/{code}/cases/{id}", tag = "applications",
    params(("code" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = CaseView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn org_case(
    State(state): State<AppState>,
    ctx: ReqCtx,
    OrgWho(who): OrgWho,
    ApiPath((_code, id)): ApiPath<(String, String)>,
) -> ApiResult<Json<CaseView>> {
    show(&state, &who, &id, &ctx).await
}

/// Fill a page of the organization's case.
#[utoipa::path(put, path = "/api/v1/orgs/{code}/cases/{id}/pages/{page}", tag = "applications",
    request_body = PageInput,
    params(("code" = String, Path), ("id" = String, Path), ("page" = String, Path)),
    responses((status = 200, body = CaseView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn org_save(
    State(state): State<AppState>,
    ctx: ReqCtx,
    OrgWho(who): OrgWho,
    ApiPath((_code, id, page)): ApiPath<(String, String, String)>,
    ApiJson(input): ApiJson<PageInput>,
) -> ApiResult<Json<CaseView>> {
    save(&state, &who, &id, &page, input, &ctx).await
}

/// Take a move on the organization's case.
#[utoipa::path(post, path = "/api/v1/orgs/{code}/cases/{id}/actions/{action}", tag = "applications",
    request_body = ActInput,
    params(("code" = String, Path), ("id" = String, Path), ("action" = String, Path)),
    responses((status = 200, body = CaseView), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn org_act(
    State(state): State<AppState>,
    ctx: ReqCtx,
    OrgWho(who): OrgWho,
    ApiPath((_code, id, action)): ApiPath<(String, String, String)>,
    ApiJson(input): ApiJson<ActInput>,
) -> ApiResult<Json<CaseView>> {
    act(&state, &who, &id, &action, input, &ctx).await
}

// ---- Printing. ----

async fn printout(
    state: &AppState,
    who: &Who,
    id: &str,
    print: &str,
    ctx: &ReqCtx,
) -> ApiResult<Response> {
    let p = tessera_app::apply::print::print(state, who, id, print, ctx.lang)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok(file_response(&p.file_name, "application/pdf", p.pdf))
}

/// Print a case as PDF: `form` (the application) or `decision` (once decided).
#[utoipa::path(get, path = "/api/v1/cases/{id}/prints/{print}", tag = "applications",
    params(("id" = String, Path), ("print" = String, Path)),
    responses((status = 200, description = "The PDF", content_type = "application/pdf"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 503, body = ErrorBody)))]
pub async fn member_print(
    State(state): State<AppState>,
    ctx: ReqCtx,
    MemberWho(who): MemberWho,
    ApiPath((id, print)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    printout(&state, &who, &id, &print, &ctx).await
}

/// Print a case of the reviewer's jurisdiction as PDF.
#[utoipa::path(get, path = "/api/v1/review/cases/{id}/prints/{print}", tag = "applications",
    params(("id" = String, Path), ("print" = String, Path)),
    responses((status = 200, description = "The PDF", content_type = "application/pdf"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 503, body = ErrorBody)))]
pub async fn review_print(
    State(state): State<AppState>,
    ctx: ReqCtx,
    StaffWho(who): StaffWho,
    ApiPath((id, print)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    printout(&state, &who, &id, &print, &ctx).await
}
