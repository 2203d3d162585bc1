//! `ItemStore::copy_tables`: a copy holds exactly the source's items with their stats, and
//! all copies of one call are of one instant even while transactions write the source.

use super::item_store::{item, key, put, SID_A, SID_B, SID_C};
use crate::traits::{ItemStore, KeyRange, StoredItem, WriteOp};
use std::sync::Arc;

async fn all(store: &dyn ItemStore, sid: u64) -> Vec<(Vec<u8>, StoredItem)> {
    store
        .range(
            sid,
            &KeyRange::table_after(None),
            true,
            usize::MAX,
            usize::MAX,
        )
        .await
        .unwrap()
        .items
}

/// Runs the copy checks in `SID_A` (source), `SID_B` and `SID_C` (copies); leaves them
/// dropped.
pub(super) async fn copies(store: Arc<dyn ItemStore>) {
    for sid in [SID_A, SID_B, SID_C] {
        store.drop_table(sid).await.unwrap();
    }
    copy_is_exact(store.as_ref()).await;
    copies_are_of_one_instant(store.clone()).await;
    for sid in [SID_A, SID_B, SID_C] {
        store.drop_table(sid).await.unwrap();
    }
}

async fn copy_is_exact(store: &dyn ItemStore) {
    for i in 0..40u32 {
        let k = format!("k{i:03}");
        put(
            store,
            key(SID_A, k.as_bytes()),
            item(&k, &"x".repeat(i as usize)),
        )
        .await;
    }
    let stats = store.copy_tables(&[(SID_A, SID_B)]).await.unwrap();
    let source = all(store, SID_A).await;
    assert_eq!(source.len(), 40);
    assert_eq!(all(store, SID_B).await, source);
    let expected = store.stats(SID_A).await.unwrap();
    assert_eq!(stats, vec![expected]);
    assert_eq!(store.stats(SID_B).await.unwrap(), expected);
    // The copy is independent of its source.
    put(store, key(SID_A, b"k000"), item("k000", "changed")).await;
    assert_eq!(
        store.get(&key(SID_B, b"k000")).await.unwrap(),
        Some(item("k000", ""))
    );
    // An empty source copies to nothing.
    let none = store.copy_tables(&[(SID_C, SID_C + 1)]).await.unwrap();
    assert_eq!(none[0].item_count, 0);
    store.drop_table(SID_A).await.unwrap();
    store.drop_table(SID_B).await.unwrap();
}

/// Transactions keep `x` in `SID_A` and `y` in `SID_B` equal; copies of both taken in one
/// call while they run must always agree.
async fn copies_are_of_one_instant(store: Arc<dyn ItemStore>) {
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for n in 0..300u32 {
                let v = n.to_string();
                let ops = vec![
                    WriteOp::Put {
                        key: key(SID_A, b"x"),
                        item: item("x", &v),
                    },
                    WriteOp::Put {
                        key: key(SID_B, b"y"),
                        item: item("x", &v),
                    },
                ];
                store
                    .write(
                        vec![key(SID_A, b"x"), key(SID_B, b"y")],
                        Box::new(move |_| Ok(ops)),
                    )
                    .await
                    .unwrap();
            }
        })
    };
    let mut seen = 0;
    for round in 0..30u64 {
        let (to_a, to_b) = (SID_C + 10 + 2 * round, SID_C + 11 + 2 * round);
        store
            .copy_tables(&[(SID_A, to_a), (SID_B, to_b)])
            .await
            .unwrap();
        let a = store.get(&key(to_a, b"x")).await.unwrap();
        let b = store.get(&key(to_b, b"y")).await.unwrap();
        assert_eq!(
            a, b,
            "round {round}: the two copies are of different instants"
        );
        if a.is_some() {
            seen += 1;
        }
        store.drop_table(to_a).await.unwrap();
        store.drop_table(to_b).await.unwrap();
    }
    writer.await.unwrap();
    assert!(seen > 0 || store.get(&key(SID_A, b"x")).await.unwrap().is_some());
}
