//! Time to Live expiry on a real backend: a sweep round deletes exactly the expired items of
//! TTL-enabled tables — across several pages — together with their GSI entries, keeps table
//! and index statistics exact, and leaves tables without TTL alone.

use crate::context::Ctx;
use crate::model::key_encoding::item_key;
use crate::model::number::Number;
use crate::model::table::{
    IndexStatus, KeyAttribute, ProjectionType, ScalarType, SecondaryIndex, TableDefinition,
};
use crate::model::{AttributeValue, Item};
use crate::ops::background::ttl_sweep::{Round, PAGE};
use crate::testsuite::index_writes;
use crate::traits::{Catalog, ItemKey, ItemStore, KeyRange, StoredItem, WriteOp};
use std::ops::Bound;
use std::sync::Arc;

const NOW: f64 = 1_800_000_000.0;

fn n(v: f64) -> AttributeValue {
    AttributeValue::N(Number::parse(&v.to_string()).unwrap())
}

/// Writes `item` the way PutItem does: the item and its index entries in one transaction.
async fn put(store: &dyn ItemStore, def: &TableDefinition, item: Item) {
    let AttributeValue::S(pk) = &item["pk"] else {
        panic!("pk must be a string")
    };
    let key = ItemKey {
        storage_id: def.storage_id,
        key: item_key(&AttributeValue::S(pk.clone()), None),
    };
    let (def, k) = (def.clone(), key.clone());
    store
        .write(
            vec![key],
            Box::new(move |current| {
                let old = current[0].as_ref().map(|s| s.decode()).transpose()?;
                let mut ops = index_writes(&def, &k, old.as_ref(), Some(&item))?;
                ops.push(WriteOp::Put {
                    key: k,
                    item: StoredItem::encode(&item),
                });
                Ok(ops)
            }),
        )
        .await
        .unwrap();
}

fn all() -> KeyRange {
    KeyRange {
        prefix: Vec::new(),
        lower: Bound::Unbounded,
        upper: Bound::Unbounded,
    }
}

