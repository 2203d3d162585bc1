//! `IamStore` on PostgreSQL, second half: groups and memberships, roles and sessions, inline
//! policies (the trait impl in `iam` delegates here).

use crate::iam_rows::{
    self as rows, db, policy_tables, tags_json, GROUP_COLS, ROLE_COLS, SESSION_COLS,
};
use crate::iam_tx::{insert, key_id_taken, need, need_account};
use crate::PgStore;
use extenddb_core::model::iam::{
    name_key, validate_access_key_id, IamGroup, IamRole, InlinePolicy, PolicyOwner,
    PolicyOwnerKind, RoleChange, RoleSession,
};
use extenddb_core::traits::{IamEntity, IamError};
use sqlx::PgConnection;

fn owner_entity(kind: PolicyOwnerKind) -> IamEntity {
    match kind {
        PolicyOwnerKind::User => IamEntity::User,
        PolicyOwnerKind::Group => IamEntity::Group,
        PolicyOwnerKind::Role => IamEntity::Role,
    }
}

async fn need_owner(
    conn: &mut PgConnection,
    account: &str,
    owner: PolicyOwner<'_>,
) -> Result<(), IamError> {
    let (_, table) = policy_tables(owner.kind);
    need(conn, table, account, owner.name, owner_entity(owner.kind)).await
}

