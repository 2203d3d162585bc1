//! TLS: the rustls configuration from PEM files or a generated self-signed certificate.

use crate::config::TlsSource;
use crate::error::ServerError;
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// File name of the certificate inside a self-signed certificate directory.
pub const CERT_FILE: &str = "cert.pem";
/// File name of the private key inside a self-signed certificate directory.
pub const KEY_FILE: &str = "key.pem";

/// Makes `ring` the process's rustls CryptoProvider; later calls (and a provider installed by
/// someone else first) are harmless.
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Err means another provider is installed already; rustls then uses that one.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A certificate chain and its private key, ready for rustls.
#[derive(Debug)]
pub struct CertifiedKey {
    /// Leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The leaf's private key.
    pub key: PrivateKeyDer<'static>,
}

/// The subject alternative names of a generated certificate: `localhost`, `127.0.0.1`, and
/// the bind address when it is a specific one.
pub fn default_sans(bind: &SocketAddr) -> Vec<String> {
    let mut sans = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    let ip = bind.ip();
    if !ip.is_unspecified() && ip != IpAddr::from([127, 0, 0, 1]) {
        sans.push(ip.to_string());
    }
    sans
}

/// A new self-signed certificate for `sans` (names that parse as IP addresses become IP SANs),
/// valid from yesterday for ten years. Returns the PEM certificate and the PEM PKCS#8 key.
pub fn generate_self_signed(sans: &[String]) -> Result<(String, String), ServerError> {
    let gen_err = |e: rcgen::Error| ServerError::CertGeneration(e.to_string());
    let mut params = CertificateParams::new(sans.to_vec()).map_err(gen_err)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "extenddb self-signed");
    dn.push(DnType::OrganizationName, "extenddb");
    params.distinguished_name = dn;
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(3650);
    let key = KeyPair::generate().map_err(gen_err)?;
    let cert = params.self_signed(&key).map_err(gen_err)?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// Loads `dir/cert.pem` and `dir/key.pem`, first generating them (key readable by the owner
/// only) when both are absent. Returns the certificate's path, for clients to trust.
pub fn ensure_self_signed_files(dir: &Path, sans: &[String]) -> Result<PathBuf, ServerError> {
    let cert = dir.join(CERT_FILE);
    let key = dir.join(KEY_FILE);
    if cert.exists() || key.exists() {
        return Ok(cert);
    }
    let io_err = |e: std::io::Error| ServerError::CertGeneration(format!("{}: {e}", dir.display()));
    let (cert_pem, key_pem) = generate_self_signed(sans)?;
    std::fs::create_dir_all(dir).map_err(io_err)?;
    write_private(&key, key_pem.as_bytes()).map_err(io_err)?;
    std::fs::write(&cert, cert_pem).map_err(io_err)?;
    Ok(cert)
}

#[cfg(unix)]
fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(data)
}

#[cfg(not(unix))]
fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, data)
}

/// Reads a PEM certificate chain and private key.
pub fn load_pem(cert: &Path, key: &Path) -> Result<CertifiedKey, ServerError> {
    let cert_err = |reason: String| ServerError::TlsFile {
        what: "certificate",
        path: cert.to_path_buf(),
        reason,
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| cert_err(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| cert_err(e.to_string()))?;
    if chain.is_empty() {
        return Err(cert_err("no certificate found".into()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| ServerError::TlsFile {
        what: "private key",
        path: key.to_path_buf(),
        reason: e.to_string(),
    })?;
    Ok(CertifiedKey { chain, key })
}

/// The certificate and key `source` names, generated in memory for `SelfSigned`.
pub fn certified_key(source: &TlsSource, bind: &SocketAddr) -> Result<CertifiedKey, ServerError> {
    match source {
        TlsSource::Pem { cert, key } => load_pem(cert, key),
        TlsSource::SelfSigned => {
            let (cert_pem, key_pem) = generate_self_signed(&default_sans(bind))?;
            let gen_err =
                |e: rustls::pki_types::pem::Error| ServerError::CertGeneration(e.to_string());
            let cert = CertificateDer::from_pem_slice(cert_pem.as_bytes()).map_err(gen_err)?;
            let key = PrivatePkcs8KeyDer::from_pem_slice(key_pem.as_bytes()).map_err(gen_err)?;
            Ok(CertifiedKey {
                chain: vec![cert],
                key: PrivateKeyDer::Pkcs8(key),
            })
        }
    }
}

/// The rustls server configuration for `source`, offering HTTP/2 and HTTP/1.1 by ALPN.
pub fn server_config(
    source: &TlsSource,
    bind: &SocketAddr,
) -> Result<Arc<rustls::ServerConfig>, ServerError> {
    install_crypto_provider();
    let ck = certified_key(source, bind)?;
    let mut cfg = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(ck.chain, ck.key)?;
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sans_include_a_specific_bind_address_once() {
        assert_eq!(
            default_sans(&"10.0.1.5:8000".parse().unwrap()),
            vec!["localhost", "127.0.0.1", "10.0.1.5"]
        );
        assert_eq!(
            default_sans(&"0.0.0.0:8000".parse().unwrap()),
            vec!["localhost", "127.0.0.1"]
        );
        assert_eq!(
            default_sans(&"127.0.0.1:8000".parse().unwrap()),
            vec!["localhost", "127.0.0.1"]
        );
    }

    #[test]
    fn self_signed_files_are_created_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let tls_dir = dir.path().join("tls");
        let sans = default_sans(&"127.0.0.1:0".parse().unwrap());
        let cert = ensure_self_signed_files(&tls_dir, &sans).unwrap();
        let first = std::fs::read(&cert).unwrap();
        assert!(first.starts_with(b"-----BEGIN CERTIFICATE-----"));
        let ck = load_pem(&cert, &tls_dir.join(KEY_FILE)).unwrap();
        assert_eq!(ck.chain.len(), 1);
        let again = ensure_self_signed_files(&tls_dir, &sans).unwrap();
        assert_eq!(std::fs::read(again).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(tls_dir.join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn missing_files_name_the_path() {
        let e = load_pem(
            Path::new("/nonexistent/c.pem"),
            Path::new("/nonexistent/k.pem"),
        )
        .unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("certificate") && msg.contains("/nonexistent/c.pem"),
            "{msg}"
        );
    }

    #[test]
    fn generated_config_offers_h2_and_http1() {
        let cfg = server_config(&TlsSource::SelfSigned, &"127.0.0.1:0".parse().unwrap()).unwrap();
        assert_eq!(
            cfg.alpn_protocols,
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );
    }
}
