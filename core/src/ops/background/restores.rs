//! Restores and backups carried out, resumed or cleaned up in the background (run by the
//! table reaper's worker, so by one process at a time across servers):
//!
//! - A table whose restore is in progress (RestoreTableFromBackup, RestoreTableToPointInTime
//!   record it and answer at once) is claimed (`claim`: compare-and-set on its definition),
//!   its storage cleared — a crashed run may have left a half-copied target — and filled
//!   again: the backup's copies in one `ItemStore::copy_tables`, or the point-in-time base
//!   and history (`pitr::restore`); then, if the claim is still this process's, the restore
//!   ends (`finish`). A restore claimed by a live process is left to it; one whose owner died
//!   (claim past its time, or another process's while this one serves alone) is redone.
//! - A restore that cannot be done (its backup is gone, or its source's point-in-time
//!   history: PITR disabled meanwhile) ends as DynamoDB is guessed to end a
//!   failed restore: the target table is deleted (best guess: DynamoDB documents no failed
//!   restore state; its model has no FAILED table status).
//! - A backup still CREATING whose claim is stale is removed, its copies queued for dropping:
//!   its copy was made inside the request as of that instant and cannot be redone (DynamoDB
//!   deletes a backup it cannot complete).

use super::claim;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::{TableDefinition, TableStatus};
use crate::ops::backup::record::{self, BackupRecord, BackupStatus};
use crate::ops::pitr::deleted;
use crate::ops::pitr::restore::restore_items;
use crate::ops::table::drops::drop_key;
use crate::traits::{CatalogError, StoredItem, WriteOp};
use bytes::Bytes;

/// CREATING backups looked at per round.
const BACKUPS_PER_STEP: usize = 100;

/// Where a claimed restore's items come from.
enum Source {
    /// A backup's copies.
    Backup(Box<BackupRecord>),
    /// A point-in-time base and history, as of milliseconds since the epoch.
    PointInTime(crate::model::table::PitrState, u64),
}

/// Carries out (or redoes) `def`'s restore when it is in progress and not claimed by a live
/// process. Answers whether it did anything.
pub async fn resume(ctx: &Ctx, def: &TableDefinition) -> Result<bool, ApiError> {
    let Some(r) = def.restore.as_ref().filter(|r| r.in_progress) else {
        return Ok(false);
    };
    if def.status == TableStatus::Deleting || !claim::stale_now(ctx, r.claim.as_ref()) {
        return Ok(false);
    }
    let (source, items) = match (&r.source_pitr, &r.source_backup_arn) {
        (Some(pitr), _) => {
            if !history_kept(ctx, def, pitr.history_id).await? {
                give_up(ctx, def).await?;
                return Ok(true);
            }
            let items = ctx.store.stats(pitr.base_id).await?.item_count
                + ctx.store.stats(pitr.history_id).await?.item_count;
            let at_ms = (r.restore_date_time * 1000.0).floor() as u64;
            (Source::PointInTime(pitr.clone(), at_ms), items)
        }
        (None, Some(arn)) => match record::load_in(ctx, &def.account_id, arn).await? {
            Some(b) if b.status == BackupStatus::Available => {
                let items = b.item_count;
                (Source::Backup(Box::new(b)), items)
            }
            _ => {
                give_up(ctx, def).await?;
                return Ok(true);
            }
        },
        (None, None) => {
            give_up(ctx, def).await?;
            return Ok(true);
        }
    };
    let Some(def) = take(ctx, def, items).await? else {
        return Ok(false);
    };
    clear(ctx, &def).await?;
    match &source {
        Source::Backup(backup) => {
            let mut pairs = vec![(backup.storage_id, def.storage_id)];
            for lsi in &def.local_secondary_indexes {
                if let Some((_, from)) = backup.lsi_storage.iter().find(|(n, _)| *n == lsi.name) {
                    pairs.push((*from, lsi.storage_id));
                }
            }
            ctx.store.copy_tables(&pairs).await?;
        }
        Source::PointInTime(pitr, at_ms) => {
            restore_items(ctx, pitr, *at_ms, &def).await?;
        }
    }
    claim::pause_after_copy().await;
    if finish(ctx, &def).await? {
        tracing::info!(table = %def.name, account = %def.account_id, "restore carried out");
    }
    Ok(true)
}

/// Whether the point-in-time history `history_id` the restore `def` reads is still kept: its
/// source table still has it (PITR not disabled meanwhile), or the source was deleted with it
/// and is still restorable.
async fn history_kept(ctx: &Ctx, def: &TableDefinition, history_id: u64) -> Result<bool, ApiError> {
    let Some(arn) = def
        .restore
        .as_ref()
        .and_then(|r| r.source_table_arn.as_deref())
    else {
        return Ok(false);
    };
    let name = arn.rsplit_once(":table/").map_or(arn, |(_, n)| n);
    let has = |d: &TableDefinition| d.pitr.as_ref().is_some_and(|p| p.history_id == history_id);
    if let Some(live) = ctx.catalog.get_table(&def.account_id, name).await? {
        if has(&live) {
            return Ok(true);
        }
    }
    Ok(deleted::latest(ctx, &def.account_id, name)
        .await?
        .is_some_and(|d| has(&d)))
}

