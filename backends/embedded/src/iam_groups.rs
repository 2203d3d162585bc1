//! IAM on redb, second half: groups and memberships, roles and their sessions, inline policies
//! (the `IamStore` impl in `iam` delegates here).

use crate::iam_keys as k;
use crate::iam_txn::{get, keys, open, put, refuse, remove_prefix, scan, Fail};
use crate::iam_users::{need_account, need_user};
use crate::EmbeddedStore;
use extenddb_core::model::iam::{
    name_key, validate_access_key_id, IamGroup, IamRole, InlinePolicy, PolicyOwner,
    PolicyOwnerKind, RoleChange, RoleSession,
};
use extenddb_core::traits::{IamEntity, IamError};
use redb::ReadableTable;

/// The group, or `NotFound`.
pub(crate) fn need_group(
    t: &impl ReadableTable<&'static str, &'static [u8]>,
    account: &str,
    name: &str,
) -> Result<IamGroup, Fail> {
    match get::<IamGroup>(t, &k::group(account, name))? {
        Some(g) => Ok(g),
        None => refuse(IamError::NotFound(IamEntity::Group, name.to_string())),
    }
}

/// The role, or `NotFound`.
pub(crate) fn need_role(
    t: &impl ReadableTable<&'static str, &'static [u8]>,
    account: &str,
    name: &str,
) -> Result<IamRole, Fail> {
    match get::<IamRole>(t, &k::role(account, name))? {
        Some(r) => Ok(r),
        None => refuse(IamError::NotFound(IamEntity::Role, name.to_string())),
    }
}

/// `NotFound` unless the policy's owner exists.
pub(crate) fn need_owner(
    t: &impl ReadableTable<&'static str, &'static [u8]>,
    account: &str,
    owner: PolicyOwner<'_>,
) -> Result<(), Fail> {
    match owner.kind {
        PolicyOwnerKind::User => need_user(t, account, owner.name).map(|_| ()),
        PolicyOwnerKind::Group => need_group(t, account, owner.name).map(|_| ()),
        PolicyOwnerKind::Role => need_role(t, account, owner.name).map(|_| ()),
    }
}

impl EmbeddedStore {
    pub(crate) async fn iam_create_group(&self, g: &IamGroup) -> Result<(), IamError> {
        g.validate()?;
        let g = g.clone();
        self.iam_write(move |txn| {
            let mut t = open(txn)?;
            need_account(&t, &g.account_id)?;
            let key = k::group(&g.account_id, &g.group_name);
            if t.get(key.as_str())?.is_some() {
                return refuse(IamError::AlreadyExists(
                    IamEntity::Group,
                    g.group_name.clone(),
                ));
            }
            put(&mut t, &key, &g)
        })
        .await
    }

    pub(crate) async fn iam_delete_group(&self, account: &str, name: &str) -> Result<(), IamError> {
        let (account, name) = (account.to_string(), name.to_string());
        self.iam_write(move |txn| {
            let mut t = open(txn)?;
            need_group(&t, &account, &name)?;
            t.remove(k::group(&account, &name).as_str())?;
            let members = format!("m/{account}/{}/", name_key(&name));
            for key in keys(&t, &members)? {
                let user = key.rsplit('/').next().unwrap_or_default().to_string();
                t.remove(k::member_by_user(&account, &user, &name).as_str())?;
            }
            remove_prefix(&mut t, &members)?;
            remove_prefix(
                &mut t,
                &k::policy_prefix(&account, PolicyOwner::group(&name)),
            )
        })
        .await
    }

    /// Adds (`add`) or removes a membership.
    pub(crate) async fn iam_membership(
        &self,
        account: &str,
        group: &str,
        user: &str,
        add: bool,
    ) -> Result<(), IamError> {
        let (account, group, user) = (account.to_string(), group.to_string(), user.to_string());
        self.iam_write(move |txn| {
            let mut t = open(txn)?;
            need_group(&t, &account, &group)?;
            let u = need_user(&t, &account, &user)?;
            let m = k::member(&account, &group, &user);
            let n = k::member_by_user(&account, &user, &group);
            if add {
                put(&mut t, &m, &u.user_name)?;
                put(&mut t, &n, &())
            } else if t.get(m.as_str())?.is_none() {
                refuse(IamError::NotFound(
                    IamEntity::Membership,
                    format!("{user} in {group}"),
                ))
            } else {
                t.remove(m.as_str())?;
                t.remove(n.as_str())?;
                Ok(())
            }
        })
        .await
    }

    pub(crate) fn iam_group_members(
        &self,
        account: &str,
        group: &str,
    ) -> Result<Vec<String>, IamError> {
        self.iam_read(|t| {
            need_group(t, account, group)?;
            let prefix = format!("m/{account}/{}/", name_key(group));
            Ok(scan::<String>(t, &prefix)?
                .into_iter()
                .map(|(_, n)| n)
                .collect())
        })
    }

