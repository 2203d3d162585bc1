//! Rows of the IAM tables (migrations/catalog/0002_iam.sql) to core's IAM types, the column
//! lists that produce them, and the error mapping of IAM statements.

use extenddb_core::error::StoreError;
use extenddb_core::model::iam::{
    AccessKey, AccessKeyStatus, IamGroup, IamRole, IamUser, PolicyOwnerKind, RoleSession,
    SealedSecret,
};
use extenddb_core::model::tags::Tag;
use extenddb_core::traits::IamError;
use sqlx::postgres::PgRow;
use sqlx::Row;

/// A failed statement as core's error.
pub(crate) fn db(e: sqlx::Error) -> IamError {
    IamError::Store(crate::error::store_err(e))
}

/// Whether `e` is a unique-constraint violation (a concurrent create won the race).
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.code().as_deref() == Some("23505"))
}

fn get<'r, T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>>(
    row: &'r PgRow,
    col: &str,
) -> Result<T, IamError> {
    row.try_get(col).map_err(db)
}

fn tags(row: &PgRow, col: &str) -> Result<Vec<Tag>, IamError> {
    let text: String = get(row, col)?;
    serde_json::from_str(&text)
        .map_err(|e| IamError::Store(StoreError::Corrupt(format!("IAM tags: {e}"))))
}

/// Tags as the JSON text bound to a `jsonb` column.
pub(crate) fn tags_json(tags: &[Tag]) -> Result<String, IamError> {
    serde_json::to_string(tags).map_err(|e| IamError::Store(StoreError::Backend(e.to_string())))
}

/// Columns of `iam_users` read by `user`.
pub(crate) const USER_COLS: &str = "account_id::text AS account_id, user_name, user_id, \
     password_hash, tags::text AS tags, permissions_boundary, created";

pub(crate) fn user(row: &PgRow) -> Result<IamUser, IamError> {
    Ok(IamUser {
        account_id: get(row, "account_id")?,
        user_name: get(row, "user_name")?,
        user_id: get(row, "user_id")?,
        password_hash: get(row, "password_hash")?,
        tags: tags(row, "tags")?,
        permissions_boundary: get(row, "permissions_boundary")?,
        created: get(row, "created")?,
    })
}

/// Columns of `iam_access_keys` read by `access_key`.
pub(crate) const KEY_COLS: &str =
    "access_key_id, account_id::text AS account_id, user_name, nonce, ciphertext, status, created";

pub(crate) fn access_key(row: &PgRow) -> Result<AccessKey, IamError> {
    let status: String = get(row, "status")?;
    Ok(AccessKey {
        access_key_id: get(row, "access_key_id")?,
        account_id: get(row, "account_id")?,
        user_name: get(row, "user_name")?,
        secret: SealedSecret {
            nonce: get(row, "nonce")?,
            ciphertext: get(row, "ciphertext")?,
        },
        status: AccessKeyStatus::parse(&status).ok_or_else(|| {
            IamError::Store(StoreError::Corrupt(format!("access key status {status}")))
        })?,
        created: get(row, "created")?,
    })
}

/// Columns of `iam_groups` read by `group`.
pub(crate) const GROUP_COLS: &str = "account_id::text AS account_id, group_name, group_id, created";

pub(crate) fn group(row: &PgRow) -> Result<IamGroup, IamError> {
    Ok(IamGroup {
        account_id: get(row, "account_id")?,
        group_name: get(row, "group_name")?,
        group_id: get(row, "group_id")?,
        created: get(row, "created")?,
    })
}

/// Columns of `iam_roles` read by `role`.
pub(crate) const ROLE_COLS: &str = "account_id::text AS account_id, role_name, role_id, \
     trust_policy, tags::text AS tags, permissions_boundary, created";

pub(crate) fn role(row: &PgRow) -> Result<IamRole, IamError> {
    Ok(IamRole {
        account_id: get(row, "account_id")?,
        role_name: get(row, "role_name")?,
        role_id: get(row, "role_id")?,
        trust_policy: get(row, "trust_policy")?,
        tags: tags(row, "tags")?,
        permissions_boundary: get(row, "permissions_boundary")?,
        created: get(row, "created")?,
    })
}

/// Columns of `iam_role_sessions` read by `session`.
pub(crate) const SESSION_COLS: &str = "access_key_id, account_id::text AS account_id, role_name, \
     session_name, nonce, ciphertext, token_sha256, expires, session_tags::text AS session_tags, \
     session_policy, source_arn, created";

pub(crate) fn session(row: &PgRow) -> Result<RoleSession, IamError> {
    Ok(RoleSession {
        access_key_id: get(row, "access_key_id")?,
        account_id: get(row, "account_id")?,
        role_name: get(row, "role_name")?,
        session_name: get(row, "session_name")?,
        secret: SealedSecret {
            nonce: get(row, "nonce")?,
            ciphertext: get(row, "ciphertext")?,
        },
        token_sha256: get(row, "token_sha256")?,
        expires: get(row, "expires")?,
        session_tags: tags(row, "session_tags")?,
        session_policy: get(row, "session_policy")?,
        source_arn: get(row, "source_arn")?,
        created: get(row, "created")?,
    })
}

/// The policy table and owner table of an owner kind.
pub(crate) fn policy_tables(kind: PolicyOwnerKind) -> (&'static str, &'static str) {
    match kind {
        PolicyOwnerKind::User => ("iam_user_policies", "iam_users"),
        PolicyOwnerKind::Group => ("iam_group_policies", "iam_groups"),
        PolicyOwnerKind::Role => ("iam_role_policies", "iam_roles"),
    }
}
