//! Several extenddb processes over one PostgreSQL, played by several `PgStore` handles (each
//! with its own pools and table-definition cache): versioned catalog updates that lose
//! nothing across processes. Needs a server as suite.rs does; skipped otherwise.

mod common;

use common::Fresh;
use extenddb_backend_postgres::PgStore;
use extenddb_core::testsuite::catalog_race_suite;
use std::sync::Arc;

/// Every read-modify-write of a table definition raced against every other from two
/// "processes": nothing is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn catalog_races_lose_nothing_across_processes() {
    let Some(f) = Fresh::new(10).await else {
        return;
    };
    let other = PgStore::connect(&f.admin).await.unwrap();
    let a = Arc::new(f.store.clone());
    let b = Arc::new(other.clone());
    catalog_race_suite((a.clone(), a), (b.clone(), b)).await;
    other.close().await;
    f.drop_all().await;
}
