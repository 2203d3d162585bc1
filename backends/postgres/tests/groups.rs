//! Grouped write transactions (write_groups.rs, group_tx.rs) on a real PostgreSQL: concurrent
//! read-modify-write requests on one key and on many, from two stores (two server processes)
//! over one database, lose no update; their stream records and point-in-time history entries
//! keep each key's commit order; a member whose decider fails leaves its group's others alone.
//!
//! Needs a server as suite.rs does; without one every test passes without running.

use extenddb_backend_postgres::PgStore;
use extenddb_core::error::ApiError;
use extenddb_core::model::stream::ShardPolicy;
use extenddb_core::ops::pitr::history;
use extenddb_core::streams::log::record_seq;
use extenddb_core::traits::{ItemKey, ItemStore, KeyRange, StoredItem, WriteOp};
use std::collections::HashMap;
use std::sync::Arc;

mod common;

use common::Fresh;

const TABLE: u64 = 31;
const LOG: u64 = 32;
const HISTORY: u64 = 33;

fn key(k: &str) -> ItemKey {
    ItemKey {
        storage_id: TABLE,
        key: k.as_bytes().to_vec(),
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn number(item: Option<&StoredItem>) -> u64 {
    item.map_or(0, |i| {
        std::str::from_utf8(i.as_bytes()).unwrap().parse().unwrap()
    })
}

/// Adds one to the counter at `k`, as UpdateItem's ADD on a table with a stream and
/// point-in-time recovery would: the new value, a stream record `key:value`, and a history
/// entry stamped inside the decider. Answers the new value.
async fn add(store: &dyn ItemStore, k: ItemKey) -> u64 {
    let target = k.clone();
    let out = store
        .write(
            vec![k],
            Box::new(move |cur| {
                let n = number(cur[0].as_ref()) + 1;
                let at_ms = now_ms();
                let record = format!("{}:{n}", String::from_utf8_lossy(&target.key));
                Ok(vec![
                    WriteOp::Put {
                        key: target.clone(),
                        item: StoredItem(n.to_string().into()),
                    },
                    WriteOp::StreamAppend {
                        log_id: LOG,
                        record: record.into(),
                        at_ms,
                        policy: ShardPolicy::default(),
                    },
                    WriteOp::Put {
                        key: ItemKey {
                            storage_id: HISTORY,
                            key: history::entry_key(&target.key, at_ms),
                        },
                        item: StoredItem(n.to_string().into()),
                    },
                ])
            }),
        )
        .await
        .unwrap();
    number(out.writes.first().and_then(|w| match w {
        WriteOp::Put { item, .. } => Some(item),
        _ => None,
    }))
}

/// Every item of a storage id, in key order.
async fn all(store: &dyn ItemStore, storage_id: u64) -> Vec<(Vec<u8>, StoredItem)> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .range(
                storage_id,
                &KeyRange::table_after(after.clone()),
                true,
                1000,
                usize::MAX,
            )
            .await
            .unwrap();
        after = page.items.last().map(|(k, _)| k.clone());
        out.extend(page.items);
        if !page.more {
            return out;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_adds_lose_nothing_and_keep_each_keys_commit_order() {
    let Some(f) = Fresh::new(20).await else {
        return;
    };
    let other = PgStore::connect(&f.admin).await.unwrap();
    let stores: [Arc<dyn ItemStore>; 2] = [Arc::new(f.store.clone()), Arc::new(other.clone())];
    // 48 writers, each 15 adds: half on one hot key, the rest spread over 12 keys.
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..48usize {
        let store = stores[w % 2].clone();
        tasks.spawn(async move {
            for j in 0..15usize {
                let k = if (w + j) % 2 == 0 {
                    "hot".to_string()
                } else {
                    format!("k{}", (w * 7 + j) % 12)
                };
                add(&*store, key(&k)).await;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    let (groups, members) = f.store.grouped_writes();
    let (groups2, members2) = other.grouped_writes();
    assert!(groups + groups2 > 0, "no write was grouped");
    assert!(members + members2 >= 2 * (groups + groups2));

    // No update lost: the counters sum to every add made.
    let items = all(&*stores[0], TABLE).await;
    let finals: HashMap<String, u64> = items
        .iter()
        .map(|(k, v)| (String::from_utf8(k.clone()).unwrap(), number(Some(v))))
        .collect();
    assert_eq!(finals.values().sum::<u64>(), 48 * 15);
    assert_eq!(finals["hot"], 48 * 15 / 2);

    // The stream: each key's records are 1, 2, 3, … in sequence order.
    stores[1]
        .sequence_stream(LOG, ShardPolicy::default())
        .await
        .unwrap();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut records = 0;
    for (k, record) in all(&*stores[0], LOG).await {
        if record_seq(&k).is_none() {
            continue; // the head, a shard
        }
        let text = String::from_utf8(record.as_bytes().to_vec()).unwrap();
        let (item, n) = text.rsplit_once(':').unwrap();
        let last = seen.entry(item.to_string()).or_insert(0);
        assert_eq!(n.parse::<u64>().unwrap(), *last + 1, "{item} out of order");
        *last += 1;
        records += 1;
    }
    assert_eq!(records, 48 * 15);
    assert_eq!(seen, finals);

    // The history: each item's entries, in time order, hold increasing values ending at its
    // final one (two changes in one millisecond share an entry, the later kept).
    let mut history_last: HashMap<String, u64> = HashMap::new();
    for (k, v) in all(&*stores[0], HISTORY).await {
        let (item, _) = history::parse(&k).unwrap();
        let item = String::from_utf8(item.to_vec()).unwrap();
        let n = number(Some(&v));
        let last = history_last.entry(item.clone()).or_insert(0);
        assert!(n > *last, "{item}: history entry {n} after {last}");
        *last = n;
    }
    assert_eq!(history_last, finals);
    other.close().await;
    f.drop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_condition_leaves_the_rest_of_its_group_alone() {
    let Some(f) = Fresh::new(20).await else {
        return;
    };
    let store: Arc<dyn ItemStore> = Arc::new(f.store.clone());
    // 3 rounds of 200 concurrent "put if absent" on distinct keys; every third key exists
    // already, so its request fails its condition inside a group of others.
    for round in 0..3 {
        for i in (0..200).step_by(3) {
            let op = WriteOp::Put {
                key: key(&format!("r{round}-{i}")),
                item: StoredItem("old".into()),
            };
            store.write_unconditional(vec![op]).await.unwrap();
        }
        let before = f.store.grouped_writes();
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..200 {
            let store = store.clone();
            tasks.spawn(async move {
                let k = key(&format!("r{round}-{i}"));
                let target = k.clone();
                let answer = store
                    .write(
                        vec![k],
                        Box::new(move |cur| {
                            if cur[0].is_some() {
                                return Err(ApiError::ConditionalCheckFailed { item: None });
                            }
                            Ok(vec![WriteOp::Put {
                                key: target,
                                item: StoredItem("new".into()),
                            }])
                        }),
                    )
                    .await;
                (i, answer)
            });
        }
        while let Some(done) = tasks.join_next().await {
            let (i, answer) = done.unwrap();
            if i % 3 == 0 {
                assert!(
                    matches!(answer, Err(ApiError::ConditionalCheckFailed { .. })),
                    "{i}: {answer:?}"
                );
            } else {
                assert!(answer.is_ok(), "{i}: {answer:?}");
            }
        }
        let after = f.store.grouped_writes();
        assert!(after.0 > before.0, "round {round}: no write was grouped");
        assert!(after.1 - before.1 >= 2 * (after.0 - before.0));
        for i in 0..200 {
            let got = store
                .get(&key(&format!("r{round}-{i}")))
                .await
                .unwrap()
                .unwrap();
            let want = if i % 3 == 0 { "old" } else { "new" };
            assert_eq!(got.as_bytes(), want.as_bytes(), "r{round}-{i}");
        }
    }
    assert_eq!(store.stats(TABLE).await.unwrap().item_count, 600);
    f.drop_all().await;
}
