//! Cross-module tests: the public entry points, key conditions, and property tests (printing
//! then parsing a tree gives it back; evaluation agrees with a reference model).

use super::ast::*;
use super::parser::{parse_condition_ast, parse_projection_ast, parse_update_ast};
use super::*;
use crate::model::table::{KeyAttribute, ScalarType};
use crate::model::{AttributeValue, Item, Number};
use proptest::prelude::*;
use std::collections::HashMap;

fn values(pairs: &[(&str, &str)]) -> HashMap<String, AttributeValue> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::from_str(v).unwrap()))
        .collect()
}

fn key(name: &str, t: ScalarType) -> KeyAttribute {
    KeyAttribute {
        name: name.into(),
        attr_type: t,
    }
}

fn kc(text: &str, sort: bool) -> Result<KeyCondition, String> {
    let vals = values(&[
        (":s", r#"{"S":"x"}"#),
        (":t", r#"{"S":"y"}"#),
        (":n", r#"{"N":"1"}"#),
    ]);
    let mut attrs = ExpressionAttributes::new(None, Some(&vals));
    let c = parse_condition(text, ExpressionKind::KeyCondition, &mut attrs)
        .map_err(|e| e.to_string())?;
    let pk = key("pk", ScalarType::S);
    let sk = key("sk", ScalarType::S);
    key_condition(&c, &pk, sort.then_some(&sk)).map_err(|e| e.to_string())
}

#[test]
fn key_conditions_split_into_partition_and_sort() {
    let k = kc("pk = :s AND sk BETWEEN :s AND :t", true).unwrap();
    assert_eq!(k.partition_value, AttributeValue::S("x".into()));
    assert_eq!(
        k.sort,
        Some(SortKeyPredicate::Between(
            AttributeValue::S("x".into()),
            AttributeValue::S("y".into())
        ))
    );
    let k = kc(":s < sk AND pk = :t", true).unwrap();
    assert_eq!(
        k.sort,
        Some(SortKeyPredicate::Gt(AttributeValue::S("x".into())))
    );
    let k = kc("pk = :s", true).unwrap();
    assert_eq!(k.sort, None);
    let k = kc("begins_with(sk, :s) AND pk = :s", true).unwrap();
    assert!(k.sort.unwrap().matches(&AttributeValue::S("xyz".into())));
}

#[test]
fn key_condition_errors() {
    let e = |t: &str, sort: bool| kc(t, sort).unwrap_err();
    assert_eq!(
        e("pk = :s OR sk = :s", true),
        "Invalid operator used in KeyConditionExpression: OR"
    );
    assert_eq!(
        e("pk <> :s", true),
        "Invalid operator used in KeyConditionExpression: <>"
    );
    assert_eq!(
        e("attribute_exists(pk)", true),
        "Invalid operator used in KeyConditionExpression: attribute_exists"
    );
    assert_eq!(e("pk = sk", true), "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
    assert_eq!(
        e("size(sk) = :n AND pk = :s", true),
        "KeyConditionExpressions cannot contain nested operations"
    );
    assert_eq!(
        e("pk = size(sk)", true),
        "KeyConditionExpressions cannot contain nested operations"
    );
    assert_eq!(
        e("pk.x = :s", true),
        "KeyConditionExpressions cannot have conditions on nested attributes"
    );
    assert_eq!(
        e(":s = :t AND pk = :s", true),
        "Invalid condition in KeyConditionExpression: No key attribute specified"
    );
    assert_eq!(
        e("pk = :s AND pk = :t", true),
        "KeyConditionExpressions must only contain one condition per key"
    );
    assert_eq!(
        e("pk = :s AND sk = :s AND x = :s", true),
        "Conditions can be of length 1 or 2 only"
    );
    assert_eq!(
        e("sk = :s", true),
        "Query condition missed key schema element: pk"
    );
    assert_eq!(
        e("pk = :s AND x = :s", true),
        "Query condition missed key schema element: sk"
    );
    assert_eq!(
        e("pk = :s AND sk = :s", false),
        "Query key condition not supported"
    );
    assert_eq!(e("pk > :s", true), "Query key condition not supported");
    assert_eq!(
        e("pk = :n", true),
        "One or more parameter values were invalid: Condition parameter type does not match schema type"
    );
    assert_eq!(
        e("begins_with(sk, :n) AND pk = :s", true),
        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"
    );
}

#[test]
fn entry_points_prefix_messages_and_share_unused_tracking() {
    let names: HashMap<String, String> = [
        ("#a".to_string(), "a".to_string()),
        ("#b".into(), "b".into()),
    ]
    .into();
    let vals = values(&[(":v", r#"{"N":"1"}"#)]);
    let mut attrs = ExpressionAttributes::new(Some(&names), Some(&vals));
    let u = parse_update("SET #a = :v", &mut attrs).unwrap();
    assert!(attrs.check_unused().is_err());
    let p = parse_projection("#b", &mut attrs).unwrap();
    assert!(attrs.check_unused().is_ok());
    let out = u.apply(&Item::new()).unwrap();
    assert_eq!(project(&out.item, &out.updated_paths), out.item);
    assert!(p.apply(&out.item).is_empty());

    let mut attrs = ExpressionAttributes::new(None, None);
    assert_eq!(
        parse_update("", &mut attrs).unwrap_err().to_string(),
        "Invalid UpdateExpression: The expression can not be empty;"
    );
    assert_eq!(
        parse_condition("a =", ExpressionKind::Condition, &mut attrs)
            .unwrap_err()
            .to_string(),
        "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"=\""
    );
    assert_eq!(
        parse_condition("((a = b))", ExpressionKind::Filter, &mut attrs)
            .unwrap_err()
            .to_string(),
        "Invalid FilterExpression: The expression has redundant parentheses;"
    );
    assert_eq!(
        parse_projection("a.b.", &mut attrs)
            .unwrap_err()
            .to_string(),
        "Invalid ProjectionExpression: Syntax error; token: \"<EOF>\", near: \".\""
    );
}

#[test]
fn path_depth_and_list_index_limits() {
    let mut attrs = ExpressionAttributes::new(None, None);
    let deep = |levels: usize| format!("a{}", ".b".repeat(levels - 1));
    assert!(parse_projection(&deep(32), &mut attrs).is_ok());
    assert_eq!(
        parse_projection(&deep(33), &mut attrs)
            .unwrap_err()
            .to_string(),
        "Invalid ProjectionExpression: The document path has too many nesting levels; nesting levels: 33"
    );
    assert_eq!(
        parse_condition(&format!("attribute_exists({})", deep(40)), ExpressionKind::Condition, &mut attrs)
            .unwrap_err()
            .to_string(),
        "Invalid ConditionExpression: The document path has too many nesting levels; nesting levels: 40"
    );
    assert_eq!(
        parse_projection("a[99999999999999]", &mut attrs)
            .unwrap_err()
            .to_string(),
        "Invalid ProjectionExpression: List index is not within the allowable range; index: [99999999999999]"
    );
    assert!(parse_projection("a[999]", &mut attrs).is_ok());
    assert_eq!(
        parse_projection("a[-1]", &mut attrs)
            .unwrap_err()
            .to_string(),
        "Invalid ProjectionExpression: Syntax error; token: \"-\", near: \"[-1\""
    );
}

// ---- property tests: printing then parsing gives the tree back ----

fn ident() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,6}".prop_filter("not a keyword or reserved word", |s| {
        !reserved::is_reserved(s)
            && ![
                "and", "or", "not", "between", "in", "set", "remove", "add", "delete",
            ]
            .contains(&s.as_str())
    })
}

fn raw_path() -> impl Strategy<Value = RawPath> {
    let first = prop_oneof![
        ident().prop_map(PathSegment::Attr),
        "[a-z0-9_]{1,5}".prop_map(|s| PathSegment::Name(format!("#{s}"))),
    ];
    let rest = prop_oneof![
        ident().prop_map(PathSegment::Attr),
        "[a-z0-9_]{1,5}".prop_map(|s| PathSegment::Name(format!("#{s}"))),
        (0u32..50).prop_map(PathSegment::Index),
    ];
    (first, prop::collection::vec(rest, 0..3)).prop_map(|(f, mut r)| {
        r.insert(0, f);
        RawPath(r)
    })
}

fn value_ref() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_]{1,5}".prop_map(|s| format!(":{s}"))
}

fn operand() -> impl Strategy<Value = Operand> {
    let leaf = prop_oneof![
        raw_path().prop_map(Operand::Path),
        value_ref().prop_map(Operand::Value),
    ];
    leaf.prop_recursive(2, 6, 3, |inner| {
        (ident(), prop::collection::vec(inner, 1..3))
            .prop_map(|(name, args)| Operand::Call(Call { name, args }))
    })
}

fn comparator() -> impl Strategy<Value = Comparator> {
    prop_oneof![
        Just(Comparator::Eq),
        Just(Comparator::Ne),
        Just(Comparator::Lt),
        Just(Comparator::Le),
        Just(Comparator::Gt),
        Just(Comparator::Ge),
    ]
}

fn condition() -> impl Strategy<Value = ConditionAst> {
    let call = (ident(), prop::collection::vec(operand(), 1..3))
        .prop_map(|(name, args)| ConditionAst::Call(Call { name, args }));
    let leaf = prop_oneof![
        (operand(), comparator(), operand()).prop_map(|(a, c, b)| ConditionAst::Compare(a, c, b)),
        (operand(), operand(), operand()).prop_map(|(a, b, c)| ConditionAst::Between(a, b, c)),
        (operand(), prop::collection::vec(operand(), 1..4))
            .prop_map(|(a, l)| ConditionAst::In(a, l)),
        call,
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|c| ConditionAst::Not(Box::new(c))),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| ConditionAst::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner).prop_map(|(a, b)| ConditionAst::Or(Box::new(a), Box::new(b))),
        ]
    })
}

