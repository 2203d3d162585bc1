//! The table reaper: the control plane's deletions, carried out in the background.
//!
//! - A table whose DELETING delay has passed leaves the catalog (`retire`): its storage ids
//!   (table and indexes) are queued for dropping in the store, under `DROP_TAG` records in
//!   the system storage id, and its definition is deleted — in that order, so a crash between
//!   the two leaves a queued drop and a definition to retire again, never orphaned items.
//! - A GSI whose DELETING delay has passed leaves its table's definition the same way.
//! - Queued storage ids are then dropped (`ItemStore::drop_table`, as long as the data takes)
//!   and their records removed.
//!
//! Requests never drop items: a table past its DELETING delay is treated as gone at once
//! (`table::lifecycle`), and CreateTable retires such a table itself before reusing its name
//! (two small writes; the items still go in the background).

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::key_encoding::prefix_successor;
use crate::model::reserved::{DROP_TAG, SYSTEM_STORAGE_ID};
use crate::model::table::{IndexStatus, TableDefinition, TableStatus};
use crate::ops::background::{pitr_trim, restores};
use crate::ops::table::drops::{drop_key, queue_drops};
use crate::ops::table::{index_lifecycle, lifecycle};
use crate::traits::{CatalogError, KeyRange, WriteDecider, WriteOp};
use std::ops::Bound;

/// Queued drops handled per step.
const DROPS_PER_STEP: usize = 16;

/// Takes a deleted table out of the catalog: records its point-in-time recovery state when it
/// has one (`pitr::deleted`), queues its storage (table, every index, every stream log, the
/// expiry index) for dropping, then deletes its definition.
pub async fn retire(ctx: &Ctx, def: &TableDefinition) -> Result<(), ApiError> {
    // Its point-in-time base and history (never in the drops below) stay restorable.
    if def.pitr.is_some() {
        crate::ops::pitr::deleted::remember(ctx, def).await?;
    }
    let mut ids = vec![def.storage_id];
    ids.extend(def.indexes().map(|(i, _)| i.storage_id));
    ids.extend(def.all_streams().map(|(s, _)| s.log_id));
    ids.extend(def.ttl.index.iter().map(|i| i.storage_id));
    queue_drops(ctx, &ids).await?;
    match ctx.catalog.delete_table(&def.account_id, &def.name).await {
        Ok(()) | Err(CatalogError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    ctx.metrics.forget_table(def.storage_id);
    Ok(())
}

/// Takes the GSIs whose DELETING delay has passed out of `def`'s definition, queueing their
/// storage for dropping. Answers whether any went.
async fn retire_indexes(ctx: &Ctx, def: &TableDefinition, now: f64) -> Result<bool, ApiError> {
    let due: Vec<u64> = def
        .global_secondary_indexes
        .iter()
        .filter(|i| i.status == IndexStatus::Deleting && lifecycle::due(ctx, i.status_since, now))
        .map(|i| i.storage_id)
        .collect();
    index_lifecycle::retire(ctx, def, &due).await
}

/// Drops up to `DROPS_PER_STEP` queued storage ids; answers how many.
async fn drop_queued(ctx: &Ctx) -> Result<usize, ApiError> {
    let range = KeyRange {
        prefix: DROP_TAG.to_vec(),
        lower: Bound::Included(DROP_TAG.to_vec()),
        upper: prefix_successor(DROP_TAG).map_or(Bound::Unbounded, Bound::Excluded),
    };
    let page = ctx
        .store
        .range(SYSTEM_STORAGE_ID, &range, true, DROPS_PER_STEP, usize::MAX)
        .await?;
    let mut dropped = 0;
    for (key, _) in page.items {
        let Some(id) = key
            .get(DROP_TAG.len()..)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(u64::from_be_bytes)
        else {
            continue;
        };
        ctx.store.drop_table(id).await?;
        index_lifecycle::forget_backfill(ctx, id).await?;
        let record = drop_key(id);
        let decide: WriteDecider = Box::new(move |_| Ok(vec![WriteOp::Delete { key: record }]));
        ctx.store.write(vec![drop_key(id)], decide).await?;
        dropped += 1;
    }
    Ok(dropped)
}

/// One round: removes backups a crash cut short and carries out pending restores
/// (`restores`), retires due DELETING tables and GSIs, folds point-in-time history past its
/// window (`pitr_trim`), then drops queued storage. Answers how much it did (0: nothing to
/// do).
pub async fn run_step(ctx: &Ctx) -> Result<usize, ApiError> {
    let now = ctx.now_epoch();
    let mut done = pitr_trim::expire_deleted(ctx, now).await?;
    done += restores::sweep_backups(ctx).await?;
    for def in ctx.catalog.all_tables().await? {
        // A restore that fails (the store unavailable, say) keeps this process's claim and is
        // tried again once the claim runs out; the round goes on with the other tables.
        match restores::resume(ctx, &def).await {
            Ok(true) => {
                done += 1;
                continue;
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(table = %def.name, error = %e, "restore step failed"),
        }
        if pitr_trim::take_base(ctx, &def, now).await?
            || pitr_trim::trim_table(ctx, &def, now).await?
        {
            done += 1;
        }
        if def.status == TableStatus::Deleting {
            if lifecycle::due(ctx, def.status_since, now) {
                retire(ctx, &def).await?;
                done += 1;
            }
        } else if retire_indexes(ctx, &def, now).await? {
            done += 1;
        }
    }
    Ok(done + drop_queued(ctx).await?)
}

#[cfg(test)]
#[path = "table_reaper_tests.rs"]
mod tests;
