//! The management API end to end over HTTP: a real server on the embedded in-memory store with
//! the builtin provider, called as admins, IAM users and the operator.

mod common;

use base64::Engine;
use bytes::Bytes;
use common::Client;
use extenddb_auth_builtin::{operator, BuiltinAuth, DataKey};
use extenddb_backend_embedded::EmbeddedStore;
use extenddb_core::model::iam::{Account, AdminUser};
use extenddb_core::traits::IamStore;
use extenddb_server::{Management, Server, ServerConfig, Services};
use http::{Method, Request};
use http_body_util::Full;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

const ACCOUNT: &str = "111122223333";
const ADMIN_PW: &str = "admin-password";

struct Harness {
    client: Client,
    store: EmbeddedStore,
    key: DataKey,
    _running: common_running::Handle,
}

mod common_running {
    /// Keeps the server task alive for the test.
    pub struct Handle(pub tokio::task::JoinHandle<Result<(), extenddb_server::ServerError>>);
    impl Drop for Handle {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
}

async fn start(with_management: bool) -> Harness {
    let store = EmbeddedStore::in_memory().unwrap();
    let key = DataKey::generate();
    store
        .put_data_key_check(&key.key_check().unwrap())
        .await
        .unwrap();
    store
        .create_account(&Account {
            account_id: ACCOUNT.into(),
            name: "default".into(),
            created: 0,
        })
        .await
        .unwrap();
    store
        .create_admin(&AdminUser {
            name: "admin".into(),
            password_hash: extenddb_auth_builtin::secrets::hash_password(ADMIN_PW).unwrap(),
            created: 0,
        })
        .await
        .unwrap();
    let iam: Arc<dyn IamStore> = Arc::new(store.clone());
    let clock: Arc<dyn extenddb_core::clock::Clock> = Arc::new(extenddb_core::clock::SystemClock);
    let auth = BuiltinAuth::new(iam.clone(), key.clone(), clock);
    let services = Services::new(
        Arc::new(store.clone()),
        Arc::new(store.clone()),
        Arc::new(auth),
        "us-east-1",
    );
    let config = ServerConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        shutdown_grace: Duration::from_secs(1),
        ..ServerConfig::default()
    };
    let mut server = Server::bind(config, services).await.unwrap();
    if with_management {
        server = server.with_management(Management {
            iam,
            data_key: key.clone(),
        });
    }
    let client = Client::plain(server.local_addr());
    let task = tokio::spawn(server.run(std::future::pending()));
    Harness {
        client,
        store,
        key,
        _running: common_running::Handle(task),
    }
}

fn basic(user: &str, pw: &str) -> String {
    let enc = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pw}"));
    format!("Basic {enc}")
}

struct Reply {
    status: u16,
    body: Value,
    headers: http::HeaderMap,
}

