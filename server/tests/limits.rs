//! Failing well (issue 24), against a real listener over the fake store: idle connections are
//! closed, connections past the cap are refused with a 503 that arrives, a stalled body gets
//! 408, a stalled store answers a retryable 500 at the deadline (also after quick requests on
//! one kept-alive connection, whose timers the requests share, and for concurrent HTTP/2
//! requests), readiness follows the store,
//! and a body that is not JSON by its Content-Type gets DynamoDB's 404.

mod common;

use common::fake_store::FakeStore;
use common::{assert_dynamodb_headers, start_with, Client, Running, AUTH};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const DESCRIBE: &str = "DynamoDB_20120810.DescribeTable";

/// Reads until the peer closes; the bytes read, or `None` if it stayed open for `wait`.
async fn read_until_closed(tcp: &mut TcpStream, wait: Duration) -> Option<Vec<u8>> {
    let mut all = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at(deadline, tcp.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(all),
            Ok(Ok(n)) => all.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test]
async fn idle_http1_connections_are_closed_after_the_idle_timeout() {
    let s = start_with(Arc::default(), |c| {
        c.idle_timeout = Duration::from_millis(300)
    })
    .await;
    let mut tcp = TcpStream::connect(s.addr).await.unwrap();
    tcp.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = tcp.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    let started = Instant::now();
    assert!(
        read_until_closed(&mut tcp, Duration::from_secs(5))
            .await
            .is_some(),
        "an idle keep-alive connection stayed open"
    );
    assert!(started.elapsed() >= Duration::from_millis(250));
    // A connection that never sent a request is idle too.
    let mut silent = TcpStream::connect(s.addr).await.unwrap();
    assert!(read_until_closed(&mut silent, Duration::from_secs(5))
        .await
        .is_some());
    s.stop().await;
}

#[tokio::test]
async fn idle_http2_connections_are_closed_after_the_idle_timeout() {
    let s = start_with(Arc::default(), |c| {
        c.idle_timeout = Duration::from_millis(300)
    })
    .await;
    let tcp = TcpStream::connect(s.addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tcp))
            .await
            .unwrap();
    let conn = tokio::spawn(conn);
    let c = Client {
        h2: true,
        ..Client::plain(s.addr)
    };
    let resp = sender.send_request(c.get("/health")).await.unwrap();
    assert_eq!(resp.status(), 200);
    // The server ends the connection (GOAWAY), which ends the client's connection task.
    tokio::time::timeout(Duration::from_secs(5), conn)
        .await
        .expect("an idle HTTP/2 connection stayed open")
        .unwrap()
        .ok();
    s.stop().await;
}

#[tokio::test]
async fn connections_past_the_cap_get_a_503_and_later_ones_get_in() {
    let s = start_with(Arc::default(), |c| c.max_connections = 2).await;
    let c = Client::plain(s.addr);
    let held = [
        TcpStream::connect(s.addr).await.unwrap(),
        TcpStream::connect(s.addr).await.unwrap(),
    ];
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut extra = TcpStream::connect(s.addr).await.unwrap();
    extra
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut extra, Duration::from_secs(5))
        .await
        .expect("the refused connection was not closed");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("connection: close") && text.contains("too many open connections"));
    drop(held);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(c.send(c.get("/health")).await.status, 200);
    let metrics = c.send(c.get("/metrics")).await;
    let text = String::from_utf8_lossy(&metrics.body);
    assert!(
        text.contains("extenddb_connections_refused_total 1"),
        "{text}"
    );
    s.stop().await;
}

