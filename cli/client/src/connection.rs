//! One keep-alive HTTP/1.1 connection (plain or TLS) that sends signed DynamoDB JSON requests.
//!
//! Each worker owns one `Connection`: hyper's `client::conn::http1` handshake over a tokio
//! TCP (or rustls) stream, no pool, so a worker's latency is exactly its own round trips.
//!
//! The connection is driven in the worker's own task while a request is in flight, not in a
//! spawned task: a spawned driver costs a channel hop and a task wake-up each way per request,
//! which on a machine shared with the server under test is CPU taken from the server. The
//! headers that do not change (`Host`, `Content-Type`, the last `X-Amz-Target`, the
//! second's `X-Amz-Date`) are built once and cloned (a reference count).

use crate::sigv4::{amz_date, Credentials, SignInput, Signer};
use crate::transport::{ClientError, Driver, Endpoint, Reply, Sender};
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, AUTHORIZATION, CONNECTION, CONTENT_TYPE, HOST};
use http::{Method, Request};
use http_body_util::{BodyExt, Full};
use std::future::Future;
use std::sync::Arc;
use time::OffsetDateTime;

/// JSON protocol version prefix of every DynamoDB `X-Amz-Target`.
pub const TARGET_PREFIX: &str = "DynamoDB_20120810.";
const AMZ_JSON: &str = "application/x-amz-json-1.0";
const X_AMZ_DATE: HeaderName = HeaderName::from_static("x-amz-date");
const X_AMZ_TARGET: HeaderName = HeaderName::from_static("x-amz-target");
const X_AMZ_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-amz-security-token");

/// One open connection plus the signer for its requests.
pub struct Connection {
    sender: Sender,
    /// `None` once the connection ended; the next call opens a new one.
    driver: Option<Driver>,
    endpoint: Arc<Endpoint>,
    signer: Signer,
    host: HeaderValue,
    /// The operation of the last request and its `X-Amz-Target` value.
    target: (&'static str, String, HeaderValue),
    /// The Unix second of the last request and its `X-Amz-Date` value.
    date: (i64, String, HeaderValue),
    /// The session token of temporary credentials, sent (and signed) as
    /// `X-Amz-Security-Token`.
    session_token: Option<(String, HeaderValue)>,
    server_closes: bool,
}

/// How one attempt to send a request ended when it brought no reply.
enum Failure {
    /// The request was not written (the connection had closed): it may be sent again.
    Unsent(Box<Request<Full<Bytes>>>, hyper::Error),
    /// Anything else.
    Failed(ClientError),
}

impl Connection {
    /// Connects (TCP, then TLS when the endpoint is HTTPS) and performs the HTTP/1 handshake.
    pub async fn open(
        endpoint: Arc<Endpoint>,
        credentials: Credentials,
        region: &str,
    ) -> Result<Self, ClientError> {
        let (sender, driver) = endpoint.connect().await?;
        let host = HeaderValue::from_str(endpoint.host_header()).map_err(http::Error::from)?;
        Ok(Connection {
            sender,
            driver: Some(driver),
            endpoint,
            signer: Signer::new(credentials, region, "dynamodb"),
            host,
            target: ("", String::new(), HeaderValue::from_static("")),
            date: (i64::MIN, String::new(), HeaderValue::from_static("")),
            session_token: None,
            server_closes: false,
        })
    }

    /// Sends `token` (temporary credentials' session token) with every request from now on.
    pub fn with_session_token(mut self, token: Option<String>) -> Result<Self, ClientError> {
        self.session_token = match token {
            Some(t) => {
                let value = HeaderValue::from_str(&t).map_err(http::Error::from)?;
                Some((t, value))
            }
            None => None,
        };
        Ok(self)
    }

    /// Drops the connection (after a timeout, when its state is unknown); the next call
    /// opens a new one.
    pub fn disconnect(&mut self) {
        self.driver = None;
    }

    /// Sends one signed request for operation `op` (e.g. `PutItem`) and reads the whole reply.
    pub async fn call(&mut self, op: &'static str, body: Vec<u8>) -> Result<Reply, ClientError> {
        let request = self.signed_request(op, body)?;
        // A server that answers `Connection: close` (or HTTP/1.0) drops the connection after
        // each reply; the next call then opens a new one instead of failing.
        if self.server_closes || self.driver.is_none() {
            self.reconnect().await?;
        }
        let request = match self.exchange(request).await {
            Ok(reply) => return Ok(reply),
            Err(Failure::Failed(e)) => return Err(e),
            // Not written yet: the connection closed under us, so a retry is safe.
            Err(Failure::Unsent(request, _)) => *request,
        };
        self.reconnect().await?;
        match self.exchange(request).await {
            Ok(reply) => Ok(reply),
            Err(Failure::Failed(e)) => Err(e),
            Err(Failure::Unsent(_, e)) => Err(e.into()),
        }
    }

