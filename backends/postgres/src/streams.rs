//! The stream sequencer: moves the stream records that have committed from `stream_pending`
//! into their log in `items`, numbering them in commit order (migrations/data/0005 says why
//! the writers' own `pos` is not that order).
//!
//! One sequencer runs per log at a time, in any process: it holds the advisory lock of the
//! log's head key for its transaction, reads the head after taking it (READ COMMITTED: a new
//! snapshot per statement), takes the pending rows visible then, orders them by `pos`, and
//! writes records, head and closed shards in one commit. So:
//! - numbers grow with each run and a run's records become visible together, after every
//!   earlier run's — a reader never sees a number below one it has read appear later;
//! - a row not yet committed at a run is taken by a later run, with a higher number;
//! - two changes of one key: the second locked the key after the first committed, so drew a
//!   higher `pos` and is visible to any run that sees it along with the first.

use crate::error::store_err;
use crate::lock::lock_id;
use extenddb_core::error::StoreError;
use extenddb_core::model::stream::ShardPolicy;
use extenddb_core::streams::log::{head_key, record_key, shard_key, Head};
use sqlx::{PgPool, Row};

/// Pending rows one sequencer transaction moves at most.
const BATCH: i64 = 5000;

/// Sequences the committed pending records of log `log_id` (returns at once when none).
pub(crate) async fn sequence(
    pool: &PgPool,
    log_id: u64,
    policy: ShardPolicy,
) -> Result<(), StoreError> {
    loop {
        let pending: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM stream_pending WHERE log_id = $1)")
                .bind(log_id as i64)
                .fetch_one(pool)
                .await
                .map_err(store_err)?;
        if !pending || sequence_batch(pool, log_id, policy).await? < BATCH as usize {
            return Ok(());
        }
    }
}

/// One sequencer transaction: up to `BATCH` rows. Answers how many it moved.
async fn sequence_batch(
    pool: &PgPool,
    log_id: u64,
    policy: ShardPolicy,
) -> Result<usize, StoreError> {
    let head_key = head_key(log_id);
    let mut tx = pool.begin().await.map_err(store_err)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(lock_id(&head_key))
        .execute(&mut *tx)
        .await
        .map_err(store_err)?;
    let head: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT item FROM items WHERE storage_id = $1 AND key = $2")
            .bind(log_id as i64)
            .bind(head_key.key.as_slice())
            .fetch_optional(&mut *tx)
            .await
            .map_err(store_err)?;
    let rows = sqlx::query(
        "DELETE FROM stream_pending WHERE log_id = $1 AND pos IN \
         (SELECT pos FROM stream_pending WHERE log_id = $1 ORDER BY pos LIMIT $2) \
         RETURNING pos, at_ms, record",
    )
    .bind(log_id as i64)
    .bind(BATCH)
    .fetch_all(&mut *tx)
    .await
    .map_err(store_err)?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut pending = Vec::with_capacity(rows.len());
    for row in &rows {
        let pos: i64 = row.try_get(0).map_err(store_err)?;
        let at: i64 = row.try_get(1).map_err(store_err)?;
        let record: Vec<u8> = row.try_get(2).map_err(store_err)?;
        pending.push((pos, at, record));
    }
    pending.sort_by_key(|(pos, _, _)| *pos);
    let mut head = match head {
        Some(bytes) => {
            serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt(e.to_string()))?
        }
        // Streams start their log when enabled; a missing head starts at the first record.
        None => Head::initial(pending.first().map_or(0, |(_, at, _)| *at as u64)),
    };
    let mut keys: Vec<Vec<u8>> = Vec::with_capacity(pending.len() + 2);
    let mut items: Vec<Vec<u8>> = Vec::with_capacity(pending.len() + 2);
    for (_, at, record) in pending {
        let (seq, closed) = head.append(at.max(0) as u64, policy);
        if let Some(shard) = closed {
            keys.push(shard_key(shard.index));
            items.push(shard.encode().as_bytes().to_vec());
        }
        keys.push(record_key(seq));
        items.push(record);
    }
    keys.push(head_key.key.clone());
    items.push(head.encode().as_bytes().to_vec());
    let moved = rows.len();
    let sids = vec![log_id as i64; keys.len()];
    sqlx::query("SELECT extenddb_apply($1, $2, $3, $4)")
        .bind(sids)
        .bind(keys)
        .bind(items)
        .bind(crate::write_tx::STATS_SHARDS)
        .execute(&mut *tx)
        .await
        .map_err(store_err)?;
    tx.commit().await.map_err(store_err)?;
    Ok(moved)
}
