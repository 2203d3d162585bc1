//! Failed-login rate limiting, per principal (the login name as typed, lower-cased): after
//! `MAX_FAILURES` failed logins within `WINDOW`, further attempts for that principal are
//! refused (429, even with the right password) until the oldest of those failures leaves the
//! window. A success clears the principal's record. In memory, per process; at most
//! `MAX_TRACKED` principals are tracked (the stalest are dropped first).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// Failed logins allowed within `WINDOW` before a principal is locked out.
pub const MAX_FAILURES: usize = 5;
/// How long a failed login counts.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Principals tracked at most.
const MAX_TRACKED: usize = 10_000;

/// Failed logins per principal.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<SystemTime>>>,
}

fn recent(times: &mut Vec<SystemTime>, now: SystemTime) {
    times.retain(|t| now.duration_since(*t).map_or(true, |age| age < WINDOW));
}

impl LoginLimiter {
    /// `Err(seconds to wait)` when `login` is locked out at `now`.
    pub fn check(&self, login: &str, now: SystemTime) -> Result<(), u64> {
        let Ok(mut map) = self.failures.lock() else {
            return Ok(());
        };
        let Some(times) = map.get_mut(&login.to_lowercase()) else {
            return Ok(());
        };
        recent(times, now);
        if times.len() < MAX_FAILURES {
            return Ok(());
        }
        let oldest = times.iter().min().copied().unwrap_or(now);
        let free_at = oldest + WINDOW;
        let wait = free_at.duration_since(now).unwrap_or_default();
        Err(wait.as_secs().max(1))
    }

    /// Records a failed login of `login` at `now`.
    pub fn failed(&self, login: &str, now: SystemTime) {
        let Ok(mut map) = self.failures.lock() else {
            return;
        };
        if map.len() >= MAX_TRACKED && !map.contains_key(&login.to_lowercase()) {
            map.retain(|_, times| {
                recent(times, now);
                !times.is_empty()
            });
            if map.len() >= MAX_TRACKED {
                // Still full of recent failures: forget the principal with the oldest latest one.
                let stalest = map
                    .iter()
                    .min_by_key(|(_, t)| t.iter().max().copied())
                    .map(|(k, _)| k.clone());
                if let Some(k) = stalest {
                    map.remove(&k);
                }
            }
        }
        let times = map.entry(login.to_lowercase()).or_default();
        recent(times, now);
        times.push(now);
    }

    /// Clears `login`'s failures after a successful login.
    pub fn succeeded(&self, login: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&login.to_lowercase());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn locks_after_max_failures_until_the_window_passes() {
        let l = LoginLimiter::default();
        let t0 = UNIX_EPOCH + Duration::from_secs(1_000);
        for i in 0..MAX_FAILURES {
            assert_eq!(l.check("Admin", t0), Ok(()), "attempt {i}");
            l.failed("Admin", t0 + Duration::from_secs(i as u64));
        }
        let t = t0 + Duration::from_secs(10);
        assert_eq!(l.check("admin", t), Err(50), "case-insensitive, 50 s left");
        assert_eq!(l.check("someone-else", t), Ok(()), "per principal");
        assert_eq!(
            l.check("admin", t0 + WINDOW),
            Ok(()),
            "oldest failure expired"
        );
    }

    #[test]
    fn success_clears_and_old_failures_do_not_count() {
        let l = LoginLimiter::default();
        let t0 = UNIX_EPOCH + Duration::from_secs(1_000);
        for _ in 0..MAX_FAILURES - 1 {
            l.failed("u", t0);
        }
        l.succeeded("u");
        l.failed("u", t0);
        assert_eq!(l.check("u", t0), Ok(()));
        for i in 0..MAX_FAILURES - 1 {
            l.failed("v", t0 + Duration::from_secs(i as u64 * 30));
        }
        l.failed("v", t0 + Duration::from_secs(200));
        assert_eq!(l.check("v", t0 + Duration::from_secs(200)), Ok(()));
    }
}
