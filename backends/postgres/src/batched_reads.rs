//! The statements behind coalesced reads (coalesce.rs): point reads of many keys in one
//! `SELECT` over unnested arrays, and the first chunk of many range reads in one `SELECT` with
//! a `LATERAL` index range scan per range.

use crate::coalesce::{BatchRun, Coalescer};
use crate::error::store_err;
use crate::range::fetch_rows;
use async_trait::async_trait;
use extenddb_core::error::StoreError;
use extenddb_core::traits::{ItemKey, KeyRange, StoredItem};
use sqlx::{PgPool, Row};
use std::ops::Bound;
use std::sync::Arc;

/// Statements of one kind in flight at once; the rest of that kind's requests queue and go
/// out together. Measured at 64 clients on 2 cores (docs/performance.md): 2 slots cost
/// PostgreSQL 40 µs per GetItem, 4 slots 60 µs, 8 slots 100 µs, at the same throughput.
const SLOTS: usize = 2;
/// Requests answered by one statement at most.
const MAX_BATCH: usize = 128;

const GET_ONE_SQL: &str = "SELECT item FROM items WHERE storage_id = $1 AND key = $2";
const GET_MANY_SQL: &str = "SELECT r.ord, i.item \
     FROM unnest($1::int8[], $2::bytea[]) WITH ORDINALITY AS r(sid, key, ord) \
     JOIN items i ON i.storage_id = r.sid AND i.key = r.key";

/// The batched range statement, rows in `dir` (`ASC` or `DESC`) key order within each range.
fn range_sql(dir: &str) -> String {
    format!(
        "SELECT r.ord, i.key, i.item \
         FROM unnest($1::int8[], $2::bytea[], $3::bytea[], $4::int8[]) \
              WITH ORDINALITY AS r(sid, lo, hi, lim, ord) \
         CROSS JOIN LATERAL (SELECT key, item FROM items \
              WHERE storage_id = r.sid AND key >= r.lo AND key < r.hi \
              ORDER BY key {dir} LIMIT r.lim) AS i \
         ORDER BY r.ord, i.key {dir}"
    )
}

/// The coalescers of one store: point reads, and range reads in each direction.
pub(crate) struct BatchedReads {
    gets: Arc<Coalescer<PointReads>>,
    forward: Arc<Coalescer<RangeReads>>,
    backward: Arc<Coalescer<RangeReads>>,
}

impl std::fmt::Debug for BatchedReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BatchedReads")
    }
}

impl BatchedReads {
    /// Coalescers reading through `pool`.
    pub(crate) fn new(pool: &PgPool) -> BatchedReads {
        let range = |forward| {
            Coalescer::new(
                RangeReads {
                    pool: pool.clone(),
                    forward,
                    sql: range_sql(if forward { "ASC" } else { "DESC" }),
                },
                SLOTS,
                MAX_BATCH,
            )
        };
        BatchedReads {
            gets: Coalescer::new(PointReads { pool: pool.clone() }, SLOTS, MAX_BATCH),
            forward: range(true),
            backward: range(false),
        }
    }

    /// Statements so far that answered more than one read.
    pub(crate) fn shared_statements(&self) -> u64 {
        self.gets.shared_statements()
            + self.forward.shared_statements()
            + self.backward.shared_statements()
    }

    /// The item stored under `key`, if any.
    pub(crate) async fn get(&self, key: ItemKey) -> Result<Option<StoredItem>, StoreError> {
        self.gets.submit(key).await
    }

    /// Up to `req.limit` `(key, item)` rows of `req`'s range, in the given direction.
    pub(crate) async fn range(
        &self,
        req: RangeReq,
        forward: bool,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        if forward {
            self.forward.submit(req).await
        } else {
            self.backward.submit(req).await
        }
    }
}

/// Point reads by primary key.
struct PointReads {
    pool: PgPool,
}

#[async_trait]
impl BatchRun for PointReads {
    type Req = ItemKey;
    type Resp = Option<StoredItem>;

