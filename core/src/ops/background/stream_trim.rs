//! Stream upkeep, beside requests:
//!
//! - `sequence_all`: has the store order the stream records that committed
//!   (`ItemStore::sequence_stream`; PostgreSQL's sequencer — a no-op on the embedded store), so
//!   records are ordered promptly even while nobody reads, and pending rows stay few;
//! - `trim_all` (hourly): removes records older than 24 hours from every stream log, moving
//!   the log's trim mark past them (reads below it are TrimmedDataAccessException), drops the
//!   closed shards wholly below it, and retires streams disabled more than 24 hours ago (out
//!   of the table's definition, their logs queued for dropping).
//!
//! Both resume from what the store holds: the trim mark only moves forward and is written
//! after the records below it are gone, so a crash mid-trim leaves records that the next
//! round deletes again.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::{TableDefinition, TableStream};
use crate::ops::streams::created_ms;
use crate::ops::table::drops::queue_drops;
use crate::ops::table::stream_spec::PAST_STREAM_RETENTION_SECONDS;
use crate::streams::log::{record_key, shard_key, TrimMark, TRIM_KEY};
use crate::streams::reader;
use crate::streams::record::StoredRecord;
use crate::traits::{CatalogError, ItemKey, WriteOp};

/// How long records are kept (milliseconds).
pub const RETENTION_MS: u64 = 24 * 3600 * 1000;
/// Records examined (and deleted) per page.
const PAGE: usize = 1000;

/// Sequences every stream log the store has pending records for; answers how many logs it
/// asked about.
pub async fn sequence_all(ctx: &Ctx) -> Result<usize, ApiError> {
    let Some(policy) = ctx.streams.log_policy() else {
        return Ok(0);
    };
    let mut n = 0;
    for def in ctx.catalog.all_tables().await? {
        for (stream, _) in def.all_streams() {
            ctx.store.sequence_stream(stream.log_id, policy).await?;
            n += 1;
        }
    }
    Ok(n)
}

/// One trim round over every table; answers how many records it removed.
pub async fn trim_all(ctx: &Ctx) -> Result<usize, ApiError> {
    let now = ctx.now_epoch();
    let cutoff_ms = ((now * 1000.0) as u64).saturating_sub(RETENTION_MS);
    let mut removed = 0;
    for def in ctx.catalog.all_tables().await? {
        for (stream, disabled) in def.all_streams() {
            removed += trim_log(ctx, stream, disabled.is_some(), cutoff_ms).await?;
        }
        retire_past_streams(ctx, &def, now).await?;
    }
    Ok(removed)
}

/// Removes the records of `stream`'s log older than `cutoff_ms`; answers how many.
pub async fn trim_log(
    ctx: &Ctx,
    stream: &TableStream,
    closed: bool,
    cutoff_ms: u64,
) -> Result<usize, ApiError> {
    let log_id = stream.log_id;
    let store = ctx.store.as_ref();
    let view = reader::view(
        store,
        log_id,
        created_ms(stream),
        ctx.streams.log_policy(),
        closed,
    )
    .await?;
    let last = view.head.next_seq.saturating_sub(1);
    let mut below = view.trim.below.max(1);
    let mut removed = 0;
    'pages: loop {
        let page = reader::read(store, log_id, below, last, PAGE, usize::MAX).await?;
        let mut deletes = Vec::new();
        for (seq, stored) in &page.records {
            if StoredRecord::parse(stored.as_bytes())?.at_ms >= cutoff_ms {
                below = *seq;
                if !deletes.is_empty() {
                    removed += deletes.len();
                    store.write_unconditional(deletes).await?;
                }
                break 'pages;
            }
            deletes.push(WriteOp::Delete {
                key: ItemKey {
                    storage_id: log_id,
                    key: record_key(*seq),
                },
            });
            below = seq + 1;
        }
        if deletes.is_empty() {
            break;
        }
        removed += deletes.len();
        store.write_unconditional(deletes).await?;
        if !page.more {
            break;
        }
    }
    if below > view.trim.below {
        store
            .write_unconditional(vec![WriteOp::Put {
                key: ItemKey {
                    storage_id: log_id,
                    key: TRIM_KEY.to_vec(),
                },
                item: TrimMark { below }.encode(),
            }])
            .await?;
        let mark = reader::LogView {
            trim: TrimMark { below },
            ..view
        };
        let gone: Vec<WriteOp> = view
            .shards(store, log_id)
            .await?
            .into_iter()
            .filter(|s| s.index < view.head.open.index && !mark.live(s))
            .map(|s| WriteOp::Delete {
                key: ItemKey {
                    storage_id: log_id,
                    key: shard_key(s.index),
                },
            })
            .collect();
        if !gone.is_empty() {
            store.write_unconditional(gone).await?;
        }
    }
    Ok(removed)
}

/// Takes the streams disabled more than 24 hours ago out of `def`, queueing their logs for
/// dropping first (so a crash leaves a queued drop, never an orphaned log).
async fn retire_past_streams(ctx: &Ctx, def: &TableDefinition, now: f64) -> Result<(), ApiError> {
    let expired: Vec<u64> = def
        .past_streams
        .iter()
        .filter(|p| now - p.disabled_at >= PAST_STREAM_RETENTION_SECONDS)
        .map(|p| p.stream.log_id)
        .collect();
    if expired.is_empty() {
        return Ok(());
    }
    queue_drops(ctx, &expired).await?;
    // On the definition as it is now (compare-and-swap: it may have changed since the round
    // listed it, and a concurrent change is kept).
    let result = ctx
        .catalog
        .update_table(
            &def.account_id,
            &def.name,
            |current: &mut TableDefinition| {
                if current.table_id != def.table_id {
                    return Ok(false);
                }
                let before = current.past_streams.len();
                current
                    .past_streams
                    .retain(|p| !expired.contains(&p.stream.log_id));
                Ok(current.past_streams.len() != before)
            },
        )
        .await;
    match result {
        Ok(_) | Err(CatalogError::NotFound) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
