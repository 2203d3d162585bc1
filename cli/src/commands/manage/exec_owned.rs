//! The commands users, groups and roles share — inline policies, tags and permissions
//! boundaries — as one set of management API calls on the entity's path, so the three kinds
//! ask and answer alike.

use super::client::{seg, Client};
use super::commands::{
    DocumentOpt, GroupOpt, ManageCommand as C, PolicyNameOpt, RoleOpt, TagKeysOpt, TagsOpt, UserOpt,
};
use super::exec::{
    group_path, policy_doc, print_boundary, print_policy, print_tags, role_path, user_path, Print,
    NO_BODY,
};
use super::inputs::{self, Login};
use super::output as out;
use extenddb_server::management::api;
use http::Method as M;

/// The user, group or role a shared command acts on.
pub(super) struct Owner {
    /// Its management API path.
    path: String,
    /// `user`, `group` or `role`, as the messages name it.
    kind: &'static str,
    /// Its name, as the messages quote it.
    name: String,
}

/// A command every owner kind has (boundaries: users and roles).
pub(super) enum Shared {
    PutPolicy(PolicyNameOpt, DocumentOpt),
    GetPolicy(PolicyNameOpt),
    ListPolicies,
    DeletePolicy(PolicyNameOpt),
    Tag(TagsOpt),
    ListTags,
    Untag(TagKeysOpt),
    SetBoundary(DocumentOpt),
    GetBoundary,
    DeleteBoundary,
}

fn user(login: &Login, u: &UserOpt) -> anyhow::Result<Owner> {
    let (a, name) = login.user(u)?;
    Ok(Owner {
        path: user_path(&a, &name),
        kind: "user",
        name,
    })
}

fn group(login: &Login, g: &GroupOpt) -> anyhow::Result<Owner> {
    Ok(Owner {
        path: group_path(login, g)?.0,
        kind: "group",
        name: g.group_name.clone(),
    })
}

fn role(login: &Login, r: &RoleOpt) -> anyhow::Result<Owner> {
    Ok(Owner {
        path: role_path(login, r)?.0,
        kind: "role",
        name: r.role_name.clone(),
    })
}

/// `cmd` as a shared command on its (resolved) owner, or `cmd` back when it is another one.
pub(super) fn split(cmd: C, login: &Login) -> anyhow::Result<Result<(Owner, Shared), C>> {
    use Shared as S;
    Ok(Ok(match cmd {
        C::PutUserPolicy { user: u, name, doc } => (user(login, &u)?, S::PutPolicy(name, doc)),
        C::GetUserPolicy { user: u, name } => (user(login, &u)?, S::GetPolicy(name)),
        C::ListUserPolicies { user: u } => (user(login, &u)?, S::ListPolicies),
        C::DeleteUserPolicy { user: u, name } => (user(login, &u)?, S::DeletePolicy(name)),
        C::TagUser { user: u, tags } => (user(login, &u)?, S::Tag(tags)),
        C::ListUserTags { user: u } => (user(login, &u)?, S::ListTags),
        C::UntagUser { user: u, keys } => (user(login, &u)?, S::Untag(keys)),
        C::SetUserBoundary { user: u, doc } => (user(login, &u)?, S::SetBoundary(doc)),
        C::GetUserBoundary { user: u } => (user(login, &u)?, S::GetBoundary),
        C::DeleteUserBoundary { user: u } => (user(login, &u)?, S::DeleteBoundary),
        C::PutGroupPolicy {
            group: g,
            name,
            doc,
        } => (group(login, &g)?, S::PutPolicy(name, doc)),
        C::GetGroupPolicy { group: g, name } => (group(login, &g)?, S::GetPolicy(name)),
        C::ListGroupPolicies { group: g } => (group(login, &g)?, S::ListPolicies),
        C::DeleteGroupPolicy { group: g, name } => (group(login, &g)?, S::DeletePolicy(name)),
        C::PutRolePolicy { role: r, name, doc } => (role(login, &r)?, S::PutPolicy(name, doc)),
        C::GetRolePolicy { role: r, name } => (role(login, &r)?, S::GetPolicy(name)),
        C::ListRolePolicies { role: r } => (role(login, &r)?, S::ListPolicies),
        C::DeleteRolePolicy { role: r, name } => (role(login, &r)?, S::DeletePolicy(name)),
        C::TagRole { role: r, tags } => (role(login, &r)?, S::Tag(tags)),
        C::ListRoleTags { role: r } => (role(login, &r)?, S::ListTags),
        C::UntagRole { role: r, keys } => (role(login, &r)?, S::Untag(keys)),
        C::SetRoleBoundary { role: r, doc } => (role(login, &r)?, S::SetBoundary(doc)),
        C::GetRoleBoundary { role: r } => (role(login, &r)?, S::GetBoundary),
        C::DeleteRoleBoundary { role: r } => (role(login, &r)?, S::DeleteBoundary),
        other => return Ok(Err(other)),
    }))
}

/// Runs a shared command on `owner`.
pub(super) async fn run(owner: Owner, op: Shared, c: &Client, p: Print) -> anyhow::Result<()> {
    use Shared as S;
    let Owner { path, kind, name } = owner;
    let policy = |n: &PolicyNameOpt| format!("{path}/policies/{}", seg(&n.policy_name));
    let boundary = format!("{path}/boundary");
    let tags = format!("{path}/tags");
    match op {
        S::PutPolicy(n, doc) => {
            let said = format!("Put policy '{}' on {kind} '{name}'.", n.policy_name);
            let body = policy_doc(&doc.policy_document)?;
            p.done(c, M::PUT, &policy(&n), Some(&body), said).await
        }
        S::GetPolicy(n) => p.one(c, M::GET, &policy(&n), NO_BODY, print_policy).await,
        S::ListPolicies => p.list(c, &format!("{path}/policies"), out::policies).await,
        S::DeletePolicy(n) => {
            let said = format!("Deleted policy '{}' of {kind} '{name}'.", n.policy_name);
            p.done(c, M::DELETE, &policy(&n), NO_BODY, said).await
        }
        S::Tag(t) => {
            let body = api::Tags {
                tags: inputs::tags(&t.tags)?,
            };
            p.one(c, M::POST, &tags, Some(&body), print_tags).await
        }
        S::ListTags => p.one(c, M::GET, &tags, NO_BODY, print_tags).await,
        S::Untag(k) => {
            let path = format!("{tags}?keys={}", seg(&inputs::tag_keys(&k.tag_keys)));
            p.one(c, M::DELETE, &path, NO_BODY, print_tags).await
        }
        S::SetBoundary(doc) => {
            let said = format!("Set the permissions boundary of {kind} '{name}'.");
            let body = policy_doc(&doc.policy_document)?;
            p.done(c, M::PUT, &boundary, Some(&body), said).await
        }
        S::GetBoundary => p.one(c, M::GET, &boundary, NO_BODY, print_boundary).await,
        S::DeleteBoundary => {
            let said = format!("Removed the permissions boundary of {kind} '{name}'.");
            p.done(c, M::DELETE, &boundary, NO_BODY, said).await
        }
    }
}
