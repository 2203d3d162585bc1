//! `Metrics`: what core counts for the server's `GET /metrics` — capacity units consumed and
//! requests throttled per table, and how far behind the background workers are. Counting
//! adds to the calling thread's own stripe (`Striped`): a lock no other request thread takes
//! and a hash lookup on the table's storage id, so no cache line moves between cores per
//! request; a scrape sums the stripes. The server renders the counts in Prometheus' text
//! format with its own request counters and latencies.

use crate::model::table::TableDefinition;
use crate::striped::Striped;
use crate::traits::Direction;
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// Counters of one table incarnation, as of the scrape that read them.
#[derive(Debug, Default)]
pub struct TableCounters {
    /// Owning account.
    pub account_id: String,
    /// TableName.
    pub table: String,
    /// Read units consumed, in half units (DynamoDB's smallest charge).
    read_half_units: AtomicU64,
    /// Write units consumed, in half units.
    write_half_units: AtomicU64,
    /// Reads refused by throttling.
    throttled_reads: AtomicU64,
    /// Writes refused by throttling.
    throttled_writes: AtomicU64,
}

impl TableCounters {
    /// Units consumed in `direction`.
    pub fn consumed(&self, direction: Direction) -> f64 {
        let half = match direction {
            Direction::Read => &self.read_half_units,
            Direction::Write => &self.write_half_units,
        };
        half.load(Ordering::Relaxed) as f64 / 2.0
    }

    /// Requests (or batch items) refused in `direction`.
    pub fn throttled(&self, direction: Direction) -> u64 {
        match direction {
            Direction::Read => self.throttled_reads.load(Ordering::Relaxed),
            Direction::Write => self.throttled_writes.load(Ordering::Relaxed),
        }
    }
}

/// One stripe's counts of one table incarnation.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    read_half_units: u64,
    write_half_units: u64,
    throttled_reads: u64,
    throttled_writes: u64,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.read_half_units += other.read_half_units;
        self.write_half_units += other.write_half_units;
        self.throttled_reads += other.throttled_reads;
        self.throttled_writes += other.throttled_writes;
    }
}

/// Who a table incarnation belongs to, for the labels.
#[derive(Debug)]
struct Names {
    account_id: String,
    table: String,
}

/// Background workers whose lag is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worker {
    /// GSI propagation: how late the last applied queue record was past its due time.
    GsiPropagation,
    /// TTL sweeper: how long ago the last complete sweep round started.
    TtlSweep,
}

/// Counters shared by every request and worker of one process.
#[derive(Debug, Default)]
pub struct Metrics {
    /// The tables counted, by storage id (written when a stripe first counts one).
    tables: RwLock<FxHashMap<u64, Arc<Names>>>,
    /// The counts, per thread stripe and storage id.
    counts: Striped<FxHashMap<u64, Counts>>,
    gsi_lag_ms: AtomicU64,
    ttl_round_started_ms: AtomicU64,
}

impl Metrics {
    /// No counts yet.
    pub fn new() -> Metrics {
        Metrics::default()
    }

    /// Runs `f` on `def`'s counts in the calling thread's stripe, made (and the table's names
    /// recorded) when the stripe has none.
    fn with_table(&self, def: &TableDefinition, f: impl FnOnce(&mut Counts)) {
        let first = self
            .counts
            .with(|counts| match counts.get_mut(&def.storage_id) {
                Some(c) => {
                    f(c);
                    false
                }
                None => {
                    f(counts.entry(def.storage_id).or_default());
                    true
                }
            });
        if first {
            let mut tables = self
                .tables
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            tables.entry(def.storage_id).or_insert_with(|| {
                Arc::new(Names {
                    account_id: def.account_id.clone(),
                    table: def.name.clone(),
                })
            });
        }
    }

    /// Counts `units` consumed on `def` (table, LSIs and GSIs together).
    pub fn consumed(&self, def: &TableDefinition, direction: Direction, units: f64) {
        if units <= 0.0 {
            return;
        }
        let half = (units * 2.0).round() as u64;
        self.with_table(def, |c| match direction {
            Direction::Read => c.read_half_units += half,
            Direction::Write => c.write_half_units += half,
        });
    }

    /// Counts one refused request (or batch item) on `def`.
    pub fn throttled(&self, def: &TableDefinition, direction: Direction) {
        self.with_table(def, |c| match direction {
            Direction::Read => c.throttled_reads += 1,
            Direction::Write => c.throttled_writes += 1,
        });
    }

