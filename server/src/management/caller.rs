//! Who calls a management route, and may they: the `Caller` extractor authenticates the
//! `Authorization` header — HTTP Basic as an admin (`admin:<password>`) or an IAM user
//! (`<account_id>/<user_name>:<password>`), or an operator signature (the data key holder) —
//! with failed logins rate-limited per principal, and `Caller::authorize` evaluates the route's
//! action on a resource ARN with the builtin IAM evaluator against the caller's default
//! policies (`default_policies`). Passwords are checked with argon2 off the async threads and
//! never logged; an unknown login costs the same hash as a known one.

use super::default_policies;
use super::error::MgmtError;
use super::MgmtState;
use axum::extract::FromRequestParts;
use base64::Engine;
use extenddb_auth_builtin::operator;
use extenddb_auth_builtin::policy::context::iso8601;
use extenddb_auth_builtin::policy::{evaluate, MapContext, PolicySet};
use extenddb_auth_builtin::resolve::user_identity;
use extenddb_auth_builtin::secrets::{hash_password, verify_password};
use extenddb_core::model::iam::IamUser;
use extenddb_core::traits::Decision;
use http::request::Parts;
use std::net::IpAddr;
use std::sync::{Arc, LazyLock};
use std::time::UNIX_EPOCH;
use zeroize::Zeroizing;

