//! The management API: `/management/*` on the DynamoDB listener, a JSON API over HTTP Basic
//! authentication for admins and IAM users (self-service), authorized as `iam:*` actions by
//! the builtin provider's evaluator, every change audited at WARN under
//! `extenddb::audit::manage` (`extenddb::audit::settings` for runtime settings), never a
//! secret in a log. `extenddb manage` and the web console are its clients; `api` holds the
//! wire types they share, `routes` the route table (docs/management.md).
//!
//! The router is axum's, reached from the hyper service's routing for paths under
//! `/management`; the body is read (at most `MAX_BODY_BYTES`) before it, so handlers get it
//! whole and operator signatures can cover it. Without a `Management` (the server's auth
//! provider is not `builtin`) every management path answers 503 `ManagementDisabled`.

mod accounts;
mod admins;
pub mod api;
mod boundaries;
mod caller;
mod default_policies;
pub mod error;
mod extract;
mod groups;
mod keys;
mod limiter;
mod policies;
mod roles;
pub mod routes;
mod settings;
mod tags;
mod users;
mod views;

use crate::body::{read_limited, BodyError};
use crate::dynamodb::Peer;
use crate::request_id::RequestId;
use crate::response::{Body as RespBody, X_AMZN_REQUEST_ID};
use axum::response::IntoResponse;
use bytes::Bytes;
use caller::{Caller, Facts};
pub(crate) use caller::{SessionLogin, Who};
use error::MgmtError;
use extenddb_auth_builtin::DataKey;
use extenddb_core::traits::IamStore;
use extenddb_core::Services;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Body;
use std::sync::Arc;
use std::time::UNIX_EPOCH;
use tower::ServiceExt;

pub use default_policies::{ADMIN_POLICY, OPERATOR_POLICY, SELF_SERVICE_POLICY};
pub use limiter::{MAX_FAILURES, WINDOW};

/// Largest management request body.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What the management API needs beyond the services: the IAM store (the same handle the
/// builtin provider caches from, so a change here reaches its cache at once) and the data key
/// (to seal new secrets and check operator signatures).
pub struct Management {
    /// The IAM store.
    pub iam: Arc<dyn IamStore>,
    /// The deployment's data key.
    pub data_key: DataKey,
}

/// The management API's shared state.
pub struct MgmtState {
    services: Arc<Services>,
    iam: Arc<dyn IamStore>,
    key: DataKey,
    limiter: limiter::LoginLimiter,
}

impl MgmtState {
    /// Now, in epoch seconds (the services' clock).
    fn now_secs(&self) -> i64 {
        self.services
            .clock
            .now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }
}

/// The management API of one server: its state and router.
pub(crate) struct ManagementApi {
    router: axum::Router,
    state: Arc<MgmtState>,
}

impl ManagementApi {
    /// The API over `services` and `m`.
    pub(crate) fn new(services: Arc<Services>, m: Management) -> ManagementApi {
        let state = Arc::new(MgmtState {
            services,
            iam: m.iam,
            key: m.data_key,
            limiter: limiter::LoginLimiter::default(),
        });
        ManagementApi {
            router: routes::router(state.clone()),
            state,
        }
    }

    /// Checks a console login's password with the management API's own check and failed-login
    /// limiter: who it is, or the management error to show.
    pub(crate) async fn login(
        &self,
        login: &str,
        password: zeroize::Zeroizing<String>,
    ) -> Result<Who, MgmtError> {
        let now = self.state.services.clock.now();
        caller::check_password(&self.state, login, password, now).await
    }

    /// Who a console session's `login` is now (`None`: deleted since).
    pub(crate) async fn resolve(&self, login: &str) -> Result<Option<Who>, MgmtError> {
        caller::resolve_login(&self.state, login).await
    }

    /// The IAM store.
    pub(crate) fn iam(&self) -> &Arc<dyn IamStore> {
        &self.state.iam
    }
}

/// `GET /management/whoami`.
async fn whoami(c: Caller) -> views::Answer {
    let (kind, name, account_id, arn) = match &c.who {
        Who::Admin(n) => ("admin", n.clone(), None, None),
        Who::User(u) => (
            "user",
            u.user_name.clone(),
            Some(u.account_id.clone()),
            Some(u.arn()),
        ),
        Who::Operator => ("operator", "operator".to_string(), None, None),
    };
    views::ok(api::WhoAmI {
        kind: kind.to_string(),
        name,
        account_id,
        arn,
    })
}

/// Whether `path` is the management API's.
pub(crate) fn is_management(path: &str) -> bool {
    path.strip_prefix(api::PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Answers one request under `/management` (`api` is `None` when the server has no
/// management API).
pub(crate) async fn handle<B>(
    api: Option<&ManagementApi>,
    req: Request<B>,
    id: &RequestId,
    peer: Peer,
) -> Response<RespBody>
where
    B: Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let resp = match api {
        None => MgmtError::disabled().into_response(),
        Some(api) => serve(api, req, peer, None).await,
    };
    finish(resp, id).await
}

/// Answers a request the web console forwards for its session's `login`: `req`'s path is
/// already the management path (`/management/...`).
pub(crate) async fn handle_for_session<B>(
    api: &ManagementApi,
    req: Request<B>,
    id: &RequestId,
    peer: Peer,
    login: SessionLogin,
) -> Response<RespBody>
where
    B: Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let resp = serve(api, req, peer, Some(login)).await;
    finish(resp, id).await
}

async fn finish(resp: axum::response::Response, id: &RequestId) -> Response<RespBody> {
    let (mut parts, body) = resp.into_parts();
    let bytes = match body.collect().await {
        Ok(c) => c.to_bytes(),
        Err(e) => {
            parts.status = http::StatusCode::INTERNAL_SERVER_ERROR;
            tracing::error!(error = %e, "management answer could not be collected");
            Bytes::new()
        }
    };
    parts.headers.insert(X_AMZN_REQUEST_ID, id.header_value());
    parts
        .headers
        .insert(http::header::CONTENT_LENGTH, bytes.len().into());
    Response::from_parts(parts, Full::new(bytes))
}

async fn serve<B>(
    api: &ManagementApi,
    req: Request<B>,
    peer: Peer,
    session: Option<SessionLogin>,
) -> axum::response::Response
where
    B: Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let (mut parts, body) = req.into_parts();
    let length = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let bytes = match read_limited(body, length, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => return MgmtError::too_large(MAX_BODY_BYTES).into_response(),
        Err(BodyError::Read(_)) => {
            return MgmtError::bad_body("The request body could not be read").into_response()
        }
    };
    let digest = ring::digest::digest(&ring::digest::SHA256, &bytes);
    let mut body_sha256 = [0u8; 32];
    body_sha256.copy_from_slice(digest.as_ref());
    parts.extensions.insert(Facts {
        path: parts.uri.path().to_string(),
        source_ip: peer.addr.map(|a| a.ip()),
        tls: peer.tls,
        body_sha256,
    });
    if let Some(login) = session {
        parts.extensions.insert(login);
    }
    let req = Request::from_parts(parts, axum::body::Body::from(bytes));
    match api.router.clone().oneshot(req).await {
        Ok(resp) => resp,
        Err(never) => match never {},
    }
}
