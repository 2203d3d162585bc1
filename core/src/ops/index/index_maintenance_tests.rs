//! Tests of index maintenance: sparse entries, key changes, type checks, queued GSI writes.

use super::*;
use crate::clock::SystemClock;
use crate::model::table::SecondaryIndex;
use crate::ops::background::gsi_propagation;
use crate::ops::test_support::{hash_table, item, keys_only_gsi};

fn gsi(delay: Option<u64>) -> SecondaryIndex {
    SecondaryIndex {
        propagation_delay_ms: delay,
        ..keys_only_gsi("byG", 50, "g")
    }
}

/// Writes with the system-wide delay `default_ms`, queued in a fresh queue.
fn with_delay(
    default_ms: u64,
    def: &TableDefinition,
    old: Option<&Item>,
    new: Option<&Item>,
) -> Result<Vec<WriteOp>, ApiError> {
    let queue = GsiQueue::new();
    let delays = Delays {
        default_ms,
        queue: &queue,
        clock: &SystemClock,
    };
    writes_for_change(def, &delays, &base_key(), old, new)
}

fn base_key() -> ItemKey {
    ItemKey {
        storage_id: 7,
        key: vec![1, 2, 3],
    }
}

#[test]
fn sparse_put_move_and_delete() {
    let mut def = hash_table();
    def.global_secondary_indexes.push(gsi(None));
    let without = item(r#"{"pk":{"S":"a"},"x":{"S":"1"}}"#);
    assert!(with_delay(0, &def, None, Some(&without))
        .unwrap()
        .is_empty());
    let with = item(r#"{"pk":{"S":"a"},"g":{"S":"one"},"x":{"S":"1"}}"#);
    let w = with_delay(0, &def, Some(&without), Some(&with)).unwrap();
    assert_eq!(w.len(), 1);
    let WriteOp::Put { key, item: entry } = &w[0] else {
        panic!("{w:?}")
    };
    assert_eq!(key.storage_id, 50);
    assert!(key.key.ends_with(&[1, 2, 3]));
    // KEYS_ONLY: the table key and the index key, not `x`.
    assert_eq!(
        entry.decode().unwrap(),
        item(r#"{"pk":{"S":"a"},"g":{"S":"one"}}"#)
    );
    let moved = item(r#"{"pk":{"S":"a"},"g":{"S":"two"}}"#);
    let w = with_delay(0, &def, Some(&with), Some(&moved)).unwrap();
    assert!(matches!(&w[0], WriteOp::Delete { key: k } if k == key));
    assert!(matches!(&w[1], WriteOp::Put { .. }));
    let w = with_delay(0, &def, Some(&moved), None).unwrap();
    assert_eq!(w.len(), 1);
    assert!(matches!(&w[0], WriteOp::Delete { .. }));
}

#[test]
fn wrong_index_key_type_is_refused() {
    let mut def = hash_table();
    def.global_secondary_indexes.push(gsi(None));
    let bad = item(r#"{"pk":{"S":"a"},"g":{"N":"1"}}"#);
    assert_eq!(
        check_item(&def, &bad).unwrap_err().to_string(),
        "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S Actual: N IndexName: byG"
    );
    assert!(with_delay(0, &def, None, Some(&bad)).is_err());
}

#[test]
fn delayed_gsi_writes_are_queued() {
    let mut def = hash_table();
    def.global_secondary_indexes.push(gsi(None));
    let with = item(r#"{"pk":{"S":"a"},"g":{"S":"one"}}"#);
    let w = with_delay(25, &def, None, Some(&with)).unwrap();
    assert_eq!(w.len(), 1);
    let WriteOp::Put { key, .. } = &w[0] else {
        panic!()
    };
    assert_eq!(key.storage_id, gsi_propagation::QUEUE_STORAGE_ID);
    // The index's own delay wins over the system-wide one.
    def.global_secondary_indexes[0].propagation_delay_ms = Some(0);
    let w = with_delay(25, &def, None, Some(&with)).unwrap();
    assert!(matches!(&w[0], WriteOp::Put { key, .. } if key.storage_id == 50));
}
