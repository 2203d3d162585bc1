//! Parsing and shape checks of a SigV4 `Authorization` header, with DynamoDB's answers for each
//! kind of malformed header, in the order DynamoDB checks them.
//!
//! Hand-written: the AWS SDK crates sign requests but expose no parser for the server side, and
//! the exact error texts (IncompleteSignatureException and friends) are DynamoDB's own.

use extenddb_core::traits::{sigv4_text, RequestHead};
use extenddb_core::ApiError;

/// The only signing algorithm DynamoDB accepts.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The service name DynamoDB (and DynamoDB Streams) requests are signed for.
pub const SERVICE: &str = "dynamodb";
/// The last element of every SigV4 credential scope.
pub const TERMINATOR: &str = "aws4_request";

/// DynamoDB's answer when no credentials were sent.
pub const MISSING_TOKEN: &str = "Request is missing Authentication Token";
/// DynamoDB's answer when a signature is not the one expected.
pub const SIGNATURE_MISMATCH: &str = "The request signature we calculated does not match the \
     signature you provided. Check your AWS Secret Access Key and signing method. Consult the \
     service documentation for details.";
/// DynamoDB's answer for an unknown or empty access key id.
pub const INVALID_TOKEN: &str = "The security token included in the request is invalid.";

/// The parts of a well-formed SigV4 `Authorization` header. Borrowed from the request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigV4Authorization<'a> {
    /// The access key id (first element of the credential scope).
    pub access_key_id: &'a str,
    /// `yyyymmdd` of the credential scope.
    pub scope_date: &'a str,
    /// Region of the credential scope.
    pub region: &'a str,
    /// Header names the signature covers, `;`-separated as sent (`signed_headers()` splits
    /// them).
    pub signed_headers: &'a str,
    /// The signature: 64 lower-case hex digits.
    pub signature: &'a str,
    /// The request time (`X-Amz-Date`, else `Date`), ISO-8601 basic format.
    pub timestamp: &'a str,
}

/// Parses the request's `Authorization` header and checks its shape (not its signature).
///
/// Errors, in DynamoDB's order: no header or one not starting with `AWS4-` →
/// MissingAuthenticationToken; missing parts or date → IncompleteSignature; a date not in ISO-8601
/// basic format → IncompleteSignature; `host` not signed → InvalidSignature; another algorithm
/// → IncompleteSignature; a credential without 5 elements → IncompleteSignature; a scope for
/// another service, terminator or date → InvalidSignature; an empty access key →
/// UnrecognizedClient; a signature that is not 64 hex digits → InvalidSignature.
pub fn parse(head: &RequestHead) -> Result<SigV4Authorization<'_>, ApiError> {
    let auth = match head.header("authorization") {
        Some(a) if a.trim_start().starts_with("AWS4-") => a,
        _ => return Err(ApiError::MissingAuthenticationToken(MISSING_TOKEN.into())),
    };
    let trimmed = auth.trim();
    let (algorithm, params) = sigv4_text::algorithm_and_params(trimmed);

    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for pair in sigv4_text::words(params) {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(ApiError::IncompleteSignature(format!(
                "'{pair}' not a valid key=value pair (missing equal-sign) in Authorization header: '{auth}'."
            )));
        };
        match key {
            "Credential" => credential = Some(value),
            "SignedHeaders" => signed_headers = Some(value),
            "Signature" => signature = Some(value),
            _ => {}
        }
    }
    let timestamp = head.header("x-amz-date").or_else(|| head.header("date"));

    let mut missing = String::new();
    let credential = credential.filter(|c| !c.is_empty());
    let signature = signature.filter(|s| !s.is_empty());
    if credential.is_none() {
        missing.push_str("Authorization header requires 'Credential' parameter. ");
    }
    if signature.is_none() {
        missing.push_str("Authorization header requires 'Signature' parameter. ");
    }
    if signed_headers.is_none() {
        missing.push_str("Authorization header requires 'SignedHeaders' parameter. ");
    }
    if timestamp.is_none() {
        missing.push_str(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
        );
    }
    let (Some(credential), Some(signature), Some(signed_headers), Some(timestamp)) =
        (credential, signature, signed_headers, timestamp)
    else {
        missing.push_str("Authorization=");
        missing.push_str(auth);
        return Err(ApiError::IncompleteSignature(missing));
    };

    if !is_basic_iso8601(timestamp) {
        return Err(ApiError::IncompleteSignature(format!(
            "Date must be in ISO-8601 'basic format'. Got '{timestamp}'. See http://en.wikipedia.org/wiki/ISO_8601"
        )));
    }
    if !signed_headers
        .split(';')
        .any(|h| h.eq_ignore_ascii_case("host") || h == ":authority")
    {
        return Err(ApiError::InvalidSignature(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".into(),
        ));
    }
    if algorithm != ALGORITHM {
        return Err(ApiError::IncompleteSignature(format!(
            "Unsupported AWS 'algorithm': '{algorithm}' (only {ALGORITHM} for now). "
        )));
    }

    let mut scope = credential.trim_end_matches('/').split('/');
    let (
        Some(access_key_id),
        Some(scope_date),
        Some(region),
        Some(service),
        Some(terminator),
        None,
    ) = (
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
    )
    else {
        return Err(ApiError::IncompleteSignature(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
        )));
    };
    check_scope(scope_date, region, service, terminator, timestamp)?;
    if access_key_id.is_empty() {
        return Err(ApiError::UnrecognizedClient(INVALID_TOKEN.into()));
    }
    if signature.len() != 64
        || !signature
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(ApiError::InvalidSignature(SIGNATURE_MISMATCH.into()));
    }
    Ok(SigV4Authorization {
        access_key_id,
        scope_date,
        region,
        signed_headers,
        signature,
        timestamp,
    })
}

impl SigV4Authorization<'_> {
    /// The header names the signature covers, lower-case, in header order.
    pub fn signed_headers(&self) -> impl Iterator<Item = &str> {
        self.signed_headers.split(';')
    }
}

/// The credential scope's region, service, terminator and date; every failed check adds a
/// sentence to one InvalidSignatureException, as DynamoDB does.
fn check_scope(
    date: &str,
    region: &str,
    service: &str,
    terminator: &str,
    timestamp: &str,
) -> Result<(), ApiError> {
    let mut msg = String::new();
    if region.is_empty() {
        msg.push_str("Credential should be scoped to a valid region, not ''. ");
    }
    if service != SERVICE {
        msg.push_str(&format!(
            "Credential should be scoped to correct service: '{SERVICE}'. "
        ));
    }
    if terminator != TERMINATOR {
        msg.push_str(&format!(
            "Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{terminator}'. "
        ));
    }
    // `timestamp` passed `is_basic_iso8601`, so its first 8 bytes are ASCII digits.
    let day = timestamp.get(..8).unwrap_or(timestamp);
    if date != day {
        msg.push_str(&format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{date}' != '{day}', from '{timestamp}'."
        ));
    }
    if msg.is_empty() {
        Ok(())
    } else {
        Err(ApiError::InvalidSignature(msg.trim_end().to_string()))
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
