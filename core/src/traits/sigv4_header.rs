//! The shape checks of a SigV4 `Authorization` header, in DynamoDB's order and with its texts,
//! shared by the auth providers that read one: `none` accepts what passes them, `builtin` goes
//! on to look the key up and verify the signature (and uses the same pieces for the presigned
//! query form). The order is dynalite's captures of DynamoDB: missing parts → date (format,
//! and for `builtin` the clock) → `host` signed → algorithm → credential elements → scope →
//! key → signature shape. Every value is borrowed from the header; nothing is allocated unless
//! the signed-header list has an upper-case letter or a check fails.
//!
//! Hand-written: no maintained crate checks SigV4 on the server side with DynamoDB's texts.

use super::sigv4_text;
use crate::error::ApiError;
use std::borrow::Cow;

/// The only signing algorithm DynamoDB accepts.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The last element of every credential scope.
pub const TERMINATOR: &str = "aws4_request";
/// DynamoDB's answer when no credentials were sent.
pub const MISSING_TOKEN: &str = "Request is missing Authentication Token";
/// DynamoDB's answer when a signature is not the one expected.
pub const SIGNATURE_MISMATCH: &str = "The request signature we calculated does not match the \
     signature you provided. Check your AWS Secret Access Key and signing method. Consult the \
     service documentation for details.";
/// DynamoDB's answer for an unknown, inactive or empty access key id (with the period).
pub const INVALID_KEY: &str = "The security token included in the request is invalid.";

/// The parts of a well-formed `Authorization` header, borrowed from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderParts<'a> {
    /// The access key id (first element of the credential scope).
    pub access_key_id: &'a str,
    /// `yyyymmdd` of the credential scope.
    pub scope_date: &'a str,
    /// Region of the credential scope.
    pub region: &'a str,
    /// Service of the credential scope (checked to be the expected one).
    pub service: &'a str,
    /// The signed header names, lower-case, `;`-joined in the order given (borrowed when the
    /// list was lower-case already, as every SDK sends it).
    pub signed_headers: Cow<'a, str>,
    /// The signature: 64 lower-case hex digits.
    pub signature: &'a str,
    /// The request time as sent (`X-Amz-Date`, else `Date`).
    pub timestamp: &'a str,
}

impl HeaderParts<'_> {
    /// The signed header names, in order.
    pub fn header_names(&self) -> impl Iterator<Item = &str> {
        super::sigv4_text::split_ascii(&self.signed_headers, b';')
    }
}

/// The `Authorization` header's value when it is a SigV4 one (starts with `AWS4-`), else
/// DynamoDB's MissingAuthenticationToken.
pub fn sigv4_value(header: Option<&str>) -> Result<&str, ApiError> {
    match header {
        Some(auth) if auth.trim_start().starts_with("AWS4-") => Ok(auth),
        _ => Err(ApiError::MissingAuthenticationToken(MISSING_TOKEN.into())),
    }
}

/// Reads header `auth` (a SigV4 one, see [`sigv4_value`]) of a request whose `X-Amz-Date` or
/// `Date` is `timestamp`, for `service`. `check_date` checks the timestamp (its format, and
/// for a verifying provider the clock) after the parts are found and before anything else.
pub fn parse<'a>(
    auth: &'a str,
    timestamp: Option<&'a str>,
    service: &str,
    check_date: impl FnOnce(&str) -> Result<(), ApiError>,
) -> Result<HeaderParts<'a>, ApiError> {
    let (algorithm, params) = sigv4_text::algorithm_and_params(auth.trim());
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
    let credential = credential.filter(|c| !c.is_empty());
    let signature = signature.filter(|s| !s.is_empty());
    let (Some(credential), Some(signature), Some(signed_headers), Some(timestamp)) =
        (credential, signature, signed_headers, timestamp)
    else {
        return Err(missing_parts(
            auth,
            credential,
            signature,
            signed_headers,
            timestamp,
        ));
    };
    check_date(timestamp)?;
    let signed_headers = signed_header_list(signed_headers)?;
    check_algorithm(algorithm)?;
    let (access_key_id, scope_date, region, scope_service) =
        checked_credential(credential, timestamp, service)?;
    check_signature_shape(signature)?;
    Ok(HeaderParts {
        access_key_id,
        scope_date,
        region,
        service: scope_service,
        signed_headers,
        signature,
        timestamp,
    })
}

