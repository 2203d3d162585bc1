//! The shared backend suite on a real PostgreSQL, plus what only PostgreSQL shows: the schema
//! migrations, concurrent writers on absent keys, and conflict mapping.
//!
//! Needs a server: `scripts/pg-cluster.sh start <dir>` then `eval "$(scripts/pg-cluster.sh env <dir>)"`
//! (EXTENDDB_TEST_PG_HOST / _PORT / _USER, a role that may create databases). Without those
//! variables every test here prints why and passes without running (scripts/test.sh sets them).

use extenddb_backend_postgres::{migrate_catalog, migrate_data, Admin, PgOptions, PgStore};
use extenddb_core::testsuite::{backfill_suite, catalog_suite, item_store_suite};
use extenddb_core::traits::{ItemKey, ItemStore, StoredItem, WriteOp};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

/// Admin options from the environment, or `None` (and a printed reason) when unset.
fn admin_options() -> Option<PgOptions> {
    let (Ok(host), Ok(port), Ok(user)) = (
        std::env::var("EXTENDDB_TEST_PG_HOST"),
        std::env::var("EXTENDDB_TEST_PG_PORT"),
        std::env::var("EXTENDDB_TEST_PG_USER"),
    ) else {
        eprintln!("SKIPPED: EXTENDDB_TEST_PG_HOST/PORT/USER unset (see scripts/pg-cluster.sh)");
        return None;
    };
    Some(PgOptions {
        host,
        port: port.parse().expect("EXTENDDB_TEST_PG_PORT"),
        user,
        password: std::env::var("EXTENDDB_TEST_PG_PASSWORD").ok(),
        ..PgOptions::default()
    })
}

static SEQ: AtomicU32 = AtomicU32::new(0);

/// Fresh catalog and data databases, migrated; dropped again by `Fresh::drop_all`.
struct Fresh {
    admin: PgOptions,
    store: PgStore,
}

impl Fresh {
    async fn new(pool_size: u32) -> Option<Fresh> {
        let admin = admin_options()?;
        let tag = format!(
            "t{}_{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::SeqCst)
        );
        let opts = PgOptions {
            catalog_db: format!("xdb_{tag}_catalog"),
            data_db: format!("xdb_{tag}_data"),
            pool_size,
            ..admin.clone()
        };
        let mut a = Admin::connect(&admin).await.unwrap();
        a.create_database(&opts.catalog_db, &admin.user)
            .await
            .unwrap();
        a.create_database(&opts.data_db, &admin.user).await.unwrap();
        a.close().await.unwrap();
        let store = PgStore::connect(&opts).await.unwrap();
        migrate_catalog(store.catalog_pool()).await.unwrap();
        migrate_data(store.data_pool()).await.unwrap();
        Some(Fresh { admin: opts, store })
    }

    async fn drop_all(self) {
        self.store.close().await;
        let mut a = Admin::connect(&self.admin).await.unwrap();
        a.drop_database(&self.admin.catalog_db).await.unwrap();
        a.drop_database(&self.admin.data_db).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn item_store_suite_on_postgres() {
    let Some(f) = Fresh::new(20).await else {
        return;
    };
    item_store_suite(Arc::new(f.store.clone())).await;
    f.drop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn catalog_suite_on_postgres_twice() {
    let Some(f) = Fresh::new(10).await else {
        return;
    };
    catalog_suite(Arc::new(f.store.clone())).await;
    catalog_suite(Arc::new(f.store.clone())).await;
    assert_eq!(f.store.catalog_version().await.unwrap(), "0.0.2");
    // Migrations are idempotent.
    migrate_catalog(f.store.catalog_pool()).await.unwrap();
    migrate_data(f.store.data_pool()).await.unwrap();
    f.drop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backfill_suite_on_postgres() {
    let Some(f) = Fresh::new(10).await else {
        return;
    };
    let store = Arc::new(f.store.clone());
    backfill_suite(store.clone(), store).await;
    f.drop_all().await;
}

/// Many writers create the same absent item conditionally ("put if absent"): exactly one wins,
/// because absent keys are locked too.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn put_if_absent_has_exactly_one_winner() {
    let Some(f) = Fresh::new(16).await else {
        return;
    };
    let store: Arc<dyn ItemStore> = Arc::new(f.store.clone());
    let key = ItemKey {
        storage_id: 42,
        key: b"only-once".to_vec(),
    };
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..16 {
        let (store, key) = (store.clone(), key.clone());
        tasks.spawn(async move {
            let target = key.clone();
            store
                .write(
                    vec![key],
                    Box::new(move |cur| {
                        if cur[0].is_some() {
                            return Err(extenddb_core::error::ApiError::ConditionalCheckFailed {
                                item: None,
                            });
                        }
                        let item = format!(r#"{{"pk":{{"S":"w{i}"}}}}"#);
                        Ok(vec![WriteOp::Put {
                            key: target,
                            item: StoredItem(item.into()),
                        }])
                    }),
                )
                .await
                .is_ok()
        });
    }
    let mut winners = 0;
    while let Some(ok) = tasks.join_next().await {
        winners += usize::from(ok.unwrap());
    }
    assert_eq!(winners, 1);
    assert_eq!(store.stats(42).await.unwrap().item_count, 1);
    f.drop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_database_and_bad_password_are_named() {
    let Some(admin) = admin_options() else { return };
    let opts = PgOptions {
        catalog_db: "xdb_no_such_catalog".into(),
        data_db: "xdb_no_such_data".into(),
        ..admin.clone()
    };
    let err = PgStore::connect(&opts).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "database 'xdb_no_such_data' does not exist (run `extenddb init`, or fix catalog_db/data_db)"
    );
    let unreachable = PgOptions {
        host: "127.0.0.1".into(),
        port: 1,
        ..admin
    };
    let err = PgStore::connect(&unreachable).await.unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cannot reach PostgreSQL at 127.0.0.1:1: "),
        "{err}"
    );
}
