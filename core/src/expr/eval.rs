//! Evaluation of compiled conditions against an item, with DynamoDB's semantics: a nothere
//! attribute makes comparisons false (but `<>` true), values of different types are unequal
//! and unordered, `size` is defined for S, B, sets, M and L only.

use super::ast::Comparator;
use super::compare::{compare_values, values_equal};
use super::condition::{Condition, Term};
use crate::model::{AttributeValue, Item, Number};
use std::borrow::Cow;
use std::cmp::Ordering;

impl Condition {
    /// Whether `item` satisfies the condition. A nothere item is an empty item.
    pub fn evaluate(&self, item: &Item) -> bool {
        match self {
            Condition::Compare(a, op, b) => {
                let (a, b) = (value(a, item), value(b, item));
                match (a, b) {
                    (Some(a), Some(b)) => compare(&a, *op, &b),
                    _ => *op == Comparator::Ne,
                }
            }
            Condition::Between(a, lo, hi) => {
                match (value(a, item), value(lo, item), value(hi, item)) {
                    (Some(a), Some(lo), Some(hi)) => {
                        compare(&a, Comparator::Ge, &lo) && compare(&a, Comparator::Le, &hi)
                    }
                    _ => false,
                }
            }
            Condition::In(a, list) => match value(a, item) {
                Some(a) => list
                    .iter()
                    .filter_map(|t| value(t, item))
                    .any(|v| values_equal(&a, &v)),
                None => false,
            },
            Condition::AttributeExists(p) => p.get(item).is_some(),
            Condition::AttributeNotExists(p) => p.get(item).is_none(),
            Condition::AttributeType(a, t) => {
                value(a, item).is_some_and(|v| v.type_name() == t.as_str())
            }
            Condition::BeginsWith(a, b) => match (value(a, item), value(b, item)) {
                (Some(a), Some(b)) => begins_with(&a, &b),
                _ => false,
            },
            Condition::Contains(a, b) => match (value(a, item), value(b, item)) {
                (Some(a), Some(b)) => contains(&a, &b),
                _ => false,
            },
            Condition::Not(c) => !c.evaluate(item),
            Condition::And(l, r) => l.evaluate(item) && r.evaluate(item),
            Condition::Or(l, r) => l.evaluate(item) || r.evaluate(item),
        }
    }
}

/// Applies a comparison operator to two present values.
pub fn compare(a: &AttributeValue, op: Comparator, b: &AttributeValue) -> bool {
    match op {
        Comparator::Eq => values_equal(a, b),
        Comparator::Ne => !values_equal(a, b),
        _ => match compare_values(a, b) {
            Some(ord) => match op {
                Comparator::Lt => ord == Ordering::Less,
                Comparator::Le => ord != Ordering::Greater,
                Comparator::Gt => ord == Ordering::Greater,
                _ => ord != Ordering::Less,
            },
            None => false,
        },
    }
}

fn value<'a>(t: &'a Term, item: &'a Item) -> Option<Cow<'a, AttributeValue>> {
    match t {
        Term::Path(p) => p.get(item).map(Cow::Borrowed),
        Term::Value(v) => Some(Cow::Borrowed(v)),
        Term::Size(inner) => {
            let v = value(inner, item)?;
            let n = size_of(&v)?;
            Number::parse(&n.to_string())
                .ok()
                .map(|n| Cow::Owned(AttributeValue::N(n)))
        }
    }
}

/// DynamoDB's `size`: bytes of S and B, members of sets, entries of M and L; none otherwise.
pub fn size_of(v: &AttributeValue) -> Option<usize> {
    Some(match v {
        AttributeValue::S(s) => s.len(),
        AttributeValue::B(b) => b.len(),
        AttributeValue::SS(x) => x.len(),
        AttributeValue::NS(x) => x.len(),
        AttributeValue::BS(x) => x.len(),
        AttributeValue::M(m) => m.len(),
        AttributeValue::L(l) => l.len(),
        _ => return None,
    })
}

fn begins_with(a: &AttributeValue, b: &AttributeValue) -> bool {
    match (a, b) {
        (AttributeValue::S(a), AttributeValue::S(b)) => a.starts_with(b.as_str()),
        (AttributeValue::B(a), AttributeValue::B(b)) => a.starts_with(b),
        _ => false,
    }
}

