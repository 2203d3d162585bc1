//! The DynamoDB JSON protocol: `POST /` with a JSON `Content-Type` and `X-Amz-Target` → the
//! `Operation` it names → size-limited body (within the body read timeout) → authentication →
//! a request `Ctx` → `extenddb_core::ops::dispatch` → answer, all within the request deadline.
//! The operation's gates (authorize, throttle, stream records in the store transaction) run
//! inside dispatch.
//!
//! Unknown top-level members of a request body are ignored, as DynamoDB ignores them: dynalite,
//! built from captures of DynamoDB's answers, drops them before it checks types
//! (architect/dynalite validations/index.js `checkTypes`), and the shapes here are decoded by
//! serde without `deny_unknown_fields` for the same reason. A body whose `Content-Type` is not
//! JSON is refused before anything else (`response::unsupported_media`).

use crate::body::{read_limited, BodyError};
use crate::deadline::Deadlines;
use crate::request_id::RequestId;
use crate::response::{self, Body as RespBody};
use crate::services::AppState;
use crate::target::Target;
use bytes::Bytes;
use extenddb_core::ops::{Api, Operation};
use extenddb_core::traits::{RequestFacts, RequestHead};
use extenddb_core::{ApiError, Ctx};
use http::request::Parts;
use http::{header, Request, Response};
use hyper::body::Body;
use std::net::SocketAddr;

/// Header naming the operation.
pub(crate) const X_AMZ_TARGET: &str = "x-amz-target";

/// Where a request came from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Peer {
    /// The client's address.
    pub addr: Option<SocketAddr>,
    /// Whether the connection is TLS.
    pub tls: bool,
}

/// Serves one DynamoDB API request; never fails — every failure is an error answer. Answers
/// the operation it named (for metrics) with the response.
pub(crate) async fn handle<B>(
    state: &AppState,
    deadlines: &Deadlines,
    req: Request<B>,
    id: &RequestId,
    peer: Peer,
) -> (Option<Operation>, Response<RespBody>)
where
    B: Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let json = match body_media(&req) {
        Media::AmzJson => false,
        Media::Json => true,
        Media::Other => return (None, response::unsupported_media(id)),
    };
    let coding = crate::response_encoding::accepted(req.headers());
    // The request is taken apart here, not in a nested `async fn`: every level of future holds
    // its own copy of what it was given, and each is moved into place on every request.
    let (parts, body) = req.into_parts();
    // `run`'s future (about 2.3 KB: the head, the body read, the timer, authentication) is
    // boxed: inline, each enclosing level of future held room for it again (rustc does not
    // overlap an awaited future with its caller's own state), so this one was 5.4 KB and the
    // connection's request future 12 KB, copied into place several times per request. Boxed,
    // they are 0.9 KB and 2.9 KB (measured with `size_of_val`), for one allocation.
    let (op, answer) = match operation(parts.headers.get(X_AMZ_TARGET).map(|v| v.as_bytes())) {
        Ok(op) => {
            if tracing::level_enabled!(tracing::Level::DEBUG) {
                tracing::Span::current().record("operation", op.name());
            }
            (
                Some(op),
                Box::pin(run(state, deadlines, op, parts, body, peer)).await,
            )
        }
        Err(e) => (None, Err(e)),
    };
    let resp = match answer {
        Ok(body) => match coding.filter(|_| body.len() >= crate::response_encoding::THRESHOLD) {
            Some(c) => match crate::response_encoding::encode(c, &body) {
                Some(encoded) => response::encoded(Bytes::from(encoded), c.name(), id),
                None => response::ok(body, id),
            },
            None => response::ok(body, id),
        },
        Err(e) => response::error(&e, id),
    };
    let mut resp = resp;
    if json {
        // dynalite's captures: a request sent as `application/json` is answered in kind.
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, header::HeaderValue::from_static(JSON));
    }
    (op, resp)
}

/// The JSON-protocol media type SDKs send.
const AMZ_JSON: &str = "application/x-amz-json-1.0";
/// Plain JSON, which DynamoDB accepts too.
const JSON: &str = "application/json";

/// What a request's body is, by its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Media {
    /// `application/x-amz-json-1.0`, or no body at all (then the type does not matter).
    AmzJson,
    /// `application/json`.
    Json,
    /// Anything else, or no `Content-Type`, with a body.
    Other,
}

