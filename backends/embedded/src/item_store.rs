//! `ItemStore` on redb: point and range reads in read transactions, writes through the
//! group-commit writer.

use crate::batch::ItemTables;
use crate::schema::{item_key, prefix_end, range_bounds, ITEMS, TABLE_STATS};
use crate::store::{backend, EmbeddedStore};
use async_trait::async_trait;
use bytes::Bytes;
use extenddb_core::error::{ApiError, StoreError};
use extenddb_core::traits::{
    ItemKey, ItemStore, KeyRange, Page, Readiness, StoredItem, TableStats, WriteDecider, WriteOp,
    WriteOutcome,
};
use redb::{AccessGuard, ReadOnlyTable, ReadableTable};
use std::ops::Bound;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Width of the storage-id prefix of every items key.
const SID_LEN: usize = 8;

type Entry<'a> = Result<
    (
        AccessGuard<'a, &'static [u8]>,
        AccessGuard<'a, &'static [u8]>,
    ),
    redb::StorageError,
>;

#[async_trait]
impl ItemStore for EmbeddedStore {
    async fn get(&self, key: &ItemKey) -> Result<Option<StoredItem>, StoreError> {
        let k = item_key(key.storage_id, &key.key);
        self.read_point(|txn| {
            let items = txn.open_table(ITEMS).map_err(backend)?;
            let found = items.get(k.as_slice()).map_err(backend)?;
            Ok(found.map(|v| StoredItem(Bytes::copy_from_slice(v.value()))))
        })
    }

    async fn range(
        &self,
        storage_id: u64,
        range: &KeyRange,
        forward: bool,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Page, StoreError> {
        let Some((lo, hi)) = range_bounds(storage_id, &range.prefix, &range.lower, &range.upper)
        else {
            return Ok(Page::default());
        };
        // A small page (a Query of one partition, the usual case) is read right here, in the
        // same way as a point read: the hop through the blocking pool would cost more than
        // the read. Only a page that goes on past the inline budget moves the rest of the
        // walk, in the same read transaction (same snapshot), to the blocking pool.
        let txn = self.begin_read()?;
        let first = {
            let items = txn.open_table(ITEMS).map_err(backend)?;
            let inline_limit = limit.min(INLINE_ITEMS);
            let inline_bytes = max_bytes.min(INLINE_BYTES);
            read_range(&items, (&lo, &hi), forward, inline_limit, inline_bytes)?
        };
        let read_bytes: usize = first.items.iter().map(|(_, i)| i.as_bytes().len()).sum();
        let done = !first.more || first.items.len() >= limit || read_bytes >= max_bytes;
        let Some((last, _)) = first.items.last().filter(|_| !done) else {
            return Ok(first);
        };
        let resume = Bound::Excluded(item_key(storage_id, last));
        let (lo, hi) = if forward { (resume, hi) } else { (lo, resume) };
        let (limit, max_bytes) = (limit - first.items.len(), max_bytes - read_bytes);
        let rest = tokio::task::spawn_blocking(move || {
            let items = txn.open_table(ITEMS).map_err(backend)?;
            read_range(&items, (&lo, &hi), forward, limit, max_bytes)
        })
        .await
        .map_err(|e| StoreError::Backend(format!("read task failed: {e}")))??;
        let mut page = first;
        page.items.extend(rest.items);
        page.more = rest.more;
        Ok(page)
    }

    async fn write(
        &self,
        reads: Vec<ItemKey>,
        decide: WriteDecider,
    ) -> Result<WriteOutcome, ApiError> {
        self.write_items(move |tables| apply_write(tables, &reads, decide))
            .await
    }

    async fn drop_table(&self, storage_id: u64) -> Result<(), StoreError> {
        self.write_txn(move |txn| {
            let start = storage_id.to_be_bytes().to_vec();
            let end = prefix_end(&start);
            let mut items = txn.open_table(ITEMS)?;
            let upper = end.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
            items
                .retain_in::<&[u8], _>((Bound::Included(start.as_slice()), upper), |_, _| false)?;
            txn.open_table(TABLE_STATS)?.remove(storage_id)?;
            Ok(Ok(()))
        })
        .await
    }

    /// One write transaction of the group-commit writer (redb has one writer at a time), so
    /// the copies see exactly the transactions committed before it; writes wait meanwhile.
    async fn copy_tables(&self, pairs: &[(u64, u64)]) -> Result<Vec<TableStats>, StoreError> {
        let pairs = pairs.to_vec();
        self.write_txn(move |txn| {
            let mut items = txn.open_table(ITEMS)?;
            let mut stats = txn.open_table(TABLE_STATS)?;
            let mut out = Vec::with_capacity(pairs.len());
            for (from, to) in pairs {
                let start = from.to_be_bytes().to_vec();
                let end = prefix_end(&start);
                let upper = end.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
                let mut copies: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
                for entry in items.range::<&[u8]>((Bound::Included(start.as_slice()), upper))? {
                    let (k, v) = entry?;
                    let key = k.value().get(SID_LEN..).unwrap_or_default();
                    copies.push((item_key(to, key), v.value().to_vec()));
                }
                let mut s = TableStats::default();
                for (k, v) in &copies {
                    s.item_count += 1;
                    s.size_bytes += v.len() as u64;
                    items.insert(k.as_slice(), v.as_slice())?;
                }
                let (c, b) = stats.get(to)?.map_or((0, 0), |v| v.value());
                stats.insert(to, (c + s.item_count, b + s.size_bytes))?;
                out.push(s);
            }
            Ok(Ok(out))
        })
        .await
    }

    async fn stats(&self, storage_id: u64) -> Result<TableStats, StoreError> {
        self.read_point(|txn| {
            let stats = txn.open_table(TABLE_STATS).map_err(backend)?;
            let (item_count, size_bytes) = stats
                .get(storage_id)
                .map_err(backend)?
                .map_or((0, 0), |v| v.value());
            Ok(TableStats {
                item_count,
                size_bytes,
            })
        })
    }

    async fn readiness(&self) -> Readiness {
        self.check_ready().await
    }
}

/// Items a range read takes on the calling thread before it moves to the blocking pool.
const INLINE_ITEMS: usize = 32;
/// Bytes a range read takes on the calling thread before it moves to the blocking pool.
const INLINE_BYTES: usize = 32 * 1024;

/// Reads one page of `items` between `bounds` (full keys) in the requested direction.
fn read_range(
    items: &ReadOnlyTable<&'static [u8], &'static [u8]>,
    (lo, hi): (&Bound<Vec<u8>>, &Bound<Vec<u8>>),
    forward: bool,
    limit: usize,
    max_bytes: usize,
) -> Result<Page, StoreError> {
    let bounds = (
        lo.as_ref().map(Vec::as_slice),
        hi.as_ref().map(Vec::as_slice),
    );
    let iter = items.range::<&[u8]>(bounds).map_err(backend)?;
    if forward {
        collect_page(iter, limit, max_bytes)
    } else {
        collect_page(iter.rev(), limit, max_bytes)
    }
}

/// Takes items from `iter` (already in the requested direction) until `limit` items or
/// `max_bytes` bytes, then looks one entry further to set `more`.
fn collect_page<'a>(
    mut iter: impl Iterator<Item = Entry<'a>>,
    limit: usize,
    max_bytes: usize,
) -> Result<Page, StoreError> {
    let mut page = Page::default();
    let mut bytes = 0usize;
    loop {
        if page.items.len() >= limit || bytes >= max_bytes {
            page.more = iter.next().transpose().map_err(backend)?.is_some();
            return Ok(page);
        }
        let Some(entry) = iter.next() else {
            return Ok(page);
        };
        let (k, v) = entry.map_err(backend)?;
        let item = Bytes::copy_from_slice(v.value());
        bytes += item.len();
        let key = k.value().get(SID_LEN..).unwrap_or_default().to_vec();
        page.items.push((key, StoredItem(item)));
    }
}

