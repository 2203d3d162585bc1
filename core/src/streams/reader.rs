//! Reading a stream's log through the `ItemStore`: its head and trim mark (a `LogView`), its
//! shards, and pages of records between two sequence numbers.
//!
//! The view is read *before* the records and bounds them: an open shard is read only up to
//! the head's last sequence number, so records sequenced after the view (possibly into a
//! child shard) are never handed out under the parent's iterator. GetRecords needs the view
//! and one shard (two point reads and at most one more); only DescribeStream lists them all.

use super::log::{
    head_key, record_key, record_seq, shard_key, Head, ShardMeta, TrimMark, RECORD_TAG, SHARD_TAG,
    TRIM_KEY,
};
use crate::error::StoreError;
use crate::model::key_encoding::prefix_successor;
use crate::model::stream::ShardPolicy;
use crate::traits::{ItemKey, ItemStore, KeyRange, StoredItem};
use std::ops::Bound;

/// Most closed shards a listing returns (24 hours of shards at the default policy are far
/// fewer; older ones are trimmed).
const MAX_SHARDS: usize = 100_000;

/// One stream log's head and trim mark as they stood when read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogView {
    /// The sequencing state (its `open` shard is the open one).
    pub head: Head,
    /// Records below `trim.below` may be gone.
    pub trim: TrimMark,
    /// Whether the stream is closed (disabled): its open shard is then shown closed.
    pub closed: bool,
}

/// Reads the view of log `log_id` of a stream created at `created_ms` (`closed` when the
/// stream is disabled). With a `policy`, the store first sequences what has committed
/// (`ItemStore::sequence_stream`), so the view covers every change committed before the call.
pub async fn view(
    store: &dyn ItemStore,
    log_id: u64,
    created_ms: u64,
    policy: Option<ShardPolicy>,
    closed: bool,
) -> Result<LogView, StoreError> {
    if let Some(policy) = policy {
        store.sequence_stream(log_id, policy).await?;
    }
    let head = match store.get(&head_key(log_id)).await? {
        Some(item) => Head::decode(&item)?,
        None => Head::initial(created_ms),
    };
    let trim = match store
        .get(&ItemKey {
            storage_id: log_id,
            key: TRIM_KEY.to_vec(),
        })
        .await?
    {
        Some(item) => TrimMark::decode(&item)?,
        None => TrimMark::default(),
    };
    Ok(LogView { head, trim, closed })
}

impl LogView {
    /// The open shard as shown: closed (at its last record, or at its start when it holds
    /// none — no record ever has that number in it) when the stream is.
    pub fn open_shard(&self) -> ShardMeta {
        let mut open = self.head.open;
        if self.closed {
            open.end = Some(if self.head.open_count > 0 {
                self.head.next_seq - 1
            } else {
                open.start
            });
        }
        open
    }

    /// Whether `shard` still holds readable records (is not wholly below the trim mark).
    pub fn live(&self, shard: &ShardMeta) -> bool {
        shard.index == self.head.open.index || shard.end.is_none_or(|e| e >= self.trim.below)
    }

    /// The oldest position still readable in `shard` (TRIM_HORIZON).
    pub fn horizon(&self, shard: &ShardMeta) -> u64 {
        shard.start.max(self.trim.below)
    }

    /// The position just past the shard's last record as of this view (LATEST).
    pub fn latest(&self, shard: &ShardMeta) -> u64 {
        match shard.end {
            Some(end) => end + 1,
            None => self.head.next_seq,
        }
    }

    /// The highest sequence number `shard` holds as of this view.
    pub fn last_of(&self, shard: &ShardMeta) -> u64 {
        shard.end.unwrap_or(self.head.next_seq - 1)
    }

    /// Shard `index` of log `log_id` as of this view (`None` if it never existed or was
    /// trimmed away).
    pub async fn shard(
        &self,
        store: &dyn ItemStore,
        log_id: u64,
        index: u32,
    ) -> Result<Option<ShardMeta>, StoreError> {
        let open = self.open_shard();
        if index == open.index {
            return Ok(Some(open));
        }
        if index > open.index {
            return Ok(None);
        }
        let key = ItemKey {
            storage_id: log_id,
            key: shard_key(index),
        };
        Ok(match store.get(&key).await? {
            Some(item) => Some(ShardMeta::decode(&item)?).filter(|s| self.live(s)),
            None => None,
        })
    }

