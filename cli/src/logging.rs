//! Logging through tracing-subscriber, to stderr (foreground commands) or to syslog under the
//! identity `extenddb` (the daemon; `journalctl -t extenddb`). `RUST_LOG` filters when set;
//! otherwise the level is `info` for extenddb and `warn` for sqlx, and a server adjusts it at
//! run time from the `log_level` / `sqlx_log_level` settings through [`LogControl`].

use std::ffi::CStr;
use std::io::IsTerminal;
use syslog_tracing::{Facility, Options, Syslog};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, reload, EnvFilter, Registry};

/// The syslog identity (the tag `journalctl -t` selects).
const IDENTITY: &CStr = c"extenddb";

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

/// Installs the syslog subscriber (facility daemon, with the pid in each message).
pub fn init_syslog() -> anyhow::Result<LogControl> {
    let syslog = Syslog::new(IDENTITY, Options::LOG_PID, Facility::Daemon)
        .ok_or_else(|| anyhow::anyhow!("cannot open syslog: already open"))?;
    let (filter, from_env) = initial_filter();
    let (filter, handle) = reload::Layer::new(filter);
    tracing_subscriber::registry()
        .with(filter)
        .with(
            fmt::layer()
                .with_writer(syslog)
                .with_ansi(false)
                .without_time(),
        )
        .try_init()
        .map_err(|e| anyhow::anyhow!("cannot set up logging: {e}"))?;
    Ok(LogControl { handle, from_env })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_become_one_directive() {
        assert_eq!(filter_text("debug", "warn"), "debug,sqlx=warn");
        assert!(EnvFilter::try_new(filter_text("debug", "warn")).is_ok());
    }
}
