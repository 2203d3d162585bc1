//! Liveness and readiness.
//!
//! `GET /health` is liveness: it answers 200 while the process serves HTTP, touching nothing
//! else, so an orchestrator restarts only a process that is truly stuck. `GET /health/ready`
//! is readiness: 200 `{"status":"ready"}` when the store can serve requests, else 503
//! `{"status":"not ready","reason":"…"}`, so a load balancer sends traffic elsewhere while the
//! disk is full or the database is out of reach, and back once it recovers.
//!
//! The answer comes from the health monitor, a worker that asks the store
//! (`ItemStore::readiness`) every `health_interval`, bounded by `CHECK_TIMEOUT`: probes cost the
//! store nothing however often they come, and every change is logged once (the start of a fault
//! episode with its reason, its end with its length), which is what lets the per-request errors
//! of an episode stay out of the log.

use crate::request_id::RequestId;
use crate::response::{self, Body as RespBody};
use crate::services::AppState;
use bytes::Bytes;
use extenddb_core::error::StoreError;
use extenddb_core::traits::{CatalogError, Readiness};
use extenddb_core::ApiError;
use http::{Response, StatusCode};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// Longest a readiness check may take before the store counts as not ready.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// The last readiness the monitor saw.
pub(crate) struct Health {
    ready: AtomicBool,
    state: RwLock<State>,
}

struct State {
    readiness: Readiness,
    since: Instant,
}

impl Health {
    /// Ready: the store answered when the server started.
    pub(crate) fn new() -> Health {
        Health {
            ready: AtomicBool::new(true),
            state: RwLock::new(State {
                readiness: Readiness::Ready,
                since: Instant::now(),
            }),
        }
    }

    /// Whether the last check found the store ready.
    pub(crate) fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// The last check's result.
    pub(crate) fn readiness(&self) -> Readiness {
        self.read().readiness.clone()
    }

    /// Records a check's result, logging a change once.
    pub(crate) fn update(&self, readiness: Readiness) {
        let mut state = self.state.write().unwrap_or_else(|p| p.into_inner());
        match (&state.readiness, &readiness) {
            (Readiness::Ready, Readiness::NotReady(reason)) => {
                tracing::error!(%reason, "not ready: requests fail until the store recovers");
            }
            (Readiness::NotReady(_), Readiness::Ready) => {
                tracing::warn!(
                    seconds = state.since.elapsed().as_secs(),
                    "ready again: the store recovered"
                );
            }
            (Readiness::NotReady(old), Readiness::NotReady(new)) if old != new => {
                tracing::debug!(reason = %new, "still not ready");
            }
            _ => {}
        }
        if state.readiness.is_ready() != readiness.is_ready() {
            state.since = Instant::now();
        }
        self.ready.store(readiness.is_ready(), Ordering::Release);
        state.readiness = readiness;
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }
}

/// An error that may belong to a fault episode (full disk, database out of reach).
pub(crate) trait Episodic: std::fmt::Display {
    /// True when the store could not serve: the episode is logged once elsewhere.
    fn unavailable(&self) -> bool;
}

impl Episodic for ApiError {
    fn unavailable(&self) -> bool {
        self.is_unavailable()
    }
}

impl Episodic for CatalogError {
    fn unavailable(&self) -> bool {
        matches!(
            self,
            CatalogError::Store(StoreError::OutOfSpace(_) | StoreError::Unavailable(_))
        )
    }
}

/// Logs a background worker's failed step: a warning, unless the step failed because the
/// store is unavailable or not ready (the store and the monitor log such an episode once; a
/// worker retrying every half second would repeat it), then at debug level.
pub(crate) fn step_failed(health: &Health, step: &str, error: &dyn Episodic) {
    if health.is_ready() && !error.unavailable() {
        tracing::warn!(error = %error, "{step} failed");
    } else {
        tracing::debug!(error = %error, "{step} failed (store unavailable)");
    }
}

/// Checks the store once, within `CHECK_TIMEOUT`.
pub(crate) async fn check(state: &AppState) -> Readiness {
    match tokio::time::timeout(CHECK_TIMEOUT, state.services.store.readiness()).await {
        Ok(r) => r,
        Err(_) => Readiness::NotReady(format!(
            "the store did not answer a readiness check within {} s",
            CHECK_TIMEOUT.as_secs()
        )),
    }
}

/// Starts the health monitor; abort the handle to stop it.
pub(crate) fn spawn(state: Arc<AppState>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(state.health_interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let readiness = check(&state).await;
            state.health.update(readiness);
        }
    })
}

/// Answers `GET /health/ready`.
pub(crate) fn answer(state: &AppState, id: &RequestId) -> Response<RespBody> {
    match state.health.readiness() {
        Readiness::Ready => response::ok(Bytes::from_static(br#"{"status":"ready"}"#), id),
        Readiness::NotReady(reason) => {
            let body = serde_json::json!({ "status": "not ready", "reason": reason });
            let mut resp = response::build(
                StatusCode::SERVICE_UNAVAILABLE,
                Bytes::from(body.to_string()),
                id,
            );
            // The monitor logged the change; a probe every few seconds need not.
            resp.extensions_mut().insert(response::EpisodeFailure);
            resp
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_recorded_and_flagged() {
        let h = Health::new();
        assert!(h.is_ready());
        h.update(Readiness::NotReady("disk full".into()));
        assert!(!h.is_ready());
        assert_eq!(h.readiness(), Readiness::NotReady("disk full".into()));
        h.update(Readiness::Ready);
        assert!(h.is_ready());
    }
}
