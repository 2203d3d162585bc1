use super::*;
use crate::model::key_encoding;
use crate::model::table::TableStatus;
use crate::model::AttributeValue;
use crate::ops::request::expression_params::Values;
use crate::ops::test_support::{
    catalog_with, ctx, hash_table, item, untouched_store, writing_store, Recorded,
};
use crate::traits::ItemKey;
use std::sync::{Arc, Mutex};

fn req(item_json: &str) -> Request {
    Request {
        table_name: Some("tbl".into()),
        item: Some(item(item_json)),
        ..Default::default()
    }
}

fn validation(r: Result<Response, ApiError>) -> String {
    match r.unwrap_err() {
        ApiError::Validation(m) => m,
        other => panic!("not a ValidationException: {other:?}"),
    }
}

fn rejected_before_store() -> Ctx {
    ctx(catalog_with(vec![hash_table()]), untouched_store())
}

#[tokio::test]
async fn puts_the_item_under_its_encoded_key() {
    let seen = Arc::new(Mutex::new(Recorded::default()));
    let c = ctx(
        catalog_with(vec![hash_table()]),
        writing_store(None, seen.clone()),
    );
    let new = item(r#"{"pk":{"S":"a"},"n":{"N":"1.50"}}"#);
    let resp = execute(&c, req(r#"{"pk":{"S":"a"},"n":{"N":"1.50"}}"#))
        .await
        .unwrap();
    assert_eq!(resp, Response::default());
    let expected_key = ItemKey {
        storage_id: 7,
        key: key_encoding::item_key(&AttributeValue::S("a".into()), None),
    };
    let s = seen.lock().unwrap();
    // No condition, no index, no old item wanted: one unconditional write, nothing read.
    assert!(s.unconditional);
    assert_eq!(s.reads, Vec::<ItemKey>::new());
    match &s.writes[..] {
        [WriteOp::Put { key, item: stored }] => {
            assert_eq!(*key, expected_key);
            assert_eq!(stored.decode().unwrap(), new);
        }
        other => panic!("unexpected writes {other:?}"),
    }
}

#[tokio::test]
async fn a_put_that_needs_the_old_item_reads_it_in_the_write_transaction() {
    let seen = Arc::new(Mutex::new(Recorded::default()));
    let c = ctx(
        catalog_with(vec![hash_table()]),
        writing_store(None, seen.clone()),
    );
    let mut r = req(r#"{"pk":{"S":"a"}}"#);
    r.return_values = Some("ALL_OLD".into());
    execute(&c, r).await.unwrap();
    let s = seen.lock().unwrap();
    assert!(!s.unconditional);
    assert_eq!(
        s.reads,
        vec![ItemKey {
            storage_id: 7,
            key: key_encoding::item_key(&AttributeValue::S("a".into()), None),
        }]
    );
}

#[tokio::test]
async fn all_old_returns_the_replaced_item_and_none_does_not() {
    let old = item(r#"{"pk":{"S":"a"},"v":{"SS":["x","y"]}}"#);
    for (rv, expected) in [
        (Some("ALL_OLD"), Some(old.clone())),
        (Some("NONE"), None),
        (None, None),
    ] {
        let seen = Arc::new(Mutex::new(Recorded::default()));
        let c = ctx(
            catalog_with(vec![hash_table()]),
            writing_store(Some(StoredItem::encode(&old)), seen),
        );
        let mut r = req(r#"{"pk":{"S":"a"}}"#);
        r.return_values = rv.map(String::from);
        assert_eq!(execute(&c, r).await.unwrap().attributes, expected, "{rv:?}");
    }
}

#[tokio::test]
async fn all_old_without_previous_item_returns_no_attributes() {
    let seen = Arc::new(Mutex::new(Recorded::default()));
    let c = ctx(catalog_with(vec![hash_table()]), writing_store(None, seen));
    let mut r = req(r#"{"pk":{"S":"a"}}"#);
    r.return_values = Some("ALL_OLD".into());
    let body = protocol::encode(&execute(&c, r).await.unwrap()).unwrap();
    assert_eq!(body, b"{}");
}

#[tokio::test]
async fn consumed_capacity_counts_the_larger_of_old_and_new() {
    let big_old = Item::from([
        ("pk".to_string(), AttributeValue::S("a".into())),
        ("b".to_string(), AttributeValue::S("x".repeat(1500))),
    ]);
    let cases = [
        (None, "TOTAL", r#"{"TableName":"tbl","CapacityUnits":1.0}"#),
        (
            Some(big_old.clone()),
            "TOTAL",
            r#"{"TableName":"tbl","CapacityUnits":2.0}"#,
        ),
        (
            Some(big_old),
            "INDEXES",
            r#"{"TableName":"tbl","CapacityUnits":2.0,"Table":{"CapacityUnits":2.0}}"#,
        ),
    ];
    for (old, mode, expected) in cases {
        let seen = Arc::new(Mutex::new(Recorded::default()));
        let c = ctx(
            catalog_with(vec![hash_table()]),
            writing_store(old.as_ref().map(StoredItem::encode), seen),
        );
        let mut r = req(r#"{"pk":{"S":"a"}}"#);
        r.return_consumed_capacity = Some(mode.into());
        let resp = execute(&c, r).await.unwrap();
        assert_eq!(resp.attributes, None);
        let cc = serde_json::to_string(&resp.consumed_capacity.unwrap()).unwrap();
        assert_eq!(cc, expected);
    }
}

#[tokio::test]
async fn missing_or_inactive_table_is_resource_not_found() {
    let mut creating = hash_table();
    creating.status = TableStatus::Creating;
    creating.status_since = f64::MAX;
    for tables in [vec![], vec![creating]] {
        let c = ctx(catalog_with(tables), untouched_store());
        assert_eq!(
            execute(&c, req(r#"{"pk":{"S":"a"}}"#)).await.unwrap_err(),
            ApiError::ResourceNotFound("Requested resource not found".into())
        );
    }
}

#[tokio::test]
async fn constraint_errors_are_collected() {
    let c = rejected_before_store();
    use crate::ops::test_support::refused;
    use crate::ops::Operation;
    use serde_json::json;
    assert_eq!(
        refused(&c, Operation::PutItem, json!({})).await,
        "2 validation errors detected: \
         Value null at 'tableName' failed to satisfy constraint: Member must not be null; \
         Value null at 'item' failed to satisfy constraint: Member must not be null"
    );
    // In the model's member order.
    let body = json!({"TableName": "abc;", "ReturnConsumedCapacity": "hi", "ReturnValues": "hi"});
    assert_eq!(
        refused(&c, Operation::PutItem, body).await,
        "4 validation errors detected: \
         Value 'abc;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; \
         Value null at 'item' failed to satisfy constraint: Member must not be null; \
         Value 'hi' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]; \
         Value 'hi' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"
    );
}

#[tokio::test]
async fn return_values_other_than_all_old_or_none_are_refused() {
    let c = rejected_before_store();
    for rv in ["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"] {
        let mut r = req(r#"{"pk":{"S":"a"}}"#);
        r.return_values = Some(rv.into());
        assert_eq!(
            validation(execute(&c, r).await),
            "ReturnValues can only be ALL_OLD or NONE"
        );
    }
}

#[tokio::test]
async fn condition_expression_guards_the_write() {
    let old = item(r#"{"pk":{"S":"a"},"v":{"N":"1"}}"#);
    let values: Values = [(
        ":v".to_string(),
        AttributeValue::N(crate::model::Number::parse("1").unwrap()),
    )]
    .into();
    for (cond, on_failure, outcome) in [
        ("attribute_not_exists(pk)", None, Err(None)),
        (
            "attribute_not_exists(pk)",
            Some("ALL_OLD"),
            Err(Some(old.clone())),
        ),
        ("v = :v", None, Ok(())),
    ] {
        let seen = Arc::new(Mutex::new(Recorded::default()));
        let c = ctx(
            catalog_with(vec![hash_table()]),
            writing_store(Some(StoredItem::encode(&old)), seen.clone()),
        );
        let mut r = req(r#"{"pk":{"S":"a"},"v":{"N":"2"}}"#);
        r.condition_expression = Some(cond.into());
        r.return_values_on_condition_check_failure = on_failure.map(String::from);
        if cond.contains(":v") {
            r.expression_attribute_values = Some(values.clone());
        }
        let got = execute(&c, r).await;
        match outcome {
            Ok(()) => {
                got.unwrap();
                assert_eq!(seen.lock().unwrap().writes.len(), 1);
            }
            Err(item) => {
                assert_eq!(got.unwrap_err(), ApiError::ConditionalCheckFailed { item });
                assert!(seen.lock().unwrap().writes.is_empty());
            }
        }
    }
}

#[tokio::test]
async fn expected_guards_the_write_on_an_absent_item() {
    let seen = Arc::new(Mutex::new(Recorded::default()));
    let c = ctx(
        catalog_with(vec![hash_table()]),
        writing_store(None, seen.clone()),
    );
    let mut r = req(r#"{"pk":{"S":"a"}}"#);
    r.expected = Some(serde_json::from_str(r#"{"pk":{"Exists":false}}"#).unwrap());
    execute(&c, r).await.unwrap();
    assert_eq!(seen.lock().unwrap().writes.len(), 1);
}

#[tokio::test]
async fn expression_parameter_rules_apply_before_the_store() {
    let c = rejected_before_store();
    let mut r = req(r#"{"pk":{"S":"a"}}"#);
    r.condition_expression = Some("attribute_not_exists(pk)".into());
    r.expected = Some(serde_json::from_str(r#"{"pk":{"Exists":false}}"#).unwrap());
    assert_eq!(
        validation(execute(&c, r).await),
        "Can not use both expression and non-expression parameters in the same request: \
         Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"
    );
    let mut r = req(r#"{"pk":{"S":"a"}}"#);
    r.expression_attribute_values = Some([(":v".to_string(), AttributeValue::Bool(true))].into());
    assert_eq!(
        validation(execute(&c, r).await),
        "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"
    );
    let mut r = req(r#"{"pk":{"S":"a"}}"#);
    r.condition_expression = Some("a = :zz".into());
    assert_eq!(
        validation(execute(&c, r).await),
        "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :zz"
    );
    let body = serde_json::json!({"TableName": "tbl", "Item": {"pk": {"S": "a"}},
        "Expected": {"pk": {"ComparisonOperator": "XX"}}, "ConditionalOperator": "NOR"});
    assert_eq!(
        crate::ops::test_support::refused(&c, crate::ops::Operation::PutItem, body).await,
        "2 validation errors detected: \
         Value 'XX' at 'expected.pk.member.comparisonOperator' failed to satisfy constraint: \
         Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]; \
         Value 'NOR' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [OR, AND]"
    );
}

#[tokio::test]
async fn key_and_value_rules_apply() {
    let c = rejected_before_store();
    let cases = [
        (r#"{"x":{"S":"a"}}"#, "One or more parameter values were invalid: Missing the key pk in the item"),
        (r#"{"pk":{"N":"1"}}"#, "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"),
        (r#"{"pk":{"S":""}}"#, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"),
        (r#"{"pk":{"S":"a"},"s":{"NS":[]}}"#, "One or more parameter values were invalid: An number set  may not be empty"),
        (r#"{"pk":{"S":"a"},"m":{"M":{"s":{"SS":["a","a"]}}}}"#, "One or more parameter values were invalid: Input collection [a, a] contains duplicates."),
    ];
    for (json, expected) in cases {
        assert_eq!(validation(execute(&c, req(json)).await), expected, "{json}");
    }
}

#[tokio::test]
async fn oversized_item_is_refused_before_table_lookup() {
    // No table at all: the size check comes first.
    let c = ctx(catalog_with(vec![]), untouched_store());
    let mut r = req(r#"{"pk":{"S":"a"}}"#);
    if let Some(it) = r.item.as_mut() {
        it.insert("b".into(), AttributeValue::S("x".repeat(400 * 1024)));
    }
    assert_eq!(
        validation(execute(&c, r).await),
        "Item size has exceeded the maximum allowed size"
    );
}

#[tokio::test]
async fn handle_decodes_and_encodes() {
    let seen = Arc::new(Mutex::new(Recorded::default()));
    let c = ctx(catalog_with(vec![hash_table()]), writing_store(None, seen));
    let body = br#"{"TableName":"tbl","Item":{"pk":{"S":"a"}},"ReturnConsumedCapacity":"TOTAL"}"#;
    let out = handle(&c, body).await.unwrap();
    assert_eq!(
        out,
        br#"{"ConsumedCapacity":{"TableName":"tbl","CapacityUnits":1.0}}"#
    );
    let c = rejected_before_store();
    assert_eq!(
        handle(&c, br#"{"TableName":"tbl","Item":{"pk":{"N":"x"}}}"#)
            .await
            .unwrap_err(),
        ApiError::validation("The parameter cannot be converted to a numeric value: x")
    );
}
