//! `IamStore`: accounts, admin users and IAM entities (users, access keys, groups, roles,
//! inline policies, permissions boundaries, role sessions) in the catalog, on every backend.
//!
//! The store checks names and sizes (`model::iam`) and keeps references whole: deleting a user
//! deletes its keys, memberships and policies; deleting a group or role deletes its memberships,
//! policies and sessions; deleting an account deletes all of its IAM entities. Whether an
//! account still owns tables is the caller's question (`Catalog::list_tables`) — DeleteAccount
//! must refuse then, and this store does not know tables. Policy syntax is the auth provider's
//! to check before a document is stored.
//!
//! Every change bumps one monotonically increasing IAM version in the same transaction, so
//! caches in other processes notice it (`iam_version`); changes made through this handle are
//! also counted in memory (`local_changes`) so this process's caches notice them at once.

use crate::error::StoreError;
use crate::model::iam::{
    AccessKey, AccessKeyStatus, Account, AdminUser, IamGroup, IamRole, IamUser, InlinePolicy,
    InvalidEntity, PolicyOwner, RoleChange, RoleSession, SealedSecret, UserChange,
};
use async_trait::async_trait;

/// The kinds of entity an `IamError` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IamEntity {
    /// An account.
    Account,
    /// An admin user.
    Admin,
    /// An IAM user.
    User,
    /// An access key (or session key).
    AccessKey,
    /// A group.
    Group,
    /// A group membership.
    Membership,
    /// A role.
    Role,
    /// An inline policy.
    Policy,
}

impl std::fmt::Display for IamEntity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            IamEntity::Account => "account",
            IamEntity::Admin => "admin",
            IamEntity::User => "user",
            IamEntity::AccessKey => "access key",
            IamEntity::Group => "group",
            IamEntity::Membership => "group membership",
            IamEntity::Role => "role",
            IamEntity::Policy => "policy",
        })
    }
}

