//! AssumeRole, as a library call for the management API (`extenddb manage assume-role`): the
//! role's trust policy must allow the caller (by ARN, or by account — then the caller's own
//! identity policies must also allow `sts:AssumeRole` on the role, as AWS requires); the
//! answer is temporary `ASIA…` credentials stored as a role session, with session tags, an
//! optional session policy and a duration of 900–43,200 seconds (default 3,600).
//!
//! Best guess, marked: AWS also requires `sts:TagSession` in the trust policy when session tags
//! are passed; the user guide's own example passes tags under a trust policy that allows only
//! `sts:AssumeRole`, so this server does not require it.

use crate::ids::{new_secret_access_key, new_session_key_id, new_session_token};
use crate::policy::context::iso8601;
use crate::policy::{evaluate, evaluate_trust, parse_policy, MapContext, PolicyKind, TrustVerdict};
use crate::resolve::user_identity;
use crate::secrets::{DataKey, Secret, SecretError};
use extenddb_core::clock::Clock;
use extenddb_core::model::iam::{validate_session_name, validate_tags, RoleSession};
use extenddb_core::model::tags::Tag;
use extenddb_core::traits::{Decision, IamError, IamStore};
use sha2::{Digest, Sha256};
use std::time::UNIX_EPOCH;

/// Shortest session.
pub const MIN_DURATION: u32 = 900;
/// Longest session.
pub const MAX_DURATION: u32 = 43_200;
/// Session length when none is asked for.
pub const DEFAULT_DURATION: u32 = 3_600;

/// An AssumeRole request.
#[derive(Debug, Clone)]
pub struct AssumeRoleRequest<'a> {
    /// The role's account.
    pub account_id: &'a str,
    /// The role.
    pub role_name: &'a str,
    /// Who assumes it: `arn:aws:iam::<a>:user/<n>` or `arn:aws:iam::<a>:root`.
    pub caller_arn: &'a str,
    /// `RoleSessionName` (2–64 characters of `[\w+=,.@-]`).
    pub session_name: &'a str,
    /// Session tags.
    pub session_tags: Vec<Tag>,
    /// A session policy document.
    pub session_policy: Option<&'a str>,
    /// Seconds, 900–43,200; `None` for 3,600.
    pub duration_seconds: Option<u32>,
}

/// Temporary credentials. The secret and token are shown once and never stored in clear.
#[derive(Debug, Clone)]
pub struct IssuedCredentials {
    /// `ASIAEXTENDDB…`.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: Secret,
    /// The session token (`X-Amz-Security-Token`).
    pub session_token: Secret,
    /// Expiry, seconds since the epoch.
    pub expiration: i64,
    /// `arn:aws:sts::<a>:assumed-role/<role>/<session>`.
    pub assumed_role_arn: String,
    /// `AROA…:<session>`.
    pub assumed_role_id: String,
}

/// Why AssumeRole failed.
#[derive(Debug, thiserror::Error)]
pub enum StsError {
    /// A parameter is invalid (IAM's ValidationError / MalformedPolicyDocument).
    #[error("{0}")]
    Validation(String),
    /// No such role.
    #[error("Role {0} does not exist")]
    NoSuchRole(String),
    /// The trust policy (or the caller's policies) do not allow it; AWS's AccessDenied text.
    #[error("{0}")]
    AccessDenied(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] IamError),
    /// Sealing the secret failed.
    #[error(transparent)]
    Secret(#[from] SecretError),
}

