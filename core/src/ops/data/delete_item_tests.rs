use super::*;
use crate::model::key_encoding;
use crate::model::table::{KeyAttribute, KeySchema, ScalarType};
use crate::model::AttributeValue;
use crate::ops::test_support::{
    catalog_with, ctx, hash_table, item, table, untouched_store, writing_store, Recorded,
};
use crate::traits::{ItemKey, StoredItem};
use std::sync::{Arc, Mutex};

fn req(key_json: &str) -> Request {
    Request {
        table_name: Some("tbl".into()),
        key: Some(item(key_json)),
        ..Default::default()
    }
}

fn validation(r: Result<Response, ApiError>) -> String {
    match r.unwrap_err() {
        ApiError::Validation(m) => m,
        other => panic!("not a ValidationException: {other:?}"),
    }
}

fn range_table() -> crate::model::table::TableDefinition {
    table(
        "tbl",
        KeySchema {
            hash: KeyAttribute {
                name: "pk".into(),
                attr_type: ScalarType::S,
            },
            range: Some(KeyAttribute {
                name: "sk".into(),
                attr_type: ScalarType::B,
            }),
        },
    )
}

#[tokio::test]
async fn deletes_the_keyed_item_and_returns_it_with_all_old() {
    let old = item(r#"{"pk":{"S":"a"},"sk":{"B":"AQI="},"v":{"BS":["AQ==","Ag=="]}}"#);
    let seen = Arc::new(Mutex::new(Recorded::default()));
    let c = ctx(
        catalog_with(vec![range_table()]),
        writing_store(Some(StoredItem::encode(&old)), seen.clone()),
    );
    let mut r = req(r#"{"sk":{"B":"AQI="},"pk":{"S":"a"}}"#);
    r.return_values = Some("ALL_OLD".into());
    let resp = execute(&c, r).await.unwrap();
    assert_eq!(resp.attributes, Some(old));
    let expected_key = ItemKey {
        storage_id: 7,
        key: key_encoding::item_key(
            &AttributeValue::S("a".into()),
            Some(&AttributeValue::B(vec![1, 2])),
        ),
    };
    let s = seen.lock().unwrap();
    assert_eq!(s.reads, vec![expected_key.clone()]);
    assert_eq!(s.writes, vec![WriteOp::Delete { key: expected_key }]);
}

#[tokio::test]
async fn without_all_old_the_answer_is_empty() {
    let old = item(r#"{"pk":{"S":"a"}}"#);
    let seen = Arc::new(Mutex::new(Recorded::default()));
    let c = ctx(
        catalog_with(vec![hash_table()]),
        writing_store(Some(StoredItem::encode(&old)), seen),
    );
    let out = handle(&c, br#"{"TableName":"tbl","Key":{"pk":{"S":"a"}}}"#)
        .await
        .unwrap();
    assert_eq!(out, b"{}");
}

#[tokio::test]
async fn consumed_capacity_counts_the_deleted_item() {
    let big = Item::from([
        ("pk".to_string(), AttributeValue::S("a".into())),
        ("b".to_string(), AttributeValue::S("x".repeat(3000))),
    ]);
    for (old, units) in [(None, 1.0), (Some(big), 3.0)] {
        let seen = Arc::new(Mutex::new(Recorded::default()));
        let c = ctx(
            catalog_with(vec![hash_table()]),
            writing_store(old.as_ref().map(StoredItem::encode), seen),
        );
        let mut r = req(r#"{"pk":{"S":"a"}}"#);
        r.return_consumed_capacity = Some("TOTAL".into());
        let resp = execute(&c, r).await.unwrap();
        assert_eq!(resp.attributes, None);
        let cc = resp.consumed_capacity.unwrap();
        assert_eq!((cc.table_name.as_str(), cc.capacity_units), ("tbl", units));
    }
}

#[tokio::test]
async fn key_rules_apply() {
    let c = ctx(catalog_with(vec![range_table()]), untouched_store());
    let cases = [
        (r#"{"pk":{"S":"a"}}"#, "The provided key element does not match the schema"),
        (r#"{"pk":{"S":"a"},"sk":{"S":"b"}}"#, "The provided key element does not match the schema"),
        (r#"{"pk":{"S":"a"},"sk":{"B":""}}"#, "One or more parameter values were invalid: The AttributeValue for a key attribute cannot contain an empty binary value. Key: sk"),
        (r#"{"pk":{"S":"a"},"sk":{"NULL":false}}"#, "One or more parameter values were invalid: Null attribute value types must have the value of true"),
    ];
    for (json, expected) in cases {
        assert_eq!(validation(execute(&c, req(json)).await), expected, "{json}");
    }
    let mut long = item(r#"{"pk":{"S":"a"}}"#);
    long.insert("sk".into(), AttributeValue::B(vec![0; 1025]));
    let r = Request {
        table_name: Some("tbl".into()),
        key: Some(long),
        ..Default::default()
    };
    assert_eq!(
        validation(execute(&c, r).await),
        "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes"
    );
}

#[tokio::test]
async fn request_level_rules_apply() {
    let c = ctx(catalog_with(vec![hash_table()]), untouched_store());
    let mut r = req(r#"{"pk":{"S":"a"}}"#);
    r.return_values = Some("ALL_NEW".into());
    assert_eq!(
        validation(execute(&c, r).await),
        "ReturnValues can only be ALL_OLD or NONE"
    );
    let mut r = req(r#"{"pk":{"S":"a"}}"#);
    r.expression_attribute_names = Some([("#p".to_string(), "pk".to_string())].into());
    assert_eq!(
        validation(execute(&c, r).await),
        "ExpressionAttributeNames can only be specified when using expressions"
    );
    let mut r = req(r#"{"pk":{"S":"a"}}"#);
    r.condition_expression = Some("attribute_exists(pk)".into());
    r.expression_attribute_names = Some([("#p".to_string(), "pk".to_string())].into());
    assert_eq!(
        validation(execute(&c, r).await),
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#p}"
    );
    assert_eq!(
        crate::ops::test_support::refused(&c, crate::ops::Operation::DeleteItem, serde_json::json!({"TableName": "ab"})).await,
        "2 validation errors detected: \
         Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; \
         Value null at 'key' failed to satisfy constraint: Member must not be null"
    );
}

#[tokio::test]
async fn missing_table_is_resource_not_found() {
    let c = ctx(catalog_with(vec![]), untouched_store());
    assert_eq!(
        execute(&c, req(r#"{"pk":{"S":"a"}}"#)).await.unwrap_err(),
        ApiError::ResourceNotFound("Requested resource not found".into())
    );
}

#[tokio::test]
async fn condition_guards_the_delete() {
    for (current, deleted) in [(None, false), (Some(item(r#"{"pk":{"S":"a"}}"#)), true)] {
        let seen = Arc::new(Mutex::new(Recorded::default()));
        let c = ctx(
            catalog_with(vec![hash_table()]),
            writing_store(current.as_ref().map(StoredItem::encode), seen.clone()),
        );
        let mut r = req(r#"{"pk":{"S":"a"}}"#);
        r.condition_expression = Some("attribute_exists(#p)".into());
        r.expression_attribute_names = Some([("#p".to_string(), "pk".to_string())].into());
        r.return_values_on_condition_check_failure = Some("ALL_OLD".into());
        let got = execute(&c, r).await;
        if deleted {
            got.unwrap();
            assert_eq!(seen.lock().unwrap().writes.len(), 1);
        } else {
            assert_eq!(
                got.unwrap_err(),
                ApiError::ConditionalCheckFailed { item: None }
            );
            assert!(seen.lock().unwrap().writes.is_empty());
        }
    }
}
