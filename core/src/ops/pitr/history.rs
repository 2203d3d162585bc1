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

/// The write that makes item `key` of the table `storage_id` what `entry` says (a tombstone
/// deletes it).
pub fn apply(storage_id: u64, key: Vec<u8>, entry: StoredItem) -> WriteOp {
    let key = ItemKey { storage_id, key };
    if is_tombstone(&entry) {
        WriteOp::Delete { key }
    } else {
        WriteOp::Put { key, item: entry }
    }
}

/// Picks, item by item, the newest entry at or before a cutoff while the history is read in
/// key order (one item's entries are contiguous and in time order): restores and the
/// retention fold both walk it so.
#[derive(Debug, Default)]
pub struct NewestPerItem {
    /// The item being read, and its newest entry at or before the cutoff so far.
    current: Option<(Vec<u8>, Option<StoredItem>)>,
}

impl NewestPerItem {
    /// Takes the entry of `item_key` stamped `at_ms`. When it starts a new item, answers the
    /// previous item and its chosen entry (if it had one at or before `cutoff_ms`).
    pub fn see(
        &mut self,
        item_key: &[u8],
        at_ms: u64,
        value: &StoredItem,
        cutoff_ms: u64,
    ) -> Option<(Vec<u8>, StoredItem)> {
        let mut done = None;
        if self
            .current
            .as_ref()
            .is_none_or(|(k, _)| k.as_slice() != item_key)
        {
            done = self.finish();
            self.current = Some((item_key.to_vec(), None));
        }
        if at_ms <= cutoff_ms {
            if let Some((_, chosen)) = self.current.as_mut() {
                *chosen = Some(value.clone());
            }
        }
        done
    }

    /// The last item and its chosen entry, once the history is read to its end.
    pub fn finish(&mut self) -> Option<(Vec<u8>, StoredItem)> {
        match self.current.take() {
            Some((key, Some(chosen))) => Some((key, chosen)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_entry_at_or_before_the_cutoff_is_chosen_per_item() {
        let v = |s: &'static str| StoredItem(Bytes::from_static(s.as_bytes()));
        let mut walk = NewestPerItem::default();
        assert_eq!(walk.see(b"a", 1, &v("a1"), 5), None);
        assert_eq!(walk.see(b"a", 5, &v("a5"), 5), None);
        assert_eq!(walk.see(b"a", 9, &v("a9"), 5), None);
        assert_eq!(
            walk.see(b"b", 7, &v("b7"), 5),
            Some((b"a".to_vec(), v("a5")))
        );
        // `b` has no entry at or before the cutoff: nothing is chosen for it.
        assert_eq!(walk.see(b"c", 2, &v("c2"), 5), None);
        assert_eq!(walk.finish(), Some((b"c".to_vec(), v("c2"))));
        assert_eq!(walk.finish(), None);
    }

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
