//! Header lookups by a ready `HeaderName`: looking a header up by `&str` parses the name on
//! every call, and a signed request reads eight or so headers.

use extenddb_core::traits::RequestHead;
use http::header::{self, HeaderName, HeaderValue};

/// `x-amz-date`.
pub const X_AMZ_DATE: HeaderName = HeaderName::from_static("x-amz-date");
/// `x-amz-security-token`.
pub const X_AMZ_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-amz-security-token");
/// `x-amz-content-sha256`.
pub const X_AMZ_CONTENT_SHA256: HeaderName = HeaderName::from_static("x-amz-content-sha256");
/// `x-amz-target`.
pub const X_AMZ_TARGET: HeaderName = HeaderName::from_static("x-amz-target");

/// The first value of `name` if it is visible ASCII text (as `RequestHead::header` answers).
pub fn value<'h>(head: &'h RequestHead, name: &HeaderName) -> Option<&'h str> {
    head.headers.get(name).and_then(|v| v.to_str().ok())
}

/// Every value of the signed header `name` (lower-case), in order.
pub fn all<'h>(head: &'h RequestHead, name: &str) -> header::ValueIter<'h, HeaderValue> {
    let known = match name {
        "host" => Some(&header::HOST),
        "content-type" => Some(&header::CONTENT_TYPE),
        "x-amz-date" => Some(&X_AMZ_DATE),
        "x-amz-target" => Some(&X_AMZ_TARGET),
        "x-amz-security-token" => Some(&X_AMZ_SECURITY_TOKEN),
        "x-amz-content-sha256" => Some(&X_AMZ_CONTENT_SHA256),
        _ => None,
    };
    match known {
        Some(n) => head.headers.get_all(n).iter(),
        None => head.headers.get_all(name).iter(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_other_names_find_every_value() {
        let head = RequestHead::from_pairs(
            "POST",
            "/",
            "",
            [
                ("host", "h"),
                ("x-amz-date", "d"),
                ("x-custom", "a"),
                ("x-custom", "b"),
            ],
        );
        assert_eq!(value(&head, &X_AMZ_DATE), Some("d"));
        assert_eq!(value(&head, &X_AMZ_TARGET), None);
        let got = |n: &str| {
            all(&head, n)
                .map(|v| v.to_str().unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(got("host"), ["h"]);
        assert_eq!(got("x-custom"), ["a", "b"]);
        assert!(got("x-amz-target").is_empty());
        assert!(got("not a header name").is_empty());
    }
}
