use super::*;
use crate::ops::test_support::{
    catalog_with, ctx, hash_table, item, untouched_store, writing_store, Recorded,
};
use std::sync::{Arc, Mutex};

fn req(key: &str, update: &str, values: &str) -> Request {
    Request {
        table_name: Some("tbl".into()),
        key: Some(item(key)),
        update_expression: (!update.is_empty()).then(|| update.to_string()),
        expression_attribute_values: (!values.is_empty())
            .then(|| serde_json::from_str(values).unwrap()),
        ..Default::default()
    }
}

fn validation(r: Result<Response, ApiError>) -> String {
    match r.unwrap_err() {
        ApiError::Validation(m) => m,
        other => panic!("not a ValidationException: {other:?}"),
    }
}

/// Runs `r` against a store holding `current`; returns the answer and the item written.
async fn run(current: Option<&str>, r: Request) -> (Result<Response, ApiError>, Option<Item>) {
    let seen = Arc::new(Mutex::new(Recorded::default()));
    let c = ctx(
        catalog_with(vec![hash_table()]),
        writing_store(current.map(|j| StoredItem::encode(&item(j))), seen.clone()),
    );
    let resp = execute(&c, r).await;
    let written = match &seen.lock().unwrap().writes[..] {
        [WriteOp::Put { item, .. }] => Some(item.decode().unwrap()),
        // Only a removal-only update of a missing item deletes: it must leave no item.
        [WriteOp::Delete { .. }] => None,
        [] => None,
        other => panic!("unexpected writes {other:?}"),
    };
    (resp, written)
}

