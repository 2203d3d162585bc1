use super::*;
use crate::model::table::{KeyAttribute, KeySchema, ScalarType, TableDefinition};
use crate::ops::read_test_support::range_store;
use crate::ops::test_support::{catalog_with, ctx, item, table, untouched_store};
use serde_json::json;
use std::sync::{Arc, Mutex};

fn def() -> TableDefinition {
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

fn data() -> Vec<Item> {
    let mut out = Vec::new();
    for (pk, sks) in [
        ("a", &["-2.5", "-1", "0", "0.5", "3", "10"][..]),
        ("b", &["1", "2"][..]),
    ] {
        for sk in sks {
            out.push(item(&format!(
                r#"{{"pk":{{"S":"{pk}"}},"sk":{{"N":"{sk}"}},"v":{{"S":"x{sk}"}}}}"#
            )));
        }
    }
    out
}

async fn run(body: serde_json::Value) -> Result<Response, ApiError> {
    let d = def();
    let store = range_store(&d, &data(), Arc::new(Mutex::new(Vec::new())));
    let c = ctx(catalog_with(vec![d]), store);
    execute(&c, serde_json::from_value(body).unwrap()).await
}

fn sks(r: &Response) -> Vec<String> {
    r.items
        .as_ref()
        .unwrap()
        .iter()
        .map(|i| match &i["sk"] {
            AttributeValue::N(n) => n.as_str().to_string(),
            other => format!("{other:?}"),
        })
        .collect()
}

fn q(cond: &str, values: serde_json::Value) -> serde_json::Value {
    json!({"TableName": "tbl", "KeyConditionExpression": cond, "ExpressionAttributeValues": values})
}

#[tokio::test]
async fn sort_key_conditions_select_in_number_order() {
    let cases = [
        (
            "pk = :p",
            json!({":p": {"S": "a"}}),
            vec!["-2.5", "-1", "0", "0.5", "3", "10"],
        ),
        (
            "pk = :p AND sk < :v",
            json!({":p": {"S": "a"}, ":v": {"N": "0"}}),
            vec!["-2.5", "-1"],
        ),
        (
            "pk = :p AND sk <= :v",
            json!({":p": {"S": "a"}, ":v": {"N": "0"}}),
            vec!["-2.5", "-1", "0"],
        ),
        (
            "pk = :p AND :v < sk",
            json!({":p": {"S": "a"}, ":v": {"N": "0.5"}}),
            vec!["3", "10"],
        ),
        (
            "pk = :p AND sk >= :v",
            json!({":p": {"S": "a"}, ":v": {"N": "0.5"}}),
            vec!["0.5", "3", "10"],
        ),
        (
            "pk = :p AND sk = :v",
            json!({":p": {"S": "a"}, ":v": {"N": "3.0"}}),
            vec!["3"],
        ),
        (
            "pk = :p AND sk BETWEEN :lo AND :hi",
            json!({":p": {"S": "a"}, ":lo": {"N": "-1"}, ":hi": {"N": "3"}}),
            vec!["-1", "0", "0.5", "3"],
        ),
        ("pk = :p", json!({":p": {"S": "zz"}}), vec![]),
    ];
    for (cond, values, expected) in cases {
        let r = run(q(cond, values)).await.unwrap();
        assert_eq!(sks(&r), expected, "{cond}");
        assert_eq!(r.count, expected.len());
        assert_eq!(r.last_evaluated_key, None);
    }
}

#[tokio::test]
async fn backwards_with_limit_and_start_key() {
    let mut body = q("pk = :p", json!({":p": {"S": "a"}}));
    body["ScanIndexForward"] = json!(false);
    body["Limit"] = json!(4);
    let r = run(body.clone()).await.unwrap();
    assert_eq!(sks(&r), vec!["10", "3", "0.5", "0"]);
    let lek = r.last_evaluated_key.unwrap();
    assert_eq!(lek, item(r#"{"pk":{"S":"a"},"sk":{"N":"0"}}"#));
    body["ExclusiveStartKey"] = serde_json::to_value(&lek).unwrap();
    let r = run(body).await.unwrap();
    assert_eq!(sks(&r), vec!["-1", "-2.5"]);
    assert_eq!(r.last_evaluated_key, None);
}

#[tokio::test]
async fn filter_projection_count_and_capacity() {
    let mut body = q("pk = :p", json!({":p": {"S": "a"}, ":v": {"S": "x3"}}));
    body["FilterExpression"] = json!("v <> :v");
    body["ProjectionExpression"] = json!("#v");
    body["ExpressionAttributeNames"] = json!({"#v": "v"});
    body["ReturnConsumedCapacity"] = json!("TOTAL");
    let r = run(body.clone()).await.unwrap();
    assert_eq!((r.count, r.scanned_count), (5, 6));
    assert_eq!(r.items.as_ref().unwrap()[0], item(r#"{"v":{"S":"x-2.5"}}"#));
    assert_eq!(r.consumed_capacity.unwrap().capacity_units, 0.5);
    body["Select"] = json!("COUNT");
    body.as_object_mut().unwrap().remove("ProjectionExpression");
    body.as_object_mut()
        .unwrap()
        .remove("ExpressionAttributeNames");
    body["FilterExpression"] = json!("v <> :v");
    body["ConsistentRead"] = json!(true);
    let r = run(body).await.unwrap();
    assert_eq!(r.items, None);
    assert_eq!((r.count, r.scanned_count), (5, 6));
    assert_eq!(r.consumed_capacity.unwrap().capacity_units, 1.0);
    let wire = serde_json::to_value(Response {
        items: None,
        count: 1,
        scanned_count: 2,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(wire, json!({"Count": 1, "ScannedCount": 2}));
}

async fn err(body: serde_json::Value) -> String {
    // Requests refused before the table is read never touch the store.
    let c = ctx(catalog_with(vec![def()]), untouched_store());
    crate::ops::test_support::refused(&c, crate::ops::Operation::Query, body).await
}

#[tokio::test]
async fn validation_messages() {
    let a = json!({":p": {"S": "a"}});
    let cases: Vec<(serde_json::Value, &str)> = vec![
        (json!({"TableName": "tbl"}), "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."),
        (q("sk = :v", json!({":v": {"N": "1"}})), "Query condition missed key schema element: pk"),
        (q("pk < :p", a.clone()), "Query key condition not supported"),
        (q("pk = :p", json!({":p": {"S": "a"}, ":x": {"S": "b"}})), "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}"),
        (q("pk = :p", json!({":p": {"N": "1"}})), "One or more parameter values were invalid: Condition parameter type does not match schema type"),
        ({ let mut b = q("pk = :p", a.clone()); b["IndexName"] = json!("idx"); b }, "The table does not have the specified index: idx"),
        ({ let mut b = q("pk = :p", a.clone()); b["FilterExpression"] = json!("sk > :p"); b }, "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"),
        ({ let mut b = q("pk = :p", a.clone()); b["ProjectionExpression"] = json!("pk.x"); b }, "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: pk"),
        ({ let mut b = q("pk = :p", a.clone()); b["Select"] = json!("COUNT"); b["ProjectionExpression"] = json!("v"); b }, "Cannot specify the ProjectionExpression when choosing to get only the Count"),
        ({ let mut b = q("pk = :p", a.clone()); b["Select"] = json!("SPECIFIC_ATTRIBUTES"); b }, "1 validation error detected: Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"),
        ({ let mut b = q("pk = :p", a.clone()); b["Limit"] = json!(0); b }, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"),
        ({ let mut b = q("pk = :p", a.clone()); b["QueryFilter"] = json!({}); b }, "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {QueryFilter} Expression parameters: {KeyConditionExpression}"),
        (json!({"TableName": "tbl", "KeyConditions": {}}), "Conditions can be of length 1 or 2 only"),
        ({ let mut b = q("pk = :p", a.clone()); b["KeyConditions"] = json!({"pk": eq_a()}); b }, "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}"),
        ({ let mut b = q("pk = :p", a.clone()); b["ProjectionExpression"] = json!("v"); b["FilterExpression"] = json!("v = :p");
           b["KeyConditions"] = json!({"pk": eq_a()}); b["AttributesToGet"] = json!(["v"]); b["QueryFilter"] = json!({}); b["ConditionalOperator"] = json!("OR"); b },
         "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet, QueryFilter, ConditionalOperator, KeyConditions} Expression parameters: {ProjectionExpression, FilterExpression, KeyConditionExpression}"),
        (json!({"TableName": "tbl", "KeyConditions": {"pk": {}}}), "1 validation error detected: Value null at 'keyConditions.pk.member.comparisonOperator' failed to satisfy constraint: Member must not be null"),
        (json!({"TableName": "tbl", "KeyConditions": {"pk": eq_a()}, "ExpressionAttributeValues": a}), "ExpressionAttributeValues can only be specified when using expressions: FilterExpression and KeyConditionExpression are null"),
        (json!({"TableName": "tbl", "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}, {"S": "b"}]}}}), "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"),
        (json!({"TableName": "tbl", "KeyConditions": {"pk": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": "a"}]}}}), "Attempted conditional constraint is not an indexable operation"),
        (json!({"TableName": "tbl", "KeyConditions": {"sk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}}}), "Query condition missed key schema element: pk"),
        (json!({"TableName": "tbl", "KeyConditions": {"pk": eq_a()}, "QueryFilter": {"sk": {"ComparisonOperator": "NOT_NULL"}}}), "QueryFilter can only contain non-primary key attributes: Primary key attribute: sk"),
        (json!({"TableName": "tbl", "KeyConditions": {"pk": eq_a()}, "ConditionalOperator": "OR"}), "ConditionalOperator cannot be used without Filter or Expected"),
        (json!({"TableName": "tbl", "KeyConditions": {"pk": eq_a()}, "Select": "ALL_ATTRIBUTES", "AttributesToGet": ["v"]}), "Cannot specify the AttributesToGet when choosing to get ALL_ATTRIBUTES"),
        (json!({"TableName": "tbl", "KeyConditions": {"pk": eq_a()}, "AttributesToGet": ["v", "v"]}), "One or more parameter values were invalid: Duplicate value in attribute name: v"),
        (json!({"TableName": "tbl", "KeyConditions": {"pk": eq_a()}, "ExclusiveStartKey": {"pk": {"S": "b"}, "sk": {"N": "1"}}}), "The provided starting key is outside query boundaries based on provided conditions"),
        ({ let mut b = q("pk = :p", a.clone()); b["ExclusiveStartKey"] = json!({"pk": {"S": "a"}}); b }, "The provided starting key is invalid"),
        ({ let mut b = q("pk = :p", a.clone()); b["ExclusiveStartKey"] = json!({"pk": {"S": "b"}, "sk": {"N": "1"}}); b }, "The provided starting key is outside query boundaries based on provided conditions"),
        ({ let mut b = q("pk = :p AND sk > :v", json!({":p": {"S": "a"}, ":v": {"N": "5"}})); b["ExclusiveStartKey"] = json!({"pk": {"S": "a"}, "sk": {"N": "1"}}); b }, "The provided starting key does not match the range key predicate"),
        (q("pk = :p", json!({":p": {"SS": []}})), "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An string set  may not be empty for key :p"),
    ];
    for (body, expected) in cases {
        assert_eq!(err(body.clone()).await, expected, "{body}");
    }
}

fn eq_a() -> serde_json::Value {
    json!({"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]})
}

#[tokio::test]
async fn legacy_key_conditions_filter_and_attributes_to_get() {
    let between =
        json!({"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "-1"}, {"N": "3"}]});
    let r = run(json!({"TableName": "tbl", "KeyConditions": {"pk": eq_a(), "sk": between}}))
        .await
        .unwrap();
    assert_eq!(sks(&r), vec!["-1", "0", "0.5", "3"]);

    let filter = json!({
        "v": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "x0"}]},
        "zz": {"ComparisonOperator": "NOT_NULL"},
    });
    let body = |op: &str| {
        json!({"TableName": "tbl", "KeyConditions": {"pk": eq_a()}, "QueryFilter": filter,
               "ConditionalOperator": op, "Select": "SPECIFIC_ATTRIBUTES", "AttributesToGet": ["v", "sk"]})
    };
    let r = run(body("OR")).await.unwrap();
    assert_eq!((r.count, r.scanned_count), (2, 6));
    assert_eq!(
        r.items.unwrap(),
        vec![
            item(r#"{"sk":{"N":"0"},"v":{"S":"x0"}}"#),
            item(r#"{"sk":{"N":"0.5"},"v":{"S":"x0.5"}}"#)
        ]
    );
    let r = run(body("AND")).await.unwrap();
    assert_eq!((r.count, r.scanned_count), (0, 6));
}

#[tokio::test]
async fn legacy_key_conditions_page_backwards_and_mix_with_filter_expression() {
    let gt = json!({"ComparisonOperator": "GT", "AttributeValueList": [{"N": "0"}]});
    let mut body = json!({"TableName": "tbl", "KeyConditions": {"pk": eq_a(), "sk": gt},
                          "ScanIndexForward": false, "Limit": 2});
    let r = run(body.clone()).await.unwrap();
    assert_eq!(sks(&r), vec!["10", "3"]);
    body["ExclusiveStartKey"] = serde_json::to_value(r.last_evaluated_key.unwrap()).unwrap();
    let r = run(body).await.unwrap();
    assert_eq!(sks(&r), vec!["0.5"]);
    assert_eq!(r.last_evaluated_key, None);

    // KeyConditions may go with FilterExpression and ProjectionExpression.
    let r = run(json!({"TableName": "tbl", "KeyConditions": {"pk": eq_a()},
                       "FilterExpression": "v = :v", "ProjectionExpression": "sk",
                       "ExpressionAttributeValues": {":v": {"S": "x3"}}}))
    .await
    .unwrap();
    assert_eq!(r.items.unwrap(), vec![item(r#"{"sk":{"N":"3"}}"#)]);
}

#[tokio::test]
async fn missing_table() {
    let c = ctx(catalog_with(vec![]), untouched_store());
    let e = execute(
        &c,
        serde_json::from_value(q("pk = :p", json!({":p": {"S": "a"}}))).unwrap(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        e,
        ApiError::ResourceNotFound("Requested resource not found".into())
    );
}
