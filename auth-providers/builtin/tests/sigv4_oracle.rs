//! The verifier against the AWS SDK's own signer (`aws-sigv4`): random DynamoDB-like requests
//! (random headers, bodies, regions, paths, query pairs; header and presigned forms, with and
//! without a session token) signed by the SDK must verify, and must stop verifying with
//! another secret or once their body changes.

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
};
use aws_sigv4::sign::v4;
use extenddb_auth_builtin::sigv4::{parse, verify_signature, SigningKey};
use extenddb_core::traits::RequestHead;
use proptest::prelude::*;
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone)]
struct Case {
    region: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    token: Option<String>,
    presigned: bool,
    secs: u64,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(vec!["us-east-1", "eu-west-2", "ap-south-1", "local"]),
        prop::sample::select(vec!["/", "/a", "/a/b%20c/", "/x%2Fy"]),
        prop::collection::vec(("[a-zA-Z0-9_.~-]{1,6}", "[ -~]{0,8}"), 0..3),
        prop::collection::vec(("x-h[a-z]{1,5}", "[!-~]([ -~]{0,10}[!-~])?"), 0..4),
        prop::collection::vec(any::<u8>(), 0..200),
        prop::option::of("[A-Za-z0-9/+=]{16,40}"),
        any::<bool>(),
        1_500_000_000u64..2_000_000_000,
    )
        .prop_map(
            |(region, path, query, headers, body, token, presigned, secs)| Case {
                region: region.into(),
                path: path.into(),
                query,
                headers,
                body,
                token,
                presigned,
                secs,
            },
        )
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Signs `c` with the SDK; answers the request head as our server would receive it.
fn signed(c: &Case, secret: &str) -> RequestHead {
    let creds = Credentials::new(
        "AKIAEXTENDDBTEST0001",
        secret,
        c.token.clone(),
        None,
        "test",
    );
    let identity = creds.into();
    let mut settings = SigningSettings::default();
    if c.presigned {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(300));
    }
    let time = UNIX_EPOCH + Duration::from_secs(c.secs);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&c.region)
        .name("dynamodb")
        .time(time)
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let query: Vec<String> = c
        .query
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect();
    let uri = if query.is_empty() {
        format!("https://dynamodb.local:8000{}", c.path)
    } else {
        format!("https://dynamodb.local:8000{}?{}", c.path, query.join("&"))
    };
    let mut headers: Vec<(String, String)> = vec![("host".into(), "dynamodb.local:8000".into())];
    headers.extend(c.headers.iter().cloned());
    let signable = SignableRequest::new(
        "POST",
        &uri,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(&c.body),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut req = http::Request::builder().method("POST").uri(&uri);
    for (k, v) in &headers {
        req = req.header(k, v);
    }
    let mut req = req.body(()).unwrap();
    instructions.apply_to_request_http1x(&mut req);
    let mut head = RequestHead::from_pairs(
        "POST",
        req.uri().path(),
        req.uri().query().unwrap_or(""),
        [],
    );
    head.headers = req.headers().clone();
    head
}

fn verify(head: &RequestHead, c: &Case, secret: &str, body: &[u8]) -> bool {
    let now = UNIX_EPOCH + Duration::from_secs(c.secs + 30);
    let Ok(req) = parse(head, now, "dynamodb") else {
        return false;
    };
    let key = SigningKey::derive(secret.as_bytes(), &req.scope_date, &c.region, "dynamodb");
    let sha: [u8; 32] = Sha256::digest(body).into();
    verify_signature(head, &req, &sha, &key).is_ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn sdk_signed_requests_verify(c in case()) {
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        let head = signed(&c, secret);
        let now = UNIX_EPOCH + Duration::from_secs(c.secs + 30);
        let parsed = parse(&head, now, "dynamodb").unwrap();
        prop_assert_eq!(parsed.security_token.as_deref(), c.token.as_deref());
        prop_assert!(verify(&head, &c, secret, &c.body), "SDK-signed request refused: {:?}", c);
        prop_assert!(!verify(&head, &c, "another-secret", &c.body));
        let mut body = c.body.clone();
        body.push(0);
        prop_assert!(!verify(&head, &c, secret, &body));
    }
}

#[test]
fn sdk_signature_is_stale_after_15_minutes() {
    let c = Case {
        region: "us-east-1".into(),
        path: "/".into(),
        query: vec![],
        headers: vec![("x-amz-target".into(), "DynamoDB_20120810.ListTables".into())],
        body: b"{}".to_vec(),
        token: None,
        presigned: false,
        secs: 1_700_000_000,
    };
    let head = signed(&c, "s");
    let late: SystemTime = UNIX_EPOCH + Duration::from_secs(c.secs + 15 * 60 + 1);
    let e = parse(&head, late, "dynamodb").unwrap_err();
    assert_eq!(e.type_name(), "InvalidSignatureException");
    assert!(
        e.to_string()
            .starts_with("Signature expired: 20231114T221320Z is now earlier than"),
        "{e}"
    );
}
