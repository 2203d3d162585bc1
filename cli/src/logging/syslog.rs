//! Log lines to a syslog socket (`/dev/log`: journald or rsyslog), one datagram per event in
//! the local syslog format `<PRI>extenddb[PID]: message` (facility daemon), so that
//! `journalctl -t extenddb` finds them.
//!
//! Written by hand: the syslog crates send through libc's `syslog(3)`, which writes to a fixed
//! socket and drops every line, silently, when nothing listens there. This writer connects to
//! the configured socket, so the daemon can tell at startup whether syslog is there at all
//! (and log to a file when it is not), and it appends a line it cannot send to the fallback
//! file instead of losing it (journald restarting, say).

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tracing::{Level, Metadata};
use tracing_subscriber::fmt::MakeWriter;

/// The syslog identity (the tag `journalctl -t` selects).
pub(crate) const IDENTITY: &str = "extenddb";
/// Facility `daemon`, shifted into the priority.
const FACILITY_DAEMON: u8 = 3 << 3;

/// A connected syslog socket, and the file for lines it does not take.
pub(crate) struct SyslogSocket {
    path: PathBuf,
    socket: Mutex<Option<UnixDatagram>>,
    fallback: PathBuf,
}

impl SyslogSocket {
    /// Connects to the syslog socket at `path`; `Err` when nothing listens there.
    pub(crate) fn connect(path: &Path, fallback: PathBuf) -> std::io::Result<SyslogSocket> {
        let socket = connect(path)?;
        Ok(SyslogSocket {
            path: path.to_path_buf(),
            socket: Mutex::new(Some(socket)),
            fallback,
        })
    }

    /// Sends one line at `level`; reconnects once if the socket went away, and appends the
    /// line to the fallback file if that fails too.
    fn send(&self, level: Level, line: &[u8]) {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let mut datagram =
            format!("<{}>{IDENTITY}[{}]: ", priority(level), std::process::id()).into_bytes();
        datagram.extend_from_slice(line);
        let mut socket = self.socket.lock().unwrap_or_else(|p| p.into_inner());
        for _ in 0..2 {
            if let Some(s) = socket.as_ref() {
                if s.send(&datagram).is_ok() {
                    return;
                }
            }
            *socket = connect(&self.path).ok();
        }
        drop(socket);
        if let Ok(mut f) = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.fallback)
        {
            let _ = f.write_all(&datagram[datagram.len() - line.len()..]);
            let _ = f.write_all(b"\n");
        }
    }
}

fn connect(path: &Path) -> std::io::Result<UnixDatagram> {
    let socket = UnixDatagram::unbound()?;
    socket.connect(path)?;
    Ok(socket)
}

/// The syslog priority of a tracing level under facility daemon.
fn priority(level: Level) -> u8 {
    FACILITY_DAEMON
        + match level {
            Level::ERROR => 3,
            Level::WARN => 4,
            Level::INFO => 6,
            Level::DEBUG | Level::TRACE => 7,
        }
}

/// One event's line, sent when the formatter is done with it.
pub(crate) struct Line<'a> {
    socket: &'a SyslogSocket,
    level: Level,
    buf: Vec<u8>,
}

impl Write for Line<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Line<'_> {
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            self.socket.send(self.level, &self.buf);
        }
    }
}

impl<'a> MakeWriter<'a> for SyslogSocket {
    type Writer = Line<'a>;

    fn make_writer(&'a self) -> Line<'a> {
        Line {
            socket: self,
            level: Level::INFO,
            buf: Vec::new(),
        }
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> Line<'a> {
        Line {
            socket: self,
            level: *meta.level(),
            buf: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_arrive_as_syslog_datagrams() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.sock");
        let server = UnixDatagram::bind(&path).unwrap();
        let s = SyslogSocket::connect(&path, dir.path().join("fallback.log")).unwrap();
        s.send(Level::WARN, b"disk full\n");
        let mut buf = [0u8; 256];
        let n = server.recv(&mut buf).unwrap();
        let got = std::str::from_utf8(&buf[..n]).unwrap();
        assert_eq!(
            got,
            format!("<28>extenddb[{}]: disk full", std::process::id())
        );
    }

    #[test]
    fn no_socket_is_an_error_and_a_lost_socket_falls_back_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.sock");
        assert!(SyslogSocket::connect(&path, dir.path().join("x")).is_err());
        let server = UnixDatagram::bind(&path).unwrap();
        let fallback = dir.path().join("fallback.log");
        let s = SyslogSocket::connect(&path, fallback.clone()).unwrap();
        drop(server);
        std::fs::remove_file(&path).unwrap();
        s.send(Level::ERROR, b"still here\n");
        assert_eq!(std::fs::read_to_string(&fallback).unwrap(), "still here\n");
    }
}
