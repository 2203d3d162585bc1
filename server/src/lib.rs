//! extenddb HTTP(S) server: the DynamoDB JSON protocol over HTTP/1.1 and HTTP/2, plain or TLS
//! (rustls), plus `GET /health`.
//!
//! ```text
//! POST /  X-Amz-Target: DynamoDB_20120810.<Op>
//!   → body (size-limited) → AuthProvider::authenticate → ops::dispatch → answer
//! ```
//! Every answer carries `Content-Type: application/x-amz-json-1.0`, `x-amzn-RequestId`,
//! `x-amz-crc32` and `Content-Length`; errors are `ApiError` bodies with DynamoDB's statuses.

mod body;
pub mod config;
mod cors;
mod dynamodb;
mod encoding;
mod endpoints;
pub mod error;
mod listener;
pub mod request_id;
mod response;
mod response_encoding;
mod routing;
mod services;
pub mod target;
pub mod tls;
mod token_sweeper;
mod ttl_sweeper;
mod workers;

pub use config::{ServerConfig, TlsSource, DEFAULT_MAX_BODY_BYTES};
pub use error::ServerError;
pub use listener::Server;
pub use services::Services;

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
