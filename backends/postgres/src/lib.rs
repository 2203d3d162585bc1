//! extenddb on PostgreSQL: `PgStore` implements `ItemStore` over the data database and
//! `Catalog` and `IamStore` over the catalog database, each through its own sqlx pool.
//!
//! Layout (see migrations/): items live in one `items` table keyed by `(storage_id, key)` with
//! the item bytes stored exactly as core produced them; `table_stats` keeps counts in the same
//! transaction. Reads take no locks. A write transaction locks every key it reads — rows that
//! do not exist yet included — with advisory locks on a 64-bit hash of the key, taken in
//! sorted order, then reads, decides, writes and commits, the keys locked throughout
//! (held_tx.rs); a write that decides nothing locks and writes in one statement. Table definitions are cached per process and
//! invalidated across processes by LISTEN/NOTIFY (table_cache.rs). Queries are run-time
//! strings with bound parameters; sqlx prepares and caches each per connection.

mod admin;
mod batched_reads;
mod batched_writes;
mod catalog;
mod coalesce;
mod coordination;
mod error;
mod group_tx;
mod health;
mod held_tx;
mod iam;
mod iam_groups;
mod iam_rows;
mod iam_tx;
mod iam_users;
mod items;
mod lock;
#[cfg(feature = "migrate")]
mod migrate;
mod options;
mod range;
mod replicas;
mod streams;
mod table_cache;
mod write_groups;
mod write_tx;

pub use admin::{Admin, DeploymentSummary};
pub use coordination::{PgCoordination, GRACE as COORDINATION_GRACE, TICK as COORDINATION_TICK};
pub use error::PgError;
#[cfg(feature = "migrate")]
pub use migrate::{migrate_catalog, migrate_data, pending_migrations};
pub use options::{PgOptions, DEFAULT_ACQUIRE_TIMEOUT, MIN_POOL_SIZE};
pub use replicas::{ReplicaTarget, TICK as REPLICA_TICK};

use batched_reads::BatchedReads;
use batched_writes::BatchedWrites;
use sqlx::PgPool;
use std::sync::Arc;
use table_cache::TableCache;
use write_groups::WriteGroups;

/// The schema version the migrations of this build create (`extenddb version`, `verify`).
pub const CATALOG_VERSION: &str = "0.0.2";

/// The PostgreSQL store: `ItemStore` on the data database, `Catalog` on the catalog database.
/// Cheap to clone (the pools and the table-definition cache are shared).
#[derive(Clone, Debug)]
pub struct PgStore {
    data: PgPool,
    catalog: PgPool,
    /// Table definitions, invalidated across processes by LISTEN/NOTIFY (table_cache.rs).
    tables: Arc<TableCache>,
    /// Point and range reads, coalesced under concurrency (coalesce.rs).
    reads: Arc<BatchedReads>,
    /// Single-key unconditional writes, coalesced under concurrency (batched_writes.rs).
    writes: Arc<BatchedWrites>,
    /// Write transactions (`ItemStore::write`), grouped under concurrency (write_groups.rs).
    groups: Arc<WriteGroups>,
    /// IAM changes made through this store and its clones (`IamStore::local_changes`).
    iam_changes: Arc<std::sync::atomic::AtomicU64>,
    /// Eventually consistent reads from hot standbys, when configured (replicas.rs).
    replicas: Option<Arc<replicas::Replicas>>,
}

impl PgStore {
    /// Connects both pools (`pool_size` to the data database, `catalog_pool_size` to the
    /// catalog database) and checks that each answers. Starts the table-definition cache's
    /// listener, which holds one more catalog connection (outside both pools); must run inside a tokio runtime.
    pub async fn connect(opts: &PgOptions) -> Result<PgStore, PgError> {
        let data = opts.pool(&opts.data_db, opts.pool_size).await?;
        let catalog = opts
            .pool(&opts.catalog_db, opts.effective_catalog_pool_size())
            .await?;
        let tables = TableCache::start(&catalog);
        let reads = Arc::new(BatchedReads::new(&data));
        let writes = Arc::new(BatchedWrites::new(&data, write_tx::STATS_SHARDS));
        let groups = Arc::new(WriteGroups::new(&data));
        Ok(PgStore {
            groups,
            data,
            catalog,
            tables,
            reads,
            writes,
            iam_changes: Arc::default(),
            replicas: None,
        })
    }

    /// This store with eventually consistent reads served by the hot standbys `targets`
    /// (same role and database names as `opts`) while their lag is under `max_lag`
    /// (replicas.rs); no targets: unchanged. Starts the lag watcher in the current tokio
    /// runtime.
    pub fn with_replicas(
        mut self,
        opts: &PgOptions,
        targets: &[ReplicaTarget],
        max_lag: std::time::Duration,
    ) -> PgStore {
        if !targets.is_empty() {
            let primary = PgStore {
                replicas: None,
                ..self.clone()
            };
            self.replicas = Some(replicas::Replicas::start(primary, opts, targets, max_lag));
        }
        self
    }

    /// `(reads answered by a replica, eventually consistent reads the primary answered)`
    /// so far, and how many replicas are fresh enough to serve now; `None` without replicas.
    pub fn replica_reads(&self) -> Option<(u64, u64, usize)> {
        self.replicas.as_ref().map(|r| {
            let (served, fell_back) = r.counts();
            (served, fell_back, r.usable())
        })
    }

    /// Whether table definitions are currently served from the cache (its listener is
    /// listening and its version check succeeded lately). Otherwise every lookup reads the
    /// catalog.
    pub fn table_cache_active(&self) -> bool {
        self.tables.is_serving()
    }

    /// Statements so far that answered more than one request: `(reads, writes)`. Coalescing
    /// happens only under concurrency (coalesce.rs); tests and diagnostics read this.
    pub fn coalesced_statements(&self) -> (u64, u64) {
        (
            self.reads.shared_statements(),
            self.writes.shared_statements(),
        )
    }

    /// Write transactions so far that ran more than one `ItemStore::write` request, and the
    /// requests they ran (write_groups.rs); tests and diagnostics read this.
    pub fn grouped_writes(&self) -> (u64, u64) {
        self.groups.grouped()
    }

    /// The data database's pool.
    pub fn data_pool(&self) -> &PgPool {
        &self.data
    }

    /// The catalog database's pool.
    pub fn catalog_pool(&self) -> &PgPool {
        &self.catalog
    }

    /// The catalog's schema version as its migrations recorded it.
    pub async fn catalog_version(&self) -> Result<String, PgError> {
        let v: Option<String> =
            sqlx::query_scalar("SELECT value FROM catalog_meta WHERE key = 'catalog_version'")
                .fetch_optional(&self.catalog)
                .await
                .map_err(PgError::from_query)?;
        v.ok_or(PgError::NotInitialized)
    }

    /// Closes both pools, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.tables.stop().await;
        self.data.close().await;
        self.catalog.close().await;
    }
}
