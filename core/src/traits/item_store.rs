//! `ItemStore`: the items of every table, addressed by storage id and encoded key.
//!
//! Stores deal only in bytes: keys come from `model::key_encoding` (so byte order is DynamoDB
//! order) and items are opaque `StoredItem`s that core encodes and decodes. A write runs as one
//! backend transaction: lock and read the keys named, hand the current items to core's
//! `WriteDecider` (condition checks, update logic), then apply the writes it returns — so a
//! condition can never be checked against a stale item, and a transaction is all or nothing.

use crate::error::{ApiError, StoreError};
use crate::model::stream::ShardPolicy;
use crate::model::Item;
use async_trait::async_trait;
use bytes::Bytes;
use std::ops::Bound;

/// An item in its stored form (DynamoDB JSON of the item, normalized), produced by core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredItem(pub Bytes);

impl StoredItem {
    /// Encodes an item for storage.
    pub fn encode(item: &Item) -> StoredItem {
        StoredItem(Bytes::from(serde_json::to_vec(item).unwrap_or_default()))
    }

    /// Decodes a stored item.
    pub fn decode(&self) -> Result<Item, StoreError> {
        serde_json::from_slice(&self.0).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// The stored bytes (valid DynamoDB JSON of the item).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Where one item lives: its table's storage id and its encoded primary key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemKey {
    /// `TableDefinition::storage_id` of the table.
    pub storage_id: u64,
    /// The encoded primary key (`model::key_encoding::item_key`).
    pub key: Vec<u8>,
}

/// One write decided by core.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOp {
    /// Insert or replace the item at `key`.
    Put {
        /// Where.
        key: ItemKey,
        /// The new item.
        item: StoredItem,
    },
    /// Remove the item at `key` (no-op if absent).
    Delete {
        /// Where.
        key: ItemKey,
    },
    /// Append a stream record to the log `log_id` (`streams::log`): the backend gives it the
    /// log's next sequence number so that numbers follow commit order — the embedded writer
    /// as it commits, PostgreSQL through its sequencer after commit (`sequence_stream`) — and
    /// rolls the log's open shard over by `policy` (`streams::log::Head::append`).
    StreamAppend {
        /// The stream's log (`TableStream::log_id`).
        log_id: u64,
        /// The stored record (`streams::record`).
        record: Bytes,
        /// When the change was made, milliseconds since the epoch (shard ages).
        at_ms: u64,
        /// When the open shard closes.
        policy: ShardPolicy,
    },
}

impl WriteOp {
    /// The item the write puts or deletes (`None` for a stream append, which names no key).
    pub fn key(&self) -> Option<&ItemKey> {
        match self {
            WriteOp::Put { key, .. } | WriteOp::Delete { key } => Some(key),
            WriteOp::StreamAppend { .. } => None,
        }
    }
}

/// Core's logic between the locked read and the write: given the current item for each key
/// read (same order), return the writes to apply, or an error that aborts the transaction with
/// nothing written.
pub type WriteDecider =
    Box<dyn FnOnce(&[Option<StoredItem>]) -> Result<Vec<WriteOp>, ApiError> + Send>;

/// What a committed write transaction read and wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteOutcome {
    /// The items as they were before the transaction, one per key read.
    pub before: Vec<Option<StoredItem>>,
    /// The writes that were applied.
    pub writes: Vec<WriteOp>,
}

/// A key range inside one partition (or a whole table for scans).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRange {
    /// Every key in the range starts with this prefix (e.g. a partition prefix).
    pub prefix: Vec<u8>,
    /// Lower bound on the full key.
    pub lower: Bound<Vec<u8>>,
    /// Upper bound on the full key.
    pub upper: Bound<Vec<u8>>,
}

impl KeyRange {
    /// A whole table's keys after `after` (from its first key when `None`): the range a
    /// background pass over a table (GSI backfill, TTL sweep) reads page by page.
    pub fn table_after(after: Option<Vec<u8>>) -> KeyRange {
        KeyRange {
            prefix: Vec::new(),
            lower: after.map_or(Bound::Unbounded, Bound::Excluded),
            upper: Bound::Unbounded,
        }
    }
}

/// One page of a range read, in the requested direction.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    /// `(encoded key, item)` pairs.
    pub items: Vec<(Vec<u8>, StoredItem)>,
    /// True when the range holds more items past the last one returned.
    pub more: bool,
}

/// Approximate counts DescribeTable reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TableStats {
    /// Number of items.
    pub item_count: u64,
    /// Sum of stored item sizes in bytes.
    pub size_bytes: u64,
}

/// How a store's connection pool is used, for metrics and readiness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolStatus {
    /// Connections serving a request now.
    pub in_use: u32,
    /// Open connections waiting for work.
    pub idle: u32,
    /// The most connections the pool opens.
    pub max: u32,
}

