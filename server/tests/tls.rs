//! The same protocol over TLS: certificates from PEM files (verified by the client against the
//! generated certificate, so SANs are checked) and generated in memory; HTTP/1.1 and HTTP/2.

mod common;

use common::{assert_dynamodb_headers, start, start_with, Client, AUTH};
use extenddb_server::{tls, TlsSource, DEFAULT_MAX_BODY_BYTES};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::sync::Arc;
use std::time::Duration;

fn client_config(roots: rustls::RootCertStore, h2: bool) -> Arc<rustls::ClientConfig> {
    tls::install_crypto_provider();
    let mut cfg = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    cfg.alpn_protocols = if h2 {
        vec![b"h2".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Arc::new(cfg)
}

#[tokio::test]
async fn pem_certificate_serves_http1_and_h2_with_verified_sans() {
    let dir = tempfile::tempdir().unwrap();
    let sans = tls::default_sans(&"127.0.0.1:0".parse().unwrap());
    let cert = tls::ensure_self_signed_files(dir.path(), &sans).unwrap();
    let s = start(
        Some(TlsSource::Pem {
            cert: cert.clone(),
            key: dir.path().join(tls::KEY_FILE),
        }),
        DEFAULT_MAX_BODY_BYTES,
    )
    .await;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(&cert).unwrap())
        .unwrap();
    for (h2, name) in [(false, "localhost"), (true, "127.0.0.1")] {
        let c = Client {
            addr: s.addr,
            tls: Some((
                client_config(roots.clone(), h2),
                ServerName::try_from(name.to_string()).unwrap(),
            )),
            h2,
        };
        let a = c.send(c.get("/health")).await;
        assert_eq!(a.status, 200);
        assert_eq!(&a.body[..], br#"{"status":"healthy"}"#);
        assert_dynamodb_headers(&a);
        let expected = if h2 {
            http::Version::HTTP_2
        } else {
            http::Version::HTTP_11
        };
        assert_eq!(a.version, expected);

        let a = c
            .send(c.api(Some("DynamoDB_20120810.ListTables"), None, "{}"))
            .await;
        assert_eq!(
            a.json()["__type"],
            "com.amazon.coral.service#MissingAuthenticationTokenException"
        );
    }
    s.stop().await;
}

#[tokio::test]
async fn a_name_outside_the_sans_is_refused_by_the_client() {
    let dir = tempfile::tempdir().unwrap();
    let sans = tls::default_sans(&"127.0.0.1:0".parse().unwrap());
    let cert = tls::ensure_self_signed_files(dir.path(), &sans).unwrap();
    let s = start(
        Some(TlsSource::Pem {
            cert: cert.clone(),
            key: dir.path().join(tls::KEY_FILE),
        }),
        DEFAULT_MAX_BODY_BYTES,
    )
    .await;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(&cert).unwrap())
        .unwrap();
    let tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let r = tokio_rustls::TlsConnector::from(client_config(roots, false))
        .connect(ServerName::try_from("elsewhere.example").unwrap(), tcp)
        .await;
    assert!(r.is_err());
    s.stop().await;
}

/// Accepts any certificate: the in-memory certificate cannot be handed to the client.
#[derive(Debug)]
struct AcceptAny(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// A client that trusts any certificate (the server's is generated), speaking `alpn`.
fn trusting_client(addr: std::net::SocketAddr, h2: bool) -> Client {
    tls::install_crypto_provider();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ClientConfig::builder()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAny(provider)))
        .with_no_client_auth();
    cfg.alpn_protocols = vec![if h2 {
        b"h2".to_vec()
    } else {
        b"http/1.1".to_vec()
    }];
    Client {
        addr,
        tls: Some((Arc::new(cfg), ServerName::try_from("localhost").unwrap())),
        h2,
    }
}

#[tokio::test]
async fn generated_certificate_serves_signed_requests_over_h2() {
    let s = start(Some(TlsSource::SelfSigned), DEFAULT_MAX_BODY_BYTES).await;
    let c = trusting_client(s.addr, true);
    // Over HTTP/2 the host travels as :authority; the signed request must still authenticate.
    let a = c
        .send(c.api(Some("DynamoDB_20120810.ListTables"), Some(AUTH), "{}"))
        .await;
    assert_eq!(a.version, http::Version::HTTP_2);
    assert_dynamodb_headers(&a);
    assert_ne!(
        a.json()["__type"],
        "com.amazon.coral.service#MissingAuthenticationTokenException"
    );
    assert_ne!(
        a.json()["__type"],
        "com.amazon.coral.service#InvalidSignatureException"
    );
    s.stop().await;
}

/// Past `max_connections` a TLS connection is closed before its handshake (an answer would
/// need one), the refusal is counted, and a connection gets in again once one closes.
#[tokio::test]
async fn tls_connections_past_the_cap_are_closed_and_later_ones_get_in() {
    let s = start_with(Arc::default(), |c| {
        c.tls = Some(TlsSource::SelfSigned);
        c.max_connections = 2;
    })
    .await;
    let c = trusting_client(s.addr, false);
    let held = [
        tokio::net::TcpStream::connect(s.addr).await.unwrap(),
        tokio::net::TcpStream::connect(s.addr).await.unwrap(),
    ];
    tokio::time::sleep(Duration::from_millis(50)).await;
    let tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let (cfg, name) = c.tls.clone().unwrap();
    let handshake = tokio::time::timeout(
        Duration::from_secs(5),
        tokio_rustls::TlsConnector::from(cfg).connect(name, tcp),
    )
    .await
    .expect("the refused TLS connection was left hanging");
    assert!(handshake.is_err(), "a TLS connection past the cap got in");
    drop(held);
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Two requests, each on a connection of its own: the cap leaves room for both even if the
    // first is not yet closed on the server's side when the second arrives.
    assert_eq!(c.send(c.get("/health")).await.status, 200);
    let metrics = c.send(c.get("/metrics")).await;
    let text = String::from_utf8_lossy(&metrics.body);
    assert!(
        text.contains("extenddb_connections_refused_total 1"),
        "{text}"
    );
    s.stop().await;
}