#[tokio::test]
async fn upserts_from_the_key_and_returns_what_was_asked() {
    let mut r = req(
        r#"{"pk":{"S":"a"}}"#,
        "SET n = if_not_exists(n, :z) + :one ADD s :s",
        r#"{":z":{"N":"0"},":one":{"N":"1"},":s":{"SS":["x"]}}"#,
    );
    r.return_values = Some("ALL_NEW".into());
    let (resp, written) = run(None, r).await;
    let expected = item(r#"{"pk":{"S":"a"},"n":{"N":"1"},"s":{"SS":["x"]}}"#);
    assert_eq!(resp.unwrap().attributes, Some(expected.clone()));
    assert_eq!(written, Some(expected));
}

#[tokio::test]
async fn an_update_without_actions_creates_the_bare_key() {
    let (resp, written) = run(None, req(r#"{"pk":{"S":"a"}}"#, "", "")).await;
    assert_eq!(resp.unwrap(), Response::default());
    assert_eq!(written, Some(item(r#"{"pk":{"S":"a"}}"#)));
}

#[tokio::test]
async fn a_removal_only_update_does_not_create_a_missing_item() {
    let mut r = req(r#"{"pk":{"S":"a"}}"#, "REMOVE x, y", "");
    r.return_values = Some("ALL_NEW".into());
    let (resp, written) = run(None, r).await;
    assert_eq!(resp.unwrap(), Response::default());
    assert_eq!(written, None);
    // On an existing item the same update writes the item without the attributes.
    let (_, written) = run(
        Some(r#"{"pk":{"S":"a"},"x":{"N":"1"},"z":{"N":"2"}}"#),
        req(r#"{"pk":{"S":"a"}}"#, "REMOVE x", ""),
    )
    .await;
    assert_eq!(written, Some(item(r#"{"pk":{"S":"a"},"z":{"N":"2"}}"#)));
    // Anything that sets an attribute still creates the item.
    let (_, written) = run(
        None,
        req(
            r#"{"pk":{"S":"a"}}"#,
            "SET y = :v REMOVE x",
            r#"{":v":{"N":"1"}}"#,
        ),
    )
    .await;
    assert_eq!(written, Some(item(r#"{"pk":{"S":"a"},"y":{"N":"1"}}"#)));
}

#[tokio::test]
async fn removing_nested_paths_from_a_missing_item_is_accepted() {
    for update in ["REMOVE x.y", "REMOVE x[0]", "REMOVE a, x.y[3].z"] {
        let (resp, written) = run(None, req(r#"{"pk":{"S":"a"}}"#, update, "")).await;
        assert_eq!(resp.unwrap(), Response::default(), "{update}");
        assert_eq!(written, None, "{update}");
    }
    // On an existing item without `x` the path is still invalid.
    let (resp, _) = run(
        Some(r#"{"pk":{"S":"a"}}"#),
        req(r#"{"pk":{"S":"a"}}"#, "REMOVE x.y", ""),
    )
    .await;
    assert_eq!(
        validation(resp),
        "The document path provided in the update expression is invalid for update"
    );
}

#[tokio::test]
async fn return_values_updated_old_and_new() {
    let old = r#"{"pk":{"S":"a"},"a":{"N":"1"},"b":{"S":"keep"}}"#;
    for (rv, attrs) in [
        ("UPDATED_OLD", Some(r#"{"a":{"N":"1"}}"#)),
        ("UPDATED_NEW", Some(r#"{"a":{"N":"2"},"c":{"S":"v"}}"#)),
        ("ALL_OLD", Some(old)),
        ("NONE", None),
    ] {
        let mut r = req(
            r#"{"pk":{"S":"a"}}"#,
            "SET a = a + :one, c = :v",
            r#"{":one":{"N":"1"},":v":{"S":"v"}}"#,
        );
        r.return_values = Some(rv.into());
        let (resp, _) = run(Some(old), r).await;
        assert_eq!(resp.unwrap().attributes, attrs.map(item), "{rv}");
    }
}

#[tokio::test]
async fn a_failed_condition_writes_nothing() {
    let old = r#"{"pk":{"S":"a"},"v":{"N":"5"}}"#;
    let mut r = req(
        r#"{"pk":{"S":"a"}}"#,
        "SET v = :n",
        r#"{":n":{"N":"6"},":max":{"N":"3"}}"#,
    );
    r.condition_expression = Some("v < :max".into());
    r.return_values_on_condition_check_failure = Some("ALL_OLD".into());
    let (resp, written) = run(Some(old), r).await;
    assert_eq!(
        resp.unwrap_err(),
        ApiError::ConditionalCheckFailed {
            item: Some(item(old))
        }
    );
    assert_eq!(written, None);
}

#[tokio::test]
async fn legacy_parameters_update_and_guard() {
    let old = r#"{"pk":{"S":"a"},"n":{"N":"1"}}"#;
    let mut r = req(r#"{"pk":{"S":"a"}}"#, "", "");
    r.attribute_updates = Some(
        serde_json::from_str(r#"{"n":{"Action":"ADD","Value":{"N":"2"}},"t":{"Value":{"S":"x"}}}"#)
            .unwrap(),
    );
    r.expected = Some(serde_json::from_str(r#"{"n":{"Value":{"N":"1"}}}"#).unwrap());
    r.return_values = Some("UPDATED_NEW".into());
    let (resp, written) = run(Some(old), r).await;
    assert_eq!(
        resp.unwrap().attributes,
        Some(item(r#"{"n":{"N":"3"},"t":{"S":"x"}}"#))
    );
    assert_eq!(
        written,
        Some(item(r#"{"pk":{"S":"a"},"n":{"N":"3"},"t":{"S":"x"}}"#))
    );
    let mut r = req(r#"{"pk":{"S":"a"}}"#, "", "");
    r.attribute_updates =
        Some(serde_json::from_str(r#"{"n":{"Action":"ADD","Value":{"SS":["a"]}}}"#).unwrap());
    let (resp, _) = run(Some(old), r).await;
    assert_eq!(validation(resp), "Type mismatch for attribute to update");
}

#[tokio::test]
async fn runtime_update_errors_abort() {
    let (resp, written) = run(
        Some(r#"{"pk":{"S":"a"},"s":{"S":"x"}}"#),
        req(
            r#"{"pk":{"S":"a"}}"#,
            "SET n = s + :one",
            r#"{":one":{"N":"1"}}"#,
        ),
    )
    .await;
    assert_eq!(
        validation(resp),
        "An operand in the update expression has an incorrect data type"
    );
    assert_eq!(written, None);
    let big = "x".repeat(300 * 1024);
    let values = format!(r#"{{":v":{{"S":"{big}"}}}}"#);
    let (resp, _) = run(
        Some(&format!(r#"{{"pk":{{"S":"a"}},"old":{{"S":"{big}"}}}}"#)),
        req(r#"{"pk":{"S":"a"}}"#, "SET v = :v", &values),
    )
    .await;
    assert_eq!(
        validation(resp),
        "Item size to update has exceeded the maximum allowed size"
    );
}

#[tokio::test]
async fn request_rules_apply_before_the_store() {
    let c = ctx(catalog_with(vec![hash_table()]), untouched_store());
    let mut r = req(r#"{"pk":{"S":"a"}}"#, "SET pk = :v", r#"{":v":{"S":"b"}}"#);
    assert_eq!(
        validation(execute(&c, r.clone()).await),
        "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"
    );
    r.expected = Some(serde_json::from_str(r#"{"a":{"Exists":false}}"#).unwrap());
    r.attribute_updates = Some(BTreeMap::new());
    r.condition_expression = Some("attribute_exists(a)".into());
    assert_eq!(
        validation(execute(&c, r).await),
        "Can not use both expression and non-expression parameters in the same request: \
         Non-expression parameters: {AttributeUpdates, Expected} \
         Expression parameters: {UpdateExpression, ConditionExpression}"
    );
    let r = req(r#"{"pk":{"S":"a"}}"#, "", r#"{":v":{"S":"b"}}"#);
    assert_eq!(
        validation(execute(&c, r).await),
        "ExpressionAttributeValues can only be specified when using expressions: \
         UpdateExpression and ConditionExpression are null"
    );
    let r = req(
        r#"{"pk":{"S":"a"}}"#,
        "SET a = :v",
        r#"{":v":{"S":"b"},":w":{"S":"c"}}"#,
    );
    assert_eq!(
        validation(execute(&c, r).await),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"
    );
    let body = serde_json::json!({"TableName": "tbl", "Key": {"pk": {"S": "a"}},
        "AttributeUpdates": {"a": {"Action": "REPLACE", "Value": {"S": "x"}}}, "ReturnValues": "SOME"});
    assert_eq!(
        crate::ops::test_support::refused(&c, crate::ops::Operation::UpdateItem, body).await,
        "2 validation errors detected: \
         Value 'REPLACE' at 'attributeUpdates.a.member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]; \
         Value 'SOME' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"
    );
    let mut r = req(r#"{"pk":{"S":"a"}}"#, "", "");
    r.attribute_updates = Some(serde_json::from_str(r#"{"pk":{"Value":{"S":"x"}}}"#).unwrap());
    assert_eq!(
        validation(execute(&c, r).await),
        "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"
    );
}
