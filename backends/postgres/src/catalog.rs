//! `Catalog` for `PgStore`: table definitions as JSON documents, the storage-id sequence and
//! runtime settings, in the catalog database.
//!
//! `get_table` is served from the process's `TableCache` when it can be; every table write
//! sends `NOTIFY extenddb_tables` and bumps the catalog-wide `tables_version` in its own
//! statement's transaction (so only when it commits) and then drops the entry locally, so this
//! process reads its own writes at once and other processes within the notification latency,
//! or the version check's bound when a notification is lost (see table_cache.rs).
//!
//! Every stored document carries a `version` member (absent = 0) that each write of the table
//! bumps; `update_table` writes only where the version is still the one it read, so a change
//! computed from an older definition is re-applied to the newer one instead of undoing it.

use crate::error::store_err;
use crate::table_cache::{payload, Lookup, CHANNEL};
use crate::PgStore;
use async_trait::async_trait;
use extenddb_core::error::StoreError;
use extenddb_core::model::table::TableDefinition;
use extenddb_core::model::tags::{Tag, TagChange, TagChangeRefused};
use extenddb_core::traits::{Catalog, CatalogError};
use std::sync::Arc;

fn to_json(def: &TableDefinition) -> Result<String, CatalogError> {
    serde_json::to_string(def).map_err(|e| StoreError::Corrupt(e.to_string()).into())
}

fn from_json(text: &str) -> Result<TableDefinition, CatalogError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()).into())
}

fn err(e: sqlx::Error) -> CatalogError {
    CatalogError::Store(store_err(e))
}

/// The stored version of the row's definition (documents from before versions are 0).
const VERSION: &str = "COALESCE((definition->>'version')::bigint, 0)";

/// A CTE that bumps the catalog-wide tables version (table_cache.rs) when the CTE `w` before
/// it wrote a row; part of every table write's statement, so it commits with the write.
const BUMP: &str =
    "v AS (INSERT INTO catalog_meta (key, value) SELECT 'tables_version', '1' FROM w \
     ON CONFLICT (key) DO UPDATE SET value = (catalog_meta.value::bigint + 1)::text)";

/// `$3` as the new definition with the row's stored tags and version `{new_version}`.
fn replaced(new_version: &str) -> String {
    format!(
        "jsonb_set(jsonb_set($3::jsonb, '{{tags}}', COALESCE(definition->'tags', '[]'::jsonb)), \
         '{{version}}', to_jsonb({new_version}))"
    )
}

#[async_trait]
impl Catalog for PgStore {
    async fn create_table(&self, def: &TableDefinition) -> Result<(), CatalogError> {
        let done = sqlx::query(&format!(
            "WITH w AS (INSERT INTO tables (account_id, name, definition) \
             VALUES ($1, $2, $3::jsonb) ON CONFLICT (account_id, name) DO NOTHING RETURNING 1), \
             {BUMP} SELECT pg_notify($4, $5) FROM w"
        ))
        .bind(&def.account_id)
        .bind(&def.name)
        .bind(to_json(def)?)
        .bind(CHANNEL)
        .bind(payload(&def.account_id, &def.name))
        .execute(&self.catalog)
        .await
        .map_err(err)?;
        self.tables.invalidate(&def.account_id, &def.name);
        if done.rows_affected() == 0 {
            return Err(CatalogError::AlreadyExists);
        }
        Ok(())
    }

    async fn get_table(
        &self,
        account_id: &str,
        name: &str,
    ) -> Result<Option<Arc<TableDefinition>>, CatalogError> {
        let generation = match self.tables.lookup(account_id, name) {
            Lookup::Hit(def) => return Ok(def),
            Lookup::Miss(generation) => generation,
        };
        let text: Option<String> = sqlx::query_scalar(
            "SELECT definition::text FROM tables WHERE account_id = $1 AND name = $2",
        )
        .bind(account_id)
        .bind(name)
        .fetch_optional(&self.catalog)
        .await
        .map_err(err)?;
        let def = text.as_deref().map(from_json).transpose()?.map(Arc::new);
        self.tables.store(generation, account_id, name, def.clone());
        Ok(def)
    }

    /// Keeps the stored tags: the row's own `tags` member replaces the one in `def`, read
    /// under the UPDATE's row lock, so a concurrent `update_tags` is never undone.
    async fn put_table(&self, def: &TableDefinition) -> Result<(), CatalogError> {
        let done = sqlx::query(&format!(
            "WITH w AS (UPDATE tables SET definition = {} \
             WHERE account_id = $1 AND name = $2 RETURNING 1), {BUMP} \
             SELECT pg_notify($4, $5) FROM w",
            replaced(&format!("{VERSION} + 1"))
        ))
        .bind(&def.account_id)
        .bind(&def.name)
        .bind(to_json(def)?)
        .bind(CHANNEL)
        .bind(payload(&def.account_id, &def.name))
        .execute(&self.catalog)
        .await
        .map_err(err)?;
        self.tables.invalidate(&def.account_id, &def.name);
        if done.rows_affected() == 0 {
            return Err(CatalogError::NotFound);
        }
        Ok(())
    }

