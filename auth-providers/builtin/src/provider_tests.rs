//! `BuiltinAuth` end to end over a real (in-memory embedded) IAM store, with requests signed
//! by the AWS SDK's signer (`aws-sigv4`) and a manual clock.

use super::*;
use crate::credentials::create_access_key;
use crate::sts::{assume_role, AssumeRoleRequest, StsError};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use extenddb_backend_embedded::EmbeddedStore;
use extenddb_core::clock::ManualClock;
use extenddb_core::model::iam::*;
use extenddb_core::model::tags::Tag;
use extenddb_core::traits::{AuthzContext, RequestFacts};
use std::time::{Duration, SystemTime};

const ACCT: &str = "123456789012";
const BOOKS: &str = "arn:aws:dynamodb:us-east-1:123456789012:table/Books";
const T0: u64 = 1_780_315_200; // 2026-06-01T12:00:00Z

struct Fx {
    store: Arc<EmbeddedStore>,
    auth: BuiltinAuth,
    clock: Arc<ManualClock>,
    key: DataKey,
    id: String,
    secret: String,
}

async fn fixture(policy: &str) -> Fx {
    let store = Arc::new(EmbeddedStore::in_memory().unwrap());
    let clock = Arc::new(ManualClock::at_epoch_seconds(T0));
    let key = DataKey::generate();
    store
        .create_account(&Account {
            account_id: ACCT.into(),
            name: "default".into(),
            created: 0,
        })
        .await
        .unwrap();
    store
        .create_user(&IamUser {
            account_id: ACCT.into(),
            user_name: "alice".into(),
            user_id: "AIDAEXAMPLEALICE00001".into(),
            password_hash: None,
            tags: vec![Tag {
                key: "team".into(),
                value: "blue".into(),
            }],
            permissions_boundary: None,
            created: 0,
        })
        .await
        .unwrap();
    store
        .put_policy(
            ACCT,
            PolicyOwner::user("alice"),
            &InlinePolicy {
                policy_name: "P".into(),
                document: policy.into(),
            },
        )
        .await
        .unwrap();
    let (ak, secret) = create_access_key(&*store, &key, &*clock, ACCT, "alice")
        .await
        .unwrap();
    let auth = BuiltinAuth::new(store.clone(), key.clone(), clock.clone());
    Fx {
        store,
        auth,
        clock,
        key,
        id: ak.access_key_id,
        secret: secret.expose_str().unwrap().to_string(),
    }
}

impl Fx {
    /// Alice's principal for `body`, signed with her key at the fixture's time.
    async fn sign_in(&self, body: &[u8]) -> Principal {
        let head = signed(&self.id, &self.secret, None, self.clock.now(), body);
        self.auth.authenticate(&head, &sha(body)).await.unwrap()
    }
}

/// A PutItem-shaped request signed by the SDK at `at`.
fn signed(id: &str, secret: &str, token: Option<&str>, at: SystemTime, body: &[u8]) -> RequestHead {
    let identity = Credentials::new(id, secret, token.map(str::to_string), None, "t").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("dynamodb")
        .time(at)
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let headers = [
        ("host", "127.0.0.1:8000"),
        ("content-type", "application/x-amz-json-1.0"),
        ("x-amz-target", "DynamoDB_20120810.GetItem"),
    ];
    let uri = "https://127.0.0.1:8000/";
    let signable =
        SignableRequest::new("POST", uri, headers.into_iter(), SignableBody::Bytes(body)).unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut req = http::Request::builder().method("POST").uri(uri);
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let mut req = req.body(()).unwrap();
    instructions.apply_to_request_http1x(&mut req);
    let mut head = RequestHead::from_pairs("POST", "/", "", []);
    head.headers = req.headers().clone();
    head
}

fn sha(body: &[u8]) -> [u8; 32] {
    Sha256::digest(body).into()
}

