//! `GET /metrics` (Prometheus text format), authenticated like the API: with a provider that
//! allows everything (the `none` development provider) it is open like the API; otherwise the
//! scrape must be SigV4-signed by a principal allowed `extenddb:GetMetrics` on `*`.

use crate::request_id::RequestId;
use crate::response::{self, Body as RespBody};
use crate::services::AppState;
use bytes::Bytes;
use extenddb_core::traits::{AuthzContext, AuthzRequest, RequestFacts, RequestHead};
use http::header::{HeaderValue, CONTENT_TYPE};
use http::{Request, Response, StatusCode};

/// The IAM action a scrape is authorized as.
pub(crate) const ACTION: &str = "extenddb:GetMetrics";

/// SHA-256 of an empty body, as a signed GET carries it.
const EMPTY_SHA256: [u8; 32] = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// Answers a scrape.
pub(crate) async fn answer<B>(
    state: &AppState,
    req: &Request<B>,
    id: &RequestId,
) -> Response<RespBody> {
    let auth = &state.services.auth;
    if !auth.allows_everything() {
        let head = RequestHead {
            method: req.method().as_str().to_string(),
            path: req.uri().path().to_string(),
            query: req.uri().query().unwrap_or_default().to_string(),
            headers: req.headers().clone(),
        };
        let principal = match auth.authenticate(&head, &EMPTY_SHA256).await {
            Ok(p) => p,
            Err(e) => return response::error(&e, id),
        };
        let facts = RequestFacts {
            time: state.services.clock.now(),
            ..RequestFacts::default()
        };
        let context = AuthzContext::default();
        let request = AuthzRequest {
            action: ACTION,
            resource: "*",
            facts: &facts,
            context: &context,
        };
        let decided = auth
            .authorize(&principal, &request)
            .await
            .and_then(|d| d.into_result(&principal, &request));
        if let Err(e) = decided {
            return response::error(&e, id);
        }
    }
    let mut resp = response::build(StatusCode::OK, Bytes::from(state.metrics.render()), id);
    resp.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    resp
}
