//! Routing: `GET /health` (liveness), `GET /health/ready` (readiness, see `health`),
//! `GET /metrics`, the DynamoDB API on `POST /`, the management API under `/management`
//! (`crate::management`), the web console under `/console` (`crate::console`), and 404 for everything else. Each
//! request gets an id and, when debug logging is on, a tracing span (request id, operation,
//! table — never credentials). The span is at debug level because building it on every request
//! cost 3–6 % of a PutItem's CPU (see docs/performance.md); a failed request's warning names
//! its request id and operation itself, so it is traceable at the default level too.
//! A request line or header block over DynamoDB's 16 KB limits is a 400 before routing.

use crate::deadline::Deadlines;
use crate::dynamodb::{self, Peer};
use crate::request_id::RequestId;
use crate::response::{self, Body as RespBody};
use crate::response::{EpisodeFailure, ErrorType};
use crate::services::AppState;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use hyper::body::Body;
use std::time::Instant;
use tracing::{field, Instrument};

/// Body of `GET /health`.
const HEALTHY: &[u8] = br#"{"status":"healthy"}"#;
/// Body of answers to paths the server does not serve.
const NOT_FOUND: &[u8] = br#"{"message":"Not Found"}"#;

/// DynamoDB's limit on the request line, and separately on the headers, in bytes.
pub(crate) const MAX_HEAD_PART_BYTES: usize = 16 * 1024;
/// Body of the answer to a request whose line or headers exceed the limit.
const HEAD_TOO_LARGE: &[u8] = br#"{"message":"Request line or headers too large"}"#;

/// The request line's length as sent (`METHOD URI HTTP/1.1`) and the header block's
/// (`name: value` plus CRLF per header), in bytes.
fn head_sizes<B>(req: &Request<B>) -> (usize, usize) {
    let uri = req.uri();
    let target = uri.path_and_query().map_or(0, |p| p.as_str().len())
        + uri.authority().map_or(0, |a| a.as_str().len());
    let line = req.method().as_str().len() + 1 + target + " HTTP/1.1".len();
    let headers = req
        .headers()
        .iter()
        .map(|(n, v)| n.as_str().len() + 2 + v.len() + 2)
        .sum();
    (line, headers)
}

/// True when the request line or the headers exceed [`MAX_HEAD_PART_BYTES`].
pub(crate) fn head_too_large<B>(req: &Request<B>) -> bool {
    let (line, headers) = head_sizes(req);
    line > MAX_HEAD_PART_BYTES || headers > MAX_HEAD_PART_BYTES
}

/// Answers one request from `peer`, lending it the connection's timers (`deadlines`).
pub(crate) async fn route<B>(
    state: &AppState,
    deadlines: &Deadlines,
    req: Request<B>,
    peer: Peer,
) -> Response<RespBody>
where
    B: Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let id = RequestId::new();
    let span = tracing::debug_span!(
        "request",
        request_id = %id,
        operation = field::Empty,
        table = field::Empty,
    );
    let started = Instant::now();
    // A header value clone only bumps a reference count; kept for the failure warning below.
    let target = req.headers().get(dynamodb::X_AMZ_TARGET).cloned();
    // The console is same-origin only: no CORS answers for it.
    let console = crate::console::is_console(req.uri().path());
    let cors = !console && crate::cors::is_cors(req.headers());
    // The other routes' futures are boxed: this future's size is that of the DynamoDB
    // branch, which every data request moves into place (a console or management future
    // inline here made every GetItem copy several KB more).
    let (op, mut resp) = async {
        if head_too_large(&req) {
            return (
                None,
                response::build(
                    StatusCode::BAD_REQUEST,
                    Bytes::from_static(HEAD_TOO_LARGE),
                    &id,
                ),
            );
        }
        if let Some(answer) =
            crate::cors::preflight(req.method(), req.headers(), &id).filter(|_| !console)
        {
            return (None, answer);
        }
        match (req.method(), req.uri().path()) {
            (&Method::POST, "/") => {
                let (op, resp) = dynamodb::handle(state, deadlines, req, &id, peer).await;
                (Some(op), resp)
            }
            (&Method::GET | &Method::HEAD, "/health") => {
                (None, response::ok(Bytes::from_static(HEALTHY), &id))
            }
            (&Method::GET | &Method::HEAD, "/health/ready") => {
                (None, crate::health::answer(state, &id))
            }
            (&Method::GET, "/metrics") => (
                None,
                Box::pin(crate::metrics_route::answer(state, &req, &id)).await,
            ),
            (_, path) if crate::management::is_management(path) => (
                None,
                Box::pin(crate::management::handle(
                    state.management.as_ref(),
                    req,
                    &id,
                    peer,
                ))
                .await,
            ),
            (_, path) if crate::console::is_console(path) => (
                None,
                Box::pin(crate::console::handle(state, req, &id, peer)).await,
            ),
            _ => (
                None,
                response::build(StatusCode::NOT_FOUND, Bytes::from_static(NOT_FOUND), &id),
            ),
        }
    }
    .instrument(span.clone())
    .await;
    // One reading serves the latency histogram and the log line.
    let elapsed = started.elapsed();
    if let Some(op) = op {
        let error = (resp.status() != StatusCode::OK).then(|| {
            resp.extensions()
                .get::<ErrorType>()
                .map_or("unknown", |e| e.0)
        });
        state.metrics.observe(op, elapsed, error);
    }
    if cors {
        crate::cors::allow(&mut resp);
    }
    let status = resp.status().as_u16();
    let micros = elapsed.as_micros() as u64;
    span.in_scope(|| {
        let operation = || target.as_ref().and_then(|v| v.to_str().ok()).unwrap_or("-");
        if status >= 500 && resp.extensions().get::<EpisodeFailure>().is_some() {
            // Part of a fault episode the health monitor logs once.
            tracing::debug!(request_id = %id, operation = operation(), status, micros, "request failed");
        } else if status >= 500 {
            tracing::warn!(request_id = %id, operation = operation(), status, micros, "request failed");
        } else {
            tracing::debug!(status, micros, "request answered");
        }
    });
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str, header: &str) -> Request<()> {
        Request::post(path)
            .header("x-extra", header)
            .body(())
            .unwrap()
    }

    #[test]
    fn request_line_and_headers_are_limited_to_16_kb_each() {
        assert!(!head_too_large(&request("/", "dog")));
        assert!(!head_too_large(&request(
            &format!("/{}", "x".repeat(16_000)),
            "dog"
        )));
        assert!(head_too_large(&request(
            &format!("/{}", "x".repeat(17_000)),
            "dog"
        )));
        assert!(!head_too_large(&request("/", &"y".repeat(16_000))));
        assert!(head_too_large(&request("/", &"y".repeat(16_400))));
    }
}
