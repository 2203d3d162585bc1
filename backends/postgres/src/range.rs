//! Range reads: the SQL for one key range in one direction, and the paging loop that honours
//! `limit`, `max_bytes` and the `more` flag. The first chunk of a range with a finite upper
//! end (every Query's: its partition prefix bounds it) is read through the coalescer, so that
//! concurrent Queries share statements; later chunks and unbounded scans read directly.

use crate::batched_reads::{BatchedReads, RangeReq};
use crate::error::store_err;
use extenddb_core::error::StoreError;
use extenddb_core::traits::{KeyRange, Page, StoredItem};
use sqlx::{PgPool, Postgres, QueryBuilder, Row};
use std::cmp::{max, min};
use std::ops::Bound;

/// Rows fetched per round trip when a page may be large.
const CHUNK: usize = 500;

/// The smallest byte string greater than every string starting with `prefix`, if any.
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

/// `range` as `lo <= key < hi` (byte order), when its upper end is finite. The successor of
/// a key `k` in byte order is `k` followed by a zero byte, which turns `> k` into `>= k 00`
/// and `<= k` into `< k 00`.
pub(crate) fn half_open(range: &KeyRange) -> Option<(Vec<u8>, Vec<u8>)> {
    let successor = |k: &Vec<u8>| {
        let mut s = k.clone();
        s.push(0);
        s
    };
    let lower = match &range.lower {
        Bound::Included(k) => k.clone(),
        Bound::Excluded(k) => successor(k),
        Bound::Unbounded => Vec::new(),
    };
    let upper = match &range.upper {
        Bound::Included(k) => Some(successor(k)),
        Bound::Excluded(k) => Some(k.clone()),
        Bound::Unbounded => None,
    };
    if range.prefix.is_empty() {
        return upper.map(|hi| (lower, hi));
    }
    let prefix_hi = prefix_end(&range.prefix);
    let hi = match (upper, prefix_hi) {
        (Some(a), Some(b)) => min(a, b),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => return None,
    };
    Some((max(lower, range.prefix.clone()), hi))
}

/// Reads one page of `range` in table `storage_id`.
pub(crate) async fn read_page(
    pool: &PgPool,
    batched: &BatchedReads,
    storage_id: u64,
    range: &KeyRange,
    forward: bool,
    limit: usize,
    max_bytes: usize,
) -> Result<Page, StoreError> {
    let mut page = Page::default();
    let mut bytes = 0usize;
    let mut after: Option<Vec<u8>> = None;
    let mut first = half_open(range);
    loop {
        let fetch = (limit - page.items.len()).min(CHUNK) + 1;
        let rows = match first.take() {
            Some((lo, hi)) if lo >= hi => Vec::new(),
            Some((lo, hi)) => {
                let req = RangeReq {
                    storage_id,
                    lo,
                    hi,
                    limit: i64::try_from(fetch).unwrap_or(i64::MAX),
                };
                batched.range(req, forward).await?
            }
            None => fetch_rows(pool, storage_id, range, forward, after.as_deref(), fetch).await?,
        };
        let got = rows.len();
        for (key, item) in rows {
            if page.items.len() >= limit || bytes >= max_bytes {
                page.more = true;
                return Ok(page);
            }
            bytes = bytes.saturating_add(item.len());
            after = Some(key.clone());
            page.items.push((key, StoredItem(item.into())));
        }
        if got < fetch {
            return Ok(page);
        }
    }
}

/// Up to `limit` `(key, item)` rows of `range` (after `after`), in one statement.
pub(crate) async fn fetch_rows(
    pool: &PgPool,
    storage_id: u64,
    range: &KeyRange,
    forward: bool,
    after: Option<&[u8]>,
    limit: usize,
) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
    let mut q: QueryBuilder<Postgres> =
        QueryBuilder::new("SELECT key, item FROM items WHERE storage_id = ");
    q.push_bind(storage_id as i64);
    if !range.prefix.is_empty() {
        q.push(" AND key >= ").push_bind(range.prefix.clone());
        if let Some(end) = prefix_end(&range.prefix) {
            q.push(" AND key < ").push_bind(end);
        }
    }
    match &range.lower {
        Bound::Included(k) => {
            q.push(" AND key >= ").push_bind(k.clone());
        }
        Bound::Excluded(k) => {
            q.push(" AND key > ").push_bind(k.clone());
        }
        Bound::Unbounded => {}
    }
    match &range.upper {
        Bound::Included(k) => {
            q.push(" AND key <= ").push_bind(k.clone());
        }
        Bound::Excluded(k) => {
            q.push(" AND key < ").push_bind(k.clone());
        }
        Bound::Unbounded => {}
    }
    if let Some(k) = after {
        q.push(if forward {
            " AND key > "
        } else {
            " AND key < "
        })
        .push_bind(k.to_vec());
    }
    q.push(if forward {
        " ORDER BY key ASC LIMIT "
    } else {
        " ORDER BY key DESC LIMIT "
    });
    q.push_bind(i64::try_from(limit).unwrap_or(i64::MAX));
    let rows = q.build().fetch_all(pool).await.map_err(store_err)?;
    rows.into_iter()
        .map(|r| {
            Ok((
                r.try_get(0).map_err(store_err)?,
                r.try_get(1).map_err(store_err)?,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{half_open, prefix_end};
    use extenddb_core::traits::KeyRange;
    use std::ops::Bound;

    fn range(prefix: &[u8], lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> KeyRange {
        KeyRange {
            prefix: prefix.to_vec(),
            lower: lower.map(|k| k.to_vec()),
            upper: upper.map(|k| k.to_vec()),
        }
    }

    #[test]
    fn ranges_become_half_open() {
        use Bound::*;
        // A partition: its prefix bounds it.
        assert_eq!(
            half_open(&range(b"p", Unbounded, Unbounded)),
            Some((b"p".to_vec(), b"q".to_vec()))
        );
        // Bounds inside the partition: `> k` starts at k 00, `<= k` ends before k 00.
        assert_eq!(
            half_open(&range(b"p", Excluded(b"pa"), Included(b"pc"))),
            Some((b"pa\0".to_vec(), b"pc\0".to_vec()))
        );
        assert_eq!(
            half_open(&range(b"p", Included(b"pa"), Excluded(b"pc"))),
            Some((b"pa".to_vec(), b"pc".to_vec()))
        );
        // Bounds outside the prefix are narrowed to it.
        assert_eq!(
            half_open(&range(b"p", Included(b"a"), Included(b"z"))),
            Some((b"p".to_vec(), b"q".to_vec()))
        );
        // A scan with no upper end is read directly.
        assert_eq!(half_open(&range(b"", Included(b"a"), Unbounded)), None);
        assert_eq!(half_open(&range(&[0xFF], Unbounded, Unbounded)), None);
        assert_eq!(
            half_open(&range(b"", Unbounded, Excluded(b"m"))),
            Some((Vec::new(), b"m".to_vec()))
        );
    }

    #[test]
    fn prefix_ends() {
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(&[1, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xFF, 0xFF]), None);
        assert_eq!(prefix_end(b""), None);
    }
}
