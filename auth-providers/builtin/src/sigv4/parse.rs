//! Reading a SigV4 request's credentials — the `Authorization` header or the presigned query
//! parameters — and every check that needs no key: shape, date, clock skew, algorithm,
//! credential scope. Each failure is DynamoDB's error type and text.
//!
//! **Check order.** The sources disagree (see the project's auth reference §1.5): dynalite's
//! captures of DynamoDB itself (2013) check missing header → missing parts → date format and
//! expiry → Host signed → algorithm → credential elements → scope → key → signature, while
//! scratchstack (a generic AWS verifier) checks the algorithm before the parts and the signed
//! headers before the date. We follow dynalite: its order was observed on DynamoDB (e.g. a bare
//! `AWS4-` header answers IncompleteSignature with all four sentences, not "Unsupported
//! algorithm"), and Alternator's `test_expired_signature` (checked against AWS) agrees that the
//! clock is checked before the credential is even parsed. Where only scratchstack has a rule
//! (query-string parameters), we take scratchstack's texts in the same order.
//!
//! Hand-written: no maintained crate verifies SigV4 on the server side with DynamoDB's texts.

use super::headers::{self, SigningHeaders};
use super::parts::SignedParts;
use super::time::{format_basic, parse_basic};
use super::{ALGORITHM, MAX_PRESIGN_EXPIRES, MISSING_TOKEN, SIGNATURE_MISMATCH, TERMINATOR};
use extenddb_core::traits::{sigv4_text, RequestHead};
use extenddb_core::ApiError;
use std::borrow::Cow;
use std::time::{Duration, SystemTime};

/// How the request carries its signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureForm {
    /// `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
    Header,
    /// Presigned: `X-Amz-Algorithm`, `X-Amz-Credential`, … in the query string.
    Query,
}

/// A request's signature parameters, all checks that need no key passed, owned (the server's
/// hot path uses the borrowed `SignedParts` that `parse_parts` answers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// Header or query form.
    pub form: SignatureForm,
    /// The access key id (first element of the credential scope).
    pub access_key_id: String,
    /// `yyyymmdd` of the credential scope.
    pub scope_date: String,
    /// Region of the credential scope.
    pub region: String,
    /// Service of the credential scope (checked to be the expected one).
    pub service: String,
    /// Header names the signature covers, lower-case, in the order given.
    pub signed_headers: Vec<String>,
    /// The signature: 64 lower-case hex digits.
    pub signature: String,
    /// The request time as sent (`X-Amz-Date`, else `Date`), ISO-8601 basic format.
    pub timestamp: String,
    /// `X-Amz-Security-Token` (header or query), if any.
    pub security_token: Option<String>,
}

/// The largest clock difference accepted either way.
pub const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// Reads and checks the request's signature parameters against `now` for `service`.
pub fn parse(
    head: &RequestHead,
    now: SystemTime,
    service: &str,
) -> Result<SignedRequest, ApiError> {
    parse_parts(head, now, service).map(|p| p.to_request())
}

/// `parse`, answering the parameters borrowed from `head` where they can be (the
/// `Authorization` header form allocates nothing).
pub fn parse_parts<'a>(
    head: &'a RequestHead,
    now: SystemTime,
    service: &str,
) -> Result<SignedParts<'a>, ApiError> {
    parse_found(&SigningHeaders::new(head), now, service)
}

/// `parse_parts` for a request whose headers were found already (the provider finds them once
/// for `parse_found` and `verify_found`).
pub fn parse_found<'a>(
    found: &SigningHeaders<'a>,
    now: SystemTime,
    service: &str,
) -> Result<SignedParts<'a>, ApiError> {
    let head = found.head;
    let query = super::query::pairs(&head.query);
    let has_query_auth = query.iter().any(|(k, _)| k == "X-Amz-Algorithm");
    let header = found.value(headers::AUTHORIZATION);
    match (header, has_query_auth) {
        (Some(_), true) => Err(ApiError::InvalidSignature(
            "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
                .into(),
        )),
        (_, true) => parse_query(head, query, now, service),
        (Some(auth), false) if auth.trim_start().starts_with("AWS4-") => {
            parse_header(found, auth, now, service)
        }
        _ => Err(ApiError::MissingAuthenticationToken(MISSING_TOKEN.into())),
    }
}

