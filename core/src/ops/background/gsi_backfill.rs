//! Filling a GSI that UpdateTable added from the table's existing items — the backfill — as
//! steps the server's background worker runs.
//!
//! A new GSI is CREATING with `backfilling = false` first (DynamoDB's resource allocation):
//! from the moment its definition is stored every write maintains it, and the worker waits
//! [`ALLOCATION`] (or the control-plane delay, if longer) so that requests which read the old
//! definition before it was stored have finished. Then `backfilling = true` and the worker
//! walks the table in key order, a page at a time. Each page is ONE store write that locks and
//! re-reads the page's items together with the progress record, and its decider emits the
//! index entries of the items as they are now: a concurrent write to one of those items either
//! committed before (the page sees its result) or waits for the page's lock and then maintains
//! the index itself — no entry lost, none stale. Items whose index key has the wrong type (or
//! is too long) are skipped, as DynamoDB skips them. The progress record (under
//! `SYSTEM_STORAGE_ID`, keyed by the index's storage id) holds the last key done and commits
//! with the page, so a restarted server resumes where the last committed page ended, and two
//! processes over one store cannot both apply a page (the decider refuses a record that moved).
//! After the last page the index becomes ACTIVE.

use crate::context::Ctx;
use crate::error::{ApiError, StoreError};
use crate::model::reserved::SYSTEM_STORAGE_ID;
use crate::model::table::{IndexStatus, SecondaryIndex, TableDefinition};
use crate::ops::index::index_keys;
use crate::traits::{ItemKey, KeyRange, StoredItem, WriteDecider, WriteOp};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The least time between storing a new GSI and starting to fill it.
pub const ALLOCATION: Duration = Duration::from_secs(1);

/// Items per backfill page (one store transaction).
pub const PAGE: usize = 100;

/// Tag of progress records inside `SYSTEM_STORAGE_ID`.
const TAG: &[u8] = crate::model::reserved::BACKFILL_TAG;

/// A progress record: the last table key whose entry is written, and whether all are.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
struct Progress {
    /// The last base key done, base64 (`None`: nothing yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    after: Option<String>,
    /// Every item is done.
    #[serde(default)]
    done: bool,
}

fn progress_key(index_storage_id: u64) -> ItemKey {
    let mut key = TAG.to_vec();
    key.extend_from_slice(&index_storage_id.to_be_bytes());
    ItemKey {
        storage_id: SYSTEM_STORAGE_ID,
        key,
    }
}

fn decode(stored: Option<&StoredItem>) -> Result<Progress, ApiError> {
    match stored {
        None => Ok(Progress::default()),
        Some(s) => serde_json::from_slice(s.as_bytes())
            .map_err(|e| StoreError::Corrupt(format!("GSI backfill record: {e}")).into()),
    }
}

fn encode(p: &Progress) -> StoredItem {
    StoredItem(Bytes::from(serde_json::to_vec(p).unwrap_or_default()))
}

/// Removes an index's progress record (the index was dropped).
pub async fn forget(ctx: &Ctx, index_storage_id: u64) -> Result<(), ApiError> {
    let key = progress_key(index_storage_id);
    let decide: WriteDecider = Box::new(move |_| Ok(vec![WriteOp::Delete { key }]));
    ctx.store
        .write(vec![progress_key(index_storage_id)], decide)
        .await?;
    Ok(())
}

/// What one page did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageOutcome {
    /// A page was written; more may follow.
    Progressed,
    /// Every item is indexed.
    Done,
    /// Another worker moved the progress record first; nothing written.
    Raced,
}