/// Runs the TTL checks. `store` and `catalog` are one backend's halves.
pub async fn ttl_suite(store: Arc<dyn ItemStore>, catalog: Arc<dyn Catalog>) {
    let run = catalog.next_storage_id().await.unwrap();
    let account = format!("{:012}", 400_000_000_000 + run % 100_000_000_000);
    let mut def =
        super::hash_table_definition(&account, "ttl", catalog.next_storage_id().await.unwrap());
    def.time_to_live_attribute = Some("exp".into());
    // A new expiry index: the round backfills it from the items, then sweeps through it.
    let expiry_index = catalog.next_storage_id().await.unwrap();
    def.ttl.index = Some(crate::model::table::TtlIndex {
        storage_id: expiry_index,
        attribute: "exp".into(),
        backfilled: false,
        backfill_after: None,
        since: 0.0,
    });
    let index_id = catalog.next_storage_id().await.unwrap();
    let g = KeyAttribute {
        name: "g".into(),
        attr_type: ScalarType::S,
    };
    def.attribute_definitions.push(g.clone());
    def.global_secondary_indexes = vec![SecondaryIndex {
        name: "byG".into(),
        storage_id: index_id,
        hash: vec![g],
        range: Vec::new(),
        projection: ProjectionType::KeysOnly,
        non_key_attributes: Vec::new(),
        throughput: None,
        status: IndexStatus::Active,
        status_since: 1.0,
        backfilling: false,
        propagation_delay_ms: Some(0),
        throughput_history: Default::default(),
    }];
    catalog.create_table(&def).await.unwrap();
    let mut plain =
        super::hash_table_definition(&account, "plain", catalog.next_storage_id().await.unwrap());
    plain.time_to_live_attribute = None;
    catalog.create_table(&plain).await.unwrap();

    // Three pages' worth: every third item expired, the others in the future or strings.
    let total = 2 * PAGE + 60;
    let mut expected_left = 0;
    for i in 0..total {
        let exp = match i % 3 {
            0 => n(NOW - 10.0 - i as f64),
            1 => n(NOW + 10.0),
            _ => AttributeValue::S((NOW - 10.0).to_string()),
        };
        if i % 3 != 0 {
            expected_left += 1;
        }
        let item: Item = [
            ("pk".to_string(), AttributeValue::S(format!("p{i:03}"))),
            ("g".to_string(), AttributeValue::S(format!("g{}", i % 7))),
            ("exp".to_string(), exp.clone()),
        ]
        .into();
        put(store.as_ref(), &def, item.clone()).await;
        put(store.as_ref(), &plain, item).await;
    }
    // Expired more than five years ago: ignored.
    let ancient: Item = [
        ("pk".to_string(), AttributeValue::S("ancient".into())),
        ("exp".to_string(), n(NOW - 6.0 * 365.0 * 86_400.0)),
    ]
    .into();
    put(store.as_ref(), &def, ancient).await;
    expected_left += 1;
    assert_eq!(
        store.stats(index_id).await.unwrap().item_count,
        total as u64
    );

    // TTL enabled before expiry indexes existed: the round gives the table one, then sweeps.
    let mut legacy =
        super::hash_table_definition(&account, "legacy", catalog.next_storage_id().await.unwrap());
    legacy.time_to_live_attribute = Some("exp".into());
    catalog.create_table(&legacy).await.unwrap();
    for (i, exp) in [NOW - 5.0, NOW + 100.0, NOW - 1.0].into_iter().enumerate() {
        let item: Item = [
            ("pk".to_string(), AttributeValue::S(format!("l{i}"))),
            ("exp".to_string(), n(exp)),
        ]
        .into();
        put(store.as_ref(), &legacy, item).await;
    }

    let ctx = Ctx::background(super::suite_services(store.clone(), catalog.clone()));
    let mut round = Round::start(&ctx).await.unwrap();
    let (mut deleted, mut steps) = (0, 0);
    while let Some(d) = round.step(&ctx, NOW).await.unwrap() {
        deleted += d;
        steps += 1;
        assert!(steps < 100, "the round did not end");
    }
    assert_eq!(deleted, total.div_ceil(3));
    // The legacy table got its index this round; the next one, a second later, fills it and
    // sweeps it.
    let legacy_now = catalog
        .get_table(&account, "legacy")
        .await
        .unwrap()
        .unwrap();
    assert!(legacy_now.ttl.index.as_ref().is_some_and(|i| !i.backfilled));
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let mut round = Round::start(&ctx).await.unwrap();
    let mut later = 0;
    while let Some(d) = round.step(&ctx, NOW).await.unwrap() {
        later += d;
        steps += 1;
        assert!(steps < 200, "the second round did not end");
    }
    assert_eq!(later, 2);
    let legacy_now = catalog
        .get_table(&account, "legacy")
        .await
        .unwrap()
        .unwrap();
    assert!(legacy_now.ttl.index.as_ref().is_some_and(|i| i.backfilled));
    let legacy_left = store
        .range(legacy.storage_id, &all(), true, 100, usize::MAX)
        .await
        .unwrap();
    assert_eq!(legacy_left.items.len(), 1);
    assert!(steps >= 2, "{steps} steps for {total} items");
    let after = catalog.get_table(&account, "ttl").await.unwrap().unwrap();
    assert!(after.ttl.index.as_ref().unwrap().backfilled);
    // The expiry index holds exactly the numeric expiries left: the unexpired ones and the
    // ancient one (never swept).
    let entries = store
        .range(expiry_index, &all(), true, 10_000, usize::MAX)
        .await
        .unwrap();
    assert_eq!(
        entries.items.len(),
        (0..total).filter(|i| i % 3 == 1).count() + 1
    );

    let left = store
        .range(def.storage_id, &all(), true, 10_000, usize::MAX)
        .await
        .unwrap();
    assert_eq!(left.items.len(), expected_left);
    for (_, stored) in &left.items {
        let item = stored.decode().unwrap();
        assert!(
            !crate::ops::background::ttl_sweep::is_expired(&item, "exp", NOW),
            "expired item left: {item:?}"
        );
    }
    let stats = store.stats(def.storage_id).await.unwrap();
    assert_eq!(stats.item_count, expected_left as u64);
    // The index lost exactly the entries of the deleted items (`ancient` has none).
    let entries = store
        .range(index_id, &all(), true, 10_000, usize::MAX)
        .await
        .unwrap();
    assert_eq!(entries.items.len(), expected_left - 1);
    assert_eq!(
        store.stats(index_id).await.unwrap().item_count,
        (expected_left - 1) as u64
    );
    // The table without TTL kept everything.
    assert_eq!(
        store.stats(plain.storage_id).await.unwrap().item_count,
        total as u64
    );

    // A second round finds nothing more.
    let mut round = Round::start(&ctx).await.unwrap();
    let mut again = 0;
    while let Some(d) = round.step(&ctx, NOW).await.unwrap() {
        again += d;
    }
    assert_eq!(again, 0);
    catalog.delete_table(&account, "ttl").await.unwrap();
    catalog.delete_table(&account, "plain").await.unwrap();
}