/// The IAM action of a route (empty: any authenticated caller), set by the route table.
#[derive(Debug, Clone, Copy)]
pub struct Action(pub &'static str);

/// Facts about the request, set by the management entry point.
#[derive(Debug, Clone)]
pub struct Facts {
    /// The full request path (the router sees it without `/management`).
    pub path: String,
    /// The client's address.
    pub source_ip: Option<IpAddr>,
    /// Whether the connection is TLS.
    pub tls: bool,
    /// SHA-256 of the request body (operator signatures cover it).
    pub body_sha256: [u8; 32],
}

/// An authenticated principal of the management API.
#[derive(Debug, Clone)]
pub enum Who {
    /// An admin user.
    Admin(String),
    /// An IAM user (as stored).
    User(Box<IamUser>),
    /// The holder of the data key file (`extenddb settings`).
    Operator,
}

impl Who {
    /// The ARN AccessDenied texts name.
    pub fn arn(&self) -> String {
        match self {
            Who::Admin(n) => format!("arn:extenddb:management:::admin/{n}"),
            Who::User(u) => u.arn(),
            Who::Operator => "arn:extenddb:management:::operator".into(),
        }
    }

    /// How the audit log names the caller.
    pub fn actor(&self) -> String {
        match self {
            Who::Admin(n) => format!("admin:{n}"),
            Who::User(u) => u.arn(),
            Who::Operator => "operator(data key)".into(),
        }
    }
}

/// The authenticated caller of one request, with the route's action.
pub struct Caller {
    /// The management state.
    pub state: Arc<MgmtState>,
    /// Who.
    pub who: Who,
    /// The route's IAM action.
    pub action: &'static str,
    policies: PolicySet,
    ctx: MapContext,
}

/// A hash to verify against when the login is unknown, so that both cost the same.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("extenddb-no-such-login").unwrap_or_default());

fn invalid() -> MgmtError {
    MgmtError::unauthenticated("Invalid user name or password")
}

async fn verify(password: Zeroizing<String>, hash: Option<String>) -> bool {
    let known = hash.is_some();
    let hash = hash.unwrap_or_else(|| DUMMY_HASH.clone());
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    ok && known
}

impl Caller {
    /// Authenticates the request's `Authorization` header.
    async fn authenticate(
        state: Arc<MgmtState>,
        parts: &Parts,
        action: &'static str,
    ) -> Result<Caller, MgmtError> {
        let facts = parts.extensions.get::<Facts>().cloned().unwrap_or(Facts {
            path: parts.uri.path().to_string(),
            source_ip: None,
            tls: false,
            body_sha256: [0; 32],
        });
        let session = parts.extensions.get::<SessionLogin>().cloned();
        let header = parts.headers.get(http::header::AUTHORIZATION);
        let now = state.services.clock.now();
        let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let (who, policies) = if let Some(SessionLogin(login)) = session {
            match resolve_login(&state, &login).await? {
                Some(who) => policies_of(&state, who).await?,
                None => {
                    return Err(MgmtError::unauthenticated(
                        "The console session's user no longer exists",
                    ))
                }
            }
        } else {
            let Some(header) = header else {
                return Err(MgmtError::unauthenticated(
                    "The management API needs credentials: HTTP Basic with an admin \
                 (name:password) or an IAM user (account_id/user_name:password)",
                ));
            };
            let header = header
                .to_str()
                .map_err(|_| MgmtError::unauthenticated("Malformed Authorization header"))?;
            if let Some(encoded) = header.strip_prefix("Basic ") {
                Self::basic(&state, encoded.trim(), now).await?
            } else if let Some(creds) = header
                .strip_prefix(operator::SCHEME)
                .and_then(|r| r.strip_prefix(' '))
            {
                operator::verify(
                    &state.key,
                    creds,
                    parts.method.as_str(),
                    &facts.path,
                    &facts.body_sha256,
                    secs as i64,
                )
                .map_err(|e| MgmtError::unauthenticated(e.to_string()))?;
                (Who::Operator, default_policies::operator())
            } else {
                return Err(MgmtError::unauthenticated(
                    "Unsupported authorization scheme; use HTTP Basic",
                ));
            }
        };
        let mut ctx = MapContext::default();
        ctx.set("aws:CurrentTime", &iso8601(secs));
        ctx.set("aws:EpochTime", &secs.to_string());
        ctx.set(
            "aws:SecureTransport",
            if facts.tls { "true" } else { "false" },
        );
        if let Some(ip) = facts.source_ip {
            ctx.set("aws:SourceIp", &ip.to_string());
        }
        if let Who::User(u) = &who {
            ctx.set("aws:username", &u.user_name);
            ctx.set("aws:userid", &u.user_id);
            ctx.set("aws:PrincipalArn", &u.arn());
            ctx.set("aws:PrincipalAccount", &u.account_id);
            ctx.set("aws:PrincipalType", "User");
            for t in &u.tags {
                ctx.set(&format!("aws:PrincipalTag/{}", t.key), &t.value);
            }
        }
        Ok(Caller {
            state,
            who,
            action,
            policies,
            ctx,
        })
    }

    /// HTTP Basic: an admin or an IAM user, rate-limited per login.
    async fn basic(
        state: &MgmtState,
        encoded: &str,
        now: std::time::SystemTime,
    ) -> Result<(Who, PolicySet), MgmtError> {
        let malformed = || MgmtError::unauthenticated("Malformed Basic credentials");
        let decoded = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .map_err(|_| malformed())?,
        );
        let text = std::str::from_utf8(&decoded).map_err(|_| malformed())?;
        let (login, password) = text.split_once(':').ok_or_else(malformed)?;
        let password = Zeroizing::new(password.to_string());
        let who = check_password(state, login, password, now).await?;
        policies_of(state, who).await
    }

    /// Allows the route's action on `resource` (an ARN, or `*`), or answers AccessDenied in
    /// AWS's words. An IAM user acts in its own account only.
    pub fn authorize(&self, resource: &str) -> Result<(), MgmtError> {
        if self.action.is_empty() {
            return Ok(());
        }
        let decision = match &self.who {
            Who::User(u) if !in_account(resource, &u.account_id) => {
                Decision::Deny(extenddb_core::traits::DenyReason::NoIdentityPolicy)
            }
            _ => evaluate(&self.policies, self.action, resource, &self.ctx),
        };
        match decision {
            Decision::Allow => Ok(()),
            Decision::Deny(reason) => {
                tracing::warn!(target: "extenddb::audit::manage", actor = %self.who.actor(), action = self.action, entity = resource, "management request denied");
                Err(MgmtError::access_denied(format!(
                    "User: {} is not authorized to perform: {} on resource: {} {}",
                    self.who.arn(),
                    self.action,
                    resource,
                    reason.suffix(self.action)
                )))
            }
        }
    }

    /// The caller's own user, when it is an IAM user.
    pub fn user(&self) -> Option<&IamUser> {
        match &self.who {
            Who::User(u) => Some(u),
            _ => None,
        }
    }

    /// `name` as the caller's own stored spelling when it names the caller itself
    /// case-insensitively (user names are case-insensitive; ARNs are not).
    pub fn own_spelling(&self, account_id: &str, name: &str) -> String {
        match self.user() {
            Some(u) if u.account_id == account_id && u.user_name.eq_ignore_ascii_case(name) => {
                u.user_name.clone()
            }
            _ => name.to_string(),
        }
    }

    /// Logs a change at WARN under `extenddb::audit::manage`: who did the route's action to
    /// which entity, with `detail` (never a secret).
    pub fn audit(&self, entity: &str, detail: &str) {
        tracing::warn!(
            target: "extenddb::audit::manage",
            actor = %self.who.actor(),
            action = self.action,
            entity,
            detail,
            "management change"
        );
    }
}

