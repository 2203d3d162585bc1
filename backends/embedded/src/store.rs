//! `EmbeddedStore`: one redb database holding items, catalog, counters and settings, with a
//! group-commit writer thread (see `writer`) and read transactions on tokio's blocking pool.

use crate::batch::{Batch, ItemTables};
use crate::catalog_cache::CatalogCache;
use crate::db_slot::DbSlot;
use crate::error::EmbeddedError;
use crate::faults::Faults;
use crate::schema::{CATALOG, ITEMS, META, TABLE_STATS};
use crate::writer::Writer;
use extenddb_core::error::StoreError;
use extenddb_core::traits::Readiness;
use redb::backends::InMemoryBackend;
use redb::{Builder, Database, ReadTransaction, WriteTransaction};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Name of the database file inside the data directory.
pub const DB_FILE_NAME: &str = "extenddb.redb";

/// The `META` key the readiness check writes during a fault episode.
const HEALTH_PROBE: &str = "health_probe";
/// What the readiness check writes during a fault episode: more than the largest item (400 KB)
/// with its index entries' share, so that "ready" means a write of any size fits.
const PROBE_BYTES: usize = 512 * 1024;

/// Tuning of an embedded store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedOptions {
    /// Most write requests committed together in one transaction (one fsync). `1` turns group
    /// commit off (one commit per write), which exists to measure what group commit gains.
    pub max_batch: usize,
}

impl Default for EmbeddedOptions {
    fn default() -> Self {
        EmbeddedOptions { max_batch: 1024 }
    }
}

/// How many commits the writer made for how many write requests (requests / commits is the
/// mean group size).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroupCommitStats {
    /// Durable commits made.
    pub commits: u64,
    /// Write requests those commits carried.
    pub requests: u64,
}

/// The embedded backend: implements `ItemStore` and `Catalog` over one redb database. Cheap to
/// clone (one `Arc`); the database closes when the last clone is dropped.
#[derive(Clone)]
pub struct EmbeddedStore {
    inner: Arc<Inner>,
}

struct Inner {
    slot: Arc<DbSlot>,
    faults: Arc<Faults>,
    writer: Writer,
    catalog_cache: CatalogCache,
    /// IAM changes made through this store (`IamStore::local_changes`).
    iam_changes: AtomicU64,
}

impl std::fmt::Debug for EmbeddedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedStore").finish_non_exhaustive()
    }
}

impl EmbeddedStore {
    /// Opens (creating if needed) the store in directory `path`; the database is the file
    /// `DB_FILE_NAME` inside it.
    pub fn open(path: &Path) -> Result<EmbeddedStore, EmbeddedError> {
        Self::open_with(path, EmbeddedOptions::default())
    }

    /// `open` with explicit options.
    pub fn open_with(
        path: &Path,
        options: EmbeddedOptions,
    ) -> Result<EmbeddedStore, EmbeddedError> {
        std::fs::create_dir_all(path).map_err(|source| EmbeddedError::CreateDir {
            path: path.to_path_buf(),
            source,
        })?;
        let file = path.join(DB_FILE_NAME);
        let db = Builder::new()
            .create(&file)
            .map_err(|source| match source {
                redb::DatabaseError::DatabaseAlreadyOpen => {
                    EmbeddedError::AlreadyOpen { path: file.clone() }
                }
                source => EmbeddedError::Open {
                    path: file.clone(),
                    source,
                },
            })?;
        Self::start(db, file.clone(), Some(file), options)
    }

    /// A store that lives in memory only (tests, throw-away dev servers).
    pub fn in_memory() -> Result<EmbeddedStore, EmbeddedError> {
        let path = PathBuf::from(":memory:");
        let db = Builder::new()
            .create_with_backend(InMemoryBackend::new())
            .map_err(|source| EmbeddedError::Open {
                path: path.clone(),
                source,
            })?;
        Self::start(db, path, None, EmbeddedOptions::default())
    }

    /// Starts the store over `db` (named `path` in errors), opened from `file` (`None`: in
    /// memory).
    fn start(
        db: Database,
        path: PathBuf,
        file: Option<PathBuf>,
        options: EmbeddedOptions,
    ) -> Result<EmbeddedStore, EmbeddedError> {
        create_tables(&db).map_err(|source| EmbeddedError::Init {
            path: path.clone(),
            source,
        })?;
        let faults = Arc::new(Faults::new(file.as_deref()));
        let slot = Arc::new(DbSlot::new(db, file));
        let writer = Writer::start(slot.clone(), faults.clone(), options.max_batch)
            .map_err(|source| EmbeddedError::Thread { path, source })?;
        Ok(EmbeddedStore {
            inner: Arc::new(Inner {
                slot,
                faults,
                writer,
                catalog_cache: CatalogCache::default(),
                iam_changes: AtomicU64::new(0),
            }),
        })
    }

    /// Commits and requests so far, to observe group commit.
    pub fn group_commit_stats(&self) -> GroupCommitStats {
        let c = self.inner.writer.counters();
        GroupCommitStats {
            commits: c.commits.load(Ordering::Relaxed),
            requests: c.jobs.load(Ordering::Relaxed),
        }
    }

