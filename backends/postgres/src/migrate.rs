//! The embedded migrations of migrations/catalog and migrations/data.

use crate::error::PgError;
use sqlx::PgPool;

static CATALOG: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/catalog");
static DATA: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/data");

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
