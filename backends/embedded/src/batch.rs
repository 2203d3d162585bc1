//! The write transaction of one group commit, as its jobs see it.
//!
//! Most jobs of a busy batch are item writes. Opening a redb table costs a lookup in the table
//! tree and a handle per call, and updating the `table_stats` row costs a read and a write, so
//! the item writes of a batch share one open `items` table and one open `table_stats` table
//! and add their count and size changes to per-table sums that are written once. A job that
//! needs the raw transaction (catalog, counters, settings, dropping a table) first closes the
//! shared tables, which writes the pending sums, so it sees exact stats and may open any table
//! itself; the commit does the same before it runs.
//!
//! Stream appends (`WriteOp::StreamAppend`) are sequenced here, in commit order — the writer
//! runs one job after another and a batch commits whole — against the stream log's head
//! (`extenddb_core::streams::log`), which is kept in memory for the batch like the stats and
//! written once when the tables close.

use crate::schema::{item_key, ITEMS, TABLE_STATS};
use extenddb_core::model::stream::ShardPolicy;
use extenddb_core::streams::log::{record_key, Head, HEAD_KEY};
use redb::{ReadableTable, Table, WriteTransaction};
use std::collections::BTreeMap;

/// One batch's write transaction plus the item tables its item writes share.
pub(crate) struct Batch<'t> {
    txn: &'t WriteTransaction,
    open: Option<ItemTables<'t>>,
}

/// The `items` and `table_stats` tables opened once for consecutive item writes.
pub(crate) struct ItemTables<'t> {
    /// The items of every table (see `schema`).
    pub(crate) items: Table<'t, &'static [u8], &'static [u8]>,
    stats: Table<'t, u64, (u64, u64)>,
    /// Item count and byte changes per storage id, not yet written to `stats`.
    deltas: BTreeMap<u64, (i64, i64)>,
    /// Stream log heads changed by this batch, not yet written to `items`.
    heads: BTreeMap<u64, Head>,
}

impl ItemTables<'_> {
    /// Records that table `storage_id` gained `count` items and `bytes` bytes (either may be
    /// negative); written to `table_stats` when the tables close.
    pub(crate) fn add_stats(&mut self, storage_id: u64, count: i64, bytes: i64) {
        let d = self.deltas.entry(storage_id).or_default();
        d.0 += count;
        d.1 += bytes;
    }

    /// Sequences one stream record into log `log_id`: the log's next sequence number (rolling
    /// its open shard over by `policy` first when due, storing the closed shard), the record
    /// under it. Answers the sequence number.
    pub(crate) fn stream_append(
        &mut self,
        log_id: u64,
        record: &[u8],
        at_ms: u64,
        policy: ShardPolicy,
    ) -> Result<u64, redb::Error> {
        let head = match self.heads.get(&log_id) {
            Some(h) => *h,
            None => self.read_head(log_id, at_ms)?,
        };
        let mut head = head;
        let (seq, closed) = head.append(at_ms, policy);
        if let Some(shard) = closed {
            let k = item_key(log_id, &extenddb_core::streams::log::shard_key(shard.index));
            let v = shard.encode();
            let old = self
                .items
                .insert(k.as_slice(), v.as_bytes())?
                .map(|g| g.value().len() as i64);
            self.add_stats(
                log_id,
                i64::from(old.is_none()),
                v.as_bytes().len() as i64 - old.unwrap_or(0),
            );
        }
        let k = item_key(log_id, &record_key(seq));
        self.items.insert(k.as_slice(), record)?;
        self.add_stats(log_id, 1, record.len() as i64);
        self.heads.insert(log_id, head);
        Ok(seq)
    }

    fn read_head(&self, log_id: u64, at_ms: u64) -> Result<Head, redb::Error> {
        let k = item_key(log_id, HEAD_KEY);
        let found = self.items.get(k.as_slice())?;
        Ok(match found {
            Some(v) => serde_json::from_slice(v.value()).unwrap_or_else(|_| Head::initial(at_ms)),
            // Streams start their log when enabled; a missing head starts here.
            None => Head::initial(at_ms),
        })
    }

    /// Writes the pending stats changes and stream heads.
    fn flush(&mut self) -> Result<(), redb::Error> {
        for (log_id, head) in std::mem::take(&mut self.heads) {
            let k = item_key(log_id, HEAD_KEY);
            let v = head.encode();
            let old = self
                .items
                .insert(k.as_slice(), v.as_bytes())?
                .map(|g| g.value().len() as i64);
            self.add_stats(
                log_id,
                i64::from(old.is_none()),
                v.as_bytes().len() as i64 - old.unwrap_or(0),
            );
        }
        for (sid, (dc, db)) in std::mem::take(&mut self.deltas) {
            if (dc, db) == (0, 0) {
                continue;
            }
            let (c, b) = self.stats.get(sid)?.map_or((0, 0), |v| v.value());
            let next = (c.saturating_add_signed(dc), b.saturating_add_signed(db));
            self.stats.insert(sid, next)?;
        }
        Ok(())
    }
}

impl<'t> Batch<'t> {
    /// A batch over `txn` with no table open yet.
    pub(crate) fn new(txn: &'t WriteTransaction) -> Self {
        Batch { txn, open: None }
    }

    /// The shared item tables, opened on first use.
    pub(crate) fn item_tables(&mut self) -> Result<&mut ItemTables<'t>, redb::Error> {
        let tables = match self.open.take() {
            Some(tables) => tables,
            None => ItemTables {
                items: self.txn.open_table(ITEMS)?,
                stats: self.txn.open_table(TABLE_STATS)?,
                deltas: BTreeMap::new(),
                heads: BTreeMap::new(),
            },
        };
        Ok(self.open.insert(tables))
    }

    /// Writes the pending stats and closes the shared tables; then the raw transaction is
    /// free for a job that opens tables itself, or for the commit.
    pub(crate) fn close(&mut self) -> Result<&'t WriteTransaction, redb::Error> {
        if let Some(mut tables) = self.open.take() {
            tables.flush()?;
        }
        Ok(self.txn)
    }
}
