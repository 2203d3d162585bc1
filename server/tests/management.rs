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
