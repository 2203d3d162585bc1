//! The write transaction of one group commit, as its jobs see it.
//!
//! Most jobs of a busy batch are item writes. Opening a redb table costs a lookup in the table
//! tree and a handle per call, and updating the `table_stats` row costs a read and a write, so
//! the item writes of a batch share one open `items` table and one open `table_stats` table
//! and add their count and size changes to per-table sums that are written once. A job that
//! needs the raw transaction (catalog, counters, settings, dropping a table) first closes the
//! shared tables, which writes the pending sums, so it sees exact stats and may open any table
//! itself; the commit does the same before it runs.

use crate::schema::{ITEMS, TABLE_STATS};
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
}

impl ItemTables<'_> {
    /// Records that table `storage_id` gained `count` items and `bytes` bytes (either may be
    /// negative); written to `table_stats` when the tables close.
    pub(crate) fn add_stats(&mut self, storage_id: u64, count: i64, bytes: i64) {
        let d = self.deltas.entry(storage_id).or_default();
        d.0 += count;
        d.1 += bytes;
    }

    /// Writes the pending stats changes.
    fn flush(&mut self) -> Result<(), redb::Error> {
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
