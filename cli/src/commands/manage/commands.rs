//! The subcommands of `extenddb manage` and their options, named as the user guide (and the
//! AWS CLI's `iam` commands) name them. `--account-id` and `--user-name` may be left out when
//! logged in as an IAM user (`--user <account_id>/<user_name>`): they default to that user.
//! Policy documents may be given inline or as `file://path`.

use clap::{Args, Subcommand};

/// An account (inferred from an IAM user's login when absent).
#[derive(Debug, Args)]
pub struct AccountOpt {
    /// The account (12 digits).
    #[arg(long)]
    pub account_id: Option<String>,
}

/// A user (account and name inferred from an IAM user's login when absent).
#[derive(Debug, Args)]
pub struct UserOpt {
    /// The user's account (12 digits).
    #[arg(long)]
    pub account_id: Option<String>,
    /// The user.
    #[arg(long)]
    pub user_name: Option<String>,
}

/// A group.
#[derive(Debug, Args)]
pub struct GroupOpt {
    /// The group's account (12 digits).
    #[arg(long)]
    pub account_id: Option<String>,
    /// The group.
    #[arg(long)]
    pub group_name: String,
}

/// A role.
#[derive(Debug, Args)]
pub struct RoleOpt {
    /// The role's account (12 digits).
    #[arg(long)]
    pub account_id: Option<String>,
    /// The role.
    #[arg(long)]
    pub role_name: String,
}

/// A policy name.
#[derive(Debug, Args)]
pub struct PolicyNameOpt {
    /// The inline policy's name.
    #[arg(long)]
    pub policy_name: String,
}

/// A policy document.
#[derive(Debug, Args)]
pub struct DocumentOpt {
    /// The policy document: JSON with Version and Statement, or file://path.
    #[arg(long)]
    pub policy_document: String,
}

/// Tags to set.
#[derive(Debug, Args)]
pub struct TagsOpt {
    /// JSON: '[{"key":"Department","value":"Engineering"}]' or '{"Department":"Engineering"}'.
    #[arg(long)]
    pub tags: String,
}

/// Tag keys to remove.
#[derive(Debug, Args)]
pub struct TagKeysOpt {
    /// One or more tag keys (space- or comma-separated).
    #[arg(long, num_args = 1.., required = true)]
    pub tag_keys: Vec<String>,
}

macro_rules! ex {
    ($($line:literal),+ $(,)?) => {
        concat!("Examples:", $("\n  extenddb manage --user admin --password <pw> ", $line),+)
    };
}

