//! GSI status transitions UpdateTable starts: UPDATING → ACTIVE is applied lazily whenever the
//! table is looked up (like the table's own, in `lifecycle`); DELETING → entries dropped and
//! the index gone, once the control-plane delay has passed, is the table reaper's
//! (`background::table_reaper`). CREATING → ACTIVE is the backfill worker's (`gsi_backfill`).

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::{IndexStatus, SecondaryIndex, TableDefinition};
use crate::ops::background::gsi_backfill;

/// Forgets the backfill record of a dropped index (nothing when it had none).
pub async fn forget_backfill(ctx: &Ctx, index_storage_id: u64) -> Result<(), ApiError> {
    gsi_backfill::forget(ctx, index_storage_id).await
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

/// Removes every DELETING GSI from `def` at once (UpdateTable when transitions are immediate),
/// queueing their storage for the table reaper. Returns whether `def` changed.
pub async fn remove_deleted(ctx: &Ctx, def: &mut TableDefinition) -> Result<bool, ApiError> {
    let (gone, kept): (Vec<SecondaryIndex>, Vec<SecondaryIndex>) =
        std::mem::take(&mut def.global_secondary_indexes)
            .into_iter()
            .partition(|i| i.status == IndexStatus::Deleting);
    def.global_secondary_indexes = kept;
    if gone.is_empty() {
        return Ok(false);
    }
    let ids: Vec<u64> = gone.iter().map(|i| i.storage_id).collect();
    crate::ops::table::drops::queue_drops(ctx, &ids).await?;
    prune_attribute_definitions(def);
    Ok(true)
}

/// Applies the due GSI status transitions to `def` as of `now`; returns whether it changed
/// (the caller stores it).
pub fn settle(ctx: &Ctx, def: &mut TableDefinition, now: f64) -> bool {
    let mut changed = false;
    for index in &mut def.global_secondary_indexes {
        if index.status == IndexStatus::Updating
            && crate::ops::table::transition::due(ctx, index.status_since, now)
        {
            index.status = IndexStatus::Active;
            index.status_since = now;
            changed = true;
        }
    }
    changed
}