#[tokio::test]
async fn a_stalled_body_gets_408() {
    let s = start_with(Arc::default(), |c| {
        c.body_read_timeout = Duration::from_millis(300)
    })
    .await;
    let mut tcp = TcpStream::connect(s.addr).await.unwrap();
    tcp.write_all(
        format!(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n\
             X-Amz-Target: {DESCRIBE}\r\nAuthorization: {AUTH}\r\nContent-Length: 50\r\n\r\n{{\"Ta"
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let answer = read_until_closed(&mut tcp, Duration::from_secs(5))
        .await
        .expect("the connection stayed open");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("com.amazon.coral.service#RequestTimeoutException"));
    s.stop().await;
}

/// A server over a fake store whose requests have a 400 ms deadline; the store stalls every
/// call for 30 s when `stalled`.
async fn with_400_ms_deadline(stalled: bool) -> (Arc<FakeStore>, Running) {
    let store = Arc::new(FakeStore::default());
    if stalled {
        *store.stall.lock().unwrap() = Some(Duration::from_secs(30));
    }
    let s = start_with(store.clone(), |c| {
        c.request_timeout = Duration::from_millis(400)
    })
    .await;
    (store, s)
}

#[tokio::test]
async fn a_stalled_store_answers_a_retryable_500_at_the_deadline() {
    let (_store, s) = with_400_ms_deadline(true).await;
    let c = Client::plain(s.addr);
    let started = Instant::now();
    let a = c
        .send(c.api(Some(DESCRIBE), Some(AUTH), r#"{"TableName":"slow"}"#))
        .await;
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(a.status, 500);
    assert_dynamodb_headers(&a);
    assert_eq!(
        a.json()["__type"],
        "com.amazonaws.dynamodb.v20120810#InternalServerError"
    );
    assert!(a.json()["message"]
        .as_str()
        .unwrap()
        .contains("did not complete within 400 ms"));
    s.stop().await;
}

/// The status and body of the answer to `req` on an open connection.
async fn status_and_message<B>(
    resp: Result<hyper::Response<B>, hyper::Error>,
) -> (u16, serde_json::Value)
where
    B: hyper::body::Body,
    B::Error: std::fmt::Debug,
{
    use http_body_util::BodyExt;
    let resp = resp.unwrap();
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap_or_default())
}

#[tokio::test]
async fn a_kept_alive_connection_meets_each_requests_deadline() {
    // The connection's timers are lent to each request and moved to its deadline: after
    // quick requests on one connection, a stalled one still ends at its own deadline.
    let (store, s) = with_400_ms_deadline(false).await;
    let c = Client::plain(s.addr);
    let tcp = TcpStream::connect(s.addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .unwrap();
    tokio::spawn(conn);
    for _ in 0..3 {
        let req = c.api(Some(DESCRIBE), Some(AUTH), r#"{"TableName":"quick"}"#);
        let (status, _) = status_and_message(sender.send_request(req).await).await;
        assert_ne!(status, 500);
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    *store.stall.lock().unwrap() = Some(Duration::from_secs(30));
    let started = Instant::now();
    let req = c.api(Some(DESCRIBE), Some(AUTH), r#"{"TableName":"slow"}"#);
    let (status, body) = status_and_message(sender.send_request(req).await).await;
    let took = started.elapsed();
    assert_eq!(status, 500, "{body}");
    assert!(body["message"]
        .as_str()
        .unwrap_or_default()
        .contains("did not complete within 400 ms"));
    assert!(
        took >= Duration::from_millis(350) && took < Duration::from_secs(3),
        "{took:?}"
    );
    s.stop().await;
}

#[tokio::test]
async fn concurrent_http2_requests_each_meet_their_deadline() {
    let (_store, s) = with_400_ms_deadline(true).await;
    let c = Client {
        h2: true,
        ..Client::plain(s.addr)
    };
    let tcp = TcpStream::connect(s.addr).await.unwrap();
    let (sender, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tcp))
            .await
            .unwrap();
    tokio::spawn(conn);
    let started = Instant::now();
    let tasks: Vec<_> = (0..3)
        .map(|i| {
            let mut sender = sender.clone();
            let req = c.api(
                Some(DESCRIBE),
                Some(AUTH),
                format!(r#"{{"TableName":"slow{i}"}}"#),
            );
            tokio::spawn(async move { status_and_message(sender.send_request(req).await).await })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    assert!(started.elapsed() < Duration::from_secs(3));
    for (status, body) in answers {
        assert_eq!(status, 500, "{body}");
    }
    s.stop().await;
}

#[tokio::test]
async fn readiness_follows_the_store_and_liveness_does_not() {
    let store = Arc::new(FakeStore::default());
    let s = start_with(store.clone(), |c| {
        c.health_interval = Duration::from_millis(50)
    })
    .await;
    let c = Client::plain(s.addr);
    let a = c.send(c.get("/health/ready")).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json(), serde_json::json!({"status": "ready"}));
    *store.not_ready.lock().unwrap() = Some("disk full".into());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let a = c.send(c.get("/health/ready")).await;
    assert_eq!(a.status, 503);
    assert_dynamodb_headers(&a);
    assert_eq!(
        a.json(),
        serde_json::json!({"status": "not ready", "reason": "disk full"})
    );
    assert_eq!(c.send(c.get("/health")).await.status, 200);
    // Readiness steers load balancers; it does not gate requests (reads go on while the disk
    // is full, and the store answers each write itself).
    let listed = c
        .send(c.api(Some("DynamoDB_20120810.ListTables"), Some(AUTH), "{}"))
        .await;
    assert_eq!(listed.status, 200);
    let metrics = c.send(c.get("/metrics")).await;
    assert!(String::from_utf8_lossy(&metrics.body).contains("extenddb_ready 0"));
    *store.not_ready.lock().unwrap() = None;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(c.send(c.get("/health/ready")).await.status, 200);
    s.stop().await;
}

#[tokio::test]
async fn a_body_that_is_not_json_by_content_type_gets_dynamodbs_404() {
    let s = start_with(Arc::default(), |_| {}).await;
    let c = Client::plain(s.addr);
    let mut req = c.api(Some(DESCRIBE), Some(AUTH), r#"{"TableName":"t"}"#);
    req.headers_mut()
        .insert("content-type", "text/plain".parse().unwrap());
    let a = c.send(req).await;
    assert_eq!(a.status, 404);
    assert_eq!(&a.body[..], b"<UnknownOperationException/>\n");
    assert!(a.headers.get("content-type").is_none());
    let mut req = c.api(Some("DynamoDB_20120810.ListTables"), Some(AUTH), "{}");
    req.headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    let a = c.send(req).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.headers["content-type"], "application/json");
    s.stop().await;
}