/// Claims `def`'s restore for this process (if its claim is still stale): the stored
/// definition with the claim, or `None` when another process came first.
async fn take(
    ctx: &Ctx,
    def: &TableDefinition,
    items: u64,
) -> Result<Option<TableDefinition>, ApiError> {
    let now = ctx.now_epoch();
    let servers = ctx.coordination.servers();
    let mine = claim::mine(now, items);
    let table_id = def.table_id.clone();
    let wanted = mine.clone();
    let stored = match ctx
        .catalog
        .update_table(&def.account_id, &def.name, move |d| {
            if d.table_id != table_id || d.status == TableStatus::Deleting {
                return Ok(false);
            }
            match d.restore.as_mut().filter(|r| r.in_progress) {
                Some(r) if claim::stale(r.claim.as_ref(), now, servers) => {
                    r.claim = Some(wanted.clone());
                    Ok(true)
                }
                _ => Ok(false),
            }
        })
        .await
    {
        Ok(stored) => stored,
        Err(CatalogError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let held = stored.table_id == def.table_id
        && stored
            .restore
            .as_ref()
            .and_then(|r| r.claim.as_ref())
            .is_some_and(|c| *c == mine);
    Ok(held.then_some(stored))
}

/// Empties every storage of the restored table (a crashed run's half copy).
async fn clear(ctx: &Ctx, def: &TableDefinition) -> Result<(), ApiError> {
    ctx.store.drop_table(def.storage_id).await?;
    for (index, _) in def.indexes() {
        ctx.store.drop_table(index.storage_id).await?;
    }
    Ok(())
}

/// Ends the restore of `def` once its items are in place, if this process still holds its
/// claim: RestoreInProgress turns false, and the table turns ACTIVE as a created table does
/// (at once without a control-plane delay); CREATING GSIs wait for their backfill from now.
/// Answers whether it did.
pub async fn finish(ctx: &Ctx, def: &TableDefinition) -> Result<bool, ApiError> {
    let immediate = ctx.control_plane_delay().is_zero();
    let table_id = def.table_id.clone();
    let mut done = false;
    let result = ctx
        .catalog
        .update_table(&def.account_id, &def.name, |stored| {
            done = false;
            // Deleted while it was restored: DeleteTable's status stands.
            if stored.table_id != table_id || stored.status == TableStatus::Deleting {
                return Ok(false);
            }
            let Some(r) = stored
                .restore
                .as_mut()
                .filter(|r| r.in_progress && claim::is_mine(r.claim.as_ref()))
            else {
                return Ok(false);
            };
            r.in_progress = false;
            r.claim = None;
            let now = ctx.now_epoch();
            stored.status_since = now;
            for gsi in &mut stored.global_secondary_indexes {
                gsi.status_since = now;
            }
            if immediate {
                stored.status = TableStatus::Active;
            }
            done = true;
            Ok(true)
        })
        .await;
    match result {
        Ok(_) => Ok(done),
        Err(CatalogError::NotFound) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Ends a restore that cannot be done: the target table is deleted (DELETING, then retired
/// by the table reaper with its storage). Best guess at DynamoDB's behaviour.
async fn give_up(ctx: &Ctx, def: &TableDefinition) -> Result<(), ApiError> {
    tracing::warn!(table = %def.name, "restore source is gone; deleting the restore's target");
    let table_id = def.table_id.clone();
    let now = ctx.now_epoch();
    match ctx
        .catalog
        .update_table(&def.account_id, &def.name, |d| {
            if d.table_id != table_id || d.status == TableStatus::Deleting {
                return Ok(false);
            }
            d.status = TableStatus::Deleting;
            d.status_since = now;
            Ok(true)
        })
        .await
    {
        Ok(_) | Err(CatalogError::NotFound) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The write that queues `storage_id` for dropping (as `queue_drops` does).
fn queue_drop(storage_id: u64) -> WriteOp {
    WriteOp::Put {
        key: drop_key(storage_id),
        item: StoredItem(Bytes::from_static(b"{}")),
    }
}

/// Removes the CREATING backups whose claim is stale (their process died mid-copy), queueing
/// their copies for dropping in the same write. Answers how many.
pub async fn sweep_backups(ctx: &Ctx) -> Result<usize, ApiError> {
    let mut removed = 0;
    for (account, arn) in record::pending(ctx, BACKUPS_PER_STEP).await? {
        let marker = record::pending_key(&account, &arn);
        let backup = record::load_in(ctx, &account, &arn).await?;
        let Some(backup) = backup.filter(|b| b.status == BackupStatus::Creating) else {
            // A marker left by a record that moved on (or was never written): drop it.
            ctx.store
                .write_unconditional(vec![WriteOp::Delete { key: marker }])
                .await?;
            continue;
        };
        if !claim::stale_now(ctx, backup.claim.as_ref()) {
            continue;
        }
        let mut writes: Vec<WriteOp> = backup.storage_ids().into_iter().map(queue_drop).collect();
        let key = record::record_key(&account, &arn);
        writes.push(WriteOp::Delete { key: key.clone() });
        writes.push(WriteOp::Delete { key: marker });
        let now = ctx.now_epoch();
        let servers = ctx.coordination.servers();
        let outcome = ctx
            .store
            .write(
                vec![key],
                Box::new(move |before| {
                    // Only if it is still the same stale CREATING backup.
                    let still = match before.first() {
                        Some(Some(stored)) => record::decode(stored).is_ok_and(|b| {
                            b.status == BackupStatus::Creating
                                && claim::stale(b.claim.as_ref(), now, servers)
                        }),
                        _ => false,
                    };
                    Ok(if still { writes } else { Vec::new() })
                }),
            )
            .await?;
        if !outcome.writes.is_empty() {
            tracing::warn!(backup = %arn, "removed a backup whose creation a crash cut short");
            removed += 1;
        }
    }
    Ok(removed)
}
