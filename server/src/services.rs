//! `AppState`: what every request handler and background worker of one server reads — the
//! core `Services`, the request and connection limits, the store's health and the request
//! metrics. Built once, shared by all connections.

use crate::connections::Limits;
use crate::health::Health;
use crate::metrics::RequestMetrics;
use extenddb_core::context::Ctx;
use extenddb_core::settings::Change;
use extenddb_core::Services;
use std::sync::Arc;
use std::time::Duration;

/// Called with the runtime settings a poll found changed (the CLI applies log levels with it).
pub type SettingsHook = Arc<dyn Fn(&[Change]) + Send + Sync>;

/// The state shared by the listener, every request and the workers.
pub(crate) struct AppState {
    pub services: Arc<Services>,
    pub max_body_bytes: usize,
    pub metrics: RequestMetrics,
    pub settings_poll: Duration,
    pub settings_hook: Option<SettingsHook>,
    /// The cap on open connections (shared with the metrics collector).
    pub limits: Arc<Limits>,
    /// The store's readiness as the health monitor last saw it.
    pub health: Arc<Health>,
    /// Time allowed to receive a request's body.
    pub body_read_timeout: Duration,
    /// Deadline of a request's work once its body arrived.
    pub request_timeout: Duration,
    /// How often the health monitor checks the store.
    pub health_interval: Duration,
    /// The management API (`/management/*`), when the server has one.
    pub management: Option<crate::management::ManagementApi>,
    /// The web console's sessions (`/console/`; it needs `management`).
    pub console: crate::console::Console,
}

impl AppState {
    /// The context background workers run operations with: every table of every account,
    /// past the authorization and throttling gates.
    pub(crate) fn background_ctx(&self) -> Ctx {
        Ctx::background(self.services.clone())
    }
}
