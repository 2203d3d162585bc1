//! IAM on redb, first half: accounts, admins, users and access keys (the `IamStore` impl in
//! `iam` delegates here). Every write runs in the writer's group commit, checks everything
//! before it writes anything (a refused job must leave the shared transaction untouched) and
//! bumps the IAM version.

use crate::iam_keys as k;
use crate::iam_txn::{get, keys, open, put, refuse, remove_prefix, scan, Fail};
use crate::EmbeddedStore;
use extenddb_core::model::iam::{
    name_key, validate_access_key_id, validate_account_id, validate_admin_name, AccessKey,
    AccessKeyStatus, Account, AdminUser, IamUser, PolicyOwner, UserChange,
};
use extenddb_core::traits::{IamEntity, IamError};
use redb::{ReadableTable, Table};

type IamTable<'t> = Table<'t, &'static str, &'static [u8]>;

/// `NotFound` unless the account exists.
pub(crate) fn need_account(
    t: &impl ReadableTable<&'static str, &'static [u8]>,
    id: &str,
) -> Result<(), Fail> {
    if t.get(k::account(id).as_str())?.is_none() {
        return refuse(IamError::NotFound(IamEntity::Account, id.to_string()));
    }
    Ok(())
}

/// The user, or `NotFound`.
pub(crate) fn need_user(
    t: &impl ReadableTable<&'static str, &'static [u8]>,
    account: &str,
    name: &str,
) -> Result<IamUser, Fail> {
    match get::<IamUser>(t, &k::user(account, name))? {
        Some(u) => Ok(u),
        None => refuse(IamError::NotFound(IamEntity::User, name.to_string())),
    }
}

/// Removes every access key of `user` (or, with `None`, of the whole account).
fn remove_keys(t: &mut IamTable<'_>, account: &str, user: Option<&str>) -> Result<(), Fail> {
    for (key, ak) in scan::<AccessKey>(t, "k/")? {
        let mine =
            ak.account_id == account && user.is_none_or(|u| name_key(&ak.user_name) == name_key(u));
        if mine {
            t.remove(key.as_str())?;
        }
    }
    Ok(())
}

/// Removes a user and everything that hangs off it.
pub(crate) fn remove_user(t: &mut IamTable<'_>, account: &str, name: &str) -> Result<(), Fail> {
    t.remove(k::user(account, name).as_str())?;
    remove_keys(t, account, Some(name))?;
    let by_user = format!("n/{account}/{}/", name_key(name));
    for key in keys(t, &by_user)? {
        let group = key.rsplit('/').next().unwrap_or_default().to_string();
        t.remove(k::member(account, &group, name).as_str())?;
        t.remove(key.as_str())?;
    }
    remove_prefix(t, &k::policy_prefix(account, PolicyOwner::user(name)))
}

impl EmbeddedStore {
    pub(crate) async fn iam_create_account(&self, a: &Account) -> Result<(), IamError> {
        a.validate()?;
        let a = a.clone();
        self.iam_write(move |txn| {
            let mut t = open(txn)?;
            let key = k::account(&a.account_id);
            if t.get(key.as_str())?.is_some() {
                return refuse(IamError::AlreadyExists(
                    IamEntity::Account,
                    a.account_id.clone(),
                ));
            }
            put(&mut t, &key, &a)
        })
        .await
    }

    pub(crate) async fn iam_delete_account(&self, id: &str) -> Result<(), IamError> {
        validate_account_id(id)?;
        let id = id.to_string();
        self.iam_write(move |txn| {
            let mut t = open(txn)?;
            need_account(&t, &id)?;
            t.remove(k::account(&id).as_str())?;
            for kind in ["u", "g", "m", "n", "r", "p"] {
                remove_prefix(&mut t, &format!("{kind}/{id}/"))?;
            }
            remove_keys(&mut t, &id, None)?;
            for (key, s) in scan::<extenddb_core::model::iam::RoleSession>(&t, "s/")? {
                if s.account_id == id {
                    t.remove(key.as_str())?;
                }
            }
            Ok(())
        })
        .await
    }

    pub(crate) async fn iam_create_admin(&self, a: &AdminUser) -> Result<(), IamError> {
        validate_admin_name(&a.name)?;
        let a = a.clone();
        self.iam_write(move |txn| {
            let mut t = open(txn)?;
            let key = k::admin(&a.name);
            if t.get(key.as_str())?.is_some() {
                return refuse(IamError::AlreadyExists(IamEntity::Admin, a.name.clone()));
            }
            put(&mut t, &key, &a)
        })
        .await
    }

