//! Keeping secondary indexes in step with the table: the one function every operation that
//! writes items calls, inside its write transaction.
//!
//! Usage (PutItem, DeleteItem, UpdateItem; BatchWriteItem and TransactWriteItems likewise):
//! before the write, `let delay = gsi_delay_ms(ctx, &def).await?;` then, inside the
//! `WriteDecider`, once the old item is known and the new one decided, append
//! `writes_for_change(&def, delay, &base_key, old, new)?` to the writes returned. The writes are
//! LSI entries (always synchronous), GSI entries (synchronous when the GSI's delay is 0) and
//! queue records for the GSIs maintained asynchronously (`ops::gsi_propagation`), so an index
//! change commits or aborts with the item change it belongs to.

use super::gsi_propagation;
use super::index_keys;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::TableDefinition;
use crate::model::Item;
use crate::traits::{ItemKey, StoredItem, WriteOp};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The runtime setting holding the system-wide GSI propagation delay in milliseconds.
pub const GSI_DELAY_SETTING: &str = "gsi_propagation_delay_ms";

/// The delay when the setting is absent (the guide's default).
pub const DEFAULT_GSI_DELAY_MS: u64 = 10;

/// How long a read of the setting is reused, so a write does not cost a catalog read.
const SETTING_TTL: Duration = Duration::from_secs(1);

/// Cached setting per catalog (keyed by the catalog's address: tests run several catalogs).
static SETTING_CACHE: Mutex<Vec<(usize, Instant, u64)>> = Mutex::new(Vec::new());

/// The system-wide GSI propagation delay (`gsi_propagation_delay_ms`), read from the catalog at
/// most once a second. Tables without GSIs never read it.
pub async fn gsi_delay_ms(ctx: &Ctx, def: &TableDefinition) -> Result<u64, ApiError> {
    if def.global_secondary_indexes.is_empty() {
        return Ok(0);
    }
    let id = std::sync::Arc::as_ptr(&ctx.catalog) as *const () as usize;
    if let Ok(cache) = SETTING_CACHE.lock() {
        if let Some((_, at, v)) = cache.iter().find(|(c, _, _)| *c == id) {
            if at.elapsed() < SETTING_TTL {
                return Ok(*v);
            }
        }
    }
    let value = match ctx.catalog.get_setting(GSI_DELAY_SETTING).await? {
        Some(text) => text.trim().parse::<u64>().unwrap_or(DEFAULT_GSI_DELAY_MS),
        None => DEFAULT_GSI_DELAY_MS,
    };
    if let Ok(mut cache) = SETTING_CACHE.lock() {
        cache.retain(|(c, _, _)| *c != id);
        cache.push((id, Instant::now(), value));
    }
    Ok(value)
}

/// Forgets cached settings (after `put_setting`, so the new value applies at once).
pub fn forget_cached_settings() {
    if let Ok(mut cache) = SETTING_CACHE.lock() {
        cache.clear();
    }
}

/// A table with secondary indexes and its GSI propagation delay in ms, as a multi-item write
/// carries it into its decider for each item it changes.
pub type IndexedTable = std::sync::Arc<(TableDefinition, u64)>;

/// The table with its GSI delay when it has secondary indexes to keep, else `None` (a
/// multi-item write then skips index maintenance for its items).
pub async fn indexed_table(
    ctx: &Ctx,
    def: &TableDefinition,
) -> Result<Option<IndexedTable>, ApiError> {
    if def.indexes().next().is_none() {
        return Ok(None);
    }
    let delay = gsi_delay_ms(ctx, def).await?;
    Ok(Some(std::sync::Arc::new((def.clone(), delay))))
}

/// Checks `item` against every maintained index's key types (DynamoDB refuses the write).
pub fn check_item(def: &TableDefinition, item: &Item) -> Result<(), ApiError> {
    for (index, _) in def.indexes().filter(|(i, _)| i.maintained()) {
        index_keys::key_values(index, item)?;
    }
    Ok(())
}

/// The index writes for one item changing from `old` to `new` (`None` = absent): for each
/// maintained index, delete the old entry if its key changed or it left the index, put the new
/// entry if the item is in the index. LSIs and GSIs whose delay is 0 get the writes directly;
/// the other GSIs' writes go into one queue record per delay. `gsi_delay_ms` is the
/// system-wide delay (`gsi_delay_ms`); an index's own `propagation_delay_ms` overrides it.
/// Fails, writing nothing, when `new` has an index key of the wrong type.
pub fn writes_for_change(
    def: &TableDefinition,
    gsi_delay_ms: u64,
    base_key: &ItemKey,
    old: Option<&Item>,
    new: Option<&Item>,
) -> Result<Vec<WriteOp>, ApiError> {
    let mut direct = Vec::new();
    let mut queued: BTreeMap<u64, Vec<WriteOp>> = BTreeMap::new();
    for (index, global) in def.indexes().filter(|(i, _)| i.maintained()) {
        let new_entry = match new {
            Some(item) => index_keys::entry(def, index, &base_key.key, item)?,
            None => None,
        };
        // The old item was accepted when written; a type it no longer satisfies (cannot happen
        // for a stored entry) simply means it had no entry.
        let old_key = old
            .and_then(|item| index_keys::key_values(index, item).ok().flatten())
            .map(|values| index_keys::entry_key(index, &values, &base_key.key));
        let mut ops = Vec::new();
        if let Some(k) = old_key.filter(|k| new_entry.as_ref().is_none_or(|(n, _)| n != k)) {
            ops.push(WriteOp::Delete {
                key: ItemKey {
                    storage_id: index.storage_id,
                    key: k,
                },
            });
        }
        if let Some((k, item)) = new_entry {
            ops.push(WriteOp::Put {
                key: ItemKey {
                    storage_id: index.storage_id,
                    key: k,
                },
                item: StoredItem::encode(&item),
            });
        }
        let delay = if global {
            index.propagation_delay_ms.unwrap_or(gsi_delay_ms)
        } else {
            0
        };
        if delay == 0 {
            direct.extend(ops);
        } else if !ops.is_empty() {
            queued.entry(delay).or_default().extend(ops);
        }
    }
    for (delay, ops) in queued {
        direct.push(gsi_propagation::queue_record(delay, &ops));
    }
    Ok(direct)
}

#[cfg(test)]
#[path = "index_maintenance_tests.rs"]
mod tests;
