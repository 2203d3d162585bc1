//! The GSI backfill on a real backend: pages commit their entries with the progress record,
//! writes during the backfill keep the new index right, a fresh context (a restarted server)
//! resumes from the stored progress, and the index ends ACTIVE holding exactly the entries of
//! the table's items.

use crate::model::key_encoding::item_key;
use crate::model::table::{
    BillingMode, IndexStatus, KeyAttribute, KeySchema, ProjectionType, ScalarType, SecondaryIndex,
    TableDefinition, TableStatus, Throughput,
};
use crate::model::{AttributeValue, Item};
use crate::ops::background::gsi_backfill::{self, PageOutcome, PAGE};
use crate::ops::index::index_keys;
use crate::testsuite::index_writes;
use crate::traits::{Catalog, ItemKey, ItemStore, KeyRange, StoredItem, WriteOp};
use std::ops::Bound;
use std::sync::Arc;

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn definition(account: &str, storage_id: u64, index_id: u64) -> TableDefinition {
    let pk = KeyAttribute {
        name: "pk".into(),
        attr_type: ScalarType::S,
    };
    let x = KeyAttribute {
        name: "x".into(),
        attr_type: ScalarType::S,
    };
    TableDefinition {
        account_id: account.into(),
        region: "us-east-1".into(),
        name: "backfill".into(),
        table_id: format!("00000000-0000-4000-8000-{storage_id:012}"),
        storage_id,
        key_schema: KeySchema {
            hash: pk.clone(),
            range: None,
        },
        attribute_definitions: vec![pk, x.clone()],
        billing_mode: BillingMode::PayPerRequest,
        throughput: Throughput { read: 0, write: 0 },
        status: TableStatus::Active,
        created_at: 1.0,
        status_since: 1.0,
        deletion_protection: false,
        local_secondary_indexes: Vec::new(),
        global_secondary_indexes: vec![SecondaryIndex {
            name: "byX".into(),
            storage_id: index_id,
            hash: vec![x],
            range: Vec::new(),
            projection: ProjectionType::All,
            non_key_attributes: Vec::new(),
            throughput: None,
            status: IndexStatus::Creating,
            status_since: 1.0,
            backfilling: true,
            propagation_delay_ms: Some(0),
            throughput_history: Default::default(),
        }],
        throughput_history: Default::default(),
        pay_per_request_since: None,
        time_to_live_attribute: None,
        tags: Vec::new(),
        on_demand_throughput: None,
        stream: None,
        past_streams: Vec::new(),
        ttl: Default::default(),
        restore: None,
        pitr: None,
    }
}

fn base_key(def: &TableDefinition, pk: &str) -> ItemKey {
    ItemKey {
        storage_id: def.storage_id,
        key: item_key(&s(pk), None),
    }
}

