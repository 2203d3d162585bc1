//! The transaction every IAM change runs in: checks and writes, then the IAM version bump in
//! the same transaction, then commit and the in-process change count. Existence checks shared
//! by the IAM statements live here too.

use crate::iam_rows::{db, is_unique_violation};
use crate::PgStore;
use extenddb_core::model::iam::name_key;
use extenddb_core::traits::{IamEntity, IamError};
use sqlx::{PgConnection, Postgres, Transaction};
use std::sync::atomic::Ordering;

/// An open IAM write transaction.
pub(crate) struct IamTx<'s> {
    pub(crate) tx: Transaction<'static, Postgres>,
    store: &'s PgStore,
}

impl PgStore {
    /// Begins an IAM write transaction.
    pub(crate) async fn iam_begin(&self) -> Result<IamTx<'_>, IamError> {
        Ok(IamTx {
            tx: self.catalog.begin().await.map_err(db)?,
            store: self,
        })
    }
}

impl IamTx<'_> {
    /// The connection to run statements on.
    pub(crate) fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    /// Bumps the IAM version, commits, and counts the change.
    pub(crate) async fn commit(mut self) -> Result<(), IamError> {
        sqlx::query("UPDATE iam_version SET version = version + 1 WHERE id = 1")
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        self.tx.commit().await.map_err(db)?;
        self.store.iam_changes.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }
}

/// `NotFound(entity, name)` unless `table` holds (`account`, name key of `name`); the row is
/// locked against a concurrent delete until the transaction ends.
pub(crate) async fn need(
    conn: &mut PgConnection,
    table: &str,
    account: &str,
    name: &str,
    entity: IamEntity,
) -> Result<(), IamError> {
    let sql = format!("SELECT 1 FROM {table} WHERE account_id = $1 AND name_key = $2 FOR SHARE");
    let found = sqlx::query(&sql)
        .bind(account)
        .bind(name_key(name))
        .fetch_optional(conn)
        .await
        .map_err(db)?;
    match found {
        Some(_) => Ok(()),
        None => Err(IamError::NotFound(entity, name.to_string())),
    }
}

/// `NotFound(Account)` unless the account exists (locked as `need` does).
pub(crate) async fn need_account(conn: &mut PgConnection, account: &str) -> Result<(), IamError> {
    let found = sqlx::query("SELECT 1 FROM accounts WHERE account_id = $1 FOR SHARE")
        .bind(account)
        .fetch_optional(conn)
        .await
        .map_err(db)?;
    match found {
        Some(_) => Ok(()),
        None => Err(IamError::NotFound(IamEntity::Account, account.to_string())),
    }
}

/// Runs an INSERT; a unique violation is `AlreadyExists(entity, name)`.
pub(crate) async fn insert(
    conn: &mut PgConnection,
    q: sqlx::query::Query<'_, Postgres, sqlx::postgres::PgArguments>,
    entity: IamEntity,
    name: &str,
) -> Result<(), IamError> {
    match q.execute(conn).await {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(IamError::AlreadyExists(entity, name.to_string())),
        Err(e) => Err(db(e)),
    }
}

/// Whether an access key id is taken by a key or a session.
pub(crate) async fn key_id_taken(conn: &mut PgConnection, id: &str) -> Result<bool, IamError> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM iam_access_keys WHERE access_key_id = $1) \
         OR EXISTS (SELECT 1 FROM iam_role_sessions WHERE access_key_id = $1)",
    )
    .bind(id)
    .fetch_one(conn)
    .await
    .map_err(db)
}
