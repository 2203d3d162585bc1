//! `ItemStore::write_unconditional`: the writes land, stats follow exactly, and concurrent
//! unconditional writes and `write` transactions on the same keys serialize (a store whose
//! unconditional path skipped the per-key serialization would miscount the stats here).

use super::item_store::{item, key, SID_C};
use crate::traits::{ItemStore, StoredItem, WriteOp};
use std::sync::Arc;

pub(super) async fn unconditional(store: Arc<dyn ItemStore>) {
    basics(store.as_ref()).await;
    concurrent_with_transactions(store).await;
}

async fn basics(store: &dyn ItemStore) {
    store.drop_table(SID_C).await.unwrap();
    let (a, b) = (key(SID_C, b"u-a"), key(SID_C, b"u-b"));
    let (one, two) = (item("a", "one"), item("b", "two-two"));
    store
        .write_unconditional(vec![
            WriteOp::Put {
                key: a.clone(),
                item: one.clone(),
            },
            WriteOp::Put {
                key: b.clone(),
                item: two.clone(),
            },
        ])
        .await
        .unwrap();
    assert_eq!(store.get(&a).await.unwrap(), Some(one.clone()));
    assert_eq!(store.get(&b).await.unwrap(), Some(two.clone()));
    let stats = store.stats(SID_C).await.unwrap();
    assert_eq!(stats.item_count, 2);
    assert_eq!(
        stats.size_bytes,
        (one.as_bytes().len() + two.as_bytes().len()) as u64
    );

    // Replace one, delete the other, delete one that never existed.
    let bigger = item("a", &"z".repeat(300));
    store
        .write_unconditional(vec![
            WriteOp::Put {
                key: a.clone(),
                item: bigger.clone(),
            },
            WriteOp::Delete { key: b.clone() },
            WriteOp::Delete {
                key: key(SID_C, b"u-never"),
            },
        ])
        .await
        .unwrap();
    assert_eq!(store.get(&a).await.unwrap(), Some(bigger.clone()));
    assert_eq!(store.get(&b).await.unwrap(), None);
    let stats = store.stats(SID_C).await.unwrap();
    assert_eq!(stats.item_count, 1);
    assert_eq!(stats.size_bytes, bigger.as_bytes().len() as u64);
    store.write_unconditional(Vec::new()).await.unwrap();
    store.drop_table(SID_C).await.unwrap();
}

async fn concurrent_with_transactions(store: Arc<dyn ItemStore>) {
    const TASKS: usize = 16;
    const ROUNDS: usize = 15;
    const KEYS: usize = 3;
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..TASKS {
        let store = store.clone();
        tasks.spawn(async move {
            for r in 0..ROUNDS {
                let k = key(SID_C, format!("c-{}", (t + r) % KEYS).as_bytes());
                let it = item("c", &"p".repeat(1 + (t * 7 + r * 13) % 50));
                match (t + r) % 3 {
                    0 => store
                        .write_unconditional(vec![WriteOp::Put { key: k, item: it }])
                        .await
                        .unwrap(),
                    1 => store
                        .write_unconditional(vec![WriteOp::Delete { key: k }])
                        .await
                        .unwrap(),
                    _ => {
                        // Put if absent, else delete: depends on what it read.
                        let target = k.clone();
                        store
                            .write(
                                vec![k],
                                Box::new(move |cur: &[Option<StoredItem>]| {
                                    Ok(vec![match cur[0] {
                                        None => WriteOp::Put {
                                            key: target,
                                            item: it,
                                        },
                                        Some(_) => WriteOp::Delete { key: target },
                                    }])
                                }),
                            )
                            .await
                            .unwrap();
                    }
                }
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    let mut count = 0u64;
    let mut size = 0u64;
    for i in 0..KEYS {
        if let Some(it) = store
            .get(&key(SID_C, format!("c-{i}").as_bytes()))
            .await
            .unwrap()
        {
            count += 1;
            size += it.as_bytes().len() as u64;
        }
    }
    let stats = store.stats(SID_C).await.unwrap();
    assert_eq!((stats.item_count, stats.size_bytes), (count, size));
    store.drop_table(SID_C).await.unwrap();
}
