//! Access keys of a user: list (never a secret), create (the secret in this one answer),
//! import a given `AKIA…` pair (gated by the `allow_credential_import` runtime setting, every
//! attempt logged with key id, account and user — never the secret), activate/deactivate,
//! delete.

use super::api::{self, AccessKeyStatus, ImportAccessKey, PageQuery};
use super::caller::Caller;
use super::error::MgmtError;
use super::extract::{Body, P, Q};
use super::views::{self, user_arn, Answer};
use extenddb_auth_builtin::credentials::{self, CredentialError};
use extenddb_core::model::iam::AccessKeyStatus as Status;

fn credential_error(e: CredentialError) -> MgmtError {
    match e {
        CredentialError::Validation(m) => MgmtError::validation(m),
        CredentialError::Store(s) => s.into(),
        CredentialError::Secret(s) => MgmtError::internal(s),
    }
}

/// `GET .../users/{user_name}/access-keys`.
pub async fn list(
    c: Caller,
    P((account, name)): P<(String, String)>,
    Q(q): Q<PageQuery>,
) -> Answer {
    let name = c.own_spelling(&account, &name);
    c.authorize(&user_arn(&account, &name))?;
    super::users::need(&c, &account, &name).await?;
    let keys = c.state.iam.list_access_keys(&account, &name).await?;
    let items = keys.iter().map(views::access_key).collect();
    views::ok(views::page(
        items,
        |k: &api::AccessKey| format!("{}|{}", k.created, k.access_key_id),
        &q,
    )?)
}

/// `POST .../users/{user_name}/access-keys`.
pub async fn create(c: Caller, P((account, name)): P<(String, String)>) -> Answer {
    let name = c.own_spelling(&account, &name);
    let arn = user_arn(&account, &name);
    c.authorize(&arn)?;
    let user = super::users::need(&c, &account, &name).await?;
    let s = &c.state;
    let (key, secret) = credentials::create_access_key(
        s.iam.as_ref(),
        &s.key,
        s.services.clock.as_ref(),
        &account,
        &user.user_name,
    )
    .await
    .map_err(credential_error)?;
    c.audit(&arn, &format!("access key {} created", key.access_key_id));
    let secret = secret
        .expose_str()
        .ok_or_else(|| MgmtError::internal("generated secret is not UTF-8"))?
        .to_string();
    views::created(api::NewAccessKey {
        key: views::access_key(&key),
        secret_access_key: secret,
    })
}

/// `POST .../users/{user_name}/access-keys/import`.
pub async fn import(
    c: Caller,
    P((account, name)): P<(String, String)>,
    Body(req): Body<ImportAccessKey>,
) -> Answer {
    let arn = user_arn(&account, &name);
    c.authorize(&arn)?;
    let s = &c.state;
    if !s.services.settings.allow_credential_import() {
        tracing::warn!(
            target: "extenddb::audit::manage",
            actor = %c.who.actor(),
            action = c.action,
            entity = %arn,
            access_key_id = %req.access_key_id,
            account_id = %account,
            user_name = %name,
            "credential import refused: allow_credential_import is false"
        );
        return Err(MgmtError::forbidden(
            "CredentialImportDisabled",
            "Credential import is disabled (runtime setting allow_credential_import = false); \
             enable it with `extenddb settings set allow_credential_import true`",
        ));
    }
    let user = super::users::need(&c, &account, &name).await?;
    let key = credentials::import_access_key(
        s.iam.as_ref(),
        &s.key,
        s.services.clock.as_ref(),
        &account,
        &user.user_name,
        &req.access_key_id,
        &req.secret_access_key,
    )
    .await
    .map_err(credential_error)?;
    tracing::warn!(
        target: "extenddb::audit::manage",
        actor = %c.who.actor(),
        action = c.action,
        entity = %arn,
        access_key_id = %key.access_key_id,
        account_id = %account,
        user_name = %user.user_name,
        "access key imported"
    );
    views::created(views::access_key(&key))
}

/// `PUT .../users/{user_name}/access-keys/{access_key_id}/status`.
pub async fn set_status(
    c: Caller,
    P((account, name, id)): P<(String, String, String)>,
    Body(req): Body<AccessKeyStatus>,
) -> Answer {
    let name = c.own_spelling(&account, &name);
    let arn = user_arn(&account, &name);
    c.authorize(&arn)?;
    let status = Status::parse(&req.status).ok_or_else(|| {
        MgmtError::validation(format!(
            "status must be Active or Inactive, got '{}'",
            req.status
        ))
    })?;
    c.state
        .iam
        .set_access_key_status(&account, &name, &id, status)
        .await?;
    c.audit(&arn, &format!("access key {id} set {}", status.as_str()));
    views::done()
}

/// `DELETE .../users/{user_name}/access-keys/{access_key_id}`.
pub async fn delete(c: Caller, P((account, name, id)): P<(String, String, String)>) -> Answer {
    let name = c.own_spelling(&account, &name);
    let arn = user_arn(&account, &name);
    c.authorize(&arn)?;
    c.state.iam.delete_access_key(&account, &name, &id).await?;
    c.audit(&arn, &format!("access key {id} deleted"));
    views::done()
}
