//! What the two server commands (`dev`, `serve`) share while they run: the listener's limits
//! from the configuration, an open-file limit that leaves room for them, applying the
//! log-level runtime settings as they change, and stopping on Ctrl-C or SIGTERM.

use crate::config::Config;
use crate::logging::LogControl;
use extenddb_core::settings;
use extenddb_server::{ServerConfig, TlsSource};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Descriptors kept for everything but client connections: the listener, log and store files,
/// the TLS files, a margin. PostgreSQL's pools come on top.
const FD_RESERVE: u64 = 64;

/// The listener's configuration: `bind`, `tls`, and the limits and timeouts of `[server]`.
pub(crate) fn server_config(
    config: &Config,
    bind: SocketAddr,
    tls: Option<TlsSource>,
) -> ServerConfig {
    let s = &config.server;
    ServerConfig {
        bind,
        tls,
        settings_poll: Duration::from_secs(s.settings_poll_seconds),
        max_connections: s.max_connections,
        idle_timeout: Duration::from_secs(s.idle_timeout_seconds),
        header_read_timeout: Duration::from_secs(s.header_read_timeout_seconds),
        body_read_timeout: Duration::from_secs(s.body_read_timeout_seconds),
        request_timeout: Duration::from_millis(s.request_timeout_ms),
        console_session_idle: Duration::from_secs(config.console.session_idle_seconds.max(1)),
        ..ServerConfig::default()
    }
}

/// Makes room for `server.max_connections` under the open-file limit: raises the soft limit
/// toward the hard one when it is too low, and warns when even that is not enough (past the
/// limit, accepting fails and the server stops answering new clients).
pub(crate) fn ensure_fd_limit(config: &Config) {
    let mut reserve = FD_RESERVE;
    if config.storage.provider == crate::config::StorageProvider::Postgres {
        let pg = &config.storage.postgres;
        reserve +=
            u64::from(pg.pool_size) + u64::from(pg.catalog_pool_size.unwrap_or(pg.pool_size)) + 1;
    }
    let max = config.server.max_connections;
    match fd_limit(max as u64 + reserve) {
        Ok(FdLimit::Enough) => {}
        Ok(FdLimit::Raised(limit)) => {
            tracing::info!(
                limit,
                "raised the open-file limit for server.max_connections"
            )
        }
        Ok(FdLimit::TooLow(limit)) => tracing::warn!(
            limit,
            max_connections = max,
            reserved = reserve,
            "the open-file limit is below server.max_connections plus {reserve} descriptors \
             the server needs besides: past about {} connections accepting fails; raise the \
             limit (`ulimit -n`, systemd LimitNOFILE=) or lower server.max_connections",
            limit.saturating_sub(reserve)
        ),
        Err(e) => tracing::warn!(error = %e, "cannot read the open-file limit"),
    }
}

/// What `fd_limit` found.
#[derive(Debug, PartialEq, Eq)]
enum FdLimit {
    /// The soft limit was high enough.
    Enough,
    /// The soft limit was raised to this.
    Raised(u64),
    /// The soft limit is this, below what is wanted even after raising it to the hard limit.
    TooLow(u64),
}

/// Raises the soft open-file limit to `want` (at most the hard limit) if it is lower.
fn fd_limit(want: u64) -> nix::Result<FdLimit> {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    if soft >= want {
        return Ok(FdLimit::Enough);
    }
    let target = want.min(hard);
    if target > soft && setrlimit(Resource::RLIMIT_NOFILE, target, hard).is_ok() {
        return Ok(if target >= want {
            FdLimit::Raised(target)
        } else {
            FdLimit::TooLow(target)
        });
    }
    Ok(FdLimit::TooLow(soft))
}

/// A settings hook that applies the `log_level` / `sqlx_log_level` runtime settings whenever
/// a poll finds one of them changed (and once at startup).
pub(crate) fn log_hook(
    log: LogControl,
    settings: Arc<extenddb_core::settings::RuntimeSettings>,
) -> extenddb_server::SettingsHook {
    Arc::new(move |changes| {
        if !changes
            .iter()
            .any(|(name, _)| [settings::LOG_LEVEL, settings::SQLX_LOG_LEVEL].contains(name))
        {
            return;
        }
        let (level, sqlx) = settings.log_levels();
        match log.apply(&level, &sqlx) {
            Ok(()) => tracing::info!(%level, sqlx_level = %sqlx, "log levels applied"),
            Err(e) => tracing::warn!(error = %e, "cannot apply the log levels"),
        }
    })
}

/// Completes on Ctrl-C or (on Unix) SIGTERM, logging which under `command`'s name.
pub(crate) async fn shutdown_signal(command: &'static str) {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!(command, "{command}: Ctrl-C received; shutting down"),
        () = term => tracing::info!(command, "{command}: SIGTERM received; shutting down"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sufficient_limit_is_left_alone() {
        assert_eq!(fd_limit(1).unwrap(), FdLimit::Enough);
    }

    #[test]
    fn limits_come_from_the_config() {
        let mut c = Config::default();
        c.server.max_connections = 7;
        c.server.idle_timeout_seconds = 3;
        c.server.request_timeout_ms = 1500;
        let s = server_config(&c, "127.0.0.1:0".parse().unwrap(), None);
        assert_eq!(s.max_connections, 7);
        assert_eq!(s.idle_timeout, Duration::from_secs(3));
        assert_eq!(s.request_timeout, Duration::from_millis(1500));
        assert_eq!(s.header_read_timeout, Duration::from_secs(30));
    }
}
