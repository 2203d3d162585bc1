//! The redb tables this backend keeps and how their keys are laid out.
//!
//! - `items`: `storage_id (8 bytes, big endian) ‖ encoded key` → stored item bytes. Big endian
//!   keeps each table's items contiguous, and within a table redb's byte order is DynamoDB's
//!   order because the key encoding preserves it.
//! - `table_stats`: `storage_id` → `(item count, total item bytes)`, kept exact by every write in
//!   the same transaction as the items, so `stats` is one point read instead of a full scan.
//! - `catalog`: `account_id ‖ 0x00 ‖ table name` → `TableDefinition` as JSON. Account ids never
//!   contain NUL, so one account's tables are one contiguous range in byte order of name.
//! - `meta`: `"storage_id_counter"` → last storage id handed out (u64 big endian), and
//!   `"setting/<key>"` → a runtime setting's value (UTF-8).

use redb::TableDefinition as RedbTable;
use std::ops::Bound;

/// Items of every table.
pub(crate) const ITEMS: RedbTable<&[u8], &[u8]> = RedbTable::new("items");
/// Exact item count and byte size per storage id.
pub(crate) const TABLE_STATS: RedbTable<u64, (u64, u64)> = RedbTable::new("table_stats");
/// Table definitions.
pub(crate) const CATALOG: RedbTable<&[u8], &[u8]> = RedbTable::new("catalog");
/// Counters and runtime settings.
pub(crate) const META: RedbTable<&str, &[u8]> = RedbTable::new("meta");

/// Meta key of the storage-id counter.
pub(crate) const STORAGE_ID_COUNTER: &str = "storage_id_counter";

/// Meta key of a runtime setting.
pub(crate) fn setting_key(key: &str) -> String {
    format!("setting/{key}")
}

/// The redb key of an item: storage id, then the encoded key.
pub(crate) fn item_key(storage_id: u64, key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + key.len());
    out.extend_from_slice(&storage_id.to_be_bytes());
    out.extend_from_slice(key);
    out
}

/// The redb key of a table definition.
pub(crate) fn catalog_key(account_id: &str, name: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(account_id.len() + 1 + name.len());
    out.extend_from_slice(account_id.as_bytes());
    out.push(0);
    out.extend_from_slice(name.as_bytes());
    out
}

/// The smallest byte string greater than every string that starts with `prefix`, or `None`
/// when there is none (the prefix is empty or all `0xFF`).
pub(crate) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Key bounds of redb keys, owned.
pub(crate) type Bounds = (Bound<Vec<u8>>, Bound<Vec<u8>>);

fn prefixed(storage_id: u64, b: &Bound<Vec<u8>>) -> Bound<Vec<u8>> {
    match b {
        Bound::Included(k) => Bound::Included(item_key(storage_id, k)),
        Bound::Excluded(k) => Bound::Excluded(item_key(storage_id, k)),
        Bound::Unbounded => Bound::Unbounded,
    }
}

fn bound_key(b: &Bound<Vec<u8>>) -> Option<&[u8]> {
    match b {
        Bound::Included(k) | Bound::Excluded(k) => Some(k),
        Bound::Unbounded => None,
    }
}

/// The tighter of two lower bounds (`tighter_upper` for upper bounds): the larger key wins; on
/// equal keys an exclusive bound is tighter.
fn tighter(a: Bound<Vec<u8>>, b: Bound<Vec<u8>>, lower: bool) -> Bound<Vec<u8>> {
    match (bound_key(&a), bound_key(&b)) {
        (None, _) => b,
        (_, None) => a,
        (Some(ka), Some(kb)) => {
            let a_wins = if ka == kb {
                matches!(a, Bound::Excluded(_))
            } else {
                (ka > kb) == lower
            };
            if a_wins {
                a
            } else {
                b
            }
        }
    }
}

/// The redb key bounds of a range read: the caller's bounds on the full key, intersected with
/// the prefix range, all inside the storage id. `None` when the range is empty.
pub(crate) fn range_bounds(
    storage_id: u64,
    prefix: &[u8],
    lower: &Bound<Vec<u8>>,
    upper: &Bound<Vec<u8>>,
) -> Option<Bounds> {
    let start = item_key(storage_id, prefix);
    let end = match prefix_end(&start) {
        Some(e) => Bound::Excluded(e),
        None => Bound::Unbounded,
    };
    let lo = tighter(Bound::Included(start), prefixed(storage_id, lower), true);
    let hi = tighter(end, prefixed(storage_id, upper), false);
    let empty = match (bound_key(&lo), bound_key(&hi)) {
        (Some(l), Some(h)) => {
            l > h
                || (l == h
                    && !(matches!(lo, Bound::Included(_)) && matches!(hi, Bound::Included(_))))
        }
        _ => false,
    };
    (!empty).then_some((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_end_carries_over_ff() {
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(&[1, 0xFF, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xFF]), None);
        assert_eq!(prefix_end(&[]), None);
    }

    #[test]
    fn bounds_intersect_prefix_and_caller_bounds() {
        let (lo, hi) = range_bounds(
            1,
            b"p",
            &Bound::Excluded(b"pa".to_vec()),
            &Bound::Included(b"zz".to_vec()),
        )
        .unwrap();
        assert_eq!(lo, Bound::Excluded(item_key(1, b"pa")));
        assert_eq!(hi, Bound::Excluded(item_key(1, b"q")));
    }

    #[test]
    fn whole_table_of_last_storage_id_is_unbounded_above() {
        let (lo, hi) = range_bounds(u64::MAX, b"", &Bound::Unbounded, &Bound::Unbounded).unwrap();
        assert_eq!(lo, Bound::Included(u64::MAX.to_be_bytes().to_vec()));
        assert_eq!(hi, Bound::Unbounded);
    }

    #[test]
    fn inverted_or_empty_ranges_are_none() {
        let k = |s: &[u8]| s.to_vec();
        assert!(
            range_bounds(1, b"", &Bound::Included(k(b"b")), &Bound::Included(k(b"a"))).is_none()
        );
        assert!(
            range_bounds(1, b"", &Bound::Excluded(k(b"a")), &Bound::Included(k(b"a"))).is_none()
        );
        assert!(
            range_bounds(1, b"", &Bound::Included(k(b"a")), &Bound::Included(k(b"a"))).is_some()
        );
        assert!(range_bounds(1, b"x", &Bound::Included(k(b"y")), &Bound::Unbounded).is_none());
    }
}
