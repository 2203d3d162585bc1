//! One HTTP/1.1 request to the management API, plain or over TLS (rustls, trusting a PEM
//! CA bundle such as the certificate `extenddb init` generated). Management calls are few and
//! small, so each opens its own connection.

use anyhow::{anyhow, Context};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// How long a request may take, connection included.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Where the server is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// HTTPS (true) or plain HTTP.
    pub https: bool,
    /// Host name or IP address (no brackets).
    pub host: String,
    /// Port.
    pub port: u16,
    /// The PEM CA bundle HTTPS trusts.
    pub ca_bundle: Option<PathBuf>,
}

impl Endpoint {
    /// `https://host:port` (brackets around IPv6 addresses).
    pub fn url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}", self.authority())
    }

    fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// Parses `host:port`, `[v6]:port`, or a URL `http(s)://host:port`; without a scheme,
    /// `default_https` decides.
    pub fn parse(text: &str, default_https: bool) -> anyhow::Result<(bool, String, u16)> {
        let bad =
            || anyhow!("invalid --endpoint '{text}': expected host:port or https://host:port");
        let (https, rest) = match text.split_once("://") {
            Some(("https", r)) => (true, r),
            Some(("http", r)) => (false, r),
            Some(_) => return Err(bad()),
            None => (default_https, text),
        };
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.strip_prefix('[') {
            Some(r) => {
                let (h, p) = r.split_once("]:").ok_or_else(bad)?;
                (h.to_string(), p)
            }
            None => {
                let (h, p) = rest.rsplit_once(':').ok_or_else(bad)?;
                (h.to_string(), p)
            }
        };
        let port = port.parse::<u16>().map_err(|_| bad())?;
        if host.is_empty() {
            return Err(bad());
        }
        Ok((https, host, port))
    }
}

/// An answer: status and body.
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The body.
    pub body: Bytes,
}

fn roots(path: &Path) -> anyhow::Result<rustls::RootCertStore> {
    let mut roots = rustls::RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(path)
        .with_context(|| format!("cannot read the CA bundle {}", path.display()))?;
    for cert in certs {
        let cert =
            cert.with_context(|| format!("cannot parse the CA bundle {}", path.display()))?;
        roots
            .add(cert)
            .with_context(|| format!("unusable certificate in {}", path.display()))?;
    }
    if roots.is_empty() {
        anyhow::bail!("the CA bundle {} holds no certificate", path.display());
    }
    Ok(roots)
}

/// Sends `method path` with `headers` and `body`; answers the status and body.
pub async fn send(
    ep: &Endpoint,
    method: &http::Method,
    path: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
) -> anyhow::Result<Reply> {
    tokio::time::timeout(TIMEOUT, send_inner(ep, method, path, headers, body))
        .await
        .map_err(|_| anyhow!("no answer from {} within {}s", ep.url(), TIMEOUT.as_secs()))?
}

async fn send_inner(
    ep: &Endpoint,
    method: &http::Method,
    path: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
) -> anyhow::Result<Reply> {
    let tcp = TcpStream::connect((ep.host.as_str(), ep.port))
        .await
        .map_err(|e| {
            anyhow!(
                "cannot reach the server at {}: {e} (is it running? see `extenddb status`, or pass --endpoint)",
                ep.url()
            )
        })?;
    let mut req = http::Request::builder()
        .method(method.clone())
        .uri(path)
        .header(http::header::HOST, ep.authority())
        .header(http::header::CONTENT_TYPE, "application/json");
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let req = req.body(Full::new(Bytes::from(body)))?;
    if !ep.https {
        return exchange(tcp, req).await;
    }
    extenddb_server::tls::install_crypto_provider();
    let ca = ep.ca_bundle.as_deref().ok_or_else(|| {
        anyhow!(
            "no CA bundle to trust {} with: pass --ca-bundle <cert.pem>",
            ep.url()
        )
    })?;
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots(ca)?)
        .with_no_client_auth();
    let name = ServerName::try_from(ep.host.clone())
        .map_err(|_| anyhow!("'{}' is not a valid TLS server name", ep.host))?;
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| {
            anyhow!(
                "TLS with {} failed: {e} (the CA bundle {} must hold the server's certificate, with {} among its SANs)",
                ep.url(),
                ca.display(),
                ep.host
            )
        })?;
    exchange(tls, req).await
}

async fn exchange<S>(io: S, req: http::Request<Full<Bytes>>) -> anyhow::Result<Reply>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .context("HTTP handshake failed")?;
    tokio::spawn(conn);
    let resp = sender
        .send_request(req)
        .await
        .context("the server closed the connection")?;
    let status = resp.status().as_u16();
    let body = resp
        .into_body()
        .collect()
        .await
        .context("cannot read the answer")?
        .to_bytes();
    Ok(Reply { status, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse_with_and_without_scheme() {
        assert_eq!(
            Endpoint::parse("127.0.0.1:9000", true).unwrap(),
            (true, "127.0.0.1".into(), 9000)
        );
        assert_eq!(
            Endpoint::parse("http://localhost:8000/", true).unwrap(),
            (false, "localhost".into(), 8000)
        );
        assert_eq!(
            Endpoint::parse("[::1]:8000", false).unwrap(),
            (false, "::1".into(), 8000)
        );
        for bad in ["127.0.0.1", "ftp://x:1", ":80", "host:port"] {
            assert!(Endpoint::parse(bad, true).is_err(), "{bad}");
        }
        let ep = Endpoint {
            https: true,
            host: "::1".into(),
            port: 8000,
            ca_bundle: None,
        };
        assert_eq!(ep.url(), "https://[::1]:8000");
    }
}
