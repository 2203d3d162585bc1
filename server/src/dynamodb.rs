//! The DynamoDB JSON protocol: `POST /` with `X-Amz-Target` → the `Operation` it names →
//! size-limited body → authentication → a request `Ctx` → `extenddb_core::ops::dispatch` →
//! answer. The operation's gates (authorize, throttle, stream records in the store
//! transaction) run inside dispatch.

use crate::body::{read_limited, BodyError};
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
    req: Request<B>,
    id: &RequestId,
    peer: Peer,
) -> (Option<Operation>, Response<RespBody>)
where
    B: Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let coding = crate::response_encoding::accepted(req.headers());
    let (op, answer) = serve(state, req, peer).await;
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
    (op, resp)
}

/// The operation `X-Amz-Target` names; DynamoDB rejects an unknown one before it looks at
/// credentials or body.
pub(crate) fn operation(target: Option<&[u8]>) -> Result<Operation, ApiError> {
    let unknown = || ApiError::UnknownOperation(String::new());
    let (api, name) = match Target::parse(target)? {
        Target::DynamoDb(name) => (Api::DynamoDb, name),
        Target::Streams(name) => (Api::Streams, name),
    };
    Operation::from_target(api, name).ok_or_else(unknown)
}

async fn serve<B>(
    state: &AppState,
    req: Request<B>,
    peer: Peer,
) -> (Option<Operation>, Result<Bytes, ApiError>)
where
    B: Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let (parts, body) = req.into_parts();
    let op = match operation(parts.headers.get(X_AMZ_TARGET).map(|v| v.as_bytes())) {
        Ok(op) => op,
        Err(e) => return (None, Err(e)),
    };
    if tracing::level_enabled!(tracing::Level::DEBUG) {
        tracing::Span::current().record("operation", op.name());
    }
    (Some(op), run(state, op, parts, body, peer).await)
}

async fn run<B>(
    state: &AppState,
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
    let body = read_limited(body, content_length, state.max_body_bytes)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge => ApiError::RequestTooLarge(format!(
                "Request entity size exceeds the maximum allowed of {} bytes",
                state.max_body_bytes
            )),
            BodyError::Read(reason) => {
                tracing::debug!(%reason, "request body could not be read");
                ApiError::Serialization("The request body could not be read".to_string())
            }
        })?;

    let head = request_head(parts);
    let services = &state.services;
    let principal = services.auth.authenticate(&head, &sha256(&body)).await?;
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
    let ctx = Ctx::for_request(services.clone(), principal, facts);
    if op == Operation::DescribeEndpoints {
        extenddb_core::ops::authorize::on_account(&ctx, "dynamodb:DescribeEndpoints").await?;
        return Ok(crate::endpoints::answer(&head));
    }
    // Boxed: the dispatch future holds every operation's state machine and is several KB;
    // inline, each move of the request's future copied all of it (~2 % of a PutItem's CPU).
    Box::pin(extenddb_core::ops::dispatch(&ctx, op, &body))
        .await
        .map(Bytes::from)
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
            assert_eq!(
                operation(Some(bad)),
                Err(ApiError::UnknownOperation(String::new()))
            );
        }
    }
}
