//! Building responses: every answer carries DynamoDB's headers — content type, request id,
//! CRC32 of the body (SDKs verify it) and content length.

use crate::request_id::RequestId;
use bytes::Bytes;
use extenddb_core::ApiError;
use http::header::{HeaderName, HeaderValue, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE};
use http::{Response, StatusCode};
use http_body_util::Full;

/// The body type of every response.
pub type Body = Full<Bytes>;

/// Content type of DynamoDB's JSON protocol.
pub const AMZ_JSON: HeaderValue = HeaderValue::from_static("application/x-amz-json-1.0");
/// Header carrying the request id.
pub const X_AMZN_REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");
/// Header carrying the body's CRC32, in decimal.
pub const X_AMZ_CRC32: HeaderName = HeaderName::from_static("x-amz-crc32");

/// A response with `status` and `body` and DynamoDB's headers.
pub fn build(status: StatusCode, body: Bytes, id: &RequestId) -> Response<Body> {
    let crc = crc32fast::hash(&body);
    let len = body.len();
    let mut resp = Response::new(Full::new(body));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, AMZ_JSON);
    h.insert(X_AMZN_REQUEST_ID, id.header_value());
    h.insert(X_AMZ_CRC32, HeaderValue::from(crc));
    h.insert(CONTENT_LENGTH, HeaderValue::from(len));
    resp
}

/// A 200 answer with a JSON body.
pub fn ok(body: Bytes, id: &RequestId) -> Response<Body> {
    build(StatusCode::OK, body, id)
}

/// A 200 answer whose JSON body was compressed with `coding` (`gzip` or `deflate`); the CRC32
/// and length describe the compressed bytes, as DynamoDB sends them.
pub fn encoded(body: Bytes, coding: &'static str, id: &RequestId) -> Response<Body> {
    let mut resp = build(StatusCode::OK, body, id);
    resp.headers_mut()
        .insert(CONTENT_ENCODING, HeaderValue::from_static(coding));
    resp
}

/// The error type of an error answer, kept in the response's extensions for metrics.
#[derive(Debug, Clone, Copy)]
pub struct ErrorType(pub &'static str);

/// Marks an answer that failed because of a fault episode (full disk, database out of reach,
/// deadline passed): the episode is logged once by the health monitor, so the request's own
/// failure is logged at debug level only.
#[derive(Debug, Clone, Copy)]
pub struct EpisodeFailure;

/// An error answer: DynamoDB's `__type`/`message` body and status.
pub fn error(err: &ApiError, id: &RequestId) -> Response<Body> {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut resp = build(status, Bytes::from(err.to_body()), id);
    resp.extensions_mut().insert(ErrorType(err.type_name()));
    if err.is_unavailable() {
        resp.extensions_mut().insert(EpisodeFailure);
    }
    resp
}

/// DynamoDB's answer to a request whose body is not JSON by its Content-Type (missing, or
/// neither `application/x-amz-json-1.0` nor `application/json`): 404 with this XML body and no
/// content type, as dynalite recorded it from DynamoDB (architect/dynalite test/connection.js,
/// "should return 404 if body but incorrect content-type").
pub fn unsupported_media(id: &RequestId) -> Response<Body> {
    let mut resp = build(
        StatusCode::NOT_FOUND,
        Bytes::from_static(UNKNOWN_OPERATION_XML),
        id,
    );
    resp.headers_mut().remove(CONTENT_TYPE);
    resp.extensions_mut()
        .insert(ErrorType("UnknownOperationException"));
    resp
}

/// The body of `unsupported_media` (CRC32 3552371480, 29 bytes).
const UNKNOWN_OPERATION_XML: &[u8] = b"<UnknownOperationException/>\n";

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn headers_describe_the_body() {
        let id = RequestId::new();
        let resp = ok(Bytes::from_static(b"{\"TableNames\":[]}"), &id);
        assert_eq!(resp.status(), 200);
        let h = resp.headers();
        assert_eq!(h["content-type"], "application/x-amz-json-1.0");
        assert_eq!(h["x-amzn-requestid"], id.as_str());
        assert_eq!(
            h["x-amz-crc32"],
            crc32fast::hash(b"{\"TableNames\":[]}").to_string().as_str()
        );
        assert_eq!(h["content-length"], "17");
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"{\"TableNames\":[]}");
    }

    #[tokio::test]
    async fn a_body_of_another_media_type_gets_dynamodbs_xml_404() {
        let resp = unsupported_media(&RequestId::new());
        assert_eq!(resp.status(), 404);
        assert!(resp.headers().get("content-type").is_none());
        assert_eq!(resp.headers()["x-amz-crc32"], "3552371480");
        assert_eq!(resp.headers()["content-length"], "29");
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"<UnknownOperationException/>\n");
    }

    #[test]
    fn errors_use_their_status_and_body() {
        let id = RequestId::new();
        let resp = error(&ApiError::RequestTooLarge("too big".into()), &id);
        assert_eq!(resp.status(), 413);
        let resp = error(&ApiError::Internal("x".into()), &id);
        assert_eq!(resp.status(), 500);
    }
}