    /// Builds the request with its SigV4 `Authorization`.
    fn signed_request(
        &mut self,
        op: &'static str,
        body: Vec<u8>,
    ) -> Result<Request<Full<Bytes>>, ClientError> {
        if self.target.0 != op {
            let target = format!("{TARGET_PREFIX}{op}");
            let value = HeaderValue::from_str(&target).map_err(http::Error::from)?;
            self.target = (op, target, value);
        }
        let now = OffsetDateTime::now_utc();
        if self.date.0 != now.unix_timestamp() {
            let date = amz_date(now);
            let value = HeaderValue::from_str(&date).map_err(http::Error::from)?;
            self.date = (now.unix_timestamp(), date, value);
        }
        let token = self.session_token.as_ref().map(|(t, _)| t.as_str());
        let all = [
            ("content-type", AMZ_JSON),
            ("host", self.endpoint.host_header()),
            ("x-amz-date", self.date.1.as_str()),
            ("x-amz-security-token", token.unwrap_or_default()),
            ("x-amz-target", self.target.1.as_str()),
        ];
        let without_token = [all[0], all[1], all[2], all[4]];
        let headers: &[(&str, &str)] = if token.is_some() {
            &all
        } else {
            &without_token
        };
        let authorization = self.signer.authorization(
            &self.date.1,
            &SignInput {
                method: "POST",
                path: "/",
                query: "",
                headers,
                payload: &body,
            },
        );
        // The default URI is `/`.
        let mut request = Request::new(Full::new(Bytes::from(body)));
        *request.method_mut() = Method::POST;
        let h = request.headers_mut();
        h.insert(HOST, self.host.clone());
        h.insert(CONTENT_TYPE, HeaderValue::from_static(AMZ_JSON));
        h.insert(X_AMZ_DATE, self.date.2.clone());
        h.insert(X_AMZ_TARGET, self.target.2.clone());
        if let Some((_, value)) = &self.session_token {
            h.insert(X_AMZ_SECURITY_TOKEN, value.clone());
        }
        h.insert(
            AUTHORIZATION,
            HeaderValue::try_from(authorization).map_err(http::Error::from)?,
        );
        Ok(request)
    }

    async fn reconnect(&mut self) -> Result<(), ClientError> {
        self.driver = None;
        let (sender, driver) = self.endpoint.connect().await?;
        self.sender = sender;
        self.driver = Some(driver);
        self.server_closes = false;
        Ok(())
    }

    /// Writes `request` and reads the whole reply, driving the connection meanwhile.
    async fn exchange(&mut self, request: Request<Full<Bytes>>) -> Result<Reply, Failure> {
        let sender = &mut self.sender;
        let work = async move {
            if let Err(e) = sender.ready().await {
                return Err(Failure::Unsent(Box::new(request), e));
            }
            let response = match sender.try_send_request(request).await {
                Ok(response) => response,
                Err(mut e) => {
                    return Err(match e.take_message() {
                        Some(request) => Failure::Unsent(Box::new(request), e.into_error()),
                        None => Failure::Failed(e.into_error().into()),
                    })
                }
            };
            let closes = response
                .headers()
                .get(CONNECTION)
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"close"))
                || response.version() == http::Version::HTTP_10;
            let status = response.status().as_u16();
            let body = match response.into_body().collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(e) => return Err(Failure::Failed(e.into())),
            };
            Ok((Reply { status, body }, closes))
        };
        let (reply, closes) = drive(&mut self.driver, work).await?;
        self.server_closes = closes;
        Ok(reply)
    }
}

/// Awaits `work` while polling the connection `driver`, which writes the request and reads
/// the reply. When the connection ends first (closed by the server, or failed) it is dropped,
/// which hands `work` what arrived before, or the closed connection's error.
async fn drive<T>(driver: &mut Option<Driver>, work: impl Future<Output = T>) -> T {
    tokio::pin!(work);
    if let Some(conn) = driver.as_mut() {
        tokio::select! {
            biased;
            out = &mut work => return out,
            _ = conn.as_mut() => {}
        }
        *driver = None;
    }
    work.await
}