/// IncompleteSignature naming every part the header lacks, then the header.
fn missing_parts(
    auth: &str,
    credential: Option<&str>,
    signature: Option<&str>,
    signed_headers: Option<&str>,
    timestamp: Option<&str>,
) -> ApiError {
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
    missing.push_str("Authorization=");
    missing.push_str(auth);
    ApiError::IncompleteSignature(missing)
}

/// `pair` cut at its first `=` (`str::split_once` without its searcher: the pairs are short).
fn split_at_equals(pair: &str) -> Option<(&str, &str)> {
    let at = pair.bytes().position(|b| b == b'=')?;
    Some((pair.get(..at)?, pair.get(at + 1..)?))
}

/// The algorithm must be [`ALGORITHM`].
pub fn check_algorithm(algorithm: &str) -> Result<(), ApiError> {
    if algorithm == ALGORITHM {
        Ok(())
    } else {
        Err(ApiError::IncompleteSignature(format!(
            "Unsupported AWS 'algorithm': '{algorithm}' (only {ALGORITHM} for now). "
        )))
    }
}

/// The signed-header list lower-cased (borrowed when it already is, as every SDK sends it);
/// `host` (or `:authority`) must be in it.
pub fn signed_header_list(list: &str) -> Result<Cow<'_, str>, ApiError> {
    // One pass looks for `host` and for an upper-case letter, which sends the list the long
    // way.
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

/// `signed_header_list` for a list with an upper-case letter.
fn lowered_signed_headers(list: &str) -> Result<Cow<'static, str>, ApiError> {
    let names = list.to_ascii_lowercase();
    if sigv4_text::split_ascii(&names, b';').any(|h| is_host(h.as_bytes())) {
        Ok(Cow::Owned(names))
    } else {
        Err(host_not_signed())
    }
}

/// The credential's access key id, date, region and service, its five elements and scope
/// checked against `timestamp` (which passed the date check, so it starts with eight digits)
/// and `service`; an empty key id is UnrecognizedClient.
pub fn checked_credential<'c>(
    credential: &'c str,
    timestamp: &str,
    service: &str,
) -> Result<(&'c str, &'c str, &'c str, &'c str), ApiError> {
    let Some([key, date, region, scope_service, terminator]) =
        sigv4_text::credential_scope(credential)
    else {
        return Err(ApiError::IncompleteSignature(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
        )));
    };
    check_scope(date, region, scope_service, terminator, timestamp, service)?;
    if key.is_empty() {
        return Err(ApiError::UnrecognizedClient(INVALID_KEY.into()));
    }
    Ok((key, date, region, scope_service))
}

