//! Each `extenddb manage` command as its management API call and what it prints.

use super::client::{seg, Client};
use super::commands::{GroupOpt, ManageCommand as C, RoleOpt};
use super::inputs::{self, Login};
use super::output as out;
use anyhow::bail;
use extenddb_server::management::api;
use http::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// How to print answers.
#[derive(Debug, Clone, Copy)]
pub struct Print {
    /// JSON instead of text.
    pub json: bool,
}

pub(super) fn account_path(a: &str) -> String {
    format!("/management/accounts/{}", seg(a))
}

pub(super) fn user_path(a: &str, u: &str) -> String {
    format!("{}/users/{}", account_path(a), seg(u))
}

pub(super) fn group_path(login: &Login, g: &GroupOpt) -> anyhow::Result<(String, String)> {
    let a = login.account(&g.account_id)?;
    Ok((
        format!("{}/groups/{}", account_path(&a), seg(&g.group_name)),
        a,
    ))
}

pub(super) fn role_path(login: &Login, r: &RoleOpt) -> anyhow::Result<(String, String)> {
    let a = login.account(&r.account_id)?;
    Ok((
        format!("{}/roles/{}", account_path(&a), seg(&r.role_name)),
        a,
    ))
}

pub(super) const NO_BODY: Option<&()> = None;

impl Print {
    pub(super) async fn one<T: DeserializeOwned + Serialize>(
        self,
        c: &Client,
        m: Method,
        path: &str,
        body: Option<&impl Serialize>,
        text: impl FnOnce(&T),
    ) -> anyhow::Result<()> {
        let v: T = c.json(m, path, body).await?;
        if self.json {
            out::json(&v);
        } else {
            text(&v);
        }
        Ok(())
    }

    pub(super) async fn list<T: DeserializeOwned + Serialize>(
        self,
        c: &Client,
        path: &str,
        text: impl FnOnce(&[T]),
    ) -> anyhow::Result<()> {
        let items: Vec<T> = c.list(path).await?;
        if self.json {
            out::json(&serde_json::json!({ "items": items }));
        } else {
            text(&items);
        }
        Ok(())
    }

    pub(super) async fn done(
        self,
        c: &Client,
        m: Method,
        path: &str,
        body: Option<&impl Serialize>,
        said: String,
    ) -> anyhow::Result<()> {
        c.call(m, path, body).await?;
        if self.json {
            println!("{{}}");
        } else {
            println!("{said}");
        }
        Ok(())
    }
}

pub(super) fn policy_doc(doc: &str) -> anyhow::Result<api::PolicyDocument> {
    Ok(api::PolicyDocument {
        policy_document: inputs::document(doc)?,
    })
}

pub(super) fn print_policy(p: &api::Policy) {
    out::policies(std::slice::from_ref(p));
}

pub(super) fn print_tags(t: &api::Tags) {
    out::table(
        &["KEY", "VALUE"],
        t.tags
            .iter()
            .map(|t| vec![t.key.clone(), t.value.clone()])
            .collect(),
    );
}

pub(super) fn print_boundary(b: &api::Boundary) {
    println!(
        "{}",
        b.permissions_boundary
            .as_deref()
            .unwrap_or("(no permissions boundary)")
    );
}

