//! `IamStore` on the catalog database (tables of migrations/catalog/0002_iam.sql). Every
//! change runs in one transaction that checks, writes and bumps `iam_version` (`iam_tx`);
//! cascades are the schema's `ON DELETE CASCADE`. Reads are single statements on the catalog
//! pool; the auth provider caches what it reads. The longer bodies are in `iam_users` (users,
//! keys, helpers) and `iam_groups` (groups, roles, sessions, policies).

use crate::iam_rows::{self as rows, db, KEY_COLS, USER_COLS};
use crate::iam_tx::insert;
use crate::iam_users::{account, admin};
use crate::PgStore;
use async_trait::async_trait;
use extenddb_core::model::iam::{
    name_key, validate_account_id, validate_admin_name, AccessKey, AccessKeyStatus, Account,
    AdminUser, IamGroup, IamRole, IamUser, InlinePolicy, PolicyOwner, RoleChange, RoleSession,
    SealedSecret, UserChange,
};
use extenddb_core::traits::{IamEntity, IamError, IamStore};
use std::sync::atomic::Ordering;

#[async_trait]
impl IamStore for PgStore {
    async fn iam_version(&self) -> Result<u64, IamError> {
        let v: i64 = sqlx::query_scalar("SELECT version FROM iam_version WHERE id = 1")
            .fetch_one(&self.catalog)
            .await
            .map_err(db)?;
        Ok(u64::try_from(v).unwrap_or(0))
    }

    fn local_changes(&self) -> u64 {
        self.iam_changes.load(Ordering::Acquire)
    }

    async fn create_account(&self, account: &Account) -> Result<(), IamError> {
        account.validate()?;
        let mut tx = self.iam_begin().await?;
        let q = sqlx::query(
            "INSERT INTO accounts (account_id, name, created_at) VALUES ($1, $2, to_timestamp($3))",
        )
        .bind(&account.account_id)
        .bind(&account.name)
        .bind(account.created as f64);
        insert(tx.conn(), q, IamEntity::Account, &account.account_id).await?;
        tx.commit().await
    }

    async fn get_account(&self, account_id: &str) -> Result<Option<Account>, IamError> {
        let row = sqlx::query(
            "SELECT account_id::text, name, extract(epoch FROM created_at)::bigint \
             FROM accounts WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(&self.catalog)
        .await
        .map_err(db)?;
        row.map(|r| account(&r)).transpose()
    }

    async fn list_accounts(&self) -> Result<Vec<Account>, IamError> {
        let rows = sqlx::query(
            "SELECT account_id::text, name, extract(epoch FROM created_at)::bigint \
             FROM accounts ORDER BY account_id",
        )
        .fetch_all(&self.catalog)
        .await
        .map_err(db)?;
        rows.iter().map(account).collect()
    }

    async fn delete_account(&self, account_id: &str) -> Result<(), IamError> {
        validate_account_id(account_id)?;
        let mut tx = self.iam_begin().await?;
        // Keys and sessions reference users and roles, which cascade from the account.
        let done = sqlx::query("DELETE FROM accounts WHERE account_id = $1")
            .bind(account_id)
            .execute(tx.conn())
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(IamError::NotFound(IamEntity::Account, account_id.into()));
        }
        tx.commit().await
    }

    async fn create_admin(&self, admin: &AdminUser) -> Result<(), IamError> {
        validate_admin_name(&admin.name)?;
        let mut tx = self.iam_begin().await?;
        let q = sqlx::query(
            "INSERT INTO admins (name, password_hash, created_at) VALUES ($1, $2, to_timestamp($3))",
        )
        .bind(&admin.name)
        .bind(&admin.password_hash)
        .bind(admin.created as f64);
        insert(tx.conn(), q, IamEntity::Admin, &admin.name).await?;
        tx.commit().await
    }

