//! Tests of CreateTable's request checks: each DynamoDB message, and what passes.

use super::*;
use crate::ops::request::protocol;
use crate::ops::Operation;
use serde_json::{json, Value};

/// A valid provisioned request with partition key `pk` (S), changed by `edit`.
fn check(edit: impl FnOnce(&mut Value)) -> Result<ValidTable, ApiError> {
    let mut body = json!({
        "TableName": "Music",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 2}
    });
    edit(&mut body);
    let req: Request =
        protocol::request(Operation::CreateTable, &serde_json::to_vec(&body).unwrap())?;
    validate(&req)
}

fn message(edit: impl FnOnce(&mut Value)) -> String {
    check(edit).unwrap_err().to_string()
}

fn two_keys(b: &mut Value) {
    b["AttributeDefinitions"] = json!([
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "N"}
    ]);
    b["KeySchema"] = json!([
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"}
    ]);
}

#[test]
fn valid_request_yields_the_table() {
    let t = check(two_keys).unwrap();
    assert_eq!(t.name, "Music");
    assert_eq!(t.key_schema.hash.name, "pk");
    assert_eq!(t.key_schema.hash.attr_type, ScalarType::S);
    let range = t.key_schema.range.unwrap();
    assert_eq!(
        (range.name.as_str(), range.attr_type),
        ("sk", ScalarType::N)
    );
    assert_eq!(t.billing_mode, BillingMode::Provisioned);
    assert_eq!(t.throughput, Throughput { read: 1, write: 2 });
    assert!(!t.deletion_protection);
}

#[test]
fn missing_table_name() {
    assert_eq!(
        message(|b| {
            b.as_object_mut().unwrap().remove("TableName");
        }),
        "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"
    );
}

#[test]
fn short_table_name() {
    assert_eq!(
        message(|b| b["TableName"] = json!("ab")),
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"
    );
}

#[test]
fn null_members_are_reported_together() {
    assert_eq!(
        message(|b| {
            let o = b.as_object_mut().unwrap();
            o.remove("AttributeDefinitions");
            o.remove("KeySchema");
        }),
        "2 validation errors detected: Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null; Value null at 'keySchema' failed to satisfy constraint: Member must not be null"
    );
}

/// In the model's member order (AttributeDefinitions, TableName, KeySchema, …, BillingMode,
/// ProvisionedThroughput); inside a structure, its members' order.
#[test]
fn member_constraints_in_order() {
    assert_eq!(
        message(|b| {
            b["AttributeDefinitions"] = json!([{"AttributeName": "pk", "AttributeType": "SS"}, {}]);
            b["BillingMode"] = json!("ON_DEMAND");
            b["ProvisionedThroughput"] = json!({"ReadCapacityUnits": 0});
            b["KeySchema"] = json!([{"AttributeName": "pk", "KeyType": "PARTITION"}]);
        }),
        "7 validation errors detected: \
         Value 'SS' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]; \
         Value null at 'attributeDefinitions.2.member.attributeName' failed to satisfy constraint: Member must not be null; \
         Value null at 'attributeDefinitions.2.member.attributeType' failed to satisfy constraint: Member must not be null; \
         Value 'PARTITION' at 'keySchema.1.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]; \
         Value 'ON_DEMAND' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]; \
         Value '0' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1; \
         Value null at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must not be null"
    );
}

#[test]
fn key_schema_length() {
    assert_eq!(
        message(|b| b["KeySchema"] = json!([])),
        "1 validation error detected: Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    let m = message(|b| {
        b["KeySchema"] = json!([
            {"AttributeName": "a", "KeyType": "HASH"},
            {"AttributeName": "b", "KeyType": "RANGE"},
            {"AttributeName": "c", "KeyType": "RANGE"}
        ])
    });
    assert!(m.starts_with("1 validation error detected: Value '[KeySchemaElement(AttributeName=a, KeyType=HASH), "), "{m}");
    assert!(m.ends_with("' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2"), "{m}");
}

#[test]
fn other_member_constraints() {
    assert_eq!(
        message(|b| {
            b["TableClass"] = json!("COLD");
            b["StreamSpecification"] = json!({"StreamViewType": "ALL"});
            b["SSESpecification"] = json!({"SSEType": "DES"});
            b["Tags"] = json!([{"Key": ""}]);
        }),
        "6 validation errors detected: \
         Value null at 'streamSpecification.streamEnabled' failed to satisfy constraint: Member must not be null; \
         Value 'ALL' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: [OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE]; \
         Value 'DES' at 'sSESpecification.sSEType' failed to satisfy constraint: Member must satisfy enum value set: [AES256, KMS]; \
         Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1; \
         Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null; \
         Value 'COLD' at 'tableClass' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, STANDARD_INFREQUENT_ACCESS]"
    );
}

