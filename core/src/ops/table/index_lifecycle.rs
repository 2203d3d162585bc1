//! GSI status transitions UpdateTable starts: UPDATING → ACTIVE is applied lazily whenever the
//! table is looked up (like the table's own, in `lifecycle`); DELETING → entries dropped and
//! the index gone, once the control-plane delay has passed, is the table reaper's
//! (`background::table_reaper`). CREATING → ACTIVE is the backfill worker's (`gsi_backfill`).

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::{IndexStatus, TableDefinition};
use crate::ops::background::gsi_backfill;
use crate::traits::CatalogError;

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

/// Takes the DELETING GSIs `storage_ids` out of the table's stored definition: queues their
/// storage for the table reaper first (so a crash in between orphans nothing), then removes
/// them — those still stored DELETING under these ids — and prunes unused attribute
/// definitions through `Catalog::update_table`, so a concurrent change is kept. Used by the
/// reaper when their delay has passed and by UpdateTable when transitions are immediate.
/// Answers whether the definition changed (false also when the table is gone).
pub async fn retire(
    ctx: &Ctx,
    def: &TableDefinition,
    storage_ids: &[u64],
) -> Result<bool, ApiError> {
    if storage_ids.is_empty() {
        return Ok(false);
    }
    crate::ops::table::drops::queue_drops(ctx, storage_ids).await?;
    let mut changed = false;
    let result = ctx
        .catalog
        .update_table(
            &def.account_id,
            &def.name,
            |stored: &mut TableDefinition| {
                let before = stored.global_secondary_indexes.len();
                stored.global_secondary_indexes.retain(|i| {
                    !(i.status == IndexStatus::Deleting && storage_ids.contains(&i.storage_id))
                });
                changed = stored.global_secondary_indexes.len() != before;
                if changed {
                    prune_attribute_definitions(stored);
                }
                Ok(changed)
            },
        )
        .await;
    match result {
        Ok(_) => Ok(changed),
        Err(CatalogError::NotFound) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The storage ids of `def`'s DELETING GSIs.
pub fn deleting(def: &TableDefinition) -> Vec<u64> {
    def.global_secondary_indexes
        .iter()
        .filter(|i| i.status == IndexStatus::Deleting)
        .map(|i| i.storage_id)
        .collect()
}

/// Whether `settle` would change `def` as of `now`.
pub fn any_due(ctx: &Ctx, def: &TableDefinition, now: f64) -> bool {
    def.global_secondary_indexes.iter().any(|i| {
        i.status == IndexStatus::Updating
            && crate::ops::table::transition::due(ctx, i.status_since, now)
    })
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
