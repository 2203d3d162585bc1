//! Range reads: the SQL for one key range in one direction, and the paging loop that honours
//! `limit`, `max_bytes` and the `more` flag.

use crate::error::store_err;
use extenddb_core::error::StoreError;
use extenddb_core::traits::{KeyRange, Page, StoredItem};
use sqlx::{PgPool, Postgres, QueryBuilder, Row};
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

/// Reads one page of `range` in table `storage_id`.
pub(crate) async fn read_page(
    pool: &PgPool,
    storage_id: u64,
    range: &KeyRange,
    forward: bool,
    limit: usize,
    max_bytes: usize,
) -> Result<Page, StoreError> {
    let mut page = Page::default();
    let mut bytes = 0usize;
    let mut after: Option<Vec<u8>> = None;
    loop {
        let fetch = (limit - page.items.len()).min(CHUNK) + 1;
        let rows = fetch_rows(pool, storage_id, range, forward, after.as_deref(), fetch).await?;
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

async fn fetch_rows(
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
    use super::prefix_end;

    #[test]
    fn prefix_ends() {
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(&[1, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xFF, 0xFF]), None);
        assert_eq!(prefix_end(b""), None);
    }
}
