//! The DynamoDB JSON protocol: `POST /` with `X-Amz-Target` → size-limited body →
//! authentication → `extenddb_core::ops::dispatch` → answer.

use crate::body::{read_limited, BodyError};
use crate::request_id::RequestId;
use crate::response::{self, Body as RespBody};
use crate::services::AppState;
use crate::target::Target;
use bytes::Bytes;
use extenddb_core::traits::RequestHead;
use extenddb_core::{ApiError, Ctx};
use http::request::Parts;
use http::{header, Request, Response};
use hyper::body::Body;

/// Header naming the operation.
pub(crate) const X_AMZ_TARGET: &str = "x-amz-target";

/// Serves one DynamoDB API request; never fails — every failure is an error answer.
pub(crate) async fn handle<B>(
    state: &AppState,
    req: Request<B>,
    id: &RequestId,
) -> Response<RespBody>
where
    B: Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let coding = crate::response_encoding::accepted(req.headers());
    match serve(state, req).await {
        Ok(body) => match coding.filter(|_| body.len() >= crate::response_encoding::THRESHOLD) {
            Some(c) => match crate::response_encoding::encode(c, &body) {
                Some(encoded) => response::encoded(Bytes::from(encoded), c.name(), id),
                None => response::ok(body, id),
            },
            None => response::ok(body, id),
        },
        Err(e) => response::error(&e, id),
    }
}

async fn serve<B>(state: &AppState, req: Request<B>) -> Result<Bytes, ApiError>
where
    B: Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let (parts, body) = req.into_parts();
    let target = Target::parse(parts.headers.get(X_AMZ_TARGET).map(|v| v.as_bytes()))?;
    if tracing::level_enabled!(tracing::Level::DEBUG) {
        tracing::Span::current().record("operation", target.operation());
    }
    let op = match target {
        Target::DynamoDb(op) => op,
        // DynamoDB Streams arrives with its issue; until then its operations are unknown.
        Target::Streams(_) => return Err(ApiError::UnknownOperation(String::new())),
    };
    let describe_endpoints = op == crate::endpoints::OPERATION;
    // DynamoDB rejects an operation it does not know before it looks at credentials or body.
    // The known name (static) replaces the header's text, so the headers can move on below.
    let op: &'static str = match extenddb_core::ops::OPERATIONS.iter().find(|o| **o == op) {
        Some(known) => known,
        None if describe_endpoints => crate::endpoints::OPERATION,
        None => return Err(ApiError::UnknownOperation(String::new())),
    };

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
    let principal = state
        .services
        .auth
        .authenticate(&head, &sha256(&body))
        .await?;
    let encoding = head
        .headers
        .get(header::CONTENT_ENCODING)
        .map(|v| String::from_utf8_lossy(v.as_bytes()));
    let body = crate::encoding::decode_body(encoding.as_deref(), body, state.max_body_bytes)
        .map_err(|e| e.into_api_error(state.max_body_bytes))?;
    if describe_endpoints {
        return Ok(crate::endpoints::answer(&head));
    }
    let ctx = Ctx {
        catalog: state.services.catalog.clone(),
        store: state.services.store.clone(),
        throttler: state.services.throttler.clone(),
        account_id: principal.account_id,
        region: state.region.clone(),
        control_plane_delay: state.control_plane_delay,
    };
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
}