impl Harness {
    async fn call(
        &self,
        auth: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let mut b = Request::builder()
            .method(method)
            .uri(self.client.uri(path))
            .header("host", format!("localhost:{}", self.client.addr.port()));
        if let Some(a) = auth {
            b = b.header("authorization", a);
        }
        let bytes = body.map(|v| v.to_string()).unwrap_or_default();
        let req = b.body(Full::new(Bytes::from(bytes))).unwrap();
        let a = self.client.send(req).await;
        let body = if a.body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&a.body)
                .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&a.body)))
        };
        Reply {
            status: a.status.as_u16(),
            body,
            headers: a.headers,
        }
    }

    async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.call(Some(&basic("admin", ADMIN_PW)), method, path, body)
            .await
    }

    async fn as_user(
        &self,
        user: &str,
        pw: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        self.call(
            Some(&basic(&format!("{ACCOUNT}/{user}"), pw)),
            method,
            path,
            body,
        )
        .await
    }

    async fn make_user(&self, name: &str, pw: &str) {
        let r = self
            .admin(
                Method::POST,
                &format!("/management/accounts/{ACCOUNT}/users"),
                Some(json!({"user_name": name, "password": pw})),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
}

fn assert_error(r: &Reply, status: u16, code: &str) {
    assert_eq!(r.status, status, "{:?}", r.body);
    assert_eq!(r.body["code"], code, "{:?}", r.body);
    assert_eq!(r.body["status"], status);
    assert!(r.body["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn admins_are_listed_created_changed_and_never_all_deleted() {
    let h = start(true).await;
    let r = h.admin(Method::GET, "/management/whoami", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, json!({"kind": "admin", "name": "admin"}));
    let r = h
        .admin(
            Method::POST,
            "/management/admins",
            Some(json!({"admin_name": "ops", "password": "secret123"})),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["admin_name"], "ops");
    assert!(r.body.get("password").is_none());
    let r = h.admin(Method::GET, "/management/admins", None).await;
    let names: Vec<&str> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["admin_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["admin", "ops"]);
    let r = h
        .admin(
            Method::PUT,
            "/management/admins/ops/password",
            Some(json!({"new_password": "newpw"})),
        )
        .await;
    assert_eq!(r.status, 204);
    let ops = h
        .call(
            Some(&basic("ops", "newpw")),
            Method::GET,
            "/management/whoami",
            None,
        )
        .await;
    assert_eq!(ops.body["name"], "ops");
    let old = h
        .call(
            Some(&basic("ops", "secret123")),
            Method::GET,
            "/management/whoami",
            None,
        )
        .await;
    assert_error(&old, 401, "Unauthenticated");
    let dup = h
        .admin(
            Method::POST,
            "/management/admins",
            Some(json!({"admin_name": "ops", "password": "x"})),
        )
        .await;
    assert_error(&dup, 409, "EntityAlreadyExists");
    assert_eq!(
        h.admin(Method::DELETE, "/management/admins/ops", None)
            .await
            .status,
        204
    );
    let last = h
        .admin(Method::DELETE, "/management/admins/admin", None)
        .await;
    assert_error(&last, 409, "DeleteConflict");
    assert_error(
        &h.admin(Method::DELETE, "/management/admins/ghost", None)
            .await,
        404,
        "NoSuchEntity",
    );
}

#[tokio::test]
async fn credentials_are_checked_and_failures_rate_limited_per_principal() {
    let h = start(true).await;
    let none = h.call(None, Method::GET, "/management/whoami", None).await;
    assert_error(&none, 401, "Unauthenticated");
    assert!(none.headers.contains_key("www-authenticate"));
    let garbage = h
        .call(Some("Basic !!!"), Method::GET, "/management/whoami", None)
        .await;
    assert_error(&garbage, 401, "Unauthenticated");
    let bearer = h
        .call(Some("Bearer x"), Method::GET, "/management/whoami", None)
        .await;
    assert_error(&bearer, 401, "Unauthenticated");
    let unknown = h
        .call(
            Some(&basic("nobody", "x")),
            Method::GET,
            "/management/whoami",
            None,
        )
        .await;
    assert_error(&unknown, 401, "Unauthenticated");
    for _ in 0..extenddb_server::management::MAX_FAILURES {
        let r = h
            .call(
                Some(&basic("admin", "wrong")),
                Method::GET,
                "/management/whoami",
                None,
            )
            .await;
        assert_error(&r, 401, "Unauthenticated");
        assert_eq!(r.body["message"], "Invalid user name or password");
    }
    let locked = h.admin(Method::GET, "/management/whoami", None).await;
    assert_error(&locked, 429, "TooManyFailedLogins");
    assert!(locked.headers.contains_key("retry-after"));
    // Another principal is not affected.
    h.store
        .create_admin(&AdminUser {
            name: "ops".into(),
            password_hash: extenddb_auth_builtin::secrets::hash_password("pw").unwrap(),
            created: 0,
        })
        .await
        .unwrap();
    let other = h
        .call(
            Some(&basic("ops", "pw")),
            Method::GET,
            "/management/whoami",
            None,
        )
        .await;
    assert_eq!(other.status, 200);
}

#[tokio::test]
async fn accounts_are_created_listed_and_deleted_unless_they_own_tables() {
    let h = start(true).await;
    let r = h
        .admin(
            Method::POST,
            "/management/accounts",
            Some(json!({"account_id": "123456789012", "account_name": "dev-team"})),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["account_id"], "123456789012");
    let r = h
        .admin(
            Method::POST,
            "/management/accounts",
            Some(json!({"account_name": "random"})),
        )
        .await;
    assert_eq!(r.status, 201);
    let random = r.body["account_id"].as_str().unwrap().to_string();
    assert!(random.len() == 12 && random.bytes().all(|b| b.is_ascii_digit()));
    assert_error(
        &h.admin(
            Method::POST,
            "/management/accounts",
            Some(json!({"account_id": "12345", "account_name": "x"})),
        )
        .await,
        400,
        "ValidationError",
    );
    assert_error(
        &h.admin(
            Method::POST,
            "/management/accounts",
            Some(json!({"account_id": "123456789012", "account_name": "x"})),
        )
        .await,
        409,
        "EntityAlreadyExists",
    );
    let page = h
        .admin(Method::GET, "/management/accounts?max_items=2", None)
        .await;
    assert_eq!(page.body["items"].as_array().unwrap().len(), 2);
    let marker = page.body["next_marker"].as_str().unwrap().to_string();
    let rest = h
        .admin(
            Method::GET,
            &format!("/management/accounts?max_items=2&marker={marker}"),
            None,
        )
        .await;
    assert_eq!(rest.body["items"].as_array().unwrap().len(), 1);
    assert!(rest.body.get("next_marker").is_none());
    assert_error(
        &h.admin(Method::GET, "/management/accounts?max_items=0", None)
            .await,
        400,
        "ValidationError",
    );

    // A table in the account blocks its deletion.
    let def = extenddb_core::testsuite::hash_table_definition("123456789012", "MyTable", 1);
    extenddb_core::traits::Catalog::create_table(&h.store, &def)
        .await
        .unwrap();
    let refused = h
        .admin(Method::DELETE, "/management/accounts/123456789012", None)
        .await;
    assert_error(&refused, 409, "DeleteConflict");
    assert!(
        refused.body["message"]
            .as_str()
            .unwrap()
            .contains("MyTable"),
        "{:?}",
        refused.body
    );
    extenddb_core::traits::Catalog::delete_table(&h.store, "123456789012", "MyTable")
        .await
        .unwrap();
    assert_eq!(
        h.admin(Method::DELETE, "/management/accounts/123456789012", None)
            .await
            .status,
        204
    );
    assert_error(
        &h.admin(Method::GET, "/management/accounts/123456789012", None)
            .await,
        404,
        "NoSuchEntity",
    );
}

const U: &str = "/management/accounts/111122223333/users";

#[tokio::test]
async fn users_serve_themselves_and_nothing_else() {
    let h = start(true).await;
    h.make_user("alice", "secret").await;
    h.make_user("bob", "bobpw").await;
    let who = h
        .as_user("alice", "secret", Method::GET, "/management/whoami", None)
        .await;
    assert_eq!(who.body["kind"], "user");
    assert_eq!(who.body["arn"], "arn:aws:iam::111122223333:user/alice");

    // Own access keys: create (secret once), list (no secret), deactivate, delete.
    let k = h
        .as_user(
            "alice",
            "secret",
            Method::POST,
            &format!("{U}/alice/access-keys"),
            None,
        )
        .await;
    assert_eq!(k.status, 201, "{:?}", k.body);
    let id = k.body["access_key_id"].as_str().unwrap().to_string();
    assert!(id.starts_with("AKIAEXTENDDB") && id.len() == 20);
    let secret = k.body["secret_access_key"].as_str().unwrap();
    assert!(secret.starts_with("extenddb") && secret.len() == 40);
    let list = h
        .as_user(
            "alice",
            "secret",
            Method::GET,
            &format!("{U}/alice/access-keys"),
            None,
        )
        .await;
    assert_eq!(list.body["items"][0]["access_key_id"], id.as_str());
    assert!(
        !list.body.to_string().contains(secret),
        "a list never shows a secret"
    );
    let off = h
        .as_user(
            "alice",
            "secret",
            Method::PUT,
            &format!("{U}/alice/access-keys/{id}/status"),
            Some(json!({"status": "Inactive"})),
        )
        .await;
    assert_eq!(off.status, 204);
    let list = h
        .admin(Method::GET, &format!("{U}/alice/access-keys"), None)
        .await;
    assert_eq!(list.body["items"][0]["status"], "Inactive");
    // Case-insensitive self (ARNs are exact, so the server uses the stored spelling).
    let upper = h
        .as_user(
            "ALICE",
            "secret",
            Method::GET,
            &format!("{U}/ALICE/access-keys"),
            None,
        )
        .await;
    assert_eq!(upper.status, 200, "{:?}", upper.body);
    assert_eq!(
        h.as_user(
            "alice",
            "secret",
            Method::DELETE,
            &format!("{U}/alice/access-keys/{id}"),
            None
        )
        .await
        .status,
        204
    );

    // Own password; the old one stops working.
    let pw = h
        .as_user(
            "alice",
            "secret",
            Method::PUT,
            &format!("{U}/alice/password"),
            Some(json!({"new_password": "newsecret"})),
        )
        .await;
    assert_eq!(pw.status, 204);
    assert_error(
        &h.as_user("alice", "secret", Method::GET, "/management/whoami", None)
            .await,
        401,
        "Unauthenticated",
    );
    let me = h
        .as_user(
            "alice",
            "newsecret",
            Method::GET,
            &format!("{U}/alice"),
            None,
        )
        .await;
    assert_eq!(me.body["user_name"], "alice");
    assert_eq!(me.body["has_password"], true);

    // Nothing else: other users, user management, other accounts, admin routes.
    let denied = h
        .as_user(
            "alice",
            "newsecret",
            Method::POST,
            &format!("{U}/bob/access-keys"),
            None,
        )
        .await;
    assert_error(&denied, 403, "AccessDenied");
    assert_eq!(
        denied.body["message"],
        "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: iam:CreateAccessKey on resource: arn:aws:iam::111122223333:user/bob because no identity-based policy allows the iam:CreateAccessKey action"
    );
    for (m, p, b) in [
        (
            Method::POST,
            U.to_string(),
            Some(json!({"user_name": "eve"})),
        ),
        (Method::GET, U.to_string(), None),
        (Method::DELETE, format!("{U}/bob"), None),
        (
            Method::PUT,
            format!("{U}/alice/policies/Mine"),
            Some(
                json!({"policy_document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}),
            ),
        ),
        (
            Method::POST,
            format!("{U}/alice/tags"),
            Some(json!({"tags": [{"key": "k", "value": "v"}]})),
        ),
        (
            Method::PUT,
            format!("{U}/alice/boundary"),
            Some(json!({"policy_document": "{}"})),
        ),
        (Method::GET, "/management/accounts".to_string(), None),
        (Method::GET, "/management/admins".to_string(), None),
        (
            Method::PUT,
            "/management/settings/log_level".to_string(),
            Some(json!({"value": "debug"})),
        ),
        (
            Method::GET,
            "/management/accounts/999988887777/users/alice".to_string(),
            None,
        ),
        (
            Method::POST,
            format!("{U}/alice/access-keys/import"),
            Some(
                json!({"access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}),
            ),
        ),
    ] {
        let r = h.as_user("alice", "newsecret", m.clone(), &p, b).await;
        assert_error(&r, 403, "AccessDenied");
    }
    // The runtime settings are readable (they hold no secret), not writable (above).
    let r = h
        .as_user(
            "alice",
            "newsecret",
            Method::GET,
            "/management/settings",
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(r.body["items"]
        .as_array()
        .is_some_and(|items| items.iter().any(|i| i["name"] == "log_level")));
    let r = h
        .as_user(
            "alice",
            "newsecret",
            Method::GET,
            "/management/settings/log_level",
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // Reading own policies, groups and tags is allowed.
    for p in ["policies", "groups", "tags", "boundary"] {
        let r = h
            .as_user(
                "alice",
                "newsecret",
                Method::GET,
                &format!("{U}/alice/{p}"),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{p}: {:?}", r.body);
    }
    // An admin's explicit Deny in the user's own policy takes self-service away.
    let deny = json!({"policy_document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:CreateAccessKey", "Resource": "*"}]}});
    assert_eq!(
        h.admin(
            Method::PUT,
            &format!("{U}/alice/policies/NoKeys"),
            Some(deny)
        )
        .await
        .status,
        200
    );
    let r = h
        .as_user(
            "alice",
            "newsecret",
            Method::POST,
            &format!("{U}/alice/access-keys"),
            None,
        )
        .await;
    assert_error(&r, 403, "AccessDenied");
    assert!(r.body["message"]
        .as_str()
        .unwrap()
        .ends_with("with an explicit deny in an identity-based policy"));
    // A user without a password cannot log in at all.
    h.admin(Method::POST, U, Some(json!({"user_name": "nopw"})))
        .await;
    assert_error(
        &h.as_user("nopw", "", Method::GET, "/management/whoami", None)
            .await,
        401,
        "Unauthenticated",
    );
}

#[tokio::test]
async fn import_follows_the_live_setting_and_settings_go_through_the_operator_signature() {
    let h = start(true).await;
    h.make_user("alice", "secret").await;
    let body = json!({"access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"});
    let set = |v: &str| json!({"value": v});
    let r = h
        .admin(
            Method::PUT,
            "/management/settings/allow_credential_import",
            Some(set("false")),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["value"], "false");
    let refused = h
        .admin(
            Method::POST,
            &format!("{U}/alice/access-keys/import"),
            Some(body.clone()),
        )
        .await;
    assert_error(&refused, 403, "CredentialImportDisabled");

    // The operator (data key holder) signs instead of logging in.
    let path = "/management/settings/allow_credential_import";
    let payload = set("true").to_string();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let sig = operator::sign(&h.key, "PUT", path, now, payload.as_bytes());
    let r = h
        .call(Some(&sig), Method::PUT, path, Some(set("true")))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let wrong = operator::sign(&DataKey::generate(), "PUT", path, now, payload.as_bytes());
    assert_error(
        &h.call(Some(&wrong), Method::PUT, path, Some(set("true")))
            .await,
        401,
        "Unauthenticated",
    );
    let stale = operator::sign(&h.key, "PUT", path, now - 3_600, payload.as_bytes());
    assert_error(
        &h.call(Some(&stale), Method::PUT, path, Some(set("true")))
            .await,
        401,
        "Unauthenticated",
    );
    // The operator signature opens the settings, nothing else.
    let p = "/management/accounts";
    let sig = operator::sign(&h.key, "GET", p, now, b"");
    assert_error(
        &h.call(Some(&sig), Method::GET, p, None).await,
        403,
        "AccessDenied",
    );

    let ok = h
        .admin(
            Method::POST,
            &format!("{U}/alice/access-keys/import"),
            Some(body.clone()),
        )
        .await;
    assert_eq!(ok.status, 201, "{:?}", ok.body);
    assert_eq!(ok.body["access_key_id"], "AKIAIOSFODNN7EXAMPLE");
    assert!(ok.body.get("secret_access_key").is_none());
    assert_error(
        &h.admin(
            Method::POST,
            &format!("{U}/alice/access-keys/import"),
            Some(body),
        )
        .await,
        409,
        "EntityAlreadyExists",
    );
    let bad =
        json!({"access_key_id": "ASIA0123456789ABCDEF", "secret_access_key": "0123456789abcdef"});
    assert_error(
        &h.admin(
            Method::POST,
            &format!("{U}/alice/access-keys/import"),
            Some(bad),
        )
        .await,
        400,
        "ValidationError",
    );

    let list = h.admin(Method::GET, "/management/settings", None).await;
    let names: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"allow_credential_import") && names.contains(&"log_level"));
    assert_error(
        &h.admin(
            Method::PUT,
            "/management/settings/log_level",
            Some(set("loud")),
        )
        .await,
        400,
        "ValidationError",
    );
    assert_error(
        &h.admin(Method::GET, "/management/settings/nope", None)
            .await,
        404,
        "NoSuchEntity",
    );
}

#[tokio::test]
async fn groups_policies_tags_boundaries_and_roles() {
    let h = start(true).await;
    h.make_user("alice", "secret").await;
    let a = "/management/accounts/111122223333";
    assert_eq!(
        h.admin(
            Method::POST,
            &format!("{a}/groups"),
            Some(json!({"group_name": "developers"}))
        )
        .await
        .status,
        201
    );
    assert_error(
        &h.admin(
            Method::POST,
            &format!("{a}/groups"),
            Some(json!({"group_name": "Developers"})),
        )
        .await,
        409,
        "EntityAlreadyExists",
    );
    assert_error(
        &h.admin(
            Method::POST,
            &format!("{a}/groups"),
            Some(json!({"group_name": "bad name"})),
        )
        .await,
        400,
        "ValidationError",
    );
    assert_eq!(
        h.admin(
            Method::PUT,
            &format!("{a}/groups/developers/members/alice"),
            None
        )
        .await
        .status,
        204
    );
    let g = h
        .admin(Method::GET, &format!("{a}/groups/developers"), None)
        .await;
    assert_eq!(g.body["members"], json!(["alice"]));
    let mine = h
        .as_user(
            "alice",
            "secret",
            Method::GET,
            &format!("{U}/alice/groups"),
            None,
        )
        .await;
    assert_eq!(mine.body["items"][0]["group_name"], "developers");
    assert_eq!(
        h.admin(
            Method::DELETE,
            &format!("{a}/groups/developers/members/alice"),
            None
        )
        .await
        .status,
        204
    );
    assert_error(
        &h.admin(
            Method::DELETE,
            &format!("{a}/groups/developers/members/alice"),
            None,
        )
        .await,
        404,
        "NoSuchEntity",
    );

    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]});
    let put = h
        .admin(
            Method::PUT,
            &format!("{a}/groups/developers/policies/FullAccess"),
            Some(json!({"policy_document": doc.to_string()})),
        )
        .await;
    assert_eq!(put.status, 200);
    let list = h
        .admin(
            Method::GET,
            &format!("{a}/groups/developers/policies"),
            None,
        )
        .await;
    assert_eq!(list.body["items"][0]["policy_name"], "FullAccess");
    let no_version = json!({"policy_document": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}});
    assert_error(
        &h.admin(
            Method::PUT,
            &format!("{U}/alice/policies/P"),
            Some(no_version),
        )
        .await,
        400,
        "MalformedPolicyDocument",
    );
    assert_error(
        &h.admin(
            Method::PUT,
            &format!("{U}/alice/policies/P"),
            Some(json!({"policy_document": "not json"})),
        )
        .await,
        400,
        "MalformedPolicyDocument",
    );
    let big = json!({"policy_document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": format!("arn:aws:dynamodb:*:*:table/{}", "x".repeat(7000))}]}});
    assert_error(
        &h.admin(Method::PUT, &format!("{U}/alice/policies/P"), Some(big))
            .await,
        400,
        "MalformedPolicyDocument",
    );
    assert_error(
        &h.admin(
            Method::PUT,
            &format!("{U}/ghost/policies/P"),
            Some(json!({"policy_document": doc.clone()})),
        )
        .await,
        404,
        "NoSuchEntity",
    );
    assert_error(
        &h.admin(
            Method::DELETE,
            &format!("{a}/groups/developers/policies/Nope"),
            None,
        )
        .await,
        404,
        "NoSuchEntity",
    );
    assert_eq!(
        h.admin(Method::DELETE, &format!("{a}/groups/developers"), None)
            .await
            .status,
        204
    );

    let tags = h.admin(Method::POST, &format!("{U}/alice/tags"), Some(json!({"tags": [{"key": "Department", "value": "Engineering"}, {"key": "Team", "value": "A"}]}))).await;
    assert_eq!(tags.body["tags"].as_array().unwrap().len(), 2);
    let after = h
        .admin(
            Method::DELETE,
            &format!("{U}/alice/tags?keys=Department,Team"),
            None,
        )
        .await;
    assert_eq!(after.body["tags"], json!([]));
    assert_error(
        &h.admin(Method::DELETE, &format!("{U}/alice/tags"), None)
            .await,
        400,
        "ValidationError",
    );

    let b = h
        .admin(
            Method::PUT,
            &format!("{U}/alice/boundary"),
            Some(json!({"policy_document": doc.clone()})),
        )
        .await;
    assert_eq!(b.status, 200);
    let got = h
        .as_user(
            "alice",
            "secret",
            Method::GET,
            &format!("{U}/alice/boundary"),
            None,
        )
        .await;
    assert_eq!(got.body["permissions_boundary"], doc.to_string());
    assert_eq!(
        h.admin(Method::DELETE, &format!("{U}/alice/boundary"), None)
            .await
            .status,
        204
    );
    assert_eq!(
        h.admin(Method::GET, &format!("{U}/alice/boundary"), None)
            .await
            .body["permissions_boundary"],
        Value::Null
    );

    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"}, "Action": "sts:AssumeRole"}]});
    let role = h
        .admin(
            Method::POST,
            &format!("{a}/roles"),
            Some(json!({"role_name": "data-reader", "trust_policy": trust.to_string()})),
        )
        .await;
    assert_eq!(role.status, 201, "{:?}", role.body);
    assert_error(
        &h.admin(
            Method::POST,
            &format!("{a}/roles"),
            Some(json!({"role_name": "r2", "trust_policy": "{}"})),
        )
        .await,
        400,
        "MalformedPolicyDocument",
    );
    let read = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]});
    assert_eq!(
        h.admin(
            Method::PUT,
            &format!("{a}/roles/data-reader/policies/ReadOnly"),
            Some(json!({"policy_document": read}))
        )
        .await
        .status,
        200
    );
    let sessions = format!("{a}/roles/data-reader/sessions");
    let creds = h
        .admin(Method::POST, &sessions, Some(json!({"caller_arn": "arn:aws:iam::111122223333:user/alice", "session_name": "test-session", "session_tags": [{"key": "Project", "value": "Alpha"}], "session_policy": read, "duration_seconds": 1800})))
        .await;
    assert_eq!(creds.status, 201, "{:?}", creds.body);
    assert!(creds.body["access_key_id"]
        .as_str()
        .unwrap()
        .starts_with("ASIAEXTENDDB"));
    assert!(creds.body["session_token"]
        .as_str()
        .is_some_and(|t| t.len() == 64));
    assert_eq!(
        creds.body["assumed_role_arn"],
        "arn:aws:sts::111122223333:assumed-role/data-reader/test-session"
    );
    let untrusted = h
        .admin(
            Method::POST,
            &sessions,
            Some(json!({"caller_arn": "arn:aws:iam::111122223333:user/bob", "session_name": "s1"})),
        )
        .await;
    assert_error(&untrusted, 403, "AccessDenied");
    let short = h.admin(Method::POST, &sessions, Some(json!({"caller_arn": "arn:aws:iam::111122223333:user/alice", "session_name": "s1", "duration_seconds": 899}))).await;
    assert_error(&short, 400, "ValidationError");
    // A user assumes a role that trusts it, as itself only.
    let own = h.as_user("alice", "secret", Method::POST, &sessions, Some(json!({"caller_arn": "arn:aws:iam::111122223333:user/alice", "session_name": "mine"}))).await;
    assert_eq!(own.status, 201, "{:?}", own.body);
    let other = h
        .as_user(
            "alice",
            "secret",
            Method::POST,
            &sessions,
            Some(json!({"caller_arn": "arn:aws:iam::111122223333:root", "session_name": "x1"})),
        )
        .await;
    assert_error(&other, 403, "AccessDenied");
    assert_error(
        &h.admin(
            Method::POST,
            &format!("{a}/roles/ghost/sessions"),
            Some(
                json!({"caller_arn": "arn:aws:iam::111122223333:user/alice", "session_name": "s1"}),
            ),
        )
        .await,
        404,
        "NoSuchEntity",
    );
    assert_eq!(
        h.admin(Method::DELETE, &format!("{a}/roles/data-reader"), None)
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn bad_requests_are_json_4xx_never_500() {
    let h = start(true).await;
    let r = h.admin(Method::GET, "/management/nothing/here", None).await;
    assert_error(&r, 404, "UnknownRoute");
    let r = h.admin(Method::PATCH, "/management/admins", None).await;
    assert_error(&r, 405, "MethodNotAllowed");
    let r = h.admin(Method::POST, "/management/admins", None).await;
    assert_error(&r, 400, "InvalidRequestBody");
    let r = h
        .admin(
            Method::POST,
            "/management/admins",
            Some(json!({"admin_name": "x"})),
        )
        .await;
    assert_error(&r, 400, "InvalidRequestBody");
    let r = h
        .admin(
            Method::POST,
            "/management/admins",
            Some(json!({"admin_name": "x", "password": "y", "extra": 1})),
        )
        .await;
    assert_error(&r, 400, "InvalidRequestBody");
    let r = h
        .admin(
            Method::POST,
            "/management/admins",
            Some(json!({"admin_name": "has space", "password": "y"})),
        )
        .await;
    assert_error(&r, 400, "ValidationError");
    let r = h
        .admin(
            Method::POST,
            "/management/admins",
            Some(json!({"admin_name": "x", "password": ""})),
        )
        .await;
    assert_error(&r, 400, "ValidationError");
    let r = h
        .admin(Method::GET, "/management/accounts/abc/users", None)
        .await;
    assert_error(&r, 400, "ValidationError");
    let r = h
        .admin(Method::POST, U, Some(json!({"user_name": "x".repeat(65)})))
        .await;
    assert_error(&r, 400, "ValidationError");
    let r = h
        .admin(Method::GET, "/management/accounts?max_items=lots", None)
        .await;
    assert_error(&r, 400, "ValidationError");
    let r = h.admin(Method::GET, &format!("{U}/ghost"), None).await;
    assert_error(&r, 404, "NoSuchEntity");

    let off = start(false).await;
    let r = off.admin(Method::GET, "/management/whoami", None).await;
    assert_error(&r, 503, "ManagementDisabled");
}
