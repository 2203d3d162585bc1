//! `ItemStore` for `PgStore`: unlocked point and range reads; write transactions that lock
//! (advisory locks, sorted), read, let core decide, and write in one statement; and writes
//! that decide nothing, which lock and write in one statement on their own.
//!
//! Round trips: a read is one statement, shared with the reads queued meanwhile; `write` is BEGIN, lock-and-read, lock-and-apply,
//! COMMIT (sqlx cannot pipeline them); `write_unconditional` is one statement. A write to a
//! single key (PutItem, UpdateItem, DeleteItem without indexes) applies through
//! `extenddb_write_one`'s single-row statements rather than the array CTE of `extenddb_apply`.
//! A write's stream appends ride in the same statement (the `_streamed` functions) into
//! `stream_pending`, which the sequencer (streams.rs) orders after commit.

use crate::batched_writes::WRITE_ONE_SQL;
use crate::error::store_err;
use crate::lock::sorted_lock_ids;
use crate::range::read_page;
use crate::PgStore;
use async_trait::async_trait;
use extenddb_core::error::{ApiError, StoreError};
use extenddb_core::model::stream::ShardPolicy;
use extenddb_core::traits::{
    ItemKey, ItemStore, KeyRange, Page, PoolStatus, Readiness, StoredItem, TableStats,
    WriteDecider, WriteOp, WriteOutcome,
};
use sqlx::{PgConnection, PgExecutor, Row};
use std::collections::{BTreeMap, HashSet};

/// Shards of `table_stats` per table; a writer uses the shard of its connection's backend pid.
pub(crate) const STATS_SHARDS: i32 = 64;

/// Applies deduplicated writes and their stats delta (migrations/data/0002): the caller holds
/// every key's lock.
const APPLY_SQL: &str = "SELECT extenddb_apply($1, $2, $3, $4)";

/// Locks the given ids, then applies as `APPLY_SQL` does. Alone (autocommit) it is a whole
/// write transaction that reads nothing, in one round trip.
const LOCK_APPLY_SQL: &str = "SELECT extenddb_lock_apply($1, $2, $3, $4, $5)";

/// `WRITE_ONE_SQL` plus the write's stream appends (migrations/data/0005).
const WRITE_ONE_STREAMED_SQL: &str =
    "SELECT extenddb_write_one_streamed($1, $2, $3, $4, $5, $6, $7, $8)";

/// `LOCK_APPLY_SQL` (no locks when `$1` is empty) plus the write's stream appends.
const LOCK_APPLY_STREAMED_SQL: &str =
    "SELECT extenddb_lock_apply_streamed($1, $2, $3, $4, $5, $6, $7, $8)";

#[async_trait]
impl ItemStore for PgStore {
    /// Coalesced with concurrent point reads (coalesce.rs).
    async fn get(&self, key: &ItemKey) -> Result<Option<StoredItem>, StoreError> {
        self.reads.get(key.clone()).await
    }

