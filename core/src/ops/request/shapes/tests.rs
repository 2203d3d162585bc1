//! The model's constraints per operation and per kind (required, length, range, pattern,
//! enum), their paths, order and value rendering, with DynamoDB's texts.

use super::*;
use serde_json::{json, Value};

/// The message of `op` on `body`, or "ok".
pub(super) fn msg(op: Operation, body: Value) -> String {
    match check(op, &serde_json::to_vec(&body).unwrap()) {
        Ok(()) => "ok".into(),
        Err(e) => e.to_string(),
    }
}

pub(super) fn one(value: &str, path: &str, constraint: &str) -> String {
    format!(
        "1 validation error detected: {}",
        part(value, path, constraint)
    )
}

fn part(value: &str, path: &str, constraint: &str) -> String {
    let value = if value == "null" {
        "null".to_string()
    } else {
        format!("'{value}'")
    };
    format!("Value {value} at '{path}' failed to satisfy constraint: {constraint}")
}

pub(super) const NOT_NULL: &str = "Member must not be null";
const NAME_PATTERN: &str = "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+";
const MIN3: &str = "Member must have length greater than or equal to 3";
pub(super) const MIN1: &str = "Member must have length greater than or equal to 1";

#[test]
fn valid_requests_pass() {
    use Operation as O;
    let key = json!({"pk": {"S": "a"}});
    for (op, body) in [
        (O::PutItem, json!({"TableName": "Music", "Item": key})),
        (
            O::GetItem,
            json!({"TableName": "Music", "Key": key, "ConsistentRead": true}),
        ),
        (
            O::Query,
            json!({"TableName": "Music", "Limit": 1, "Select": "COUNT"}),
        ),
        (O::ListTables, json!({})),
        (
            O::ExecuteStatement,
            json!({"Statement": "SELECT * FROM t", "Parameters": [{"S": "x"}]}),
        ),
        (
            O::TransactWriteItems,
            json!({"TransactItems": [{"Put": {"TableName": "Music", "Item": key}}]}),
        ),
    ] {
        assert_eq!(msg(op, body.clone()), "ok", "{op:?} {body}");
    }
    // Not JSON: the decoder's business.
    assert!(check(Operation::PutItem, b"{not json").is_ok());
}

#[test]
fn required_members_in_model_order() {
    assert_eq!(
        msg(Operation::PutItem, json!({})),
        format!(
            "2 validation errors detected: {}; {}",
            part("null", "tableName", NOT_NULL),
            part("null", "item", NOT_NULL)
        )
    );
    // JSON null is absent.
    assert_eq!(
        msg(Operation::DescribeTable, json!({"TableName": null})),
        one("null", "tableName", NOT_NULL)
    );
    assert_eq!(
        msg(
            Operation::UpdateTimeToLive,
            json!({"TableName": "Music", "TimeToLiveSpecification": {}})
        ),
        format!(
            "2 validation errors detected: {}; {}",
            part("null", "timeToLiveSpecification.enabled", NOT_NULL),
            part("null", "timeToLiveSpecification.attributeName", NOT_NULL)
        )
    );
}

