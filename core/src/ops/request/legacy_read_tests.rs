use super::*;
use crate::expr::DocPath;
use crate::model::table::ScalarType;
use serde_json::json;

fn conditions(v: serde_json::Value) -> Conditions {
    serde_json::from_value(v).unwrap()
}

fn schema(range: Option<ScalarType>) -> KeySchema {
    KeySchema {
        hash: KeyAttribute {
            name: "pk".into(),
            attr_type: ScalarType::S,
        },
        range: range.map(|t| KeyAttribute {
            name: "sk".into(),
            attr_type: t,
        }),
    }
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: &str) -> AttributeValue {
    AttributeValue::N(crate::model::Number::parse(v).unwrap())
}

#[test]
fn key_conditions_become_a_key_condition() {
    let kc = conditions(json!({
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]},
        "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "5"}]},
    }));
    check_key_conditions(&kc).unwrap();
    assert_eq!(
        key_condition(&kc, &schema(Some(ScalarType::N))).unwrap(),
        KeyCondition {
            partition_value: s("a"),
            sort: Some(SortKeyPredicate::Between(n("1"), n("5"))),
        }
    );
    let kc = conditions(json!({
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]},
        "sk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "x"}]},
    }));
    assert_eq!(
        key_condition(&kc, &schema(Some(ScalarType::S)))
            .unwrap()
            .sort,
        Some(SortKeyPredicate::BeginsWith(s("x")))
    );
    let only_hash =
        conditions(json!({"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}}));
    assert_eq!(
        key_condition(&only_hash, &schema(Some(ScalarType::N))).unwrap(),
        KeyCondition {
            partition_value: s("a"),
            sort: None
        }
    );
    for (op, pred) in [
        ("LT", SortKeyPredicate::Lt(n("3"))),
        ("LE", SortKeyPredicate::Le(n("3"))),
        ("GT", SortKeyPredicate::Gt(n("3"))),
        ("GE", SortKeyPredicate::Ge(n("3"))),
        ("EQ", SortKeyPredicate::Eq(n("3"))),
    ] {
        let kc = conditions(json!({
            "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]},
            "sk": {"ComparisonOperator": op, "AttributeValueList": [{"N": "3"}]},
        }));
        assert_eq!(
            key_condition(&kc, &schema(Some(ScalarType::N)))
                .unwrap()
                .sort,
            Some(pred)
        );
    }
}

#[test]
fn key_condition_messages() {
    let msg = |v: serde_json::Value, range: Option<ScalarType>| {
        let kc = conditions(v);
        check_key_conditions(&kc)
            .and_then(|_| key_condition(&kc, &schema(range)))
            .unwrap_err()
            .to_string()
    };
    let eq_a = json!({"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]});
    let cases = [
        (json!({}), Some(ScalarType::N), "Conditions can be of length 1 or 2 only"),
        (
            json!({"a": {"ComparisonOperator": "NULL"}, "b": {"ComparisonOperator": "NULL"}, "c": {"ComparisonOperator": "NULL"}}),
            Some(ScalarType::N),
            "Conditions can be of length 1 or 2 only",
        ),
        (
            json!({"pk": {"ComparisonOperator": "EQ"}}),
            None,
            "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator",
        ),
        (
            json!({"pk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "b"}, {"S": "a"}]}}),
            None,
            "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound",
        ),
        (json!({"sk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}}), Some(ScalarType::N), "Query condition missed key schema element: pk"),
        (json!({"pk": eq_a, "x": eq_a}), Some(ScalarType::N), "Query condition missed key schema element: sk"),
        (json!({"pk": eq_a, "x": eq_a}), None, "Query key condition not supported"),
        (json!({"pk": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": "a"}]}}), None, "Attempted conditional constraint is not an indexable operation"),
        (json!({"pk": {"ComparisonOperator": "NOT_NULL"}}), None, "Attempted conditional constraint is not an indexable operation"),
        (
            json!({"pk": eq_a, "sk": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}]}}),
            Some(ScalarType::N),
            "Attempted conditional constraint is not an indexable operation",
        ),
        (
            json!({"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}}),
            None,
            "One or more parameter values were invalid: Condition parameter type does not match schema type",
        ),
        (
            json!({"pk": eq_a, "sk": {"ComparisonOperator": "GT", "AttributeValueList": [{"S": "1"}]}}),
            Some(ScalarType::N),
            "One or more parameter values were invalid: Condition parameter type does not match schema type",
        ),
        (json!({"pk": {"ComparisonOperator": "GT", "AttributeValueList": [{"S": "a"}]}}), None, "Query key condition not supported"),
    ];
    for (v, range, expected) in cases {
        assert_eq!(msg(v.clone(), range), expected, "{v}");
    }
}

#[test]
fn filters_join_with_the_conditional_operator() {
    let map = conditions(json!({
        "a": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]},
        "b": {"ComparisonOperator": "NULL"},
    }));
    let item = |v: serde_json::Value| -> crate::model::Item { serde_json::from_value(v).unwrap() };
    let only_a = item(json!({"a": {"N": "1"}, "b": {"S": "x"}}));
    let neither = item(json!({"a": {"N": "2"}, "b": {"S": "x"}}));
    let both = item(json!({"a": {"N": "1"}}));
    let and = filter(Some(&map), None).unwrap().unwrap();
    assert!(and.evaluate(&both) && !and.evaluate(&only_a) && !and.evaluate(&neither));
    let and = filter(Some(&map), Some("AND")).unwrap().unwrap();
    assert!(and.evaluate(&both) && !and.evaluate(&only_a));
    let or = filter(Some(&map), Some("OR")).unwrap().unwrap();
    assert!(or.evaluate(&both) && or.evaluate(&only_a) && !or.evaluate(&neither));
    assert_eq!(filter(Some(&Conditions::new()), None).unwrap(), None);
    assert_eq!(filter(None, None).unwrap(), None);
    assert_eq!(
        filter(None, Some("OR")).unwrap_err().to_string(),
        "ConditionalOperator cannot be used without Filter or Expected"
    );
    let one = conditions(json!({"a": {"ComparisonOperator": "NOT_NULL"}}));
    assert_eq!(
        filter(Some(&one), Some("AND")).unwrap_err().to_string(),
        "ConditionalOperator can only be used when Filter or Expected has two or more elements"
    );
    let bad = conditions(
        json!({"a": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"SS": ["x"]}]}}),
    );
    assert_eq!(
        filter(Some(&bad), None).unwrap_err().to_string(),
        "One or more parameter values were invalid: ComparisonOperator CONTAINS is not valid for SS AttributeValue type"
    );
}

#[test]
fn constraints_and_projection() {
    // The legacy members' constraints are the model's (`shapes`), in its member order.
    let body = json!({
        "TableName": "tbl",
        "AttributesToGet": [],
        "QueryFilter": {"a": {}, "b": {"ComparisonOperator": ""}, "c": {"ComparisonOperator": "EQ"}},
        "ConditionalOperator": "AN"
    });
    assert_eq!(
        crate::ops::request::shapes::check(
            crate::ops::Operation::Query,
            &serde_json::to_vec(&body).unwrap()
        )
        .unwrap_err()
        .to_string(),
        "4 validation errors detected: \
         Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1; \
         Value null at 'queryFilter.a.member.comparisonOperator' failed to satisfy constraint: Member must not be null; \
         Value '' at 'queryFilter.b.member.comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]; \
         Value 'AN' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [OR, AND]"
    );
    let names = vec!["a".to_string(), "b".to_string()];
    let p = projection(Some(&names)).unwrap().unwrap();
    assert_eq!(
        p.paths,
        vec![DocPath::attribute("a"), DocPath::attribute("b")]
    );
    let dup = vec!["a".to_string(), "a".to_string()];
    assert_eq!(
        projection(Some(&dup)).unwrap_err().to_string(),
        "One or more parameter values were invalid: Duplicate value in attribute name: a"
    );
    assert_eq!(projection(None).unwrap(), None);
}

fn gsi(hash: &[&str], range: &[&str]) -> SecondaryIndex {
    let attrs = |names: &[&str]| {
        names
            .iter()
            .map(|n| KeyAttribute {
                name: n.to_string(),
                attr_type: ScalarType::S,
            })
            .collect()
    };
    SecondaryIndex {
        name: "gsi".into(),
        storage_id: 3,
        hash: attrs(hash),
        range: attrs(range),
        projection: crate::model::table::ProjectionType::All,
        non_key_attributes: vec![],
        throughput: None,
        status: crate::model::table::IndexStatus::Active,
        status_since: 0.0,
        backfilling: false,
        propagation_delay_ms: None,
        throughput_history: Default::default(),
    }
}

#[test]
fn key_conditions_on_an_index_use_the_index_key() {
    let kc = conditions(json!({
        "x": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]},
        "y": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "b"}]},
    }));
    assert_eq!(
        index_key_condition(&kc, &gsi(&["x"], &["y"])).unwrap(),
        CompositeKeyCondition {
            partition_values: vec![s("a")],
            sort_equal: vec![],
            sort_last: Some(SortKeyPredicate::BeginsWith(s("b"))),
        }
    );
    // The table's key (pk) is not the index's.
    let on_table_key = conditions(json!({
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]},
    }));
    assert_eq!(
        index_key_condition(&on_table_key, &gsi(&["x"], &["y"]))
            .unwrap_err()
            .to_string(),
        "Query condition missed key schema element: x"
    );
    // A multi-attribute key: both partition attributes by equality, then a sort predicate.
    let multi = conditions(json!({
        "h1": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]},
        "h2": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "b"}]},
    }));
    assert_eq!(
        index_key_condition(&multi, &gsi(&["h1", "h2"], &["r"])).unwrap(),
        CompositeKeyCondition {
            partition_values: vec![s("a"), s("b")],
            sort_equal: vec![],
            sort_last: None,
        }
    );
    let partial = conditions(json!({
        "h1": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]},
    }));
    assert_eq!(
        index_key_condition(&partial, &gsi(&["h1", "h2"], &[]))
            .unwrap_err()
            .to_string(),
        "Query condition missed key schema element: h2"
    );
}
