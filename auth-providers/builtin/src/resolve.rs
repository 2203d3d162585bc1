//! From the IAM store to a `ResolvedIdentity`: an access key's user with its own and its
//! groups' inline policies and boundary, or a role session's role with the role's policies,
//! boundary and the session policy. Stored documents were validated when they were put; one
//! that no longer parses fails closed (it becomes a deny-everything policy, and a warning names
//! the owner, never the document).

use crate::identity::{PrincipalKind, ResolvedIdentity};
use crate::policy::document::{Effect, Patterns, Statement};
use crate::policy::{parse_policy, Policy, PolicyKind, PolicySet, PolicyVersion};
use extenddb_core::model::iam::{AccessKey, IamUser, PolicyOwner, RoleSession};
use extenddb_core::model::tags::Tag;
use extenddb_core::traits::{IamError, IamStore};
use std::sync::Arc;

/// A policy that denies every action on every resource.
fn deny_all() -> Policy {
    Policy {
        version: PolicyVersion::V2012,
        statements: vec![Statement::new(
            None,
            Effect::Deny,
            Patterns::Any(vec!["*".into()]),
            Some(Patterns::Any(vec!["*".into()])),
            None,
            Vec::new(),
        )],
    }
}

fn parsed(doc: &str, kind: PolicyKind, owner: &str) -> Arc<Policy> {
    match parse_policy(doc, kind) {
        Ok(p) => Arc::new(p),
        Err(e) => {
            tracing::warn!(owner, error = %e, "stored policy does not parse; denying everything for this principal");
            Arc::new(deny_all())
        }
    }
}

/// The identity of IAM user `user`, with its policies and its groups'.
pub async fn user_identity(
    store: &dyn IamStore,
    user: &IamUser,
) -> Result<ResolvedIdentity, IamError> {
    let account = &user.account_id;
    let arn = user.arn();
    let mut identity = Vec::new();
    for p in store
        .list_policies(account, PolicyOwner::user(&user.user_name))
        .await?
    {
        identity.push(parsed(&p.document, PolicyKind::Identity, &arn));
    }
    for g in store.list_groups_for_user(account, &user.user_name).await? {
        let owner = g.arn();
        for p in store
            .list_policies(account, PolicyOwner::group(&g.group_name))
            .await?
        {
            identity.push(parsed(&p.document, PolicyKind::Identity, &owner));
        }
    }
    let boundary = user
        .permissions_boundary
        .as_deref()
        .map(|d| parsed(d, PolicyKind::Boundary, &arn));
    Ok(ResolvedIdentity {
        kind: PrincipalKind::User,
        account_id: account.clone(),
        principal_arn: arn.clone(),
        arn,
        user_id: user.user_id.clone(),
        user_name: Some(user.user_name.clone()),
        tags: user.tags.clone(),
        policies: PolicySet {
            identity,
            boundary,
            session: None,
        },
        session_issued: None,
    })
}

/// The identity of a role session; `None` when its role no longer exists.
pub async fn session_identity(
    store: &dyn IamStore,
    session: &RoleSession,
) -> Result<Option<ResolvedIdentity>, IamError> {
    let Some(role) = store
        .get_role(&session.account_id, &session.role_name)
        .await?
    else {
        return Ok(None);
    };
    let role_arn = role.arn();
    let mut identity = Vec::new();
    for p in store
        .list_policies(&role.account_id, PolicyOwner::role(&role.role_name))
        .await?
    {
        identity.push(parsed(&p.document, PolicyKind::Identity, &role_arn));
    }
    let boundary = role
        .permissions_boundary
        .as_deref()
        .map(|d| parsed(d, PolicyKind::Boundary, &role_arn));
    let policy = session
        .session_policy
        .as_deref()
        .map(|d| parsed(d, PolicyKind::Session, &role_arn));
    // Session tags override the role's tags of the same key.
    let mut tags: Vec<Tag> = role
        .tags
        .iter()
        .filter(|t| {
            !session
                .session_tags
                .iter()
                .any(|s| s.key.eq_ignore_ascii_case(&t.key))
        })
        .cloned()
        .collect();
    tags.extend(session.session_tags.iter().cloned());
    Ok(Some(ResolvedIdentity {
        kind: PrincipalKind::AssumedRole,
        account_id: role.account_id.clone(),
        arn: format!(
            "arn:aws:sts::{}:assumed-role/{}/{}",
            role.account_id, role.role_name, session.session_name
        ),
        principal_arn: role_arn,
        user_id: format!("{}:{}", role.role_id, session.session_name),
        user_name: None,
        tags,
        policies: PolicySet {
            identity,
            boundary,
            session: policy,
        },
        session_issued: u64::try_from(session.created).ok(),
    }))
}

/// What an access key id resolves to.
#[derive(Debug, Clone)]
pub enum Resolved {
    /// An active long-lived key of an existing user.
    Key(AccessKey, ResolvedIdentity),
    /// A session of an existing role (expired or not).
    Session(RoleSession, ResolvedIdentity),
}

/// Resolves `access_key_id`: `None` when unknown, inactive, or its owner is gone.
pub async fn resolve(
    store: &dyn IamStore,
    access_key_id: &str,
) -> Result<Option<Resolved>, IamError> {
    if access_key_id.starts_with("ASIA") {
        if let Some(s) = store.get_session(access_key_id).await? {
            return Ok(session_identity(store, &s)
                .await?
                .map(|id| Resolved::Session(s, id)));
        }
        return Ok(None);
    }
    let Some(key) = store.get_access_key(access_key_id).await? else {
        return Ok(None);
    };
    if key.status != extenddb_core::model::iam::AccessKeyStatus::Active {
        return Ok(None);
    }
    let Some(user) = store.get_user(&key.account_id, &key.user_name).await? else {
        return Ok(None);
    };
    let id = user_identity(store, &user).await?;
    Ok(Some(Resolved::Key(key, id)))
}
