//! Table lifecycle: CREATING / UPDATING → ACTIVE and DELETING → gone after the
//! `control_plane_delay_seconds` setting, with the GSI transitions of `index_lifecycle`.
//!
//! Status transitions are applied lazily whenever a table is looked up, from the times stored
//! in the catalog, so they survive restarts without a worker holding state in memory. A table
//! whose DELETING delay has passed is treated as gone at once; dropping its items and its
//! definition is the table reaper's work (`background::table_reaper`), never a request's.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::{TableDefinition, TableStatus};

pub use crate::ops::table::transition::due;

/// Applies the due status transitions to `def`; `None` when the table is gone (DELETING and
/// due). Stores a changed definition.
async fn settle(ctx: &Ctx, mut def: TableDefinition) -> Result<Option<TableDefinition>, ApiError> {
    let now = ctx.now_epoch();
    if def.status == TableStatus::Deleting {
        return Ok((!due(ctx, def.status_since, now)).then_some(def));
    }
    let mut changed = super::index_lifecycle::settle(ctx, &mut def, now);
    if matches!(def.status, TableStatus::Creating | TableStatus::Updating)
        && due(ctx, def.status_since, now)
    {
        def.status = TableStatus::Active;
        def.status_since = now;
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

/// The table as the control plane sees it (any status), or `None` if it does not exist.
/// Names the table in the request's tracing span (declared by the server at debug level with
/// an empty `table` field; a no-op elsewhere, and skipped when debug logging is off).
pub async fn find(ctx: &Ctx, name: &str) -> Result<Option<TableDefinition>, ApiError> {
    if tracing::level_enabled!(tracing::Level::DEBUG) {
        tracing::Span::current().record("table", name);
    }
    match ctx.catalog.get_table(ctx.account_id(), name).await? {
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