    async fn get_admin(&self, name: &str) -> Result<Option<AdminUser>, IamError> {
        let row = sqlx::query(
            "SELECT name, password_hash, extract(epoch FROM created_at)::bigint FROM admins WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(&self.catalog)
        .await
        .map_err(db)?;
        row.map(|r| admin(&r)).transpose()
    }

    async fn list_admins(&self) -> Result<Vec<AdminUser>, IamError> {
        let rows = sqlx::query(
            "SELECT name, password_hash, extract(epoch FROM created_at)::bigint FROM admins ORDER BY name",
        )
        .fetch_all(&self.catalog)
        .await
        .map_err(db)?;
        rows.iter().map(admin).collect()
    }

    async fn set_admin_password(&self, name: &str, password_hash: &str) -> Result<(), IamError> {
        self.admin_change(
            "UPDATE admins SET password_hash = $2 WHERE name = $1",
            name,
            Some(password_hash),
        )
        .await
    }

    async fn delete_admin(&self, name: &str) -> Result<(), IamError> {
        self.admin_change("DELETE FROM admins WHERE name = $1", name, None)
            .await
    }

    async fn create_user(&self, user: &IamUser) -> Result<(), IamError> {
        self.iam_create_user(user).await
    }

    async fn get_user(
        &self,
        account_id: &str,
        user_name: &str,
    ) -> Result<Option<IamUser>, IamError> {
        let sql =
            format!("SELECT {USER_COLS} FROM iam_users WHERE account_id = $1 AND name_key = $2");
        let row = sqlx::query(&sql)
            .bind(account_id)
            .bind(name_key(user_name))
            .fetch_optional(&self.catalog)
            .await
            .map_err(db)?;
        row.map(|r| rows::user(&r)).transpose()
    }

    async fn list_users(&self, account_id: &str) -> Result<Vec<IamUser>, IamError> {
        let sql =
            format!("SELECT {USER_COLS} FROM iam_users WHERE account_id = $1 ORDER BY name_key");
        let found = sqlx::query(&sql)
            .bind(account_id)
            .fetch_all(&self.catalog)
            .await
            .map_err(db)?;
        found.iter().map(rows::user).collect()
    }

    async fn update_user(
        &self,
        account_id: &str,
        user_name: &str,
        change: &UserChange,
    ) -> Result<IamUser, IamError> {
        self.iam_update_user(account_id, user_name, change).await
    }

    async fn delete_user(&self, account_id: &str, user_name: &str) -> Result<(), IamError> {
        self.delete_named("iam_users", IamEntity::User, account_id, user_name)
            .await
    }

    async fn create_access_key(&self, key: &AccessKey) -> Result<(), IamError> {
        self.iam_create_access_key(key).await
    }

    async fn get_access_key(&self, access_key_id: &str) -> Result<Option<AccessKey>, IamError> {
        let sql = format!("SELECT {KEY_COLS} FROM iam_access_keys WHERE access_key_id = $1");
        let row = sqlx::query(&sql)
            .bind(access_key_id)
            .fetch_optional(&self.catalog)
            .await
            .map_err(db)?;
        row.map(|r| rows::access_key(&r)).transpose()
    }

    async fn list_access_keys(
        &self,
        account_id: &str,
        user_name: &str,
    ) -> Result<Vec<AccessKey>, IamError> {
        self.iam_list_access_keys(account_id, user_name).await
    }

    async fn set_access_key_status(
        &self,
        account_id: &str,
        user_name: &str,
        access_key_id: &str,
        status: AccessKeyStatus,
    ) -> Result<(), IamError> {
        self.key_change(
            "UPDATE iam_access_keys SET status = $4 WHERE access_key_id = $1 AND account_id = $2 AND user_key = $3",
            account_id,
            user_name,
            access_key_id,
            Some(status.as_str()),
        )
        .await
    }

    async fn delete_access_key(
        &self,
        account_id: &str,
        user_name: &str,
        access_key_id: &str,
    ) -> Result<(), IamError> {
        self.key_change(
            "DELETE FROM iam_access_keys WHERE access_key_id = $1 AND account_id = $2 AND user_key = $3",
            account_id,
            user_name,
            access_key_id,
            None,
        )
        .await
    }

    async fn create_group(&self, group: &IamGroup) -> Result<(), IamError> {
        self.iam_create_group(group).await
    }

    async fn get_group(
        &self,
        account_id: &str,
        group_name: &str,
    ) -> Result<Option<IamGroup>, IamError> {
        self.iam_get_group(account_id, group_name).await
    }

    async fn list_groups(&self, account_id: &str) -> Result<Vec<IamGroup>, IamError> {
        self.iam_list_groups(account_id).await
    }

    async fn delete_group(&self, account_id: &str, group_name: &str) -> Result<(), IamError> {
        self.delete_named("iam_groups", IamEntity::Group, account_id, group_name)
            .await
    }

    async fn add_group_member(
        &self,
        account_id: &str,
        group_name: &str,
        user_name: &str,
    ) -> Result<(), IamError> {
        self.iam_membership(account_id, group_name, user_name, true)
            .await
    }

    async fn remove_group_member(
        &self,
        account_id: &str,
        group_name: &str,
        user_name: &str,
    ) -> Result<(), IamError> {
        self.iam_membership(account_id, group_name, user_name, false)
            .await
    }

    async fn list_group_members(
        &self,
        account_id: &str,
        group_name: &str,
    ) -> Result<Vec<String>, IamError> {
        self.iam_group_members(account_id, group_name).await
    }

    async fn list_groups_for_user(
        &self,
        account_id: &str,
        user_name: &str,
    ) -> Result<Vec<IamGroup>, IamError> {
        self.iam_groups_for_user(account_id, user_name).await
    }

    async fn create_role(&self, role: &IamRole) -> Result<(), IamError> {
        self.iam_create_role(role).await
    }

    async fn get_role(
        &self,
        account_id: &str,
        role_name: &str,
    ) -> Result<Option<IamRole>, IamError> {
        self.iam_get_role(account_id, role_name).await
    }

    async fn list_roles(&self, account_id: &str) -> Result<Vec<IamRole>, IamError> {
        self.iam_list_roles(account_id).await
    }

    async fn update_role(
        &self,
        account_id: &str,
        role_name: &str,
        change: &RoleChange,
    ) -> Result<IamRole, IamError> {
        self.iam_update_role(account_id, role_name, change).await
    }

    async fn delete_role(&self, account_id: &str, role_name: &str) -> Result<(), IamError> {
        self.delete_named("iam_roles", IamEntity::Role, account_id, role_name)
            .await
    }

    async fn create_session(&self, session: &RoleSession) -> Result<(), IamError> {
        self.iam_create_session(session).await
    }

    async fn get_session(&self, access_key_id: &str) -> Result<Option<RoleSession>, IamError> {
        self.iam_get_session(access_key_id).await
    }

    async fn delete_expired_sessions(&self, before: i64) -> Result<u64, IamError> {
        let mut tx = self.iam_begin().await?;
        let done = sqlx::query("DELETE FROM iam_role_sessions WHERE expires < $1")
            .bind(before)
            .execute(tx.conn())
            .await
            .map_err(db)?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    async fn put_policy(
        &self,
        account_id: &str,
        owner: PolicyOwner<'_>,
        policy: &InlinePolicy,
    ) -> Result<(), IamError> {
        self.iam_put_policy(account_id, owner, policy).await
    }

    async fn get_policy(
        &self,
        account_id: &str,
        owner: PolicyOwner<'_>,
        policy_name: &str,
    ) -> Result<Option<InlinePolicy>, IamError> {
        self.iam_get_policy(account_id, owner, policy_name).await
    }

    async fn list_policies(
        &self,
        account_id: &str,
        owner: PolicyOwner<'_>,
    ) -> Result<Vec<InlinePolicy>, IamError> {
        self.iam_list_policies(account_id, owner).await
    }

    async fn delete_policy(
        &self,
        account_id: &str,
        owner: PolicyOwner<'_>,
        policy_name: &str,
    ) -> Result<(), IamError> {
        self.iam_delete_policy(account_id, owner, policy_name).await
    }

    async fn put_data_key_check(&self, check: &SealedSecret) -> Result<(), IamError> {
        self.put_key_check(&check.nonce, &check.ciphertext)
            .await
            .map_err(|e| IamError::Store(e.into()))
    }

    async fn data_key_check(&self) -> Result<Option<SealedSecret>, IamError> {
        Ok(self
            .key_check()
            .await
            .map_err(|e| IamError::Store(e.into()))?
            .map(|(nonce, ciphertext)| SealedSecret { nonce, ciphertext }))
    }
}
