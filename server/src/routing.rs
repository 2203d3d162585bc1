//! Routing: `GET /health`, the DynamoDB API on `POST /`, and 404 for everything else. Each
//! request gets an id and a tracing span (request id, operation, table — never credentials).

use crate::dynamodb;
use crate::request_id::RequestId;
use crate::response::{self, Body as RespBody};
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

/// Answers one request.
pub(crate) async fn route<B>(state: &AppState, req: Request<B>) -> Response<RespBody>
where
    B: Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let id = RequestId::new();
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        operation = field::Empty,
        table = field::Empty,
    );
    let started = Instant::now();
    let resp = async {
        match (req.method(), req.uri().path()) {
            (&Method::POST, "/") => dynamodb::handle(state, req, &id).await,
            (&Method::GET | &Method::HEAD, "/health") => {
                response::ok(Bytes::from_static(HEALTHY), &id)
            }
            _ => response::build(StatusCode::NOT_FOUND, Bytes::from_static(NOT_FOUND), &id),
        }
    }
    .instrument(span.clone())
    .await;
    let status = resp.status().as_u16();
    let micros = started.elapsed().as_micros() as u64;
    span.in_scope(|| {
        if status >= 500 {
            tracing::warn!(status, micros, "request failed");
        } else {
            tracing::debug!(status, micros, "request answered");
        }
    });
    resp
}