fn parse_header<'a>(
    found: &SigningHeaders<'a>,
    auth: &'a str,
    now: SystemTime,
    service: &str,
) -> Result<SignedParts<'a>, ApiError> {
    let trimmed = auth.trim();
    let (algorithm, params) = sigv4_text::algorithm_and_params(trimmed);
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for pair in sigv4_text::words(params) {
        let Some((key, value)) = split_at_equals(pair) else {
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
    let timestamp = found
        .value(headers::AMZ_DATE)
        .or_else(|| found.value(headers::DATE));
    let credential = credential.filter(|c| !c.is_empty());
    let signature = signature.filter(|s| !s.is_empty());
    let mut missing = String::new();
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
    check_time(timestamp, now, None)?;
    let signed_headers = split_signed_headers(signed_headers)?;
    check_algorithm(algorithm)?;
    finish(
        SignatureForm::Header,
        credential,
        signed_headers,
        signature,
        timestamp,
        found.value(headers::AMZ_SECURITY_TOKEN),
        service,
    )
}

fn parse_query(
    head: &RequestHead,
    query: Vec<(String, String)>,
    now: SystemTime,
    service: &str,
) -> Result<SignedParts<'static>, ApiError> {
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let names = [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Signature",
        "X-Amz-SignedHeaders",
        "X-Amz-Date",
    ];
    let values: Vec<Option<String>> = names.iter().map(|n| get(n)).collect();
    let mut missing = String::new();
    for (name, value) in names.iter().zip(&values) {
        if value.is_none() {
            missing.push_str(&format!(
                "AWS query-string parameters must include '{name}'. "
            ));
        }
    }
    let [Some(algorithm), Some(credential), Some(signature), Some(signed_headers), Some(timestamp)] =
        <[Option<String>; 5]>::try_from(values).unwrap_or_default()
    else {
        missing.push_str("Re-examine the query-string parameters.");
        return Err(ApiError::IncompleteSignature(missing));
    };
    let expires = match get("X-Amz-Expires") {
        None => None,
        Some(v) => match v.parse::<u64>() {
            Ok(n) if (1..=MAX_PRESIGN_EXPIRES).contains(&n) => Some(n),
            // Best guess: DynamoDB's wording for a bad X-Amz-Expires was not found.
            _ => {
                return Err(ApiError::IncompleteSignature(format!(
                    "X-Amz-Expires must be an integer from 1 to {MAX_PRESIGN_EXPIRES}, got '{v}'"
                )))
            }
        },
    };
    check_time(&timestamp, now, expires)?;
    let signed_headers = split_signed_headers(&signed_headers)?;
    check_algorithm(&algorithm)?;
    let token = get("X-Amz-Security-Token");
    let token = token
        .as_deref()
        .or_else(|| headers::value(head, &headers::X_AMZ_SECURITY_TOKEN));
    // The decoded values live here: the parts own copies of them.
    finish(
        SignatureForm::Query,
        &credential,
        signed_headers,
        &signature,
        &timestamp,
        token,
        service,
    )
    .map(SignedParts::into_static)
}

fn check_algorithm(algorithm: &str) -> Result<(), ApiError> {
    if algorithm == ALGORITHM {
        Ok(())
    } else {
        Err(ApiError::IncompleteSignature(format!(
            "Unsupported AWS 'algorithm': '{algorithm}' (only {ALGORITHM} for now). "
        )))
    }
}

/// `pair` cut at its first `=` (`str::split_once` without its searcher: the pairs are short).
fn split_at_equals(pair: &str) -> Option<(&str, &str)> {
    let at = pair.bytes().position(|b| b == b'=')?;
    Some((pair.get(..at)?, pair.get(at + 1..)?))
}

/// The signed-header list lower-cased (borrowed when it already is, as every SDK sends it).
fn split_signed_headers(list: &str) -> Result<Cow<'_, str>, ApiError> {
    // Every SDK sends the list lower-case: one pass looks for `host` and for an upper-case
    // letter, which sends the list the long way.
    let bytes = list.as_bytes();
    let mut start = 0;
    let mut host_signed = false;
    for (at, &b) in bytes.iter().enumerate() {
        if b == b';' {
            host_signed |= is_host(&bytes[start..at]);
            start = at + 1;
        } else if b.is_ascii_uppercase() {
            return lowered_signed_headers(list);
        }
    }
    if host_signed || is_host(&bytes[start..]) {
        Ok(Cow::Borrowed(list))
    } else {
        Err(host_not_signed())
    }
}

fn is_host(name: &[u8]) -> bool {
    name == b"host" || name == b":authority"
}