async fn authorize(
    auth: &BuiltinAuth,
    p: &Principal,
    action: &str,
    resource: &str,
    ctx: &AuthzContext,
) -> Decision {
    let facts = RequestFacts {
        secure_transport: true,
        time: UNIX_EPOCH + Duration::from_secs(T0),
        ..RequestFacts::default()
    };
    auth.authorize(
        p,
        &AuthzRequest {
            action,
            resource,
            facts: &facts,
            context: ctx,
        },
    )
    .await
    .unwrap()
}

const READ_BOOKS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query"],"Resource":"arn:aws:dynamodb:*:*:table/Books*"}]}"#;

#[tokio::test]
async fn a_signed_request_authenticates_and_policies_decide() {
    let fx = fixture(READ_BOOKS).await;
    let body = br#"{"TableName":"Books"}"#;
    let head = signed(&fx.id, &fx.secret, None, fx.clock.now(), body);
    let p = fx.auth.authenticate(&head, &sha(body)).await.unwrap();
    assert_eq!(&*p.account_id, ACCT);
    assert_eq!(&*p.arn, "arn:aws:iam::123456789012:user/alice");
    assert_eq!(&*p.user_id, "AIDAEXAMPLEALICE00001");
    assert_eq!(&*p.access_key_id, fx.id);
    assert_eq!(&*p.region, "us-east-1");
    let ctx = AuthzContext::default();
    assert_eq!(
        authorize(&fx.auth, &p, "dynamodb:GetItem", BOOKS, &ctx).await,
        Decision::Allow
    );
    let put = authorize(&fx.auth, &p, "dynamodb:PutItem", BOOKS, &ctx).await;
    assert_eq!(put, Decision::Deny(DenyReason::NoIdentityPolicy));
    let facts = RequestFacts::default();
    let req = AuthzRequest {
        action: "dynamodb:PutItem",
        resource: BOOKS,
        facts: &facts,
        context: &ctx,
    };
    assert_eq!(
        put.into_result(&p, &req).unwrap_err().to_string(),
        "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/Books because no identity-based policy allows the dynamodb:PutItem action"
    );
    // Another account's table of the same name is out of reach whatever the policy says.
    let other = "arn:aws:dynamodb:us-east-1:999999999999:table/Books";
    assert_eq!(
        authorize(&fx.auth, &p, "dynamodb:GetItem", other, &ctx).await,
        Decision::Deny(DenyReason::NoIdentityPolicy)
    );
    // A principal from another provider has no identity here.
    let foreign = Principal::account_root(ACCT, "AKIAX", "us-east-1");
    assert_eq!(
        authorize(&fx.auth, &foreign, "dynamodb:GetItem", BOOKS, &ctx).await,
        Decision::Deny(DenyReason::NoIdentityPolicy)
    );
}

#[tokio::test]
async fn bad_credentials_get_dynamodbs_errors() {
    let fx = fixture(READ_BOOKS).await;
    let body = b"{}";
    let now = fx.clock.now();
    let err = |h: RequestHead, b: &'static [u8]| {
        let auth = &fx.auth;
        async move { auth.authenticate(&h, &sha(b)).await.unwrap_err() }
    };
    let e = err(
        signed("AKIAEXTENDDBUNKNOWN1", &fx.secret, None, now, body),
        body,
    )
    .await;
    assert_eq!(
        e,
        ApiError::UnrecognizedClient(
            "The security token included in the request is invalid.".into()
        )
    );
    let e = err(signed(&fx.id, "not-the-secret", None, now, body), body).await;
    assert_eq!(
        e,
        ApiError::InvalidSignature(sigv4::SIGNATURE_MISMATCH.into())
    );
    let e = err(signed(&fx.id, &fx.secret, None, now, body), b"{ }").await;
    assert_eq!(
        e.type_name(),
        "InvalidSignatureException",
        "the body hash is verified"
    );
    let e = err(signed(&fx.id, &fx.secret, Some("token"), now, body), body).await;
    assert_eq!(
        e,
        ApiError::UnrecognizedClient(
            "The security token included in the request is invalid".into()
        )
    );
    let e = err(
        signed(
            &fx.id,
            &fx.secret,
            None,
            now - Duration::from_secs(16 * 60),
            body,
        ),
        body,
    )
    .await;
    assert!(
        e.to_string().starts_with(
            "Signature expired: 20260601T114400Z is now earlier than 20260601T114500Z"
        ),
        "{e}"
    );
    let e = err(
        RequestHead::from_pairs("POST", "/", "", [("host", "h")]),
        body,
    )
    .await;
    assert_eq!(e.type_name(), "MissingAuthenticationTokenException");
    // An inactive key is unknown.
    fx.store
        .set_access_key_status(ACCT, "alice", &fx.id, AccessKeyStatus::Inactive)
        .await
        .unwrap();
    let e = err(signed(&fx.id, &fx.secret, None, now, body), body).await;
    assert_eq!(e.type_name(), "UnrecognizedClientException");
}

