//! The route table: every management route's method, path (under `/management`), IAM action,
//! who may call it with the default policies, handler and summary, in one line each. The
//! router and the API reference in docs/management.md are both made from it (a test checks
//! the document against `reference()`).

use super::caller::Action;
use super::error::MgmtError;
use super::MgmtState;
use super::{accounts, admins, boundaries, groups, keys, policies, roles, settings, tags, users};
use axum::routing::{on, MethodFilter};
use axum::{Extension, Router};
use std::sync::Arc;

/// Who may call a route under the default policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Any authenticated caller.
    Anyone,
    /// Admins only.
    Admin,
    /// Admins, and an IAM user on itself.
    SelfService,
    /// Admins and the operator (the data key holder: `extenddb settings`).
    Operator,
    /// Admins and the operator; IAM users may read (the runtime settings hold no secret).
    OperatorUsersRead,
}

impl Audience {
    /// As the reference shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Anyone => "anyone",
            Audience::Admin => "admin",
            Audience::SelfService => "admin, self",
            Audience::Operator => "admin, operator",
            Audience::OperatorUsersRead => "admin, operator; users read",
        }
    }
}

/// One route of the table.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// The path after `/management`, with `{parameters}`.
    pub path: &'static str,
    /// The IAM action it is authorized as (empty: authentication only).
    pub action: &'static str,
    /// Who may call it by default.
    pub audience: Audience,
    /// What it does.
    pub summary: &'static str,
}

macro_rules! routes {
    ($($method:ident $path:literal $action:literal $aud:ident $handler:path => $summary:literal;)*) => {
        /// Every management route.
        pub const ROUTES: &[Route] = &[$(Route {
            method: stringify!($method),
            path: $path,
            action: $action,
            audience: Audience::$aud,
            summary: $summary,
        },)*];

        /// The router of the table, with JSON answers for unknown paths and methods.
        pub(crate) fn router(state: Arc<MgmtState>) -> Router {
            let inner: Router<Arc<MgmtState>> = Router::new()
                $(.route($path, on(MethodFilter::$method, $handler).layer(Extension(Action($action)))))*;
            Router::new()
                .nest(super::api::PREFIX, inner)
                .fallback(|uri: http::Uri| async move { MgmtError::unknown_route(uri.path()) })
                .method_not_allowed_fallback(|| async { MgmtError::method_not_allowed() })
                .with_state(state)
        }
    };
}

