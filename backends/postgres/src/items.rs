//! `ItemStore` for `PgStore`: unlocked point and range reads; write transactions that lock
//! (advisory locks, sorted), read, let core decide, and write in one statement; and writes
//! that decide nothing, which lock and write in one statement on their own.
//!
//! Round trips: a read is one statement, shared with the reads queued meanwhile; `write` is
//! lock-and-read, then apply-and-commit (held_tx.rs: the keys stay locked in between), shared
//! with the write transactions queued meanwhile (write_groups.rs, group_tx.rs);
//! `write_unconditional` is one statement. Write transactions and one-key writes apply
//! through `extenddb_write_one`'s single-row statements rather than the array CTE of
//! `extenddb_apply`. A write's stream
//! appends ride in the same statement into `stream_pending`, which the sequencer
//! (streams.rs) orders after commit.

use crate::error::store_err;
use crate::lock::sorted_lock_ids;
use crate::range::read_page;
use crate::write_tx::apply;
use crate::PgStore;
use async_trait::async_trait;
use extenddb_core::error::{ApiError, StoreError};
use extenddb_core::model::stream::ShardPolicy;
use extenddb_core::traits::{
    ItemKey, ItemStore, KeyRange, Page, PoolStatus, Readiness, StoredItem, TableStats,
    WriteDecider, WriteOp, WriteOutcome,
};
use sqlx::Row;

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

    /// Grouped with the write transactions queued meanwhile (write_groups.rs).
    async fn write(
        &self,
        reads: Vec<ItemKey>,
        decide: WriteDecider,
    ) -> Result<WriteOutcome, ApiError> {
        self.groups.write(reads, decide).await
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
