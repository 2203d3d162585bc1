//! Advisory-lock ids of item keys: a stable 64-bit hash of `(storage_id, key)`, the same in
//! every extenddb process over one database (so it cannot be std's randomized hasher). A
//! collision only makes two keys share a lock: correctness holds, they merely serialize.

use extenddb_core::traits::ItemKey;
use sha2::{Digest, Sha256};

/// The lock id of one key.
pub(crate) fn lock_id(key: &ItemKey) -> i64 {
    let mut h = Sha256::new();
    h.update(key.storage_id.to_be_bytes());
    h.update(&key.key);
    let d = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&d[..8]);
    i64::from_be_bytes(first)
}

/// The lock ids of `keys`, sorted and distinct: taking locks in one global order means two
/// transactions over overlapping keys cannot deadlock on each other's first locks.
pub(crate) fn sorted_lock_ids<'a>(keys: impl IntoIterator<Item = &'a ItemKey>) -> Vec<i64> {
    let mut ids: Vec<i64> = keys.into_iter().map(lock_id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(sid: u64, key: &[u8]) -> ItemKey {
        ItemKey {
            storage_id: sid,
            key: key.to_vec(),
        }
    }

    #[test]
    fn stable_and_distinguishing() {
        assert_eq!(lock_id(&k(1, b"a")), lock_id(&k(1, b"a")));
        assert_ne!(lock_id(&k(1, b"a")), lock_id(&k(2, b"a")));
        assert_ne!(lock_id(&k(1, b"a")), lock_id(&k(1, b"b")));
        // Pinned: a change here would let old and new processes lock different ids.
        assert_eq!(lock_id(&k(0, b"")), 0xaf5570f5a1810b7a_u64 as i64);
    }

    #[test]
    fn sorted_and_deduplicated() {
        let keys = [k(1, b"x"), k(1, b"y"), k(1, b"x")];
        let ids = sorted_lock_ids(&keys);
        assert_eq!(ids.len(), 2);
        assert!(ids[0] < ids[1]);
    }
}
