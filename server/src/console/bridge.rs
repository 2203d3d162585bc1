//! The console's data explorer and metrics as the session's principal, through the same
//! pipeline as a signed request: `crate::dynamodb::execute_as` runs `ops::dispatch` (authorize
//! → throttle → store) with a `Principal` built here the way the builtin provider builds one
//! after SigV4 — an IAM user's own identity and policies (`resolve::user_identity`), or, for an
//! admin, the root of the account the page names in `X-Extenddb-Account` (an admin may do
//! anything in any account, as the management API lets it).

use super::respond::{bytes, disabled, error, refuse, Refused};
use super::session::Session;
use crate::dynamodb::Peer;
use crate::management::Who;
use crate::request_id::RequestId;
use crate::response::Body as RespBody;
use crate::services::AppState;
use extenddb_auth_builtin::identity::{PrincipalKind, ResolvedIdentity};
use extenddb_auth_builtin::policy::{parse_policy, PolicyKind, PolicySet};
use extenddb_auth_builtin::resolve::user_identity;
use extenddb_core::traits::{AuthzContext, AuthzRequest, Principal, RequestFacts};
use http::{Request, Response, StatusCode};
use hyper::body::Body;
use std::sync::Arc;

/// The header naming the account an admin explores.
pub const ACCOUNT_HEADER: &str = "x-extenddb-account";
/// The access key id console principals carry (they signed with none).
const CONSOLE_KEY: &str = "CONSOLE";
/// What an account's root may do: everything in its account.
const ROOT_POLICY: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// Who the session's login is now; 401 when it was deleted (the session ends with it).
pub(super) async fn who(state: &AppState, session: &Session) -> Result<Who, Refused> {
    let Some(mgmt) = state.management.as_ref() else {
        return Err(Box::new(disabled()));
    };
    match mgmt.resolve(&session.login).await {
        Ok(Some(who)) => Ok(who),
        Ok(None) => {
            state.console.sessions.close_login(&session.login);
            Err(refuse(
                StatusCode::UNAUTHORIZED,
                "Unauthenticated",
                "The signed-in user no longer exists",
            ))
        }
        Err(e) => Err(refuse(e.status, e.code, &e.message)),
    }
}

/// The principal the session acts as on the DynamoDB API.
async fn principal<B>(
    state: &AppState,
    session: &Session,
    req: &Request<B>,
) -> Result<Principal, Refused> {
    let region: Arc<str> = state.services.region.as_str().into();
    let internal = |e: String| {
        tracing::warn!(error = %e, "console principal could not be built");
        refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "Internal error",
        )
    };
    let identity = match who(state, session).await? {
        Who::User(u) => {
            let Some(mgmt) = state.management.as_ref() else {
                return Err(internal("no management".into()));
            };
            user_identity(mgmt.iam().as_ref(), &u)
                .await
                .map_err(|e| internal(e.to_string()))?
        }
        Who::Admin(_) | Who::Operator => {
            let account = req
                .headers()
                .get(ACCOUNT_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            account_root(state, &account).await?
        }
    };
    Ok(Principal {
        account_id: identity.account_id.as_str().into(),
        arn: identity.arn.as_str().into(),
        user_id: identity.user_id.as_str().into(),
        access_key_id: CONSOLE_KEY.into(),
        region,
        identity: Some(Arc::new(identity)),
    })
}

/// The root of `account` (which must exist), allowed everything in it.
async fn account_root(state: &AppState, account: &str) -> Result<ResolvedIdentity, Refused> {
    let bad = || {
        refuse(
            StatusCode::BAD_REQUEST,
            "ValidationError",
            "Choose an existing account (X-Extenddb-Account)",
        )
    };
    if extenddb_core::model::iam::validate_account_id(account).is_err() {
        return Err(bad());
    }
    let Some(mgmt) = state.management.as_ref() else {
        return Err(bad());
    };
    match mgmt.iam().get_account(account).await {
        Ok(Some(_)) => {}
        Ok(None) => return Err(bad()),
        Err(e) => {
            tracing::warn!(error = %e, "account lookup failed");
            return Err(refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "Internal error",
            ));
        }
    }
    let policy = parse_policy(ROOT_POLICY, PolicyKind::Identity).map_err(|e| {
        tracing::error!(error = %e, "root policy does not parse");
        refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "Internal error",
        )
    })?;
    let arn = format!("arn:aws:iam::{account}:root");
    Ok(ResolvedIdentity {
        kind: PrincipalKind::User,
        account_id: account.to_string(),
        arn: arn.clone(),
        principal_arn: arn,
        user_id: account.to_string(),
        user_name: None,
        tags: Vec::new(),
        policies: PolicySet {
            identity: vec![Arc::new(policy)],
            boundary: None,
            session: None,
        },
        session_issued: None,
    })
}

