//! `ServerConfig`: where the server listens, how (plain HTTP or TLS), the limits a request is
//! served with and how often runtime settings are re-read.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// Default limit on a request body: 16 MiB, DynamoDB's own request size limit.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// How often the runtime settings are re-read by default (the guide promises 30 s at most).
pub const DEFAULT_SETTINGS_POLL: Duration = Duration::from_secs(10);

/// Where the TLS certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSource {
    /// A PEM certificate chain (leaf first) and its PEM private key.
    Pem {
        /// Certificate chain file.
        cert: PathBuf,
        /// Private key file (PKCS#8, PKCS#1 or SEC1).
        key: PathBuf,
    },
    /// A certificate generated at startup and kept in memory only, with SANs `localhost`,
    /// `127.0.0.1` and the bind address.
    SelfSigned,
}

/// How the server listens and serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Address to bind; port 0 picks a free port (see `Server::local_addr`).
    pub bind: SocketAddr,
    /// TLS, or plain HTTP when `None`.
    pub tls: Option<TlsSource>,
    /// Largest request body accepted; larger ones get 413 RequestEntityTooLarge.
    pub max_body_bytes: usize,
    /// How often the runtime settings are re-read from the catalog (every request and worker
    /// sees a change within this interval).
    pub settings_poll: Duration,
    /// How long a shutdown waits for requests in flight before closing their connections.
    pub shutdown_grace: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 8000)),
            tls: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            settings_poll: DEFAULT_SETTINGS_POLL,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}
