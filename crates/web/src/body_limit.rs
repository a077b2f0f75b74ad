//! The request-body size limit, per route: 1 MiB everywhere, except the attachment uploads of
//! online applications (a POST to a path ending in `/attachments`), which may carry one file of
//! up to 10 MiB plus its form. A body past the limit is cut off as it arrives (the read fails
//! and the request is answered 413), so nothing outside the limit is ever buffered.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header::CONTENT_LENGTH};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Largest request body accepted on most routes.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Largest upload (one attachment of 10 MiB and the multipart framing around it).
pub const UPLOAD_LIMIT: usize = 11 * 1024 * 1024;

/// Whether the request is an attachment upload.
pub fn is_upload(method: &Method, path: &str) -> bool {
    method == Method::POST && path.ends_with("/attachments")
}

/// The middleware.
pub async fn layer(req: Request, next: Next) -> Response {
    let limit = if is_upload(req.method(), req.uri().path()) {
        UPLOAD_LIMIT
    } else {
        BODY_LIMIT
    };
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return (StatusCode::PAYLOAD_TOO_LARGE, "length limit exceeded").into_response();
    }
    let (parts, body) = req.into_parts();
    let body = Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_attachment_posts_get_the_larger_limit() {
        assert!(is_upload(&Method::POST, "/api/v1/cases/abc/attachments"));
        assert!(is_upload(&Method::POST, "/apply/cases/abc/attachments"));
        assert!(!is_upload(&Method::GET, "/api/v1/cases/abc/attachments"));
        assert!(!is_upload(&Method::POST, "/api/v1/accounts"));
        assert!(!is_upload(&Method::POST, "/api/v1/cases/abc/attachments/x"));
    }
}
