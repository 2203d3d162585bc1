//! `ItemStore` for `PgStore`: unlocked point and range reads; write transactions that lock
//! (advisory locks, sorted), read, let core decide, and write in one statement.

use crate::error::store_err;
use crate::lock::sorted_lock_ids;
use crate::range::read_page;
use crate::PgStore;
use async_trait::async_trait;
use extenddb_core::error::{ApiError, StoreError};
use extenddb_core::traits::{
    ItemKey, ItemStore, KeyRange, Page, StoredItem, TableStats, WriteDecider, WriteOp, WriteOutcome,
};
use sqlx::{PgConnection, Row};
use std::collections::{BTreeMap, HashSet};

/// Shards of `table_stats` per table; a writer uses the shard of its connection's backend pid.
const STATS_SHARDS: i32 = 64;

/// Applies deduplicated writes (item `None` = delete) and the stats delta in one statement.
/// Every key is advisory-locked by this transaction before the statement starts, so the
/// statement's snapshot sees the rows' latest versions and the sizes in `old` are exact.
const WRITE_SQL: &str = "
WITH ops AS (
    SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[]) AS o(sid, key, item)
), old AS (
    SELECT o.sid, o.key, i.size FROM ops o
    JOIN items i ON i.storage_id = o.sid AND i.key = o.key
), del AS (
    DELETE FROM items i USING ops o
    WHERE o.item IS NULL AND i.storage_id = o.sid AND i.key = o.key
), ins AS (
    INSERT INTO items (storage_id, key, item, size)
    SELECT sid, key, item, octet_length(item) FROM ops WHERE item IS NOT NULL
    ON CONFLICT (storage_id, key) DO UPDATE SET item = EXCLUDED.item, size = EXCLUDED.size
), delta AS (
    SELECT o.sid,
           sum((o.item IS NOT NULL)::int - (old.size IS NOT NULL)::int) AS dc,
           sum(coalesce(octet_length(o.item), 0) - coalesce(old.size, 0)) AS ds
    FROM ops o LEFT JOIN old ON old.sid = o.sid AND old.key = o.key
    GROUP BY o.sid
)
INSERT INTO table_stats (storage_id, shard, item_count, size_bytes)
SELECT sid, pg_backend_pid() % $4, dc, ds FROM delta WHERE dc <> 0 OR ds <> 0
ON CONFLICT (storage_id, shard) DO UPDATE
SET item_count = table_stats.item_count + EXCLUDED.item_count,
    size_bytes = table_stats.size_bytes + EXCLUDED.size_bytes";

#[async_trait]
impl ItemStore for PgStore {
    async fn get(&self, key: &ItemKey) -> Result<Option<StoredItem>, StoreError> {
        let item: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT item FROM items WHERE storage_id = $1 AND key = $2")
                .bind(key.storage_id as i64)
                .bind(key.key.as_slice())
                .fetch_optional(&self.data)
                .await
                .map_err(store_err)?;
        Ok(item.map(|b| StoredItem(b.into())))
    }

    async fn range(
        &self,
        storage_id: u64,
        range: &KeyRange,
        forward: bool,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Page, StoreError> {
        read_page(&self.data, storage_id, range, forward, limit, max_bytes).await
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
        let extra: Vec<&ItemKey> = writes
            .iter()
            .map(write_key)
            .filter(|k| !read_set.contains(k))
            .collect();
        if !extra.is_empty() {
            lock(&mut tx, &sorted_lock_ids(extra)).await?;
        }
        apply(&mut tx, &writes).await?;
        tx.commit().await.map_err(store_err)?;
        Ok(WriteOutcome { before, writes })
    }

    async fn drop_table(&self, storage_id: u64) -> Result<(), StoreError> {
        let mut tx = self.data.begin().await.map_err(store_err)?;
        for sql in [
            "DELETE FROM items WHERE storage_id = $1",
            "DELETE FROM table_stats WHERE storage_id = $1",
        ] {
            sqlx::query(sql)
                .bind(storage_id as i64)
                .execute(&mut *tx)
                .await
                .map_err(store_err)?;
        }
        tx.commit().await.map_err(store_err)
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
}

fn write_key(op: &WriteOp) -> &ItemKey {
    match op {
        WriteOp::Put { key, .. } | WriteOp::Delete { key } => key,
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

async fn lock(conn: &mut PgConnection, ids: &[i64]) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_advisory_xact_lock(h) FROM unnest($1::bigint[]) AS h")
        .bind(ids)
        .execute(&mut *conn)
        .await
        .map_err(store_err)?;
    Ok(())
}

/// Applies `writes`; of several writes to one key the last wins, as if applied in order.
async fn apply(conn: &mut PgConnection, writes: &[WriteOp]) -> Result<(), StoreError> {
    if writes.is_empty() {
        return Ok(());
    }
    let mut last: BTreeMap<&ItemKey, Option<&[u8]>> = BTreeMap::new();
    for op in writes {
        let item = match op {
            WriteOp::Put { item, .. } => Some(item.as_bytes()),
            WriteOp::Delete { .. } => None,
        };
        last.insert(write_key(op), item);
    }
    let sids: Vec<i64> = last.keys().map(|k| k.storage_id as i64).collect();
    let keys: Vec<&[u8]> = last.keys().map(|k| k.key.as_slice()).collect();
    let items: Vec<Option<&[u8]>> = last.values().copied().collect();
    sqlx::query(WRITE_SQL)
        .bind(sids)
        .bind(keys)
        .bind(items)
        .bind(STATS_SHARDS)
        .execute(&mut *conn)
        .await
        .map_err(store_err)?;
    Ok(())
}
