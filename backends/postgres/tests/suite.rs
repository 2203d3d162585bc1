//! The shared backend suite on a real PostgreSQL, plus what only PostgreSQL shows: the schema
//! migrations, concurrent writers on absent keys, and conflict mapping.
//!
//! Needs a server: `scripts/pg-cluster.sh start <dir>` then `eval "$(scripts/pg-cluster.sh env <dir>)"`
//! (EXTENDDB_TEST_PG_HOST / _PORT / _USER, a role that may create databases). Without those
//! variables every test here prints why and passes without running (scripts/test.sh sets them).

use extenddb_backend_postgres::{
    migrate_catalog, migrate_data, pending_migrations, Admin, PgOptions, PgStore,
};
use extenddb_core::testsuite::{
    backfill_suite, backup_suite, catalog_suite, iam_suite, item_store_suite, restore_suite,
    stream_suite, ttl_suite,
};
use extenddb_core::traits::{ItemKey, ItemStore, StoredItem, WriteOp};
use std::sync::Arc;

mod common;

use common::{admin_options, Fresh};

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
    assert!(pending_migrations(&f.store).await.unwrap().is_empty());
    // A deployment made before data migration 0003: listed as pending until migrated again.
    sqlx::query("DROP FUNCTION extenddb_write_one")
        .execute(f.store.data_pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 3")
        .execute(f.store.data_pool())
        .await
        .unwrap();
    assert_eq!(
        pending_migrations(&f.store).await.unwrap(),
        vec!["data 0003 write one".to_string()]
    );
    migrate_data(f.store.data_pool()).await.unwrap();
    assert!(pending_migrations(&f.store).await.unwrap().is_empty());
    f.drop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn iam_suite_on_postgres_twice_and_across_handles() {
    use extenddb_core::traits::IamStore;
    let Some(f) = Fresh::new(10).await else {
        return;
    };
    iam_suite(Arc::new(f.store.clone())).await;
    iam_suite(Arc::new(f.store.clone())).await;
    // Another process's handle sees the version move but counts no local change.
    let other = PgStore::connect(&f.admin).await.unwrap();
    let before = other.iam_version().await.unwrap();
    assert!(before > 0);
    iam_suite(Arc::new(f.store.clone())).await;
    assert!(other.iam_version().await.unwrap() > before);
    assert_eq!(other.local_changes(), 0);
    assert!(f.store.local_changes() > 0);
    other.close().await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backup_suite_on_postgres() {
    let Some(f) = Fresh::new(10).await else {
        return;
    };
    let store = Arc::new(f.store.clone());
    backup_suite(store.clone(), store).await;
    f.drop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ttl_suite_on_postgres() {
    let Some(f) = Fresh::new(10).await else {
        return;
    };
    let store = Arc::new(f.store.clone());
    ttl_suite(store.clone(), store).await;
    f.drop_all().await;
}

/// Streams with writers spread over two stores (two server processes) on one database: one
/// stream, in commit order per key.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stream_suite_on_postgres_across_two_stores() {
    let Some(f) = Fresh::new(10).await else {
        return;
    };
    let other = PgStore::connect(&f.admin).await.unwrap();
    let a = Arc::new(f.store.clone());
    let b = Arc::new(other.clone());
    stream_suite(vec![(a.clone(), a), (b.clone(), b)]).await;
    other.close().await;
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

fn table(name: &str, storage_id: u64) -> extenddb_core::model::table::TableDefinition {
    extenddb_core::testsuite::hash_table_definition("123456789012", name, storage_id)
}

async fn until_cache_active(store: &PgStore) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !store.table_cache_active() {
        assert!(
            std::time::Instant::now() < deadline,
            "listener never LISTENed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// Two stores over one catalog stand for two extenddb processes: a DeleteTable + CreateTable of
/// the same name through one is seen by the other within the notification latency, although
/// the other serves the table from its cache (shown by a change made behind both caches).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn table_cache_is_invalidated_across_processes() {
    use extenddb_core::traits::Catalog;
    let Some(f) = Fresh::new(10).await else {
        return;
    };
    let a = f.store.clone();
    let b = PgStore::connect(&f.admin).await.unwrap();
    until_cache_active(&a).await;
    until_cache_active(&b).await;
    let acct = "123456789012";

    // A negative answer is cached too, and a create through `a` invalidates it in `b`.
    assert_eq!(b.get_table(acct, "t").await.unwrap(), None);
    a.create_table(&table("t", 1)).await.unwrap();
    let sid =
        |d: Option<Arc<extenddb_core::model::table::TableDefinition>>| d.map(|d| d.storage_id);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    while sid(b.get_table(acct, "t").await.unwrap()) != Some(1) {
        assert!(std::time::Instant::now() < deadline, "create not seen");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }

    // `b` now serves it from its cache: a change that sends no notification stays unseen.
    sqlx::query(
        "UPDATE tables SET definition = jsonb_set(definition, '{storage_id}', '77') \
         WHERE name = 't'",
    )
    .execute(a.catalog_pool())
    .await
    .unwrap();
    assert_eq!(sid(b.get_table(acct, "t").await.unwrap()), Some(1));

    // Drop and recreate through `a`: `a` sees it at once, `b` well within the 5 s entry age.
    a.delete_table(acct, "t").await.unwrap();
    a.create_table(&table("t", 2)).await.unwrap();
    assert_eq!(sid(a.get_table(acct, "t").await.unwrap()), Some(2));
    let started = std::time::Instant::now();
    while sid(b.get_table(acct, "t").await.unwrap()) != Some(2) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "recreate not seen"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }

    // A status change through `put_table` (lifecycle's settle) reaches `b` the same way.
    let mut deleting = table("t", 2);
    deleting.status = extenddb_core::model::table::TableStatus::Deleting;
    a.put_table(&deleting).await.unwrap();
    let started = std::time::Instant::now();
    loop {
        let status = b.get_table(acct, "t").await.unwrap().map(|d| d.status);
        if status == Some(extenddb_core::model::table::TableStatus::Deleting) {
            break;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    b.close().await;
    assert!(!b.table_cache_active());
    f.drop_all().await;
}

fn key(sid: u64, k: &str) -> ItemKey {
    ItemKey {
        storage_id: sid,
        key: k.as_bytes().to_vec(),
    }
}

fn item(v: &str) -> StoredItem {
    StoredItem(format!(r#"{{"v":{{"S":"{v}"}}}}"#).into())
}

/// Hundreds of concurrent single-key writes, point reads and range reads: many share a
/// statement (coalesce.rs), and each still gets exactly its own answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn coalesced_requests_each_get_their_own_answer() {
    let Some(f) = Fresh::new(10).await else {
        return;
    };
    let store: Arc<dyn ItemStore> = Arc::new(f.store.clone());
    // Partition p0..p19 holds sort values s0..s9: key "p{p}/s{s}".
    let mut tasks = tokio::task::JoinSet::new();
    for p in 0..20 {
        for s in 0..10 {
            let store = store.clone();
            tasks.spawn(async move {
                let k = key(7, &format!("p{p:02}/s{s}"));
                let op = WriteOp::Put {
                    key: k,
                    item: item(&format!("{p}-{s}")),
                };
                store.write_unconditional(vec![op]).await.unwrap();
            });
        }
    }
    // 40 writers race on one key; deletes of absent keys are no-ops.
    for w in 0..40 {
        let store = store.clone();
        tasks.spawn(async move {
            let op = WriteOp::Put {
                key: key(8, "contended"),
                item: item(&format!("w{w}")),
            };
            store.write_unconditional(vec![op]).await.unwrap();
            let gone = WriteOp::Delete {
                key: key(8, &format!("absent{w}")),
            };
            store.write_unconditional(vec![gone]).await.unwrap();
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    assert_eq!(store.stats(7).await.unwrap().item_count, 200);
    assert_eq!(store.stats(8).await.unwrap().item_count, 1);
    let won = store.get(&key(8, "contended")).await.unwrap().unwrap();
    assert!(std::str::from_utf8(won.as_bytes()).unwrap().contains("\"w"));

    let mut reads = tokio::task::JoinSet::new();
    for i in 0..300 {
        let store = store.clone();
        reads.spawn(async move {
            let (p, s) = (i % 25, i % 11);
            let got = store.get(&key(7, &format!("p{p:02}/s{s}"))).await.unwrap();
            let want = (p < 20 && s < 10).then(|| item(&format!("{p}-{s}")));
            assert_eq!(got, want, "get p{p} s{s}");
        });
    }
    for i in 0..200 {
        let store = store.clone();
        reads.spawn(async move {
            let p = i % 20;
            let forward = i % 2 == 0;
            let prefix = format!("p{p:02}/").into_bytes();
            // Sort values s2 < x <= s7, as a Query with BETWEEN-like bounds would ask.
            let range = extenddb_core::traits::KeyRange {
                prefix: prefix.clone(),
                lower: std::ops::Bound::Excluded(format!("p{p:02}/s2").into_bytes()),
                upper: std::ops::Bound::Included(format!("p{p:02}/s7").into_bytes()),
            };
            let page = store
                .range(7, &range, forward, 3, usize::MAX)
                .await
                .unwrap();
            let mut want: Vec<usize> = (3..=7).collect();
            if !forward {
                want.reverse();
            }
            let got: Vec<Vec<u8>> = page.items.iter().map(|(k, _)| k.clone()).collect();
            let want_keys: Vec<Vec<u8>> = want[..3]
                .iter()
                .map(|s| format!("p{p:02}/s{s}").into_bytes())
                .collect();
            assert_eq!(got, want_keys, "range p{p} forward={forward}");
            assert!(page.more);
            assert_eq!(page.items[0].1, item(&format!("{p}-{}", want[0])));
            // The whole partition in one page, and an empty partition.
            let all = extenddb_core::traits::KeyRange {
                prefix,
                lower: std::ops::Bound::Unbounded,
                upper: std::ops::Bound::Unbounded,
            };
            let page = store
                .range(7, &all, forward, 100, usize::MAX)
                .await
                .unwrap();
            assert_eq!(page.items.len(), 10);
            assert!(!page.more);
            let none = extenddb_core::traits::KeyRange {
                prefix: format!("q{p:02}/").into_bytes(),
                lower: std::ops::Bound::Unbounded,
                upper: std::ops::Bound::Unbounded,
            };
            assert!(store
                .range(7, &none, forward, 100, usize::MAX)
                .await
                .unwrap()
                .items
                .is_empty());
        });
    }
    while let Some(done) = reads.join_next().await {
        done.unwrap();
    }
    let (shared_reads, shared_writes) = f.store.coalesced_statements();
    assert!(shared_reads > 0, "no read statement was shared");
    assert!(shared_writes > 0, "no write statement was shared");
    f.drop_all().await;
}

/// `init`'s role handling: an operator-chosen password with quotes and backslashes is stored
/// exactly (checked through an md5 hash the test can recompute), and `set_role_password`
/// replaces it.
#[tokio::test]
async fn role_passwords_are_stored_exactly() {
    let Some(admin) = admin_options() else {
        return;
    };
    let mut probe = admin.connect_one("postgres").await.unwrap();
    // New sessions of this user hash passwords with md5, which SQL can recompute.
    sqlx::raw_sql("ALTER ROLE CURRENT_USER SET password_encryption = 'md5'")
        .execute(&mut probe)
        .await
        .unwrap();
    let role = format!("xrole_{}", std::process::id());
    let stored_as = |pw: &'static str| {
        let role = role.clone();
        let admin = admin.clone();
        async move {
            let mut c = admin.connect_one("postgres").await.unwrap();
            let same: bool = sqlx::query_scalar(
                "SELECT rolpassword = 'md5' || md5($1 || $2) FROM pg_authid WHERE rolname = $2",
            )
            .bind(pw)
            .bind(&role)
            .fetch_one(&mut c)
            .await
            .unwrap();
            same
        }
    };
    let mut a = Admin::connect(&admin).await.unwrap();
    a.drop_role(&role).await.unwrap();
    assert!(!a.role_exists(&role).await.unwrap());
    a.create_role(&role, r"it's a \ test''").await.unwrap();
    assert!(a.role_exists(&role).await.unwrap());
    assert!(stored_as(r"it's a \ test''").await);
    a.set_role_password(&role, r"\'second").await.unwrap();
    assert!(stored_as(r"\'second").await);
    assert!(a.create_role(&role, "x").await.is_err(), "the role exists");
    a.drop_role(&role).await.unwrap();
    a.close().await.unwrap();
    sqlx::raw_sql("ALTER ROLE CURRENT_USER RESET password_encryption")
        .execute(&mut probe)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn restore_suite_on_postgres() {
    let Some(f) = Fresh::new(10).await else {
        return;
    };
    let store = Arc::new(f.store.clone());
    restore_suite(store.clone(), store).await;
    f.drop_all().await;
}
