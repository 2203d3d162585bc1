//! `BucketThrottler`: DynamoDB's capacity limits as token buckets (see `limits` for the
//! rules). Buckets live in this process, grouped by the storage id of the table or index (so
//! a re-created table starts afresh) and direction; a group holds the resource's own bucket
//! and its partitions' (a hash of the partition-key value), under one lock (`group`). The map
//! of groups is copy-on-write: finding a group takes no lock and writes no shared memory,
//! adding one (a new table or index incarnation) copies the map. Partition buckets that
//! refilled to full are forgotten when the throttler holds many (a new one starts full, so nothing
//! is lost). Capacity changes (UpdateTable) apply at once: every check reads the rates from
//! the definition the request holds.
//!
//! `admit_grant` answers a `Grant` holding the groups it found and the partition bucket's
//! slot, which `charge_grant` uses, so a request finds each bucket once.
//!
//! Several processes over one store (`Coordination::servers` = N) each enforce 1/N of every
//! limit — rate, burst capacity and initial balance — so that together they admit what one
//! process would when the load is spread evenly (as a load balancer spreads it). The error:
//! a process that gets more than its 1/N share of one table's (or partition's) traffic
//! throttles it early, down to rate/N in aggregate when all of it reaches one process; the
//! aggregate never exceeds the limit except while N is changing (a joining process is
//! counted by the others within a second, docs/scaling.md).

pub mod bucket;
mod grant;
mod group;
pub mod limits;

pub use grant::Grant;

use crate::error::ApiError;
use crate::ops::request::capacity::Units;
use crate::traits::throttler::{Claim, Direction, Throttler};
use crate::traits::{Alone, Coordination};
use arc_swap::ArcSwap;
use group::Group;
use limits::Limit;
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Slabs a group keeps its partition buckets in (one sweep covers one slab).
const SHARDS: usize = 16;
/// A slab's share of `PARTITION_BUDGET`.
const SHARD_SOFT_LIMIT: usize = 4_096;
/// Partition buckets the throttler holds before slabs forget their full ones as they add.
const PARTITION_BUDGET: usize = SHARDS * SHARD_SOFT_LIMIT;
/// Seconds between sweeps of every group while the throttler holds more than its budget.
const SWEEP_EVERY: f64 = 1.0;

/// The groups by (storage id, write).
type Groups = FxHashMap<(u64, bool), Arc<Group>>;

/// Token buckets per table, index and partition-key value.
pub struct BucketThrottler {
    groups: ArcSwap<Groups>,
    /// Serializes adding groups (readers never wait on it).
    adding: Mutex<()>,
    /// Partition buckets held, in all groups (changed only when one is added or forgotten).
    partitions: AtomicUsize,
    /// When every group was last swept (`f64` bits of seconds since the epoch).
    swept: AtomicU64,
    /// How many processes share each limit.
    coordination: Arc<dyn Coordination>,
}

impl std::fmt::Debug for BucketThrottler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BucketThrottler")
            .field("servers", &self.coordination.servers())
            .finish_non_exhaustive()
    }
}

impl Default for BucketThrottler {
    fn default() -> Self {
        BucketThrottler::shared(Arc::new(Alone))
    }
}

/// The partition a claim names, as a number: the 16-bit hash that starts every encoded key
/// (`item_key::partition_of`), or the bytes folded for other (test) inputs.
fn partition_number(p: &[u8]) -> u64 {
    p.iter()
        .fold(0u64, |acc, b| acc.rotate_left(8) ^ u64::from(*b))
}

impl BucketThrottler {
    /// No buckets yet; this process alone enforces every limit.
    pub fn new() -> BucketThrottler {
        BucketThrottler::default()
    }

    /// No buckets yet; each limit is shared with the other processes `coordination` counts
    /// (this one enforces 1/N of it).
    pub fn shared(coordination: Arc<dyn Coordination>) -> BucketThrottler {
        BucketThrottler {
            groups: ArcSwap::from_pointee(Groups::default()),
            adding: Mutex::new(()),
            partitions: AtomicUsize::new(0),
            swept: AtomicU64::new(0f64.to_bits()),
            coordination,
        }
    }