    pub(crate) async fn iam_set_admin_password(
        &self,
        name: &str,
        hash: &str,
    ) -> Result<(), IamError> {
        let (name, hash) = (name.to_string(), hash.to_string());
        self.iam_write(move |txn| {
            let mut t = open(txn)?;
            let key = k::admin(&name);
            let Some(mut a) = get::<AdminUser>(&t, &key)? else {
                return refuse(IamError::NotFound(IamEntity::Admin, name.clone()));
            };
            a.password_hash = hash;
            put(&mut t, &key, &a)
        })
        .await
    }

    pub(crate) async fn iam_create_user(&self, u: &IamUser) -> Result<(), IamError> {
        u.validate()?;
        let u = u.clone();
        self.iam_write(move |txn| {
            let mut t = open(txn)?;
            need_account(&t, &u.account_id)?;
            let key = k::user(&u.account_id, &u.user_name);
            if t.get(key.as_str())?.is_some() {
                return refuse(IamError::AlreadyExists(
                    IamEntity::User,
                    u.user_name.clone(),
                ));
            }
            put(&mut t, &key, &u)
        })
        .await
    }

    pub(crate) async fn iam_update_user(
        &self,
        account: &str,
        name: &str,
        change: &UserChange,
    ) -> Result<IamUser, IamError> {
        let (account, name, change) = (account.to_string(), name.to_string(), change.clone());
        self.iam_write(move |txn| {
            let mut t = open(txn)?;
            let mut u = need_user(&t, &account, &name)?;
            if let Err(e) = change.apply(&mut u) {
                return refuse(e);
            }
            put(&mut t, &k::user(&account, &name), &u)?;
            Ok(u)
        })
        .await
    }

    pub(crate) async fn iam_delete_user(&self, account: &str, name: &str) -> Result<(), IamError> {
        let (account, name) = (account.to_string(), name.to_string());
        self.iam_write(move |txn| {
            let mut t = open(txn)?;
            need_user(&t, &account, &name)?;
            remove_user(&mut t, &account, &name)
        })
        .await
    }

    pub(crate) async fn iam_create_access_key(&self, key: &AccessKey) -> Result<(), IamError> {
        validate_access_key_id(&key.access_key_id)?;
        let mut key = key.clone();
        self.iam_write(move |txn| {
            let mut t = open(txn)?;
            let user = need_user(&t, &key.account_id, &key.user_name)?;
            let id = key.access_key_id.clone();
            if t.get(k::access_key(&id).as_str())?.is_some()
                || t.get(k::session(&id).as_str())?.is_some()
            {
                return refuse(IamError::AlreadyExists(IamEntity::AccessKey, id));
            }
            key.user_name = user.user_name;
            put(&mut t, &k::access_key(&id), &key)
        })
        .await
    }

    pub(crate) async fn iam_list_access_keys(
        &self,
        account: &str,
        user: &str,
    ) -> Result<Vec<AccessKey>, IamError> {
        self.iam_read(|t| {
            need_user(t, account, user)?;
            let mut out: Vec<AccessKey> = scan::<AccessKey>(t, "k/")?
                .into_iter()
                .map(|(_, ak)| ak)
                .filter(|ak| ak.account_id == account && name_key(&ak.user_name) == name_key(user))
                .collect();
            out.sort_by(|a, b| (a.created, &a.access_key_id).cmp(&(b.created, &b.access_key_id)));
            Ok(out)
        })
    }

    /// Applies `f` to the user's key `id` (`NotFound` when it is not theirs) and stores the
    /// result, or deletes the key when `f` answers `None`.
    pub(crate) async fn iam_change_access_key(
        &self,
        account: &str,
        user: &str,
        id: &str,
        status: Option<AccessKeyStatus>,
    ) -> Result<(), IamError> {
        let (account, user, id) = (account.to_string(), user.to_string(), id.to_string());
        self.iam_write(move |txn| {
            let mut t = open(txn)?;
            need_user(&t, &account, &user)?;
            let key = k::access_key(&id);
            let Some(mut ak) = get::<AccessKey>(&t, &key)? else {
                return refuse(IamError::NotFound(IamEntity::AccessKey, id.clone()));
            };
            if ak.account_id != account || name_key(&ak.user_name) != name_key(&user) {
                return refuse(IamError::NotFound(IamEntity::AccessKey, id.clone()));
            }
            match status {
                Some(s) => {
                    ak.status = s;
                    put(&mut t, &key, &ak)
                }
                None => {
                    t.remove(key.as_str())?;
                    Ok(())
                }
            }
        })
        .await
    }
}
