//! UpdateTable's request checks.

use super::*;

fn req(json: serde_json::Value) -> Request {
    serde_json::from_value(json).unwrap()
}

/// The refusal of the request: the model's constraints first, then `validate`.
fn err(json: serde_json::Value) -> String {
    let body = serde_json::to_vec(&json).unwrap();
    if let Err(e) = crate::ops::request::shapes::check(crate::ops::Operation::UpdateTable, &body) {
        return e.to_string();
    }
    validate(&req(json)).unwrap_err().to_string()
}

const P: &str = "One or more parameter values were invalid: ";

#[test]
fn nothing_to_update() {
    assert_eq!(
        err(serde_json::json!({"TableName": "abc"})),
        NOTHING_TO_UPDATE
    );
    assert_eq!(
        err(serde_json::json!({"TableName": "abc", "GlobalSecondaryIndexUpdates": []})),
        NOTHING_TO_UPDATE
    );
    assert_eq!(
        err(
            serde_json::json!({"TableName": "abc", "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}]})
        ),
        NOTHING_TO_UPDATE
    );
    assert_eq!(
        err(
            serde_json::json!({"TableName": "abc", "GlobalSecondaryIndexUpdates": [], "DeletionProtectionEnabled": true})
        ),
        format!("{P}List of GlobalSecondaryIndexUpdates is empty")
    );
}

#[test]
fn name_and_member_constraints() {
    assert_eq!(
        err(serde_json::json!({"DeletionProtectionEnabled": true})),
        "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"
    );
    assert_eq!(
        err(serde_json::json!({"TableName": "abc", "BillingMode": "FREE"})),
        "1 validation error detected: Value 'FREE' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"
    );
    assert_eq!(
        err(serde_json::json!({"TableName": "abc", "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 1}})),
        "1 validation error detected: Value '0' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1"
    );
    assert_eq!(
        err(serde_json::json!({"TableName": "abc", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "x"}}]})),
        "1 validation error detected: Value 'x' at 'globalSecondaryIndexUpdates.1.member.delete.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3"
    );
}

#[test]
fn billing_and_throughput_rules() {
    assert_eq!(
        err(serde_json::json!({"TableName": "abc", "BillingMode": "PROVISIONED"})),
        format!("{P}ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
    );
    assert_eq!(
        err(serde_json::json!({"TableName": "abc", "BillingMode": "PAY_PER_REQUEST", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}})),
        format!("{P}Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
    );
    assert_eq!(
        err(
            serde_json::json!({"TableName": "abc", "ProvisionedThroughput": {"ReadCapacityUnits": 1_000_000_000_001i64, "WriteCapacityUnits": 1}})
        ),
        "Given value 1000000000001 for ReadCapacityUnits is out of bounds"
    );
}

#[test]
fn index_update_entries() {
    assert_eq!(
        err(serde_json::json!({"TableName": "abc", "GlobalSecondaryIndexUpdates": [{}]})),
        format!("{P}One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null")
    );
    assert_eq!(
        err(serde_json::json!({"TableName": "abc", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "idx"}, "Update": {"IndexName": "idx", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}]})),
        format!("{P}Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object")
    );
    assert_eq!(
        err(serde_json::json!({"TableName": "abc", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "idx"}}, {"Delete": {"IndexName": "idx"}}]})),
        format!("{P}Only one global secondary index update per index is allowed simultaneously. Index: idx")
    );
    assert_eq!(
        err(
            serde_json::json!({"TableName": "abc", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}, "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "idx"}}]})
        ),
        format!("{P}You cannot create or delete index while updating table IOPS")
    );
}

#[test]
fn deletion_protection_must_be_alone() {
    assert_eq!(
        err(
            serde_json::json!({"TableName": "abc", "DeletionProtectionEnabled": true, "BillingMode": "PAY_PER_REQUEST"})
        ),
        format!("{P}DeletionProtection modification must be the only operation in the request")
    );
    let ok = req(serde_json::json!({"TableName": "abc", "DeletionProtectionEnabled": false}));
    assert_eq!(validate(&ok).unwrap(), "abc");
}

#[test]
fn unsupported_members_say_so() {
    assert_eq!(
        err(serde_json::json!({"TableName": "abc", "SSESpecification": {"Enabled": true}})),
        "SSESpecification is not supported yet by extenddb; omit it from UpdateTable"
    );
    assert_eq!(
        err(
            serde_json::json!({"TableName": "abc", "StreamSpecification": {"StreamEnabled": true}})
        ),
        "One or more parameter values were invalid: If stream is being enabled then UpdateViewType is required"
    );
    assert_eq!(
        err(serde_json::json!({"TableName": "abc", "StreamSpecification": {"StreamViewType": "Fisk"}})),
        "2 validation errors detected: Value null at 'streamSpecification.streamEnabled' failed to satisfy constraint: Member must not be null; Value 'Fisk' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: [OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE]"
    );
}

#[test]
fn counts_online_index_actions() {
    let r = req(
        serde_json::json!({"TableName": "abc", "GlobalSecondaryIndexUpdates": [
            {"Delete": {"IndexName": "one"}},
            {"Update": {"IndexName": "two", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}},
            {"Create": {"IndexName": "three", "KeySchema": [], "Projection": {}}}
        ]}),
    );
    assert_eq!(r.creates_or_deletes(), 2);
    assert_eq!(r.index_updates()[1].index_name(), "two");
}

#[test]
fn attribute_names_over_255_characters_are_refused_first() {
    let long = "x".repeat(256);
    // The long name is reported although the index names an undefined attribute.
    let msg = err(serde_json::json!({
        "TableName": "abc",
        "AttributeDefinitions": [{"AttributeName": long, "AttributeType": "S"}],
        "GlobalSecondaryIndexUpdates": [{"Create": {
            "IndexName": "hello",
            "KeySchema": [{"AttributeName": "short", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}}]
    }));
    assert_eq!(
        msg,
        format!("1 validation error detected: Value '{long}' at 'attributeDefinitions.1.member.attributeName' failed to satisfy constraint: Member must have length less than or equal to 255")
    );
    let msg = err(serde_json::json!({
        "TableName": "abc",
        "AttributeDefinitions": [{"AttributeName": "short", "AttributeType": "S"}],
        "GlobalSecondaryIndexUpdates": [{"Create": {
            "IndexName": "hello",
            "KeySchema": [{"AttributeName": long, "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}}]
    }));
    assert_eq!(
        msg,
        format!("1 validation error detected: Value '{long}' at 'globalSecondaryIndexUpdates.1.member.create.keySchema.1.member.attributeName' failed to satisfy constraint: Member must have length less than or equal to 255")
    );
}
