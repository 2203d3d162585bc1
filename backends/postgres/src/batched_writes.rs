//! Coalesced single-key unconditional writes (an unconditional PutItem or DeleteItem on a
//! table without indexes): the writes queued while earlier ones run go to PostgreSQL as one
//! statement in one transaction (`extenddb_write_many`, migrations/data/0004), so that they
//! share a round trip and a commit. Each request is still acknowledged only after the commit
//! that holds its write.
//!
//! A batch is all or nothing; if its statement fails (a deadlock with a general write
//! transaction, say), nothing of it was applied and each write is retried on its own, so one
//! request's failure never becomes another's.

use crate::coalesce::{BatchRun, Coalescer};
use crate::error::store_err;
use crate::lock::{lock_id, sorted_lock_ids};
use async_trait::async_trait;
use extenddb_core::error::StoreError;
use extenddb_core::traits::{ItemKey, StoredItem, WriteOp};
use sqlx::PgPool;
use std::sync::Arc;

/// Write statements in flight at once. A write statement waits for its commit's WAL flush,
/// not for CPU, so writes get more slots than reads; PostgreSQL groups concurrent commits
/// into one flush.
const SLOTS: usize = 4;
/// Writes per statement at most.
const MAX_BATCH: usize = 64;

/// One key: takes the lock `$1` unless NULL, then writes (migrations/data/0003).
pub(crate) const WRITE_ONE_SQL: &str = "SELECT extenddb_write_one($1, $2, $3, $4, $5)";
/// Several keys: locks them all, then writes each in order (migrations/data/0004).
const WRITE_MANY_SQL: &str = "SELECT extenddb_write_many($1, $2, $3, $4, $5)";

/// The coalescer of single-key unconditional writes.
pub(crate) struct BatchedWrites {
    writes: Arc<Coalescer<OneKeyWrites>>,
}

impl std::fmt::Debug for BatchedWrites {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BatchedWrites")
    }
}

impl BatchedWrites {
    /// Writes through `pool`, keeping `table_stats` in `shards` shards.
    pub(crate) fn new(pool: &PgPool, shards: i32) -> BatchedWrites {
        BatchedWrites {
            writes: Coalescer::new(
                OneKeyWrites {
                    pool: pool.clone(),
                    shards,
                },
                SLOTS,
                MAX_BATCH,
            ),
        }
    }

    /// Statements so far that applied more than one write.
    pub(crate) fn shared_statements(&self) -> u64 {
        self.writes.shared_statements()
    }

    /// Applies `op` (a put or a delete) under its key's lock; returns once it is committed.
    pub(crate) async fn write(&self, op: WriteOp) -> Result<(), StoreError> {
        let write = match op {
            WriteOp::Put { key, item } => KeyWrite(key, Some(item)),
            WriteOp::Delete { key } => KeyWrite(key, None),
            WriteOp::StreamAppend { .. } => {
                return Err(StoreError::Backend(
                    "a stream append is not a single-key write".into(),
                ))
            }
        };
        self.writes.submit(write).await?
    }
}

/// One single-key write: the key and the new item (`None`: delete).
pub(crate) struct KeyWrite(ItemKey, Option<StoredItem>);

struct OneKeyWrites {
    pool: PgPool,
    shards: i32,
}

impl OneKeyWrites {
    async fn write_one(&self, op: &KeyWrite) -> Result<(), StoreError> {
        let (key, item) = parts(op);
        sqlx::query(WRITE_ONE_SQL)
            .bind(lock_id(key))
            .bind(key.storage_id as i64)
            .bind(key.key.as_slice())
            .bind(item)
            .bind(self.shards)
            .execute(&self.pool)
            .await
            .map_err(store_err)?;
        Ok(())
    }
}

#[async_trait]
impl BatchRun for OneKeyWrites {
    type Req = KeyWrite;
    type Resp = Result<(), StoreError>;

    async fn run(&self, ops: Vec<KeyWrite>) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        if let [op] = ops.as_slice() {
            return Ok(vec![self.write_one(op).await]);
        }
        let locks = sorted_lock_ids(ops.iter().map(|op| parts(op).0));
        let sids: Vec<i64> = ops.iter().map(|op| parts(op).0.storage_id as i64).collect();
        let keys: Vec<&[u8]> = ops.iter().map(|op| parts(op).0.key.as_slice()).collect();
        let items: Vec<Option<&[u8]>> = ops.iter().map(|op| parts(op).1).collect();
        let together = sqlx::query(WRITE_MANY_SQL)
            .bind(locks)
            .bind(sids)
            .bind(keys)
            .bind(items)
            .bind(self.shards)
            .execute(&self.pool)
            .await;
        match together.map_err(store_err) {
            Ok(_) => return Ok(ops.iter().map(|_| Ok(())).collect()),
            // PostgreSQL is out of reach: one by one would only wait for it once per write.
            Err(e @ StoreError::Unavailable(_)) => return Err(e),
            Err(_) => {}
        }
        // Nothing of the batch was applied; each write gets its own chance and its own error.
        let mut answers = Vec::with_capacity(ops.len());
        for op in &ops {
            answers.push(self.write_one(op).await);
        }
        Ok(answers)
    }
}

/// The key of a write and its item bytes (`None`: delete).
fn parts(op: &KeyWrite) -> (&ItemKey, Option<&[u8]>) {
    (&op.0, op.1.as_ref().map(StoredItem::as_bytes))
}
