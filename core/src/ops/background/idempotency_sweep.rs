//! Removal of expired ClientRequestToken records.
//!
//! A token record is useless once its window has passed (an expired record already counts as
//! absent), but it would stay in the store forever. The server's sweeper calls
//! [`sweep_expired`] now and then: it reads the token records in key order, page by page, and
//! deletes the expired ones in a write transaction that re-reads each under its lock, so a
//! record a concurrent request has just renewed is kept.

use crate::error::ApiError;
use crate::model::key_encoding::prefix_successor;
use crate::ops::request::idempotency::{self, SYSTEM_STORAGE_ID, TOKEN_TAG};
use crate::traits::{ItemKey, ItemStore, KeyRange, StoredItem, WriteDecider, WriteOp};
use std::ops::Bound;

/// Token records read per page.
const PAGE: usize = 500;

/// Deletes every token record expired at `now`; returns how many were deleted.
pub async fn sweep_expired(store: &dyn ItemStore, now: f64) -> Result<usize, ApiError> {
    let upper = prefix_successor(TOKEN_TAG).map_or(Bound::Unbounded, Bound::Excluded);
    let mut lower = Bound::Included(TOKEN_TAG.to_vec());
    let mut deleted = 0;
    loop {
        let range = KeyRange {
            prefix: TOKEN_TAG.to_vec(),
            lower,
            upper: upper.clone(),
        };
        let page = store
            .range(SYSTEM_STORAGE_ID, &range, true, PAGE, usize::MAX)
            .await?;
        let expired: Vec<ItemKey> = page
            .items
            .iter()
            .filter(|(_, record)| is_expired(record, now))
            .map(|(key, _)| ItemKey {
                storage_id: SYSTEM_STORAGE_ID,
                key: key.clone(),
            })
            .collect();
        if !expired.is_empty() {
            deleted += delete_if_expired(store, expired, now).await?;
        }
        match page.items.last() {
            Some((last, _)) if page.more => lower = Bound::Excluded(last.clone()),
            _ => return Ok(deleted),
        }
    }
}

/// Whether a stored token record's window has passed (an unreadable record counts as expired).
fn is_expired(record: &StoredItem, now: f64) -> bool {
    idempotency::expires_at(record).is_none_or(|at| at <= now)
}

/// Deletes those of `keys` whose record is still expired once locked.
async fn delete_if_expired(
    store: &dyn ItemStore,
    keys: Vec<ItemKey>,
    now: f64,
) -> Result<usize, ApiError> {
    let candidates = keys.clone();
    let decide: WriteDecider = Box::new(move |current| {
        Ok(candidates
            .into_iter()
            .zip(current)
            .filter(|(_, record)| record.as_ref().is_some_and(|r| is_expired(r, now)))
            .map(|(key, _)| WriteOp::Delete { key })
            .collect())
    });
    Ok(store.write(keys, decide).await?.writes.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::request::idempotency::{record, token_key};

    fn stored(op: WriteOp) -> StoredItem {
        match op {
            WriteOp::Put { item, .. } => item,
            other => panic!("expected a put: {other:?}"),
        }
    }

    #[test]
    fn expiry_is_read_from_the_record() {
        let rec = stored(record(token_key("1", "t"), "{}", 1000.0).unwrap());
        assert!(!is_expired(&rec, 1599.0));
        assert!(is_expired(&rec, 1600.0));
        assert!(is_expired(
            &StoredItem(bytes::Bytes::from_static(b"{}")),
            0.0
        ));
    }
}
