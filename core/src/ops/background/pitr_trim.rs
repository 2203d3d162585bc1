//! Point-in-time recovery upkeep (run by the table reaper's worker):
//!
//! - the base copy of a table whose PITR was just enabled (`take_base`), taken once as long
//!   has passed as the GSI backfill waits (`gsi_backfill::ALLOCATION`, or the control-plane
//!   delay if longer), so every request that read the definition without PITR has finished:
//!   every change committed after the copy has a history entry, and the instant after the
//!   copy is the earliest restorable time;
//! - a table's history entries older than its recovery period are folded into its base —
//!   for each item, the newest such entry is written over the base (a tombstone deletes) and
//!   all of them are deleted — then the base's time moves to the cutoff. Done at most about
//!   once an hour per table (`FOLD_EVERY` past the window), so the reaper's frequent rounds
//!   cost one comparison per table otherwise. Restores never see a half-folded state as
//!   wrong: the window's earliest time is already past every folded entry (`pitr::window`);
//! - a deleted table's base and history are dropped once its window has passed.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::key_encoding::prefix_successor;
use crate::model::reserved::{PITR_DELETED_TAG, SYSTEM_STORAGE_ID};
use crate::model::table::TableDefinition;
use crate::ops::background::gsi_backfill::ALLOCATION;
use crate::ops::pitr::history::{apply, parse, NewestPerItem};
use crate::ops::pitr::pages::TablePages;
use crate::ops::table::drops::queue_drops;
use crate::traits::{ItemKey, KeyRange, WriteOp};
use std::ops::Bound;

/// Seconds in a day.
const DAY: f64 = 86_400.0;
/// How far past the window a base may fall behind before it is folded forward.
pub const FOLD_EVERY: f64 = 3_600.0;
/// Entries read per page, writes per batch.
const PAGE: usize = 1000;

/// Takes `def`'s base copy when its PITR is enabled, has none yet, and was enabled long
/// enough ago. Answers whether it did.
pub async fn take_base(ctx: &Ctx, def: &TableDefinition, now: f64) -> Result<bool, ApiError> {
    let Some(pitr) = def.pitr.as_ref().filter(|p| p.base_at.is_none()) else {
        return Ok(false);
    };
    let wait = ALLOCATION.max(ctx.control_plane_delay()).as_secs_f64();
    if now < pitr.enabled_at + wait {
        return Ok(false);
    }
    // A copy a crashed round left behind.
    ctx.store.drop_table(pitr.base_id).await?;
    ctx.store
        .copy_tables(&[(def.storage_id, pitr.base_id)])
        .await?;
    let base_at = ctx.now_epoch();
    let history_id = pitr.history_id;
    ctx.catalog
        .update_table(&def.account_id, &def.name, |d| match d.pitr.as_mut() {
            Some(p) if p.history_id == history_id && p.base_at.is_none() => {
                p.base_at = Some(base_at);
                Ok(true)
            }
            _ => Ok(false),
        })
        .await?;
    Ok(true)
}

/// Folds `def`'s history entries older than its window as of `now` into its base, when the
/// base is more than `FOLD_EVERY` behind. Answers whether it did.
pub async fn trim_table(ctx: &Ctx, def: &TableDefinition, now: f64) -> Result<bool, ApiError> {
    let Some(pitr) = &def.pitr else {
        return Ok(false);
    };
    let Some(base_at) = pitr.base_at else {
        return Ok(false);
    };
    let cutoff = now - f64::from(pitr.recovery_days) * DAY;
    if base_at >= cutoff - FOLD_EVERY {
        return Ok(false);
    }
    let cutoff_ms = (cutoff * 1000.0) as u64;
    let mut pages = TablePages::new(pitr.history_id);
    let mut batch: Vec<WriteOp> = Vec::new();
    let mut walk = NewestPerItem::default();
    while let Some(page) = pages.next(ctx).await? {
        for (raw, value) in page {
            let Some((item_key, t)) = parse(&raw) else {
                continue;
            };
            if let Some((key, newest)) = walk.see(item_key, t, &value, cutoff_ms) {
                batch.push(apply(pitr.base_id, key, newest));
            }
            if t <= cutoff_ms {
                batch.push(WriteOp::Delete {
                    key: ItemKey {
                        storage_id: pitr.history_id,
                        key: raw,
                    },
                });
            }
        }
        if batch.len() >= PAGE {
            ctx.store
                .write_unconditional(std::mem::take(&mut batch))
                .await?;
        }
    }
    if let Some((key, newest)) = walk.finish() {
        batch.push(apply(pitr.base_id, key, newest));
    }
    if !batch.is_empty() {
        ctx.store.write_unconditional(batch).await?;
    }
    let history_id = pitr.history_id;
    ctx.catalog
        .update_table(&def.account_id, &def.name, |d| match d.pitr.as_mut() {
            Some(p) if p.history_id == history_id => {
                p.base_at = Some(cutoff);
                Ok(true)
            }
            _ => Ok(false),
        })
        .await?;
    Ok(true)
}

/// Drops the base and history of deleted tables whose window has passed as of `now`, with
/// their records. Answers how many.
pub async fn expire_deleted(ctx: &Ctx, now: f64) -> Result<usize, ApiError> {
    let range = KeyRange {
        prefix: PITR_DELETED_TAG.to_vec(),
        lower: Bound::Included(PITR_DELETED_TAG.to_vec()),
        upper: prefix_successor(PITR_DELETED_TAG).map_or(Bound::Unbounded, Bound::Excluded),
    };
    let page = ctx
        .store
        .range(SYSTEM_STORAGE_ID, &range, true, PAGE, usize::MAX)
        .await?;
    let mut done = 0;
    for (key, stored) in page.items {
        let def: TableDefinition = match stored.decode()?.get("def") {
            Some(crate::model::AttributeValue::S(json)) => serde_json::from_str(json)
                .map_err(|e| ApiError::Internal(format!("unreadable PITR record: {e}")))?,
            _ => continue,
        };
        let Some(pitr) = &def.pitr else { continue };
        if now - def.status_since <= f64::from(pitr.recovery_days) * DAY {
            continue;
        }
        queue_drops(ctx, &[pitr.history_id, pitr.base_id]).await?;
        ctx.store
            .write_unconditional(vec![WriteOp::Delete {
                key: ItemKey {
                    storage_id: SYSTEM_STORAGE_ID,
                    key,
                },
            }])
            .await?;
        done += 1;
    }
    Ok(done)
}
