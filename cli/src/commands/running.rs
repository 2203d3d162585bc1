//! What the two server commands (`dev`, `serve`) share while they run: applying the log-level
//! runtime settings as they change, and stopping on Ctrl-C or SIGTERM.

use crate::logging::LogControl;
use extenddb_core::settings;
use std::sync::Arc;

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

/// Completes on Ctrl-C or (on Unix) SIGTERM.
pub(crate) async fn shutdown_signal() {
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
        () = ctrl_c => tracing::info!("Ctrl-C received; shutting down"),
        () = term => tracing::info!("SIGTERM received; shutting down"),
    }
}
