//! The GSI queue's in-process state, one per `Services`: the last due time and sequence it
//! handed out (so this process's queue keys only grow), the earliest due time queued since the
//! propagation worker last looked, and how that worker is woken. Time comes from the services'
//! clock, so a test clock moves the queue as it moves everything else; two `Services` in one
//! process (tests, an embedder running two stores) keep separate queues.
//!
//! The records themselves live in the item store (`gsi_propagation`); this holds only what
//! makes their keys unique and the worker prompt.

use crate::clock::Clock;
use crate::model::reserved::GSI_QUEUE_STORAGE_ID;
use crate::traits::{ItemKey, StoredItem, WriteOp};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::UNIX_EPOCH;

/// A wake-up the server registers (`GsiQueue::on_queue`).
type Wake = Box<dyn Fn() + Send + Sync>;

/// One index write as a queue record holds it.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct QueuedOp {
    /// Index storage id.
    pub(crate) s: u64,
    /// Entry key, base64.
    pub(crate) k: String,
    /// The entry (DynamoDB JSON of the projected item) for a put; absent for a delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) v: Option<serde_json::Value>,
}

/// A queue record's value.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Record {
    pub(crate) ops: Vec<QueuedOp>,
}

/// The queue state of one `Services`.
pub struct GsiQueue {
    /// The latest "now" (ms since the epoch) handed out: due times never go backwards.
    last_ms: AtomicU64,
    /// The latest sequence number handed out (seeded from the clock, so a restarted process
    /// continues above the records it left).
    sequence: AtomicU64,
    /// The earliest due time (ms) queued since the worker last looked (`u64::MAX`: none).
    hinted_due: AtomicU64,
    /// Called whenever a record is queued.
    wake: OnceLock<Wake>,
}

