use super::*;
use crate::model::Number;

fn msg(r: Result<(), ApiError>) -> String {
    match r.unwrap_err() {
        ApiError::Validation(m) => m,
        other => panic!("not a ValidationException: {other:?}"),
    }
}

fn item(json: &str) -> Item {
    serde_json::from_str(json).unwrap()
}

fn hash_schema(t: ScalarType) -> KeySchema {
    KeySchema {
        hash: KeyAttribute {
            name: "pk".into(),
            attr_type: t,
        },
        range: None,
    }
}

fn range_schema() -> KeySchema {
    KeySchema {
        hash: KeyAttribute {
            name: "pk".into(),
            attr_type: ScalarType::S,
        },
        range: Some(KeyAttribute {
            name: "sk".into(),
            attr_type: ScalarType::B,
        }),
    }
}

#[test]
fn empty_sets_use_dynamodb_wording() {
    let cases = [
        (
            r#"{"a":{"SS":[]}}"#,
            "One or more parameter values were invalid: An string set  may not be empty",
        ),
        (
            r#"{"a":{"NS":[]}}"#,
            "One or more parameter values were invalid: An number set  may not be empty",
        ),
        (
            r#"{"a":{"BS":[]}}"#,
            "One or more parameter values were invalid: Binary sets should not be empty",
        ),
    ];
    for (json, expected) in cases {
        assert_eq!(msg(item_values(&item(json))), expected, "{json}");
    }
}

