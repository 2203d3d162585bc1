//! Background Time to Live sweeper (see `extenddb_core::ops::background::ttl_sweep`): runs a sweep round
//! every `round_interval(ttl_deletion_target_seconds)` — half the target, at most 60 s — so an
//! expired item is deleted within the target while a round takes less than the other half.
//! The live setting is read before every round; rounds yield between pages. Only on the server
//! the coordination names (a round stops when the job moves).

use crate::services::AppState;
use extenddb_core::context::Ctx;
use extenddb_core::error::ApiError;
use extenddb_core::ops::background::ttl_sweep::{self, Round};
use extenddb_core::traits::Job;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// Longest single sleep between rounds: how soon a changed target is noticed.
const TICK: Duration = Duration::from_secs(1);

/// Pause after a failed round (the store is unavailable, say).
const BACKOFF: Duration = Duration::from_secs(1);

/// Starts the sweeper; abort the handle to stop it.
pub(crate) fn spawn(state: Arc<AppState>) -> JoinHandle<()> {
    let ctx = state.background_ctx();
    tokio::spawn(async move {
        loop {
            if !ctx.coordination.runs(Job::TtlSweeper) {
                tokio::time::sleep(crate::workers::STANDBY).await;
                continue;
            }
            let started = Instant::now();
            let round_start_ms = (ctx.now_epoch() * 1000.0) as u64;
            match round(&ctx).await {
                Ok(n) => {
                    ctx.metrics.ttl_round_started(round_start_ms);
                    if n > 0 {
                        tracing::debug!(deleted = n, "expired items deleted (TTL)");
                    }
                }
                Err(e) => {
                    crate::health::step_failed(&state.health, "TTL sweep", &e);
                    tokio::time::sleep(BACKOFF).await;
                    continue;
                }
            }
            // Sleep in short steps, re-reading the live target, so a lowered
            // ttl_deletion_target_seconds takes effect within a second, not after the old
            // (up to a minute long) interval.
            loop {
                let interval = ttl_sweep::round_interval(ttl_sweep::target_seconds(&ctx));
                let left = interval.saturating_sub(started.elapsed());
                if left.is_zero() {
                    break;
                }
                tokio::time::sleep(left.min(TICK)).await;
            }
        }
    })
}

/// One round, page by page; returns how many items it deleted. A table whose page fails is
/// left for the next round and the round goes on with the other tables.
async fn round(ctx: &Ctx) -> Result<usize, ApiError> {
    let mut round = Round::start(ctx).await?;
    let mut deleted = 0;
    loop {
        // Another server took the job over: it starts its own round.
        if !ctx.coordination.runs(Job::TtlSweeper) {
            return Ok(deleted);
        }
        match round.step(ctx, ctx.now_epoch()).await {
            Ok(Some(n)) => deleted += n,
            Ok(None) => return Ok(deleted),
            Err(e) => {
                tracing::warn!(error = %e, "TTL sweep of a table failed; retried next round");
                round.skip_table();
            }
        }
        tokio::task::yield_now().await;
    }
}