    /// This process's share of every limit.
    fn share(&self) -> f64 {
        1.0 / f64::from(self.coordination.servers().max(1))
    }

    /// The group of `resource_id` in direction `write`, added when first seen.
    fn group(&self, resource_id: u64, write: bool) -> Arc<Group> {
        let key = (resource_id, write);
        if let Some(g) = self.groups.load().get(&key) {
            return g.clone();
        }
        let _adding = self
            .adding
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let current = self.groups.load_full();
        if let Some(g) = current.get(&key) {
            return g.clone();
        }
        let group = Arc::new(Group::new(resource_id, write));
        let mut next = Groups::clone(&current);
        next.insert(key, group.clone());
        self.groups.store(Arc::new(next));
        group
    }

    /// Runs `f` on the bucket of `limit` — this process's `share` of it — brought up to
    /// `now` (created with its initial balance when first seen), through `grant`: a group or
    /// slot it holds is used as is, one it lacks is looked up and added to it.
    fn with_bucket<T>(
        &self,
        grant: &mut Grant,
        limit: &Limit<'_>,
        write: bool,
        share: f64,
        now: f64,
        f: impl FnOnce(&mut bucket::Bucket) -> T,
    ) -> T {
        let mark = grant.mark(limit.resource_id, write, || {
            self.group(limit.resource_id, write)
        });
        let mut buckets = mark.group.lock();
        let (bucket, slot) = buckets.bucket(limit, share, now, mark.slot, &self.partitions);
        let out = f(bucket);
        if slot.is_some() {
            mark.slot = slot;
        }
        out
    }

    /// While more partition buckets are held than the budget, at most once per
    /// `SWEEP_EVERY`: forgets the full ones of every group, one group locked at a time (the
    /// slab sweep on adding reaches only the group being added to, so a dropped table's
    /// buckets would otherwise stay). One atomic load when under budget.
    fn sweep_if_over(&self, now: f64) {
        if self.partitions.load(Ordering::Relaxed) < PARTITION_BUDGET {
            return;
        }
        let last = self.swept.load(Ordering::Relaxed);
        if now - f64::from_bits(last) < SWEEP_EVERY
            || self
                .swept
                .compare_exchange(last, now.to_bits(), Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        for group in self.groups.load().values() {
            let forgotten = group.lock().forget_full(now);
            self.partitions.fetch_sub(forgotten, Ordering::Relaxed);
        }
    }

    /// Number of buckets held (for tests and metrics).
    pub fn bucket_count(&self) -> usize {
        self.groups.load().values().map(|g| g.lock().len()).sum()
    }
}

impl Throttler for BucketThrottler {
    fn admit(&self, claim: &Claim<'_>, now: f64) -> Result<(), ApiError> {
        self.admit_grant(claim, now).map(drop)
    }

    fn charge(&self, claim: &Claim<'_>, consumed: &Units, now: f64) {
        self.charge_grant(claim, Grant::default(), consumed, now);
    }

    fn admit_grant(&self, claim: &Claim<'_>, now: f64) -> Result<Grant, ApiError> {
        let write = claim.direction == Direction::Write;
        let partition = claim.partition.map(partition_number);
        self.sweep_if_over(now);
        let share = self.share();
        let mut grant = Grant::default();
        let mut refused: Vec<Limit<'_>> = Vec::new();
        limits::for_each(claim, partition, now, |limit| {
            if !self.with_bucket(&mut grant, &limit, write, share, now, |b| b.admits()) {
                refused.push(limit);
            }
        });
        if refused.is_empty() {
            Ok(grant)
        } else {
            Err(limits::refusal(claim, &refused))
        }
    }

    fn charge_grant(&self, claim: &Claim<'_>, mut grant: Grant, consumed: &Units, now: f64) {
        let write = claim.direction == Direction::Write;
        let partition = claim.partition.map(partition_number);
        let share = self.share();
        limits::for_each(claim, partition, now, |limit| {
            let units = limits::units_for(limit.meters, consumed);
            if units > 0.0 {
                self.with_bucket(&mut grant, &limit, write, share, now, |b| b.charge(units));
            }
        });
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;

#[cfg(test)]
#[path = "grant_tests.rs"]
mod grant_tests;
