//! Test harness: a real server on 127.0.0.1 port 0 over the fake store, and a small hyper
//! client speaking HTTP/1.1 or HTTP/2, plain or TLS.

#![allow(dead_code)]

pub mod fake_store;

use bytes::Bytes;
use extenddb_auth_none::NoneAuth;
use extenddb_server::{Server, ServerConfig, Services, TlsSource};
use http::{HeaderMap, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::ServerName;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The account the test server's NoneAuth acts in.
pub const ACCOUNT: &str = "123456789012";
/// A well-formed SigV4 Authorization header (the signature is not checked by NoneAuth).
pub const AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDTEST/20240102/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=8b4f5a1c6d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f80";
/// The request time matching `AUTH`'s scope.
pub const AMZ_DATE: &str = "20240102T030405Z";

/// A running server and the means to stop it.
pub struct Running {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), extenddb_server::ServerError>>,
}

impl Running {
    /// Triggers graceful shutdown and waits for `serve` to return.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        tokio::time::timeout(Duration::from_secs(10), &mut self.task)
            .await
            .expect("server did not stop in time")
            .expect("server task panicked")
            .expect("server returned an error");
    }
}

/// Starts a server on 127.0.0.1:0 with `max_body_bytes` and optional TLS.
pub async fn start(tls: Option<TlsSource>, max_body_bytes: usize) -> Running {
    start_with(Arc::default(), |c| {
        c.tls = tls;
        c.max_body_bytes = max_body_bytes;
    })
    .await
}

/// Starts a server on 127.0.0.1:0 over `store`, its configuration adjusted by `tweak`.
pub async fn start_with(
    store: Arc<fake_store::FakeStore>,
    tweak: impl FnOnce(&mut ServerConfig),
) -> Running {
    let settings = extenddb_core::settings::RuntimeSettings::new();
    settings.set_default("control_plane_delay_seconds", "0");
    let services = Services::new(
        store.clone(),
        store,
        Arc::new(NoneAuth::new(ACCOUNT)),
        "us-east-1",
    )
    .with_settings(Arc::new(settings));
    let mut config = ServerConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        shutdown_grace: Duration::from_secs(5),
        ..ServerConfig::default()
    };
    tweak(&mut config);
    let server = Server::bind(config, services).await.unwrap();
    let addr = server.local_addr();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(server.run(async move {
        let _ = rx.await;
    }));
    Running {
        addr,
        stop: Some(tx),
        task,
    }
}

/// How to reach the server.
#[derive(Clone)]
pub struct Client {
    pub addr: SocketAddr,
    pub tls: Option<(Arc<rustls::ClientConfig>, ServerName<'static>)>,
    pub h2: bool,
}

/// A received answer.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub version: http::Version,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("body is JSON")
    }
}

impl Client {
    /// A plain HTTP/1.1 client.
    pub fn plain(addr: SocketAddr) -> Client {
        Client {
            addr,
            tls: None,
            h2: false,
        }
    }

    /// Sends one request on a new connection.
    pub async fn send(&self, req: Request<Full<Bytes>>) -> Answer {
        let tcp = TcpStream::connect(self.addr).await.unwrap();
        match &self.tls {
            None => self.send_on(tcp, req).await,
            Some((cfg, name)) => {
                let tls = tokio_rustls::TlsConnector::from(cfg.clone())
                    .connect(name.clone(), tcp)
                    .await
                    .unwrap();
                self.send_on(tls, req).await
            }
        }
    }

    async fn send_on<S>(&self, io: S, req: Request<Full<Bytes>>) -> Answer
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let resp = if self.h2 {
            let (mut sender, conn) =
                hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(io))
                    .await
                    .unwrap();
            tokio::spawn(conn);
            sender.send_request(req).await.unwrap()
        } else {
            let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
                .await
                .unwrap();
            tokio::spawn(conn);
            sender.send_request(req).await.unwrap()
        };
        let status = resp.status();
        let version = resp.version();
        let headers = resp.headers().clone();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            headers,
            body,
            version,
        }
    }

    /// The URI to use: HTTP/2 needs an absolute one (for `:authority` and `:scheme`).
    pub fn uri(&self, path: &str) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://localhost:{}{path}", self.addr.port())
    }

    /// A DynamoDB API request: `target` as X-Amz-Target (if any), `auth` as Authorization.
    pub fn api(
        &self,
        target: Option<&str>,
        auth: Option<&str>,
        body: impl Into<Bytes>,
    ) -> Request<Full<Bytes>> {
        let mut b = Request::post(self.uri("/"))
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-date", AMZ_DATE);
        if !self.h2 {
            b = b.header("host", format!("localhost:{}", self.addr.port()));
        }
        if let Some(t) = target {
            b = b.header("x-amz-target", t);
        }
        if let Some(a) = auth {
            b = b.header("authorization", a);
        }
        b.body(Full::new(body.into())).unwrap()
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> Request<Full<Bytes>> {
        let mut b = Request::get(self.uri(path));
        if !self.h2 {
            b = b.header("host", format!("localhost:{}", self.addr.port()));
        }
        b.body(Full::new(Bytes::new())).unwrap()
    }
}

/// Checks the headers DynamoDB puts on every answer, including a correct CRC32 of the body.
pub fn assert_dynamodb_headers(a: &Answer) {
    assert_eq!(a.headers["content-type"], "application/x-amz-json-1.0");
    let id = a.headers["x-amzn-requestid"].to_str().unwrap();
    assert_eq!(id.len(), 52, "request id {id}");
    assert!(id
        .bytes()
        .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
    let crc: u32 = a.headers["x-amz-crc32"].to_str().unwrap().parse().unwrap();
    assert_eq!(crc, crc32fast::hash(&a.body));
    let len: usize = a.headers["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(len, a.body.len());
}
