//! Time to Live expiry: deleting the items whose TTL attribute has passed, as steps the
//! server's TTL sweeper runs.
//!
//! An item is expired when its table has TTL enabled and the item's TTL attribute is a Number
//! of epoch seconds earlier than now but not more than five years earlier (DynamoDB ignores
//! other types and older values). Expired items are read like any other until deleted.
//!
//! A sweep round walks every TTL-enabled table in key order, a page at a time (a paged scan:
//! there is no index by expiry yet). For each page with expired items it runs ONE store write
//! that locks and re-reads those items and deletes only the ones still expired, with the index
//! writes of an ordinary delete (`change::ChangeWriter`, marked as the service's own): an update that moved
//! an item's expiry meanwhile wins, and GSIs, LSIs and table statistics stay right. The table's
//! definition is re-read before each page, so a page never uses an index set older than one
//! page and a table whose TTL was disabled (or that was dropped) stops being swept at once.
//!
//! The server runs a round (a [`Round`], stepped page by page) every [`round_interval`]: half the `ttl_deletion_target_seconds`
//! runtime setting, at most 60 seconds, so that an item is deleted within the target as long
//! as a round takes less than the other half.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::attribute_value::AttributeValue;
use crate::model::table::{TableDefinition, TableStatus};
use crate::model::Item;
use crate::ops::change::ChangeWriter;
use crate::traits::{ItemKey, KeyRange, StoredItem, WriteDecider, WriteOp};
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
const MAX_AGE_SECONDS: f64 = 5.0 * 365.0 * 86_400.0;

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

/// Whether a table is swept: TTL enabled and the table serving writes.
fn swept(def: &TableDefinition) -> bool {
    def.time_to_live_attribute.is_some()
        && matches!(def.status, TableStatus::Active | TableStatus::Updating)
}

/// One sweep round: every table that had TTL enabled when the round started, each from its
/// first key to its last, one page per [`Round::step`] (the caller yields between steps, so a
/// long table never holds a worker thread).
#[derive(Debug, Default)]
pub struct Round {
    /// Tables still to sweep, as (account, name, storage id), the current one last.
    pending: Vec<(String, String, u64)>,
    /// The last key swept in the current table (`None`: start from its first key).
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

    /// Sweeps the next page at time `now`: `Some(deleted)`, or `None` once the round is done.
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

/// Sweeps the page of `def`'s items after key `after` (from the start when `None`); returns
/// how many it deleted and the key to continue after (`None`: the table is done).
pub async fn sweep_page(
    ctx: &Ctx,
    def: &TableDefinition,
    after: Option<Vec<u8>>,
    now: f64,
) -> Result<(usize, Option<Vec<u8>>), ApiError> {
    let Some(attribute) = def.time_to_live_attribute.clone() else {
        return Ok((0, None));
    };
    let range = KeyRange::table_after(after);
    let page = ctx
        .store
        .range(def.storage_id, &range, true, PAGE, usize::MAX)
        .await?;
    let next = match page.items.last() {
        Some((last, _)) if page.more => Some(last.clone()),
        _ => None,
    };
    let mut expired = Vec::new();
    for (key, stored) in &page.items {
        // An item that does not decode is reported by reads; here it simply never expires.
        if stored
            .decode()
            .is_ok_and(|item| is_expired(&item, &attribute, now))
        {
            expired.push(ItemKey {
                storage_id: def.storage_id,
                key: key.clone(),
            });
        }
    }
    if expired.is_empty() {
        return Ok((0, next));
    }
    let changes = ChangeWriter::for_table(ctx, def).by_service();
    let decide = delete_if_expired(changes, expired.clone(), attribute, now);
    let outcome = ctx.store.write(expired, decide).await?;
    let deleted = outcome
        .writes
        .iter()
        .filter(|w| matches!(w, WriteOp::Delete { key } if key.storage_id == def.storage_id))
        .count();
    Ok((deleted, next))
}

/// The decider of a sweep write: of `keys` (read in that order), deletes the items still
/// expired, with their index entries.
fn delete_if_expired(
    changes: ChangeWriter,
    keys: Vec<ItemKey>,
    attribute: String,
    now: f64,
) -> WriteDecider {
    Box::new(move |current: &[Option<StoredItem>]| {
        let mut writes = Vec::new();
        for (key, stored) in keys.into_iter().zip(current) {
            let Some(old) = stored.as_ref().and_then(|s| s.decode().ok()) else {
                continue;
            };
            if !is_expired(&old, &attribute, now) {
                continue;
            }
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
