//! Loading: defaults < `extenddb.toml` < `EXTENDDB_*` environment (nested keys joined with
//! `__`, e.g. `EXTENDDB_STORAGE__POSTGRES__POOL_SIZE`) < command-line flags; then validation
//! with errors that name the key, the file and the fix on one line.

use super::Config;
use anyhow::bail;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use std::path::Path;

/// The sections an environment variable may address; other `EXTENDDB_*` variables (such as
/// `EXTENDDB_ADMIN_PASSWORD`) are not configuration keys and are ignored here.
const ENV_SECTIONS: [&str; 4] = ["server", "storage", "auth", "console"];

/// Values given as command-line flags, which win over everything else.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--port`.
    pub port: Option<u16>,
    /// `--bind-addr`.
    pub bind_addr: Option<std::net::IpAddr>,
}

/// Loads and validates the configuration in `file`. Pool sizes below the minimum are raised
/// with a warning on stderr.
pub fn load(file: &Path, overrides: &Overrides) -> anyhow::Result<Config> {
    if !file.is_file() {
        bail!(
            "config file {} not found (create one with `extenddb init`, or pass --config <path>)",
            file.display()
        );
    }
    let mut fig = Figment::from(Serialized::defaults(Config::default()))
        .merge(Toml::file_exact(file))
        .merge(Env::prefixed("EXTENDDB_").split("__").filter(|k| {
            let k = k.as_str().to_ascii_lowercase();
            ENV_SECTIONS.iter().any(|s| k.starts_with(s))
        }));
    if let Some(port) = overrides.port {
        fig = fig.merge(Serialized::default("server.port", port));
    }
    if let Some(addr) = overrides.bind_addr {
        fig = fig.merge(Serialized::default("server.bind_addr", addr));
    }
    let mut config: Config = fig.extract().map_err(|e| describe(e, file))?;
    validate(&mut config, file)?;
    Ok(config)
}

/// One line: where (file or variable), which key, what is wrong, where the keys are listed.
fn describe(e: figment::Error, file: &Path) -> anyhow::Error {
    let key = e.path.join(".");
    let source = match e.metadata.as_ref() {
        Some(m) if m.source.is_none() || m.name.contains("environment") => m.name.to_string(),
        _ => file.display().to_string(),
    };
    let what = e.kind.to_string();
    if key.is_empty() {
        anyhow::anyhow!("{source}: {what} (see docs/configuration.md for the valid keys)")
    } else {
        anyhow::anyhow!("{source}: key '{key}': {what} (see docs/configuration.md)")
    }
}

fn validate(c: &mut Config, file: &Path) -> anyhow::Result<()> {
    let f = file.display();
    let account = &c.auth.account_id;
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        bail!("{f}: key 'auth.account_id': must be 12 digits, got '{account}'");
    }
    let region = &c.server.region;
    if region.is_empty()
        || !region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        bail!("{f}: key 'server.region': must be a region name such as us-east-1, got '{region}'");
    }
    if !(1..=30).contains(&c.server.settings_poll_seconds) {
        bail!(
            "{f}: key 'server.settings_poll_seconds': must be 1 to 30, got {}",
            c.server.settings_poll_seconds
        );
    }
    let server = &c.server;
    for (key, value, least) in [
        ("server.max_connections", server.max_connections as u64, 1),
        (
            "server.idle_timeout_seconds",
            server.idle_timeout_seconds,
            1,
        ),
        (
            "server.header_read_timeout_seconds",
            server.header_read_timeout_seconds,
            1,
        ),
        (
            "server.body_read_timeout_seconds",
            server.body_read_timeout_seconds,
            1,
        ),
        ("server.request_timeout_ms", server.request_timeout_ms, 100),
        (
            "storage.postgres.acquire_timeout_ms",
            c.storage.postgres.acquire_timeout_ms,
            100,
        ),
    ] {
        if value < least {
            bail!("{f}: key '{key}': must be at least {least}, got {value}");
        }
    }
    let pg = &mut c.storage.postgres;
    let min = MIN_POOL_SIZE;
    if pg.pool_size < min {
        eprintln!(
            "warning: storage.postgres.pool_size = {} is below the minimum; using {min}",
            pg.pool_size
        );
        pg.pool_size = min;
    }
    if let Some(n) = pg.catalog_pool_size.filter(|n| *n < min) {
        eprintln!(
            "warning: storage.postgres.catalog_pool_size = {n} is below the minimum; using {min}"
        );
        pg.catalog_pool_size = Some(min);
    }
    Ok(())
}

