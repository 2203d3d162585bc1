//! A Query's key condition as a range of storage keys: the partition prefix
//! (`hash ‖ enc(partition value)`), narrowed by bounds on the encoded sort key. Because the
//! key encoding preserves DynamoDB's order and each component is prefix-free, the bounds are
//! exact: the store returns precisely the items the condition selects.

use crate::expr::{KeyCondition, SortKeyPredicate};
use crate::model::key_encoding::{encode_value, partition_prefix};
use crate::model::AttributeValue;
use crate::traits::KeyRange;
use std::ops::Bound;

/// The storage-key range of a key condition.
pub fn key_range(cond: &KeyCondition) -> KeyRange {
    let prefix = partition_prefix(&cond.partition_value);
    let at = |v: &AttributeValue| {
        let mut k = prefix.clone();
        encode_value(v, &mut k);
        k
    };
    let (lower, upper) = match &cond.sort {
        None => (Bound::Unbounded, Bound::Unbounded),
        Some(SortKeyPredicate::Eq(v)) => (Bound::Included(at(v)), Bound::Included(at(v))),
        Some(SortKeyPredicate::Lt(v)) => (Bound::Unbounded, Bound::Excluded(at(v))),
        Some(SortKeyPredicate::Le(v)) => (Bound::Unbounded, Bound::Included(at(v))),
        Some(SortKeyPredicate::Gt(v)) => (Bound::Excluded(at(v)), Bound::Unbounded),
        Some(SortKeyPredicate::Ge(v)) => (Bound::Included(at(v)), Bound::Unbounded),
        Some(SortKeyPredicate::Between(lo, hi)) => {
            (Bound::Included(at(lo)), Bound::Included(at(hi)))
        }
        Some(SortKeyPredicate::BeginsWith(p)) => {
            // The escaped bytes of the prefix without the `00 01` terminator begin exactly the
            // encodings of the values that begin with the prefix.
            let mut k = at(p);
            k.truncate(k.len().saturating_sub(2));
            return KeyRange {
                prefix: k,
                lower: Bound::Unbounded,
                upper: Bound::Unbounded,
            };
        }
    };
    KeyRange {
        prefix,
        lower,
        upper,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::key_encoding::item_key;
    use crate::model::Number;

    fn s(x: &str) -> AttributeValue {
        AttributeValue::S(x.into())
    }

    fn n(x: &str) -> AttributeValue {
        AttributeValue::N(Number::parse(x).unwrap())
    }

    /// Whether the storage key of (pk, sk) falls in the range, as a store would decide.
    fn inside(r: &KeyRange, key: &[u8]) -> bool {
        let lo = match &r.lower {
            Bound::Included(b) => key >= b.as_slice(),
            Bound::Excluded(b) => key > b.as_slice(),
            Bound::Unbounded => true,
        };
        let hi = match &r.upper {
            Bound::Included(b) => key <= b.as_slice(),
            Bound::Excluded(b) => key < b.as_slice(),
            Bound::Unbounded => true,
        };
        key.starts_with(&r.prefix) && lo && hi
    }

    /// The range selects exactly the values the predicate matches, in the right partition.
    #[test]
    fn range_agrees_with_predicate() {
        let values: Vec<AttributeValue> = [
            "-10", "-1.5", "-1", "0", "0.001", "1", "1.5", "2", "10", "100",
        ]
        .iter()
        .map(|x| n(x))
        .collect();
        let strings: Vec<AttributeValue> = ["", "a", "a\0", "a\0b", "ab", "abc", "b", "\u{e9}"]
            .iter()
            .map(|x| s(x))
            .collect();
        let preds = |v: &[AttributeValue]| {
            let mut p = Vec::new();
            for a in v {
                p.push(SortKeyPredicate::Eq(a.clone()));
                p.push(SortKeyPredicate::Lt(a.clone()));
                p.push(SortKeyPredicate::Le(a.clone()));
                p.push(SortKeyPredicate::Gt(a.clone()));
                p.push(SortKeyPredicate::Ge(a.clone()));
                for b in v {
                    p.push(SortKeyPredicate::Between(a.clone(), b.clone()));
                }
                if matches!(a, AttributeValue::S(_)) {
                    p.push(SortKeyPredicate::BeginsWith(a.clone()));
                }
            }
            p
        };
        for set in [&values, &strings] {
            for pred in preds(set) {
                let cond = KeyCondition {
                    partition_value: s("p"),
                    sort: Some(pred.clone()),
                };
                let r = key_range(&cond);
                for v in set.iter() {
                    let key = item_key(&s("p"), Some(v));
                    assert_eq!(inside(&r, &key), pred.matches(v), "{pred:?} on {v:?}");
                    let other = item_key(&s("q"), Some(v));
                    assert!(!inside(&r, &other));
                }
            }
        }
    }

    #[test]
    fn partition_only_is_the_prefix() {
        let r = key_range(&KeyCondition {
            partition_value: s("p"),
            sort: None,
        });
        assert_eq!(r.prefix, partition_prefix(&s("p")));
        assert_eq!((r.lower, r.upper), (Bound::Unbounded, Bound::Unbounded));
    }

    #[test]
    fn begins_with_on_binary() {
        let b = |x: &[u8]| AttributeValue::B(x.to_vec());
        let pred = SortKeyPredicate::BeginsWith(b(&[0, 1]));
        let r = key_range(&KeyCondition {
            partition_value: s("p"),
            sort: Some(pred.clone()),
        });
        for v in [
            b(&[]),
            b(&[0]),
            b(&[0, 1]),
            b(&[0, 1, 0]),
            b(&[0, 2]),
            b(&[1]),
        ] {
            let key = item_key(&s("p"), Some(&v));
            assert_eq!(inside(&r, &key), pred.matches(&v), "{v:?}");
        }
    }
}