    async fn run(&self, keys: Vec<ItemKey>) -> Result<Vec<Option<StoredItem>>, StoreError> {
        if let [key] = keys.as_slice() {
            let item: Option<Vec<u8>> = sqlx::query_scalar(GET_ONE_SQL)
                .bind(key.storage_id as i64)
                .bind(key.key.as_slice())
                .fetch_optional(&self.pool)
                .await
                .map_err(store_err)?;
            return Ok(vec![item.map(|b| StoredItem(b.into()))]);
        }
        let sids: Vec<i64> = keys.iter().map(|k| k.storage_id as i64).collect();
        let raw: Vec<&[u8]> = keys.iter().map(|k| k.key.as_slice()).collect();
        let rows = sqlx::query(GET_MANY_SQL)
            .bind(sids)
            .bind(raw)
            .fetch_all(&self.pool)
            .await
            .map_err(store_err)?;
        let mut items = vec![None; keys.len()];
        for row in rows {
            let ord: i64 = row.try_get(0).map_err(store_err)?;
            let item: Vec<u8> = row.try_get(1).map_err(store_err)?;
            *slot(&mut items, ord)? = Some(StoredItem(item.into()));
        }
        Ok(items)
    }
}

/// One range read: keys `lo <= key < hi` of table `storage_id`, at most `limit` rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RangeReq {
    /// The table's storage id.
    pub(crate) storage_id: u64,
    /// Inclusive lower bound.
    pub(crate) lo: Vec<u8>,
    /// Exclusive upper bound.
    pub(crate) hi: Vec<u8>,
    /// Rows to return at most.
    pub(crate) limit: i64,
}

/// Range reads in one direction.
struct RangeReads {
    pool: PgPool,
    forward: bool,
    /// The batched statement for this direction (built once).
    sql: String,
}

#[async_trait]
impl BatchRun for RangeReads {
    type Req = RangeReq;
    type Resp = Vec<(Vec<u8>, Vec<u8>)>;

    async fn run(&self, reqs: Vec<RangeReq>) -> Result<Vec<Self::Resp>, StoreError> {
        if let [req] = reqs.as_slice() {
            // Alone: the plain range statement (no unnest, LATERAL or sort).
            let range = KeyRange {
                prefix: Vec::new(),
                lower: Bound::Included(req.lo.clone()),
                upper: Bound::Excluded(req.hi.clone()),
            };
            let limit = usize::try_from(req.limit).unwrap_or(usize::MAX);
            let rows = fetch_rows(
                &self.pool,
                req.storage_id,
                &range,
                self.forward,
                None,
                limit,
            )
            .await?;
            return Ok(vec![rows]);
        }
        let sids: Vec<i64> = reqs.iter().map(|r| r.storage_id as i64).collect();
        let los: Vec<&[u8]> = reqs.iter().map(|r| r.lo.as_slice()).collect();
        let his: Vec<&[u8]> = reqs.iter().map(|r| r.hi.as_slice()).collect();
        let limits: Vec<i64> = reqs.iter().map(|r| r.limit).collect();
        let rows = sqlx::query(&self.sql)
            .bind(sids)
            .bind(los)
            .bind(his)
            .bind(limits)
            .fetch_all(&self.pool)
            .await
            .map_err(store_err)?;
        let mut pages: Vec<Self::Resp> = vec![Vec::new(); reqs.len()];
        for row in rows {
            let ord: i64 = row.try_get(0).map_err(store_err)?;
            let key: Vec<u8> = row.try_get(1).map_err(store_err)?;
            let item: Vec<u8> = row.try_get(2).map_err(store_err)?;
            slot(&mut pages, ord)?.push((key, item));
        }
        Ok(pages)
    }
}

/// The answer slot of the request with 1-based ordinal `ord`.
fn slot<T>(answers: &mut [T], ord: i64) -> Result<&mut T, StoreError> {
    usize::try_from(ord - 1)
        .ok()
        .and_then(|i| answers.get_mut(i))
        .ok_or_else(|| StoreError::Backend(format!("a batched read returned ordinal {ord}")))
}
