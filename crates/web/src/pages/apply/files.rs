//! A case's attachments on the pages: the upload form (`multipart/form-data`, one file and
//! the field it belongs to), the remove button and the download link. A refused file comes
//! back on its form page with the reason next to the field.

use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tessera_app::apply::files::{self, MAX_MIB};
use tessera_app::state::AppState;
use tessera_core::apply::FormError;

use super::fill::{case_view, form_page};
use super::{case_path, failed, who};
use crate::error::{Failure, FailureKind};
use crate::pages::layout::{PageCtx, redirect};

/// Where to go back to: the form page `page` of the case when the type has it, else the
/// case page.
fn back(state: &AppState, type_id: &str, case_id: &str, page: &str) -> String {
    let known = state
        .applications
        .get(type_id)
        .is_some_and(|k| k.pages.iter().any(|p| p.id.get_ref() == page));
    if known {
        format!("/apply/cases/{case_id}/pages/{page}")
    } else {
        case_path(case_id)
    }
}

/// What the upload form sent.
#[derive(Default)]
struct Upload {
    field: String,
    page: String,
    name: String,
    bytes: Vec<u8>,
}

/// Reads the upload form; the form's own fields come before the file.
async fn read(mut mp: Multipart) -> Result<Upload, (Upload, Failure)> {
    let mut up = Upload::default();
    loop {
        let next = match mp.next_field().await {
            Ok(n) => n,
            Err(e) => {
                let too_large = e.status() == StatusCode::PAYLOAD_TOO_LARGE;
                return Err((up, refused(too_large)));
            }
        };
        let Some(field) = next else {
            return Ok(up);
        };
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "field" | "page" => {
                let text = match field.text().await {
                    Ok(t) => t.trim().chars().take(100).collect(),
                    Err(_) => return Err((up, refused(false))),
                };
                if name == "field" {
                    up.field = text;
                } else {
                    up.page = text;
                }
            }
            "file" => {
                up.name = field.file_name().unwrap_or("").to_owned();
                match field.bytes().await {
                    Ok(b) => up.bytes = b.to_vec(),
                    Err(e) => {
                        let too_large = e.status() == StatusCode::PAYLOAD_TOO_LARGE;
                        return Err((up, refused(too_large)));
                    }
                }
            }
            // The CSRF token (checked by the middleware on the Origin) and anything else.
            _ => {}
        }
    }
}

/// A refused upload: too large, or not a readable upload at all. The field is filled in by
/// the caller, which knows it once the form is read.
fn refused(too_large: bool) -> Failure {
    if too_large {
        Failure::form(vec![FormError::with_limit(
            "",
            "apply_attachment_too_large",
            u32::try_from(MAX_MIB).unwrap_or(u32::MAX),
        )])
    } else {
        Failure::form(vec![FormError::new("", "apply_attachment_missing")])
    }
}

/// `POST /apply/cases/{id}/attachments`: adds the file, then back to its form page.
pub async fn upload(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
    mp: Multipart,
) -> Response {
    let who = match who(&state, &pc, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let result = match read(mp).await {
        Ok(up) => {
            let added = files::add(&state, &who, &id, &up.field, &up.name, &up.bytes, &pc.ctx)
                .await
                .map(|case| (case.type_id, case.id));
            (up, added)
        }
        Err((up, mut f)) => {
            for e in &mut f.form {
                e.field.clone_from(&up.field);
            }
            (up, Err(f))
        }
    };
    match result {
        (up, Ok((type_id, case_id))) => redirect(
            &back(&state, &type_id, &case_id, &up.page),
            &[pc.flash_cookie("apply_attachment_added")],
        ),
        (up, Err(f)) if f.kind == FailureKind::Validation || f.kind == FailureKind::Conflict => {
            let cv = match case_view(&state, &pc, &who, &id).await {
                Ok(cv) => cv,
                Err(r) => return r,
            };
            if cv.pages.iter().any(|p| p.id == up.page) && cv.editable {
                form_page(&state, &pc, &cv, &up.page, None, Some(&f))
            } else {
                failed(&pc, &f)
            }
        }
        (_, Err(f)) => failed(&pc, &f),
    }
}

/// What the remove button sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemoveForm {
    page: String,
}

/// `POST /apply/cases/{id}/attachments/{aid}/delete`.
pub async fn remove(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    Path((id, aid)): Path<(String, String)>,
    Form(form): Form<RemoveForm>,
) -> Response {
    let who = match who(&state, &pc, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    match files::remove(&state, &who, &id, &aid, &pc.ctx).await {
        Ok(case) => redirect(
            &back(&state, &case.type_id, &case.id, &form.page),
            &[pc.flash_cookie("apply_attachment_removed")],
        ),
        Err(f) => failed(&pc, &f),
    }
}

/// A file name for `Content-Disposition`: an ASCII stand-in (`filename`) and the name itself
/// percent-encoded (`filename*`, RFC 6266), so no header can be broken by a name.
fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// `GET /apply/cases/{id}/attachments/{aid}`: the file, for anyone who may see the case.
pub async fn download(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    Path((id, aid)): Path<(String, String)>,
) -> Response {
    let who = match who(&state, &pc, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    match files::get(&state, &who, &id, &aid).await {
        Ok(d) => {
            let mut resp = (StatusCode::OK, d.bytes).into_response();
            let h = resp.headers_mut();
            // The type was found from the content when the file was taken (PDF, JPEG, PNG).
            let mime = HeaderValue::from_str(&d.mime)
                .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
            h.insert(CONTENT_TYPE, mime);
            let disp = HeaderValue::from_str(&disposition(&d.name))
                .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
            h.insert(CONTENT_DISPOSITION, disp);
            resp
        }
        Err(f) => failed(&pc, &f),
    }
}

/// `GET /apply/cases/{id}/print/{print}`: the printout as PDF (the form, or the decision
/// once decided), for anyone who may see the case.
pub async fn print(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    Path((id, print)): Path<(String, String)>,
) -> Response {
    let who = match who(&state, &pc, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    match tessera_app::apply::print::print(&state, &who, &id, &print, pc.ctx.lang).await {
        Ok(p) => crate::api::apply::file_response(&p.file_name, "application/pdf", p.pdf),
        Err(f) => failed(&pc, &f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_cannot_break_the_header() {
        assert_eq!(
            disposition("同意書.pdf"),
            "attachment; filename=\"___.pdf\"; filename*=UTF-8''%E5%90%8C%E6%84%8F%E6%9B%B8.pdf"
        );
        let d = disposition("a\"\r\nb.png");
        assert!(HeaderValue::from_str(&d).is_ok(), "{d}");
        assert!(d.starts_with("attachment; filename=\"a___b.png\""));
    }
}
