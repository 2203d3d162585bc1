//! GlobalSecondaryIndexUpdates against a table definition.

use super::*;
use crate::ops::table::table_description::test_support::table;

fn req(json: serde_json::Value) -> Request {
    serde_json::from_value(json).unwrap()
}

fn create_x(extra: serde_json::Value) -> Request {
    let mut create = serde_json::json!({
        "IndexName": "byX",
        "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"},
        "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    });
    if let Some(map) = extra.as_object() {
        for (k, v) in map {
            create[k] = v.clone();
        }
    }
    req(serde_json::json!({
        "TableName": "Music",
        "AttributeDefinitions": [{"AttributeName": "x", "AttributeType": "S"}],
        "GlobalSecondaryIndexUpdates": [{"Create": create}]
    }))
}

fn with_gsi() -> TableDefinition {
    let mut def = table("Music", TableStatus::Active, 0.0);
    apply(&mut def, &create_x(serde_json::json!({})), Some(77), 10.0).unwrap();
    def
}

#[test]
fn create_adds_a_creating_index_and_its_attribute() {
    let def = with_gsi();
    let gsi = &def.global_secondary_indexes[0];
    assert_eq!(gsi.name, "byX");
    assert_eq!(gsi.storage_id, 77);
    assert_eq!(gsi.status, IndexStatus::Creating);
    assert!(!gsi.backfilling);
    assert_eq!(gsi.status_since, 10.0);
    assert_eq!(gsi.throughput, Some(Throughput { read: 1, write: 1 }));
    assert_eq!(def.attribute_definitions.last().unwrap().name, "x");
}

#[test]
fn create_refusals() {
    let mut def = with_gsi();
    // Another online index operation is running.
    let other = req(
        serde_json::json!({"TableName": "Music", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "byX"}}]}),
    );
    assert_eq!(
        apply(&mut def, &other, None, 11.0).unwrap_err(),
        ApiError::ResourceInUse("Attempt to change a resource which is still in use: Index creation is in resource allocation phase. Retry deletion during backfilling phase or when the index is active. Table: Music Index: byX".into())
    );
    def.global_secondary_indexes[0].status = IndexStatus::Active;
    assert_eq!(
        apply(&mut def, &create_x(serde_json::json!({})), Some(78), 12.0)
            .unwrap_err()
            .to_string(),
        "Attempting to create an index which already exists"
    );
    let mut fresh = table("Music", TableStatus::Active, 0.0);
    let no_defs = req(
        serde_json::json!({"TableName": "Music", "GlobalSecondaryIndexUpdates": [{"Create": {
        "IndexName": "byX", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}}]}),
    );
    assert_eq!(
        apply(&mut fresh, &no_defs, Some(1), 1.0).unwrap_err().to_string(),
        "One or more parameter values were invalid: AttributeDefinitions is not specified for index: byX"
    );
    let no_pt = create_x(serde_json::json!({"ProvisionedThroughput": null}));
    assert_eq!(
        apply(&mut fresh, &no_pt, Some(1), 1.0).unwrap_err().to_string(),
        "One or more parameter values were invalid: Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: byX"
    );
    let mut updating = table("Music", TableStatus::Updating, 0.0);
    assert_eq!(
        apply(&mut updating, &create_x(serde_json::json!({})), Some(1), 1.0).unwrap_err(),
        ApiError::ResourceInUse("Attempt to change a resource which is still in use: Can't create or delete indexes while table IOPS are being updated. Table: Music".into())
    );
}

#[test]
fn redefining_a_key_type_is_refused() {
    let mut def = table("Music", TableStatus::Active, 0.0);
    let r = req(serde_json::json!({
        "TableName": "Music",
        "AttributeDefinitions": [{"AttributeName": "sk", "AttributeType": "S"}],
        "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "bySk", "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"}, "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}]
    }));
    assert_eq!(
        apply(&mut def, &r, Some(5), 1.0).unwrap_err().to_string(),
        "One or more parameter values were invalid: Attributes cannot be redefined. Please check that your attribute has the same type as previously defined. Existing schema: Schema:[SchemaElement: key{pk:S:HASH}, SchemaElement: key{sk:N:RANGE}] New schema: Schema:[SchemaElement: key{sk:S:HASH}]"
    );
}

#[test]
fn update_and_delete() {
    let mut def = with_gsi();
    def.global_secondary_indexes[0].status = IndexStatus::Active;
    let up = req(
        serde_json::json!({"TableName": "Music", "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "byX", "ProvisionedThroughput": {"ReadCapacityUnits": 4, "WriteCapacityUnits": 1}}}]}),
    );
    assert!(!apply(&mut def, &up, None, 20.0).unwrap());
    let gsi = &def.global_secondary_indexes[0];
    assert_eq!(gsi.status, IndexStatus::Updating);
    assert_eq!(gsi.throughput_history.last_increase, Some(20.0));
    // While it is UPDATING, another update waits.
    assert_eq!(
        apply(&mut def, &up, None, 21.0).unwrap_err(),
        ApiError::ResourceInUse("Attempt to change a resource which is still in use: Index is being updated. Table: Music Index: byX".into())
    );
    def.global_secondary_indexes[0].status = IndexStatus::Active;
    assert_eq!(
        apply(&mut def, &up, None, 22.0).unwrap_err().to_string(),
        "The provisioned throughput for the index byX will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the index: 4. Requested ReadCapacityUnits: 4. Current WriteCapacityUnits provisioned for the index: 1. Requested WriteCapacityUnits: 1. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits."
    );
    let del = req(
        serde_json::json!({"TableName": "Music", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "byX"}}]}),
    );
    assert!(apply(&mut def, &del, None, 30.0).unwrap());
    assert_eq!(
        def.global_secondary_indexes[0].status,
        IndexStatus::Deleting
    );
    assert!(any_index_changing(&def));
    let missing = req(
        serde_json::json!({"TableName": "Music", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "nope"}}]}),
    );
    assert_eq!(
        apply(&mut def, &missing, None, 31.0).unwrap_err(),
        ApiError::ResourceNotFound(
            "Requested resource not found: Index nope for table Music".into()
        )
    );
}

#[test]
fn two_online_actions_exceed_the_limit() {
    let mut def = with_gsi();
    let r = req(
        serde_json::json!({"TableName": "Music", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "aaa"}}, {"Delete": {"IndexName": "bbb"}}]}),
    );
    assert_eq!(
        apply(&mut def, &r, None, 1.0).unwrap_err(),
        ApiError::LimitExceeded("Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table".into())
    );
}
