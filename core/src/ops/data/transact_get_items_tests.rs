use super::*;
use crate::ops::multi_test_support::{map_ctx, tbl_key, State};
use crate::ops::test_support::item;
use crate::traits::StoredItem;
use std::sync::{Arc, Mutex};

fn req(json: &str) -> Request {
    serde_json::from_str(json).unwrap()
}

#[tokio::test]
async fn reads_are_one_transaction_without_writes() {
    let state = Arc::new(Mutex::new(State::default()));
    state.lock().unwrap().items.insert(
        tbl_key("a"),
        StoredItem::encode(&item(r#"{"pk":{"S":"a"},"x":{"N":"1"},"y":{"N":"2"}}"#)),
    );
    let resp = execute(
        &map_ctx(state.clone()),
        req(r#"{"TransactItems":[
            {"Get":{"TableName":"rng","Key":{"pk":{"S":"a"},"sk":{"N":"1"}}}},
            {"Get":{"TableName":"tbl","Key":{"pk":{"S":"a"}},"ProjectionExpression":"y"}}],
            "ReturnConsumedCapacity":"TOTAL"}"#),
    )
    .await
    .unwrap();
    assert_eq!(
        serde_json::to_value(&resp).unwrap(),
        serde_json::json!({
            "Responses":[{}, {"Item":{"y":{"N":"2"}}}],
            "ConsumedCapacity":[{"TableName":"rng","CapacityUnits":2.0},{"TableName":"tbl","CapacityUnits":2.0}]
        })
    );
    let st = state.lock().unwrap();
    assert_eq!(st.gets, 0);
    assert_eq!(st.transactions.len(), 1);
    assert_eq!(st.transactions[0].0.len(), 2);
    assert!(st.transactions[0].1.is_empty());
}

#[tokio::test]
async fn request_errors() {
    let cases = [
        (
            r#"{"TransactItems":[{"Get":{"TableName":"tbl","Key":{"pk":{"S":"a"}}}},{"Get":{"TableName":"tbl","Key":{"pk":{"S":"a"}}}}]}"#,
            ApiError::validation("Transaction request cannot include multiple operations on one item"),
        ),
        (
            r#"{"TransactItems":[{}]}"#,
            ApiError::validation("1 validation error detected: Value null at 'transactItems.1.member.get' failed to satisfy constraint: Member must not be null"),
        ),
        (
            r#"{"TransactItems":[]}"#,
            ApiError::validation("1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1"),
        ),
        (
            r##"{"TransactItems":[{"Get":{"TableName":"tbl","Key":{"pk":{"S":"a"}},"ProjectionExpression":"#n"}}]}"##,
            ApiError::validation("Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #n"),
        ),
    ];
    for (body, expected) in cases {
        let state = Arc::new(Mutex::new(State::default()));
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
