//! The layout of one stream's log in the item store, and the shard bookkeeping both backends
//! share.
//!
//! A stream's records live under a storage id of their own (`TableStream::log_id`), so the
//! ordinary `ItemStore` reads serve GetRecords and DescribeStream, `drop_table` removes a
//! stream whole, and a table's deletion queues its logs with its other storage. Keys:
//!
//! | key | value |
//! |---|---|
//! | `0x00 ‖ seq (u64 BE)` | one record (`record::StoredRecord` bytes) |
//! | `0x01 ‖ shard index (u32 BE)` | a closed shard (`ShardMeta` JSON) |
//! | `0x02` | the head: next sequence number and the open shard (`Head` JSON) |
//! | `0x03` | the trim mark: records below it may be gone (`TrimMark` JSON) |
//!
//! Sequence numbers count up from 1 in the order records are *sequenced*, which each backend
//! makes its commit order (the embedded writer sequences as it commits; PostgreSQL appends to
//! a pending table and a sequencer orders what has committed, see the backend). Only the
//! sequencing step writes the head and shard keys; only the trimmer writes the trim mark.
//! One shard is open at a time: it closes when it holds `ShardPolicy::max_records` records or
//! has been open `max_age_ms` at the next append, and its child starts at the next sequence
//! number and names it as parent.

use crate::error::StoreError;
pub use crate::model::stream::ShardPolicy;
use crate::traits::{ItemKey, StoredItem, WriteOp};
use bytes::Bytes;
use serde::{Deserialize, Serialize};

/// Tag of record keys.
pub const RECORD_TAG: u8 = 0x00;
/// Tag of closed-shard keys.
pub const SHARD_TAG: u8 = 0x01;
/// The head's key.
pub const HEAD_KEY: &[u8] = &[0x02];
/// The trim mark's key.
pub const TRIM_KEY: &[u8] = &[0x03];

/// The key of the record with sequence number `seq`.
pub fn record_key(seq: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(9);
    k.push(RECORD_TAG);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// The sequence number of a record key, if `key` is one.
pub fn record_seq(key: &[u8]) -> Option<u64> {
    match key {
        [RECORD_TAG, rest @ ..] => rest.try_into().ok().map(u64::from_be_bytes),
        _ => None,
    }
}

/// The key of the closed shard `index`.
pub fn shard_key(index: u32) -> Vec<u8> {
    let mut k = Vec::with_capacity(5);
    k.push(SHARD_TAG);
    k.extend_from_slice(&index.to_be_bytes());
    k
}

/// The sequencing state of a log. Absent until the first record: `Head::initial` then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    /// The sequence number the next record gets.
    pub next_seq: u64,
    /// The open shard.
    pub open: ShardMeta,
    /// Records in the open shard.
    pub open_count: u64,
}

/// One shard: its index (ordering its ShardId), creation time, sequence-number range and
/// parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardMeta {
    /// Position in the stream's lineage (0 for the first shard).
    pub index: u32,
    /// When the shard opened, milliseconds since the epoch.
    pub created_ms: u64,
    /// StartingSequenceNumber.
    pub start: u64,
    /// EndingSequenceNumber, once closed.
    pub end: Option<u64>,
    /// The parent shard's creation time (its ShardId), for every shard but the first.
    #[serde(default)]
    pub parent_ms: Option<u64>,
}

/// Records below `below` may have been trimmed (TrimmedDataAccessException).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TrimMark {
    /// The lowest sequence number still guaranteed to be readable.
    pub below: u64,
}

impl Head {
    /// The head of a log nothing was appended to: shard 0 opened when the stream was created.
    pub fn initial(created_ms: u64) -> Head {
        Head {
            next_seq: 1,
            open: ShardMeta {
                index: 0,
                created_ms,
                start: 1,
                end: None,
                parent_ms: None,
            },
            open_count: 0,
        }
    }