fn contains(a: &AttributeValue, b: &AttributeValue) -> bool {
    match (a, b) {
        (AttributeValue::S(a), AttributeValue::S(b)) => a.contains(b.as_str()),
        (AttributeValue::B(a), AttributeValue::B(b)) => {
            b.is_empty() || a.windows(b.len()).any(|w| w == b.as_slice())
        }
        (AttributeValue::SS(set), AttributeValue::S(x)) => set.contains(x),
        (AttributeValue::BS(set), AttributeValue::B(x)) => set.contains(x),
        (AttributeValue::NS(set), AttributeValue::N(x)) => {
            set.iter().any(|n| n.cmp_value(x) == Ordering::Equal)
        }
        (AttributeValue::L(list), x) => list.iter().any(|v| values_equal(v, x)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::condition::compile_condition;
    use crate::expr::names::ExpressionAttributes;
    use crate::expr::parser::parse_condition_ast;
    use std::collections::HashMap;

    fn item() -> Item {
        serde_json::from_str(
            r#"{"s":{"S":"hello"},"n":{"N":"5"},"b":{"B":"AQID"},"ss":{"SS":["a","b"]},
                "ns":{"NS":["1","2"]},"l":{"L":[{"S":"x"},{"N":"1"}]},"m":{"M":{"k":{"BOOL":true}}},
                "z":{"NULL":true}}"#,
        )
        .unwrap()
    }

    fn check(src: &str, values: &[(&str, &str)]) -> bool {
        let values: HashMap<String, AttributeValue> = values
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::from_str(v).unwrap()))
            .collect();
        let mut attrs = ExpressionAttributes::new(None, Some(&values));
        let c = compile_condition(&parse_condition_ast(src).unwrap(), &mut attrs).unwrap();
        c.evaluate(&item())
    }

    #[test]
    fn comparisons_and_missing_attributes() {
        let five = [(":v", r#"{"N":"5.0"}"#)];
        assert!(check("n = :v", &five));
        assert!(check("n >= :v AND n <= :v", &five));
        assert!(!check("n < :v", &five));
        assert!(!check("nothere = :v", &five));
        assert!(check("nothere <> :v", &five));
        assert!(!check("nothere < :v", &five));
        assert!(!check("s < :v", &five));
        assert!(check("s <> :v", &five));
        assert!(check("NOT nothere = :v", &five));
    }

    #[test]
    fn between_and_in() {
        let v = [(":a", r#"{"N":"1"}"#), (":b", r#"{"N":"9"}"#)];
        assert!(check("n BETWEEN :a AND :b", &v));
        assert!(!check("s BETWEEN :a AND :b", &v));
        assert!(check("n IN (:a, :b, n)", &v));
        assert!(!check("n IN (:a, :b)", &v));
    }

    #[test]
    fn functions() {
        let v = [
            (":he", r#"{"S":"he"}"#),
            (":x", r#"{"S":"x"}"#),
            (":a", r#"{"S":"a"}"#),
            (":one", r#"{"N":"1"}"#),
            (":two", r#"{"N":"2"}"#),
            (":three", r#"{"N":"3"}"#),
            (":five", r#"{"N":"5"}"#),
            (":tS", r#"{"S":"S"}"#),
            (":tNULL", r#"{"S":"NULL"}"#),
            (":b12", r#"{"B":"AQI="}"#),
        ];
        assert!(check("begins_with(s, :he)", &v));
        assert!(!check("begins_with(n, :he)", &v));
        assert!(check("begins_with(b, :b12)", &v));
        assert!(check(
            "contains(s, :he) AND contains(ss, :a) AND contains(l, :x)",
            &v
        ));
        assert!(check("contains(ns, :two) AND contains(l, :one)", &v));
        assert!(!check("contains(ss, :x)", &v));
        assert!(check(
            "size(s) = :five AND size(b) = :three AND size(ss) = :two",
            &v
        ));
        assert!(check("size(l) = :two AND size(m) = :one", &v));
        assert!(!check("size(n) = :one", &v));
        assert!(check("size(nothere) <> :one", &v));
        assert!(check(
            "attribute_type(s, :tS) AND attribute_type(z, :tNULL)",
            &v
        ));
        assert!(!check("attribute_type(n, :tS)", &v));
        assert!(check(
            "attribute_exists(m.k) AND attribute_not_exists(m.q)",
            &v
        ));
        assert!(check(
            "attribute_exists(l[1]) AND attribute_not_exists(l[2])",
            &v
        ));
    }
}