    /// Every shard still listed, oldest first.
    pub async fn shards(
        &self,
        store: &dyn ItemStore,
        log_id: u64,
    ) -> Result<Vec<ShardMeta>, StoreError> {
        let range = KeyRange {
            prefix: vec![SHARD_TAG],
            lower: Bound::Unbounded,
            upper: prefix_successor(&[SHARD_TAG]).map_or(Bound::Unbounded, Bound::Excluded),
        };
        let page = store
            .range(log_id, &range, true, MAX_SHARDS, usize::MAX)
            .await?;
        let open = self.open_shard();
        let mut out = Vec::with_capacity(page.items.len() + 1);
        for (_, item) in &page.items {
            let s = ShardMeta::decode(item)?;
            // A rollover sequenced after the head was read is not part of this view.
            if s.index < open.index && self.live(&s) {
                out.push(s);
            }
        }
        out.push(open);
        Ok(out)
    }
}

/// A page of records read from a log.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecordPage {
    /// `(sequence number, stored record)`, ascending.
    pub records: Vec<(u64, StoredItem)>,
    /// True when records between the last one returned and `to` were left for later.
    pub more: bool,
}

/// Up to `limit` records of log `log_id` numbered `from..=to`, stopping early after
/// `max_bytes` of stored records.
pub async fn read(
    store: &dyn ItemStore,
    log_id: u64,
    from: u64,
    to: u64,
    limit: usize,
    max_bytes: usize,
) -> Result<RecordPage, StoreError> {
    if from > to || limit == 0 {
        return Ok(RecordPage::default());
    }
    let range = KeyRange {
        prefix: vec![RECORD_TAG],
        lower: Bound::Included(record_key(from)),
        upper: Bound::Included(record_key(to)),
    };
    let page = store.range(log_id, &range, true, limit, max_bytes).await?;
    let records = page
        .items
        .into_iter()
        .filter_map(|(k, v)| record_seq(&k).map(|s| (s, v)))
        .collect();
    Ok(RecordPage {
        records,
        more: page.more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard(index: u32, start: u64, end: Option<u64>) -> ShardMeta {
        ShardMeta {
            index,
            created_ms: u64::from(index),
            start,
            end,
            parent_ms: index.checked_sub(1).map(u64::from),
        }
    }

    fn view_of(head: Head, below: u64, closed: bool) -> LogView {
        LogView {
            head,
            trim: TrimMark { below },
            closed,
        }
    }

    #[test]
    fn open_shard_positions_and_closing() {
        let mut head = Head::initial(0);
        head.open = shard(1, 4, None);
        head.next_seq = 6;
        head.open_count = 2;
        let v = view_of(head, 0, false);
        let open = v.open_shard();
        assert_eq!(open.end, None);
        assert_eq!(
            (v.latest(&open), v.last_of(&open), v.horizon(&open)),
            (6, 5, 4)
        );
        let closed = view_of(head, 0, true).open_shard();
        assert_eq!(closed.end, Some(5));
        assert_eq!(view_of(head, 0, true).latest(&closed), 6);
    }

    #[test]
    fn an_empty_closed_shard_ends_at_its_start_and_trimmed_shards_are_not_live() {
        let v = view_of(Head::initial(0), 0, true);
        assert_eq!(v.open_shard().end, Some(1));
        let mut head = Head::initial(0);
        head.open = shard(2, 9, None);
        head.next_seq = 9;
        let v = view_of(head, 6, false);
        assert!(!v.live(&shard(0, 1, Some(4))));
        assert!(v.live(&shard(1, 5, Some(8))));
        assert_eq!(v.horizon(&shard(1, 5, Some(8))), 6);
        assert_eq!(v.horizon(&v.open_shard()), 9);
    }
}
