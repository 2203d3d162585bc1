//! `IamStore` on redb: every IAM entity in the `iam` table (layout in `iam_keys`), written
//! through the writer's group commit with the IAM version bumped in the same transaction, read
//! in snapshot read transactions on the calling thread (IAM data is small: the auth provider
//! caches what it reads). The logic lives in `iam_users` and `iam_groups`.

use crate::iam_groups::need_owner;
use crate::iam_keys::{self as k, IAM, IAM_VERSION, KEY_CHECK};
use crate::iam_txn::{bump_version, get, open, put, read_error, refuse, scan, split, Fail};
use crate::schema::META;
use crate::store::backend;
use crate::EmbeddedStore;
use async_trait::async_trait;
use extenddb_core::model::iam::{
    AccessKey, AccessKeyStatus, Account, AdminUser, IamGroup, IamRole, IamUser, InlinePolicy,
    PolicyOwner, RoleChange, RoleSession, SealedSecret, UserChange,
};
use extenddb_core::traits::{IamEntity, IamError, IamStore};
use redb::{ReadOnlyTable, WriteTransaction};

impl EmbeddedStore {
    /// Runs `work` in the writer's next group commit; on success bumps the IAM version in the
    /// same transaction and counts the change in memory.
    pub(crate) async fn iam_write<T, W>(&self, work: W) -> Result<T, IamError>
    where
        T: Send + 'static,
        W: FnOnce(&WriteTransaction) -> Result<T, Fail> + Send + 'static,
    {
        let done = self
            .write_txn(move |txn| {
                split(work(txn).and_then(|v| {
                    bump_version(txn)?;
                    Ok(v)
                }))
            })
            .await;
        if done.is_ok() {
            self.note_iam_change();
        }
        done
    }

    /// Runs `f` on the IAM table of a fresh read snapshot.
    pub(crate) fn iam_read<T>(
        &self,
        f: impl FnOnce(&ReadOnlyTable<&'static str, &'static [u8]>) -> Result<T, Fail>,
    ) -> Result<T, IamError> {
        let txn = self.begin_read()?;
        let table = txn
            .open_table(IAM)
            .map_err(|e| IamError::Store(backend(e)))?;
        f(&table).map_err(read_error)
    }

    fn iam_get<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>, IamError> {
        self.iam_read(|t| get(t, key))
    }

    fn iam_scan<T: serde::de::DeserializeOwned>(&self, prefix: &str) -> Result<Vec<T>, IamError> {
        self.iam_read(|t| Ok(scan(t, prefix)?.into_iter().map(|(_, v)| v).collect()))
    }
}

#[async_trait]
impl IamStore for EmbeddedStore {
    async fn iam_version(&self) -> Result<u64, IamError> {
        let txn = self.begin_read()?;
        let meta = txn
            .open_table(META)
            .map_err(|e| IamError::Store(backend(e)))?;
        let v = meta
            .get(IAM_VERSION)
            .map_err(|e| IamError::Store(backend(e)))?;
        Ok(v.and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
            .map(u64::from_be_bytes)
            .unwrap_or(0))
    }

    fn local_changes(&self) -> u64 {
        self.iam_changes()
    }

    async fn create_account(&self, account: &Account) -> Result<(), IamError> {
        self.iam_create_account(account).await
    }

    async fn get_account(&self, account_id: &str) -> Result<Option<Account>, IamError> {
        self.iam_get(&k::account(account_id))
    }

    async fn list_accounts(&self) -> Result<Vec<Account>, IamError> {
        self.iam_scan("a/")
    }

    async fn delete_account(&self, account_id: &str) -> Result<(), IamError> {
        self.iam_delete_account(account_id).await
    }

    async fn create_admin(&self, admin: &AdminUser) -> Result<(), IamError> {
        self.iam_create_admin(admin).await
    }

    async fn get_admin(&self, name: &str) -> Result<Option<AdminUser>, IamError> {
        self.iam_get(&k::admin(name))
    }

