use super::*;
use crate::error::CancellationReason;
use crate::ops::multi_test_support::{map_ctx, tbl_key, State};
use crate::ops::request::idempotency::{token_key, MISMATCH};
use crate::ops::test_support::item;
use crate::traits::StoredItem;
use std::sync::{Arc, Mutex};

fn req(json: &str) -> Request {
    serde_json::from_str(json).unwrap()
}

fn state_with(items: &[(&str, &str)]) -> Arc<Mutex<State>> {
    let state = Arc::new(Mutex::new(State::default()));
    for (pk, json) in items {
        state
            .lock()
            .unwrap()
            .items
            .insert(tbl_key(pk), StoredItem::encode(&item(json)));
    }
    state
}

fn current(state: &Arc<Mutex<State>>, pk: &str) -> Option<crate::model::Item> {
    state
        .lock()
        .unwrap()
        .items
        .get(&tbl_key(pk))
        .map(|s| s.decode().unwrap())
}

const TRANSFER: &str = r#"{"TransactItems":[
    {"Update":{"TableName":"tbl","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET b = b - :v","ConditionExpression":"b >= :v","ExpressionAttributeValues":{":v":{"N":"30"}}}},
    {"Update":{"TableName":"tbl","Key":{"pk":{"S":"b"}},"UpdateExpression":"SET b = b + :v","ExpressionAttributeValues":{":v":{"N":"30"}}}},
    {"ConditionCheck":{"TableName":"rng","Key":{"pk":{"S":"c"},"sk":{"N":"1"}},"ConditionExpression":"attribute_not_exists(pk)"}}
], "ReturnConsumedCapacity":"TOTAL"}"#;

