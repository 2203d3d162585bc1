use super::*;
use crate::model::Item;

fn v(json: &str) -> AttributeValue {
    serde_json::from_str(json).unwrap()
}

fn item(json: &str) -> Item {
    serde_json::from_str(json).unwrap()
}

fn err(r: Result<impl std::fmt::Debug, ApiError>) -> String {
    r.unwrap_err().to_string()
}

fn holds(attr: &str, op: &str, values: &[&str], it: &str) -> bool {
    let values: Vec<AttributeValue> = values.iter().map(|s| v(s)).collect();
    condition(attr, op, &values).unwrap().evaluate(&item(it))
}

#[test]
fn operators_follow_dynamodb_semantics() {
    let it = r#"{"n":{"N":"2"},"s":{"S":"hello"},"ns":{"NS":["2","4"]},"l":{"L":[{"N":"4"}]}}"#;
    assert!(holds("n", "EQ", &[r#"{"N":"2.0"}"#], it));
    assert!(!holds("n", "EQ", &[r#"{"S":"2"}"#], it));
    assert!(holds("n", "NE", &[r#"{"S":"2"}"#], it));
    assert!(holds("missing", "NE", &[r#"{"N":"1"}"#], it));
    assert!(holds("n", "LT", &[r#"{"N":"3"}"#], it));
    assert!(!holds("n", "GT", &[r#"{"N":"2"}"#], it));
    assert!(holds("n", "GE", &[r#"{"N":"2"}"#], it));
    assert!(holds("n", "LE", &[r#"{"N":"2"}"#], it));
    assert!(holds("n", "NOT_NULL", &[], it));
    assert!(holds("zz", "NULL", &[], it));
    assert!(holds("s", "CONTAINS", &[r#"{"S":"ell"}"#], it));
    assert!(holds("ns", "CONTAINS", &[r#"{"N":"4"}"#], it));
    assert!(holds("l", "CONTAINS", &[r#"{"N":"4"}"#], it));
    assert!(holds("s", "NOT_CONTAINS", &[r#"{"S":"dog"}"#], it));
    assert!(!holds("s", "NOT_CONTAINS", &[r#"{"S":"ell"}"#], it));
    // Both CONTAINS and NOT_CONTAINS are false on a missing attribute.
    assert!(!holds("zz", "NOT_CONTAINS", &[r#"{"S":"x"}"#], it));
    assert!(!holds("zz", "CONTAINS", &[r#"{"S":"x"}"#], it));
    assert!(holds("s", "BEGINS_WITH", &[r#"{"S":"he"}"#], it));
    assert!(holds("n", "IN", &[r#"{"N":"1"}"#, r#"{"N":"2"}"#], it));
    assert!(!holds("ns", "IN", &[r#"{"N":"2"}"#], it));
    assert!(holds("n", "BETWEEN", &[r#"{"N":"1"}"#, r#"{"N":"2"}"#], it));
    assert!(!holds(
        "zz",
        "BETWEEN",
        &[r#"{"N":"0"}"#, r#"{"N":"9"}"#],
        it
    ));
}

#[test]
fn operand_checks_use_dynamodb_texts() {
    let p = "One or more parameter values were invalid: ";
    assert_eq!(
        err(condition("a", "EQ", &[])),
        format!("{p}Invalid number of argument(s) for the EQ ComparisonOperator")
    );
    assert_eq!(
        err(condition("a", "NULL", &[v(r#"{"S":"a"}"#)])),
        format!("{p}Invalid number of argument(s) for the NULL ComparisonOperator")
    );
    assert_eq!(
        err(condition("a", "IN", &[])),
        format!("{p}Invalid number of argument(s) for the IN ComparisonOperator")
    );
    assert_eq!(
        err(condition(
            "a",
            "IN",
            &[v(r#"{"S":"b"}"#), v(r#"{"N":"1"}"#)]
        )),
        format!("{p}AttributeValues inside AttributeValueList must be of same type")
    );
    assert_eq!(
        err(condition("a", "BEGINS_WITH", &[v(r#"{"N":"1"}"#)])),
        format!("{p}ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type")
    );
    assert_eq!(
        err(condition("a", "CONTAINS", &[v(r#"{"L":[]}"#)])),
        format!("{p}ComparisonOperator CONTAINS is not valid for L AttributeValue type")
    );
    assert_eq!(
        err(condition("a", "BETWEEN", &[v(r#"{"S":"b"}"#), v(r#"{"S":"a"}"#)])),
        "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"
    );
    assert_eq!(
        err(condition("a", "EQ", &[v(r#"{"SS":[]}"#)])),
        format!("{p}An string set  may not be empty")
    );
    assert!(is_comparison_operator("NOT_CONTAINS") && !is_comparison_operator("XX"));
}

#[test]
fn eq_and_ne_take_every_type() {
    let item: crate::model::Item = serde_json::from_str(
        r#"{"l":{"L":[{"N":"1"}]},"m":{"M":{"x":{"BOOL":true}}},"b":{"BOOL":false}}"#,
    )
    .unwrap();
    for (attr, json) in [
        ("l", r#"{"L":[{"N":"1"}]}"#),
        ("m", r#"{"M":{"x":{"BOOL":true}}}"#),
        ("b", r#"{"BOOL":false}"#),
    ] {
        let eq = condition(attr, "EQ", &[v(json)]).unwrap();
        assert!(eq.evaluate(&item), "{attr} EQ {json}");
        let ne = condition(attr, "NE", &[v(json)]).unwrap();
        assert!(!ne.evaluate(&item), "{attr} NE {json}");
    }
    let other = condition("b", "EQ", &[v(r#"{"BOOL":true}"#)]).unwrap();
    assert!(!other.evaluate(&item));
    assert!(condition("a", "LT", &[v(r#"{"BOOL":true}"#)]).is_err());
}

fn expected_of(json: &str) -> BTreeMap<String, ExpectedAttributeValue> {
    serde_json::from_str(json).unwrap()
}

#[test]
fn expected_entries_combine_and_validate() {
    let p = "One or more parameter values were invalid: ";
    let cases = [
        (
            r#"{"a":{}}"#,
            "Value must be provided when Exists is null for Attribute: a",
        ),
        (
            r#"{"a":{"Exists":true}}"#,
            "Value must be provided when Exists is true for Attribute: a",
        ),
        (
            r#"{"a":{"Exists":false,"Value":{"S":"a"}}}"#,
            "Value cannot be used when Exists is false for Attribute: a",
        ),
        (
            r#"{"a":{"ComparisonOperator":"LT"}}"#,
            "Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a",
        ),
        (
            r#"{"a":{"ComparisonOperator":"EQ","Exists":true}}"#,
            "Exists and ComparisonOperator cannot be used together for Attribute: a",
        ),
        (
            r#"{"a":{"Value":{"S":"a"},"AttributeValueList":[]}}"#,
            "Value and AttributeValueList cannot be used together for Attribute: a",
        ),
        (
            r#"{"a":{"Exists":true,"AttributeValueList":[]}}"#,
            "AttributeValueList can only be used with a ComparisonOperator for Attribute: a",
        ),
    ];
    for (json, msg) in cases {
        assert_eq!(
            err(expected(&expected_of(json), None)),
            format!("{p}{msg}"),
            "{json}"
        );
    }
    let e = expected_of(
        r#"{"a":{"Value":{"N":"1"}},"b":{"ComparisonOperator":"EQ","Value":{"N":"2"}},"c":{"Exists":false}}"#,
    );
    let and = expected(&e, None).unwrap().unwrap();
    let or = expected(&e, Some("OR")).unwrap().unwrap();
    let it = item(r#"{"a":{"N":"1"},"b":{"N":"3"}}"#);
    assert!(!and.evaluate(&it));
    assert!(or.evaluate(&it));
    assert!(and.evaluate(&item(r#"{"a":{"N":"1"},"b":{"N":"2"}}"#)));
    assert_eq!(expected(&BTreeMap::new(), None).unwrap(), None);
}

#[test]
fn conditional_operator_needs_two_conditions() {
    assert!(check_conditional_operator(None, None).is_ok());
    assert!(check_conditional_operator(Some("OR"), Some(2)).is_ok());
    assert_eq!(
        err(check_conditional_operator(Some("OR"), None)),
        "ConditionalOperator cannot be used without Filter or Expected"
    );
    assert_eq!(
        err(check_conditional_operator(Some("AND"), Some(0))),
        "ConditionalOperator can only be used when Filter or Expected has two or more elements"
    );
}

#[test]
fn attributes_to_get_projects_top_level_names() {
    let p = attributes_to_get(&["a".into(), "b.c".into()]).unwrap();
    let out = p.apply(&item(
        r#"{"a":{"N":"1"},"b.c":{"S":"x"},"b":{"M":{"c":{"S":"y"}}}}"#,
    ));
    assert_eq!(out, item(r#"{"a":{"N":"1"},"b.c":{"S":"x"}}"#));
    assert_eq!(
        err(attributes_to_get(&["a".into(), "a".into()])),
        "One or more parameter values were invalid: Duplicate value in attribute name: a"
    );
}

fn updates_of(json: &str) -> BTreeMap<String, AttributeValueUpdate> {
    serde_json::from_str(json).unwrap()
}

#[test]
fn attribute_updates_apply_like_dynamodb() {
    let u = attribute_updates(&updates_of(
        r#"{"b":{"Action":"DELETE"},"c":{"Action":"DELETE","Value":{"SS":["a"]}},
            "d":{"Action":"ADD","Value":{"N":"5"}},"e":{"Action":"ADD","Value":{"SS":["x"]}},
            "f":{"Action":"ADD","Value":{"L":[{"S":"a"}]}},"g":{"Value":{"S":"put"}}}"#,
    ))
    .unwrap();
    let old =
        item(r#"{"b":{"S":"gone"},"c":{"SS":["a","b"]},"d":{"N":"1"},"f":{"L":[{"N":"0"}]}}"#);
    let new = u.apply(&old).unwrap().item;
    assert_eq!(
        new,
        item(
            r#"{"c":{"SS":["b"]},"d":{"N":"6"},"e":{"SS":["x"]},"f":{"L":[{"N":"0"},{"S":"a"}]},"g":{"S":"put"}}"#
        )
    );
    let fresh = u.apply(&Item::new()).unwrap().item;
    assert_eq!(
        fresh,
        item(r#"{"d":{"N":"5"},"e":{"SS":["x"]},"f":{"L":[{"S":"a"}]},"g":{"S":"put"}}"#)
    );
}

#[test]
fn attribute_update_errors() {
    let p = "One or more parameter values were invalid: ";
    assert_eq!(
        err(attribute_updates(&updates_of(r#"{"a":{"Action":"PUT"}}"#))),
        format!("{p}Only DELETE action is allowed when no attribute value is specified")
    );
    assert_eq!(
        err(attribute_updates(&updates_of(
            r#"{"a":{"Action":"DELETE","Value":{"N":"1"}}}"#
        ))),
        format!("{p}DELETE action with value is not supported for the type N")
    );
    assert_eq!(
        err(attribute_updates(&updates_of(
            r#"{"a":{"Action":"ADD","Value":{"B":"Yg=="}}}"#
        ))),
        format!("{p}ADD action is not supported for the type B")
    );
    assert_eq!(
        err(attribute_updates(&updates_of(
            r#"{"a":{"Value":{"NULL":false}}}"#
        ))),
        format!("{p}Null attribute value types must have the value of true")
    );
}
