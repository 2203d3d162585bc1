//! Claims on background work that must be done once across every process over one store: a
//! restore's copy (`restores`), a backup's copy (`ops::backup::create_backup`).
//!
//! A claim names the process doing the work (`process_id`, new every start) and holds until
//! a time: long enough for the copy it covers (`lease_for`), renewed between steps. Another
//! process may take the work over only once the claim is `stale`: past its time, or — when
//! the coordination counts this process as the store's only server — of a process that is
//! not this one (so after a restart, a crashed run is resumed at once instead of after its
//! lease). Claims are taken and renewed by compare-and-set (`Catalog::update_table` for a
//! table, a locked `ItemStore::write` for a backup), so two processes never both hold one.
//! Should a process lose a claim while its copy is still running (its lease ran out), the
//! copies are idempotent: the new owner clears the target first, and only the claim's owner
//! ends the work.

use crate::context::Ctx;
use crate::model::table::Claim;
use std::sync::OnceLock;

/// The shortest claim, seconds.
pub const LEASE: f64 = 60.0;

/// Items a copy is assumed to manage per second at the least when sizing a claim (the
/// measured copies do 100,000 items in under 2 s; this is 100 times slower).
const ITEMS_PER_SECOND: f64 = 1_000.0;

/// This process's id in claims: random, new at every start.
pub fn process_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| uuid::Uuid::new_v4().to_string())
}

/// How long a claim on copying `items` items lasts, seconds.
pub fn lease_for(items: u64) -> f64 {
    LEASE + items as f64 / ITEMS_PER_SECOND
}

/// A claim of this process on work of `items` items, from `now`.
pub fn mine(now: f64, items: u64) -> Claim {
    Claim {
        owner: process_id().to_string(),
        until: now + lease_for(items),
    }
}

/// Whether `claim` is this process's.
pub fn is_mine(claim: Option<&Claim>) -> bool {
    claim.is_some_and(|c| c.owner == process_id())
}

/// Whether the work under `claim` may be taken over as of `now` by this process, which is
/// one of `servers` serving the store: unclaimed, past its time, or another process's
/// while this one serves alone (its owner died).
pub fn stale(claim: Option<&Claim>, now: f64, servers: u32) -> bool {
    match claim {
        None => true,
        Some(c) => c.until < now || (servers <= 1 && c.owner != process_id()),
    }
}

/// `stale` with the context's time and server count.
pub fn stale_now(ctx: &Ctx, claim: Option<&Claim>) -> bool {
    stale(claim, ctx.now_epoch(), ctx.coordination.servers())
}

/// Test-only fault hook: when `EXTENDDB_TEST_PAUSE_AFTER_COPY_MS` is set, a backup's or a
/// restore's copy pauses that long between copying and recording that it is done, so a test
/// can kill the process there. Unset in every real deployment.
pub async fn pause_after_copy() {
    static PAUSE: OnceLock<Option<u64>> = OnceLock::new();
    let pause = PAUSE.get_or_init(|| {
        std::env::var("EXTENDDB_TEST_PAUSE_AFTER_COPY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
    });
    if let Some(ms) = *pause {
        tracing::warn!(ms, "test fault hook: pausing after a copy");
        Sleep::new(std::time::Duration::from_millis(ms)).await;
    }
}

/// A sleep that needs no async runtime (core has none): a thread sleeps, then wakes the task.
struct Sleep {
    state: std::sync::Arc<std::sync::Mutex<(bool, Option<std::task::Waker>)>>,
}

impl Sleep {
    fn new(duration: std::time::Duration) -> Sleep {
        let state = std::sync::Arc::new(std::sync::Mutex::new((false, None::<std::task::Waker>)));
        let shared = state.clone();
        std::thread::spawn(move || {
            std::thread::sleep(duration);
            if let Ok(mut s) = shared.lock() {
                s.0 = true;
                if let Some(w) = s.1.take() {
                    w.wake();
                }
            }
        });
        Sleep { state }
    }
}

impl std::future::Future for Sleep {
    type Output = ();

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        match self.state.lock() {
            Ok(mut s) if !s.0 => {
                s.1 = Some(cx.waker().clone());
                std::task::Poll::Pending
            }
            _ => std::task::Poll::Ready(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_go_stale_past_their_time_or_when_their_owner_is_gone() {
        let me = mine(100.0, 0);
        assert_eq!(me.until, 100.0 + LEASE);
        assert!(is_mine(Some(&me)));
        assert!(!stale(Some(&me), 150.0, 1));
        assert!(!stale(Some(&me), 150.0, 2));
        assert!(stale(Some(&me), 100.0 + LEASE + 1.0, 2));
        let other = Claim {
            owner: "another process".into(),
            until: 200.0,
        };
        assert!(!is_mine(Some(&other)));
        // Alone over the store: the other owner is a crashed predecessor.
        assert!(stale(Some(&other), 150.0, 1));
        // With another server it may be alive: wait for its time.
        assert!(!stale(Some(&other), 150.0, 2));
        assert!(stale(Some(&other), 201.0, 2));
        assert!(stale(None, 0.0, 3));
        assert!(lease_for(100_000) > lease_for(0));
    }
}
