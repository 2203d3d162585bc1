use super::*;
use extenddb_auth_builtin::sigv4::{
    canonical_request, string_to_sign, SignatureForm, SignedRequest,
};
use extenddb_core::clock::ManualClock;
use extenddb_core::traits::{AuthzContext, RequestFacts};
use sha2::{Digest, Sha256};

const FILE: &str = r#"
[[key]]
access_key_id = "AKIASTATICFULL000001"
secret_access_key = "full-access-secret-0001"
account_id = "111111111111"
access = "all"

[[key]]
access_key_id = "AKIASTATICREAD000001"
secret_access_key = "read-only-secret-00001"
account_id = "111111111111"
access = "read-only"
name = "reporting"

[[key]]
access_key_id = "AKIASTATICNONE000001"
secret_access_key = "no-access-secret-0001"
account_id = "222222222222"
access = "none"
"#;

const DATE: &str = "20260601T120000Z";

fn auth() -> StaticKeysAuth {
    let clock = Arc::new(ManualClock::at_epoch_seconds(1_780_315_200));
    StaticKeysAuth::from_toml(FILE, "keys.toml", clock).unwrap()
}

/// A request signed the way SDKs do, through the builtin crate's canonicalization.
fn signed(id: &str, secret: &str, body: &[u8]) -> RequestHead {
    let mut head = RequestHead::from_pairs(
        "POST",
        "/",
        "",
        [
            ("host", "localhost:8000"),
            ("x-amz-date", DATE),
            ("x-amz-target", "DynamoDB_20120810.GetItem"),
        ],
    );
    let req = SignedRequest {
        form: SignatureForm::Header,
        access_key_id: id.into(),
        scope_date: "20260601".into(),
        region: "us-east-1".into(),
        service: "dynamodb".into(),
        signed_headers: vec!["host".into(), "x-amz-date".into(), "x-amz-target".into()],
        signature: String::new(),
        timestamp: DATE.into(),
        security_token: None,
    };
    let creq = canonical_request(&head, &req, &hex(&Sha256::digest(body)), true);
    let sts = string_to_sign(&req, &creq);
    let sig = SigningKey::derive(secret.as_bytes(), "20260601", "us-east-1", "dynamodb")
        .sign(sts.as_bytes());
    let value = format!(
        "AWS4-HMAC-SHA256 Credential={id}/20260601/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature={}",
        hex(&sig)
    );
    head.headers.insert("authorization", value.parse().unwrap());
    head
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

async fn decide(a: &StaticKeysAuth, p: &Principal, action: &str, resource: &str) -> Decision {
    let facts = RequestFacts::default();
    let ctx = AuthzContext::default();
    a.authorize(
        p,
        &AuthzRequest {
            action,
            resource,
            facts: &facts,
            context: &ctx,
        },
    )
    .await
    .unwrap()
}

const T1: &str = "arn:aws:dynamodb:us-east-1:111111111111:table/T";

#[tokio::test]
async fn keys_authenticate_and_get_their_access_level() {
    let a = auth();
    let body = b"{}";
    let sha: [u8; 32] = Sha256::digest(body).into();
    let full = a
        .authenticate(
            &signed("AKIASTATICFULL000001", "full-access-secret-0001", body),
            &sha,
        )
        .await
        .unwrap();
    assert_eq!(&*full.arn, "arn:aws:iam::111111111111:root");
    assert_eq!(
        decide(&a, &full, "dynamodb:DeleteTable", T1).await,
        Decision::Allow
    );
    assert_eq!(
        decide(
            &a,
            &full,
            "dynamodb:GetItem",
            "arn:aws:dynamodb:us-east-1:222222222222:table/T"
        )
        .await,
        Decision::Deny(DenyReason::NoIdentityPolicy),
        "a key acts in its own account only"
    );
    let read = a
        .authenticate(
            &signed("AKIASTATICREAD000001", "read-only-secret-00001", body),
            &sha,
        )
        .await
        .unwrap();
    assert_eq!(&*read.arn, "arn:aws:iam::111111111111:user/reporting");
    assert_eq!(
        decide(&a, &read, "dynamodb:Query", T1).await,
        Decision::Allow
    );
    assert_eq!(
        decide(&a, &read, "dynamodb:ListTables", "*").await,
        Decision::Allow
    );
    assert_eq!(
        decide(&a, &read, "dynamodb:PutItem", T1).await,
        Decision::Deny(DenyReason::NoIdentityPolicy)
    );
    let none = a
        .authenticate(
            &signed("AKIASTATICNONE000001", "no-access-secret-0001", body),
            &sha,
        )
        .await
        .unwrap();
    assert_eq!(
        decide(
            &a,
            &none,
            "dynamodb:GetItem",
            "arn:aws:dynamodb:us-east-1:222222222222:table/T"
        )
        .await,
        Decision::Deny(DenyReason::NoIdentityPolicy)
    );
}

#[tokio::test]
async fn wrong_secrets_and_unknown_keys_are_refused() {
    let a = auth();
    let body = b"{}";
    let sha: [u8; 32] = Sha256::digest(body).into();
    let e = a
        .authenticate(
            &signed("AKIASTATICFULL000001", "wrong-secret-000000000", body),
            &sha,
        )
        .await
        .unwrap_err();
    assert_eq!(e.type_name(), "InvalidSignatureException");
    let e = a
        .authenticate(
            &signed("AKIAUNKNOWN000000001", "full-access-secret-0001", body),
            &sha,
        )
        .await
        .unwrap_err();
    assert_eq!(
        e,
        ApiError::UnrecognizedClient(
            "The security token included in the request is invalid.".into()
        )
    );
    let other: [u8; 32] = Sha256::digest(b"{ }").into();
    let e = a
        .authenticate(
            &signed("AKIASTATICFULL000001", "full-access-secret-0001", body),
            &other,
        )
        .await
        .unwrap_err();
    assert_eq!(e.type_name(), "InvalidSignatureException");
}

#[test]
fn bad_files_are_refused_with_the_key_named() {
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::at_epoch_seconds(0));
    let bad_account = FILE.replace("222222222222", "22");
    let e = StaticKeysAuth::from_toml(&bad_account, "k.toml", clock.clone())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "k.toml: key 'AKIASTATICNONE000001': account_id must be 12 digits"
    );
    let twice = format!(
        "{FILE}{}",
        &FILE[..FILE
            .find("[[key]]\naccess_key_id = \"AKIASTATICREAD")
            .unwrap()]
    );
    let e = StaticKeysAuth::from_toml(&twice, "k.toml", clock.clone())
        .unwrap_err()
        .to_string();
    assert!(e.ends_with("listed twice"), "{e}");
    let e = StaticKeysAuth::from_toml("[[key]]\nacces = 1", "k.toml", clock.clone())
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("k.toml: "), "{e}");
    let e = StaticKeysAuth::from_toml(
        &FILE.replace("\"all\"", "\"write\""),
        "k.toml",
        clock.clone(),
    )
    .unwrap_err();
    assert!(matches!(e, StaticKeysError::Parse { .. }));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.toml");
    std::fs::write(&path, FILE).unwrap();
    assert!(StaticKeysAuth::from_file(&path, clock.clone()).is_ok());
    assert!(matches!(
        StaticKeysAuth::from_file(&dir.path().join("absent"), clock),
        Err(StaticKeysError::Read { .. })
    ));
    let k = StaticKey {
        access_key_id: "A".into(),
        secret_access_key: "hunter2hunter2hunter2".into(),
        account_id: "1".into(),
        access: Access::All,
        name: None,
    };
    assert!(!format!("{k:?}").contains("hunter2"));
}
