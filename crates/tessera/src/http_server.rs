//! The HTTP/1.1 server under `tessera serve`: accepts connections and hands each request to the
//! application router, with what a server facing the Internet needs against slow and idle
//! clients (a half-sent request must cost a bounded amount of anything):
//!
//! - **Header read timeout** (`[http] header_timeout_seconds`, default 10 s): a request's
//!   headers must arrive whole within it, counted from when the connection starts waiting for
//!   them — on a new connection and between the requests of a kept-alive one — else the
//!   connection is closed. So it is also the idle timeout of keep-alive connections.
//! - **Body read timeout**: in the application (`tessera_web::body_timeout`), which answers
//!   408 and closes the connection.
//! - **Connection limit** (`[http] max_connections`; by default the process's open-file limit
//!   less a reserve for the database, files and outgoing connections, see
//!   [`connection_limit`]). At the limit a new connection takes the place of the connection
//!   that has waited longest without a request in progress (a slow or stalled header, or an
//!   idle keep-alive connection), which is closed; connections with a request in progress
//!   are never cut. So a flood of stalled connections cannot keep others out; when every
//!   connection has a request in progress, new ones wait in the listen queue.
//! - **Graceful shutdown with a deadline** (`[http] shutdown_timeout_seconds`, default 10 s):
//!   on the signal, stop accepting, close connections without a request in progress, let the
//!   requests in progress finish; whatever is still open at the deadline is dropped.
//!
//! Every request carries `ConnectInfo<SocketAddr>` (the TCP peer), as `axum::serve` gives it.

use std::collections::HashMap;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower::ServiceExt;

/// The limits one listener serves under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Time for a request's headers to arrive, and for an idle keep-alive connection to send
    /// its next request.
    pub header_timeout: Duration,
    /// Time requests in progress get to finish after the shutdown signal.
    pub shutdown_timeout: Duration,
    /// Connections open at once.
    pub max_connections: usize,
}

/// The default header read timeout.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// The default graceful-shutdown deadline.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest number of open files kept for everything but client connections: database
/// connections, the SQLite files, the Maildir and SMS log, outgoing HTTP (OCSP, CRLs,
/// upstream providers, the SMS gateway), SMTP, logs. A quarter of the limit when that is less.
pub const FD_RESERVE: u64 = 256;
/// Connections allowed when the open-file limit is unlimited or unknown.
const UNLIMITED_CONNECTIONS: usize = 16_384;

/// The soft `RLIMIT_NOFILE` of this process; `None` if unlimited or unknown.
pub fn open_file_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        rustix::process::getrlimit(rustix::process::Resource::Nofile).current
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// How many client connections fit under the open-file limit `nofile`, after the reserve:
/// `nofile − min(256, nofile / 4)`, at least 1. `configured` (`[http] max_connections`) is
/// taken as it is when it fits, else lowered to what fits; the second value then says so.
pub fn connection_limit(configured: Option<usize>, nofile: Option<u64>) -> (usize, Option<String>) {
    let budget = nofile.map(|n| {
        let fits = n.saturating_sub(FD_RESERVE.min(n / 4)).max(1);
        usize::try_from(fits).unwrap_or(usize::MAX)
    });
    match (configured, budget) {
        (Some(c), Some(b)) if c > b => (
            b,
            Some(format!(
                "[http] max_connections = {c} does not fit under the open-file limit ({}); \
                 using {b} (raise `ulimit -n` / LimitNOFILE to allow more)",
                nofile.unwrap_or_default()
            )),
        ),
        (Some(c), _) => (c.max(1), None),
        (None, Some(b)) => (b, None),
        (None, None) => (UNLIMITED_CONNECTIONS, None),
    }
}

/// What a connection is doing, for choosing which one to close at the limit.
#[derive(Debug, Clone, Copy)]
enum Activity {
    /// Waiting for (the rest of) a request's headers since then.
    Waiting(Instant),
    /// A request is in progress.
    Busy,
    /// Told to close.
    Closing,
}

struct Tracked {
    activity: Activity,
    close: Arc<Notify>,
}

/// The open connections of one listener.
#[derive(Default)]
struct Connections {
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, Tracked>>,
}

impl Connections {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Tracked>> {
        // A panic while holding the lock leaves nothing half-done worth refusing to read.
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn add(&self) -> (u64, Arc<Notify>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let close = Arc::new(Notify::new());
        self.lock().insert(
            id,
            Tracked {
                activity: Activity::Waiting(Instant::now()),
                close: close.clone(),
            },
        );
        (id, close)
    }

