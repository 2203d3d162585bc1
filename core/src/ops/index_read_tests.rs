//! Tests of index key ranges: the range selects exactly the matching entries.

use super::*;
use crate::model::table::{KeyAttribute, ScalarType};
use crate::model::Number;

fn n(x: &str) -> AttributeValue {
    AttributeValue::N(Number::parse(x).unwrap())
}

fn inside(r: &KeyRange, key: &[u8]) -> bool {
    let lo = match &r.lower {
        Bound::Included(b) => key >= b.as_slice(),
        Bound::Excluded(b) => key > b.as_slice(),
        Bound::Unbounded => true,
    };
    let hi = match &r.upper {
        Bound::Included(b) => key <= b.as_slice(),
        Bound::Excluded(b) => key < b.as_slice(),
        Bound::Unbounded => true,
    };
    key.starts_with(&r.prefix) && lo && hi
}

#[test]
fn ranges_select_entries_with_table_key_suffixes() {
    let index = SecondaryIndex {
        name: "i".into(),
        storage_id: 1,
        hash: vec![KeyAttribute {
            name: "g".into(),
            attr_type: ScalarType::S,
        }],
        range: vec![KeyAttribute {
            name: "s".into(),
            attr_type: ScalarType::N,
        }],
        projection: ProjectionType::All,
        non_key_attributes: vec![],
        throughput: None,
        status: IndexStatus::Active,
        status_since: 0.0,
        backfilling: false,
        propagation_delay_ms: None,
        throughput_history: Default::default(),
    };
    let p = AttributeValue::S("p".into());
    let values = ["-5", "-1", "0", "1", "2", "10"];
    let preds = |v: AttributeValue| {
        vec![
            SortKeyPredicate::Eq(v.clone()),
            SortKeyPredicate::Lt(v.clone()),
            SortKeyPredicate::Le(v.clone()),
            SortKeyPredicate::Gt(v.clone()),
            SortKeyPredicate::Ge(v.clone()),
            SortKeyPredicate::Between(n("-1"), v),
        ]
    };
    for bound in values {
        for pred in preds(n(bound)) {
            let r = key_range(&CompositeKeyCondition {
                partition_values: vec![p.clone()],
                sort_equal: vec![],
                sort_last: Some(pred.clone()),
            });
            for v in values {
                for suffix in [&[0u8][..], &[0xFF, 0xFF, 3], &[0x80]] {
                    let key = index_keys::entry_key(&index, &[&p, &n(v)], suffix);
                    assert_eq!(inside(&r, &key), pred.matches(&n(v)), "{pred:?} {v}");
                }
            }
        }
    }
}
