//! `extenddb serve --config extenddb.toml [--foreground]`: the server on the services the
//! configuration describes (`crate::services`), HTTPS with the configured certificate.
//! Without `--foreground` it runs as a daemon logging to syslog, or to its log file when no
//! syslog socket answers (`commands::daemon`); either way it holds the pid file `status` and
//! `stop` use, and follows the runtime settings (the log levels through a settings hook).

use super::pidfile::{self, PidFile};
use crate::commands::running;
use crate::config::{self, expand_home, Config, AUTH_OFF_WARNING};
use crate::logging::LogControl;
use anyhow::bail;
use clap::Args;
use extenddb_server::{Server, ServerConfig, TlsSource};
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

/// Options of `extenddb serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The configuration file.
    #[arg(long, default_value = "extenddb.toml")]
    pub config: PathBuf,
    /// Stay in the foreground, logging to stderr (default: run as a daemon logging to syslog,
    /// or to server.log_file when no syslog socket answers).
    #[arg(long)]
    pub foreground: bool,
    /// Internal: this process is the daemon `serve` started (log to syslog or the file, detach).
    #[arg(long, hide = true)]
    pub daemon_child: bool,
    /// Override `server.port` (0 picks a free port).
    #[arg(long)]
    pub port: Option<u16>,
    /// Override `server.bind_addr`.
    #[arg(long)]
    pub bind_addr: Option<IpAddr>,
}

/// Runs the server until Ctrl-C or SIGTERM.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let overrides = config::Overrides {
        port: args.port,
        bind_addr: args.bind_addr,
    };
    let config = config::load(&args.config, &overrides)?;
    let pid_file = pid_file_of(&args, &config)?;
    if !args.foreground {
        return super::daemon::start(&args, &config, &pid_file);
    }
    let log = if args.daemon_child {
        super::daemon::detach_session();
        crate::logging::init_daemon(&config.server)?
    } else {
        crate::logging::init()?
    };
    crate::commands::runtime()?.block_on(serve(config, &pid_file, log, args.daemon_child))
}

/// This server's pid file: the configured one, or a per-port one beside it when `--port`
/// asks for another port than the configuration's (`pidfile::path_for`).
fn pid_file_of(args: &ServeArgs, config: &Config) -> anyhow::Result<PathBuf> {
    let pid_file = expand_home(&config.server.pid_file);
    let Some(requested) = args.port else {
        return Ok(pid_file);
    };
    let configured = config::load(&args.config, &config::Overrides::default())?
        .server
        .port;
    Ok(pidfile::path_for(&pid_file, configured, requested))
}

async fn serve(
    config: Config,
    pid_file: &std::path::Path,
    log: LogControl,
    daemon: bool,
) -> anyhow::Result<()> {
    let built = crate::services::build(&config).await?;
    let tls = if config.server.tls.enabled {
        let (cert, key) = (
            expand_home(&config.server.tls.cert),
            expand_home(&config.server.tls.key),
        );
        for (what, p) in [("certificate", &cert), ("key", &key)] {
            if !p.is_file() {
                bail!(
                    "TLS {what} {} not found (run `extenddb init`, or set server.tls.cert/key)",
                    p.display()
                );
            }
        }
        Some(TlsSource::Pem { cert, key })
    } else {
        None
    };
    let server_config: ServerConfig = running::server_config(
        &config,
        SocketAddr::new(config.server.bind_addr, config.server.port),
        tls,
    );
    running::ensure_fd_limit(&config);
    let hook = running::log_hook(log, built.services.settings.clone());
    if built.services.auth.allows_everything() {
        tracing::warn!("serve: {AUTH_OFF_WARNING}");
    }
    let mut server = Server::bind(server_config, built.services)
        .await?
        .with_settings_hook(hook);
    if let Some(m) = built.management {
        server = server.with_management(m);
    }
    let _pid_file = PidFile::create(pid_file, server.local_addr().port())?;
    println!(
        "extenddb {} (catalog {}) listening on {}",
        env!("CARGO_PKG_VERSION"),
        built.catalog_version,
        server.local_addr()
    );
    // The banner is how scripts learn the port; do not leave it in a buffer.
    std::io::stdout().flush().ok();
    if daemon {
        super::daemon::detach_stdio()?;
    }
    tracing::info!(addr = %server.local_addr(), tls = server.is_tls(), "serve: extenddb ready");
    server.run(running::shutdown_signal("serve")).await?;
    tracing::info!("serve: stopped");
    Ok(())
}