fn host_not_signed() -> ApiError {
    ApiError::InvalidSignature(
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".into(),
    )
}

/// `split_signed_headers` for a list with an upper-case letter.
fn lowered_signed_headers(list: &str) -> Result<Cow<'static, str>, ApiError> {
    let names = list.to_ascii_lowercase();
    if sigv4_text::split_ascii(&names, b';').any(|h| is_host(h.as_bytes())) {
        Ok(Cow::Owned(names))
    } else {
        Err(host_not_signed())
    }
}

/// Date format, then the ±15-minute window (and for presigned requests their expiry).
fn check_time(timestamp: &str, now: SystemTime, expires: Option<u64>) -> Result<(), ApiError> {
    let Some(at) = parse_basic(timestamp) else {
        return Err(ApiError::IncompleteSignature(format!(
            "Date must be in ISO-8601 'basic format'. Got '{timestamp}'. See http://en.wikipedia.org/wiki/ISO_8601"
        )));
    };
    // Formatted only for an error: most requests are on time.
    let now_s = || format_basic(now);
    if let Some(secs) = expires {
        if at + Duration::from_secs(secs) < now {
            // Best guess: the wording DynamoDB uses for an expired presigned request was not
            // found; this follows its clock-skew message.
            let earliest = format_basic(now - Duration::from_secs(secs));
            return Err(ApiError::InvalidSignature(format!(
                "Signature expired: {timestamp} is now earlier than {earliest} ({} - {secs} sec.)",
                now_s()
            )));
        }
    } else if at + MAX_SKEW < now {
        let earliest = format_basic(now - MAX_SKEW);
        return Err(ApiError::InvalidSignature(format!(
            "Signature expired: {timestamp} is now earlier than {earliest} ({} - 15 min.)",
            now_s()
        )));
    }
    if at > now + MAX_SKEW {
        let latest = format_basic(now + MAX_SKEW);
        return Err(ApiError::InvalidSignature(format!(
            "Signature not yet current: {timestamp} is still later than {latest} ({} + 15 min.)",
            now_s()
        )));
    }
    Ok(())
}

/// Splits the credential and checks its scope against the timestamp and `service`.
fn finish<'s>(
    form: SignatureForm,
    credential: &'s str,
    signed_headers: Cow<'s, str>,
    signature: &'s str,
    timestamp: &'s str,
    security_token: Option<&'s str>,
    service: &str,
) -> Result<SignedParts<'s>, ApiError> {
    let Some([key, date, region, scope_service, terminator]) =
        sigv4_text::credential_scope(credential)
    else {
        return Err(ApiError::IncompleteSignature(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
        )));
    };
    check_scope(date, region, scope_service, terminator, timestamp, service)?;
    if key.is_empty() {
        return Err(ApiError::UnrecognizedClient(super::INVALID_KEY.into()));
    }
    // A fold without an early exit over exactly 64 bytes: compiled to a few vector compares
    // (`all` stops at each byte, and measured ten times the instructions).
    if signature.len() != 64
        || !signature.bytes().fold(true, |ok, b| {
            ok & (b.is_ascii_digit() | (b'a'..=b'f').contains(&b))
        })
    {
        return Err(ApiError::InvalidSignature(SIGNATURE_MISMATCH.into()));
    }
    Ok(SignedParts {
        form,
        access_key_id: Cow::Borrowed(key),
        scope_date: Cow::Borrowed(date),
        region: Cow::Borrowed(region),
        service: Cow::Borrowed(scope_service),
        signed_headers,
        signature: Cow::Borrowed(signature),
        timestamp: Cow::Borrowed(timestamp),
        security_token: security_token.map(Cow::Borrowed),
    })
}

/// The scope's region, service, terminator and date; every failed check adds a sentence to one
/// InvalidSignatureException, as DynamoDB does.
fn check_scope(
    date: &str,
    region: &str,
    service: &str,
    terminator: &str,
    timestamp: &str,
    expected_service: &str,
) -> Result<(), ApiError> {
    let mut msg = String::new();
    if region.is_empty() {
        msg.push_str("Credential should be scoped to a valid region, not ''. ");
    }
    if service != expected_service {
        msg.push_str(&format!(
            "Credential should be scoped to correct service: '{expected_service}'. "
        ));
    }
    if terminator != TERMINATOR {
        msg.push_str(&format!(
            "Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{terminator}'. "
        ));
    }
    // `timestamp` passed `parse_basic`, so its first 8 bytes are ASCII digits.
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

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