#[tokio::test]
async fn all_actions_commit_in_one_transaction() {
    let state = state_with(&[
        ("a", r#"{"pk":{"S":"a"},"b":{"N":"50"}}"#),
        ("b", r#"{"pk":{"S":"b"},"b":{"N":"0"}}"#),
    ]);
    let resp = execute(&map_ctx(state.clone()), req(TRANSFER))
        .await
        .unwrap();
    assert_eq!(
        current(&state, "a").unwrap()["b"],
        item(r#"{"b":{"N":"20"}}"#)["b"]
    );
    assert_eq!(
        current(&state, "b").unwrap()["b"],
        item(r#"{"b":{"N":"30"}}"#)["b"]
    );
    let st = state.lock().unwrap();
    assert_eq!(st.transactions.len(), 1);
    assert_eq!(st.transactions[0].0.len(), 3);
    assert_eq!(st.transactions[0].1.len(), 2);
    assert_eq!(
        serde_json::to_value(&resp).unwrap(),
        serde_json::json!({"ConsumedCapacity":[
            {"TableName":"tbl","CapacityUnits":4.0},{"TableName":"rng","CapacityUnits":2.0}]})
    );
}

#[tokio::test]
async fn a_failed_condition_cancels_with_reasons_in_order() {
    let state = state_with(&[
        ("a", r#"{"pk":{"S":"a"},"b":{"N":"10"}}"#),
        ("b", r#"{"pk":{"S":"b"},"b":{"N":"0"}}"#),
    ]);
    let body = TRANSFER.replace(
        r#""ConditionExpression":"b >= :v","#,
        r#""ConditionExpression":"b >= :v","ReturnValuesOnConditionCheckFailure":"ALL_OLD","#,
    );
    let err = execute(&map_ctx(state.clone()), req(&body))
        .await
        .unwrap_err();
    let none = CancellationReason {
        code: "None".into(),
        message: None,
        item: None,
    };
    assert_eq!(
        err,
        ApiError::TransactionCanceled {
            message: "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None, None]".into(),
            reasons: vec![
                CancellationReason {
                    code: "ConditionalCheckFailed".into(),
                    message: Some("The conditional request failed".into()),
                    item: Some(item(r#"{"pk":{"S":"a"},"b":{"N":"10"}}"#)),
                },
                none.clone(),
                none,
            ],
        }
    );
    assert!(state.lock().unwrap().transactions.is_empty());
    assert_eq!(
        current(&state, "b").unwrap()["b"],
        item(r#"{"b":{"N":"0"}}"#)["b"]
    );
}

#[tokio::test]
async fn tokens_replay_once_and_refuse_other_parameters() {
    let state = state_with(&[("a", r#"{"pk":{"S":"a"},"n":{"N":"0"}}"#)]);
    let ctx = map_ctx(state.clone());
    let body = |by: &str| {
        format!(
            r#"{{"ClientRequestToken":"tok","TransactItems":[{{"Update":{{"TableName":"tbl","Key":{{"pk":{{"S":"a"}}}},"UpdateExpression":"ADD n :v","ExpressionAttributeValues":{{":v":{{"N":"{by}"}}}}}}}}]}}"#
        )
    };
    execute(&ctx, req(&body("1"))).await.unwrap();
    execute(&ctx, req(&body("1"))).await.unwrap();
    assert_eq!(
        current(&state, "a").unwrap()["n"],
        item(r#"{"n":{"N":"1"}}"#)["n"]
    );
    assert_eq!(
        execute(&ctx, req(&body("2"))).await.unwrap_err(),
        ApiError::IdempotentParameterMismatch(MISMATCH.into())
    );
    let st = state.lock().unwrap();
    // The token record sits beside the items, read and written in the same transaction.
    let token = token_key("123456789012", "tok");
    assert!(st.items.contains_key(&token));
    assert_eq!(st.transactions[0].0.last(), Some(&token));
    assert!(st.transactions[1].1.is_empty());
}

#[tokio::test]
async fn request_errors_write_nothing() {
    let cases = [
        (
            r#"{"TransactItems":[{"Put":{"TableName":"tbl","Item":{"pk":{"S":"a"}}}},{"Delete":{"TableName":"tbl","Key":{"pk":{"S":"a"}}}}]}"#,
            ApiError::validation("Transaction request cannot include multiple operations on one item"),
        ),
        (
            r#"{"TransactItems":[{"Put":{"TableName":"tbl","Item":{"pk":{"S":"a"}}},"Delete":{"TableName":"tbl","Key":{"pk":{"S":"b"}}}}]}"#,
            ApiError::validation("TransactItems can only contain one of Check, Put, Update or Delete"),
        ),
        (
            r#"{"TransactItems":[{"ConditionCheck":{"TableName":"tbl","Key":{"pk":{"S":"a"}}}}]}"#,
            ApiError::validation("1 validation error detected: Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null"),
        ),
        (
            r#"{"TransactItems":[{"Put":{"TableName":"nope","Item":{"pk":{"S":"a"}}}}]}"#,
            ApiError::ResourceNotFound("Requested resource not found".into()),
        ),
        (
            r#"{"TransactItems":[{"Update":{"TableName":"tbl","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET a = :v"}}]}"#,
            ApiError::validation("Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :v"),
        ),
    ];
    for (body, expected) in cases {
        let state = state_with(&[]);
        assert_eq!(
            handle(&map_ctx(state.clone()), body.as_bytes())
                .await
                .unwrap_err(),
            expected,
            "{body}"
        );
        assert!(state.lock().unwrap().transactions.is_empty());
    }
}

#[test]
fn token_parameters_do_not_depend_on_map_order() {
    let items = |json: &str| -> Vec<TransactWriteItem> { serde_json::from_str(json).unwrap() };
    let wide: String = (0..40)
        .map(|i| format!(r#""a{i}":{{"N":"{i}"}}"#))
        .collect::<Vec<_>>()
        .join(",");
    let one = items(&format!(
        r#"[{{"Put":{{"TableName":"tbl","Item":{{"pk":{{"S":"a"}},{wide}}}}}}}]"#
    ));
    // A fresh map of the same entries iterates in another order (random hash seeds).
    let two: Vec<TransactWriteItem> =
        serde_json::from_value(serde_json::to_value(&one).unwrap()).unwrap();
    assert_eq!(
        canonical_params(&one).unwrap(),
        canonical_params(&two).unwrap()
    );
    let text = canonical_params(&one).unwrap();
    assert!(text.find(r#""a0""#).unwrap() < text.find(r#""a1""#).unwrap());
}

#[tokio::test]
async fn a_key_that_does_not_fit_the_table_cancels_at_that_action() {
    let body = r#"{"TransactItems":[
        {"Put":{"TableName":"tbl","Item":{"pk":{"S":"ok"}}}},
        {"Put":{"TableName":"tbl","Item":{"pk":{"N":"7"}}}},
        {"Delete":{"TableName":"tbl","Key":{"pk":{"N":"8"}}}}
    ]}"#;
    let state = state_with(&[]);
    let err = execute(&map_ctx(state.clone()), req(body))
        .await
        .unwrap_err();
    let ApiError::TransactionCanceled { message, reasons } = err else {
        panic!("not cancelled: {err:?}");
    };
    assert_eq!(
        message,
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ValidationError, None]"
    );
    assert_eq!(
        reasons[1],
        CancellationReason {
            code: "ValidationError".into(),
            message: Some(
                "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"
                    .into()
            ),
            item: None,
        }
    );
    assert_eq!(reasons[2].message, None);
    assert!(state.lock().unwrap().transactions.is_empty());
}