#[test]
fn provisioned_needs_both_capacities() {
    let expected = "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED";
    assert_eq!(
        message(|b| {
            b.as_object_mut().unwrap().remove("ProvisionedThroughput");
        }),
        expected
    );
    assert_eq!(
        message(|b| {
            b.as_object_mut().unwrap().remove("ProvisionedThroughput");
            b["BillingMode"] = json!("PROVISIONED");
        }),
        expected
    );
}

#[test]
fn pay_per_request_allows_no_capacity() {
    assert_eq!(
        message(|b| b["BillingMode"] = json!("PAY_PER_REQUEST")),
        "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
    );
    let t = check(|b| {
        b.as_object_mut().unwrap().remove("ProvisionedThroughput");
        b["BillingMode"] = json!("PAY_PER_REQUEST");
    })
    .unwrap();
    assert_eq!(t.billing_mode, BillingMode::PayPerRequest);
    assert_eq!(t.throughput, Throughput { read: 0, write: 0 });
}

#[test]
fn capacity_out_of_bounds() {
    assert_eq!(
        message(|b| b["ProvisionedThroughput"]["WriteCapacityUnits"] = json!(1_000_000_000_001_i64)),
        "Given value 1000000000001 for WriteCapacityUnits is out of bounds"
    );
}

#[test]
fn key_attributes_must_be_defined() {
    assert_eq!(
        message(|b| b["KeySchema"][0]["AttributeName"] = json!("x")),
        "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [x], AttributeDefinitions: [pk]"
    );
    assert_eq!(
        message(|b| {
            b["KeySchema"] = json!([
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"}
            ])
        }),
        "Invalid KeySchema: Some index key attribute have no definition"
    );
}

#[test]
fn key_schema_shape() {
    assert_eq!(
        message(|b| b["KeySchema"][0]["KeyType"] = json!("RANGE")),
        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
    );
    assert_eq!(
        message(|b| {
            two_keys(b);
            b["KeySchema"][1]["KeyType"] = json!("HASH");
        }),
        "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"
    );
    assert_eq!(
        message(|b| {
            two_keys(b);
            b["KeySchema"][1]["AttributeName"] = json!("pk");
        }),
        "Both the Hash Key and the Range Key element in the KeySchema have the same name"
    );
}

#[test]
fn extra_attribute_definitions() {
    assert_eq!(
        message(|b| {
            two_keys(b);
            b["KeySchema"].as_array_mut().unwrap().pop();
        }),
        "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"
    );
}

#[test]
fn unsupported_features_are_refused_clearly() {
    let m = message(|b| b["TableClass"] = json!("STANDARD_INFREQUENT_ACCESS"));
    assert!(
        m.starts_with("TableClass: STANDARD_INFREQUENT_ACCESS is not supported yet"),
        "{m}"
    );
    // OnDemandThroughput is served, but only for on-demand tables.
    let m = message(|b| b["OnDemandThroughput"] = json!({"MaxReadRequestUnits": 5}));
    assert!(
        m.contains("OnDemandThroughput can only be specified when BillingMode is PAY_PER_REQUEST"),
        "{m}"
    );
}

#[test]
fn accepted_options() {
    let t = check(|b| {
        b["Tags"] = json!([{"Key": "team", "Value": ""}]);
        b["SSESpecification"] = json!({"Enabled": true, "SSEType": "KMS"});
        b["StreamSpecification"] = json!({"StreamEnabled": false});
        b["TableClass"] = json!("STANDARD");
        b["DeletionProtectionEnabled"] = json!(true);
    })
    .unwrap();
    assert!(t.deletion_protection);
    assert_eq!(t.stream, None);
    let t = check(|b| {
        b["StreamSpecification"] = json!({"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"})
    })
    .unwrap();
    assert_eq!(
        t.stream,
        Some(crate::model::table::StreamViewType::KeysOnly)
    );
}

