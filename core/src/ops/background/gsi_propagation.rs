//! Asynchronous GSI maintenance: a durable queue inside the item store, and the worker step
//! that applies what is due.
//!
//! A write to a table whose GSIs have a propagation delay puts, in the same transaction as the
//! item, one queue record per delay under the reserved storage id `QUEUE_STORAGE_ID`:
//! key `due time (ms, 8 bytes BE) ‖ sequence (8 bytes BE)`, value the index writes as JSON.
//! Writes to one item are serialized by the store's lock, so their records get increasing
//! `(due, sequence)` keys and are applied in that order. `run_due` applies due records and
//! deletes them in ONE store transaction that also locks them: after a crash the records are
//! either still queued (applied later) or gone with their writes applied — never lost, never
//! applied twice — and two workers (several processes over one store) cannot both apply one.
//! Due times and sequence numbers come from the services' `GsiQueue` and clock (`gsi_queue`).

use crate::context::Ctx;
use crate::error::{ApiError, StoreError};
use crate::ops::background::gsi_queue::Record;
use crate::traits::{ItemKey, KeyRange, StoredItem, WriteDecider, WriteOp};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use bytes::Bytes;
use std::collections::HashSet;
use std::ops::Bound;
use std::time::Duration;

pub use crate::ops::background::gsi_queue::GsiQueue;

/// The storage id of the GSI queue (`model::reserved`).
pub const QUEUE_STORAGE_ID: u64 = crate::model::reserved::GSI_QUEUE_STORAGE_ID;

/// How many records one `run_due` applies at most.
const BATCH: usize = 128;

/// The services' time in milliseconds since the epoch, as the queue keys it.
pub fn now_ms(ctx: &Ctx) -> u64 {
    ctx.gsi_queue.now_ms(ctx.clock.as_ref())
}

/// The index writes a queue record holds.
fn decode(stored: &StoredItem) -> Result<Vec<WriteOp>, ApiError> {
    let record: Record = serde_json::from_slice(stored.as_bytes())
        .map_err(|e| StoreError::Corrupt(format!("GSI queue record: {e}")))?;
    record
        .ops
        .into_iter()
        .map(|op| {
            let key = ItemKey {
                storage_id: op.s,
                key: B64
                    .decode(op.k.as_bytes())
                    .map_err(|e| StoreError::Corrupt(format!("GSI queue key: {e}")))?,
            };
            Ok(match op.v {
                Some(v) => WriteOp::Put {
                    key,
                    item: StoredItem(Bytes::from(serde_json::to_vec(&v).unwrap_or_default())),
                },
                None => WriteOp::Delete { key },
            })
        })
        .collect()
}

/// Storage ids of every index that is still maintained (writes to any other are dropped: the
/// index was deleted after the record was queued).
async fn live_indexes(ctx: &Ctx) -> Result<HashSet<u64>, ApiError> {
    Ok(ctx
        .catalog
        .all_tables()
        .await?
        .iter()
        .flat_map(|t| {
            t.indexes()
                .filter(|(i, _)| i.maintained())
                .map(|(i, _)| i.storage_id)
                .collect::<Vec<_>>()
        })
        .collect())
}

/// Applies the queue records that are due (up to a batch) in one transaction; returns how many
/// were applied. The server's worker calls this in a loop, pausing `idle_pause` when nothing
/// was due.
pub async fn run_due(ctx: &Ctx) -> Result<usize, ApiError> {
    run_due_at(ctx, now_ms(ctx)).await
}

