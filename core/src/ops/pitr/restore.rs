//! Rebuilding a table as it was at an instant from its point-in-time base and history:
//! copy the base (`ItemStore::copy_tables`), then for every item with history entries put
//! the newest entry at or before the instant over it (a tombstone deletes it), then write
//! the index entries of every restored item (LSIs and GSIs, directly). Streams through the
//! store a page at a time; nothing is held in memory beyond one page and one write batch.

use super::history::{apply, parse, NewestPerItem};
use super::pages::TablePages;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::{PitrState, TableDefinition};
use crate::ops::index::index_maintenance;
use crate::traits::{ItemKey, WriteOp};

/// Writes per store write.
const BATCH: usize = 500;

async fn flush(ctx: &Ctx, batch: &mut Vec<WriteOp>, at_least: usize) -> Result<(), ApiError> {
    if batch.len() >= at_least && !batch.is_empty() {
        ctx.store.write_unconditional(std::mem::take(batch)).await?;
    }
    Ok(())
}

/// Fills the empty table `target` (storage and index storage ids allocated, nothing in
/// them) with the items of the table whose PITR state is `pitr` as they were at `at_ms`
/// (milliseconds since the epoch; entries stamped at or before it count). Answers the
/// number of history entries applied.
pub async fn restore_items(
    ctx: &Ctx,
    pitr: &PitrState,
    at_ms: u64,
    target: &TableDefinition,
) -> Result<u64, ApiError> {
    ctx.store
        .copy_tables(&[(pitr.base_id, target.storage_id)])
        .await?;
    let mut batch = Vec::new();
    let mut applied = 0;
    let mut pages = TablePages::new(pitr.history_id);
    let mut walk = NewestPerItem::default();
    while let Some(page) = pages.next(ctx).await? {
        for (raw, value) in &page {
            let Some((item_key, t)) = parse(raw) else {
                continue;
            };
            if let Some((key, chosen)) = walk.see(item_key, t, value, at_ms) {
                batch.push(apply(target.storage_id, key, chosen));
                applied += 1;
            }
        }
        flush(ctx, &mut batch, BATCH).await?;
    }
    if let Some((key, chosen)) = walk.finish() {
        batch.push(apply(target.storage_id, key, chosen));
        applied += 1;
    }
    flush(ctx, &mut batch, 1).await?;
    write_index_entries(ctx, target).await?;
    Ok(applied)
}

/// Writes the index entries of every item of `target` (which has no entries yet).
async fn write_index_entries(ctx: &Ctx, target: &TableDefinition) -> Result<(), ApiError> {
    if target.indexes().next().is_none() {
        return Ok(());
    }
    let mut batch = Vec::new();
    let mut pages = TablePages::new(target.storage_id);
    let delays = index_maintenance::Delays {
        default_ms: 0,
        queue: &ctx.gsi_queue,
        clock: ctx.clock.as_ref(),
    };
    while let Some(page) = pages.next(ctx).await? {
        for (key, stored) in page {
            let item = stored.decode()?;
            let base = ItemKey {
                storage_id: target.storage_id,
                key,
            };
            // An item whose index key has the wrong type has no entry, as in a backfill.
            if let Ok(writes) =
                index_maintenance::writes_for_change(target, &delays, &base, None, Some(&item))
            {
                batch.extend(writes);
            }
        }
        flush(ctx, &mut batch, BATCH).await?;
    }
    flush(ctx, &mut batch, 1).await
}