    fn set(&self, id: u64, activity: Activity) {
        if let Some(t) = self.lock().get_mut(&id)
            && !matches!(t.activity, Activity::Closing)
        {
            t.activity = activity;
        }
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// Closes the connection that has waited longest without a request in progress; false if
    /// every connection has one.
    fn close_longest_waiting(&self) -> bool {
        let mut open = self.lock();
        let oldest = open
            .iter()
            .filter_map(|(id, t)| match t.activity {
                Activity::Waiting(since) => Some((since, *id)),
                _ => None,
            })
            .min();
        let Some((_, id)) = oldest else {
            return false;
        };
        if let Some(t) = open.get_mut(&id) {
            t.activity = Activity::Closing;
            t.close.notify_one();
        }
        true
    }

    /// Closes every connection without a request in progress.
    fn close_all_waiting(&self) -> usize {
        let mut n = 0;
        for t in self.lock().values_mut() {
            if let Activity::Waiting(_) = t.activity {
                t.activity = Activity::Closing;
                t.close.notify_one();
                n += 1;
            }
        }
        n
    }
}

/// Marks a connection busy while a request is in progress, waiting again when dropped (the
/// response is ready, or the request was abandoned).
struct InProgress {
    conns: Arc<Connections>,
    id: u64,
}

impl InProgress {
    fn start(conns: &Arc<Connections>, id: u64) -> Self {
        conns.set(id, Activity::Busy);
        Self {
            conns: conns.clone(),
            id,
        }
    }
}

impl Drop for InProgress {
    fn drop(&mut self) {
        self.conns.set(self.id, Activity::Waiting(Instant::now()));
    }
}

/// A permit for one more connection: at once if one is free, else after closing the
/// connection that has waited longest without a request; when every connection is busy,
/// as soon as one ends (checking again every 100 ms for one that stopped being busy).
async fn connection_permit(
    permits: &Arc<Semaphore>,
    conns: &Connections,
) -> Option<OwnedSemaphorePermit> {
    loop {
        if let Ok(p) = permits.clone().try_acquire_owned() {
            return Some(p);
        }
        conns.close_longest_waiting();
        tokio::select! {
            p = permits.clone().acquire_owned() => return p.ok(),
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
        }
    }
}

/// Waits out an accept error: running out of file descriptors, for one, lasts until some
/// connection closes (the same answer as hyper's and axum's servers).
async fn accept_error(e: io::Error) {
    if matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accept failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Serves `app` on `listener` under `limits` until `shutdown` turns true, then shuts down
/// gracefully within `limits.shutdown_timeout`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    mut shutdown: watch::Receiver<bool>,
) -> io::Result<()> {
    let local = listener.local_addr()?;
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let conns = Arc::new(Connections::default());
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut tasks = JoinSet::new();
    loop {
        while tasks.try_join_next().is_some() {}
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = shutdown.wait_for(|stop| *stop) => break,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                accept_error(e).await;
                continue;
            }
        };
        let permit = tokio::select! {
            p = connection_permit(&permits, &conns) => p,
            _ = shutdown.wait_for(|stop| *stop) => break,
        };
        let Some(permit) = permit else { break };
        let (id, close) = conns.add();
        let conns_for_requests = conns.clone();
        let router = app.clone();
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let busy = InProgress::start(&conns_for_requests, id);
            let mut req = req.map(Body::new);
            req.extensions_mut().insert(ConnectInfo(peer));
            let router = router.clone();
            async move {
                let resp = router.oneshot(req).await;
                drop(busy);
                resp
            }
        });
        let conn = http.serve_connection(TokioIo::new(stream), service);
        let conns = conns.clone();
        let mut stop = shutdown.clone();
        tasks.spawn(async move {
            let mut conn = std::pin::pin!(conn);
            let mut stopping = false;
            loop {
                tokio::select! {
                    r = conn.as_mut() => {
                        if let Err(e) = r {
                            tracing::debug!(%peer, error = %e, "connection ended with an error");
                        }
                        break;
                    }
                    _ = close.notified() => {
                        tracing::debug!(%peer, "connection closed to make room or to stop");
                        break;
                    }
                    _ = stop.wait_for(|s| *s), if !stopping => {
                        stopping = true;
                        conn.as_mut().graceful_shutdown();
                    }
                }
            }
            conns.remove(id);
            drop(permit);
        });
    }
    drop(listener);
    let idle = conns.close_all_waiting();
    let open = tasks.len();
    tracing::info!(%local, open, idle, "no longer accepting; finishing requests in progress");
    let drained = tokio::time::timeout(limits.shutdown_timeout, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        let left = tasks.len();
        tasks.shutdown().await;
        tracing::warn!(
            %local,
            dropped = left,
            "connections still open at the shutdown deadline were dropped"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_keeps_a_reserve_under_the_open_file_limit() {
        assert_eq!(connection_limit(None, Some(1024)), (768, None));
        assert_eq!(connection_limit(None, Some(65_536)), (65_280, None));
        assert_eq!(connection_limit(None, Some(200)), (150, None));
        assert_eq!(connection_limit(None, Some(0)), (1, None));
        assert_eq!(connection_limit(None, None), (UNLIMITED_CONNECTIONS, None));
        assert_eq!(connection_limit(Some(100), Some(1024)), (100, None));
        let (n, warning) = connection_limit(Some(5000), Some(1024));
        assert_eq!(n, 768);
        assert!(warning.is_some_and(|w| w.contains("max_connections")));
    }

    #[test]
    fn at_the_limit_the_connection_waiting_longest_goes_first_and_busy_ones_stay() {
        let conns = Arc::new(Connections::default());
        let (a, _) = conns.add();
        let (b, _) = conns.add();
        let (c, _) = conns.add();
        let busy = InProgress::start(&conns, a);
        conns.set(
            c,
            Activity::Waiting(Instant::now() + Duration::from_secs(1)),
        );
        assert!(conns.close_longest_waiting());
        // b waited longest of those without a request in progress.
        assert!(matches!(conns.lock()[&b].activity, Activity::Closing));
        assert!(conns.close_longest_waiting(), "c next");
        assert!(!conns.close_longest_waiting(), "only the busy one is left");
        drop(busy);
        assert!(matches!(conns.lock()[&a].activity, Activity::Waiting(_)));
        assert_eq!(conns.close_all_waiting(), 1);
    }
}