    pub(crate) fn iam_groups_for_user(
        &self,
        account: &str,
        user: &str,
    ) -> Result<Vec<IamGroup>, IamError> {
        self.iam_read(|t| {
            need_user(t, account, user)?;
            let prefix = format!("n/{account}/{}/", name_key(user));
            let mut out = Vec::new();
            for key in keys(t, &prefix)? {
                let group = key.rsplit('/').next().unwrap_or_default();
                if let Some(g) = get::<IamGroup>(t, &k::group(account, group))? {
                    out.push(g);
                }
            }
            Ok(out)
        })
    }

    pub(crate) async fn iam_create_role(&self, r: &IamRole) -> Result<(), IamError> {
        r.validate()?;
        let r = r.clone();
        self.iam_write(move |txn| {
            let mut t = open(txn)?;
            need_account(&t, &r.account_id)?;
            let key = k::role(&r.account_id, &r.role_name);
            if t.get(key.as_str())?.is_some() {
                return refuse(IamError::AlreadyExists(
                    IamEntity::Role,
                    r.role_name.clone(),
                ));
            }
            put(&mut t, &key, &r)
        })
        .await
    }

    pub(crate) async fn iam_update_role(
        &self,
        account: &str,
        name: &str,
        change: &RoleChange,
    ) -> Result<IamRole, IamError> {
        let (account, name, change) = (account.to_string(), name.to_string(), change.clone());
        self.iam_write(move |txn| {
            let mut t = open(txn)?;
            let mut r = need_role(&t, &account, &name)?;
            if let Err(e) = change.apply(&mut r) {
                return refuse(e);
            }
            put(&mut t, &k::role(&account, &name), &r)?;
            Ok(r)
        })
        .await
    }

    pub(crate) async fn iam_delete_role(&self, account: &str, name: &str) -> Result<(), IamError> {
        let (account, name) = (account.to_string(), name.to_string());
        self.iam_write(move |txn| {
            let mut t = open(txn)?;
            need_role(&t, &account, &name)?;
            t.remove(k::role(&account, &name).as_str())?;
            remove_prefix(
                &mut t,
                &k::policy_prefix(&account, PolicyOwner::role(&name)),
            )?;
            for (key, s) in scan::<RoleSession>(&t, "s/")? {
                if s.account_id == account && name_key(&s.role_name) == name_key(&name) {
                    t.remove(key.as_str())?;
                }
            }
            Ok(())
        })
        .await
    }

    pub(crate) async fn iam_create_session(&self, s: &RoleSession) -> Result<(), IamError> {
        validate_access_key_id(&s.access_key_id)?;
        s.validate()?;
        let mut s = s.clone();
        self.iam_write(move |txn| {
            let mut t = open(txn)?;
            let role = need_role(&t, &s.account_id, &s.role_name)?;
            let id = s.access_key_id.clone();
            if t.get(k::access_key(&id).as_str())?.is_some()
                || t.get(k::session(&id).as_str())?.is_some()
            {
                return refuse(IamError::AlreadyExists(IamEntity::AccessKey, id));
            }
            s.role_name = role.role_name;
            put(&mut t, &k::session(&id), &s)
        })
        .await
    }

    pub(crate) async fn iam_delete_expired_sessions(&self, before: i64) -> Result<u64, IamError> {
        self.iam_write(move |txn| {
            let mut t = open(txn)?;
            let mut n = 0;
            for (key, s) in scan::<RoleSession>(&t, "s/")? {
                if s.expires < before {
                    t.remove(key.as_str())?;
                    n += 1;
                }
            }
            Ok(n)
        })
        .await
    }

    pub(crate) async fn iam_put_policy(
        &self,
        account: &str,
        owner: PolicyOwner<'_>,
        policy: &InlinePolicy,
    ) -> Result<(), IamError> {
        policy.validate()?;
        let (account, kind, name, policy) = (
            account.to_string(),
            owner.kind,
            owner.name.to_string(),
            policy.clone(),
        );
        self.iam_write(move |txn| {
            let mut t = open(txn)?;
            let owner = PolicyOwner { kind, name: &name };
            need_owner(&t, &account, owner)?;
            put(
                &mut t,
                &k::policy(&account, owner, &policy.policy_name),
                &policy,
            )
        })
        .await
    }

    pub(crate) async fn iam_delete_policy(
        &self,
        account: &str,
        owner: PolicyOwner<'_>,
        policy_name: &str,
    ) -> Result<(), IamError> {
        let (account, kind, name, policy_name) = (
            account.to_string(),
            owner.kind,
            owner.name.to_string(),
            policy_name.to_string(),
        );
        self.iam_write(move |txn| {
            let mut t = open(txn)?;
            let owner = PolicyOwner { kind, name: &name };
            need_owner(&t, &account, owner)?;
            if t.remove(k::policy(&account, owner, &policy_name).as_str())?
                .is_none()
            {
                return refuse(IamError::NotFound(IamEntity::Policy, policy_name.clone()));
            }
            Ok(())
        })
        .await
    }
}
