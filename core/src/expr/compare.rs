//! Value equality and ordering as DynamoDB's expressions define them: values of different
//! types are never equal and never ordered; only N, S and B are ordered (numbers by value,
//! strings by UTF-8 bytes, binaries as unsigned bytes); sets are equal as sets.

use crate::model::AttributeValue;
use std::cmp::Ordering;

/// Whether two values are equal in DynamoDB's sense.
pub fn values_equal(a: &AttributeValue, b: &AttributeValue) -> bool {
    use AttributeValue as V;
    match (a, b) {
        (V::S(x), V::S(y)) => x == y,
        (V::N(x), V::N(y)) => x.cmp_value(y) == Ordering::Equal,
        (V::B(x), V::B(y)) => x == y,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Null(_), V::Null(_)) => true,
        (V::SS(x), V::SS(y)) => same_set(x, y, |p, q| p == q),
        (V::BS(x), V::BS(y)) => same_set(x, y, |p, q| p == q),
        (V::NS(x), V::NS(y)) => same_set(x, y, |p, q| p.cmp_value(q) == Ordering::Equal),
        (V::L(x), V::L(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q))
        }
        (V::M(x), V::M(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w)))
        }
        _ => false,
    }
}

fn same_set<T>(x: &[T], y: &[T], eq: impl Fn(&T, &T) -> bool) -> bool {
    x.len() == y.len() && x.iter().all(|p| y.iter().any(|q| eq(p, q)))
}

/// The order of two values of the same orderable type (N, S, B); `None` otherwise.
pub fn compare_values(a: &AttributeValue, b: &AttributeValue) -> Option<Ordering> {
    use AttributeValue as V;
    match (a, b) {
        (V::N(x), V::N(y)) => Some(x.cmp_value(y)),
        (V::S(x), V::S(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (V::B(x), V::B(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Whether values of this type can be ordered (`<`, BETWEEN, key ranges).
pub fn is_orderable(v: &AttributeValue) -> bool {
    matches!(
        v,
        AttributeValue::N(_) | AttributeValue::S(_) | AttributeValue::B(_)
    )
}

/// DynamoDB's rendering of a scalar in messages: `{N:1}`, `{S:a}`.
pub fn describe_value(v: &AttributeValue) -> String {
    let body = match v {
        AttributeValue::S(s) => s.clone(),
        AttributeValue::N(n) => n.as_str().to_string(),
        AttributeValue::B(b) => crate::model::attribute_value::b64_encode(b),
        other => serde_json::to_value(other)
            .ok()
            .and_then(|j| j.as_object().and_then(|o| o.values().next().cloned()))
            .map(|j| j.to_string())
            .unwrap_or_default(),
    };
    format!("{{{}:{body}}}", v.type_name())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Number;

    fn n(s: &str) -> AttributeValue {
        AttributeValue::N(Number::parse(s).unwrap())
    }

    #[test]
    fn equality_rules() {
        assert!(values_equal(&n("1.0"), &n("1")));
        assert!(!values_equal(&n("1"), &AttributeValue::S("1".into())));
        assert!(values_equal(
            &AttributeValue::SS(vec!["a".into(), "b".into()]),
            &AttributeValue::SS(vec!["b".into(), "a".into()])
        ));
        assert!(!values_equal(
            &AttributeValue::L(vec![n("1"), n("2")]),
            &AttributeValue::L(vec![n("2"), n("1")])
        ));
    }

    #[test]
    fn ordering_rules() {
        assert_eq!(compare_values(&n("-10"), &n("2")), Some(Ordering::Less));
        assert_eq!(
            compare_values(
                &AttributeValue::S("B".into()),
                &AttributeValue::S("a".into())
            ),
            Some(Ordering::Less)
        );
        assert_eq!(
            compare_values(
                &AttributeValue::B(vec![0x80]),
                &AttributeValue::B(vec![0x7f])
            ),
            Some(Ordering::Greater)
        );
        assert_eq!(
            compare_values(&n("1"), &AttributeValue::S("1".into())),
            None
        );
        assert_eq!(describe_value(&n("1")), "{N:1}");
        assert_eq!(describe_value(&AttributeValue::S("a".into())), "{S:a}");
    }
}