/// One write request inside the batch transaction: read, decide, and only if the decider
/// agreed, write and keep the table stats exact (summed over the batch, see `batch`).
fn apply_write(
    tables: &mut ItemTables<'_>,
    reads: &[ItemKey],
    decide: WriteDecider,
) -> Result<Result<WriteOutcome, ApiError>, redb::Error> {
    let mut before = Vec::with_capacity(reads.len());
    for k in reads {
        let found = tables
            .items
            .get(item_key(k.storage_id, &k.key).as_slice())?;
        before.push(found.map(|v| StoredItem(Bytes::copy_from_slice(v.value()))));
    }
    // A panicking decider must not take the writer thread (and every other request) down.
    let writes = match catch_unwind(AssertUnwindSafe(|| decide(&before))) {
        Ok(Ok(writes)) => writes,
        Ok(Err(refused)) => return Ok(Err(refused)),
        Err(_) => {
            tracing::error!("a write decider panicked; nothing was written");
            return Ok(Err(ApiError::Internal("Internal server error".to_string())));
        }
    };
    for op in &writes {
        match op {
            WriteOp::Put { key, item } => {
                let k = item_key(key.storage_id, &key.key);
                let old_len = tables
                    .items
                    .insert(k.as_slice(), item.as_bytes())?
                    .map(|g| g.value().len() as i64);
                let bytes = item.as_bytes().len() as i64 - old_len.unwrap_or(0);
                tables.add_stats(key.storage_id, i64::from(old_len.is_none()), bytes);
            }
            WriteOp::Delete { key } => {
                let k = item_key(key.storage_id, &key.key);
                let old_len = tables
                    .items
                    .remove(k.as_slice())?
                    .map(|g| g.value().len() as i64);
                if let Some(len) = old_len {
                    tables.add_stats(key.storage_id, -1, -len);
                }
            }
            WriteOp::StreamAppend {
                log_id,
                record,
                at_ms,
                policy,
            } => {
                tables.stream_append(*log_id, record, *at_ms, *policy)?;
            }
        }
    }
    Ok(Ok(WriteOutcome { before, writes }))
}