#[test]
fn index_rules_use_dynamodb_messages() {
    let lsi = |ks: serde_json::Value| json!([{"IndexName": "lsi", "KeySchema": ks, "Projection": {"ProjectionType": "ALL"}}]);
    let m = message(|b| {
        b["AttributeDefinitions"] = json!([{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "c", "AttributeType": "S"}]);
        b["KeySchema"] = json!([{"AttributeName": "a", "KeyType": "HASH"}]);
        b["LocalSecondaryIndexes"] = lsi(
            json!([{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}]),
        );
    });
    assert_eq!(m, "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex");
    let base = |b: &mut serde_json::Value| {
        b["AttributeDefinitions"] = json!([
            {"AttributeName": "a", "AttributeType": "S"},
            {"AttributeName": "b", "AttributeType": "S"},
            {"AttributeName": "c", "AttributeType": "S"}]);
        b["KeySchema"] = json!([{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}]);
    };
    let m = message(|b| {
        base(b);
        b["LocalSecondaryIndexes"] = lsi(
            json!([{"AttributeName": "c", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}]),
        );
    });
    assert_eq!(m, "One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: lsi. index hash key: c, table hash key: a");
    let m = message(|b| {
        base(b);
        b["GlobalSecondaryIndexes"] = json!([{"IndexName": "gsi", "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "INCLUDE"}, "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}]);
    });
    assert_eq!(m, "One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
    let m = message(|b| {
        base(b);
        b["GlobalSecondaryIndexes"] = json!([{"IndexName": "gsi", "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}]);
    });
    assert_eq!(m, "One or more parameter values were invalid: ProvisionedThroughput must be specified for index: gsi");
    let m = message(|b| {
        base(b);
        b["GlobalSecondaryIndexes"] = json!([{"IndexName": "gsi", "KeySchema": [{"AttributeName": "d", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}]);
    });
    assert_eq!(m, "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [d], AttributeDefinitions: [a, b, c]");
    let m = message(|b| {
        base(b);
        let one = json!({"IndexName": "gsi", "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}, "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}});
        b["GlobalSecondaryIndexes"] = json!([one.clone(), one]);
    });
    assert_eq!(
        m,
        "One or more parameter values were invalid: Duplicate index name: gsi"
    );
}

#[test]
fn multi_attribute_gsi_keys_are_accepted() {
    let req: Request = serde_json::from_value(json!({
        "TableName": "tournament", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "region", "AttributeType": "S"},
            {"AttributeName": "tier", "AttributeType": "S"},
            {"AttributeName": "score", "AttributeType": "N"},
            {"AttributeName": "at", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [{"IndexName": "board", "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [
                {"AttributeName": "region", "KeyType": "HASH"}, {"AttributeName": "tier", "KeyType": "HASH"},
                {"AttributeName": "score", "KeyType": "RANGE"}, {"AttributeName": "at", "KeyType": "RANGE"}]}]
    }))
    .unwrap();
    let t = validate(&req).unwrap();
    let g = &t.global_secondary_indexes[0];
    assert_eq!(
        g.hash.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
        ["region", "tier"]
    );
    assert_eq!(
        g.range.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
        ["score", "at"]
    );
    assert_eq!(g.range[0].attr_type, crate::model::table::ScalarType::N);
}

#[test]
fn an_attribute_defined_twice_is_refused_by_name() {
    let m = message(|b| {
        b["AttributeDefinitions"] = json!([
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "pk", "AttributeType": "N"}
        ]);
    });
    assert_eq!(m, "Attribute Name is duplicated: pk");
}

#[test]
fn index_attribute_names_over_255_characters_are_refused_first() {
    let long = "y".repeat(256);
    let index = |name: &str| {
        json!([{"IndexName": "gsi", "KeySchema": [{"AttributeName": name, "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}])
    };
    let msg = message(|b| {
        b["GlobalSecondaryIndexes"] = index(&long);
    });
    assert_eq!(
        msg,
        format!("1 validation error detected: Value '{long}' at 'globalSecondaryIndexes.1.member.keySchema.1.member.attributeName' failed to satisfy constraint: Member must have length less than or equal to 255")
    );
    let msg = message(|b| {
        two_keys(b);
        b["LocalSecondaryIndexes"] = json!([{"IndexName": "lsi",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["ok", long]}}]);
    });
    assert_eq!(
        msg,
        format!("1 validation error detected: Value '[ok, {long}]' at 'localSecondaryIndexes.1.member.projection.nonKeyAttributes' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 1]")
    );
    // 255 characters are fine.
    let ok = "z".repeat(255);
    check(|b| {
        b["AttributeDefinitions"]
            .as_array_mut()
            .unwrap()
            .push(json!({"AttributeName": ok, "AttributeType": "S"}));
        b["GlobalSecondaryIndexes"] = index(&ok);
        b["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"] =
            json!({"ReadCapacityUnits": 1, "WriteCapacityUnits": 1});
    })
    .unwrap();
}
