//! Background workers the server runs beside the listener: GSI propagation (applying queued
//! index writes once due) and GSI backfill (filling indexes UpdateTable added). Each step
//! resumes from what the store holds, so a restart loses nothing; the loops stop when the
//! server shuts down. Of several servers over one store only the one the coordination names
//! runs each job (`STANDBY`: how often the others ask again).

use crate::services::AppState;
use extenddb_core::ops::background::{gsi_backfill, gsi_propagation};
use extenddb_core::traits::Job;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Pause after a failed step (the store is unavailable, say).
const BACKOFF: Duration = Duration::from_millis(500);
/// Pause between backfill passes when no index is being created (one catalog read each).
const BACKFILL_IDLE: Duration = Duration::from_millis(200);
/// Pause of a worker whose job another server runs, before it asks again.
pub(crate) const STANDBY: Duration = Duration::from_millis(250);

/// Starts the workers; abort the handle to stop them.
pub(crate) fn spawn(state: Arc<AppState>) -> JoinHandle<()> {
    let ctx = state.background_ctx();
    // Woken when these services queue a GSI record (`GsiQueue::on_queue`).
    let queued = Arc::new(tokio::sync::Notify::new());
    let notify = queued.clone();
    ctx.gsi_queue.on_queue(move || notify.notify_one());
    let backfill_ctx = ctx.clone();
    let backfill_health = state.health.clone();
    let backfill = tokio::spawn(async move {
        loop {
            if !backfill_ctx.coordination.runs(Job::GsiBackfill) {
                tokio::time::sleep(STANDBY).await;
                continue;
            }
            match gsi_backfill::run_step(&backfill_ctx).await {
                Ok(n) if n > 0 => tokio::task::yield_now().await,
                Ok(_) => tokio::time::sleep(BACKFILL_IDLE).await,
                Err(e) => {
                    crate::health::step_failed(&backfill_health, "GSI backfill step", &e);
                    tokio::time::sleep(BACKOFF).await;
                }
            }
        }
    });
    tokio::spawn(async move {
        // Aborting this task (server shutdown) drops the guard, which stops the backfill too.
        let _backfill = AbortOnDrop(backfill);
        loop {
            if !ctx.coordination.runs(Job::GsiPropagation) {
                tokio::time::sleep(STANDBY).await;
                continue;
            }
            match gsi_propagation::run_due(&ctx).await {
                // A full batch may mean more is due: go again at once.
                Ok(n) if n > 0 => tokio::task::yield_now().await,
                // Nothing due: pause until the next record is due (at most 50 ms), or until
                // this process queues one.
                Ok(_) => match gsi_propagation::idle_pause(&ctx).await {
                    Ok(pause) => {
                        tokio::select! {
                            () = tokio::time::sleep(pause) => {}
                            () = queued.notified() => {}
                        }
                    }
                    Err(e) => {
                        crate::health::step_failed(&state.health, "GSI propagation step", &e);
                        tokio::time::sleep(BACKOFF).await;
                    }
                },
                Err(e) => {
                    crate::health::step_failed(&state.health, "GSI propagation step", &e);
                    tokio::time::sleep(BACKOFF).await;
                }
            }
        }
    })
}

/// Aborts a task when dropped.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
