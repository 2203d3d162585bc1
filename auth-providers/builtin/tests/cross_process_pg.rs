//! Cross-process cache invalidation on a real PostgreSQL: the provider runs over one store
//! handle, IAM changes arrive through another (as from another extenddb process); the provider
//! notices them within `VERSION_TTL` by the IAM version, and not before (the cache is real).
//! Needs EXTENDDB_TEST_PG_HOST/PORT/USER (scripts/pg-cluster.sh); skipped without them.

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use extenddb_auth_builtin::cache::VERSION_TTL;
use extenddb_auth_builtin::credentials::create_access_key;
use extenddb_auth_builtin::{BuiltinAuth, DataKey};
use extenddb_backend_postgres::{migrate_catalog, Admin, PgOptions, PgStore};
use extenddb_core::clock::{Clock, ManualClock};
use extenddb_core::model::iam::{Account, IamUser, InlinePolicy, PolicyOwner};
use extenddb_core::traits::{
    AuthProvider, AuthzContext, AuthzRequest, Decision, IamStore, RequestFacts, RequestHead,
};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;

fn admin_options() -> Option<PgOptions> {
    let (Ok(host), Ok(port), Ok(user)) = (
        std::env::var("EXTENDDB_TEST_PG_HOST"),
        std::env::var("EXTENDDB_TEST_PG_PORT"),
        std::env::var("EXTENDDB_TEST_PG_USER"),
    ) else {
        eprintln!("SKIPPED: EXTENDDB_TEST_PG_HOST/PORT/USER unset (see scripts/pg-cluster.sh)");
        return None;
    };
    Some(PgOptions {
        host,
        port: port.parse().ok()?,
        user,
        password: std::env::var("EXTENDDB_TEST_PG_PASSWORD").ok(),
        ..PgOptions::default()
    })
}

fn signed(id: &str, secret: &str, clock: &dyn Clock, body: &[u8]) -> RequestHead {
    let identity = Credentials::new(id, secret, None, None, "t").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("dynamodb")
        .time(clock.now())
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let headers = [("host", "localhost:8000")];
    let signable = SignableRequest::new(
        "POST",
        "https://localhost:8000/",
        headers.into_iter(),
        SignableBody::Bytes(body),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut req = http::Request::builder()
        .method("POST")
        .uri("https://localhost:8000/")
        .header("host", "localhost:8000")
        .body(())
        .unwrap();
    instructions.apply_to_request_http1x(&mut req);
    let mut head = RequestHead::from_pairs("POST", "/", "", []);
    head.headers = req.headers().clone();
    head
}

async fn decide(auth: &BuiltinAuth, p: extenddb_core::traits::Principal) -> Decision {
    let facts = RequestFacts::default();
    let ctx = AuthzContext::default();
    let req = AuthzRequest {
        action: "dynamodb:GetItem",
        resource: "arn:aws:dynamodb:us-east-1:123456789012:table/T",
        facts: &facts,
        context: &ctx,
    };
    auth.authorize(&p, &req).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_process_change_is_seen_within_the_ttl() {
    let Some(admin) = admin_options() else { return };
    let opts = PgOptions {
        catalog_db: format!("xdb_auth_{}_catalog", std::process::id()),
        data_db: format!("xdb_auth_{}_data", std::process::id()),
        ..admin.clone()
    };
    let mut a = Admin::connect(&admin).await.unwrap();
    a.create_database(&opts.catalog_db, &admin.user)
        .await
        .unwrap();
    a.create_database(&opts.data_db, &admin.user).await.unwrap();
    a.close().await.unwrap();
    let ours = PgStore::connect(&opts).await.unwrap();
    migrate_catalog(ours.catalog_pool()).await.unwrap();
    let theirs = PgStore::connect(&opts).await.unwrap();

    let acct = "123456789012";
    theirs
        .create_account(&Account {
            account_id: acct.into(),
            name: "d".into(),
            created: 0,
        })
        .await
        .unwrap();
    theirs
        .create_user(&IamUser {
            account_id: acct.into(),
            user_name: "alice".into(),
            user_id: "AIDAEXAMPLEALICE00001".into(),
            password_hash: None,
            tags: vec![],
            permissions_boundary: None,
            created: 0,
        })
        .await
        .unwrap();
    let key = DataKey::generate();
    let clock = Arc::new(ManualClock::at_epoch_seconds(1_780_315_200));
    let (ak, secret) = create_access_key(&theirs, &key, &*clock, acct, "alice")
        .await
        .unwrap();
    let secret = secret.expose_str().unwrap().to_string();
    let auth = BuiltinAuth::new(Arc::new(ours.clone()), key, clock.clone());

    let body = b"{}";
    let sha: [u8; 32] = Sha256::digest(body).into();
    let p = auth
        .authenticate(&signed(&ak.access_key_id, &secret, &*clock, body), &sha)
        .await
        .unwrap();
    assert!(matches!(decide(&auth, p).await, Decision::Deny(_)));

    // The other process grants GetItem: not seen before the TTL (cached), seen after it.
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"*"}]}"#;
    theirs
        .put_policy(
            acct,
            PolicyOwner::user("alice"),
            &InlinePolicy {
                policy_name: "P".into(),
                document: doc.into(),
            },
        )
        .await
        .unwrap();
    clock.advance(Duration::from_millis(500));
    let p = auth
        .authenticate(&signed(&ak.access_key_id, &secret, &*clock, body), &sha)
        .await
        .unwrap();
    assert!(
        matches!(decide(&auth, p).await, Decision::Deny(_)),
        "still cached within the TTL"
    );
    clock.advance(VERSION_TTL);
    let p = auth
        .authenticate(&signed(&ak.access_key_id, &secret, &*clock, body), &sha)
        .await
        .unwrap();
    assert_eq!(
        decide(&auth, p).await,
        Decision::Allow,
        "seen after the TTL"
    );

    // The other process deletes the key: refused once the TTL has passed.
    theirs
        .delete_access_key(acct, "alice", &ak.access_key_id)
        .await
        .unwrap();
    clock.advance(VERSION_TTL);
    let e = auth
        .authenticate(&signed(&ak.access_key_id, &secret, &*clock, body), &sha)
        .await
        .unwrap_err();
    assert_eq!(e.type_name(), "UnrecognizedClientException");

    ours.close().await;
    theirs.close().await;
    let mut a = Admin::connect(&admin).await.unwrap();
    a.drop_database(&opts.catalog_db).await.unwrap();
    a.drop_database(&opts.data_db).await.unwrap();
}