/// Why an IAM store call failed.
#[derive(Debug, thiserror::Error)]
pub enum IamError {
    /// An entity of that kind and name (or id) exists already.
    #[error("{0} '{1}' already exists")]
    AlreadyExists(IamEntity, String),
    /// No entity of that kind and name (or id).
    #[error("{0} '{1}' does not exist")]
    NotFound(IamEntity, String),
    /// A name, size or tag rule was broken.
    #[error(transparent)]
    Invalid(#[from] InvalidEntity),
    /// The backend failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Storage of accounts, admins and IAM entities. Names of users, groups and roles are unique
/// per account case-insensitively and looked up case-insensitively; policy names are exact.
#[async_trait]
pub trait IamStore: Send + Sync {
    /// The IAM version: grows with every change any process makes.
    async fn iam_version(&self) -> Result<u64, IamError>;

    /// How many changes were made through this handle (and its clones) so far: a cheap,
    /// in-memory counter that in-process caches compare on every use.
    fn local_changes(&self) -> u64;

    // ----- accounts and admins -----

    /// Stores an account; `AlreadyExists` if the id is taken.
    async fn create_account(&self, account: &Account) -> Result<(), IamError>;
    /// The account, if it exists.
    async fn get_account(&self, account_id: &str) -> Result<Option<Account>, IamError>;
    /// Every account, ordered by id.
    async fn list_accounts(&self) -> Result<Vec<Account>, IamError>;
    /// Deletes an account and all of its IAM entities. The caller must first make sure it owns
    /// no tables.
    async fn delete_account(&self, account_id: &str) -> Result<(), IamError>;

    /// Stores an admin user.
    async fn create_admin(&self, admin: &AdminUser) -> Result<(), IamError>;
    /// The admin user, if it exists.
    async fn get_admin(&self, name: &str) -> Result<Option<AdminUser>, IamError>;
    /// Every admin user, ordered by name.
    async fn list_admins(&self) -> Result<Vec<AdminUser>, IamError>;
    /// Replaces an admin's password hash.
    async fn set_admin_password(&self, name: &str, password_hash: &str) -> Result<(), IamError>;
    /// Deletes an admin user.
    async fn delete_admin(&self, name: &str) -> Result<(), IamError>;

    // ----- users and access keys -----

    /// Stores a user (its account must exist).
    async fn create_user(&self, user: &IamUser) -> Result<(), IamError>;
    /// The user, if it exists.
    async fn get_user(
        &self,
        account_id: &str,
        user_name: &str,
    ) -> Result<Option<IamUser>, IamError>;
    /// The account's users, ordered by name key.
    async fn list_users(&self, account_id: &str) -> Result<Vec<IamUser>, IamError>;
    /// Applies one change to a user atomically; answers the user as stored.
    async fn update_user(
        &self,
        account_id: &str,
        user_name: &str,
        change: &UserChange,
    ) -> Result<IamUser, IamError>;
    /// Deletes a user with its access keys, memberships and inline policies.
    async fn delete_user(&self, account_id: &str, user_name: &str) -> Result<(), IamError>;

    /// Stores an access key of an existing user; `AlreadyExists` if the id is taken (by any
    /// user or session).
    async fn create_access_key(&self, key: &AccessKey) -> Result<(), IamError>;
    /// The access key with this id, whoever owns it.
    async fn get_access_key(&self, access_key_id: &str) -> Result<Option<AccessKey>, IamError>;
    /// A user's access keys, ordered by creation then id.
    async fn list_access_keys(
        &self,
        account_id: &str,
        user_name: &str,
    ) -> Result<Vec<AccessKey>, IamError>;
    /// Activates or deactivates a user's key.
    async fn set_access_key_status(
        &self,
        account_id: &str,
        user_name: &str,
        access_key_id: &str,
        status: AccessKeyStatus,
    ) -> Result<(), IamError>;
    /// Deletes a user's key.
    async fn delete_access_key(
        &self,
        account_id: &str,
        user_name: &str,
        access_key_id: &str,
    ) -> Result<(), IamError>;

    // ----- groups -----

    /// Stores a group.
    async fn create_group(&self, group: &IamGroup) -> Result<(), IamError>;
    /// The group, if it exists.
    async fn get_group(
        &self,
        account_id: &str,
        group_name: &str,
    ) -> Result<Option<IamGroup>, IamError>;
    /// The account's groups, ordered by name key.
    async fn list_groups(&self, account_id: &str) -> Result<Vec<IamGroup>, IamError>;
    /// Deletes a group with its memberships and inline policies.
    async fn delete_group(&self, account_id: &str, group_name: &str) -> Result<(), IamError>;
    /// Adds a user to a group (idempotent).
    async fn add_group_member(
        &self,
        account_id: &str,
        group_name: &str,
        user_name: &str,
    ) -> Result<(), IamError>;
    /// Removes a user from a group; `NotFound(Membership)` if they were not a member.
    async fn remove_group_member(
        &self,
        account_id: &str,
        group_name: &str,
        user_name: &str,
    ) -> Result<(), IamError>;
    /// The group's member user names, ordered by name key.
    async fn list_group_members(
        &self,
        account_id: &str,
        group_name: &str,
    ) -> Result<Vec<String>, IamError>;
    /// The groups a user belongs to, ordered by name key.
    async fn list_groups_for_user(
        &self,
        account_id: &str,
        user_name: &str,
    ) -> Result<Vec<IamGroup>, IamError>;

    // ----- roles and sessions -----

    /// Stores a role.
    async fn create_role(&self, role: &IamRole) -> Result<(), IamError>;
    /// The role, if it exists.
    async fn get_role(
        &self,
        account_id: &str,
        role_name: &str,
    ) -> Result<Option<IamRole>, IamError>;
    /// The account's roles, ordered by name key.
    async fn list_roles(&self, account_id: &str) -> Result<Vec<IamRole>, IamError>;
    /// Applies one change to a role atomically; answers the role as stored.
    async fn update_role(
        &self,
        account_id: &str,
        role_name: &str,
        change: &RoleChange,
    ) -> Result<IamRole, IamError>;
    /// Deletes a role with its inline policies and sessions.
    async fn delete_role(&self, account_id: &str, role_name: &str) -> Result<(), IamError>;

    /// Stores a session of an existing role; `AlreadyExists` if the key id is taken.
    async fn create_session(&self, session: &RoleSession) -> Result<(), IamError>;
    /// The session with this key id.
    async fn get_session(&self, access_key_id: &str) -> Result<Option<RoleSession>, IamError>;
    /// Deletes sessions that expired before `before` (epoch seconds); answers how many.
    async fn delete_expired_sessions(&self, before: i64) -> Result<u64, IamError>;

    // ----- inline policies -----

    /// Creates or replaces an owner's named policy (the owner must exist).
    async fn put_policy(
        &self,
        account_id: &str,
        owner: PolicyOwner<'_>,
        policy: &InlinePolicy,
    ) -> Result<(), IamError>;
    /// One named policy of an owner.
    async fn get_policy(
        &self,
        account_id: &str,
        owner: PolicyOwner<'_>,
        policy_name: &str,
    ) -> Result<Option<InlinePolicy>, IamError>;
    /// An owner's policies, ordered by name; `NotFound` if the owner does not exist.
    async fn list_policies(
        &self,
        account_id: &str,
        owner: PolicyOwner<'_>,
    ) -> Result<Vec<InlinePolicy>, IamError>;
    /// Deletes an owner's named policy.
    async fn delete_policy(
        &self,
        account_id: &str,
        owner: PolicyOwner<'_>,
        policy_name: &str,
    ) -> Result<(), IamError>;

    // ----- the data key check -----

    /// Stores the data-key check (a known plaintext sealed under the data key), replacing one.
    async fn put_data_key_check(&self, check: &SealedSecret) -> Result<(), IamError>;
    /// The data-key check, if one was stored.
    async fn data_key_check(&self) -> Result<Option<SealedSecret>, IamError>;
}
