//! ExclusiveStartKey checks (Query's and Scan's wording differ) and the parallel-scan segments.
//!
//! Every storage key starts with a 2-byte partition hash (`model::key_encoding`), so segment
//! `s` of `n` is the contiguous hash range `[ceil(65536·s/n), ceil(65536·(s+1)/n))`: the
//! segments tile the key space and each item belongs to exactly one.

use crate::error::ApiError;
use crate::expr::compare::describe_value;
use crate::expr::SortKeyPredicate;
use crate::model::key_encoding::{self, HASH_SPACE};
use crate::model::table::{KeyAttribute, KeySchema};
use crate::model::validate;
use crate::model::{AttributeValue, Item};
use std::ops::Bound;

fn invalid_start() -> ApiError {
    ApiError::validation("The provided starting key is invalid")
}

fn with_prefix(e: ApiError) -> ApiError {
    match e {
        ApiError::Validation(m) => {
            ApiError::validation(format!("The provided starting key is invalid: {m}"))
        }
        other => other,
    }
}

fn has_type(v: &AttributeValue, k: &KeyAttribute) -> bool {
    v.type_name() == k.attr_type.as_str()
}

/// The storage key of a validated start key.
pub fn encode(schema: &KeySchema, key: &Item) -> Vec<u8> {
    let sort = schema.range.as_ref().and_then(|r| key.get(&r.name));
    match key.get(&schema.hash.name) {
        Some(p) => key_encoding::item_key(p, sort),
        None => Vec::new(),
    }
}

/// Query's checks of the start key's shape: exactly the key attributes ("The provided starting
/// key is invalid"), of the schema's types ("The provided key element does not match the
/// schema"). Run before the key condition is checked, as DynamoDB does.
pub fn query_shape(schema: &KeySchema, key: &Item) -> Result<(), ApiError> {
    if key.len() != schema.attributes().count() {
        return Err(invalid_start());
    }
    for attr in schema.attributes() {
        let v = key.get(&attr.name).ok_or_else(invalid_start)?;
        if !has_type(v, attr) {
            return Err(ApiError::validation(
                "The provided key element does not match the schema",
            ));
        }
    }
    Ok(())
}

/// Query's checks of the start key against the key condition: its values (empty, size), then
/// that it lies inside the queried partition and matches the sort-key predicate.
pub fn query_bounds(
    schema: &KeySchema,
    key: &Item,
    partition_value: &AttributeValue,
    sort: Option<&SortKeyPredicate>,
) -> Result<(), ApiError> {
    validate::key(schema, key).map_err(with_prefix)?;
    if schema.range.is_none() {
        // A partition of a table without a sort key holds one item, which an exclusive start
        // would skip: DynamoDB refuses any start key there.
        let shown: Vec<String> = key
            .iter()
            .map(|(k, v)| format!("{k}=AttributeValue: {}", describe_value(v)))
            .collect();
        return Err(ApiError::validation(format!(
            "The provided exclusive start key is invalid: ExclusiveStartKey: {{{}}}",
            shown.join(", ")
        )));
    }
    let same_partition = key
        .get(&schema.hash.name)
        .is_some_and(|v| crate::expr::compare::values_equal(v, partition_value));
    let sort_value = schema.range.as_ref().and_then(|r| key.get(&r.name));
    match (sort, sort_value) {
        (Some(pred), Some(v)) => {
            if !pred.matches(v) {
                return Err(ApiError::validation(
                    "The provided starting key does not match the range key predicate",
                ));
            }
            if !same_partition {
                return Err(ApiError::validation(
                    "The query can return at most one row and cannot be restarted",
                ));
            }
        }
        _ if !same_partition => return Err(ApiError::validation(
            "The provided starting key is outside query boundaries based on provided conditions",
        )),
        _ => {}
    }
    Ok(())
}

/// Scan's check of the start key: exactly the table's key, with DynamoDB's prefix on the
/// message.
pub fn scan_key(schema: &KeySchema, key: &Item) -> Result<(), ApiError> {
    validate::key(schema, key).map_err(with_prefix)
}

/// A parallel-scan segment: `segment` of `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Zero-based segment number.
    pub segment: u32,
    /// TotalSegments.
    pub total: u32,
}

impl Segment {
    /// The segment's partition-hash range `[start, end)`.
    pub fn hash_range(self) -> (u32, u32) {
        let at = |s: u32| (u64::from(HASH_SPACE) * u64::from(s)).div_ceil(u64::from(self.total));
        (at(self.segment) as u32, at(self.segment + 1) as u32)
    }

    /// Key-range bounds covering exactly the segment's keys.
    pub fn bounds(self) -> (Bound<Vec<u8>>, Bound<Vec<u8>>) {
        let (start, end) = self.hash_range();
        let bound = |h: u32| (h as u16).to_be_bytes().to_vec();
        if start >= end {
            // An empty segment (more segments than hash values): a range holding no key.
            return (Bound::Included(Vec::new()), Bound::Excluded(Vec::new()));
        }
        let lower = if start == 0 {
            Bound::Unbounded
        } else {
            Bound::Included(bound(start))
        };
        let upper = if end >= HASH_SPACE {
            Bound::Unbounded
        } else {
            Bound::Excluded(bound(end))
        };
        (lower, upper)
    }

