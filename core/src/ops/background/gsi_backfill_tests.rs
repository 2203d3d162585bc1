//! Backfill steps that need no real store: the allocation wait and progress records.

use super::*;
use crate::model::table::TableStatus;
use crate::ops::table::table_description::test_support::{ctx, table};
use crate::ops::test_support::now_epoch;
use crate::traits::catalog::MockCatalog;
use crate::traits::item_store::MockItemStore;

fn creating_index(since: f64) -> SecondaryIndex {
    let mut def = table("Music", TableStatus::Active, 0.0);
    def.global_secondary_indexes.push(SecondaryIndex {
        name: "byX".into(),
        storage_id: 9,
        hash: vec![def.key_schema.hash.clone()],
        range: Vec::new(),
        projection: crate::model::table::ProjectionType::All,
        non_key_attributes: Vec::new(),
        throughput: None,
        status: IndexStatus::Creating,
        status_since: since,
        backfilling: false,
        propagation_delay_ms: None,
        throughput_history: Default::default(),
    });
    def.global_secondary_indexes[0].clone()
}

#[tokio::test]
async fn allocation_waits_before_filling() {
    let index = creating_index(now_epoch());
    let def = table("Music", TableStatus::Active, 0.0);
    // No catalog or store call while the allocation time has not passed.
    let c = ctx(MockCatalog::new(), MockItemStore::new(), Duration::ZERO);
    assert!(!step_index(&c, &def, &index).await.unwrap());
}

#[tokio::test]
async fn allocation_ends_by_marking_the_index_backfilling() {
    let index = creating_index(now_epoch() - 5.0);
    let mut def = table("Music", TableStatus::Active, 0.0);
    def.global_secondary_indexes.push(index.clone());
    let mut catalog = MockCatalog::new();
    let stored = crate::ops::test_support::serve_updates(&mut catalog, def.clone());
    let c = ctx(catalog, MockItemStore::new(), Duration::ZERO);
    assert!(step_index(&c, &def, &index).await.unwrap());
    let stored = stored.lock().unwrap();
    assert_eq!(stored.len(), 1);
    assert!(stored[0].global_secondary_indexes[0].backfilling);
}

#[test]
fn progress_records_round_trip() {
    let p = Progress {
        after: Some(B64.encode([1u8, 2, 3])),
        done: false,
    };
    assert_eq!(decode(Some(&encode(&p))).unwrap(), p);
    assert_eq!(decode(None).unwrap(), Progress::default());
    assert!(decode(Some(&StoredItem(Bytes::from_static(b"nope")))).is_err());
    assert_eq!(progress_key(9).storage_id, SYSTEM_STORAGE_ID);
    assert!(progress_key(9).key.ends_with(&9u64.to_be_bytes()));
}