impl std::fmt::Debug for GsiQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GsiQueue")
            .field("last_ms", &self.last_ms.load(Ordering::Relaxed))
            .field("sequence", &self.sequence.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// `clock`'s time in nanoseconds since the epoch (0 before it).
fn clock_nanos(clock: &dyn Clock) -> u64 {
    clock
        .now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

impl Default for GsiQueue {
    fn default() -> GsiQueue {
        GsiQueue {
            last_ms: AtomicU64::new(0),
            sequence: AtomicU64::new(0),
            hinted_due: AtomicU64::new(u64::MAX),
            wake: OnceLock::new(),
        }
    }
}

impl GsiQueue {
    /// An empty queue state.
    pub fn new() -> GsiQueue {
        GsiQueue::default()
    }

    /// Registers `wake`, called (cheaply, from inside a write's decider) whenever a record is
    /// queued: the server's worker wakes and looks at the new due time. Core has no runtime of
    /// its own, so the server brings the wake-up (a `tokio::sync::Notify`). The first
    /// registration wins.
    pub fn on_queue(&self, wake: impl Fn() + Send + Sync + 'static) {
        let _ = self.wake.set(Box::new(wake));
    }

    /// `clock`'s time in milliseconds since the epoch, never going backwards for this queue.
    pub fn now_ms(&self, clock: &dyn Clock) -> u64 {
        let wall = clock_nanos(clock) / 1_000_000;
        self.last_ms.fetch_max(wall, Ordering::SeqCst).max(wall)
    }

    /// A sequence number larger than every earlier one of this queue.
    fn next_sequence(&self, clock: &dyn Clock) -> u64 {
        self.sequence
            .fetch_max(clock_nanos(clock), Ordering::SeqCst);
        self.sequence.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// The earliest due time queued since the last call (`None`: nothing queued), forgotten.
    pub fn take_hint(&self) -> Option<u64> {
        match self.hinted_due.swap(u64::MAX, Ordering::AcqRel) {
            u64::MAX => None,
            due => Some(due),
        }
    }

    /// The queue record that applies `ops` (index writes) `delay_ms` from now: a write to add
    /// to the transaction of the item change they belong to.
    pub fn record(&self, clock: &dyn Clock, delay_ms: u64, ops: &[WriteOp]) -> WriteOp {
        let due = self.now_ms(clock).saturating_add(delay_ms);
        self.hinted_due.fetch_min(due, Ordering::AcqRel);
        if let Some(wake) = self.wake.get() {
            wake();
        }
        let mut key = due.to_be_bytes().to_vec();
        key.extend_from_slice(&self.next_sequence(clock).to_be_bytes());
        let record = Record {
            ops: ops
                .iter()
                .filter_map(|op| match op {
                    WriteOp::Put { key, item } => Some(QueuedOp {
                        s: key.storage_id,
                        k: B64.encode(&key.key),
                        v: serde_json::from_slice(item.as_bytes()).ok(),
                    }),
                    WriteOp::Delete { key } => Some(QueuedOp {
                        s: key.storage_id,
                        k: B64.encode(&key.key),
                        v: None,
                    }),
                    // Index entries only: a stream record is never queued.
                    WriteOp::StreamAppend { .. } => None,
                })
                .collect(),
        };
        WriteOp::Put {
            key: ItemKey {
                storage_id: GSI_QUEUE_STORAGE_ID,
                key,
            },
            item: StoredItem(Bytes::from(serde_json::to_vec(&record).unwrap_or_default())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;
    use std::time::Duration;

    fn due_of(op: &WriteOp) -> u64 {
        let WriteOp::Put { key, .. } = op else {
            panic!("a queue record is a put")
        };
        u64::from_be_bytes(key.key[..8].try_into().unwrap())
    }

    #[test]
    fn due_times_follow_the_services_clock_and_never_go_back() {
        let clock = ManualClock::at_epoch_seconds(1_000);
        let q = GsiQueue::new();
        assert_eq!(due_of(&q.record(&clock, 25, &[])), 1_000_025);
        clock.advance(Duration::from_secs(1));
        assert_eq!(due_of(&q.record(&clock, 0, &[])), 1_001_000);
        // A clock set back does not move the queue back.
        let earlier = ManualClock::at_epoch_seconds(900);
        assert_eq!(due_of(&q.record(&earlier, 0, &[])), 1_001_000);
    }

    #[test]
    fn keys_are_unique_and_increase_at_one_instant() {
        let clock = ManualClock::at_epoch_seconds(1_000);
        let q = GsiQueue::new();
        let keys: Vec<Vec<u8>> = (0..3)
            .map(|_| match q.record(&clock, 5, &[]) {
                WriteOp::Put { key, .. } => key.key,
                _ => unreachable!(),
            })
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn the_hint_is_the_earliest_due_time_and_is_taken_once() {
        let clock = ManualClock::at_epoch_seconds(1_000);
        let q = GsiQueue::new();
        assert_eq!(q.take_hint(), None);
        q.record(&clock, 500, &[]);
        q.record(&clock, 20, &[]);
        q.record(&clock, 900, &[]);
        assert_eq!(q.take_hint(), Some(1_000_020));
        assert_eq!(q.take_hint(), None);
    }

    #[test]
    fn each_queue_wakes_only_its_own_worker() {
        let clock = ManualClock::at_epoch_seconds(1_000);
        let (a, b) = (GsiQueue::new(), GsiQueue::new());
        let woken = Arc::new(AtomicUsize::new(0));
        let w = woken.clone();
        a.on_queue(move || {
            w.fetch_add(1, Ordering::SeqCst);
        });
        b.record(&clock, 5, &[]);
        assert_eq!(woken.load(Ordering::SeqCst), 0);
        assert_eq!(b.take_hint(), Some(1_000_005));
        assert_eq!(a.take_hint(), None);
        a.record(&clock, 5, &[]);
        assert_eq!(woken.load(Ordering::SeqCst), 1);
    }
}
