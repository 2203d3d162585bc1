//! SigV4's canonical request and string to sign, built from the request as received.
//!
//! The canonical URI is the path with dot segments and empty segments removed (RFC 3986
//! normalization, as AWS does for every service but S3), each segment URI-encoded once more
//! (so a path sent as `/a%20b` is signed as `/a%2520b`, as botocore and the SDKs sign it). The
//! canonical query decodes and re-encodes every pair and sorts them. Signed headers take every
//! value of the header, trimmed, inner runs of spaces collapsed, joined with commas.

use super::bytes::{has_blank, hex_into, lower_hex};
use super::headers::SigningHeaders;
use super::parse::{SignatureForm, SignedRequest};
use super::parts::SignedParts;
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

/// Where a canonical request is written: a buffer (`canonical_request`, for tests and
/// diagnostics) or straight into the SHA-256 that the string to sign needs (the server's hot
/// path: no buffer at all). Both get the same bytes from one writer.
pub(crate) trait Sink {
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl Sink for Sha256 {
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

/// Appends `value` trimmed, with runs of spaces and tabs collapsed to one space.
fn push_trimmed(value: &[u8], out: &mut impl Sink) {
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !blank(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !blank(b))
        .map_or(start, |e| e + 1);
    let inner = &value[start..end];
    // Nearly every value has no blank at all: written as one slice.
    if !has_blank(inner) {
        out.put(inner);
        return;
    }
    // With single spaces only, it is written as it is too.
    if !inner.windows(2).any(|w| blank(&w[0]) && blank(&w[1])) && !inner.contains(&b'\t') {
        out.put(inner);
        return;
    }
    let mut collapsed = Vec::with_capacity(inner.len());
    let mut pending_space = false;
    for &b in inner {
        if blank(&b) {
            pending_space = true;
        } else {
            if pending_space {
                collapsed.push(b' ');
                pending_space = false;
            }
            collapsed.push(b);
        }
    }
    out.put(&collapsed);
}

/// Writes the canonical request of `head` under `req` into `out`.
pub(crate) fn write_canonical_request(
    out: &mut impl Sink,
    found: &SigningHeaders<'_>,
    req: &SignedParts<'_>,
    payload_hash_hex: &[u8],
    with_token: bool,
) {
    let head = found.head;
    out.put(head.method.as_bytes());
    out.put(b"\n");
    // DynamoDB requests go to `/` with no query: nothing to normalize or sort.
    if head.path == "/" {
        out.put(b"/");
    } else {
        out.put(canonical_uri(&head.path).as_bytes());
    }
    out.put(b"\n");
    if !head.query.is_empty() {
        out.put(canonical_query(&head.query, req.form, with_token).as_bytes());
    }
    out.put(b"\n");
    for name in req.header_names() {
        out.put(name.as_bytes());
        out.put(b":");
        for (i, v) in found.all(name).enumerate() {
            if i > 0 {
                out.put(b",");
            }
            push_trimmed(v.as_bytes(), out);
        }
        out.put(b"\n");
    }
    out.put(b"\n");
    out.put(req.signed_headers.as_bytes());
    out.put(b"\n");
    out.put(payload_hash_hex);
}

/// The canonical request (bytes: header values may hold any octets).
pub fn canonical_request(
    head: &RequestHead,
    req: &SignedRequest,
    payload_hash_hex: &str,
    with_token: bool,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    let found = SigningHeaders::new(head);
    write_canonical_request(
        &mut out,
        &found,
        &req.parts(),
        payload_hash_hex.as_bytes(),
        with_token,
    );
    out
}

/// The SHA-256 of the canonical request, hashed as it is written.
pub(crate) fn canonical_request_sha256(
    found: &SigningHeaders<'_>,
    req: &SignedParts<'_>,
    payload_hash_hex: &[u8],
    with_token: bool,
) -> [u8; 32] {
    let mut hasher = Sha256::new();
    write_canonical_request(&mut hasher, found, req, payload_hash_hex, with_token);
    hasher.finalize().into()
}

/// The pieces of the string to sign for a canonical request whose SHA-256 is `digest`,
/// `hex_buf` holding its hex; concatenated, they are the string to sign.
pub(crate) fn string_to_sign_pieces<'p>(
    req: &'p SignedParts<'_>,
    digest: &[u8; 32],
    hex_buf: &'p mut [u8; 64],
) -> [&'p str; 13] {
    [
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
        lower_hex(digest, hex_buf),
    ]
}

/// The longest string to sign `string_to_sign_into` writes: room for a region name of more
/// than a hundred bytes.
pub(crate) const STRING_TO_SIGN_MAX: usize = 256;

/// The string to sign for a canonical request whose SHA-256 is `digest`, written into `buf`
/// (the MAC then reads one slice, not thirteen pieces); `None` when it does not fit, for
/// `string_to_sign_pieces`.
pub(crate) fn string_to_sign_into<'b>(
    req: &SignedParts<'_>,
    digest: &[u8; 32],
    buf: &'b mut [u8; STRING_TO_SIGN_MAX],
) -> Option<&'b [u8]> {
    let mut len = 0;
    let mut put = |piece: &[u8]| -> Option<()> {
        buf.get_mut(len..len + piece.len())?.copy_from_slice(piece);
        len += piece.len();
        Some(())
    };
    put(ALGORITHM.as_bytes())?;
    put(b"\n")?;
    put(req.timestamp.as_bytes())?;
    put(b"\n")?;
    put(req.scope_date.as_bytes())?;
    put(b"/")?;
    put(req.region.as_bytes())?;
    put(b"/")?;
    put(req.service.as_bytes())?;
    put(b"/")?;
    put(super::TERMINATOR.as_bytes())?;
    put(b"\n")?;
    let hex = buf.get_mut(len..len + 64)?.try_into().ok()?;
    hex_into(digest, hex);
    buf.get(..len + 64)
}

