//! Eventually consistent reads from hot standbys (`storage.postgres.replicas`).
//!
//! `Replicas` is the `ItemStore` a `PgStore` with replicas hands out as its
//! `eventual_reads`: point and range reads go to a replica known to be within `max_lag` of the
//! primary, round-robin; everything else, and every read when no replica qualifies, goes to
//! the primary.
//!
//! How the lag is known (without trusting clocks or `pg_last_xact_replay_timestamp`, which
//! stops moving when the primary is idle): every `TICK` the watcher reads the primary's
//! flushed WAL position (`pg_current_wal_flush_lsn`) and remembers when it read it; then each
//! replica's replayed position (`pg_last_wal_replay_lsn`). A write acknowledged before the
//! primary was sampled has its commit at or below the sampled position, so a replica that has
//! replayed up to the sample at time `t` shows every write acknowledged before `t`: it is
//! "fresh as of" `t`. A read goes to a replica only while `now - t < max_lag`, so an
//! eventually consistent read never misses a write acknowledged more than `max_lag` (plus the
//! read's own duration) before it. A replica that fails a check, is not a standby, or fails or
//! outlasts `READ_TIMEOUT` on a read is skipped (that read is answered by the primary) until a
//! later check finds it fresh again; a replica that stops replaying ages out within `max_lag`.

use crate::batched_reads::BatchedReads;
use crate::options::PgOptions;
use crate::range::read_page;
use crate::PgStore;
use async_trait::async_trait;
use extenddb_core::error::{ApiError, StoreError};
use extenddb_core::traits::{
    ItemKey, ItemStore, KeyRange, Page, PoolStatus, StoredItem, TableStats, WriteDecider, WriteOp,
    WriteOutcome,
};
use sqlx::PgPool;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::AbortHandle;

/// Where a hot standby listens (the same role, password and database names as the primary).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaTarget {
    /// Host name or IP address; a path starting with `/` is a Unix-socket directory.
    pub host: String,
    /// Port.
    pub port: u16,
}

/// Pause between lag checks.
pub const TICK: Duration = Duration::from_millis(200);

/// The longest a lag check may take before the replica (or primary) counts as unreachable.
const CHECK_TIMEOUT: Duration = Duration::from_secs(1);

/// The longest a read may take on a replica before the primary answers it instead.
const READ_TIMEOUT: Duration = Duration::from_secs(2);

/// The longest a replica read waits for a connection (a down replica refuses at once; this
/// bounds the wait when its pool is exhausted).
const ACQUIRE_TIMEOUT: Duration = Duration::from_millis(500);

const PRIMARY_LSN_SQL: &str = "SELECT (pg_current_wal_flush_lsn() - '0/0'::pg_lsn)::int8";

/// NULL on a server that is not a standby.
const REPLAY_LSN_SQL: &str = "SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::int8";

/// One standby.
struct Replica {
    /// `host:port`, for logs.
    target: String,
    pool: PgPool,
    reads: BatchedReads,
    /// Milliseconds (on `Health::base`, plus one) of the newest primary sample this replica
    /// had replayed at its last check; 0: not usable.
    fresh_at: AtomicU64,
}

/// What the watcher learns and the reads use.
struct Health {
    base: Instant,
    max_lag_ms: u64,
    replicas: Vec<Replica>,
    /// Round-robin position.
    next: AtomicUsize,
    /// Reads answered by a replica.
    served: AtomicU64,
    /// Reads that went to the primary because no replica was fresh or one failed.
    fell_back: AtomicU64,
}

impl Health {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_millis()).unwrap_or(u64::MAX) + 1
    }

    /// A replica fresh enough now, round-robin.
    fn pick(&self) -> Option<&Replica> {
        let n = self.replicas.len();
        let now = self.now_ms();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..n).map(|i| &self.replicas[(start + i) % n]).find(|r| {
            let at = r.fresh_at.load(Ordering::Acquire);
            at != 0 && now.saturating_sub(at) < self.max_lag_ms
        })
    }

    fn failed(&self, r: &Replica, what: &str) {
        if r.fresh_at.swap(0, Ordering::AcqRel) != 0 {
            tracing::warn!(replica = %r.target, "replica skipped: {what}");
        }
    }
}

/// The eventually consistent reader over a primary and its replicas.
pub(crate) struct Replicas {
    primary: PgStore,
    health: Arc<Health>,
    watcher: AbortHandle,
}

impl std::fmt::Debug for Replicas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replicas")
            .field(
                "targets",
                &self
                    .health
                    .replicas
                    .iter()
                    .map(|r| r.target.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("max_lag_ms", &self.health.max_lag_ms)
            .finish_non_exhaustive()
    }
}

impl Drop for Replicas {
    fn drop(&mut self) {
        self.watcher.abort();
    }
}

impl Replicas {
    /// Reads over `targets` (connecting on first use) for `primary`, whose options `opts`
    /// are; starts the lag watcher in the current tokio runtime. No replica is used before
    /// its first check.
    pub(crate) fn start(
        primary: PgStore,
        opts: &PgOptions,
        targets: &[ReplicaTarget],
        max_lag: Duration,
    ) -> Arc<Replicas> {
        let replicas = targets
            .iter()
            .map(|t| {
                let o = PgOptions {
                    host: t.host.clone(),
                    port: t.port,
                    ..opts.clone()
                };
                let pool = o.lazy_pool(&o.data_db, o.pool_size, ACQUIRE_TIMEOUT);
                Replica {
                    target: o.target(),
                    reads: BatchedReads::new(&pool),
                    pool,
                    fresh_at: AtomicU64::new(0),
                }
            })
            .collect();
        let health = Arc::new(Health {
            base: Instant::now(),
            max_lag_ms: u64::try_from(max_lag.as_millis()).unwrap_or(u64::MAX),
            replicas,
            next: AtomicUsize::new(0),
            served: AtomicU64::new(0),
            fell_back: AtomicU64::new(0),
        });
        let watcher =
            tokio::spawn(watch(primary.data_pool().clone(), health.clone())).abort_handle();
        Arc::new(Replicas {
            primary,
            health,
            watcher,
        })
    }