    /// Whether an encoded storage key belongs to the segment.
    pub fn contains(self, key: &[u8]) -> bool {
        let (start, end) = self.hash_range();
        match key {
            [a, b, ..] => {
                let h = u32::from(u16::from_be_bytes([*a, *b]));
                start <= h && h < end
            }
            _ => false,
        }
    }

    /// DynamoDB's error for a start key of another segment.
    pub fn wrong_segment(self) -> ApiError {
        ApiError::validation(format!(
            "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: {} Segment: {}",
            self.total, self.segment
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::table::ScalarType;

    fn schema() -> KeySchema {
        KeySchema {
            hash: KeyAttribute {
                name: "pk".into(),
                attr_type: ScalarType::S,
            },
            range: Some(KeyAttribute {
                name: "sk".into(),
                attr_type: ScalarType::N,
            }),
        }
    }

    fn item(json: &str) -> Item {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn segments_tile_the_hash_space() {
        for total in [1u32, 2, 3, 7, 1000, 65536, 100_000] {
            let mut next = 0;
            for segment in 0..total.min(70_000) {
                let (s, e) = Segment { segment, total }.hash_range();
                assert_eq!(s, next.min(HASH_SPACE), "total {total} segment {segment}");
                assert!(e >= s);
                next = e;
            }
            if total <= 70_000 {
                assert_eq!(next, HASH_SPACE);
            }
        }
    }

    #[test]
    fn every_key_is_in_exactly_one_segment() {
        let total = 7;
        for pk in 0..500 {
            let key = key_encoding::item_key(&AttributeValue::S(format!("p{pk}")), None);
            let n = (0..total)
                .filter(|&segment| Segment { segment, total }.contains(&key))
                .count();
            assert_eq!(n, 1);
        }
    }

    #[test]
    fn bounds_of_first_middle_last() {
        let s = Segment {
            segment: 0,
            total: 2,
        };
        assert_eq!(
            s.bounds(),
            (Bound::Unbounded, Bound::Excluded(vec![0x80, 0]))
        );
        let s = Segment {
            segment: 1,
            total: 2,
        };
        assert_eq!(
            s.bounds(),
            (Bound::Included(vec![0x80, 0]), Bound::Unbounded)
        );
        assert_eq!(
            s.wrong_segment().to_string(),
            "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: 2 Segment: 1"
        );
    }

    #[test]
    fn query_start_key_messages() {
        let s = schema();
        assert_eq!(
            query_shape(&s, &item(r#"{"pk":{"S":"a"}}"#))
                .unwrap_err()
                .to_string(),
            "The provided starting key is invalid"
        );
        assert_eq!(
            query_shape(&s, &item(r#"{"pk":{"S":"a"},"x":{"N":"1"}}"#))
                .unwrap_err()
                .to_string(),
            "The provided starting key is invalid"
        );
        assert_eq!(
            query_shape(&s, &item(r#"{"pk":{"S":"a"},"sk":{"S":"1"}}"#))
                .unwrap_err()
                .to_string(),
            "The provided key element does not match the schema"
        );
        let good = item(r#"{"pk":{"S":"a"},"sk":{"N":"5"}}"#);
        assert!(query_shape(&s, &good).is_ok());
        let a = AttributeValue::S("a".into());
        let b = AttributeValue::S("b".into());
        let n = |x: &str| AttributeValue::N(crate::model::Number::parse(x).unwrap());
        assert!(query_bounds(&s, &good, &a, None).is_ok());
        assert_eq!(
            query_bounds(&s, &good, &b, None).unwrap_err().to_string(),
            "The provided starting key is outside query boundaries based on provided conditions"
        );
        assert_eq!(
            query_bounds(&s, &good, &a, Some(&SortKeyPredicate::Gt(n("5"))))
                .unwrap_err()
                .to_string(),
            "The provided starting key does not match the range key predicate"
        );
        assert_eq!(
            query_bounds(&s, &good, &b, Some(&SortKeyPredicate::Ge(n("5"))))
                .unwrap_err()
                .to_string(),
            "The query can return at most one row and cannot be restarted"
        );
        let hash_only = KeySchema {
            hash: s.hash.clone(),
            range: None,
        };
        assert_eq!(
            query_bounds(&hash_only, &item(r#"{"pk":{"S":"a"}}"#), &a, None)
                .unwrap_err()
                .to_string(),
            "The provided exclusive start key is invalid: ExclusiveStartKey: {pk=AttributeValue: {S:a}}"
        );
        let empty = item(r#"{"pk":{"S":""},"sk":{"N":"5"}}"#);
        assert!(query_bounds(&s, &empty, &a, None)
            .unwrap_err()
            .to_string()
            .starts_with(
                "The provided starting key is invalid: One or more parameter values were invalid: "
            ));
        assert_eq!(
            scan_key(&s, &item(r#"{"pk":{"S":"a"}}"#))
                .unwrap_err()
                .to_string(),
            "The provided starting key is invalid: The provided key element does not match the schema"
        );
    }
}
