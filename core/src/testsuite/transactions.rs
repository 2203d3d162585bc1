//! What TransactWriteItems and TransactGetItems need of every store: records under the system
//! storage id, and write transactions with no writes as consistent snapshots while transfers
//! run concurrently.

use super::item_store::{key, SID_B};
use crate::model::{AttributeValue, Item, Number};
use crate::ops::request::idempotency::SYSTEM_STORAGE_ID;
use crate::traits::{ItemKey, ItemStore, StoredItem, WriteOp};
use std::sync::Arc;

fn balance(n: i64) -> StoredItem {
    let value = Number::parse(&n.to_string()).unwrap();
    StoredItem::encode(&Item::from([("b".to_string(), AttributeValue::N(value))]))
}

fn balance_of(s: &Option<StoredItem>) -> i64 {
    match s.as_ref().map(|s| s.decode().unwrap()) {
        Some(item) => match item.get("b") {
            Some(AttributeValue::N(n)) => n.as_str().parse().unwrap(),
            other => panic!("unexpected balance {other:?}"),
        },
        None => 0,
    }
}

/// Runs the transaction checks.
pub(super) async fn transactions(store: Arc<dyn ItemStore>) {
    system_records(store.as_ref()).await;
    expired_tokens_are_swept(store.as_ref()).await;
    snapshots_never_see_half_a_transfer(store).await;
}

async fn system_records(store: &dyn ItemStore) {
    let k = ItemKey {
        storage_id: SYSTEM_STORAGE_ID,
        key: b"suite-system-record".to_vec(),
    };
    let put = WriteOp::Put {
        key: k.clone(),
        item: balance(7),
    };
    store
        .write(vec![k.clone()], Box::new(move |_| Ok(vec![put])))
        .await
        .unwrap();
    let seen = store
        .write(vec![k.clone()], Box::new(|_| Ok(Vec::new())))
        .await
        .unwrap();
    assert_eq!(balance_of(&seen.before[0]), 7);
    assert!(seen.writes.is_empty());
    let del = WriteOp::Delete { key: k.clone() };
    store
        .write(vec![], Box::new(move |_| Ok(vec![del])))
        .await
        .unwrap();
    assert_eq!(store.get(&k).await.unwrap(), None);
}

async fn snapshots_never_see_half_a_transfer(store: Arc<dyn ItemStore>) {
    const TOTAL: i64 = 1000;
    let a = key(SID_B, b"acct-a");
    let b = key(SID_B, b"acct-b");
    let (pa, pb) = (a.clone(), b.clone());
    store
        .write(
            vec![],
            Box::new(move |_| {
                Ok(vec![
                    WriteOp::Put {
                        key: pa,
                        item: balance(TOTAL),
                    },
                    WriteOp::Put {
                        key: pb,
                        item: balance(0),
                    },
                ])
            }),
        )
        .await
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..8 {
        let (store, a, b) = (store.clone(), a.clone(), b.clone());
        tasks.spawn(async move {
            for round in 0..20 {
                let (from, to) = if (t + round) % 2 == 0 {
                    (a.clone(), b.clone())
                } else {
                    (b.clone(), a.clone())
                };
                let (wf, wt) = (from.clone(), to.clone());
                store
                    .write(
                        vec![from, to],
                        Box::new(move |cur| {
                            let (x, y) = (balance_of(&cur[0]), balance_of(&cur[1]));
                            Ok(vec![
                                WriteOp::Put {
                                    key: wf,
                                    item: balance(x - 3),
                                },
                                WriteOp::Put {
                                    key: wt,
                                    item: balance(y + 3),
                                },
                            ])
                        }),
                    )
                    .await
                    .unwrap();
            }
        });
    }
    for _ in 0..4 {
        let (store, a, b) = (store.clone(), a.clone(), b.clone());
        tasks.spawn(async move {
            for _ in 0..40 {
                let snap = store
                    .write(vec![a.clone(), b.clone()], Box::new(|_| Ok(Vec::new())))
                    .await
                    .unwrap();
                assert_eq!(
                    balance_of(&snap.before[0]) + balance_of(&snap.before[1]),
                    TOTAL
                );
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    let end = store
        .write(vec![a, b], Box::new(|_| Ok(Vec::new())))
        .await
        .unwrap();
    assert_eq!(
        balance_of(&end.before[0]) + balance_of(&end.before[1]),
        TOTAL
    );
}

/// The sweeper deletes token records whose window has passed and keeps live ones.
async fn expired_tokens_are_swept(store: &dyn ItemStore) {
    use crate::ops::background::idempotency_sweep::sweep_expired;
    use crate::ops::request::idempotency::{record, token_key, WINDOW_SECONDS};
    let now = 1_000_000.0;
    let old = token_key("suite-sweep", "old");
    let live = token_key("suite-sweep", "live");
    let writes = vec![
        record(old.clone(), "{}", now - WINDOW_SECONDS - 1.0).unwrap(),
        record(live.clone(), "{}", now).unwrap(),
    ];
    store
        .write(vec![], Box::new(move |_| Ok(writes)))
        .await
        .unwrap();
    assert!(sweep_expired(store, now).await.unwrap() >= 1);
    assert_eq!(store.get(&old).await.unwrap(), None);
    assert!(store.get(&live).await.unwrap().is_some());
    // Past the live record's window it goes too.
    sweep_expired(store, now + WINDOW_SECONDS + 1.0)
        .await
        .unwrap();
    assert_eq!(store.get(&live).await.unwrap(), None);
}
