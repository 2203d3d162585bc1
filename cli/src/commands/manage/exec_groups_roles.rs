//! The group and role commands of `extenddb manage` as management API calls.

use super::client::{seg, Client};
use super::commands::ManageCommand as C;
use super::exec::{account_path, group_path, role_path, Print, NO_BODY};
use super::inputs::{self, Login};
use super::output as out;
use anyhow::bail;
use extenddb_server::management::api;
use http::Method as M;

/// Runs a group or role command.
pub async fn run(cmd: C, c: &Client, login: &Login, p: Print) -> anyhow::Result<()> {
    match cmd {
        C::CreateGroup { group } => {
            let a = login.account(&group.account_id)?;
            let body = api::CreateGroup {
                group_name: group.group_name,
            };
            p.one(
                c,
                M::POST,
                &format!("{}/groups", account_path(&a)),
                Some(&body),
                |g: &api::Group| {
                    println!(
                        "Created group '{}' in account {} ({}).",
                        g.group_name, g.account_id, g.arn
                    )
                },
            )
            .await
        }
        C::ListGroups { account } => {
            let a = login.account(&account.account_id)?;
            p.list(c, &format!("{}/groups", account_path(&a)), out::groups)
                .await
        }
        C::GetGroup { group } => {
            let (path, _) = group_path(login, &group)?;
            p.one(c, M::GET, &path, NO_BODY, |g: &api::GroupDetail| {
                out::block(
                    "Group:",
                    &[
                        ("Group name", g.group.group_name.clone()),
                        ("Group ID", g.group.group_id.clone()),
                        ("ARN", g.group.arn.clone()),
                        (
                            "Members",
                            if g.members.is_empty() {
                                "-".into()
                            } else {
                                g.members.join(", ")
                            },
                        ),
                        ("Created", g.group.created.clone()),
                    ],
                )
            })
            .await
        }
        C::DeleteGroup { group } => {
            let (path, _) = group_path(login, &group)?;
            let said = format!(
                "Deleted group '{}' with its memberships and policies.",
                group.group_name
            );
            p.done(c, M::DELETE, &path, NO_BODY, said).await
        }
        C::AddGroupMember { group, user_name } => {
            let (path, _) = group_path(login, &group)?;
            let said = format!("Added user '{user_name}' to group '{}'.", group.group_name);
            p.done(
                c,
                M::PUT,
                &format!("{path}/members/{}", seg(&user_name)),
                NO_BODY,
                said,
            )
            .await
        }
        C::RemoveGroupMember { group, user_name } => {
            let (path, _) = group_path(login, &group)?;
            let said = format!(
                "Removed user '{user_name}' from group '{}'.",
                group.group_name
            );
            p.done(
                c,
                M::DELETE,
                &format!("{path}/members/{}", seg(&user_name)),
                NO_BODY,
                said,
            )
            .await
        }
        C::CreateRole {
            role,
            trust_policy,
            tags,
        } => {
            let a = login.account(&role.account_id)?;
            let tags = match tags {
                Some(t) => inputs::tags(&t)?,
                None => Vec::new(),
            };
            let body = api::CreateRole {
                role_name: role.role_name,
                trust_policy: inputs::document(&trust_policy)?,
                tags,
            };
            p.one(
                c,
                M::POST,
                &format!("{}/roles", account_path(&a)),
                Some(&body),
                |r: &api::Role| out::role("Role created.", r),
            )
            .await
        }
        C::ListRoles { account } => {
            let a = login.account(&account.account_id)?;
            p.list(c, &format!("{}/roles", account_path(&a)), out::roles)
                .await
        }
        C::GetRole { role } => {
            let (path, _) = role_path(login, &role)?;
            p.one(c, M::GET, &path, NO_BODY, |r: &api::Role| {
                out::role("Role:", r)
            })
            .await
        }
        C::DeleteRole { role } => {
            let (path, _) = role_path(login, &role)?;
            let said = format!(
                "Deleted role '{}' with its policies and sessions.",
                role.role_name
            );
            p.done(c, M::DELETE, &path, NO_BODY, said).await
        }
        C::UpdateAssumeRolePolicy { role, trust_policy } => {
            let (path, _) = role_path(login, &role)?;
            let body = api::TrustPolicy {
                trust_policy: inputs::document(&trust_policy)?,
            };
            p.one(
                c,
                M::PUT,
                &format!("{path}/trust-policy"),
                Some(&body),
                |r: &api::Role| println!("Replaced the trust policy of role '{}'.", r.role_name),
            )
            .await
        }
        C::AssumeRole {
            role,
            caller_arn,
            session_name,
            session_tags,
            session_policy,
            duration_seconds,
        } => {
            let (path, _) = role_path(login, &role)?;
            let Some(caller_arn) = caller_arn.or_else(|| login.arn()) else {
                bail!("--caller-arn is required");
            };
            let body = api::AssumeRole {
                caller_arn,
                session_name,
                session_tags: match session_tags {
                    Some(t) => inputs::tags(&t)?,
                    None => Vec::new(),
                },
                session_policy: session_policy.map(|d| inputs::document(&d)).transpose()?,
                duration_seconds,
            };
            p.one(
                c,
                M::POST,
                &format!("{path}/sessions"),
                Some(&body),
                |k: &api::Credentials| {
                    out::block(
                        "Temporary credentials (shown only now):",
                        &[
                            ("Access key ID", k.access_key_id.clone()),
                            ("Secret access key", k.secret_access_key.clone()),
                            ("Session token", k.session_token.clone()),
                            ("Expiration", k.expiration.clone()),
                            ("Assumed role ARN", k.assumed_role_arn.clone()),
                        ],
                    )
                },
            )
            .await
        }
        other => bail!("internal: {other:?} is not a group or role command"),
    }
}