    async fn range(
        &self,
        storage_id: u64,
        range: &KeyRange,
        forward: bool,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Page, StoreError> {
        read_page(
            &self.data,
            &self.reads,
            storage_id,
            range,
            forward,
            limit,
            max_bytes,
        )
        .await
    }

    async fn write(
        &self,
        reads: Vec<ItemKey>,
        decide: WriteDecider,
    ) -> Result<WriteOutcome, ApiError> {
        let mut tx = self.data.begin().await.map_err(store_err)?;
        let before = lock_and_read(&mut tx, &reads).await?;
        let writes = decide(&before)?;
        let read_set: HashSet<&ItemKey> = reads.iter().collect();
        // Keys written but not read (index entries) are locked by the applying statement.
        let extra = sorted_lock_ids(
            writes
                .iter()
                .filter_map(WriteOp::key)
                .filter(|k| !read_set.contains(k)),
        );
        apply(&mut *tx, &extra, &writes).await?;
        tx.commit().await.map_err(store_err)?;
        Ok(WriteOutcome { before, writes })
    }

    /// One statement in its own implicit transaction: lock every key, then write. A write
    /// to one key is coalesced with those queued meanwhile (batched_writes.rs).
    async fn write_unconditional(&self, mut writes: Vec<WriteOp>) -> Result<(), ApiError> {
        if writes.len() == 1 && writes.iter().all(|w| w.key().is_some()) {
            if let Some(op) = writes.pop() {
                return Ok(self.writes.write(op).await?);
            }
        }
        let ids = sorted_lock_ids(writes.iter().filter_map(WriteOp::key));
        apply(&self.data, &ids, &writes).await?;
        Ok(())
    }

    async fn sequence_stream(&self, log_id: u64, policy: ShardPolicy) -> Result<(), StoreError> {
        crate::streams::sequence(&self.data, log_id, policy).await
    }

    async fn drop_table(&self, storage_id: u64) -> Result<(), StoreError> {
        let mut tx = self.data.begin().await.map_err(store_err)?;
        for sql in [
            "DELETE FROM items WHERE storage_id = $1",
            "DELETE FROM table_stats WHERE storage_id = $1",
            // A stream log's records not sequenced yet.
            "DELETE FROM stream_pending WHERE log_id = $1",
        ] {
            sqlx::query(sql)
                .bind(storage_id as i64)
                .execute(&mut *tx)
                .await
                .map_err(store_err)?;
        }
        tx.commit().await.map_err(store_err)
    }

    /// One REPEATABLE READ transaction, so every copy reads the same snapshot (taken at its
    /// first statement): a write transaction committed before it is wholly copied, one
    /// committed after is not, and writers are never blocked. Each copy is one INSERT …
    /// SELECT; the copy's stats go to shard 0 of `table_stats`.
    async fn copy_tables(&self, pairs: &[(u64, u64)]) -> Result<Vec<TableStats>, StoreError> {
        let mut tx = self.data.begin().await.map_err(store_err)?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            .execute(&mut *tx)
            .await
            .map_err(store_err)?;
        let mut out = Vec::with_capacity(pairs.len());
        for &(from, to) in pairs {
            let row = sqlx::query(
                "WITH ins AS (INSERT INTO items (storage_id, key, item, size) \
                 SELECT $2, key, item, size FROM items WHERE storage_id = $1 RETURNING size) \
                 SELECT count(*)::bigint, coalesce(sum(size), 0)::bigint FROM ins",
            )
            .bind(from as i64)
            .bind(to as i64)
            .fetch_one(&mut *tx)
            .await
            .map_err(store_err)?;
            let count: i64 = row.try_get(0).map_err(store_err)?;
            let size: i64 = row.try_get(1).map_err(store_err)?;
            sqlx::query(
                "INSERT INTO table_stats AS s (storage_id, shard, item_count, size_bytes) \
                 VALUES ($1, 0, $2, $3) ON CONFLICT (storage_id, shard) DO UPDATE \
                 SET item_count = s.item_count + EXCLUDED.item_count, \
                     size_bytes = s.size_bytes + EXCLUDED.size_bytes",
            )
            .bind(to as i64)
            .bind(count)
            .bind(size)
            .execute(&mut *tx)
            .await
            .map_err(store_err)?;
            out.push(TableStats {
                item_count: u64::try_from(count).unwrap_or(0),
                size_bytes: u64::try_from(size).unwrap_or(0),
            });
        }
        tx.commit().await.map_err(store_err)?;
        Ok(out)
    }

    /// The replicas' reader, when `PgStore::with_replicas` configured standbys.
    fn eventual_reads(&self) -> Option<std::sync::Arc<dyn ItemStore>> {
        self.replicas
            .clone()
            .map(|r| r as std::sync::Arc<dyn ItemStore>)
    }

    async fn stats(&self, storage_id: u64) -> Result<TableStats, StoreError> {
        let row = sqlx::query(
            "SELECT coalesce(sum(item_count), 0)::bigint, coalesce(sum(size_bytes), 0)::bigint \
             FROM table_stats WHERE storage_id = $1",
        )
        .bind(storage_id as i64)
        .fetch_one(&self.data)
        .await
        .map_err(store_err)?;
        let count: i64 = row.try_get(0).map_err(store_err)?;
        let size: i64 = row.try_get(1).map_err(store_err)?;
        Ok(TableStats {
            item_count: u64::try_from(count).unwrap_or(0),
            size_bytes: u64::try_from(size).unwrap_or(0),
        })
    }

    fn pool_status(&self) -> Option<PoolStatus> {
        Some(self.data_pool_status())
    }

    async fn readiness(&self) -> Readiness {
        self.check_ready().await
    }
}

/// Locks `reads` and returns their current items, in order. One round trip.
async fn lock_and_read(
    conn: &mut PgConnection,
    reads: &[ItemKey],
) -> Result<Vec<Option<StoredItem>>, StoreError> {
    if reads.is_empty() {
        return Ok(Vec::new());
    }
    let sids: Vec<i64> = reads.iter().map(|k| k.storage_id as i64).collect();
    let keys: Vec<&[u8]> = reads.iter().map(|k| k.key.as_slice()).collect();
    let rows = sqlx::query("SELECT ord, item FROM extenddb_lock_read($1, $2, $3)")
        .bind(sorted_lock_ids(reads))
        .bind(sids)
        .bind(keys)
        .fetch_all(&mut *conn)
        .await
        .map_err(store_err)?;
    let mut before = vec![None; reads.len()];
    for row in rows {
        let ord: i64 = row.try_get(0).map_err(store_err)?;
        let item: Vec<u8> = row.try_get(1).map_err(store_err)?;
        let slot = usize::try_from(ord - 1)
            .ok()
            .and_then(|i| before.get_mut(i))
            .ok_or_else(|| StoreError::Backend(format!("lock_read returned ordinal {ord}")))?;
        *slot = Some(StoredItem(item.into()));
    }
    Ok(before)
}

/// Takes the advisory locks `lock_ids` (none: the caller holds them all), then applies
/// `writes`; of several writes to one key the last wins, as if applied in order.
async fn apply<'e>(
    conn: impl PgExecutor<'e>,
    lock_ids: &[i64],
    writes: &[WriteOp],
) -> Result<(), StoreError> {
    if writes.is_empty() {
        return Ok(());
    }
    let mut last: BTreeMap<&ItemKey, Option<&[u8]>> = BTreeMap::new();
    let mut appends = Appends::default();
    for op in writes {
        match op {
            WriteOp::Put { key, item } => {
                last.insert(key, Some(item.as_bytes()));
            }
            WriteOp::Delete { key } => {
                last.insert(key, None);
            }
            WriteOp::StreamAppend {
                log_id,
                record,
                at_ms,
                ..
            } => {
                appends.logs.push(*log_id as i64);
                appends.ats.push(*at_ms as i64);
                appends.records.push(record.as_ref());
            }
        }
    }
    let streamed = !appends.logs.is_empty();
    if let (1, Some((key, item)), 0 | 1) = (last.len(), last.first_key_value(), lock_ids.len()) {
        let query = sqlx::query(if streamed {
            WRITE_ONE_STREAMED_SQL
        } else {
            WRITE_ONE_SQL
        })
        .bind(lock_ids.first().copied())
        .bind(key.storage_id as i64)
        .bind(key.key.as_slice())
        .bind(*item)
        .bind(STATS_SHARDS);
        appends
            .bind(query, streamed)
            .execute(conn)
            .await
            .map_err(store_err)?;
        return Ok(());
    }
    let sids: Vec<i64> = last.keys().map(|k| k.storage_id as i64).collect();
    let keys: Vec<&[u8]> = last.keys().map(|k| k.key.as_slice()).collect();
    let items: Vec<Option<&[u8]>> = last.values().copied().collect();
    let query = if streamed {
        sqlx::query(LOCK_APPLY_STREAMED_SQL).bind(lock_ids)
    } else if lock_ids.is_empty() {
        sqlx::query(APPLY_SQL)
    } else {
        sqlx::query(LOCK_APPLY_SQL).bind(lock_ids)
    };
    let query = query.bind(sids).bind(keys).bind(items).bind(STATS_SHARDS);
    appends
        .bind(query, streamed)
        .execute(conn)
        .await
        .map_err(store_err)?;
    Ok(())
}

/// The stream appends of one write, as the `_streamed` functions take them.
#[derive(Default)]
struct Appends<'a> {
    logs: Vec<i64>,
    ats: Vec<i64>,
    records: Vec<&'a [u8]>,
}

type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

impl<'a> Appends<'a> {
    /// Binds the appends as the last three arguments when the statement takes them.
    fn bind(self, query: PgQuery<'a>, streamed: bool) -> PgQuery<'a> {
        if streamed {
            query.bind(self.logs).bind(self.ats).bind(self.records)
        } else {
            query
        }
    }
}
