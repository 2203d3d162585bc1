//! IAM entities as the `IamStore` keeps them: accounts, admin users, IAM users, access keys,
//! groups, roles, inline policies, permissions boundaries and role sessions, with IAM's name
//! rules. Plain data: the store persists it, the builtin auth provider reads it, the management
//! API creates it. Secrets appear only sealed (`SealedSecret`), passwords only as argon2 PHC
//! strings.

use crate::model::tags::Tag;
use serde::{Deserialize, Serialize};

/// Longest user, group or role name.
pub const MAX_ENTITY_NAME: usize = 64;
/// Longest inline policy name.
pub const MAX_POLICY_NAME: usize = 128;
/// Longest policy document, counted without whitespace (IAM's managed-policy limit, which the
/// project applies to every inline policy and boundary).
pub const MAX_POLICY_SIZE: usize = 6_144;
/// Longest tag key and value.
pub const MAX_TAG_KEY: usize = 128;
/// Longest tag value.
pub const MAX_TAG_VALUE: usize = 256;

/// A secret sealed with AES-256-GCM under the deployment's data key: a random 96-bit nonce and
/// the ciphertext with its tag. Opening it needs the key file; the store never can.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedSecret {
    /// The 12-byte nonce, random per secret.
    pub nonce: Vec<u8>,
    /// Ciphertext followed by the 16-byte tag.
    pub ciphertext: Vec<u8>,
}

impl std::fmt::Debug for SealedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealedSecret(***)")
    }
}

/// An account: a 12-digit id and a display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// 12 ASCII digits.
    pub account_id: String,
    /// Display name.
    pub name: String,
    /// Creation time, seconds since the epoch.
    pub created: i64,
}

/// An administrator of the management API (not an IAM principal).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUser {
    /// Login name.
    pub name: String,
    /// argon2 PHC string of the password.
    pub password_hash: String,
    /// Creation time, seconds since the epoch.
    pub created: i64,
}

impl std::fmt::Debug for AdminUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminUser")
            .field("name", &self.name)
            .field("created", &self.created)
            .finish_non_exhaustive()
    }
}

/// An IAM user of an account.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamUser {
    /// The owning account.
    pub account_id: String,
    /// The name, as given (unique per account, compared case-insensitively).
    pub user_name: String,
    /// IAM's unique id (`AIDA…`), the user's `aws:userid`.
    pub user_id: String,
    /// argon2 PHC string of the console password, if the user has one.
    pub password_hash: Option<String>,
    /// Tags (`aws:PrincipalTag/<key>`).
    pub tags: Vec<Tag>,
    /// The permissions boundary document, if set.
    pub permissions_boundary: Option<String>,
    /// Creation time, seconds since the epoch.
    pub created: i64,
}

impl IamUser {
    /// `arn:aws:iam::<account>:user/<name>`.
    pub fn arn(&self) -> String {
        format!("arn:aws:iam::{}:user/{}", self.account_id, self.user_name)
    }
}

impl std::fmt::Debug for IamUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IamUser")
            .field("account_id", &self.account_id)
            .field("user_name", &self.user_name)
            .field("user_id", &self.user_id)
            .field("has_password", &self.password_hash.is_some())
            .field("tags", &self.tags)
            .field("permissions_boundary", &self.permissions_boundary)
            .field("created", &self.created)
            .finish()
    }
}

/// Whether an access key may sign requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccessKeyStatus {
    /// Accepted.
    Active,
    /// Refused as unknown.
    Inactive,
}

impl AccessKeyStatus {
    /// `Active` / `Inactive`, as IAM spells them.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessKeyStatus::Active => "Active",
            AccessKeyStatus::Inactive => "Inactive",
        }
    }

    /// The status IAM spells `s`.
    pub fn parse(s: &str) -> Option<AccessKeyStatus> {
        match s {
            "Active" => Some(AccessKeyStatus::Active),
            "Inactive" => Some(AccessKeyStatus::Inactive),
            _ => None,
        }
    }
}

/// A long-lived access key of an IAM user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey {
    /// `AKIA…` (generated keys are `AKIAEXTENDDB` + 8 characters; imported keys any `AKIA…`).
    pub access_key_id: String,
    /// The owning account.
    pub account_id: String,
    /// The owning user (as stored on the user).
    pub user_name: String,
    /// The secret access key, sealed.
    pub secret: SealedSecret,
    /// Active or inactive.
    pub status: AccessKeyStatus,
    /// Creation time, seconds since the epoch.
    pub created: i64,
}

/// A group of IAM users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamGroup {
    /// The owning account.
    pub account_id: String,
    /// The name (unique per account, case-insensitively).
    pub group_name: String,
    /// IAM's unique id (`AGPA…`).
    pub group_id: String,
    /// Creation time, seconds since the epoch.
    pub created: i64,
}

