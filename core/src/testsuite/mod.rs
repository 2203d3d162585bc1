//! The shared backend test suite (cargo feature `testsuite`): every `ItemStore`, `Catalog` and
//! `IamStore` implementation's tests call these functions with their own store, so a behaviour
//! that holds on one backend and not on another cannot go unnoticed.
//!
//! The suites assert values, not just success. They expect a store of their own or at least
//! storage ids and accounts nobody else uses: the item suite first drops the storage ids it
//! works in (from `FIRST_SUITE_STORAGE_ID` up), the catalog suite derives fresh account ids from
//! `next_storage_id`, the IAM suite uses fresh time-derived account ids. Concurrency checks spawn tokio tasks, so run them on a multi-threaded
//! runtime (`#[tokio::test(flavor = "multi_thread")]`) to exercise real parallelism.

mod backfill;
mod backups;
mod catalog;
mod catalog_races;
mod copies;
mod fixtures;
mod iam;
mod item_store;
mod ranges;
mod restores;
mod streams;
mod tags;
mod transactions;
mod ttl;
mod unconditional;

pub use backfill::backfill_suite;
pub use backups::backup_suite;
pub use catalog::catalog_suite;
pub use catalog_races::{catalog_race_suite, Handle};
use fixtures::index_writes;
pub use fixtures::{account_ctx, hash_table_definition, suite_services, AllowAll};
pub use iam::iam_suite;
pub use item_store::{item_store_suite, FIRST_SUITE_STORAGE_ID};
pub use restores::restore_suite;
pub use streams::stream_suite;
pub use ttl::ttl_suite;
