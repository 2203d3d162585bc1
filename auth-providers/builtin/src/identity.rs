//! The caller as the builtin provider resolves it once per access key and caches: who it is
//! (for `Principal` and the `aws:*` principal keys) and the parsed policies that apply to it.
//! Carried in `Principal::identity`; `BuiltinAuth::authorize` reads it back.

use crate::policy::PolicySet;
use extenddb_core::model::tags::Tag;

/// What kind of principal (`aws:PrincipalType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    /// An IAM user (long-lived key).
    User,
    /// A role session (temporary credentials from AssumeRole).
    AssumedRole,
}

impl PrincipalKind {
    /// `User` / `AssumedRole`, as `aws:PrincipalType` spells them.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "User",
            PrincipalKind::AssumedRole => "AssumedRole",
        }
    }
}

/// A resolved caller.
#[derive(Debug, Clone)]
pub struct ResolvedIdentity {
    /// User or role session.
    pub kind: PrincipalKind,
    /// The account the caller acts in.
    pub account_id: String,
    /// The caller's ARN as AccessDenied texts show it: `arn:aws:iam::<a>:user/<n>` or
    /// `arn:aws:sts::<a>:assumed-role/<role>/<session>`.
    pub arn: String,
    /// `aws:PrincipalArn`: the user's ARN, or the role's (`arn:aws:iam::<a>:role/<r>`).
    pub principal_arn: String,
    /// `aws:userid`: `AIDA…` for a user, `AROA…:<session>` for a role session.
    pub user_id: String,
    /// `aws:username` (users only).
    pub user_name: Option<String>,
    /// `aws:PrincipalTag/*`: the user's tags, or the role's overridden by session tags.
    pub tags: Vec<Tag>,
    /// The policies that apply.
    pub policies: PolicySet,
    /// When the session was issued (`aws:TokenIssueTime`), epoch seconds.
    pub session_issued: Option<u64>,
}
