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
use super::MAX_PRESIGN_EXPIRES;
use extenddb_core::traits::{sigv4_header, RequestHead};
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
        (header, false) => parse_header(found, sigv4_header::sigv4_value(header)?, now, service),
    }
}

fn parse_header<'a>(
    found: &SigningHeaders<'a>,
    auth: &'a str,
    now: SystemTime,
    service: &str,
) -> Result<SignedParts<'a>, ApiError> {
    let timestamp = found
        .value(headers::AMZ_DATE)
        .or_else(|| found.value(headers::DATE));
    let p = sigv4_header::parse(auth, timestamp, service, |t| check_time(t, now, None))?;
    Ok(SignedParts {
        form: SignatureForm::Header,
        access_key_id: Cow::Borrowed(p.access_key_id),
        scope_date: Cow::Borrowed(p.scope_date),
        region: Cow::Borrowed(p.region),
        service: Cow::Borrowed(p.service),
        signed_headers: p.signed_headers,
        signature: Cow::Borrowed(p.signature),
        timestamp: Cow::Borrowed(p.timestamp),
        security_token: found.value(headers::AMZ_SECURITY_TOKEN).map(Cow::Borrowed),
    })
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
    let signed_headers = sigv4_header::signed_header_list(&signed_headers)?;
    sigv4_header::check_algorithm(&algorithm)?;
    let token = get("X-Amz-Security-Token");
    let token = token
        .as_deref()
        .or_else(|| headers::value(head, &headers::X_AMZ_SECURITY_TOKEN));
    let (key, date, region, scope_service) =
        sigv4_header::checked_credential(&credential, &timestamp, service)?;
    sigv4_header::check_signature_shape(&signature)?;
    // The decoded values live here: the parts own copies of them.
    Ok(SignedParts {
        form: SignatureForm::Query,
        access_key_id: Cow::Owned(key.to_string()),
        scope_date: Cow::Owned(date.to_string()),
        region: Cow::Owned(region.to_string()),
        service: Cow::Owned(scope_service.to_string()),
        signed_headers: Cow::Owned(signed_headers.into_owned()),
        signature: Cow::Owned(signature),
        timestamp: Cow::Owned(timestamp),
        security_token: token.map(|t| Cow::Owned(t.to_string())),
    })
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

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
