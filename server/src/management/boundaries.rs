//! Permissions boundaries of users and roles: get, set (a valid policy document), delete.

use super::api::{Boundary, PolicyDocument};
use super::caller::Caller;
use super::error::MgmtError;
use super::extract::{Body, P};
use super::views::{self, role_arn, user_arn, Answer};
use extenddb_auth_builtin::policy::PolicyKind;
use extenddb_core::model::iam::{RoleChange, UserChange};

/// `GET .../users/{user_name}/boundary`.
pub async fn get_user(c: Caller, P((account, name)): P<(String, String)>) -> Answer {
    let name = c.own_spelling(&account, &name);
    c.authorize(&user_arn(&account, &name))?;
    let user = super::users::need(&c, &account, &name).await?;
    views::ok(Boundary {
        permissions_boundary: user.permissions_boundary,
    })
}

/// `PUT .../users/{user_name}/boundary`.
pub async fn set_user(
    c: Caller,
    P((account, name)): P<(String, String)>,
    Body(req): Body<PolicyDocument>,
) -> Answer {
    let arn = user_arn(&account, &name);
    c.authorize(&arn)?;
    views::policy(&req.policy_document, PolicyKind::Boundary)?;
    let change = UserChange::Boundary(Some(req.policy_document));
    let user = c.state.iam.update_user(&account, &name, &change).await?;
    c.audit(&arn, "permissions boundary set");
    views::ok(Boundary {
        permissions_boundary: user.permissions_boundary,
    })
}

/// `DELETE .../users/{user_name}/boundary`.
pub async fn delete_user(c: Caller, P((account, name)): P<(String, String)>) -> Answer {
    let arn = user_arn(&account, &name);
    c.authorize(&arn)?;
    c.state
        .iam
        .update_user(&account, &name, &UserChange::Boundary(None))
        .await?;
    c.audit(&arn, "permissions boundary deleted");
    views::done()
}

/// `GET .../roles/{role_name}/boundary`.
pub async fn get_role(c: Caller, P((account, name)): P<(String, String)>) -> Answer {
    c.authorize(&role_arn(&account, &name))?;
    let role = c
        .state
        .iam
        .get_role(&account, &name)
        .await?
        .ok_or_else(|| {
            MgmtError::not_found(format!("Role '{name}' does not exist in account {account}"))
        })?;
    views::ok(Boundary {
        permissions_boundary: role.permissions_boundary,
    })
}

/// `PUT .../roles/{role_name}/boundary`.
pub async fn set_role(
    c: Caller,
    P((account, name)): P<(String, String)>,
    Body(req): Body<PolicyDocument>,
) -> Answer {
    let arn = role_arn(&account, &name);
    c.authorize(&arn)?;
    views::policy(&req.policy_document, PolicyKind::Boundary)?;
    let change = RoleChange::Boundary(Some(req.policy_document));
    let role = c.state.iam.update_role(&account, &name, &change).await?;
    c.audit(&arn, "permissions boundary set");
    views::ok(Boundary {
        permissions_boundary: role.permissions_boundary,
    })
}

/// `DELETE .../roles/{role_name}/boundary`.
pub async fn delete_role(c: Caller, P((account, name)): P<(String, String)>) -> Answer {
    let arn = role_arn(&account, &name);
    c.authorize(&arn)?;
    c.state
        .iam
        .update_role(&account, &name, &RoleChange::Boundary(None))
        .await?;
    c.audit(&arn, "permissions boundary deleted");
    views::done()
}
