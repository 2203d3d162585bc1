//! Write transactions hold their keys' advisory locks at session level between the read and
//! the applying statement (held_tx.rs, migrations/data/0006): no such lock may outlive its
//! write — not after a success, a failed condition, a panicking decider, a group, nor a
//! request dropped while it waits for a lock another server holds.
//!
//! Needs a server as suite.rs does; without one every test passes without running.

use extenddb_backend_postgres::PgStore;
use extenddb_core::error::ApiError;
use extenddb_core::traits::{ItemKey, ItemStore, StoredItem, WriteOp};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;

use common::Fresh;

const TABLE: u64 = 41;

fn key(k: &str) -> ItemKey {
    ItemKey {
        storage_id: TABLE,
        key: k.as_bytes().to_vec(),
    }
}

/// Advisory locks held in the store's data database, by any session.
async fn advisory_locks(store: &PgStore) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = \
         (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .fetch_one(store.data_pool())
    .await
    .unwrap()
}

/// Waits up to 5 s for the data database to hold no advisory lock; answers how many remain.
async fn settle(store: &PgStore) -> i64 {
    let start = Instant::now();
    loop {
        let n = advisory_locks(store).await;
        if n == 0 || start.elapsed() > Duration::from_secs(5) {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A write of `k` whose decider answers by `how`: "put" writes `v`, "fail" fails its
/// condition, "panic" panics, "same" decides to write nothing.
async fn write(store: &dyn ItemStore, k: &str, how: &'static str) -> Result<(), ApiError> {
    let target = key(k);
    store
        .write(
            vec![target.clone()],
            Box::new(move |_| match how {
                "put" => Ok(vec![WriteOp::Put {
                    key: target,
                    item: StoredItem("v".into()),
                }]),
                "fail" => Err(ApiError::ConditionalCheckFailed { item: None }),
                "same" => Ok(Vec::new()),
                _ => panic!("a decider that panics"),
            }),
        )
        .await
        .map(|_| ())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_session_lock_outlives_its_write() {
    let Some(f) = Fresh::new(20).await else {
        return;
    };
    let store: Arc<dyn ItemStore> = Arc::new(f.store.clone());
    // Alone, one after the other: each outcome on a connection of its own.
    for (i, how) in ["put", "fail", "same", "panic", "put"]
        .into_iter()
        .enumerate()
    {
        let answer = write(&*store, &format!("alone{i}"), how).await;
        assert_eq!(
            answer.is_ok(),
            how == "put" || how == "same",
            "{how}: {answer:?}"
        );
        assert_eq!(advisory_locks(&f.store).await, 0, "after a lone '{how}'");
    }
    // Concurrently, so that groups form with every kind of member, and groups whose
    // members all drop out.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..400 {
        let store = store.clone();
        let how = ["put", "fail", "fail", "same", "panic", "put"][i % 6];
        tasks.spawn(async move { (how, write(&*store, &format!("k{}", i % 50), how).await) });
    }
    while let Some(done) = tasks.join_next().await {
        let (how, answer) = done.unwrap();
        assert_eq!(
            answer.is_ok(),
            how == "put" || how == "same",
            "{how}: {answer:?}"
        );
    }
    assert!(f.store.grouped_writes().0 > 0, "no write was grouped");
    assert_eq!(settle(&f.store).await, 0);
    // Every key written is there; the rest were never written.
    for i in 0..50 {
        let got = store.get(&key(&format!("k{i}"))).await.unwrap();
        let written = (0..400).any(|j| j % 50 == i && j % 6 % 5 == 0);
        assert_eq!(got.is_some(), written, "k{i}");
    }
    f.drop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_write_dropped_while_it_waits_for_a_lock_leaves_none_behind() {
    let Some(f) = Fresh::new(20).await else {
        return;
    };
    // Another server holds the key's lock for a second (its decider is slow).
    let other = PgStore::connect(&f.admin).await.unwrap();
    let holder = {
        let other = other.clone();
        tokio::spawn(async move {
            let target = key("hot");
            other
                .write(
                    vec![target.clone()],
                    Box::new(move |_| {
                        // Off the runtime's driver, so that the test's timers still fire.
                        tokio::task::block_in_place(|| std::thread::sleep(Duration::from_secs(1)));
                        Ok(vec![WriteOp::Put {
                            key: target,
                            item: StoredItem("first".into()),
                        }])
                    }),
                )
                .await
                .unwrap();
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    // This server's write of the key waits for that lock, and its caller gives up.
    let gave_up =
        tokio::time::timeout(Duration::from_millis(200), write(&f.store, "hot", "put")).await;
    assert!(
        gave_up.is_err(),
        "the write did not wait for the lock: {gave_up:?}"
    );
    holder.await.unwrap();
    // Its session lock, taken once the holder committed, went with its connection.
    assert_eq!(settle(&f.store).await, 0);
    // The key is free for both servers.
    let again = tokio::time::timeout(Duration::from_secs(5), write(&other, "hot", "put")).await;
    assert!(matches!(again, Ok(Ok(()))), "{again:?}");
    let again = tokio::time::timeout(Duration::from_secs(5), write(&f.store, "hot", "put")).await;
    assert!(matches!(again, Ok(Ok(()))), "{again:?}");
    assert_eq!(advisory_locks(&f.store).await, 0);
    other.close().await;
    f.drop_all().await;
}
