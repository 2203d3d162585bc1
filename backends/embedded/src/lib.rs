//! extenddb storage on redb: `ItemStore` and `Catalog` in one embedded, durable, ordered
//! database file — zero set-up, the default of `extenddb dev`.
//!
//! Reads run in redb read transactions (MVCC: they never block writers); every write goes through
//! one writer thread that group-commits queued requests with one fsync. The key layout is in
//! `schema`, the commit protocol in `writer`; docs/architecture.md records the measurements.

mod batch;
mod catalog;
mod catalog_cache;
mod catalog_doc;
mod db_slot;
mod error;
mod faults;
mod iam;
mod iam_groups;
mod iam_keys;
mod iam_txn;
mod iam_users;
mod item_store;
mod schema;
mod store;
mod writer;

pub use error::EmbeddedError;
pub use store::{EmbeddedOptions, EmbeddedStore, GroupCommitStats, DB_FILE_NAME};