    /// Forgets a dropped table's counters.
    pub fn forget_table(&self, storage_id: u64) {
        if let Ok(mut map) = self.tables.write() {
            map.remove(&storage_id);
        }
        self.counts.each(|counts| {
            counts.remove(&storage_id);
        });
    }

    /// Every table's counters: the stripes' counts summed.
    pub fn tables(&self) -> Vec<Arc<TableCounters>> {
        let names: Vec<(u64, Arc<Names>)> = match self.tables.read() {
            Ok(m) => m.iter().map(|(id, n)| (*id, n.clone())).collect(),
            Err(_) => return Vec::new(),
        };
        let mut sums: FxHashMap<u64, Counts> = FxHashMap::default();
        self.counts.each(|counts| {
            for (id, c) in counts.iter() {
                sums.entry(*id).or_default().add(c);
            }
        });
        names
            .into_iter()
            .map(|(id, n)| {
                let c = sums.get(&id).copied().unwrap_or_default();
                Arc::new(TableCounters {
                    account_id: n.account_id.clone(),
                    table: n.table.clone(),
                    read_half_units: AtomicU64::new(c.read_half_units),
                    write_half_units: AtomicU64::new(c.write_half_units),
                    throttled_reads: AtomicU64::new(c.throttled_reads),
                    throttled_writes: AtomicU64::new(c.throttled_writes),
                })
            })
            .collect()
    }

    /// Records the GSI propagation lag seen when applying a queue record.
    pub fn gsi_lag(&self, lag_ms: u64) {
        self.gsi_lag_ms.store(lag_ms, Ordering::Relaxed);
    }

    /// Records that a complete TTL sweep round started at `epoch_ms`.
    pub fn ttl_round_started(&self, epoch_ms: u64) {
        self.ttl_round_started_ms.store(epoch_ms, Ordering::Relaxed);
    }

    /// A worker's lag in seconds as of `now_ms` (epoch milliseconds); `None` before the
    /// worker reported anything.
    pub fn lag_seconds(&self, worker: Worker, now_ms: u64) -> Option<f64> {
        match worker {
            Worker::GsiPropagation => Some(self.gsi_lag_ms.load(Ordering::Relaxed) as f64 / 1e3),
            Worker::TtlSweep => match self.ttl_round_started_ms.load(Ordering::Relaxed) {
                0 => None,
                t => Some(now_ms.saturating_sub(t) as f64 / 1e3),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::hash_table;

    #[test]
    fn counts_per_table_incarnation() {
        let m = Metrics::new();
        let a = hash_table();
        let mut b = hash_table();
        b.storage_id = 99;
        m.consumed(&a, Direction::Read, 0.5);
        m.consumed(&a, Direction::Read, 2.0);
        m.consumed(&a, Direction::Write, 1.0);
        m.throttled(&b, Direction::Write);
        let tables = m.tables();
        assert_eq!(tables.len(), 2);
        let ca = tables
            .iter()
            .find(|c| c.consumed(Direction::Read) > 0.0)
            .unwrap();
        assert_eq!(ca.consumed(Direction::Read), 2.5);
        assert_eq!(ca.consumed(Direction::Write), 1.0);
        assert_eq!(ca.table, "tbl");
        m.forget_table(99);
        assert_eq!(m.tables().len(), 1);
    }

    #[test]
    fn counts_of_many_threads_are_summed_and_forgotten_together() {
        let m = Metrics::new();
        let a = hash_table();
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    for _ in 0..100 {
                        m.consumed(&a, Direction::Write, 1.5);
                    }
                    m.throttled(&a, Direction::Read);
                });
            }
        });
        let tables = m.tables();
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].consumed(Direction::Write), 1_200.0);
        assert_eq!(tables[0].throttled(Direction::Read), 8);
        assert_eq!(tables[0].account_id, a.account_id);
        // A re-created incarnation under the same id would start from zero: nothing of the
        // forgotten one is left in any thread's stripe.
        m.forget_table(a.storage_id);
        assert!(m.tables().is_empty());
        std::thread::scope(|scope| {
            scope.spawn(|| m.consumed(&a, Direction::Write, 0.5));
        });
        let tables = m.tables();
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].consumed(Direction::Write), 0.5);
        assert_eq!(tables[0].throttled(Direction::Read), 0);
    }

    #[test]
    fn lags() {
        let m = Metrics::new();
        assert_eq!(m.lag_seconds(Worker::TtlSweep, 5_000), None);
        m.ttl_round_started(2_000);
        assert_eq!(m.lag_seconds(Worker::TtlSweep, 5_000), Some(3.0));
        m.gsi_lag(250);
        assert_eq!(m.lag_seconds(Worker::GsiPropagation, 0), Some(0.25));
    }
}
