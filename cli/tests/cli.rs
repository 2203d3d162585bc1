//! The `extenddb` binary end to end: version output, errors, and a dev server that answers and
//! stops cleanly on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_extenddb");

#[test]
fn version_and_dash_v_print_the_same_four_lines() {
    let a = Command::new(BIN).arg("version").output().unwrap();
    let b = Command::new(BIN).arg("-V").output().unwrap();
    assert!(a.status.success() && b.status.success());
    assert_eq!(a.stdout, b.stdout);
    let text = String::from_utf8(a.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "extenddb 0.0.2");
    assert_eq!(lines[1], "catalog 0.0.2");
    assert!(lines[2].starts_with("commit "), "{text}");
    assert!(lines[3].starts_with("built "), "{text}");
    assert_eq!(lines.len(), 4);
}

#[test]
fn output_to_a_closed_pipe_ends_quietly_instead_of_panicking() {
    // `extenddb version | head -0`: the reader is gone before the command writes. Either the
    // write wins the race (exit 0) or SIGPIPE ends the command; it must never panic.
    let mut child = Command::new(BIN)
        .arg("version")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(status.code(), Some(101), "{stderr}");
}

#[test]
fn errors_are_one_line_and_exit_non_zero() {
    let out = Command::new(BIN)
        .args(["dev", "--in-memory", "--account-id", "abc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: --account-id must be 12 digits, got 'abc'\n"
    );
}

#[test]
fn a_port_in_use_is_reported_on_one_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = Command::new(BIN)
        .args(["dev", "--in-memory", "--port", &port])
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with(&format!("error: cannot listen on 127.0.0.1:{port}: ")),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[cfg(unix)]
#[test]
fn dev_serves_health_and_stops_on_sigterm() {
    let mut child = Command::new(BIN)
        .args(["dev", "--in-memory", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first
        .trim()
        .strip_prefix("extenddb 0.0.2 dev server listening on http://")
        .unwrap_or_else(|| panic!("banner: {first}"))
        .to_string();

    let mut tcp = std::net::TcpStream::connect(&url).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    tcp.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut resp = String::new();
    tcp.read_to_string(&mut resp).unwrap();
    assert!(resp.starts_with("HTTP/1.1 200 OK"), "{resp}");
    assert!(resp.ends_with(r#"{"status":"healthy"}"#), "{resp}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(
        rest.contains("aws dynamodb list-tables --endpoint-url http://"),
        "{rest}"
    );
}