    async fn get_table_versioned(
        &self,
        account_id: &str,
        name: &str,
    ) -> Result<Option<(TableDefinition, u64)>, CatalogError> {
        let row: Option<(String, i64)> = sqlx::query_as(&format!(
            "SELECT definition::text, {VERSION} FROM tables WHERE account_id = $1 AND name = $2"
        ))
        .bind(account_id)
        .bind(name)
        .fetch_optional(&self.catalog)
        .await
        .map_err(err)?;
        row.map(|(text, version)| Ok((from_json(&text)?, u64::try_from(version).unwrap_or(0))))
            .transpose()
    }

    /// Stores `def` as version `version + 1` where the stored version is still `version`.
    async fn replace_table_if(
        &self,
        def: &TableDefinition,
        version: u64,
    ) -> Result<bool, CatalogError> {
        let done = sqlx::query(&format!(
            "WITH w AS (UPDATE tables SET definition = {} \
             WHERE account_id = $1 AND name = $2 AND {VERSION} = $6 RETURNING 1), {BUMP} \
             SELECT pg_notify($4, $5) FROM w",
            replaced("$6::bigint + 1")
        ))
        .bind(&def.account_id)
        .bind(&def.name)
        .bind(to_json(def)?)
        .bind(CHANNEL)
        .bind(payload(&def.account_id, &def.name))
        .bind(i64::try_from(version).unwrap_or(i64::MAX))
        .execute(&self.catalog)
        .await
        .map_err(err)?;
        self.tables.invalidate(&def.account_id, &def.name);
        Ok(done.rows_affected() > 0)
    }

    async fn update_tags(
        &self,
        account_id: &str,
        name: &str,
        change: &TagChange,
    ) -> Result<Vec<Tag>, CatalogError> {
        let mut tx = self.catalog.begin().await.map_err(err)?;
        // The row lock serialises tag changes of one table across processes.
        let text: Option<String> = sqlx::query_scalar(
            "SELECT definition::text FROM tables WHERE account_id = $1 AND name = $2 FOR UPDATE",
        )
        .bind(account_id)
        .bind(name)
        .fetch_optional(&mut *tx)
        .await
        .map_err(err)?;
        let Some(def) = text.as_deref().map(from_json).transpose()? else {
            return Err(CatalogError::NotFound);
        };
        if def.table_id != change.table_id {
            return Err(CatalogError::NotFound);
        }
        let tags = change.apply(&def.tags).map_err(|e| match e {
            TagChangeRefused::TooMany => CatalogError::TooManyTags,
        })?;
        let json = serde_json::to_string(&tags).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(&format!(
            "WITH w AS (UPDATE tables SET definition = jsonb_set(jsonb_set(definition, '{{tags}}', \
             $3::jsonb), '{{version}}', to_jsonb({VERSION} + 1)) \
             WHERE account_id = $1 AND name = $2 RETURNING 1), {BUMP} \
             SELECT pg_notify($4, $5) FROM w"
        ))
        .bind(account_id)
        .bind(name)
        .bind(json)
        .bind(CHANNEL)
        .bind(payload(account_id, name))
        .execute(&mut *tx)
        .await
        .map_err(err)?;
        tx.commit().await.map_err(err)?;
        self.tables.invalidate(account_id, name);
        Ok(tags)
    }

    async fn delete_table(&self, account_id: &str, name: &str) -> Result<(), CatalogError> {
        let done = sqlx::query(&format!(
            "WITH w AS (DELETE FROM tables WHERE account_id = $1 AND name = $2 RETURNING 1), \
             {BUMP} SELECT pg_notify($3, $4) FROM w"
        ))
        .bind(account_id)
        .bind(name)
        .bind(CHANNEL)
        .bind(payload(account_id, name))
        .execute(&self.catalog)
        .await
        .map_err(err)?;
        self.tables.invalidate(account_id, name);
        if done.rows_affected() == 0 {
            return Err(CatalogError::NotFound);
        }
        Ok(())
    }

    async fn list_tables(
        &self,
        account_id: &str,
        start_after: Option<String>,
        limit: usize,
    ) -> Result<Vec<String>, CatalogError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        sqlx::query_scalar(
            "SELECT name FROM tables WHERE account_id = $1 AND ($2::text IS NULL OR name > $2) \
             ORDER BY name LIMIT $3",
        )
        .bind(account_id)
        .bind(start_after)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.catalog)
        .await
        .map_err(err)
    }

    async fn all_tables(&self) -> Result<Vec<TableDefinition>, CatalogError> {
        let texts: Vec<String> =
            sqlx::query_scalar("SELECT definition::text FROM tables ORDER BY account_id, name")
                .fetch_all(&self.catalog)
                .await
                .map_err(err)?;
        texts.iter().map(|t| from_json(t)).collect()
    }

    async fn next_storage_id(&self) -> Result<u64, CatalogError> {
        let id: i64 = sqlx::query_scalar("SELECT nextval('storage_ids')")
            .fetch_one(&self.catalog)
            .await
            .map_err(err)?;
        u64::try_from(id)
            .map_err(|_| StoreError::Corrupt(format!("negative storage id {id}")).into())
    }

    async fn get_setting(&self, key: &str) -> Result<Option<String>, CatalogError> {
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.catalog)
            .await
            .map_err(err)
    }

    async fn put_setting(&self, key: &str, value: &str) -> Result<(), CatalogError> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.catalog)
        .await
        .map_err(err)?;
        Ok(())
    }
}
