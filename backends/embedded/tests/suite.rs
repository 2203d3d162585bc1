//! The shared backend suite on in-memory and file-backed embedded stores, plus what only a
//! file-backed store can show: data survives closing and reopening.

use extenddb_backend_embedded::{EmbeddedError, EmbeddedStore, DB_FILE_NAME};
use extenddb_core::testsuite::{backfill_suite, catalog_suite, item_store_suite};
use extenddb_core::traits::{Catalog, ItemKey, ItemStore, StoredItem, WriteOp};
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
async fn backfill_suite_in_memory() {
    let store = Arc::new(EmbeddedStore::in_memory().unwrap());
    backfill_suite(store.clone(), store).await;
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