fn facts(state: &AppState, peer: Peer) -> RequestFacts {
    RequestFacts {
        source_ip: peer.addr.map(|a| a.ip()),
        secure_transport: peer.tls,
        time: state.services.clock.now(),
    }
}

/// `POST /console/api/dynamodb`: one DynamoDB API request (its `X-Amz-Target` and JSON body)
/// as the session's principal, answered exactly as the API answers it.
pub(super) async fn dynamodb<B>(
    state: &AppState,
    session: &Session,
    req: Request<B>,
    peer: Peer,
) -> Response<RespBody>
where
    B: Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let id = RequestId::new();
    let principal = match principal(state, session, &req).await {
        Ok(p) => p,
        Err(resp) => return *resp,
    };
    let started = std::time::Instant::now();
    let target = req
        .headers()
        .get(crate::dynamodb::X_AMZ_TARGET)
        .map(|v| v.as_bytes().to_vec());
    let op = match crate::dynamodb::operation(target.as_deref()) {
        Ok(op) => op,
        Err(e) => return crate::response::error(&e, &id),
    };
    let body = match crate::body::read_limited(req.into_body(), None, state.max_body_bytes).await {
        Ok(b) => b,
        Err(_) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestEntityTooLarge",
                "The request body is too large",
            )
        }
    };
    let answer = crate::dynamodb::execute_as(state, op, principal, body, facts(state, peer)).await;
    let resp = match answer {
        Ok(body) => crate::response::ok(body, &id),
        Err(e) => crate::response::error(&e, &id),
    };
    let failed = (resp.status() != StatusCode::OK).then(|| {
        resp.extensions()
            .get::<crate::response::ErrorType>()
            .map_or("unknown", |e| e.0)
    });
    state.metrics.observe(Some(op), started.elapsed(), failed);
    resp
}

/// `GET /console/api/metrics`: the Prometheus text of `/metrics`, when the session may
/// `extenddb:GetMetrics` (admins may; an IAM user by its policies).
pub(super) async fn metrics(state: &AppState, session: &Session, peer: Peer) -> Response<RespBody> {
    let who = match who(state, session).await {
        Ok(w) => w,
        Err(resp) => return *resp,
    };
    if let Who::User(u) = who {
        let Some(mgmt) = state.management.as_ref() else {
            return disabled();
        };
        let identity = match user_identity(mgmt.iam().as_ref(), &u).await {
            Ok(i) => i,
            Err(e) => {
                return error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalError",
                    &e.to_string(),
                )
            }
        };
        let principal = Principal {
            account_id: identity.account_id.as_str().into(),
            arn: identity.arn.as_str().into(),
            user_id: identity.user_id.as_str().into(),
            access_key_id: CONSOLE_KEY.into(),
            region: state.services.region.as_str().into(),
            identity: Some(Arc::new(identity)),
        };
        let facts = facts(state, peer);
        let context = AuthzContext::default();
        let request = AuthzRequest {
            action: crate::metrics_route::ACTION,
            resource: "*",
            facts: &facts,
            context: &context,
        };
        let decided = state
            .services
            .auth
            .authorize(&principal, &request)
            .await
            .and_then(|d| d.into_result(&principal, &request));
        if let Err(e) = decided {
            return error(StatusCode::FORBIDDEN, "AccessDenied", &e.to_string());
        }
    }
    bytes(
        StatusCode::OK,
        "text/plain; version=0.0.4; charset=utf-8",
        bytes::Bytes::from(state.metrics.render()),
    )
}
