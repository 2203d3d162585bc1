//! Background sweep of expired ClientRequestToken records (see
//! `extenddb_core::ops::background::idempotency_sweep`): once a minute, so the store does not keep every
//! token a client ever sent. On the server the coordination names.

use crate::services::AppState;
use extenddb_core::ops::background::idempotency_sweep::sweep_expired;
use extenddb_core::traits::Job;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Pause between sweeps.
const EVERY: Duration = Duration::from_secs(60);

/// Starts the sweeper; abort the handle to stop it.
pub(crate) fn spawn(state: Arc<AppState>) -> JoinHandle<()> {
    let ctx = state.background_ctx();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(EVERY).await;
            if !ctx.coordination.runs(Job::TokenSweeper) {
                continue;
            }
            match sweep_expired(ctx.store.as_ref(), ctx.now_epoch()).await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(deleted = n, "expired transaction tokens swept"),
                Err(e) => crate::health::step_failed(&state.health, "token sweep", &e),
            }
        }
    })
}
