//! Time to Live expiry: deleting the items whose TTL attribute has passed, as steps the
//! server's TTL sweeper runs.
//!
//! An item is expired when its table has TTL enabled and the item's TTL attribute is a Number
//! of epoch seconds earlier than now but not more than five years earlier (DynamoDB ignores
//! other types and older values). Expired items are read like any other until deleted.
//!
//! Expired items are found through the table's expiry index (`index::ttl_index`), not by
//! scanning: a sweep round reads, per TTL-enabled table, the index entries from five years
//! ago up to now, a page at a time — the cost is one index read per page plus the deletes, no
//! matter how many unexpired items the table holds. For each page it runs ONE store write that
//! locks and re-reads those items and deletes only the ones still expired, with the writes of
//! an ordinary delete (`change::ChangeWriter`, marked as the service's own: GSI/LSI entries,
//! the expiry entry, the stream record naming the service): an update that moved an item's
//! expiry meanwhile wins. An entry whose item is gone or now expires at another time is
//! removed (it cannot normally exist: entries change in the item's own transaction). The
//! table's definition is re-read before each page, so a table whose TTL was disabled (or that
//! was dropped) stops being swept at once. While an index is new its backfill
//! (`ttl_backfill`) runs first, a page per step, giving the older items their entries — from
//! the first round that starts a second (or the control-plane delay) after the index was
//! stored, as a new GSI waits for the writes that did not know it.
//!
//! The server runs a round (a [`Round`], stepped page by page) every [`round_interval`]: half the `ttl_deletion_target_seconds`
//! runtime setting, at most 60 seconds, so that an item is deleted within the target as long
//! as a round takes less than the other half.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::attribute_value::AttributeValue;
use crate::model::table::{TableDefinition, TableStatus};
use crate::model::Item;
use crate::ops::background::ttl_backfill;
use crate::ops::change::ChangeWriter;
use crate::ops::index::ttl_index;
use crate::traits::{ItemKey, KeyRange, StoredItem, WriteDecider, WriteOp};
use std::ops::Bound;
use std::sync::Arc;
use std::time::Duration;

/// Items read per page (and the most deleted by one store write).
pub const PAGE: usize = 100;

/// The runtime setting naming the target time between an item's expiry and its deletion.
pub use crate::settings::TTL_DELETION_TARGET_SECONDS as TARGET_SETTING;

/// `ttl_deletion_target_seconds` when unset.
pub const DEFAULT_TARGET_SECONDS: u64 = 300;

/// The longest pause between sweep rounds (DynamoDB-like cadence of the guide: every 60 s).
pub const MAX_INTERVAL: Duration = Duration::from_secs(60);

/// DynamoDB ignores expiry times more than five years in the past.
pub const MAX_AGE_SECONDS: f64 = 5.0 * 365.0 * 86_400.0;

/// The expiry of `item` under TTL attribute `attribute`, if it holds a Number.
pub fn expiry(item: &Item, attribute: &str) -> Option<f64> {
    match item.get(attribute) {
        Some(AttributeValue::N(n)) => n.as_str().parse::<f64>().ok(),
        _ => None,
    }
}

/// Whether `item` is expired at `now` (epoch seconds) under TTL attribute `attribute`.
pub fn is_expired(item: &Item, attribute: &str, now: f64) -> bool {
    expiry(item, attribute).is_some_and(|at| at < now && at >= now - MAX_AGE_SECONDS)
}

/// The pause between sweep rounds for a `ttl_deletion_target_seconds` of `target_seconds`:
/// half the target, at most [`MAX_INTERVAL`].
pub fn round_interval(target_seconds: u64) -> Duration {
    (Duration::from_secs(target_seconds) / 2).min(MAX_INTERVAL)
}

/// `ttl_deletion_target_seconds` in force (the live runtime setting).
pub fn target_seconds(ctx: &Ctx) -> u64 {
    ctx.settings.ttl_deletion_target_seconds().max(1)
}

/// Whether a table is swept: TTL enabled and the table serving writes. (A table whose TTL was
/// enabled before expiry indexes existed gets its index from the round: `ttl_backfill`.)
fn swept(def: &TableDefinition) -> bool {
    def.time_to_live_attribute.is_some()
        && matches!(def.status, TableStatus::Active | TableStatus::Updating)
}

/// One sweep round: every table that had TTL enabled when the round started, each through
/// its expiry index, one page per [`Round::step`] (the caller yields between steps, so a long
/// table never holds a worker thread).
#[derive(Debug, Default)]
pub struct Round {
    /// Tables still to sweep, as (account, name, storage id), the current one last.
    pending: Vec<(String, String, u64)>,
    /// The last index entry swept in the current table (`None`: from the oldest expiry).
    after: Option<Vec<u8>>,
}

impl Round {
    /// A round over the tables that have TTL enabled now.
    pub async fn start(ctx: &Ctx) -> Result<Round, ApiError> {
        let mut pending: Vec<(String, String, u64)> = ctx
            .catalog
            .all_tables()
            .await?
            .into_iter()
            .filter(swept)
            .map(|d| (d.account_id, d.name, d.storage_id))
            .collect();
        pending.reverse();
        Ok(Round {
            pending,
            after: None,
        })
    }

