//! GSI status transitions UpdateTable starts, applied lazily whenever the table is looked up
//! (like the table's own, in `lifecycle`): UPDATING → ACTIVE, and DELETING → entries dropped and
//! the index gone, once `Ctx::control_plane_delay` has passed. CREATING → ACTIVE is the
//! backfill worker's (`gsi_backfill`).

use super::gsi_backfill;
use super::lifecycle::now_epoch;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::{IndexStatus, SecondaryIndex, TableDefinition};

fn due(since: f64, ctx: &Ctx) -> bool {
    now_epoch() >= since + ctx.control_plane_delay.as_secs_f64()
}

/// Drops a removed index's entries and its backfill record.
pub async fn drop_index_storage(ctx: &Ctx, index: &SecondaryIndex) -> Result<(), ApiError> {
    ctx.store.drop_table(index.storage_id).await?;
    gsi_backfill::forget(ctx, index.storage_id).await
}

/// Removes attribute definitions no key of the table or its remaining indexes uses (DynamoDB
/// prunes them once a deleted index is gone).
pub fn prune_attribute_definitions(def: &mut TableDefinition) {
    let used: Vec<String> = def
        .key_schema
        .attributes()
        .chain(def.indexes().flat_map(|(i, _)| i.key_attributes()))
        .map(|a| a.name.clone())
        .collect();
    def.attribute_definitions.retain(|a| used.contains(&a.name));
}

/// Removes the DELETING GSIs (all of them when `all`, else those whose delay passed) from
/// `def`, dropping their storage. Returns whether `def` changed.
pub async fn remove_deleted(
    ctx: &Ctx,
    def: &mut TableDefinition,
    all: bool,
) -> Result<bool, ApiError> {
    let (gone, kept): (Vec<SecondaryIndex>, Vec<SecondaryIndex>) =
        std::mem::take(&mut def.global_secondary_indexes)
            .into_iter()
            .partition(|i| i.status == IndexStatus::Deleting && (all || due(i.status_since, ctx)));
    def.global_secondary_indexes = kept;
    for index in &gone {
        drop_index_storage(ctx, index).await?;
    }
    if !gone.is_empty() {
        prune_attribute_definitions(def);
    }
    Ok(!gone.is_empty())
}

/// Applies the due GSI transitions to `def`; returns whether it changed (the caller stores it).
pub async fn settle(ctx: &Ctx, def: &mut TableDefinition) -> Result<bool, ApiError> {
    let mut changed = false;
    for index in &mut def.global_secondary_indexes {
        if index.status == IndexStatus::Updating && due(index.status_since, ctx) {
            index.status = IndexStatus::Active;
            index.status_since = now_epoch();
            changed = true;
        }
    }
    Ok(remove_deleted(ctx, def, false).await? || changed)
}
