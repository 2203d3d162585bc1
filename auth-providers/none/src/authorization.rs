//! Parsing and shape checks of a SigV4 `Authorization` header, with DynamoDB's answers for each
//! kind of malformed header, in the order DynamoDB checks them: core's
//! `traits::sigv4_header`, which `builtin` uses too, with the date checked for its format only
//! (this provider checks no clock).

use extenddb_core::traits::{sigv4_header, RequestHead};
use extenddb_core::ApiError;
use std::borrow::Cow;

pub use extenddb_core::traits::sigv4_header::{
    ALGORITHM, INVALID_KEY as INVALID_TOKEN, MISSING_TOKEN, SIGNATURE_MISMATCH, TERMINATOR,
};

/// The service name DynamoDB (and DynamoDB Streams) requests are signed for.
pub const SERVICE: &str = "dynamodb";

/// The parts of a well-formed SigV4 `Authorization` header. Borrowed from the request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigV4Authorization<'a> {
    /// The access key id (first element of the credential scope).
    pub access_key_id: &'a str,
    /// `yyyymmdd` of the credential scope.
    pub scope_date: &'a str,
    /// Region of the credential scope.
    pub region: &'a str,
    /// Header names the signature covers, lower-case, `;`-separated in the order sent
    /// (`signed_headers()` splits them).
    pub signed_headers: Cow<'a, str>,
    /// The signature: 64 lower-case hex digits.
    pub signature: &'a str,
    /// The request time (`X-Amz-Date`, else `Date`), ISO-8601 basic format.
    pub timestamp: &'a str,
}

/// Parses the request's `Authorization` header and checks its shape (not its signature nor
/// the clock), with the checks `builtin` makes before it looks for the key
/// (`extenddb_core::traits::sigv4_header`).
///
/// Errors, in DynamoDB's order: no header or one not starting with `AWS4-` →
/// MissingAuthenticationToken; missing parts or date → IncompleteSignature; a date not in ISO-8601
/// basic format → IncompleteSignature; `host` not signed → InvalidSignature; another algorithm
/// → IncompleteSignature; a credential without 5 elements → IncompleteSignature; a scope for
/// another service, terminator or date → InvalidSignature; an empty access key →
/// UnrecognizedClient; a signature that is not 64 hex digits → InvalidSignature.
pub fn parse(head: &RequestHead) -> Result<SigV4Authorization<'_>, ApiError> {
    let auth = sigv4_header::sigv4_value(head.header("authorization"))?;
    let timestamp = head.header("x-amz-date").or_else(|| head.header("date"));
    let p = sigv4_header::parse(auth, timestamp, SERVICE, |t| {
        if is_basic_iso8601(t) {
            Ok(())
        } else {
            Err(ApiError::IncompleteSignature(format!(
                "Date must be in ISO-8601 'basic format'. Got '{t}'. See http://en.wikipedia.org/wiki/ISO_8601"
            )))
        }
    })?;
    Ok(SigV4Authorization {
        access_key_id: p.access_key_id,
        scope_date: p.scope_date,
        region: p.region,
        signed_headers: p.signed_headers,
        signature: p.signature,
        timestamp: p.timestamp,
    })
}

impl SigV4Authorization<'_> {
    /// The header names the signature covers, lower-case, in header order.
    pub fn signed_headers(&self) -> impl Iterator<Item = &str> {
        self.signed_headers.split(';')
    }
}

/// `yyyymmddThhmmssZ` with plausible month, day, hour, minute and second.
fn is_basic_iso8601(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return false;
    }
    if !b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit) {
        return false;
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    (1..=12).contains(&num(4..6))
        && (1..=31).contains(&num(6..8))
        && num(9..11) < 24
        && num(11..13) < 60
        && num(13..15) < 61
}

#[cfg(test)]
#[path = "authorization_tests.rs"]
mod tests;
