//! A one-shot HTTP/1.1 GET to a running server (`extenddb status` asks `/health/ready`), over
//! plain TCP or TLS trusting one PEM certificate. Written by hand: one request with
//! `Connection: close`, read to the end, is all it needs, and no HTTP client is in the tree.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// Longest a probe may take, connection included.
const TIMEOUT: Duration = Duration::from_secs(5);
/// Most bytes of an answer read.
const MAX_ANSWER: u64 = 64 * 1024;

/// An HTTP answer: its status code and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The body, as text.
    pub body: String,
}

/// Sends `GET path` to `addr`, over TLS when `ca` names the PEM certificate to trust (the
/// server's own, self-signed or its issuer's), and returns the answer.
pub async fn get(addr: SocketAddr, ca: Option<&Path>, path: &str) -> Result<Answer, String> {
    tokio::time::timeout(TIMEOUT, async {
        let tcp = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        match ca {
            None => exchange(tcp, addr, path).await,
            Some(ca) => {
                let connector = tls_connector(ca)?;
                let name = ServerName::IpAddress(addr.ip().into());
                let tls = connector
                    .connect(name, tcp)
                    .await
                    .map_err(|e| format!("TLS with {addr}: {e}"))?;
                exchange(tls, addr, path).await
            }
        }
    })
    .await
    .map_err(|_| format!("{addr} did not answer within {} s", TIMEOUT.as_secs()))?
}

fn tls_connector(ca: &Path) -> Result<tokio_rustls::TlsConnector, String> {
    crate::tls::install_crypto_provider();
    let mut roots = rustls::RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(ca)
        .map_err(|e| format!("cannot read {}: {e}", ca.display()))?;
    for cert in certs {
        let cert = cert.map_err(|e| format!("cannot read {}: {e}", ca.display()))?;
        roots
            .add(cert)
            .map_err(|e| format!("cannot trust {}: {e}", ca.display()))?;
    }
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

async fn exchange<S>(mut stream: S, addr: SocketAddr, path: &str) -> Result<Answer, String>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("cannot send to {addr}: {e}"))?;
    let mut raw = Vec::new();
    // A TLS peer that closes without close_notify is an error here, after the whole answer.
    let read = (&mut stream).take(MAX_ANSWER).read_to_end(&mut raw).await;
    if raw.is_empty() {
        return Err(match read {
            Err(e) => format!("no answer from {addr}: {e}"),
            Ok(_) => format!("no answer from {addr}"),
        });
    }
    parse(&raw).ok_or_else(|| format!("{addr} did not answer HTTP"))
}

/// The status and body of a whole HTTP/1.1 answer (`Content-Length` framed or closed).
fn parse(raw: &[u8]) -> Option<Answer> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head
        .lines()
        .next()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(Answer {
        status,
        body: body.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_parsed() {
        let a = parse(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 2\r\n\r\n{}").unwrap();
        assert_eq!(
            a,
            Answer {
                status: 503,
                body: "{}".into()
            }
        );
        assert!(parse(b"garbage").is_none());
    }
}
