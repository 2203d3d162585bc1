//! The point-in-time history of a table: one entry per item change, written by
//! `ChangeWriter` in the change's own store transaction, under the table's `history_id`.
//!
//! An entry's key is the item's encoded key, length-prefixed (so no item's entries can
//! interleave with another's), then the change's time in milliseconds, big-endian: one item's
//! entries are contiguous and in time order. Its value is the new item, or `TOMBSTONE` for a
//! deletion (an item is never an empty map: it holds its key). Two changes of one item in
//! the same millisecond share a key; the later (in lock order) replaces the earlier, which is
//! the state after both.

use crate::model::Item;
use crate::traits::{ItemKey, StoredItem, WriteOp};
use bytes::Bytes;

/// The value of a deletion's entry.
pub const TOMBSTONE: &[u8] = b"{}";

/// The key of the entry of a change of `item_key` at `at_ms`, inside the history.
pub fn entry_key(item_key: &[u8], at_ms: u64) -> Vec<u8> {
    let mut key = Vec::with_capacity(item_key.len() + 12);
    key.extend_from_slice(&(item_key.len() as u32).to_be_bytes());
    key.extend_from_slice(item_key);
    key.extend_from_slice(&at_ms.to_be_bytes());
    key
}

/// The item key and time of an entry key; `None` for a key that is not one.
pub fn parse(key: &[u8]) -> Option<(&[u8], u64)> {
    let len = u32::from_be_bytes(key.get(..4)?.try_into().ok()?) as usize;
    let item = key.get(4..4 + len)?;
    let at = u64::from_be_bytes(key.get(4 + len..)?.try_into().ok()?);
    Some((item, at))
}

/// The write of the history entry for the change of `key` to `new` (`None`: deleted) at
/// `at_ms`, into the history `history_id`.
pub fn entry(history_id: u64, key: &ItemKey, new: Option<&Item>, at_ms: u64) -> WriteOp {
    WriteOp::Put {
        key: ItemKey {
            storage_id: history_id,
            key: entry_key(&key.key, at_ms),
        },
        item: match new {
            Some(item) => StoredItem::encode(item),
            None => StoredItem(Bytes::from_static(TOMBSTONE)),
        },
    }
}

/// Whether an entry's value records a deletion.
pub fn is_tombstone(value: &StoredItem) -> bool {
    value.as_bytes() == TOMBSTONE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_group_by_item_and_order_by_time() {
        let a = entry_key(b"ab", 5);
        let b = entry_key(b"ab", 7);
        let c = entry_key(b"ab\x00", 1);
        assert!(a < b);
        // A longer item key never falls between a shorter key's entries.
        assert!(!(a < c && c < b));
        assert_eq!(parse(&a), Some((&b"ab"[..], 5)));
        assert_eq!(parse(&c), Some((&b"ab\x00"[..], 1)));
        assert_eq!(parse(b"xx"), None);
    }

    #[test]
    fn deletions_are_tombstones() {
        let k = ItemKey {
            storage_id: 1,
            key: b"k".to_vec(),
        };
        let WriteOp::Put { item, key } = entry(9, &k, None, 3) else {
            panic!("not a put")
        };
        assert!(is_tombstone(&item));
        assert_eq!(key.storage_id, 9);
        let it: Item = serde_json::from_str(r#"{"pk":{"S":"k"}}"#).unwrap();
        let WriteOp::Put { item, .. } = entry(9, &k, Some(&it), 3) else {
            panic!("not a put")
        };
        assert!(!is_tombstone(&item));
        assert_eq!(item.decode().unwrap(), it);
    }
}
