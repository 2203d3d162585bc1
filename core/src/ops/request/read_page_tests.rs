use super::*;
use crate::expr::{parse_condition, parse_projection, ExpressionAttributes, ExpressionKind};
use crate::model::table::{KeyAttribute, ScalarType};
use crate::model::AttributeValue;
use crate::ops::read_test_support::range_store;
use crate::ops::test_support::{item, table};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

fn def() -> crate::model::table::TableDefinition {
    table(
        "tbl",
        KeySchema {
            hash: KeyAttribute {
                name: "pk".into(),
                attr_type: ScalarType::S,
            },
            range: Some(KeyAttribute {
                name: "sk".into(),
                attr_type: ScalarType::N,
            }),
        },
    )
}

fn items(n: usize, pad: usize) -> Vec<Item> {
    (0..n)
        .map(|i| {
            item(&format!(
                r#"{{"pk":{{"S":"p"}},"sk":{{"N":"{i}"}},"odd":{{"BOOL":{}}},"pad":{{"S":"{}"}}}}"#,
                i % 2 == 1,
                "x".repeat(pad)
            ))
        })
        .collect()
}

fn whole() -> KeyRange {
    KeyRange {
        prefix: Vec::new(),
        lower: Bound::Unbounded,
        upper: Bound::Unbounded,
    }
}

fn odd_filter() -> Condition {
    let values: HashMap<String, AttributeValue> =
        [(":t".to_string(), AttributeValue::Bool(true))].into();
    let mut attrs = ExpressionAttributes::new(None, Some(&values));
    parse_condition("odd = :t", ExpressionKind::Filter, &mut attrs).unwrap()
}

#[tokio::test]
async fn limit_counts_items_read_and_filter_runs_after() {
    let d = def();
    let calls = Arc::new(Mutex::new(Vec::new()));
    let store = range_store(&d, &items(10, 1), calls.clone());
    let filter = odd_filter();
    let page = read(
        &store,
        PageSpec {
            storage_id: d.storage_id,
            range: whole(),
            forward: true,
            limit: Some(5),
            filter: Some(&filter),
            output: &Output::AllAttributes,
            key_schema: &d.key_schema,
            index_key_names: None,
            fetch_from: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(page.scanned_count, 5);
    assert_eq!(page.count, 2);
    let sks: Vec<&AttributeValue> = page.items.iter().map(|i| &i["sk"]).collect();
    assert_eq!(
        sks,
        vec![
            &item(r#"{"a":{"N":"1"}}"#)["a"],
            &item(r#"{"a":{"N":"3"}}"#)["a"]
        ]
    );
    // The last item read (sk 4) failed the filter and still names the next start.
    assert_eq!(
        page.last_evaluated_key,
        Some(item(r#"{"pk":{"S":"p"},"sk":{"N":"4"}}"#))
    );
    assert_eq!(calls.lock().unwrap()[0].2, 5);
}

#[tokio::test]
async fn limit_reached_exactly_still_gives_a_last_key() {
    let d = def();
    let store = range_store(&d, &items(3, 1), Arc::default());
    let page = read(
        &store,
        PageSpec {
            storage_id: d.storage_id,
            range: whole(),
            forward: false,
            limit: Some(3),
            filter: None,
            output: &Output::Count,
            key_schema: &d.key_schema,
            index_key_names: None,
            fetch_from: None,
        },
    )
    .await
    .unwrap();
    assert_eq!((page.count, page.scanned_count), (3, 3));
    assert!(page.items.is_empty());
    assert_eq!(
        page.last_evaluated_key,
        Some(item(r#"{"pk":{"S":"p"},"sk":{"N":"0"}}"#))
    );
}

#[tokio::test]
async fn one_megabyte_cap_stops_after_the_item_that_reaches_it() {
    let d = def();
    // Each item: pk(2+1) + sk(2+2) + odd(3+1) + pad(3+100_000) = 100_014 bytes or so.
    let all = items(30, 100_000);
    let size = item_size(&all[0]);
    let calls = Arc::new(Mutex::new(Vec::new()));
    let store = range_store(&d, &all, calls.clone());
    let p = {
        let mut attrs = ExpressionAttributes::new(None, None);
        parse_projection("sk", &mut attrs).unwrap()
    };
    let page = read(
        &store,
        PageSpec {
            storage_id: d.storage_id,
            range: whole(),
            forward: true,
            limit: None,
            filter: None,
            output: &Output::Projected(p),
            key_schema: &d.key_schema,
            index_key_names: None,
            fetch_from: None,
        },
    )
    .await
    .unwrap();
    let expected = MAX_PAGE_BYTES.div_ceil(size);
    assert_eq!(page.scanned_count, expected);
    assert!(page.scanned_bytes >= MAX_PAGE_BYTES);
    assert!(page.scanned_bytes - size < MAX_PAGE_BYTES);
    assert_eq!(page.items[0], item(r#"{"sk":{"N":"0"}}"#));
    assert_eq!(
        page.last_evaluated_key.unwrap()["sk"],
        item(&format!(r#"{{"a":{{"N":"{}"}}}}"#, expected - 1))["a"]
    );
}

#[tokio::test]
async fn reads_in_chunks_and_finishes_without_a_last_key() {
    let d = def();
    let calls = Arc::new(Mutex::new(Vec::new()));
    let store = range_store(&d, &items(600, 1), calls.clone());
    let page = read(
        &store,
        PageSpec {
            storage_id: d.storage_id,
            range: whole(),
            forward: true,
            limit: None,
            filter: None,
            output: &Output::AllAttributes,
            key_schema: &d.key_schema,
            index_key_names: None,
            fetch_from: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(page.count, 600);
    assert_eq!(page.last_evaluated_key, None);
    let calls = calls.lock().unwrap();
    assert_eq!(calls.len(), 3);
    // Each chunk resumes after the last key of the previous one.
    assert!(matches!(calls[1].0.lower, Bound::Excluded(_)));
    let sks: Vec<String> = page
        .items
        .iter()
        .map(|i| match &i["sk"] {
            AttributeValue::N(n) => n.as_str().to_string(),
            _ => String::new(),
        })
        .collect();
    let expected: Vec<String> = (0..600).map(|i| i.to_string()).collect();
    assert_eq!(sks, expected);
}
