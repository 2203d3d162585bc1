//! Inline policies of users, groups and roles: list (names and documents), get, put (create or
//! replace; the document must be valid JSON with Version and Statement, IAM's grammar, at most
//! 6,144 characters without whitespace), delete. One body per operation; the routes' thin
//! wrappers name the owner kind.

use super::api::{self, PageQuery, PolicyDocument};
use super::caller::Caller;
use super::error::MgmtError;
use super::extract::{Body, P, Q};
use super::views::{self, group_arn, role_arn, user_arn, Answer};
use extenddb_auth_builtin::policy::PolicyKind;
use extenddb_core::model::iam::{InlinePolicy, PolicyOwner, PolicyOwnerKind};

fn owner_arn(c: &Caller, kind: PolicyOwnerKind, account: &str, name: &str) -> (String, String) {
    match kind {
        PolicyOwnerKind::User => {
            let name = c.own_spelling(account, name);
            (user_arn(account, &name), name)
        }
        PolicyOwnerKind::Group => (group_arn(account, name), name.to_string()),
        PolicyOwnerKind::Role => (role_arn(account, name), name.to_string()),
    }
}

fn owner(kind: PolicyOwnerKind, name: &str) -> PolicyOwner<'_> {
    PolicyOwner { kind, name }
}

async fn list(
    c: Caller,
    kind: PolicyOwnerKind,
    account: String,
    name: String,
    q: PageQuery,
) -> Answer {
    let (arn, name) = owner_arn(&c, kind, &account, &name);
    c.authorize(&arn)?;
    let policies = c
        .state
        .iam
        .list_policies(&account, owner(kind, &name))
        .await?;
    let items: Vec<api::Policy> = policies
        .into_iter()
        .map(|p| api::Policy {
            policy_name: p.policy_name,
            policy_document: p.document,
        })
        .collect();
    views::ok(views::page(items, |p| p.policy_name.clone(), &q)?)
}

async fn get(
    c: Caller,
    kind: PolicyOwnerKind,
    account: String,
    name: String,
    policy: String,
) -> Answer {
    let (arn, name) = owner_arn(&c, kind, &account, &name);
    c.authorize(&arn)?;
    match c
        .state
        .iam
        .get_policy(&account, owner(kind, &name), &policy)
        .await?
    {
        Some(p) => views::ok(api::Policy {
            policy_name: p.policy_name,
            policy_document: p.document,
        }),
        None => Err(MgmtError::not_found(format!(
            "Policy '{policy}' of {} '{name}' does not exist",
            kind.as_str()
        ))),
    }
}

async fn put(
    c: Caller,
    kind: PolicyOwnerKind,
    account: String,
    name: String,
    policy: String,
    doc: PolicyDocument,
) -> Answer {
    let (arn, name) = owner_arn(&c, kind, &account, &name);
    c.authorize(&arn)?;
    views::policy(&doc.policy_document, PolicyKind::Identity)?;
    let p = InlinePolicy {
        policy_name: policy,
        document: doc.policy_document,
    };
    p.validate().map_err(|e| MgmtError::validation(e.0))?;
    c.state
        .iam
        .put_policy(&account, owner(kind, &name), &p)
        .await?;
    c.audit(&arn, &format!("inline policy '{}' put", p.policy_name));
    views::ok(api::Policy {
        policy_name: p.policy_name,
        policy_document: p.document,
    })
}

async fn delete(
    c: Caller,
    kind: PolicyOwnerKind,
    account: String,
    name: String,
    policy: String,
) -> Answer {
    let (arn, name) = owner_arn(&c, kind, &account, &name);
    c.authorize(&arn)?;
    c.state
        .iam
        .delete_policy(&account, owner(kind, &name), &policy)
        .await?;
    c.audit(&arn, &format!("inline policy '{policy}' deleted"));
    views::done()
}

macro_rules! owner_routes {
    ($kind:expr, $list:ident, $get:ident, $put:ident, $delete:ident) => {
        /// List route of this owner kind.
        pub async fn $list(
            c: Caller,
            P((a, n)): P<(String, String)>,
            Q(q): Q<PageQuery>,
        ) -> Answer {
            list(c, $kind, a, n, q).await
        }
        /// Get route of this owner kind.
        pub async fn $get(c: Caller, P((a, n, p)): P<(String, String, String)>) -> Answer {
            get(c, $kind, a, n, p).await
        }
        /// Put route of this owner kind.
        pub async fn $put(
            c: Caller,
            P((a, n, p)): P<(String, String, String)>,
            Body(doc): Body<PolicyDocument>,
        ) -> Answer {
            put(c, $kind, a, n, p, doc).await
        }
        /// Delete route of this owner kind.
        pub async fn $delete(c: Caller, P((a, n, p)): P<(String, String, String)>) -> Answer {
            delete(c, $kind, a, n, p).await
        }
    };
}

owner_routes!(
    PolicyOwnerKind::User,
    list_user,
    get_user,
    put_user,
    delete_user
);
owner_routes!(
    PolicyOwnerKind::Group,
    list_group,
    get_group,
    put_group,
    delete_group
);
owner_routes!(
    PolicyOwnerKind::Role,
    list_role,
    get_role,
    put_role,
    delete_role
);