impl PgStore {
    pub(crate) async fn iam_create_group(&self, g: &IamGroup) -> Result<(), IamError> {
        g.validate()?;
        let mut tx = self.iam_begin().await?;
        need_account(tx.conn(), &g.account_id).await?;
        let q = sqlx::query(
            "INSERT INTO iam_groups (account_id, name_key, group_name, group_id, created) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&g.account_id)
        .bind(name_key(&g.group_name))
        .bind(&g.group_name)
        .bind(&g.group_id)
        .bind(g.created);
        insert(tx.conn(), q, IamEntity::Group, &g.group_name).await?;
        tx.commit().await
    }

    pub(crate) async fn iam_get_group(
        &self,
        account: &str,
        name: &str,
    ) -> Result<Option<IamGroup>, IamError> {
        let sql =
            format!("SELECT {GROUP_COLS} FROM iam_groups WHERE account_id = $1 AND name_key = $2");
        let row = sqlx::query(&sql)
            .bind(account)
            .bind(name_key(name))
            .fetch_optional(&self.catalog)
            .await
            .map_err(db)?;
        row.map(|r| rows::group(&r)).transpose()
    }

    pub(crate) async fn iam_list_groups(&self, account: &str) -> Result<Vec<IamGroup>, IamError> {
        let sql =
            format!("SELECT {GROUP_COLS} FROM iam_groups WHERE account_id = $1 ORDER BY name_key");
        let found = sqlx::query(&sql)
            .bind(account)
            .fetch_all(&self.catalog)
            .await
            .map_err(db)?;
        found.iter().map(rows::group).collect()
    }

    pub(crate) async fn iam_membership(
        &self,
        account: &str,
        group: &str,
        user: &str,
        add: bool,
    ) -> Result<(), IamError> {
        let mut tx = self.iam_begin().await?;
        need(tx.conn(), "iam_groups", account, group, IamEntity::Group).await?;
        need(tx.conn(), "iam_users", account, user, IamEntity::User).await?;
        let sql = if add {
            "INSERT INTO iam_group_members (account_id, group_key, user_key) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM iam_group_members WHERE account_id = $1 AND group_key = $2 AND user_key = $3"
        };
        let done = sqlx::query(sql)
            .bind(account)
            .bind(name_key(group))
            .bind(name_key(user))
            .execute(tx.conn())
            .await
            .map_err(db)?;
        if !add && done.rows_affected() == 0 {
            return Err(IamError::NotFound(
                IamEntity::Membership,
                format!("{user} in {group}"),
            ));
        }
        tx.commit().await
    }

    pub(crate) async fn iam_group_members(
        &self,
        account: &str,
        group: &str,
    ) -> Result<Vec<String>, IamError> {
        if self.iam_get_group(account, group).await?.is_none() {
            return Err(IamError::NotFound(IamEntity::Group, group.into()));
        }
        sqlx::query_scalar(
            "SELECT u.user_name FROM iam_group_members m JOIN iam_users u \
             ON u.account_id = m.account_id AND u.name_key = m.user_key \
             WHERE m.account_id = $1 AND m.group_key = $2 ORDER BY m.user_key",
        )
        .bind(account)
        .bind(name_key(group))
        .fetch_all(&self.catalog)
        .await
        .map_err(db)
    }

    pub(crate) async fn iam_groups_for_user(
        &self,
        account: &str,
        user: &str,
    ) -> Result<Vec<IamGroup>, IamError> {
        let sql = "SELECT g.account_id::text AS account_id, g.group_name, g.group_id, g.created \
             FROM iam_groups g JOIN iam_group_members m \
             ON g.account_id = m.account_id AND g.name_key = m.group_key \
             WHERE m.account_id = $1 AND m.user_key = $2 ORDER BY g.name_key";
        let mut tx = self.catalog.begin().await.map_err(db)?;
        need(&mut tx, "iam_users", account, user, IamEntity::User).await?;
        let found = sqlx::query(sql)
            .bind(account)
            .bind(name_key(user))
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        found.iter().map(rows::group).collect()
    }

    pub(crate) async fn iam_create_role(&self, r: &IamRole) -> Result<(), IamError> {
        r.validate()?;
        let mut tx = self.iam_begin().await?;
        need_account(tx.conn(), &r.account_id).await?;
        let q = sqlx::query(
            "INSERT INTO iam_roles (account_id, name_key, role_name, role_id, trust_policy, tags, \
             permissions_boundary, created) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)",
        )
        .bind(&r.account_id)
        .bind(name_key(&r.role_name))
        .bind(&r.role_name)
        .bind(&r.role_id)
        .bind(&r.trust_policy)
        .bind(tags_json(&r.tags)?)
        .bind(&r.permissions_boundary)
        .bind(r.created);
        insert(tx.conn(), q, IamEntity::Role, &r.role_name).await?;
        tx.commit().await
    }

    pub(crate) async fn iam_get_role(
        &self,
        account: &str,
        name: &str,
    ) -> Result<Option<IamRole>, IamError> {
        let sql =
            format!("SELECT {ROLE_COLS} FROM iam_roles WHERE account_id = $1 AND name_key = $2");
        let row = sqlx::query(&sql)
            .bind(account)
            .bind(name_key(name))
            .fetch_optional(&self.catalog)
            .await
            .map_err(db)?;
        row.map(|r| rows::role(&r)).transpose()
    }

    pub(crate) async fn iam_list_roles(&self, account: &str) -> Result<Vec<IamRole>, IamError> {
        let sql =
            format!("SELECT {ROLE_COLS} FROM iam_roles WHERE account_id = $1 ORDER BY name_key");
        let found = sqlx::query(&sql)
            .bind(account)
            .fetch_all(&self.catalog)
            .await
            .map_err(db)?;
        found.iter().map(rows::role).collect()
    }

    pub(crate) async fn iam_update_role(
        &self,
        account: &str,
        name: &str,
        change: &RoleChange,
    ) -> Result<IamRole, IamError> {
        let mut tx = self.iam_begin().await?;
        let sql = format!(
            "SELECT {ROLE_COLS} FROM iam_roles WHERE account_id = $1 AND name_key = $2 FOR UPDATE"
        );
        let row = sqlx::query(&sql)
            .bind(account)
            .bind(name_key(name))
            .fetch_optional(tx.conn())
            .await
            .map_err(db)?
            .ok_or_else(|| IamError::NotFound(IamEntity::Role, name.into()))?;
        let mut role = rows::role(&row)?;
        change.apply(&mut role)?;
        sqlx::query(
            "UPDATE iam_roles SET trust_policy = $3, tags = $4::jsonb, permissions_boundary = $5 \
             WHERE account_id = $1 AND name_key = $2",
        )
        .bind(account)
        .bind(name_key(name))
        .bind(&role.trust_policy)
        .bind(tags_json(&role.tags)?)
        .bind(&role.permissions_boundary)
        .execute(tx.conn())
        .await
        .map_err(db)?;
        tx.commit().await?;
        Ok(role)
    }

    pub(crate) async fn iam_create_session(&self, s: &RoleSession) -> Result<(), IamError> {
        validate_access_key_id(&s.access_key_id)?;
        s.validate()?;
        let mut tx = self.iam_begin().await?;
        let role_name: Option<String> = sqlx::query_scalar(
            "SELECT role_name FROM iam_roles WHERE account_id = $1 AND name_key = $2 FOR SHARE",
        )
        .bind(&s.account_id)
        .bind(name_key(&s.role_name))
        .fetch_optional(tx.conn())
        .await
        .map_err(db)?;
        let Some(role_name) = role_name else {
            return Err(IamError::NotFound(IamEntity::Role, s.role_name.clone()));
        };
        if key_id_taken(tx.conn(), &s.access_key_id).await? {
            return Err(IamError::AlreadyExists(
                IamEntity::AccessKey,
                s.access_key_id.clone(),
            ));
        }
        let q = sqlx::query(
            "INSERT INTO iam_role_sessions (access_key_id, account_id, role_key, role_name, \
             session_name, nonce, ciphertext, token_sha256, expires, session_tags, session_policy, \
             source_arn, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13)",
        )
        .bind(&s.access_key_id)
        .bind(&s.account_id)
        .bind(name_key(&role_name))
        .bind(&role_name)
        .bind(&s.session_name)
        .bind(&s.secret.nonce)
        .bind(&s.secret.ciphertext)
        .bind(&s.token_sha256)
        .bind(s.expires)
        .bind(tags_json(&s.session_tags)?)
        .bind(&s.session_policy)
        .bind(&s.source_arn)
        .bind(s.created);
        insert(tx.conn(), q, IamEntity::AccessKey, &s.access_key_id).await?;
        tx.commit().await
    }

    pub(crate) async fn iam_get_session(&self, id: &str) -> Result<Option<RoleSession>, IamError> {
        let sql = format!("SELECT {SESSION_COLS} FROM iam_role_sessions WHERE access_key_id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.catalog)
            .await
            .map_err(db)?;
        row.map(|r| rows::session(&r)).transpose()
    }

    pub(crate) async fn iam_put_policy(
        &self,
        account: &str,
        owner: PolicyOwner<'_>,
        policy: &InlinePolicy,
    ) -> Result<(), IamError> {
        policy.validate()?;
        let mut tx = self.iam_begin().await?;
        need_owner(tx.conn(), account, owner).await?;
        let (table, _) = policy_tables(owner.kind);
        let sql = format!(
            "INSERT INTO {table} (account_id, owner_key, policy_name, document) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (account_id, owner_key, policy_name) DO UPDATE SET document = EXCLUDED.document"
        );
        sqlx::query(&sql)
            .bind(account)
            .bind(name_key(owner.name))
            .bind(&policy.policy_name)
            .bind(&policy.document)
            .execute(tx.conn())
            .await
            .map_err(db)?;
        tx.commit().await
    }

    pub(crate) async fn iam_get_policy(
        &self,
        account: &str,
        owner: PolicyOwner<'_>,
        name: &str,
    ) -> Result<Option<InlinePolicy>, IamError> {
        let (table, _) = policy_tables(owner.kind);
        let sql = format!(
            "SELECT document FROM {table} WHERE account_id = $1 AND owner_key = $2 AND policy_name = $3"
        );
        let doc: Option<String> = sqlx::query_scalar(&sql)
            .bind(account)
            .bind(name_key(owner.name))
            .bind(name)
            .fetch_optional(&self.catalog)
            .await
            .map_err(db)?;
        Ok(doc.map(|document| InlinePolicy {
            policy_name: name.to_string(),
            document,
        }))
    }

    pub(crate) async fn iam_list_policies(
        &self,
        account: &str,
        owner: PolicyOwner<'_>,
    ) -> Result<Vec<InlinePolicy>, IamError> {
        let mut tx = self.catalog.begin().await.map_err(db)?;
        need_owner(&mut tx, account, owner).await?;
        let (table, _) = policy_tables(owner.kind);
        let sql = format!(
            "SELECT policy_name, document FROM {table} WHERE account_id = $1 AND owner_key = $2 ORDER BY policy_name"
        );
        let found: Vec<(String, String)> = sqlx::query_as(&sql)
            .bind(account)
            .bind(name_key(owner.name))
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(found
            .into_iter()
            .map(|(policy_name, document)| InlinePolicy {
                policy_name,
                document,
            })
            .collect())
    }

    pub(crate) async fn iam_delete_policy(
        &self,
        account: &str,
        owner: PolicyOwner<'_>,
        name: &str,
    ) -> Result<(), IamError> {
        let mut tx = self.iam_begin().await?;
        need_owner(tx.conn(), account, owner).await?;
        let (table, _) = policy_tables(owner.kind);
        let sql = format!(
            "DELETE FROM {table} WHERE account_id = $1 AND owner_key = $2 AND policy_name = $3"
        );
        let done = sqlx::query(&sql)
            .bind(account)
            .bind(name_key(owner.name))
            .bind(name)
            .execute(tx.conn())
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(IamError::NotFound(IamEntity::Policy, name.into()));
        }
        tx.commit().await
    }
}
