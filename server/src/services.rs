//! `Services`: the plugged-in parts every request is served with.

use extenddb_core::context::Ctx;
use extenddb_core::traits::{AuthProvider, Catalog, ItemStore, Throttler};
use std::sync::Arc;

/// The implementations of core's traits the server runs on, chosen once at startup.
#[derive(Clone)]
pub struct Services {
    /// Table metadata.
    pub catalog: Arc<dyn Catalog>,
    /// Items.
    pub store: Arc<dyn ItemStore>,
    /// Rate limiting.
    pub throttler: Arc<dyn Throttler>,
    /// Authentication and authorization.
    pub auth: Arc<dyn AuthProvider>,
}

/// What every request handler reads: the services and the per-request settings from
/// `ServerConfig`. Built once, shared by all connections.
pub(crate) struct AppState {
    pub services: Services,
    pub region: String,
    pub max_body_bytes: usize,
    pub control_plane_delay: std::time::Duration,
}

impl AppState {
    /// The context background workers (GSI propagation and backfill, TTL sweeper) run
    /// operations with: every table of every account, so no account of its own.
    pub(crate) fn background_ctx(&self) -> Ctx {
        Ctx {
            catalog: self.services.catalog.clone(),
            store: self.services.store.clone(),
            throttler: self.services.throttler.clone(),
            account_id: String::new(),
            region: self.region.clone(),
            control_plane_delay: self.control_plane_delay,
        }
    }
}