/// Smallest pool size the guide allows.
#[cfg(feature = "postgres")]
const MIN_POOL_SIZE: u32 = extenddb_backend_postgres::MIN_POOL_SIZE;
#[cfg(not(feature = "postgres"))]
const MIN_POOL_SIZE: u32 = 10;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::StorageProvider;
    use std::io::Write;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    // figment reads the process environment; these tests use keys no other test sets.

    #[test]
    fn defaults_then_file_then_flags() {
        let f = file("[server]\nport = 9000\n[storage.postgres]\npool_size = 30\n");
        let c = load(f.path(), &Overrides::default()).unwrap();
        assert_eq!(c.server.port, 9000);
        assert_eq!(c.storage.postgres.pool_size, 30);
        assert_eq!(c.storage.postgres.catalog_db, "extenddb_catalog");
        assert_eq!(c.storage.provider, StorageProvider::Postgres);
        let o = Overrides {
            port: Some(9100),
            ..Overrides::default()
        };
        assert_eq!(load(f.path(), &o).unwrap().server.port, 9100);
    }

    #[test]
    fn small_pools_are_clamped() {
        let f = file("[storage.postgres]\npool_size = 3\ncatalog_pool_size = 4\n");
        let c = load(f.path(), &Overrides::default()).unwrap();
        assert_eq!(c.storage.postgres.pool_size, 10);
        assert_eq!(c.storage.postgres.catalog_pool_size, Some(10));
    }

    #[test]
    fn replicas_are_read_with_default_port_and_lag() {
        let f = file(
            "[storage.postgres]\nreplica_max_lag_ms = 250\n\
             [[storage.postgres.replicas]]\nhost = \"standby1\"\n\
             [[storage.postgres.replicas]]\nhost = \"standby2\"\nport = 5433\n",
        );
        let pg = load(f.path(), &Overrides::default())
            .unwrap()
            .storage
            .postgres;
        let hosts: Vec<_> = pg
            .replicas
            .iter()
            .map(|r| (r.host.as_str(), r.port))
            .collect();
        assert_eq!(hosts, [("standby1", 5432), ("standby2", 5433)]);
        assert_eq!(pg.replica_max_lag_ms, Some(250));
        let none = file("[storage.postgres]\n");
        let pg = load(none.path(), &Overrides::default())
            .unwrap()
            .storage
            .postgres;
        assert!(pg.replicas.is_empty());
        assert_eq!(pg.replica_max_lag_ms, None);
    }

    #[test]
    fn unknown_key_names_key_and_file() {
        let f = file("[storage.postgres]\npool_sise = 3\n");
        let e = load(f.path(), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("pool_sise"), "{e}");
        assert!(e.contains(&f.path().display().to_string()), "{e}");
        assert!(e.contains("storage.postgres"), "{e}");
        assert_eq!(e.lines().count(), 1);
    }

    #[test]
    fn bad_value_names_key() {
        let f = file("[server]\nport = \"eighty\"\n");
        let e = load(f.path(), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("key 'server.port'"), "{e}");
        let f = file("[auth]\nprovider = \"ldap\"\n");
        let e = load(f.path(), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("key 'auth.provider'"), "{e}");
        assert!(
            e.contains("ldap") && e.contains("`none`") && e.contains("`builtin`"),
            "{e}"
        );
        let f = file("[auth]\nprovider = \"builtin\"\n");
        let c = load(f.path(), &Overrides::default()).unwrap();
        assert_eq!(c.auth.provider, crate::config::AuthProviderKind::Builtin);
        let f = file("[auth]\nprovider = \"none\"\n");
        let c = load(f.path(), &Overrides::default()).unwrap();
        assert_eq!(c.auth.provider, crate::config::AuthProviderKind::None);
        let f = file("[auth]\naccount_id = \"12\"\n");
        let e = load(f.path(), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("key 'auth.account_id': must be 12 digits, got '12'"),
            "{e}"
        );
    }

    #[test]
    fn limits_have_defaults_and_a_floor() {
        let f = file("");
        let c = load(f.path(), &Overrides::default()).unwrap();
        assert_eq!(c.server.max_connections, 4096);
        assert_eq!(c.server.idle_timeout_seconds, 75);
        assert_eq!(c.server.request_timeout_ms, 10_000);
        assert_eq!(c.storage.postgres.acquire_timeout_ms, 2_000);
        let f = file("[server]\nidle_timeout_seconds = 0\n");
        let e = load(f.path(), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("key 'server.idle_timeout_seconds': must be at least 1, got 0"),
            "{e}"
        );
        let f = file("[storage.postgres]\nacquire_timeout_ms = 5\n");
        let e = load(f.path(), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("storage.postgres.acquire_timeout_ms"), "{e}");
    }

    #[test]
    fn the_log_file_defaults_to_beside_the_pid_file() {
        let f = file("[server]\npid_file = \"/run/x/extenddb.pid\"\n");
        let c = load(f.path(), &Overrides::default()).unwrap();
        assert_eq!(
            c.server.log_file_path(),
            std::path::PathBuf::from("/run/x/extenddb.log")
        );
        let f = file("[server]\nlog_file = \"/var/log/x.log\"\n");
        let c = load(f.path(), &Overrides::default()).unwrap();
        assert_eq!(
            c.server.log_file_path(),
            std::path::PathBuf::from("/var/log/x.log")
        );
    }

    #[test]
    fn missing_file_says_how_to_make_one() {
        let e = load(Path::new("/nonexistent/x.toml"), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("extenddb init"), "{e}");
    }
}
