//! `Striped<T>`: one value per thread stripe, for counters written on every request. A thread
//! always writes the same stripe (its own while there are no more threads than stripes), so
//! the counter's cache line stays with the core that runs it instead of moving between cores
//! on every request; a reader (a metrics scrape) visits every stripe and sums.
//!
//! Written by hand: a padded array of mutexes indexed by a per-thread number is all it takes;
//! the crates that do this (`thread_local`, `crossbeam_utils::CachePadded`) would add a
//! dependency for fewer lines than this.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Stripes per value: more than the threads that serve requests on the machines we run on.
pub const STRIPES: usize = 16;

/// A value on its own cache lines (128 bytes: adjacent-line prefetch pairs 64-byte lines).
#[derive(Debug, Default)]
#[repr(align(128))]
struct Padded<T>(T);

/// One `T` per stripe, each behind its own lock (uncontended but for readers).
#[derive(Debug)]
pub struct Striped<T> {
    stripes: Box<[Padded<Mutex<T>>]>,
}

impl<T: Default> Default for Striped<T> {
    fn default() -> Self {
        Striped {
            stripes: (0..STRIPES).map(|_| Padded::default()).collect(),
        }
    }
}

/// The stripe of the calling thread: threads are numbered as they first ask.
fn own_stripe() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static MINE: usize = NEXT.fetch_add(1, Ordering::Relaxed) % STRIPES;
    }
    MINE.with(|s| *s)
}

/// Locks one stripe (a poisoned lock still holds counts worth reading).
fn lock<T>(stripe: &Padded<Mutex<T>>) -> MutexGuard<'_, T> {
    stripe
        .0
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<T> Striped<T> {
    /// Runs `f` on the calling thread's stripe.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        f(&mut lock(&self.stripes[own_stripe()]))
    }

    /// Runs `f` on every stripe in turn.
    pub fn each(&self, mut f: impl FnMut(&mut T)) {
        for stripe in self.stripes.iter() {
            f(&mut lock(stripe));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_keeps_its_stripe_and_readers_see_every_stripe() {
        let s: Striped<u64> = Striped::default();
        std::thread::scope(|scope| {
            for _ in 0..(2 * STRIPES) {
                scope.spawn(|| {
                    for _ in 0..1_000 {
                        s.with(|v| *v += 1);
                    }
                });
            }
        });
        let mut total = 0;
        let mut used = 0;
        s.each(|v| {
            total += *v;
            used += usize::from(*v > 0);
        });
        assert_eq!(total, 2 * STRIPES as u64 * 1_000);
        assert!(used > 1, "threads spread over the stripes");
        // One thread, one stripe: both writes land on the same value.
        let t: Striped<u64> = Striped::default();
        t.with(|v| *v = 7);
        t.with(|v| *v += 1);
        let mut seen = Vec::new();
        t.each(|v| seen.push(*v));
        seen.sort_unstable();
        assert_eq!(seen.pop(), Some(8));
        assert!(seen.iter().all(|v| *v == 0));
    }
}
