//! Connection hygiene: a cap on open connections with a polite refusal past it, and the idle
//! clock that closes a connection with no request in flight.
//!
//! hyper closes a connection whose headers do not arrive in time (HTTP/1) but has no idle
//! timeout of its own: a client that keeps a connection open and sends nothing holds a file
//! descriptor forever, and enough of them made the server unreachable. Each connection task
//! therefore watches `Activity` (requests in flight, when the last one ended) and starts a
//! graceful shutdown of the connection once it has been idle for `idle_timeout`: HTTP/1 closes
//! at once, HTTP/2 sends GOAWAY and closes.

use bytes::Bytes;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Refusals being answered at once at most; past that a refused connection is just closed.
const MAX_REFUSALS_IN_FLIGHT: usize = 64;
/// Longest a refusal waits to read the request it answers (so that closing does not reset
/// the connection before the client read the answer).
const REFUSAL_LINGER: Duration = Duration::from_millis(500);
/// Least time between two warnings about refused connections.
const REFUSAL_WARN_INTERVAL: Duration = Duration::from_secs(10);

/// Body of the answer to a connection past the cap. Best guess at the type: DynamoDB answers
/// overload with HTTP 503 (which every SDK retries); its exact `__type` for it is not known.
const REFUSAL_BODY: &str = r#"{"__type":"com.amazon.coral.availability#ServiceUnavailableException","message":"The server has too many open connections; retry shortly"}"#;

/// The cap on open connections and what it refused.
pub(crate) struct Limits {
    permits: Arc<Semaphore>,
    max: usize,
    refusing: Arc<Semaphore>,
    refused: AtomicU64,
    /// When the last warning about refusals was logged, and refusals since.
    warned: Mutex<(Option<Instant>, u64)>,
}

impl Limits {
    /// At most `max` connections at once.
    pub(crate) fn new(max: usize) -> Limits {
        let max = max.max(1);
        Limits {
            permits: Arc::new(Semaphore::new(max)),
            max,
            refusing: Arc::new(Semaphore::new(MAX_REFUSALS_IN_FLIGHT)),
            refused: AtomicU64::new(0),
            warned: Mutex::new((None, 0)),
        }
    }

    /// A place for one more connection, held until the connection ends; `None` at the cap.
    pub(crate) fn admit(&self) -> Option<OwnedSemaphorePermit> {
        self.permits.clone().try_acquire_owned().ok()
    }

    /// Connections open now.
    pub(crate) fn open(&self) -> usize {
        self.max.saturating_sub(self.permits.available_permits())
    }

    /// Connections refused since the start.
    pub(crate) fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// Refuses `stream` (the cap is reached): over plain HTTP it answers 503 with
    /// `Connection: close` after reading what the client sent; over TLS (where an answer
    /// needs a handshake) it closes at once. Never blocks the accept loop.
    pub(crate) fn refuse(&self, stream: TcpStream, tls: bool) {
        self.refused.fetch_add(1, Ordering::Relaxed);
        self.warn_refusal();
        let Some(slot) = (!tls)
            .then(|| self.refusing.clone().try_acquire_owned().ok())
            .flatten()
        else {
            return; // dropping the stream closes it
        };
        tokio::spawn(async move {
            let _slot = slot;
            let _ = tokio::time::timeout(REFUSAL_LINGER * 2, answer_refusal(stream)).await;
        });
    }

    fn warn_refusal(&self) {
        let mut w = self.warned.lock().unwrap_or_else(|p| p.into_inner());
        w.1 += 1;
        if w.0.is_none_or(|at| at.elapsed() >= REFUSAL_WARN_INTERVAL) {
            tracing::warn!(
                max_connections = self.max,
                refused = w.1,
                "connection limit reached: refusing new connections (raise \
                 server.max_connections, or look for clients that hold connections open)"
            );
            *w = (Some(Instant::now()), 0);
        }
    }
}

/// Writes the 503 answer, then reads (briefly) what the client sent before closing, so that
/// the close does not reset the connection under the answer.
async fn answer_refusal(mut stream: TcpStream) {
    let body = Bytes::from_static(REFUSAL_BODY.as_bytes());
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/x-amz-json-1.0\r\n\
         x-amz-crc32: {}\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n",
        crc32fast::hash(&body),
        body.len()
    );
    if stream.write_all(head.as_bytes()).await.is_err() || stream.write_all(&body).await.is_err() {
        return;
    }
    let _ = stream.shutdown().await;
    let mut sink = [0u8; 4096];
    let _ = tokio::time::timeout(REFUSAL_LINGER, async {
        while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
    })
    .await;
}

/// What one connection is doing, for its idle clock: requests in flight and when the last
/// one ended (milliseconds since the connection opened).
pub(crate) struct Activity {
    opened: tokio::time::Instant,
    in_flight: AtomicUsize,
    last_done_ms: AtomicU64,
}

impl Activity {
    /// A connection opened now, idle.
    pub(crate) fn new() -> Arc<Activity> {
        Arc::new(Activity {
            opened: tokio::time::Instant::now(),
            in_flight: AtomicUsize::new(0),
            last_done_ms: AtomicU64::new(0),
        })
    }

    /// Marks a request as in flight until the returned guard drops (answered or cancelled).
    pub(crate) fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(self.clone())
    }

    /// How long the connection has been idle (zero while a request is in flight).
    fn idle_for(&self) -> Duration {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return Duration::ZERO;
        }
        let since = Duration::from_millis(self.last_done_ms.load(Ordering::Acquire));
        self.opened.elapsed().saturating_sub(since)
    }

    /// Completes once the connection has been idle for `timeout`.
    pub(crate) async fn idle(&self, timeout: Duration) {
        loop {
            let idle = self.idle_for();
            if idle >= timeout && self.in_flight.load(Ordering::Acquire) == 0 {
                return;
            }
            tokio::time::sleep(timeout - idle.min(timeout)).await;
        }
    }
}

/// A request in flight on a connection.
pub(crate) struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let a = &self.0;
        let now = a.opened.elapsed().as_millis() as u64;
        a.last_done_ms.fetch_max(now, Ordering::AcqRel);
        a.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_counts_open_connections() {
        let limits = Limits::new(2);
        let a = limits.admit().unwrap();
        let _b = limits.admit().unwrap();
        assert_eq!(limits.open(), 2);
        assert!(limits.admit().is_none());
        drop(a);
        assert_eq!(limits.open(), 1);
        assert!(limits.admit().is_some());
    }

    #[tokio::test]
    async fn a_connection_is_idle_only_without_requests_in_flight() {
        let timeout = Duration::from_millis(100);
        let activity = Activity::new();
        let request = activity.begin();
        let idle = activity.idle(timeout);
        tokio::pin!(idle);
        // A request in flight for longer than the timeout does not make the connection idle.
        tokio::select! {
            () = &mut idle => panic!("idle while a request was in flight"),
            () = tokio::time::sleep(timeout * 4) => {}
        }
        drop(request);
        let started = tokio::time::Instant::now();
        idle.await;
        let waited = started.elapsed();
        assert!(waited >= timeout, "{waited:?}");
        assert!(waited < timeout * 10, "{waited:?}");
    }

    #[test]
    fn the_refusal_is_a_json_error() {
        let v: serde_json::Value = serde_json::from_str(REFUSAL_BODY).unwrap();
        assert!(v["message"]
            .as_str()
            .unwrap()
            .contains("too many open connections"));
    }
}
