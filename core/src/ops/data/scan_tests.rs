use super::*;
use crate::model::table::TableDefinition;
use crate::ops::read_test_support::range_store;
use crate::ops::test_support::{catalog_with, ctx, hash_table, item, untouched_store};
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

fn data() -> Vec<Item> {
    (0..200)
        .map(|i| item(&format!(r#"{{"pk":{{"S":"k{i}"}},"n":{{"N":"{i}"}}}}"#)))
        .collect()
}

async fn run(d: &TableDefinition, body: serde_json::Value) -> Result<Response, ApiError> {
    let store = range_store(d, &data(), Arc::new(Mutex::new(Vec::new())));
    let c = ctx(catalog_with(vec![d.clone()]), store);
    execute(&c, serde_json::from_value(body).unwrap()).await
}

fn pks(r: &Response) -> Vec<String> {
    r.items
        .as_ref()
        .unwrap()
        .iter()
        .map(|i| match &i["pk"] {
            AttributeValue::S(s) => s.clone(),
            other => format!("{other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn segments_paginated_return_every_item_once() {
    let d = hash_table();
    let mut seen = Vec::new();
    for segment in 0..3 {
        let mut start: Option<Item> = None;
        loop {
            let mut body =
                json!({"TableName": "tbl", "Segment": segment, "TotalSegments": 3, "Limit": 7});
            if let Some(s) = &start {
                body["ExclusiveStartKey"] = serde_json::to_value(s).unwrap();
            }
            let r = run(&d, body).await.unwrap();
            seen.extend(pks(&r));
            match r.last_evaluated_key {
                Some(k) => start = Some(k),
                None => break,
            }
        }
    }
    assert_eq!(seen.len(), 200);
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), 200);
}

#[tokio::test]
async fn filter_and_count() {
    let d = hash_table();
    let r = run(
        &d,
        json!({"TableName": "tbl", "Select": "COUNT", "FilterExpression": "n < :x",
               "ExpressionAttributeValues": {":x": {"N": "50"}}, "ReturnConsumedCapacity": "INDEXES"}),
    )
    .await
    .unwrap();
    assert_eq!((r.count, r.scanned_count), (50, 200));
    assert_eq!(r.items, None);
    let cap = r.consumed_capacity.unwrap();
    assert_eq!(cap.table.unwrap().capacity_units, cap.capacity_units);
}

#[tokio::test]
async fn start_key_of_another_segment_is_refused() {
    let d = hash_table();
    let first = run(
        &d,
        json!({"TableName": "tbl", "Segment": 0, "TotalSegments": 2, "Limit": 1}),
    )
    .await
    .unwrap();
    let key = first.last_evaluated_key.unwrap();
    let e = run(
        &d,
        json!({"TableName": "tbl", "Segment": 1, "TotalSegments": 2, "ExclusiveStartKey": key}),
    )
    .await
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: 2 Segment: 1"
    );
}

#[tokio::test]
async fn validation_messages() {
    let cases: Vec<(serde_json::Value, &str)> = vec![
        (json!({"TableName": "tbl", "Segment": 0}), "The TotalSegments parameter is required but was not present in the request when Segment parameter is present"),
        (json!({"TableName": "tbl", "TotalSegments": 2}), "The Segment parameter is required but was not present in the request when parameter TotalSegments is present"),
        (json!({"TableName": "tbl", "Segment": 2, "TotalSegments": 2}), "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 2 is not less than TotalSegments: 2"),
        (json!({"TableName": "tbl", "Segment": -1, "TotalSegments": 1000001, "Limit": 0}), "3 validation errors detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1; Value '1000001' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 1000000; Value '-1' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0"),
        (json!({"TableName": "tbl", "ExpressionAttributeNames": {"#a": "a"}}), "ExpressionAttributeNames can only be specified when using expressions"),
        (json!({"TableName": "tbl", "ProjectionExpression": "a", "ExpressionAttributeValues": {":a": {"S": "a"}}}), "ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null"),
        (json!({"TableName": "tbl", "Select": "SPECIFIC_ATTRIBUTES"}), "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"),
        (json!({"TableName": "tbl", "Select": "ALL_PROJECTED_ATTRIBUTES"}), "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"),
        (json!({"TableName": "tbl", "ScanFilter": {}, "FilterExpression": "n = :n", "ExpressionAttributeValues": {":n": {"N": "1"}}}), "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {ScanFilter} Expression parameters: {FilterExpression}"),
        (json!({"TableName": "tbl", "ScanFilter": {"n": {"ComparisonOperator": "DOG"}}, "ConditionalOperator": "and"}), "2 validation errors detected: Value 'DOG' at 'scanFilter.n.member.comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]; Value 'and' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [OR, AND]"),
        (json!({"TableName": "tbl", "ScanFilter": {"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}]}}}), "One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
        (json!({"TableName": "tbl", "ScanFilter": {"n": {"ComparisonOperator": "NULL"}}, "ConditionalOperator": "OR"}), "ConditionalOperator can only be used when Filter or Expected has two or more elements"),
        // AttributesToGet is checked before ScanFilter.
        (json!({"TableName": "tbl", "ScanFilter": {"n": {"ComparisonOperator": "EQ"}}, "AttributesToGet": ["a", "a"]}), "One or more parameter values were invalid: Duplicate value in attribute name: a"),
        (json!({"TableName": "tbl", "Select": "COUNT", "AttributesToGet": ["a"]}), "Cannot specify the AttributesToGet when choosing to get only the Count"),
        (json!({"TableName": "tbl", "FilterExpression": "a = :a"}), "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :a"),
        (json!({"TableName": "tbl", "ExclusiveStartKey": {"pk": {"N": "1"}}}), "The provided starting key is invalid: The provided key element does not match the schema"),
        (json!({"TableName": "tbl", "FilterExpression": "pk.a = :a", "ExpressionAttributeValues": {":a": {"S": "a"}}}), "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: pk"),
    ];
    for (body, expected) in cases {
        let c = ctx(catalog_with(vec![hash_table()]), untouched_store());
        let e =
            crate::ops::test_support::refused(&c, crate::ops::Operation::Scan, body.clone()).await;
        assert_eq!(e, expected, "{body}");
    }
}

#[tokio::test]
async fn legacy_scan_filter_and_attributes_to_get() {
    let d = hash_table();
    let filter = json!({
        "n": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "3"}]},
        "pk": {"ComparisonOperator": "IN", "AttributeValueList": [{"S": "k150"}, {"S": "k7"}]},
    });
    let body = |op: Option<&str>| {
        let mut b = json!({"TableName": "tbl", "ScanFilter": filter, "AttributesToGet": ["n"]});
        if let Some(op) = op {
            b["ConditionalOperator"] = json!(op);
        }
        b
    };
    let ns = |r: &Response| {
        let mut out: Vec<String> = r
            .items
            .as_ref()
            .unwrap()
            .iter()
            .map(|i| {
                assert_eq!(i.len(), 1, "only the attribute asked for");
                match &i["n"] {
                    AttributeValue::N(n) => n.as_str().to_string(),
                    other => format!("{other:?}"),
                }
            })
            .collect();
        out.sort();
        out
    };
    let r = run(&d, body(Some("OR"))).await.unwrap();
    assert_eq!(ns(&r), vec!["0", "1", "150", "2", "7"]);
    assert_eq!(r.scanned_count, 200);
    let r = run(&d, body(None)).await.unwrap();
    assert_eq!(r.count, 0);
    let filter = json!({"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "10"}, {"N": "12"}]}});
    let r = run(
        &d,
        json!({"TableName": "tbl", "ScanFilter": filter, "Select": "COUNT"}),
    )
    .await
    .unwrap();
    assert_eq!((r.count, r.items), (3, None));
}

#[tokio::test]
async fn key_attributes_are_allowed_in_a_scan_filter() {
    let d = hash_table();
    let r = run(
        &d,
        json!({"TableName": "tbl", "FilterExpression": "pk = :k", "ExpressionAttributeValues": {":k": {"S": "k7"}}}),
    )
    .await
    .unwrap();
    assert_eq!(pks(&r), vec!["k7"]);
    assert_eq!(r.scanned_count, 200);
}

#[test]
fn a_whole_table_scan_pays_for_each_initial_partition() {
    // A one-item table: 4 units consistent, 2 eventually consistent, as DynamoDB reports.
    assert_eq!(scan_units(100, true, true), 4.0);
    assert_eq!(scan_units(100, false, true), 2.0);
    // Size wins once it costs more.
    assert_eq!(scan_units(20_000, true, true), 5.0);
    // A page that stops early or a segment pays by size only.
    assert_eq!(scan_units(100, true, false), 1.0);
    assert_eq!(scan_units(9_000, false, false), 1.5);
}
