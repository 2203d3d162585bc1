use super::*;
use crate::ops::multi_test_support::{map_ctx, tbl_key, State};
use crate::ops::test_support::item;
use std::sync::{Arc, Mutex};

fn req(json: &str) -> Request {
    serde_json::from_str(json).unwrap()
}

#[tokio::test]
async fn writes_of_two_tables_commit_in_one_transaction() {
    let state = Arc::new(Mutex::new(State::default()));
    state.lock().unwrap().items.insert(
        tbl_key("old"),
        StoredItem::encode(&item(&format!(
            r#"{{"pk":{{"S":"old"}},"v":{{"S":"{}"}}}}"#,
            "x".repeat(2000)
        ))),
    );
    let ctx = map_ctx(state.clone());
    let resp = execute(
        &ctx,
        req(r#"{"RequestItems":{
            "tbl":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}},{"DeleteRequest":{"Key":{"pk":{"S":"old"}}}}],
            "rng":[{"PutRequest":{"Item":{"pk":{"S":"a"},"sk":{"N":"1"}}}}]},
            "ReturnConsumedCapacity":"TOTAL"}"#),
    )
    .await
    .unwrap();
    let st = state.lock().unwrap();
    assert_eq!(st.transactions.len(), 1);
    assert_eq!(st.transactions[0].0.len(), 3);
    assert_eq!(st.items.len(), 2);
    assert!(st.items.contains_key(&tbl_key("a")) && !st.items.contains_key(&tbl_key("old")));
    let json = serde_json::to_string(&resp).unwrap();
    // Tables in request (map) order: rng first; the delete of a 2 KB item costs 2.
    assert_eq!(
        json,
        r#"{"UnprocessedItems":{},"ConsumedCapacity":[{"TableName":"rng","CapacityUnits":1.0},{"TableName":"tbl","CapacityUnits":3.0}]}"#
    );
}

#[tokio::test]
async fn refusals_touch_nothing() {
    let cases = [
        (
            r#"{"RequestItems":{"tbl":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}},{"DeleteRequest":{"Key":{"pk":{"S":"a"}}}}]}}"#,
            "Provided list of item keys contains duplicates",
        ),
        (
            r#"{"RequestItems":{"tbl":[{}]}}"#,
            ONE_DATATYPE,
        ),
        (
            r#"{"RequestItems":{}}"#,
            "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ),
        (
            r#"{}"#,
            "1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null",
        ),
        (
            r#"{"RequestItems":{"tbl":[{"PutRequest":{}}]}}"#,
            "1 validation error detected: Value null at 'requestItems.tbl.member.1.member.putRequest.item' failed to satisfy constraint: Member must not be null",
        ),
        (
            r#"{"RequestItems":{"tbl":[{"PutRequest":{"Item":{"x":{"S":"a"}}}}]}}"#,
            "One or more parameter values were invalid: Missing the key pk in the item",
        ),
    ];
    for (body, message) in cases {
        let state = Arc::new(Mutex::new(State::default()));
        let err = handle(&map_ctx(state.clone()), body.as_bytes())
            .await
            .unwrap_err();
        assert_eq!(err, ApiError::validation(message), "{body}");
        assert!(state.lock().unwrap().transactions.is_empty());
    }
}

#[tokio::test]
async fn more_than_25_writes_in_all() {
    let puts = |n: usize, table: &str| -> String {
        (0..n)
            .map(|i| {
                format!(
                    r#"{{"PutRequest":{{"Item":{{"pk":{{"S":"{table}{i}"}},"sk":{{"N":"1"}}}}}}}}"#
                )
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let body = format!(
        r#"{{"RequestItems":{{"rng":[{}],"tbl":[{}]}}}}"#,
        puts(20, "r"),
        puts(6, "t")
    );
    let state = Arc::new(Mutex::new(State::default()));
    assert_eq!(
        execute(&map_ctx(state), req(&body)).await.unwrap_err(),
        ApiError::validation("Too many items requested for the BatchWriteItem call")
    );
}

#[tokio::test]
async fn unknown_table_is_not_found() {
    let state = Arc::new(Mutex::new(State::default()));
    let err = execute(
        &map_ctx(state),
        req(r#"{"RequestItems":{"nope":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}}]}}"#),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err,
        ApiError::ResourceNotFound("Requested resource not found".into())
    );
}

#[tokio::test]
async fn throttled_writes_come_back_unprocessed() {
    use crate::ops::multi_test_support::{throttled_ctx, THROTTLED};
    let body = r#"{"RequestItems":{
        "tbl":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}}],
        "rng":[{"DeleteRequest":{"Key":{"pk":{"S":"a"},"sk":{"N":"1"}}}}]}}"#;
    let state = Arc::new(Mutex::new(State::default()));
    let resp = execute(&throttled_ctx(state.clone(), "rng"), req(body))
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&resp.unprocessed_items).unwrap(),
        serde_json::json!({"rng":[{"DeleteRequest":{"Key":{"pk":{"S":"a"},"sk":{"N":"1"}}}}]})
    );
    assert!(state.lock().unwrap().items.contains_key(&tbl_key("a")));
    // When nothing is admitted the call itself is throttled.
    let state = Arc::new(Mutex::new(State::default()));
    let only_tbl = r#"{"RequestItems":{"tbl":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}}]}}"#;
    assert_eq!(
        execute(&throttled_ctx(state.clone(), "tbl"), req(only_tbl))
            .await
            .unwrap_err(),
        ApiError::ProvisionedThroughputExceeded {
            message: THROTTLED.into(),
            reasons: Vec::new(),
        }
    );
    assert!(state.lock().unwrap().transactions.is_empty());
}

#[tokio::test]
async fn more_than_25_writes_for_one_table_is_a_constraint_error() {
    let puts: Vec<String> = (0..26)
        .map(|i| format!(r#"{{"PutRequest":{{"Item":{{"pk":{{"S":"k{i}"}}}}}}}}"#))
        .collect();
    let body = format!(r#"{{"RequestItems":{{"tbl":[{}]}}}}"#, puts.join(","));
    let state = Arc::new(Mutex::new(State::default()));
    let shown = vec!["WriteRequest"; 26].join(", ");
    assert_eq!(
        handle(&map_ctx(state.clone()), body.as_bytes())
            .await
            .unwrap_err(),
        ApiError::validation(format!(
            "1 validation error detected: Value '{{tbl=[{shown}]}}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"
        ))
    );
    assert!(state.lock().unwrap().items.is_empty());
}
