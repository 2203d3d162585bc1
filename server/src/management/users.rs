//! IAM users: list, create (optionally with a console password, which lets the user call the
//! management API for self-service), get, delete (with keys, memberships, policies — the
//! store cascades), change a password, list a user's groups.

use super::api::{CreateUser, NewPassword, PageQuery};
use super::caller::Caller;
use super::error::MgmtError;
use super::extract::{Body, P, Q};
use super::views::{self, user_arn, Answer};
use extenddb_core::model::iam::{IamUser, UserChange};

/// The user, or 404.
pub async fn need(c: &Caller, account: &str, name: &str) -> Result<IamUser, MgmtError> {
    c.state.iam.get_user(account, name).await?.ok_or_else(|| {
        MgmtError::not_found(format!("User '{name}' does not exist in account {account}"))
    })
}

/// `GET /management/accounts/{account_id}/users`.
pub async fn list(c: Caller, P(account): P<String>, Q(q): Q<PageQuery>) -> Answer {
    c.authorize(&user_arn(&account, "*"))?;
    views::account_id(&account)?;
    let users = c.state.iam.list_users(&account).await?;
    let items = users.iter().map(views::user).collect();
    views::ok(views::page(
        items,
        |u| u.user_name.to_ascii_lowercase(),
        &q,
    )?)
}

/// `POST /management/accounts/{account_id}/users`.
pub async fn create(c: Caller, P(account): P<String>, Body(req): Body<CreateUser>) -> Answer {
    let arn = user_arn(&account, &req.user_name);
    c.authorize(&arn)?;
    views::account_id(&account)?;
    let password_hash = match req.password {
        Some(p) => {
            views::password(&p)?;
            Some(views::hash(p).await?)
        }
        None => None,
    };
    let user = IamUser {
        account_id: account,
        user_name: req.user_name,
        user_id: extenddb_auth_builtin::ids::new_user_id(),
        password_hash,
        tags: views::tags_in(req.tags),
        permissions_boundary: None,
        created: c.state.now_secs(),
    };
    user.validate().map_err(|e| MgmtError::validation(e.0))?;
    c.state.iam.create_user(&user).await?;
    let detail = if user.password_hash.is_some() {
        "user created with a console password"
    } else {
        "user created"
    };
    c.audit(&arn, detail);
    views::created(views::user(&user))
}

/// `GET /management/accounts/{account_id}/users/{user_name}`.
pub async fn get(c: Caller, P((account, name)): P<(String, String)>) -> Answer {
    let name = c.own_spelling(&account, &name);
    c.authorize(&user_arn(&account, &name))?;
    views::ok(views::user(&need(&c, &account, &name).await?))
}

/// `DELETE /management/accounts/{account_id}/users/{user_name}`.
pub async fn delete(c: Caller, P((account, name)): P<(String, String)>) -> Answer {
    let arn = user_arn(&account, &name);
    c.authorize(&arn)?;
    c.state.iam.delete_user(&account, &name).await?;
    c.audit(
        &arn,
        "user deleted with its access keys, memberships, tags and policies",
    );
    views::done()
}

/// `PUT /management/accounts/{account_id}/users/{user_name}/password`.
pub async fn change_password(
    c: Caller,
    P((account, name)): P<(String, String)>,
    Body(req): Body<NewPassword>,
) -> Answer {
    let name = c.own_spelling(&account, &name);
    let arn = user_arn(&account, &name);
    c.authorize(&arn)?;
    views::password(&req.new_password)?;
    let hash = views::hash(req.new_password).await?;
    c.state
        .iam
        .update_user(&account, &name, &UserChange::Password(Some(hash)))
        .await?;
    c.audit(&arn, "console password changed");
    views::done()
}

/// `GET /management/accounts/{account_id}/users/{user_name}/groups`.
pub async fn groups(
    c: Caller,
    P((account, name)): P<(String, String)>,
    Q(q): Q<PageQuery>,
) -> Answer {
    let name = c.own_spelling(&account, &name);
    c.authorize(&user_arn(&account, &name))?;
    need(&c, &account, &name).await?;
    let groups = c.state.iam.list_groups_for_user(&account, &name).await?;
    let items = groups.iter().map(views::group).collect();
    views::ok(views::page(
        items,
        |g| g.group_name.to_ascii_lowercase(),
        &q,
    )?)
}
