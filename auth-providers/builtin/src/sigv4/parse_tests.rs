use super::*;
use crate::sigv4::time::parse_basic;
use crate::sigv4::SIGNATURE_MISMATCH;

const SIG: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const GOOD: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/eu-west-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const DATE: &str = "20240102T030405Z";

fn now() -> SystemTime {
    parse_basic(DATE).unwrap()
}

fn head(auth: Option<&str>, date: Option<&str>) -> RequestHead {
    let mut pairs = vec![("host", "localhost:8000")];
    if let Some(a) = auth {
        pairs.push(("authorization", a));
    }
    if let Some(d) = date {
        pairs.push(("x-amz-date", d));
    }
    RequestHead::from_pairs("POST", "/", "", pairs)
}

fn err(auth: &str, date: Option<&str>) -> ApiError {
    parse(&head(Some(auth), date), now(), "dynamodb").unwrap_err()
}

#[test]
fn well_formed_header_is_parsed() {
    let h = head(Some(GOOD), Some(DATE));
    let a = parse(&h, now(), "dynamodb").unwrap();
    assert_eq!(a.form, SignatureForm::Header);
    assert_eq!(a.access_key_id, "AKIDEXAMPLE");
    assert_eq!(a.scope_date, "20240102");
    assert_eq!(a.region, "eu-west-1");
    assert_eq!(
        a.signed_headers,
        vec!["content-type", "host", "x-amz-date", "x-amz-target"]
    );
    assert_eq!(a.signature, SIG);
    assert_eq!(a.timestamp, DATE);
    assert_eq!(a.security_token, None);
}

#[test]
fn missing_or_non_aws4_header_is_missing_token() {
    for h in [
        head(None, None),
        head(Some("AWS4"), None),
        head(Some("X"), None),
    ] {
        assert_eq!(
            parse(&h, now(), "dynamodb").unwrap_err(),
            ApiError::MissingAuthenticationToken("Request is missing Authentication Token".into())
        );
    }
}

#[test]
fn every_missing_part_is_listed_before_the_algorithm_is_checked() {
    assert_eq!(
        err("AWS4-", None),
        ApiError::IncompleteSignature(
            "Authorization header requires 'Credential' parameter. \
             Authorization header requires 'Signature' parameter. \
             Authorization header requires 'SignedHeaders' parameter. \
             Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. \
             Authorization=AWS4-"
                .into()
        )
    );
}

#[test]
fn pair_without_equal_sign_is_incomplete() {
    let auth = "AWS4-HMAC-SHA256 Signature=b, Credential, SignedHeaders=host";
    assert_eq!(
        err(auth, Some(DATE)),
        ApiError::IncompleteSignature(format!(
            "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: '{auth}'."
        ))
    );
}

#[test]
fn bad_date_format_is_incomplete() {
    assert_eq!(
        err(GOOD, Some("201")),
        ApiError::IncompleteSignature(
            "Date must be in ISO-8601 'basic format'. Got '201'. See http://en.wikipedia.org/wiki/ISO_8601"
                .into()
        )
    );
}

#[test]
fn clock_skew_beyond_15_minutes_is_refused_with_dynamodbs_text() {
    let old = "20240102T024904Z"; // 16 min 1 s early
    let auth = GOOD;
    assert_eq!(
        err(auth, Some(old)),
        ApiError::InvalidSignature(
            "Signature expired: 20240102T024904Z is now earlier than 20240102T024905Z (20240102T030405Z - 15 min.)".into()
        )
    );
    assert_eq!(
        err(auth, Some("20240102T031906Z")),
        ApiError::InvalidSignature(
            "Signature not yet current: 20240102T031906Z is still later than 20240102T031905Z (20240102T030405Z + 15 min.)".into()
        )
    );
    // Exactly 15 minutes either way is still accepted.
    for edge in ["20240102T024905Z", "20240102T031905Z"] {
        assert!(
            parse(&head(Some(GOOD), Some(edge)), now(), "dynamodb").is_ok(),
            "{edge}"
        );
    }
}

#[test]
fn expiry_is_checked_before_the_credential_is_parsed() {
    // Alternator's test_expired_signature: junk credential, junk signature, old date.
    let auth = "AWS4-HMAC-SHA256 Credential=cassandra/2/3/4/aws4_request SignedHeaders=host;x-amz-date Signature=123";
    let e = err(auth, Some("20170101T010101Z"));
    assert!(
        matches!(&e, ApiError::InvalidSignature(m) if m.starts_with("Signature expired: 20170101T010101Z")),
        "{e:?}"
    );
    let e = err(auth, Some("30200101T010101Z"));
    assert!(
        matches!(&e, ApiError::InvalidSignature(m) if m.starts_with("Signature not yet current")),
        "{e:?}"
    );
}

#[test]
fn host_must_be_signed() {
    let auth = GOOD.replace("content-type;host;", "");
    assert_eq!(
        err(&auth, Some(DATE)),
        ApiError::InvalidSignature(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".into()
        )
    );
}

#[test]
fn other_algorithm_is_unsupported() {
    let auth = GOOD.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA25");
    assert_eq!(
        err(&auth, Some(DATE)),
        ApiError::IncompleteSignature(
            "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). "
                .into()
        )
    );
}

