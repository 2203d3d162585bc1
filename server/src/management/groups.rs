//! Groups and their members: list, create, get (with members), delete, add and remove a
//! member (adding is idempotent; removing a non-member is 404).

use super::api::{self, CreateGroup, PageQuery};
use super::caller::Caller;
use super::error::MgmtError;
use super::extract::{Body, P, Q};
use super::views::{self, group_arn, Answer};
use extenddb_core::model::iam::IamGroup;

async fn need(c: &Caller, account: &str, name: &str) -> Result<IamGroup, MgmtError> {
    c.state.iam.get_group(account, name).await?.ok_or_else(|| {
        MgmtError::not_found(format!(
            "Group '{name}' does not exist in account {account}"
        ))
    })
}

/// `GET /management/accounts/{account_id}/groups`.
pub async fn list(c: Caller, P(account): P<String>, Q(q): Q<PageQuery>) -> Answer {
    c.authorize(&group_arn(&account, "*"))?;
    views::account_id(&account)?;
    let groups = c.state.iam.list_groups(&account).await?;
    let items = groups.iter().map(views::group).collect();
    views::ok(views::page(
        items,
        |g| g.group_name.to_ascii_lowercase(),
        &q,
    )?)
}

/// `POST /management/accounts/{account_id}/groups`.
pub async fn create(c: Caller, P(account): P<String>, Body(req): Body<CreateGroup>) -> Answer {
    let arn = group_arn(&account, &req.group_name);
    c.authorize(&arn)?;
    views::account_id(&account)?;
    let group = IamGroup {
        account_id: account,
        group_name: req.group_name,
        group_id: extenddb_auth_builtin::ids::new_group_id(),
        created: c.state.now_secs(),
    };
    group.validate().map_err(|e| MgmtError::validation(e.0))?;
    c.state.iam.create_group(&group).await?;
    c.audit(&arn, "group created");
    views::created(views::group(&group))
}

/// `GET /management/accounts/{account_id}/groups/{group_name}`.
pub async fn get(c: Caller, P((account, name)): P<(String, String)>) -> Answer {
    c.authorize(&group_arn(&account, &name))?;
    let group = need(&c, &account, &name).await?;
    let members = c.state.iam.list_group_members(&account, &name).await?;
    views::ok(api::GroupDetail {
        group: views::group(&group),
        members,
    })
}

/// `DELETE /management/accounts/{account_id}/groups/{group_name}`.
pub async fn delete(c: Caller, P((account, name)): P<(String, String)>) -> Answer {
    let arn = group_arn(&account, &name);
    c.authorize(&arn)?;
    c.state.iam.delete_group(&account, &name).await?;
    c.audit(&arn, "group deleted with its memberships and policies");
    views::done()
}

/// `GET .../groups/{group_name}/members`.
pub async fn members(
    c: Caller,
    P((account, name)): P<(String, String)>,
    Q(q): Q<PageQuery>,
) -> Answer {
    c.authorize(&group_arn(&account, &name))?;
    need(&c, &account, &name).await?;
    let members = c.state.iam.list_group_members(&account, &name).await?;
    views::ok(views::page(members, |m| m.to_ascii_lowercase(), &q)?)
}

/// `PUT .../groups/{group_name}/members/{user_name}`.
pub async fn add_member(
    c: Caller,
    P((account, group, user)): P<(String, String, String)>,
) -> Answer {
    let arn = group_arn(&account, &group);
    c.authorize(&arn)?;
    c.state
        .iam
        .add_group_member(&account, &group, &user)
        .await?;
    c.audit(&arn, &format!("user '{user}' added"));
    views::done()
}

/// `DELETE .../groups/{group_name}/members/{user_name}`.
pub async fn remove_member(
    c: Caller,
    P((account, group, user)): P<(String, String, String)>,
) -> Answer {
    let arn = group_arn(&account, &group);
    c.authorize(&arn)?;
    c.state
        .iam
        .remove_group_member(&account, &group, &user)
        .await?;
    c.audit(&arn, &format!("user '{user}' removed"));
    views::done()
}