/// Runs one command.
pub async fn run(cmd: C, c: &Client, login: &Login, p: Print) -> anyhow::Result<()> {
    use Method as M;
    let cmd = match super::exec_owned::split(cmd, login)? {
        Ok((owner, op)) => return super::exec_owned::run(owner, op, c, p).await,
        Err(cmd) => cmd,
    };
    match cmd {
        C::Whoami => {
            p.one(
                c,
                M::GET,
                "/management/whoami",
                NO_BODY,
                |w: &api::WhoAmI| match &w.arn {
                    Some(arn) => println!("IAM user {arn}"),
                    None => println!("{} {}", w.kind, w.name),
                },
            )
            .await
        }
        C::ListAdmins => {
            p.list(c, "/management/admins", |l: &[api::Admin]| {
                out::table(
                    &["ADMIN NAME", "CREATED"],
                    l.iter()
                        .map(|a| vec![a.admin_name.clone(), a.created.clone()])
                        .collect(),
                )
            })
            .await
        }
        C::CreateAdmin {
            admin_name,
            admin_password,
        } => {
            let body = api::CreateAdmin {
                admin_name,
                password: admin_password,
            };
            p.one(
                c,
                M::POST,
                "/management/admins",
                Some(&body),
                |a: &api::Admin| println!("Created admin '{}'.", a.admin_name),
            )
            .await
        }
        C::ChangeAdminPassword {
            admin_name,
            new_password,
        } => {
            let path = format!("/management/admins/{}/password", seg(&admin_name));
            let body = api::NewPassword { new_password };
            p.done(
                c,
                M::PUT,
                &path,
                Some(&body),
                format!("Changed the password of admin '{admin_name}'."),
            )
            .await
        }
        C::DeleteAdmin { admin_name } => {
            let path = format!("/management/admins/{}", seg(&admin_name));
            p.done(
                c,
                M::DELETE,
                &path,
                NO_BODY,
                format!("Deleted admin '{admin_name}'."),
            )
            .await
        }
        C::CreateAccount {
            account_id,
            account_name,
        } => {
            let body = api::CreateAccount {
                account_id,
                account_name,
            };
            p.one(
                c,
                M::POST,
                "/management/accounts",
                Some(&body),
                |a: &api::Account| out::account("Account created.", a),
            )
            .await
        }
        C::ListAccounts => {
            p.list(c, "/management/accounts", |l: &[api::Account]| {
                out::table(
                    &["ACCOUNT ID", "ACCOUNT NAME", "CREATED"],
                    l.iter()
                        .map(|a| {
                            vec![
                                a.account_id.clone(),
                                a.account_name.clone(),
                                a.created.clone(),
                            ]
                        })
                        .collect(),
                )
            })
            .await
        }
        C::GetAccount { account_id } => {
            p.one(
                c,
                M::GET,
                &account_path(&account_id),
                NO_BODY,
                |a: &api::Account| out::account("Account:", a),
            )
            .await
        }
        C::DeleteAccount { account_id } => {
            let said = format!("Deleted account {account_id}.");
            p.done(c, M::DELETE, &account_path(&account_id), NO_BODY, said)
                .await
        }
        C::CreateUser {
            account,
            user_name,
            user_password,
            tags,
        } => {
            let a = login.account(&account.account_id)?;
            let tags = match tags {
                Some(t) => inputs::tags(&t)?,
                None => Vec::new(),
            };
            let body = api::CreateUser {
                user_name,
                password: user_password,
                tags,
            };
            let path = format!("{}/users", account_path(&a));
            p.one(c, M::POST, &path, Some(&body), |u: &api::User| {
                out::user("User created.", u)
            })
            .await
        }
        C::ListUsers { account } => {
            let a = login.account(&account.account_id)?;
            p.list(c, &format!("{}/users", account_path(&a)), out::users)
                .await
        }
        C::GetUser { user } => {
            let (a, u) = login.user(&user)?;
            p.one(c, M::GET, &user_path(&a, &u), NO_BODY, |u: &api::User| {
                out::user("User:", u)
            })
            .await
        }
        C::DeleteUser { user } => {
            let (a, u) = login.user(&user)?;
            let said = format!("Deleted user '{u}' of account {a} with its access keys, group memberships, tags and policies.");
            p.done(c, M::DELETE, &user_path(&a, &u), NO_BODY, said)
                .await
        }
        C::ChangeUserPassword { user, new_password } => {
            let (a, u) = login.user(&user)?;
            let body = api::NewPassword { new_password };
            let said = format!("Changed the console password of user '{u}'.");
            p.done(
                c,
                M::PUT,
                &format!("{}/password", user_path(&a, &u)),
                Some(&body),
                said,
            )
            .await
        }
        C::ListGroupsForUser { user } => {
            let (a, u) = login.user(&user)?;
            p.list(c, &format!("{}/groups", user_path(&a, &u)), out::groups)
                .await
        }
        C::CreateAccessKey { user } => {
            let (a, u) = login.user(&user)?;
            let path = format!("{}/access-keys", user_path(&a, &u));
            p.one(c, M::POST, &path, NO_BODY, |k: &api::NewAccessKey| {
                out::block(
                    "Access key created. The secret access key is shown only now: save it.",
                    &[
                        ("Access key ID", k.key.access_key_id.clone()),
                        ("Secret access key", k.secret_access_key.clone()),
                        (
                            "User",
                            format!("{} (account {})", k.key.user_name, k.key.account_id),
                        ),
                        ("Status", k.key.status.clone()),
                    ],
                )
            })
            .await
        }
        C::ListAccessKeys { user } => {
            let (a, u) = login.user(&user)?;
            p.list(c, &format!("{}/access-keys", user_path(&a, &u)), out::keys)
                .await
        }
        C::DeleteAccessKey {
            user,
            access_key_id,
        } => {
            let (a, u) = login.user(&user)?;
            let path = format!("{}/access-keys/{}", user_path(&a, &u), seg(&access_key_id));
            p.done(
                c,
                M::DELETE,
                &path,
                NO_BODY,
                format!("Deleted access key {access_key_id}."),
            )
            .await
        }
        C::UpdateAccessKey {
            user,
            access_key_id,
            status,
        } => {
            let (a, u) = login.user(&user)?;
            let path = format!(
                "{}/access-keys/{}/status",
                user_path(&a, &u),
                seg(&access_key_id)
            );
            let said = format!("Access key {access_key_id} is now {status}.");
            p.done(
                c,
                M::PUT,
                &path,
                Some(&api::AccessKeyStatus { status }),
                said,
            )
            .await
        }
        C::ImportAccessKey {
            user,
            access_key_id,
            secret_access_key,
            yes,
        } => {
            if !yes {
                bail!(
                    "import-access-key stores a real credential here: re-run with --yes to confirm"
                );
            }
            let (a, u) = login.user(&user)?;
            let path = format!("{}/access-keys/import", user_path(&a, &u));
            let body = api::ImportAccessKey {
                access_key_id,
                secret_access_key,
            };
            p.one(c, M::POST, &path, Some(&body), |k: &api::AccessKey| {
                println!(
                    "Imported access key {} for user '{}' of account {}.",
                    k.access_key_id, k.user_name, k.account_id
                )
            })
            .await
        }
        other => super::exec_groups_roles::run(other, c, login, p).await,
    }
}