/// The string to sign for `canonical` under `req`'s scope.
pub fn string_to_sign(req: &SignedRequest, canonical: &[u8]) -> String {
    let digest: [u8; 32] = Sha256::digest(canonical).into();
    let parts = req.parts();
    string_to_sign_pieces(&parts, &digest, &mut [0; 64]).concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_to_sign_in_one_buffer_is_the_pieces_joined() {
        let digest: [u8; 32] = std::array::from_fn(|i| (i * 13 + 5) as u8);
        for region in [
            "us-east-1",
            &"r".repeat(126),
            &"r".repeat(127),
            &"r".repeat(300),
        ] {
            let req = SignedRequest {
                form: SignatureForm::Header,
                access_key_id: "AKID".into(),
                scope_date: "20260101".into(),
                region: region.to_string(),
                service: "dynamodb".into(),
                signed_headers: vec!["host".into()],
                signature: String::new(),
                timestamp: "20260101T000000Z".into(),
                security_token: None,
            };
            let parts = req.parts();
            let joined = string_to_sign_pieces(&parts, &digest, &mut [0; 64]).concat();
            let mut buf = [0; STRING_TO_SIGN_MAX];
            match string_to_sign_into(&parts, &digest, &mut buf) {
                Some(text) => assert_eq!(text, joined.as_bytes(), "{}", region.len()),
                None => assert!(joined.len() > STRING_TO_SIGN_MAX, "{}", region.len()),
            }
            // Up to 126 bytes of region fit.
            assert_eq!(joined.len() <= STRING_TO_SIGN_MAX, region.len() <= 126);
        }
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
        for (value, want) in [
            (&b"plain"[..], &b"plain"[..]),
            (b"  a b  ", b"a b"),
            (b"\ta\tb", b"a b"),
            (b"   ", b""),
            (b"", b""),
            (b"a  b", b"a b"),
            (b"a b", b"a b"),
            (b" a\tb ", b"a b"),
            (b"x\t", b"x"),
        ] {
            let mut out = Vec::new();
            push_trimmed(value, &mut out);
            assert_eq!(out, want, "{:?}", String::from_utf8_lossy(value));
        }
    }
}