/// Whether a store can serve requests now (the readiness endpoint, `extenddb status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// Reachable and writable.
    Ready,
    /// Not able to serve requests now; the text tells an operator why (it may name paths and
    /// hosts, so it goes to the operator's endpoints and logs, never into a DynamoDB answer).
    NotReady(String),
}

impl Readiness {
    /// True for `Ready`.
    pub fn is_ready(&self) -> bool {
        matches!(self, Readiness::Ready)
    }
}

/// Storage of items. Implemented by each backend; every implementation passes the shared
/// backend test suite.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait ItemStore: Send + Sync {
    /// Reads one item without locking it.
    async fn get(&self, key: &ItemKey) -> Result<Option<StoredItem>, StoreError>;

    /// Reads up to `limit` items of one table inside `range`, ascending when `forward`,
    /// stopping early once `max_bytes` of stored items were returned.
    async fn range(
        &self,
        storage_id: u64,
        range: &KeyRange,
        forward: bool,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Page, StoreError>;

    /// Runs one write transaction: locks and reads `reads` (any tables), calls `decide` with the
    /// current items, applies its writes and commits durably before returning. If `decide`
    /// fails nothing is written and its error is returned.
    async fn write(
        &self,
        reads: Vec<ItemKey>,
        decide: WriteDecider,
    ) -> Result<WriteOutcome, ApiError>;

    /// Applies writes that depend on nothing stored (no condition, no index maintenance, no
    /// old item wanted), serialized with `write` transactions on the same keys exactly as a
    /// `write` that reads nothing. Backends may do it in fewer round trips; the default is
    /// that `write`.
    async fn write_unconditional(&self, writes: Vec<WriteOp>) -> Result<(), ApiError> {
        self.write(Vec::new(), Box::new(move |_| Ok(writes)))
            .await
            .map(|_| ())
    }

    /// Orders the records appended to the stream log `log_id` whose transactions have
    /// committed and not been ordered yet, giving them sequence numbers after every number
    /// handed out before; records of one key keep their commit order. Stores that number
    /// records as they commit (the default) have nothing to do. Readers call it before
    /// reading the log's end, so what they read is everything committed before. Shards
    /// roll over by `policy` as in `WriteOp::StreamAppend`.
    async fn sequence_stream(&self, log_id: u64, policy: ShardPolicy) -> Result<(), StoreError> {
        let _ = (log_id, policy);
        Ok(())
    }

    /// Removes every item of a table (DeleteTable).
    async fn drop_table(&self, storage_id: u64) -> Result<(), StoreError>;

    /// Copies the items of each `(from, to)` pair of storage ids to `to`, which must hold
    /// nothing, all as of ONE instant: every write transaction is either wholly in the copies
    /// or wholly absent from them, while writes to `from` go on (CreateBackup,
    /// RestoreTableFromBackup). Sets `to`'s item count and size; answers them, one per pair.
    async fn copy_tables(&self, pairs: &[(u64, u64)]) -> Result<Vec<TableStats>, StoreError>;

    /// Item count and size of a table.
    async fn stats(&self, storage_id: u64) -> Result<TableStats, StoreError>;

    /// The connection pool's use, for stores that have one.
    fn pool_status(&self) -> Option<PoolStatus> {
        None
    }

    /// Checks that the store can serve requests now: its database answers, a connection can
    /// be had, its schema is current, it can write. Bounded in time by the caller; called
    /// about once a second by the server's health monitor, so it must be cheap when healthy.
    async fn readiness(&self) -> Readiness {
        Readiness::Ready
    }

    /// Where reads that accept eventual consistency may go (GetItem, Query, Scan and
    /// BatchGetItem without ConsistentRead, and every GSI read): a store that serves them
    /// from replicas within a bounded lag, falling back to this one. `None` (the default):
    /// this store serves them too. Use `reads_for` rather than calling it.
    fn eventual_reads(&self) -> Option<std::sync::Arc<dyn ItemStore>> {
        None
    }
}

/// The store a read goes to (`reads_for`); derefs to it.
pub enum Reader<'a> {
    /// The store itself.
    Same(&'a dyn ItemStore),
    /// Its reader for eventually consistent reads.
    Eventual(std::sync::Arc<dyn ItemStore>),
}

impl<'a> std::ops::Deref for Reader<'a> {
    type Target = dyn ItemStore + 'a;

    fn deref(&self) -> &Self::Target {
        match self {
            Reader::Same(s) => *s,
            Reader::Eventual(s) => s.as_ref(),
        }
    }
}

/// The store a read goes to: `store` itself for a strongly consistent read, its
/// `eventual_reads` (when it has one) otherwise.
pub fn reads_for(store: &dyn ItemStore, consistent: bool) -> Reader<'_> {
    if consistent {
        return Reader::Same(store);
    }
    match store.eventual_reads() {
        Some(r) => Reader::Eventual(r),
        None => Reader::Same(store),
    }
}
