//! The console's answers: JSON bodies, errors in the management API's shape
//! (`{code, message, status}`), and the security headers every console answer carries.

use crate::request_id::RequestId;
use crate::response::{Body as RespBody, X_AMZN_REQUEST_ID};
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE};
use http::{Response, StatusCode};
use http_body_util::Full;

/// The Content-Security-Policy of every console answer: only the server's own scripts, styles
/// and connections; no inline script, no framing, no plugins.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'";

/// An answer with `body` of `content_type`.
pub fn bytes(status: StatusCode, content_type: &'static str, body: Bytes) -> Response<RespBody> {
    let len = body.len();
    let mut resp = Response::new(Full::new(body));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(CONTENT_LENGTH, HeaderValue::from(len));
    resp
}

/// A JSON answer.
pub fn json(status: StatusCode, value: &serde_json::Value) -> Response<RespBody> {
    bytes(
        status,
        "application/json",
        Bytes::from(serde_json::to_vec(value).unwrap_or_default()),
    )
}

/// An error answer.
pub fn error(status: StatusCode, code: &str, message: &str) -> Response<RespBody> {
    json(
        status,
        &serde_json::json!({"code": code, "message": message, "status": status.as_u16()}),
    )
}

/// The answer of every console API route when the server's auth provider is not `builtin`.
pub fn disabled() -> Response<RespBody> {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "ConsoleDisabled",
        "The console needs builtin authentication (auth.provider = \"builtin\", or \
         `extenddb dev --auth builtin`)",
    )
}

/// A refusal answered instead of what was asked (boxed: a response is large).
pub type Refused = Box<Response<RespBody>>;

/// An error answer, boxed as a `Refused`.
pub fn refuse(status: StatusCode, code: &str, message: &str) -> Refused {
    Box::new(error(status, code, message))
}

/// A permanent redirect to `location`.
pub fn redirect(location: &'static str) -> Response<RespBody> {
    let mut resp = bytes(StatusCode::PERMANENT_REDIRECT, "text/plain", Bytes::new());
    resp.headers_mut()
        .insert(http::header::LOCATION, HeaderValue::from_static(location));
    resp
}

/// Adds the security headers (and the request id) to a console answer.
pub fn secure_headers(resp: &mut Response<RespBody>, id: &RequestId) {
    let h = resp.headers_mut();
    h.insert(
        HeaderName::from_static("content-security-policy"),
        HeaderValue::from_static(CSP),
    );
    h.insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        HeaderName::from_static("x-frame-options"),
        HeaderValue::from_static("DENY"),
    );
    h.insert(
        HeaderName::from_static("referrer-policy"),
        HeaderValue::from_static("no-referrer"),
    );
    if !h.contains_key(CACHE_CONTROL) {
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    h.insert(X_AMZN_REQUEST_ID, id.header_value());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_answer_gets_a_strict_csp_and_nosniff() {
        let mut resp = error(StatusCode::FORBIDDEN, "X", "<script>");
        secure_headers(&mut resp, &RequestId::new());
        let h = resp.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        for part in [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ] {
            assert!(csp.contains(part), "{part}");
        }
        assert!(!csp.contains("unsafe"));
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["content-type"], "application/json");
    }
}