/// A signature must be 64 lower-case hex digits; anything else cannot match.
pub fn check_signature_shape(signature: &str) -> Result<(), ApiError> {
    // A fold without an early exit over exactly 64 bytes: compiled to a few vector compares
    // (`all` stops at each byte, and measured ten times the instructions).
    if signature.len() == 64
        && signature.bytes().fold(true, |ok, b| {
            ok & (b.is_ascii_digit() | (b'a'..=b'f').contains(&b))
        })
    {
        Ok(())
    } else {
        Err(ApiError::InvalidSignature(SIGNATURE_MISMATCH.into()))
    }
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
mod tests {
    use super::*;

    const SIG: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn header(signed: &str) -> String {
        format!(
            "AWS4-HMAC-SHA256 Credential=AKID/20240102/eu-west-1/dynamodb/aws4_request, \
             SignedHeaders={signed}, Signature={SIG}"
        )
    }

    fn ok_date(_: &str) -> Result<(), ApiError> {
        Ok(())
    }

    #[test]
    fn a_well_formed_header_is_borrowed_whole() {
        let auth = header("content-type;host;x-amz-date");
        let p = parse(&auth, Some("20240102T030405Z"), "dynamodb", ok_date).unwrap();
        assert_eq!(
            (p.access_key_id, p.scope_date, p.region, p.service),
            ("AKID", "20240102", "eu-west-1", "dynamodb")
        );
        assert!(matches!(
            p.signed_headers,
            Cow::Borrowed("content-type;host;x-amz-date")
        ));
        assert_eq!((p.signature, p.timestamp), (SIG, "20240102T030405Z"));
    }

    #[test]
    fn an_upper_case_list_is_lowered_and_host_must_be_signed() {
        let auth = header("Content-Type;HOST");
        let p = parse(&auth, Some("20240102T030405Z"), "dynamodb", ok_date).unwrap();
        assert_eq!(p.signed_headers, "content-type;host");
        let e = parse(
            &header("x-amz-date"),
            Some("20240102T030405Z"),
            "dynamodb",
            ok_date,
        )
        .unwrap_err();
        assert_eq!(e.type_name(), "InvalidSignatureException");
        assert!(signed_header_list(":authority;x").is_ok());
    }

    #[test]
    fn the_date_check_runs_after_the_parts_and_before_the_rest() {
        let refuse = |_: &str| Err(ApiError::IncompleteSignature("date".into()));
        // Parts missing: the date check is not reached.
        let e = parse(
            "AWS4-HMAC-SHA256 Credential=a",
            Some("x"),
            "dynamodb",
            refuse,
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("requires 'Signature' parameter"),
            "{e}"
        );
        // Everything else wrong too: the date check answers first.
        let e = parse(
            "AWS4-X Credential=a/b, SignedHeaders=x, Signature=z",
            Some("x"),
            "dynamodb",
            refuse,
        )
        .unwrap_err();
        assert!(e.to_string().contains("date"), "{e}");
    }

    #[test]
    fn the_scope_names_every_fault_and_an_empty_key_is_unrecognized() {
        let e = checked_credential("AKID/20240101//s3/aws5", "20240102T000000Z", "dynamodb")
            .unwrap_err()
            .to_string();
        for part in [
            "valid region",
            "correct service",
            "valid terminator",
            "'20240101' != '20240102'",
        ] {
            assert!(e.contains(part), "{part}: {e}");
        }
        let e = checked_credential(
            "/20240102/r/dynamodb/aws4_request",
            "20240102T000000Z",
            "dynamodb",
        )
        .unwrap_err();
        assert_eq!(e.type_name(), "UnrecognizedClientException");
        assert!(check_signature_shape(&SIG.to_uppercase()).is_err());
        assert!(check_signature_shape(SIG).is_ok());
        assert!(sigv4_value(Some("Basic x")).is_err());
        assert!(sigv4_value(Some(" AWS4-HMAC-SHA256 x")).is_ok());
    }

    /// `signed_header_list` as it was: lower-cased first, then split.
    fn signed_headers_by_split(list: &str) -> Option<String> {
        let names = list.to_ascii_lowercase();
        names
            .split(';')
            .any(|h| h == "host" || h == ":authority")
            .then_some(names)
    }

    #[test]
    fn signed_header_lists_need_host_in_any_place_and_case() {
        for list in [
            "host",
            "HOST",
            "content-type;host;x-amz-date",
            "content-type;Host",
            ":authority;x-amz-date",
            ";host;",
            "hostx;x-amz-date",
            "x-host;hos;ost",
            "",
            ";",
            "content-type;x-amz-date",
        ] {
            let got = signed_header_list(list).ok().map(|c| c.into_owned());
            assert_eq!(got, signed_headers_by_split(list), "{list:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn signed_header_lists_parse_as_lowercased_then_split(
            list in "((host|HoSt|:authority|x-amz-date|[a-zA-Z:-]{0,6});?){0,5}",
        ) {
            let got = signed_header_list(&list).ok().map(|c| c.into_owned());
            proptest::prop_assert_eq!(got, signed_headers_by_split(&list));
        }
    }
}