fn set_rhs() -> impl Strategy<Value = SetRhs> {
    prop_oneof![
        operand().prop_map(SetRhs::Operand),
        (operand(), operand()).prop_map(|(a, b)| SetRhs::Plus(a, b)),
        (operand(), operand()).prop_map(|(a, b)| SetRhs::Minus(a, b)),
    ]
}

fn update() -> impl Strategy<Value = UpdateAst> {
    let set = prop::collection::vec((raw_path(), set_rhs()), 1..3).prop_map(UpdateClause::Set);
    let remove = prop::collection::vec(raw_path(), 1..3).prop_map(UpdateClause::Remove);
    let add = prop::collection::vec((raw_path(), value_ref()), 1..3).prop_map(UpdateClause::Add);
    let del = prop::collection::vec((raw_path(), value_ref()), 1..3).prop_map(UpdateClause::Delete);
    prop::collection::vec(prop_oneof![set, remove, add, del], 1..4).prop_map(UpdateAst)
}

proptest! {
    #[test]
    fn condition_print_parse_round_trip(c in condition()) {
        let text = c.to_string();
        prop_assert_eq!(parse_condition_ast(&text), Ok(c), "{}", text);
    }

    #[test]
    fn update_print_parse_round_trip(u in update()) {
        let text = u.to_string();
        prop_assert_eq!(parse_update_ast(&text), Ok(u), "{}", text);
    }

    #[test]
    fn projection_print_parse_round_trip(paths in prop::collection::vec(raw_path(), 1..4)) {
        let p = ProjectionAst(paths);
        let text = p.to_string();
        prop_assert_eq!(parse_projection_ast(&text), Ok(p), "{}", text);
    }
}

