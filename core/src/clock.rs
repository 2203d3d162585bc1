//! `Clock`: the services' one source of "now". Operations, the throttler, the lifecycle and the
//! auth provider read time through it, so tests can fix or step it and assert exact outcomes
//! (token-bucket sequences, signature expiry, status transitions).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of wall-clock time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;

    /// The current time as seconds since the epoch, with sub-second precision (DynamoDB's
    /// timestamp form).
    fn epoch_seconds(&self) -> f64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    }
}

/// The system's real-time clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that only moves when told to: tests set it and step it.
#[derive(Debug)]
pub struct ManualClock {
    /// Nanoseconds since the epoch.
    nanos: AtomicU64,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn at(start: SystemTime) -> ManualClock {
        let nanos = start
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        ManualClock {
            nanos: AtomicU64::new(nanos),
        }
    }

    /// A clock standing at `secs` seconds after the epoch.
    pub fn at_epoch_seconds(secs: u64) -> ManualClock {
        ManualClock::at(UNIX_EPOCH + Duration::from_secs(secs))
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.nanos.fetch_add(by.as_nanos() as u64, Ordering::SeqCst);
    }

    /// Sets the clock to `to`.
    pub fn set(&self, to: SystemTime) {
        let nanos = to
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        self.nanos.store(nanos, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::at_epoch_seconds(1_000);
        assert_eq!(c.epoch_seconds(), 1_000.0);
        c.advance(Duration::from_millis(1_500));
        assert_eq!(c.epoch_seconds(), 1_001.5);
        c.set(UNIX_EPOCH + Duration::from_secs(7));
        assert_eq!(c.now(), UNIX_EPOCH + Duration::from_secs(7));
    }

    #[test]
    fn system_clock_is_after_2020() {
        assert!(SystemClock.epoch_seconds() > 1_577_836_800.0);
    }
}
