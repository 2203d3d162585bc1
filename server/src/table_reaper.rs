//! Runs the table reaper (`extenddb_core::ops::background::table_reaper`): retires tables and
//! GSIs whose DELETING delay has passed and drops the storage they leave, in the background
//! so no request ever waits for items to be dropped. On the server the coordination names.

use crate::services::AppState;
use extenddb_core::ops::background::table_reaper;
use extenddb_core::traits::Job;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Pause between rounds that found nothing to do (one catalog read each).
const IDLE: Duration = Duration::from_millis(250);
/// Pause after a failed round (the store is unavailable, say).
const BACKOFF: Duration = Duration::from_secs(1);

/// Starts the reaper; abort the handle to stop it.
pub(crate) fn spawn(state: Arc<AppState>) -> JoinHandle<()> {
    let ctx = state.background_ctx();
    tokio::spawn(async move {
        loop {
            if !ctx.coordination.runs(Job::TableReaper) {
                tokio::time::sleep(crate::workers::STANDBY).await;
                continue;
            }
            match table_reaper::run_step(&ctx).await {
                Ok(0) => tokio::time::sleep(IDLE).await,
                Ok(n) => {
                    tracing::debug!(done = n, "table reaper round");
                    tokio::task::yield_now().await;
                }
                Err(e) => {
                    crate::health::step_failed(&state.health, "table reaper round", &e);
                    tokio::time::sleep(BACKOFF).await;
                }
            }
        }
    })
}
