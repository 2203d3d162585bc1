//! Errors of opening an embedded store. Failures of individual requests are reported through
//! core's `StoreError`/`ApiError` instead.

use std::path::PathBuf;

/// Why an embedded store could not be opened. Display is one line naming the path and the
/// problem, fit for a CLI's error output.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    /// The data directory could not be created.
    #[error("cannot create data directory {path}: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// Another process (or another store in this one) holds the database open.
    #[error("database {path} is already open by another process or store")]
    AlreadyOpen {
        /// The database file.
        path: PathBuf,
    },
    /// redb could not open or create the database file.
    #[error("cannot open database {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// redb's reason.
        source: redb::DatabaseError,
    },
    /// The database opened but its tables could not be created or read.
    #[error("cannot initialize database {path}: {source}")]
    Init {
        /// The database file.
        path: PathBuf,
        /// redb's reason.
        source: redb::Error,
    },
    /// The writer thread could not be started.
    #[error("cannot start the writer thread for {path}: {source}")]
    Thread {
        /// The database file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
}