    /// Writes dropped unrun because their requester had stopped waiting (deadline passed,
    /// client gone) before the writer reached them.
    pub fn abandoned_writes(&self) -> u64 {
        self.inner
            .writer
            .counters()
            .abandoned
            .load(Ordering::Relaxed)
    }

    /// Ready, or why the store cannot write. Cheap while healthy. During a fault episode it
    /// writes (and then removes) `PROBE_BYTES`, more than the largest item: only when that
    /// fits does the episode end, so readiness does not flap while small writes still squeeze
    /// into the file's free pages and large ones fail, and it comes back by itself once space
    /// is freed even if no client writes meanwhile (a load balancer sends none to a store it
    /// believes not ready).
    pub(crate) async fn check_ready(&self) -> Readiness {
        let faults = &self.inner.faults;
        if !faults.active() {
            return Readiness::Ready;
        }
        // With no room on the file system the probe would only fail again (and make the
        // writer reopen the file): not ready, without trying.
        if faults.out_of_space()
            && faults
                .free_bytes()
                .is_some_and(|free| free < 2 * PROBE_BYTES as u64)
        {
            return faults.readiness();
        }
        let put = self
            .write_txn(|txn| {
                let mut meta = txn.open_table(META)?;
                meta.insert(HEALTH_PROBE, vec![0u8; PROBE_BYTES].as_slice())?;
                Ok(Ok::<(), StoreError>(()))
            })
            .await;
        let removed = self
            .write_txn(|txn| {
                let mut meta = txn.open_table(META)?;
                meta.remove(HEALTH_PROBE)?;
                Ok(Ok::<(), StoreError>(()))
            })
            .await;
        match (put, removed) {
            (Ok(()), Ok(())) => {
                faults.healed();
                Readiness::Ready
            }
            (Err(e), _) | (_, Err(e)) => match faults.readiness() {
                Readiness::Ready => Readiness::NotReady(e.to_string()),
                not_ready => not_ready,
            },
        }
    }

    /// IAM changes made through this store so far.
    pub(crate) fn iam_changes(&self) -> u64 {
        self.inner.iam_changes.load(Ordering::Acquire)
    }

    /// Counts one IAM change (after its commit).
    pub(crate) fn note_iam_change(&self) {
        self.inner.iam_changes.fetch_add(1, Ordering::AcqRel);
    }

    /// The table-definition cache in front of the catalog (see `catalog_cache`).
    pub(crate) fn catalog_cache(&self) -> &CatalogCache {
        &self.inner.catalog_cache
    }

    /// Runs `f` in a read transaction on tokio's blocking pool. For reads whose work grows with
    /// the data (ranges, listings): they may touch many pages and must not stall the runtime.
    pub(crate) async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&ReadTransaction) -> Result<T, StoreError> + Send + 'static,
    {
        let slot = self.inner.slot.clone();
        tokio::task::spawn_blocking(move || {
            let txn = slot.begin_read()?;
            f(&txn)
        })
        .await
        .map_err(|e| StoreError::Backend(format!("read task failed: {e}")))?
    }

    /// Begins a read transaction on the calling thread (a snapshot; it may move to another
    /// thread to continue a long read).
    pub(crate) fn begin_read(&self) -> Result<ReadTransaction, StoreError> {
        self.inner.slot.begin_read()
    }

    /// Runs `f` in a read transaction on the calling thread. Only for point reads: one B-tree
    /// descent, about 1.3 µs on a cached page against 30 µs for a hop through the blocking pool
    /// (measured, see docs/architecture.md); even uncached it is a few page reads.
    pub(crate) fn read_point<T>(
        &self,
        f: impl FnOnce(&ReadTransaction) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let txn = self.inner.slot.begin_read()?;
        f(&txn)
    }

    /// Runs `work` in the writer's next group commit (see `writer`), on the raw transaction.
    pub(crate) async fn write_txn<T, E, W>(&self, work: W) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        W: FnOnce(&WriteTransaction) -> Result<Result<T, E>, redb::Error> + Send + 'static,
    {
        self.inner
            .writer
            .submit(move |batch: &mut Batch<'_>| work(batch.close()?))
            .await
    }

    /// Runs the item write `work` in the writer's next group commit, on the item tables that
    /// the batch's item writes share (see `batch`).
    pub(crate) async fn write_items<T, E, W>(&self, work: W) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        W: FnOnce(&mut ItemTables<'_>) -> Result<Result<T, E>, redb::Error> + Send + 'static,
    {
        self.inner
            .writer
            .submit(move |batch: &mut Batch<'_>| work(batch.item_tables()?))
            .await
    }
}

/// Maps any redb error to core's backend error.
pub(crate) fn backend(e: impl Into<redb::Error>) -> StoreError {
    StoreError::Backend(e.into().to_string())
}

fn create_tables(db: &Database) -> Result<(), redb::Error> {
    let txn = db.begin_write()?;
    txn.open_table(ITEMS)?;
    txn.open_table(TABLE_STATS)?;
    txn.open_table(CATALOG)?;
    txn.open_table(META)?;
    txn.open_table(crate::iam_keys::IAM)?;
    txn.commit()?;
    Ok(())
}