#[test]
fn lengths_patterns_and_both() {
    assert_eq!(
        msg(
            Operation::CreateTable,
            json!({"TableName": "ab", "AttributeDefinitions": [], "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
        ),
        one("ab", "tableName", MIN3)
    );
    assert_eq!(
        msg(Operation::GetItem, json!({"TableName": "a;b", "Key": {}})),
        one("a;b", "tableName", NAME_PATTERN)
    );
    assert_eq!(
        msg(Operation::DeleteTable, json!({"TableName": "a;"})),
        format!(
            "2 validation errors detected: {}; {}",
            part("a;", "tableName", NAME_PATTERN),
            part("a;", "tableName", MIN3)
        )
    );
    let long = "x".repeat(256);
    assert_eq!(
        msg(Operation::Scan, json!({"TableName": long})),
        one(
            &long,
            "tableName",
            "Member must have length less than or equal to 255"
        )
    );
    // Lengths count UTF-16 units, as Java does: one astral character is two.
    assert_eq!(
        msg(
            Operation::UpdateTimeToLive,
            json!({"TableName": "Music", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": ""}})
        ),
        one("", "timeToLiveSpecification.attributeName", MIN1)
    );
}

#[test]
fn ranges_render_the_number() {
    assert_eq!(
        msg(Operation::Query, json!({"TableName": "Music", "Limit": 0})),
        one(
            "0",
            "limit",
            "Member must have value greater than or equal to 1"
        )
    );
    assert_eq!(
        msg(Operation::ListTables, json!({"Limit": 101})),
        one(
            "101",
            "limit",
            "Member must have value less than or equal to 100"
        )
    );
    assert_eq!(
        msg(
            Operation::Scan,
            json!({"TableName": "Music", "Segment": 1000000, "TotalSegments": 0})
        ),
        format!(
            "2 validation errors detected: {}; {}",
            // The model lists TotalSegments before Segment.
            part(
                "0",
                "totalSegments",
                "Member must have value greater than or equal to 1"
            ),
            part(
                "1000000",
                "segment",
                "Member must have value less than or equal to 999999"
            )
        )
    );
    assert_eq!(
        msg(
            Operation::CreateTable,
            json!({"TableName": "Music", "AttributeDefinitions": [], "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 1}})
        ),
        one(
            "0",
            "provisionedThroughput.readCapacityUnits",
            "Member must have value greater than or equal to 1"
        )
    );
}

#[test]
fn enums_in_dynamodb_order() {
    assert_eq!(
        msg(Operation::PutItem, json!({"TableName": "Music", "Item": {}, "ReturnValues": "EVERYTHING"})),
        one("EVERYTHING", "returnValues", "Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]")
    );
    assert_eq!(
        msg(Operation::Query, json!({"TableName": "Music", "Select": "ALL", "ReturnConsumedCapacity": "ALL"})),
        format!(
            "2 validation errors detected: {}; {}",
            part("ALL", "select", "Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"),
            part("ALL", "returnConsumedCapacity", "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]")
        )
    );
    assert_eq!(
        msg(
            Operation::CreateTable,
            json!({"TableName": "Music", "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "X"}], "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "FREE"})
        ),
        format!(
            "2 validation errors detected: {}; {}",
            part(
                "X",
                "attributeDefinitions.1.member.attributeType",
                "Member must satisfy enum value set: [B, N, S]"
            ),
            part(
                "FREE",
                "billingMode",
                "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"
            )
        )
    );
}

#[test]
fn nested_paths_of_lists_and_maps() {
    assert_eq!(
        msg(
            Operation::TransactWriteItems,
            json!({"TransactItems": [{"Put": {"TableName": "Music", "Item": {}}}, {"Update": {"TableName": "a!", "Key": {}}}]})
        ),
        format!(
            "3 validation errors detected: {}; {}; {}",
            // The model lists Update's UpdateExpression before its TableName.
            part(
                "null",
                "transactItems.2.member.update.updateExpression",
                NOT_NULL
            ),
            part(
                "a!",
                "transactItems.2.member.update.tableName",
                NAME_PATTERN
            ),
            part("a!", "transactItems.2.member.update.tableName", MIN3)
        )
    );
    assert_eq!(
        msg(
            Operation::BatchGetItem,
            json!({"RequestItems": {"Music": {"Keys": []}}})
        ),
        one("[]", "requestItems.Music.member.keys", MIN1)
    );
    assert_eq!(
        msg(Operation::BatchWriteItem, json!({"RequestItems": {}})),
        one("{}", "requestItems", MIN1)
    );
    assert_eq!(
        msg(
            Operation::BatchWriteItem,
            json!({"RequestItems": {"Music": [{"PutRequest": {}}]}})
        ),
        one(
            "null",
            "requestItems.Music.member.1.member.putRequest.item",
            NOT_NULL
        )
    );
}

#[test]
fn map_values_and_keys_are_reported_at_the_map() {
    let writes: Vec<Value> = (0..26)
        .map(|_| json!({"DeleteRequest": {"Key": {}}}))
        .collect();
    let shown = vec!["WriteRequest"; 26].join(", ");
    assert_eq!(
        msg(Operation::BatchWriteItem, json!({"RequestItems": {"Music": writes}})),
        one(
            &format!("{{Music=[{shown}]}}"),
            "requestItems",
            "Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"
        )
    );
    assert_eq!(
        msg(Operation::BatchGetItem, json!({"RequestItems": {"ab": {"Keys": [{}]}}})),
        one(
            "{ab=KeysAndAttributes}",
            "requestItems",
            "Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]"
        )
    );
}

#[test]
fn list_elements_at_the_list_or_at_each_element() {
    let long = "a".repeat(256);
    let gsi = json!([{"IndexName": "gsi", "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": [long]}}]);
    assert_eq!(
        msg(Operation::CreateTable, json!({"TableName": "Music", "AttributeDefinitions": [], "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "GlobalSecondaryIndexes": gsi})),
        one(
            &format!("[{long}]"),
            "globalSecondaryIndexes.1.member.projection.nonKeyAttributes",
            "Member must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 1]"
        )
    );
    let key = "k".repeat(129);
    assert_eq!(
        msg(
            Operation::UntagResource,
            json!({"ResourceArn": "arn", "TagKeys": [key, null]})
        ),
        format!(
            "2 validation errors detected: {}; {}",
            part(
                &key,
                "tagKeys.1.member",
                "Member must have length less than or equal to 128"
            ),
            part("null", "tagKeys.2.member", NOT_NULL)
        )
    );
}

#[test]
fn lists_of_scalar_structures_render_their_members() {
    let ks = json!([
        {"AttributeName": "a", "KeyType": "HASH"},
        {"AttributeName": "b", "KeyType": "RANGE"},
        {"KeyType": "RANGE", "AttributeName": "c"}
    ]);
    assert_eq!(
        msg(Operation::CreateTable, json!({"TableName": "Music", "AttributeDefinitions": [], "KeySchema": ks})),
        one(
            "[KeySchemaElement(AttributeName=a, KeyType=HASH), KeySchemaElement(AttributeName=b, KeyType=RANGE), KeySchemaElement(AttributeName=c, KeyType=RANGE)]",
            "keySchema",
            "Member must have length less than or equal to 2"
        )
    );
}

#[test]
fn partiql_operations() {
    assert_eq!(
        msg(
            Operation::ExecuteStatement,
            json!({"Statement": "", "Parameters": [], "Limit": 0})
        ),
        format!(
            "3 validation errors detected: {}; {}; {}",
            part("", "statement", MIN1),
            part("[]", "parameters", MIN1),
            part(
                "0",
                "limit",
                "Member must have value greater than or equal to 1"
            )
        )
    );
    assert_eq!(
        msg(Operation::BatchExecuteStatement, json!({"Statements": []})),
        one("[]", "statements", MIN1)
    );
    let many: Vec<Value> = (0..26).map(|_| json!({"Statement": "x"})).collect();
    assert_eq!(
        msg(
            Operation::BatchExecuteStatement,
            json!({"Statements": many})
        ),
        one(
            &format!(
                "[{}]",
                vec!["BatchStatementRequest(Statement=x)"; 26].join(", ")
            ),
            "statements",
            "Member must have length less than or equal to 25"
        )
    );
    assert_eq!(
        msg(
            Operation::ExecuteTransaction,
            json!({"TransactStatements": [{"Statement": "x"}], "ClientRequestToken": "t".repeat(37)})
        ),
        one(
            &"t".repeat(37),
            "clientRequestToken",
            "Member must have length less than or equal to 36"
        )
    );
    assert_eq!(
        msg(
            Operation::ExecuteTransaction,
            json!({"TransactStatements": [{}]})
        ),
        one("null", "transactStatements.1.member.statement", NOT_NULL)
    );
}

#[test]
fn tagging_without_an_arn_is_left_to_the_operation() {
    assert_eq!(msg(Operation::ListTagsOfResource, json!({})), "ok");
    assert_eq!(
        msg(Operation::TagResource, json!({})),
        one("null", "tags", NOT_NULL)
    );
}

#[test]
fn the_streams_model_is_there_for_its_operations() {
    let shape = generated::input("DynamoDBStreams_20120810", "GetShardIterator").unwrap();
    let found = walk::violations(
        shape,
        br#"{"StreamArn":"x","ShardId":"s","ShardIteratorType":"NEWEST"}"#,
    );
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found[2].ends_with("Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP]"));
}

#[test]
fn wrong_json_types_are_not_constraint_errors() {
    // The decoder reports them (SerializationException); the walk neither fails nor panics.
    assert_eq!(
        msg(
            Operation::Query,
            json!({"TableName": ["Music"], "Limit": "0", "KeyConditions": 3})
        ),
        one("null", "tableName", NOT_NULL)
    );
}
