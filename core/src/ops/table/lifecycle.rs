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
use std::sync::Arc;

pub use crate::ops::table::transition::due;

/// Whether the table's items are still being restored (it stays CREATING until they are).
pub fn restoring(def: &TableDefinition) -> bool {
    def.restore.as_ref().is_some_and(|r| r.in_progress)
}

/// Whether `apply_due` would change `def` (checked on every lookup, so without a copy).
fn any_due(ctx: &Ctx, def: &TableDefinition, now: f64) -> bool {
    def.status != TableStatus::Deleting
        && ((matches!(def.status, TableStatus::Creating | TableStatus::Updating)
            && due(ctx, def.status_since, now)
            && !restoring(def))
            || super::index_lifecycle::any_due(ctx, def, now))
}

/// Applies the due status transitions (table and GSIs, not DELETING) to `def` as of `now`;
/// answers whether it changed.
fn apply_due(ctx: &Ctx, def: &mut TableDefinition, now: f64) -> bool {
    if def.status == TableStatus::Deleting {
        return false;
    }
    let mut changed = super::index_lifecycle::settle(ctx, def, now);
    if matches!(def.status, TableStatus::Creating | TableStatus::Updating)
        && due(ctx, def.status_since, now)
        && !restoring(def)
    {
        def.status = TableStatus::Active;
        def.status_since = now;
        changed = true;
    }
    changed
}

/// Stores the due transitions of the table `account`/`name` as of `now`: the definition as
/// stored then, or `None` when it was deleted meanwhile.
async fn store_due(
    ctx: &Ctx,
    account: &str,
    name: &str,
    now: f64,
) -> Result<Option<TableDefinition>, ApiError> {
    let stored = ctx
        .catalog
        .update_table(account, name, |stored: &mut TableDefinition| {
            Ok(apply_due(ctx, stored, now))
        })
        .await;
    match stored {
        Ok(stored) => Ok(Some(stored)),
        // Deleted meanwhile: the table is gone.
        Err(crate::traits::CatalogError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The table as the control plane sees it (any status), or `None` if it does not exist.
/// Names the table in the request's tracing span (declared by the server at debug level with
/// an empty `table` field; a no-op elsewhere, and skipped when debug logging is off).
pub async fn find(ctx: &Ctx, name: &str) -> Result<Option<Arc<TableDefinition>>, ApiError> {
    if tracing::level_enabled!(tracing::Level::DEBUG) {
        tracing::Span::current().record("table", name);
    }
    let Some(def) = ctx.catalog.get_table(ctx.account_id(), name).await? else {
        return Ok(None);
    };
    // Due status transitions are applied here. A due transition is stored through
    // `Catalog::update_table`, re-applied to the stored definition, so it never undoes a
    // concurrent change (an UpdateTable, another process's transition); the answer is the
    // definition as stored then. That store update is rare and boxed: a table definition is
    // several hundred bytes, and every future level holding one is copied into place on each
    // request, so the lookup's own future stays small.
    let now = ctx.now_epoch();
    let def = if any_due(ctx, &def, now) {
        match Box::pin(store_due(ctx, &def.account_id, &def.name, now)).await? {
            Some(stored) => Arc::new(stored),
            None => return Ok(None),
        }
    } else {
        def
    };
    if def.status == TableStatus::Deleting && due(ctx, def.status_since, now) {
        // DELETING and due: gone (the reaper drops it).
        return Ok(None);
    }
    Ok(Some(def))
}

/// The table for a data-plane request: it must exist and be ACTIVE or UPDATING, else
/// ResourceNotFoundException as DynamoDB answers.
pub async fn for_data(ctx: &Ctx, name: &str) -> Result<Arc<TableDefinition>, ApiError> {
    match find(ctx, name).await? {
        Some(def) if matches!(def.status, TableStatus::Active | TableStatus::Updating) => Ok(def),
        _ => Err(ApiError::ResourceNotFound(
            "Requested resource not found".to_string(),
        )),
    }
}
