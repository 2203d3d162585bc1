//! `BucketThrottler`: DynamoDB's capacity limits as token buckets (see `limits` for the
//! rules). Buckets live in this process, keyed by the storage id of the table or index (so a
//! re-created table starts afresh) and, for partition buckets, a hash of the partition-key
//! value. The map is sharded so concurrent requests rarely meet on one lock; partition buckets
//! that refilled to full are forgotten when a shard grows large (a new one starts full, so
//! nothing is lost). Capacity changes (UpdateTable) apply at once: every check reads the
//! rates from the definition the request holds.
//!
//! Several processes over one store (`Coordination::servers` = N) each enforce 1/N of every
//! limit — rate, burst capacity and initial balance — so that together they admit what one
//! process would when the load is spread evenly (as a load balancer spreads it). The error:
//! a process that gets more than its 1/N share of one table's (or partition's) traffic
//! throttles it early, down to rate/N in aggregate when all of it reaches one process; the
//! aggregate never exceeds the limit except while N is changing (a joining process is
//! counted by the others within a second, docs/scaling.md).

pub mod bucket;
pub mod limits;

use crate::error::ApiError;
use crate::ops::request::capacity::Units;
use crate::traits::throttler::{Claim, Direction, Throttler};
use crate::traits::{Alone, Coordination};
use bucket::Bucket;
use limits::Limit;
use rustc_hash::FxHashMap;
use std::sync::{Arc, Mutex};

/// Number of independently locked shards.
const SHARDS: usize = 16;
/// Entries a shard holds before full partition buckets are forgotten.
const SHARD_SOFT_LIMIT: usize = 4_096;

/// Identity of one bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    resource_id: u64,
    write: bool,
    partition: Option<u64>,
}

/// A bucket with the rate and capacity it last refilled at (for eviction).
#[derive(Debug, Clone, Copy)]
struct Entry {
    bucket: Bucket,
    rate: f64,
    capacity: f64,
}

/// Token buckets per table, index and partition-key value.
pub struct BucketThrottler {
    shards: Vec<Mutex<FxHashMap<Key, Entry>>>,
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

/// The shard a bucket lives in (Fibonacci hashing of its identity: cheap and well spread).
fn shard_of(key: &Key) -> usize {
    let mixed = key.resource_id ^ key.partition.unwrap_or(0).rotate_left(32) ^ u64::from(key.write);
    (mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60) as usize % SHARDS
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
            shards: (0..SHARDS)
                .map(|_| Mutex::new(FxHashMap::default()))
                .collect(),
            coordination,
        }
    }

    /// Runs `f` on the bucket of `limit` — this process's share of it — brought up to `now`
    /// (created with its initial balance when first seen).
    fn with_bucket<T>(
        &self,
        limit: &Limit<'_>,
        write: bool,
        now: f64,
        f: impl FnOnce(&mut Bucket) -> T,
    ) -> T {
        let share = 1.0 / f64::from(self.coordination.servers().max(1));
        let (rate, capacity) = (limit.rate * share, limit.capacity * share);
        let key = Key {
            resource_id: limit.resource_id,
            write,
            partition: limit.partition,
        };
        let shard = &self.shards[shard_of(&key)];
        let mut map = shard
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if map.len() >= SHARD_SOFT_LIMIT && !map.contains_key(&key) {
            map.retain(|k, e| {
                e.bucket.refill(now, e.rate, e.capacity);
                k.partition.is_none() || !e.bucket.is_full(e.capacity)
            });
        }
        let entry = map.entry(key).or_insert(Entry {
            bucket: Bucket::new(limit.initial * share, now),
            rate,
            capacity,
        });
        entry.rate = rate;
        entry.capacity = capacity;
        entry.bucket.refill(now, rate, capacity);
        f(&mut entry.bucket)
    }

    /// Number of buckets held (for tests and metrics).
    pub fn bucket_count(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().map(|m| m.len()).unwrap_or(0))
            .sum()
    }
}

impl Throttler for BucketThrottler {
    fn admit(&self, claim: &Claim<'_>, now: f64) -> Result<(), ApiError> {
        let write = claim.direction == Direction::Write;
        let partition = claim.partition.map(partition_number);
        let mut refused: Vec<Limit<'_>> = Vec::new();
        limits::for_each(claim, partition, now, |limit| {
            if !self.with_bucket(&limit, write, now, |b| b.admits()) {
                refused.push(limit);
            }
        });
        if refused.is_empty() {
            Ok(())
        } else {
            Err(limits::refusal(claim, &refused))
        }
    }

    fn charge(&self, claim: &Claim<'_>, consumed: &Units, now: f64) {
        let write = claim.direction == Direction::Write;
        let partition = claim.partition.map(partition_number);
        limits::for_each(claim, partition, now, |limit| {
            let units = limits::units_for(limit.meters, consumed);
            if units > 0.0 {
                self.with_bucket(&limit, write, now, |b| b.charge(units));
            }
        });
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