impl IamGroup {
    /// `arn:aws:iam::<account>:group/<name>`.
    pub fn arn(&self) -> String {
        format!("arn:aws:iam::{}:group/{}", self.account_id, self.group_name)
    }
}

/// A role: assumable by the principals its trust policy names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamRole {
    /// The owning account.
    pub account_id: String,
    /// The name (unique per account, case-insensitively).
    pub role_name: String,
    /// IAM's unique id (`AROA…`).
    pub role_id: String,
    /// The trust policy document (who may assume the role).
    pub trust_policy: String,
    /// Tags (`aws:PrincipalTag/<key>` of its sessions, unless a session tag overrides).
    pub tags: Vec<Tag>,
    /// The permissions boundary document, if set.
    pub permissions_boundary: Option<String>,
    /// Creation time, seconds since the epoch.
    pub created: i64,
}

impl IamRole {
    /// `arn:aws:iam::<account>:role/<name>`.
    pub fn arn(&self) -> String {
        format!("arn:aws:iam::{}:role/{}", self.account_id, self.role_name)
    }
}

/// The kind of entity an inline policy is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PolicyOwnerKind {
    /// An IAM user.
    User,
    /// A group.
    Group,
    /// A role.
    Role,
}

impl PolicyOwnerKind {
    /// `user` / `group` / `role`.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyOwnerKind::User => "user",
            PolicyOwnerKind::Group => "group",
            PolicyOwnerKind::Role => "role",
        }
    }
}

/// The entity an inline policy belongs to: its kind and name, in one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyOwner<'a> {
    /// User, group or role.
    pub kind: PolicyOwnerKind,
    /// Its name.
    pub name: &'a str,
}

impl<'a> PolicyOwner<'a> {
    /// The user `name`.
    pub fn user(name: &'a str) -> Self {
        PolicyOwner {
            kind: PolicyOwnerKind::User,
            name,
        }
    }

    /// The group `name`.
    pub fn group(name: &'a str) -> Self {
        PolicyOwner {
            kind: PolicyOwnerKind::Group,
            name,
        }
    }

    /// The role `name`.
    pub fn role(name: &'a str) -> Self {
        PolicyOwner {
            kind: PolicyOwnerKind::Role,
            name,
        }
    }
}

/// A named inline policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InlinePolicy {
    /// Its name (unique per owner).
    pub policy_name: String,
    /// The JSON document as given.
    pub document: String,
}

/// The temporary credentials of an assumed-role session.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSession {
    /// `ASIA…` (`ASIAEXTENDDB` + 8 characters).
    pub access_key_id: String,
    /// The role's account.
    pub account_id: String,
    /// The assumed role's name.
    pub role_name: String,
    /// `RoleSessionName`.
    pub session_name: String,
    /// The secret access key, sealed.
    pub secret: SealedSecret,
    /// SHA-256 of the session token: the token itself is shown once and never stored.
    pub token_sha256: Vec<u8>,
    /// Expiry, seconds since the epoch.
    pub expires: i64,
    /// Session tags (override the role's tags of the same key).
    pub session_tags: Vec<Tag>,
    /// The session policy document, if one was passed.
    pub session_policy: Option<String>,
    /// The ARN of whoever assumed the role.
    pub source_arn: String,
    /// Creation time, seconds since the epoch.
    pub created: i64,
}

impl std::fmt::Debug for RoleSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoleSession")
            .field("access_key_id", &self.access_key_id)
            .field("account_id", &self.account_id)
            .field("role_name", &self.role_name)
            .field("session_name", &self.session_name)
            .field("expires", &self.expires)
            .field("session_tags", &self.session_tags)
            .field("source_arn", &self.source_arn)
            .finish_non_exhaustive()
    }
}

/// One change of a user; applied by the store inside one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserChange {
    /// Sets (or with `None` removes) the console password hash.
    Password(Option<String>),
    /// Sets (or with `None` removes) the permissions boundary document.
    Boundary(Option<String>),
    /// Sets and removes tags.
    Tags {
        /// Tags to add or overwrite.
        set: Vec<Tag>,
        /// Keys to remove.
        remove: Vec<String>,
    },
}

/// One change of a role; applied by the store inside one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleChange {
    /// Replaces the trust policy document.
    TrustPolicy(String),
    /// Sets (or with `None` removes) the permissions boundary document.
    Boundary(Option<String>),
    /// Sets and removes tags.
    Tags {
        /// Tags to add or overwrite.
        set: Vec<Tag>,
        /// Keys to remove.
        remove: Vec<String>,
    },
}

pub use super::iam_rules::*;
