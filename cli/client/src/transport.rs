//! Where a client connects (plain or TLS endpoint), how it opens an HTTP/1.1 connection there,
//! the transport errors and the DynamoDB replies. One connection's requests are in
//! `connection`.

use bytes::Bytes;
use http_body_util::Full;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Failures of the transport (not DynamoDB errors, which arrive as replies).
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The endpoint URL could not be used.
    #[error("invalid endpoint {0:?}: {1}")]
    Endpoint(String, String),
    /// The CA bundle could not be read or held no certificate.
    #[error("CA bundle {0}: {1}")]
    CaBundle(String, String),
    /// TCP connect failed.
    #[error("connect: {0}")]
    Connect(std::io::Error),
    /// The TLS handshake failed.
    #[error("TLS: {0}")]
    Tls(std::io::Error),
    /// HTTP-level failure (connection closed, malformed response, …).
    #[error("HTTP: {0}")]
    Http(#[from] hyper::Error),
    /// A header value could not be built (only a bad access key or region can cause this).
    #[error("header: {0}")]
    Header(#[from] http::Error),
}

impl ClientError {
    /// Short category used as the error key in reports.
    pub fn label(&self) -> &'static str {
        match self {
            ClientError::Endpoint(..) | ClientError::CaBundle(..) => "ConfigError",
            ClientError::Connect(_) => "ConnectError",
            ClientError::Tls(_) => "TlsError",
            ClientError::Http(_) => "HttpError",
            ClientError::Header(_) => "HeaderError",
        }
    }
}

/// Where to connect and how: parsed once, shared by all workers.
pub struct Endpoint {
    host: String,
    port: u16,
    host_header: String,
    tls: Option<(TlsConnector, ServerName<'static>)>,
    opened: AtomicU64,
}

impl Endpoint {
    /// Parses `http://host[:port]` or `https://host[:port]`; for HTTPS trusts `ca_bundle`
    /// (PEM) when given, else the Mozilla root set.
    pub fn parse(url: &str, ca_bundle: Option<&Path>) -> Result<Self, ClientError> {
        let bad = |why: &str| ClientError::Endpoint(url.to_owned(), why.to_owned());
        let uri: http::Uri = url.parse().map_err(|_| bad("not a URL"))?;
        let https = match uri.scheme_str() {
            Some("http") => false,
            Some("https") => true,
            _ => return Err(bad("scheme must be http or https")),
        };
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return Err(bad("must not have a path or query"));
        }
        let host = uri.host().ok_or_else(|| bad("no host"))?;
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let host_header = match uri.authority() {
            Some(a) => a.as_str().to_owned(),
            None => return Err(bad("no host")),
        };
        let tls = if https {
            let roots = root_store(ca_bundle)?;
            let config = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .map_err(|e| bad(&e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
            let name = ServerName::try_from(host.clone()).map_err(|_| bad("bad TLS name"))?;
            Some((TlsConnector::from(Arc::new(config)), name))
        } else {
            None
        };
        Ok(Endpoint {
            host,
            port,
            host_header,
            tls,
            opened: AtomicU64::new(0),
        })
    }

    /// The `Host` header value (authority as written in the URL).
    pub fn host_header(&self) -> &str {
        &self.host_header
    }

    /// True when the endpoint uses TLS.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }
}

fn root_store(ca_bundle: Option<&Path>) -> Result<rustls::RootCertStore, ClientError> {
    let mut roots = rustls::RootCertStore::empty();
    let Some(path) = ca_bundle else {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        return Ok(roots);
    };
    let shown = path.display().to_string();
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| ClientError::CaBundle(shown.clone(), e.to_string()))?;
    for cert in certs {
        let cert = cert.map_err(|e| ClientError::CaBundle(shown.clone(), e.to_string()))?;
        roots
            .add(cert)
            .map_err(|e| ClientError::CaBundle(shown.clone(), e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(ClientError::CaBundle(shown, "no certificate found".into()));
    }
    Ok(roots)
}

/// A DynamoDB reply: HTTP status and body.
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// Response body (JSON).
    pub body: Bytes,
}

impl Reply {
    /// True for a 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The short error type (`ValidationException`), from `__type`'s part after `#`; falls back
    /// to `HTTP <status>` when the body has no `__type`.
    pub fn error_type(&self) -> String {
        error_type(self.status, &self.body)
    }

