//! `IamStore` on PostgreSQL: the bodies of the user and access-key methods and the helpers
//! shared by the trait impl in `iam`.

use crate::iam_rows::{self as rows, db, tags_json, KEY_COLS, USER_COLS};
use crate::iam_tx::{insert, key_id_taken, need, need_account};
use crate::PgStore;
use extenddb_core::model::iam::{
    name_key, validate_access_key_id, AccessKey, Account, AdminUser, IamUser, UserChange,
};
use extenddb_core::traits::{IamEntity, IamError, IamStore};
use sqlx::Row;

impl PgStore {
    pub(crate) async fn iam_create_user(&self, user: &IamUser) -> Result<(), IamError> {
        user.validate()?;
        let mut tx = self.iam_begin().await?;
        need_account(tx.conn(), &user.account_id).await?;
        let q = sqlx::query(
            "INSERT INTO iam_users (account_id, name_key, user_name, user_id, password_hash, tags, \
             permissions_boundary, created) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)",
        )
        .bind(&user.account_id)
        .bind(name_key(&user.user_name))
        .bind(&user.user_name)
        .bind(&user.user_id)
        .bind(&user.password_hash)
        .bind(tags_json(&user.tags)?)
        .bind(&user.permissions_boundary)
        .bind(user.created);
        insert(tx.conn(), q, IamEntity::User, &user.user_name).await?;
        tx.commit().await
    }

    pub(crate) async fn iam_update_user(
        &self,
        account_id: &str,
        user_name: &str,
        change: &UserChange,
    ) -> Result<IamUser, IamError> {
        let mut tx = self.iam_begin().await?;
        let sql = format!(
            "SELECT {USER_COLS} FROM iam_users WHERE account_id = $1 AND name_key = $2 FOR UPDATE"
        );
        let row = sqlx::query(&sql)
            .bind(account_id)
            .bind(name_key(user_name))
            .fetch_optional(tx.conn())
            .await
            .map_err(db)?
            .ok_or_else(|| IamError::NotFound(IamEntity::User, user_name.into()))?;
        let mut user = rows::user(&row)?;
        change.apply(&mut user)?;
        sqlx::query(
            "UPDATE iam_users SET password_hash = $3, tags = $4::jsonb, permissions_boundary = $5 \
             WHERE account_id = $1 AND name_key = $2",
        )
        .bind(account_id)
        .bind(name_key(user_name))
        .bind(&user.password_hash)
        .bind(tags_json(&user.tags)?)
        .bind(&user.permissions_boundary)
        .execute(tx.conn())
        .await
        .map_err(db)?;
        tx.commit().await?;
        Ok(user)
    }