/// Writes `new` (or deletes, when `None`) at `pk` the way the data plane does: item and index
/// entries in one transaction.
async fn write(store: &dyn ItemStore, def: &TableDefinition, pk: &str, new: Option<Item>) {
    let key = base_key(def, pk);
    let (def, k) = (def.clone(), key.clone());
    store
        .write(
            vec![key],
            Box::new(move |current| {
                let old = current[0].as_ref().map(|s| s.decode()).transpose()?;
                let mut ops = index_writes(&def, &k, old.as_ref(), new.as_ref())?;
                ops.push(match &new {
                    Some(item) => WriteOp::Put {
                        key: k.clone(),
                        item: StoredItem::encode(item),
                    },
                    None => WriteOp::Delete { key: k.clone() },
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

/// Runs the backfill checks. `store` and `catalog` are one backend's halves.
pub async fn backfill_suite(store: Arc<dyn ItemStore>, catalog: Arc<dyn Catalog>) {
    let run = catalog.next_storage_id().await.unwrap();
    let account = format!("{:012}", 300_000_000_000 + run % 100_000_000_000);
    let table_id = catalog.next_storage_id().await.unwrap();
    let index_id = catalog.next_storage_id().await.unwrap();
    let mut def = definition(&account, table_id, index_id);
    catalog.create_table(&def).await.unwrap();
    let ctx = |store: Arc<dyn ItemStore>| {
        super::account_ctx(super::suite_services(store, catalog.clone()), &account)
    };
    // Items written before the index existed: no entries. Odd ones lack x, every 25th has a
    // numeric x (DynamoDB skips such items when it fills an index).
    let plain = TableDefinition {
        global_secondary_indexes: Vec::new(),
        ..def.clone()
    };
    let total = 2 * PAGE + 50;
    for i in 0..total {
        let mut item: Item = [("pk".to_string(), s(&format!("p{i:03}")))].into();
        if i % 25 == 0 {
            item.insert(
                "x".into(),
                AttributeValue::N(crate::model::number::Number::parse(&i.to_string()).unwrap()),
            );
        } else if i % 2 == 0 {
            item.insert("x".into(), s(&format!("v{}", i % 3)));
        }
        write(store.as_ref(), &plain, &format!("p{i:03}"), Some(item)).await;
    }
    assert_eq!(store.stats(index_id).await.unwrap().item_count, 0);

    let index = def.global_secondary_indexes[0].clone();
    let first = gsi_backfill::backfill_page(&ctx(store.clone()), &def, &index)
        .await
        .unwrap();
    assert_eq!(first, PageOutcome::Progressed);
    let after_one = store.stats(index_id).await.unwrap().item_count;
    assert!(
        after_one > 0 && after_one < total as u64 / 2,
        "one page of {PAGE} items wrote {after_one} entries"
    );

    // Writes while the index is CREATING maintain it themselves, wherever the backfill is.
    for i in [1usize, 2, 3, 120, 121, 240, 249] {
        let item: Item = [
            ("pk".to_string(), s(&format!("p{i:03}"))),
            ("x".to_string(), s("during")),
        ]
        .into();
        write(store.as_ref(), &def, &format!("p{i:03}"), Some(item)).await;
    }
    for i in [4usize, 130, 244] {
        write(store.as_ref(), &def, &format!("p{i:03}"), None).await;
    }
    let added: Item = [("pk".to_string(), s("new")), ("x".to_string(), s("during"))].into();
    write(store.as_ref(), &def, "new", Some(added)).await;

    // A restarted server: a fresh context resumes from the stored progress.
    let restarted = ctx(store.clone());
    let mut steps = 0;
    loop {
        steps += 1;
        assert!(steps < 20, "backfill did not finish");
        gsi_backfill::run_step(&restarted).await.unwrap();
        def = TableDefinition::clone(
            &catalog
                .get_table(&account, "backfill")
                .await
                .unwrap()
                .unwrap(),
        );
        if def.global_secondary_indexes[0].status == IndexStatus::Active {
            break;
        }
    }
    assert!(!def.global_secondary_indexes[0].backfilling);
    // Pages 2 and 3; the last page also marks the index ACTIVE.
    assert_eq!(steps, 2);

    // The index holds exactly the entries of the table's current items.
    let base = store
        .range(table_id, &all(), true, 10_000, usize::MAX)
        .await
        .unwrap();
    let index = def.global_secondary_indexes[0].clone();
    let mut expected: Vec<(Vec<u8>, StoredItem)> = Vec::new();
    for (key, stored) in &base.items {
        let item = stored.decode().unwrap();
        if let Ok(Some((k, entry))) = index_keys::entry(&def, &index, key, &item) {
            expected.push((k, StoredItem::encode(&entry)));
        }
    }
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    let got = store
        .range(index_id, &all(), true, 10_000, usize::MAX)
        .await
        .unwrap();
    assert_eq!(got.items.len(), expected.len());
    for ((gk, gv), (ek, ev)) in got.items.iter().zip(&expected) {
        assert_eq!(gk, ek);
        assert_eq!(gv.decode().unwrap(), ev.decode().unwrap());
    }
    let during = expected
        .iter()
        .filter(|(_, v)| v.decode().unwrap().get("x") == Some(&s("during")))
        .count();
    assert_eq!(during, 8);
    assert_eq!(
        store.stats(index_id).await.unwrap().item_count,
        expected.len() as u64
    );

    // Forgetting the progress of a dropped index removes its record.
    gsi_backfill::forget(&restarted, index_id).await.unwrap();
    catalog.delete_table(&account, "backfill").await.unwrap();
}
