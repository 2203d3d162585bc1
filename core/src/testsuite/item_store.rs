//! The `ItemStore` half of the shared backend suite.

use crate::error::ApiError;
use crate::model::AttributeValue;
use crate::traits::{ItemKey, ItemStore, StoredItem, WriteOp};
use std::ops::Bound;
use std::sync::Arc;

/// The lowest storage id the item suite writes to; it uses a handful from here up.
pub const FIRST_SUITE_STORAGE_ID: u64 = 0x7E57_0000_0000;

pub(super) const SID_A: u64 = FIRST_SUITE_STORAGE_ID;
pub(super) const SID_B: u64 = FIRST_SUITE_STORAGE_ID + 1;
pub(super) const SID_C: u64 = FIRST_SUITE_STORAGE_ID + 2;

pub(super) fn key(storage_id: u64, k: &[u8]) -> ItemKey {
    ItemKey {
        storage_id,
        key: k.to_vec(),
    }
}

/// A stored item with a string payload: valid DynamoDB JSON (so JSON-storing backends work),
/// spelled out so equal arguments give equal bytes.
pub(super) fn item(pk: &str, payload: &str) -> StoredItem {
    let json = format!(r#"{{"pk":{{"S":"{pk}"}},"v":{{"S":"{payload}"}}}}"#);
    StoredItem(bytes::Bytes::from(json))
}

fn counter(n: u64) -> StoredItem {
    StoredItem(bytes::Bytes::from(format!(
        r#"{{"pk":{{"S":"counter"}},"n":{{"N":"{n}"}}}}"#
    )))
}

fn counter_value(s: &StoredItem) -> u64 {
    match s.decode().unwrap().get("n") {
        Some(AttributeValue::N(n)) => n.as_str().parse().unwrap(),
        other => panic!("counter item without n: {other:?}"),
    }
}

pub(super) async fn put(store: &dyn ItemStore, k: ItemKey, it: StoredItem) {
    let op = WriteOp::Put { key: k, item: it };
    store
        .write(vec![], Box::new(move |_| Ok(vec![op])))
        .await
        .unwrap();
}

/// Runs every `ItemStore` check against `store`. Panics (fails the calling test) on the first
/// behaviour that differs from the trait's contract.
pub async fn item_store_suite(store: Arc<dyn ItemStore>) {
    for sid in [SID_A, SID_B, SID_C] {
        store.drop_table(sid).await.unwrap();
    }
    ready(store.as_ref()).await;
    put_get_delete(store.as_ref()).await;
    refused_decider_writes_nothing(store.as_ref()).await;
    multi_key_all_or_nothing(store.as_ref()).await;
    super::ranges::ranges(store.as_ref()).await;
    stats_and_drop_table(store.as_ref()).await;
    concurrent_counters(store.clone()).await;
    super::transactions::transactions(store.clone()).await;
    super::unconditional::unconditional(store.clone()).await;
    super::copies::copies(store.clone()).await;
    for sid in [SID_A, SID_B, SID_C] {
        store.drop_table(sid).await.unwrap();
    }
}

/// A healthy store says it is ready.
async fn ready(store: &dyn ItemStore) {
    assert_eq!(store.readiness().await, crate::traits::Readiness::Ready);
}

async fn put_get_delete(store: &dyn ItemStore) {
    let k = key(SID_A, b"k1");
    assert_eq!(store.get(&k).await.unwrap(), None);
    let first = item("k1", "one");
    let op = WriteOp::Put {
        key: k.clone(),
        item: first.clone(),
    };
    let expected = op.clone();
    let out = store
        .write(vec![k.clone()], Box::new(move |_| Ok(vec![op])))
        .await
        .unwrap();
    assert_eq!(out.before, vec![None]);
    assert_eq!(out.writes, vec![expected]);
    assert_eq!(store.get(&k).await.unwrap(), Some(first.clone()));
    assert_eq!(
        store.get(&k).await.unwrap().unwrap().decode().unwrap()["v"],
        AttributeValue::S("one".into())
    );

    // Overwrite: the decider sees the current item, `before` reports it.
    let second = item("k1", "two");
    let (k2, s2, seen_first) = (k.clone(), second.clone(), first.clone());
    let out = store
        .write(
            vec![k.clone(), key(SID_A, b"absent")],
            Box::new(move |cur| {
                assert_eq!(cur, &[Some(seen_first), None][..]);
                Ok(vec![WriteOp::Put { key: k2, item: s2 }])
            }),
        )
        .await
        .unwrap();
    assert_eq!(out.before, vec![Some(first), None]);
    assert_eq!(store.get(&k).await.unwrap(), Some(second.clone()));

    // Delete, and deleting an absent item is a no-op.
    let k3 = k.clone();
    let out = store
        .write(
            vec![k.clone()],
            Box::new(move |_| {
                Ok(vec![
                    WriteOp::Delete { key: k3 },
                    WriteOp::Delete {
                        key: key(SID_A, b"never-there"),
                    },
                ])
            }),
        )
        .await
        .unwrap();
    assert_eq!(out.before, vec![Some(second)]);
    assert_eq!(store.get(&k).await.unwrap(), None);
    // Same key bytes in another storage id are another item.
    put(store, key(SID_B, b"k1"), item("k1", "b")).await;
    assert_eq!(store.get(&k).await.unwrap(), None);
    assert_eq!(
        store.get(&key(SID_B, b"k1")).await.unwrap(),
        Some(item("k1", "b"))
    );
    store.drop_table(SID_B).await.unwrap();
}

async fn refused_decider_writes_nothing(store: &dyn ItemStore) {
    let k = key(SID_A, b"guarded");
    let neighbour = key(SID_A, b"neighbour");
    put(store, k.clone(), item("guarded", "old")).await;
    // A refused write running next to an accepted one (a group-committing backend may put both
    // in one transaction): the refusal writes nothing, the other write lands.
    let refused = store.write(
        vec![k.clone()],
        Box::new(|cur| {
            assert_eq!(cur, &[Some(item("guarded", "old"))][..]);
            Err(ApiError::ConditionalCheckFailed { item: None })
        }),
    );
    let n2 = neighbour.clone();
    let accepted = store.write(
        vec![],
        Box::new(move |_| {
            Ok(vec![WriteOp::Put {
                key: n2,
                item: item("neighbour", "n"),
            }])
        }),
    );
    let (refused, accepted) = tokio::join!(refused, accepted);
    let err = refused.unwrap_err();
    assert!(
        matches!(err, ApiError::ConditionalCheckFailed { item: None }),
        "{err:?}"
    );
    assert_eq!(accepted.unwrap().before, vec![]);
    assert_eq!(store.get(&k).await.unwrap(), Some(item("guarded", "old")));
    assert_eq!(
        store.get(&neighbour).await.unwrap(),
        Some(item("neighbour", "n"))
    );
    store.drop_table(SID_A).await.unwrap();
}

async fn multi_key_all_or_nothing(store: &dyn ItemStore) {
    let (a, b, c) = (key(SID_A, b"ta"), key(SID_B, b"tb"), key(SID_A, b"tc"));
    put(store, c.clone(), item("tc", "c0")).await;

    let refused = store
        .write(
            vec![a.clone(), b.clone(), c.clone()],
            Box::new(move |cur| {
                assert_eq!(cur[2], Some(item("tc", "c0")));

                Err(ApiError::TransactionCanceled {
                    message: "cancelled".into(),
                    reasons: vec![],
                })
            }),
        )
        .await;
    assert!(matches!(refused, Err(ApiError::TransactionCanceled { .. })));
    assert_eq!(store.get(&a).await.unwrap(), None);
    assert_eq!(store.get(&b).await.unwrap(), None);
    assert_eq!(store.get(&c).await.unwrap(), Some(item("tc", "c0")));

    let (a2, b2, c2) = (a.clone(), b.clone(), c.clone());
    let out = store
        .write(
            vec![a.clone(), b.clone(), c.clone()],
            Box::new(move |_| {
                Ok(vec![
                    WriteOp::Put {
                        key: a2,
                        item: item("ta", "a1"),
                    },
                    WriteOp::Put {
                        key: b2,
                        item: item("tb", "b1"),
                    },
                    WriteOp::Delete { key: c2 },
                ])
            }),
        )
        .await
        .unwrap();
    assert_eq!(out.before, vec![None, None, Some(item("tc", "c0"))]);
    assert_eq!(out.writes.len(), 3);
    assert_eq!(store.get(&a).await.unwrap(), Some(item("ta", "a1")));
    assert_eq!(store.get(&b).await.unwrap(), Some(item("tb", "b1")));
    assert_eq!(store.get(&c).await.unwrap(), None);
    store.drop_table(SID_A).await.unwrap();
    store.drop_table(SID_B).await.unwrap();
}

async fn stats_and_drop_table(store: &dyn ItemStore) {
    assert_eq!(store.stats(SID_A).await.unwrap().item_count, 0);
    let items: Vec<(Vec<u8>, StoredItem)> = (0..10u8)
        .map(|i| (vec![b's', i], item("s", &"x".repeat(usize::from(i) * 7))))
        .collect();
    for (k, it) in &items {
        put(store, key(SID_A, k), it.clone()).await;
    }
    put(store, key(SID_B, b"s-keep"), item("keep", "me")).await;
    let total: usize = items.iter().map(|(_, it)| it.as_bytes().len()).sum();
    let stats = store.stats(SID_A).await.unwrap();
    assert_eq!(stats.item_count, 10);
    assert_eq!(stats.size_bytes, total as u64);

    // Overwrite one item with a bigger one and delete another: counts follow exactly.
    let bigger = item("s", &"y".repeat(500));
    put(store, key(SID_A, &items[0].0), bigger.clone()).await;
    let gone = key(SID_A, &items[1].0);
    store
        .write(
            vec![],
            Box::new(move |_| Ok(vec![WriteOp::Delete { key: gone }])),
        )
        .await
        .unwrap();
    let expected =
        total - items[0].1.as_bytes().len() + bigger.as_bytes().len() - items[1].1.as_bytes().len();
    let stats = store.stats(SID_A).await.unwrap();
    assert_eq!(stats.item_count, 9);
    assert_eq!(stats.size_bytes, expected as u64);
    assert_eq!(store.stats(SID_B).await.unwrap().item_count, 1);

    store.drop_table(SID_A).await.unwrap();
    let whole = super::ranges::range(b"", Bound::Unbounded, Bound::Unbounded);
    let page = store
        .range(SID_A, &whole, true, 100, usize::MAX)
        .await
        .unwrap();
    assert!(page.items.is_empty() && !page.more);
    assert_eq!(store.get(&key(SID_A, &items[2].0)).await.unwrap(), None);
    assert_eq!(store.stats(SID_A).await.unwrap(), Default::default());
    // The neighbouring table is untouched.
    assert_eq!(
        store.get(&key(SID_B, b"s-keep")).await.unwrap(),
        Some(item("keep", "me"))
    );
    let stats = store.stats(SID_B).await.unwrap();
    assert_eq!(stats.item_count, 1);
    assert_eq!(stats.size_bytes, item("keep", "me").as_bytes().len() as u64);
    // Dropping an empty or unknown table is fine.
    store.drop_table(SID_A).await.unwrap();
    store.drop_table(SID_B).await.unwrap();
    assert_eq!(store.stats(SID_B).await.unwrap(), Default::default());
}

/// Many tasks increment one counter by read-modify-write; only serialized writes reach the
/// exact total.
async fn concurrent_counters(store: Arc<dyn ItemStore>) {
    const TASKS: u64 = 32;
    const ROUNDS: u64 = 10;
    let k = key(SID_A, b"counter");
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..TASKS {
        let (store, k) = (store.clone(), k.clone());
        tasks.spawn(async move {
            for _ in 0..ROUNDS {
                let target = k.clone();
                store
                    .write(
                        vec![k.clone()],
                        Box::new(move |cur| {
                            let n = cur[0].as_ref().map_or(0, counter_value);
                            Ok(vec![WriteOp::Put {
                                key: target,
                                item: counter(n + 1),
                            }])
                        }),
                    )
                    .await
                    .unwrap();
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    let last = store.get(&k).await.unwrap().unwrap();
    assert_eq!(counter_value(&last), TASKS * ROUNDS);
    assert_eq!(store.stats(SID_A).await.unwrap().item_count, 1);
}