/// The media of `req`'s body: the `Content-Type`'s type and subtype compared without case,
/// parameters (`; charset=utf-8`) ignored. A request without a body passes whatever it says,
/// as in DynamoDB (dynalite checks the type only when a body came).
fn body_media<B: Body>(req: &Request<B>) -> Media {
    let declared = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim());
    match declared {
        Some(t) if t.eq_ignore_ascii_case(AMZ_JSON) => Media::AmzJson,
        Some(t) if t.eq_ignore_ascii_case(JSON) => Media::Json,
        _ if req.body().is_end_stream() || req.body().size_hint().exact() == Some(0) => {
            Media::AmzJson
        }
        _ => Media::Other,
    }
}

/// The operation `X-Amz-Target` names; DynamoDB rejects an unknown one before it looks at
/// credentials or body.
pub(crate) fn operation(target: Option<&[u8]>) -> Result<Operation, ApiError> {
    let unknown = ApiError::unknown_operation;
    let (api, name) = match Target::parse(target)? {
        Target::DynamoDb(name) => (Api::DynamoDb, name),
        Target::Streams(name) => (Api::Streams, name),
    };
    Operation::from_target(api, name).ok_or_else(unknown)
}

async fn run<B>(
    state: &AppState,
    deadlines: &Deadlines,
    op: Operation,
    parts: Parts,
    body: B,
    peer: Peer,
) -> Result<Bytes, ApiError>
where
    B: Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let content_length = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let head = request_head(parts);
    // The connection's timers, lent (see `crate::deadline`). Polled only when the work does
    // not finish at once.
    let mut timer = deadlines
        .body
        .lend(tokio::time::Instant::now() + state.body_read_timeout);
    let read = read_limited(body, content_length, state.max_body_bytes);
    let body = tokio::select! {
        biased;
        out = read => out,
        () = &mut timer => {
            // Best guess at the wording; DynamoDB's own is not documented.
            return Err(ApiError::RequestTimeout(format!(
                "The request body did not arrive within {} s",
                state.body_read_timeout.as_secs_f64()
            )));
        }
    };
    drop(timer);
    let body = body.map_err(|e| match e {
        BodyError::TooLarge => ApiError::RequestTooLarge(format!(
            "Request entity size exceeds the maximum allowed of {} bytes",
            state.max_body_bytes
        )),
        BodyError::Read(reason) => {
            tracing::debug!(%reason, "request body could not be read");
            ApiError::Serialization("The request body could not be read".to_string())
        }
    })?;
    let deadline = state.request_timeout;
    let mut timer = deadlines.work.lend(tokio::time::Instant::now() + deadline);
    tokio::select! {
        biased;
        answer = execute(state, op, head, body, peer) => answer,
        () = &mut timer => Err(ApiError::Unavailable(format!(
            "The request did not complete within {} ms; it may or may not have been applied. \
             Retry it.",
            deadline.as_millis()
        ))),
    }
}

/// Authenticates and runs the operation on the body read.
async fn execute(
    state: &AppState,
    op: Operation,
    head: RequestHead,
    body: Bytes,
    peer: Peer,
) -> Result<Bytes, ApiError> {
    let services = &state.services;
    // Hashing a body costs ~1 % of a small request; a provider that checks no signature
    // (`none`) does not read the hash.
    let body_sha256 = if services.auth.reads_body_hash() {
        sha256(&body)
    } else {
        [0; 32]
    };
    let principal = services.auth.authenticate(&head, &body_sha256).await?;
    let encoding = head
        .headers
        .get(header::CONTENT_ENCODING)
        .map(|v| String::from_utf8_lossy(v.as_bytes()));
    let body = crate::encoding::decode_body(encoding.as_deref(), body, state.max_body_bytes)
        .map_err(|e| e.into_api_error(state.max_body_bytes))?;
    let facts = RequestFacts {
        source_ip: peer.addr.map(|a| a.ip()),
        secure_transport: peer.tls,
        time: services.clock.now(),
    };
    let ctx = Ctx::for_arrival(services.clone(), principal, facts);
    if op == Operation::DescribeEndpoints {
        extenddb_core::ops::authorize::on_account(&ctx, "dynamodb:DescribeEndpoints").await?;
        return Ok(crate::endpoints::answer(&head));
    }
    // `dispatch` boxes the operation's own future: the request's future stays small.
    extenddb_core::ops::dispatch(&ctx, op, &body)
        .await
        .map(Bytes::from)
}

