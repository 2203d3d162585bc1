//! The shared backend suite on in-memory and file-backed embedded stores, plus what only a
//! file-backed store can show: data survives closing and reopening.

use extenddb_backend_embedded::{EmbeddedError, EmbeddedStore, DB_FILE_NAME};
use extenddb_core::testsuite::{
    backfill_suite, backup_suite, catalog_race_suite, catalog_suite, iam_suite, item_store_suite,
    restore_suite, stream_suite, ttl_suite,
};
use extenddb_core::traits::{Catalog, ItemKey, ItemStore, StoredItem, WriteOp};
use extenddb_core::ApiError;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn item_store_suite_in_memory() {
    item_store_suite(Arc::new(EmbeddedStore::in_memory().unwrap())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn catalog_suite_in_memory() {
    catalog_suite(Arc::new(EmbeddedStore::in_memory().unwrap())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn catalog_races_lose_nothing_in_memory() {
    let store = Arc::new(EmbeddedStore::in_memory().unwrap());
    catalog_race_suite((store.clone(), store.clone()), (store.clone(), store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backfill_suite_in_memory() {
    let store = Arc::new(EmbeddedStore::in_memory().unwrap());
    backfill_suite(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backup_suite_in_memory() {
    let store = Arc::new(EmbeddedStore::in_memory().unwrap());
    backup_suite(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ttl_suite_in_memory() {
    let store = Arc::new(EmbeddedStore::in_memory().unwrap());
    ttl_suite(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stream_suite_in_memory() {
    let store = Arc::new(EmbeddedStore::in_memory().unwrap());
    stream_suite(vec![(store.clone(), store)]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn iam_suite_in_memory() {
    iam_suite(Arc::new(EmbeddedStore::in_memory().unwrap())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn iam_suite_on_file_twice_and_after_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let version = {
        let store = EmbeddedStore::open(dir.path()).unwrap();
        iam_suite(Arc::new(store.clone())).await;
        iam_suite(Arc::new(store.clone())).await;
        extenddb_core::traits::IamStore::iam_version(&store)
            .await
            .unwrap()
    };
    let store = EmbeddedStore::open(dir.path()).unwrap();
    assert_eq!(
        extenddb_core::traits::IamStore::iam_version(&store)
            .await
            .unwrap(),
        version,
        "the IAM version is durable"
    );
    assert_eq!(extenddb_core::traits::IamStore::local_changes(&store), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn item_store_suite_on_file() {
    let dir = tempfile::tempdir().unwrap();
    item_store_suite(Arc::new(EmbeddedStore::open(dir.path()).unwrap())).await;
    assert!(dir.path().join(DB_FILE_NAME).is_file());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn catalog_suite_on_file_twice_over_one_database() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path()).unwrap();
    catalog_suite(Arc::new(store.clone())).await;
    catalog_suite(Arc::new(store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested").join("data");
    let key = ItemKey {
        storage_id: 7,
        key: b"durable".to_vec(),
    };
    let item = StoredItem(bytes::Bytes::from_static(br#"{"pk":{"S":"durable"}}"#));
    let first_id;
    {
        let store = EmbeddedStore::open(&data).unwrap();
        let op = WriteOp::Put {
            key: key.clone(),
            item: item.clone(),
        };
        store
            .write(vec![], Box::new(move |_| Ok(vec![op])))
            .await
            .unwrap();
        first_id = store.next_storage_id().await.unwrap();
        store.put_setting("log_level", "debug").await.unwrap();
        // A second handle on the same directory is refused while the first is open.
        let err = EmbeddedStore::open(&data).unwrap_err();
        assert!(matches!(err, EmbeddedError::AlreadyOpen { .. }), "{err}");
        assert!(err.to_string().contains(DB_FILE_NAME), "{err}");
    }
    let store = EmbeddedStore::open(&data).unwrap();
    assert_eq!(store.get(&key).await.unwrap(), Some(item.clone()));
    let stats = store.stats(7).await.unwrap();
    assert_eq!(stats.item_count, 1);
    assert_eq!(stats.size_bytes, item.as_bytes().len() as u64);
    assert_eq!(store.next_storage_id().await.unwrap(), first_id + 1);
    assert_eq!(
        store.get_setting("log_level").await.unwrap().as_deref(),
        Some("debug")
    );
}

#[tokio::test]
async fn group_commit_batches_concurrent_writers() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path()).unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..64u64 {
        let s = store.clone();
        tasks.spawn(async move {
            let op = WriteOp::Put {
                key: ItemKey {
                    storage_id: 1,
                    key: i.to_be_bytes().to_vec(),
                },
                item: StoredItem(bytes::Bytes::from_static(b"{}")),
            };
            s.write(vec![], Box::new(move |_| Ok(vec![op])))
                .await
                .unwrap();
        });
    }
    while let Some(t) = tasks.join_next().await {
        t.unwrap();
    }
    let gc = store.group_commit_stats();
    assert_eq!(gc.requests, 64);
    assert!(
        gc.commits < 64,
        "64 queued writes took {} commits",
        gc.commits
    );
    assert_eq!(store.stats(1).await.unwrap().item_count, 64);
}

fn put(storage_id: u64, key: u64, item: &'static [u8]) -> WriteOp {
    WriteOp::Put {
        key: ItemKey {
            storage_id,
            key: key.to_be_bytes().to_vec(),
        },
        item: StoredItem(bytes::Bytes::from_static(item)),
    }
}

/// Item writes of one batch share the item tables and sum their stats; writes to other
/// tables, deletions and refused writes in the same batches must leave the stats exact.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stats_stay_exact_when_batches_mix_writes() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path()).unwrap();
    for k in 0..10 {
        let op = put(3, k, b"0123456789");
        store.write_unconditional(vec![op]).await.unwrap();
    }
    assert_eq!(store.stats(3).await.unwrap().item_count, 10);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..40u64 {
        let s = store.clone();
        tasks.spawn(async move {
            s.write_unconditional(vec![put(1, i, b"0123456789")])
                .await
                .unwrap();
            // A write that touches the catalog's tables runs between item writes.
            if i % 4 == 0 {
                s.next_storage_id().await.unwrap();
            }
        });
    }
    for k in 0..10u64 {
        let s = store.clone();
        tasks.spawn(async move {
            let key = ItemKey {
                storage_id: 3,
                key: k.to_be_bytes().to_vec(),
            };
            s.write_unconditional(vec![WriteOp::Delete { key }])
                .await
                .unwrap();
        });
    }
    for k in 100..105u64 {
        let s = store.clone();
        tasks.spawn(async move {
            let refused = s
                .write(
                    vec![],
                    Box::new(move |_| {
                        if k < 1000 {
                            return Err(ApiError::ConditionalCheckFailed { item: None });
                        }
                        Ok(vec![put(1, k, b"never written")])
                    }),
                )
                .await;
            assert!(refused.is_err());
        });
    }
    while let Some(t) = tasks.join_next().await {
        t.unwrap();
    }
    let one = store.stats(1).await.unwrap();
    assert_eq!((one.item_count, one.size_bytes), (40, 400));
    let three = store.stats(3).await.unwrap();
    assert_eq!((three.item_count, three.size_bytes), (0, 0));
}

#[test]
fn open_error_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let err = EmbeddedStore::open(&file).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, EmbeddedError::CreateDir { .. }), "{msg}");
    assert!(msg.contains("not-a-dir"), "{msg}");
    assert!(!msg.contains('\n'), "{msg}");
}

#[tokio::test]
async fn panicking_decider_writes_nothing_and_the_writer_lives_on() {
    let store = EmbeddedStore::in_memory().unwrap();
    let key = ItemKey {
        storage_id: 3,
        key: b"k".to_vec(),
    };
    let err = store
        .write(vec![key.clone()], Box::new(|_| panic!("decider bug")))
        .await
        .unwrap_err();
    assert!(
        matches!(err, extenddb_core::ApiError::Internal(ref m) if m == "Internal server error"),
        "{err:?}"
    );
    assert_eq!(store.get(&key).await.unwrap(), None);
    let op = WriteOp::Put {
        key: key.clone(),
        item: StoredItem(bytes::Bytes::from_static(b"{}")),
    };
    store
        .write(vec![], Box::new(move |_| Ok(vec![op])))
        .await
        .unwrap();
    assert!(store.get(&key).await.unwrap().is_some());
}

/// A range longer than what the store reads inline continues in the same snapshot on the
/// blocking pool: every item once, in order, in both directions, with `Limit`, the byte cap
/// and `more` exactly as for a short range.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_ranges_continue_past_the_inline_part() {
    use extenddb_core::traits::KeyRange;
    use std::ops::Bound;
    let store = EmbeddedStore::in_memory().unwrap();
    let payload = "x".repeat(1000);
    let ops: Vec<WriteOp> = (0..200u32)
        .map(|i| WriteOp::Put {
            key: ItemKey {
                storage_id: 3,
                key: format!("p#{i:04}").into_bytes(),
            },
            item: StoredItem(bytes::Bytes::from(format!(r#"{{"v":"{payload}{i:04}"}}"#))),
        })
        .collect();
    store
        .write(vec![], Box::new(move |_| Ok(ops)))
        .await
        .unwrap();
    let all = KeyRange {
        prefix: b"p#".to_vec(),
        lower: Bound::Unbounded,
        upper: Bound::Unbounded,
    };
    let keys = |page: &extenddb_core::traits::Page| -> Vec<String> {
        page.items
            .iter()
            .map(|(k, _)| String::from_utf8(k.clone()).unwrap())
            .collect()
    };
    let expected: Vec<String> = (0..200u32).map(|i| format!("p#{i:04}")).collect();

    let page = store.range(3, &all, true, 1000, usize::MAX).await.unwrap();
    assert_eq!(keys(&page), expected);
    assert!(!page.more);

    let page = store.range(3, &all, false, 1000, usize::MAX).await.unwrap();
    let mut reversed = expected.clone();
    reversed.reverse();
    assert_eq!(keys(&page), reversed);
    assert!(!page.more);

    let page = store.range(3, &all, true, 150, usize::MAX).await.unwrap();
    assert_eq!(keys(&page), expected[..150].to_vec());
    assert!(page.more);

    let page = store.range(3, &all, false, 50, usize::MAX).await.unwrap();
    assert_eq!(keys(&page), reversed[..50].to_vec());
    assert!(page.more);

    // Each stored item is 1,012 bytes: the cap is reached by the 99th (100,188 bytes), the
    // first item that brings the total to 100,000 or more.
    let page = store.range(3, &all, true, 1000, 100_000).await.unwrap();
    assert_eq!(page.items.len(), 99);
    assert_eq!(keys(&page), expected[..99].to_vec());
    assert!(page.more);

    // A lower bound past the start, and a limit exactly at the end: no more.
    let from_150 = KeyRange {
        prefix: b"p#".to_vec(),
        lower: Bound::Excluded(b"p#0149".to_vec()),
        upper: Bound::Unbounded,
    };
    let page = store
        .range(3, &from_150, true, 50, usize::MAX)
        .await
        .unwrap();
    assert_eq!(keys(&page), expected[150..].to_vec());
    assert!(!page.more);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn restore_suite_in_memory() {
    let store = Arc::new(EmbeddedStore::in_memory().unwrap());
    restore_suite(store.clone(), store).await;
}