#[tokio::test]
async fn iam_changes_in_this_process_apply_at_once() {
    let fx = fixture(READ_BOOKS).await;
    let body = b"{}";
    let ctx = AuthzContext::default();
    let p = fx.sign_in(body).await;
    assert_eq!(fx.auth.cached_keys(), 1);
    assert_eq!(
        authorize(&fx.auth, &p, "dynamodb:PutItem", BOOKS, &ctx).await,
        Decision::Deny(DenyReason::NoIdentityPolicy)
    );
    let full = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}"#;
    fx.store
        .put_policy(
            ACCT,
            PolicyOwner::user("alice"),
            &InlinePolicy {
                policy_name: "Full".into(),
                document: full.into(),
            },
        )
        .await
        .unwrap();
    let p = fx.sign_in(body).await;
    assert_eq!(
        authorize(&fx.auth, &p, "dynamodb:PutItem", BOOKS, &ctx).await,
        Decision::Allow
    );
    // A boundary caps the full-access policy.
    fx.store
        .update_user(
            ACCT,
            "alice",
            &UserChange::Boundary(Some(READ_BOOKS.into())),
        )
        .await
        .unwrap();
    let p = fx.sign_in(body).await;
    assert_eq!(
        authorize(&fx.auth, &p, "dynamodb:PutItem", BOOKS, &ctx).await,
        Decision::Deny(DenyReason::NoBoundary)
    );
    assert_eq!(
        authorize(&fx.auth, &p, "dynamodb:GetItem", BOOKS, &ctx).await,
        Decision::Allow
    );
    // A deleted key stops working on the next request.
    fx.store
        .delete_access_key(ACCT, "alice", &fx.id)
        .await
        .unwrap();
    let e = fx
        .auth
        .authenticate(
            &signed(&fx.id, &fx.secret, None, fx.clock.now(), body),
            &sha(body),
        )
        .await
        .unwrap_err();
    assert_eq!(e.type_name(), "UnrecognizedClientException");
}

#[tokio::test]
async fn leading_keys_and_principal_tags_reach_the_evaluator() {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["${aws:username}"]},"StringEquals":{"aws:PrincipalTag/team":"blue"},"Bool":{"aws:SecureTransport":"true"}}}]}"#;
    let fx = fixture(policy).await;
    let body = b"{}";
    let p = fx.sign_in(body).await;
    let own = AuthzContext {
        leading_keys: vec!["alice".into()],
        ..AuthzContext::default()
    };
    let other = AuthzContext {
        leading_keys: vec!["alice".into(), "bob".into()],
        ..AuthzContext::default()
    };
    assert_eq!(
        authorize(&fx.auth, &p, "dynamodb:GetItem", BOOKS, &own).await,
        Decision::Allow
    );
    assert_eq!(
        authorize(&fx.auth, &p, "dynamodb:GetItem", BOOKS, &other).await,
        Decision::Deny(DenyReason::NoIdentityPolicy)
    );
}