#[test]
fn duplicate_set_members_use_dynamodb_wording() {
    assert_eq!(
        msg(item_values(&item(r#"{"a":{"SS":["a","a"]}}"#))),
        "One or more parameter values were invalid: Input collection [a, a] contains duplicates."
    );
    assert_eq!(
        msg(item_values(&item(r#"{"a":{"BS":["Yg==","Yg=="]}}"#))),
        "One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS contains duplicates."
    );
    // 1 and 1.0 are the same number.
    assert_eq!(
        msg(item_values(&item(r#"{"a":{"NS":["1","1.0"]}}"#))),
        "Input collection contains duplicates"
    );
    assert!(item_values(&item(r#"{"a":{"NS":["1","2"]},"b":{"SS":["a","b"]}}"#)).is_ok());
}

#[test]
fn null_false_is_refused() {
    assert_eq!(
        msg(item_values(&item(r#"{"a":{"NULL":false}}"#))),
        "One or more parameter values were invalid: Null attribute value types must have the value of true"
    );
}

#[test]
fn sets_inside_maps_and_lists_are_checked() {
    assert_eq!(
        msg(item_values(&item(
            r#"{"a":{"M":{"b":{"L":[{"S":"x"},{"NS":[]}]}}}}"#
        ))),
        "One or more parameter values were invalid: An number set  may not be empty"
    );
    assert_eq!(
        msg(item_values(&item(
            r#"{"a":{"L":[{"M":{"c":{"SS":["z","z"]}}}]}}"#
        ))),
        "One or more parameter values were invalid: Input collection [z, z] contains duplicates."
    );
    // Empty strings and binaries are fine outside keys.
    assert!(item_values(&item(r#"{"a":{"S":""},"b":{"M":{"c":{"B":""}}}}"#)).is_ok());
}

#[test]
fn item_size_limit_is_400_kb_inclusive() {
    let mut it = Item::new();
    // "a"(1) + value(len) == 409600 exactly: allowed.
    it.insert("a".into(), AttributeValue::S("x".repeat(MAX_ITEM_SIZE - 1)));
    assert!(item_size_limit(&it).is_ok());
    it.insert("a".into(), AttributeValue::S("x".repeat(MAX_ITEM_SIZE)));
    assert_eq!(
        msg(item_size_limit(&it)),
        "Item size has exceeded the maximum allowed size"
    );
}

#[test]
fn item_key_missing_and_type_mismatch() {
    let schema = hash_schema(ScalarType::S);
    assert_eq!(
        msg(item_key(&schema, &item(r#"{"b":{"S":"a"}}"#))),
        "One or more parameter values were invalid: Missing the key pk in the item"
    );
    for t in ["N", "B", "BOOL", "NULL", "SS", "NS", "BS", "M", "L"] {
        let v = match t {
            "N" => r#"{"N":"1"}"#,
            "B" => r#"{"B":"abcd"}"#,
            "BOOL" => r#"{"BOOL":true}"#,
            "NULL" => r#"{"NULL":true}"#,
            "SS" => r#"{"SS":["a"]}"#,
            "NS" => r#"{"NS":["1"]}"#,
            "BS" => r#"{"BS":["aaaa"]}"#,
            "M" => r#"{"M":{}}"#,
            _ => r#"{"L":[]}"#,
        };
        let it = item(&format!(r#"{{"pk":{v}}}"#));
        assert_eq!(
            msg(item_key(&schema, &it)),
            format!("One or more parameter values were invalid: Type mismatch for key pk expected: S actual: {t}")
        );
    }
    assert_eq!(
        msg(item_key(&range_schema(), &item(r#"{"pk":{"S":"a"}}"#))),
        "One or more parameter values were invalid: Missing the key sk in the item"
    );
    assert!(item_key(
        &range_schema(),
        &item(r#"{"pk":{"S":"a"},"sk":{"B":"AQ=="},"x":{"N":"1"}}"#)
    )
    .is_ok());
}

#[test]
fn item_key_empty_values() {
    assert_eq!(
        msg(item_key(&hash_schema(ScalarType::S), &item(r#"{"pk":{"S":""}}"#))),
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"
    );
    assert_eq!(
        msg(item_key(&range_schema(), &item(r#"{"pk":{"S":"a"},"sk":{"B":""}}"#))),
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: sk"
    );
}

#[test]
fn key_sizes_are_limited() {
    let schema = hash_schema(ScalarType::S);
    let mut it = Item::new();
    it.insert("pk".into(), AttributeValue::S("a".repeat(2048)));
    assert!(item_key(&schema, &it).is_ok());
    assert!(key(&schema, &it).is_ok());
    it.insert("pk".into(), AttributeValue::S("a".repeat(2049)));
    let expected = "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes";
    assert_eq!(msg(item_key(&schema, &it)), expected);
    assert_eq!(msg(key(&schema, &it)), expected);

    let schema = range_schema();
    let mut it = Item::new();
    it.insert("pk".into(), AttributeValue::S("a".into()));
    it.insert("sk".into(), AttributeValue::B(vec![7; 1024]));
    assert!(item_key(&schema, &it).is_ok());
    it.insert("sk".into(), AttributeValue::B(vec![7; 1025]));
    let expected = "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes";
    assert_eq!(msg(item_key(&schema, &it)), expected);
    assert_eq!(msg(key(&schema, &it)), expected);
}

#[test]
fn key_must_match_schema_exactly() {
    let schema = hash_schema(ScalarType::S);
    let bad = [
        r#"{}"#,
        r#"{"b":{"S":"a"}}"#,
        r#"{"pk":{"S":"a"},"b":{"S":"a"}}"#,
        r#"{"pk":{"B":"abcd"}}"#,
        r#"{"pk":{"N":"1"}}"#,
        r#"{"pk":{"BOOL":true}}"#,
        r#"{"pk":{"NULL":true}}"#,
        r#"{"pk":{"SS":["a"]}}"#,
        r#"{"pk":{"M":{}}}"#,
        r#"{"pk":{"L":[]}}"#,
    ];
    for json in bad {
        assert_eq!(
            msg(key(&schema, &item(json))),
            "The provided key element does not match the schema",
            "{json}"
        );
    }
    assert_eq!(
        msg(key(&range_schema(), &item(r#"{"pk":{"S":"a"}}"#))),
        "The provided key element does not match the schema"
    );
    assert!(key(&schema, &item(r#"{"pk":{"S":"a"}}"#)).is_ok());
}

#[test]
fn key_empty_values_use_get_item_wording() {
    assert_eq!(
        msg(key(&hash_schema(ScalarType::S), &item(r#"{"pk":{"S":""}}"#))),
        "One or more parameter values were invalid: The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"
    );
    assert_eq!(
        msg(key(&range_schema(), &item(r#"{"pk":{"S":"a"},"sk":{"B":""}}"#))),
        "One or more parameter values were invalid: The AttributeValue for a key attribute cannot contain an empty binary value. Key: sk"
    );
}

#[test]
fn number_keys_have_no_size_check() {
    let schema = hash_schema(ScalarType::N);
    let mut it = Item::new();
    it.insert(
        "pk".into(),
        AttributeValue::N(Number::parse("12345678901234567890123456789012345678").unwrap()),
    );
    assert!(item_key(&schema, &it).is_ok());
}

fn nested_maps(wraps: usize) -> AttributeValue {
    let mut v = AttributeValue::S("leaf".into());
    for _ in 0..wraps {
        v = AttributeValue::M(Item::from([("n".to_string(), v)]));
    }
    v
}

#[test]
fn nesting_is_limited_to_32_levels() {
    // 31 wraps put the leaf at level 32: the deepest DynamoDB accepts.
    let ok = Item::from([("data".to_string(), nested_maps(31))]);
    assert!(item_values(&ok).is_ok());
    let too_deep = Item::from([("data".to_string(), nested_maps(32))]);
    assert_eq!(
        msg(item_values(&too_deep)),
        "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"
    );
    let mut list = nested_maps(31);
    list = AttributeValue::L(vec![list]);
    assert!(attribute_value(&list).is_err(), "lists count as levels too");
}
