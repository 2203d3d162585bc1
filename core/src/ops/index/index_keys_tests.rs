//! Tests of index entry keys and projections.

use super::*;
use crate::model::key_encoding::item_key;
use crate::model::table::{IndexStatus, KeyAttribute, ScalarType};
use crate::ops::test_support::{hash_table, item};

fn attr(name: &str, t: ScalarType) -> KeyAttribute {
    KeyAttribute {
        name: name.into(),
        attr_type: t,
    }
}

fn index(hash: Vec<KeyAttribute>, range: Vec<KeyAttribute>) -> SecondaryIndex {
    SecondaryIndex {
        name: "i".into(),
        storage_id: 9,
        hash,
        range,
        projection: ProjectionType::Include,
        non_key_attributes: vec!["inc".into()],
        throughput: None,
        status: IndexStatus::Active,
        status_since: 0.0,
        backfilling: false,
        propagation_delay_ms: None,
        throughput_history: Default::default(),
    }
}

#[test]
fn single_attribute_entry_key_extends_the_item_key_layout() {
    let i = index(
        vec![attr("g", ScalarType::S)],
        vec![attr("n", ScalarType::N)],
    );
    let it = item(r#"{"pk":{"S":"a"},"g":{"S":"x"},"n":{"N":"3"}}"#);
    let values = key_values(&i, &it).unwrap().unwrap();
    let k = entry_key(&i, &values, b"BASE");
    let mut expected = item_key(&it["g"], Some(&it["n"]));
    expected.extend_from_slice(b"BASE");
    assert_eq!(k, expected);
}

#[test]
fn multi_attribute_keys_sort_component_by_component() {
    let i = index(
        vec![attr("r", ScalarType::S), attr("t", ScalarType::S)],
        vec![attr("s", ScalarType::N), attr("at", ScalarType::S)],
    );
    let key = |json: &str| {
        let it = item(json);
        let v = key_values(&i, &it).unwrap().unwrap();
        entry_key(&i, &v, b"")
    };
    let a = key(r#"{"r":{"S":"eu"},"t":{"S":"gold"},"s":{"N":"9"},"at":{"S":"b"}}"#);
    let b = key(r#"{"r":{"S":"eu"},"t":{"S":"gold"},"s":{"N":"10"},"at":{"S":"a"}}"#);
    let c = key(r#"{"r":{"S":"eu"},"t":{"S":"gold"},"s":{"N":"10"},"at":{"S":"b"}}"#);
    assert!(a < b && b < c);
    assert_eq!(a[..12], b[..12]);
    assert!(
        key_values(&i, &item(r#"{"r":{"S":"eu"},"t":{"S":"gold"}}"#))
            .unwrap()
            .is_none()
    );
}

#[test]
fn include_projection_keeps_keys_and_named_attributes() {
    let def = hash_table();
    let i = index(vec![attr("g", ScalarType::S)], vec![]);
    let it = item(r#"{"pk":{"S":"a"},"g":{"S":"x"},"inc":{"N":"1"},"other":{"N":"2"}}"#);
    assert_eq!(
        project(&def, &i, &it),
        item(r#"{"pk":{"S":"a"},"g":{"S":"x"},"inc":{"N":"1"}}"#)
    );
    let empty = item(r#"{"pk":{"S":"a"},"g":{"S":""}}"#);
    assert!(key_values(&i, &empty)
        .unwrap_err()
        .to_string()
        .contains("cannot contain an empty string value. IndexName: i, IndexKey: g"));
}

#[test]
fn index_key_values_obey_dynamodb_key_size_limits() {
    let i = index(
        vec![attr("g", ScalarType::S)],
        vec![attr("r", ScalarType::B)],
    );
    let at_limit = format!(
        r#"{{"pk":{{"S":"a"}},"g":{{"S":"{}"}},"r":{{"B":"{}"}}}}"#,
        "x".repeat(2048),
        "eHh4".repeat(341) // 1023 bytes
    );
    assert!(key_values(&i, &item(&at_limit)).unwrap().is_some());
    let long_hash = format!(r#"{{"pk":{{"S":"a"}},"g":{{"S":"{}"}}}}"#, "x".repeat(2049));
    assert_eq!(
        key_values(&i, &item(&long_hash)).unwrap_err().to_string(),
        "One or more parameter values were invalid: Size limit exceeded for Index Key g Actual Size: 2049 bytes Max Size: 2048 bytes IndexName: i"
    );
    let long_range = format!(
        r#"{{"pk":{{"S":"a"}},"g":{{"S":"x"}},"r":{{"B":"{}"}}}}"#,
        "eHh4".repeat(342) // 1026 bytes
    );
    assert_eq!(
        key_values(&i, &item(&long_range)).unwrap_err().to_string(),
        "One or more parameter values were invalid: Size limit exceeded for Index Key r Actual Size: 1026 bytes Max Size: 1024 bytes IndexName: i"
    );
}
