//! Keeping secondary indexes in step with the table: the one function every operation that
//! writes items calls, inside its write transaction.
//!
//! Write paths reach it through `ops::change::ChangeWriter`, which adds the stream record: inside
//! the `WriteDecider`, once the old item is known and the new one decided, the writes of
//! `writes_for_change(&def, &delays, &base_key, old, new)?` join the item's. The writes are
//! LSI entries (always synchronous), GSI entries (synchronous when the GSI's delay is 0) and
//! queue records for the GSIs maintained asynchronously (`ops::gsi_propagation`), so an index
//! change commits or aborts with the item change it belongs to.

use crate::clock::Clock;
use crate::error::ApiError;
use crate::model::table::TableDefinition;
use crate::model::Item;
use crate::ops::background::gsi_queue::GsiQueue;
use crate::ops::index::index_keys;
use crate::traits::{ItemKey, StoredItem, WriteOp};
use std::collections::BTreeMap;

/// The runtime setting holding the system-wide GSI propagation delay in milliseconds.
pub use crate::settings::GSI_PROPAGATION_DELAY_MS as GSI_DELAY_SETTING;

/// Checks `item` against every maintained index's key types (DynamoDB refuses the write).
pub fn check_item(def: &TableDefinition, item: &Item) -> Result<(), ApiError> {
    for (index, _) in def.indexes().filter(|(i, _)| i.maintained()) {
        index_keys::key_values(index, item)?;
    }
    Ok(())
}

/// How the GSI writes that wait are queued: the system-wide delay (`gsi_propagation_delay_ms`;
/// an index's own `propagation_delay_ms` overrides it), and the services' queue and clock that
/// key the records.
#[derive(Clone, Copy)]
pub struct Delays<'a> {
    /// The system-wide delay in milliseconds.
    pub default_ms: u64,
    /// The queue that keys the records and wakes the propagation worker.
    pub queue: &'a GsiQueue,
    /// The clock the due times are read from.
    pub clock: &'a dyn Clock,
}

/// The index writes for one item changing from `old` to `new` (`None` = absent): for each
/// maintained index, delete the old entry if its key changed or it left the index, put the new
/// entry if the item is in the index. LSIs and GSIs whose delay is 0 get the writes directly;
/// the other GSIs' writes go into one queue record per delay (`delays`).
/// Fails, writing nothing, when `new` has an index key of the wrong type.
pub fn writes_for_change(
    def: &TableDefinition,
    delays: &Delays<'_>,
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
            index.propagation_delay_ms.unwrap_or(delays.default_ms)
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
        direct.push(delays.queue.record(delays.clock, delay, &ops));
    }
    Ok(direct)
}

#[cfg(test)]
#[path = "index_maintenance_tests.rs"]
mod tests;