#[tokio::test]
async fn the_pipeline_builds_contexts_only_for_policies_that_read_them() {
    let leading = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["a"]}}}]}"#;
    for (policy, reads) in [(READ_BOOKS, false), (leading, true)] {
        let fx = fixture(policy).await;
        let body = b"{}";
        let p = fx.sign_in(body).await;
        assert_eq!(fx.auth.reads_request_keys(&p), reads, "{policy}");
        // A principal this provider did not authenticate: the safe answer.
        let foreign = Principal::account_root(ACCT, "AKIDOTHER", "us-east-1");
        assert!(fx.auth.reads_request_keys(&foreign));
    }
}

fn trust(principal: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"sts:AssumeRole"}}]}}"#
    )
}

async fn add_role(fx: &Fx, trust_policy: &str) {
    fx.store
        .create_role(&IamRole {
            account_id: ACCT.into(),
            role_name: "reader".into(),
            role_id: "AROAEXAMPLEREADER0001".into(),
            trust_policy: trust_policy.into(),
            tags: vec![Tag {
                key: "team".into(),
                value: "red".into(),
            }],
            permissions_boundary: None,
            created: 0,
        })
        .await
        .unwrap();
    fx.store
        .put_policy(ACCT, PolicyOwner::role("reader"), &InlinePolicy { policy_name: "R".into(), document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:PutItem"],"Resource":"*"}]}"#.into() })
        .await
        .unwrap();
}

fn assume<'a>(
    caller: &'a str,
    session_policy: Option<&'a str>,
    duration: Option<u32>,
) -> AssumeRoleRequest<'a> {
    AssumeRoleRequest {
        account_id: ACCT,
        role_name: "reader",
        caller_arn: caller,
        session_name: "test-session",
        session_tags: vec![Tag {
            key: "Project".into(),
            value: "Alpha".into(),
        }],
        session_policy,
        duration_seconds: duration,
    }
}

const ALICE: &str = "arn:aws:iam::123456789012:user/alice";

#[tokio::test]
async fn role_sessions_authenticate_with_their_token_until_they_expire() {
    let fx = fixture(READ_BOOKS).await;
    add_role(&fx, &trust(ALICE)).await;
    let sp = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"*"}]}"#;
    let creds = assume_role(
        &*fx.store,
        &fx.key,
        &*fx.clock,
        &assume(ALICE, Some(sp), Some(1800)),
    )
    .await
    .unwrap();
    assert!(creds.access_key_id.starts_with("ASIAEXTENDDB"));
    assert_eq!(creds.expiration, T0 as i64 + 1800);
    assert_eq!(
        creds.assumed_role_arn,
        "arn:aws:sts::123456789012:assumed-role/reader/test-session"
    );
    assert_eq!(creds.assumed_role_id, "AROAEXAMPLEREADER0001:test-session");
    let secret = creds.secret_access_key.expose_str().unwrap();
    let token = creds.session_token.expose_str().unwrap();
    let body = b"{}";
    let head = signed(
        &creds.access_key_id,
        secret,
        Some(token),
        fx.clock.now(),
        body,
    );
    let p = fx.auth.authenticate(&head, &sha(body)).await.unwrap();
    assert_eq!(*p.arn, *creds.assumed_role_arn);
    assert_eq!(*p.user_id, *creds.assumed_role_id);
    let ctx = AuthzContext::default();
    assert_eq!(
        authorize(&fx.auth, &p, "dynamodb:GetItem", BOOKS, &ctx).await,
        Decision::Allow
    );
    assert_eq!(
        authorize(&fx.auth, &p, "dynamodb:PutItem", BOOKS, &ctx).await,
        Decision::Deny(DenyReason::NoSessionPolicy),
        "the session policy narrows the role's"
    );
    // Without the token, or with another one: invalid token (no period).
    let invalid = ApiError::UnrecognizedClient(
        "The security token included in the request is invalid".into(),
    );
    let h = signed(&creds.access_key_id, secret, None, fx.clock.now(), body);
    assert_eq!(
        fx.auth.authenticate(&h, &sha(body)).await.unwrap_err(),
        invalid
    );
    let h = signed(
        &creds.access_key_id,
        secret,
        Some("forged"),
        fx.clock.now(),
        body,
    );
    assert_eq!(
        fx.auth.authenticate(&h, &sha(body)).await.unwrap_err(),
        invalid
    );
    // After expiry.
    fx.clock.advance(Duration::from_secs(1800));
    let h = signed(
        &creds.access_key_id,
        secret,
        Some(token),
        fx.clock.now(),
        body,
    );
    assert_eq!(
        fx.auth.authenticate(&h, &sha(body)).await.unwrap_err(),
        ApiError::ExpiredToken("The security token included in the request is expired".into())
    );
}

