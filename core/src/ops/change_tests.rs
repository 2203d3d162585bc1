//! The change hooks: index entries for indexed tables, a stream record for stream-enabled
//! ones, nothing for the rest, and no record for a change that leaves the item as it was.

use super::*;
use crate::model::table::{StreamViewType, TableStream};
use crate::ops::test_support::{hash_table, item, keys_only_gsi, request_ctx, services};
use crate::traits::catalog::MockCatalog;
use crate::traits::item_store::MockItemStore;
use crate::traits::StoredItem;
use std::sync::Mutex;

/// One change as the sink saw it: old image, new image, made by the service.
type Seen = (Option<Item>, Option<Item>, bool);

/// A sink that answers one marker write per change and remembers what it saw.
#[derive(Default)]
struct Recording(Mutex<Vec<Seen>>);

impl StreamSink for Recording {
    fn record(&self, change: &ItemChange<'_>) -> Result<Vec<WriteOp>, ApiError> {
        self.0
            .lock()
            .unwrap()
            .push((change.old.cloned(), change.new.cloned(), change.by_service));
        Ok(vec![WriteOp::Put {
            key: ItemKey {
                storage_id: 1000,
                key: change.key.key.clone(),
            },
            item: StoredItem(bytes::Bytes::from_static(b"{}")),
        }])
    }
}

fn ctx_with(sink: Arc<Recording>) -> Ctx {
    request_ctx(
        services(
            Arc::new(MockCatalog::new()),
            Arc::new(MockItemStore::new()),
            std::time::Duration::ZERO,
        )
        .with_streams(sink),
    )
}

fn key() -> ItemKey {
    ItemKey {
        storage_id: 7,
        key: vec![1, 2, 3],
    }
}

#[test]
fn a_plain_table_has_no_hooks() {
    let sink = Arc::new(Recording::default());
    let w = ChangeWriter::for_table(&ctx_with(sink.clone()), &Arc::new(hash_table()));
    assert!(!w.is_active());
    let a = item(r#"{"pk":{"S":"a"}}"#);
    assert!(w.writes(&key(), None, Some(&a)).unwrap().is_empty());
    assert!(sink.0.lock().unwrap().is_empty());
}

#[test]
fn a_stream_table_records_each_real_change() {
    let sink = Arc::new(Recording::default());
    let mut def = hash_table();
    def.stream = Some(TableStream {
        log_id: 0,
        created_at: 0.0,
        view_type: StreamViewType::NewAndOldImages,
        label: "2026-01-01T00:00:00.000".into(),
    });
    let w = ChangeWriter::for_table(&ctx_with(sink.clone()), &Arc::new(def.clone()));
    assert!(w.is_active());
    let a = item(r#"{"pk":{"S":"a"},"n":{"N":"1"}}"#);
    let b = item(r#"{"pk":{"S":"a"},"n":{"N":"2"}}"#);
    assert_eq!(w.writes(&key(), None, Some(&a)).unwrap().len(), 1);
    assert_eq!(w.writes(&key(), Some(&a), Some(&b)).unwrap().len(), 1);
    // Unchanged, or deleting what does not exist: no record.
    assert!(w.writes(&key(), Some(&b), Some(&b)).unwrap().is_empty());
    assert!(w.writes(&key(), None, None).unwrap().is_empty());
    let service = w.clone().by_service();
    assert_eq!(service.writes(&key(), Some(&b), None).unwrap().len(), 1);
    let seen = sink.0.lock().unwrap();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0], (None, Some(a.clone()), false));
    assert_eq!(seen[1], (Some(a), Some(b.clone()), false));
    assert_eq!(seen[2], (Some(b), None, true));
}

#[test]
fn an_indexed_table_gets_index_entries_and_the_record_after_them() {
    let sink = Arc::new(Recording::default());
    let mut def = hash_table();
    def.global_secondary_indexes
        .push(keys_only_gsi("g", 9, "x"));
    def.stream = Some(TableStream {
        log_id: 0,
        created_at: 0.0,
        view_type: StreamViewType::KeysOnly,
        label: "2026-01-01T00:00:00.000".into(),
    });
    let ctx = ctx_with(sink.clone());
    ctx.settings.apply("gsi_propagation_delay_ms", "0");
    let w = ChangeWriter::for_table(&ctx, &Arc::new(def.clone()));
    let a = item(r#"{"pk":{"S":"a"},"x":{"S":"1"}}"#);
    let writes = w.writes(&key(), None, Some(&a)).unwrap();
    assert_eq!(writes.len(), 2);
    assert!(matches!(&writes[0], WriteOp::Put { key, .. } if key.storage_id == 9));
    assert!(matches!(&writes[1], WriteOp::Put { key, .. } if key.storage_id == 1000));
}