    pub(crate) async fn iam_create_access_key(&self, key: &AccessKey) -> Result<(), IamError> {
        validate_access_key_id(&key.access_key_id)?;
        let mut tx = self.iam_begin().await?;
        let stored_name: Option<String> = sqlx::query_scalar(
            "SELECT user_name FROM iam_users WHERE account_id = $1 AND name_key = $2 FOR SHARE",
        )
        .bind(&key.account_id)
        .bind(name_key(&key.user_name))
        .fetch_optional(tx.conn())
        .await
        .map_err(db)?;
        let Some(stored_name) = stored_name else {
            return Err(IamError::NotFound(IamEntity::User, key.user_name.clone()));
        };
        if key_id_taken(tx.conn(), &key.access_key_id).await? {
            return Err(IamError::AlreadyExists(
                IamEntity::AccessKey,
                key.access_key_id.clone(),
            ));
        }
        let q = sqlx::query(
            "INSERT INTO iam_access_keys (access_key_id, account_id, user_key, user_name, nonce, \
             ciphertext, status, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&key.access_key_id)
        .bind(&key.account_id)
        .bind(name_key(&stored_name))
        .bind(&stored_name)
        .bind(&key.secret.nonce)
        .bind(&key.secret.ciphertext)
        .bind(key.status.as_str())
        .bind(key.created);
        insert(tx.conn(), q, IamEntity::AccessKey, &key.access_key_id).await?;
        tx.commit().await
    }

    pub(crate) async fn iam_list_access_keys(
        &self,
        account_id: &str,
        user_name: &str,
    ) -> Result<Vec<AccessKey>, IamError> {
        if self.get_user(account_id, user_name).await?.is_none() {
            return Err(IamError::NotFound(IamEntity::User, user_name.into()));
        }
        let sql = format!(
            "SELECT {KEY_COLS} FROM iam_access_keys WHERE account_id = $1 AND user_key = $2 \
             ORDER BY created, access_key_id COLLATE \"C\""
        );
        let found = sqlx::query(&sql)
            .bind(account_id)
            .bind(name_key(user_name))
            .fetch_all(&self.catalog)
            .await
            .map_err(db)?;
        found.iter().map(rows::access_key).collect()
    }
}

pub(crate) fn account(r: &sqlx::postgres::PgRow) -> Result<Account, IamError> {
    Ok(Account {
        account_id: r.try_get(0).map_err(db)?,
        name: r.try_get(1).map_err(db)?,
        created: r.try_get(2).map_err(db)?,
    })
}

pub(crate) fn admin(r: &sqlx::postgres::PgRow) -> Result<AdminUser, IamError> {
    Ok(AdminUser {
        name: r.try_get(0).map_err(db)?,
        password_hash: r.try_get(1).map_err(db)?,
        created: r.try_get(2).map_err(db)?,
    })
}

impl PgStore {
    /// Runs an UPDATE or DELETE of one admin (`$1` name, `$2` the value, if any).
    pub(crate) async fn admin_change(
        &self,
        sql: &str,
        name: &str,
        value: Option<&str>,
    ) -> Result<(), IamError> {
        let mut tx = self.iam_begin().await?;
        let mut q = sqlx::query(sql).bind(name);
        if let Some(v) = value {
            q = q.bind(v);
        }
        if q.execute(tx.conn()).await.map_err(db)?.rows_affected() == 0 {
            return Err(IamError::NotFound(IamEntity::Admin, name.into()));
        }
        tx.commit().await
    }

    /// Runs an UPDATE or DELETE of a user's key (`$1` id, `$2` account, `$3` user key, `$4`
    /// the value, if any); `NotFound` when the key is not the user's.
    pub(crate) async fn key_change(
        &self,
        sql: &str,
        account_id: &str,
        user_name: &str,
        access_key_id: &str,
        value: Option<&str>,
    ) -> Result<(), IamError> {
        let mut tx = self.iam_begin().await?;
        need(
            tx.conn(),
            "iam_users",
            account_id,
            user_name,
            IamEntity::User,
        )
        .await?;
        let mut q = sqlx::query(sql)
            .bind(access_key_id)
            .bind(account_id)
            .bind(name_key(user_name));
        if let Some(v) = value {
            q = q.bind(v);
        }
        if q.execute(tx.conn()).await.map_err(db)?.rows_affected() == 0 {
            return Err(IamError::NotFound(
                IamEntity::AccessKey,
                access_key_id.into(),
            ));
        }
        tx.commit().await
    }

    /// Deletes a user, group or role by name; the schema cascades the rest.
    pub(crate) async fn delete_named(
        &self,
        table: &str,
        entity: IamEntity,
        account_id: &str,
        name: &str,
    ) -> Result<(), IamError> {
        let mut tx = self.iam_begin().await?;
        let sql = format!("DELETE FROM {table} WHERE account_id = $1 AND name_key = $2");
        let done = sqlx::query(&sql)
            .bind(account_id)
            .bind(name_key(name))
            .execute(tx.conn())
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(IamError::NotFound(entity, name.into()));
        }
        tx.commit().await
    }
}
