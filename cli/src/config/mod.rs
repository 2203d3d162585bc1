//! `extenddb.toml`: the typed configuration (every key documented in docs/configuration.md)
//! and its loading with figment — defaults < file < `EXTENDDB_*` environment < flags.

mod load;

pub use load::{load, Overrides};

use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

/// The whole configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `[server]`: where and how the server listens.
    pub server: ServerSection,
    /// `[storage]`: which backend holds the data.
    pub storage: StorageSection,
    /// `[auth]`: how requests are authenticated.
    pub auth: AuthSection,
    /// `[console]`: the web console.
    pub console: ConsoleSection,
}

/// `[console]`: the web console at `/console/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsoleSection {
    /// A console session unused for this many seconds ends (default 8 hours).
    pub session_idle_seconds: u64,
}

impl Default for ConsoleSection {
    fn default() -> Self {
        ConsoleSection {
            session_idle_seconds: 8 * 3600,
        }
    }
}

/// `[server]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSection {
    /// Address to bind.
    pub bind_addr: IpAddr,
    /// Port to listen on.
    pub port: u16,
    /// Region used in ARNs.
    pub region: String,
    /// Default CREATING → ACTIVE / DELETING → gone delay; the runtime setting
    /// `control_plane_delay_seconds` in the catalog wins when set.
    pub control_plane_delay_seconds: u64,
    /// The running server's pid file (pid and port), read by `status` and `stop`; `~/` expands.
    pub pid_file: PathBuf,
    /// How often the server re-reads the runtime settings (`extenddb settings set` takes
    /// effect within this many seconds; at least 1).
    pub settings_poll_seconds: u64,
    /// Most client connections open at once; more are refused (503 over plain HTTP) until
    /// some close. The open-file limit must leave room for them (checked at startup).
    pub max_connections: usize,
    /// A connection with no request in flight for this many seconds is closed.
    pub idle_timeout_seconds: u64,
    /// Seconds a client may take to send a request's headers.
    pub header_read_timeout_seconds: u64,
    /// Seconds a client may take to send a request's body (then 408).
    pub body_read_timeout_seconds: u64,
    /// Deadline of a request's work in milliseconds; past it the client gets a retryable
    /// InternalServerError.
    pub request_timeout_ms: u64,
    /// The daemon's log file when no syslog socket answers; unset: `extenddb.log` next to the
    /// pid file. `~/` expands.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_file: Option<PathBuf>,
    /// The syslog socket the daemon logs to.
    pub syslog_socket: PathBuf,
    /// `[server.tls]`.
    pub tls: TlsSection,
}

impl ServerSection {
    /// The daemon's log file: `log_file`, or `extenddb.log` beside the pid file.
    pub fn log_file_path(&self) -> PathBuf {
        match &self.log_file {
            Some(p) => expand_home(p),
            None => {
                let pid = expand_home(&self.pid_file);
                pid.parent()
                    .unwrap_or_else(|| std::path::Path::new("."))
                    .join("extenddb.log")
            }
        }
    }
}

/// Where syslog listens on this platform.
#[cfg(target_os = "macos")]
const SYSLOG_SOCKET: &str = "/var/run/syslog";
/// Where syslog listens on this platform.
#[cfg(not(target_os = "macos"))]
const SYSLOG_SOCKET: &str = "/dev/log";

impl Default for ServerSection {
    fn default() -> Self {
        ServerSection {
            bind_addr: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8000,
            region: "us-east-1".into(),
            control_plane_delay_seconds: 5,
            pid_file: PathBuf::from("~/.extenddb/extenddb.pid"),
            settings_poll_seconds: 10,
            max_connections: 4096,
            idle_timeout_seconds: 75,
            header_read_timeout_seconds: 30,
            body_read_timeout_seconds: 30,
            request_timeout_ms: 10_000,
            log_file: None,
            syslog_socket: PathBuf::from(SYSLOG_SOCKET),
            tls: TlsSection::default(),
        }
    }
}

/// `[server.tls]`: HTTPS with a PEM certificate and key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TlsSection {
    /// Serve HTTPS (true) or plain HTTP (false).
    pub enabled: bool,
    /// PEM certificate chain; `~/` expands to the home directory.
    pub cert: PathBuf,
    /// PEM private key; `~/` expands to the home directory.
    pub key: PathBuf,
}

impl Default for TlsSection {
    fn default() -> Self {
        TlsSection {
            enabled: true,
            cert: PathBuf::from("~/.extenddb/tls/cert.pem"),
            key: PathBuf::from("~/.extenddb/tls/key.pem"),
        }
    }
}

/// Storage backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageProvider {
    /// PostgreSQL (catalog database + data database).
    Postgres,
    /// The embedded redb store in one directory.
    Embedded,
}

/// `[storage]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageSection {
    /// Which backend.
    pub provider: StorageProvider,
    /// `[storage.postgres]`.
    pub postgres: PostgresSection,
    /// `[storage.embedded]`.
    pub embedded: EmbeddedSection,
}

impl Default for StorageSection {
    fn default() -> Self {
        StorageSection {
            provider: StorageProvider::Postgres,
            postgres: PostgresSection::default(),
            embedded: EmbeddedSection::default(),
        }
    }
}

