//! The buckets of one resource — a table or GSI incarnation, in one direction — under one
//! lock: its own bucket and its partitions'. A request draws from its resource's own bucket
//! and one partition bucket, so one lock (one cache line moving between cores) serves both.
//!
//! Partition buckets live in `SHARDS` slabs by partition number. Once the throttler holds
//! `PARTITION_BUDGET` partition buckets in all, a slab about to add one first forgets those of
//! its buckets that refilled to full (a new one starts full, so nothing is lost): memory stays
//! bounded while buckets keep refilling, and one sweep covers one slab. The buckets of a
//! group no request reaches any more (a dropped table's) are forgotten by the throttler's
//! sweep of every group (`BucketThrottler::sweep_if_over`). A slot index found by
//! `admit` lets `charge` reach the same bucket without hashing; a slot is trusted only while it
//! still holds that partition's bucket.

use super::bucket::Bucket;
use super::limits::Limit;
use super::{PARTITION_BUDGET, SHARDS};
use hashbrown::HashTable;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// A bucket with the rate and capacity it last refilled at (for the sweep).
#[derive(Debug, Clone, Copy)]
struct Entry {
    bucket: Bucket,
    rate: f64,
    capacity: f64,
}

impl Entry {
    /// A bucket seen for the first time: this process's share of the limit's initial balance.
    fn new(limit: &Limit<'_>, share: f64, now: f64) -> Entry {
        Entry {
            bucket: Bucket::new(limit.initial * share, now),
            rate: limit.rate * share,
            capacity: limit.capacity * share,
        }
    }

    /// Brings the bucket up to `now` at the rates `limit` gives now (so UpdateTable applies
    /// at once).
    fn refresh(&mut self, limit: &Limit<'_>, share: f64, now: f64) -> &mut Bucket {
        self.rate = limit.rate * share;
        self.capacity = limit.capacity * share;
        self.bucket.refill(now, self.rate, self.capacity);
        &mut self.bucket
    }
}

/// Where a partition bucket sits: its slab and its bucket index in the slab's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    slab: usize,
    index: usize,
}

/// A partition's bucket.
#[derive(Debug, Clone, Copy)]
struct Cell {
    partition: u64,
    entry: Entry,
}

/// The hash of partition number `p` (Fibonacci hashing: one multiply, well spread).
fn hash_of(p: u64) -> u64 {
    p.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Partition buckets in a hash table whose bucket indices stay put until the table grows or
/// the bucket is forgotten: an index `admit` found is checked, not trusted.
#[derive(Debug, Default)]
struct Slab {
    table: HashTable<Cell>,
}

impl Slab {
    /// Partition `p`'s bucket and its index: at `hint` if the bucket there is still `p`'s,
    /// else looked up, else made with `make` (after forgetting the full ones when the
    /// throttler holds its budget); `held` counts the throttler's partition buckets.
    fn cell(
        &mut self,
        hint: Option<usize>,
        p: u64,
        now: f64,
        held: &AtomicUsize,
        make: impl FnOnce() -> Entry,
    ) -> (usize, &mut Entry) {
        let hash = hash_of(p);
        let index = hint
            .filter(|i| self.table.get_bucket(*i).is_some_and(|c| c.partition == p))
            .or_else(|| self.table.find_bucket_index(hash, |c| c.partition == p));
        let table = match index {
            Some(i) => match self.table.get_bucket_entry(i) {
                Ok(found) => return (i, &mut found.into_mut().entry),
                Err(absent) => absent.into_table(),
            },
            None => &mut self.table,
        };
        if held.load(Ordering::Relaxed) >= PARTITION_BUDGET {
            let forgotten = forget_full(table, now);
            held.fetch_sub(forgotten, Ordering::Relaxed);
        }
        held.fetch_add(1, Ordering::Relaxed);
        let cell = Cell {
            partition: p,
            entry: make(),
        };
        let added = table.insert_unique(hash, cell, |c| hash_of(c.partition));
        let i = added.bucket_index();
        (i, &mut added.into_mut().entry)
    }
}

/// Forgets every bucket of `table` that has refilled to full by `now`; answers how many.
fn forget_full(table: &mut HashTable<Cell>, now: f64) -> usize {
    let before = table.len();
    table.retain(|c| {
        let e = &mut c.entry;
        e.bucket.refill(now, e.rate, e.capacity);
        !e.bucket.is_full(e.capacity)
    });
    before - table.len()
}

/// The slab partition `p` belongs to: bits of its hash that the slab's table does not use
/// (it takes the low ones for the bucket and the top seven for the tag).
pub(super) fn slab_of(p: u64) -> usize {
    (hash_of(p) >> 32) as usize % SHARDS
}

/// The buckets of one resource and direction, behind the group's lock.
#[derive(Debug, Default)]
pub(crate) struct Buckets {
    own: Option<Entry>,
    slabs: [Slab; SHARDS],
}

impl Buckets {
    /// The bucket of `limit` — this process's `share` of it — brought up to `now`, created
    /// with its initial balance when first seen; `hint` is where `admit` found it, `held`
    /// the throttler's count of partition buckets. Answers the bucket and, for a partition
    /// bucket, its slot.
    pub(crate) fn bucket(
        &mut self,
        limit: &Limit<'_>,
        share: f64,
        now: f64,
        hint: Option<Slot>,
        held: &AtomicUsize,
    ) -> (&mut Bucket, Option<Slot>) {
        let Some(p) = limit.partition else {
            let entry = self
                .own
                .get_or_insert_with(|| Entry::new(limit, share, now));
            return (entry.refresh(limit, share, now), None);
        };
        let slab = slab_of(p);
        let hint = hint.filter(|h| h.slab == slab).map(|h| h.index);
        let (index, entry) =
            self.slabs[slab].cell(hint, p, now, held, || Entry::new(limit, share, now));
        (entry.refresh(limit, share, now), Some(Slot { slab, index }))
    }

    /// Forgets every partition bucket that has refilled to full by `now`; answers how many.
    pub(crate) fn forget_full(&mut self, now: f64) -> usize {
        self.slabs
            .iter_mut()
            .map(|s| forget_full(&mut s.table, now))
            .sum()
    }

    /// Buckets held: the own one and every live partition bucket.
    pub(crate) fn len(&self) -> usize {
        usize::from(self.own.is_some()) + self.slabs.iter().map(|s| s.table.len()).sum::<usize>()
    }
}

/// One resource's buckets in one direction.
#[derive(Debug)]
pub(crate) struct Group {
    /// The storage id of the table or index.
    pub(crate) resource_id: u64,
    /// Write (true) or read capacity.
    pub(crate) write: bool,
    buckets: Mutex<Buckets>,
}

impl Group {
    /// No buckets yet.
    pub(crate) fn new(resource_id: u64, write: bool) -> Group {
        Group {
            resource_id,
            write,
            buckets: Mutex::new(Buckets::default()),
        }
    }

    /// The group's buckets, locked (a poisoned lock still holds consistent numbers).
    pub(crate) fn lock(&self) -> MutexGuard<'_, Buckets> {
        self.buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
