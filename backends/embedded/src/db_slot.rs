//! The open redb `Database`, replaceable while the store runs.
//!
//! After any I/O error (a full disk, most often) redb fails every later operation of that
//! `Database` with `PreviousIo` until it is closed and opened again (redb's `CheckedBackend`
//! latches the failure, because the state on disk is no longer known). That latch is why the
//! store used to refuse every write, deletes included, until the process restarted. The
//! writer thread therefore reopens the file after such an error: opening re-reads the last
//! committed state (repairing it if the failed commit left it unclean), and work goes on as
//! soon as the disk takes writes again. Readers load the current handle without locking
//! (`arc_swap`); while a reopen is under way they get `StoreError::Unavailable`.

use crate::store::backend;
use arc_swap::ArcSwapOption;
use extenddb_core::error::StoreError;
use redb::{Builder, Database, ReadTransaction, ReadableDatabase};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Longest wait for readers to let go of the old handle before closing it anyway.
const RELEASE_WAIT: Duration = Duration::from_secs(2);

/// The current database handle and how to open it again.
pub(crate) struct DbSlot {
    current: ArcSwapOption<Database>,
    /// The database file; `None` for an in-memory store, which cannot be reopened (it has no
    /// disk to fail, either).
    file: Option<PathBuf>,
}

impl DbSlot {
    /// A slot holding `db`, opened from `file` (`None`: in memory).
    pub(crate) fn new(db: Database, file: Option<PathBuf>) -> DbSlot {
        DbSlot {
            current: ArcSwapOption::from_pointee(db),
            file,
        }
    }

    /// The open database, or `None` while it is being reopened (or could not be).
    pub(crate) fn get(&self) -> Option<Arc<Database>> {
        self.current.load_full()
    }

    /// Begins a read transaction on the current database.
    pub(crate) fn begin_read(&self) -> Result<ReadTransaction, StoreError> {
        let guard = self.current.load();
        match guard.as_deref() {
            Some(db) => db.begin_read().map_err(read_error),
            None => Err(reopening()),
        }
    }

    /// Closes the current database (readers get `Unavailable` until `reopen`). Called by the
    /// writer thread only, after an I/O error; a store in memory stays open.
    pub(crate) fn close(&self) {
        if self.file.is_none() {
            return;
        }
        if let Some(old) = self.current.swap(None) {
            close(old);
        }
    }

    /// Closes the current database and opens the file again (redb repairs it first if the
    /// failed handle could not close it cleanly). Called by the writer thread only, after an
    /// I/O error; on failure the slot stays empty and the next call retries.
    pub(crate) fn reopen(&self) -> Result<(), String> {
        let Some(file) = &self.file else {
            return Err("an in-memory store cannot be reopened".into());
        };
        self.close();
        let db = Builder::new()
            .create(file)
            .map_err(|e| format!("cannot reopen {}: {e}", file.display()))?;
        self.current.store(Some(Arc::new(db)));
        Ok(())
    }
}

/// Closes `db` once the readers that loaded it have begun their transactions (they hold the
/// handle only for that long); a handle still shared after `RELEASE_WAIT` is dropped, and the
/// file closes when its last holder lets go.
fn close(mut db: Arc<Database>) {
    let deadline = Instant::now() + RELEASE_WAIT;
    loop {
        match Arc::try_unwrap(db) {
            Ok(db) => {
                // It failed already; closing reports that again and has nothing to flush.
                if let Err(e) = db.close() {
                    tracing::debug!(error = %e, "closing the failed database");
                }
                return;
            }
            Err(shared) if Instant::now() < deadline => {
                db = shared;
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(_) => return,
        }
    }
}

/// The error of a read while the database is being reopened.
fn reopening() -> StoreError {
    StoreError::Unavailable("the store is reopening after an I/O error".into())
}

/// A failed `begin_read`: the latched I/O error of a database about to be reopened is a
/// passing unavailability, anything else a backend failure.
fn read_error(e: redb::TransactionError) -> StoreError {
    let e: redb::Error = e.into();
    match e {
        redb::Error::PreviousIo | redb::Error::DatabaseClosed | redb::Error::Io(_) => {
            StoreError::Unavailable(format!("cannot read: {e}"))
        }
        other => backend(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reopen_keeps_the_data_and_frees_the_file_lock() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.redb");
        const T: redb::TableDefinition<u64, u64> = redb::TableDefinition::new("t");
        let db = Builder::new().create(&file).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(T).unwrap().insert(1, 2).unwrap();
        txn.commit().unwrap();
        let slot = DbSlot::new(db, Some(file));
        // A reader holding a transaction does not stop the reopen.
        let old_reader = slot.begin_read().unwrap();
        slot.reopen().unwrap();
        drop(old_reader);
        let txn = slot.begin_read().unwrap();
        let t = txn.open_table(T).unwrap();
        assert_eq!(t.get(1).unwrap().unwrap().value(), 2);
    }

    #[test]
    fn in_memory_stores_are_not_reopened() {
        let db = Builder::new()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .unwrap();
        let slot = DbSlot::new(db, None);
        assert!(slot.reopen().is_err());
        assert!(slot.get().is_some());
    }
}
