//! The web console at `/console/`: static pages (HTML, CSS and plain ES modules compiled into
//! the binary, `assets`) over a small JSON API under `/console/api/`:
//!
//! ```text
//! POST /console/api/login       {login, password} → session cookie + {who, csrf}
//! GET  /console/api/session     the session's {who, csrf} (401 when none)
//! POST /console/api/logout      ends the session
//! *    /console/api/management/…  the management API, as the session's login
//! POST /console/api/dynamodb    X-Amz-Target + the DynamoDB JSON body, as the session's principal
//! GET  /console/api/metrics     /metrics' text, if the principal may extenddb:GetMetrics
//! ```
//!
//! The console implements no rule of its own: passwords are checked by the management API's
//! check and failed-login limiter, management requests are the management API's (its
//! authorization and audit), and data requests go through the same dispatch, authorization and
//! throttling as a signed request (`bridge`). Every non-GET needs the session's CSRF token in
//! `X-CSRF-Token`; every answer carries a strict Content-Security-Policy (`respond`).

mod assets;
mod bridge;
mod respond;
pub mod session;

use crate::body::read_limited;
use crate::dynamodb::Peer;
use crate::management::{SessionLogin, Who};
use crate::request_id::RequestId;
use crate::response::Body as RespBody;
use crate::services::AppState;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use hyper::body::Body;
use respond::{disabled, error, json, refuse, Refused};
use session::Session;
use std::time::Duration;
use zeroize::Zeroizing;

/// Path prefix of the console.
pub(crate) const PREFIX: &str = "/console";
/// Largest body of a login request.
const MAX_LOGIN_BYTES: usize = 16 * 1024;
/// How long a failed login's answer is held back (on top of the limiter's lockout).
const FAILED_LOGIN_DELAY: Duration = Duration::from_millis(750);

/// The console's state: its sessions.
#[derive(Debug)]
pub(crate) struct Console {
    sessions: session::Sessions,
}

impl Console {
    /// A console whose sessions end after `idle` unused.
    pub(crate) fn new(idle: Duration) -> Console {
        Console {
            sessions: session::Sessions::new(idle),
        }
    }
}

/// Whether `path` is the console's.
pub(crate) fn is_console(path: &str) -> bool {
    path.strip_prefix(PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Answers one request under `/console`.
pub(crate) async fn handle<B>(
    state: &AppState,
    req: Request<B>,
    id: &RequestId,
    peer: Peer,
) -> Response<RespBody>
where
    B: Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let path = req.uri().path().to_string();
    let rest = &path[PREFIX.len()..];
    let mut resp = if rest.is_empty() {
        respond::redirect("/console/")
    } else if let Some(api) = rest.strip_prefix("/api/") {
        match state.management.as_ref() {
            None => disabled(),
            Some(_) => api_route(state, api.to_string(), req, id, peer).await,
        }
    } else if matches!(*req.method(), Method::GET | Method::HEAD) {
        assets::answer(rest, state.management.is_some())
    } else {
        error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "Method not allowed",
        )
    };
    respond::secure_headers(&mut resp, id);
    resp
}

async fn api_route<B>(
    state: &AppState,
    api: String,
    req: Request<B>,
    id: &RequestId,
    peer: Peer,
) -> Response<RespBody>
where
    B: Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let method = req.method().clone();
    if (method.clone(), api.as_str()) == (Method::POST, "login") {
        return login(state, req, peer).await;
    }
    let (sid, session) = match authenticated(state, &req) {
        Ok(s) => s,
        Err(resp) => return *resp,
    };
    match (method, api.as_str()) {
        (Method::GET, "session") => session_answer(state, &session).await,
        (Method::POST, "logout") => {
            state.console.sessions.close(&sid);
            tracing::info!(target: "extenddb::audit::manage", login = %session.login, "console logout");
            let mut resp = json(StatusCode::OK, &serde_json::json!({"ok": true}));
            set_cookie(&mut resp, &session::clear_cookie(peer.tls));
            resp
        }
        (Method::POST, "dynamodb") => bridge::dynamodb(state, &session, req, peer).await,
        (Method::GET, "metrics") => bridge::metrics(state, &session, peer).await,
        (_, rest) if rest.starts_with("management/") || rest == "management" => {
            forward(state, &session, req, id, peer).await
        }
        _ => error(
            StatusCode::NOT_FOUND,
            "UnknownRoute",
            "No such console route",
        ),
    }
}

