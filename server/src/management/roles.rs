//! Roles: list, create (with a trust policy), get, delete (with its policies and sessions),
//! replace the trust policy, and AssumeRole (`POST .../sessions`): the trust policy must allow
//! the caller ARN; the answer is temporary `ASIA…` credentials, shown once.

use super::api::{self, AssumeRole, CreateRole, PageQuery, TrustPolicy};
use super::caller::Caller;
use super::error::MgmtError;
use super::extract::{Body, P, Q};
use super::views::{self, role_arn, Answer};
use extenddb_auth_builtin::policy::PolicyKind;
use extenddb_auth_builtin::sts::{self, StsError};
use extenddb_core::model::iam::{IamRole, RoleChange};

/// `GET /management/accounts/{account_id}/roles`.
pub async fn list(c: Caller, P(account): P<String>, Q(q): Q<PageQuery>) -> Answer {
    c.authorize(&role_arn(&account, "*"))?;
    views::account_id(&account)?;
    let roles = c.state.iam.list_roles(&account).await?;
    let items = roles.iter().map(views::role).collect();
    views::ok(views::page(
        items,
        |r| r.role_name.to_ascii_lowercase(),
        &q,
    )?)
}

/// `POST /management/accounts/{account_id}/roles`.
pub async fn create(c: Caller, P(account): P<String>, Body(req): Body<CreateRole>) -> Answer {
    let arn = role_arn(&account, &req.role_name);
    c.authorize(&arn)?;
    views::account_id(&account)?;
    views::policy(&req.trust_policy, PolicyKind::Trust)?;
    let role = IamRole {
        account_id: account,
        role_name: req.role_name,
        role_id: extenddb_auth_builtin::ids::new_role_id(),
        trust_policy: req.trust_policy,
        tags: views::tags_in(req.tags),
        permissions_boundary: None,
        created: c.state.now_secs(),
    };
    role.validate().map_err(|e| MgmtError::validation(e.0))?;
    c.state.iam.create_role(&role).await?;
    c.audit(&arn, "role created");
    views::created(views::role(&role))
}

/// `GET /management/accounts/{account_id}/roles/{role_name}`.
pub async fn get(c: Caller, P((account, name)): P<(String, String)>) -> Answer {
    c.authorize(&role_arn(&account, &name))?;
    match c.state.iam.get_role(&account, &name).await? {
        Some(r) => views::ok(views::role(&r)),
        None => Err(MgmtError::not_found(format!(
            "Role '{name}' does not exist in account {account}"
        ))),
    }
}

/// `DELETE /management/accounts/{account_id}/roles/{role_name}`.
pub async fn delete(c: Caller, P((account, name)): P<(String, String)>) -> Answer {
    let arn = role_arn(&account, &name);
    c.authorize(&arn)?;
    c.state.iam.delete_role(&account, &name).await?;
    c.audit(&arn, "role deleted with its policies and sessions");
    views::done()
}

/// `PUT .../roles/{role_name}/trust-policy`.
pub async fn set_trust_policy(
    c: Caller,
    P((account, name)): P<(String, String)>,
    Body(req): Body<TrustPolicy>,
) -> Answer {
    let arn = role_arn(&account, &name);
    c.authorize(&arn)?;
    views::policy(&req.trust_policy, PolicyKind::Trust)?;
    let role = c
        .state
        .iam
        .update_role(&account, &name, &RoleChange::TrustPolicy(req.trust_policy))
        .await?;
    c.audit(&arn, "trust policy replaced");
    views::ok(views::role(&role))
}

/// `POST .../roles/{role_name}/sessions`.
pub async fn assume(
    c: Caller,
    P((account, name)): P<(String, String)>,
    Body(req): Body<AssumeRole>,
) -> Answer {
    let arn = role_arn(&account, &name);
    c.authorize(&arn)?;
    if let Some(u) = c.user() {
        if req.caller_arn != u.arn() {
            return Err(MgmtError::access_denied(format!(
                "User: {} may assume roles only as itself (caller_arn {})",
                u.arn(),
                u.arn()
            )));
        }
    }
    if let Some(doc) = &req.session_policy {
        views::policy(doc, PolicyKind::Session)?;
    }
    let tags = views::tags_in(req.session_tags);
    let tag_keys: Vec<&str> = tags.iter().map(|t| t.key.as_str()).collect();
    let s = &c.state;
    let issued = sts::assume_role(
        s.iam.as_ref(),
        &s.key,
        s.services.clock.as_ref(),
        &sts::AssumeRoleRequest {
            account_id: &account,
            role_name: &name,
            caller_arn: &req.caller_arn,
            session_name: &req.session_name,
            session_tags: tags.clone(),
            session_policy: req.session_policy.as_deref(),
            duration_seconds: req.duration_seconds,
        },
    )
    .await
    .map_err(|e| match e {
        StsError::Validation(m) => MgmtError::validation(m),
        StsError::NoSuchRole(r) => {
            MgmtError::not_found(format!("Role '{r}' does not exist in account {account}"))
        }
        StsError::AccessDenied(m) => MgmtError::access_denied(m),
        StsError::Store(s) => s.into(),
        StsError::Secret(s) => MgmtError::internal(s),
    })?;
    c.audit(
        &arn,
        &format!(
            "role assumed by {} as session '{}' ({}), expires {}, session tags [{}], session policy {}",
            req.caller_arn,
            req.session_name,
            issued.access_key_id,
            views::time(issued.expiration),
            tag_keys.join(","),
            if req.session_policy.is_some() { "yes" } else { "no" }
        ),
    );
    let text = |s: &extenddb_auth_builtin::secrets::Secret| {
        s.expose_str()
            .map(str::to_string)
            .ok_or_else(|| MgmtError::internal("generated credential is not UTF-8"))
    };
    views::created(api::Credentials {
        access_key_id: issued.access_key_id.clone(),
        secret_access_key: text(&issued.secret_access_key)?,
        session_token: text(&issued.session_token)?,
        expiration: views::time(issued.expiration),
        assumed_role_arn: issued.assumed_role_arn.clone(),
        assumed_role_id: issued.assumed_role_id.clone(),
    })
}