    /// The error message (`message` or `Message`), empty when absent.
    pub fn error_message(&self) -> String {
        #[derive(serde::Deserialize)]
        struct Msg {
            #[serde(alias = "Message")]
            message: Option<String>,
        }
        serde_json::from_slice::<Msg>(&self.body)
            .ok()
            .and_then(|m| m.message)
            .unwrap_or_default()
    }
}

/// Extracts the short error type from a DynamoDB error body.
pub fn error_type(status: u16, body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Err {
        #[serde(rename = "__type")]
        ty: Option<String>,
    }
    match serde_json::from_slice::<Err>(body).ok().and_then(|e| e.ty) {
        Some(ty) => match ty.rsplit_once('#') {
            Some((_, short)) => short.to_owned(),
            None => ty,
        },
        None => format!("HTTP {status}"),
    }
}

impl Endpoint {
    /// Opens a new connection; counts it in `connections_opened`.
    pub(crate) async fn connect(&self) -> Result<(Sender, Driver), ClientError> {
        self.opened.fetch_add(1, Ordering::Relaxed);
        let tcp = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(ClientError::Connect)?;
        let _ = tcp.set_nodelay(true);
        match &self.tls {
            None => handshake(tcp).await,
            Some((connector, name)) => {
                let tls = connector
                    .connect(name.clone(), tcp)
                    .await
                    .map_err(ClientError::Tls)?;
                handshake(tls).await
            }
        }
    }

    /// Connections opened so far through this endpoint (including reconnects).
    pub fn connections_opened(&self) -> u64 {
        self.opened.load(Ordering::Relaxed)
    }
}

/// The sending half of one HTTP/1.1 connection.
pub(crate) type Sender = SendRequest<Full<Bytes>>;

/// The connection itself: it writes requests and reads replies while it is polled.
pub(crate) type Driver = Pin<Box<dyn Future<Output = hyper::Result<()>> + Send>>;

async fn handshake<S>(io: S) -> Result<(Sender, Driver), ClientError>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io)).await?;
    Ok((sender, Box::pin(conn)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_parsing() {
        let e = Endpoint::parse("http://127.0.0.1:8000", None).unwrap();
        assert_eq!((e.host.as_str(), e.port), ("127.0.0.1", 8000));
        assert_eq!(e.host_header(), "127.0.0.1:8000");
        assert!(!e.is_tls());
        let e = Endpoint::parse("http://localhost/", None).unwrap();
        assert_eq!((e.port, e.host_header()), (80, "localhost"));
        let e = Endpoint::parse("https://[::1]:8443", None).unwrap();
        assert_eq!((e.host.as_str(), e.port, e.is_tls()), ("::1", 8443, true));
        assert!(Endpoint::parse("ftp://x", None).is_err());
        assert!(Endpoint::parse("http://x/path", None).is_err());
        assert!(Endpoint::parse("127.0.0.1:8000", None).is_err());
    }

    #[test]
    fn ca_bundle_errors_are_reported() {
        let missing = Path::new("/nonexistent/ca.pem");
        let err = Endpoint::parse("https://localhost", Some(missing))
            .err()
            .unwrap();
        assert!(err.to_string().starts_with("CA bundle /nonexistent/ca.pem"));
    }

    #[test]
    fn error_type_is_short_name() {
        let body = br#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"x"}"#;
        assert_eq!(error_type(400, body), "ResourceNotFoundException");
        assert_eq!(
            error_type(400, br#"{"__type":"UnknownOperationException"}"#),
            "UnknownOperationException"
        );
        assert_eq!(error_type(502, b"<html>bad gateway</html>"), "HTTP 502");
        let reply = Reply {
            status: 400,
            body: Bytes::from_static(br#"{"__type":"a#B","Message":"the text"}"#),
        };
        assert_eq!(reply.error_message(), "the text");
        assert!(!reply.is_success());
    }
}