    /// `(reads answered by a replica, reads the primary answered instead)` so far.
    pub(crate) fn counts(&self) -> (u64, u64) {
        (
            self.health.served.load(Ordering::Relaxed),
            self.health.fell_back.load(Ordering::Relaxed),
        )
    }

    /// How many replicas are fresh enough to serve now.
    pub(crate) fn usable(&self) -> usize {
        let now = self.health.now_ms();
        self.health
            .replicas
            .iter()
            .filter(|r| {
                let at = r.fresh_at.load(Ordering::Acquire);
                at != 0 && now.saturating_sub(at) < self.health.max_lag_ms
            })
            .count()
    }

    fn fell_back(&self) {
        self.health.fell_back.fetch_add(1, Ordering::Relaxed);
    }

    fn served(&self) {
        self.health.served.fetch_add(1, Ordering::Relaxed);
    }
}

/// The lag watcher: samples the primary, then checks each replica against the samples.
async fn watch(primary: PgPool, health: Arc<Health>) {
    // (ms, flushed LSN), oldest first; only those within `max_lag` (and the newest) matter.
    let mut samples: VecDeque<(u64, i64)> = VecDeque::new();
    let mut not_standby = vec![false; health.replicas.len()];
    loop {
        let started = Instant::now();
        let at = health.now_ms();
        if let Ok(Ok(lsn)) = tokio::time::timeout(
            CHECK_TIMEOUT,
            sqlx::query_scalar::<_, i64>(PRIMARY_LSN_SQL).fetch_one(&primary),
        )
        .await
        {
            samples.push_back((at, lsn));
        }
        while samples.len() > 1
            && samples
                .front()
                .is_some_and(|(t, _)| at.saturating_sub(*t) > health.max_lag_ms)
        {
            samples.pop_front();
        }
        for (i, r) in health.replicas.iter().enumerate() {
            let replay = tokio::time::timeout(
                CHECK_TIMEOUT,
                sqlx::query_scalar::<_, Option<i64>>(REPLAY_LSN_SQL).fetch_one(&r.pool),
            )
            .await;
            match replay {
                Ok(Ok(Some(replayed))) => {
                    not_standby[i] = false;
                    // The newest sample the replica has replayed past.
                    if let Some((t, _)) = samples.iter().rev().find(|(_, l)| *l <= replayed) {
                        r.fresh_at.store(*t, Ordering::Release);
                    }
                }
                Ok(Ok(None)) => {
                    if !not_standby[i] {
                        tracing::warn!(replica = %r.target, "not a standby (not in recovery): never used for reads");
                        not_standby[i] = true;
                    }
                    r.fresh_at.store(0, Ordering::Release);
                }
                Ok(Err(e)) => health.failed(r, &format!("lag check failed: {e}")),
                Err(_) => health.failed(r, "lag check timed out"),
            }
        }
        tokio::time::sleep_until((started + TICK).into()).await;
    }
}

#[async_trait]
impl ItemStore for Replicas {
    async fn get(&self, key: &ItemKey) -> Result<Option<StoredItem>, StoreError> {
        if let Some(r) = self.health.pick() {
            match tokio::time::timeout(READ_TIMEOUT, r.reads.get(key.clone())).await {
                Ok(Ok(found)) => {
                    self.served();
                    return Ok(found);
                }
                Ok(Err(e)) => self.health.failed(r, &format!("read failed: {e}")),
                Err(_) => self.health.failed(r, "read timed out"),
            }
        }
        self.fell_back();
        self.primary.get(key).await
    }

    async fn range(
        &self,
        storage_id: u64,
        range: &KeyRange,
        forward: bool,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Page, StoreError> {
        if let Some(r) = self.health.pick() {
            let read = read_page(
                &r.pool, &r.reads, storage_id, range, forward, limit, max_bytes,
            );
            match tokio::time::timeout(READ_TIMEOUT, read).await {
                Ok(Ok(page)) => {
                    self.served();
                    return Ok(page);
                }
                Ok(Err(e)) => self.health.failed(r, &format!("read failed: {e}")),
                Err(_) => self.health.failed(r, "read timed out"),
            }
        }
        self.fell_back();
        self.primary
            .range(storage_id, range, forward, limit, max_bytes)
            .await
    }

    async fn write(
        &self,
        reads: Vec<ItemKey>,
        decide: WriteDecider,
    ) -> Result<WriteOutcome, ApiError> {
        self.primary.write(reads, decide).await
    }

    async fn write_unconditional(&self, writes: Vec<WriteOp>) -> Result<(), ApiError> {
        self.primary.write_unconditional(writes).await
    }

    async fn drop_table(&self, storage_id: u64) -> Result<(), StoreError> {
        self.primary.drop_table(storage_id).await
    }

    async fn copy_tables(&self, pairs: &[(u64, u64)]) -> Result<Vec<TableStats>, StoreError> {
        self.primary.copy_tables(pairs).await
    }

    async fn stats(&self, storage_id: u64) -> Result<TableStats, StoreError> {
        self.primary.stats(storage_id).await
    }

    fn pool_status(&self) -> Option<PoolStatus> {
        self.primary.pool_status()
    }
}