/// A management command.
#[derive(Debug, Subcommand)]
pub enum ManageCommand {
    /// Show who the credentials belong to.
    #[command(after_help = ex!("whoami"))]
    Whoami,
    /// List admin users.
    #[command(after_help = ex!("list-admins", "--endpoint 127.0.0.1:9000 list-admins"))]
    ListAdmins,
    /// Create an admin user.
    #[command(after_help = ex!("create-admin --admin-name ops --admin-password secret123"))]
    CreateAdmin {
        /// The new admin's name.
        #[arg(long)]
        admin_name: String,
        /// Its password.
        #[arg(long)]
        admin_password: String,
    },
    /// Change an admin's password.
    #[command(after_help = ex!("change-admin-password --admin-name admin --new-password newpw"))]
    ChangeAdminPassword {
        /// The admin.
        #[arg(long)]
        admin_name: String,
        /// The new password.
        #[arg(long)]
        new_password: String,
    },
    /// Delete an admin user (never the last one).
    #[command(after_help = ex!("delete-admin --admin-name ops"))]
    DeleteAdmin {
        /// The admin.
        #[arg(long)]
        admin_name: String,
    },
    /// Create an account (a random 12-digit id unless --account-id is given).
    #[command(after_help = ex!("create-account --account-name dev-team", "create-account --account-id 123456789012 --account-name dev-team"))]
    CreateAccount {
        /// The new account's id (12 digits).
        #[arg(long)]
        account_id: Option<String>,
        /// Its display name.
        #[arg(long)]
        account_name: String,
    },
    /// List accounts.
    #[command(after_help = ex!("list-accounts"))]
    ListAccounts,
    /// Show an account.
    #[command(after_help = ex!("get-account --account-id 123456789012"))]
    GetAccount {
        /// The account.
        #[arg(long)]
        account_id: String,
    },
    /// Delete an account and its IAM entities (refused while it owns tables).
    #[command(after_help = ex!("delete-account --account-id 123456789012"))]
    DeleteAccount {
        /// The account.
        #[arg(long)]
        account_id: String,
    },
    /// Create an IAM user, optionally with a console password (for self-service).
    #[command(after_help = ex!("create-user --account-id 123456789012 --user-name alice --user-password secret"))]
    CreateUser {
        #[command(flatten)]
        account: AccountOpt,
        /// The new user's name.
        #[arg(long)]
        user_name: String,
        /// A console password: lets the user call the management API for itself.
        #[arg(long)]
        user_password: Option<String>,
        /// Tags, as JSON (see tag-user).
        #[arg(long)]
        tags: Option<String>,
    },
    /// List an account's users.
    #[command(after_help = ex!("list-users --account-id 123456789012"))]
    ListUsers {
        #[command(flatten)]
        account: AccountOpt,
    },
    /// Show a user.
    #[command(after_help = ex!("get-user --account-id 123456789012 --user-name alice"))]
    GetUser {
        #[command(flatten)]
        user: UserOpt,
    },
    /// Delete a user with its access keys, group memberships, tags and policies.
    #[command(after_help = ex!("delete-user --account-id 123456789012 --user-name alice"))]
    DeleteUser {
        #[command(flatten)]
        user: UserOpt,
    },
    /// Set a user's console password (a user may change its own).
    #[command(
        after_help = "Examples:\n  extenddb manage --user 123456789012/alice --password secret change-user-password --account-id 123456789012 --user-name alice --new-password newsecret"
    )]
    ChangeUserPassword {
        #[command(flatten)]
        user: UserOpt,
        /// The new password.
        #[arg(long)]
        new_password: String,
    },
    /// List the groups a user belongs to.
    #[command(after_help = ex!("list-groups-for-user --account-id 123456789012 --user-name alice"))]
    ListGroupsForUser {
        #[command(flatten)]
        user: UserOpt,
    },
    /// Create an access key (its secret is shown once).
    #[command(
        after_help = "Examples:\n  extenddb manage --user 123456789012/alice --password secret create-access-key\n  extenddb manage --user admin --password <pw> create-access-key --account-id 123456789012 --user-name alice"
    )]
    CreateAccessKey {
        #[command(flatten)]
        user: UserOpt,
    },
    /// List a user's access keys (never their secrets).
    #[command(
        after_help = "Examples:\n  extenddb manage --user 123456789012/alice --password secret list-access-keys --account-id 123456789012 --user-name alice"
    )]
    ListAccessKeys {
        #[command(flatten)]
        user: UserOpt,
    },
    /// Delete an access key.
    #[command(
        after_help = "Examples:\n  extenddb manage --user 123456789012/alice --password secret delete-access-key --account-id 123456789012 --user-name alice --access-key-id AKIAEXTENDDB..."
    )]
    DeleteAccessKey {
        #[command(flatten)]
        user: UserOpt,
        /// The key.
        #[arg(long)]
        access_key_id: String,
    },
    /// Activate or deactivate an access key.
    #[command(after_help = ex!("update-access-key --account-id 123456789012 --user-name alice --access-key-id AKIAEXTENDDB... --status Inactive"))]
    UpdateAccessKey {
        #[command(flatten)]
        user: UserOpt,
        /// The key.
        #[arg(long)]
        access_key_id: String,
        /// Active or Inactive.
        #[arg(long)]
        status: String,
    },
    /// Import an existing AKIA key and its secret (needs --yes; gated by the
    /// allow_credential_import setting).
    #[command(after_help = ex!("import-access-key --account-id 123456789012 --user-name alice --access-key-id AKIAIOSFODNN7EXAMPLE --secret-access-key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY --yes"))]
    ImportAccessKey {
        #[command(flatten)]
        user: UserOpt,
        /// The key id (AKIA…).
        #[arg(long)]
        access_key_id: String,
        /// Its secret (visible in `ps` and shell history: prefer a short-lived shell).
        #[arg(long)]
        secret_access_key: String,
        /// Confirm: the same credentials will work here and wherever else they are valid.
        #[arg(long)]
        yes: bool,
    },
    /// Create or replace a user's inline policy.
    #[command(after_help = ex!("put-user-policy --account-id 123456789012 --user-name alice --policy-name ReadOnly --policy-document '{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"dynamodb:GetItem\", \"Resource\": \"*\"}]}'"))]
    PutUserPolicy {
        #[command(flatten)]
        user: UserOpt,
        #[command(flatten)]
        name: PolicyNameOpt,
        #[command(flatten)]
        doc: DocumentOpt,
    },
    /// Show a user's inline policy.
    #[command(after_help = ex!("get-user-policy --account-id 123456789012 --user-name alice --policy-name ReadOnly"))]
    GetUserPolicy {
        #[command(flatten)]
        user: UserOpt,
        #[command(flatten)]
        name: PolicyNameOpt,
    },
    /// List a user's inline policies.
    #[command(after_help = ex!("list-user-policies --account-id 123456789012 --user-name alice"))]
    ListUserPolicies {
        #[command(flatten)]
        user: UserOpt,
    },
    /// Delete a user's inline policy.
    #[command(after_help = ex!("delete-user-policy --account-id 123456789012 --user-name alice --policy-name ReadOnly"))]
    DeleteUserPolicy {
        #[command(flatten)]
        user: UserOpt,
        #[command(flatten)]
        name: PolicyNameOpt,
    },
    /// Add or overwrite a user's tags.
    #[command(after_help = ex!("tag-user --account-id 123456789012 --user-name alice --tags '[{\"key\":\"Department\",\"value\":\"Engineering\"}]'"))]
    TagUser {
        #[command(flatten)]
        user: UserOpt,
        #[command(flatten)]
        tags: TagsOpt,
    },
    /// List a user's tags.
    #[command(after_help = ex!("list-user-tags --account-id 123456789012 --user-name alice"))]
    ListUserTags {
        #[command(flatten)]
        user: UserOpt,
    },
    /// Remove tags from a user.
    #[command(after_help = ex!("untag-user --account-id 123456789012 --user-name alice --tag-keys Department"))]
    UntagUser {
        #[command(flatten)]
        user: UserOpt,
        #[command(flatten)]
        keys: TagKeysOpt,
    },
    /// Set a user's permissions boundary.
    #[command(after_help = ex!("set-user-boundary --account-id 123456789012 --user-name alice --policy-document file://boundary.json"))]
    SetUserBoundary {
        #[command(flatten)]
        user: UserOpt,
        #[command(flatten)]
        doc: DocumentOpt,
    },
    /// Show a user's permissions boundary.
    #[command(after_help = ex!("get-user-boundary --account-id 123456789012 --user-name alice"))]
    GetUserBoundary {
        #[command(flatten)]
        user: UserOpt,
    },
    /// Remove a user's permissions boundary.
    #[command(after_help = ex!("delete-user-boundary --account-id 123456789012 --user-name alice"))]
    DeleteUserBoundary {
        #[command(flatten)]
        user: UserOpt,
    },
    /// Create a group.
    #[command(after_help = ex!("create-group --account-id 123456789012 --group-name developers"))]
    CreateGroup {
        #[command(flatten)]
        group: GroupOpt,
    },
    /// List an account's groups.
    #[command(after_help = ex!("list-groups --account-id 123456789012"))]
    ListGroups {
        #[command(flatten)]
        account: AccountOpt,
    },
    /// Show a group and its members.
    #[command(after_help = ex!("get-group --account-id 123456789012 --group-name developers"))]
    GetGroup {
        #[command(flatten)]
        group: GroupOpt,
    },
    /// Delete a group with its memberships and policies.
    #[command(after_help = ex!("delete-group --account-id 123456789012 --group-name developers"))]
    DeleteGroup {
        #[command(flatten)]
        group: GroupOpt,
    },
    /// Add a user to a group.
    #[command(after_help = ex!("add-group-member --account-id 123456789012 --group-name developers --user-name alice"))]
    AddGroupMember {
        #[command(flatten)]
        group: GroupOpt,
        /// The user.
        #[arg(long)]
        user_name: String,
    },
    /// Remove a user from a group.
    #[command(after_help = ex!("remove-group-member --account-id 123456789012 --group-name developers --user-name alice"))]
    RemoveGroupMember {
        #[command(flatten)]
        group: GroupOpt,
        /// The user.
        #[arg(long)]
        user_name: String,
    },
    /// Create or replace a group's inline policy.
    #[command(after_help = ex!("put-group-policy --account-id 123456789012 --group-name developers --policy-name FullAccess --policy-document '{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"dynamodb:*\", \"Resource\": \"*\"}]}'"))]
    PutGroupPolicy {
        #[command(flatten)]
        group: GroupOpt,
        #[command(flatten)]
        name: PolicyNameOpt,
        #[command(flatten)]
        doc: DocumentOpt,
    },
    /// Show a group's inline policy.
    #[command(after_help = ex!("get-group-policy --account-id 123456789012 --group-name developers --policy-name FullAccess"))]
    GetGroupPolicy {
        #[command(flatten)]
        group: GroupOpt,
        #[command(flatten)]
        name: PolicyNameOpt,
    },
    /// List a group's inline policies.
    #[command(after_help = ex!("list-group-policies --account-id 123456789012 --group-name developers"))]
    ListGroupPolicies {
        #[command(flatten)]
        group: GroupOpt,
    },
    /// Delete a group's inline policy.
    #[command(after_help = ex!("delete-group-policy --account-id 123456789012 --group-name developers --policy-name FullAccess"))]
    DeleteGroupPolicy {
        #[command(flatten)]
        group: GroupOpt,
        #[command(flatten)]
        name: PolicyNameOpt,
    },
    /// Create a role with a trust policy.
    #[command(after_help = ex!("create-role --account-id 123456789012 --role-name data-reader --trust-policy '{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::123456789012:user/alice\"}, \"Action\": \"sts:AssumeRole\"}]}'"))]
    CreateRole {
        #[command(flatten)]
        role: RoleOpt,
        /// Who may assume the role: a trust policy document, or file://path.
        #[arg(long)]
        trust_policy: String,
        /// Tags, as JSON (see tag-role).
        #[arg(long)]
        tags: Option<String>,
    },
    /// List an account's roles.
    #[command(after_help = ex!("list-roles --account-id 123456789012"))]
    ListRoles {
        #[command(flatten)]
        account: AccountOpt,
    },
    /// Show a role.
    #[command(after_help = ex!("get-role --account-id 123456789012 --role-name data-reader"))]
    GetRole {
        #[command(flatten)]
        role: RoleOpt,
    },
    /// Delete a role with its policies and sessions.
    #[command(after_help = ex!("delete-role --account-id 123456789012 --role-name data-reader"))]
    DeleteRole {
        #[command(flatten)]
        role: RoleOpt,
    },
    /// Replace a role's trust policy.
    #[command(after_help = ex!("update-assume-role-policy --account-id 123456789012 --role-name data-reader --trust-policy file://trust.json"))]
    UpdateAssumeRolePolicy {
        #[command(flatten)]
        role: RoleOpt,
        /// The new trust policy, or file://path.
        #[arg(long)]
        trust_policy: String,
    },
    /// Create or replace a role's inline policy.
    #[command(after_help = ex!("put-role-policy --account-id 123456789012 --role-name data-reader --policy-name ReadOnly --policy-document file://read-only.json"))]
    PutRolePolicy {
        #[command(flatten)]
        role: RoleOpt,
        #[command(flatten)]
        name: PolicyNameOpt,
        #[command(flatten)]
        doc: DocumentOpt,
    },
    /// Show a role's inline policy.
    #[command(after_help = ex!("get-role-policy --account-id 123456789012 --role-name data-reader --policy-name ReadOnly"))]
    GetRolePolicy {
        #[command(flatten)]
        role: RoleOpt,
        #[command(flatten)]
        name: PolicyNameOpt,
    },
    /// List a role's inline policies.
    #[command(after_help = ex!("list-role-policies --account-id 123456789012 --role-name data-reader"))]
    ListRolePolicies {
        #[command(flatten)]
        role: RoleOpt,
    },
    /// Delete a role's inline policy.
    #[command(after_help = ex!("delete-role-policy --account-id 123456789012 --role-name data-reader --policy-name ReadOnly"))]
    DeleteRolePolicy {
        #[command(flatten)]
        role: RoleOpt,
        #[command(flatten)]
        name: PolicyNameOpt,
    },
    /// Add or overwrite a role's tags.
    #[command(after_help = ex!("tag-role --account-id 123456789012 --role-name data-reader --tags '[{\"key\":\"Team\",\"value\":\"Backend\"}]'"))]
    TagRole {
        #[command(flatten)]
        role: RoleOpt,
        #[command(flatten)]
        tags: TagsOpt,
    },
    /// List a role's tags.
    #[command(after_help = ex!("list-role-tags --account-id 123456789012 --role-name data-reader"))]
    ListRoleTags {
        #[command(flatten)]
        role: RoleOpt,
    },
    /// Remove tags from a role.
    #[command(after_help = ex!("untag-role --account-id 123456789012 --role-name data-reader --tag-keys Team"))]
    UntagRole {
        #[command(flatten)]
        role: RoleOpt,
        #[command(flatten)]
        keys: TagKeysOpt,
    },
    /// Get temporary ASIA credentials for a role; its trust policy must allow --caller-arn.
    #[command(after_help = ex!("assume-role --account-id 123456789012 --role-name data-reader --caller-arn arn:aws:iam::123456789012:user/alice --session-name test-session", "assume-role --account-id 123456789012 --role-name data-reader --caller-arn arn:aws:iam::123456789012:user/alice --session-name test-session --session-tags '{\"Project\":\"Alpha\"}' --duration-seconds 1800"))]
    AssumeRole {
        #[command(flatten)]
        role: RoleOpt,
        /// Who assumes the role (arn:aws:iam::<account>:user/<name>); an IAM user may name
        /// only itself (the default when logged in as one).
        #[arg(long)]
        caller_arn: Option<String>,
        /// The session's name (2–64 characters).
        #[arg(long)]
        session_name: String,
        /// Session tags, as JSON: '{"Project":"Alpha"}' or '[{"key":"Project","value":"Alpha"}]'.
        #[arg(long)]
        session_tags: Option<String>,
        /// A session policy that further limits the session, or file://path.
        #[arg(long)]
        session_policy: Option<String>,
        /// 900 to 43200 seconds (default 3600).
        #[arg(long)]
        duration_seconds: Option<u32>,
    },
    /// Set a role's permissions boundary.
    #[command(after_help = ex!("set-role-boundary --account-id 123456789012 --role-name data-reader --policy-document file://boundary.json"))]
    SetRoleBoundary {
        #[command(flatten)]
        role: RoleOpt,
        #[command(flatten)]
        doc: DocumentOpt,
    },
    /// Show a role's permissions boundary.
    #[command(after_help = ex!("get-role-boundary --account-id 123456789012 --role-name data-reader"))]
    GetRoleBoundary {
        #[command(flatten)]
        role: RoleOpt,
    },
    /// Remove a role's permissions boundary.
    #[command(after_help = ex!("delete-role-boundary --account-id 123456789012 --role-name data-reader"))]
    DeleteRoleBoundary {
        #[command(flatten)]
        role: RoleOpt,
    },
}