#[test]
fn credential_needs_five_elements() {
    let auth = GOOD.replace(
        "AKIDEXAMPLE/20240102/eu-west-1/dynamodb/aws4_request",
        "a/b/c/d",
    );
    assert_eq!(
        err(&auth, Some(DATE)),
        ApiError::IncompleteSignature(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d'".into()
        )
    );
}

#[test]
fn wrong_scope_lists_every_problem() {
    let auth = GOOD.replace(
        "AKIDEXAMPLE/20240102/eu-west-1/dynamodb/aws4_request",
        "a/b/c/d/e",
    );
    assert_eq!(
        err(&auth, Some(DATE)),
        ApiError::InvalidSignature(
            "Credential should be scoped to correct service: 'dynamodb'. \
             Credential should be scoped with a valid terminator: 'aws4_request', not 'e'. \
             Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: 'b' != '20240102', from '20240102T030405Z'."
                .into()
        )
    );
}

#[test]
fn empty_key_is_unrecognized_and_bad_signature_is_mismatch() {
    let auth = GOOD.replace("AKIDEXAMPLE/", "/");
    assert_eq!(
        err(&auth, Some(DATE)),
        ApiError::UnrecognizedClient(
            "The security token included in the request is invalid.".into()
        )
    );
    for bad in ["abc", &SIG.to_uppercase(), &SIG.replace('0', "g")] {
        let auth = GOOD.replace(SIG, bad);
        assert_eq!(
            err(&auth, Some(DATE)),
            ApiError::InvalidSignature(SIGNATURE_MISMATCH.into())
        );
    }
}

#[test]
fn session_token_header_is_read() {
    let mut h = head(Some(GOOD), Some(DATE));
    h.headers
        .insert("x-amz-security-token", "tok".parse().unwrap());
    assert_eq!(
        parse(&h, now(), "dynamodb")
            .unwrap()
            .security_token
            .as_deref(),
        Some("tok")
    );
}

fn qhead(query: &str) -> RequestHead {
    RequestHead::from_pairs("POST", "/", query, [("host", "localhost:8000")])
}

const Q: &str = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20240102%2Fus-east-1%2Fdynamodb%2Faws4_request&X-Amz-Date=20240102T030405Z&X-Amz-SignedHeaders=host&X-Amz-Expires=60&X-Amz-Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

#[test]
fn presigned_query_is_parsed() {
    let h = qhead(&format!("{Q}&X-Amz-Security-Token=a%2Fb"));
    let a = parse(&h, now(), "dynamodb").unwrap();
    assert_eq!(a.form, SignatureForm::Query);
    assert_eq!(a.access_key_id, "AKIDEXAMPLE");
    assert_eq!(a.region, "us-east-1");
    assert_eq!(a.signed_headers, vec!["host"]);
    assert_eq!(a.security_token.as_deref(), Some("a/b"));
}

#[test]
fn presigned_query_missing_parameters_are_listed() {
    let e = parse(
        &qhead("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20240102T030405Z"),
        now(),
        "dynamodb",
    )
    .unwrap_err();
    assert_eq!(
        e,
        ApiError::IncompleteSignature(
            "AWS query-string parameters must include 'X-Amz-Credential'. \
             AWS query-string parameters must include 'X-Amz-Signature'. \
             AWS query-string parameters must include 'X-Amz-SignedHeaders'. \
             Re-examine the query-string parameters."
                .into()
        )
    );
}

#[test]
fn presigned_query_expires_and_conflicts_with_header() {
    let late = parse_basic("20240102T030506Z").unwrap(); // 61 s after signing, expires 60
    let e = parse(&qhead(Q), late, "dynamodb").unwrap_err();
    assert!(
        matches!(&e, ApiError::InvalidSignature(m) if m.starts_with("Signature expired: 20240102T030405Z")),
        "{e:?}"
    );
    let ok = parse_basic("20240102T030505Z").unwrap();
    assert!(parse(&qhead(Q), ok, "dynamodb").is_ok());
    let bad = Q.replace("X-Amz-Expires=60", "X-Amz-Expires=0");
    assert!(matches!(
        parse(&qhead(&bad), now(), "dynamodb"),
        Err(ApiError::IncompleteSignature(_))
    ));
    let mut both = qhead(Q);
    both.headers.insert("authorization", GOOD.parse().unwrap());
    assert_eq!(
        parse(&both, now(), "dynamodb").unwrap_err(),
        ApiError::InvalidSignature(
            "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.".into()
        )
    );
}

#[test]
fn a_non_hex_digit_anywhere_in_the_signature_is_a_mismatch() {
    // The bytes just outside 0-9 and a-f, at every position.
    for at in 0..64 {
        for c in ['/', ':', '`', 'g', 'A', 'F'] {
            let mut bad = SIG.to_string();
            bad.replace_range(at..at + 1, &c.to_string());
            let auth = GOOD.replace(SIG, &bad);
            assert_eq!(
                err(&auth, Some(DATE)),
                ApiError::InvalidSignature(SIGNATURE_MISMATCH.into()),
                "{c} at {at}"
            );
        }
    }
}
