use super::*;

const SIG: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const GOOD: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/eu-west-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

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
    parse(&head(Some(auth), date)).unwrap_err()
}

#[test]
fn well_formed_header_is_parsed() {
    let h = head(Some(GOOD), Some("20240102T030405Z"));
    let a = parse(&h).unwrap();
    assert_eq!(a.access_key_id, "AKIDEXAMPLE");
    assert_eq!(a.scope_date, "20240102");
    assert_eq!(a.region, "eu-west-1");
    assert_eq!(
        a.header_names().collect::<Vec<_>>(),
        vec!["content-type", "host", "x-amz-date", "x-amz-target"]
    );
    assert_eq!(a.signature, SIG);
    assert_eq!(a.timestamp, "20240102T030405Z");
}

#[test]
fn commas_without_spaces_and_date_header_are_accepted() {
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential=K/20240102/us-east-1/dynamodb/aws4_request,SignedHeaders=host,Signature={SIG}"
    );
    let mut h = head(Some(&auth), None);
    h.headers
        .insert("date", "20240102T000000Z".parse().unwrap());
    assert_eq!(parse(&h).unwrap().region, "us-east-1");
}

#[test]
fn missing_or_non_aws4_header_is_missing_token() {
    for h in [
        head(None, None),
        head(Some("AWS4"), None),
        head(Some("X"), None),
    ] {
        assert_eq!(
            parse(&h).unwrap_err(),
            ApiError::MissingAuthenticationToken("Request is missing Authentication Token".into())
        );
    }
}

#[test]
fn every_missing_part_is_listed() {
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
fn space_and_comma_separated_parts_are_recognized() {
    for auth in [
        "AWS4- Signature=b Credential=a",
        "AWS4- Signature=b,Credential=a",
        "AWS4- Signature=b, Credential=a",
    ] {
        assert_eq!(
            err(auth, Some("20240102T000000Z")),
            ApiError::IncompleteSignature(format!(
                "Authorization header requires 'SignedHeaders' parameter. Authorization={auth}"
            ))
        );
    }
}

#[test]
fn pair_without_equal_sign_is_incomplete() {
    let auth = "AWS4-HMAC-SHA256 Signature=b, Credential, SignedHeaders=host";
    assert_eq!(
        err(auth, Some("20240102T000000Z")),
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
    assert!(matches!(
        err(GOOD, Some("20241302T000000Z")),
        ApiError::IncompleteSignature(_)
    ));
}

#[test]
fn host_must_be_signed() {
    let auth = GOOD.replace("content-type;host;", "");
    assert_eq!(
        err(&auth, Some("20240102T000000Z")),
        ApiError::InvalidSignature(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".into()
        )
    );
}

#[test]
fn other_algorithm_is_unsupported() {
    let auth = GOOD.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA25");
    assert_eq!(
        err(&auth, Some("20240102T000000Z")),
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
        err(&auth, Some("20240102T000000Z")),
        ApiError::IncompleteSignature(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d'"
                .into()
        )
    );
    // Trailing slashes are ignored.
    let auth = GOOD.replace("aws4_request,", "aws4_request//,");
    assert!(parse(&head(Some(&auth), Some("20240102T000000Z"))).is_ok());
}

#[test]
fn wrong_scope_lists_every_problem() {
    let auth = GOOD.replace(
        "AKIDEXAMPLE/20240102/eu-west-1/dynamodb/aws4_request",
        "a/b/c/d/e",
    );
    assert_eq!(
        err(&auth, Some("20130609T095204Z")),
        ApiError::InvalidSignature(
            "Credential should be scoped to correct service: 'dynamodb'. \
             Credential should be scoped with a valid terminator: 'aws4_request', not 'e'. \
             Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: 'b' != '20130609', from '20130609T095204Z'."
                .into()
        )
    );
}

#[test]
fn only_wrong_service_has_no_trailing_space() {
    let auth = GOOD.replace("/dynamodb/", "/s3/");
    assert_eq!(
        err(&auth, Some("20240102T000000Z")),
        ApiError::InvalidSignature(
            "Credential should be scoped to correct service: 'dynamodb'.".into()
        )
    );
}

#[test]
fn empty_access_key_is_unrecognized() {
    let auth = GOOD.replace("AKIDEXAMPLE/", "/");
    assert_eq!(
        err(&auth, Some("20240102T000000Z")),
        ApiError::UnrecognizedClient(
            "The security token included in the request is invalid.".into()
        )
    );
}

#[test]
fn signature_must_be_64_lowercase_hex() {
    for bad in ["abc", &SIG.to_uppercase(), &SIG.replace('0', "g")] {
        let auth = GOOD.replace(SIG, bad);
        assert_eq!(
            err(&auth, Some("20240102T000000Z")),
            ApiError::InvalidSignature(SIGNATURE_MISMATCH.into())
        );
    }
}

#[test]
fn basic_iso8601_shape() {
    assert!(is_basic_iso8601("20240229T235959Z"));
    assert!(!is_basic_iso8601("2024-02-29T23:59:59Z"));
    assert!(!is_basic_iso8601("20240229T245959Z"));
    assert!(!is_basic_iso8601("20240229T235959"));
    assert!(!is_basic_iso8601("2024022９T235959Z"));
}

#[test]
fn parameters_split_at_commas_and_any_ascii_whitespace() {
    let auth = format!(
        "AWS4-HMAC-SHA256\tCredential=K/20240102/us-east-1/dynamodb/aws4_request,\t SignedHeaders=host;x-amz-date ,, Signature={SIG}"
    );
    let h = head(Some(&auth), Some("20240102T000000Z"));
    let a = parse(&h).unwrap();
    assert_eq!(a.access_key_id, "K");
    assert_eq!(
        a.header_names().collect::<Vec<_>>(),
        vec!["host", "x-amz-date"]
    );
    assert_eq!(a.signature, SIG);
}

#[test]
fn a_credential_with_six_elements_is_incomplete() {
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential=K/x/20240102/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature={SIG}"
    );
    assert_eq!(
        err(&auth, Some("20240102T000000Z")).type_name(),
        "IncompleteSignatureException"
    );
}