    async fn list_admins(&self) -> Result<Vec<AdminUser>, IamError> {
        self.iam_scan("d/")
    }

    async fn set_admin_password(&self, name: &str, password_hash: &str) -> Result<(), IamError> {
        self.iam_set_admin_password(name, password_hash).await
    }

    async fn delete_admin(&self, name: &str) -> Result<(), IamError> {
        let name = name.to_string();
        self.iam_write(move |txn| {
            let mut t = open(txn)?;
            if t.remove(k::admin(&name).as_str())?.is_none() {
                return refuse(IamError::NotFound(IamEntity::Admin, name.clone()));
            }
            Ok(())
        })
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
        self.iam_get(&k::user(account_id, user_name))
    }

    async fn list_users(&self, account_id: &str) -> Result<Vec<IamUser>, IamError> {
        self.iam_scan(&format!("u/{account_id}/"))
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
        self.iam_delete_user(account_id, user_name).await
    }

    async fn create_access_key(&self, key: &AccessKey) -> Result<(), IamError> {
        self.iam_create_access_key(key).await
    }

    async fn get_access_key(&self, access_key_id: &str) -> Result<Option<AccessKey>, IamError> {
        self.iam_get(&k::access_key(access_key_id))
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
        self.iam_change_access_key(account_id, user_name, access_key_id, Some(status))
            .await
    }

    async fn delete_access_key(
        &self,
        account_id: &str,
        user_name: &str,
        access_key_id: &str,
    ) -> Result<(), IamError> {
        self.iam_change_access_key(account_id, user_name, access_key_id, None)
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
        self.iam_get(&k::group(account_id, group_name))
    }

    async fn list_groups(&self, account_id: &str) -> Result<Vec<IamGroup>, IamError> {
        self.iam_scan(&format!("g/{account_id}/"))
    }

    async fn delete_group(&self, account_id: &str, group_name: &str) -> Result<(), IamError> {
        self.iam_delete_group(account_id, group_name).await
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
        self.iam_group_members(account_id, group_name)
    }

    async fn list_groups_for_user(
        &self,
        account_id: &str,
        user_name: &str,
    ) -> Result<Vec<IamGroup>, IamError> {
        self.iam_groups_for_user(account_id, user_name)
    }

    async fn create_role(&self, role: &IamRole) -> Result<(), IamError> {
        self.iam_create_role(role).await
    }

    async fn get_role(
        &self,
        account_id: &str,
        role_name: &str,
    ) -> Result<Option<IamRole>, IamError> {
        self.iam_get(&k::role(account_id, role_name))
    }

    async fn list_roles(&self, account_id: &str) -> Result<Vec<IamRole>, IamError> {
        self.iam_scan(&format!("r/{account_id}/"))
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
        self.iam_delete_role(account_id, role_name).await
    }

    async fn create_session(&self, session: &RoleSession) -> Result<(), IamError> {
        self.iam_create_session(session).await
    }

    async fn get_session(&self, access_key_id: &str) -> Result<Option<RoleSession>, IamError> {
        self.iam_get(&k::session(access_key_id))
    }

    async fn delete_expired_sessions(&self, before: i64) -> Result<u64, IamError> {
        self.iam_delete_expired_sessions(before).await
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
        self.iam_get(&k::policy(account_id, owner, policy_name))
    }

    async fn list_policies(
        &self,
        account_id: &str,
        owner: PolicyOwner<'_>,
    ) -> Result<Vec<InlinePolicy>, IamError> {
        self.iam_read(|t| {
            need_owner(t, account_id, owner)?;
            Ok(scan(t, &k::policy_prefix(account_id, owner))?
                .into_iter()
                .map(|(_, p)| p)
                .collect())
        })
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
        let check = check.clone();
        self.write_txn(move |txn| split(open(txn).and_then(|mut t| put(&mut t, KEY_CHECK, &check))))
            .await
    }

    async fn data_key_check(&self) -> Result<Option<SealedSecret>, IamError> {
        self.iam_get(KEY_CHECK)
    }
}
