//! The statements of a write transaction: lock and read the keys a write reads, then apply
//! its decided writes (items, index entries, stream appends, history entries) in one
//! statement. Used by single writes (items.rs) and grouped ones (group_tx.rs).

use crate::batched_writes::WRITE_ONE_SQL;
use crate::error::store_err;
use crate::lock::sorted_lock_ids;
use extenddb_core::error::StoreError;
use extenddb_core::traits::{ItemKey, StoredItem, WriteOp};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgExecutor, Row};
use std::collections::BTreeMap;

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

/// The lock ids of the keys `writes` writes that are not among `reads`, sorted and distinct:
/// the locks the applying statement takes (the read keys' locks are held already).
pub(crate) fn extra_locks(reads: &[ItemKey], writes: &[WriteOp]) -> Vec<i64> {
    let read_set: std::collections::HashSet<&ItemKey> = reads.iter().collect();
    sorted_lock_ids(
        writes
            .iter()
            .filter_map(WriteOp::key)
            .filter(|k| !read_set.contains(k)),
    )
}

/// The storage ids and encoded keys of `keys`, as the SQL functions take them (two arrays).
pub(crate) fn key_columns(keys: &[ItemKey]) -> (Vec<i64>, Vec<&[u8]>) {
    keys.iter()
        .map(|k| (k.storage_id as i64, k.key.as_slice()))
        .unzip()
}

/// Locks `reads` and returns their current items, in order. One round trip.
pub(crate) async fn lock_and_read(
    conn: &mut PgConnection,
    reads: &[ItemKey],
) -> Result<Vec<Option<StoredItem>>, StoreError> {
    if reads.is_empty() {
        return Ok(Vec::new());
    }
    let (sids, keys) = key_columns(reads);
    let rows = sqlx::query("SELECT ord, item FROM extenddb_lock_read($1, $2, $3)")
        .bind(sorted_lock_ids(reads))
        .bind(sids)
        .bind(keys)
        .fetch_all(&mut *conn)
        .await
        .map_err(store_err)?;
    by_ordinal(rows, reads.len())
}

/// The `(ord, item)` rows of a locked read of `n` keys as each key's item, in order.
pub(crate) fn by_ordinal(
    rows: Vec<PgRow>,
    n: usize,
) -> Result<Vec<Option<StoredItem>>, StoreError> {
    let mut before = vec![None; n];
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
pub(crate) async fn apply<'e>(
    conn: impl PgExecutor<'e>,
    lock_ids: &[i64],
    writes: &[WriteOp],
) -> Result<(), StoreError> {
    if writes.is_empty() {
        return Ok(());
    }
    let Planned { last, appends } = plan(writes);
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

/// A write transaction's writes as the applying statements take them.
pub(crate) struct Planned<'a> {
    /// The last write to each key (`None`: delete), in key order: of several writes to one
    /// key the last wins, as if applied in order.
    pub(crate) last: BTreeMap<&'a ItemKey, Option<&'a [u8]>>,
    /// The stream appends, in order.
    pub(crate) appends: Appends<'a>,
}

/// `writes` deduplicated by key, with their stream appends apart.
pub(crate) fn plan(writes: &[WriteOp]) -> Planned<'_> {
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
    Planned { last, appends }
}

/// The stream appends of one write, as the `_streamed` functions take them.
#[derive(Default)]
pub(crate) struct Appends<'a> {
    /// Each record's log.
    pub(crate) logs: Vec<i64>,
    /// Each record's time, ms since the epoch.
    pub(crate) ats: Vec<i64>,
    /// The records.
    pub(crate) records: Vec<&'a [u8]>,
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
