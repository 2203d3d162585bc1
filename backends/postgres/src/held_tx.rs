//! A write transaction in two statements (migrations/data/0006) instead of BEGIN,
//! lock-and-read, apply, COMMIT: `extenddb_hold_read` takes the advisory locks of the keys the
//! write reads at *session* level and reads them, and commits at once (it wrote nothing, so
//! no WAL flush); core decides; `extenddb_held_apply`, on its own (autocommit), re-takes those
//! locks for its transaction, releases the session's holds, takes the locks of keys written
//! but not read, writes, appends the stream records and commits. Every key read stays locked
//! from before its read until the commit of the writes decided on it, exactly as between
//! BEGIN and COMMIT, so per-key order, cross-process order and the stream's `pos` rule are
//! unchanged; a write and its stream records still commit in one transaction.
//!
//! Session locks outlive a statement, so they must never outlive the write: `HeldConn` is the
//! connection of one such transaction. The apply releases them; `release` does when nothing
//! is applied or the apply failed; if neither has succeeded — an error, or the future dropped
//! between or during the statements — the connection is closed instead of going back to the
//! pool, and PostgreSQL releases a session's locks when it ends, however it ends.

use crate::error::store_err;
use crate::lock::sorted_lock_ids;
use crate::write_tx::{by_ordinal, key_columns, plan, Planned, STATS_SHARDS};
use extenddb_core::error::StoreError;
use extenddb_core::traits::{ItemKey, StoredItem, WriteOp};
use sqlx::pool::PoolConnection;
use sqlx::{PgPool, Postgres};

/// Session-locks the keys `$1` (sorted, distinct), then reads `($2, $3)`.
const HOLD_READ_SQL: &str = "SELECT ord, item FROM extenddb_hold_read($1, $2, $3)";

/// Moves the held locks `$1` into the transaction, locks `$2`, writes, appends, commits.
const HELD_APPLY_SQL: &str = "SELECT extenddb_held_apply($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// Releases every session-level advisory lock of the connection.
const RELEASE_SQL: &str = "SELECT pg_advisory_unlock_all()";

/// The pooled connection of one two-statement write transaction (see the module doc).
pub(crate) struct HeldConn {
    conn: PoolConnection<Postgres>,
    /// The lock ids `hold_read` took, sorted and distinct.
    held: Vec<i64>,
    /// Whether the session may hold advisory locks: set before `hold_read` is sent, cleared
    /// only once the apply or `release` has succeeded.
    holding: bool,
}

impl HeldConn {
    /// A connection from `pool` (holding nothing yet).
    pub(crate) async fn acquire(pool: &PgPool) -> Result<HeldConn, StoreError> {
        Ok(HeldConn {
            conn: pool.acquire().await.map_err(store_err)?,
            held: Vec::new(),
            holding: false,
        })
    }

    /// Locks `reads` (session level, sorted) and returns their current items, in order. One
    /// round trip; the locks stay held until `apply` or `release` succeeds, or the connection
    /// closes.
    pub(crate) async fn hold_read(
        &mut self,
        reads: &[ItemKey],
    ) -> Result<Vec<Option<StoredItem>>, StoreError> {
        if reads.is_empty() {
            return Ok(Vec::new());
        }
        let (sids, keys) = key_columns(reads);
        let ids = sorted_lock_ids(reads);
        self.holding = true;
        let rows = sqlx::query(HOLD_READ_SQL)
            .bind(&ids)
            .bind(sids)
            .bind(keys)
            .fetch_all(&mut *self.conn)
            .await
            .map_err(store_err)?;
        self.held = ids;
        by_ordinal(rows, reads.len())
    }

    /// Applies `writes` (of several writes to one key the last wins) after locking `extra`
    /// (keys written but not read, sorted and distinct), and commits; the read keys stay
    /// locked until that commit. One round trip. On success the session holds no lock; on
    /// an error nothing was written and the caller calls `release` (or drops this, which
    /// closes the connection).
    pub(crate) async fn apply(
        &mut self,
        extra: &[i64],
        writes: &[WriteOp],
    ) -> Result<(), StoreError> {
        let Planned { last, appends } = plan(writes);
        let sids: Vec<i64> = last.keys().map(|k| k.storage_id as i64).collect();
        let keys: Vec<&[u8]> = last.keys().map(|k| k.key.as_slice()).collect();
        let items: Vec<Option<&[u8]>> = last.values().copied().collect();
        sqlx::query(HELD_APPLY_SQL)
            .bind(&self.held)
            .bind(extra)
            .bind(sids)
            .bind(keys)
            .bind(items)
            .bind(STATS_SHARDS)
            .bind(appends.logs)
            .bind(appends.ats)
            .bind(appends.records)
            .execute(&mut *self.conn)
            .await
            .map_err(store_err)?;
        self.held.clear();
        self.holding = false;
        Ok(())
    }

    /// Releases every lock the session holds (nothing to apply, or the apply failed). If
    /// that fails, dropping this closes the connection, which releases them too.
    pub(crate) async fn release(&mut self) {
        if !self.holding {
            return;
        }
        if sqlx::query(RELEASE_SQL)
            .execute(&mut *self.conn)
            .await
            .is_ok()
        {
            self.held.clear();
            self.holding = false;
        }
    }
}

impl Drop for HeldConn {
    fn drop(&mut self) {
        if self.holding {
            // It may hold locks (or be mid-statement): never hand it to another request.
            self.conn.close_on_drop();
        }
    }
}
