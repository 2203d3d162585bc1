//! The embedded migrations of migrations/catalog and migrations/data: applying them, and
//! listing the ones a deployment has not applied yet (`serve` and `verify` refuse or report).

use crate::error::PgError;
use crate::PgStore;
use sqlx::migrate::Migrator;
use sqlx::PgPool;
use std::collections::HashSet;

static CATALOG: Migrator = sqlx::migrate!("../../migrations/catalog");
static DATA: Migrator = sqlx::migrate!("../../migrations/data");

/// Applies the catalog migrations not yet applied (idempotent).
pub async fn migrate_catalog(pool: &PgPool) -> Result<(), PgError> {
    CATALOG
        .run(pool)
        .await
        .map_err(|e| PgError::Migration(format!("catalog database: {e}")))
}

/// Applies the data migrations not yet applied (idempotent).
pub async fn migrate_data(pool: &PgPool) -> Result<(), PgError> {
    DATA.run(pool)
        .await
        .map_err(|e| PgError::Migration(format!("data database: {e}")))
}

/// The migrations this build carries that `store`'s databases have not applied, as
/// `catalog 0001 catalog` / `data 0002 write functions`, in order (catalog first). Empty
/// when the deployment is current. A database without sqlx's bookkeeping table has applied
/// none.
pub async fn pending_migrations(store: &PgStore) -> Result<Vec<String>, PgError> {
    let mut out = pending(&CATALOG, store.catalog_pool(), "catalog").await?;
    out.extend(pending(&DATA, store.data_pool(), "data").await?);
    Ok(out)
}

async fn pending(migrator: &Migrator, pool: &PgPool, db: &str) -> Result<Vec<String>, PgError> {
    let present: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(pool)
        .await
        .map_err(PgError::from_query)?;
    let applied: HashSet<i64> = if present {
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(pool)
            .await
            .map_err(PgError::from_query)?
            .into_iter()
            .collect()
    } else {
        HashSet::new()
    };
    Ok(migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration() && !applied.contains(&m.version))
        .map(|m| format!("{db} {:04} {}", m.version, m.description))
        .collect())
}