/// Assumes `req.role_name` for `req.caller_arn`, storing and answering new credentials.
pub async fn assume_role(
    store: &dyn IamStore,
    key: &DataKey,
    clock: &dyn Clock,
    req: &AssumeRoleRequest<'_>,
) -> Result<IssuedCredentials, StsError> {
    let duration = req.duration_seconds.unwrap_or(DEFAULT_DURATION);
    if !(MIN_DURATION..=MAX_DURATION).contains(&duration) {
        return Err(StsError::Validation(format!(
            "1 validation error detected: Value '{duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between {MIN_DURATION} and {MAX_DURATION}"
        )));
    }
    validate_session_name(req.session_name).map_err(|e| StsError::Validation(e.0))?;
    validate_tags(&req.session_tags).map_err(|e| StsError::Validation(e.0))?;
    if let Some(doc) = req.session_policy {
        parse_policy(doc, PolicyKind::Session).map_err(|e| StsError::Validation(e.0))?;
    }
    let Some(role) = store.get_role(req.account_id, req.role_name).await? else {
        return Err(StsError::NoSuchRole(req.role_name.to_string()));
    };
    let role_arn = role.arn();
    let denied = || {
        StsError::AccessDenied(format!(
            "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            req.caller_arn
        ))
    };
    let trust = parse_policy(&role.trust_policy, PolicyKind::Trust).map_err(|_| denied())?;
    let caller_account = req
        .caller_arn
        .split(':')
        .nth(4)
        .unwrap_or_default()
        .to_string();
    let now = clock.now();
    let secs = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);

    // The caller, when it is an IAM user of the store: its keys for trust conditions and its
    // policies for the account-wide trust case.
    let user_name = req
        .caller_arn
        .strip_prefix(&format!("arn:aws:iam::{caller_account}:user/"))
        .map(str::to_string);
    let caller = match &user_name {
        Some(n) => store.get_user(&caller_account, n).await?,
        None => None,
    };
    let mut ctx = MapContext::default();
    ctx.set("aws:PrincipalArn", req.caller_arn);
    ctx.set("aws:PrincipalAccount", &caller_account);
    ctx.set("aws:CurrentTime", &iso8601(secs));
    ctx.set("aws:EpochTime", &secs.to_string());
    ctx.set("sts:RoleSessionName", req.session_name);
    let keys: Vec<&str> = req.session_tags.iter().map(|t| t.key.as_str()).collect();
    ctx.set_many("aws:TagKeys", &keys);
    for t in &req.session_tags {
        ctx.set(&format!("aws:RequestTag/{}", t.key), &t.value);
    }
    if let Some(u) = &caller {
        ctx.set("aws:username", &u.user_name);
        ctx.set("aws:userid", &u.user_id);
        ctx.set("aws:PrincipalType", "User");
        for t in &u.tags {
            ctx.set(&format!("aws:PrincipalTag/{}", t.key), &t.value);
        }
    }
    match evaluate_trust(
        &trust,
        "sts:AssumeRole",
        req.caller_arn,
        &caller_account,
        &ctx,
    ) {
        TrustVerdict::AllowedByName => {}
        TrustVerdict::AllowedByAccount => {
            let root = format!("arn:aws:iam::{caller_account}:root");
            let allowed = match &caller {
                _ if req.caller_arn == root => true,
                Some(u) => {
                    let id = user_identity(store, u).await?;
                    evaluate(&id.policies, "sts:AssumeRole", &role_arn, &ctx) == Decision::Allow
                }
                None => false,
            };
            if !allowed {
                return Err(denied());
            }
        }
        TrustVerdict::Denied | TrustVerdict::NotAllowed => return Err(denied()),
    }

    let access_key_id = new_session_key_id();
    let secret = new_secret_access_key();
    let token = new_session_token();
    let expiration = secs as i64 + i64::from(duration);
    let session = RoleSession {
        access_key_id: access_key_id.clone(),
        account_id: role.account_id.clone(),
        role_name: role.role_name.clone(),
        session_name: req.session_name.to_string(),
        secret: key.seal(secret.expose(), access_key_id.as_bytes())?,
        token_sha256: Sha256::digest(token.expose()).to_vec(),
        expires: expiration,
        session_tags: req.session_tags.clone(),
        session_policy: req.session_policy.map(str::to_string),
        source_arn: req.caller_arn.to_string(),
        created: secs as i64,
    };
    store.create_session(&session).await?;
    Ok(IssuedCredentials {
        access_key_id,
        secret_access_key: secret,
        session_token: token,
        expiration,
        assumed_role_arn: format!(
            "arn:aws:sts::{}:assumed-role/{}/{}",
            role.account_id, role.role_name, req.session_name
        ),
        assumed_role_id: format!("{}:{}", role.role_id, req.session_name),
    })
}
