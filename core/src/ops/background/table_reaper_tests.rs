//! The reaper's steps over mocked parts; the whole cycle (delete, reap, re-create) runs on
//! every backend in the shared suite (`testsuite::lifecycle`).

use super::*;
use crate::model::table::TableStatus;
use crate::ops::test_support::{ctx, hash_table, keys_only_gsi};
use crate::traits::catalog::MockCatalog;
use crate::traits::item_store::MockItemStore;
use crate::traits::{ItemKey, StoredItem};
use mockall::Sequence;

#[tokio::test]
async fn retire_queues_every_storage_id_before_deleting_the_definition() {
    let mut def = hash_table();
    def.global_secondary_indexes
        .push(keys_only_gsi("g", 9, "x"));
    let mut seq = Sequence::new();
    let mut store = MockItemStore::new();
    store.expect_eventual_reads().returning(|| None);
    store
        .expect_write_unconditional()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|writes| {
            let keys: Vec<ItemKey> = writes
                .into_iter()
                .map(|w| match w {
                    WriteOp::Put { key, .. } => key,
                    other => panic!("unexpected {other:?}"),
                })
                .collect();
            assert_eq!(keys, vec![drop_key(7), drop_key(9)]);
            Ok(())
        });
    let mut catalog = MockCatalog::new();
    catalog
        .expect_delete_table()
        .withf(|account, name| account == "123456789012" && name == "tbl")
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(()));
    retire(&ctx(catalog, store), &def).await.unwrap();
}

#[tokio::test]
async fn a_step_retires_due_tables_and_drops_queued_storage() {
    let mut deleting = hash_table();
    deleting.status = TableStatus::Deleting;
    deleting.status_since = 0.0;
    let mut catalog = MockCatalog::new();
    catalog
        .expect_all_tables()
        .returning(move || Ok(vec![deleting.clone()]));
    catalog
        .expect_delete_table()
        .times(1)
        .returning(|_, _| Ok(()));
    let mut store = MockItemStore::new();
    store.expect_eventual_reads().returning(|| None);
    store
        .expect_write_unconditional()
        .times(1)
        .returning(|_| Ok(()));
    // No deleted table keeps a point-in-time window.
    store
        .expect_range()
        .withf(|_, r, _, _, _| r.prefix == crate::model::reserved::PITR_DELETED_TAG)
        .times(1)
        .returning(|_, _, _, _, _| Ok(crate::traits::Page::default()));
    // No backup was cut short by a crash.
    store
        .expect_range()
        .withf(|_, r, _, _, _| r.prefix == crate::model::reserved::BACKUP_PENDING_TAG)
        .times(1)
        .returning(|_, _, _, _, _| Ok(crate::traits::Page::default()));
    store
        .expect_range()
        .withf(|_, r, _, _, _| r.prefix == crate::model::reserved::DROP_TAG)
        .times(1)
        .returning(|_, _, _, _, _| {
            Ok(crate::traits::Page {
                items: vec![(
                    drop_key(7).key,
                    StoredItem(bytes::Bytes::from_static(b"{}")),
                )],
                more: false,
            })
        });
    store
        .expect_drop_table()
        .withf(|id| *id == 7)
        .times(1)
        .returning(|_| Ok(()));
    // The backfill record and the queue record are deleted in write transactions.
    store.expect_write().times(2).returning(|reads, decide| {
        let before = vec![None; reads.len()];
        let writes = decide(&before)?;
        Ok(crate::traits::WriteOutcome { before, writes })
    });
    assert_eq!(run_step(&ctx(catalog, store)).await.unwrap(), 2);
}