/// Runs `op` on `body` for `principal`, authenticated already (the web console's session),
/// through the same dispatch — authorization, throttling, the store — and request deadline as
/// a signed request.
pub(crate) async fn execute_as(
    state: &AppState,
    op: Operation,
    principal: extenddb_core::traits::Principal,
    body: Bytes,
    facts: RequestFacts,
) -> Result<Bytes, ApiError> {
    // DescribeEndpoints (answered from the request's Host by `execute`) is not offered here:
    // dispatch answers it UnknownOperationException.
    let ctx = Ctx::for_arrival(state.services.clone(), principal, facts);
    let deadline = state.request_timeout;
    match tokio::time::timeout(deadline, extenddb_core::ops::dispatch(&ctx, op, &body)).await {
        Ok(answer) => answer.map(Bytes::from),
        Err(_) => Err(ApiError::Unavailable(format!(
            "The request did not complete within {} ms; it may or may not have been applied. \
             Retry it.",
            deadline.as_millis()
        ))),
    }
}

/// What authentication needs from the request line and headers (the headers are moved, not
/// copied). HTTP/2 carries the host in `:authority`, which SigV4 signs as `host`, so it is
/// added as one when no Host header came.
fn request_head(parts: Parts) -> RequestHead {
    let Parts {
        method,
        uri,
        mut headers,
        ..
    } = parts;
    if !headers.contains_key(header::HOST) {
        if let Some(host) = uri
            .authority()
            .and_then(|a| http::HeaderValue::from_str(a.as_str()).ok())
        {
            headers.insert(header::HOST, host);
        }
    }
    RequestHead {
        method: method.as_str().to_string(),
        path: uri.path().to_string(),
        query: uri.query().unwrap_or_default().to_string(),
        headers,
    }
}

fn sha256(body: &[u8]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, body);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_empty_body_is_the_known_digest() {
        let hex: String = sha256(b"").iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn http2_authority_becomes_the_host_header() {
        let req = Request::builder()
            .uri("https://db.example:8443/?a=b")
            .header("x-amz-date", "20240101T000000Z")
            .body(())
            .unwrap();
        let (parts, ()) = req.into_parts();
        let head = request_head(parts);
        assert_eq!(head.header("host"), Some("db.example:8443"));
        assert_eq!(head.header("X-Amz-Date"), Some("20240101T000000Z"));
        assert_eq!(head.path, "/");
        assert_eq!(head.query, "a=b");
        assert_eq!(head.method, "GET");
    }

    #[test]
    fn targets_resolve_to_operations() {
        assert_eq!(
            operation(Some(b"DynamoDB_20120810.PutItem")),
            Ok(Operation::PutItem)
        );
        assert_eq!(
            operation(Some(b"DynamoDB_20120810.DescribeEndpoints")),
            Ok(Operation::DescribeEndpoints)
        );
        for bad in [
            &b"DynamoDB_20120810.Nope"[..],
            b"DynamoDBStreams_20120810.PutItem",
            b"",
        ] {
            assert_eq!(operation(Some(bad)), Err(ApiError::unknown_operation()));
        }
    }

    fn with_type(
        content_type: Option<&str>,
        body: &'static [u8],
    ) -> Request<http_body_util::Full<Bytes>> {
        let mut b = Request::post("/");
        if let Some(t) = content_type {
            b = b.header(header::CONTENT_TYPE, t);
        }
        b.body(http_body_util::Full::new(Bytes::from_static(body)))
            .unwrap()
    }

    #[test]
    fn json_bodies_pass_by_content_type_and_others_do_not() {
        for t in [
            "application/x-amz-json-1.0",
            "Application/X-Amz-Json-1.0",
            "application/x-amz-json-1.0; charset=utf-8",
        ] {
            assert_eq!(
                body_media(&with_type(Some(t), b"{}")),
                Media::AmzJson,
                "{t}"
            );
        }
        assert_eq!(
            body_media(&with_type(Some("application/json"), b"{}")),
            Media::Json
        );
        for t in [
            Some("text/plain"),
            Some("application/x-amz-json-1.1"),
            Some("application/x-www-form-urlencoded"),
            None,
        ] {
            assert_eq!(body_media(&with_type(t, b"{}")), Media::Other, "{t:?}");
        }
        // Without a body the type does not matter.
        assert_eq!(body_media(&with_type(None, b"")), Media::AmzJson);
        assert_eq!(
            body_media(&with_type(Some("text/plain"), b"")),
            Media::AmzJson
        );
    }
}
