//! Parsing and shape checks of a SigV4 `Authorization` header, with DynamoDB's answers for each
//! kind of malformed header, in the order DynamoDB checks them: core's
//! `traits::sigv4_header`, which `builtin` uses too, with the date checked for its format only
//! (this provider checks no clock).

use extenddb_core::traits::{sigv4_header, RequestHead};
use extenddb_core::ApiError;

pub use extenddb_core::traits::sigv4_header::{
    ALGORITHM, INVALID_KEY as INVALID_TOKEN, MISSING_TOKEN, SIGNATURE_MISMATCH, TERMINATOR,
};

/// The service name DynamoDB (and DynamoDB Streams) requests are signed for.
pub const SERVICE: &str = "dynamodb";

/// The parts of a well-formed SigV4 `Authorization` header, borrowed from the request head
/// (core's `HeaderParts`).
pub type SigV4Authorization<'a> = sigv4_header::HeaderParts<'a>;

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
    sigv4_header::parse(auth, timestamp, SERVICE, |t| {
        if is_basic_iso8601(t) {
            Ok(())
        } else {
            Err(ApiError::IncompleteSignature(format!(
                "Date must be in ISO-8601 'basic format'. Got '{t}'. See http://en.wikipedia.org/wiki/ISO_8601"
            )))
        }
    })
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
