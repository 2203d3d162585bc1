//! Logging through tracing-subscriber, to stderr (foreground commands) or, for the daemon, to
//! syslog under the identity `extenddb` (`journalctl -t extenddb`) — or to a log file when no
//! syslog socket answers, so that no line is dropped unseen. `RUST_LOG` filters when set;
//! otherwise the level is `info` for extenddb and `warn` for sqlx, and a server adjusts it at
//! run time from the `log_level` / `sqlx_log_level` settings through [`LogControl`].

mod syslog;

use crate::config::ServerSection;
use anyhow::Context;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;
use syslog::SyslogSocket;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, reload, EnvFilter, Registry};

/// Where the daemon logs.
pub enum DaemonLog {
    /// The syslog socket at this path answers.
    Syslog(PathBuf),
    /// No syslog socket: this file (appended to).
    File {
        /// The log file.
        path: PathBuf,
        /// Why syslog is not used.
        why: String,
    },
}

/// Where the daemon of `server` logs: its syslog socket when something listens there, else
/// its log file.
pub fn daemon_destination(server: &ServerSection) -> DaemonLog {
    match SyslogSocket::connect(&server.syslog_socket, server.log_file_path()) {
        Ok(_) => DaemonLog::Syslog(server.syslog_socket.clone()),
        Err(e) => DaemonLog::File {
            path: server.log_file_path(),
            why: format!(
                "no syslog socket at {} ({e})",
                server.syslog_socket.display()
            ),
        },
    }
}

/// Changes the log filter of a running process.
pub struct LogControl {
    handle: reload::Handle<EnvFilter, Registry>,
    /// `RUST_LOG` was set: it stays in force and the runtime settings are ignored.
    from_env: bool,
}

impl LogControl {
    /// Filters extenddb's messages at `level` and sqlx's at `sqlx_level` (unless `RUST_LOG`
    /// decides).
    pub fn apply(&self, level: &str, sqlx_level: &str) -> anyhow::Result<()> {
        if self.from_env {
            return Ok(());
        }
        let filter = EnvFilter::try_new(filter_text(level, sqlx_level))
            .map_err(|e| anyhow::anyhow!("bad log level: {e}"))?;
        self.handle
            .reload(filter)
            .map_err(|e| anyhow::anyhow!("cannot change the log level: {e}"))
    }
}

/// The filter directive for the two levels.
fn filter_text(level: &str, sqlx_level: &str) -> String {
    format!("{level},sqlx={sqlx_level}")
}

/// The starting filter: `RUST_LOG` when set, else the settings' defaults.
fn initial_filter() -> (EnvFilter, bool) {
    match EnvFilter::try_from_default_env() {
        Ok(f) => (f, true),
        Err(_) => (EnvFilter::new(filter_text("info", "warn")), false),
    }
}

/// Installs the stderr subscriber.
pub fn init() -> anyhow::Result<LogControl> {
    let (filter, from_env) = initial_filter();
    let (filter, handle) = reload::Layer::new(filter);
    tracing_subscriber::registry()
        .with(filter)
        .with(
            fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(std::io::stderr().is_terminal()),
        )
        .try_init()
        .map_err(|e| anyhow::anyhow!("cannot set up logging: {e}"))?;
    Ok(LogControl { handle, from_env })
}

/// Installs the daemon's subscriber: syslog (facility daemon, the pid in each message, lines
/// it cannot take go to the log file), or the log file with timestamps. Fails only when
/// neither can be written, so the daemon never runs with its log lost.
pub fn init_daemon(server: &ServerSection) -> anyhow::Result<LogControl> {
    let (filter, from_env) = initial_filter();
    let (filter, handle) = reload::Layer::new(filter);
    let registry = tracing_subscriber::registry().with(filter);
    let installed = match daemon_destination(server) {
        DaemonLog::Syslog(socket) => {
            let writer = SyslogSocket::connect(&socket, server.log_file_path())
                .with_context(|| format!("cannot connect to syslog at {}", socket.display()))?;
            registry
                .with(
                    fmt::layer()
                        .with_writer(writer)
                        .with_ansi(false)
                        .without_time(),
                )
                .try_init()
        }
        DaemonLog::File { path, .. } => {
            let file = open_log_file(&path)?;
            registry
                .with(fmt::layer().with_writer(Mutex::new(file)).with_ansi(false))
                .try_init()
        }
    };
    installed.map_err(|e| anyhow::anyhow!("cannot set up logging: {e}"))?;
    Ok(LogControl { handle, from_env })
}

/// Opens (creating it and its directory) the log file for appending.
fn open_log_file(path: &std::path::Path) -> anyhow::Result<std::fs::File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the log directory {}", dir.display()))?;
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| {
            format!(
                "cannot open the log file {} (set server.log_file)",
                path.display()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_syslog_socket_the_daemon_logs_to_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut server = ServerSection {
            syslog_socket: dir.path().join("no-such.sock"),
            pid_file: dir.path().join("run/extenddb.pid"),
            ..ServerSection::default()
        };
        match daemon_destination(&server) {
            DaemonLog::File { path, why } => {
                assert_eq!(path, dir.path().join("run/extenddb.log"));
                assert!(why.contains("no-such.sock"), "{why}");
            }
            DaemonLog::Syslog(_) => panic!("syslog chosen without a socket"),
        }
        let sock = dir.path().join("log.sock");
        let _listener = std::os::unix::net::UnixDatagram::bind(&sock).unwrap();
        server.syslog_socket = sock.clone();
        assert!(matches!(daemon_destination(&server), DaemonLog::Syslog(p) if p == sock));
        let f = open_log_file(&dir.path().join("a/b/x.log")).unwrap();
        drop(f);
        assert!(dir.path().join("a/b/x.log").is_file());
    }

    #[test]
    fn levels_become_one_directive() {
        assert_eq!(filter_text("debug", "warn"), "debug,sqlx=warn");
        assert!(EnvFilter::try_new(filter_text("debug", "warn")).is_ok());
    }
}
