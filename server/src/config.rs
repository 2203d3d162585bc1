//! `ServerConfig`: where the server listens, how (plain HTTP or TLS), the limits a request and a
//! connection are served with and how often runtime settings are re-read.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// Default limit on a request body: 16 MiB, DynamoDB's own request size limit.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// How often the runtime settings are re-read by default (the guide promises 30 s at most).
pub const DEFAULT_SETTINGS_POLL: Duration = Duration::from_secs(10);

/// Default cap on open client connections.
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;
/// Default time a connection may sit with no request in flight before the server closes it: a
/// little above the 60 s after which the Java SDK and common load balancers drop idle
/// connections themselves, so that the client usually closes first (as with nginx's 75 s); an
/// SDK that sends on a connection the server has just closed retries the request.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(75);
/// Default time a client may take to send a request's headers.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time a client may take to send a request's body, once its headers arrived.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Default deadline of one request's work (authentication and the operation, after the body
/// arrived): well under the SDKs' timeouts (boto3 reads for 60 s, the Java SDK v2 for 30 s),
/// so a stalled store answers a retryable error the client still reads.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Default idle limit of a web console session: 8 hours, as the guide says.
pub const DEFAULT_CONSOLE_SESSION_IDLE: Duration = Duration::from_secs(8 * 3600);

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
    /// Most client connections open at once; further ones are refused (plain HTTP: a 503
    /// answer and close; TLS: closed at once) until some close.
    pub max_connections: usize,
    /// A connection with no request in flight for this long is closed.
    pub idle_timeout: Duration,
    /// Time allowed to receive a request's headers (HTTP/1).
    pub header_read_timeout: Duration,
    /// Time allowed to receive a request's body; slower ones get 408 and the connection closes.
    pub body_read_timeout: Duration,
    /// Deadline of a request's work once its body arrived; past it the client gets a retryable
    /// InternalServerError and the work is abandoned.
    pub request_timeout: Duration,
    /// How often the health monitor checks the store (the readiness endpoint's freshness).
    pub health_interval: Duration,
    /// A web console session unused this long ends (`console.session_idle_seconds`).
    pub console_session_idle: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 8000)),
            tls: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            settings_poll: DEFAULT_SETTINGS_POLL,
            shutdown_grace: Duration::from_secs(10),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            health_interval: Duration::from_secs(1),
            console_session_idle: DEFAULT_CONSOLE_SESSION_IDLE,
        }
    }
}
