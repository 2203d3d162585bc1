//! extenddb HTTP(S) server: the DynamoDB JSON protocol over HTTP/1.1 and HTTP/2, plain or TLS
//! (rustls), plus `GET /health` (liveness), `GET /health/ready` (readiness), `GET /metrics`,
//! and the background workers.
//!
//! ```text
//! POST /  X-Amz-Target: DynamoDB_20120810.<Op>
//!   → Operation (unknown: UnknownOperationException) → body (size-limited)
//!   → AuthProvider::authenticate → Ctx (principal, request facts)
//!   → ops::dispatch (authorize → throttle → store transaction) → answer, metrics
//! ```
//! Every answer carries `Content-Type: application/x-amz-json-1.0`, `x-amzn-RequestId`,
//! `x-amz-crc32` and `Content-Length`; errors are `ApiError` bodies with DynamoDB's statuses.

mod body;
pub mod config;
mod connections;
mod console;
mod cors;
mod deadline;
mod dynamodb;
mod encoding;
mod endpoints;
pub mod error;
mod health;
mod listener;
pub mod management;
mod metrics;
mod metrics_route;
pub mod probe;
pub mod request_id;
mod request_stats;
mod response;
mod response_encoding;
mod routing;
mod services;
mod settings_poller;
mod stream_worker;
mod table_reaper;
pub mod target;
pub mod tls;
mod token_sweeper;
mod ttl_sweeper;
mod workers;

pub use config::{
    ServerConfig, TlsSource, DEFAULT_BODY_READ_TIMEOUT, DEFAULT_CONSOLE_SESSION_IDLE,
    DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT, DEFAULT_SETTINGS_POLL,
};
pub use error::ServerError;
pub use extenddb_core::Services;
pub use listener::Server;
pub use management::Management;
pub use services::SettingsHook;

use std::future::Future;

/// Binds `config.bind` and serves `services` until `shutdown` completes, then shuts down
/// gracefully. Use `Server::bind` + `Server::run` to learn the bound address first.
pub async fn serve(
    config: ServerConfig,
    services: Services,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServerError> {
    Server::bind(config, services).await?.run(shutdown).await
}