routes! {
    GET "/whoami" "" Anyone super::whoami => "Who the credentials belong to.";
    GET "/admins" "extenddb:ListAdmins" Admin admins::list => "List admin users.";
    POST "/admins" "extenddb:CreateAdmin" Admin admins::create => "Create an admin user.";
    PUT "/admins/{admin_name}/password" "extenddb:ChangeAdminPassword" Admin admins::change_password => "Change an admin's password.";
    DELETE "/admins/{admin_name}" "extenddb:DeleteAdmin" Admin admins::delete => "Delete an admin (not the last one).";
    GET "/accounts" "extenddb:ListAccounts" Admin accounts::list => "List accounts.";
    POST "/accounts" "extenddb:CreateAccount" Admin accounts::create => "Create an account (random 12-digit id unless given).";
    GET "/accounts/{account_id}" "extenddb:GetAccount" Admin accounts::get => "Get an account.";
    DELETE "/accounts/{account_id}" "extenddb:DeleteAccount" Admin accounts::delete => "Delete an account and its IAM entities; refused while it owns tables.";
    GET "/accounts/{account_id}/users" "iam:ListUsers" Admin users::list => "List an account's users.";
    POST "/accounts/{account_id}/users" "iam:CreateUser" Admin users::create => "Create a user, optionally with a console password and tags.";
    GET "/accounts/{account_id}/users/{user_name}" "iam:GetUser" SelfService users::get => "Get a user.";
    DELETE "/accounts/{account_id}/users/{user_name}" "iam:DeleteUser" Admin users::delete => "Delete a user with its keys, memberships, tags and policies.";
    PUT "/accounts/{account_id}/users/{user_name}/password" "iam:ChangePassword" SelfService users::change_password => "Set a user's console password.";
    GET "/accounts/{account_id}/users/{user_name}/groups" "iam:ListGroupsForUser" SelfService users::groups => "List the groups a user belongs to.";
    GET "/accounts/{account_id}/users/{user_name}/access-keys" "iam:ListAccessKeys" SelfService keys::list => "List a user's access keys (never secrets).";
    POST "/accounts/{account_id}/users/{user_name}/access-keys" "iam:CreateAccessKey" SelfService keys::create => "Create an access key; the answer carries its secret, shown once.";
    POST "/accounts/{account_id}/users/{user_name}/access-keys/import" "extenddb:ImportAccessKey" Admin keys::import => "Import an AKIA key and secret; refused while allow_credential_import is false.";
    PUT "/accounts/{account_id}/users/{user_name}/access-keys/{access_key_id}/status" "iam:UpdateAccessKey" SelfService keys::set_status => "Activate or deactivate an access key.";
    DELETE "/accounts/{account_id}/users/{user_name}/access-keys/{access_key_id}" "iam:DeleteAccessKey" SelfService keys::delete => "Delete an access key.";
    GET "/accounts/{account_id}/users/{user_name}/policies" "iam:ListUserPolicies" SelfService policies::list_user => "List a user's inline policies.";
    GET "/accounts/{account_id}/users/{user_name}/policies/{policy_name}" "iam:GetUserPolicy" SelfService policies::get_user => "Get a user's inline policy.";
    PUT "/accounts/{account_id}/users/{user_name}/policies/{policy_name}" "iam:PutUserPolicy" Admin policies::put_user => "Create or replace a user's inline policy.";
    DELETE "/accounts/{account_id}/users/{user_name}/policies/{policy_name}" "iam:DeleteUserPolicy" Admin policies::delete_user => "Delete a user's inline policy.";
    GET "/accounts/{account_id}/users/{user_name}/tags" "iam:ListUserTags" SelfService tags::list_user => "List a user's tags.";
    POST "/accounts/{account_id}/users/{user_name}/tags" "iam:TagUser" Admin tags::tag_user => "Add or overwrite a user's tags.";
    DELETE "/accounts/{account_id}/users/{user_name}/tags" "iam:UntagUser" Admin tags::untag_user => "Remove a user's tags (?keys=a,b).";
    GET "/accounts/{account_id}/users/{user_name}/boundary" "iam:GetUser" SelfService boundaries::get_user => "Get a user's permissions boundary.";
    PUT "/accounts/{account_id}/users/{user_name}/boundary" "iam:PutUserPermissionsBoundary" Admin boundaries::set_user => "Set a user's permissions boundary.";
    DELETE "/accounts/{account_id}/users/{user_name}/boundary" "iam:DeleteUserPermissionsBoundary" Admin boundaries::delete_user => "Remove a user's permissions boundary.";
    GET "/accounts/{account_id}/groups" "iam:ListGroups" Admin groups::list => "List an account's groups.";
    POST "/accounts/{account_id}/groups" "iam:CreateGroup" Admin groups::create => "Create a group.";
    GET "/accounts/{account_id}/groups/{group_name}" "iam:GetGroup" Admin groups::get => "Get a group with its members.";
    DELETE "/accounts/{account_id}/groups/{group_name}" "iam:DeleteGroup" Admin groups::delete => "Delete a group with its memberships and policies.";
    GET "/accounts/{account_id}/groups/{group_name}/members" "iam:GetGroup" Admin groups::members => "List a group's members.";
    PUT "/accounts/{account_id}/groups/{group_name}/members/{user_name}" "iam:AddUserToGroup" Admin groups::add_member => "Add a user to a group (idempotent).";
    DELETE "/accounts/{account_id}/groups/{group_name}/members/{user_name}" "iam:RemoveUserFromGroup" Admin groups::remove_member => "Remove a user from a group.";
    GET "/accounts/{account_id}/groups/{group_name}/policies" "iam:ListGroupPolicies" Admin policies::list_group => "List a group's inline policies.";
    GET "/accounts/{account_id}/groups/{group_name}/policies/{policy_name}" "iam:GetGroupPolicy" Admin policies::get_group => "Get a group's inline policy.";
    PUT "/accounts/{account_id}/groups/{group_name}/policies/{policy_name}" "iam:PutGroupPolicy" Admin policies::put_group => "Create or replace a group's inline policy.";
    DELETE "/accounts/{account_id}/groups/{group_name}/policies/{policy_name}" "iam:DeleteGroupPolicy" Admin policies::delete_group => "Delete a group's inline policy.";
    GET "/accounts/{account_id}/roles" "iam:ListRoles" Admin roles::list => "List an account's roles.";
    POST "/accounts/{account_id}/roles" "iam:CreateRole" Admin roles::create => "Create a role with a trust policy.";
    GET "/accounts/{account_id}/roles/{role_name}" "iam:GetRole" Admin roles::get => "Get a role.";
    DELETE "/accounts/{account_id}/roles/{role_name}" "iam:DeleteRole" Admin roles::delete => "Delete a role with its policies and sessions.";
    PUT "/accounts/{account_id}/roles/{role_name}/trust-policy" "iam:UpdateAssumeRolePolicy" Admin roles::set_trust_policy => "Replace a role's trust policy.";
    POST "/accounts/{account_id}/roles/{role_name}/sessions" "sts:AssumeRole" SelfService roles::assume => "AssumeRole for caller_arn (a user only as itself): temporary ASIA credentials, shown once.";
    GET "/accounts/{account_id}/roles/{role_name}/policies" "iam:ListRolePolicies" Admin policies::list_role => "List a role's inline policies.";
    GET "/accounts/{account_id}/roles/{role_name}/policies/{policy_name}" "iam:GetRolePolicy" Admin policies::get_role => "Get a role's inline policy.";
    PUT "/accounts/{account_id}/roles/{role_name}/policies/{policy_name}" "iam:PutRolePolicy" Admin policies::put_role => "Create or replace a role's inline policy.";
    DELETE "/accounts/{account_id}/roles/{role_name}/policies/{policy_name}" "iam:DeleteRolePolicy" Admin policies::delete_role => "Delete a role's inline policy.";
    GET "/accounts/{account_id}/roles/{role_name}/tags" "iam:ListRoleTags" Admin tags::list_role => "List a role's tags.";
    POST "/accounts/{account_id}/roles/{role_name}/tags" "iam:TagRole" Admin tags::tag_role => "Add or overwrite a role's tags.";
    DELETE "/accounts/{account_id}/roles/{role_name}/tags" "iam:UntagRole" Admin tags::untag_role => "Remove a role's tags (?keys=a,b).";
    GET "/accounts/{account_id}/roles/{role_name}/boundary" "iam:GetRole" Admin boundaries::get_role => "Get a role's permissions boundary.";
    PUT "/accounts/{account_id}/roles/{role_name}/boundary" "iam:PutRolePermissionsBoundary" Admin boundaries::set_role => "Set a role's permissions boundary.";
    DELETE "/accounts/{account_id}/roles/{role_name}/boundary" "iam:DeleteRolePermissionsBoundary" Admin boundaries::delete_role => "Remove a role's permissions boundary.";
    GET "/settings" "extenddb:ListSettings" OperatorUsersRead settings::list => "List the runtime settings.";
    GET "/settings/{name}" "extenddb:GetSetting" OperatorUsersRead settings::get => "Get a runtime setting.";
    PUT "/settings/{name}" "extenddb:PutSetting" Operator settings::put => "Set a runtime setting (audited under extenddb::audit::settings).";
}