#[tokio::test]
async fn assume_role_follows_the_trust_policy() {
    let fx = fixture(READ_BOOKS).await;
    add_role(&fx, &trust("arn:aws:iam::123456789012:user/bob")).await;
    let e = assume_role(&*fx.store, &fx.key, &*fx.clock, &assume(ALICE, None, None))
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/reader"
    );
    // Trusting the account: the caller's own policies must allow sts:AssumeRole too.
    fx.store
        .update_role(
            ACCT,
            "reader",
            &RoleChange::TrustPolicy(trust("arn:aws:iam::123456789012:root")),
        )
        .await
        .unwrap();
    assert!(matches!(
        assume_role(&*fx.store, &fx.key, &*fx.clock, &assume(ALICE, None, None)).await,
        Err(StsError::AccessDenied(_))
    ));
    let allow = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::123456789012:role/reader"}]}"#;
    fx.store
        .put_policy(
            ACCT,
            PolicyOwner::user("alice"),
            &InlinePolicy {
                policy_name: "Assume".into(),
                document: allow.into(),
            },
        )
        .await
        .unwrap();
    let creds = assume_role(&*fx.store, &fx.key, &*fx.clock, &assume(ALICE, None, None))
        .await
        .unwrap();
    assert_eq!(creds.expiration, T0 as i64 + 3600, "default duration");
    assert!(assume_role(
        &*fx.store,
        &fx.key,
        &*fx.clock,
        &assume("arn:aws:iam::123456789012:root", None, None)
    )
    .await
    .is_ok());
    for d in [899, 43_201] {
        assert!(
            matches!(
                assume_role(
                    &*fx.store,
                    &fx.key,
                    &*fx.clock,
                    &assume(ALICE, None, Some(d))
                )
                .await,
                Err(StsError::Validation(_))
            ),
            "{d}"
        );
    }
    assert!(assume_role(
        &*fx.store,
        &fx.key,
        &*fx.clock,
        &assume(ALICE, None, Some(43_200))
    )
    .await
    .is_ok());
    assert!(matches!(
        assume_role(
            &*fx.store,
            &fx.key,
            &*fx.clock,
            &assume(ALICE, Some("{}"), None)
        )
        .await,
        Err(StsError::Validation(_))
    ));
    let mut r = assume(ALICE, None, None);
    r.role_name = "nobody";
    assert!(matches!(
        assume_role(&*fx.store, &fx.key, &*fx.clock, &r).await,
        Err(StsError::NoSuchRole(_))
    ));
    // A session's tags override the role's, and show as principal tags.
    let s = fx
        .store
        .get_session(&creds.access_key_id)
        .await
        .unwrap()
        .unwrap();
    let id = crate::resolve::session_identity(&*fx.store, &s)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(id.tags.len(), 2);
    assert_eq!(id.principal_arn, "arn:aws:iam::123456789012:role/reader");
}

#[tokio::test]
async fn the_data_key_must_match_the_catalog() {
    let fx = fixture(READ_BOOKS).await;
    assert!(matches!(
        fx.auth.check_data_key().await,
        Err(SetupError::NoKeyCheck)
    ));
    fx.store
        .put_data_key_check(&fx.key.key_check().unwrap())
        .await
        .unwrap();
    fx.auth.check_data_key().await.unwrap();
    let other = BuiltinAuth::new(fx.store.clone(), DataKey::generate(), fx.clock.clone());
    assert!(matches!(
        other.check_data_key().await,
        Err(SetupError::WrongKey)
    ));
}
