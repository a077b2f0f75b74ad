//! A deadline for reading request bodies. A client that sends its headers and then trickles or
//! withholds the body would otherwise hold a handler (and the connection, and graceful
//! shutdown) for as long as it likes. The whole body must arrive within
//! `Settings::body_read_timeout` of the request reaching the application; past it, reading
//! the body fails, and the answer is replaced by 408 `request_timeout` with `Connection:
//! close`, so the rest of the body is never waited for.
//!
//! The deadline is for the whole body, not between chunks: a byte every few seconds would
//! keep a between-chunks timer from ever firing.

use crate::error::FailureExt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::CONNECTION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};
use tokio::time::{Instant, Sleep};

use crate::context::lang_of;
use crate::error::Failure;
use tessera_app::state::AppState;

/// The error a body yields once its deadline has passed.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
pub struct BodyTimedOut;

/// A request body that fails once `deadline` has passed and records that it did.
struct DeadlineBody {
    inner: Body,
    deadline: Instant,
    /// Created on the first poll: a body nobody reads needs no timer.
    sleep: Option<Pin<Box<Sleep>>>,
    timed_out: Arc<AtomicBool>,
}

impl HttpBody for DeadlineBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        let deadline = this.deadline;
        let sleep = this
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => {
                this.timed_out.store(true, Ordering::Relaxed);
                Poll::Ready(Some(Err(Box::new(BodyTimedOut))))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Middleware: puts the deadline on the request body; answers 408 when it passed.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let lang = lang_of(&parts);
    let timed_out = Arc::new(AtomicBool::new(false));
    let body = Body::new(DeadlineBody {
        inner: body,
        deadline: Instant::now() + state.settings.body_read_timeout,
        sleep: None,
        timed_out: timed_out.clone(),
    });
    let resp = next.run(Request::from_parts(parts, body)).await;
    if !timed_out.load(Ordering::Relaxed) {
        return resp;
    }
    tracing::warn!("request body not received in time; connection closed");
    let mut resp = Failure::new(crate::error::FailureKind::Timeout, "request_timeout")
        .in_lang(lang)
        .into_response();
    resp.headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    resp
}
