use super::*;
use crate::ops::multi_test_support::{map_ctx, tbl_key, State};
use crate::ops::test_support::item;
use crate::traits::StoredItem;
use std::sync::{Arc, Mutex};

fn req(json: &str) -> Request {
    serde_json::from_str(json).unwrap()
}

fn keys(n: usize) -> String {
    (0..n)
        .map(|i| format!(r#"{{"pk":{{"S":"k{i}"}}}}"#))
        .collect::<Vec<_>>()
        .join(",")
}

#[tokio::test]
async fn reads_with_projection_and_capacity() {
    let state = Arc::new(Mutex::new(State::default()));
    state.lock().unwrap().items.insert(
        tbl_key("k0"),
        StoredItem::encode(&item(r#"{"pk":{"S":"k0"},"a":{"N":"1"},"b":{"N":"2"}}"#)),
    );
    let resp = execute(
        &map_ctx(state.clone()),
        req(&format!(
            r##"{{"RequestItems":{{"tbl":{{"Keys":[{}],"ProjectionExpression":"#a","ExpressionAttributeNames":{{"#a":"a"}},"ConsistentRead":true}}}},"ReturnConsumedCapacity":"TOTAL"}}"##,
            keys(2)
        )),
    )
    .await
    .unwrap();
    assert_eq!(resp.responses["tbl"], vec![item(r#"{"a":{"N":"1"}}"#)]);
    assert!(resp.unprocessed_keys.is_empty());
    assert_eq!(
        serde_json::to_value(&resp.consumed_capacity).unwrap(),
        serde_json::json!([{"TableName":"tbl","CapacityUnits":2.0}])
    );
    assert_eq!(state.lock().unwrap().gets, 2);
}

#[tokio::test]
async fn answers_stop_at_16_mb_and_leave_the_rest_unprocessed() {
    let state = Arc::new(Mutex::new(State::default()));
    let big = "x".repeat(400 * 1024 - 10);
    for i in 0..50 {
        let pk = format!("k{i}");
        state.lock().unwrap().items.insert(
            tbl_key(&pk),
            StoredItem::encode(&item(&format!(
                r#"{{"pk":{{"S":"{pk}"}},"v":{{"S":"{big}"}}}}"#
            ))),
        );
    }
    let resp = execute(
        &map_ctx(state),
        req(&format!(
            r#"{{"RequestItems":{{"tbl":{{"Keys":[{}],"AttributesToGet":["pk"]}}}}}}"#,
            keys(50)
        )),
    )
    .await
    .unwrap();
    // 41 items of ~400 KB pass 16 MB.
    assert_eq!(resp.responses["tbl"].len(), 41);
    let left = &resp.unprocessed_keys["tbl"];
    assert_eq!(left.keys.as_ref().unwrap().len(), 9);
    assert_eq!(left.attributes_to_get, Some(vec!["pk".to_string()]));
    assert_eq!(
        left.keys.as_ref().unwrap()[0],
        item(r#"{"pk":{"S":"k41"}}"#)
    );
}

#[tokio::test]
async fn request_errors() {
    let cases = [
        (
            format!(r#"{{"RequestItems":{{"tbl":{{"Keys":[{}]}}}}}}"#, keys(1) + "," + &keys(1)),
            "Provided list of item keys contains duplicates".to_string(),
        ),
        (
            format!(r#"{{"RequestItems":{{"tbl":{{"Keys":[{}]}},"rng":{{"Keys":[{{"pk":{{"S":"a"}},"sk":{{"N":"1"}}}}]}}}}}}"#, keys(100)),
            "Too many items requested for the BatchGetItem call".to_string(),
        ),
        (
            r#"{"RequestItems":{"tbl":{"Keys":[]}}}"#.to_string(),
            "1 validation error detected: Value '[]' at 'requestItems.tbl.member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1".to_string(),
        ),
        (
            r#"{"RequestItems":{"tbl":{"Keys":[{"x":{"S":"a"}}]}}}"#.to_string(),
            "The provided key element does not match the schema".to_string(),
        ),
    ];
    for (body, message) in cases {
        let state = Arc::new(Mutex::new(State::default()));
        let err = handle(&map_ctx(state.clone()), body.as_bytes())
            .await
            .unwrap_err();
        assert_eq!(err, ApiError::Validation(message), "{body}");
        assert_eq!(state.lock().unwrap().gets, 0);
    }
}

#[tokio::test]
async fn throttled_keys_come_back_unprocessed() {
    use crate::ops::multi_test_support::{throttled_ctx, THROTTLED};
    let state = Arc::new(Mutex::new(State::default()));
    state.lock().unwrap().items.insert(
        tbl_key("k0"),
        StoredItem::encode(&item(r#"{"pk":{"S":"k0"}}"#)),
    );
    let body = r#"{"RequestItems":{"tbl":{"Keys":[{"pk":{"S":"k0"}}]},
        "rng":{"Keys":[{"pk":{"S":"a"},"sk":{"N":"1"}}],"ConsistentRead":true}}}"#;
    let resp = execute(&throttled_ctx(state.clone(), "rng"), req(body))
        .await
        .unwrap();
    assert_eq!(resp.responses["tbl"].len(), 1);
    assert_eq!(
        serde_json::to_value(&resp.unprocessed_keys).unwrap(),
        serde_json::json!({"rng":{"Keys":[{"pk":{"S":"a"},"sk":{"N":"1"}}],"ConsistentRead":true}})
    );
    let only_rng = r#"{"RequestItems":{"rng":{"Keys":[{"pk":{"S":"a"},"sk":{"N":"1"}}]}}}"#;
    assert_eq!(
        execute(&throttled_ctx(state, "rng"), req(only_rng))
            .await
            .unwrap_err(),
        ApiError::ProvisionedThroughputExceeded {
            message: THROTTLED.into(),
            reasons: Vec::new(),
        }
    );
}