/// `run_due` as if the time were `now` (ms since the epoch): applies the records due by then.
pub async fn run_due_at(ctx: &Ctx, now: u64) -> Result<usize, ApiError> {
    let upper = now.saturating_add(1).to_be_bytes().to_vec();
    let range = KeyRange {
        prefix: Vec::new(),
        lower: Bound::Unbounded,
        upper: Bound::Excluded(upper),
    };
    let page = ctx
        .store
        .range(QUEUE_STORAGE_ID, &range, true, BATCH, usize::MAX)
        .await?;
    if page.items.is_empty() {
        return Ok(0);
    }
    let live = live_indexes(ctx).await?;
    // Lag: how late the oldest record applied now is past its due time.
    if let Some(due) = first_due(&page.items) {
        ctx.metrics.gsi_lag(now.saturating_sub(due));
    }
    let keys: Vec<ItemKey> = page
        .items
        .into_iter()
        .map(|(key, _)| ItemKey {
            storage_id: QUEUE_STORAGE_ID,
            key,
        })
        .collect();
    let record_keys = keys.clone();
    let decide: WriteDecider = Box::new(move |current| {
        let mut writes = Vec::new();
        for (key, stored) in record_keys.into_iter().zip(current) {
            // Gone: another worker applied it between our read and our lock.
            let Some(stored) = stored else { continue };
            writes.extend(
                decode(stored)?
                    .into_iter()
                    .filter(|op| op.key().is_some_and(|k| live.contains(&k.storage_id))),
            );
            writes.push(WriteOp::Delete { key });
        }
        Ok(writes)
    });
    let outcome = ctx.store.write(keys, decide).await?;
    Ok(outcome.before.iter().filter(|b| b.is_some()).count())
}

/// Shortest pause of the worker after a step that found nothing due.
pub const IDLE_MIN: Duration = Duration::from_millis(5);
/// Longest pause while several servers share the store: how late at most a record another
/// server queued during the pause is applied past its due time.
pub const IDLE_MAX: Duration = Duration::from_millis(50);
/// Longest pause while this process serves its store alone (`Coordination::servers` is 1):
/// nobody else queues records, and every record this process queues wakes the worker at once
/// (`GsiQueue::on_queue`), so the pause only bounds how late a record of a server that has
/// just joined is applied.
pub const IDLE_ALONE_MAX: Duration = Duration::from_secs(1);

/// The longest pause of the worker now: `IDLE_ALONE_MAX` alone, else `IDLE_MAX`.
pub fn idle_max(ctx: &Ctx) -> Duration {
    if ctx.coordination.servers() <= 1 {
        IDLE_ALONE_MAX
    } else {
        IDLE_MAX
    }
}

/// How long the worker may pause after a step that found nothing due: until the earliest
/// queued record is due (one read of the queue's first key, and the due times this process
/// queued since), within `IDLE_MIN..=idle_max`. With nothing queued (every GSI synchronous)
/// the worker wakes once a second on a server alone and 20 times a second beside others.
pub async fn idle_pause(ctx: &Ctx) -> Result<Duration, ApiError> {
    let hinted = ctx.gsi_queue.take_hint().unwrap_or(u64::MAX);
    let now = now_ms(ctx);
    let stored = idle_pause_at(ctx, now).await?;
    Ok(stored.min(Duration::from_millis(hinted.saturating_sub(now)).max(IDLE_MIN)))
}

/// `idle_pause` as if the time were `now` (ms since the epoch).
pub async fn idle_pause_at(ctx: &Ctx, now: u64) -> Result<Duration, ApiError> {
    let page = ctx
        .store
        .range(QUEUE_STORAGE_ID, &whole_queue(), true, 1, usize::MAX)
        .await?;
    let max = idle_max(ctx);
    Ok(match first_due(&page.items) {
        Some(due) => Duration::from_millis(due.saturating_sub(now)).clamp(IDLE_MIN, max),
        None => max,
    })
}

/// Records still queued, due or not (for tests and status output).
pub async fn pending(ctx: &Ctx) -> Result<usize, ApiError> {
    let page = ctx
        .store
        .range(QUEUE_STORAGE_ID, &whole_queue(), true, 100_000, usize::MAX)
        .await?;
    Ok(page.items.len())
}

/// Every record of the queue.
fn whole_queue() -> KeyRange {
    KeyRange {
        prefix: Vec::new(),
        lower: Bound::Unbounded,
        upper: Bound::Unbounded,
    }
}

/// The due time (ms) of the first of `items` (queue records, in key order).
fn first_due<V>(items: &[(Vec<u8>, V)]) -> Option<u64> {
    items
        .first()
        .and_then(|(k, _)| k.get(..8))
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map(u64::from_be_bytes)
}