/// A login the web console already authenticated (its session's): set by the console on the
/// requests it forwards, never taken from a client's headers.
#[derive(Debug, Clone)]
pub struct SessionLogin(pub String);

/// Checks `login`'s password (an admin name or `account_id/user_name`), rate-limited per login
/// by the failed-login limiter, and answers who it is.
pub(crate) async fn check_password(
    state: &MgmtState,
    login: &str,
    password: Zeroizing<String>,
    now: std::time::SystemTime,
) -> Result<Who, MgmtError> {
    let login = login.to_string();
    if let Err(wait) = state.limiter.check(&login, now) {
        tracing::warn!(target: "extenddb::audit::manage", login = %login, "management login refused: too many failed logins");
        return Err(MgmtError::too_many_failures(&login, wait));
    }
    let (who, hash) = match lookup(state, &login).await? {
        Some(Who::Admin(name)) => {
            let hash = state.iam.get_admin(&name).await?.map(|a| a.password_hash);
            (Some(Who::Admin(name)), hash)
        }
        Some(Who::User(u)) => {
            let hash = u.password_hash.clone();
            (Some(Who::User(u)), hash)
        }
        _ => (None, None),
    };
    if !verify(password, hash).await {
        state.limiter.failed(&login, now);
        tracing::warn!(target: "extenddb::audit::manage", login = %login, "management login failed");
        return Err(invalid());
    }
    state.limiter.succeeded(&login);
    who.ok_or_else(invalid)
}

/// Who `login` (an admin name or `account_id/user_name`) is now, without a password: `None`
/// when it no longer exists.
pub(crate) async fn resolve_login(
    state: &MgmtState,
    login: &str,
) -> Result<Option<Who>, MgmtError> {
    lookup(state, login).await
}

async fn lookup(state: &MgmtState, login: &str) -> Result<Option<Who>, MgmtError> {
    let iam = &state.iam;
    Ok(match login.split_once('/') {
        None => iam.get_admin(login).await?.map(|a| Who::Admin(a.name)),
        Some((account, user)) => {
            if extenddb_core::model::iam::validate_account_id(account).is_ok() {
                iam.get_user(account, user)
                    .await?
                    .map(|u| Who::User(Box::new(u)))
            } else {
                None
            }
        }
    })
}

/// The default policies of `who`: an IAM user's self-service set over its own policies, the
/// admins' set otherwise.
async fn policies_of(state: &MgmtState, who: Who) -> Result<(Who, PolicySet), MgmtError> {
    match who {
        Who::User(u) => {
            let identity = user_identity(state.iam.as_ref(), &u).await?;
            let policies = default_policies::self_service(&identity.policies.identity);
            Ok((Who::User(u), policies))
        }
        Who::Operator => Ok((who, default_policies::operator())),
        who => Ok((who, default_policies::admin())),
    }
}

/// Whether `resource` (an ARN, or `*`) belongs to `account`.
/// Whether an IAM user may name `resource` from `account`: a resource of that account, or a
/// runtime setting (settings belong to no account; the policies decide who reads them).
fn in_account(resource: &str, account: &str) -> bool {
    resource.split(':').nth(4) == Some(account)
        || resource.starts_with(super::settings::SETTING_ARN_PREFIX)
}

impl FromRequestParts<Arc<MgmtState>> for Caller {
    type Rejection = MgmtError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<MgmtState>,
    ) -> Result<Self, Self::Rejection> {
        let action = parts.extensions.get::<Action>().map_or("", |a| a.0);
        Caller::authenticate(state.clone(), parts, action).await
    }
}

#[cfg(test)]
mod tests {
    use super::in_account;

    #[test]
    fn a_user_names_its_own_account_and_the_settings_only() {
        let own = "111122223333";
        assert!(in_account("arn:aws:iam::111122223333:user/alice", own));
        assert!(!in_account("arn:aws:iam::444455556666:user/bob", own));
        assert!(!in_account("*", own));
        assert!(in_account(
            "arn:extenddb:management:::setting/gsi_propagation_delay_ms",
            own
        ));
        assert!(in_account("arn:extenddb:management:::setting/*", own));
    }
}
