use super::*;
use crate::model::key_encoding;
use crate::model::AttributeValue;
use crate::ops::test_support::{
    catalog_with, ctx, hash_table, item, reading_store, untouched_store,
};
use crate::traits::ItemKey;

fn key_a() -> ItemKey {
    ItemKey {
        storage_id: 7,
        key: key_encoding::item_key(&AttributeValue::S("a".into()), None),
    }
}

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

#[tokio::test]
async fn returns_the_stored_item() {
    let stored = item(r#"{"pk":{"S":"a"},"l":{"L":[{"N":"1"},{"BOOL":true}]}}"#);
    let c = ctx(
        catalog_with(vec![hash_table()]),
        reading_store(key_a(), Some(StoredItem::encode(&stored))),
    );
    let resp = execute(&c, req(r#"{"pk":{"S":"a"}}"#)).await.unwrap();
    assert_eq!(resp.item, Some(stored));
    assert_eq!(resp.consumed_capacity, None);
}

#[tokio::test]
async fn handle_splices_the_stored_bytes() {
    let stored = StoredItem::encode(&item(r#"{"pk":{"S":"a"},"v":{"N":"2"}}"#));
    let mut expected = b"{\"Item\":".to_vec();
    expected.extend_from_slice(stored.as_bytes());
    expected.push(b'}');
    let c = ctx(
        catalog_with(vec![hash_table()]),
        reading_store(key_a(), Some(stored)),
    );
    let out = handle(&c, br#"{"TableName":"tbl","Key":{"pk":{"S":"a"}}}"#)
        .await
        .unwrap();
    assert_eq!(out, expected);
    let parsed: Response = serde_json::from_slice(&out).unwrap();
    assert_eq!(parsed.item, Some(item(r#"{"pk":{"S":"a"},"v":{"N":"2"}}"#)));
}

#[tokio::test]
async fn absent_item_is_an_empty_object() {
    let c = ctx(
        catalog_with(vec![hash_table()]),
        reading_store(key_a(), None),
    );
    let out = handle(
        &c,
        br#"{"TableName":"tbl","Key":{"pk":{"S":"a"}},"ConsistentRead":true}"#,
    )
    .await
    .unwrap();
    assert_eq!(out, b"{}");
}

#[tokio::test]
async fn consumed_capacity_halves_for_eventual_reads() {
    let big = Item::from([
        ("pk".to_string(), AttributeValue::S("a".into())),
        ("b".to_string(), AttributeValue::S("x".repeat(5000))),
    ]);
    let cases = [
        (
            None,
            false,
            "TOTAL",
            r#"{"ConsumedCapacity":{"TableName":"tbl","CapacityUnits":0.5}}"#,
        ),
        (
            None,
            true,
            "TOTAL",
            r#"{"ConsumedCapacity":{"TableName":"tbl","CapacityUnits":1.0}}"#,
        ),
        (
            None,
            false,
            "INDEXES",
            r#"{"ConsumedCapacity":{"TableName":"tbl","CapacityUnits":0.5,"Table":{"CapacityUnits":0.5}}}"#,
        ),
    ];
    for (stored, consistent, mode, expected) in cases {
        let c = ctx(
            catalog_with(vec![hash_table()]),
            reading_store(key_a(), stored),
        );
        let body = format!(
            r#"{{"TableName":"tbl","Key":{{"pk":{{"S":"a"}}}},"ConsistentRead":{consistent},"ReturnConsumedCapacity":"{mode}"}}"#
        );
        let out = handle(&c, body.as_bytes()).await.unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }
    // A 5 KB item: 2 units consistent, 1 eventually consistent.
    for (consistent, units) in [(true, 2.0), (false, 1.0)] {
        let c = ctx(
            catalog_with(vec![hash_table()]),
            reading_store(key_a(), Some(StoredItem::encode(&big))),
        );
        let mut r = req(r#"{"pk":{"S":"a"}}"#);
        r.consistent_read = Some(consistent);
        r.return_consumed_capacity = Some("TOTAL".into());
        let resp = execute(&c, r).await.unwrap();
        assert_eq!(resp.consumed_capacity.unwrap().capacity_units, units);
        assert_eq!(resp.item, Some(big.clone()));
    }
    // Item and capacity together are valid JSON.
    let c = ctx(
        catalog_with(vec![hash_table()]),
        reading_store(key_a(), Some(StoredItem::encode(&big))),
    );
    let out = handle(
        &c,
        br#"{"TableName":"tbl","Key":{"pk":{"S":"a"}},"ReturnConsumedCapacity":"TOTAL"}"#,
    )
    .await
    .unwrap();
    let parsed: Response = serde_json::from_slice(&out).unwrap();
    assert_eq!(parsed.item, Some(big));
    assert_eq!(parsed.consumed_capacity.unwrap().capacity_units, 1.0);
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
async fn constraint_errors_are_collected() {
    let c = ctx(catalog_with(vec![hash_table()]), untouched_store());
    // In the model's member order: TableName, Key, …, ReturnConsumedCapacity.
    assert_eq!(
        crate::ops::test_support::refused(
            &c,
            crate::ops::Operation::GetItem,
            serde_json::json!({"ReturnConsumedCapacity": "hi"})
        )
        .await,
        "3 validation errors detected: \
         Value null at 'tableName' failed to satisfy constraint: Member must not be null; \
         Value null at 'key' failed to satisfy constraint: Member must not be null; \
         Value 'hi' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"
    );
}

#[tokio::test]
async fn key_rules_apply() {
    let c = ctx(catalog_with(vec![hash_table()]), untouched_store());
    let cases = [
        (r#"{}"#, "The provided key element does not match the schema"),
        (r#"{"pk":{"S":"a"},"x":{"S":"b"}}"#, "The provided key element does not match the schema"),
        (r#"{"pk":{"N":"1"}}"#, "The provided key element does not match the schema"),
        (r#"{"pk":{"S":""}}"#, "One or more parameter values were invalid: The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"),
        (r#"{"pk":{"SS":[]}}"#, "One or more parameter values were invalid: An string set  may not be empty"),
    ];
    for (json, expected) in cases {
        assert_eq!(validation(execute(&c, req(json)).await), expected, "{json}");
    }
    let mut long = Item::new();
    long.insert("pk".into(), AttributeValue::S("k".repeat(2049)));
    let r = Request {
        table_name: Some("tbl".into()),
        key: Some(long),
        ..Default::default()
    };
    assert_eq!(
        validation(execute(&c, r).await),
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"
    );
}

#[tokio::test]
async fn projections_shape_the_item() {
    let stored = item(r#"{"pk":{"S":"a"},"m":{"M":{"x":{"N":"1"},"y":{"N":"2"}}},"z":{"S":"q"}}"#);
    let key = crate::ops::request::item_key::for_key(&hash_table(), &item(r#"{"pk":{"S":"a"}}"#))
        .unwrap();
    let run = |r: Request| {
        let c = ctx(
            catalog_with(vec![hash_table()]),
            reading_store(key.clone(), Some(StoredItem::encode(&stored))),
        );
        async move { execute(&c, r).await }
    };
    let mut r = req(r#"{"pk":{"S":"a"}}"#);
    r.projection_expression = Some("#m.x, nothere".into());
    r.expression_attribute_names = Some([("#m".to_string(), "m".to_string())].into());
    assert_eq!(
        run(r).await.unwrap().item,
        Some(item(r#"{"m":{"M":{"x":{"N":"1"}}}}"#))
    );
    let mut r = req(r#"{"pk":{"S":"a"}}"#);
    r.attributes_to_get = Some(vec!["z".into(), "pk".into()]);
    assert_eq!(
        run(r).await.unwrap().item,
        Some(item(r#"{"pk":{"S":"a"},"z":{"S":"q"}}"#))
    );
    let mut r = req(r#"{"pk":{"S":"a"}}"#);
    r.projection_expression = Some("nothere".into());
    assert_eq!(run(r).await.unwrap().item, Some(item("{}")));
}

#[tokio::test]
async fn projection_parameter_rules() {
    let c = ctx(catalog_with(vec![hash_table()]), untouched_store());
    let mut r = req(r#"{"pk":{"S":"a"}}"#);
    r.projection_expression = Some("pk".into());
    r.attributes_to_get = Some(vec!["pk".into()]);
    assert_eq!(
        validation(execute(&c, r).await),
        "Can not use both expression and non-expression parameters in the same request: \
         Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"
    );
    let mut r = req(r#"{"pk":{"S":"a"}}"#);
    r.attributes_to_get = Some(vec!["a".into(), "a".into()]);
    assert_eq!(
        validation(execute(&c, r).await),
        "One or more parameter values were invalid: Duplicate value in attribute name: a"
    );
    let mut r = req(r#"{"pk":{"S":"a"}}"#);
    r.projection_expression = Some("a, a".into());
    assert_eq!(
        validation(execute(&c, r).await),
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"
    );
    assert_eq!(
        crate::ops::test_support::refused(
            &c,
            crate::ops::Operation::GetItem,
            serde_json::json!({"TableName": "tbl", "Key": {"pk": {"S": "a"}}, "AttributesToGet": []})
        )
        .await,
        "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
}