/// Writes the index entries of the next page of `def`'s items for `index`.
pub async fn backfill_page(
    ctx: &Ctx,
    def: &TableDefinition,
    index: &SecondaryIndex,
) -> Result<PageOutcome, ApiError> {
    let record_key = progress_key(index.storage_id);
    let record = ctx.store.get(&record_key).await?;
    let progress = decode(record.as_ref())?;
    if progress.done {
        return Ok(PageOutcome::Done);
    }
    let after = progress
        .after
        .as_deref()
        .map(|a| B64.decode(a))
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("GSI backfill key: {e}")))?;
    let range = KeyRange::table_after(after);
    let page = ctx
        .store
        .range(def.storage_id, &range, true, PAGE, usize::MAX)
        .await?;
    let keys: Vec<ItemKey> = page
        .items
        .iter()
        .map(|(key, _)| ItemKey {
            storage_id: def.storage_id,
            key: key.clone(),
        })
        .collect();
    let next = Progress {
        after: keys.last().map(|k| B64.encode(&k.key)).or(progress.after),
        done: !page.more,
    };
    let mut reads = vec![record_key.clone()];
    reads.extend(keys.iter().cloned());
    let (def, index) = (def.clone(), index.clone());
    let decide: WriteDecider = Box::new(move |current| {
        if current.first().and_then(|c| c.as_ref()) != record.as_ref() {
            return Err(ApiError::TransactionConflict("backfill raced".into()));
        }
        let mut writes = Vec::new();
        for (key, stored) in keys.iter().zip(current.iter().skip(1)) {
            let Some(stored) = stored else { continue };
            let item = stored.decode()?;
            // DynamoDB leaves out items whose index key has the wrong type or size.
            if let Ok(Some((entry_key, entry))) = index_keys::entry(&def, &index, &key.key, &item) {
                writes.push(WriteOp::Put {
                    key: ItemKey {
                        storage_id: index.storage_id,
                        key: entry_key,
                    },
                    item: StoredItem::encode(&entry),
                });
            }
        }
        writes.push(WriteOp::Put {
            key: record_key,
            item: encode(&next),
        });
        Ok(writes)
    });
    match ctx.store.write(reads, decide).await {
        Ok(_) if page.more => Ok(PageOutcome::Progressed),
        Ok(_) => Ok(PageOutcome::Done),
        Err(ApiError::TransactionConflict(_)) => Ok(PageOutcome::Raced),
        Err(e) => Err(e),
    }
}

/// Applies `change` to the index `storage_id` of the stored definition of `def`'s table, if
/// the table is still that incarnation and the index is still CREATING, through
/// `Catalog::update_table` (so a concurrent change of the table is kept).
async fn update_index(
    ctx: &Ctx,
    def: &TableDefinition,
    storage_id: u64,
    change: impl Fn(&mut SecondaryIndex) + Send + Sync,
) -> Result<(), ApiError> {
    let result = ctx
        .catalog
        .update_table(&def.account_id, &def.name, |fresh: &mut TableDefinition| {
            if fresh.storage_id != def.storage_id {
                return Ok(false);
            }
            let Some(index) = fresh
                .global_secondary_indexes
                .iter_mut()
                .find(|i| i.storage_id == storage_id && i.status == IndexStatus::Creating)
            else {
                return Ok(false);
            };
            change(index);
            Ok(true)
        })
        .await;
    match result {
        Ok(_) | Err(crate::traits::CatalogError::NotFound) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// One step for one CREATING index: end allocation when due, else fill a page, else mark the
/// index ACTIVE. Returns whether work was done.
pub async fn step_index(
    ctx: &Ctx,
    def: &TableDefinition,
    index: &SecondaryIndex,
) -> Result<bool, ApiError> {
    if !index.backfilling {
        let wait = ALLOCATION.max(ctx.control_plane_delay()).as_secs_f64();
        if ctx.now_epoch() < index.status_since + wait {
            return Ok(false);
        }
        update_index(ctx, def, index.storage_id, |i| i.backfilling = true).await?;
        return Ok(true);
    }
    match backfill_page(ctx, def, index).await? {
        PageOutcome::Progressed => Ok(true),
        PageOutcome::Raced => Ok(false),
        PageOutcome::Done => {
            let now = ctx.now_epoch();
            update_index(ctx, def, index.storage_id, |i| {
                i.status = IndexStatus::Active;
                i.status_since = now;
                i.backfilling = false;
            })
            .await?;
            Ok(true)
        }
    }
}

/// Runs one step for every CREATING GSI of every table; returns how many did work. The
/// server's worker calls this in a loop.
pub async fn run_step(ctx: &Ctx) -> Result<usize, ApiError> {
    let mut worked = 0;
    for def in ctx.catalog.all_tables().await? {
        // A restored table's items arrive in one copy; its GSIs are filled after it.
        if crate::ops::table::lifecycle::restoring(&def) {
            continue;
        }
        let creating: Vec<SecondaryIndex> = def
            .global_secondary_indexes
            .iter()
            .filter(|i| i.status == IndexStatus::Creating)
            .cloned()
            .collect();
        for index in creating {
            if step_index(ctx, &def, &index).await? {
                worked += 1;
            }
        }
    }
    Ok(worked)
}

#[cfg(test)]
#[path = "gsi_backfill_tests.rs"]
mod tests;
