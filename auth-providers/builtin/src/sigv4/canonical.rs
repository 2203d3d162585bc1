//! SigV4's canonical request and string to sign, built from the request as received.
//!
//! The canonical URI is the path with dot segments and empty segments removed (RFC 3986
//! normalization, as AWS does for every service but S3), each segment URI-encoded once more
//! (so a path sent as `/a%20b` is signed as `/a%2520b`, as botocore and the SDKs sign it). The
//! canonical query decodes and re-encodes every pair and sorts them. Signed headers take every
//! value of the header, trimmed, inner runs of spaces collapsed, joined with commas.

use super::parse::{SignatureForm, SignedRequest};
use super::query::{encode, pairs};
use super::ALGORITHM;
use extenddb_core::traits::RequestHead;
use sha2::{Digest, Sha256};

/// The canonical URI of `path`.
pub fn canonical_uri(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut out = String::with_capacity(path.len() + 8);
    out.push('/');
    for (i, seg) in segments.iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        encode(seg, false, &mut out);
    }
    if !segments.is_empty() && path.ends_with('/') {
        out.push('/');
    }
    out
}

/// The canonical query string: for the presigned form without `X-Amz-Signature` (and without
/// `X-Amz-Security-Token` when `with_token` is false: a token appended after signing).
pub fn canonical_query(query: &str, form: SignatureForm, with_token: bool) -> String {
    let mut encoded: Vec<(String, String)> = pairs(query)
        .into_iter()
        .filter(|(k, _)| {
            form == SignatureForm::Header
                || (k != "X-Amz-Signature" && (with_token || k != "X-Amz-Security-Token"))
        })
        .map(|(k, v)| {
            let (mut ek, mut ev) = (String::new(), String::new());
            encode(&k, false, &mut ek);
            encode(&v, false, &mut ev);
            (ek, ev)
        })
        .collect();
    encoded.sort();
    let mut out = String::new();
    for (i, (k, v)) in encoded.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// Appends `value` trimmed, with runs of spaces and tabs collapsed to one space.
fn push_trimmed(value: &[u8], out: &mut Vec<u8>) {
    let mut pending_space = false;
    let mut started = false;
    for &b in value {
        if b == b' ' || b == b'\t' {
            pending_space = started;
        } else {
            if pending_space {
                out.push(b' ');
                pending_space = false;
            }
            out.push(b);
            started = true;
        }
    }
}

/// The canonical request (bytes: header values may hold any octets).
pub fn canonical_request(
    head: &RequestHead,
    req: &SignedRequest,
    payload_hash_hex: &str,
    with_token: bool,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(head.method.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(canonical_uri(&head.path).as_bytes());
    out.push(b'\n');
    out.extend_from_slice(canonical_query(&head.query, req.form, with_token).as_bytes());
    out.push(b'\n');
    for name in &req.signed_headers {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        for (i, v) in head.headers.get_all(name.as_str()).iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_trimmed(v.as_bytes(), &mut out);
        }
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(req.signed_headers.join(";").as_bytes());
    out.push(b'\n');
    out.extend_from_slice(payload_hash_hex.as_bytes());
    out
}

/// The string to sign for `canonical` under `req`'s scope.
pub fn string_to_sign(req: &SignedRequest, canonical: &[u8]) -> String {
    // Built by pushing, not `format!`: this runs on every signed request.
    let digest: [u8; 32] = Sha256::digest(canonical).into();
    let mut out = String::with_capacity(
        ALGORITHM.len()
            + req.timestamp.len()
            + req.scope_date.len()
            + req.region.len()
            + req.service.len()
            + 120,
    );
    for part in [
        ALGORITHM,
        "\n",
        &req.timestamp,
        "\n",
        &req.scope_date,
        "/",
        &req.region,
        "/",
        &req.service,
        "/",
        super::TERMINATOR,
        "\n",
        lower_hex(&digest, &mut [0; 64]),
    ] {
        out.push_str(part);
    }
    out
}

/// `bytes` as lower-case hex, written into `buf` (no allocation; `hex::encode` builds its
/// string a character at a time).
pub fn lower_hex<'b>(bytes: &[u8; 32], buf: &'b mut [u8; 64]) -> &'b str {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in bytes.iter().enumerate() {
        buf[2 * i] = DIGITS[usize::from(b >> 4)];
        buf[2 * i + 1] = DIGITS[usize::from(b & 0xf)];
    }
    // Only ASCII digits were written.
    std::str::from_utf8(buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_hex_is_hex_encode() {
        let bytes: [u8; 32] = std::array::from_fn(|i| (i * 37 + 11) as u8);
        assert_eq!(lower_hex(&bytes, &mut [0; 64]), hex::encode(bytes));
    }

    #[test]
    fn uri_is_normalized_and_encoded() {
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("//example//"), "/example/");
        assert_eq!(canonical_uri("/example1/example2/../.."), "/");
        assert_eq!(canonical_uri("/./example"), "/example");
        assert_eq!(canonical_uri("/example space/"), "/example%20space/");
        assert_eq!(canonical_uri("/a%20b"), "/a%2520b");
        assert_eq!(canonical_uri("/\u{1234}"), "/%E1%88%B4");
    }

    #[test]
    fn query_is_sorted_and_reencoded() {
        assert_eq!(
            canonical_query(
                "Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
                SignatureForm::Header,
                true
            ),
            "%E1%88%B4=Value1&Param=Value2&Param-3=Value3"
        );
        assert_eq!(
            canonical_query(
                "b=2&X-Amz-Signature=s&X-Amz-Security-Token=t&a=1",
                SignatureForm::Query,
                false
            ),
            "a=1&b=2"
        );
        assert_eq!(
            canonical_query(
                "X-Amz-Signature=s&X-Amz-Security-Token=a%2Fb",
                SignatureForm::Query,
                true
            ),
            "X-Amz-Security-Token=a%2Fb"
        );
    }

    #[test]
    fn header_values_are_trimmed_and_collapsed() {
        let mut out = Vec::new();
        push_trimmed(b"  \"a   b \t c\"  ", &mut out);
        assert_eq!(out, b"\"a b c\"");
    }
}