/// The session of the request's cookie, renewed; refused without one (401) or, on a
/// state-changing request, without its CSRF token (403).
fn authenticated<B>(state: &AppState, req: &Request<B>) -> Result<(String, Session), Refused> {
    let unauthenticated = || {
        refuse(
            StatusCode::UNAUTHORIZED,
            "Unauthenticated",
            "Not signed in, or the session expired",
        )
    };
    let sid = session::cookie_id(req.headers()).ok_or_else(unauthenticated)?;
    let now = state.services.clock.now();
    let session = state
        .console
        .sessions
        .touch(sid, now)
        .ok_or_else(unauthenticated)?;
    let safe = matches!(*req.method(), Method::GET | Method::HEAD);
    if !safe && !session::csrf_ok(req.headers(), &session) {
        tracing::warn!(target: "extenddb::audit::manage", login = %session.login, "console request refused: missing or wrong CSRF token");
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "InvalidCsrfToken",
            "Missing or wrong X-CSRF-Token",
        ));
    }
    Ok((sid.to_string(), session))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    login: String,
    password: String,
}

async fn login<B>(state: &AppState, req: Request<B>, peer: Peer) -> Response<RespBody>
where
    B: Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let Some(mgmt) = state.management.as_ref() else {
        return disabled();
    };
    let json_body = req
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json_body {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "InvalidRequestBody",
            "A login is a JSON body",
        );
    }
    let bytes = match read_limited(req.into_body(), None, MAX_LOGIN_BYTES).await {
        Ok(b) => Zeroizing::new(b.to_vec()),
        Err(_) => return error(StatusCode::BAD_REQUEST, "InvalidRequestBody", "Bad body"),
    };
    let Ok(body) = serde_json::from_slice::<LoginBody>(&bytes) else {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestBody",
            "Expected {\"login\": ..., \"password\": ...}",
        );
    };
    let login = body.login.trim().to_string();
    let who = match mgmt.login(&login, Zeroizing::new(body.password)).await {
        Ok(who) => who,
        Err(e) => {
            if e.status == StatusCode::UNAUTHORIZED {
                tokio::time::sleep(FAILED_LOGIN_DELAY).await;
            }
            let mut resp = error(e.status, e.code, &e.message);
            if let Some(wait) = e.retry_after {
                resp.headers_mut()
                    .insert(http::header::RETRY_AFTER, HeaderValue::from(wait));
            }
            return resp;
        }
    };
    let login = login_of(&who);
    let now = state.services.clock.now();
    let Some((sid, session)) = state.console.sessions.open(&login, now) else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "No session could be opened",
        );
    };
    tracing::warn!(target: "extenddb::audit::manage", actor = %who.actor(), source = ?peer.addr.map(|a| a.ip()), "console login");
    let mut resp = session_json(&who, &session);
    set_cookie(&mut resp, &session::set_cookie(&sid, peer.tls));
    resp
}

/// The login a session keeps for `who`: an admin's name, a user's `account_id/user_name`.
fn login_of(who: &Who) -> String {
    match who {
        Who::User(u) => format!("{}/{}", u.account_id, u.user_name),
        Who::Admin(n) => n.clone(),
        Who::Operator => "operator".into(),
    }
}

fn set_cookie(resp: &mut Response<RespBody>, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(http::header::SET_COOKIE, v);
    }
}

fn session_json(who: &Who, session: &Session) -> Response<RespBody> {
    let (kind, name, account) = match who {
        Who::User(u) => ("user", u.user_name.clone(), Some(u.account_id.clone())),
        Who::Admin(n) => ("admin", n.clone(), None),
        Who::Operator => ("operator", "operator".into(), None),
    };
    json(
        StatusCode::OK,
        &serde_json::json!({
            "kind": kind,
            "name": name,
            "account_id": account,
            "arn": who.arn(),
            "csrf": session.csrf,
        }),
    )
}

async fn session_answer(state: &AppState, session: &Session) -> Response<RespBody> {
    match bridge::who(state, session).await {
        Ok(who) => session_json(&who, session),
        Err(resp) => *resp,
    }
}

/// Forwards `/console/api/management/…` to the management API as the session's login.
async fn forward<B>(
    state: &AppState,
    session: &Session,
    req: Request<B>,
    id: &RequestId,
    peer: Peer,
) -> Response<RespBody>
where
    B: Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let Some(mgmt) = state.management.as_ref() else {
        return disabled();
    };
    let (mut parts, body) = req.into_parts();
    let tail = parts
        .uri
        .path_and_query()
        .map_or("", |p| p.as_str())
        .strip_prefix("/console/api")
        .unwrap_or_default()
        .to_string();
    let Ok(uri) = tail.parse::<http::Uri>() else {
        return error(StatusCode::BAD_REQUEST, "ValidationError", "Bad path");
    };
    parts.uri = uri;
    parts.headers.remove(http::header::AUTHORIZATION);
    let req = Request::from_parts(parts, body);
    crate::management::handle_for_session(mgmt, req, id, peer, SessionLogin(session.login.clone()))
        .await
}