/// The route table as the Markdown table of docs/management.md.
pub fn reference() -> String {
    let mut out = String::from(
        "| method | path | IAM action | who (default policies) | what |\n|---|---|---|---|---|\n",
    );
    for r in ROUTES {
        let action = if r.action.is_empty() { "—" } else { r.action };
        out.push_str(&format!(
            "| {} | `{}{}` | `{}` | {} | {} |\n",
            r.method,
            super::api::PREFIX,
            r.path,
            action,
            r.audience.as_str(),
            r.summary
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::management::default_policies;
    use extenddb_auth_builtin::policy::{evaluate, MapContext};
    use extenddb_core::traits::Decision;

    /// The resource a route's action is authorized on, for a caller that is user `alice` of
    /// account 111122223333 acting on itself.
    fn own_resource(path: &str) -> String {
        let account = "111122223333";
        if path.contains("{role_name}") {
            format!("arn:aws:iam::{account}:role/data-reader")
        } else if path.contains("{group_name}") {
            format!("arn:aws:iam::{account}:group/developers")
        } else if path.contains("{user_name}") {
            format!("arn:aws:iam::{account}:user/alice")
        } else {
            "*".into()
        }
    }

    #[test]
    fn the_audience_column_matches_the_default_policies() {
        let mut ctx = MapContext::default();
        ctx.set("aws:username", "alice");
        let user = default_policies::self_service(&[]);
        let operator = default_policies::operator();
        let admin = default_policies::admin();
        for r in ROUTES.iter().filter(|r| !r.action.is_empty()) {
            let resource = own_resource(r.path);
            let allowed = |set| evaluate(set, r.action, &resource, &ctx) == Decision::Allow;
            assert!(allowed(&admin), "admins may {} {}", r.method, r.path);
            assert_eq!(
                allowed(&user),
                matches!(
                    r.audience,
                    Audience::SelfService | Audience::OperatorUsersRead
                ),
                "self-service for {} {}",
                r.method,
                r.path
            );
            assert_eq!(
                allowed(&operator),
                matches!(r.audience, Audience::Operator | Audience::OperatorUsersRead),
                "operator for {} {}",
                r.method,
                r.path
            );
        }
        // Another user's entities are not the caller's own.
        let other = "arn:aws:iam::111122223333:user/bob";
        assert_ne!(
            evaluate(&user, "iam:CreateAccessKey", other, &ctx),
            Decision::Allow
        );
    }

    #[test]
    fn routes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for r in ROUTES {
            assert!(seen.insert((r.method, r.path)), "{} {}", r.method, r.path);
        }
    }

    /// docs/management.md holds `reference()` between its markers; `EXTENDDB_BLESS=1` rewrites
    /// it there.
    #[test]
    fn the_reference_in_the_docs_is_the_route_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/management.md");
        let doc = std::fs::read_to_string(path).unwrap();
        let (begin, end) = ("<!-- routes:begin -->\n", "<!-- routes:end -->");
        let start = doc.find(begin).expect("begin marker") + begin.len();
        let stop = doc.find(end).expect("end marker");
        let table = reference();
        if doc[start..stop] != table && std::env::var_os("EXTENDDB_BLESS").is_some() {
            let new = format!("{}{table}{}", &doc[..start], &doc[stop..]);
            std::fs::write(path, new).unwrap();
            return;
        }
        assert_eq!(
            doc[start..stop],
            table,
            "docs/management.md is out of date: run EXTENDDB_BLESS=1 cargo test -p extenddb-server the_reference"
        );
    }
}
