//! The policies management callers are evaluated against, through the builtin provider's IAM
//! evaluator like any `iam:*` request:
//! - admins: `ADMIN_POLICY`, everything;
//! - IAM users: `SELF_SERVICE_POLICY` — their own access keys, their password, reading their
//!   own user, policies, groups and tags, reading (not changing) the runtime settings, and
//!   assuming roles whose trust policy names them —
//!   plus the explicit `Deny` statements of their own (and their groups') inline policies, so
//!   an admin can take self-service away from a user; their boundaries are not applied here;
//! - the operator (the holder of the data key file, i.e. `extenddb settings`):
//!   `OPERATOR_POLICY`, the runtime settings.

use extenddb_auth_builtin::policy::document::Effect;
use extenddb_auth_builtin::policy::{parse_policy, Policy, PolicyKind, PolicySet};
use std::sync::{Arc, LazyLock};

/// Everything.
pub const ADMIN_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{"Sid": "AdminsManageEverything", "Effect": "Allow", "Action": "*", "Resource": "*"}]
}"#;

/// What every IAM user with a password may do to itself.
pub const SELF_SERVICE_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ManageOwnAccessKeys", "Effect": "Allow",
     "Action": ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey"],
     "Resource": "arn:aws:iam::*:user/${aws:username}"},
    {"Sid": "ChangeOwnPassword", "Effect": "Allow",
     "Action": "iam:ChangePassword",
     "Resource": "arn:aws:iam::*:user/${aws:username}"},
    {"Sid": "ReadOwnUserPoliciesGroupsTags", "Effect": "Allow",
     "Action": ["iam:GetUser", "iam:ListUserPolicies", "iam:GetUserPolicy", "iam:ListGroupsForUser", "iam:ListUserTags"],
     "Resource": "arn:aws:iam::*:user/${aws:username}"},
    {"Sid": "AssumeRolesThatTrustMe", "Effect": "Allow",
     "Action": "sts:AssumeRole",
     "Resource": "arn:aws:iam::*:role/*"},
    {"Sid": "ReadRuntimeSettings", "Effect": "Allow",
     "Action": ["extenddb:ListSettings", "extenddb:GetSetting"],
     "Resource": "*"}
  ]
}"#;

/// The runtime settings.
pub const OPERATOR_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{"Sid": "OperatorManagesSettings", "Effect": "Allow",
    "Action": ["extenddb:ListSettings", "extenddb:GetSetting", "extenddb:PutSetting"],
    "Resource": "*"}]
}"#;

fn parsed(doc: &str) -> Arc<Policy> {
    // The documents above are constants checked by the tests below.
    Arc::new(parse_policy(doc, PolicyKind::Identity).unwrap_or(Policy {
        version: extenddb_auth_builtin::policy::PolicyVersion::V2012,
        statements: Vec::new(),
    }))
}

static ADMIN: LazyLock<Arc<Policy>> = LazyLock::new(|| parsed(ADMIN_POLICY));
static SELF_SERVICE: LazyLock<Arc<Policy>> = LazyLock::new(|| parsed(SELF_SERVICE_POLICY));
static OPERATOR: LazyLock<Arc<Policy>> = LazyLock::new(|| parsed(OPERATOR_POLICY));

/// The policy set of an admin.
pub fn admin() -> PolicySet {
    PolicySet {
        identity: vec![ADMIN.clone()],
        boundary: None,
        session: None,
    }
}

/// The policy set of the operator.
pub fn operator() -> PolicySet {
    PolicySet {
        identity: vec![OPERATOR.clone()],
        boundary: None,
        session: None,
    }
}

/// The policy set of an IAM user whose own identity policies are `own`: the self-service
/// policy and the `Deny` statements of `own`.
pub fn self_service(own: &[Arc<Policy>]) -> PolicySet {
    let mut identity = vec![SELF_SERVICE.clone()];
    for p in own {
        let denies: Vec<_> = p
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Deny)
            .cloned()
            .collect();
        if !denies.is_empty() {
            identity.push(Arc::new(Policy {
                version: p.version,
                statements: denies,
            }));
        }
    }
    PolicySet {
        identity,
        boundary: None,
        session: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documents_parse() {
        for doc in [ADMIN_POLICY, SELF_SERVICE_POLICY, OPERATOR_POLICY] {
            let p = parse_policy(doc, PolicyKind::Identity).unwrap();
            assert!(!p.statements.is_empty());
        }
    }
}
