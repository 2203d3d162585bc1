//! The DynamoDB protocol layer end to end over plain HTTP: a real server on 127.0.0.1:0 with an
//! in-memory store, spoken to by a hyper client (and raw TCP where hyper would be too polite).

mod common;

use common::{assert_dynamodb_headers, start, Client, AUTH};
use extenddb_server::DEFAULT_MAX_BODY_BYTES;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const LIST_TABLES: &str = "DynamoDB_20120810.ListTables";

#[tokio::test]
async fn health_answers_healthy_with_dynamodb_headers() {
    let s = start(None, DEFAULT_MAX_BODY_BYTES).await;
    let c = Client::plain(s.addr);
    let a = c.send(c.get("/health")).await;
    assert_eq!(a.status, 200);
    assert_eq!(&a.body[..], br#"{"status":"healthy"}"#);
    assert_dynamodb_headers(&a);
    let b = c.send(c.get("/health")).await;
    assert_ne!(
        a.headers["x-amzn-requestid"], b.headers["x-amzn-requestid"],
        "every request gets its own id"
    );
    s.stop().await;
}

#[tokio::test]
async fn unknown_path_is_404() {
    let s = start(None, DEFAULT_MAX_BODY_BYTES).await;
    let c = Client::plain(s.addr);
    let a = c.send(c.get("/nope")).await;
    assert_eq!(a.status, 404);
    assert_dynamodb_headers(&a);
    s.stop().await;
}

#[tokio::test]
async fn missing_or_foreign_target_is_unknown_operation() {
    let s = start(None, DEFAULT_MAX_BODY_BYTES).await;
    let c = Client::plain(s.addr);
    for target in [
        None,
        Some("whatever"),
        Some("DynamoDB_20111205.ListTables"),
        // Streams operations are served on the same endpoint; an unknown one is not.
        Some("DynamoDBStreams_20120810.Nope"),
        Some("DynamoDBStreams_20120810.PutItem"),
    ] {
        let a = c.send(c.api(target, Some(AUTH), "{}")).await;
        assert_eq!(a.status, 400, "target {target:?}");
        assert_dynamodb_headers(&a);
        assert_eq!(
            a.json(),
            serde_json::json!({
                "__type": "com.amazon.coral.service#UnknownOperationException",
                "message": "Unknown operation exception"
            }),
            "target {target:?}"
        );
    }
    s.stop().await;
}

#[tokio::test]
async fn missing_authorization_is_missing_authentication_token() {
    let s = start(None, DEFAULT_MAX_BODY_BYTES).await;
    let c = Client::plain(s.addr);
    let a = c.send(c.api(Some(LIST_TABLES), None, "{}")).await;
    assert_eq!(a.status, 400);
    assert_dynamodb_headers(&a);
    assert_eq!(
        a.json(),
        serde_json::json!({
            "__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
            "message": "Request is missing Authentication Token"
        })
    );
    s.stop().await;
}

#[tokio::test]
async fn malformed_authorization_is_incomplete_signature() {
    let s = start(None, DEFAULT_MAX_BODY_BYTES).await;
    let c = Client::plain(s.addr);
    let auth = "AWS4-HMAC-SHA256 Signature=abc";
    let a = c.send(c.api(Some(LIST_TABLES), Some(auth), "{}")).await;
    assert_eq!(a.status, 400);
    assert_eq!(
        a.json(),
        serde_json::json!({
            "__type": "com.amazon.coral.service#IncompleteSignatureException",
            "message": format!(
                "Authorization header requires 'Credential' parameter. \
                 Authorization header requires 'SignedHeaders' parameter. Authorization={auth}"
            )
        })
    );
    s.stop().await;
}

#[tokio::test]
async fn signed_request_reaches_dispatch() {
    let s = start(None, DEFAULT_MAX_BODY_BYTES).await;
    let c = Client::plain(s.addr);
    let a = c.send(c.api(Some(LIST_TABLES), Some(AUTH), "{}")).await;
    assert_dynamodb_headers(&a);
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert_eq!(a.json(), serde_json::json!({"TableNames": []}));
    s.stop().await;
}

#[tokio::test]
async fn malformed_json_is_serialization_exception_once_core_decodes() {
    let s = start(None, DEFAULT_MAX_BODY_BYTES).await;
    let c = Client::plain(s.addr);
    let a = c
        .send(c.api(Some(LIST_TABLES), Some(AUTH), "{not json"))
        .await;
    assert_eq!(a.status, 400);
    assert_dynamodb_headers(&a);
    assert_eq!(
        a.json()["__type"],
        "com.amazon.coral.service#SerializationException"
    );
    assert!(a.json()["message"]
        .as_str()
        .unwrap()
        .starts_with("The request body is not valid JSON"));
    s.stop().await;
}

#[tokio::test]
async fn body_over_the_limit_is_413_by_content_length() {
    let s = start(None, 1024).await;
    let c = Client::plain(s.addr);
    let a = c
        .send(c.api(Some(LIST_TABLES), Some(AUTH), vec![b' '; 1025]))
        .await;
    assert_eq!(a.status, 413);
    assert_dynamodb_headers(&a);
    assert_eq!(
        a.json(),
        serde_json::json!({
            "__type": "com.amazon.coral.service#RequestEntityTooLarge",
            "message": "Request entity size exceeds the maximum allowed of 1024 bytes"
        })
    );
    // Exactly at the limit is fine: the answer comes from past the body check.
    let a = c
        .send(c.api(Some(LIST_TABLES), None, vec![b' '; 1024]))
        .await;
    assert_eq!(
        a.json()["__type"],
        "com.amazon.coral.service#MissingAuthenticationTokenException"
    );
    s.stop().await;
}

#[tokio::test]
async fn chunked_body_over_the_limit_is_413_while_counting() {
    let s = start(None, 1024).await;
    let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let chunk = vec![b'x'; 800];
    let mut req = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: {LIST_TABLES}\r\n\
         Content-Type: application/x-amz-json-1.0\r\n\
         Authorization: {AUTH}\r\nX-Amz-Date: {}\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n",
        common::AMZ_DATE
    )
    .into_bytes();
    for _ in 0..2 {
        req.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        req.extend_from_slice(&chunk);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    tcp.write_all(&req).await.unwrap();
    let mut resp = Vec::new();
    tcp.read_to_end(&mut resp).await.unwrap();
    let text = String::from_utf8_lossy(&resp);
    assert!(text.starts_with("HTTP/1.1 413 "), "{text}");
    assert!(
        text.contains(r#""__type":"com.amazon.coral.service#RequestEntityTooLarge""#),
        "{text}"
    );
    s.stop().await;
}

#[tokio::test]
async fn garbage_on_the_wire_does_not_take_the_server_down() {
    let s = start(None, DEFAULT_MAX_BODY_BYTES).await;
    let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    tcp.write_all(b"\x00\xffNOT HTTP AT ALL\r\n\r\n")
        .await
        .unwrap();
    let mut sink = Vec::new();
    let _ = tcp.read_to_end(&mut sink).await;
    let c = Client::plain(s.addr);
    assert_eq!(c.send(c.get("/health")).await.status, 200);
    s.stop().await;
}

#[tokio::test]
async fn graceful_shutdown_stops_accepting() {
    let s = start(None, DEFAULT_MAX_BODY_BYTES).await;
    let addr = s.addr;
    s.stop().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn request_line_or_headers_over_16_kb_are_400() {
    let s = start(None, DEFAULT_MAX_BODY_BYTES).await;
    let c = Client::plain(s.addr);
    let a = c
        .send(c.get(&format!("/health/{}", "x".repeat(17_000))))
        .await;
    assert_eq!(a.status, 400);
    assert_dynamodb_headers(&a);
    let mut req = c.get("/health");
    for name in ["header1", "header2"] {
        req.headers_mut()
            .insert(name, "z".repeat(8192).parse().unwrap());
    }
    assert_eq!(c.send(req).await.status, 400);
    let mut req = c.get("/health");
    req.headers_mut()
        .insert("header1", "z".repeat(100).parse().unwrap());
    assert_eq!(c.send(req).await.status, 200);
    s.stop().await;
}
