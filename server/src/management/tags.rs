//! Tags of users and roles (their `aws:PrincipalTag/*`): list, tag (add or overwrite;
//! keys compare case-insensitively, at most 50), untag (`?keys=a,b`).

use super::api::{self, TagKeys, Tags};
use super::caller::Caller;
use super::error::MgmtError;
use super::extract::{Body, P, Q};
use super::views::{self, role_arn, user_arn, Answer};
use extenddb_core::model::iam::{RoleChange, UserChange};

/// `GET .../users/{user_name}/tags`.
pub async fn list_user(c: Caller, P((account, name)): P<(String, String)>) -> Answer {
    let name = c.own_spelling(&account, &name);
    c.authorize(&user_arn(&account, &name))?;
    let user = super::users::need(&c, &account, &name).await?;
    views::ok(Tags {
        tags: views::tags_out(&user.tags),
    })
}

/// `POST .../users/{user_name}/tags`.
pub async fn tag_user(
    c: Caller,
    P((account, name)): P<(String, String)>,
    Body(req): Body<Tags>,
) -> Answer {
    let arn = user_arn(&account, &name);
    c.authorize(&arn)?;
    let keys = keys_of(&req.tags);
    let change = UserChange::Tags {
        set: views::tags_in(req.tags),
        remove: Vec::new(),
    };
    let user = c.state.iam.update_user(&account, &name, &change).await?;
    c.audit(&arn, &format!("tags set: {keys}"));
    views::ok(Tags {
        tags: views::tags_out(&user.tags),
    })
}

/// `DELETE .../users/{user_name}/tags?keys=a,b`.
pub async fn untag_user(
    c: Caller,
    P((account, name)): P<(String, String)>,
    Q(q): Q<TagKeys>,
) -> Answer {
    let arn = user_arn(&account, &name);
    c.authorize(&arn)?;
    let remove = split_keys(&q.keys)?;
    let change = UserChange::Tags {
        set: Vec::new(),
        remove: remove.clone(),
    };
    let user = c.state.iam.update_user(&account, &name, &change).await?;
    c.audit(&arn, &format!("tags removed: {}", remove.join(",")));
    views::ok(Tags {
        tags: views::tags_out(&user.tags),
    })
}

/// `GET .../roles/{role_name}/tags`.
pub async fn list_role(c: Caller, P((account, name)): P<(String, String)>) -> Answer {
    c.authorize(&role_arn(&account, &name))?;
    let role = c
        .state
        .iam
        .get_role(&account, &name)
        .await?
        .ok_or_else(|| {
            MgmtError::not_found(format!("Role '{name}' does not exist in account {account}"))
        })?;
    views::ok(Tags {
        tags: views::tags_out(&role.tags),
    })
}

/// `POST .../roles/{role_name}/tags`.
pub async fn tag_role(
    c: Caller,
    P((account, name)): P<(String, String)>,
    Body(req): Body<Tags>,
) -> Answer {
    let arn = role_arn(&account, &name);
    c.authorize(&arn)?;
    let keys = keys_of(&req.tags);
    let change = RoleChange::Tags {
        set: views::tags_in(req.tags),
        remove: Vec::new(),
    };
    let role = c.state.iam.update_role(&account, &name, &change).await?;
    c.audit(&arn, &format!("tags set: {keys}"));
    views::ok(Tags {
        tags: views::tags_out(&role.tags),
    })
}

/// `DELETE .../roles/{role_name}/tags?keys=a,b`.
pub async fn untag_role(
    c: Caller,
    P((account, name)): P<(String, String)>,
    Q(q): Q<TagKeys>,
) -> Answer {
    let arn = role_arn(&account, &name);
    c.authorize(&arn)?;
    let remove = split_keys(&q.keys)?;
    let change = RoleChange::Tags {
        set: Vec::new(),
        remove: remove.clone(),
    };
    let role = c.state.iam.update_role(&account, &name, &change).await?;
    c.audit(&arn, &format!("tags removed: {}", remove.join(",")));
    views::ok(Tags {
        tags: views::tags_out(&role.tags),
    })
}

fn keys_of(tags: &[api::Tag]) -> String {
    tags.iter()
        .map(|t| t.key.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn split_keys(keys: &str) -> Result<Vec<String>, MgmtError> {
    let keys: Vec<String> = keys
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect();
    if keys.is_empty() {
        return Err(MgmtError::validation("keys must name at least one tag key"));
    }
    Ok(keys)
}