    /// Sweeps (or backfills) the next page at time `now`: `Some(deleted)`, or `None` once the
    /// round is done.
    pub async fn step(&mut self, ctx: &Ctx, now: f64) -> Result<Option<usize>, ApiError> {
        let Some((account, name, storage_id)) = self.pending.last().cloned() else {
            return Ok(None);
        };
        // The definition as it is now: indexes added, TTL disabled, table dropped.
        let def = match ctx.catalog.get_table(&account, &name).await? {
            Some(d) if d.storage_id == storage_id && swept(&d) => d,
            _ => {
                self.next_table();
                return Ok(Some(0));
            }
        };
        match &def.ttl.index {
            Some(i) if i.backfilled => {}
            Some(i) if ttl_backfill::ready(ctx, i) => {
                ttl_backfill::step(ctx, &def).await?;
                return Ok(Some(0));
            }
            // No index yet (one is given now), or a new one waiting for the writes that did
            // not know it: the next round fills it.
            _ => {
                ttl_backfill::step(ctx, &def).await?;
                self.next_table();
                return Ok(Some(0));
            }
        }
        let (deleted, next) = sweep_page(ctx, &def, self.after.take(), now).await?;
        match next {
            Some(key) => self.after = Some(key),
            None => self.next_table(),
        }
        Ok(Some(deleted))
    }

    /// Gives up on the current table for this round (after a failed step), so one table that
    /// cannot be swept does not hold up the others.
    pub fn skip_table(&mut self) {
        self.next_table();
    }

    fn next_table(&mut self) {
        self.pending.pop();
        self.after = None;
    }
}

/// The index range of items that may be expired at `now`: expiries from five years ago up
/// to `now` (whole seconds; the decider checks the exact times), after `after`.
fn expired_range(now: f64, after: Option<Vec<u8>>) -> KeyRange {
    let oldest = (now - MAX_AGE_SECONDS).max(0.0).floor() as u64;
    let newest = now.max(0.0).floor() as u64;
    KeyRange {
        prefix: Vec::new(),
        lower: match after {
            Some(k) => Bound::Excluded(k),
            None => Bound::Included(ttl_index::from_expiry(oldest)),
        },
        upper: Bound::Excluded(ttl_index::from_expiry(newest.saturating_add(1))),
    }
}

/// Sweeps the page of `def`'s expiry-index entries after `after` (from the oldest relevant
/// expiry when `None`); returns how many items it deleted and the entry to continue after
/// (`None`: the table is done).
pub async fn sweep_page(
    ctx: &Ctx,
    def: &Arc<TableDefinition>,
    after: Option<Vec<u8>>,
    now: f64,
) -> Result<(usize, Option<Vec<u8>>), ApiError> {
    let (Some(attribute), Some(index)) = (def.time_to_live_attribute.clone(), &def.ttl.index)
    else {
        return Ok((0, None));
    };
    let page = ctx
        .store
        .range(
            index.storage_id,
            &expired_range(now, after),
            true,
            PAGE,
            usize::MAX,
        )
        .await?;
    let next = match page.items.last() {
        Some((last, _)) if page.more => Some(last.clone()),
        _ => None,
    };
    let mut entries = Vec::with_capacity(page.items.len());
    for (entry, _) in &page.items {
        if let Some((expiry, item)) = ttl_index::parse_entry(entry) {
            entries.push((
                expiry,
                ItemKey {
                    storage_id: def.storage_id,
                    key: item.to_vec(),
                },
            ));
        }
    }
    if entries.is_empty() {
        return Ok((0, next));
    }
    let keys: Vec<ItemKey> = entries.iter().map(|(_, k)| k.clone()).collect();
    let changes = ChangeWriter::for_table(ctx, def).by_service();
    let decide = delete_if_expired(changes, entries, index.storage_id, attribute, now);
    let outcome = ctx.store.write(keys, decide).await?;
    let deleted = outcome
        .writes
        .iter()
        .filter(|w| matches!(w, WriteOp::Delete { key } if key.storage_id == def.storage_id))
        .count();
    Ok((deleted, next))
}

/// The decider of a sweep write: of the items `entries` name (read in that order), deletes
/// those still expired, with everything an ordinary delete writes; removes entries whose item
/// is gone or expires at another time.
fn delete_if_expired(
    changes: ChangeWriter,
    entries: Vec<(u64, ItemKey)>,
    index_id: u64,
    attribute: String,
    now: f64,
) -> WriteDecider {
    Box::new(move |current: &[Option<StoredItem>]| {
        let mut writes = Vec::new();
        for ((expiry, key), stored) in entries.into_iter().zip(current) {
            let old = stored.as_ref().and_then(|s| s.decode().ok());
            let stale = old
                .as_ref()
                .and_then(|i| ttl_index::entry_expiry(i, &attribute))
                != Some(expiry);
            if stale {
                writes.push(WriteOp::Delete {
                    key: ItemKey {
                        storage_id: index_id,
                        key: ttl_index::entry_key(expiry, &key.key),
                    },
                });
                continue;
            }
            let Some(old) = old.filter(|i| is_expired(i, &attribute, now)) else {
                continue;
            };
            let follow_ups = changes.writes(&key, Some(&old), None)?;
            writes.push(WriteOp::Delete { key });
            writes.extend(follow_ups);
        }
        Ok(writes)
    })
}

#[cfg(test)]
#[path = "ttl_sweep_tests.rs"]
mod tests;