/// `[storage.postgres]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PostgresSection {
    /// Host name, IP address, or Unix-socket directory (starting with `/`).
    pub host: String,
    /// Port.
    pub port: u16,
    /// Role to log in as.
    pub user: String,
    /// Its password; absent for peer/trust authentication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Catalog database name.
    pub catalog_db: String,
    /// Data database name.
    pub data_db: String,
    /// Data pool connections (minimum 10).
    pub pool_size: u32,
    /// Catalog pool connections (minimum 10); defaults to `pool_size`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog_pool_size: Option<u32>,
    /// Longest wait in milliseconds for a pooled connection (opening one included) before a
    /// request is answered with a retryable error.
    pub acquire_timeout_ms: u64,
    /// Hot standbys (streaming replication) that serve eventually consistent reads while
    /// their lag is under `replica_max_lag_ms` (docs/scaling.md).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<ReplicaSection>,
    /// The most a replica may lag behind the primary and still serve reads, in
    /// milliseconds (default 1000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica_max_lag_ms: Option<u64>,
}

/// One `[[storage.postgres.replicas]]`: a hot standby of the primary, reached with the
/// primary's role, password and database names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicaSection {
    /// Host name, IP address, or Unix-socket directory (starting with `/`).
    pub host: String,
    /// Port.
    #[serde(default = "default_pg_port")]
    pub port: u16,
}

fn default_pg_port() -> u16 {
    5432
}

/// `replica_max_lag_ms` when unset.
pub const DEFAULT_REPLICA_MAX_LAG_MS: u64 = 1000;

impl Default for PostgresSection {
    fn default() -> Self {
        PostgresSection {
            host: "localhost".into(),
            port: 5432,
            user: "extenddb".into(),
            password: None,
            catalog_db: "extenddb_catalog".into(),
            data_db: "extenddb".into(),
            pool_size: 20,
            catalog_pool_size: None,
            acquire_timeout_ms: 2_000,
            replicas: Vec::new(),
            replica_max_lag_ms: None,
        }
    }
}

/// `[storage.embedded]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmbeddedSection {
    /// Directory of the store.
    pub path: PathBuf,
    /// Keep everything in memory instead (nothing survives the process; `path` is unused).
    pub in_memory: bool,
}

impl Default for EmbeddedSection {
    fn default() -> Self {
        EmbeddedSection {
            path: PathBuf::from("./extenddb-data"),
            in_memory: false,
        }
    }
}

/// Authentication providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthProviderKind {
    /// Any well-formed signature; every request acts in `auth.account_id`.
    None,
    /// SigV4 verified against the IAM users, keys and role sessions of the catalog, and AWS
    /// policy evaluation (`extenddb_auth_builtin::BuiltinAuth`, data key from `key_file`).
    Builtin,
}

/// `[auth]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSection {
    /// Which provider.
    pub provider: AuthProviderKind,
    /// The account requests act in under `provider = "none"` (12 digits); under `builtin`
    /// each principal acts in its own account.
    pub account_id: String,
    /// The AES-256-GCM data key file (32 raw bytes, mode 600); `~/` expands.
    pub key_file: PathBuf,
}

impl Default for AuthSection {
    fn default() -> Self {
        AuthSection {
            provider: AuthProviderKind::None,
            account_id: "000000000000".into(),
            key_file: PathBuf::from("~/.extenddb/master.key"),
        }
    }
}

/// What `serve` and `status` say when `auth.provider = "none"`.
pub const AUTH_OFF_WARNING: &str = "authentication is off (auth.provider = \"none\"): anyone who can reach this server can read and write every table; set auth.provider = \"builtin\" (extenddb init does)";

/// `~/x` → `$HOME/x`; other paths unchanged.
pub fn expand_home(path: &std::path::Path) -> PathBuf {
    match (path.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => path.to_path_buf(),
    }
}

#[cfg(feature = "postgres")]
impl PostgresSection {
    /// The backend's connection options.
    pub fn options(&self) -> extenddb_backend_postgres::PgOptions {
        extenddb_backend_postgres::PgOptions {
            host: self.host.clone(),
            port: self.port,
            user: self.user.clone(),
            password: self.password.clone(),
            catalog_db: self.catalog_db.clone(),
            data_db: self.data_db.clone(),
            pool_size: self.pool_size,
            catalog_pool_size: self.catalog_pool_size,
            acquire_timeout: std::time::Duration::from_millis(self.acquire_timeout_ms),
        }
    }

    /// The hot standbys for eventually consistent reads, and the lag they may have.
    pub fn replica_targets(
        &self,
    ) -> (
        Vec<extenddb_backend_postgres::ReplicaTarget>,
        std::time::Duration,
    ) {
        let targets = self
            .replicas
            .iter()
            .map(|r| extenddb_backend_postgres::ReplicaTarget {
                host: r.host.clone(),
                port: r.port,
            })
            .collect();
        let lag = self
            .replica_max_lag_ms
            .unwrap_or(DEFAULT_REPLICA_MAX_LAG_MS);
        (targets, std::time::Duration::from_millis(lag))
    }
}
