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

#[test]
fn a_start_key_must_lie_inside_the_queried_index_partition_and_sort_condition() {
    let attr = |name: &str| KeyAttribute {
        name: name.into(),
        attr_type: ScalarType::S,
    };
    let index = SecondaryIndex {
        name: "i".into(),
        storage_id: 1,
        hash: vec![attr("g")],
        range: vec![attr("s")],
        projection: ProjectionType::All,
        non_key_attributes: vec![],
        throughput: None,
        status: IndexStatus::Active,
        status_since: 0.0,
        backfilling: false,
        propagation_delay_ms: None,
        throughput_history: Default::default(),
    };
    let s = |x: &str| AttributeValue::S(x.into());
    let start = |g: &str, sv: &str| -> Item {
        [("g", s(g)), ("s", s(sv)), ("pk", s("k"))]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect()
    };
    let whole = CompositeKeyCondition {
        partition_values: vec![s("right")],
        sort_equal: vec![],
        sort_last: None,
    };
    assert!(start_key_bounds(&index, &start("right", "x"), &whole).is_ok());
    assert_eq!(
        start_key_bounds(&index, &start("wrong", "x"), &whole)
            .unwrap_err()
            .to_string(),
        "The provided starting key is outside query boundaries based on provided conditions"
    );
    let with_sort = CompositeKeyCondition {
        partition_values: vec![s("right")],
        sort_equal: vec![s("x")],
        sort_last: None,
    };
    assert!(start_key_bounds(&index, &start("right", "x"), &with_sort).is_ok());
    assert_eq!(
        start_key_bounds(&index, &start("right", "y"), &with_sort)
            .unwrap_err()
            .to_string(),
        "The provided starting key does not match the range key predicate"
    );
    let prefix = CompositeKeyCondition {
        partition_values: vec![s("right")],
        sort_equal: vec![],
        sort_last: Some(SortKeyPredicate::BeginsWith(s("a"))),
    };
    assert!(start_key_bounds(&index, &start("right", "abc"), &prefix).is_ok());
    assert!(start_key_bounds(&index, &start("right", "bcd"), &prefix).is_err());
}

#[test]
fn a_gsi_refuses_projections_of_attributes_it_does_not_hold() {
    let def = crate::ops::test_support::hash_table();
    let mut index = SecondaryIndex {
        name: "g".into(),
        storage_id: 1,
        hash: vec![KeyAttribute {
            name: "x".into(),
            attr_type: ScalarType::S,
        }],
        range: vec![],
        projection: ProjectionType::Include,
        non_key_attributes: vec!["a".into()],
        throughput: None,
        status: IndexStatus::Active,
        status_since: 0.0,
        backfilling: false,
        propagation_delay_ms: None,
        throughput_history: Default::default(),
    };
    assert!(check_gsi_projection(&def, &index, true, &["a", "x", "pk"]).is_ok());
    assert_eq!(
        check_gsi_projection(&def, &index, true, &["b", "a", "c", "b"])
            .unwrap_err()
            .to_string(),
        "One or more parameter values were invalid: Global secondary index g does not project [b, c]"
    );
    // An LSI fetches what it lacks from the table.
    assert!(check_gsi_projection(&def, &index, false, &["b"]).is_ok());
    index.projection = ProjectionType::All;
    assert!(check_gsi_projection(&def, &index, true, &["b"]).is_ok());
}
