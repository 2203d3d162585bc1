//! The backfill of a new expiry index (`index::ttl_index`): items written before TTL was
//! enabled get their entries, a page per step, in key order. Each page is one store write
//! that locks the page's items and writes the entry of each as it is *then* — so it
//! serializes with concurrent writers, which keep entries themselves from the moment the
//! index exists; an entry a write moved meanwhile is not brought back. Progress is kept in the
//! table's definition (`TtlIndex::backfill_after`), so a restart resumes where it stopped.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::{TableDefinition, TtlIndex};
use crate::ops::background::gsi_backfill::ALLOCATION;
use crate::ops::index::ttl_index;
use crate::traits::{CatalogError, ItemKey, KeyRange, StoredItem, WriteDecider, WriteOp};

/// Items read per backfill page.
pub const PAGE: usize = 500;

/// Whether `index` may be backfilled now: `gsi_backfill::ALLOCATION` (or the control-plane
/// delay, if longer) after it was stored, as for a new GSI, so that every write still using
/// the definition without it has finished — later writes keep their items' entries themselves.
pub fn ready(ctx: &Ctx, index: &TtlIndex) -> bool {
    let wait = ALLOCATION.max(ctx.control_plane_delay()).as_secs_f64();
    ctx.now_epoch() >= index.since + wait
}

/// Backfills the next page of `def`'s expiry index; answers how many entries it wrote. A
/// table with TTL enabled but no index (enabled before expiry indexes existed) is given one.
pub async fn step(ctx: &Ctx, def: &TableDefinition) -> Result<usize, ApiError> {
    if def.ttl.index.is_none() {
        give_index(ctx, def).await?;
        return Ok(0);
    }
    let Some(index) = def.ttl.index.clone().filter(|i| !i.backfilled) else {
        return Ok(0);
    };
    if !ready(ctx, &index) {
        return Ok(0);
    }
    let page = ctx
        .store
        .range(
            def.storage_id,
            &KeyRange::table_after(index.backfill_after.clone()),
            true,
            PAGE,
            usize::MAX,
        )
        .await?;
    let keys: Vec<ItemKey> = page
        .items
        .iter()
        .map(|(k, _)| ItemKey {
            storage_id: def.storage_id,
            key: k.clone(),
        })
        .collect();
    let mut written = 0;
    if !keys.is_empty() {
        let (attribute, index_id, locked) =
            (index.attribute.clone(), index.storage_id, keys.clone());
        let decide: WriteDecider = Box::new(move |current: &[Option<StoredItem>]| {
            let mut writes = Vec::new();
            for (key, stored) in locked.iter().zip(current) {
                let Some(item) = stored.as_ref().and_then(|s| s.decode().ok()) else {
                    continue;
                };
                if let Some(exp) = ttl_index::entry_expiry(&item, &attribute) {
                    writes.push(WriteOp::Put {
                        key: ItemKey {
                            storage_id: index_id,
                            key: ttl_index::entry_key(exp, &key.key),
                        },
                        item: ttl_index::entry_value(),
                    });
                }
            }
            Ok(writes)
        });
        written = ctx.store.write(keys, decide).await?.writes.len();
    }
    let done = !page.more;
    let after = page.items.last().map(|(k, _)| k.clone());
    // Record progress on the definition as it is now (compare-and-swap, so a concurrent
    // change of the table is kept), if it is still this index's.
    let result = ctx
        .catalog
        .update_table(
            &def.account_id,
            &def.name,
            |current: &mut TableDefinition| {
                let table_id = current.table_id.clone();
                match current.ttl.index.as_mut() {
                    Some(i) if i.storage_id == index.storage_id && table_id == def.table_id => {
                        i.backfilled = done;
                        if after.is_some() {
                            i.backfill_after = after.clone();
                        }
                        Ok(true)
                    }
                    _ => Ok(false),
                }
            },
        )
        .await;
    match result {
        Ok(_) | Err(CatalogError::NotFound) => Ok(written),
        Err(e) => Err(e.into()),
    }
}

/// Gives `def` (TTL enabled, no expiry index) a new, empty index to backfill, on its
/// definition as it is now.
async fn give_index(ctx: &Ctx, def: &TableDefinition) -> Result<(), ApiError> {
    // Allocated outside the compare-and-swap (the change is synchronous); an unused id is
    // harmless.
    let storage_id = ctx.catalog.next_storage_id().await?;
    let since = ctx.now_epoch();
    let result = ctx
        .catalog
        .update_table(
            &def.account_id,
            &def.name,
            |current: &mut TableDefinition| {
                let Some(attribute) = current.time_to_live_attribute.clone() else {
                    return Ok(false);
                };
                if current.table_id != def.table_id || current.ttl.index.is_some() {
                    return Ok(false);
                }
                current.ttl.index = Some(TtlIndex {
                    storage_id,
                    attribute,
                    backfilled: false,
                    backfill_after: None,
                    since,
                });
                Ok(true)
            },
        )
        .await;
    match result {
        Ok(_) | Err(CatalogError::NotFound) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
