//! Request bodies sent with `Content-Encoding: gzip` or `deflate`, as DynamoDB accepts them
//! (SDKs compress large requests when asked to). The signature covers the body as sent, so
//! decoding happens after authentication. DynamoDB answers an encoding it does not know, or
//! content that does not decode, with HTTP 500; extenddb answers 400 SerializationException
//! instead, because bad input must never look like a server fault that clients retry.

use extenddb_core::ApiError;
use flate2::read::{MultiGzDecoder, ZlibDecoder};
use std::io::Read;

/// Why a body could not be decoded.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// The decoded body would exceed the request size limit.
    TooLarge,
    /// Unknown encoding, or content that is not valid in its encoding.
    Invalid(String),
}

impl DecodeError {
    /// The error answer: 413 for the size limit, 400 SerializationException otherwise.
    pub(crate) fn into_api_error(self, max: usize) -> ApiError {
        match self {
            DecodeError::TooLarge => ApiError::RequestTooLarge(format!(
                "Request entity size exceeds the maximum allowed of {max} bytes"
            )),
            DecodeError::Invalid(m) => ApiError::Serialization(m),
        }
    }
}

/// The body decoded per `Content-Encoding` (`None`, empty or `identity`: unchanged); at most
/// `max` decoded bytes. `gzip` accepts concatenated members; `deflate` is the zlib format.
pub(crate) fn decode_body(
    encoding: Option<&str>,
    body: bytes::Bytes,
    max: usize,
) -> Result<bytes::Bytes, DecodeError> {
    let enc = encoding.map(str::trim).unwrap_or("");
    if enc.is_empty() || enc.eq_ignore_ascii_case("identity") {
        return Ok(body);
    }
    if body.is_empty() {
        return Err(DecodeError::Invalid(format!("empty {enc} request body")));
    }
    let reader: Box<dyn Read + '_> = if enc.eq_ignore_ascii_case("gzip") {
        Box::new(MultiGzDecoder::new(&body[..]))
    } else if enc.eq_ignore_ascii_case("deflate") {
        Box::new(ZlibDecoder::new(&body[..]))
    } else {
        return Err(DecodeError::Invalid(format!(
            "unsupported Content-Encoding: {enc}"
        )));
    };
    let mut out = Vec::new();
    // One byte past the limit tells "too large" from "exactly at the limit".
    reader
        .take(max as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| DecodeError::Invalid(format!("{enc} request body does not decode: {e}")))?;
    if out.len() > max {
        return Err(DecodeError::TooLarge);
    }
    Ok(out.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::{GzEncoder, ZlibEncoder};
    use flate2::Compression;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn identity_and_absent_encodings_pass_the_body_through() {
        let b = bytes::Bytes::from_static(b"{}");
        assert_eq!(decode_body(None, b.clone(), 10).unwrap(), b);
        assert_eq!(decode_body(Some("identity"), b.clone(), 10).unwrap(), b);
    }

    #[test]
    fn gzip_including_concatenated_members_and_deflate_decode() {
        let two = [gzip(b"{\"a\":"), gzip(b"1}")].concat();
        assert_eq!(
            &decode_body(Some("gzip"), two.into(), 100).unwrap()[..],
            b"{\"a\":1}"
        );
        let d = zlib(b"{\"b\":2}");
        assert_eq!(
            &decode_body(Some("DEFLATE"), d.into(), 100).unwrap()[..],
            b"{\"b\":2}"
        );
    }

    #[test]
    fn bad_encodings_and_content_are_400_and_oversize_is_413() {
        let invalid = |e: &str, body: &[u8]| {
            matches!(
                decode_body(Some(e), bytes::Bytes::copy_from_slice(body), 100),
                Err(DecodeError::Invalid(_))
            )
        };
        assert!(invalid("garbage", b"{}"));
        assert!(invalid("gzip", b"{}"));
        assert!(invalid("gzip", b""));
        assert!(invalid("deflate", b"not zlib"));
        let big = gzip(&[b' '; 101]);
        assert_eq!(
            decode_body(Some("gzip"), big.into(), 100),
            Err(DecodeError::TooLarge)
        );
        assert_eq!(
            DecodeError::Invalid("x".into()).into_api_error(1),
            ApiError::Serialization("x".into())
        );
    }
}
