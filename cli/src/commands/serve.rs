//! `extenddb serve --config extenddb.toml [--foreground]`: the server on the configured backend
//! (PostgreSQL or embedded), HTTPS with the configured certificate, `none` authentication in
//! the configured account. Without `--foreground` it runs as a daemon logging to syslog
//! (`commands::daemon`); either way it holds the pid file `status` and `stop` use, and follows
//! the `log_level` / `sqlx_log_level` runtime settings.

use super::pidfile::PidFile;
use crate::config::{self, expand_home, Config, StorageProvider};
use crate::logging::LogControl;
use anyhow::{bail, Context};
use clap::Args;
use extenddb_auth_none::NoneAuth;
use extenddb_core::traits::{Catalog, ItemStore, Unthrottled};
use extenddb_server::{Server, ServerConfig, Services, TlsSource};
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Options of `extenddb serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The configuration file.
    #[arg(long, default_value = "extenddb.toml")]
    pub config: PathBuf,
    /// Stay in the foreground, logging to stderr (default: run as a daemon logging to syslog).
    #[arg(long)]
    pub foreground: bool,
    /// Internal: this process is the daemon `serve` started (log to syslog, detach).
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
    if !args.foreground {
        return super::daemon::start(&args, &config);
    }
    let log = if args.daemon_child {
        super::daemon::detach_session();
        crate::logging::init_syslog()?
    } else {
        crate::logging::init()?
    };
    crate::commands::runtime()?.block_on(serve(config, log, args.daemon_child))
}

/// The backend as the traits, plus the catalog version to announce.
pub(crate) struct Backend {
    pub(crate) catalog: Arc<dyn Catalog>,
    pub(crate) store: Arc<dyn ItemStore>,
    pub(crate) catalog_version: String,
}

pub(crate) async fn open_backend(config: &Config) -> anyhow::Result<Backend> {
    match config.storage.provider {
        #[cfg(feature = "postgres")]
        StorageProvider::Postgres => {
            let store =
                extenddb_backend_postgres::PgStore::connect(&config.storage.postgres.options())
                    .await?;
            let catalog_version = store.catalog_version().await?;
            if catalog_version != extenddb_backend_postgres::CATALOG_VERSION {
                bail!(
                    "catalog version {catalog_version} does not match this build's {}; run `extenddb migrate --config <file>`",
                    extenddb_backend_postgres::CATALOG_VERSION
                );
            }
            let pending = extenddb_backend_postgres::pending_migrations(&store).await?;
            if !pending.is_empty() {
                bail!(
                    "schema migrations pending ({}); run `extenddb migrate --config <file>`",
                    pending.join(", ")
                );
            }
            check_data_key(&store, config).await;
            Ok(Backend {
                catalog: Arc::new(store.clone()),
                store: Arc::new(store),
                catalog_version,
            })
        }
        #[cfg(not(feature = "postgres"))]
        StorageProvider::Postgres => {
            bail!("this build has no PostgreSQL support; set [storage] provider = \"embedded\"")
        }
        StorageProvider::Embedded => {
            let path = expand_home(&config.storage.embedded.path);
            let store = extenddb_backend_embedded::EmbeddedStore::open(&path)
                .with_context(|| format!("cannot open the store in {}", path.display()))?;
            Ok(Backend {
                catalog: Arc::new(store.clone()),
                store: Arc::new(store),
                catalog_version: "embedded".into(),
            })
        }
    }
}

/// Warns when the key file is missing or is not the key `init` sealed the catalog's check
/// value with. Nothing is encrypted with it yet (access keys arrive with builtin auth), so a
/// mismatch is a warning, not a refusal to start.
#[cfg(feature = "postgres")]
async fn check_data_key(store: &extenddb_backend_postgres::PgStore, config: &Config) {
    let path = expand_home(&config.auth.key_file);
    let check = match store.key_check().await {
        Ok(Some(c)) => c,
        Ok(None) => return,
        Err(e) => return tracing::warn!(error = %e, "cannot read the data-key check"),
    };
    let key = std::fs::read(&path)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok());
    match key {
        Some(k) if crate::commands::init::secrets::key_matches(&k, &check.0, &check.1) => {}
        Some(_) => {
            tracing::warn!(path = %path.display(), "data key file does not match this catalog")
        }
        None => tracing::warn!(path = %path.display(), "data key file missing or not 32 bytes"),
    }
}

/// The control-plane delay: the catalog's runtime setting when set, else the file's default.
async fn control_plane_delay(catalog: &dyn Catalog, config: &Config) -> anyhow::Result<Duration> {
    let stored = catalog
        .get_setting("control_plane_delay_seconds")
        .await
        .map_err(|e| anyhow::anyhow!("cannot read the runtime settings: {e}"))?;
    let secs = match stored {
        Some(v) => v.trim().parse::<u64>().with_context(|| {
            format!("runtime setting control_plane_delay_seconds = '{v}' is not a whole number of seconds")
        })?,
        None => config.server.control_plane_delay_seconds,
    };
    Ok(Duration::from_secs(secs))
}

/// How often the server re-reads the log-level settings (the guide promises 30 s).
const LOG_SETTINGS_EVERY: Duration = Duration::from_secs(10);

/// Applies the `log_level` / `sqlx_log_level` runtime settings now and whenever they change.
fn follow_log_settings(catalog: Arc<dyn Catalog>, log: LogControl) {
    tokio::spawn(async move {
        let mut applied = (String::new(), String::new());
        loop {
            let level = setting(catalog.as_ref(), "log_level").await;
            let sqlx = setting(catalog.as_ref(), "sqlx_log_level").await;
            if (level.as_str(), sqlx.as_str()) != (applied.0.as_str(), applied.1.as_str()) {
                match log.apply(&level, &sqlx) {
                    Ok(()) => tracing::info!(%level, sqlx_level = %sqlx, "log levels applied"),
                    Err(e) => tracing::warn!(error = %e, "cannot apply the log levels"),
                }
                applied = (level, sqlx);
            }
            tokio::time::sleep(LOG_SETTINGS_EVERY).await;
        }
    });
}

/// A runtime setting's value, its default when unset or unreadable.
async fn setting(catalog: &dyn Catalog, name: &str) -> String {
    let default = extenddb_core::settings::find(name).map_or("info", |s| s.default);
    match catalog.get_setting(name).await {
        Ok(Some(v)) => v,
        Ok(None) => default.to_string(),
        Err(e) => {
            tracing::warn!(error = %e, setting = name, "cannot read a runtime setting");
            default.to_string()
        }
    }
}

async fn serve(config: Config, log: LogControl, daemon: bool) -> anyhow::Result<()> {
    let backend = open_backend(&config).await?;
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
    let services = Services {
        catalog: backend.catalog.clone(),
        store: backend.store,
        throttler: Arc::new(Unthrottled),
        auth: Arc::new(NoneAuth::new(config.auth.account_id.clone())),
    };
    let server_config = ServerConfig {
        bind: SocketAddr::new(config.server.bind_addr, config.server.port),
        tls,
        region: config.server.region.clone(),
        control_plane_delay: control_plane_delay(backend.catalog.as_ref(), &config).await?,
        ..ServerConfig::default()
    };
    let server = Server::bind(server_config, services).await?;
    let _pid_file = PidFile::create(
        &expand_home(&config.server.pid_file),
        server.local_addr().port(),
    )?;
    follow_log_settings(backend.catalog.clone(), log);
    println!(
        "extenddb {} (catalog {}) listening on {}",
        env!("CARGO_PKG_VERSION"),
        backend.catalog_version,
        server.local_addr()
    );
    // The banner is how scripts learn the port; do not leave it in a buffer.
    std::io::stdout().flush().ok();
    if daemon {
        super::daemon::detach_stdio()?;
    }
    tracing::info!(addr = %server.local_addr(), tls = server.is_tls(), "extenddb ready");
    server.run(crate::commands::dev::shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}