// ---- property tests: evaluation agrees with a reference model ----

/// A scalar with the reference model's view of it.
#[derive(Debug, Clone)]
enum Scalar {
    N(i64, u8),
    S(String),
    B(Vec<u8>),
    Bool(bool),
}

impl Scalar {
    fn value(&self) -> AttributeValue {
        match self {
            Scalar::N(m, scale) => {
                let d = bigdecimal::BigDecimal::new((*m).into(), i64::from(*scale));
                AttributeValue::N(Number::from_decimal(&d).unwrap())
            }
            Scalar::S(s) => AttributeValue::S(s.clone()),
            Scalar::B(b) => AttributeValue::B(b.clone()),
            Scalar::Bool(b) => AttributeValue::Bool(*b),
        }
    }

    /// The reference order: numbers as exact rationals m / 10^scale, strings by bytes,
    /// binaries by unsigned bytes; different types or booleans are unordered.
    fn cmp(&self, o: &Scalar) -> Option<std::cmp::Ordering> {
        match (self, o) {
            (Scalar::N(a, sa), Scalar::N(b, sb)) => {
                let scale = (*sa).max(*sb);
                let ai = i128::from(*a) * 10i128.pow(u32::from(scale - sa));
                let bi = i128::from(*b) * 10i128.pow(u32::from(scale - sb));
                Some(ai.cmp(&bi))
            }
            (Scalar::S(a), Scalar::S(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
            (Scalar::B(a), Scalar::B(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }

    fn eq(&self, o: &Scalar) -> bool {
        match (self, o) {
            (Scalar::Bool(a), Scalar::Bool(b)) => a == b,
            _ => self.cmp(o) == Some(std::cmp::Ordering::Equal),
        }
    }
}

fn scalar() -> impl Strategy<Value = Scalar> {
    prop_oneof![
        (-1000i64..1000, 0u8..4).prop_map(|(m, s)| Scalar::N(m, s)),
        "[a-c\u{e9}]{0,3}".prop_map(Scalar::S),
        prop::collection::vec(
            prop_oneof![Just(0u8), Just(1), Just(0x7f), Just(0x80), Just(0xff)],
            0..3
        )
        .prop_map(Scalar::B),
        any::<bool>().prop_map(Scalar::Bool),
    ]
}

proptest! {
    #[test]
    fn comparisons_agree_with_reference(
        a in scalar(), b in scalar(), op in comparator(), missing in any::<bool>()
    ) {
        use std::cmp::Ordering::*;
        let mut item = Item::new();
        if !missing {
            item.insert("x".into(), a.value());
        }
        let vals: HashMap<String, AttributeValue> = [(":v".to_string(), b.value())].into();
        let mut attrs = ExpressionAttributes::new(None, Some(&vals));
        let text = format!("x {} :v", op.as_str());
        let compiled = parse_condition(&text, ExpressionKind::Condition, &mut attrs);
        let ordered_op = !matches!(op, Comparator::Eq | Comparator::Ne);
        if ordered_op && matches!(b, Scalar::Bool(_)) {
            // A constant of an unordered type is rejected before evaluation.
            prop_assert!(compiled.is_err());
            return Ok(());
        }
        let c = compiled.unwrap();
        let expected = if missing {
            op == Comparator::Ne
        } else {
            match op {
                Comparator::Eq => a.eq(&b),
                Comparator::Ne => !a.eq(&b),
                Comparator::Lt => a.cmp(&b) == Some(Less),
                Comparator::Le => matches!(a.cmp(&b), Some(Less | Equal)),
                Comparator::Gt => a.cmp(&b) == Some(Greater),
                Comparator::Ge => matches!(a.cmp(&b), Some(Greater | Equal)),
            }
        };
        prop_assert_eq!(c.evaluate(&item), expected);
    }
}
