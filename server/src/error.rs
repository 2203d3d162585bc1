//! `ServerError`: why the server could not start or keep listening. Request failures are never
//! `ServerError`s: they are answered with an `ApiError` body.

use std::net::SocketAddr;
use std::path::PathBuf;

/// A failure to start or run the listener.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The address could not be bound.
    // The OS error follows from the source chain (`{:#}`), so it is not repeated here.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// A certificate or key file could not be read or parsed.
    #[error("cannot load TLS {what} from {path}: {reason}")]
    TlsFile {
        /// `certificate` or `private key`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A self-signed certificate could not be generated or written.
    #[error("cannot create a self-signed certificate: {0}")]
    CertGeneration(String),
    /// rustls refused the certificate/key pair.
    #[error("invalid TLS configuration: {0}")]
    Tls(#[from] rustls::Error),
}
