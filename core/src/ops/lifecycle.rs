//! Table lifecycle: CREATING / UPDATING → ACTIVE and DELETING → gone after
//! `Ctx::control_plane_delay`, with the GSI transitions of `index_lifecycle`.
//!
//! Transitions are applied lazily whenever a table is looked up, from the times stored in the
//! catalog, so they survive restarts without a worker holding state in memory.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::{TableDefinition, TableStatus};
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the epoch, with sub-second precision (DynamoDB's timestamp form).
pub fn now_epoch() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn due(since: f64, ctx: &Ctx) -> bool {
    now_epoch() >= since + ctx.control_plane_delay.as_secs_f64()
}

/// Applies a due transition to `def`; `None` when the table is gone.
async fn settle(ctx: &Ctx, mut def: TableDefinition) -> Result<Option<TableDefinition>, ApiError> {
    if def.status == TableStatus::Deleting {
        if due(def.status_since, ctx) {
            finish_delete(ctx, &def).await?;
            return Ok(None);
        }
        return Ok(Some(def));
    }
    let mut changed = super::index_lifecycle::settle(ctx, &mut def).await?;
    if matches!(def.status, TableStatus::Creating | TableStatus::Updating)
        && due(def.status_since, ctx)
    {
        def.status = TableStatus::Active;
        def.status_since = now_epoch();
        changed = true;
    }
    if changed {
        match ctx.catalog.put_table(&def).await {
            Ok(()) => {}
            // Deleted meanwhile: the table is gone.
            Err(crate::traits::CatalogError::NotFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Some(def))
}

/// Drops a deleted table's items, then its definition.
pub async fn finish_delete(ctx: &Ctx, def: &TableDefinition) -> Result<(), ApiError> {
    ctx.store.drop_table(def.storage_id).await?;
    for (index, _) in def.indexes() {
        super::index_lifecycle::drop_index_storage(ctx, index).await?;
    }
    match ctx.catalog.delete_table(&def.account_id, &def.name).await {
        Ok(()) | Err(crate::traits::CatalogError::NotFound) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The table as the control plane sees it (any status), or `None` if it does not exist.
/// Names the table in the request's tracing span (declared by the server at debug level with
/// an empty `table` field; a no-op elsewhere, and skipped when debug logging is off).
pub async fn find(ctx: &Ctx, name: &str) -> Result<Option<TableDefinition>, ApiError> {
    if tracing::level_enabled!(tracing::Level::DEBUG) {
        tracing::Span::current().record("table", name);
    }
    match ctx.catalog.get_table(&ctx.account_id, name).await? {
        Some(def) => settle(ctx, def).await,
        None => Ok(None),
    }
}

/// The table for a data-plane request: it must exist and be ACTIVE or UPDATING, else
/// ResourceNotFoundException as DynamoDB answers.
pub async fn for_data(ctx: &Ctx, name: &str) -> Result<TableDefinition, ApiError> {
    match find(ctx, name).await? {
        Some(def) if matches!(def.status, TableStatus::Active | TableStatus::Updating) => Ok(def),
        _ => Err(ApiError::ResourceNotFound(
            "Requested resource not found".to_string(),
        )),
    }
}