    /// Sequences one record appended at `at_ms`: answers its sequence number and, when the
    /// open shard rolled over first, the closed shard to store under `shard_key`.
    pub fn append(&mut self, at_ms: u64, policy: ShardPolicy) -> (u64, Option<ShardMeta>) {
        let full = self.open_count >= policy.max_records.max(1);
        let old = at_ms.saturating_sub(self.open.created_ms) >= policy.max_age_ms;
        let mut closed = None;
        if self.open_count > 0 && (full || old) {
            let mut done = self.open;
            done.end = Some(self.next_seq - 1);
            closed = Some(done);
            // ShardIds sort by creation time: a child never shares its parent's millisecond.
            self.open = ShardMeta {
                index: done.index + 1,
                created_ms: at_ms.max(done.created_ms + 1),
                start: self.next_seq,
                end: None,
                parent_ms: Some(done.created_ms),
            };
            self.open_count = 0;
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.open_count += 1;
        (seq, closed)
    }

    /// Decodes a stored head.
    pub fn decode(item: &StoredItem) -> Result<Head, StoreError> {
        serde_json::from_slice(item.as_bytes()).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// The head as stored.
    pub fn encode(&self) -> StoredItem {
        StoredItem(Bytes::from(serde_json::to_vec(self).unwrap_or_default()))
    }
}

impl ShardMeta {
    /// Decodes a stored closed shard.
    pub fn decode(item: &StoredItem) -> Result<ShardMeta, StoreError> {
        serde_json::from_slice(item.as_bytes()).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// The shard as stored.
    pub fn encode(&self) -> StoredItem {
        StoredItem(Bytes::from(serde_json::to_vec(self).unwrap_or_default()))
    }

    /// The writes storing this closed shard in log `log_id`.
    pub fn write(&self, log_id: u64) -> WriteOp {
        WriteOp::Put {
            key: ItemKey {
                storage_id: log_id,
                key: shard_key(self.index),
            },
            item: self.encode(),
        }
    }
}

impl TrimMark {
    /// Decodes a stored trim mark.
    pub fn decode(item: &StoredItem) -> Result<TrimMark, StoreError> {
        serde_json::from_slice(item.as_bytes()).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// The mark as stored.
    pub fn encode(&self) -> StoredItem {
        StoredItem(Bytes::from(serde_json::to_vec(self).unwrap_or_default()))
    }
}

/// The write that starts log `log_id` of a stream created at `created_ms`: its head, with
/// shard 0 open. Written when the stream is enabled, before the catalog names the log, so
/// every sequencer finds it.
pub fn start(log_id: u64, created_ms: u64) -> WriteOp {
    WriteOp::Put {
        key: head_key(log_id),
        item: Head::initial(created_ms).encode(),
    }
}

/// The key of log `log_id`'s head.
pub fn head_key(log_id: u64) -> ItemKey {
    ItemKey {
        storage_id: log_id,
        key: HEAD_KEY.to_vec(),
    }
}

/// A record's sequence number as the API shows it: decimal, 21 digits or more (DynamoDB's
/// are 21–40), increasing with `seq`.
pub fn display_seq(seq: u64) -> String {
    format!("1{seq:020}")
}

/// The sequence number a displayed one stands for; `None` unless it is one `display_seq` made.
pub fn parse_seq(text: &str) -> Option<u64> {
    let digits = text.strip_prefix('1')?;
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: ShardPolicy = ShardPolicy {
        max_records: 3,
        max_age_ms: 1000,
    };

    #[test]
    fn sequence_numbers_count_up_and_shards_roll_over_by_count() {
        let mut h = Head::initial(100);
        let seqs: Vec<u64> = (0..3).map(|_| h.append(100, POLICY).0).collect();
        assert_eq!(seqs, vec![1, 2, 3]);
        let (seq, closed) = h.append(100, POLICY);
        assert_eq!(seq, 4);
        let closed = closed.unwrap();
        assert_eq!((closed.index, closed.start, closed.end), (0, 1, Some(3)));
        assert_eq!((h.open.index, h.open.start, h.open.created_ms), (1, 4, 101));
        assert_eq!(h.open.parent_ms, Some(100));
        assert_eq!(h.open_count, 1);
    }

    #[test]
    fn shards_roll_over_by_age_but_never_empty() {
        let mut h = Head::initial(0);
        assert!(
            h.append(5000, POLICY).1.is_none(),
            "an empty shard never closes"
        );
        let (seq, closed) = h.append(6001, POLICY);
        assert_eq!(seq, 2);
        assert_eq!(closed.unwrap().end, Some(1));
        assert_eq!((h.open.start, h.open.created_ms), (2, 6001));
    }

    #[test]
    fn displayed_sequence_numbers_are_decimal_ordered_and_parse_back() {
        let a = display_seq(9);
        let b = display_seq(10);
        assert_eq!(a.len(), 21);
        assert!(a.bytes().all(|c| c.is_ascii_digit()));
        assert!(a.parse::<u128>().unwrap() < b.parse::<u128>().unwrap());
        assert_eq!(parse_seq(&a), Some(9));
        assert_eq!(parse_seq(&display_seq(u64::MAX)), Some(u64::MAX));
        assert_eq!(
            parse_seq("sdfsafglldfngjdafnasdflgnaldklkafdsgklnasdlv"),
            None
        );
        assert_eq!(parse_seq("200000000000000000001"), None);
    }

    #[test]
    fn record_keys_sort_by_sequence_and_parse_back() {
        assert!(record_key(255) < record_key(256));
        assert_eq!(record_seq(&record_key(77)), Some(77));
        assert_eq!(record_seq(&shard_key(1)), None);
        assert!(record_key(u64::MAX) < shard_key(0));
    }
}
