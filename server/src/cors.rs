//! CORS, as DynamoDB answers browsers: a request with an `Origin` header gets
//! `Access-Control-Allow-Origin: *` and the response headers a script may read; an `OPTIONS`
//! pre-flight with `Origin` is answered at once, echoing the requested method and headers as
//! allowed and saying how long the answer may be cached. Requests without `Origin` get no CORS
//! headers. Hand-written: the rules are a few headers, and tower-http's CORS layer would need
//! a tower service stack the server does not otherwise use.

use crate::request_id::RequestId;
use crate::response::{self, Body};
use bytes::Bytes;
use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS,
    ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
};
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode};

/// Response headers a browser script may read.
const EXPOSED: &str = "x-amzn-RequestId,x-amzn-ErrorType,x-amz-crc32,Date";
/// How long a pre-flight answer may be cached, in seconds.
const MAX_AGE: &str = "86400";

/// True when the request is a CORS request (it names its origin).
pub(crate) fn is_cors(headers: &HeaderMap) -> bool {
    headers.contains_key(ORIGIN)
}

/// The answer to a pre-flight request (`OPTIONS` with `Origin`), or `None` for any other.
pub(crate) fn preflight(
    method: &Method,
    headers: &HeaderMap,
    id: &RequestId,
) -> Option<Response<Body>> {
    if method != Method::OPTIONS || !is_cors(headers) {
        return None;
    }
    let mut resp = response::build(StatusCode::OK, Bytes::new(), id);
    let h = resp.headers_mut();
    h.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(MAX_AGE));
    if let Some(m) = headers.get(ACCESS_CONTROL_REQUEST_METHOD) {
        h.insert(ACCESS_CONTROL_ALLOW_METHODS, m.clone());
    }
    if let Some(requested) = headers.get(ACCESS_CONTROL_REQUEST_HEADERS) {
        h.insert(ACCESS_CONTROL_ALLOW_HEADERS, requested.clone());
    }
    allow(&mut resp);
    Some(resp)
}

/// Adds the headers every answer to a CORS request carries.
pub(crate) fn allow(resp: &mut Response<Body>) {
    let h = resp.headers_mut();
    h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(
        ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSED),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    http::HeaderName::from_static(k),
                    HeaderValue::from_static(v),
                )
            })
            .collect()
    }

    #[test]
    fn preflight_echoes_the_request_and_needs_an_origin() {
        let id = RequestId::new();
        let h = headers(&[
            ("origin", "http://example.com/"),
            ("access-control-request-method", "dog"),
            ("access-control-request-headers", "cat, meerkat"),
        ]);
        let resp = preflight(&Method::OPTIONS, &h, &id).unwrap();
        assert_eq!(resp.status(), 200);
        let got = resp.headers();
        assert_eq!(got[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        assert_eq!(got[ACCESS_CONTROL_ALLOW_METHODS], "dog");
        assert_eq!(got[ACCESS_CONTROL_ALLOW_HEADERS], "cat, meerkat");
        assert_eq!(got[ACCESS_CONTROL_MAX_AGE], MAX_AGE);
        assert_eq!(got[ACCESS_CONTROL_EXPOSE_HEADERS], EXPOSED);
        assert!(preflight(&Method::POST, &h, &id).is_none());
        assert!(preflight(&Method::OPTIONS, &HeaderMap::new(), &id).is_none());
        assert!(!is_cors(&HeaderMap::new()));
    }
}
