//! The expiry index of a TTL-enabled table: one entry per item whose TTL attribute holds a
//! Number, keyed `expiry (whole epoch seconds, u64 BE) ‖ the item's storage key`, so the items
//! expired by a given time are one key range from the start. Every item change keeps it in
//! the change's own transaction (`change::ChangeWriter`); the sweeper reads it instead of
//! scanning tables, and a backfill pass gives entries to the items older than the index.

use crate::model::attribute_value::AttributeValue;
use crate::model::table::TtlIndex;
use crate::model::Item;
use crate::traits::{ItemKey, StoredItem, WriteOp};
use bytes::Bytes;

/// The expiry an item's TTL attribute holds, as whole epoch seconds (fractions dropped, at
/// least 0); `None` unless it is a Number.
pub fn entry_expiry(item: &Item, attribute: &str) -> Option<u64> {
    match item.get(attribute) {
        Some(AttributeValue::N(n)) => n
            .as_str()
            .parse::<f64>()
            .ok()
            .map(|v| v.max(0.0).floor().min(u64::MAX as f64) as u64),
        _ => None,
    }
}

/// The entry key of the item at `item_key` expiring at `expiry`.
pub fn entry_key(expiry: u64, item_key: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(8 + item_key.len());
    k.extend_from_slice(&expiry.to_be_bytes());
    k.extend_from_slice(item_key);
    k
}

/// The expiry and item key of an entry key.
pub fn parse_entry(key: &[u8]) -> Option<(u64, &[u8])> {
    let (exp, item) = key.split_at_checked(8)?;
    Some((u64::from_be_bytes(exp.try_into().ok()?), item))
}

/// The first entry key of items expiring at `expiry` or later.
pub fn from_expiry(expiry: u64) -> Vec<u8> {
    expiry.to_be_bytes().to_vec()
}

/// An entry's stored value (entries carry nothing but their key).
pub fn entry_value() -> StoredItem {
    StoredItem(Bytes::from_static(b"{}"))
}

/// The index writes of the change of the item at `key` from `old` to `new`: the old entry
/// removed and the new one added when the expiry moved (nothing when it did not).
pub fn writes_for_change(
    index: &TtlIndex,
    key: &ItemKey,
    old: Option<&Item>,
    new: Option<&Item>,
) -> Vec<WriteOp> {
    let before = old.and_then(|i| entry_expiry(i, &index.attribute));
    let after = new.and_then(|i| entry_expiry(i, &index.attribute));
    if before == after {
        return Vec::new();
    }
    let entry = |exp: u64| ItemKey {
        storage_id: index.storage_id,
        key: entry_key(exp, &key.key),
    };
    let mut writes = Vec::with_capacity(2);
    if let Some(exp) = before {
        writes.push(WriteOp::Delete { key: entry(exp) });
    }
    if let Some(exp) = after {
        writes.push(WriteOp::Put {
            key: entry(exp),
            item: entry_value(),
        });
    }
    writes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(v: &str) -> Item {
        serde_json::from_str(v).unwrap()
    }

    fn index() -> TtlIndex {
        TtlIndex {
            storage_id: 40,
            attribute: "exp".into(),
            backfilled: true,
            backfill_after: None,
            since: 0.0,
        }
    }

    #[test]
    fn entries_sort_by_expiry_then_key() {
        assert!(entry_key(9, b"zz") < entry_key(10, b"aa"));
        assert!(entry_key(10, b"a") < entry_key(10, b"b"));
        assert_eq!(parse_entry(&entry_key(77, b"key")), Some((77, &b"key"[..])));
        assert_eq!(parse_entry(b"short"), None);
        assert!(from_expiry(10) <= entry_key(10, b""));
    }

    #[test]
    fn only_numbers_are_indexed() {
        assert_eq!(
            entry_expiry(&item(r#"{"exp":{"N":"12.9"}}"#), "exp"),
            Some(12)
        );
        assert_eq!(entry_expiry(&item(r#"{"exp":{"N":"-5"}}"#), "exp"), Some(0));
        assert_eq!(entry_expiry(&item(r#"{"exp":{"S":"12"}}"#), "exp"), None);
        assert_eq!(entry_expiry(&item(r#"{"x":{"N":"12"}}"#), "exp"), None);
    }

    #[test]
    fn a_change_moves_the_entry_only_when_the_expiry_moves() {
        let key = ItemKey {
            storage_id: 7,
            key: b"k".to_vec(),
        };
        let a = item(r#"{"exp":{"N":"100"}}"#);
        let b = item(r#"{"exp":{"N":"200"}}"#);
        let same = item(r#"{"exp":{"N":"100"},"other":{"S":"x"}}"#);
        let none = item(r#"{"other":{"S":"x"}}"#);
        let idx = index();
        assert!(writes_for_change(&idx, &key, Some(&a), Some(&same)).is_empty());
        assert!(writes_for_change(&idx, &key, Some(&none), Some(&none)).is_empty());
        let moved = writes_for_change(&idx, &key, Some(&a), Some(&b));
        assert_eq!(
            moved,
            vec![
                WriteOp::Delete {
                    key: ItemKey {
                        storage_id: 40,
                        key: entry_key(100, b"k")
                    }
                },
                WriteOp::Put {
                    key: ItemKey {
                        storage_id: 40,
                        key: entry_key(200, b"k")
                    },
                    item: entry_value()
                },
            ]
        );
        assert_eq!(writes_for_change(&idx, &key, None, Some(&a)).len(), 1);
        assert_eq!(writes_for_change(&idx, &key, Some(&a), None).len(), 1);
    }
}
